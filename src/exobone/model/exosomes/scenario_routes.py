"""The route an exosome dose takes by default in each scenario, read from the atlas.

Issue 13: "``route`` is required or defaults to what the scenario's experiments used". A
scenario's experiments are the atlas's in-vivo exosome experiments whose contexts map to it
(:func:`scenario_for`, the rule the scorecard runs them by: defects first, then diseases, so a
calvarial defect in ovariectomised rats is a ``calvarial-defect`` experiment). Their
``intervention.route`` gives the default:

* every route-naming experiment of the scenario names one route: that route (``derived``);
* none names a route: the scenario's entry in :data:`ASSUMED_ROUTES`, an assumption with its
  reason, or, for a scenario without one, no default: ``route=`` is required;
* they name different routes: no default, ``route=`` is required.

The default is read from the shipped atlas (:func:`exobone.atlas.curation.default_atlas`),
whichever atlas a model is compiled from: a route is a property of the studies, not of the
mechanisms compiled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from exobone.atlas.records import InterventionKind, Setting
from exobone.errors import InvalidInputError
from exobone.model.exosomes.routes import ROUTES

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas

__all__ = ["ASSUMED_ROUTES", "CONTEXT_SCENARIOS", "ScenarioRoute", "default_route",
           "route_experiments", "scenario_for"]

#: atlas context -> model scenario, in priority order (defects first, then diseases)
CONTEXT_SCENARIOS: tuple[tuple[str, str], ...] = (
    ("fracture", "fracture"),
    ("calvarial_defect", "calvarial-defect"),
    ("gc_onfh", "gc-onfh"),
    ("osteonecrosis", "gc-onfh"),
    ("sle", "sle-osteopenia"),
    ("multiple_myeloma", "myeloma"),
    ("prostate_cancer", "prostate-cancer"),
    ("lung_cancer", "lung-tumor-angiogenesis"),
    ("myostatin_context", "myostatin"),
    ("ovx", "ovx"),
    ("aging", "aging"),
    ("osteoporosis", "ovx"),
    ("healthy", "healthy"),
)

_SYSTEMIC = ("assumed: intravenous, as for a treatment of the whole skeleton; the site this "
             "scenario reads (trabecular bone) is not injected in any atlas study; ")
_FRACTURE = "assumed: into the fracture site, the site this scenario reads; "
#: scenario -> (route, reason) where no experiment of the scenario names a route
ASSUMED_ROUTES: dict[str, tuple[str, str]] = {
    "healthy": ("systemic", _SYSTEMIC + "EXP:1002 (exosomes given to young mice) names no route"),
    "ovx": ("systemic", _SYSTEMIC + ("EXP:1032 names no route, and the OVX-rat studies that do "
                                     "(EXP:1020: local) fill calvarial defects, the "
                                     "calvarial-defect scenario")),
    "aging": ("systemic", _SYSTEMIC + "no aging experiment doses exosomes in vivo"),
    "pmo": ("systemic", _SYSTEMIC + "no human experiment doses exosomes"),
    "sle-osteopenia": ("systemic", _SYSTEMIC + "EXP:4016 (BMSC exosomes in lupus mice) names no "
                                               "route"),
    "fracture": ("local", _FRACTURE + "EXP:1028, EXP:1029, EXP:4010 say 'injection' without a "
                                      "site"),
    "fracture-cd9-ko": ("local", _FRACTURE + "EXP:1028, EXP:4010 say 'injection' without a site"),
}


@dataclass(frozen=True)
class ScenarioRoute:
    """A scenario's default exosome route and what it rests on."""

    scenario: str
    route: str
    experiments: tuple[str, ...]
    assumed: bool
    reason: str

    def line(self) -> str:
        """One line: ``route systemic (ovx default; assumed: ...)``."""
        return f"route {self.route} ({self.scenario} default; {self.reason})"


def scenario_for(contexts: Iterable[str]) -> str | None:
    """The model scenario of the first context in :data:`CONTEXT_SCENARIOS` order, or None."""
    ctx = set(contexts)
    for key, scenario in CONTEXT_SCENARIOS:
        if key in ctx:
            return scenario
    return None


def route_experiments(scenario: str, atlas: Atlas | None = None) -> dict[str, tuple[str, ...]]:
    """``{route: experiment ids}`` of the scenario's in-vivo exosome experiments naming one."""
    from exobone.atlas.curation import default_atlas

    atlas = atlas if atlas is not None else default_atlas()
    found: dict[str, list[str]] = {}
    for exp in atlas.experiments.values():
        in_vivo = exp.system in (Setting.IN_VIVO, Setting.IN_VITRO_AND_IN_VIVO) \
            and "in_vitro_culture" not in exp.contexts
        route = (exp.intervention.route or "").lower()
        if (in_vivo and exp.intervention.kind is InterventionKind.EXOSOME and route in ROUTES
                and scenario_for(exp.contexts) == scenario):
            found.setdefault(route, []).append(exp.id)
    return {r: tuple(ids) for r, ids in sorted(found.items())}


@cache
def default_route(scenario: str) -> ScenarioRoute:
    """The route an exosome dose takes in ``scenario`` when ``route=`` is not given.

    Raises
    ------
    InvalidInputError
        When the scenario's experiments name no route and none is assumed, or name different
        routes: ``route=`` is then required.
    """
    named = route_experiments(scenario)
    if len(named) == 1:
        (route, ids), = named.items()
        return ScenarioRoute(scenario, route, ids, False,
                             f"the route of {', '.join(ids)} in the atlas")
    if len(named) > 1:
        which = "; ".join(f"{r}: {', '.join(ids)}" for r, ids in named.items())
        raise InvalidInputError(f"the {scenario} experiments of the atlas used "
                                f"different routes ({which}); give route=local or "
                                f"route=systemic")
    if scenario in ASSUMED_ROUTES:
        route, reason = ASSUMED_ROUTES[scenario]
        return ScenarioRoute(scenario, route, (), True, reason)
    raise InvalidInputError(f"no experiment of the atlas names a route for the "
                            f"{scenario} scenario; give route=local or route=systemic")
