"""Run a named scenario with interventions (and its untreated control): the API behind ``simulate``.

:func:`run_scenario` builds the model (:func:`exobone.model.assemble.build_model`), simulates it on
a time grid and, with ``compare=True``, also the same scenario without the user's
interventions. :class:`ScenarioResult` holds the outcome time courses and the provenance of each
run; :meth:`ScenarioResult.to_dict` is the JSON printed by ``exobone simulate --json``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from exobone.errors import InvalidInputError
from exobone.model.outcomes import DEFAULT_OUTCOMES
from exobone.simulate.solve import SaveAt, Tolerances, simulate

if TYPE_CHECKING:
    from exobone.model.scenarios.interventions import Intervention
    from exobone.model.spec import ModelSpec
    from exobone.simulate.results import Trajectory

FloatArray = npt.NDArray[np.float64]

__all__ = ["MAX_DAYS", "MAX_DOSES_PER_RUN", "MAX_POINTS", "Arm", "ScenarioResult",
           "check_dosing", "run_scenario", "time_grid"]

#: longest run accepted (years of simulated time are cheap, but 100 years is a typo)
MAX_DAYS = 36500.0
#: most save times of one run (assumption: 100,000, a save every 9 hours for a century; each
#: is a row of every output in memory, so more is a typo such as --points 2000000000)
MAX_POINTS = 100_000
#: most doses of all interventions in one run (assumption: 10,000, more than 27 years of daily
#: doses; each dose is an event the model stores and the solver stops at, so more is a typo
#: such as every=1e-9, which would exhaust memory while the model is built)
MAX_DOSES_PER_RUN = 10_000


def check_dosing(interventions: Sequence[str | Intervention], days: float | None = None) -> int:
    """Count the doses the interventions schedule, without listing them; refuse too many.

    Open-ended schedules are counted up to the horizon the model builder lists doses to.

    Raises
    ------
    InvalidInputError
        If the run would hold more than :data:`MAX_DOSES_PER_RUN` doses, or an intervention
        starts after the end of the run (``days``; it would change nothing, silently).
    """
    from exobone.model.scenarios.interventions import DEFAULT_HORIZON_DAYS, parse_intervention

    total = 0
    for item in interventions:
        iv = parse_intervention(item) if isinstance(item, str) else item
        sched = iv.schedule()
        if days is not None and sched.start >= days:
            raise InvalidInputError(f"{iv} starts on day {sched.start:g}, not before the end "
                                    f"of the run (day {days:g}): it would change nothing")
        if sched.every is None:
            total += 1
            continue
        end = sched.stop if sched.stop is not None else max(DEFAULT_HORIZON_DAYS, sched.start)
        n = math.floor((end - sched.start) / sched.every + 1e-9) + 1
        total += n
        if total > MAX_DOSES_PER_RUN:
            raise InvalidInputError(
                f"{iv} gives {n:,} doses in a run (every {sched.every:g} days to day "
                f"{end:g}); the limit is {MAX_DOSES_PER_RUN:,} doses per run")
    return total


def time_grid(days: float, *, points: int = 366,
              extra: Sequence[float] = ()) -> FloatArray:
    """Return a sorted grid over ``[0, days]`` with about ``points`` points plus ``extra``.

    Raises
    ------
    InvalidInputError
        For a non-positive or absurd duration or number of points, or extra times outside
        the run.
    """
    if not (math.isfinite(days) and 0 < days <= MAX_DAYS):
        raise InvalidInputError(f"days must be in (0, {MAX_DAYS:g}], got {days!r}")
    if not 2 <= points <= MAX_POINTS:
        raise InvalidInputError(f"points (save times) must be in [2, {MAX_POINTS:,}], "
                                f"got {points!r}")
    step = max(days / max(points - 1, 1), 1e-9)
    grid = np.arange(0.0, days + step / 2, step)
    grid[-1] = days
    for t in extra:
        if not (0 <= t <= days):
            raise InvalidInputError(f"time {t:g} is outside the run [0, {days:g}] days")
    return np.unique(np.concatenate([grid, np.asarray(extra, dtype=float)]))


@dataclass(frozen=True)
class Arm:
    """One simulated arm: outcome time courses and the provenance of the run."""

    interventions: tuple[str, ...]
    outcomes: dict[str, FloatArray]
    trajectory: Trajectory
    model: ModelSpec

    def to_dict(self, scenario: str, species: str, times: FloatArray) -> dict[str, Any]:
        """Return ``{scenario, species, interventions, times, outcomes, provenance}``."""
        return {
            "scenario": scenario,
            "species": species,
            "interventions": list(self.interventions),
            "times": [float(t) for t in times],
            "outcomes": {k: [float(v) if math.isfinite(v) else None for v in arr.tolist()]
                         for k, arr in self.outcomes.items()},
            "provenance": {**self.trajectory.provenance.to_dict(),
                           "metadata": _jsonable_metadata(self.model)},
        }


def _jsonable_metadata(model: ModelSpec) -> dict[str, Any]:
    keep = ("scenario", "species", "interventions", "scenario_interventions", "atlas_version",
            "exosome_layer_applied", "core", "drug_regimens")
    out: dict[str, Any] = {}
    for key in keep:
        if key not in model.metadata:
            continue
        value = model.metadata[key]
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario run: the treated arm and, when compared, the untreated control."""

    scenario: str
    species: str
    times: FloatArray
    treated: Arm
    control: Arm | None = None
    outcome_names: tuple[str, ...] = field(default=DEFAULT_OUTCOMES)

    def at(self, name: str, t: float, *, control: bool = False) -> float:
        """Return outcome ``name`` at the saved time closest to ``t``."""
        arm = self.control if control else self.treated
        if arm is None:
            raise InvalidInputError("this result has no control arm (run with compare=True)")
        i = int(np.argmin(np.abs(self.times - t)))
        return float(arm.outcomes[name][i])

    def to_dict(self) -> dict[str, Any]:
        """Return the ``--json`` object: scenario, interventions, times, outcomes[, control]."""
        out = self.treated.to_dict(self.scenario, self.species, self.times)
        if self.control is not None:
            out["control"] = self.control.to_dict(self.scenario, self.species, self.times)
        return out


