"""Extend an imported model with exobone's exosome layer, by mapping its cells and reactions.

An imported core (e.g. Komarova 2003 from BioModels) knows nothing of exobone's processes. Two
small maps connect them: ``cells`` says which state is which atlas cell type (its exosomes are
secreted in proportion to the state relative to its starting value), and ``processes`` says
which term (SBML reaction or rate rule) carries which exobone process
(:data:`exobone.model.processes.PROCESSES`); that term's rate is multiplied by the process
modifier ``m_<process>``, through which the atlas mechanisms act. Then the exosome layer is
compiled from the atlas exactly as for the bone core, and interventions (exosome doses,
Rab27a knockdown...) apply as usual.

Example
-------
Komarova 2003 (BIOMD0000000148) with osteoclast (x1) and osteoblast (x2) exosomes::

    spec = import_sbml("BIOMD0000000148_Komarova2003_BoneRemodeling.xml",
                       overrides={"flag_resorption": 1})
    extended = attach_exosome_layer(spec, KOMAROVA2003_CELLS,
                                    processes=KOMAROVA2003_PROCESSES,
                                    references=KOMAROVA2003_REFERENCES,
                                    interventions=["exosome:bmsc,dose=100,start=10"])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from exobone.errors import ModelError, unknown_name
from exobone.model.processes import PROCESSES, require_process
from exobone.model.spec import ModelSpec

__all__ = ["KOMAROVA2003_CELLS", "KOMAROVA2003_PROCESSES", "KOMAROVA2003_REFERENCES",
           "attach_exosome_layer"]

#: BIOMD0000000148 species -> atlas cell types
KOMAROVA2003_CELLS = {"x1": "osteoclast", "x2": "osteoblast"}
#: BIOMD0000000148 species -> the steady state their exosome secretion is relative to
KOMAROVA2003_REFERENCES = {"x1": "x1_bar", "x2": "x2_bar"}
#: BIOMD0000000148 reactions -> exobone processes
KOMAROVA2003_PROCESSES = {
    "R1": "oc_differentiation",  # osteoclast production
    "R2": "oc_apoptosis",  # osteoclast removal
    "R3": "ob_maturation",  # osteoblast production
    "R4": "ob_apoptosis",  # osteoblast removal
    "R5": "bone_resorption",
    "R6": "bone_formation",
}


def attach_exosome_layer(spec: ModelSpec, cells: Mapping[str, str], *,
                         processes: Mapping[str, str] | None = None,
                         references: Mapping[str, str] | None = None,
                         interventions: Sequence[str] = (), atlas: Any = None,
                         scenario: str = "healthy", species: str = "rat") -> ModelSpec:
    """Return ``spec`` with the exosome layer compiled from the atlas, then ``interventions``.

    Parameters
    ----------
    spec
        The model (typically from :func:`exobone.interop.sbml.import_sbml`).
    cells
        ``{state name: atlas cell key}`` (``"osteoclast"``, ``"osteoblast"``, ``"bmsc"``...).
    processes
        ``{term name: process name}``; each such term's rate is multiplied by ``m_<process>``.
    references
        ``{state name: expression}``: the amount secretion is relative to (e.g. the model's
        steady state); default the state's starting value.
    interventions
        Interventions in their command line form, applied after the layer.
    atlas, scenario, species
        As for :func:`exobone.model.assemble.build_model`.

    Raises
    ------
    UnknownNameError
        For a state, term or process that does not exist (with a did-you-mean).
    ModelError
        If a name of the layer clashes with one of the imported model.
    """
    from exobone.model.assemble import add_scenario_exosome_layer
    from exobone.model.builder import ModelBuilder
    from exobone.model.scenarios.interventions import apply_intervention, parse_intervention

    processes = dict(processes or {})
    for state in cells:
        spec.require_state(state)
    terms = {t.name for t in spec.terms}
    for term, process in processes.items():
        if term not in terms:
            raise unknown_name(f"term of model {spec.name!r}", term, terms)
        require_process(process)

    b = ModelBuilder(spec.name, metadata=dict(spec.metadata))
    b.origin = "imported"
    for f in spec.functions:
        b.add_function(f.name, f.args, f.body)
    for s in spec.states:
        b.add_state(s)
    for p in spec.parameters:
        b.add_parameter(p)
    for a in spec.assignments:
        b.add_assignment(a.name, a.expr, unit=a.unit, description=a.description,
                         mechanisms=a.mechanisms)
    for t in spec.terms:
        rate = t.rate
        if t.name in processes:
            rate = f"({rate})*{PROCESSES[processes[t.name]].modifier}"
        b.add_term(t.name, rate, dict(t.stoichiometry), mechanisms=t.mechanisms,
                   description=t.description, citations=t.citations)
    for e in spec.events:
        b.add_event(e)
    references = dict(references or {})
    for state, cell in cells.items():
        if state in references:
            b.add_source(cell, f"{state}/({references[state]})")
            continue
        initial = spec.require_state(state).initial
        ref = float(initial) if not isinstance(initial, str) else None
        if ref is not None and ref <= 0:
            raise ModelError(f"state {state!r} starts at {ref}; exosome secretion is scaled by "
                             f"the starting amount, which must be positive")
        b.add_source(cell, f"{state}/{ref!r}" if ref is not None else state)
    b.origin = "exosome-layer"
    add_scenario_exosome_layer(b, atlas, scenario=scenario, species=species)
    parsed = [parse_intervention(text, scenario) for text in interventions]
    for iv in parsed:
        iv.check()
        b.origin = f"intervention:{iv.kind}"
        apply_intervention(b, iv)
    b.origin = ""
    b.metadata.update({"exosome_layer_applied": True, "cells": dict(cells),
                       "processes": processes,
                       "interventions": tuple(str(iv) for iv in parsed)})
    return b.build()
