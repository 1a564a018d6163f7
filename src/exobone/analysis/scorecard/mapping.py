"""Mapping rules: a curated experiment as a treated and a control run of the model.

Generic rules keyed on the intervention kind, the contexts and the measure, never on an
experiment's id or paper (the rules are listed in :mod:`exobone.analysis.scorecard`). An
experiment the model cannot represent raises :class:`NotRepresentable` naming the part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exobone.atlas.records import SPECIES_SHORT, Experiment, InterventionKind, Setting
from exobone.errors import InvalidInputError, NotRepresentable
from exobone.model.exosomes import DRUG_CLASSES, exogenous_sources
from exobone.model.exosomes.scenario_routes import CONTEXT_SCENARIOS, default_route, scenario_for
from exobone.model.scenarios import require_scenario
from exobone.model.scenarios.exosome_interventions import is_mirna, resolve_source
from exobone.model.scenarios.interventions import get_intervention_kind

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas

__all__ = [
    "AGENT_SCENARIOS",
    "CONDITIONED_MEDIUM_FRACTION",
    "CONTEXT_INTERVENTIONS",
    "CONTEXT_SCENARIOS",
    "DEFAULT_DAYS",
    "DEFAULT_DOSE_UG",
    "DOSE_EVERY",
    "NO_CHANGE",
    "SETTING_CONTEXTS",
    "Arms",
    "NotRepresentable",
    "is_in_vitro",
    "map_experiment",
    "scenario_for",
]

#: relative change below which a predicted outcome counts as "no change"
NO_CHANGE = 0.01
#: time point when the paper states none (days)
DEFAULT_DAYS: dict[str, float] = {"in_vitro": 28.0, "in_vivo": 56.0}
#: exosome dose when the paper states none (µg protein per administration)
DEFAULT_DOSE_UG = 100.0
#: exosome content of conditioned medium relative to an isolated-exosome dose (assumed)
CONDITIONED_MEDIUM_FRACTION = 0.2
#: dosing interval (days): medium changes in culture, weekly injections in vivo
DOSE_EVERY = {"in_vitro": 3.0, "in_vivo": 7.0}

#: contexts that are interventions applied to both arms
CONTEXT_INTERVENTIONS: dict[str, str] = {"cd9_knockout": "knockout:CD9"}
#: contexts that describe the setting, not the biology
SETTING_CONTEXTS = frozenset({"in_vitro_culture", "tumor_bone"})
#: agents of condition/cytokine experiments -> the scenario that is that condition
AGENT_SCENARIOS: dict[str, str] = {"MSTN": "myostatin", "osteoporosis": "ovx", "ovx": "ovx",
                                   "aging": "aging", "glucocorticoid": "gc-onfh"}



@dataclass(frozen=True)
class Arms:
    """An experiment as two model runs."""

    scenario: str
    control_scenario: str
    species: str | None
    treated: tuple[str, ...]
    control: tuple[str, ...]
    in_vitro: bool


def is_in_vitro(exp: Experiment) -> bool:
    """True for an experiment in culture (setting or context)."""
    return exp.system is Setting.IN_VITRO or "in_vitro_culture" in exp.contexts


def _base_scenario(exp: Experiment, *, exclude: Iterable[str] = ()) -> str:
    if is_in_vitro(exp):
        return "healthy"
    contexts = [c for c in exp.contexts if c not in set(exclude)]
    scenario = scenario_for(contexts)
    if scenario is not None:
        return scenario
    unknown = [c for c in contexts if c not in SETTING_CONTEXTS and c not in CONTEXT_INTERVENTIONS]
    if unknown:
        raise NotRepresentable(f"no model scenario for context(s) {', '.join(unknown)}")
    return "healthy"


def _species(exp: Experiment, scenario: str) -> str | None:
    """The organism an in-vivo experiment ran in.

    A record lists every species involved: human beside rat or mouse means human donor cells
    (their exosomes) given to the animal, so the animal is the organism the model runs.
    """
    allowed = require_scenario(scenario).species
    short = {v: k for k, v in SPECIES_SHORT.items()}
    names = [short.get(taxon) for taxon in exp.species]
    animals = [n for n in names if n in allowed and n != "human"]
    if animals:
        return animals[0]
    return "human" if "human" in names and "human" in allowed else None


def _dose_levels(text: str | None) -> tuple[float, float]:
    """Return (treated, control) dose in µg from a dose description."""
    if text:
        m = re.search(r"(\d+(?:\.\d+)?)\s*(?:µg|ug|μg)", text)
        low = text.lower()
        if "higher" in low or "high dose" in low:
            return 2.0 * DEFAULT_DOSE_UG, DEFAULT_DOSE_UG
        if "lower" in low or "low dose" in low:
            return 0.5 * DEFAULT_DOSE_UG, DEFAULT_DOSE_UG
        if m:
            return float(m.group(1)), 0.0
    return DEFAULT_DOSE_UG, 0.0


def _route(exp: Experiment, scenario: str) -> str:
    """The route the record names; in culture the dose is at the cells (``local``); else the
    scenario's default (:func:`~exobone.model.exosomes.scenario_routes.default_route`)."""
    route = (exp.intervention.route or "").lower()
    if route in ("local", "systemic"):
        return route
    if route == "in_culture" or is_in_vitro(exp):
        return "local"
    try:
        return default_route(scenario).route
    except InvalidInputError as err:
        raise NotRepresentable(f"no route: {err}") from None


def _source_name(agent: str) -> str:
    try:
        return resolve_source(agent).name
    except KeyError:
        raise NotRepresentable(f"no exosome source in the model for {agent!r}") from None


