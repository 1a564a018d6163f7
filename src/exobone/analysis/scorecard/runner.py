"""Running the scorecard: build and simulate both arms of every experiment, read and compare.

Each arm is built once and simulated once to the experiment's latest time point, saving every
outcome's time point (dosing stops at the latest time point in both arms, so a shorter run
would give the same values). Each experiment is run twice: with the whole atlas ("encoded")
and with the atlas without the records of its own study ("held-out",
:mod:`exobone.analysis.scorecard.heldout`); experiments whose held-out sets are equal share one
held-out atlas and its builds. Compiled models are shared by structure within a process
(:func:`exobone.simulate.compile.compile_model`); ``workers`` spreads the jobs over processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from exobone.analysis.scorecard.culture import CULTURE, culture_model
from exobone.analysis.scorecard.heldout import held_out_atlas, held_out_mechanisms
from exobone.analysis.scorecard.magnitude import (
    MAGNITUDE_FACTOR,
    magnitude_ratio,
    published_change,
)
from exobone.analysis.scorecard.mapping import (
    CONDITIONED_MEDIUM_FRACTION,
    DEFAULT_DAYS,
    DEFAULT_DOSE_UG,
    DOSE_EVERY,
    NO_CHANGE,
    NotRepresentable,
    is_in_vitro,
    map_experiment,
)
from exobone.analysis.scorecard.published import CALIBRATION_DIR, compare_magnitudes
from exobone.analysis.scorecard.readouts import (
    direction,
    proxy_note,
    readout,
    unmodelled_compartment,
)
from exobone.analysis.scorecard.results import (
    AGREES,
    DISAGREES,
    FAILED,
    NO_DATA,
    NO_READOUT,
    NOT_REPRESENTABLE,
    NOT_SCORED,
    ExperimentResult,
    OutcomeResult,
    Prediction,
    Scorecard,
)
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


class _Until:
    """A trajectory seen up to its ``k``-th save time (readers read the last value)."""

    def __init__(self, trajectory: Trajectory, k: int) -> None:
        self.trajectory, self.k = trajectory, k

    def __getitem__(self, name: str) -> Any:
        return self.trajectory[name][: self.k + 1]


class _Runner:
    """Builds and simulates arms, caching by (scenario, species, interventions, save times)."""

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        self.cache: dict[tuple[Any, ...], _Run] = {}

    def run(self, scenario: str, species: str | None, interventions: Sequence[str],
            times: tuple[float, ...], contexts: tuple[str, ...] = (), culture: bool = False
            ) -> _Run:
        """``culture``: hold every state but the exosome pools
        (:func:`~exobone.analysis.scorecard.culture.culture_model`)."""
        key = (scenario, species, tuple(interventions), times, contexts, culture)
        if key not in self.cache:
            builder = assemble_model(scenario, list(interventions), species=species,
                                     atlas=self.atlas, extra_contexts=contexts)
            spec = builder.build()
            if culture:
                spec = culture_model(spec, builder.exosome_layer)
            traj = simulate(spec, (0.0, times[-1]), saveat=SaveAt(times=[0.0, *times]),
                            throw=False)
            self.cache[key] = _Run(spec, builder.exosome_layer, traj)
        return self.cache[key]

    def run_arm(self, scenario: str, species: str | None, interventions: Sequence[str],
                times: tuple[float, ...], contexts: tuple[str, ...] = (), culture: bool = False
                ) -> tuple[_Run, tuple[str, ...]]:
        """Run an arm; a ``MIRNA@CELL`` the model lacks falls back to the plain miRNA."""
        try:
            return (self.run(scenario, species, interventions, times, contexts, culture),
                    tuple(interventions))
        except (KeyError, ValueError) as exc:
            if not any("@" in i for i in interventions):
                raise
            plain = tuple(i.split("@", 1)[0] if "@" in i else i for i in interventions)
            try:
                run = self.run(scenario, species, plain, times, contexts, culture)
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


def _status(expected: Direction, predicted: str, rel: float | None) -> str:
    """An outcome's status from the published direction and a computed change."""
    if rel is None:
        return NO_DATA  # no relative change (control has none of the quantity): no verdict
    if expected is Direction.MIXED:
        return NOT_SCORED
    return AGREES if predicted == expected.value else DISAGREES


