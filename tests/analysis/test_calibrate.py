"""Calibration: PEtab tables of synthetic data from known parameters give them back, inside
their intervals; bad tables are rejected with messages naming the table and the problem; the
objective equals petab's own ``calculate_llh`` for every noise model and transformation, and
the shared benchmark problems evaluate to AMICI's reference or are refused with one line."""

from __future__ import annotations

import json
from pathlib import Path

import libsbml
import numpy as np
import pandas as pd
import pytest
import yaml

from exobone.analysis.calibrate import (
    ObjectiveUndefinedError,
    UnsupportedPEtabError,
    calibrate,
    evaluate,
    load_petab,
)
from exobone.cli import main
from exobone.errors import InvalidInputError
from exobone.plotting import plot_calibration
from exobone.simulate import Tolerances

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
                del df[drop]
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
    res = calibrate(write_problem(tmp_path), starts=4, rng=7, ci="profile",
                    ensemble=False)
    assert res.seed == 7 and len(res.start_costs) == 4
    for name, value in TRUE.items():
        low, high = res.intervals[name]
        assert low < res.estimates[name] < high
        assert low <= value <= high, (name, value, res.intervals[name])
        assert res.estimates[name] == pytest.approx(value, rel=0.15)
    # chi-square of a good fit is about n: nllh = n/2 log(2 pi sigma^2) + chi2/2
    chi2 = 2 * (-res.llh - 0.5 * res.n_data * np.log(2 * np.pi * SIGMA ** 2))
    assert 0.3 * res.n_data < chi2 < 3 * res.n_data
    assert res.cost == pytest.approx(-res.llh)  # no priors
    plot_calibration(res, tmp_path / "fit.png")
    assert (tmp_path / "fit.png").stat().st_size > 1000


@pytest.mark.slow
def test_bootstrap_intervals_cover_known_parameters(tmp_path: Path):
    res = calibrate(write_problem(tmp_path), starts=2, rng=1, ci="bootstrap", n_bootstrap=40,
                    ensemble=False)
    for name, value in TRUE.items():
        low, high = res.intervals[name]
        assert low <= value <= high, (name, value, res.intervals[name])


def test_same_seed_same_starts(tmp_path: Path):
    path = write_problem(tmp_path)
    prob = load_petab(path)
    a = calibrate(prob, starts=2, rng=11, ci="bootstrap", n_bootstrap=2, ensemble=False)
    b = calibrate(prob, starts=2, rng=11, ci="bootstrap", n_bootstrap=2, ensemble=False)
    assert a.start_costs == b.start_costs and a.estimates == b.estimates


@pytest.mark.slow  # compiles the model for the ensemble backend once
def test_ensemble_residuals_and_jacobian_match_the_reference_solver(tmp_path: Path):
    from exobone.analysis.calibrate import Objective
    from exobone.analysis.calibrate.fit import Residuals

    obj = Objective(load_petab(write_problem(tmp_path)))
    theta = np.log10([0.4, 1.5])
    fast, ref = Residuals(obj, ensemble=True), Residuals(obj, ensemble=False)
    assert fast.fast(theta) == pytest.approx(ref.exact(theta), rel=1e-6, abs=1e-7)
    # forward differences against central differences of the reference solver
    jac = fast.jacobian(theta)
    for k in range(2):
        e = np.eye(2)[k] * 1e-4
        central = (ref.exact(theta + e) - ref.exact(theta - e)) / 2e-4
        assert jac[:, k] == pytest.approx(central, rel=1e-3, abs=1e-4)
    res = calibrate(obj.prob, starts=2, rng=7, ci=None, ensemble=True)
    ref_fit = calibrate(obj.prob, starts=2, rng=7, ci=None, ensemble=False)
    assert res.cost == pytest.approx(ref_fit.cost, abs=1e-4)


