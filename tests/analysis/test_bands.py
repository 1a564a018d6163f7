"""Prediction bands draw the assumed exosome magnitudes too (issue 13 point 3)."""

from __future__ import annotations

import pytest

from exobone.analysis.calibrate.bands import MAGNITUDE_METHOD, prediction_band

DOSED = ["exosome:osteoclast,dose=10,every=7"]


def _band(seed: int, interventions: list[str] = DOSED) -> dict:  # type: ignore[type-arg]
    return prediction_band("ovx", interventions, species="rat", days=60,
                           times=[0.0, 60.0], n=6, seed=seed, outcomes=["bv_tv"])


def test_a_dosed_run_draws_the_assumed_magnitude_and_says_so() -> None:
    band = _band(1)
    kinds = {p["name"]: p["kind"] for p in band["parameters"]}
    assert kinds == {"estrogen_sensitivity": "fitted",
                     "exo_dose_emax_scale__osteoclast": "assumed"}
    assumed = next(p for p in band["parameters"] if p["kind"] == "assumed")
    assert assumed["interval"] == [0.1, 20.0] and "no published magnitude" in assumed["reason"]
    assert "assumed, from their priors: exo_dose_emax_scale__osteoclast" in band["drawn"]
    assert "fitted, from their intervals: estrogen_sensitivity" in band["drawn"]
    assert band["method"].endswith(MAGNITUDE_METHOD) and band["seed"] == 1
    # the magnitude draw spreads the treated arm more than the fitted draw alone spreads it
    undosed = _band(1, [])
    assert [p["name"] for p in undosed["parameters"]] == ["estrogen_sensitivity"]
    width = band["effect"]["bv_tv"][2][1] - band["effect"]["bv_tv"][0][1]
    assert width > 0 and undosed["effect"]["bv_tv"][2][1] == pytest.approx(0.0, abs=1e-9)


def test_the_band_follows_its_seed() -> None:
    assert _band(1)["treated"] == _band(1)["treated"]
    assert _band(2)["treated"] != _band(1)["treated"]


def test_a_fitted_magnitude_is_drawn_once_from_its_interval() -> None:
    band = _band(1, ["exosome:bmsc,dose=10,every=7"])
    (scale,) = [p for p in band["parameters"] if p["name"] == "exo_dose_emax_scale__msc"]
    assert scale["kind"] == "fitted" and scale["interval"][0] < scale["estimate"]
    assert "assumed" not in band["drawn"]
