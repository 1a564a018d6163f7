"""The reference solver: one run of a ModelSpec with scipy's ``solve_ivp``, events handled exactly.

Scheduled events split the run into segments: the solver integrates up to each event time, the
assignments are applied to the state (and parameters) and integration restarts from there, so a
bolus lands exactly at its time whatever the step size. State-triggered events use
``solve_ivp`` event functions: each comparison in a trigger becomes a root function whose
crossing direction is chosen from its current truth value, the run stops at the crossing, the
event fires if its trigger went from false to true, and integration restarts. See
:mod:`exobone.model.spec` for the full event semantics.

Stiff solvers (``LSODA``, ``BDF``, ``Radau``) get the analytic Jacobian from
:mod:`exobone.simulate.compile`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.integrate import solve_ivp

from exobone.errors import InvalidInputError, SimulationError, unknown_name
from exobone.model.spec import Event, ModelSpec
from exobone.simulate.compile import CompiledEvent, CompiledModel, compile_model
from exobone.simulate.delays import History, read_within_steps, running
from exobone.simulate.results import Provenance, Status, Trajectory

FloatArray = npt.NDArray[np.float64]

__all__ = ["SOLVERS", "SaveAt", "Tolerances", "simulate"]

#: solver name -> uses the Jacobian
SOLVERS: dict[str, bool] = {"LSODA": True, "BDF": True, "Radau": True,
                            "RK45": False, "DOP853": False}
_MAX_CASCADE = 100


@dataclass(frozen=True, eq=False)
class SaveAt:
    """Where to save the solution.

    Parameters
    ----------
    times
        Strictly increasing save times inside ``t_span``; ``None`` saves every solver step.
    """

    times: npt.ArrayLike | None = None

    def __post_init__(self) -> None:
        if self.times is None:
            return
        arr = np.array(self.times, dtype=float).reshape(-1)
        if arr.size == 0:
            raise InvalidInputError("SaveAt(times=...) is empty; give at least one time or None")
        if not np.all(np.isfinite(arr)):
            raise InvalidInputError("SaveAt(times=...) contains NaN/inf")
        if np.any(np.diff(arr) <= 0):
            raise InvalidInputError("SaveAt(times=...) must be strictly increasing")
        arr.setflags(write=False)
        object.__setattr__(self, "times", arr)


@dataclass(frozen=True)
class Tolerances:
    """Relative and absolute error tolerances.

    Parameters
    ----------
    rtol
        Relative tolerance.
    atol
        Absolute tolerance: one number, or ``{state: atol}`` (states not listed get ``1e-9``).
    """

    rtol: float = 1e-6
    atol: float | Mapping[str, float] = 1e-9

    def __post_init__(self) -> None:
        if not (self.rtol > 0 and math.isfinite(self.rtol)):
            raise InvalidInputError(f"rtol must be a positive number, got {self.rtol!r}")
        values = self.atol.values() if isinstance(self.atol, Mapping) else [self.atol]
        for v in values:
            if not (v > 0 and math.isfinite(v)):
                raise InvalidInputError(f"atol must be positive numbers, got {v!r}")

    def atol_vector(self, states: Sequence[str]) -> float | FloatArray:
        """Return ``atol`` for ``solve_ivp`` (a vector in state order when given per state)."""
        if not isinstance(self.atol, Mapping):
            return float(self.atol)
        for key in self.atol:
            if key not in states:
                raise unknown_name("state in Tolerances.atol", key, states)
        return np.array([float(self.atol.get(s, 1e-9)) for s in states])

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        atol = dict(self.atol) if isinstance(self.atol, Mapping) else self.atol
        return {"rtol": self.rtol, "atol": atol}


@dataclass
class _Run:
    """Mutable state of one run (kept out of the public objects)."""

    cm: CompiledModel
    y: FloatArray
    p: FloatArray
    t: float
    atoms: list[bool] = field(default_factory=list)
    triggers: list[bool] = field(default_factory=list)
    fired: list[tuple[float, str]] = field(default_factory=list)
    pending: list[_Pending] = field(default_factory=list)
    #: draws the order of simultaneous firings of equal explicit priority (SBML: random);
    #: seeded, so a run is reproducible
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))

    def roots(self) -> FloatArray:
        return self.cm.roots(self.t, self.y, self.p) if self.cm.atoms else np.empty(0)

    def evaluate(self, event: CompiledEvent) -> list[float]:
        """The new values of the event's targets, from the current values."""
        out = [0.0] * len(event.targets)
        try:
            event.apply(self.t, self.y.tolist(), self.p.tolist(), out)
        except ArithmeticError:
            out = [math.nan] * len(event.targets)
        return out

    def apply(self, event: CompiledEvent, values: Sequence[float] | None = None) -> None:
        out = self.evaluate(event) if values is None else values
        y, p = self.y.copy(), self.p.copy()
        for (kind, idx), value in zip(event.targets, out, strict=True):
            (y if kind == "state" else p)[idx] = value
        self.y, self.p = y, p
        self.fired.append((self.t, event.name))

    def eval_triggers(self) -> list[bool]:
        return [bool(ev.trigger(self.atoms)) if ev.trigger is not None else False
                for ev in self.cm.events]

    def refresh_atoms(self, g_before: FloatArray, band: float) -> None:
        """Update comparison truth values after event assignments.

        Only comparisons whose ``lhs - rhs`` the assignments changed are re-read, and only when
        the new value is clear of the hysteresis band; the others keep their value (a state
        sitting on a threshold keeps the side it crossed to).
        """
        g_after = self.roots()
        for k, g in enumerate(g_after):
            if abs(g - g_before[k]) <= 1e-12 * (1.0 + abs(g_before[k])):
                continue
            if g > band:
                self.atoms[k] = True
            elif g < -band:
                self.atoms[k] = False

    def schedule(self, k: int) -> None:
        """Event ``k``'s trigger went false -> true now: queue its firing (after its delay)."""
        event = self.cm.events[k]
        delay = 0.0
        if event.delay is not None:
            out = [0.0]
            try:
                event.delay(self.t, self.y.tolist(), self.p.tolist(), out)
            except ArithmeticError:
                out = [math.nan]
            delay = out[0]
            if not (math.isfinite(delay) and delay >= 0.0):
                raise SimulationError(f"event {event.name!r}: delay {delay} at t={self.t} is "
                                      f"not a non-negative number")
        values = self.evaluate(event) if event.values_at_trigger else None
        self.pending.append(_Pending(self.t + delay, k, len(self.fired) + len(self.pending),
                                     values))

    def read_triggers(self) -> None:
        """Queue the events whose trigger went false -> true; a non-persistent event whose
        trigger went true -> false loses its pending firings."""
        now = self.eval_triggers()
        for k, event in enumerate(self.cm.events):
            if event.trigger is None or now[k] == self.triggers[k]:
                continue
            self.triggers[k] = now[k]
            if now[k]:
                self.schedule(k)
            elif not event.persistent:
                self.pending = [q for q in self.pending if q.event != k]

    def priority(self, k: int) -> float:
        """Event ``k``'s priority now (0 without one; NaN ranks last)."""
        kernel = self.cm.events[k].priority
        if kernel is None:
            return 0.0
        out = [0.0]
        try:
            kernel(self.t, self.y.tolist(), self.p.tolist(), out)
        except ArithmeticError:
            return -math.inf
        return out[0] if math.isfinite(out[0]) or out[0] == math.inf else -math.inf

    def next_due(self) -> float:
        """Time of the earliest pending firing (inf if none)."""
        return min((q.when for q in self.pending), default=math.inf)

    def cascade(self, band: float) -> None:
        """Run the firings due now, one at a time, highest priority first; after each, triggers
        are re-read, so an event it enables joins the queue and a non-persistent event it
        disables leaves it. Events without a priority go in declaration order; among events
        whose priorities are given and equal the order is random, as SBML defines it (drawn
        from :attr:`rng`)."""
        self.read_triggers()
        cap = max(_MAX_CASCADE, 10 * len(self.cm.events))
        for _ in range(cap):
            due = [q for q in self.pending if q.when <= self.t]
            if not due:
                return
            first = max(due, key=lambda q: (self.priority(q.event), -q.event, -q.order))
            tied = [q for q in due if self.cm.events[q.event].priority is not None
                    and q.event != first.event
                    and self.priority(q.event) == self.priority(first.event)]
            if tied and self.cm.events[first.event].priority is not None:
                first = [first, *tied][int(self.rng.integers(len(tied) + 1))]
            self.pending.remove(first)
            g_before = self.roots()
            self.apply(self.cm.events[first.event], first.values)
            self.refresh_atoms(g_before, band)
            self.read_triggers()
        raise SimulationError(f"more than {cap} events fired at t={self.t}; "
                              f"check for event triggers that re-arm each other")