@pytest.mark.slow  # compiles the model for the ensemble backend once
def test_species_values_in_conditions_run_in_the_ensemble(tmp_path: Path):
    """A species set by each condition (a number, or an estimated parameter's id) runs in the
    compiled ensemble from a parameter of its own, with the reference solver's residuals; a
    species some condition leaves to its initial assignment keeps the reference solver."""
    from exobone.analysis.calibrate import Objective
    from exobone.analysis.calibrate.fit import Residuals

    times = np.array([0.0, 1.0, 3.0, 8.0])
    meas = pd.DataFrame({"observableId": "obs_x", "simulationConditionId": ["low"] * 4
                         + ["high"] * 4, "time": np.tile(times, 2),
                         "measurement": [1.4, 2.9, 5.0, 6.1, 4.1, 4.6, 5.9, 6.3],
                         "noiseParameters": 0.2})
    obs = pd.DataFrame({"observableId": ["obs_x"], "observableFormula": ["x"],
                        "noiseFormula": ["noiseParameter1_obs_x"]})
    cond = pd.DataFrame({"conditionId": ["low", "high"], "x": ["1.5", "dose_high"]})
    par = pd.DataFrame({"parameterId": ["k_loss", "k_supply", "dose_high"],
                        "parameterScale": "log10", "lowerBound": 0.01, "upperBound": 10.0,
                        "nominalValue": [0.3, 2.0, 4.0], "estimate": 1})
    obj = Objective(load_petab(_write(tmp_path, meas, obs, cond, par)), TIGHT)
    assert obj.batchable
    fast, ref = Residuals(obj, ensemble=True), Residuals(obj, ensemble=False)
    theta = obj.theta_nominal + 0.1
    assert fast.fast(theta) == pytest.approx(ref.exact(theta), rel=1e-6, abs=1e-7)
    assert fast.fast(theta)[4] != pytest.approx(fast.fast(theta + [0, 0, 0.1])[4])  # dose moves
    jac = fast.jacobian(theta)
    for k in range(theta.size):
        e = np.eye(theta.size)[k] * 1e-4
        central = (ref.exact(theta + e) - ref.exact(theta - e)) / 2e-4
        assert jac[:, k] == pytest.approx(central, rel=1e-3, abs=1e-4), obj.names[k]
    cond["x"] = [np.nan, "dose_high"]  # "low" starts from x's initial assignment
    path = _write(tmp_path, meas, obs, cond, par)
    _add_initial_dose(tmp_path / "model.xml")
    assert not Objective(load_petab(path), TIGHT).batchable


def test_unknown_observable_is_rejected(tmp_path: Path):
    with pytest.raises(InvalidInputError, match="fails the PEtab linter: Observables "
                       "{'obs_y'} used in measurement table but not defined"):
        load_petab(write_problem(tmp_path, observable="obs_y"))


def test_missing_column_is_rejected(tmp_path: Path):
    with pytest.raises(InvalidInputError, match="problem.yaml.*measurement"):
        load_petab(write_problem(tmp_path, drop="measurement"))
    with pytest.raises(InvalidInputError, match="problem.yaml.*estimate"):
        load_petab(write_problem(tmp_path, drop="estimate"))


def test_negative_sigma_is_not_a_likelihood(tmp_path: Path):
    with pytest.raises(ObjectiveUndefinedError, match="measurement 1: simulated .* sigma -0.1 give "
                                                      "no finite lin-normal likelihood"):
        evaluate(write_problem(tmp_path, sigma=-0.1))


