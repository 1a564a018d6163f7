"""Forward sensitivities of a PEtab problem's simulations with respect to the estimated parameters.

For each estimated parameter ``theta_k`` (on its ``parameterScale``) that reaches the model, the
derivative ``S_k = dx/dtheta_k`` of the states solves the forward sensitivity equations
(e.g. Hindmarsh et al. 2005, CVODES)

    dS_k/dt = J(t, x, p) S_k + F_p(t, x, p) v_k,   S_k(0) = dx0/dp v_k (+ condition values),

integrated together with the model (``x`` and every ``S_k`` in one system, LSODA through
scipy's ``odeint``, with the model's analytic Jacobian ``J`` on the diagonal blocks of the
Newton matrix, in banded storage). The coupled right-hand side is one numba function of the
model's compiled kernels (those the ensemble runs) and a generated kernel of ``F_p``. ``v_k`` is
``dp/dtheta_k``: which model parameters the estimated parameter sets in this condition (as a
table parameter of the model, or named by a condition value) times the derivative of its
scale (``p ln 10`` on log10). ``F_p = df/dp`` and ``dx0/dp`` are sympy derivatives of the
model's rate and initial-value expressions, assignments substituted.

The model part is exact up to the solver's tolerances (no difference quotient across a
simulation). The derivatives of what the states feed (assignments, observable and noise
formulas, the residuals) are taken by :class:`exobone.analysis.calibrate.fit.Residuals` as
central quotients of those algebraic maps along ``(S_k, e_k)``.

Problems with events, ``delay()``, preequilibration or steady-state data are not covered
(:func:`why_not` says which); the fit then uses difference quotients of whole simulations.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
import sympy

from exobone.analysis.calibrate.objective import Objective, ObjectiveUndefinedError
from exobone.simulate.backends.numba_backend import load_kernels

FloatArray = npt.NDArray[np.float64]

__all__ = ["ForwardSensitivities", "step", "why_not"]


def why_not(obj: Objective) -> str:
    """Why forward sensitivities do not cover this problem ('' when they do)."""
    from exobone.model import expressions as ex

    spec = obj.prob.model
    if spec.events:
        return f"the model has events ({spec.events[0].name!r})"
    if not obj.cm.has_jacobian:
        return f"a model without an analytic Jacobian ({obj.cm.jacobian_note})"
    parsed = spec.parsed
    exprs = [*parsed.assignment_exprs.values(), *parsed.term_rates.values()]
    if any(e.has(ex.delay) for e in exprs):
        return "the model uses delay()"
    for (pre, _), times in zip(obj.experiments, obj.exp_times, strict=True):
        if pre:
            return f"preequilibration (condition {pre!r})"
        if not np.all(np.isfinite(times)):
            return "steady-state (time = inf) data"
    return ""


#: steps allowed per save interval of a condition (``odeint``'s ``mxstep``), the reference
#: solver's default budget (``simulate(max_steps=...)``) for a whole run
MAX_STEPS = 200_000


def step(theta_k: float) -> float:
    """The step of the central quotients along ``theta_k`` (its rounding error ~1e-10
    relative, its truncation error ~1e-12)."""
    return 1e-6 * max(1.0, abs(float(theta_k)))


def _scale_derivative(value: float, scale: str) -> float:
    """d(linear value)/d(scaled value)."""
    return value * math.log(10.0) if scale == "log10" else value if scale == "log" else 1.0


def _kernel(name: str, exprs: list[sympy.Expr]) -> Any:
    """A numba function ``name(t, y, p, out)`` writing ``exprs`` (over ``t``, ``y[i]``,
    ``p[j]``) to ``out``, common subexpressions once."""
    from numba import njit
    from sympy.printing.pycode import PythonCodePrinter

    printer = PythonCodePrinter({"standard": "python3"})
    shared, reduced = sympy.cse(exprs, symbols=sympy.numbered_symbols("_c"))
    lines = [f"def {name}(t, y, p, out):"]
    lines += [f"    {sym} = {printer.doprint(e)}" for sym, e in shared]
    lines += [f"    out[{k}] = {printer.doprint(e)}" for k, e in enumerate(reduced)]
    lines.append("    return None")
    namespace: dict[str, Any] = {"math": math}
    exec(compile("\n".join(lines), f"<exobone {name}>", "exec"), namespace)  # noqa: S102
    return njit(error_model="numpy")(namespace[name])


def _coupled_rhs(rhs: Any, jac: Any, f_p: Any) -> Any:
    """The sensitivity system's right-hand side ``(f(x), J S_k + F_p v_k)`` as one numba
    function of the model's compiled kernels (``F_p`` by its nonzero entries ``at``)."""
    from numba import njit

    @njit(error_model="numpy")  # type: ignore[misc]
    def coupled(t, y, p, v, n, n_k, at, out):
        x = y[:n].copy()
        out[:n] = 0.0  # the kernels write only the structurally nonzero entries
        rhs(t, x, p, out[:n])
        j = np.zeros(n * n)
        jac(t, x, p, j)
        fp = np.empty(max(at.shape[0], 1))
        f_p(t, x, p, fp)
        for k in range(n_k):
            base = n + k * n
            for i in range(n):
                acc = 0.0
                for c in range(n):
                    acc += j[i * n + c] * y[base + c]
                out[base + i] = acc
            for e in range(at.shape[0]):
                out[base + at[e, 0]] += fp[e] * v[at[e, 1], k]

    return coupled


