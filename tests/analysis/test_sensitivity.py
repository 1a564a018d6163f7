"""Sensitivity: SALib's Ishigami known answer through our wrapper; model indices by mechanism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from exobone.analysis.sensitivity import (
    MIN_SOBOL_N,
    NO_MECHANISM,
    SensitivityResult,
    parameter_mechanisms,
    parse_objective,
    reliability_warnings,
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


def _sobol(s1, s1_conf, st, st_conf) -> SensitivityResult:
    names = tuple(f"p{i}" for i in range(len(s1)))
    return SensitivityResult("sobol", names, *(np.array(v, dtype=float)
                                               for v in (s1, s1_conf, st, st_conf)))


def test_noise_wider_than_the_indices_is_flagged_and_signal_is_not():
    # the case: S1 -0.76 +- 1.45 with every total index below 1.45
    noisy = reliability_warnings(_sobol([-0.76, 0.2], [1.45, 0.3], [0.9, 0.4], [0.5, 0.2]),
                                 n=MIN_SOBOL_N)
    assert len(noisy) == 1 and "wider than the indices (widest ±1.4, largest index 0.9)" \
        in noisy[0]
    clear = _sobol([0.31, 0.44, -0.004], [0.05, 0.06, 0.03], [0.56, 0.44, 0.24],
                   [0.04, 0.03, 0.02])
    assert reliability_warnings(clear, n=MIN_SOBOL_N) == ()
    assert "below 64" in reliability_warnings(clear, n=MIN_SOBOL_N - 1)[0]


def test_small_sobol_sample_warns_once_on_stderr_and_in_json(capsys):
    from SALib.test_functions import Ishigami

    res = sensitivity_indices(ISHIGAMI, Ishigami.evaluate, method="sobol", n=4, rng=0)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("warning: n=4 is below 64")
    assert res.warnings and res.warnings[0].startswith("n=4 is below 64")
    assert res.to_dict()["warnings"] == list(res.warnings)
    ok = sensitivity_indices(ISHIGAMI, Ishigami.evaluate, method="sobol", n=256, rng=0)
    assert capsys.readouterr().err == "" and ok.to_dict()["warnings"] == []


def test_cli_json_carries_the_warnings_and_stdout_stays_json(capsys):
    import json

    from exobone.cli import main

    code = main(["sensitivity", "ovx", "--method", "sobol", "--outcome", "bv_tv@60", "--n", "4",
                 "--parameters", "k_oc_apoptosis", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    data = json.loads(out.out)
    assert data["warnings"] and data["warnings"][0].startswith("n=4 is below 64")
    assert "warning: n=4 is below 64" in out.err


def test_the_saltelli_sample_is_salibs_number_for_number():
    """The array-built sample is SALib's own (same seed, same rows, same bits), so SALib's
    analysis reads it exactly as it would read SALib's."""
    import copy

    from SALib.sample import sobol as salib_sobol

    from exobone.analysis.sensitivity import saltelli_sample

    problem = {"num_vars": 5, "names": list("abcde"),
               "bounds": [[0.0, 1.0], [-2.0, 3.0], [10.0, 11.0], [0.5, 0.6], [1e-3, 1e3]]}
    for n, seed in ((8, 1), (32, 7)):
        ours = saltelli_sample(copy.deepcopy(problem), n, seed)
        theirs = salib_sobol.sample(copy.deepcopy(problem), n, calc_second_order=False,
                                    seed=seed)
        assert ours.shape == (n * 7, 5)
        assert np.array_equal(ours, theirs)
