"""Exosome dose and schedule: dose-response curves and schedule optimisation.

A dosing plan is ``dose`` µg per administration, the first on day ``start``, then every
``every`` days for ``duration`` days. :func:`evaluate_plans` runs many plans of one compiled
model (the plan changes only the dose parameter and the event times), :func:`dose_response`
draws the outcome against the dose for one schedule, and :func:`optimize_schedule` maximises an
outcome at a day over dose, interval, start and duration with scipy's
``differential_evolution`` (seeded; a global optimiser, since the number of doses makes the
objective piecewise smooth). With a ``budget`` the dose per administration is capped at
``budget / number of doses``, so plans never exceed the total amount.

References
----------
Storn R, Price K (1997) Differential evolution. J Glob Optim 11:341-359.
https://doi.org/10.1023/A:1008202821328
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from exobone.errors import InvalidInputError, ModelError, unknown_name
from exobone.simulate.scenarios import MAX_DAYS, MAX_DOSES_PER_RUN

FloatArray = npt.NDArray[np.float64]

__all__ = ["DEFAULT_BOUNDS", "DoseProblem", "OptimizationResult", "Plan", "dose_grid",
           "dose_response", "optimize_schedule", "parse_bounds"]

#: default search ranges: dose (µg, log scale), interval, start and duration (days)
DEFAULT_BOUNDS: dict[str, tuple[float, float]] = {
    "dose": (1.0, 500.0), "every": (1.0, 56.0), "start": (0.0, 56.0), "duration": (0.0, 180.0)}
_KEYS = ("dose", "every", "start", "duration")
#: most doses on one dose-response curve (assumption: each is a full run; 10,000 runs is
#: minutes, more is a typo)
MAX_CURVE_POINTS = 10_000


@dataclass(frozen=True)
class Plan:
    """A dosing plan (µg per dose; days)."""

    dose: float
    every: float
    start: float
    duration: float

    def __post_init__(self) -> None:
        for key in _KEYS:
            value = getattr(self, key)
            if not (math.isfinite(value) and value >= 0 and (key != "every" or value > 0)):
                raise InvalidInputError(f"{key} must be a finite number "
                                        f"{'> 0' if key == 'every' else '>= 0'}, got {value!r}")

    def n_doses(self, horizon: float) -> int:
        """Number of doses up to ``horizon`` (counted, not listed)."""
        if self.start > horizon:
            return 0
        end = min(self.start + self.duration, horizon)
        return math.floor((end - self.start) / self.every + 1e-9) + 1

    def times(self, horizon: float) -> tuple[float, ...]:
        """Dosing days up to ``horizon``.

        Raises
        ------
        InvalidInputError
            For more than :data:`~exobone.simulate.scenarios.MAX_DOSES_PER_RUN` doses.
        """
        n = self.n_doses(horizon)
        if n > MAX_DOSES_PER_RUN:
            raise InvalidInputError(f"dosing every {self.every:g} days for "
                                    f"{min(self.duration, horizon - self.start):g} days is "
                                    f"{n:,} doses; the limit is {MAX_DOSES_PER_RUN:,} per run")
        return tuple(self.start + k * self.every for k in range(n))

    def to_dict(self) -> dict[str, float]:
        """Return ``{dose, every, start, duration}``."""
        return {k: float(getattr(self, k)) for k in _KEYS}


def parse_bounds(text: str | None) -> dict[str, tuple[float, float]]:
    """Parse ``dose=1:500,every=7:28,...`` over :data:`DEFAULT_BOUNDS`."""
    out = dict(DEFAULT_BOUNDS)
    if not text:
        return out
    for part in text.split(","):
        key, sep, rng_ = part.partition("=")
        key = key.strip()
        if key not in out:
            raise unknown_name("bound", key, _KEYS)
        lo_s, sep2, hi_s = rng_.partition(":")
        try:
            lo, hi = float(lo_s), float(hi_s)
        except ValueError:
            lo = hi = math.nan
        if not sep or not sep2 or not (lo <= hi) or lo < 0 or (key in ("dose", "every")
                                                                and lo <= 0):
            raise InvalidInputError(f"bound {part!r}: expected {key}=LOW:HIGH with "
                                    f"0 <= LOW <= HIGH (dose and every > 0)")
        out[key] = (lo, hi)
    return out


@dataclass
class DoseProblem:
    """One compiled model of ``scenario`` with a dose of ``source``, run for many plans."""

    scenario: str
    source: str
    objective: str
    day: float
    route: str = "local"
    species: str | None = None
    budget: float | None = None
    backend: str = "auto"
    model: Any = field(init=False)
    control_value: float = field(init=False)

    def __post_init__(self) -> None:
        from exobone.model.assemble import build_model
        from exobone.simulate.compile import compile_model

        if not (0 < self.day <= MAX_DAYS):
            raise InvalidInputError(f"day must be in (0, {MAX_DAYS:g}], got {self.day}")
        if self.budget is not None and not self.budget > 0:
            raise InvalidInputError(f"budget must be positive, got {self.budget}")
        dosing = f"exosome:{self.source},dose=1,route={self.route}"
        self.model = build_model(self.scenario, [dosing], species=self.species)
        cm = compile_model(self.model)
        if self.objective not in cm.states and self.objective not in cm.assignments:
            raise unknown_name("outcome", self.objective, [*cm.states, *cm.assignments])
        doses = [e for e in self.model.events if e.name.startswith("dose_")]
        params = [p for p in cm.parameters if p.startswith("dose_") and p.endswith("_ug")]
        if len(doses) != 1 or len(params) != 1:
            raise ModelError(f"expected one dose event and one dose parameter for "
                             f"{self.source!r}; found {[e.name for e in doses]}, {params}")
        self.event = doses[0].name
        self.dose_index = cm.parameter_index(params[0])
        self.base = cm.parameter_vector(self.model)
        self.times = np.array([0.0, float(self.day)])
        self.control_value = float(self.evaluate([Plan(0.0, 1.0, 0.0, 0.0)])[0])

    def effective(self, plan: Plan) -> Plan:
        """The plan with its dose capped by the budget."""
        if self.budget is None:
            return plan
        n = max(len(plan.times(self.day)), 1)
        return Plan(min(plan.dose, self.budget / n), plan.every, plan.start, plan.duration)

    def evaluate(self, plans: Sequence[Plan]) -> FloatArray:
        """Objective (outcome at ``day``) of each plan; NaN for a failed run."""
        from exobone.simulate.backends import resolve_backend
        from exobone.simulate.solve import Tolerances

        plans = [self.effective(p) for p in plans]
        P = np.tile(self.base, (len(plans), 1))
        P[:, self.dose_index] = [p.dose for p in plans]
        schedules = [{self.event: [t for t in p.times(self.day) if t < self.day]}
                     for p in plans]
        backend = resolve_backend(self.backend, self.model)
        tol = Tolerances()
        if hasattr(backend, "run_schedules"):
            res = backend.run_schedules(self.model, P, schedules, times=self.times,
                                        outputs=[self.objective], tolerances=tol,
                                        max_steps=100_000)
            y: FloatArray = np.array(res.values[:, -1, 0], dtype=float)
            y[res.status != 0] = np.nan
            return y
        # reference backend: one model variant per plan
        import dataclasses

        from exobone.simulate.solve import SaveAt, simulate

        out = np.full(len(plans), np.nan)
        for k, sched in enumerate(schedules):
            events = tuple(dataclasses.replace(e, at_times=tuple(sched[self.event]))
                           if e.name == self.event else e for e in self.model.events)
            variant = dataclasses.replace(self.model, events=events)
            traj = simulate(variant, (0.0, self.day), params=P[k],
                            saveat=SaveAt(times=self.times), tolerances=tol, throw=False)
            out[k] = traj[self.objective][-1] if traj.ok else np.nan
        return out


@dataclass(frozen=True)
class OptimizationResult:
    """The best plan found and the surfaces around it."""

    plan: Plan
    value: float
    control_value: float
    objective: str
    day: float
    bounds: Mapping[str, tuple[float, float]]
    seed: int | None
    n_evaluations: int
    dose_curve: tuple[FloatArray, FloatArray] | None = None
    schedule_surface: tuple[FloatArray, FloatArray, FloatArray] | None = None
    budget: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        out: dict[str, Any] = {
            "plan": self.plan.to_dict(), "n_doses": len(self.plan.times(self.day)),
            "objective": f"{self.objective}@{self.day:g}", "value": self.value,
            "control_value": self.control_value, "bounds": {k: list(v) for k, v in
                                                           self.bounds.items()},
            "budget": self.budget, "seed": self.seed, "n_evaluations": self.n_evaluations}
        if self.dose_curve is not None:
            out["dose_response"] = {"dose": self.dose_curve[0].tolist(),
                                    "value": _nan_list(self.dose_curve[1])}
        if self.schedule_surface is not None:
            every, start, z = self.schedule_surface
            out["schedule_response"] = {"every": every.tolist(), "start": start.tolist(),
                                        "value": [_nan_list(r) for r in z]}
        return out


def _nan_list(a: FloatArray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(a).tolist()]


def dose_grid(day: float, *, every: float = 7.0, start: float = 0.0,
              duration: float | None = None, doses: Sequence[float] | None = None,
              points: int = 17) -> FloatArray:
    """Check a dose-response request before any model is built; return its doses.

    Raises
    ------
    InvalidInputError
        For a dose that is negative or not a number, no doses or more than
        :data:`MAX_CURVE_POINTS`, a first dose not before ``day``, or an impossible schedule
        (every <= 0, more than :data:`~exobone.simulate.scenarios.MAX_DOSES_PER_RUN` doses).
    """
    grid = (np.asarray(doses, dtype=float).reshape(-1) if doses is not None
            else np.geomspace(1.0, 1000.0, points))
    if not 1 <= grid.size <= MAX_CURVE_POINTS:
        raise InvalidInputError(f"a dose-response curve needs 1 to {MAX_CURVE_POINTS:,} doses, "
                                f"got {grid.size:,}")
    bad = grid[~(np.isfinite(grid) & (grid >= 0))]
    if bad.size:
        raise InvalidInputError(f"doses must be finite numbers >= 0 µg, got {bad[0]:g}")
    Plan(0.0, every, start, day if duration is None else duration).times(day)  # checks all
    if not start < day:
        raise InvalidInputError(f"the first dose (day {start:g}) is not before the objective "
                                f"day {day:g}: the curve would be flat")
    return grid


def dose_response(problem: DoseProblem, *, every: float = 7.0, start: float = 0.0,
                  duration: float | None = None, doses: Sequence[float] | None = None,
                  points: int = 17) -> tuple[FloatArray, FloatArray]:
    """Outcome at the day against the dose (log-spaced 1-1000 µg by default).

    Raises
    ------
    InvalidInputError
        For a bad dose or schedule (see :func:`dose_grid`).
    """
    grid = dose_grid(problem.day, every=every, start=start, duration=duration, doses=doses,
                     points=points)
    dur = problem.day if duration is None else duration
    values = problem.evaluate([Plan(float(d), every, start, dur) for d in grid])
    return grid, values


def optimize_schedule(problem: DoseProblem, *, bounds: Mapping[str, tuple[float, float]]
                      | None = None, rng: np.random.Generator | int | None = None,
                      maxiter: int = 30, popsize: int = 10, surfaces: bool = True,
                      ) -> OptimizationResult:
    """Maximise the objective over dose (log scale), interval, start and duration.

    Parameters
    ----------
    problem
        The compiled scenario, source, objective and budget.
    bounds
        ``{"dose"|"every"|"start"|"duration": (low, high)}`` over :data:`DEFAULT_BOUNDS`.
    rng
        Seed of ``differential_evolution`` (an int drawn from a generator).
    maxiter, popsize
        Passed to ``differential_evolution`` (the number of doses is an integer variable).
    surfaces
        Also compute the dose-response curve at the best schedule and the interval x start
        surface at the best dose.
    """
    from scipy.optimize import differential_evolution

    if not (isinstance(maxiter, int) and maxiter >= 1):
        raise InvalidInputError(f"maxiter must be at least 1 generation, got {maxiter!r}")
    if not (isinstance(popsize, int) and popsize >= 1):
        raise InvalidInputError(f"popsize must be at least 1, got {popsize!r}")
    b = {**DEFAULT_BOUNDS, **(bounds or {})}
    b["start"] = (min(b["start"][0], problem.day), min(b["start"][1], problem.day))
    seed = rng if isinstance(rng, int) else int(np.random.default_rng(rng).integers(2**31 - 1))
    # the number of doses is an integer variable (duration = (n - 1) * interval), so the
    # objective is smooth in the continuous ones and the best plan needs no rounding
    n_max = (math.floor(b["duration"][1] / b["every"][0] + 1e-9)) + 1
    if n_max > MAX_DOSES_PER_RUN:
        raise InvalidInputError(f"the bounds allow {n_max:,} doses in a run (duration up to "
                                f"{b['duration'][1]:g} days, every {b['every'][0]:g} days); "
                                f"the limit is {MAX_DOSES_PER_RUN:,}: raise every's low bound")
    scipy_bounds = [(math.log10(b["dose"][0]), math.log10(b["dose"][1])), b["every"],
                    b["start"], (1, max(n_max, 1))]
    count = [0]

    def to_plan(x: Sequence[float]) -> Plan:
        every = float(x[1])
        n = min(round(float(x[3])),
                (math.floor(b["duration"][1] / every + 1e-9)) + 1)
        duration = max((n - 1) * every, b["duration"][0])
        return Plan(10 ** float(x[0]), every, float(x[2]), duration)

    def neg(xs: FloatArray) -> FloatArray:
        xs = np.atleast_2d(np.asarray(xs, dtype=float).T)
        plans = [to_plan(x) for x in xs]
        count[0] += len(plans)
        y = problem.evaluate(plans)
        return np.where(np.isfinite(y), -y, np.inf)

    res = differential_evolution(neg, scipy_bounds, seed=seed, maxiter=maxiter,
                                 popsize=popsize, tol=1e-8, polish=False, vectorized=True,
                                 updating="deferred", init="sobol",
                                 integrality=[False, False, False, True])
    best = problem.effective(to_plan(res.x))
    value = float(problem.evaluate([best])[0])
    curve = surface = None
    if surfaces:
        doses = np.geomspace(b["dose"][0], b["dose"][1], 15)
        curve = (doses, problem.evaluate([Plan(float(d), best.every, best.start,
                                               best.duration) for d in doses]))
        everys = np.linspace(b["every"][0], b["every"][1], 8)
        starts = np.linspace(b["start"][0], b["start"][1], 8)
        plans = [Plan(best.dose, float(e), float(s), best.duration) for e in everys
                 for s in starts]
        surface = (everys, starts, problem.evaluate(plans).reshape(everys.size, starts.size))
    return OptimizationResult(best, value, problem.control_value, problem.objective,
                              problem.day, b, seed, count[0], curve, surface, problem.budget)