class ForwardSensitivities:
    """Simulate every experiment of a problem with the states' derivatives along ``theta``.

    Raises
    ------
    ValueError
        If :func:`why_not` names a construct the equations here do not cover.
    """

    def __init__(self, obj: Objective) -> None:
        reason = why_not(obj)
        if reason:
            raise ValueError(f"forward sensitivities do not cover {reason}")
        self.obj = obj
        spec, cm = obj.prob.model, obj.cm
        parsed = spec.parsed
        self.index = {n: k for k, n in enumerate(obj.names)}
        # which model parameter each estimated parameter can set, in any condition
        ids = obj.prob.sbml_ids
        self._sbml_id = {name: sid for sid, name in ids.items()}
        moving = {ids[n] for n in obj.names if ids.get(n) in cm.parameters}
        for _, sim in obj.experiments:
            params, _ = obj._condition(sim)
            moving |= {m for m, v in params.items() if isinstance(v, str) and v in self.index}
        self.moving = [m for m in cm.parameters if m in moving]
        self.p_index = np.array([cm.parameters.index(m) for m in self.moving], dtype=int)
        # assignments substituted (they are declared in dependency order)
        full: dict[sympy.Symbol, sympy.Expr] = {}
        for name, expr in parsed.assignment_exprs.items():
            full[parsed.assignments[name]] = expr.xreplace(full)
        rhs = [sympy.Integer(0)] * len(cm.states)
        pos = {s: i for i, s in enumerate(cm.states)}
        for term in spec.terms:
            rate = parsed.term_rates[term.name].xreplace(full)
            for target, coef in term.stoichiometry.items():
                rhs[pos[target]] += sympy.Float(coef) * rate
        from exobone.model.expressions import TIME

        xs = [parsed.states[s] for s in cm.states]
        ps = [parsed.parameters[p] for p in cm.parameters]
        msyms = [parsed.parameters[m] for m in self.moving]
        f_p = sympy.Matrix(rhs).jacobian(msyms) if msyms else sympy.zeros(len(xs), 0)
        x0 = [parsed.initial_exprs[s].xreplace(full) for s in cm.states]
        x0_p = sympy.Matrix(x0).jacobian(msyms) if msyms else sympy.zeros(len(xs), 0)
        self._x0_p = sympy.lambdify(ps, x0_p, modules="numpy", cse=True)
        # the model's right-hand side and Jacobian as the compiled ensemble runs them (numba,
        # compiled once per model and cached), and the coupled right-hand side compiled with
        # them: called at every solver evaluation, it is the hot path
        self._kernels = load_kernels(cm)
        nonzero = [(i, j, f_p[i, j]) for i in range(f_p.rows) for j in range(f_p.cols)
                   if f_p[i, j] != 0]
        y_sym, p_sym = sympy.IndexedBase("y"), sympy.IndexedBase("p")
        to_index = {**{x: y_sym[i] for i, x in enumerate(xs)},
                    **{q: p_sym[i] for i, q in enumerate(ps)}, TIME: sympy.Symbol("t")}
        f_p_kernel = _kernel("f_p", [e.xreplace(to_index) for _, _, e in nonzero])
        self._fp_at = np.array([[i, j] for i, j, _ in nonzero], dtype=np.int64).reshape(-1, 2)
        self._coupled = _coupled_rhs(self._kernels.rhs, self._kernels.jac, f_p_kernel)
        self._cache: tuple[bytes, Any] | None = None

    def _directions(self, sim: str, pv: dict[str, float], theta: FloatArray
                    ) -> tuple[FloatArray, FloatArray]:
        """``(v, s0)``: dp/dtheta of the moving parameters and d(condition species)/dtheta."""
        obj = self.obj
        n_k = len(obj.names)
        v = np.zeros((len(self.moving), n_k))
        params, species = obj._condition(sim)
        for j, m in enumerate(self.moving):
            if m in params:  # the condition's value: a number, or a table parameter's id
                source = params[m] if isinstance(params[m], str) else ""
            else:  # the table's value of the model parameter
                source = self._sbml_id.get(m, m)
            k = self.index.get(source)
            if k is not None:
                v[j, k] = _scale_derivative(pv[obj.names[k]], obj.scales[k])
        s0 = np.full((len(obj.cm.states), n_k), np.nan)  # NaN: from the initial expression
        for name, value in species.items():
            i = obj.cm.states.index(name)
            s0[i] = 0.0
            k = self.index.get(value) if isinstance(value, str) else None
            if k is not None:
                s0[i, k] = _scale_derivative(pv[obj.names[k]], obj.scales[k])
        return v, s0

    def solve(self, theta: FloatArray) -> tuple[dict[str, FloatArray], list[dict[str, FloatArray]]]:
        """``(frames, dframes)``: states, assignments and parameters at every frame (as
        :meth:`Objective.simulate`), and their derivatives along each ``theta_k`` (those of
        the assignments, algebraic in states and parameters, as central quotients along
        ``(S_k, v_k)``).

        Raises
        ------
        ObjectiveUndefinedError
            When a simulation fails.
        """
        key = np.asarray(theta, dtype=float).tobytes()
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]  # type: ignore[no-any-return]
        from scipy.integrate import ODEintWarning, odeint

        obj, cm, spec = self.obj, self.obj.cm, self.obj.prob.model
        # where the model itself has no solution (a state reaching infinity, Crauste's
        # pathogen), the reference solver fails within a second, while the coupled system
        # creeps toward the singularity in ever smaller steps (the sensitivities grow faster
        # than the states): the states alone decide whether the point is defined
        obj.simulate(theta)
        pv = obj.table_values(theta)
        n, n_k = len(cm.states), len(obj.names)
        frames = {name: np.empty(obj.n_frames) for name in
                  (*cm.states, *cm.assignments, *cm.parameters)}
        dframes = [{name: np.zeros(obj.n_frames) for name in
                    (*cm.states, *cm.assignments, *cm.parameters)} for _ in range(n_k)]
        # LSODA's packed band storage of an n x n block: packed[n - 1 + i - j, j] = J[i, j]
        rows, cols = np.indices((n, n))
        band_rows, band_cols = n - 1 + rows - cols, cols
        jac_kernel = self._kernels.jac
        j_flat = np.empty(n * n)
        offset = 0
        for (_, sim), times in zip(obj.experiments, obj.exp_times, strict=True):
            params = obj._model_params(sim, pv)
            p = np.require(cm.parameter_vector(spec, params), dtype=float,
                           requirements=["C", "W"])  # one numba signature
            initial = obj._resolve(obj._condition(sim)[1], pv)
            x0 = cm.initial_state(spec, p, overrides=initial)
            v, s0 = self._directions(sim, pv, theta)
            v = np.ascontiguousarray(v)
            from_expr = np.asarray(self._x0_p(*p), dtype=float).reshape(n, -1) @ v
            s0 = np.where(np.isnan(s0), from_expr, s0)
            y0 = np.concatenate([x0, s0.T.ravel()])  # each direction's S_k contiguous

            def fun(t: float, y: FloatArray, p: FloatArray = p, v: FloatArray = v
                    ) -> FloatArray:
                out = np.empty(y.size)
                self._coupled(t, y, p, v, n, n_k, self._fp_at, out)
                return out

            def jac(t: float, y: FloatArray, p: FloatArray = p) -> FloatArray:
                # the Newton matrix's diagonal blocks (the coupling through d(J S)/dx is left
                # out: a simplified Newton iteration, as CVODES's staggered corrector), in
                # LSODA's banded storage: block-diagonal with blocks n x n has n - 1 bands on
                # each side, so each factorisation costs (1 + n_k) n^3, not ((1 + n_k) n)^3
                j_flat[:] = 0.0  # the kernel writes only the structurally nonzero entries
                jac_kernel(t, np.ascontiguousarray(y[:n]), p, j_flat)
                packed = np.zeros((2 * n - 1, n))
                packed[band_rows, band_cols] = j_flat.reshape(n, n)
                return np.tile(packed, (1, 1 + n_k))

            # odeint drives LSODA to every save time in compiled code (solve_ivp's LSODA returns
            # to Python after each step): the same method, one Python call per evaluation
            grid = times if times[0] == 0.0 else np.concatenate([[0.0], times])
            if grid[-1] == 0.0:
                grid = np.array([0.0, 1.0])
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore", ODEintWarning)  # the message is checked below
                ys, info = odeint(fun, y0, grid, Dfun=jac, ml=n - 1, mu=n - 1, tfirst=True,
                                  rtol=obj.tol.rtol, atol=obj.tol.atol, mxstep=MAX_STEPS,
                                  full_output=True)
            if info["message"] != "Integration successful." or not np.all(np.isfinite(ys)):
                raise ObjectiveUndefinedError(f"simulation of condition {sim!r} with "
                                              f"sensitivities failed: {info['message']}")
            y_at = ys[np.searchsorted(grid, times)].T
            block = slice(offset, offset + times.size)
            for i, name in enumerate(cm.states):
                frames[name][block] = y_at[i]
                for k in range(n_k):
                    dframes[k][name][block] = y_at[n + k * n + i]
            assigned = np.array([cm.evaluate_assignments(t, y_at[:n, j], p)
                                 for j, t in enumerate(times)]).reshape(times.size, -1)
            for i, name in enumerate(cm.assignments):
                frames[name][block] = assigned[:, i]
            for i, name in enumerate(cm.parameters):
                frames[name][block] = p[i]
            if cm.assignments:
                for k in range(n_k):
                    eps = step(theta[k])
                    dx = y_at[n + k * n:n + (k + 1) * n]
                    dp = np.zeros_like(p)
                    dp[self.p_index] = v[:, k]
                    hi = [cm.evaluate_assignments(t, y_at[:n, j] + eps * dx[:, j], p + eps * dp)
                          for j, t in enumerate(times)]
                    lo = [cm.evaluate_assignments(t, y_at[:n, j] - eps * dx[:, j], p - eps * dp)
                          for j, t in enumerate(times)]
                    quotient = (np.array(hi) - np.array(lo)).reshape(times.size, -1) / (2 * eps)
                    for i, name in enumerate(cm.assignments):
                        dframes[k][name][block] = quotient[:, i]
            for j, m in enumerate(self.moving):
                for k in range(n_k):
                    dframes[k][m][block] = v[j, k]
            offset += times.size
        self._cache = (key, (frames, dframes))
        return frames, dframes