def _arm(model: ModelSpec, times: FloatArray, outcomes: Sequence[str],
         interventions: tuple[str, ...], tolerances: Tolerances | None,
         solver: str) -> Arm:
    traj = simulate(model, (0.0, float(times[-1])), saveat=SaveAt(times=times),
                    tolerances=tolerances, solver=solver)
    names = [o for o in outcomes if o in traj]
    return Arm(interventions, {o: np.asarray(traj[o]) for o in names}, traj, model)


def run_scenario(scenario: str, interventions: Sequence[str | Intervention] = (), *,
                 species: str | None = None, site: str | None = None, days: float = 365.0,
                 times: Sequence[float] = (), compare: bool = False,
                 outcomes: Sequence[str] = DEFAULT_OUTCOMES, points: int = 366,
                 tolerances: Tolerances | None = None, solver: str = "LSODA",
                 atlas: Any = None, exosome_layer: bool = True) -> ScenarioResult:
    """Simulate ``scenario`` with ``interventions`` for ``days`` (and its control).

    Parameters
    ----------
    scenario, interventions, species, site, atlas, exosome_layer
        As for :func:`exobone.model.assemble.build_model`.
    days
        Length of the run in days.
    times
        Extra save times (e.g. the columns of a table), inside ``[0, days]``.
    compare
        Also run the scenario without ``interventions`` (the control arm).
    outcomes
        Outcome names to keep (those the model lacks are skipped).
    points
        Number of points of the regular grid.
    tolerances, solver
        Solver settings (default ``rtol=1e-6, atol=1e-9``, LSODA).

    Returns
    -------
    ScenarioResult

    Raises
    ------
    UnknownNameError, InvalidInputError, ModelError, SimulationError
        For an unknown scenario/intervention/species, bad input, or a failed run.

    Examples
    --------
    >>> res = run_scenario("ovx", ["denosumab,start=28"], days=120, compare=True,
    ...                    exosome_layer=False)
    >>> res.at("bv_tv", 120) > res.at("bv_tv", 120, control=True)
    True
    """
    from exobone.model.assemble import build_model
    from exobone.model.scenarios import require_scenario
    from exobone.model.scenarios.interventions import parse_intervention

    scen = require_scenario(scenario)
    species = scen.resolve_species(species)
    parsed = tuple(parse_intervention(i, scen.name) for i in interventions)
    check_dosing(parsed, float(days))
    grid = time_grid(float(days), points=points, extra=times)
    model = build_model(scen.name, parsed, species=species, site=site, atlas=atlas,
                        exosome_layer=exosome_layer)
    treated = _arm(model, grid, outcomes, tuple(str(i) for i in parsed), tolerances, solver)
    control = None
    if compare:
        base = build_model(scen.name, (), species=species, site=site, atlas=atlas,
                           exosome_layer=exosome_layer)
        control = _arm(base, grid, outcomes, (), tolerances, solver)
    return ScenarioResult(scen.name, species, grid, treated, control, tuple(outcomes))
