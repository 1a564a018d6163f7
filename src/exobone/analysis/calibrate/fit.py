"""Multi-start maximum-likelihood (or maximum-a-posteriori) fits of a PEtab problem.

The objective is the PEtab negative log-likelihood minus the log-prior
(:mod:`exobone.analysis.calibrate.objective`), written as half a sum of squares so that
``scipy.optimize.least_squares`` (trust-region reflective, within the bounds, on the parameters'
``parameterScale``) can use its Gauss-Newton model: per datum ``(T(h) - T(m)) / sigma`` plus
``sqrt(2 (log-normaliser + K))`` for the sigma-dependent part (``K`` a constant that keeps the
root real; it cancels), ``sqrt(2 |r| / sigma)`` for laplace noise, and one term per prior.
Where the residuals' Jacobian ``J`` is cheap, each start is first minimised by L-BFGS-B with the
gradient ``J^T r`` and then polished by the trust-region least squares with ``J``: ``J`` from
the forward sensitivity equations (:mod:`exobone.analysis.calibrate.sensitivity`; models
without events or ``delay()``, problems without preequilibration or steady-state data), or by
central differences with all points in one compiled ensemble (no preequilibration,
steady-state data, species values in conditions or events). Otherwise ``least_squares`` takes
its own forward differences of reference-solver runs.
Starts are drawn uniformly in the scaled bounds from one seeded generator; a start whose
objective is undefined (a failed simulation) is redrawn, and a trial step whose objective is
undefined is rejected (the trust region shrinks; L-BFGS-B's line search sees a higher cost and
no slope there). An optimum can lie on the edge of the region where the model has a solution
(Crauste 2017's pathogen reaches infinity just beyond its published optimum): where one point
of a central difference has no solution, the Jacobian's column is the one-sided difference
from the other side. Reported costs are the exact objective.

Confidence intervals come from the profile likelihood (each parameter stepped away from the
optimum with the others re-fitted, until the objective rises by half the chi-square quantile)
or from a parametric bootstrap (refits to data simulated from the estimate with its noise).

References
----------
Raue A. et al. (2009) Structural and practical identifiability analysis of partially observed
dynamical models by exploiting the profile likelihood. Bioinformatics 25:1923-1929.
Schmiester L. et al. (2021) PEtab - Interoperable specification of parameter estimation problems
in systems biology. PLoS Comput Biol 17:e1008646.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from exobone.analysis.calibrate.objective import (
    Objective,
    ObjectiveUndefinedError,
    from_scale,
)
from exobone.analysis.calibrate.problem import CalibrationProblem, load_petab
from exobone.analysis.calibrate.sensitivity import ForwardSensitivities, why_not
from exobone.analysis.calibrate.sensitivity import step as sens_step
from exobone.errors import InvalidInputError, SimulationError

FloatArray = npt.NDArray[np.float64]

__all__ = ["CalibrationResult", "Residuals", "calibrate", "fit_residuals", "local_fit"]

#: shift that keeps sqrt(2 (log-normaliser + K)) real for sigma > exp(-K) (it cancels)
_K = 700.0
#: redraws of a start whose objective is undefined before the start counts as failed
_REDRAWS = 20


class TrialResiduals:
    """Residuals called by an optimiser: a trial point without a solution gets a larger cost
    (the last defined residuals, scaled up) instead of an error, so the step is rejected.
    Subclasses give ``fast(theta, y)``."""

    last: FloatArray | None = None

    def fast(self, theta: FloatArray, y: FloatArray | None = None) -> FloatArray:
        raise NotImplementedError

    def __call__(self, theta: FloatArray, y: FloatArray | None = None) -> FloatArray:
        try:
            out = self.fast(theta, y)
        except ObjectiveUndefinedError:
            if self.last is None:
                raise
            return 10.0 * self.last + 1.0  # reject the trial point: a larger cost
        self.last = out
        return out


class Residuals(TrialResiduals):
    """The objective as ``0.5 * sum(residuals(theta)**2) - constant``.

    For :attr:`Objective.batchable` problems the residuals and their forward-difference
    Jacobian come from one compiled ensemble per call (the base point and its ``n``
    perturbations together); otherwise from the reference solver, one run at a time.
    """

    def __init__(self, obj: Objective, *, ensemble: bool | None = None,
                 step: float = 1e-4, gradient: str = "auto") -> None:
        self.obj = obj
        self.step = step
        self.batch = obj.batchable if ensemble is None else ensemble
        if self.batch and not obj.batchable:
            raise InvalidInputError("ensemble=True needs a problem without preequilibration, "
                                    "steady-state data, species values in conditions or "
                                    "events other than scheduled boluses or switches")
        self.sens: ForwardSensitivities | None = None
        # auto: the compiled ensemble's differences where it runs the problem (measured on the
        # collection), sensitivities instead of scipy's differences of reference-solver runs
        if gradient == "sensitivities" or (gradient == "auto" and not self.batch):
            reason = why_not(obj)
            if not reason:
                self.sens = ForwardSensitivities(obj)
                self.batch = False
            elif gradient == "sensitivities":
                raise InvalidInputError(f"gradient='sensitivities': forward sensitivities do "
                                        f"not cover {reason}")
        self.last = None

    @property
    def has_jacobian(self) -> bool:
        """Whether :meth:`jacobian` is cheap (sensitivities, or one ensemble per call)."""
        return self.sens is not None or self.batch

    def fast(self, theta: FloatArray, y: FloatArray | None = None) -> FloatArray:
        if self.sens is not None:
            return self.from_frames(self.sens.solve(theta)[0], theta, y)
        if not self.batch:
            return self.exact(theta, y)
        frames = self.obj.simulate_many(np.asarray([theta]))[0]
        if isinstance(frames, str):
            raise ObjectiveUndefinedError(frames)
        return self.from_frames(frames, theta, y)

    def jacobian(self, theta: FloatArray, y: FloatArray | None = None) -> FloatArray:
        """The residuals' Jacobian: forward sensitivities through the observation model
        (its algebra by central quotients along each direction), or central differences of
        whole simulations (one-sided at a bound), all points in one ensemble."""
        obj = self.obj
        if self.sens is not None:
            frames, directions = self.sens.solve(theta)
            cols = []
            for k, d in enumerate(directions):
                eps = sens_step(theta[k])
                ends = []
                for sign in (1.0, -1.0):
                    th = theta.copy()
                    th[k] += sign * eps
                    moved = {n: v + sign * eps * d[n] for n, v in frames.items()}
                    ends.append(self.from_frames(moved, th, y))
                cols.append((ends[0] - ends[1]) / (2.0 * eps))
            return np.column_stack(cols)
        steps = self.step * np.maximum(1.0, np.abs(theta))
        up = np.minimum(theta + steps, obj.upper)
        down = np.maximum(theta - steps, obj.lower)
        points = np.vstack([theta + np.diag(up - theta), theta + np.diag(down - theta), theta])
        runs = obj.simulate_many(points)
        n = theta.size
        if isinstance(runs[-1], str):
            raise ObjectiveUndefinedError(runs[-1])
        base = self.from_frames(runs[-1], theta, y)  # type: ignore[arg-type]
        cols = []
        for k in range(n):
            # a point beyond which the model has no solution (Crauste's pathogen reaching
            # infinity: its published optimum lies on that edge) gets the one-sided
            # difference from the side that has one
            ends, why = [], ""
            for i, x in ((k, up[k]), (n + k, down[k])):
                try:
                    if isinstance(runs[i], str):
                        raise ObjectiveUndefinedError(runs[i])  # type: ignore[arg-type]
                    ends.append((self.from_frames(runs[i], points[i], y), x))  # type: ignore[arg-type]
                except ObjectiveUndefinedError as exc:
                    why = str(exc)
            if len(ends) == 1 and ends[0][1] != theta[k]:
                ends.append((base, theta[k]))
            if len(ends) < 2:
                raise ObjectiveUndefinedError(f"no finite difference for "
                                              f"{obj.names[k]!r}: {why}")
            (r_hi, x_hi), (r_lo, x_lo) = ends
            cols.append((r_hi - r_lo) / (x_hi - x_lo))
        return np.column_stack(cols)

    def exact(self, theta: FloatArray, y: FloatArray | None = None) -> FloatArray:
        """Residuals from the reference solver."""
        h, sigma = self.obj.predict(theta)
        return self.from_prediction(h, sigma, theta, y)

    def from_frames(self, frames: dict[str, FloatArray], theta: FloatArray,
                    y: FloatArray | None) -> FloatArray:
        h, sigma = self.obj.observe(frames, self.obj.table_values(theta))
        return self.from_prediction(h, sigma, theta, y)

    def from_prediction(self, h: FloatArray, sigma: FloatArray, theta: FloatArray,
                        y: FloatArray | None = None) -> FloatArray:
        obj = self.obj
        m = obj.y if y is None else y
        parts = []
        for o in obj.observables.values():
            rows = o["rows"]
            hs, ms, sg = h[rows], m[rows], sigma[rows]
            if not (np.all(np.isfinite(hs)) and np.all(sg > 0)
                    and (o["transform"] == "lin" or np.all(hs > 0))):
                raise ObjectiveUndefinedError("undefined likelihood")
            if o["transform"] == "lin":
                r, jac = hs - ms, np.zeros_like(ms)
            elif o["transform"] == "log":
                r, jac = np.log(hs) - np.log(ms), np.log(ms)
            else:
                r, jac = np.log10(hs) - np.log10(ms), np.log(ms * math.log(10.0))
            if o["noise"] == "normal":
                parts.append(r / sg)
                parts.append(np.sqrt(2.0 * (0.5 * np.log(2.0 * np.pi * sg ** 2) + jac + _K)))
            else:
                parts.append(np.sqrt(2.0 * np.abs(r) / sg))
                parts.append(np.sqrt(2.0 * (np.log(2.0 * sg) + jac + _K)))
        for k, prior in obj._priors:
            nlp = float(prior.neglogprior(float(theta[k]), x_scaled=True))
            if not math.isfinite(nlp):
                raise ObjectiveUndefinedError(f"prior of {obj.names[k]!r} is zero")
            parts.append(np.array([math.sqrt(2.0 * (nlp + _K))]))
        out = np.concatenate(parts)
        if not np.all(np.isfinite(out)):
            raise ObjectiveUndefinedError("undefined residual")
        return out

    def cost(self, res: FloatArray) -> float:
        """The objective (nllh - log prior) from a residual vector."""
        n_norm = len(self.obj.y) + len(self.obj._priors)
        return float(0.5 * np.sum(res ** 2) - _K * n_norm)


def local_fit(res: Residuals, x0: FloatArray, y: FloatArray | None = None, *,
              max_nfev: int = 200) -> Any:
    """One start's local minimisation within the bounds; returns scipy's result (``.x``).

    Raises :class:`ObjectiveUndefinedError` when the start itself is undefined.
    """
    from scipy.optimize import least_squares, minimize

    obj = res.obj
    lo, hi = obj.lower, obj.upper
    res.last = None
    res(x0, y)  # raises when the start itself is undefined
    if not res.has_jacobian:
        return least_squares(res, x0, bounds=(lo, hi), kwargs={"y": y}, method="trf",
                             x_scale="jac", max_nfev=max_nfev, diff_step=res.step)

    def value_and_gradient(x: FloatArray) -> tuple[float, FloatArray]:
        try:
            r = res.fast(x, y)
            grad = res.jacobian(x, y).T @ r
        except ObjectiveUndefinedError:
            # a trial point without a solution: a higher cost and no slope, so the line
            # search steps back toward the last defined point
            return res.cost(10.0 * res.last + 1.0), np.zeros_like(x)  # type: ignore[operator]
        res.last = r
        return res.cost(r), grad

    # quasi-Newton on the objective itself (gradient J^T r) finds the basin, and the
    # Gauss-Newton trust region then converges in it: the Gauss-Newton model alone stalls
    # in the sigma terms far from the optimum
    first = minimize(value_and_gradient, x0, method="L-BFGS-B", jac=True,
                     bounds=list(zip(lo, hi, strict=True)), options={"maxiter": max_nfev})
    return least_squares(res, first.x, jac=res.jacobian, bounds=(lo, hi),
                         kwargs={"y": y}, method="trf", x_scale="jac", max_nfev=max_nfev)


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class CalibrationResult:
    """Estimates, confidence intervals and the record of every start.

    Attributes
    ----------
    names, scales
        Estimated parameter ids and their PEtab scales.
    estimates
        ``{name: value}`` on the linear scale.
    intervals
        ``{name: (low, high)}`` on the linear scale at ``level`` (a bound is the parameter's
        bound when the profile does not rise above the threshold before it: not identifiable;
        NaN when the profile could not be followed that far).
    cost
        The objective at the optimum: negative log-likelihood minus log-prior.
    llh, log_prior
        The log-likelihood and log-prior at the optimum.
    start_costs
        Final objective of every start, in start order (NaN for a failed start).
    method, level, seed, n_data
        How the intervals were computed, their level, the seed, the number of data points.
    """

    names: tuple[str, ...]
    scales: tuple[str, ...]
    estimates: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    cost: float
    llh: float
    log_prior: float
    start_costs: tuple[float, ...]
    method: str
    level: float
    seed: int | None
    n_data: int
    problem: CalibrationProblem | None = field(default=None, repr=False, compare=False)
    theta: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "estimates": dict(self.estimates),
            "intervals": {k: list(v) for k, v in self.intervals.items()},
            "scales": dict(zip(self.names, self.scales, strict=True)),
            "cost": self.cost,
            "llh": self.llh,
            "nllh": -self.llh,
            "log_prior": self.log_prior,
            "start_costs": [c if math.isfinite(c) else None for c in self.start_costs],
            "ci_method": self.method,
            "level": self.level,
            "seed": self.seed,
            "n_data": self.n_data,
        }


def calibrate(problem: CalibrationProblem | str | Path, *, starts: int = 10,
              rng: np.random.Generator | int | None = None, ci: str | None = "profile",
              level: float = 0.95, n_bootstrap: int = 30, tolerances: Any = None,
              max_nfev: int = 200, ensemble: bool | None = None,
              gradient: str = "auto") -> CalibrationResult:
    """Fit the estimated parameters of a PEtab problem; return estimates and intervals.

    Parameters
    ----------
    problem
        A :class:`CalibrationProblem` or the path of a PEtab problem (:func:`load_petab`).
    starts
        Number of starts, drawn uniformly in the scaled bounds.
    rng
        Seed or generator for the starts (and the bootstrap); recorded in the result.
    ci
        ``"profile"`` (profile likelihood), ``"bootstrap"`` (parametric bootstrap) or ``None``
        (no intervals).
    level
        Confidence level of the intervals.
    n_bootstrap
        Number of bootstrap refits (``ci="bootstrap"``).
    tolerances
        Solver tolerances (default ``rtol=1e-8, atol=1e-12``).
    max_nfev
        Objective evaluations allowed per start (besides the finite-difference Jacobian's).
    ensemble
        Run the residuals and the Jacobian's perturbed points as one compiled ensemble
        (:func:`exobone.simulate.ensemble.run_ensemble`; the first use of a model compiles it,
        then each call is far faster than the reference solver). ``None``: whenever the problem
        allows it (:attr:`Objective.batchable`) and ``gradient`` is not sensitivities. The
        reported objective is always the reference solver's.
    gradient
        ``"sensitivities"``: residuals and their Jacobian from the forward sensitivity
        equations (:mod:`exobone.analysis.calibrate.sensitivity`; refused for a problem they
        do not cover); ``"differences"``: central differences of whole simulations (ensemble)
        or scipy's forward differences (reference solver); ``"auto"`` (default): the
        ensemble's differences where the ensemble runs the problem, else sensitivities where
        they cover it, else scipy's differences.

    Raises
    ------
    InvalidInputError
        For a bad problem, ``starts < 1``, an unknown ``ci`` or a level outside (0, 1).
    SimulationError
        If no start reaches a finite objective.
    """
    prob = problem if isinstance(problem, CalibrationProblem) else load_petab(problem)
    check_options(starts, ci, level, gradient)
    if not prob.estimated:
        raise InvalidInputError("no parameter has estimate=1 in the parameter table")
    obj = Objective(prob, tolerances)
    res = Residuals(obj, ensemble=ensemble, gradient=gradient)
    return fit_residuals(res, prob, starts=starts, rng=rng, ci=ci, level=level,
                         n_bootstrap=n_bootstrap, max_nfev=max_nfev)


def check_options(starts: int, ci: str | None, level: float, gradient: str = "auto") -> None:
    """Refuse fewer than one start, an unknown interval method or gradient, or a level
    outside (0, 1)."""
    if starts < 1:
        raise InvalidInputError(f"starts must be at least 1, got {starts}")
    if ci not in ("profile", "bootstrap", None):
        raise InvalidInputError(f"ci must be 'profile' or 'bootstrap', got {ci!r}")
    if not 0 < level < 1:
        raise InvalidInputError(f"level must be in (0, 1), got {level}")
    if gradient not in ("auto", "sensitivities", "differences"):
        raise InvalidInputError(f"gradient must be 'auto', 'sensitivities' or 'differences', "
                                f"got {gradient!r}")


def fit_residuals(res: Any, problem: CalibrationProblem | None, *, starts: int,
                  rng: np.random.Generator | int | None, ci: str | None, level: float,
                  n_bootstrap: int = 30, max_nfev: int = 200) -> CalibrationResult:
    """Multi-start fit and intervals of prepared residuals (:class:`Residuals`, or the joint
    residuals of several problems: :mod:`exobone.analysis.calibrate.joint`); arguments as
    :func:`calibrate`, checked there."""
    from scipy.stats import chi2

    obj = res.obj
    seed = rng if isinstance(rng, int) else None
    gen = np.random.default_rng(rng)
    lo, hi = obj.lower, obj.upper

    def fit(x0: FloatArray, y: FloatArray | None = None) -> Any:
        return local_fit(res, x0, y, max_nfev=max_nfev)

    costs: list[float] = []
    best: tuple[float, FloatArray] | None = None
    for _ in range(starts):
        cost = math.nan
        for _ in range(_REDRAWS):
            x0 = gen.uniform(lo, hi)
            try:
                sol = fit(x0)
                cost = res.cost(res.fast(sol.x))
            except ObjectiveUndefinedError:
                continue
            break
        costs.append(cost)
        if math.isfinite(cost) and (best is None or cost < best[0]):
            best = (cost, np.asarray(sol.x, dtype=float))
    if best is None:
        raise SimulationError(f"calibration failed: no start reached a finite objective "
                              f"({starts} starts, {_REDRAWS} draws each)")
    _, theta = best
    cost = res.cost(res.exact(theta))  # the reported objective is the reference solver's
    if ci == "profile":
        threshold = float(chi2.ppf(level, df=1)) / 2.0
        at_best = res.cost(res.fast(theta))  # the profile compares costs of one solver
        scaled = {n: _profile(res, theta, at_best, k, threshold)
                  for k, n in enumerate(obj.names)}
    elif ci == "bootstrap":
        scaled = _bootstrap(res, fit, theta, gen, n_bootstrap, level)
    else:
        scaled = {n: (math.nan, math.nan) for n in obj.names}
    intervals = {n: (from_scale(a, s), from_scale(b, s))
                 for (n, (a, b)), s in zip(scaled.items(), obj.scales, strict=True)}
    llh = obj.log_likelihood(theta)
    return CalibrationResult(
        names=tuple(obj.names), scales=tuple(obj.scales),
        estimates={n: from_scale(float(v), s)
                   for n, v, s in zip(obj.names, theta, obj.scales, strict=True)},
        intervals=intervals, cost=cost, llh=llh, log_prior=obj.log_prior(theta),
        start_costs=tuple(costs), method=ci or "none", level=level, seed=seed,
        n_data=len(obj.y), problem=problem, theta=tuple(float(v) for v in theta))


def _profile(res: Residuals, theta: FloatArray, cost: float, k: int, threshold: float, *,
             step: float = 0.02, max_steps: int = 60) -> tuple[float, float]:
    """Walk parameter k away from the optimum (others re-fitted); return the crossing points.

    The step doubles while the objective rises by less than a tenth of the threshold per step,
    so a flat profile reaches its bound; an end neither crossed nor at a bound after
    ``max_steps`` is NaN (unknown), never a bound.
    """
    from scipy.optimize import least_squares

    obj = res.obj
    others = [i for i in range(theta.size) if i != k]
    ends = []
    for direction in (-1.0, 1.0):
        x = theta.copy()
        prev_val, prev_cost = theta[k], cost
        end = math.nan
        if prev_val == (obj.lower[k] if direction < 0 else obj.upper[k]):
            ends.append(float(prev_val))  # the optimum sits on this bound
            continue
        h = step
        for _ in range(max_steps):
            val = float(np.clip(prev_val + direction * h, obj.lower[k], obj.upper[k]))
            x[k] = val
            try:
                if others:
                    def sub(z: FloatArray, val: float = val, x: FloatArray = x) -> FloatArray:
                        full = x.copy()
                        full[others] = z
                        full[k] = val
                        return res(full)

                    def sub_jac(z: FloatArray, val: float = val, x: FloatArray = x
                                ) -> FloatArray:
                        full = x.copy()
                        full[others] = z
                        full[k] = val
                        return res.jacobian(full)[:, others]

                    res.last = None
                    sol = least_squares(sub, x[others], bounds=(obj.lower[others],
                                                                obj.upper[others]),
                                        jac=sub_jac if res.has_jacobian else "2-point",
                                        method="trf", max_nfev=50, diff_step=res.step)
                    x[others] = sol.x
                c = res.cost(res.fast(x))
            except ObjectiveUndefinedError:
                end = prev_val  # the profile cannot be continued past an undefined point
                break
            if c - cost >= threshold:
                # linear interpolation of the crossing between the last two points
                frac = (threshold - (prev_cost - cost)) / max(c - prev_cost, 1e-300)
                end = prev_val + frac * (val - prev_val)
                break
            if val in (obj.lower[k], obj.upper[k]):
                end = val
                break
            if c - prev_cost < 0.1 * threshold:
                h *= 2.0
            prev_val, prev_cost = val, c
        ends.append(float(end))
    return ends[0], ends[1]


def _bootstrap(res: Residuals, fit: Any, theta: FloatArray, gen: np.random.Generator,
               n: int, level: float) -> dict[str, tuple[float, float]]:
    """Parametric bootstrap: refit to data simulated at the estimate with its noise model."""
    obj = res.obj
    h, sigma = obj.predict(theta)
    samples = []
    for _ in range(n):
        y = np.empty_like(h)
        for o in obj.observables.values():
            rows = o["rows"]
            draw = gen.normal if o["noise"] == "normal" else gen.laplace
            noise = draw(0.0, sigma[rows])
            if o["transform"] == "lin":
                y[rows] = h[rows] + noise
            elif o["transform"] == "log":
                y[rows] = h[rows] * np.exp(noise)
            else:
                y[rows] = h[rows] * 10.0 ** noise
        samples.append(fit(theta.copy(), y).x)
    arr = np.array(samples)
    alpha = (1 - level) / 2
    return {name: (float(np.quantile(arr[:, k], alpha)), float(np.quantile(arr[:, k],
                                                                             1 - alpha)))
            for k, name in enumerate(obj.names)}