def _score(exp: Experiment, runner: _Runner) -> ExperimentResult:
    times = _time_of(exp)
    save = tuple(sorted(set(times.values())))
    in_vitro = is_in_vitro(exp)
    base: dict[str, Any] = {"id": exp.id, "citation": _citation(exp), "in_vitro": in_vitro}
    try:
        arms = map_experiment(exp, runner.atlas, save[-1])
    except NotRepresentable as exc:
        return ExperimentResult(**base, representable=False, reason=str(exc),
                                status=NOT_REPRESENTABLE)
    row: dict[str, Any] = {**base, "scenario": arms.scenario, "species": arms.species or "",
                           "context": CULTURE if arms.in_vitro else "whole animal"}
    try:
        # cells in culture keep the condition they came from: its mechanisms act (contexts
        # confine mechanisms), its physiology does not (the arms run in `healthy`, held as a
        # culture: no systemic feedback)
        culture = tuple(c for c in exp.contexts if c in runner.atlas.entities
                        and runner.atlas.entities[c].type.value in ("context", "disease")
                        ) if arms.in_vitro else ()
        run_t, treated = runner.run_arm(arms.scenario, arms.species, arms.treated, save, culture,
                                        arms.in_vitro)
        run_c, control = runner.run_arm(arms.control_scenario, arms.species, arms.control, save,
                                        culture, arms.in_vitro)
    except (ExoboneError, KeyError, ValueError, ArithmeticError) as exc:
        return ExperimentResult(**row, representable=False, treated=arms.treated,
                                control=arms.control, reason=f"could not build the arms: {exc}",
                                status=NOT_REPRESENTABLE)
    traj_t, traj_c = run_t.trajectory, run_c.trajectory
    outcomes: list[OutcomeResult] = []
    failure = ""
    atlas = runner.atlas
    targets = list(exp.target_cells)
    linked = [atlas.mechanisms[m] for m in exp.mechanisms if m in atlas.mechanisms]
    release_cells = [m.target for m in linked if m.kind.value == "release_control"] or targets
    for i, o in enumerate(exp.outcomes):
        t = times[i]
        k = 1 + save.index(t)
        expected = o.direction.value
        published = published_change(o)
        fluid = unmodelled_compartment(o.note)
        if fluid is not None:
            outcomes.append(OutcomeResult(
                o.measure, o.entity, expected, None, None, t, status=NO_READOUT,
                note=(f"measured in {fluid}: the model has no {fluid} compartment (its exosome "
                      f"pools are the bone marrow's)"), published_change=published))
            continue
        reader = readout(run_t.spec, run_t.layer, o.measure, o.entity, arms.in_vitro, targets,
                         release_cells)
        if reader is None:
            why = proxy_note(o.measure, o.entity) or "no model counterpart for this measure"
            outcomes.append(OutcomeResult(o.measure, o.entity, expected, None, None, t,
                                          note=why, status=NO_READOUT,
                                          published_change=published))
            continue
        label, read = reader
        if not traj_t.ok or not traj_c.ok:
            failure = f"simulation failed: {(traj_t if not traj_t.ok else traj_c).message}"
            outcomes.append(OutcomeResult(o.measure, o.entity, expected, None, None, t,
                                          readout=label, note=failure, status=FAILED,
                                          published_change=published))
            continue
        try:
            control_reader = readout(run_c.spec, run_c.layer, o.measure, o.entity,
                                     arms.in_vitro, targets, release_cells)
            value_t = read(_Until(traj_t, k))  # type: ignore[arg-type]
            if control_reader is None and o.measure == "mirna_level":
                value_c = 0.0  # no exosome pool of the control model carries the cargo
            else:
                value_c = (control_reader or reader)[1](_Until(traj_c, k))  # type: ignore[arg-type]
        except (ExoboneError, KeyError, ValueError, ArithmeticError) as exc:
            failure = f"readout failed: {exc}"
            outcomes.append(OutcomeResult(o.measure, o.entity, expected, None, None, t,
                                          readout=label, note=failure, status=FAILED,
                                          published_change=published))
            continue
        predicted, rel = direction(value_t, value_c)
        status = _status(o.direction, predicted, rel)
        note = {NO_DATA: "no relative change: the control arm has none of this quantity",
                NOT_SCORED: "published direction is mixed; not scored"}.get(status, "")
        outcomes.append(OutcomeResult(
            o.measure, o.entity, expected, predicted,
            {AGREES: True, DISAGREES: False}.get(status), t, rel, label, note, status,
            published_change=published, magnitude_ratio=magnitude_ratio(rel, published)))
    compared = [o for o in outcomes if o.status in (AGREES, DISAGREES, NO_DATA)]
    if failure and not compared:
        return ExperimentResult(**row, representable=True, status=failure,
                                treated=treated, control=control, outcomes=tuple(outcomes))
    if not compared:
        missing = sorted({o.measure + (f" ({o.entity})" if o.entity else "") for o in outcomes
                          if o.status != NOT_SCORED})
        return ExperimentResult(**row, representable=False, treated=treated, control=control,
                                reason="no outcome the model can predict: "
                                       + ", ".join(missing or ["published direction mixed"]),
                                status=NOT_REPRESENTABLE, outcomes=tuple(outcomes))
    return ExperimentResult(**row, representable=True, treated=treated, control=control,
                            outcomes=tuple(outcomes))


