"""Exosome dose and schedule: dose-response curves and schedule optimisation.

A dosing plan is ``dose`` µg per administration, the first on day ``start``, then every
``every`` days for ``duration`` days. :meth:`DoseProblem.evaluate` runs many plans of one
compiled model (the plan changes only the dose parameter and the event times) and reads each
with a :class:`~exobone.analysis.readouts.Readout` (default: the mean over the 28 days ending at
the objective day, so a dose placed just before the day cannot win by its pulse),
:func:`dose_response` draws the read-out against the dose for one schedule, and
:func:`optimize_schedule` maximises it over dose, interval, start and number of doses with
scipy's ``differential_evolution`` (seeded; a global optimiser, since the number of doses makes
the objective piecewise smooth), each plan averaged over the phase of its doses against the
read-out day. Interval, start and number of doses are integers in the search
(whole days); the result names every schedule parameter sitting on a bound of the search, and
warns when the read-out still ends inside a dose's transient. With ``total_dose_ug`` (µg of
exosome protein over the whole run) the dose per administration is capped at
``total_dose_ug / number of doses``, so plans never exceed the total amount.

References
----------
Storn R, Price K (1997) Differential evolution. J Glob Optim 11:341-359.
https://doi.org/10.1023/A:1008202821328
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from exobone.analysis.readouts import Readout, dose_half_life, transient_warnings
from exobone.errors import InvalidInputError, ModelError, unknown_name
from exobone.model.exosomes.magnitudes import (
    MagnitudeBasis,
    MagnitudePrior,
    magnitude_basis,
    magnitude_priors,
)
from exobone.model.exosomes.scenario_routes import default_route
from exobone.model.scenarios import require_scenario
from exobone.simulate.scenarios import MAX_DOSES_PER_RUN

FloatArray = npt.NDArray[np.float64]

__all__ = ["DEFAULT_BOUNDS", "DoseProblem", "MagnitudeBand", "OptimizationResult", "Plan",
           "Readout", "dose_grid", "dose_response", "dose_response_band", "optimize_schedule",
           "parse_bounds"]

#: default search ranges: dose (µg, log scale), interval, start and duration (days)
DEFAULT_BOUNDS: dict[str, tuple[float, float]] = {
    "dose": (1.0, 500.0), "every": (1.0, 56.0), "start": (0.0, 56.0), "duration": (0.0, 180.0)}
_KEYS = ("dose", "every", "start", "duration")
#: most doses on one dose-response curve (assumption: each is a full run; 10,000 runs is
#: minutes, more is a typo)
MAX_CURVE_POINTS = 10_000
#: most members of a magnitude band (each member is one run per dose of the curve)
MAX_BAND = 500


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
    """One compiled model of ``scenario`` with a dose of ``source``, run for many plans.

    ``objective`` is read at ``day`` as ``readout`` (mean, trough or auc) over the ``window``
    days ending at ``day`` (see :class:`~exobone.analysis.readouts.Readout`; ``None``: 28 days).
    ``total_dose_ug`` caps the µg of exosome protein given over the whole run. With
    ``readout_kind="min-gain"`` every value (and ``control_value``, 0) is a gain over untreated.
    """

    scenario: str
    source: str
    objective: str
    day: float
    #: ``None``: the scenario's default route, as for the exosome intervention
    route: str | None = None
    species: str | None = None
    #: skeletal site with data for the species (``None``: the species' default)
    site: str | None = None
    total_dose_ug: float | None = None
    backend: str = "auto"
    readout_kind: str = "mean"
    window: float | None = None
    model: Any = field(init=False)
    control_value: float = field(init=False)
    #: the objective without doses at the read-out's sample days
    untreated: FloatArray = field(init=False, repr=False)
    #: the exosome ceilings the dose acts through, assumed or calibrated
    magnitudes: MagnitudeBasis = field(init=False, repr=False)

    def __post_init__(self) -> None:
        from exobone.model.assemble import build_model
        from exobone.simulate.compile import compile_model

        self.readout = Readout(self.objective, float(self.day), self.readout_kind, self.window)
        if self.total_dose_ug is not None and not self.total_dose_ug > 0:
            raise InvalidInputError(f"the total dose must be positive µg, got "
                                    f"{self.total_dose_ug}")
        if self.route is None:
            self.route = default_route(require_scenario(self.scenario).name).route
        dosing = f"exosome:{self.source},dose=1,route={self.route}"
        self.model = build_model(self.scenario, [dosing], species=self.species, site=self.site)
        cm = compile_model(self.model)
        if self.objective not in cm.states and self.objective not in cm.assignments:
            raise unknown_name("outcome", self.objective, [*cm.states, *cm.assignments])
        doses = [e for e in self.model.events if e.name.startswith("dose_")]
        params = [p for p in cm.parameters if p.startswith("dose_") and p.endswith("_ug")]
        if len(doses) != 1 or len(params) != 1:
            raise ModelError(f"expected one dose event and one dose parameter for "
                             f"{self.source!r}; found {[e.name for e in doses]}, {params}")
        self.event = doses[0].name
        self.compiled = cm
        self.dose_index = cm.parameter_index(params[0])
        self.base = cm.parameter_vector(self.model)
        self.half_life = dose_half_life(self.model)
        self.magnitudes = magnitude_basis(self.model)
        window = self.readout.times()
        self.times = window if window[0] == 0 else np.concatenate([[0.0], window])
        self.untreated = self.courses([Plan(0.0, 1.0, 0.0, 0.0)])[0]
        self.control_value = float(self.evaluate([Plan(0.0, 1.0, 0.0, 0.0)])[0])

    def effective(self, plan: Plan) -> Plan:
        """The plan with its dose capped by the total dose (over the doses given: before the
        read-out day)."""
        if self.total_dose_ug is None:
            return plan
        n = max(len([t for t in plan.times(self.day) if t < self.day]), 1)
        return Plan(min(plan.dose, self.total_dose_ug / n), plan.every, plan.start,
                    plan.duration)

    @property
    def body_weight_kg(self) -> float:
        """Body weight of the model's species (kg): converts µg/kg doses to µg per animal."""
        return float(self.model.require_parameter("body_weight").value)

    @property
    def setting(self) -> str:
        """``scenario (species, site)`` of the compiled model, as ``simulate`` titles it."""
        meta = self.model.metadata
        return f"{self.scenario} ({meta.get('species')}, {meta.get('site')})"

    def intervention(self, plan: Plan) -> str:
        """``plan`` as the resolved exosome intervention ``simulate`` would run: the dose with
        its unit (µg per animal), the route and the schedule (issue 13: every output names
        the route)."""
        from exobone.model.scenarios.interventions import parse_intervention

        given = [t for t in plan.times(self.day) if t < self.day]  # later doses are not run
        text = (f"exosome:{self.source},dose={plan.dose:.6g}ug,route={self.route},"
                f"start={plan.start:g}")
        if len(given) > 1:
            text += f",every={plan.every:g},stop={given[-1]:g}"
        return str(parse_intervention(text, self.scenario))

    def warnings(self, plan: Plan) -> list[str]:
        """Say when ``plan``'s read-out ends inside a dose's transient."""
        doses = [t for t in plan.times(self.day) if t < self.day] if plan.dose > 0 else []
        return transient_warnings(self.readout, doses, self.half_life)

    def evaluate(self, plans: Sequence[Plan]) -> FloatArray:
        """Read-out of each plan (a gain over untreated for ``min-gain``); NaN for a failed
        run."""
        return self.readout.reduce(self.courses(plans), self.untreated)

    def phase_mean(self, plans: Sequence[Plan]) -> FloatArray:
        """Each plan's read-out averaged over its dosing phase: the plan with all its doses
        moved 0, 1, ..., every - 1 whole days later.

        A read-out fixed to a calendar day cannot choose where in a dosing interval it falls,
        so a plan must not win by the phase of its doses against that day (issue 13)."""
        shifted = [Plan(p.dose, p.every, p.start + k, p.duration) for p in plans
                   for k in range(max(round(p.every), 1))]
        values = self.evaluate(shifted)
        counts = [max(round(p.every), 1) for p in plans]
        bounds = np.cumsum([0, *counts])
        return np.array([values[a:b].mean() for a, b in itertools.pairwise(bounds)])

    def courses(self, plans: Sequence[Plan], params: FloatArray | None = None) -> FloatArray:
        """The objective at the read-out's sample days (plans x days); NaN for a failed run."""
        return self.run(plans, self.times, params)[:, -self.readout.times().size:]

    def run(self, plans: Sequence[Plan], times: FloatArray, params: FloatArray | None = None
            ) -> FloatArray:
        """The objective at ``times`` (from 0, up to the day) of each plan (plans x times).

        ``params`` (plans x parameters) replaces the model's parameter vector row by row (the
        dose column is always the plan's)."""
        from exobone.simulate.backends import resolve_backend
        from exobone.simulate.solve import Tolerances

        plans = [self.effective(p) for p in plans]
        P = (np.tile(self.base, (len(plans), 1)) if params is None
             else np.array(params, dtype=float, copy=True))
        P[:, self.dose_index] = [p.dose for p in plans]
        schedules = [{self.event: [t for t in p.times(self.day) if t < self.day]}
                     for p in plans]
        backend = resolve_backend(self.backend, self.model)
        tol = Tolerances()
        if hasattr(backend, "run_schedules"):
            res = backend.run_schedules(self.model, P, schedules, times=times,
                                        outputs=[self.objective], tolerances=tol,
                                        max_steps=100_000)
            y: FloatArray = np.array(res.values[:, :, 0], dtype=float)
            y[res.status != 0] = np.nan
            return y
        # reference backend: one model variant per plan
        import dataclasses

        from exobone.simulate.solve import SaveAt, simulate

        out = np.full((len(plans), times.size), np.nan)
        for k, sched in enumerate(schedules):
            events = tuple(dataclasses.replace(e, at_times=tuple(sched[self.event]))
                           if e.name == self.event else e for e in self.model.events)
            variant = dataclasses.replace(self.model, events=events)
            traj = simulate(variant, (0.0, float(times[-1])), params=P[k],
                            saveat=SaveAt(times=times), tolerances=tol, throw=False)
            if traj.ok:
                out[k] = np.asarray(traj[self.objective])
        return out


