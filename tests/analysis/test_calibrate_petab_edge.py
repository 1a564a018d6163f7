"""Fits whose optimum lies at the edge of the region where the model has a solution.

``dx/dt = a x^2`` from ``x = 1`` is ``x = 1 / (1 - a t)``: it reaches infinity at ``t = 1/a``,
so for ``a >= 1`` there is no solution on the data's ``[0, 1]``. Data from ``a = 0.9999`` put the
optimum 1e-4 inside that edge, closer than the central difference's step (1e-4 on the log10
scale, ``a * 1.00023``), as Crauste 2017's published optimum lies on the edge where its pathogen
blows up. The Jacobian takes the one-sided difference from the side that has a solution, the
local fit's trial points without a solution are stepped back from, and the fit reaches it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sbml_builders import one_reaction_model

from exobone.analysis.calibrate import Objective, calibrate, load_petab
from exobone.analysis.calibrate.fit import Residuals

A_TRUE = 0.9999
TIMES = np.array([0.25, 0.5, 0.75, 0.9, 1.0])


def _problem(tmp: Path) -> Path:
    one_reaction_model(tmp / "model.xml", "blow_up", "a", "a * x^2", role="product",
                       reaction="growth")
    clean = 1.0 / (1.0 - A_TRUE * TIMES)
    tables = {
        "measurements": pd.DataFrame({"observableId": "obs_x", "simulationConditionId": "c0",
                                      "time": TIMES, "measurement": clean,
                                      "noiseParameters": 0.01 * clean}),
        "observables": pd.DataFrame({"observableId": ["obs_x"], "observableFormula": ["x"],
                                     "noiseFormula": ["noiseParameter1_obs_x"],
                                     "observableTransformation": ["lin"],
                                     "noiseDistribution": ["normal"]}),
        "conditions": pd.DataFrame({"conditionId": ["c0"], "conditionName": ["only"]}),
        "parameters": pd.DataFrame({"parameterId": ["a"], "parameterScale": ["log10"],
                                    "lowerBound": [0.01], "upperBound": [3.0],
                                    "nominalValue": [0.5], "estimate": [1]}),
    }
    for name, df in tables.items():
        df.to_csv(tmp / f"{name}.tsv", sep="\t", index=False)
    problem = {"format_version": 1, "parameter_file": "parameters.tsv",
               "problems": [{"sbml_files": ["model.xml"],
                             "measurement_files": ["measurements.tsv"],
                             "observable_files": ["observables.tsv"],
                             "condition_files": ["conditions.tsv"]}]}
    (tmp / "problem.yaml").write_text(yaml.safe_dump(problem))
    return tmp / "problem.yaml"


@pytest.mark.slow  # compiles the model for the ensemble backend once
def test_jacobian_at_the_edge_is_the_one_sided_difference(tmp_path: Path) -> None:
    obj = Objective(load_petab(_problem(tmp_path)))
    res = Residuals(obj, ensemble=True)
    theta = np.array([np.log10(A_TRUE)])
    step = res.step
    assert isinstance(obj.simulate_many(theta[None, :] + step)[0], str)  # no solution there
    jac = res.jacobian(theta)
    backward = (res.fast(theta) - res.fast(theta - step)) / step
    assert np.all(np.isfinite(jac))
    assert jac[:, 0] == pytest.approx(backward, rel=1e-6)


@pytest.mark.slow
def test_fit_reaches_an_optimum_at_the_edge_of_the_solutions(tmp_path: Path) -> None:
    path = _problem(tmp_path)
    res = calibrate(path, starts=3, rng=0, ci=None, ensemble=True)
    assert res.estimates["a"] == pytest.approx(A_TRUE, rel=1e-7)
    # the reported cost is the reference solver's; the data are the model's values at A_TRUE,
    # up to the two solvers' difference at x(1) = 1e4 near the blow-up (about 1e-3 relative)
    ref = Residuals(Objective(load_petab(path)), ensemble=False)
    at_truth = ref.cost(ref.exact(np.array([np.log10(A_TRUE)])))
    floor = sum(0.5 * np.log(2 * np.pi * (0.01 / (1.0 - A_TRUE * TIMES)) ** 2))
    assert at_truth == pytest.approx(floor, abs=0.02)
    assert res.cost == pytest.approx(at_truth, abs=0.02)
    assert all(np.isfinite(res.start_costs))