def _registered(kind: str) -> bool:
    return get_intervention_kind(kind) is not None


def _dosing(exp: Experiment, scenario: str, source: str, dose: float, t_end: float) -> str:
    setting = "in_vitro" if is_in_vitro(exp) else "in_vivo"
    every = DOSE_EVERY[setting]
    return (f"exosome:{source},dose={dose:g},route={_route(exp, scenario)},start=0,"
            f"every={every:g},"
            f"stop={max(t_end, every + 1):g}")


def map_experiment(exp: Experiment, atlas: Atlas, t_end: float) -> Arms:
    """Map an experiment to a treated and a control run (generic rules; module docstring).

    Raises
    ------
    NotRepresentable
        Naming the part of the experiment the model has no counterpart for.
    """
    iv = exp.intervention
    kind = iv.kind
    in_vitro = is_in_vitro(exp)
    own_context = {c for c, text in CONTEXT_INTERVENTIONS.items()
                   if kind in (InterventionKind.KNOCKOUT, InterventionKind.KNOCKDOWN)
                   and text.split(":", 1)[1].upper() == iv.agent.upper()}
    shared = tuple(CONTEXT_INTERVENTIONS[c] for c in exp.contexts
                   if c in CONTEXT_INTERVENTIONS and c not in own_context)
    scenario = _base_scenario(exp, exclude=own_context)
    control_scenario = scenario
    treated: list[str] = []
    control: list[str] = []

    if kind in (InterventionKind.EXOSOME, InterventionKind.CONDITIONED_MEDIUM,
                InterventionKind.CELL_TRANSPLANT, InterventionKind.EXOSOME_DEPLETED_MEDIUM):
        source = _source_name(iv.agent)
        dose_t, dose_c = _dose_levels(iv.dose)
        if kind is InterventionKind.CONDITIONED_MEDIUM:
            dose_t *= CONDITIONED_MEDIUM_FRACTION
        if kind is InterventionKind.EXOSOME_DEPLETED_MEDIUM:
            dose_t = 0.0  # the exosomes were removed; soluble factors are not modelled
        treated.append(_dosing(exp, scenario, source, dose_t, t_end))
        control.append(_dosing(exp, scenario, source, dose_c, t_end))
    elif kind is InterventionKind.PRECONDITIONING:
        sources = exogenous_sources(atlas).values()
        primed = [s for s in sources if iv.agent in s.conditions]
        if not primed:
            raise NotRepresentable(f"no exosome source primed with {iv.agent!r}")
        plain = [s for s in sources if s.cell == primed[0].cell and not s.conditions]
        if not plain:
            raise NotRepresentable(f"no unprimed counterpart of {primed[0].name!r}")
        treated.append(_dosing(exp, scenario, primed[0].name, DEFAULT_DOSE_UG, t_end))
        control.append(_dosing(exp, scenario, plain[0].name, DEFAULT_DOSE_UG, t_end))
    elif kind is InterventionKind.RELEASE_INHIBITION:
        if iv.agent.upper() == "RAB27A":
            cells = [atlas.mechanisms[m].target for m in exp.mechanisms
                     if m in atlas.mechanisms and atlas.mechanisms[m].kind.value ==
                     "release_control" and atlas.mechanisms[m].source.upper() == "RAB27A"]
            cells = cells or list(exp.target_cells) or ["all"]
            treated += [f"rab27a-knockdown:{c}" for c in dict.fromkeys(cells)]
        else:
            treated.append(f"knockdown:{iv.agent}")
    elif kind in (InterventionKind.KNOCKOUT, InterventionKind.KNOCKDOWN):
        treated.append(f"{kind.value}:{iv.agent}")
    elif kind in (InterventionKind.ANTAGOMIR, InterventionKind.MIMIC,
                  InterventionKind.OVEREXPRESSION):
        if not is_mirna(iv.agent):
            raise NotRepresentable(f"{kind.value} of the gene {iv.agent!r}: only miRNA "
                                   f"mimics/antagomirs and gene knockouts are modelled")
        what = "antagomir" if kind is InterventionKind.ANTAGOMIR else "mimic"
        cell = exp.target_cells[0] if len(exp.target_cells) == 1 else None
        treated.append(f"{what}:{iv.agent}" + (f"@{cell}" if cell else ""))
    elif kind is InterventionKind.DRUG:
        names = DRUG_CLASSES.get(iv.agent, (iv.agent.lower(),))
        found = next((n for n in names if _registered(n)), None)
        if found is None:
            raise NotRepresentable(f"drug {iv.agent!r} is not a registered intervention")
        treated.append(found)
    elif kind in (InterventionKind.CYTOKINE, InterventionKind.CONDITION):
        target = AGENT_SCENARIOS.get(iv.agent) or scenario_for([iv.agent])
        if target is None:
            raise NotRepresentable(f"no scenario or intervention for the {kind.value} "
                                   f"{iv.agent!r}")
        scenario = target
        rest = [c for c in exp.contexts if c != iv.agent and scenario_for([c]) != target]
        control_scenario = "healthy" if in_vitro else (scenario_for(rest) or "healthy")
    else:
        raise NotRepresentable(f"intervention kind {kind.value!r} ({iv.description}) has no "
                               f"counterpart in the model")
    # cells in culture have no body to dilute a dose in: an in-vitro experiment runs in the
    # scenario's default (calibrated) species, whatever species its cells came from
    species = None if in_vitro else _species(exp, scenario)
    return Arms(scenario, control_scenario, species, (*shared, *treated), (*shared, *control),
                in_vitro)