@dataclass
class _Pending:
    """A queued firing: when it runs, which event, and its values if taken at trigger time."""

    when: float
    event: int
    order: int
    values: list[float] | None


def _validate_span(t_span: Sequence[float]) -> tuple[float, float]:
    try:
        t0, t1 = (float(x) for x in t_span)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"t_span must be (start, end), got {t_span!r}") from exc
    if not (math.isfinite(t0) and math.isfinite(t1)) or t1 <= t0:
        raise InvalidInputError(f"t_span must be finite with start < end, got ({t0}, {t1})")
    return t0, t1


def simulate(
    model: ModelSpec,
    t_span: Sequence[float],
    *,
    params: Mapping[str, float] | npt.ArrayLike | None = None,
    initial: Mapping[str, float] | None = None,
    saveat: SaveAt | None = None,
    solver: str = "LSODA",
    tolerances: Tolerances | None = None,
    max_step: float | None = None,
    max_steps: int = 200_000,
    events: Sequence[Event] = (),
    throw: bool = True,
) -> Trajectory:
    """Simulate ``model`` over ``t_span`` with the reference (scipy) solver.

    Parameters
    ----------
    model
        The model; validated and compiled (compiled code is cached by structure).
    t_span
        ``(start, end)`` in the model's time unit.
    params
        Parameter overrides ``{name: value}`` or a full parameter vector in model order.
    initial
        Initial-value overrides ``{state: value}``.
    saveat
        Save times (default: every solver step).
    solver
        ``"LSODA"`` (default), ``"BDF"`` or ``"Radau"`` (stiff, with the analytic Jacobian), or
        ``"RK45"``/``"DOP853"`` (non-stiff). A model with ``delay()`` runs with ``"BDF"`` when
        ``"LSODA"`` is asked for.
    tolerances
        :class:`Tolerances` (default ``rtol=1e-6, atol=1e-9``).
    max_step
        Largest step the solver may take (e.g. shorter than a dosing pulse).
    max_steps
        Budget of accepted steps over the whole run.
    events
        Extra events (e.g. a dosing schedule) added to the model's own.
    throw
        Raise :class:`SimulationError` on failure (default); with ``False`` the trajectory
        carries the failure in ``status`` and NaN after the failure point.

    Returns
    -------
    Trajectory
        States, assignments and event-modified parameters at the save times.

    Raises
    ------
    ModelError
        If the model does not validate.
    UnknownNameError
        For an unknown solver, parameter or state name.
    InvalidInputError
        For a bad ``t_span``, save times outside it, or non-finite values.
    SimulationError
        If the run fails and ``throw`` is true.

    Examples
    --------
    >>> import numpy as np
    >>> from exobone.model.reference import linear_decay
    >>> traj = simulate(linear_decay(0.3), (0.0, 10.0), solver="BDF",
    ...                 saveat=SaveAt(times=np.linspace(0, 10, 11)),
    ...                 tolerances=Tolerances(rtol=1e-8, atol=1e-10))
    >>> bool(np.allclose(traj["x"], np.exp(-0.3 * traj.times), rtol=1e-6))
    True
    """
    if solver not in SOLVERS:
        raise unknown_name("solver", solver, SOLVERS)
    t0, t1 = _validate_span(t_span)
    saveat = saveat or SaveAt()
    tolerances = tolerances or Tolerances()
    if max_step is not None and not max_step > 0:
        raise InvalidInputError(f"max_step must be positive, got {max_step!r}")
    if max_steps < 1:
        raise InvalidInputError(f"max_steps must be at least 1, got {max_steps!r}")
    spec = model.with_events(*events) if events else model
    cm = compile_model(spec)
    if cm.delays and solver == "LSODA":
        # scipy's LSODA can end a step where it began, and its dense output (the delays'
        # history) then refuses to build; BDF is as exact at the same tolerances (provenance
        # records the method used)
        solver = "BDF"
    p0 = cm.parameter_vector(spec, params)
    y0 = cm.initial_state(spec, p0, initial)
    if not np.all(np.isfinite(y0)):
        raise InvalidInputError(f"initial state of {spec.name!r} is not finite: "
                                f"{dict(zip(cm.states, y0.tolist(), strict=True))}")
    times = None if saveat.times is None else np.asarray(saveat.times, dtype=float)
    if times is not None and (times[0] < t0 or times[-1] > t1):
        raise InvalidInputError(f"save times must lie inside t_span ({t0}, {t1}); got "
                                f"[{times[0]}, {times[-1]}]")
    atol = tolerances.atol_vector(cm.states)

    integ = _Integrator(cm, spec, times, t0, t1, solver, tolerances.rtol, atol,
                        max_step, max_steps)
    history = None
    if cm.delays:  # a delay differential equation: the method of steps (see .delays)
        history = History(cm.kernels["delayed"], len(cm.delays), t0, y0.copy(), p0.copy())
        spans = [0.0] * len(cm.delays)
        cm.kernels["delay_spans"](t0, y0.tolist(), p0.tolist(), spans)
        if not all(math.isfinite(tau) and tau > 0.0 for tau in spans):
            raise InvalidInputError(f"{spec.name!r}: every delay must be a positive number; "
                                    f"got {dict(zip(cm.delays, spans, strict=True))}")
        integ.history = history
        integ.max_segment = min(spans) if read_within_steps(cm.source) else math.inf
    if cm.n_switches:
        switches = [0.0] * cm.n_switches
        cm.kernels["switch_times"](t0, y0.tolist(), p0.tolist(), switches)
        integ.switches = sorted(ts for ts in switches if math.isfinite(ts) and t0 < ts < t1)
    with running(history):
        traj_data = integ.run(y0, p0)

    provenance = Provenance(
        model_name=spec.name,
        model_hash=spec.hash(),
        structure_hash=cm.structure_hash,
        parameters=dict(zip(cm.parameters, p0.tolist(), strict=True)),
        initial=dict(zip(cm.states, y0.tolist(), strict=True)),
        t_span=(t0, t1),
        solver={"method": solver, **tolerances.to_dict(), "max_step": max_step,
                "max_steps": max_steps, "jacobian": "analytic" if cm.has_jacobian and
                SOLVERS[solver] else "none/finite differences"},
        atlas_version=(str(spec.metadata["atlas_version"])
                       if "atlas_version" in spec.metadata else None),
    )
    traj = Trajectory(provenance=provenance, **traj_data)
    if throw and not traj.ok:
        raise SimulationError(f"simulation of {spec.name!r} failed: {traj.message}")
    return traj


