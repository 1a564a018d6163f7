"""The scenario registry: :class:`Scenario` and :func:`register_scenario`.

Scenario family modules (:mod:`.osteoporosis`, :mod:`.defects`, :mod:`.tumours`) register here;
the package imports them, so :data:`SCENARIOS` is full once :mod:`exobone.model.scenarios` is
imported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exobone.errors import DuplicateRegistrationError, ModelError, UnknownNameError, unknown_name
from exobone.model.scenarios.interventions import Intervention

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = ["SCENARIOS", "SPECIES", "Scenario", "register_scenario"]

#: species a scenario may be run in
SPECIES = ("rat", "mouse", "human")

ScenarioFn = Callable[["ModelBuilder", str], None]


@dataclass(frozen=True)
class Scenario:
    """A named disease or repair context.

    Attributes
    ----------
    name
        Name used on the command line (``exobone simulate NAME``).
    description
        One line for ``exobone list scenarios``.
    apply
        ``apply(builder, species)``: changes inputs, adds populations and factors.
    sources
        Short citations of the mechanisms and calibration data (or ``"assumed: ..."`` notes).
    species
        Species the scenario is defined for; ``default_species`` is used when none is given.
    bv_tv_direction
        Documented direction of BV/TV over a year: ``"down"``, ``"up"`` or ``"flat"``, or
        ``"undocumented"`` when no source states it (the model's prediction is then not checked
        against a label).
    outcome
        Main outcome of the scenario (``"bv_tv"``; ``"defect_fill"`` for defect scenarios).
    interventions
        Interventions that are part of the scenario itself (e.g. the CD9 knockout of
        ``fracture-cd9-ko``), applied after the exosome layer and before the user's.
    contexts
        Atlas context (or disease) keys the scenario stands for: the exosome layer applies the
        cargo profiles of these contexts (e.g. ``osteoporosis`` for ovx, aging and lupus).
    other_species
        Appended to the refusal for a species the scenario is not defined for (e.g. pmo:
        "use 'ovx' in rat or mouse").
    """

    name: str
    description: str
    apply: ScenarioFn
    sources: tuple[str, ...] = ()
    species: tuple[str, ...] = SPECIES
    default_species: str = "rat"
    bv_tv_direction: str = "flat"
    outcome: str = "bv_tv"
    interventions: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    other_species: str = ""

    def resolve_species(self, species: str | None) -> str:
        """Return ``species`` (or the default), checked against :attr:`species`.

        Raises
        ------
        UnknownNameError
            If the scenario is not defined for that species (with a did-you-mean).
        """
        if species is None:
            return self.default_species
        name = species.strip().lower()
        if name in SPECIES and name not in self.species:
            hint = f"; {self.other_species}" if self.other_species else ""
            raise UnknownNameError(f"scenario {self.name!r} is defined for "
                                   f"{', '.join(self.species)}, not for {name}{hint}")
        if name not in self.species:
            raise unknown_name(f"species for scenario {self.name!r}", name, self.species)
        return name

    def interventions_parsed(self) -> tuple[Intervention, ...]:
        """Return the scenario's own interventions, parsed (kinds may come from other layers)."""
        return tuple(Intervention.parse(x) for x in self.interventions)


SCENARIOS: dict[str, Scenario] = {}

#: form of an atlas entity key of a context or disease
_CONTEXT_KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def register_scenario(name: str, *, description: str, sources: Iterable[str] = (),
                      species: Iterable[str] = SPECIES, default_species: str = "rat",
                      bv_tv_direction: str = "flat", outcome: str = "bv_tv",
                      interventions: Iterable[str] = (),
                      contexts: Iterable[str],
                      other_species: str = "") -> Callable[[ScenarioFn], ScenarioFn]:
    """Register ``apply(builder, species)`` as the scenario ``name`` (decorator).

    ``contexts`` are atlas entity keys (lowercase identifiers such as ``gc_onfh``), never
    scenario names; the exosome layer checks them against the atlas it compiles from.

    Raises
    ------
    DuplicateRegistrationError
        If ``name`` is taken.
    ModelError
        For a direction other than down/up/flat/undocumented, a default species not in
        ``species``, no contexts, or a context that is not an atlas key.
    """
    species = tuple(species)
    contexts = tuple(contexts)
    if bv_tv_direction not in ("down", "up", "flat", "undocumented"):
        raise ModelError(f"scenario {name!r}: bv_tv_direction must be down, up, flat or "
                         f"undocumented, got {bv_tv_direction!r}")
    if default_species not in species:
        raise ModelError(f"scenario {name!r}: default species {default_species!r} is "
                         f"not in {species}")
    if not contexts:
        raise ModelError(f"scenario {name!r}: give the atlas contexts it stands for "
                         f"(e.g. contexts=('healthy',))")
    bad = [c for c in contexts if not _CONTEXT_KEY.fullmatch(c)]
    if bad:
        raise ModelError(f"scenario {name!r}: {', '.join(map(repr, bad))} is not an atlas "
                         f"context key (lowercase words joined by '_', e.g. 'gc_onfh')")

    def add(fn: ScenarioFn) -> ScenarioFn:
        if name in SCENARIOS:
            owner = SCENARIOS[name].apply.__module__
            raise DuplicateRegistrationError(f"scenario {name!r} is already registered by "
                                             f"{owner}")
        SCENARIOS[name] = Scenario(name, description, fn, tuple(sources), species,
                                   default_species, bv_tv_direction, outcome,
                                   tuple(interventions), contexts, other_species)
        return fn
    return add
