"""Running the scorecard: build and simulate both arms of every experiment, read and compare."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exobone.analysis.scorecard.mapping import (
    CONDITIONED_MEDIUM_FRACTION,
    DEFAULT_DAYS,
    DEFAULT_DOSE_UG,
    DOSE_EVERY,
    NO_CHANGE,
    NotRepresentable,
    is_in_vitro,
    map_experiment,
    scenario_for,
)
from exobone.analysis.scorecard.readouts import direction, proxy_note, readout
from exobone.analysis.scorecard.results import ExperimentResult, OutcomeResult, Scorecard
from exobone.atlas.curation import default_atlas
from exobone.atlas.records import Direction, Experiment
from exobone.errors import ExoboneError, InvalidInputError, unknown_name
from exobone.model.assemble import assemble_model
from exobone.simulate import SaveAt, simulate

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas
    from exobone.model.exosomes import ExosomeLayer
    from exobone.model.spec import ModelSpec
    from exobone.simulate.results import Trajectory

__all__ = ["run_scorecard"]


@dataclass(frozen=True)
class _Run:
    """One simulated arm: the model, its exosome layer's typed state and the trajectory.

    The layer comes from the builder (:func:`exobone.model.assemble.assemble_model`), not from
    the spec: a ModelSpec is the serialisable, hashable model (``to_dict``, SBML, content hash),
    and the readouts need the layer's typed knobs, which only the builder holds.
    """

    spec: ModelSpec
    layer: ExosomeLayer | None
    trajectory: Trajectory


class _Runner:
    """Builds and simulates arms, caching by (scenario, species, interventions, end)."""

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        self.cache: dict[tuple[Any, ...], _Run] = {}

    def run(self, scenario: str, species: str | None, interventions: Sequence[str],
            t_end: float) -> _Run:
        key = (scenario, species, tuple(interventions), t_end)
        if key not in self.cache:
            builder = assemble_model(scenario, list(interventions), species=species,
                                     atlas=self.atlas)
            spec = builder.build()
            traj = simulate(spec, (0.0, t_end), saveat=SaveAt(times=[0.0, t_end]), throw=False)
            self.cache[key] = _Run(spec, builder.exosome_layer, traj)
        return self.cache[key]

    def run_arm(self, scenario: str, species: str | None, interventions: Sequence[str],
                t_end: float) -> tuple[_Run, tuple[str, ...]]:
        """Run an arm; a ``MIRNA@CELL`` the model lacks falls back to the plain miRNA."""
        try:
            return self.run(scenario, species, interventions, t_end), tuple(interventions)
        except (KeyError, ValueError) as exc:
            if not any("@" in i for i in interventions):
                raise
            plain = tuple(i.split("@", 1)[0] if "@" in i else i for i in interventions)
            try:
                run = self.run(scenario, species, plain, t_end)
            except (KeyError, ValueError):
                raise exc from None
            return run, plain


def _time_of(exp: Experiment) -> dict[int, float]:
    default = DEFAULT_DAYS["in_vitro" if is_in_vitro(exp) else "in_vivo"]
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
        run_t, treated = runner.run_arm(arms.scenario, arms.species, arms.treated, t_max)
        run_c, control = runner.run_arm(arms.control_scenario, arms.species, arms.control, t_max)
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
        reader = readout(run_t.spec, run_t.layer, o.measure, o.entity, arms.in_vitro, targets,
                         release_cells)
        if reader is None:
            why = proxy_note(o.measure, o.entity) or "no model counterpart for this measure"
            outcomes.append(OutcomeResult(o.measure, o.entity, expected, None, None, t,
                                          note=why))
            continue
        label, read = reader
        try:
            traj_t = runner.run(arms.scenario, arms.species, treated, t).trajectory
            traj_c = runner.run(arms.control_scenario, arms.species, control, t).trajectory
            if not traj_t.ok or not traj_c.ok:
                bad = traj_t if not traj_t.ok else traj_c
                failure = f"simulation failed: {bad.message}"
                outcomes.append(OutcomeResult(o.measure, o.entity, expected, None, None, t,
                                              readout=label, note=failure))
                continue
            control_reader = readout(run_c.spec, run_c.layer, o.measure, o.entity,
                                     arms.in_vitro, targets, release_cells)
            value_t = read(traj_t)
            value_c = (control_reader or reader)[1](traj_c)
        except (ExoboneError, KeyError, ValueError, ArithmeticError) as exc:
            failure = f"readout failed: {exc}"
            outcomes.append(OutcomeResult(o.measure, o.entity, expected, None, None, t,
                                          readout=label, note=failure))
            continue
        predicted, rel = direction(value_t, value_c)
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
        key = (str(is_in_vitro(exp)), scenario_for(exp.contexts) or "", exp.intervention.agent)
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
    if workers < 1:
        raise InvalidInputError(f"workers must be at least 1, got {workers}")
    if atlas is None:
        atlas = default_atlas()
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
        with ProcessPoolExecutor(max_workers=len(chunks)) as pool:
            parts = list(pool.map(_score_chunk, [atlas] * len(chunks), chunks))
        results = [r for part in parts for r in part]
    by_id = {r.id: r for r in results}
    card.experiments = [by_id[i] for i in ids]
    return card