class _Integrator:
    """Segment loop around ``solve_ivp`` (scheduled breakpoints, root-found state events)."""

    def __init__(self, cm: CompiledModel, spec: ModelSpec, times: FloatArray | None,
                 t0: float, t1: float, solver: str, rtol: float, atol: float | FloatArray,
                 max_step: float | None, max_steps: int) -> None:
        self.cm, self.spec, self.times = cm, spec, times
        self.t0, self.t1 = t0, t1
        self.solver, self.rtol, self.atol = solver, rtol, atol
        self.max_step = np.inf if max_step is None else float(max_step)
        self.budget = max_steps
        self.band = float(np.min(atol))
        self.stats = {"nfev": 0, "njev": 0, "nlu": 0, "steps": 0, "segments": 0}
        self.param_outputs = sorted({idx for ev in cm.events for kind, idx in ev.targets
                                     if kind == "parameter"})
        # scheduled breakpoints: time -> event indices in declaration order
        sched: dict[float, list[int]] = {}
        for k, event in enumerate(spec.events):
            for when in event.at_times:
                if t0 <= when <= t1:
                    sched.setdefault(when, []).append(k)
        self.schedule = {tm: sorted(ks) for tm, ks in sched.items()}
        self.out_t: list[float] = []
        self.out_y: list[FloatArray] = []
        self.out_p: list[FloatArray] = []
        #: delay differential equations: the solution so far, and segments no longer than
        #: the shortest delay
        self.history: History | None = None
        self.max_segment = math.inf
        #: times where a piecewise condition on time flips (set per run): segment ends
        self.switches: list[float] = []

    # ---------------------------------------------------------------- saving
    def _save(self, ts: FloatArray, ys: FloatArray, p: FloatArray) -> None:
        for i, tv in enumerate(ts):
            self.out_t.append(float(tv))
            self.out_y.append(ys[:, i].copy())
            self.out_p.append(p)

    # ---------------------------------------------------------------- closures
    def _closures(self, run: _Run) -> tuple[Any, Any, list[Any]]:
        cm, n = self.cm, self.cm.n_states
        pl = run.p.tolist()
        rhs_k, jac_k, roots_k = cm.kernels["rhs"], cm.kernels["jac"], cm.kernels["roots"]
        nan = [math.nan] * n

        def fun(t: float, y: FloatArray) -> list[float]:
            out = [0.0] * n
            try:
                rhs_k(t, y.tolist(), pl, out)
            except ArithmeticError:
                return nan
            return out

        jac = None
        if cm.has_jacobian and SOLVERS[self.solver]:
            def jac(t: float, y: FloatArray) -> FloatArray:
                out = [0.0] * (n * n)
                try:
                    jac_k(t, y.tolist(), pl, out)
                except ArithmeticError:
                    return np.full((n, n), np.nan)
                return np.array(out).reshape(n, n)

        n_atoms = len(cm.atoms)
        event_fns: list[Any] = []
        t_start = run.t
        band = self.band
        for k in range(n_atoms):
            side = 1.0 if run.atoms[k] else -1.0

            def g(t: float, y: FloatArray, k: int = k, side: float = side) -> float:
                out = [0.0] * n_atoms
                try:
                    roots_k(t, y.tolist(), pl, out)
                except ArithmeticError:
                    return math.nan
                # hysteresis: a comparison flips only when lhs - rhs passes +-band (the
                # absolute tolerance, below what the solver resolves), so a state settling
                # onto a threshold does not chatter
                value = out[k] + side * band
                if t == t_start:
                    # at the restart point (often exactly on the root just handled) the sign
                    # is the truth value already decided, so a root is never found twice
                    return math.copysign(max(abs(value), 1e-300), side)
                return value
            g.terminal = True  # type: ignore[attr-defined]
            # look only for the crossing that changes the current truth value
            g.direction = -1.0 if run.atoms[k] else 1.0  # type: ignore[attr-defined]
            event_fns.append(g)

        sentinel = step_budget_event(self.budget)
        event_fns.append(sentinel)
        return fun, jac, event_fns

    # ---------------------------------------------------------------- main loop
    def run(self, y0: FloatArray, p0: FloatArray) -> dict[str, Any]:
        cm = self.cm
        run = _Run(cm=cm, y=y0.copy(), p=p0.copy(), t=self.t0)
        run.atoms = [bool(g > 0.0 or (g == 0.0 and inclusive))
                     for g, inclusive in zip(run.roots(), cm.atom_inclusive, strict=True)]
        # SBML initialValue: a trigger counts as true just before the start unless the event
        # fires at the start, so only those can go false -> true at t0
        run.triggers = [ev.trigger is not None and not ev.fire_at_start for ev in cm.events]
        status, message = Status.OK, "ok"
        times = self.times
        i_save = 0
        try:
            self._scheduled(run, self.t0)
            scheduled = sorted(tm for tm in self.schedule if tm > self.t0)
            while run.t < self.t1:
                # the next stop: a scheduled event, a delayed firing, or the end
                next_scheduled = next((tm for tm in scheduled if tm > run.t), math.inf)
                b = min(next_scheduled, run.next_due(), self.t1)
                event_at_b = b == next_scheduled or b == run.next_due()
                cap = min(self._segment_end(run.t),
                          next((ts for ts in self.switches if ts > run.t), math.inf))
                if cap < b:
                    b, event_at_b = cap, False
                if times is not None:
                    j = int(np.searchsorted(times, b, side="left" if event_at_b else "right"))
                    t_eval = times[i_save:j]
                    append_b = t_eval.size == 0 or t_eval[-1] < b
                    if append_b:
                        t_eval = np.append(t_eval, b)
                else:
                    t_eval, append_b = None, True
                fun, jac, event_fns = self._closures(run)
                kwargs: dict[str, Any] = {"jac": jac} if jac is not None else {}
                try:
                    sol = solve_ivp(fun, (run.t, b), run.y, method=self.solver, t_eval=t_eval,
                                    events=event_fns, rtol=self.rtol, atol=self.atol,
                                    max_step=self.max_step,
                                    dense_output=self.history is not None, **kwargs)
                except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
                    # e.g. a NaN Jacobian reaching the LU factorisation of Radau/BDF
                    status = (Status.NONFINITE if "finite" in str(exc).lower() or "nan"
                              in str(exc).lower() else Status.SOLVER_FAILED)
                    message = f"{status.value} (after t={self._last_t(run)}: {exc})"
                    break
                # with t_eval and no point reached, solve_ivp leaves t and y as empty lists
                sol.t = np.asarray(sol.t, dtype=float).reshape(-1)
                sol.y = (np.asarray(sol.y, dtype=float).reshape(cm.n_states, sol.t.size)
                         if sol.t.size
                         else np.empty((cm.n_states, 0)))
                self.stats["segments"] += 1
                if self.history is not None and sol.sol is not None:
                    self.history.add(run.t, float(sol.sol.t_max), sol.sol, run.p)
                for key in ("nfev", "njev", "nlu"):
                    self.stats[key] += int(getattr(sol, key, 0))
                used = event_fns[-1].calls[0] - 1
                self.stats["steps"] += max(used, 0)
                self.budget -= max(used, 0)
                if sol.status == -1:
                    self._save_partial(sol, run, b, append_b)
                    if sol.y.size and not np.all(np.isfinite(sol.y)):
                        status = Status.NONFINITE
                    else:
                        status = Status.SOLVER_FAILED
                    message = f"{status.value} (at t={self._last_t(run)}: {sol.message})"
                    break
                if sol.y.size and not np.all(np.isfinite(sol.y)):
                    self._save_partial(sol, run, b, append_b)
                    status = Status.NONFINITE
                    message = f"{status.value} (before t={b})"
                    break
                if sol.status == 1:  # a terminal event: a root or the step budget
                    if sol.t_events[-1].size:
                        self._save_partial(sol, run, b, append_b)
                        status = Status.MAX_STEPS
                        message = (f"{status.value} ({self.stats['steps']} steps, "
                                   f"t={sol.t_events[-1][0]})")
                        break
                    hits = {k: float(te[0]) for k, te in enumerate(sol.t_events[:-1])
                            if te.size}
                    t_star = min(hits.values())
                    tie = 4 * np.finfo(float).eps * max(1.0, abs(t_star))
                    crossed = {k for k, te in hits.items() if te - t_star <= tie}
                    y_star = sol.y_events[min(crossed)][0]
                    n_keep = sol.t.size if times is not None else sol.t.size - 1
                    if times is not None and append_b and sol.t.size and sol.t[-1] == b:
                        n_keep -= 1
                    self._save(sol.t[:n_keep], sol.y[:, :n_keep], run.p)
                    if times is not None:
                        i_save += n_keep
                    run.t, run.y = t_star, np.array(y_star, dtype=float)
                    for k in crossed:
                        run.atoms[k] = not run.atoms[k]
                    run.cascade(self.band)
                    continue
                # reached the breakpoint b
                n_keep = sol.t.size - (1 if append_b else 0)
                if times is None and b == self.t1 and not event_at_b:
                    n_keep = sol.t.size
                self._save(sol.t[:n_keep], sol.y[:, :n_keep], run.p)
                if times is not None:
                    i_save += n_keep
                run.t, run.y = b, sol.y[:, -1].copy()
                if event_at_b:
                    self._scheduled(run, b)
                    if times is not None:
                        j = int(np.searchsorted(times, b, side="right"))
                        if j > i_save:
                            self._save(times[i_save:j], np.repeat(run.y[:, None], j - i_save,
                                                                  axis=1), run.p)
                            i_save = j
                    elif b == self.t1:
                        self._save(np.array([b]), run.y[:, None], run.p)
        except SimulationError as exc:
            status, message = Status.SOLVER_FAILED, str(exc)
        return self._assemble(status, message, run)

    def _segment_end(self, t: float) -> float:
        """The method of steps' next grid point ``t0 + k * max_segment`` after ``t`` (one
        within rounding of ``t`` is skipped, so no segment is vanishingly short)."""
        if math.isinf(self.max_segment):
            return math.inf
        slack = 1e-9 * max(1.0, abs(t))
        k = math.floor((t + slack - self.t0) / self.max_segment) + 1
        return self.t0 + k * self.max_segment

    def _last_t(self, run: _Run) -> float:
        return self.out_t[-1] if self.out_t else run.t

    def _save_partial(self, sol: Any, run: _Run, b: float, append_b: bool) -> None:
        """Save what a failed segment produced (save points past the failure are absent)."""
        n_keep = sol.t.size
        if self.times is not None and append_b and n_keep and sol.t[-1] == b:
            n_keep -= 1  # the appended segment end is not a save time
        self._save(sol.t[:n_keep], sol.y[:, :n_keep], run.p)

    def _scheduled(self, run: _Run, when: float) -> None:
        run.t = when
        for k in self.schedule.get(when, ()):
            g_before = run.roots()
            run.apply(self.cm.events[k])
            run.refresh_atoms(g_before, self.band)
        run.cascade(self.band)

    def _assemble(self, status: Status, message: str, run: _Run) -> dict[str, Any]:
        cm = self.cm
        if self.times is not None:
            t_out = np.asarray(self.times, dtype=float)
        else:
            t_out = np.array(self.out_t, dtype=float)
        n_t, n = t_out.size, cm.n_states
        y_out = np.full((n_t, n), np.nan)
        p_rows: list[FloatArray | None] = [None] * n_t
        m = min(len(self.out_y), n_t)
        for i in range(m):
            y_out[i] = self.out_y[i]
            p_rows[i] = self.out_p[i]
        a_out = np.full((n_t, len(cm.assignments)), np.nan)
        for i in range(m):
            a_out[i] = cm.evaluate_assignments(t_out[i], y_out[i], p_rows[i])  # type: ignore[arg-type]
        values: dict[str, FloatArray] = {}
        for j, name in enumerate(cm.states):
            values[name] = y_out[:, j]
        for j, name in enumerate(cm.assignments):
            values[name] = a_out[:, j]
        pnames = tuple(cm.parameters[i] for i in self.param_outputs)
        for idx, name in zip(self.param_outputs, pnames, strict=True):
            col = np.full(n_t, np.nan)
            for i in range(m):
                col[i] = p_rows[i][idx]  # type: ignore[index]
            values[name] = col
        if status is Status.OK and m < n_t:
            status, message = Status.SOLVER_FAILED, "solver stopped before the last save time"
        return {
            "times": t_out,
            "values": values,
            "state_names": cm.states,
            "assignment_names": cm.assignments,
            "parameter_names": pnames,
            "status": status,
            "message": message,
            "events": tuple(run.fired),
            "stats": dict(self.stats),
        }


def step_budget_event(budget: int) -> Any:
    """A terminal event of ``solve_ivp`` that fires once ``budget`` steps are taken.

    solve_ivp calls each event function once at the start and once per accepted step (root
    finding only calls functions that changed sign), so the calls count steps. Once over
    budget the sign flips at that step's end; the sign is a function of t, so the root finder
    sees a proper bracket. ``.calls[0]`` is the count so far.
    """
    calls, exceeded_at = [0], [math.inf]

    def sentinel(t: float, y: FloatArray) -> float:
        if math.isinf(exceeded_at[0]):
            calls[0] += 1
            if calls[0] > budget + 1:
                exceeded_at[0] = t
        return 1.0 if t < exceeded_at[0] else -1.0

    sentinel.terminal = True  # type: ignore[attr-defined]
    sentinel.calls = calls  # type: ignore[attr-defined]
    return sentinel
