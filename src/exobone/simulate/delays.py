"""``delay(x, tau)``: the value of ``x`` a constant time ``tau`` ago, by the method of steps.

A model that uses ``delay`` is a delay differential equation. The reference solver integrates it
in segments no longer than the shortest delay (the method of steps): whatever a delayed term
reads at time ``t`` lies at ``t - tau``, before the segment began, where the solution is
already known as the solver's dense output (to the run's tolerances). The history is kept per
run: each finished segment's dense output with the parameters it ran with. Before the start,
states keep their initial values while time runs on (``delay(sin(time), 1)`` at ``t = 0`` is
``sin(-1)``), the SBML convention. Delays must be positive constants (numbers and parameters
no event changes); anything else is refused when the model compiles.

Generated kernels call ``_delay(k, tau, t)``; ``delayed(t, y, p, out)`` evaluates every delayed
expression at one point, and :class:`History` answers ``_delay`` for the run in progress on
this thread.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import sympy

from exobone.errors import ModelError, SimulationError

__all__ = ["History", "delay_ref", "read_within_steps", "running"]

FloatArray = npt.NDArray[np.float64]
_ACTIVE = threading.local()


class delay_ref(sympy.Function):  # lower case: printed by name
    """``delay_ref(k, tau)``: the k-th delayed expression, ``tau`` ago (lowered form).

    Its derivative with respect to the current states is zero (it reads the past), so the
    analytic Jacobian simply omits it.
    """

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.Integer(0)


@dataclass
class History:
    """The solution so far of one run, for ``_delay``.

    Attributes
    ----------
    kernel
        ``delayed(t, y, p, out)`` of the compiled model.
    n_delays
        How many delayed expressions it writes.
    t0, y0, p0
        The start: before it, states keep ``y0`` and parameters ``p0``.
    """

    kernel: Callable[..., None]
    n_delays: int
    t0: float
    y0: FloatArray
    p0: FloatArray
    starts: list[float] = field(default_factory=list)
    segments: list[tuple[float, Any, FloatArray]] = field(default_factory=list)

    def add(self, start: float, end: float, dense: Any, p: FloatArray) -> None:
        """Record a finished segment ``[start, end]`` (its dense output and parameters)."""
        if end > start:
            self.starts.append(start)
            self.segments.append((end, dense, p.copy()))

    def value(self, k: int, when: float) -> float:
        """The k-th delayed expression at time ``when``."""
        if when <= self.t0:
            y, p = self.y0, self.p0
        else:
            i = bisect.bisect_right(self.starts, when) - 1
            end, dense, p = self.segments[i] if i >= 0 else (self.t0, None, self.p0)
            if dense is None or when > end + 1e-9 * max(1.0, abs(end)):  # (rounding)
                raise SimulationError(f"delay() reads t={when}, past the solution computed so "
                                      f"far (t={end}); a delay shorter than the segments?")
            y = np.asarray(dense(min(when, end)), dtype=float)
        out = [0.0] * self.n_delays
        self.kernel(when, y.tolist(), p.tolist(), out)
        return out[k]


#: kernels the solver calls only between steps, at an event's time t: a delay they read lies
#: at t - tau < t, in segments already finished and recorded in the history
_BETWEEN_STEPS = re.compile(r"(event|priority|delay)_\d+|delay_spans|delayed")


def read_within_steps(source: str) -> bool:
    """Whether a kernel the solver calls inside its steps (the right-hand side, Jacobian,
    triggers, assignment rules) reads a delay. Only then do segments have to be no longer
    than the shortest delay (the method of steps): a delay read only by event assignments
    or priorities, at the event's time, reads the history of finished segments."""
    kernels = re.split(r"^def (\w+)\(", source, flags=re.MULTILINE)
    return any("_delay(" in body and not _BETWEEN_STEPS.fullmatch(name)
               for name, body in zip(kernels[1::2], kernels[2::2], strict=True))


def _delay(k: int, tau: float, t: float) -> float:
    history: History | None = getattr(_ACTIVE, "history", None)
    if history is None:
        raise ModelError("a model with delay() is evaluated only inside simulate() (its "
                         "delayed values come from the run's history)")
    return history.value(k, t - tau)


@contextmanager
def running(history: History | None) -> Iterator[None]:
    """Make ``history`` the one ``_delay`` reads on this thread for the duration."""
    before = getattr(_ACTIVE, "history", None)
    _ACTIVE.history = history
    try:
        yield
    finally:
        _ACTIVE.history = before


def collect(exprs: list[sympy.Basic], delay_cls: type, constant: set[sympy.Symbol],
            where: str) -> list[sympy.Basic]:
    """The distinct ``delay(x, tau)`` nodes of ``exprs`` in a stable order; each ``tau`` must
    use only ``constant`` symbols (parameters no event changes)."""
    found: dict[str, sympy.Basic] = {}
    for e in exprs:
        for node in e.atoms(delay_cls):
            tau = node.args[1]
            if not tau.free_symbols <= constant:
                raise ModelError(f"{where}: {node} has a delay that changes during a run; "
                                 f"exobone's method of steps needs a constant delay")
            found.setdefault(sympy.srepr(node), node)
    return [found[key] for key in sorted(found)]
