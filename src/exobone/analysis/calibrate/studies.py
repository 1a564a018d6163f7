"""Studies of a PEtab problem: write-back of a fit, held-out data and leave-one-study-out.

A study is a ``datasetId`` of the measurement table (the calibration record the rows came from,
see ``data/calibration/petab``). :func:`with_validation` adds the problem's held-out rows
(``validation.tsv`` beside its YAML); :func:`hold_out` splits a problem into the rows of one study
and the rest; :func:`leave_one_study_out` fits without each study and predicts it with a band
from the fit's parameter uncertainty (:mod:`~exobone.analysis.calibrate.uncertainty`);
:func:`fitted_values` turns a fit into the entries the model builder applies.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from exobone.analysis.calibrate.fit import CalibrationResult, calibrate
from exobone.analysis.calibrate.objective import Objective, to_scale
from exobone.analysis.calibrate.problem import CalibrationProblem
from exobone.analysis.calibrate.uncertainty import FittedPrior, draw
from exobone.errors import InvalidInputError
from exobone.model.fitted import FittedValue

__all__ = ["StudyPrediction", "fitted_values", "hold_out", "leave_one_study_out",
           "predict_band", "predict_held_out", "studies", "with_validation"]

#: the two-sided band of a prediction (quantiles of the draws)
BAND = (0.05, 0.95)


def studies(prob: CalibrationProblem) -> list[str]:
    """The problem's ``datasetId`` values in table order.

    Raises
    ------
    InvalidInputError
        If the measurement table has no ``datasetId`` column or a row without one.
    """
    meas = prob.measurements
    if "datasetId" not in meas or meas["datasetId"].isna().any():
        raise InvalidInputError(f"{Path(prob.source).name}: every measurement needs a "
                                f"datasetId (the study it comes from)")
    return list(dict.fromkeys(map(str, meas["datasetId"])))


def with_validation(prob: CalibrationProblem) -> CalibrationProblem:
    """The problem with the rows of ``validation.tsv`` beside its YAML appended (if any)."""
    import pandas as pd
    import petab.v1 as petab

    path = Path(prob.source).with_name("validation.tsv")
    if not path.is_file():
        return prob
    extra = petab.get_measurement_df(str(path))
    if extra.empty:
        return prob
    both = pd.concat([prob.measurements, extra], ignore_index=True)
    return replace(prob, measurements=both)


def hold_out(prob: CalibrationProblem, study: str) -> tuple[CalibrationProblem,
                                                            CalibrationProblem]:
    """``(problem without the study's rows, problem with only them)``.

    Raises
    ------
    InvalidInputError
        For an unknown study, or when the study holds every row (nothing left to fit).
    """
    names = studies(prob)
    if study not in names:
        raise InvalidInputError(f"no study {study!r} in {Path(prob.source).name} (studies: "
                                f"{', '.join(names)})")
    mine = prob.measurements["datasetId"].astype(str) == study
    if mine.all():
        raise InvalidInputError(f"study {study!r} holds every measurement: nothing left to fit")
    return (replace(prob, measurements=prob.measurements[~mine].reset_index(drop=True)),
            replace(prob, measurements=prob.measurements[mine].reset_index(drop=True)))


def _priors(result: CalibrationResult, obj: Objective) -> list[FittedPrior]:
    from exobone.analysis.calibrate.objective import from_scale

    return [FittedPrior(n, result.estimates[n], result.intervals[n],
                        (from_scale(float(obj.lower[k]), s), from_scale(float(obj.upper[k]), s)),
                        s, result.level)
            for k, (n, s) in enumerate(zip(result.names, result.scales, strict=True))]


def predict_band(prob: CalibrationProblem, result: CalibrationResult, *, n: int = 40,
                 rng: np.random.Generator | int | None = 0, ensemble: bool = False
                 ) -> dict[str, Any]:
    """Predict every row of ``prob`` at the fit's estimate and over draws of its uncertainty.

    The estimate's prediction is the reference solver's; with ``ensemble`` the draws run as one
    compiled ensemble where the problem allows it (:attr:`Objective.batchable`), else one
    reference run each.

    ``result`` is a fit of the same model (its parameter names are ``prob``'s estimated ones).
    Returns ``{"predicted", "sigma", "low", "high", "n_ok"}`` arrays (low/high: the 5 and 95 %
    quantiles over the draws whose simulation succeeded).
    """
    from exobone.analysis.calibrate.steady import ObjectiveUndefinedError

    obj = Objective(prob)
    if list(obj.names) != list(result.names):
        raise InvalidInputError("the fit and the problem estimate different parameters")
    theta = np.array([to_scale(result.estimates[k], s) for k, s in
                      zip(result.names, result.scales, strict=True)])
    h, sigma = obj.predict(theta)
    draws = draw(_priors(result, obj), n, rng)
    thetas = np.array([[to_scale(float(draws[k][i]), s) for k, s in
                        zip(result.names, result.scales, strict=True)] for i in range(n)])
    rows = []
    if ensemble and obj.batchable:  # each draw a member of one compiled ensemble
        for th, frames in zip(thetas, obj.simulate_many(thetas), strict=True):
            if not isinstance(frames, str):  # a failed draw is counted in n_ok
                rows.append(obj.observe(frames, obj.table_values(th))[0])
    else:
        for th in thetas:
            try:
                rows.append(obj.predict(th)[0])
            except ObjectiveUndefinedError:
                continue  # counted in n_ok
    arr = np.array(rows) if rows else np.full((1, h.size), math.nan)
    return {"predicted": h, "sigma": sigma, "low": np.quantile(arr, BAND[0], axis=0),
            "high": np.quantile(arr, BAND[1], axis=0), "n_ok": len(rows), "n": n}


@dataclass(frozen=True)
class StudyPrediction:
    """One held-out study: its rows as published and as predicted by the fit without it."""

    study: str
    fit: CalibrationResult
    observable: tuple[str, ...]
    time: tuple[float, ...]
    published: tuple[float, ...]
    sigma: tuple[float, ...]
    predicted: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    n_draws_ok: int

    @property
    def z(self) -> tuple[float, ...]:
        """(predicted - published) / sigma of each row."""
        return tuple((p - m) / s for p, m, s in zip(self.predicted, self.published, self.sigma,
                                                     strict=True))

    @property
    def rms_z(self) -> float:
        return float(np.sqrt(np.mean(np.square(self.z))))

    @property
    def covered(self) -> int:
        """Rows whose published value lies inside the band."""
        return sum(lo <= m <= hi for lo, m, hi in zip(self.low, self.published, self.high,
                                                       strict=True))


def predict_held_out(prob: CalibrationProblem, study: str, *, starts: int = 4, seed: int = 0,
                     n_draws: int = 40, level: float = 0.95,
                     ensemble: bool | None = False) -> StudyPrediction:
    """Fit the problem without ``study`` and predict its rows with a band (one step of
    :func:`leave_one_study_out`; ``seed`` seeds the fit's starts and the band's draws)."""
    train, test = hold_out(prob, study)
    res = calibrate(train, starts=starts, rng=seed, ci="profile", level=level,
                    ensemble=ensemble)
    band = predict_band(test, res, n=n_draws, rng=seed, ensemble=ensemble is not False)
    meas = test.measurements
    return StudyPrediction(
        study, res, tuple(map(str, meas["observableId"])), tuple(map(float, meas["time"])),
        tuple(map(float, meas["measurement"])), tuple(map(float, band["sigma"])),
        tuple(map(float, band["predicted"])), tuple(map(float, band["low"])),
        tuple(map(float, band["high"])), int(band["n_ok"]))


def leave_one_study_out(prob: CalibrationProblem, *, starts: int = 4, seed: int = 0,
                        n_draws: int = 40, level: float = 0.95,
                        ensemble: bool | None = False) -> list[StudyPrediction]:
    """For each study: fit the problem without it, predict its rows with a band.

    ``ensemble``: as :func:`calibrate` (``None``: the compiled ensemble wherever it runs the
    problem exactly, :attr:`Objective.batchable`, for the fits and the band's draws; ``False``,
    the default: the reference solver and sensitivities, no compile).
    """
    return [predict_held_out(prob, study, starts=starts, seed=seed, n_draws=n_draws,
                             level=level, ensemble=ensemble) for study in studies(prob)]


def _relative(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def fitted_values(result: CalibrationResult, *, date: str | None = None) -> list[FittedValue]:
    """The entries of ``fitted_values.yaml`` for a fit of a problem on an exobone build.

    Raises
    ------
    InvalidInputError
        For a fit of an SBML model (no species to apply it to) or without datasetIds.
    """
    from exobone.analysis.calibrate.objective import from_scale

    prob = result.problem
    if prob is None or "species" not in prob.model.metadata:
        raise InvalidInputError("only a fit of an exobone build (the problem's 'exobone' key or "
                                "--scenario) can be written back as fitted values")
    datasets = tuple(studies(prob))
    obj = Objective(prob)
    day = date or _dt.datetime.now(_dt.UTC).date().isoformat()
    return [FittedValue(
        n, str(prob.model.metadata["species"]), result.estimates[n], result.intervals[n],
        result.level, result.method, s,
        (from_scale(float(obj.lower[k]), s), from_scale(float(obj.upper[k]), s)),
        _relative(prob.source), datasets, result.cost, day, result.seed)
        for k, (n, s) in enumerate(zip(result.names, result.scales, strict=True))]
