"""Calibrate model parameters to time-course data given as a PEtab problem.

The PEtab tables (measurements, conditions, observables, parameters; read with the ``petab``
package) are checked first, with messages naming the table, row and column. The model is the
problem's SBML file imported by :func:`exobone.interop.sbml.import_sbml` (or any ModelSpec passed
in). The fit is multi-start least squares (``scipy.optimize.least_squares``, trust-region
reflective, within bounds) on the parameters' PEtab scale (``log10`` by default), starts drawn
uniformly in the scaled bounds from one seeded generator. Residuals are
``(h(x) - y) / sigma`` for normal noise, on the log scale for ``observableTransformation`` log or
log10. Confidence intervals come from the profile likelihood (each parameter stepped away from
the optimum with the others re-fitted, until the cost rises by the chi-square quantile) or from a
parametric bootstrap (refits to data simulated from the estimate with its noise).

References
----------
Raue A. et al. (2009) Structural and practical identifiability analysis of partially observed
dynamical models by exploiting the profile likelihood. Bioinformatics 25:1923-1929.
Schmiester L. et al. (2021) PEtab - Interoperable specification of parameter estimation problems
in systems biology. PLoS Comput Biol 17:e1008646.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import sympy
import yaml

from exobone.errors import InvalidInputError, SimulationError
from exobone.model import expressions as ex
from exobone.model.spec import ModelSpec

FloatArray = npt.NDArray[np.float64]

__all__ = ["CalibrationProblem", "CalibrationResult", "calibrate", "fit_curves", "load_petab"]

_REQUIRED = {
    "measurement": ("observableId", "simulationConditionId", "measurement", "time"),
    "observable": ("observableId", "observableFormula", "noiseFormula"),
    "parameter": ("parameterId", "parameterScale", "lowerBound", "upperBound", "estimate"),
    "condition": ("conditionId",),
}
_YAML_KEYS = {"measurement": "measurement_files", "observable": "observable_files",
              "condition": "condition_files", "parameter": "parameter_file"}


@dataclass(frozen=True)
class CalibrationProblem:
    """A checked PEtab problem bound to an exobone model."""

    model: ModelSpec
    measurements: Any  # pandas.DataFrame
    observables: Any
    conditions: Any
    parameters: Any
    source: str = ""

    @property
    def estimated(self) -> list[str]:
        """Ids of the parameters to estimate, in table order."""
        df = self.parameters
        return [str(p) for p, e in zip(df["parameterId"], df["estimate"], strict=True)
                if int(e) == 1]


def _read_table(path: Path, kind: str) -> Any:
    import pandas as pd

    if not path.is_file():
        raise InvalidInputError(f"PEtab {kind} table {str(path)!r} does not exist")
    df = pd.read_csv(path, sep="\t")
    missing = [c for c in _REQUIRED[kind] if c not in df.columns]
    if missing:
        raise InvalidInputError(f"PEtab {kind} table {path.name!r} is missing the column(s) "
                                f"{', '.join(missing)} (has: {', '.join(map(str, df.columns))})")
    return df


def _problem_yaml(path: str | Path) -> Path:
    p = Path(path)
    if p.is_dir():
        found = sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
        if not found:
            raise InvalidInputError(f"no PEtab problem .yaml file in directory {str(p)!r}")
        return found[0]
    if not p.is_file():
        raise InvalidInputError(f"PEtab problem {str(p)!r} does not exist")
    return p


def load_petab(path: str | Path, *, model: ModelSpec | None = None) -> CalibrationProblem:
    """Read and check a PEtab problem (its YAML file, or a directory holding one).

    Parameters
    ----------
    path
        The problem YAML (PEtab format version 1) or its directory.
    model
        Use this model instead of importing the problem's SBML file.

    Raises
    ------
    InvalidInputError
        Naming the table and row: a missing file or column, an observable, condition or
        parameter that is not defined, a negative or zero sigma, bad bounds, or a model symbol
        the model does not have.
    """
    yaml_path = _problem_yaml(path)
    config = yaml.safe_load(yaml_path.read_text(encoding="utf-8")) or {}
    base = yaml_path.parent
    problems = config.get("problems") or []
    if not problems:
        raise InvalidInputError(f"{yaml_path.name}: no 'problems' entry (PEtab format 1)")
    entry = problems[0]
    tables: dict[str, Any] = {}
    for kind, key in _YAML_KEYS.items():
        files = config.get(key) if kind == "parameter" else entry.get(key)
        if not files:
            raise InvalidInputError(f"{yaml_path.name}: no {key} listed")
        first = files if isinstance(files, str) else files[0]
        tables[kind] = _read_table(base / first, kind)
    if model is None:
        sbml = entry.get("sbml_files") or []
        if not sbml:
            raise InvalidInputError(f"{yaml_path.name}: no sbml_files listed and no model given")
        from exobone.interop.sbml import import_sbml

        model = import_sbml(base / sbml[0])
    prob = CalibrationProblem(model, tables["measurement"], tables["observable"],
                              tables["condition"], tables["parameter"], str(yaml_path))
    _check(prob)
    try:  # petab's own reader must accept it too (the tables are the PEtab standard)
        import petab.v1 as petab_v1

        petab_v1.Problem.from_yaml(yaml_path)
    except (ImportError, ValueError, KeyError) as exc:
        raise InvalidInputError(f"petab cannot read {yaml_path.name}: {exc}") from exc
    return prob


def _check(prob: CalibrationProblem) -> None:
    obs_ids = set(map(str, prob.observables["observableId"]))
    cond_ids = set(map(str, prob.conditions["conditionId"]))
    par = prob.parameters
    par_ids = set(map(str, par["parameterId"]))
    model_syms = set(prob.model.state_names) | set(prob.model.parameter_names) | set(
        prob.model.assignment_names)
    for i, row in enumerate(prob.measurements.itertuples(index=False), start=2):
        r = row._asdict()
        if str(r["observableId"]) not in obs_ids:
            raise InvalidInputError(f"measurement table, line {i}: observable "
                                    f"{r['observableId']!r} is not in the observables table "
                                    f"({', '.join(sorted(obs_ids))})")
        if str(r["simulationConditionId"]) not in cond_ids:
            raise InvalidInputError(f"measurement table, line {i}: condition "
                                    f"{r['simulationConditionId']!r} is not in the conditions "
                                    f"table")
        for col in ("measurement", "time"):
            if not math.isfinite(float(r[col])):
                raise InvalidInputError(f"measurement table, line {i}: {col} is not a number")
        if float(r["time"]) < 0:
            raise InvalidInputError(f"measurement table, line {i}: time {r['time']} is negative")
        noise = r.get("noiseParameters")
        if noise is not None and not (isinstance(noise, float) and math.isnan(noise)):
            for item in str(noise).split(";"):
                try:
                    value = float(item)
                except ValueError:
                    if item not in par_ids:
                        raise InvalidInputError(f"measurement table, line {i}: noise "
                                                f"parameter {item!r} is not a number or a "
                                                f"parameter") from None
                    continue
                if not value > 0:
                    raise InvalidInputError(f"measurement table, line {i}: sigma {value} must "
                                            f"be positive")
    for i, row in enumerate(prob.observables.itertuples(index=False), start=2):
        r = row._asdict()
        formula = str(r["noiseFormula"])
        try:
            sigma = float(formula)
        except ValueError:
            sigma = None
        if sigma is not None and not sigma > 0:
            raise InvalidInputError(f"observables table, line {i} ({r['observableId']}): "
                                    f"noiseFormula {sigma} must be positive (a sigma)")
        allowed = model_syms | par_ids
        for nm in ex.names_in(str(r["observableFormula"])):
            if nm not in allowed and nm not in ex.RESERVED and not nm.startswith(
                    "observableParameter"):
                raise InvalidInputError(f"observables table, line {i} ({r['observableId']}): "
                                        f"{nm!r} is not a state, parameter or output of model "
                                        f"{prob.model.name!r}")
    for i, row in enumerate(par.itertuples(index=False), start=2):
        r = row._asdict()
        pid = str(r["parameterId"])
        scale = str(r["parameterScale"])
        if scale not in ("lin", "log", "log10"):
            raise InvalidInputError(f"parameter table, line {i} ({pid}): parameterScale "
                                    f"{scale!r} is not lin, log or log10")
        lo, hi = float(r["lowerBound"]), float(r["upperBound"])
        if int(r["estimate"]) == 1:
            if not lo < hi or (scale != "lin" and lo <= 0):
                raise InvalidInputError(f"parameter table, line {i} ({pid}): bounds "
                                        f"[{lo}, {hi}] are not a valid {scale} interval")
            if pid not in prob.model.parameter_names:
                raise InvalidInputError(f"parameter table, line {i}: {pid!r} is not a "
                                        f"parameter of model {prob.model.name!r}")
    for col in prob.conditions.columns:
        if col in ("conditionId", "conditionName"):
            continue
        if col not in prob.model.parameter_names and col not in prob.model.state_names:
            raise InvalidInputError(f"conditions table: column {col!r} is not a parameter or "
                                    f"state of model {prob.model.name!r}")


# ----------------------------------------------------------------------------- objective
def _to_scale(value: float, scale: str) -> float:
    return math.log10(value) if scale == "log10" else math.log(value) if scale == "log" \
        else value


def _from_scale(value: float, scale: str) -> float:
    return 10.0 ** value if scale == "log10" else math.exp(value) if scale == "log" else value


class _Objective:
    """Residuals of a checked problem as a function of the scaled estimated parameters."""

    def __init__(self, prob: CalibrationProblem, tolerances: Any) -> None:
        from exobone.simulate import Tolerances

        self.prob = prob
        self.tol = tolerances or Tolerances(rtol=1e-8, atol=1e-10)
        par = prob.parameters.set_index("parameterId")
        self.names = prob.estimated
        self.scales = [str(par.loc[n, "parameterScale"]) for n in self.names]
        self.lower = np.array([_to_scale(float(par.loc[n, "lowerBound"]), s)
                               for n, s in zip(self.names, self.scales, strict=True)])
        self.upper = np.array([_to_scale(float(par.loc[n, "upperBound"]), s)
                               for n, s in zip(self.names, self.scales, strict=True)])
        self.fixed = {str(p): float(v) for p, v, e in zip(
            par.index, par.get("nominalValue", [math.nan] * len(par)), par["estimate"],
            strict=True) if int(e) == 0 and str(p) in prob.model.parameter_names
            and math.isfinite(float(v))}
        spec = prob.model
        syms = {n: sympy.Symbol(n, real=True) for n in
                (*spec.state_names, *spec.assignment_names, *spec.parameter_names)}
        self.observables: dict[str, tuple[Any, str, str]] = {}
        for row in prob.observables.itertuples(index=False):
            r = row._asdict()
            expr = ex.parse(str(r["observableFormula"]), syms,
                            where=f"observable {r['observableId']!r}")
            names = sorted(str(s) for s in expr.free_symbols)
            fn = sympy.lambdify([sympy.Symbol(n, real=True) for n in names], expr, "numpy")
            transform = str(r.get("observableTransformation", "lin"))
            if transform == "nan":
                transform = "lin"
            self.observables[str(r["observableId"])] = (fn, ",".join(names), transform)
        self.noise = {str(r.observableId): str(r.noiseFormula)
                      for r in prob.observables.itertuples(index=False)}
        self.data = prob.measurements.reset_index(drop=True)
        self.sigma = np.array([self._sigma(row) for row in
                               self.data.to_dict(orient="records")])
        self.y = self.data["measurement"].to_numpy(dtype=float)
        self.conditions = prob.conditions.set_index("conditionId")
        self.n_evals = 0

    def _sigma(self, row: Mapping[str, Any]) -> float:
        formula = self.noise[str(row["observableId"])]
        try:
            return float(formula)
        except ValueError:
            pass
        noise = str(row.get("noiseParameters", ""))
        values = [float(v) if _is_number(v) else self.fixed.get(v, math.nan)
                  for v in noise.split(";")] if noise and noise != "nan" else []
        if formula.startswith("noiseParameter1_") and values:
            return values[0]
        raise InvalidInputError(f"noise formula {formula!r} of observable "
                                f"{row['observableId']!r}: only a number or "
                                f"noiseParameter1_<observable> with numeric noiseParameters "
                                f"is supported (estimating sigma is not)")

    def values(self, theta: FloatArray) -> dict[str, float]:
        return {**self.fixed, **{n: _from_scale(float(v), s) for n, v, s in
                                 zip(self.names, theta, self.scales, strict=True)}}

    def simulate(self, theta: FloatArray, *, dense: int = 0) -> dict[str, Any]:
        """Simulate every condition; return ``{condition: Trajectory}``."""
        from exobone.simulate import SaveAt, simulate

        values = self.values(theta)
        spec = self.prob.model
        out: dict[str, Any] = {}
        for cond, rows in self.data.groupby("simulationConditionId", sort=False):
            params = dict(values)
            initial: dict[str, float] = {}
            if cond in self.conditions.index:
                for col, v in self.conditions.loc[cond].items():
                    if col == "conditionName" or not _is_number(v):
                        continue
                    (params if col in spec.parameter_names else initial)[str(col)] = float(v)
            times = np.unique(rows["time"].to_numpy(dtype=float))
            t_end = float(times[-1]) if times[-1] > 0 else 1.0
            grid = np.unique(np.concatenate([times, np.linspace(0, t_end, dense)])) if dense \
                else times
            out[str(cond)] = simulate(spec, (0.0, t_end), params=params, initial=initial,
                                      saveat=SaveAt(times=grid), tolerances=self.tol,
                                      throw=False)
        return out

    def predict(self, trajs: Mapping[str, Any]) -> FloatArray:
        pred = np.empty(len(self.data))
        for i, row in enumerate(self.data.itertuples(index=False)):
            traj = trajs[str(row.simulationConditionId)]
            k = int(np.searchsorted(traj.times, float(row.time)))
            fn, names, _ = self.observables[str(row.observableId)]
            args = []
            for n in names.split(",") if names else []:
                args.append(traj[n][k] if n in traj else self._param(traj, n))
            pred[i] = float(fn(*args))
        return pred

    def _param(self, traj: Any, name: str) -> float:
        return float(traj.provenance.parameters[name])

    def residuals(self, theta: FloatArray, y: FloatArray | None = None) -> FloatArray:
        self.n_evals += 1
        trajs = self.simulate(theta)
        if not all(t.ok for t in trajs.values()):
            return np.full(len(self.data), 1e6)
        pred = self.predict(trajs)
        data = self.y if y is None else y
        res = np.empty_like(pred)
        for i, obs in enumerate(self.data["observableId"]):
            transform = self.observables[str(obs)][2]
            if transform == "lin":
                res[i] = pred[i] - data[i]
            else:
                log = np.log10 if transform == "log10" else np.log
                res[i] = (log(max(pred[i], 1e-300)) - log(max(data[i], 1e-300)))
        out = res / self.sigma
        return np.where(np.isfinite(out), out, 1e6)


def _is_number(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


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
        bound when the profile does not rise above the threshold before it: not identifiable).
    cost
        ``sum(residuals**2)`` at the optimum (``-2 log L`` up to a constant).
    start_costs
        Final cost of every start, in start order (NaN for a failed start).
    method, level, seed, n_data
        How the intervals were computed, their level, the seed, the number of data points.
    """

    names: tuple[str, ...]
    scales: tuple[str, ...]
    estimates: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    cost: float
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
            "start_costs": [c if math.isfinite(c) else None for c in self.start_costs],
            "ci_method": self.method,
            "level": self.level,
            "seed": self.seed,
            "n_data": self.n_data,
        }