def _score_job(runner: _Runner, ids: Sequence[str]) -> list[ExperimentResult]:
    """Score experiments ``ids`` with the runner's atlas (its simulations cached)."""
    out = []
    for i in ids:
        exp = runner.atlas.experiments[i]
        try:
            out.append(_score(exp, runner))
        except (ExoboneError, KeyError, ValueError, ArithmeticError) as exc:
            out.append(ExperimentResult(exp.id, _citation(exp), representable=False,
                                        reason=f"{type(exc).__name__}: {exc}",
                                        status=f"error: {exc}", in_vitro=is_in_vitro(exp)))
    return out


def _score_jobs(atlas: Atlas, jobs: Sequence[tuple[tuple[str, ...], Sequence[str]]]
                ) -> list[tuple[tuple[str, ...], list[ExperimentResult]]]:
    """A worker's share of (dropped mechanisms, ids) jobs: one runner per atlas, compiled
    models shared by structure across all of them."""
    runners: dict[tuple[str, ...], _Runner] = {}
    out = []
    for drop, ids in jobs:
        if drop not in runners:
            runners[drop] = _Runner(held_out_atlas(atlas, drop) if drop else atlas)
        out.append((drop, _score_job(runners[drop], ids)))
    return out


def _with_held_out(encoded: ExperimentResult, held: ExperimentResult | None,
                   drop: tuple[str, ...]) -> ExperimentResult:
    """The encoded row with each outcome's held-out prediction attached."""
    if held is None or not encoded.outcomes:
        return replace(encoded, held_out_mechanisms=drop)
    if held.status != "ok" or not held.outcomes:
        why = held.reason or held.status
        outcomes = tuple(replace(o, held_out=Prediction(NOT_REPRESENTABLE))
                         for o in encoded.outcomes)
        return replace(encoded, outcomes=outcomes, held_out_mechanisms=drop,
                       held_out_reason=f"held-out model: {why}")
    outcomes = tuple(replace(o, held_out=Prediction(h.status, h.predicted, h.relative_change))
                     for o, h in zip(encoded.outcomes, held.outcomes, strict=True))
    return replace(encoded, outcomes=outcomes, held_out_mechanisms=drop)


