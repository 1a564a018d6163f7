"""The web runner's uncertainty band: drawn from the fitted parameters, seeded, refused without
fitted parameters, and every answer says which parameters are fitted, cited or assumed."""

from __future__ import annotations

from typing import Any

BAND = {"scenario": "ovx", "species": "rat", "days": 30, "points": 4, "band": 4, "seed": 2}


def test_simulate_with_a_band(client: Any) -> None:
    r = client.post("/api/simulate", json=BAND)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["parameter_sources"]["fitted"] == ["estrogen_sensitivity"]
    band = data["band"]
    assert band["n"] == 4 and band["seed"] == 2 and band["status"]["treated"] == {"ok": 4}
    assert band["times"] == data["times"]
    low, mid, high = band["treated"]["bv_tv"]
    assert low[-1] < mid[-1] < high[-1] and low[0] == high[0]
    again = client.post("/api/simulate", json=BAND).json()["band"]
    assert again["treated"] == band["treated"]


def test_a_band_needs_fitted_parameters_and_a_size(client: Any) -> None:
    r = client.post("/api/simulate", json={**BAND, "band": 1})
    assert r.status_code == 422
    r = client.post("/api/simulate", json={"scenario": "healthy", "species": "human",
                                           "days": 10, "points": 3, "band": 3})
    assert r.status_code == 422, r.text  # InvalidInputError: the request cannot be served
    assert "no parameter of this healthy model is fitted for human" in r.json()["detail"]


def test_report_takes_a_band_and_downloads_do_not(client: Any) -> None:
    query = {"scenario": "ovx", "species": "rat", "days": 20, "points": 3, "band": 3}
    r = client.get("/api/report", params=query)
    assert r.status_code == 200, r.text
    assert "5–95 % band" in r.text and "estrogen_sensitivity" in r.text
    r = client.get("/api/simulate/download", params={**query, "format": "csv"})
    assert r.status_code == 422 and "unknown query parameter 'band'" in r.json()["detail"]
