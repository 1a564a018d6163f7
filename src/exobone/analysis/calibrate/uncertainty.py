"""Draws of fitted parameters from their confidence intervals, for prediction bands.

A fitted parameter is drawn on the scale it was fitted on (``lin``, ``log``, ``log10``) from a
split normal: its estimate is the mode, and each side's standard deviation puts the interval's
end at the two-sided ``level`` quantile (``(estimate - low) / z`` below, ``(high - estimate) / z``
above, ``z = Phi^-1((1 + level) / 2)``), so an asymmetric profile interval stays asymmetric.
Draws outside the fit's bounds are redrawn (truncation). Parameters are drawn independently:
the correlations between fitted parameters are not kept, and every band says so
(:data:`METHOD`). An interval that is NaN (its profile could not be followed) is refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from exobone.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]

__all__ = ["METHOD", "FittedPrior"]

#: how the draws are made, recorded in every band's provenance
METHOD = ("independent split normal per fitted parameter on its fit scale, matching its "
          "confidence interval, truncated to the fit bounds (correlations not kept)")


def _to(value: float, scale: str) -> float:
    return math.log10(value) if scale == "log10" else math.log(value) if scale == "log" \
        else value


def _from(values: FloatArray, scale: str) -> FloatArray:
    return 10.0 ** values if scale == "log10" else np.exp(values) if scale == "log" else values


@dataclass(frozen=True)
class FittedPrior:
    """Draws of one fitted parameter (duck-types :class:`exobone.analysis.cohorts.Prior`)."""

    name: str
    estimate: float
    interval: tuple[float, float]
    bounds: tuple[float, float]
    scale: str = "lin"
    level: float = 0.95

    def __post_init__(self) -> None:
        lo, hi = self.interval
        if not (math.isfinite(lo) and math.isfinite(hi) and lo <= self.estimate <= hi):
            raise InvalidInputError(f"fitted {self.name!r}: interval [{lo}, {hi}] does not "
                                    f"hold the estimate {self.estimate} (an unknown profile "
                                    f"end cannot give a band)")
        if self.scale != "lin" and not lo > 0:
            raise InvalidInputError(f"fitted {self.name!r}: interval [{lo}, {hi}] is not "
                                    f"positive on scale {self.scale}")

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + self.level / 2.0))
        s = self.scale
        mode, lo, hi = (_to(v, s) for v in (self.estimate, *self.interval))
        b_lo, b_hi = (_to(v, s) if v > 0 or s == "lin" else -math.inf for v in self.bounds)
        sd_lo, sd_hi = (mode - lo) / z, (hi - mode) / z
        out = np.empty(n)
        filled = 0
        for _ in range(1000):
            u = rng.standard_normal(n)
            x = mode + np.where(u < 0, u * sd_lo, u * sd_hi)
            x = x[(x >= b_lo) & (x <= b_hi)][: n - filled]
            out[filled:filled + x.size] = x
            filled += x.size
            if filled == n:
                return _from(out, s)
        raise InvalidInputError(f"fitted {self.name!r}: its interval lies outside its bounds")


def draw(priors: Sequence[FittedPrior], n: int, rng: np.random.Generator | int | None
         ) -> dict[str, FloatArray]:
    """``{name: n draws}`` of each prior, from one seeded generator."""
    gen = np.random.default_rng(rng)
    return {p.name: p.sample(gen, n) for p in priors}
