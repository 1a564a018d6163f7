"""The scorecard: every curated experiment run as a simulation and compared with its published result.

For each experiment of the atlas, :func:`run_scorecard` maps the intervention, the control and
the contexts to a scenario and interventions of the model (by generic rules keyed on the
intervention kind, the contexts and the measure; never on an experiment's id or paper),
simulates the treated and the control arm to the experiment's time point, reads each outcome
(:func:`exobone.model.outcomes.outcome_for_measure`, or the exosome layer's cargo totals for
exosomal miRNA/protein levels) and calls its direction. An experiment the model cannot represent
is listed with the reason; a failed simulation is a row with its status. Nothing is skipped.

Mapping rules
-------------
Setting
    ``in_vitro`` experiments (or context ``in_vitro_culture``) run in the ``healthy`` scenario
    with the cells' processes read out directly: the in-vitro dish is modelled as the healthy
    tissue the cells came from, with the treatment applied locally. In vivo and clinical
    experiments use the scenario of their contexts (:data:`CONTEXT_SCENARIOS`; a defect or
    fracture wins over a systemic disease).
Contexts that are interventions
    ``cd9_knockout`` is ``knockout:CD9`` in both arms (unless the experiment's own intervention
    is that knockout, which then distinguishes the arms).
Time point
    The outcome's ``time_days`` when the paper gives one; otherwise
    :data:`DEFAULT_DAYS` (28 days in vitro, 8 weeks in vivo).
Exosome dosing
    Dose from the text when it states µg; otherwise :data:`DEFAULT_DOSE_UG` (``higher`` and
    ``lower`` dose arms double / halve it against the default). Route: as stated; in culture,
    and in vivo into a defect or fracture, ``local``; otherwise ``systemic``. Schedule: every
    3 days in culture (medium changes), weekly in vivo, from day 0 to the time point. The
    control arm gets the same schedule at dose 0 (same model structure, so one compilation).
    Conditioned medium carries :data:`CONDITIONED_MEDIUM_FRACTION` of an isolated-exosome dose;
    exosome-depleted medium carries none; a cell transplant acts through the exosomes of the
    transplanted cells (their paracrine effect) and is dosed like them.
Direction
    ``(treated - control) / |control|`` at the time point; below :data:`NO_CHANGE` in
    magnitude is "none".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exobone.atlas.records import Direction, Experiment, InterventionKind, Setting
from exobone.errors import ExoboneError
from exobone.model.exosomes import DRUG_CLASSES

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas
    from exobone.model.spec import ModelSpec
    from exobone.simulate.results import Trajectory

__all__ = [
    "CONDITIONED_MEDIUM_FRACTION",
    "CONTEXT_SCENARIOS",
    "DEFAULT_DAYS",
    "DEFAULT_DOSE_UG",
    "DRUG_CLASSES",
    "NO_CHANGE",
    "ExperimentResult",
    "OutcomeResult",
    "Scorecard",
    "map_experiment",
    "run_scorecard",
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
#: contexts that are interventions applied to both arms
CONTEXT_INTERVENTIONS: dict[str, str] = {"cd9_knockout": "knockout:CD9"}
#: contexts that describe the setting, not the biology
SETTING_CONTEXTS = frozenset({"in_vitro_culture", "tumor_bone"})
#: contexts in which exosomes go into a site (local route by default)
LOCAL_CONTEXTS = frozenset({"fracture", "calvarial_defect", "cartilage_defect"})
#: agents of condition/cytokine experiments -> the scenario that is that condition
AGENT_SCENARIOS: dict[str, str] = {"MSTN": "myostatin", "osteoporosis": "ovx", "ovx": "ovx",
                                   "aging": "aging", "glucocorticoid": "gc-onfh"}


# ============================================================================ results
@dataclass(frozen=True)
class OutcomeResult:
    """One published outcome against the model's prediction.

    ``predicted`` is ``increase``/``decrease``/``none``, or None when the measure has no model
    counterpart (then ``agree`` is None and ``note`` says why).
    """

    measure: str
    entity: str | None
    expected: str
    predicted: str | None
    agree: bool | None
    time_days: float
    relative_change: float | None = None
    readout: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"measure": self.measure, "entity": self.entity, "expected": self.expected,
                "predicted": self.predicted, "agree": self.agree, "time_days": self.time_days,
                "relative_change": self.relative_change, "readout": self.readout,
                "note": self.note}


@dataclass(frozen=True)
class ExperimentResult:
    """One experiment: how it was mapped, whether it ran, and its outcomes."""

    id: str
    citation: str
    representable: bool
    reason: str = ""
    status: str = "ok"
    scenario: str = ""
    species: str = ""
    treated: tuple[str, ...] = ()
    control: tuple[str, ...] = ()
    outcomes: tuple[OutcomeResult, ...] = ()

    @property
    def compared(self) -> list[OutcomeResult]:
        """Outcomes with a prediction and a signed expectation."""
        return [o for o in self.outcomes if o.agree is not None]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"id": self.id, "citation": self.citation, "representable": self.representable,
                "reason": self.reason, "status": self.status, "scenario": self.scenario,
                "species": self.species, "treated": list(self.treated),
                "control": list(self.control),
                "outcomes": [o.to_dict() for o in self.outcomes]}


@dataclass
class Scorecard:
    """All experiments with their results and the thresholds used."""

    experiments: list[ExperimentResult] = field(default_factory=list)
    thresholds: dict[str, Any] = field(default_factory=dict)
    atlas_version: str = ""

    @property
    def summary(self) -> dict[str, Any]:
        """``total``, ``representable``, ``agreement`` (share of compared outcomes) and counts."""
        rep = [e for e in self.experiments if e.representable and e.status == "ok"]
        compared = [o for e in rep for o in e.compared]
        agree = sum(1 for o in compared if o.agree)
        total = len(self.experiments)
        return {"total": total, "representable": len(rep),
                "representable_fraction": len(rep) / total if total else 0.0,
                "outcomes_compared": len(compared), "outcomes_agreeing": agree,
                "agreement": agree / len(compared) if compared else 0.0,
                "failed": sum(1 for e in self.experiments
                              if e.status not in ("ok", "not representable"))}

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``exobone validate --json``."""
        return {"summary": self.summary, "thresholds": dict(self.thresholds),
                "atlas_version": self.atlas_version,
                "experiments": [e.to_dict() for e in self.experiments]}


