"""Virtual cohorts: bands, pairing, determinism under a seed, failure as data, priors."""

from __future__ import annotations

import numpy as np
import pytest

from exobone.analysis.cohorts import Prior, load_priors, run_cohort, sample_parameters
from exobone.errors import InvalidInputError

IV = ["exosome:bmsc,dose=100,start=14,every=28"]


def test_cohort_bands_and_determinism_under_a_seed():
    a = run_cohort("ovx", IV, n=24, rng=11, days=90, points=10, outcomes=("bv_tv", "ctx"))
    b = run_cohort("ovx", IV, n=24, rng=11, days=90, points=10, outcomes=("bv_tv", "ctx"))
    q = a.bands["bv_tv"]
    # 10 save times joined with the daily days 62-90 of the read-out window (70, 80, 90 shared)
    assert q.shape == (3, 36) and a.times.size == 36
    assert (q[0] <= q[1]).all() and (q[1] <= q[2]).all()
    assert a.status_counts == {"treated": {"ok": 24}, "control": {"ok": 24}}
    for name in ("bv_tv", "ctx"):
        np.testing.assert_array_equal(a.bands[name], b.bands[name])
        np.testing.assert_array_equal(a.effect_bands[name], b.effect_bands[name])
    # BMSC exosomes raise BV/TV against the paired control by day 90
    assert a.effect_bands["bv_tv"][1, -1] > 0
    c = run_cohort("ovx", IV, n=24, rng=12, days=90, points=10, outcomes=("bv_tv",))
    assert not np.array_equal(a.bands["bv_tv"], c.bands["bv_tv"])


def test_failed_members_are_counted_not_dropped(ovx_model):
    # a prior that makes some members' parameter NaN-producing (negative where logs/powers
    # need a positive value) fails those members only
    from exobone.simulate.compile import compile_model

    cm = compile_model(ovx_model)
    bad = Prior(cm.parameters[0], "uniform", low=-1e9, high=1e9)
    res = run_cohort("ovx", (), n=12, rng=0, days=30, points=4, priors=[bad],
                     outcomes=("bv_tv",))
    total = {arm: sum(c.values()) for arm, c in res.status_counts.items()}
    assert total == {"treated": 12, "control": 12}
    assert "bv_tv" in res.bands and res.to_dict()["status"] == res.status_counts


def test_sample_parameters_spread_and_priors(ovx_model, tmp_path):
    from exobone.simulate.compile import compile_model

    cm = compile_model(ovx_model)
    base = cm.parameter_vector(ovx_model)
    P = sample_parameters(ovx_model, 50, spread=0.1, rng=3)
    ratio = P[:, base != 0] / base[base != 0]
    assert ratio.min() >= 0.9 - 1e-12 and ratio.max() <= 1.1 + 1e-12
    np.testing.assert_array_equal(P, sample_parameters(ovx_model, 50, spread=0.1, rng=3))
    name = cm.parameters[1]
    path = tmp_path / "priors.yaml"
    path.write_text(f"{name}: {{distribution: loguniform, low: 0.5, high: 2.0}}\n")
    priors = load_priors(path)
    Q = sample_parameters(ovx_model, 200, spread=None, priors=priors, rng=1)
    col = Q[:, cm.parameter_index(name)]
    assert 0.5 <= col.min() and col.max() <= 2.0
    others = np.delete(Q, cm.parameter_index(name), axis=1)
    np.testing.assert_array_equal(others, np.delete(np.tile(base, (200, 1)),
                                                    cm.parameter_index(name), axis=1))
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"{name}: {{distribution: uniform, low: 2, high: 1}}\n")
    with pytest.raises(InvalidInputError, match="low < high"):
        load_priors(bad)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": 10**12}, r"needs about .* GiB; the limit is 8 GiB: use a smaller --n or --points"),
    ({"n": 0}, "n must be at least 1"),
    ({"points": 2_000_000_000}, r"points \(save times\) must be in \[2, 100,000\]"),
    ({"days": float("nan")}, r"days must be in \(0, 36500\]"),
    ({"interventions": ["exosome:bmsc,dose=100,every=1e-9"]},
     "the limit is 10,000 doses per run"),
    ({"interventions": ["exosome:bmsc,dose=100,start=400"]}, "starts on day 400"),
])
def test_impossible_cohorts_are_refused_before_any_work(kwargs, message, monkeypatch):
    """A 2-PiB cohort or a dose every nanosecond is one line, before a model is built."""
    import exobone.model.assemble

    def no_build(*args, **kw):
        raise AssertionError("a model was built")

    monkeypatch.setattr(exobone.model.assemble, "build_model", no_build)
    kwargs = {"interventions": (), "n": 8, "days": 365.0, **kwargs}
    with pytest.raises(InvalidInputError, match=message) as info:
        run_cohort("ovx", **kwargs)
    assert "\n" not in str(info.value)


def test_cohort_on_the_command_line_says_the_limit(capsys):
    from exobone.cli import main

    assert main(["cohort", "ovx", "--n", "1000000000000"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the limit is 8 GiB" in err


def test_cohort_summary_is_each_members_window_readout():
    from exobone.analysis.readouts import Readout

    res = run_cohort("ovx", IV, n=6, rng=2, days=60, points=4, outcomes=("bv_tv", "p1np"),
                     readout="trough", window=14)
    assert res.readout == Readout("*", 60.0, "trough", 14.0)
    window = (res.times >= 46.0) & (res.times <= 60.0)
    assert np.array_equal(res.times[window], np.arange(46.0, 61.0))  # sampled daily
    # the trough of each member is at most its value on every day of the window, so the
    # median trough is at most the median on each of those days
    for name in ("bv_tv", "p1np"):
        med = res.summary[name]["treated"][1]
        assert med <= res.bands[name][1, window].min() + 1e-12
        assert len(res.summary[name]["effect"]) == 3
    # the dose on day 42 is 18 days before day 60: outside its 11.6-day transient
    assert res.warnings == ()
