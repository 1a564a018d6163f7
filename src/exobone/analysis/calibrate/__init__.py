"""Calibrate model parameters to data given as a PEtab problem.

:mod:`~exobone.analysis.calibrate.problem` reads and lints the problem (``petab`` library) and
refuses what exobone does not evaluate exactly; :mod:`~exobone.analysis.calibrate.objective`
is the PEtab log-likelihood and log-prior (:mod:`~exobone.analysis.calibrate.steady` finds the
steady states of preequilibration and ``time = inf`` data); :mod:`~exobone.analysis.calibrate.fit`
fits it from many starts with profile-likelihood or bootstrap intervals;
:mod:`~exobone.analysis.calibrate.plot` gives the data of its figure;
:mod:`~exobone.analysis.calibrate.studies` writes a fit back as fitted values and runs
leave-one-study-out validation with bands (:mod:`~exobone.analysis.calibrate.uncertainty`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from exobone.analysis.calibrate.fit import CalibrationResult, calibrate
from exobone.analysis.calibrate.joint import calibrate_joint
from exobone.analysis.calibrate.objective import Objective, ObjectiveUndefinedError
from exobone.analysis.calibrate.plot import fit_curves
from exobone.analysis.calibrate.problem import (
    CalibrationProblem,
    UnsupportedPEtabError,
    load_petab,
)
from exobone.analysis.calibrate.studies import (
    StudyPrediction,
    fitted_values,
    hold_out,
    leave_one_study_out,
    predict_band,
    predict_held_out,
    studies,
    with_validation,
)

__all__ = ["CalibrationProblem", "CalibrationResult", "Objective", "ObjectiveUndefinedError",
           "StudyPrediction", "UnsupportedPEtabError", "calibrate", "calibrate_joint",
           "evaluate", "fit_curves", "fitted_values", "hold_out", "leave_one_study_out",
           "load_petab", "predict_band", "predict_held_out", "studies", "with_validation"]


def evaluate(problem: CalibrationProblem | str | Path, *, tolerances: Any = None
             ) -> dict[str, float]:
    """Return the objective at the nominal parameters, without fitting.

    ``{"llh": log-likelihood, "nllh": -llh, "log_prior": ..., "objective": nllh - log_prior}``
    (the log-prior is 0 without ``objectivePriorType`` entries).

    Raises
    ------
    ObjectiveUndefinedError
        Naming the failed simulation or the datum without a finite likelihood.
    """
    prob = problem if isinstance(problem, CalibrationProblem) else load_petab(problem)
    obj = Objective(prob, tolerances)
    llh = obj.log_likelihood(obj.theta_nominal)
    log_prior = obj.log_prior(obj.theta_nominal)
    return {"llh": llh, "nllh": -llh, "log_prior": log_prior, "objective": -llh - log_prior}