# ============================================================================ mapping
@dataclass(frozen=True)
class Arms:
    """An experiment as two model runs."""

    scenario: str
    control_scenario: str
    species: str | None
    treated: tuple[str, ...]
    control: tuple[str, ...]
    in_vitro: bool


class NotRepresentable(ExoboneError, ValueError):
    """The model has no counterpart for part of an experiment (the message says which)."""


def _in_vitro(exp: Experiment) -> bool:
    return exp.system is Setting.IN_VITRO or "in_vitro_culture" in exp.contexts


def _scenario_for(contexts: Iterable[str]) -> str | None:
    ctx = set(contexts)
    for key, scenario in CONTEXT_SCENARIOS:
        if key in ctx:
            return scenario
    return None


def _base_scenario(exp: Experiment, *, exclude: Iterable[str] = ()) -> str:
    if _in_vitro(exp):
        return "healthy"
    contexts = [c for c in exp.contexts if c not in set(exclude)]
    scenario = _scenario_for(contexts)
    if scenario is not None:
        return scenario
    unknown = [c for c in contexts if c not in SETTING_CONTEXTS and c not in CONTEXT_INTERVENTIONS]
    if unknown:
        raise NotRepresentable(f"no model scenario for context(s) {', '.join(unknown)}")
    return "healthy"


def _species(exp: Experiment, scenario: str) -> str | None:
    from exobone.atlas.records import SPECIES_SHORT
    from exobone.model.scenarios import require_scenario
    allowed = require_scenario(scenario).species
    short = {v: k for k, v in SPECIES_SHORT.items()}
    for taxon in exp.species:
        name = short.get(taxon)
        if name in allowed:
            return name
    return None


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


