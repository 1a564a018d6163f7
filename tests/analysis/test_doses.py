"""Dose and schedule: dose-response shape, budget cap, and a seed-stable optimum."""

from __future__ import annotations

import numpy as np
import pytest

from exobone.analysis.doses import (
    DoseProblem,
    Plan,
    dose_grid,
    dose_response,
    optimize_schedule,
    parse_bounds,
)
from exobone.errors import InvalidInputError, UnknownNameError


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


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"every": 0.0}, r"every must be a finite number > 0, got 0.0"),
    ({"every": float("nan")}, "every must be a finite number > 0"),
    ({"every": 1e-9}, "the limit is 10,000 per run"),
    ({"start": -1.0}, "start must be a finite number >= 0"),
    ({"start": 400.0}, r"first dose \(day 400\) is not before the objective day 180"),
    ({"doses": [float("nan"), -1.0]}, r"doses must be finite numbers >= 0 µg, got nan"),
    ({"doses": [5.0, -1.0]}, "got -1"),
    ({"doses": []}, "needs 1 to 10,000 doses"),
])
def test_impossible_dose_response_requests_are_one_line(kwargs, message):
    with pytest.raises(InvalidInputError, match=message) as info:
        dose_grid(180.0, **kwargs)
    assert "\n" not in str(info.value)


def test_plans_and_optimiser_settings_are_checked(problem):
    with pytest.raises(InvalidInputError, match="every must be"):
        Plan(10, 0, 0, 10)
    with pytest.raises(InvalidInputError, match="maxiter must be at least 1"):
        optimize_schedule(problem, maxiter=-1)
    with pytest.raises(InvalidInputError, match="the bounds allow 180,000,001 doses"):
        optimize_schedule(problem, bounds=parse_bounds("every=1e-6:1"), maxiter=1)


@pytest.mark.parametrize(("argv", "message"), [
    (["dose-response", "ovx", "--exosome", "bmsc", "--every", "0"], "every must be"),
    (["dose-response", "ovx", "--exosome", "bmsc", "--doses", "nan,-1"], "doses must be"),
    (["optimize", "ovx", "--exosome", "bmsc", "--objective", "bv_tv@180", "--maxiter", "-1"],
     "--maxiter must be at least 1"),
    (["optimize", "ovx", "--exosome", "bmsc", "--objective", "bv_tv@1e9"],
     "past the longest run, day 36500"),
    (["cohort", "ovx", "-i", "exosome:bmsc,dose=100,every=1e-9"],
     "the limit is 10,000 doses per run"),
])
def test_bad_values_on_the_command_line_are_one_line_before_any_work(argv, message, capsys,
                                                                      monkeypatch):
    import exobone.model.assemble
    from exobone.cli import main

    def no_build(*args, **kw):
        raise AssertionError("a model was built")

    monkeypatch.setattr(exobone.model.assemble, "build_model", no_build)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
