"""The data of a fit's figure: measurements with their sigma and the fitted observables.

:func:`exobone.plotting.plot_calibration` draws what :func:`fit_curves` returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exobone.analysis.calibrate.fit import CalibrationResult
from exobone.analysis.calibrate.objective import Objective
from exobone.errors import InvalidInputError

__all__ = ["fit_curves"]


def fit_curves(result: CalibrationResult) -> dict[str, list[dict[str, Any]]]:
    """Return, per observable, the fitted values and the data of each experiment.

    Each entry has ``condition`` (``pre->sim`` with preequilibration), ``times`` and ``fit``
    (the fitted observable at the measurement times, as the objective computes it), and
    ``data_times``, ``data``, ``sigma`` (the measurements and their noise).

    Raises
    ------
    InvalidInputError
        If the result carries no problem.
    """
    if result.problem is None:
        raise InvalidInputError("this calibration result has no problem to plot")
    obj = Objective(result.problem, None)
    h, sigma = obj.predict(np.array(result.theta))
    panels: dict[str, list[dict[str, Any]]] = {}
    for oid in obj.observables:
        rows = obj.observables[oid]["rows"]
        panels[oid] = []
        for e, (pre, sim) in enumerate(obj.experiments):
            mine = rows[obj.row_exp[rows] == e]
            if not mine.size:
                continue
            order = mine[np.argsort(obj.row_time[mine])]
            times = obj.row_time[order]
            panels[oid].append({
                "condition": f"{pre}->{sim}" if pre else sim, "times": times, "fit": h[order],
                "data_times": times, "data": obj.y[order], "sigma": sigma[order]})
    return panels
