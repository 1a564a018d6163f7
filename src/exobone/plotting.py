"""Every figure exobone draws: scenario time courses, cohorts, dose plans, sensitivity, calibration.

Each ``plot_*`` function returns a :class:`matplotlib.figure.Figure` and, given ``path``, also
saves it there (PNG, or any format matplotlib knows from the suffix) with :func:`save_figure`.
Figures are made with ``Figure()`` rather than ``pyplot``, so drawing never changes the user's
matplotlib backend and no figure is left open in pyplot's registry. The analysis modules compute;
this module only draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from exobone.outputs import atomic_output

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from exobone.analysis.calibrate import CalibrationResult
    from exobone.analysis.cohorts import CohortResult
    from exobone.analysis.doses import OptimizationResult
    from exobone.analysis.sensitivity import SensitivityResult
    from exobone.simulate.scenarios import ScenarioResult

__all__ = ["SCENARIO_OUTCOMES", "plot_calibration", "plot_cohort", "plot_dose_response",
           "plot_optimization", "plot_scenario", "plot_sensitivity", "save_figure"]

#: outcomes :func:`plot_scenario` draws by default, in order (defect fill only with a defect)
SCENARIO_OUTCOMES = ("bv_tv", "defect_fill", "osteoblasts", "osteoclasts", "bmsc",
                     "vessel_density", "ctx", "p1np")

FloatArray = npt.NDArray[np.float64]


def _figure(**kwargs: Any) -> Figure:
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 110) -> Path:
    """Write ``fig`` to ``path`` whole or not at all; return the path.

    Raises
    ------
    InvalidInputError
        One line naming the path when it cannot be written (missing folder, a file where a
        folder should be, read-only folder, disk full).
    """
    target = Path(path)
    with atomic_output(target, what="figure") as staged:
        fig.savefig(staged, dpi=dpi)
    return target


def _finish(fig: Figure, path: str | Path | None, *, dpi: int = 110) -> Figure:
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig


def _all_one(values: object) -> bool:
    """True if every value is 1 (an unused defect compartment)."""
    return bool(np.all(np.abs(np.asarray(values, dtype=float) - 1.0) < 1e-12))


def _title(name: str, unit: str) -> str:
    return ("BV/TV" if name == "bv_tv" else name) + (f" [{unit}]" if unit else "")


def keep_flat_lines_flat(ax: Axes, courses: Sequence[object]) -> None:
    """Draw a course that does not move flat, not autoscaled into solver noise (~1e-9)."""
    values = np.concatenate([np.asarray(c, dtype=float).ravel() for c in courses])
    values = values[np.isfinite(values)]
    ax.ticklabel_format(axis="y", useOffset=False)
    if values.size == 0:
        return
    lo, hi = float(values.min()), float(values.max())
    mid = (lo + hi) / 2
    pad = max(0.05 * abs(mid), 1e-3)
    if hi - lo < 0.01 * pad:  # moves by less than 0.05% of its level: show it as flat
        ax.set_ylim(mid - pad, mid + pad)


def _label_time_axes(axes: Any, used: int, *, fontsize: int) -> None:
    """Hide unused panels; label the time axis under the lowest used panel of each column."""
    for ax in axes.flat[used:]:
        ax.axis("off")
    ncols = axes.shape[1]
    for col in range(min(ncols, used)):
        ax = axes.flat[col + ncols * ((used - 1 - col) // ncols)]
        ax.set_xlabel("time (days)", fontsize=fontsize)
        ax.xaxis.set_tick_params(labelbottom=True)


def plot_scenario(result: ScenarioResult, path: str | Path | None = None, *,
                  outcomes: Sequence[str] = SCENARIO_OUTCOMES, ncols: int = 2,
                  title: bool = True) -> Figure:
    """Time courses of a scenario run, treated (solid) against the untreated control (dashed).

    Parameters
    ----------
    result
        From :func:`exobone.simulate.scenarios.run_scenario` (with ``compare=True`` for the
        control arm).
    path
        Also save the figure here.
    outcomes
        Outcomes to draw, one panel each (those the run lacks are left out).
    ncols
        Panels per row.
    title
        Put the scenario and species above the panels.
    """
    from exobone.model.outcomes import OUTCOMES

    names = [n for n in outcomes if n in result.treated.outcomes
             and not (n == "defect_fill" and _all_one(result.treated.outcomes[n]))]
    nrows = max(1, math.ceil(len(names) / ncols))
    fig = _figure(figsize=(5 * ncols, 2.6 * nrows))
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
    label = ", ".join(result.treated.interventions) or "no intervention"
    for ax, name in zip(axes.flat, names, strict=False):
        ax.plot(result.times, result.treated.outcomes[name], color="C0", lw=1.6, label=label)
        courses = [result.treated.outcomes[name]]
        if result.control is not None:
            ax.plot(result.times, result.control.outcomes[name], color="0.4", ls="--", lw=1.4,
                    label="control (untreated)")
            courses.append(result.control.outcomes[name])
        ax.set_title(_title(name, OUTCOMES[name].unit if name in OUTCOMES else ""), fontsize=9)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        keep_flat_lines_flat(ax, courses)
    _label_time_axes(axes, len(names), fontsize=8)
    axes.flat[0].legend(fontsize=7)
    if title:
        fig.suptitle(f"{result.scenario} ({result.species})", fontsize=11)
    fig.tight_layout()
    return _finish(fig, path)


def plot_cohort(result: CohortResult, path: str | Path | None = None) -> Figure:
    """Median and 5-95 % bands of each outcome of a virtual cohort, treated against control."""
    from exobone.model.outcomes import OUTCOMES

    names = list(result.bands)
    nrows = max(1, math.ceil(len(names) / 2))
    fig = _figure(figsize=(10, 2.6 * nrows))
    axes = fig.subplots(nrows, 2, sharex=True, squeeze=False)
    label = ", ".join(result.interventions) or "no intervention"
    for ax, name in zip(axes.flat, names, strict=False):
        for bands, color, lab in ((result.control_bands, "0.4", "control"),
                                  (result.bands, "C0", label)):
            q = bands[name]
            ax.fill_between(result.times, q[0], q[2], color=color, alpha=0.25)
            ax.plot(result.times, q[1], color=color, label=f"{lab} (median, 5-95 %)")
        ax.set_title(_title(name, OUTCOMES[name].unit if name in OUTCOMES else ""), fontsize=9)
        ax.grid(alpha=0.3)
        if result.readout is not None and result.readout.span > 0:
            ax.axvspan(result.readout.start, result.readout.day, color="C1", alpha=0.15,
                       label=f"read-out window ({result.readout.kind})")
    _label_time_axes(axes, len(names), fontsize=9)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"virtual cohort: {result.scenario}, n={result.n}", fontsize=11)
    fig.tight_layout()
    return _finish(fig, path)


def plot_optimization(result: OptimizationResult, path: str | Path | None = None, *,
                      title: str = "") -> Figure:
    """The objective's course under the best plan with the read-out window shaded and the doses
    marked, and the dose-response curve and interval x start surface around the best plan."""
    fig = _figure(figsize=(15, 4))
    axes = fig.subplots(1, 3)
    ylabel = result.readout.label()
    if result.course is not None:
        days, best, control = result.course
        ax = axes[2]
        ax.plot(days, control, color="0.5", ls="--", label="no exosomes")
        ax.plot(days, best, color="C0", label="best plan")
        r = result.readout
        if r.span > 0:
            ax.axvspan(r.start, r.day, color="C1", alpha=0.2, label=f"read-out: {r.kind}")
        else:
            ax.axvline(r.day, color="C1", label="read-out day")
        given = [t for t in result.plan.times(r.day) if t < r.day]
        # doses as ticks along the bottom, so that many doses do not hide the window
        ax.plot(given, np.zeros(len(given)), "|", color="C3", ms=10, label="doses",
                transform=ax.get_xaxis_transform())
        ax.set_xlabel("day")
        ax.set_ylabel(result.objective)
        ax.legend(fontsize=7)
        ax.set_title(f"{result.objective} over the run; {ylabel}", fontsize=9)
    if result.dose_curve is not None:
        d, v = result.dose_curve
        axes[0].semilogx(d, v, "o-", ms=3)
        axes[0].axhline(result.control_value, color="0.5", ls="--", label="no exosomes")
        axes[0].axvline(result.plan.dose, color="C3", ls=":", label="best dose")
        axes[0].set_xlabel("dose per administration (µg)")
        axes[0].set_ylabel(ylabel)
        axes[0].legend(fontsize=7)
        axes[0].set_title(f"dose-response (every {result.plan.every:g} d, start "
                          f"{result.plan.start:g}, for {result.plan.duration:g} d)", fontsize=9)
    if result.schedule_surface is not None:
        e, s, z = result.schedule_surface
        im = axes[1].pcolormesh(s, e, z, shading="nearest")
        fig.colorbar(im, ax=axes[1], label=ylabel)
        axes[1].plot(result.plan.start, result.plan.every, "r*", ms=12)
        axes[1].set_xlabel("start (day)")
        axes[1].set_ylabel("interval (days)")
        axes[1].set_title(f"schedule-response at {result.plan.dose:g} µg", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _finish(fig, path)


def plot_dose_response(doses: FloatArray, values: FloatArray, control: float,
                       path: str | Path | None = None, *, label: str,
                       ylabel: str = "") -> Figure:
    """One dose-response curve against the untreated value (dashed)."""
    fig = _figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.semilogx(doses, values, "o-", ms=3, label=label)
    ax.axhline(control, color="0.5", ls="--", label="no exosomes")
    ax.set_xlabel("dose per administration (µg)")
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _finish(fig, path)


def plot_sensitivity(result: SensitivityResult, path: str | Path | None = None, *,
                     top: int = 20) -> Figure:
    """Bar charts: the top parameters (S1 and ST, or mu* and sigma) and the mechanisms."""
    order = result.ranking()[:top]
    fig = _figure(figsize=(12, max(3.0, 0.3 * len(order) + 1)))
    ax1, ax2 = fig.subplots(1, 2)
    y = np.arange(len(order))
    labels = [result.names[i] for i in order]
    a, b = ("S1", "ST") if result.method == "sobol" else ("mu* (norm.)", "sigma (norm.)")
    ax1.barh(y - 0.2, result.first[order], 0.4, xerr=result.first_conf[order], label=a)
    ax1.barh(y + 0.2, result.total[order], 0.4,
             xerr=None if result.method == "morris" else result.total_conf[order], label=b)
    ax1.set_yticks(y, labels, fontsize=7)
    ax1.invert_yaxis()
    ax1.legend(fontsize=7)
    ax1.set_title(f"{result.method}: parameters", fontsize=9)
    mech = sorted(result.mechanisms.items(), key=lambda kv: -kv[1])[:top]
    ax2.barh(np.arange(len(mech)), [v for _, v in mech])
    ax2.set_yticks(np.arange(len(mech)), [k for k, _ in mech], fontsize=7)
    ax2.invert_yaxis()
    ax2.set_title("summed by atlas mechanism", fontsize=9)
    fig.tight_layout()
    return _finish(fig, path)


def plot_calibration(result: CalibrationResult, path: str | Path | None = None) -> Figure:
    """Data (points with sigma bars) and the fitted trajectories, one panel per observable.

    Raises
    ------
    InvalidInputError
        If the result carries no problem (:func:`exobone.analysis.calibrate.fit_curves`).
    """
    from exobone.analysis.calibrate import fit_curves

    panels = fit_curves(result)
    fig = _figure(figsize=(5 * len(panels), 3.8))
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, (obs, curves) in zip(axes[0], panels.items(), strict=True):
        for c in curves:
            ax.plot(c["times"], c["fit"], label=f"fit, {c['condition']}")
            ax.errorbar(c["data_times"], c["data"], yerr=c["sigma"], fmt="o", ms=4,
                        label=f"data, {c['condition']}")
        ax.set_title(obs)
        ax.set_xlabel("time")
        ax.legend(fontsize=7)
    est = ", ".join(f"{n}={result.estimates[n]:.3g} [{result.intervals[n][0]:.3g}, "
                    f"{result.intervals[n][1]:.3g}]" for n in result.names)
    model = result.problem.model.name if result.problem is not None else ""
    fig.suptitle(f"{model}: {est}", fontsize=8)
    fig.tight_layout()
    return _finish(fig, path, dpi=120)
