"""The shipped calibration problems and what is built on them.

Every PEtab problem of data/calibration/petab lints, names its studies and evaluates to a finite
likelihood on its exobone build, and is reproducible from the records; fitted values round-trip
through the write-back file and the model builder applies them with a ``Fitted`` source;
leave-one-study-out really fits without the held-out study (two contradicting synthetic studies
give two different estimates); prediction-band draws match the intervals they come from.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sbml_builders import one_reaction_model

from exobone.analysis.calibrate import (
    CalibrationResult,
    evaluate,
    fitted_values,
    hold_out,
    leave_one_study_out,
    load_petab,
    studies,
    with_validation,
)
from exobone.analysis.calibrate.problem import build_spec
from exobone.analysis.calibrate.uncertainty import FittedPrior
from exobone.cli import main
from exobone.errors import InvalidInputError
from exobone.model.assemble import build_model
from exobone.model.builder import ModelBuilder
from exobone.model.fitted import (
    apply_fitted,
    load_fitted,
    parameter_sources,
    write_fitted,
)
from exobone.model.parameters import Assumed, Fitted

ROOT = Path(__file__).resolve().parents[2]
PETAB = ROOT / "data" / "calibration" / "petab"
SHIPPED = sorted(p.name for p in PETAB.iterdir() if (p / f"{p.name}.yaml").is_file())
RECORDS = {r["id"]: r for f in ("physiology.yaml", "pharmacology.yaml")
           for r in yaml.safe_load((ROOT / "data" / "calibration" / f).read_text())["records"]}


def test_problems_are_shipped():
    assert {"rat_ovx", "mouse_ovx"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_problem_lints_cites_and_evaluates(name: str):
    prob = with_validation(load_petab(PETAB / name))
    for study in studies(prob):
        assert study in RECORDS, f"{name}: datasetId {study!r} is not a calibration record"
    fit_rows = load_petab(PETAB / name).measurements
    uses = {RECORDS[s]["use"] for s in map(str, fit_rows["datasetId"])}
    assert uses == {"fit"}, f"{name}: measurements.tsv holds {uses}"
    assert prob.model.metadata["species"] == yaml.safe_load(
        (PETAB / name / f"{name}.yaml").read_text())["exobone"]["species"]
    values = evaluate(prob)
    assert np.isfinite(values["llh"])


def test_problems_are_reproducible_from_the_records():
    build = runpy.run_path(str(ROOT / "scripts" / "build_petab.py"))
    assert build["main"](["--check"]) == 0


def test_a_recipe_path_that_misses_the_record_is_an_error(tmp_path: Path):
    build = runpy.run_path(str(ROOT / "scripts" / "build_petab.py"))
    rec = {"id": "r1", "value": {"a": 1.0}}
    with pytest.raises(build["RecipeError"], match="r1.*value.b"):
        build["_at"](rec, ["value", "b"])


def test_recipe_rows_take_differences_model_error_and_trough_offsets():
    build = runpy.run_path(str(ROOT / "scripts" / "build_petab.py"))
    rec = {"id": "r1", "value": {"treated": 4.87, "placebo": 0.4}, "ci95": {"a": [1.0, 2.96]},
           "time_points_months": [12]}
    row = build["_row"](rec, {"observable": "o", "condition": "c",
                              "value": {"difference": [["value", "treated"],
                                                       ["value", "placebo"]]},
                              "sigma": {"ci95": ["ci95", "a"]}, "model_error": 0.5,
                              "time": {"path": ["time_points_months", 0], "unit": "month",
                                       "offset_days": -2}}, False)
    assert row["measurement"] == pytest.approx(4.47)
    assert row["noiseParameters"] == pytest.approx(0.5 * 2 ** 0.5, rel=1e-4)  # CI 0.5, model 0.5
    assert row["time"] == pytest.approx(12 * 30.4375 - 2)
    with pytest.raises(build["RecipeError"], match="r1.*difference"):
        build["_value"](rec, {"difference": [["value", "treated"]]})


def test_a_placebo_arm_that_moves_with_a_fitted_parameter_is_refused():
    """The treated-minus-placebo datum's placebo value is written into the table only when no
    estimated parameter moves the placebo arm."""
    build = runpy.run_path(str(ROOT / "scripts" / "build_petab.py"))
    model = build_model("ovx", ["denosumab"], species="rat", exosome_layer=False)
    rows = [{"observableId": "bv_vs_placebo", "time": 30.0}]
    recipe = {"observables": {"bv_vs_placebo": {"placebo": {"of": "bv_tv",
                                                            "condition": "placebo"}}},
              "parameters": [{"id": "denosumab_kd", "lower": 1e-4, "upper": 10.0}]}
    conditions = {"placebo": {"denosumab_dose": 0.0}}
    (value,) = build["_placebo_values"]("t", model, recipe, conditions, rows)
    assert 5.0 < value < model.require_parameter("bv_tv_healthy").value  # OVX loses bone
    recipe["parameters"] = [{"id": "estrogen_sensitivity", "lower": 0.01, "upper": 10.0}]
    with pytest.raises(build["RecipeError"], match="moves with estrogen_sensitivity"):
        build["_placebo_values"]("t", model, recipe, conditions, rows)


def test_scenario_option_conflicts_with_the_build_spec(capsys):
    assert main(["calibrate", str(PETAB / "rat_ovx"), "--scenario", "ovx", "--evaluate"]) == 1
    err = capsys.readouterr().err
    assert "exobone' key already names" in err and "Traceback" not in err


# ------------------------------------------------------------------------ write-back
def _result(prob, estimates, intervals) -> CalibrationResult:
    names = tuple(estimates)
    return CalibrationResult(names, ("log10",) * len(names), dict(estimates), dict(intervals),
                             1.5, -1.5, 0.0, (1.5,), "profile", 0.95, 0, len(prob.measurements),
                             prob)


def test_fitted_values_round_trip_and_are_applied(tmp_path: Path):
    prob = load_petab(PETAB / "rat_ovx")
    res = _result(prob, {"e_rankl": 0.8}, {"e_rankl": (0.3, 2.0)})
    path = tmp_path / "fitted.yaml"
    write_fitted(fitted_values(res, date="2026-01-01"), path)
    (back,) = load_fitted(path)
    assert (back.parameter, back.species, back.estimate, back.interval) == \
        ("e_rankl", "rat", 0.8, (0.3, 2.0))
    assert back.datasets == tuple(studies(prob))
    assert back.problem.endswith("rat_ovx.yaml") and back.date == "2026-01-01"
    # a refit of the same problem replaces its entries instead of adding to them
    write_fitted(fitted_values(_result(prob, {"e_rankl": 0.9}, {"e_rankl": (0.4, 2.1)})), path)
    assert [v.estimate for v in load_fitted(path)] == [0.9]

    b = ModelBuilder("t")
    b.add_parameter("e_rankl", 1.5, unit="1", bounds=(0.5, 20.0), source=Assumed("test"))
    b.add_parameter("other", 1.0, unit="1", source=Assumed("test"))
    assert apply_fitted(b, "mouse", values=load_fitted(path)) == []  # another species
    assert apply_fitted(b, "rat", values=load_fitted(path)) == ["e_rankl"]
    p = b.require_parameter("e_rankl")
    assert p.value == 0.9 and isinstance(p.source, Fitted)
    assert p.source.interval == (0.4, 2.1) and "rat_ovx" in p.source.short()
    assert apply_fitted(b, "rat", values=load_fitted(path)) == []  # applied once


def test_write_back_refuses_a_fit_of_an_sbml_model(tmp_path: Path):
    prob = load_petab(_two_studies(tmp_path))
    res = _result(prob, {"k": 0.3}, {"k": (0.2, 0.4)})
    with pytest.raises(InvalidInputError, match="exobone build"):
        fitted_values(res)


def test_shipped_fitted_values_are_applied_by_the_builder():
    entries = load_fitted()
    assert entries, "no fitted values are shipped"
    for v in entries:
        if (ROOT / v.problem).exists():  # on the build of the PEtab problem it was fitted on
            b = build_spec(ROOT / v.problem)
            spec = build_model(b["scenario"], b["interventions"], species=b["species"],
                               site=b["site"], exosome_layer=False)
        else:  # the exosome dose scale exists only in a model dosed with its family
            assert v.parameter == "exo_dose_emax_scale__msc", v.problem
            spec = build_model("ovx", ["exosome:bmsc"], species=v.species)
        p = spec.require_parameter(v.parameter)
        assert p.value == v.estimate and isinstance(p.source, Fitted)
        assert v.parameter in parameter_sources(spec)["fitted"]
        assert v.interval[0] <= v.estimate <= v.interval[1]


def test_parameter_sources_count_every_parameter():
    spec = build_model("ovx", species="rat", exosome_layer=False)
    src = parameter_sources(spec)
    assert sum(src["counts"].values()) == len(spec.parameters)
    assert src["counts"]["cited"] > 0 and src["counts"]["assumed"] > 0


# ------------------------------------------------------------------------ LOSO
def _two_studies(tmp: Path) -> Path:
    """dx/dt = -k x, x(0) = 1, observed by two studies that disagree: A has k = 0.3, B k = 1."""
    one_reaction_model(tmp / "model.xml", "decay", "k", "k * x")
    times = np.array([0.5, 1.0, 2.0, 4.0])
    meas = pd.concat([pd.DataFrame({"observableId": "obs_x", "simulationConditionId": "c0",
                                    "time": times, "measurement": np.exp(-k * times),
                                    "noiseParameters": 0.02, "datasetId": study})
                      for study, k in (("study_a", 0.3), ("study_b", 1.0))])
    tables = {
        "measurements": meas,
        "observables": pd.DataFrame({"observableId": ["obs_x"], "observableFormula": ["x"],
                                     "noiseFormula": ["noiseParameter1_obs_x"]}),
        "conditions": pd.DataFrame({"conditionId": ["c0"], "conditionName": ["c0"]}),
        "parameters": pd.DataFrame({"parameterId": ["k"], "parameterScale": ["log10"],
                                    "lowerBound": [0.01], "upperBound": [10.0],
                                    "nominalValue": [0.5], "estimate": [1]}),
    }
    for name, df in tables.items():
        df.to_csv(tmp / f"{name}.tsv", sep="\t", index=False)
    (tmp / "problem.yaml").write_text(yaml.safe_dump({
        "format_version": 1, "parameter_file": "parameters.tsv",
        "problems": [{"sbml_files": ["model.xml"], "measurement_files": ["measurements.tsv"],
                      "observable_files": ["observables.tsv"],
                      "condition_files": ["conditions.tsv"]}]}))
    return tmp / "problem.yaml"


def test_hold_out_splits_by_study(tmp_path: Path):
    prob = load_petab(_two_studies(tmp_path))
    train, test = hold_out(prob, "study_b")
    assert set(train.measurements["datasetId"]) == {"study_a"}
    assert set(test.measurements["datasetId"]) == {"study_b"} and len(test.measurements) == 4
    with pytest.raises(InvalidInputError, match="no study 'study_c'"):
        hold_out(prob, "study_c")
    with pytest.raises(InvalidInputError, match="nothing left to fit"):
        hold_out(train, "study_a")


def test_leave_one_study_out_fits_without_the_held_out_study(tmp_path: Path):
    prob = load_petab(_two_studies(tmp_path))
    by_study = {r.study: r for r in leave_one_study_out(prob, starts=2, seed=1, n_draws=20)}
    # holding out B leaves A's k = 0.3 to fit, and the other way round
    assert by_study["study_b"].fit.estimates["k"] == pytest.approx(0.3, rel=0.02)
    assert by_study["study_a"].fit.estimates["k"] == pytest.approx(1.0, rel=0.02)
    b = by_study["study_b"]
    assert b.published == pytest.approx(tuple(np.exp(-1.0 * np.array([0.5, 1, 2, 4]))))
    assert b.predicted == pytest.approx(tuple(np.exp(-0.3 * np.array([0.5, 1, 2, 4]))),
                                        rel=0.02)
    assert b.rms_z > 5  # study B is not explained by A: the error says so
    assert all(lo <= p <= hi for lo, p, hi in zip(b.low, b.predicted, b.high, strict=True))
    assert b.n_draws_ok == 20


# ------------------------------------------------------------------------ bands
def test_split_normal_draws_match_the_interval():
    prior = FittedPrior("k", 1.0, (0.5, 4.0), (0.01, 100.0), "log10", 0.95)
    x = prior.sample(np.random.default_rng(0), 40000)
    assert np.quantile(x, 0.5) == pytest.approx(1.0, rel=0.03)
    assert np.quantile(x, 0.025) == pytest.approx(0.5, rel=0.05)
    assert np.quantile(x, 0.975) == pytest.approx(4.0, rel=0.05)
    narrow = FittedPrior("k", 1.0, (0.5, 4.0), (0.9, 1.2), "log10", 0.95)
    y = narrow.sample(np.random.default_rng(0), 1000)
    assert y.min() >= 0.9 and y.max() <= 1.2


def test_a_band_needs_a_known_interval():
    with pytest.raises(InvalidInputError, match="unknown profile end"):
        FittedPrior("k", 1.0, (float("nan"), 4.0), (0.01, 100.0), "log10")


RATIO_TO_SHAM = [n for n in SHIPPED if "bv_tv_healthy" in (PETAB / n / "observables.tsv")
                 .read_text()]


def test_the_rodent_problems_have_a_ratio_to_sham_observable():
    assert {"rat_ovx", "mouse_ovx"} <= set(RATIO_TO_SHAM)


@pytest.mark.parametrize("name", RATIO_TO_SHAM)
def test_the_sham_of_a_ratio_observable_is_the_healthy_build_at_rest(name: str):
    """``bv_tv / bv_tv_healthy`` is OVX / sham only if the healthy build stays at bv_tv_healthy."""
    from exobone.simulate import SaveAt, simulate

    prob = load_petab(PETAB / name)
    meta = prob.model.metadata
    healthy = build_model("healthy", species=meta["species"])
    end = float(prob.measurements["time"].max()) * 2
    traj = simulate(healthy, (0.0, end), saveat=SaveAt(times=[0.0, end / 2, end]))
    target = healthy.require_parameter("bv_tv_healthy").value
    assert traj["bv_tv"] == pytest.approx([target] * 3, rel=1e-6)


# ------------------------------------------------------------------------ outputs
def test_simulate_json_names_sources_and_carries_a_seeded_band(capsys):
    import json

    args = ["simulate", "ovx", "--species", "rat", "--days", "40", "--times", "0,35",
            "--band", "4", "--seed", "3", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    src = data["parameter_sources"]
    assert src["fitted"] == ["estrogen_sensitivity"] and src["counts"]["fitted"] == 1
    band = data["band"]
    assert band["n"] == 4 and band["seed"] == 3 and band["status"]["treated"] == {"ok": 4}
    assert band["times"] == [0.0, 35.0] and band["parameters"][0]["name"] == \
        "estrogen_sensitivity"
    low, mid, high = band["treated"]["bv_tv"]
    assert low[0] == mid[0] == high[0] == pytest.approx(17.6)  # everyone starts healthy
    assert low[1] < mid[1] < high[1]  # the fitted uncertainty spreads the OVX loss
    assert main(args) == 0  # the same seed gives the same band
    assert json.loads(capsys.readouterr().out)["band"]["treated"] == band["treated"]


def test_a_band_without_fitted_parameters_is_refused(capsys):
    assert main(["simulate", "healthy", "--species", "human", "--days", "10", "--band",
                 "4"]) == 1
    err = capsys.readouterr().err
    assert "no parameter of this healthy model is fitted for human" in err
    assert "Traceback" not in err


def test_a_parameter_of_the_pmo_history_cannot_be_fitted(tmp_path: Path):
    """pmo starts from a history simulated at build time: moving its parameters is refused."""
    import shutil

    from exobone.analysis.calibrate import UnsupportedPEtabError

    problem = tmp_path / "human_pmo_denosumab"
    shutil.copytree(PETAB / "human_pmo_denosumab", problem)
    load_petab(problem)  # the drug's potency comes after the history: accepted
    par = pd.read_csv(problem / "parameters.tsv", sep="\t")
    par.loc[0, ["parameterId", "nominalValue"]] = ["estrogen_sensitivity", 0.5]
    par.to_csv(problem / "parameters.tsv", sep="\t", index=False)
    with pytest.raises(UnsupportedPEtabError, match="estrogen_sensitivity.*history"):
        load_petab(problem)


def test_report_shows_the_band_and_the_parameter_sources():
    from exobone.analysis.report import build_report, render_report

    rep = build_report("ovx", species="rat", days=30, points=31, band=3, seed=1)
    assert rep.band is not None and rep.band["status"]["treated"] == {"ok": 3}
    assert rep.parameter_sources["fitted"] == ["estrogen_sensitivity"]
    assert "--band 3 --seed 1" in rep.command
    html = render_report(rep)
    assert "5–95 % band" in html and "1 fitted (estrogen_sensitivity)" in html
    assert rep.band_at_end("bv_tv") in html


def test_a_malformed_fitted_file_is_refused_in_one_line(tmp_path: Path):
    prob = load_petab(PETAB / "rat_ovx")
    path = tmp_path / "fitted.yaml"
    write_fitted(fitted_values(_result(prob, {"e_rankl": 0.8}, {"e_rankl": (0.3, 2.0)})), path)
    entry = yaml.safe_load(path.read_text())["fitted"][0]
    path.write_text(yaml.safe_dump({"fitted": [entry, entry]}))
    with pytest.raises(InvalidInputError, match="'e_rankl' for rat is listed twice"):
        load_fitted(path)
    del entry["interval"]
    path.write_text(yaml.safe_dump({"fitted": [entry]}))
    with pytest.raises(InvalidInputError, match="lacks interval"):
        load_fitted(path)
