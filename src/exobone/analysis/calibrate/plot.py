"""Figure of a fit: data with their sigma and the fitted observables, per observable."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from exobone.analysis.calibrate.fit import CalibrationResult
from exobone.analysis.calibrate.objective import Objective
from exobone.errors import InvalidInputError

__all__ = ["plot_fit"]


def plot_fit(result: CalibrationResult, path: str | Path) -> Path:
    """Draw data (points with sigma bars) and the fitted values per observable to a PNG.

    Raises
    ------
    InvalidInputError
        If the result carries no problem.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if result.problem is None:
        raise InvalidInputError("this calibration result has no problem to plot")
    obj = Objective(result.problem, None)
    theta = np.array(result.theta)
    h, sigma = obj.predict(theta)
    obs_ids = list(obj.observables)
    fig, axes = plt.subplots(1, len(obs_ids), figsize=(5 * len(obs_ids), 3.8), squeeze=False)
    for ax, oid in zip(axes[0], obs_ids, strict=True):
        rows = obj.observables[oid]["rows"]
        for e, (pre, sim) in enumerate(obj.experiments):
            mine = rows[obj.row_exp[rows] == e]
            if not mine.size:
                continue
            order = mine[np.argsort(obj.row_time[mine])]
            label = f"{pre}->{sim}" if pre else sim
            ax.plot(obj.row_time[order], h[order], "-", label=f"fit, {label}")
            ax.errorbar(obj.row_time[order], obj.y[order], yerr=sigma[order], fmt="o", ms=4,
                        label=f"data, {label}")
        ax.set_title(oid)
        ax.set_xlabel("time")
        ax.legend(fontsize=7)
    est = ", ".join(f"{n}={result.estimates[n]:.3g} [{result.intervals[n][0]:.3g}, "
                    f"{result.intervals[n][1]:.3g}]" for n in result.names)
    fig.suptitle(f"{result.problem.model.name}: {est}", fontsize=8)
    fig.tight_layout()
    target = Path(path)
    fig.savefig(target, dpi=120)
    plt.close(fig)
    return target