def calibrate(problem: CalibrationProblem | str | Path, *, starts: int = 10,
              rng: np.random.Generator | int | None = None, ci: str = "profile",
              level: float = 0.95, n_bootstrap: int = 30, tolerances: Any = None,
              max_nfev: int = 200) -> CalibrationResult:
    """Fit the estimated parameters of a PEtab problem; return estimates and intervals.

    Parameters
    ----------
    problem
        A :class:`CalibrationProblem` or the path of a PEtab problem (:func:`load_petab`).
    starts
        Number of least-squares starts, drawn uniformly in the scaled bounds.
    rng
        Seed or generator for the starts (and the bootstrap); recorded in the result.
    ci
        ``"profile"`` (profile likelihood) or ``"bootstrap"`` (parametric bootstrap).
    level
        Confidence level of the intervals.
    n_bootstrap
        Number of bootstrap refits (``ci="bootstrap"``).
    tolerances
        Solver tolerances (default ``rtol=1e-8, atol=1e-10``).
    max_nfev
        Residual evaluations allowed per start.

    Raises
    ------
    InvalidInputError
        For a bad problem, ``starts < 1``, an unknown ``ci`` or a level outside (0, 1).
    SimulationError
        If no start converges.
    """
    from scipy.optimize import least_squares
    from scipy.stats import chi2

    prob = problem if isinstance(problem, CalibrationProblem) else load_petab(problem)
    if starts < 1:
        raise InvalidInputError(f"starts must be at least 1, got {starts}")
    if ci not in ("profile", "bootstrap"):
        raise InvalidInputError(f"ci must be 'profile' or 'bootstrap', got {ci!r}")
    if not 0 < level < 1:
        raise InvalidInputError(f"level must be in (0, 1), got {level}")
    if not prob.estimated:
        raise InvalidInputError("no parameter has estimate=1 in the parameter table")
    seed = rng if isinstance(rng, int) else None
    gen = np.random.default_rng(rng)
    obj = _Objective(prob, tolerances)
    lo, hi = obj.lower, obj.upper

    def fit(x0: FloatArray, y: FloatArray | None = None) -> Any:
        return least_squares(obj.residuals, x0, bounds=(lo, hi), kwargs={"y": y},
                             method="trf", x_scale="jac", max_nfev=max_nfev, diff_step=1e-6)

    costs: list[float] = []
    best = None
    for _ in range(starts):
        x0 = gen.uniform(lo, hi)
        sol = fit(x0)
        cost = float(np.sum(sol.fun ** 2))
        costs.append(cost if math.isfinite(cost) else math.nan)
        if best is None or cost < float(np.sum(best.fun ** 2)):
            best = sol
    if best is None or not math.isfinite(float(np.sum(best.fun ** 2))):
        raise SimulationError("calibration failed: no start reached a finite cost")
    theta = np.asarray(best.x, dtype=float)
    cost = float(np.sum(best.fun ** 2))
    if ci == "profile":
        threshold = float(chi2.ppf(level, df=1))
        scaled = {n: _profile(obj, fit, theta, cost, k, threshold)
                  for k, n in enumerate(obj.names)}
    else:
        scaled = _bootstrap(obj, fit, theta, gen, n_bootstrap, level)
    intervals = {n: (_from_scale(a, s), _from_scale(b, s))
                 for (n, (a, b)), s in zip(scaled.items(), obj.scales, strict=True)}
    return CalibrationResult(
        names=tuple(obj.names), scales=tuple(obj.scales),
        estimates={n: _from_scale(float(v), s)
                   for n, v, s in zip(obj.names, theta, obj.scales, strict=True)},
        intervals=intervals, cost=cost, start_costs=tuple(costs), method=ci, level=level,
        seed=seed, n_data=len(obj.y), problem=prob, theta=tuple(float(v) for v in theta))


