"""The helpers generated kernels call: scalar math that returns NaN/inf instead of raising.

Python's ``math`` raises on a domain error (``math.log(-1)``, ``math.asin(2)``) where C's libm
returns NaN; the generated code calls these instead, so a model evaluates the same in the
reference backend as in the numba one (which supplies jitted versions of the same names).
"""

from __future__ import annotations

import math
from typing import Any

from exobone.simulate import delays as dl

__all__ = ["HELPERS"]


def _pow(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except ValueError:  # negative base with fractional exponent, or 0 to a negative power
        return math.inf if a == 0.0 else math.nan
    except OverflowError:
        return math.inf


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    return -math.inf if x == 0.0 else math.nan


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0.0 else math.nan


def _asin(x: float) -> float:
    return math.asin(x) if -1.0 <= x <= 1.0 else math.nan


def _acos(x: float) -> float:
    return math.acos(x) if -1.0 <= x <= 1.0 else math.nan


def _factorial(x: float) -> float:
    """``x!`` for a whole ``x >= 0`` by exact products (inf past 170!), NaN otherwise."""
    if not (x >= 0.0 and x == math.floor(x)):
        return math.nan
    if x > 170.0:
        return math.inf
    out = 1.0
    for k in range(2, int(x) + 1):
        out *= k
    return out


#: names the generated code may call; a JIT backend must provide the same names
HELPERS: dict[str, Any] = {
    "_pow": _pow,
    "_exp": _exp,
    "_log": _log,
    "_sqrt": _sqrt,
    "_asin": _asin,
    "_acos": _acos,
    "_factorial": _factorial,
    "_delay": dl._delay,
    "_nan": math.nan,
    "_inf": math.inf,
    "math": math,
}
