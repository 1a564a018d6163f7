"""Dose and schedule: dose-response shape, budget cap, and a seed-stable optimum."""

from __future__ import annotations

import numpy as np
import pytest

from exobone.analysis.doses import DoseProblem, Plan, dose_response, optimize_schedule, parse_bounds
from exobone.errors import InvalidInputError, UnknownNameError

pytest.importorskip("numba")


@pytest.fixture(scope="module")
def problem():
    return DoseProblem("ovx", "bmsc", "bv_tv", 90.0, budget=600.0)


def test_plan_times():
    assert Plan(10, 7, 14, 14).times(90) == (14.0, 21.0, 28.0)
    assert Plan(10, 7, 100, 14).times(90) == ()


def test_dose_response_rises_and_budget_caps(problem):
    _, values = dose_response(problem, every=14, start=7, doses=[1, 10, 100, 1000])
    assert np.all(np.diff(values[:3]) > 0)
    assert values[0] > problem.control_value
    # 6 doses x 1000 ug exceeds the 600 ug budget: capped at 100 ug per dose
    assert values[3] == pytest.approx(values[2], rel=1e-9)


def test_optimum_is_stable_across_seeds(problem):
    bounds = parse_bounds("dose=10:300,every=7:21,start=0:30,duration=0:42")
    runs = [optimize_schedule(problem, bounds=bounds, rng=seed, maxiter=30, popsize=8,
                              surfaces=False) for seed in (1, 2)]
    values = [r.value for r in runs]
    assert values[0] == pytest.approx(values[1], rel=0.01)
    assert runs[0].plan.dose == pytest.approx(runs[1].plan.dose, rel=0.02)
    assert len(runs[0].plan.times(90.0)) == len(runs[1].plan.times(90.0))
    assert runs[0].plan.start == pytest.approx(runs[1].plan.start, abs=1.0)
    assert runs[0].plan.every == pytest.approx(runs[1].plan.every, abs=0.5)
    assert all(v > problem.control_value for v in values)
    for r in runs:
        assert r.plan.dose * len(r.plan.times(90.0)) <= 600.0 + 1e-6


def test_bad_bounds_and_outcome():
    with pytest.raises(InvalidInputError, match="LOW:HIGH"):
        parse_bounds("dose=5")
    with pytest.raises(UnknownNameError, match="dosee"):
        parse_bounds("dosee=1:2")
    with pytest.raises(UnknownNameError, match="bv_tvv"):
        DoseProblem("ovx", "bmsc", "bv_tvv", 30.0)
