"""The PEtab objective: simulate every experiment and sum the log-likelihood of every datum.

Follows the PEtab format 1 specification (Schmiester et al. 2021):

* parameters: the parameter table's nominal values (linear scale) for fixed parameters, the
  estimated ones from the vector ``theta`` on their ``parameterScale``; a condition-table value
  is a number or the id of a table parameter;
* an experiment is a (preequilibration condition, simulation condition) pair: with a
  preequilibration condition the model runs to steady state under it, then the simulation
  condition's parameters apply and its non-NaN species values re-initialise those species;
* ``time = inf`` data are the steady state of the simulation condition;
* ``observableParameter{n}_{obs}`` and ``noiseParameter{n}_{obs}`` placeholders take the n-th
  entry of the row's ``observableParameters``/``noiseParameters`` (a number or a table id);
* the log-likelihood of a datum is that of its ``noiseDistribution`` (normal or laplace) on its
  ``observableTransformation`` scale, including the change-of-variables term
  (e.g. ``-log(m * ln 10)`` for log10), exactly as ``petab.v1.calculate.calculate_single_llh``;
* priors (``objectivePriorType``) are the densities of ``petab.v1.priors.Prior``.

A datum whose likelihood is undefined (failed simulation, log of a non-positive simulated value,
sigma not positive) raises :class:`ObjectiveUndefinedError`: never a silent penalty.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import sympy

from exobone.analysis.calibrate.problem import CalibrationProblem, UnsupportedPEtabError
from exobone.analysis.calibrate.steady import ObjectiveUndefinedError, steady_state
from exobone.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]

__all__ = ["Objective", "ObjectiveUndefinedError", "from_scale", "to_scale"]

_LN10 = math.log(10.0)


def to_scale(value: float, scale: str) -> float:
    """Return ``value`` on a PEtab parameter scale (lin, log, log10); 0 is -inf on a log scale.

    Raises
    ------
    InvalidInputError
        For a negative value on a log scale.
    """
    if scale == "lin":
        return value
    if value < 0 or math.isnan(value):
        raise InvalidInputError(f"{value} has no {scale} value (parameterScale {scale})")
    if value == 0:
        return -math.inf
    return math.log10(value) if scale == "log10" else math.log(value)


def from_scale(value: float, scale: str) -> float:
    """Return a value given on a PEtab parameter scale on the linear scale."""
    return 10.0 ** value if scale == "log10" else math.exp(value) if scale == "log" else value


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _entries(cell: Any) -> list[float | str]:
    """Split an observableParameters/noiseParameters cell into numbers and ids."""
    if _missing(cell) or cell == "":
        return []
    out: list[float | str] = []
    for item in str(cell).split(";") if isinstance(cell, str) else [cell]:
        item = item.strip() if isinstance(item, str) else item
        try:
            out.append(float(item))
        except ValueError:
            out.append(str(item))
    return out


class _Formula:
    """An observable or noise formula compiled for vectors of rows."""

    def __init__(self, text: str, where: str) -> None:
        from petab.v1.math import sympify_petab

        try:
            expr = sympify_petab(text)
        except Exception as exc:  # noqa: BLE001 - petab's parser raises several types
            raise InvalidInputError(f"{where}: cannot parse {text!r}: "
                                    f"{str(exc).splitlines()[0]}") from None
        self.symbols = sorted(str(s) for s in expr.free_symbols)
        self.fn = sympy.lambdify([sympy.Symbol(s, real=True) for s in self.symbols],
                                 expr.subs({s: sympy.Symbol(str(s), real=True)
                                            for s in expr.free_symbols}), "numpy")

    def __call__(self, values: Mapping[str, Any], n: int) -> FloatArray:
        with np.errstate(all="ignore"):
            out = self.fn(*(values[s] for s in self.symbols))
        return np.broadcast_to(np.asarray(out, dtype=float), (n,)).copy()


class Objective:
    """The PEtab log-likelihood and log-prior of a problem, as functions of ``theta``.

    ``theta`` holds the estimated parameters (table order) on their ``parameterScale``.
    """

    def __init__(self, prob: CalibrationProblem, tolerances: Any = None) -> None:
        from exobone.simulate import Tolerances, compile_model

        self.prob = prob
        self.tol = tolerances or Tolerances(rtol=1e-8, atol=1e-12)
        self.cm = compile_model(prob.model)
        par = prob.parameters
        self.table_scale = dict(zip(map(str, par["parameterId"]), par["parameterScale"],
                                    strict=True))
        self.nominal = {str(p): float(v) for p, v in
                        zip(par["parameterId"], par["nominalValue"], strict=True)}
        self.names = prob.estimated
        self.scales = [self.table_scale[n] for n in self.names]
        self.lower = np.array([to_scale(float(v), s) for v, s in zip(
            par.set_index("parameterId").loc[self.names, "lowerBound"], self.scales,
            strict=True)])
        self.upper = np.array([to_scale(float(v), s) for v, s in zip(
            par.set_index("parameterId").loc[self.names, "upperBound"], self.scales,
            strict=True)])
        self.theta_nominal = np.array([to_scale(self.nominal[n], s)
                                       for n, s in zip(self.names, self.scales, strict=True)])
        self._priors = self._read_priors()
        self._conditions = prob.conditions.set_index("conditionId")
        self._read_data()
        self.n_evals = 0

    # ------------------------------------------------------------------ set-up
    def _read_priors(self) -> list[tuple[int, Any]]:
        from petab.v1.priors import Prior

        par = self.prob.parameters
        if "objectivePriorType" not in par:
            return []
        out = []
        rows = par.set_index("parameterId")
        for k, name in enumerate(self.names):
            row = rows.loc[name].to_dict()
            if _missing(row.get("objectivePriorType")):
                continue
            try:
                out.append((k, Prior.from_par_dict({**row, "parameterId": name},
                                                   type_="objective")))
            except ValueError as exc:
                raise UnsupportedPEtabError(f"parameter {name!r}: objective prior "
                                            f"{row['objectivePriorType']!r}: {exc}") from None
        return out

    def _read_data(self) -> None:
        meas = self.prob.measurements
        ids = self.prob.sbml_ids
        pre = meas["preequilibrationConditionId"] if "preequilibrationConditionId" in meas \
            else [math.nan] * len(meas)
        self.experiments: list[tuple[str, str]] = []
        exp_index: dict[tuple[str, str], int] = {}
        self.row_exp = np.empty(len(meas), dtype=int)
        for i, (p, s) in enumerate(zip(pre, meas["simulationConditionId"], strict=True)):
            key = ("" if _missing(p) else str(p), str(s))
            if key not in exp_index:
                exp_index[key] = len(self.experiments)
                self.experiments.append(key)
            self.row_exp[i] = exp_index[key]
        self.row_time = meas["time"].to_numpy(dtype=float)
        self.y = meas["measurement"].to_numpy(dtype=float)
        # save times of each experiment: its finite data times, then inf when it has steady
        # state data; a row's frame is its position in the concatenation over experiments
        self.exp_times: list[FloatArray] = []
        self.row_frame = np.empty(len(meas), dtype=int)
        offset = 0
        for e in range(len(self.experiments)):
            rows = np.flatnonzero(self.row_exp == e)
            times = np.unique(self.row_time[rows])
            self.exp_times.append(times)
            self.row_frame[rows] = offset + np.searchsorted(times, self.row_time[rows])
            offset += times.size
        self.n_frames = offset
        obs = self.prob.observables.set_index("observableId")
        self.observables: dict[str, dict[str, Any]] = {}
        opar = meas.get("observableParameters", [math.nan] * len(meas))
        npar = meas.get("noiseParameters", [math.nan] * len(meas))
        row_obs = meas["observableId"].astype(str).to_numpy()
        for oid in dict.fromkeys(row_obs):
            o = obs.loc[oid]
            rows = np.flatnonzero(row_obs == oid)
            transform = o.get("observableTransformation", "lin")
            noise = o.get("noiseDistribution", "normal")
            entry = {
                "rows": rows,
                "h": _Formula(str(o["observableFormula"]), f"observable {oid!r}"),
                "sigma": _Formula(str(o["noiseFormula"]), f"noise formula of {oid!r}"),
                "transform": "lin" if _missing(transform) else str(transform),
                "noise": "normal" if _missing(noise) else str(noise),
                "observableParameter": [_entries(opar[i]) for i in rows],
                "noiseParameter": [_entries(npar[i]) for i in rows],
            }
            for formula in (entry["h"], entry["sigma"]):
                for sym in formula.symbols:
                    if sym in ids or sym in self.table_scale or sym == "time":
                        continue
                    kind, _, rest = sym.partition("Parameter")
                    if kind not in ("observable", "noise") or not rest.endswith(f"_{oid}"):
                        raise InvalidInputError(f"observable {oid!r} uses {sym!r}, which is "
                                                f"not a model symbol, table parameter or "
                                                f"placeholder of {oid!r}")
            self.observables[str(oid)] = entry
        self._cond_cache: dict[str, tuple[dict[str, float | str], dict[str, float | str]]] = {}

    def _condition(self, cid: str) -> tuple[dict[str, float | str], dict[str, float | str]]:
        """``(parameter overrides, species values)`` of a condition, as numbers or table ids."""
        if cid not in self._cond_cache:
            if cid not in self._conditions.index:
                raise InvalidInputError(f"condition {cid!r} is not in the conditions table")
            params: dict[str, float | str] = {}
            species: dict[str, float | str] = {}
            states = set(self.prob.model.state_names)
            for col, v in self._conditions.loc[cid].items():
                if col == "conditionName":
                    continue
                name = self.prob.sbml_ids[str(col)]
                if _missing(v):
                    if name in states:
                        continue  # NaN: the species is not re-initialised
                    raise UnsupportedPEtabError(f"condition {cid!r}: NaN for parameter "
                                                f"{col!r} (PEtab leaves its value undefined)")
                value: float | str = float(v) if not isinstance(v, str) else v
                if isinstance(value, str):
                    try:
                        value = float(value)
                    except ValueError:
                        pass
                (species if name in states else params)[name] = value
            self._cond_cache[cid] = (params, species)
        return self._cond_cache[cid]

    # ------------------------------------------------------------------ evaluation
    def table_values(self, theta: FloatArray) -> dict[str, float]:
        """Every parameter of the table on the linear scale (estimated ones from ``theta``)."""
        values = dict(self.nominal)
        for n, v, s in zip(self.names, theta, self.scales, strict=True):
            values[n] = from_scale(float(v), s)
        return values

    def _resolve(self, items: Mapping[str, float | str], pv: Mapping[str, float]
                 ) -> dict[str, float]:
        return {k: (pv[v] if isinstance(v, str) else v) for k, v in items.items()}

    def _model_params(self, cid: str, pv: Mapping[str, float]) -> dict[str, float]:
        ids = self.prob.sbml_ids
        params = {ids[k]: v for k, v in pv.items() if k in ids}
        cond_params, _ = self._condition(cid)
        params.update(self._resolve(cond_params, pv))
        return params

    def simulate(self, theta: FloatArray) -> dict[str, FloatArray]:
        """Return ``{symbol: values at every frame}`` for every model symbol (SBML ids)."""
        from exobone.simulate import SaveAt, simulate

        pv = self.table_values(theta)
        spec, cm = self.prob.model, self.cm
        frames = {name: np.empty(self.n_frames) for name in
                  (*cm.states, *cm.assignments, *cm.parameters)}
        offset = 0
        for (pre, sim), times in zip(self.experiments, self.exp_times, strict=True):
            params = self._model_params(sim, pv)
            initial = self._resolve(self._condition(sim)[1], pv)
            if pre:
                pre_params = self._model_params(pre, pv)
                y_ss = steady_state(spec, cm, pre_params, self._resolve(
                    self._condition(pre)[1], pv), self.tol, where=f"preequilibration "
                    f"condition {pre!r}")
                initial = {**dict(zip(cm.states, y_ss.tolist(), strict=True)), **initial}
            finite = times[np.isfinite(times)]
            if finite.size:
                t_end = float(finite[-1]) if finite[-1] > 0 else 1.0
                traj = simulate(spec, (0.0, t_end), params=params, initial=initial,
                                saveat=SaveAt(times=finite), tolerances=self.tol, throw=False)
                if not traj.ok:
                    raise ObjectiveUndefinedError(f"simulation of condition {sim!r} failed: "
                                                  f"{traj.message}")
                p_run = traj.provenance.parameters
                for name, column in frames.items():
                    column[offset:offset + finite.size] = \
                        traj[name] if name in traj else p_run[name]
            if finite.size < times.size:  # steady-state data
                y_ss = steady_state(spec, cm, params, initial, self.tol,
                                    where=f"steady state of condition {sim!r}")
                p = cm.parameter_vector(spec, params)
                k = offset + finite.size
                assigned = cm.evaluate_assignments(math.inf, y_ss, p)
                for name, v in zip(cm.states, y_ss, strict=True):
                    frames[name][k] = v
                for name, v in zip(cm.assignments, assigned, strict=True):
                    frames[name][k] = v
                for name, v in zip(cm.parameters, p, strict=True):
                    frames[name][k] = v
            offset += times.size
        return frames

    def predict(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Return the simulated observable and sigma of every measurement row."""
        self.n_evals += 1
        return self.observe(self.simulate(theta), self.table_values(theta))

    @property
    def batchable(self) -> bool:
        """Whether every experiment is a plain run from t=0 (no preequilibration, steady-state
        data, species values in conditions other than through a parameter of their own, or
        events other than scheduled boluses or switches:
        :mod:`~exobone.analysis.calibrate.boluses`), so that many parameter vectors can run as
        one ensemble (:meth:`simulate_many`)."""
        from exobone.analysis.calibrate.boluses import why_not_exact

        return (not why_not_exact(self) and self._initial_parameters() is not None and all(
            not pre and np.all(np.isfinite(times))
            for (pre, sim), times in zip(self.experiments, self.exp_times, strict=True)))

    def _initial_parameters(self) -> dict[str, str] | None:
        """``{species: parameter}`` through which the ensemble sets each species a condition
        gives a value (the ensemble takes parameters, not initial states); ``None`` where a
        condition leaves such a species to an initial expression (an expression of the
        parameters cannot be told apart from a fixed value in one parameter)."""
        if not hasattr(self, "_init_params"):
            spec = self.prob.model
            states = {st.name: st for st in spec.states}
            set_by = [set(self._condition(sim)[1]) for _, sim in self.experiments]
            taken = set(spec.parameter_names)
            mapping: dict[str, str] | None = {}
            for name in sorted(set().union(*set_by)):
                if isinstance(states[name].initial, str) and not all(name in s for s in set_by):
                    mapping = None
                    break
                param = f"petab_initial_{name}"
                while param in taken:
                    param += "_"
                taken.add(param)
                mapping[name] = param
            self._init_params = mapping
        return self._init_params

    def _batch_model(self) -> tuple[Any, Any]:
        """``(spec, compiled)`` the ensemble runs: the problem's model, with each species a
        condition sets starting from its own parameter (:meth:`_initial_parameters`)."""
        if not hasattr(self, "_batch"):
            from exobone.model.parameters import Assumed, Parameter
            from exobone.simulate.compile import compile_model

            spec, mapping = self.prob.model, self._initial_parameters() or {}
            if mapping:
                states = {st.name: st for st in spec.states}
                extra = tuple(Parameter(
                    param, 0.0 if isinstance(states[name].initial, str)
                    else float(states[name].initial), unit=states[name].unit,
                    source=Assumed("the initial value of a species a PEtab condition sets; "
                                   "every run sets it")) for name, param in mapping.items())
                spec = spec.with_initial(mapping)
                spec = replace(spec, parameters=(*spec.parameters, *extra))
            self._batch = (spec, compile_model(spec) if mapping else self.cm)
        return self._batch

    def simulate_many(self, thetas: FloatArray) -> list[dict[str, FloatArray] | str]:
        """Frames (as :meth:`simulate`) for each row of ``thetas``, or why its run failed.

        All runs go through :func:`exobone.simulate.ensemble.run_ensemble` (the compiled
        ensemble backend); only for :attr:`batchable` problems.
        """
        from exobone.simulate import SaveAt
        from exobone.simulate.ensemble import run_ensemble

        spec, cm = self._batch_model()
        mapping = self._initial_parameters() or {}
        rows = []
        for theta in thetas:
            pv = self.table_values(theta)
            for _, sim in self.experiments:
                params = self._model_params(sim, pv)
                for name, value in self._resolve(self._condition(sim)[1], pv).items():
                    params[mapping[name]] = value
                rows.append(cm.parameter_vector(spec, params))
        grid = np.unique(np.concatenate([[0.0], *self.exp_times]))
        outputs = [*cm.states, *cm.assignments]
        run = run_ensemble(spec, np.array(rows), saveat=SaveAt(times=grid), outputs=outputs,
                           tolerances=self.tol)
        values = {name: run.values(name) for name in outputs}
        n_exp = len(self.experiments)
        out: list[dict[str, FloatArray] | str] = []
        for i in range(len(thetas)):
            frames = {name: np.empty(self.n_frames) for name in (*outputs, *cm.parameters)}
            offset, failed = 0, ""
            for e, times in enumerate(self.exp_times):
                m = i * n_exp + e
                if not run.ok[m]:
                    failed = f"simulation of condition {self.experiments[e][1]!r} failed: " \
                             f"{run.messages[m]}"
                    break
                idx = np.searchsorted(grid, times)
                for name in outputs:
                    frames[name][offset:offset + times.size] = values[name][m, idx]
                for j, name in enumerate(cm.parameters):
                    if name in frames:  # not the ensemble's initial-value parameters
                        frames[name][offset:offset + times.size] = rows[m][j]
                offset += times.size
            out.append(failed or frames)
        return out

    def observe(self, frames: Mapping[str, FloatArray], pv: Mapping[str, float]
                ) -> tuple[FloatArray, FloatArray]:
        """Observables and sigmas of every measurement row from simulated frames."""
        ids = self.prob.sbml_ids
        h = np.empty(len(self.y))
        sigma = np.empty(len(self.y))
        for oid, o in self.observables.items():
            rows = o["rows"]
            f = self.row_frame[rows]
            values: dict[str, Any] = {}
            for formula in (o["h"], o["sigma"]):
                for sym in formula.symbols:
                    if sym in values:
                        continue
                    if sym in ids:
                        values[sym] = frames[ids[sym]][f]
                    elif sym in pv:
                        values[sym] = pv[sym]
                    elif sym == "time":
                        values[sym] = self.row_time[rows]
                    else:
                        kind = sym.split("Parameter")[0]
                        values[sym] = self._placeholder(sym, o[f"{kind}Parameter"], pv, oid)
            h[rows] = o["h"](values, rows.size)
            sigma[rows] = o["sigma"](values, rows.size)
        return h, sigma

    def _placeholder(self, sym: str, entries: list[list[float | str]],
                     pv: Mapping[str, float], oid: str) -> FloatArray:
        n = int(sym.split("Parameter")[1].split("_")[0])
        out = np.empty(len(entries))
        for i, row in enumerate(entries):
            if len(row) < n:
                raise InvalidInputError(f"observable {oid!r}: {sym} has no value: a "
                                        f"measurement row gives {len(row)} "
                                        f"{sym.split('Parameter')[0]}Parameters")
            v = row[n - 1]
            out[i] = pv[v] if isinstance(v, str) else v
        return out

    def log_likelihood(self, theta: FloatArray) -> float:
        """Return the PEtab log-likelihood (llh) at ``theta``.

        Raises
        ------
        ObjectiveUndefinedError
            Naming the first datum without a finite likelihood, or the failed simulation.
        """
        return float(np.sum(self.llh_terms(theta)))

    def llh_terms(self, theta: FloatArray) -> FloatArray:
        """Return the log-likelihood of every measurement row."""
        h, sigma = self.predict(theta)
        m = self.y
        out = np.empty_like(h)
        for oid, o in self.observables.items():
            rows = o["rows"]
            hs, ms, sg = h[rows], m[rows], sigma[rows]
            bad = ~(np.isfinite(hs) & np.isfinite(sg) & (sg > 0))
            if o["transform"] != "lin":
                bad |= ~(hs > 0) | ~(ms > 0)
            if bad.any():
                i = int(rows[np.flatnonzero(bad)[0]])
                raise ObjectiveUndefinedError(
                    f"observable {oid!r}, measurement {i + 1}: simulated {h[i]:.6g}, "
                    f"measured {m[i]:.6g}, sigma {sigma[i]:.6g} give no finite "
                    f"{o['transform']}-{o['noise']} likelihood")
            out[rows] = _llh(ms, hs, sg, o["transform"], o["noise"])
        return out

    def log_prior(self, theta: FloatArray) -> float:
        """Return the sum of the objective priors' log-densities (0 without priors)."""
        total = 0.0
        with np.errstate(divide="ignore"):  # a zero density is a log-prior of -inf, said so
            for k, prior in self._priors:
                total -= float(prior.neglogprior(float(theta[k]), x_scaled=True))
        return total


def _llh(m: FloatArray, h: FloatArray, sigma: FloatArray, transform: str,
         noise: str) -> FloatArray:
    """Log-likelihood of data ``m`` given simulations ``h`` (PEtab format 1)."""
    if transform == "lin":
        r, jac = h - m, np.zeros_like(m)
    elif transform == "log":
        r, jac = np.log(h) - np.log(m), np.log(m)
    else:
        r, jac = np.log10(h) - np.log10(m), np.log(m * _LN10)
    if noise == "normal":
        return -0.5 * np.log(2.0 * np.pi * sigma ** 2) - 0.5 * (r / sigma) ** 2 - jac
    return -np.log(2.0 * sigma) - np.abs(r) / sigma - jac