def _profile(obj: _Objective, fit: Any, theta: FloatArray, cost: float, k: int,
             threshold: float, *, step: float = 0.02, max_steps: int = 60) -> tuple[float, float]:
    """Walk parameter k away from the optimum (others re-fitted); return the crossing points."""
    from scipy.optimize import least_squares

    others = [i for i in range(theta.size) if i != k]
    ends = []
    for direction in (-1.0, 1.0):
        x = theta.copy()
        prev_val, prev_cost = theta[k], cost
        end = obj.lower[k] if direction < 0 else obj.upper[k]
        for _ in range(max_steps):
            val = float(np.clip(prev_val + direction * step, obj.lower[k], obj.upper[k]))
            x[k] = val
            if others:
                def sub(z: FloatArray, val: float = val, x: FloatArray = x) -> FloatArray:
                    full = x.copy()
                    full[others] = z
                    full[k] = val
                    return obj.residuals(full)

                sol = least_squares(sub, x[others], bounds=(obj.lower[others],
                                                            obj.upper[others]),
                                    method="trf", max_nfev=50, diff_step=1e-6)
                x[others] = sol.x
                c = float(np.sum(sol.fun ** 2))
            else:
                c = float(np.sum(obj.residuals(x) ** 2))
            if c - cost >= threshold:
                # linear interpolation of the crossing between the last two points
                frac = (threshold - (prev_cost - cost)) / max(c - prev_cost, 1e-300)
                end = prev_val + frac * (val - prev_val)
                break
            if val in (obj.lower[k], obj.upper[k]):
                end = val
                break
            prev_val, prev_cost = val, c
        ends.append(float(end))
    return ends[0], ends[1]


