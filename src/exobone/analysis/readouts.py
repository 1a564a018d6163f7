"""Read-outs that dose timing cannot game: an outcome over a window, not at one instant.

A :class:`Readout` reads an outcome over the ``window`` days *ending* at its day, as the
window's mean (default), trough (minimum) or area under the curve (outcome x days), sampled
daily and integrated by the trapezoid rule; or as ``min-gain``, the smallest gain over the
untreated course on any day of the window (outcome units; needs the untreated course). A
single-day read-out of a dosed model lands at some phase of a dose pulse, so an optimiser can
win by placing a dose a few days before it (issue 13: BV/TV 4.63 at day 175, 5.33 at 180, 4.79
at 200 after a dose on day 175.4); a mean over four weeks weighs each dose's pulse by its
length, not by its phase.

Why the default is a mean over the 28 days ending at the day (assumptions, not measurements):
a study's endpoint "at day 180" is its end, so the window uses no simulated time after the day
the user named; 28 days spans four weekly doses, so a weekly schedule is averaged over whole
intervals; the mean (rather than the trough) keeps the read-out's unit and its value close to a
single-day read-out when there is no pulse. ``window=0`` is the old single-day read-out.

``min-gain`` (the smallest gain over untreated) cannot be raised by a pulse, only by
covering every day of the window; the trough of the outcome itself is ruled by the untreated
course (BV/TV after OVX falls, then recovers), not by the plan. A read-out alone does not take
timing out of ``exobone optimize`` (measured, issue 13, before contexts confined mechanisms):
under a fixed total dose the gain after a dose rises for weeks, so for read-out days 175/180/185
the 28-day mean picked every 18/19/20 days and ``min-gain`` every 7 days from day 55/54/52, each
aligned to its day. The optimiser therefore also averages each plan over its dosing phase
(:meth:`exobone.analysis.doses.DoseProblem.phase_mean`) and reads ``min-gain`` by default.

:func:`transient_warnings` says when a read-out still ends inside a dose's transient: within
:data:`TRANSIENT_HALF_LIVES` half-lives of the dose pool's first-order clearance
(``k_exo_dose_clearance`` of :mod:`exobone.model.exosomes.pools`) after a dose. Uptake by target
cells also removes administered exosomes, but its rate depends on the cells present; clearance
alone gives the longest half-life, hence the longest (most cautious) transient.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from exobone.errors import InvalidInputError, ModelError, unknown_name
from exobone.simulate.scenarios import MAX_DAYS

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec

FloatArray = npt.NDArray[np.float64]

__all__ = ["DEFAULT_KIND", "DEFAULT_WINDOW", "DOSE_CLEARANCE", "GAIN_KINDS", "READOUT_KINDS",
           "TRANSIENT_HALF_LIVES", "Readout", "dose_days", "dose_half_life",
           "transient_warnings"]

READOUT_KINDS = ("mean", "trough", "auc", "min-gain")
#: read-outs of the gain over the untreated course (they need that course)
GAIN_KINDS = ("min-gain",)
DEFAULT_KIND = "mean"
#: days of the default window, ending at the read-out day (see the module docstring)
DEFAULT_WINDOW = 28.0
#: a dose's transient lasts this many half-lives of the dose pool (assumption: after 5
#: half-lives 3 % of a dose is left in the pool)
TRANSIENT_HALF_LIVES = 5.0
#: the model parameter whose first-order rate sets the dose pool's half-life
DOSE_CLEARANCE = "k_exo_dose_clearance"


@dataclass(frozen=True)
class Readout:
    """``kind`` of ``outcome`` over the ``window`` days ending at ``day``.

    ``window=None`` is :data:`DEFAULT_WINDOW` days, or the whole run if the day comes earlier;
    ``window=0`` reads the single day.
    """

    outcome: str
    day: float
    kind: str = DEFAULT_KIND
    window: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in READOUT_KINDS:
            raise unknown_name("read-out", self.kind, READOUT_KINDS)
        if not (math.isfinite(self.day) and 0 < self.day <= MAX_DAYS):
            raise InvalidInputError(f"the read-out day must be in (0, {MAX_DAYS:g}], "
                                    f"got {self.day!r}")
        if self.window is None:
            object.__setattr__(self, "window", min(DEFAULT_WINDOW, float(self.day)))
        w = float(self.window)  # type: ignore[arg-type]
        if not (math.isfinite(w) and 0 <= w <= self.day):
            raise InvalidInputError(f"the read-out window must be 0 to {self.day:g} days (it "
                                    f"ends at day {self.day:g}, the run starts at 0), got "
                                    f"{self.window!r}")
        if w == 0 and self.kind == "auc":
            raise InvalidInputError("an area under the curve needs a window of more than 0 days")

    @property
    def span(self) -> float:
        """Length of the window in days."""
        return float(self.window)  # type: ignore[arg-type]

    @property
    def start(self) -> float:
        """First day of the window."""
        return self.day - self.span

    def times(self) -> FloatArray:
        """Sample days of the window: daily from its start, and its last day."""
        if self.span == 0:
            return np.array([float(self.day)])
        n = math.ceil(self.span - 1e-9) + 1
        return np.linspace(self.start, self.day, n)

    @property
    def is_gain(self) -> bool:
        """Whether this read-out is of the gain over the untreated course."""
        return self.kind in GAIN_KINDS

    def reduce(self, values: npt.ArrayLike, untreated: npt.ArrayLike | None = None
               ) -> FloatArray:
        """Read out ``values`` sampled at :meth:`times` (last axis); NaN stays NaN.

        ``untreated`` is the untreated course at the same days, needed by ``min-gain``.

        Raises
        ------
        InvalidInputError
            For ``min-gain`` without the untreated course.
        """
        y = np.asarray(values, dtype=float)
        if self.is_gain:
            if untreated is None:
                raise InvalidInputError(f"the {self.kind} read-out needs the untreated course "
                                        f"(exobone optimize and dose-response have it)")
            return np.asarray((y - np.asarray(untreated, dtype=float)).min(axis=-1),
                              dtype=float)
        if self.span == 0:
            return np.asarray(y[..., -1], dtype=float)
        if self.kind == "trough":
            return np.asarray(y.min(axis=-1), dtype=float)
        area = np.asarray(np.trapezoid(y, self.times(), axis=-1), dtype=float)
        return area if self.kind == "auc" else area / self.span

    def label(self) -> str:
        """E.g. ``mean bv_tv over days 152-180``."""
        if self.is_gain:
            days = (f"at day {self.day:g}" if self.span == 0 else
                    f"over days {self.start:g}-{self.day:g}")
            return f"smallest gain in {self.outcome} over untreated {days}"
        if self.span == 0:
            return f"{self.outcome} at day {self.day:g}"
        return f"{self.kind} {self.outcome} over days {self.start:g}-{self.day:g}"

    def to_dict(self) -> dict[str, Any]:
        """Return ``{outcome, day, kind, window, start}``."""
        return {"outcome": self.outcome, "day": self.day, "kind": self.kind,
                "window": self.span, "start": self.start}


def dose_half_life(model: ModelSpec) -> float:
    """Half-life (days) of administered exosomes from :data:`DOSE_CLEARANCE`.

    Raises
    ------
    ModelError
        If the model has no such parameter or it is not positive.
    """
    k = model.parameter_values.get(DOSE_CLEARANCE)
    if k is None or not k > 0:
        raise ModelError(f"the model has no positive {DOSE_CLEARANCE} (got {k!r}): the "
                         f"transient of a dose is undefined")
    return math.log(2.0) / float(k)


def dose_days(model: ModelSpec) -> tuple[float, ...]:
    """Sorted days of the model's scheduled exosome doses (events ``dose_*``)."""
    return tuple(sorted(t for e in model.events if e.name.startswith("dose_")
                        for t in e.at_times))


def transient_warnings(readout: Readout, doses: Sequence[float], half_life: float
                       ) -> list[str]:
    """One line when the read-out ends within :data:`TRANSIENT_HALF_LIVES` half-lives of
    the last dose on or before its day (empty otherwise)."""
    transient = TRANSIENT_HALF_LIVES * half_life
    before = [t for t in doses if t <= readout.day]
    if not before or readout.day - max(before) >= transient:
        return []
    last = max(before)
    gap = readout.day - last
    days = f"{gap:.3g} day{'' if gap == 1 else 's'}"
    line = (f"the read-out ({readout.label()}) ends {days} after the dose on day {last:g}, "
            f"inside its transient ({TRANSIENT_HALF_LIVES:g} half-lives of {DOSE_CLEARANCE}: "
            f"{transient:.3g} days): the value depends on the dose's timing")
    return [line]
