"""Named disease scenarios: a registry of functions that turn the healthy core into a disease.

A :class:`Scenario` changes inputs and adds factors or cell populations through
:class:`~exobone.model.build.ModelBuilder`; it never edits the core's terms. Each one carries a
description, the sources its mechanism comes from, the species it is defined for, and the
direction it is documented to move BV/TV (checked by the tests).

Scenario families live one per module (:mod:`.osteoporosis`, :mod:`.defects`, :mod:`.tumours`)
and register with :func:`register_scenario`; :func:`load_scenarios` imports them (an explicit
list). Interventions are in :mod:`.interventions` (registry) and :mod:`.drugs` (standard drugs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from exobone.errors import DuplicateRegistrationError, UnknownNameError, unknown_name

if TYPE_CHECKING:
    from exobone.model.build import ModelBuilder
    from exobone.model.scenarios.interventions import Intervention

__all__ = [
    "SCENARIOS",
    "SPECIES",
    "Scenario",
    "get_scenario",
    "load_scenarios",
    "register_scenario",
    "require_scenario",
]

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
            raise UnknownNameError(f"scenario {self.name!r} is defined for "
                                   f"{', '.join(self.species)}, not for {name}")
        if name not in self.species:
            raise unknown_name(f"species for scenario {self.name!r}", name, self.species)
        return name

    def interventions_parsed(self) -> tuple[Intervention, ...]:
        """Return the scenario's own interventions, parsed (kinds may come from other layers)."""
        from exobone.model.scenarios.interventions import Intervention
        return tuple(Intervention.parse(x) for x in self.interventions)


SCENARIOS: dict[str, Scenario] = {}


def register_scenario(name: str, *, description: str, sources: Iterable[str] = (),
                      species: Iterable[str] = SPECIES, default_species: str = "rat",
                      bv_tv_direction: str = "flat", outcome: str = "bv_tv",
                      interventions: Iterable[str] = ()) -> Callable[[ScenarioFn], ScenarioFn]:
    """Register ``apply(builder, species)`` as the scenario ``name`` (decorator).

    Raises
    ------
    DuplicateRegistrationError
        If ``name`` is taken.
    ValueError
        For a direction other than down/up/flat or a default species not in ``species``.
    """
    species = tuple(species)
    if bv_tv_direction not in ("down", "up", "flat", "undocumented"):
        raise ValueError(f"bv_tv_direction must be down, up, flat or undocumented, got "
                         f"{bv_tv_direction!r}")
    if default_species not in species:
        raise ValueError(f"default species {default_species!r} is not in {species}")

    def add(fn: ScenarioFn) -> ScenarioFn:
        if name in SCENARIOS:
            owner = SCENARIOS[name].apply.__module__
            raise DuplicateRegistrationError(f"scenario {name!r} is already registered by "
                                             f"{owner}")
        SCENARIOS[name] = Scenario(name, description, fn, tuple(sources), species,
                                   default_species, bv_tv_direction, outcome,
                                   tuple(interventions))
        return fn
    return add


_FAMILY_MODULES = (
    "exobone.model.scenarios.osteoporosis",
    "exobone.model.scenarios.defects",
    "exobone.model.scenarios.tumours",
)
_loaded = {"done": False}


def load_scenarios() -> dict[str, Scenario]:
    """Import every scenario family module; return :data:`SCENARIOS`."""
    if not _loaded["done"]:
        _loaded["done"] = True
        for name in _FAMILY_MODULES:
            import_module(name)
    return SCENARIOS


def get_scenario(name: str) -> Scenario | None:
    """Return the scenario called ``name``, or None."""
    return load_scenarios().get(name.strip().lower())


def require_scenario(name: str) -> Scenario:
    """Return the scenario called ``name``; raise UnknownNameError with a suggestion."""
    found = get_scenario(name)
    if found is None:
        raise unknown_name("scenario", name, load_scenarios())
    return found