def _bootstrap(obj: _Objective, fit: Any, theta: FloatArray, gen: np.random.Generator,
               n: int, level: float) -> dict[str, tuple[float, float]]:
    """Parametric bootstrap: refit to data simulated at the estimate plus its noise."""
    clean = obj.predict(obj.simulate(theta))
    samples = []
    for _ in range(n):
        y = clean + gen.normal(0.0, obj.sigma)
        sol = fit(theta.copy(), y)
        samples.append(sol.x)
    arr = np.array(samples)
    alpha = (1 - level) / 2
    return {name: (float(np.quantile(arr[:, k], alpha)), float(np.quantile(arr[:, k],
                                                                             1 - alpha)))
            for k, name in enumerate(obj.names)}


def fit_curves(result: CalibrationResult, *, dense: int = 200) -> dict[str, list[dict[str, Any]]]:
    """Return, per observable, the fitted curve and the data of each condition (for plotting).

    Each entry has ``condition``, ``times`` and ``fit`` (the observable on ``dense`` times) and
    ``data_times``, ``data``, ``sigma`` (the measurements and their noise); drawn by
    :func:`exobone.plotting.plot_calibration`.

    Raises
    ------
    InvalidInputError
        If the result carries no problem.
    """
    if result.problem is None:
        raise InvalidInputError("this calibration result has no problem to plot")
    obj = _Objective(result.problem, None)
    trajs = obj.simulate(np.array(result.theta), dense=dense)
    panels: dict[str, list[dict[str, Any]]] = {}
    for obs, (fn, names, _) in obj.observables.items():
        panels[obs] = []
        for cond, traj in trajs.items():
            args = [traj[n] if n in traj else np.full(traj.times.size, obj._param(traj, n))
                    for n in (names.split(",") if names else [])]
            curve = np.broadcast_to(np.asarray(fn(*args), dtype=float), traj.times.shape)
            rows = obj.data[(obj.data["observableId"] == obs)
                            & (obj.data["simulationConditionId"] == cond)]
            panels[obs].append({
                "condition": cond, "times": traj.times, "fit": curve,
                "data_times": rows["time"].to_numpy(dtype=float),
                "data": rows["measurement"].to_numpy(dtype=float),
                "sigma": obj.sigma[rows.index.to_numpy()]})
    return panels