@dataclass(frozen=True)
class OptimizationResult:
    """The best plan found, the surfaces around it, and what the user should know about it.

    ``value`` is the objective searched: the read-out averaged over the plan's dosing phase
    (:meth:`DoseProblem.phase_mean`); ``value_as_planned`` reads the plan exactly as given.
    ``course`` is ``(days, best plan, no exosomes)`` of the objective over the run, for the
    figure; ``at_bounds`` names each schedule parameter sitting on a bound of the search;
    ``warnings`` are one-line messages (bounds, dose transient).
    """

    plan: Plan
    value: float
    control_value: float
    readout: Readout
    bounds: Mapping[str, tuple[float, float]]
    seed: int | None
    n_evaluations: int
    dose_curve: tuple[FloatArray, FloatArray] | None = None
    schedule_surface: tuple[FloatArray, FloatArray, FloatArray] | None = None
    total_dose_ug: float | None = None
    course: tuple[FloatArray, FloatArray, FloatArray] | None = None
    at_bounds: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    value_as_planned: float = math.nan

    @property
    def objective(self) -> str:
        return self.readout.outcome

    @property
    def day(self) -> float:
        return self.readout.day

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        out: dict[str, Any] = {
            "plan": self.plan.to_dict(), "n_doses": len(self.plan.times(self.day)),
            "dose_days": list(self.plan.times(self.day)),
            "objective": f"{self.objective}@{self.day:g}", "readout": self.readout.to_dict(),
            "value": self.value, "value_as_planned": self.value_as_planned,
            "control_value": self.control_value,
            "bounds": {k: list(v) for k, v in self.bounds.items()},
            "at_bounds": dict(self.at_bounds), "warnings": list(self.warnings),
            "total_dose_ug": self.total_dose_ug, "seed": self.seed,
            "n_evaluations": self.n_evaluations}
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
    """The read-out against the dose (log-spaced 1-1000 µg by default).

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


@dataclass(frozen=True)
class MagnitudeBand:
    """The 5, 50 and 95 % quantiles of a read-out per dose over draws of the magnitudes the
    doses act through (:func:`~exobone.model.exosomes.magnitudes.magnitude_priors`): a fitted
    family's dose scale from its interval, an assumed one log-uniform over its bounds. Every
    other parameter keeps its value; ``failed`` counts member runs that did not finish (left
    out of the quantiles)."""

    dose: FloatArray
    quantiles: tuple[float, float, float]
    values: FloatArray  # quantiles x doses
    priors: tuple[MagnitudePrior, ...]
    n: int
    seed: int
    failed: int

    def to_dict(self) -> dict[str, Any]:
        return {"dose": self.dose.tolist(), "quantiles": list(self.quantiles),
                "values": [_nan_list(row) for row in self.values], "n": self.n,
                "seed": self.seed, "failed": self.failed,
                "drawn": [p.to_dict() for p in self.priors],
                "method": ("independent draws of each dosed family's scale of its exosome "
                           "ceilings; the split between processes is held at its value")}


def _draw(prior: MagnitudePrior, bounds: tuple[float, float] | None, rng: np.random.Generator,
          n: int) -> FloatArray:
    if prior.kind == "fitted":
        from exobone.analysis.calibrate.uncertainty import FittedPrior

        lo, hi = bounds if bounds is not None else (-math.inf, math.inf)
        return FittedPrior(prior.parameter, prior.value, prior.interval, (lo, hi), prior.scale,
                           prior.level).sample(rng, n)
    low, high = (math.log(x) for x in prior.interval)
    return np.exp(rng.uniform(low, high, n))


def dose_response_band(problem: DoseProblem, *, n: int, seed: int = 0, every: float = 7.0,
                       start: float = 0.0, duration: float | None = None,
                       doses: Sequence[float] | None = None, points: int = 17
                       ) -> MagnitudeBand:
    """The dose-response curve's band over what is known of the exosome magnitudes.

    Each of ``n`` members draws every dosed family's dose scale (the same draw at every dose,
    so each member is one curve) and runs the curve; the quantiles are over the members that
    finished. An assumed family's band spans its whole prior: it shows how little the curve's
    height is known, not a confidence interval.

    Raises
    ------
    InvalidInputError
        For ``n`` outside [2, :data:`MAX_BAND`], or a bad dose or schedule
        (:func:`dose_grid`).
    ModelError
        If the model has no dose scale to draw (no dosed exosome family).
    """
    if not 2 <= n <= MAX_BAND:
        raise InvalidInputError(f"a magnitude band takes 2 to {MAX_BAND} members, got {n}")
    grid = dose_grid(problem.day, every=every, start=start, duration=duration, doses=doses,
                     points=points)
    priors = magnitude_priors(problem.model)
    if not priors:
        raise ModelError(f"{problem.source} exosomes act through no dose scale in this model: "
                         f"there is no magnitude to draw")
    rng = np.random.default_rng(seed)
    bounds = {p.name: p.bounds for p in problem.model.parameters}
    draws = {p.parameter: _draw(p, bounds.get(p.parameter), rng, n) for p in priors}
    dur = problem.day if duration is None else duration
    plans = [Plan(float(d), every, start, dur) for _ in range(n) for d in grid]
    P = np.tile(problem.base, (len(plans), 1))
    for name, values in draws.items():
        P[:, problem.compiled.parameter_index(name)] = np.repeat(values, grid.size)
    y = problem.readout.reduce(problem.courses(plans, P), problem.untreated)
    y = y.reshape(n, grid.size)
    q = (0.05, 0.5, 0.95)
    finished = np.isfinite(y)
    values = np.full((3, grid.size), np.nan)
    for j in range(grid.size):
        if finished[:, j].any():
            values[:, j] = np.quantile(y[finished[:, j], j], q)
    return MagnitudeBand(grid, q, values, priors, n, seed, int((~finished).sum()))


def _whole_days(key: str, bound: tuple[float, float]) -> tuple[int, int]:
    lo, hi = math.ceil(bound[0] - 1e-9), math.floor(bound[1] + 1e-9)
    if key == "every":
        lo = max(lo, 1)
    if lo > hi:
        raise InvalidInputError(f"bound {key}={bound[0]:g}:{bound[1]:g} holds no whole day "
                                f"{'>= 1 ' if key == 'every' else ''}(schedules use whole days)")
    return lo, hi


def optimize_schedule(problem: DoseProblem, *, bounds: Mapping[str, tuple[float, float]]
                      | None = None, rng: np.random.Generator | int | None = None,
                      maxiter: int = 30, popsize: int = 10, surfaces: bool = True,
                      ) -> OptimizationResult:
    """Maximise the read-out, averaged over the dosing phase, over dose (log scale), interval,
    start and number of doses.

    Each candidate is read with its doses moved 0 to ``every - 1`` days later and the values
    averaged (:meth:`DoseProblem.phase_mean`), so a plan cannot win by placing a dose against
    the read-out day; with the ``min-gain`` read-out the best plan is then the same for
    read-out days 175, 180 and 185 (measured, ``tests/analysis/test_doses.py``).

    Interval and start are whole days and the number of doses a whole number inside the search
    (``differential_evolution``'s ``integrality``), so the best plan needs no rounding;
    duration is ``(doses - 1) x interval``, counting only doses before the read-out day.

    Parameters
    ----------
    problem
        The compiled scenario, source, read-out and total dose.
    bounds
        ``{"dose"|"every"|"start"|"duration": (low, high)}`` over :data:`DEFAULT_BOUNDS`;
        interval, start and duration are narrowed to whole days.
    rng
        Seed of ``differential_evolution`` (an int drawn from a generator).
    maxiter, popsize
        Passed to ``differential_evolution``.
    surfaces
        Also compute the dose-response curve at the best schedule, the interval x start
        surface at the best dose, and the objective's course under the best plan.
    """
    from scipy.optimize import differential_evolution

    if not (isinstance(maxiter, int) and maxiter >= 1):
        raise InvalidInputError(f"maxiter must be at least 1 generation, got {maxiter!r}")
    if not (isinstance(popsize, int) and popsize >= 1):
        raise InvalidInputError(f"popsize must be at least 1, got {popsize!r}")
    b = {**DEFAULT_BOUNDS, **(bounds or {})}
    last = math.ceil(problem.day) - 1  # the last whole day a dose can act before the read-out
    b["start"] = (min(b["start"][0], last), min(b["start"][1], last))
    b = {k: (v if k == "dose" else tuple(float(x) for x in _whole_days(k, v)))
         for k, v in b.items()}
    seed = rng if isinstance(rng, int) else int(np.random.default_rng(rng).integers(2**31 - 1))
    n_max = (math.floor(b["duration"][1] / b["every"][0] + 1e-9)) + 1
    if n_max > MAX_DOSES_PER_RUN:
        raise InvalidInputError(f"the bounds allow {n_max:,} doses in a run (duration up to "
                                f"{b['duration'][1]:g} days, every {b['every'][0]:g} days); "
                                f"the limit is {MAX_DOSES_PER_RUN:,}: raise every's low bound")
    scipy_bounds = [(math.log10(b["dose"][0]), math.log10(b["dose"][1])), b["every"],
                    b["start"], (1, max(n_max, 1))]
    count = [0]

    def to_plan(x: Sequence[float]) -> Plan:
        every, start = float(round(x[1])), float(round(x[2]))
        n = min(round(float(x[3])), math.floor(b["duration"][1] / every + 1e-9) + 1)
        duration = max((n - 1) * every, b["duration"][0])
        return Plan(10 ** float(x[0]), every, start, duration)

    def neg(xs: FloatArray) -> FloatArray:
        xs = np.atleast_2d(np.asarray(xs, dtype=float).T)
        plans = [to_plan(x) for x in xs]
        count[0] += len(plans)
        y = problem.phase_mean(plans)
        return np.where(np.isfinite(y), -y, np.inf)

    res = differential_evolution(neg, scipy_bounds, seed=seed, maxiter=maxiter,
                                 popsize=popsize, tol=1e-8, polish=False, vectorized=True,
                                 updating="deferred", init="sobol",
                                 integrality=[False, True, True, True])
    found = to_plan(_whole_day_descent(res.x, neg, scipy_bounds))
    best = _given(problem.effective(found), problem.day, b["duration"][0])
    value = float(problem.phase_mean([found])[0])  # the objective searched
    as_planned = float(problem.evaluate([best])[0])
    at_bounds = _at_bounds(found, best, b, problem)
    warnings = [f"{k} {v}" for k, v in at_bounds.items()] + problem.warnings(best)
    curve = surface = course = None
    if surfaces:
        doses = np.geomspace(b["dose"][0], b["dose"][1], 15)
        curve = (doses, problem.evaluate([Plan(float(d), best.every, best.start,
                                               best.duration) for d in doses]))
        everys = np.unique(np.round(np.linspace(b["every"][0], b["every"][1], 8)))
        starts = np.unique(np.round(np.linspace(b["start"][0], b["start"][1], 8)))
        plans = [Plan(best.dose, float(e), float(s), best.duration) for e in everys
                 for s in starts]
        surface = (everys, starts, problem.evaluate(plans).reshape(everys.size, starts.size))
        course = _course(problem, best)
    return OptimizationResult(best, value, problem.control_value, problem.readout, b, seed,
                              count[0], curve, surface, problem.total_dose_ug, course,
                              at_bounds, tuple(warnings), as_planned)


#: most steps of the whole-day descent after the global search (each step tries 26 plans)
MAX_DESCENT_STEPS = 50


def _whole_day_descent(x: Sequence[float], neg: Any, bounds: Sequence[tuple[float, float]]
                       ) -> FloatArray:
    """Move ``x`` (log10 dose, interval, start, number of doses) to its best whole-day
    neighbour (interval, start and number of doses each -1, 0 or +1; dose kept) until no
    neighbour is better.

    Differential evolution over integers stops in different plans for different seeds when
    plans one day apart differ little (measured: every 8 days x 6 doses for seed 1 against
    every 7 x 7 for seeds 2 and 3, read-out 1.94 against 2.17); a descent over whole-day
    neighbours takes both to the same plan. ``neg`` is the vectorised objective of the search
    (columns are candidates)."""
    best = np.array(x, dtype=float)
    best[1:] = np.round(best[1:])
    value = float(neg(best.reshape(-1, 1))[0])
    steps = [np.array((0.0, *d)) for d in itertools.product((-1.0, 0.0, 1.0), repeat=3)
             if any(d)]
    for _ in range(MAX_DESCENT_STEPS):
        near = [best + d for d in steps
                if all(lo <= v <= hi for v, (lo, hi) in zip(best + d, bounds, strict=True))]
        if not near:
            break
        values = neg(np.array(near).T)
        k = int(np.argmin(values))
        if not values[k] < value - 1e-12 * max(1.0, abs(value)):
            break
        best, value = near[k], float(values[k])
    return best


def _given(plan: Plan, day: float, min_duration: float) -> Plan:
    """``plan`` with its duration cut to the doses given before ``day`` (later doses cannot
    change the read-out, so a longer duration would be reported for nothing)."""
    n = len([t for t in plan.times(day) if t < day])
    duration = max((n - 1) * plan.every, 0.0) if n else min_duration
    return Plan(plan.dose, plan.every, plan.start, duration)


def _at_bounds(found: Plan, best: Plan, b: Mapping[str, tuple[float, float]],
               problem: DoseProblem) -> dict[str, str]:
    """Schedule parameters of the best plan that sit on a bound of the search."""
    out: dict[str, str] = {}
    capped = best.dose < found.dose * (1 - 1e-12)  # the total dose set the dose, not its bound
    lo, hi = (math.log10(x) for x in b["dose"])
    tol = 0.01 * max(hi - lo, 1e-12)  # 1 % of the searched log-range
    if not capped and math.log10(found.dose) <= lo + tol:
        out["dose"] = f"sits on its lower bound ({b['dose'][0]:g} µg)"
    elif not capped and math.log10(found.dose) >= hi - tol:
        out["dose"] = f"sits on its upper bound ({b['dose'][1]:g} µg)"
    for key in ("every", "start"):
        low, high = b[key]
        value = getattr(best, key)
        if low < high and value in (low, high):
            side = "lower" if value == low else "upper"
            out[key] = f"sits on its {side} bound ({value:g} day{'' if value == 1 else 's'})"
    # another dose before the read-out day was forbidden only by the duration's upper bound
    if best.start + best.duration + best.every < problem.day and \
            best.duration + best.every > b["duration"][1]:
        out["duration"] = f"sits on its upper bound ({b['duration'][1]:g} days)"
    if out:
        out = {k: v + ": the best plan may lie outside --bounds" for k, v in out.items()}
    return out


def _course(problem: DoseProblem, plan: Plan) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The objective daily from day 0 to the read-out day under ``plan`` and without doses."""
    days = np.linspace(0.0, problem.day, math.ceil(problem.day) + 1)
    y = problem.run([plan, Plan(0.0, 1.0, 0.0, 0.0)], days)
    return days, y[0], y[1]
