"""Sensitivity: SALib's Ishigami known answer through our wrapper; model indices by mechanism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from exobone.analysis.sensitivity import (
    NO_MECHANISM,
    parameter_mechanisms,
    parse_objective,
    run_sensitivity,
    sensitivity_indices,
)
from exobone.errors import InvalidInputError

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}


def _ishigami_exact(a=7.0, b=0.1):
    v = a**2 / 8 + b * math.pi**4 / 5 + b**2 * math.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_sobol_reproduces_the_ishigami_known_answer():
    from SALib.test_functions import Ishigami

    res = sensitivity_indices(ISHIGAMI, Ishigami.evaluate, method="sobol", n=2048, rng=1)
    s1, st = _ishigami_exact()
    np.testing.assert_allclose(res.first, s1, atol=0.03)
    np.testing.assert_allclose(res.total, st, atol=0.03)
    assert (res.first_conf > 0).all() and (res.total_conf > 0).all()
    assert res.ranking()[0] == 0  # x1 has the largest total index


def test_morris_ranks_ishigami_x3_as_interacting():
    from SALib.test_functions import Ishigami

    res = sensitivity_indices(ISHIGAMI, Ishigami.evaluate, method="morris", n=100, rng=1)
    assert res.first.sum() == pytest.approx(1.0)
    assert res.total[2] > res.first[2]  # sigma > mu*: x3 acts only through x1


def test_same_seed_same_indices():
    from SALib.test_functions import Ishigami

    a = sensitivity_indices(ISHIGAMI, Ishigami.evaluate, n=256, rng=4)
    b = sensitivity_indices(ISHIGAMI, Ishigami.evaluate, n=256, rng=4)
    np.testing.assert_array_equal(a.total, b.total)


def test_failed_runs_are_counted():
    def f(X):
        y = X[:, 0] + 2 * X[:, 1]
        y[::7] = np.nan
        return y

    res = sensitivity_indices(ISHIGAMI, f, n=64, rng=0)
    assert res.n_failed > 0 and np.isfinite(res.total).all()


def test_model_sensitivity_aggregates_by_mechanism(ovx_model):
    mech = parameter_mechanisms(ovx_model)
    values = ovx_model.parameter_values
    with_mech = [p for p, m in mech.items() if m and values.get(p, 0.0) != 0.0]
    assert with_mech, "some parameters belong to atlas mechanisms"
    params = [with_mech[0], "k_oc_apoptosis" if "k_oc_apoptosis" in mech else
              next(p for p, m in mech.items() if not m)]
    res = run_sensitivity("ovx", outcome="bv_tv", day=60.0, method="morris", n=4,
                          parameters=params, rng=0)
    assert set(res.names) == set(params)
    assert res.n_runs == 4 * (len(params) + 1)
    assert set(res.mechanisms) <= set(mech[params[0]]) | set(mech[params[1]]) | {NO_MECHANISM}
    assert res.to_dict()["parameters"][0]["name"] in params


def test_objective_syntax():
    assert parse_objective("bv_tv@180") == ("bv_tv", 180.0)
    with pytest.raises(InvalidInputError, match="OUTCOME@DAY"):
        parse_objective("bv_tv")


def test_oversized_samples_and_days_are_refused_before_any_run():
    def never(X):
        raise AssertionError("evaluated")

    with pytest.raises(InvalidInputError, match=r"is 50,000,000,000,000 runs.*the limit is 8 GiB"):
        sensitivity_indices(ISHIGAMI, never, n=10**13, rng=0)
    with pytest.raises(InvalidInputError, match="past the longest run, day 36500"):
        parse_objective("bv_tv@1e9")
    with pytest.raises(InvalidInputError, match="the limit is 10,000 doses per run"):
        run_sensitivity("ovx", ["exosome:bmsc,dose=100,every=1e-9"], outcome="bv_tv",
                        day=60.0)
