"""Named disease scenarios and the interventions applied to them.

A :class:`Scenario` changes inputs and adds factors or cell populations through
:class:`~exobone.model.builder.ModelBuilder`; it never edits the core's terms. Each one carries a
description, the sources its mechanism comes from, the species it is defined for, the atlas
contexts it stands for, and the direction it is documented to move BV/TV (checked by the tests).

The registries are filled by plain imports below: scenario families (:mod:`.osteoporosis`,
:mod:`.defects`, :mod:`.tumours`) register with :func:`~.registry.register_scenario`;
intervention kinds (:mod:`.drugs`, :mod:`.exosome_interventions`) with
:func:`~.interventions.register_intervention`. Importing any module of this package therefore
gives full registries.
"""

from __future__ import annotations

from exobone.errors import unknown_name
from exobone.model.scenarios import (  # noqa: F401  (imported to register their kinds)
    defects,
    drugs,
    exosome_interventions,
    osteoporosis,
    tumours,
)
from exobone.model.scenarios.registry import SCENARIOS, SPECIES, Scenario, register_scenario

__all__ = [
    "SCENARIOS",
    "SPECIES",
    "Scenario",
    "get_scenario",
    "register_scenario",
    "require_scenario",
]


def get_scenario(name: str) -> Scenario | None:
    """Return the scenario called ``name``, or None."""
    return SCENARIOS.get(name.strip().lower())


def require_scenario(name: str) -> Scenario:
    """Return the scenario called ``name``; raise UnknownNameError with a suggestion."""
    found = get_scenario(name)
    if found is None:
        raise unknown_name("scenario", name, SCENARIOS)
    return found