def _jobs(atlas: Atlas, ids: Sequence[str], workers: int, held_out: bool
          ) -> tuple[dict[str, tuple[str, ...]], list[list[tuple[tuple[str, ...], list[str]]]]]:
    """Each experiment's held-out set and the jobs dealt to ``workers`` shares.

    A job is (mechanisms dropped, experiment ids). Experiments are grouped by their held-out
    set (one study: one rebuild); a group's encoded job and its held-out job go to the same
    share, so that builds whose structure the dropped records do not change reuse the
    compiled model. Groups are dealt largest first to the least loaded share.
    """
    drops = {i: held_out_mechanisms(atlas.experiments[i], atlas) for i in ids}
    groups: dict[tuple[str, ...], list[str]] = {}
    for i in ids:
        groups.setdefault(drops[i], []).append(i)
    shares: list[list[tuple[tuple[str, ...], list[str]]]] = [[] for _ in range(workers)]
    load = [0] * workers
    for drop, members in sorted(groups.items(), key=lambda g: len(g[1]), reverse=True):
        k = load.index(min(load))
        shares[k].append(((), members))
        # nothing of its study in the atlas: the encoded model is the held-out model
        if held_out and drop:
            shares[k].append((drop, members))
        load[k] += len(members) * (2 if held_out and drop else 1)
    return drops, [s for s in shares if s]


def magnitudes_by_default(shipped_atlas: bool, selection: bool) -> bool:
    """Compare the published magnitudes for the whole shipped atlas, when the source
    checkout's data/calibration is there (an installed package has none: left out, said so)."""
    return (shipped_atlas and not selection
            and (CALIBRATION_DIR / "exosome-magnitudes.yaml").is_file())


def run_scorecard(atlas: Atlas | None = None, *,
                  experiments: Iterable[str] | None = None, workers: int = 1,
                  held_out: bool = True, magnitudes: bool | None = None) -> Scorecard:
    """Run every curated experiment as a simulation and compare directions.

    Parameters
    ----------
    atlas
        The atlas (default: the shipped curated data).
    experiments
        Only these experiment ids (default: all); unknown ids raise.
    workers
        Processes to spread the jobs over (1: run here). Simulations are cached within each
        job, compiled models within each process.
    held_out
        Also score each experiment with the model rebuilt without its study's records
        (default); ``False`` gives the encoded figures only, about half the work.
    magnitudes
        Also compare the published magnitudes with the shipped model
        (:mod:`exobone.analysis.scorecard.published`); default: for the whole shipped atlas
        only, when the source checkout's data/calibration is there (a selection, another atlas
        or an installed package leaves them out).

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
    >>> card = run_scorecard(experiments=["EXP:1025"], held_out=False)
    >>> card.experiments[0].id
    'EXP:1025'
    """
    if workers < 1:
        raise InvalidInputError(f"workers must be at least 1, got {workers}")
    shipped = atlas is None
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
                                 "dose_every_days": dict(DOSE_EVERY),
                                 "magnitude_factor": MAGNITUDE_FACTOR},
                     atlas_version=atlas.version)
    drops, shares = _jobs(atlas, ids, min(workers, max(len(ids), 1)), held_out)
    if len(shares) <= 1:
        parts = [_score_jobs(atlas, s) for s in shares]
    else:
        with ProcessPoolExecutor(max_workers=len(shares)) as pool:
            parts = list(pool.map(_score_jobs, [atlas] * len(shares), shares))
    encoded: dict[str, ExperimentResult] = {}
    held: dict[str, ExperimentResult] = {}
    for part in parts:
        for drop, results in part:
            for r in results:
                (held if drop else encoded)[r.id] = r
    card.experiments = [
        _with_held_out(encoded[i], held.get(i, encoded[i]) if held_out else None, drops[i])
        for i in ids]
    if magnitudes is None:
        magnitudes = magnitudes_by_default(shipped, experiments is not None)
    if magnitudes:
        card.magnitudes = compare_magnitudes()
    return card