def _route(exp: Experiment) -> str:
    route = (exp.intervention.route or "").lower()
    if route == "systemic":
        return "systemic"
    if route in ("local", "in_culture") or _in_vitro(exp) or LOCAL_CONTEXTS & set(exp.contexts):
        return "local"
    return "systemic"


def _source_name(agent: str) -> str:
    from exobone.model.scenarios.exosome_interventions import resolve_source
    try:
        return resolve_source(agent).name
    except KeyError:
        raise NotRepresentable(f"no exosome source in the model for {agent!r}") from None


def _registered(kind: str) -> bool:
    from exobone.model.scenarios.interventions import get_intervention_kind
    return get_intervention_kind(kind) is not None


def _dosing(exp: Experiment, source: str, dose: float, t_end: float) -> str:
    setting = "in_vitro" if _in_vitro(exp) else "in_vivo"
    every = DOSE_EVERY[setting]
    return (f"exosome:{source},dose={dose:g},route={_route(exp)},start=0,every={every:g},"
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
    in_vitro = _in_vitro(exp)
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
        treated.append(_dosing(exp, source, dose_t, t_end))
        control.append(_dosing(exp, source, dose_c, t_end))
    elif kind is InterventionKind.PRECONDITIONING:
        from exobone.model.exosomes import exogenous_sources
        sources = exogenous_sources(atlas).values()
        primed = [s for s in sources if iv.agent in s.conditions]
        if not primed:
            raise NotRepresentable(f"no exosome source primed with {iv.agent!r}")
        plain = [s for s in sources if s.cell == primed[0].cell and not s.conditions]
        if not plain:
            raise NotRepresentable(f"no unprimed counterpart of {primed[0].name!r}")
        treated.append(_dosing(exp, primed[0].name, DEFAULT_DOSE_UG, t_end))
        control.append(_dosing(exp, plain[0].name, DEFAULT_DOSE_UG, t_end))
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
        from exobone.model.scenarios.exosome_interventions import _is_mirna
        if not _is_mirna(iv.agent):
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
        target = AGENT_SCENARIOS.get(iv.agent) or _scenario_for([iv.agent])
        if target is None:
            raise NotRepresentable(f"no scenario or intervention for the {kind.value} "
                                   f"{iv.agent!r}")
        scenario = target
        rest = [c for c in exp.contexts if c != iv.agent and _scenario_for([c]) != target]
        control_scenario = "healthy" if in_vitro else (_scenario_for(rest) or "healthy")
    else:
        raise NotRepresentable(f"intervention kind {kind.value!r} ({iv.description}) has no "
                               f"counterpart in the model")
    species = _species(exp, scenario)
    return Arms(scenario, control_scenario, species, (*shared, *treated), (*shared, *control),
                in_vitro)


# ============================================================================ readouts
Reader = Callable[["Trajectory"], float]


def _layer_knobs(spec: ModelSpec) -> dict[str, Any]:
    report = spec.metadata.get("exosome_layer_report")
    return dict(report.get("knobs", {})) if isinstance(report, Mapping) else {}


def _cargo_reader(spec: ModelSpec, entity: str) -> tuple[str, Reader] | None:
    """Exosome-borne level of a cargo (arm-aware for miRNAs), summed over pools."""
    from exobone.model.scenarios.exosome_interventions import _is_mirna, _mirna_matches
    totals = _layer_knobs(spec).get("cargo_totals", {})
    if _is_mirna(entity):
        names = [n for c, n in totals.items() if _is_mirna(c) and _mirna_matches(entity, c)]
    else:
        names = [n for c, n in totals.items() if c.upper() == entity.upper()]
    if not names:
        return None
    return (" + ".join(names), lambda tr: float(sum(tr[n][-1] for n in names)))


def _release_reader(spec: ModelSpec, cells: Sequence[str]) -> tuple[str, Reader] | None:
    """Endogenous exosome level of ``cells`` (all endogenous pools when none has one)."""
    report = spec.metadata.get("exosome_layer_report")
    if not isinstance(report, Mapping):
        return None
    pools = {s: info["cell"] for s, info in report.get("pools", {}).items()
             if info.get("kind") == "endogenous"}
    chosen = [s for s, cell in pools.items() if cell in cells] or list(pools)
    if not chosen:
        return None
    return ("+".join(chosen), lambda tr: float(sum(tr[p][-1] for p in chosen)))


#: cell-process measures: measure -> (cell it names or None for the experiment's targets, effect)
PROCESS_MEASURES: dict[str, tuple[str | None, str]] = {
    "osteogenic_differentiation": (None, "osteogenic_differentiation"),
    "adipogenic_differentiation": ("bmsc", "adipogenic_differentiation"),
    "bmsc_proliferation": ("bmsc", "proliferation"),
    "bmsc_apoptosis": ("bmsc", "apoptosis"),
    "bmsc_migration": ("bmsc", "migration"),
    "osteoblast_proliferation": (None, "proliferation"),
    "osteoblast_migration": (None, "migration"),
    "osteoblast_activity": ("osteoblast", "osteoblast_activity"),
    "osteoclast_differentiation": (None, "osteoclast_differentiation"),
    "osteoclast_precursor_proliferation": ("osteoclast_precursor", "proliferation"),
    "osteoclast_precursor_fusion": ("osteoclast_precursor", "osteoclast_fusion"),
    "osteoclast_precursor_migration": ("osteoclast_precursor", "migration"),
    "osteoclast_apoptosis": ("osteoclast", "apoptosis"),
}
#: measures that are cell processes only in a dish (in vivo they are tissue quantities)
IN_VITRO_PROCESS_MEASURES: dict[str, tuple[str | None, str]] = {
    "bone_resorption": ("osteoclast", "bone_resorption"),
    "endothelial_proliferation": ("endothelial_cell", "proliferation"),
    "endothelial_migration": ("endothelial_cell", "migration"),
}
#: marker genes of a differentiation process (read as that process in culture)
MARKER_EFFECTS: dict[str, str] = {
    **{g: "osteogenic_differentiation" for g in ("ALPL", "RUNX2", "SP7", "COL1A1", "SPP1",
                                                  "BGLAP", "IBSP", "BMP2")},
    **{g: "osteoclast_differentiation" for g in ("ACP5", "CTSK", "MMP9", "NFATC1")},
}
#: default cell of an effect when the experiment names no target cell that has it
_EFFECT_CELLS = {"osteogenic_differentiation": ("bmsc", "preosteoblast", "osteoblast"),
                 "osteoclast_differentiation": ("osteoclast_precursor",),
                 "proliferation": ("preosteoblast",), "migration": ("bmsc",)}


def _final(name: str) -> Reader:
    """Reader of the value of ``name`` at the end of the run."""
    return lambda tr: float(tr[name][-1])


def _process_reader(spec: ModelSpec, cell: str | None, effect: str,
                    targets: Sequence[str]) -> tuple[str, Reader] | None:
    """Per-cell rate of the process of the target cells: its modifier ``m_<process>``."""
    from exobone.model.processes import process_for
    cells = [cell] if cell else [*targets, *_EFFECT_CELLS.get(effect, ())]
    for c in cells:
        proc = process_for(c, effect)
        if proc is not None and proc.modifier in spec.assignment_names:
            return (proc.modifier, _final(proc.modifier))
    return None


def _core_reader(spec: ModelSpec, measure: str, entity: str | None,
                 in_vitro: bool) -> tuple[str, Reader] | None:
    """The core's proxy of a measure (:func:`exobone.model.outcomes.measure_proxy`), signed."""
    try:
        from exobone.model.outcomes import measure_proxy
    except ImportError:
        return None
    proxy = measure_proxy(measure, entity)
    name = proxy.outcome
    if name is None or (name not in spec.state_names and name not in spec.assignment_names):
        return None
    sign = float(proxy.sign)
    label = name if sign > 0 else f"-{name}"
    return (label, lambda tr: sign * float(tr[name][-1]))


def _proxy_note(measure: str, entity: str | None) -> str:
    try:
        from exobone.model.outcomes import measure_proxy
    except ImportError:
        return ""
    return measure_proxy(measure, entity).note


def readout(spec: ModelSpec, measure: str, entity: str | None, in_vitro: bool,
            targets: Sequence[str] = (), release_cells: Sequence[str] = ()
            ) -> tuple[str, Reader] | None:
    """Return (label, reader) for a measure, or None when the model has no counterpart.

    Cell-process measures (differentiation, proliferation, apoptosis, migration of a cell
    type) are the per-cell rate of that process in the target cells, i.e. its modifier
    ``m_<process>``: what an assay on those cells reports. In culture the same holds for
    resorption, endothelial growth and differentiation markers (the dish has no tissue
    around the cells), and expression markers of a core expression process (SOST, RANKL, OPG)
    read that process. Tissue measures use the core's proxies
    (:func:`exobone.model.outcomes.measure_proxy`); exosomal miRNA/protein levels and exosome
    release use the exosome layer's cargo totals and pools.
    """
    from exobone.model.processes import expression_process_for
    if measure == "mirna_level":
        return _cargo_reader(spec, entity) if entity else None
    if measure == "exosome_release":
        return _release_reader(spec, release_cells)
    table = {**PROCESS_MEASURES, **(IN_VITRO_PROCESS_MEASURES if in_vitro else {})}
    if measure in table:
        cell, effect = table[measure]
        found = _process_reader(spec, cell, effect, targets)
        if found is not None:
            return found
    if measure == "marker_expression" and entity and in_vitro:
        gene = entity.upper()
        if gene in MARKER_EFFECTS:
            found = _process_reader(spec, None, MARKER_EFFECTS[gene], targets)
            if found is not None:
                return found
        proc = expression_process_for(gene)
        if proc is not None and proc.modifier in spec.assignment_names:
            name = proc.modifier
            return (name, lambda tr: float(tr[name][-1]))
    core = _core_reader(spec, measure, entity, in_vitro)
    if core is not None:
        return core
    if measure == "marker_expression" and entity:
        return _cargo_reader(spec, entity)
    return None


def _direction(treated: float, control: float) -> tuple[str, float | None]:
    """Return the direction and the relative change (None when the control is 0)."""
    diff = treated - control
    if not math.isfinite(diff):
        return "none", None
    if abs(control) < 1e-9:  # e.g. an exosome cargo absent from the control: sign only
        if abs(diff) < 1e-9:
            return "none", 0.0
        return ("increase" if diff > 0 else "decrease"), None
    rel = diff / abs(control)
    if abs(rel) < NO_CHANGE:
        return "none", rel
    return ("increase" if rel > 0 else "decrease"), rel


# ============================================================================ running
class _Runner:
    """Builds and simulates arms, caching by (scenario, species, interventions, end)."""

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        self.cache: dict[tuple[Any, ...], tuple[ModelSpec, Trajectory]] = {}

    def run(self, scenario: str, species: str | None, interventions: Sequence[str],
            t_end: float) -> tuple[ModelSpec, Trajectory]:
        key = (scenario, species, tuple(interventions), t_end)
        if key not in self.cache:
            from exobone.model.assemble import build_model
            from exobone.simulate import SaveAt, simulate
            spec = build_model(scenario, list(interventions), species=species, atlas=self.atlas)
            traj = simulate(spec, (0.0, t_end), saveat=SaveAt(times=[0.0, t_end]), throw=False)
            self.cache[key] = (spec, traj)
        return self.cache[key]

    def run_arm(self, scenario: str, species: str | None, interventions: Sequence[str],
                t_end: float) -> tuple[ModelSpec, Trajectory, tuple[str, ...]]:
        """Run an arm; a ``MIRNA@CELL`` the model lacks falls back to the plain miRNA."""
        try:
            spec, traj = self.run(scenario, species, interventions, t_end)
            return spec, traj, tuple(interventions)
        except (KeyError, ValueError) as exc:
            if not any("@" in i for i in interventions):
                raise
            plain = tuple(i.split("@", 1)[0] if "@" in i else i for i in interventions)
            try:
                spec, traj = self.run(scenario, species, plain, t_end)
            except (KeyError, ValueError):
                raise exc from None
            return spec, traj, plain


def _time_of(exp: Experiment) -> dict[int, float]:
    default = DEFAULT_DAYS["in_vitro" if _in_vitro(exp) else "in_vivo"]
    return {i: (o.time_days if o.time_days is not None and o.time_days > 0 else default)
            for i, o in enumerate(exp.outcomes)}


def _citation(exp: Experiment) -> str:
    c = exp.citation
    return c.short() + (f", doi:{c.doi}" if c.doi else "") + (f", PMID {c.pmid}" if c.pmid
                                                             else "")


def _score(exp: Experiment, runner: _Runner) -> ExperimentResult:
    times = _time_of(exp)
    t_max = max(times.values())
    base: dict[str, Any] = {"id": exp.id, "citation": _citation(exp)}
    try:
        arms = map_experiment(exp, runner.atlas, t_max)
    except NotRepresentable as exc:
        return ExperimentResult(**base, representable=False, reason=str(exc),
                                status="not representable")
    row: dict[str, Any] = {**base, "scenario": arms.scenario, "species": arms.species or ""}
    try:
        spec_t, _, treated = runner.run_arm(arms.scenario, arms.species, arms.treated, t_max)
        spec_c, _, control = runner.run_arm(arms.control_scenario, arms.species, arms.control,
                                            t_max)
    except (ExoboneError, KeyError, ValueError, ArithmeticError) as exc:
        return ExperimentResult(**row, representable=False, treated=arms.treated,
                                control=arms.control, reason=f"could not build the arms: {exc}",
                                status="not representable")
    outcomes: list[OutcomeResult] = []
    failure = ""
    atlas = runner.atlas
    targets = list(exp.target_cells)
    linked = [atlas.mechanisms[m] for m in exp.mechanisms if m in atlas.mechanisms]
    release_cells = [m.target for m in linked if m.kind.value == "release_control"] or targets
    for i, o in enumerate(exp.outcomes):
        t = times[i]
        expected = o.direction.value
        reader = readout(spec_t, o.measure, o.entity, arms.in_vitro, targets, release_cells)
        if reader is None:
            why = _proxy_note(o.measure, o.entity) or "no model counterpart for this measure"
            outcomes.append(OutcomeResult(o.measure, o.entity, expected, None, None, t,
                                          note=why))
            continue
        label, read = reader
        try:
            _, traj_t = runner.run(arms.scenario, arms.species, treated, t)
            _, traj_c = runner.run(arms.control_scenario, arms.species, control, t)
            if not traj_t.ok or not traj_c.ok:
                bad = traj_t if not traj_t.ok else traj_c
                failure = f"simulation failed: {bad.message}"
                outcomes.append(OutcomeResult(o.measure, o.entity, expected, None, None, t,
                                              readout=label, note=failure))
                continue
            control_reader = readout(spec_c, o.measure, o.entity, arms.in_vitro, targets,
                                     release_cells)
            value_t = read(traj_t)
            value_c = (control_reader or reader)[1](traj_c)
        except (ExoboneError, KeyError, ValueError, ArithmeticError) as exc:
            failure = f"readout failed: {exc}"
            outcomes.append(OutcomeResult(o.measure, o.entity, expected, None, None, t,
                                          readout=label, note=failure))
            continue
        predicted, rel = _direction(value_t, value_c)
        if o.direction in (Direction.MIXED,):
            outcomes.append(OutcomeResult(o.measure, o.entity, expected, predicted, None, t,
                                          rel, label, "published direction is mixed; not "
                                                      "scored"))
            continue
        outcomes.append(OutcomeResult(o.measure, o.entity, expected, predicted,
                                      predicted == expected, t, rel, label))
    compared = [o for o in outcomes if o.agree is not None]
    if failure and not compared:
        return ExperimentResult(**row, representable=True, status=failure,
                                treated=treated, control=control, outcomes=tuple(outcomes))
    if not compared:
        missing = sorted({o.measure + (f" ({o.entity})" if o.entity else "") for o in outcomes
                          if o.predicted is None or o.agree is None})
        return ExperimentResult(**row, representable=False, treated=treated, control=control,
                                reason="no outcome the model can predict: "
                                       + ", ".join(missing),
                                status="not representable", outcomes=tuple(outcomes))
    return ExperimentResult(**row, representable=True, treated=treated, control=control,
                            outcomes=tuple(outcomes))


def _score_chunk(atlas: Atlas, ids: Sequence[str]) -> list[ExperimentResult]:
    """Score experiments ``ids`` with one runner (one simulation cache); a worker's job."""
    runner = _Runner(atlas)
    out = []
    for i in ids:
        exp = atlas.experiments[i]
        try:
            out.append(_score(exp, runner))
        except (ExoboneError, KeyError, ValueError, ArithmeticError) as exc:
            out.append(ExperimentResult(exp.id, _citation(exp), representable=False,
                                        reason=f"{type(exc).__name__}: {exc}",
                                        status=f"error: {exc}"))
    return out


def _chunks(atlas: Atlas, ids: Sequence[str], n: int) -> list[list[str]]:
    """Split ids into ``n`` chunks, keeping experiments of one scenario and agent together.

    Experiments sharing a scenario and an agent share compiled models, so they go to the same
    worker; groups are dealt largest first to the least loaded chunk.
    """
    groups: dict[tuple[str, ...], list[str]] = {}
    for i in ids:
        exp = atlas.experiments[i]
        key = (str(_in_vitro(exp)), _scenario_for(exp.contexts) or "", exp.intervention.agent)
        groups.setdefault(key, []).append(i)
    chunks: list[list[str]] = [[] for _ in range(n)]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(chunks, key=len).extend(group)
    return [c for c in chunks if c]


def run_scorecard(atlas: Atlas | None = None, *,
                  experiments: Iterable[str] | None = None, workers: int = 1) -> Scorecard:
    """Run every curated experiment as a simulation and compare directions.

    Parameters
    ----------
    atlas
        The atlas (default: the shipped curated data).
    experiments
        Only these experiment ids (default: all); unknown ids raise.
    workers
        Processes to spread the experiments over (1: run here). Simulations are cached within
        each worker, and experiments that share models share a worker.

    Returns
    -------
    Scorecard
        One row per experiment, in the order of the selection (atlas order by default).

    Raises
    ------
    UnknownNameError
        For an experiment id not in the atlas.
    InvalidInputError
        For ``workers < 1``.

    Examples
    --------
    >>> card = run_scorecard(experiments=["EXP:1025"])
    >>> card.experiments[0].id
    'EXP:1025'
    """
    from exobone.errors import InvalidInputError, unknown_name
    if workers < 1:
        raise InvalidInputError(f"workers must be at least 1, got {workers}")
    if atlas is None:
        from exobone.model.exosomes import _atlas
        atlas = _atlas(None)
    ids = list(atlas.experiments) if experiments is None else list(experiments)
    for i in ids:
        if i not in atlas.experiments:
            raise unknown_name("experiment", i, atlas.experiments)
    card = Scorecard(thresholds={"no_change_relative": NO_CHANGE,
                                 "default_days": dict(DEFAULT_DAYS),
                                 "default_dose_ug": DEFAULT_DOSE_UG,
                                 "conditioned_medium_fraction": CONDITIONED_MEDIUM_FRACTION,
                                 "dose_every_days": dict(DOSE_EVERY)},
                     atlas_version=atlas.version)
    chunks = _chunks(atlas, ids, min(workers, max(len(ids), 1)))
    if len(chunks) <= 1:
        results = _score_chunk(atlas, ids)
    else:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=len(chunks)) as pool:
            parts = list(pool.map(_score_chunk, [atlas] * len(chunks), chunks))
        results = [r for part in parts for r in part]
    by_id = {r.id: r for r in results}
    card.experiments = [by_id[i] for i in ids]
    return card
