"""Calibration: PEtab tables of synthetic data from known parameters give them back, inside
their intervals; bad tables are rejected with messages naming the table and the problem."""

from __future__ import annotations

import json
from pathlib import Path

import libsbml
import numpy as np
import pandas as pd
import pytest
import yaml

from exobone.analysis.calibrate import calibrate, load_petab
from exobone.plotting import plot_calibration
from exobone.cli import main
from exobone.errors import InvalidInputError

TRUE = {"k_loss": 0.3, "k_supply": 2.0}
SIGMA = 0.1


def _sbml(path: Path) -> None:
    """dx/dt = k_supply - k_loss * x, x(0) = 1 (one species, two reactions)."""
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("supply_loss")
    c = m.createCompartment()
    c.setId("c")
    c.setSize(1.0)
    c.setConstant(True)
    s = m.createSpecies()
    s.setId("x")
    s.setCompartment("c")
    s.setInitialConcentration(1.0)
    s.setHasOnlySubstanceUnits(False)
    s.setBoundaryCondition(False)
    s.setConstant(False)
    for pid, value in (("k_loss", 1.0), ("k_supply", 1.0)):
        p = m.createParameter()
        p.setId(pid)
        p.setValue(value)
        p.setConstant(True)
    for rid, formula, product in (("supply", "k_supply", True), ("loss", "k_loss * x", False)):
        r = m.createReaction()
        r.setId(rid)
        r.setReversible(False)
        ref = r.createProduct() if product else r.createReactant()
        ref.setSpecies("x")
        ref.setStoichiometry(1.0)
        ref.setConstant(True)
        r.createKineticLaw().setMath(libsbml.parseL3Formula(formula))
    libsbml.writeSBMLToFile(doc, str(path))


def write_problem(tmp: Path, *, seed: int = 3, sigma: float = SIGMA,
                  observable: str = "obs_x", drop: str | None = None) -> Path:
    _sbml(tmp / "model.xml")
    rng = np.random.default_rng(seed)
    times = np.linspace(0.5, 15.0, 20)
    k, s = TRUE["k_loss"], TRUE["k_supply"]
    clean = s / k + (1.0 - s / k) * np.exp(-k * times)
    meas = pd.DataFrame({"observableId": observable, "simulationConditionId": "c0",
                         "time": times, "measurement": clean + rng.normal(0, SIGMA, times.size),
                         "noiseParameters": sigma})
    obs = pd.DataFrame({"observableId": ["obs_x"], "observableFormula": ["x"],
                        "noiseFormula": ["noiseParameter1_obs_x"],
                        "observableTransformation": ["lin"], "noiseDistribution": ["normal"]})
    cond = pd.DataFrame({"conditionId": ["c0"], "conditionName": ["control"]})
    par = pd.DataFrame({"parameterId": ["k_loss", "k_supply"], "parameterScale": "log10",
                        "lowerBound": [0.01, 0.1], "upperBound": [10.0, 20.0],
                        "nominalValue": [1.0, 1.0], "estimate": [1, 1]})
    if drop is not None:
        for df in (meas, obs, cond, par):
            if drop in df.columns:
                df.drop(columns=[drop], inplace=True)
    for name, df in (("measurements", meas), ("observables", obs), ("conditions", cond),
                     ("parameters", par)):
        df.to_csv(tmp / f"{name}.tsv", sep="\t", index=False)
    problem = {"format_version": 1, "parameter_file": "parameters.tsv",
               "problems": [{"sbml_files": ["model.xml"],
                             "measurement_files": ["measurements.tsv"],
                             "observable_files": ["observables.tsv"],
                             "condition_files": ["conditions.tsv"]}]}
    path = tmp / "problem.yaml"
    path.write_text(yaml.safe_dump(problem))
    return path


def test_profile_likelihood_recovers_known_parameters(tmp_path: Path):
    res = calibrate(write_problem(tmp_path), starts=4, rng=7, ci="profile")
    assert res.seed == 7 and len(res.start_costs) == 4
    for name, value in TRUE.items():
        low, high = res.intervals[name]
        assert low < res.estimates[name] < high
        assert low <= value <= high, (name, value, res.intervals[name])
        assert res.estimates[name] == pytest.approx(value, rel=0.15)
    assert res.cost < 3 * res.n_data  # chi-square of a good fit is about n
    plot_calibration(res, tmp_path / "fit.png")
    assert (tmp_path / "fit.png").stat().st_size > 1000


@pytest.mark.slow
def test_bootstrap_intervals_cover_known_parameters(tmp_path: Path):
    res = calibrate(write_problem(tmp_path), starts=2, rng=1, ci="bootstrap", n_bootstrap=40)
    for name, value in TRUE.items():
        low, high = res.intervals[name]
        assert low <= value <= high, (name, value, res.intervals[name])


def test_same_seed_same_starts(tmp_path: Path):
    path = write_problem(tmp_path)
    prob = load_petab(path)
    a = calibrate(prob, starts=2, rng=11, ci="bootstrap", n_bootstrap=2)
    b = calibrate(prob, starts=2, rng=11, ci="bootstrap", n_bootstrap=2)
    assert a.start_costs == b.start_costs and a.estimates == b.estimates


def test_unknown_observable_is_rejected(tmp_path: Path):
    with pytest.raises(InvalidInputError, match="observable 'obs_y' is not in the observables"):
        load_petab(write_problem(tmp_path, observable="obs_y"))


def test_missing_column_is_rejected(tmp_path: Path):
    with pytest.raises(InvalidInputError, match="missing the column.*measurement"):
        load_petab(write_problem(tmp_path, drop="measurement"))
    with pytest.raises(InvalidInputError, match="parameters.tsv.*missing the column.*estimate"):
        load_petab(write_problem(tmp_path, drop="estimate"))


def test_negative_sigma_is_rejected(tmp_path: Path):
    with pytest.raises(InvalidInputError, match="sigma -0.1 must be positive"):
        load_petab(write_problem(tmp_path, sigma=-0.1))


def test_cli_calibrate(tmp_path: Path, capsys):
    write_problem(tmp_path)
    png = tmp_path / "fit.png"
    code = main(["calibrate", str(tmp_path), "--seed", "5", "--starts", "2", "--plot", str(png),
                 "--json"])
    assert code == 0, capsys.readouterr().err
    data = json.loads(capsys.readouterr().out)
    assert set(data["estimates"]) == set(TRUE) and data["seed"] == 5
    assert png.is_file()
    assert main(["calibrate", str(tmp_path / "nope.yaml")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_model_given_instead_of_sbml_file(tmp_path: Path):
    from exobone.interop.sbml import import_sbml

    path = write_problem(tmp_path)
    config = yaml.safe_load(path.read_text())
    del config["problems"][0]["sbml_files"]
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(InvalidInputError, match="no sbml_files listed"):
        load_petab(path)
    prob = load_petab(path, model=import_sbml(tmp_path / "model.xml"))
    assert prob.estimated == ["k_loss", "k_supply"]
    bad = import_sbml(tmp_path / "model.xml").with_parameters(k_loss=0.3)
    prob = load_petab(path, model=bad)
    assert prob.model.require_parameter("k_loss").value == 0.3
