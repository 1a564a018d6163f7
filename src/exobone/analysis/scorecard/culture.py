"""The culture context: an in-vitro experiment's cells in a dish, without the body around them.

Issue 13: "in-vitro experiments run in an in-vitro context (cells in culture, no systemic
feedback)". An in-vitro arm is built like an in-vivo one (the ``healthy`` scenario with the
culture's atlas contexts and the exosome dose, :mod:`exobone.analysis.scorecard.mapping`) and
then every state of the model except the exosome pools is *held* at its starting value: cell
populations, bone, estrogen, sclerostin, remodelling sites and the defect compartments do not
change. What is left is what a dish has: the cells (at the healthy marrow's steady-state
numbers) secrete their exosomes, the dose is added to the medium (every 3 days, the medium
changes), exosomes are cleared and taken up, and the cells' per-cell rates (the process
modifiers ``m_<process>``) respond to what they take up. Nothing feeds back through the
tissue: no estrogen or PTH loop, no mechanostat (bone volume is held), no coupling between
resorption and formation (the cell numbers that carry it are held).

Every in-vitro readout is a per-cell rate or an exosome cargo level (never a population), so
holding the populations removes the systemic paths without removing a readout. What the
context still takes from the healthy model: the cell numbers that secrete endogenous exosomes
(a dish's are set by its seeding, which the records do not give) and the process modifiers'
core factors, held at their healthy values.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exobone.model.exosomes import ExosomeLayer
    from exobone.model.spec import ModelSpec

__all__ = ["CULTURE", "culture_model", "held_states"]

#: one line for outputs: what the culture context is
CULTURE = ("culture: every state but the exosome pools held at the healthy steady state (cells, "
           "bone, estrogen: no systemic feedback); the dose added to the medium; per-cell rates "
           "read")


def held_states(spec: ModelSpec, layer: ExosomeLayer | None) -> tuple[str, ...]:
    """The states a culture holds: all but the exosome layer's pools (endogenous and dosed)."""
    free = set(layer.endogenous_pools()) | set(layer.dose_pools.values()) if layer else set()
    return tuple(s.name for s in spec.states if s.name not in free)


def culture_model(spec: ModelSpec, layer: ExosomeLayer | None) -> ModelSpec:
    """``spec`` with every held state (:func:`held_states`) constant.

    A term loses its stoichiometry on held states (and is dropped when nothing is left); an
    event loses its assignments to them. Assignments, parameters and the exosome pools'
    terms are unchanged, so the per-cell rates are computed as in the whole animal.
    """
    held = set(held_states(spec, layer))
    terms = []
    for term in spec.terms:
        stoich = {k: v for k, v in term.stoichiometry.items() if k not in held}
        if stoich:
            terms.append(replace(term, stoichiometry=stoich))
    events = []
    for event in spec.events:
        kept = {k: v for k, v in event.assignments.items() if k not in held}
        if kept:
            events.append(replace(event, assignments=kept))
    meta = {**dict(spec.metadata), "context": "culture", "held_states": tuple(sorted(held))}
    return replace(spec, terms=tuple(terms), events=tuple(events), metadata=meta)
