"""`exobone calibrate` on a contrast study (a published treated-minus-control difference pooled
over species): the fit, its interval, the write-back and the files it refuses."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from exobone.analysis.calibrate.contrast import (
    ContrastModel,
    UnsupportedContrastError,
    calibrate_contrast,
    evaluate_contrast,
    is_contrast_file,
    load_contrast,
)
from exobone.cli import main
from exobone.errors import InvalidInputError
from exobone.model import fitted
from exobone.model.assemble import build_model
from exobone.simulate import SaveAt, simulate

ROOT = Path(__file__).resolve().parents[2]
KIRKHAM = ROOT / "data" / "calibration" / "contrasts" / "kirkham2022.yaml"
SCALE = "exo_dose_emax_scale__msc"


@pytest.fixture(scope="module")
def kirkham_fit():  # type: ignore[no-untyped-def]
    return calibrate_contrast(load_contrast(KIRKHAM))


def _variant(tmp_path: Path, **changes: object) -> Path:
    raw = yaml.safe_load(KIRKHAM.read_text(encoding="utf-8"))
    raw.update(changes)
    raw["magnitudes"] = str(KIRKHAM.parent / raw["magnitudes"])
    p = tmp_path / "variant.yaml"
    p.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return p


def test_the_model_quantity_is_the_weighted_difference_of_both_arms_simulated_exactly():
    study = load_contrast(KIRKHAM)
    pooled = ContrastModel(study)(2.0)
    direct = 0.0
    for species, weight in (("rat", 0.5), ("mouse", 0.5)):
        arms = []
        for ivs in (["exosome:bmsc,dose=400ug/kg,route=local"],
                    ["exosome:bmsc,dose=0,route=local"]):
            tr = simulate(build_model("calvarial-defect", ivs, species=species), (0.0, 56.0),
                          params={SCALE: 2.0}, saveat=SaveAt([0.0, 56.0]))
            arms.append(100.0 * float(tr["defect_fill"][-1]))
        direct += weight * (arms[0] - arms[1])
    assert pooled == pytest.approx(direct, rel=1e-12)
    assert direct > 0  # the dose raises defect fill


def test_the_fit_meets_the_datum_and_its_interval_the_published_noise(kirkham_fit):
    fit = kirkham_fit
    datum = fit.study.fit_data[0]
    assert fit.model_value == pytest.approx(22.2, abs=1e-3)
    assert fit.interval[0] < fit.estimate < fit.interval[1] and not fit.at_bounds
    # a one-parameter profile interval ends where the model is 1.96 sigma from the datum
    model = ContrastModel(fit.study)
    for end, sign in zip(fit.interval, (-1, 1), strict=True):
        assert model(end) == pytest.approx(22.2 + sign * 1.959964 * datum.sigma, abs=1e-3)
    assert fit.nllh == pytest.approx(0.5 * math.log(2 * math.pi * datum.sigma**2), abs=1e-9)
    held = [c for c in fit.checks() if c["use"] == "validate"]
    assert [c["record"] for c in held] == ["MAG:0002"] and held[0]["inside_ci"]


def test_the_shipped_dose_scale_is_this_fit(kirkham_fit):
    shipped = [v for v in fitted.load_fitted() if v.parameter == SCALE]
    assert sorted(v.species for v in shipped) == ["mouse", "rat"]
    for v in shipped:
        assert v.problem == kirkham_fit.study.problem and v.datasets == ("MAG:0001",)
        assert v.estimate == pytest.approx(kirkham_fit.estimate, rel=0.02), (
            f"the core moved the fit to {kirkham_fit.estimate:.4g}: re-run `exobone calibrate "
            f"data/calibration/contrasts/kirkham2022.yaml --write-fitted`")


def test_cli_evaluates_fits_and_writes_back(tmp_path, monkeypatch, capsys):
    assert main(["calibrate", str(KIRKHAM), "--evaluate", "--json"]) == 0
    values = json.loads(capsys.readouterr().out)
    study = load_contrast(KIRKHAM)
    assert values["nllh"] == pytest.approx(evaluate_contrast(study, study.nominal)["nllh"])
    assert values["llh"] == -values["nllh"] and values["nllh"] > 3  # nominal 1 misses the datum
    out = tmp_path / "fitted.yaml"
    monkeypatch.setattr(fitted, "FITTED_PATH", out)
    assert main(["calibrate", str(KIRKHAM), "--json", "--write-fitted"]) == 0
    res = json.loads(capsys.readouterr().out)
    entries = fitted.load_fitted(out)
    assert {v.species for v in entries} == {"rat", "mouse"}
    assert all(v.estimate == res["estimates"][SCALE] for v in entries)
    assert res["model_value"] == pytest.approx(22.2, abs=1e-3)


def test_cli_refuses_options_that_do_not_apply_in_one_line(capsys):
    assert main(["calibrate", str(KIRKHAM), "--ci", "bootstrap"]) == 1
    err = capsys.readouterr().err
    assert "--ci bootstrap does not apply" in err and len(err.strip().splitlines()) == 1


def test_a_petab_problem_is_not_a_contrast_file():
    assert is_contrast_file(KIRKHAM)
    assert not is_contrast_file(ROOT / "data" / "calibration" / "petab" / "rat_ovx")
    assert not is_contrast_file(next((ROOT / "data" / "calibration" / "petab" / "rat_ovx")
                                     .glob("*.yaml")))


@pytest.mark.parametrize(("changes", "error", "match"), [
    ({"contrast": 2}, UnsupportedContrastError, "schema"),
    ({"species": {"rat": 0.5, "mouse": 0.4}}, UnsupportedContrastError, "sum to 1"),
    ({"parameter": [{"name": SCALE}, {"name": "x"}]}, UnsupportedContrastError, "one parameter"),
    ({"parameter": {"name": SCALE, "nominal": 1, "bounds": [0, 20], "scale": "log"}},
     UnsupportedContrastError, "positive bounds"),
    ({"readout": {"variable": "defect_fill", "day": 56}}, UnsupportedContrastError, "readout"),
    ({"noise": "laplace"}, UnsupportedContrastError, "unknown key"),
])
def test_refuses_what_it_cannot_evaluate_exactly(tmp_path, changes, error, match):
    with pytest.raises(error, match=match):
        load_contrast(_variant(tmp_path, **changes))


def test_refuses_data_that_disagree_with_the_magnitudes_file_or_are_all_held_out(tmp_path):
    raw = yaml.safe_load(KIRKHAM.read_text(encoding="utf-8"))
    data = raw["data"]
    with pytest.raises(InvalidInputError, match="differs from the magnitudes file"):
        load_contrast(_variant(tmp_path, data=[{**data[0], "value": 25.0}, data[1]]))
    with pytest.raises(UnsupportedContrastError, match="no datum with use: fit"):
        load_contrast(_variant(tmp_path, data=[data[1]]))


def test_refuses_a_parameter_or_variable_the_model_lacks(tmp_path):
    bad = {"name": "exo_dose_emax_scale__osteoclast", "nominal": 1, "bounds": [0.1, 20],
           "scale": "lin"}
    with pytest.raises(UnsupportedContrastError, match="has no parameter"):
        ContrastModel(load_contrast(_variant(tmp_path, parameter=bad)))
    study = load_contrast(_variant(tmp_path, readout={"variable": "no_such", "factor": 1,
                                                      "day": 56}))
    with pytest.raises(UnsupportedContrastError, match="no variable 'no_such'"):
        ContrastModel(study)(1.0)


def test_an_interval_cut_by_a_bound_is_reported(tmp_path):
    par = {"name": SCALE, "nominal": 5.0, "bounds": [4.5, 6.0], "scale": "lin"}
    fit = calibrate_contrast(load_contrast(_variant(tmp_path, parameter=par)))
    assert 4.5 < fit.estimate < 6.0  # the unbounded fit (about 5.28) lies inside
    assert fit.interval[0] == 4.5 and fit.interval[1] == 6.0
    assert fit.at_bounds == ["low end of the interval at the bound 4.5",
                             "high end of the interval at the bound 6"]