def test_cli_calibrate(tmp_path: Path, capsys):
    write_problem(tmp_path)
    png = tmp_path / "fit.png"
    code = main(["calibrate", str(tmp_path), "--seed", "5", "--starts", "2", "--plot", str(png),
                 "--json", "--no-ensemble"])
    assert code == 0, capsys.readouterr().err
    data = json.loads(capsys.readouterr().out)
    assert set(data["estimates"]) == set(TRUE) and data["seed"] == 5
    assert png.is_file()
    assert main(["calibrate", str(tmp_path / "nope.yaml")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["calibrate", str(tmp_path), "--evaluate", "--json"]) == 0
    values = json.loads(capsys.readouterr().out)
    assert values["nllh"] == -values["llh"] == pytest.approx(-evaluate(tmp_path)["llh"])


def test_model_given_instead_of_sbml_file(tmp_path: Path):
    from exobone.interop.sbml import import_sbml

    path = write_problem(tmp_path)
    config = yaml.safe_load(path.read_text())
    del config["problems"][0]["sbml_files"]
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(Exception, match="0 SBML files"):
        load_petab(path)
    prob = load_petab(path, model=import_sbml(tmp_path / "model.xml"))
    assert prob.estimated == ["k_loss", "k_supply"]
    bad = import_sbml(tmp_path / "model.xml").with_parameters(k_loss=0.3)
    prob = load_petab(path, model=bad)
    assert prob.model.require_parameter("k_loss").value == 0.3


# ----------------------------------------------------------------------------- the objective
TIGHT = Tolerances(rtol=1e-11, atol=1e-13)  # the ODE error far below the compared digits


def _analytic(t: np.ndarray, k: float, s: float, x0: float = 1.0) -> np.ndarray:
    """x(t) of dx/dt = s - k x."""
    return s / k + (x0 - s / k) * np.exp(-k * t)


def _write(tmp: Path, meas: pd.DataFrame, obs: pd.DataFrame, cond: pd.DataFrame,
           par: pd.DataFrame, *, measurement_files: int = 1) -> Path:
    _sbml(tmp / "model.xml")
    files = []
    for k, part in enumerate(np.array_split(np.arange(len(meas)), measurement_files)):
        files.append(f"measurements_{k}.tsv")
        meas.iloc[part].to_csv(tmp / files[-1], sep="\t", index=False)
    for name, df in (("observables", obs), ("conditions", cond), ("parameters", par)):
        df.to_csv(tmp / f"{name}.tsv", sep="\t", index=False)
    problem = {"format_version": 1, "parameter_file": "parameters.tsv",
               "problems": [{"sbml_files": ["model.xml"], "measurement_files": files,
                             "observable_files": ["observables.tsv"],
                             "condition_files": ["conditions.tsv"]}]}
    (tmp / "problem.yaml").write_text(yaml.safe_dump(problem))
    return tmp / "problem.yaml"


def _petab_llh(meas: pd.DataFrame, simulation: np.ndarray, obs: pd.DataFrame,
               par: pd.DataFrame) -> float:
    """petab's own log-likelihood of the given simulated values (an independent reference)."""
    import petab.v1 as petab

    sim = meas.rename(columns={"measurement": "simulation"}).assign(simulation=simulation)
    return float(petab.calculate_llh(meas, sim, obs.set_index("observableId"),
                                     par.set_index("parameterId")))


@pytest.mark.parametrize("noise", ["normal", "laplace"])
@pytest.mark.parametrize("transform", ["lin", "log", "log10"])
def test_llh_equals_petab_for_every_noise_model(tmp_path: Path, noise: str, transform: str):
    """Estimated sigma, scaling and offset that are not model parameters, given through
    observableParameters/noiseParameters placeholders, data in two measurement files."""
    times = np.linspace(0.0, 12.0, 9)
    rng = np.random.default_rng(0)
    meas = pd.DataFrame({"observableId": "obs_x", "simulationConditionId": "c0", "time": times,
                         "measurement": 2.0 * _analytic(times, 0.3, 2.0) + 0.5
                         + rng.uniform(0.1, 0.4, times.size),
                         "observableParameters": "scale_x;offset_x",
                         "noiseParameters": "sd_x"})
    obs = pd.DataFrame({"observableId": ["obs_x"],
                        "observableFormula": [("observableParameter1_obs_x * x + "
                                               "observableParameter2_obs_x")],
                        "noiseFormula": ["noiseParameter1_obs_x * (1 + 0 * x)"],
                        "observableTransformation": [transform], "noiseDistribution": [noise]})
    cond = pd.DataFrame({"conditionId": ["c0"], "conditionName": ["control"]})
    par = pd.DataFrame({"parameterId": ["k_loss", "k_supply", "scale_x", "offset_x", "sd_x"],
                        "parameterScale": ["log10", "log10", "log10", "lin", "log"],
                        "lowerBound": [0.01, 0.1, 0.1, -1.0, 0.01],
                        "upperBound": [10.0, 20.0, 10.0, 2.0, 5.0],
                        "nominalValue": [0.3, 2.0, 2.0, 0.5, 0.2], "estimate": 1})
    path = _write(tmp_path, meas, obs, cond, par, measurement_files=2)
    prob = load_petab(path)
    assert len(prob.measurements) == len(times)  # both files read
    got = evaluate(prob, tolerances=TIGHT)["llh"]
    expected = _petab_llh(meas, 2.0 * _analytic(times, 0.3, 2.0) + 0.5, obs, par)
    assert got == pytest.approx(expected, rel=1e-8)


def test_preequilibration_conditions_naming_parameters_and_steady_state_data(tmp_path: Path):
    """Preequilibrate under k_supply = k_pre (a table parameter named in the condition table)
    to x = k_pre / k_loss, then x is re-initialised to 0.5 (a species value in the simulation
    condition) and runs under k_supply = 2; time = inf data see s / k."""
    k, k_pre, s = 0.3, 0.6, 2.0
    times = np.array([0.0, 1.0, 4.0, 10.0, np.inf])
    meas = pd.DataFrame({"observableId": "obs_x", "preequilibrationConditionId": "pre",
                         "simulationConditionId": ["stim", "stim", "stim", "keep", "stim"],
                         "time": times, "measurement": [0.4, 1.1, 3.0, 5.0, 7.0],
                         "noiseParameters": 0.5})
    obs = pd.DataFrame({"observableId": ["obs_x"], "observableFormula": ["x"],
                        "noiseFormula": ["noiseParameter1_obs_x"]})
    cond = pd.DataFrame({"conditionId": ["pre", "stim", "keep"],
                         "k_supply": ["k_pre", "2.0", "2.0"], "x": [np.nan, 0.5, np.nan]})
    par = pd.DataFrame({"parameterId": ["k_loss", "k_pre"], "parameterScale": "log10",
                        "lowerBound": [0.01, 0.01], "upperBound": [10.0, 10.0],
                        "nominalValue": [k, k_pre], "estimate": [1, 0]})
    prob = load_petab(_write(tmp_path, meas, obs, cond, par))
    x_pre = k_pre / k
    sim = np.array([0.5, _analytic(1.0, k, s, 0.5), _analytic(4.0, k, s, 0.5),
                    _analytic(10.0, k, s, x_pre), s / k])
    assert evaluate(prob, tolerances=TIGHT)["llh"] == pytest.approx(
        _petab_llh(meas, sim, obs, par), rel=1e-8)


def _add_initial_dose(path: Path, *, rule: bool = False) -> None:
    """x(0) = x_init (an initial assignment), x_init = 5 k_loss (an initial assignment, or with
    ``rule`` an assignment rule)."""
    doc = libsbml.readSBMLFromFile(str(path))
    m = doc.getModel()
    p = m.createParameter()
    p.setId("x_init")
    p.setConstant(not rule)
    for target, formula in (("x", "x_init"), ("x_init", "5 * k_loss")):
        if rule and target == "x_init":
            a = m.createAssignmentRule()
            a.setVariable(target)
        else:
            a = m.createInitialAssignment()
            a.setSymbol(target)
        a.setMath(libsbml.parseL3Formula(formula))
    libsbml.writeSBMLToFile(doc, str(path))


def test_a_condition_value_replaces_a_parameters_initial_assignment(tmp_path: Path):
    """PEtab: a condition's parameter value overrides the model's value, here computed by an
    initial assignment (the shared Liu problem's dose); x(0) = x_init follows it."""
    k, s = 0.3, 2.0
    times = np.array([0.0, 2.0, 6.0])
    meas = pd.DataFrame({"observableId": "obs_x", "simulationConditionId": ["low"] * 3
                         + ["high"] * 3, "time": np.tile(times, 2),
                         "measurement": [1.4, 2.9, 5.0, 4.1, 4.6, 5.9], "noiseParameters": 0.5})
    obs = pd.DataFrame({"observableId": ["obs_x"], "observableFormula": ["x"],
                        "noiseFormula": ["noiseParameter1_obs_x"]})
    cond = pd.DataFrame({"conditionId": ["low", "high"], "x_init": ["1.5", "dose_high"]})
    par = pd.DataFrame({"parameterId": ["k_loss", "k_supply", "dose_high"],
                        "parameterScale": "log10", "lowerBound": 0.01, "upperBound": 10.0,
                        "nominalValue": [k, s, 4.0], "estimate": [1, 0, 1]})
    path = _write(tmp_path, meas, obs, cond, par)
    _add_initial_dose(tmp_path / "model.xml")
    prob = load_petab(path)
    sim = np.concatenate([_analytic(times, k, s, 1.5), _analytic(times, k, s, 4.0)])
    assert evaluate(prob, tolerances=TIGHT)["llh"] == pytest.approx(
        _petab_llh(meas, sim, obs, par), rel=1e-8)
    _sbml(tmp_path / "model.xml")
    _add_initial_dose(tmp_path / "model.xml", rule=True)  # what a rule sets stays refused
    with pytest.raises(UnsupportedPEtabError, match="column 'x_init' overrides a symbol set "
                                                    "by an assignment rule"):
        load_petab(path)


@pytest.mark.parametrize("dose_in_condition", [True, False])
def test_sensitivity_jacobian_matches_differences_of_the_reference_solver(
        tmp_path: Path, dose_in_condition: bool):
    """Forward sensitivities through an initial value set by an initial assignment
    (x(0) = 5 k_loss) or by a condition naming an estimated parameter, an estimated sigma and a
    log10 observable, against central differences of whole reference simulations."""
    from exobone.analysis.calibrate import Objective
    from exobone.analysis.calibrate.fit import Residuals

    times = np.array([0.0, 1.0, 3.0, 8.0])
    meas = pd.DataFrame({"observableId": "obs_x", "simulationConditionId": ["low"] * 4
                         + ["high"] * 4, "time": np.tile(times, 2),
                         "measurement": [1.4, 2.9, 5.0, 6.1, 4.1, 4.6, 5.9, 6.3],
                         "noiseParameters": "sd_x"})
    obs = pd.DataFrame({"observableId": ["obs_x"], "observableFormula": ["x"],
                        "noiseFormula": ["noiseParameter1_obs_x"],
                        "observableTransformation": ["log10"]})
    cond = pd.DataFrame({"conditionId": ["low", "high"]})
    if dose_in_condition:
        cond["x_init"] = ["1.5", "dose_high"]
    par = pd.DataFrame({"parameterId": ["k_loss", "k_supply", "dose_high", "sd_x"],
                        "parameterScale": ["log10", "log", "log10", "lin"],
                        "lowerBound": 0.01, "upperBound": 10.0,
                        "nominalValue": [0.3, 2.0, 4.0, 0.1], "estimate": 1})
    if not dose_in_condition:
        par = par[par.parameterId != "dose_high"]
    path = _write(tmp_path, meas, obs, cond, par)
    _add_initial_dose(tmp_path / "model.xml")
    obj = Objective(load_petab(path), TIGHT)
    res = Residuals(obj, gradient="sensitivities")
    theta = obj.theta_nominal + 0.1
    assert res.fast(theta) == pytest.approx(res.exact(theta), rel=1e-8)
    jac = res.jacobian(theta)
    for k in range(theta.size):
        e = np.eye(theta.size)[k] * 1e-5
        central = (res.exact(theta + e) - res.exact(theta - e)) / 2e-5
        assert jac[:, k] == pytest.approx(central, rel=1e-5, abs=1e-7), obj.names[k]


def test_priors_are_part_of_the_objective(tmp_path: Path):
    path = write_problem(tmp_path)
    par = pd.read_csv(tmp_path / "parameters.tsv", sep="\t")
    par["objectivePriorType"] = ["parameterScaleNormal", np.nan]
    par["objectivePriorParameters"] = ["-0.5;0.2", np.nan]
    par["nominalValue"] = [0.3, 2.0]
    par.to_csv(tmp_path / "parameters.tsv", sep="\t", index=False)
    values = evaluate(path)
    x, mu, sd = np.log10(0.3), -0.5, 0.2
    # petab's prior density is that of the linear-scale value, truncated to the bounds
    # [log10 0.01, log10 10] = [-2, 1], i.e. normal(mu, sd) on log10 x divided by x ln 10
    from scipy.stats import norm

    mass = norm.cdf(1.0, mu, sd) - norm.cdf(-2.0, mu, sd)
    expected = norm.logpdf(x, mu, sd) - np.log(0.3 * np.log(10)) - np.log(mass)
    assert values["log_prior"] == pytest.approx(expected, rel=1e-9)
    assert values["objective"] == pytest.approx(values["nllh"] - values["log_prior"])
    par["objectivePriorType"] = ["cauchy", np.nan]
    par.to_csv(tmp_path / "parameters.tsv", sep="\t", index=False)
    with pytest.raises(InvalidInputError, match="fails the PEtab linter.*cauchy"):
        load_petab(path)


# ----------------------------------------------------------------------------- shared problems
SUITE = next((p / "shared" / "conformance" / "petab-benchmark"
              for p in Path(__file__).resolve().parents if
              (p / "shared" / "conformance" / "petab-benchmark").is_dir()), None)


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The problems this module uses, extracted from the shared collection."""
    import tarfile

    if SUITE is None:
        pytest.skip("the shared PEtab benchmark collection (../shared/conformance) is not here")
    out = tmp_path_factory.mktemp("petab-bench")
    wanted = ("Boehm_JProteomeRes2014/", "Zheng_PNAS2012/", "Armistead_CellDeathDis2024/",
              "Brannmark_JBC2010/")
    with tarfile.open(SUITE / "benchmark-problems.tar.xz") as tar:
        members = [m for m in tar.getmembers() if m.name.lstrip("./").startswith(wanted)]
        tar.extractall(out, members=members, filter="data")
    return out


# AMICI's llh at the nominal parameters, from the collection's README
@pytest.mark.parametrize(("name", "reference"), [
    ("Boehm_JProteomeRes2014", -138.22199693517703),  # sigma, scaling, offset not in the model
    ("Zheng_PNAS2012", 278.33353271001477),  # preequilibration
    ("Brannmark_JBC2010", -141.889113770537),  # preequilibration, several conditions
])
def test_shared_problem_matches_reference(collection: Path, name: str, reference: float):
    assert evaluate(collection / name)["llh"] == pytest.approx(reference, rel=1e-6)


def test_shared_problem_with_comp_is_flattened_and_evaluates(collection: Path):
    # Armistead's model uses the SBML 'comp' package: libsbml's flattening converter turns it
    # into one model (the SBML Test Suite's comp cases check the flattening). The collection
    # gives no reference llh for it, so only a finite value from every datum is asserted.
    prob = load_petab(collection / "Armistead_CellDeathDis2024")
    values = evaluate(prob)
    assert prob.model.states and np.isfinite(values["llh"])
    assert values["nllh"] == -values["llh"]
