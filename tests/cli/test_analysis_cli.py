"""``exobone cohort``, ``optimize``, ``dose-response`` and ``sensitivity``: output and errors."""

from __future__ import annotations

import json

from exobone.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cohort_table_and_json(capsys, tmp_path) -> None:
    code, out, err = run(capsys, "cohort", "ovx", "-i", "exosome:bmsc,dose=100,start=14,every=28",
                         "--n", "12", "--seed", "3", "--days", "60", "--points", "5",
                         "--plot", str(tmp_path / "c.png"))
    assert code == 0, err
    assert "bv_tv" in out and "treated" in out and "control" in out and "ok 12" in out
    assert (tmp_path / "c.png").stat().st_size > 0
    code, out, err = run(capsys, "cohort", "ovx", "--n", "6", "--seed", "3", "--days", "30",
                         "--points", "4", "--json", "--out", str(tmp_path / "run"))
    assert code == 0, err
    data = json.loads(out)
    assert data["n"] == 6 and data["quantiles"] == [0.05, 0.5, 0.95]
    # save times 0, 10, 20, 30 joined with the daily days of the default read-out window
    # (days 2-30): day 0, then 2-30
    assert len(data["treated"]["bv_tv"]) == 3 and data["times"] == [0.0, *range(2, 31)]
    assert data["readout"] == {"outcome": "*", "day": 30.0, "kind": "mean", "window": 28.0,
                               "start": 2.0}
    assert len(data["summary"]["bv_tv"]["treated"]) == 3 and data["warnings"] == []
    assert (tmp_path / "run" / "treated" / "manifest.json").exists()


def test_cohort_says_when_the_save_grid_undersamples_the_doses(capsys) -> None:
    args = ("cohort", "ovx", "-i", "exosome:bmsc,dose=100,start=7,every=14", "--n", "4",
            "--seed", "1", "--days", "56", "--json")
    code, _, err = run(capsys, *args, "--points", "9")  # weekly saves, a dose every 14 days
    assert code == 0, err
    assert "doses every 14 days" in err and "--points 33" in err
    code, _, err = run(capsys, *args, "--points", "33")  # every 1.75 days: fine
    assert code == 0 and "note:" not in err


def test_cohort_reads_a_window_and_warns_inside_a_dose_transient(capsys) -> None:
    # a dose on day 56 of a 60-day run: the table's read-out ends 4 days after it
    args = ("cohort", "ovx", "-i", "exosome:bmsc,dose=100,start=28,every=28", "--n", "4",
            "--seed", "1", "--days", "60", "--points", "61")
    code, out, err = run(capsys, *args, "--readout", "trough", "--window", "14")
    assert code == 0, err
    assert "trough over days 46-60" in out
    assert "warning: the read-out" in err and "4 days after the dose on day 56" in err
    code, out, err = run(capsys, *args, "--window", "0", "--json")
    data = json.loads(out)
    assert data["readout"]["window"] == 0.0 and len(data["warnings"]) == 1
    # a single-day summary is the last column of the bands
    assert data["summary"]["p1np"]["treated"] == [row[-1] for row in data["treated"]["p1np"]]


def test_cohort_resume_needs_out(capsys) -> None:
    code, _, err = run(capsys, "cohort", "ovx", "--n", "4", "--resume")
    assert code == 1 and "--resume needs --out" in err


def test_dose_response_json(capsys) -> None:
    code, out, err = run(capsys, "dose-response", "ovx", "--exosome", "bmsc", "--objective",
                         "bv_tv@60", "--doses", "1,100", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["dose"] == [1.0, 100.0] and data["value"][1] > data["control"]
    assert data["readout"]["kind"] == "mean" and data["readout"]["start"] == 32.0
    assert data["magnitudes"]["families"] == ["msc"] and data["magnitudes"]["assumed"]
    code, out, err = run(capsys, "dose-response", "ovx", "--exosome", "bmsc", "--objective",
                         "bv_tv@60", "--doses", "100", "--readout", "auc", "--window", "10")
    assert code == 0, err
    assert "auc bv_tv over days 50-60" in out


def test_dose_response_takes_ug_per_kg_and_names_the_route(capsys) -> None:
    """Issue 13: doses in units that travel between species; the route is always shown."""
    code, out, err = run(capsys, "dose-response", "ovx", "--species", "mouse", "--exosome",
                         "bmsc", "--objective", "bv_tv@30", "--doses", "400ug/kg,10",
                         "--route", "local", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["dose"] == [10.0, 10.0] and data["dose_per_kg"] == [400.0, 400.0]  # 0.025 kg
    assert data["value"][0] == data["value"][1] and data["setting"].startswith("ovx (mouse")
    assert data["interventions"][0] == "exosome:bmsc,dose=10ug,route=local,start=0,every=7,stop=28"
    code, out, err = run(capsys, "dose-response", "ovx", "--species", "mouse", "--exosome",
                         "bmsc", "--objective", "bv_tv@30", "--doses", "400ug/kg")
    assert code == 0, err
    assert "route=local" not in out and "route=systemic" in out.splitlines()[0]
    assert "µg/kg" in out and "400" in out


def test_bad_readout_is_one_line_before_any_work(capsys) -> None:
    code, _, err = run(capsys, "dose-response", "ovx", "--exosome", "bmsc", "--objective",
                       "bv_tv@20", "--window", "30")
    assert code == 1 and err.count("\n") == 1 and "window must be 0 to 20 days" in err


def test_optimize_json(capsys, tmp_path) -> None:
    code, out, err = run(capsys, "optimize", "ovx", "--exosome", "bmsc", "--objective",
                         "bv_tv@60", "--bounds", "dose=10:100,every=7:14,start=0:14,duration=0:28",
                         "--total-dose-ug", "400", "--maxiter", "5", "--json",
                         "--plot", str(tmp_path / "o.png"))
    assert code == 0, err
    data = json.loads(out)
    assert data["value"] > data["control_value"] and data["seed"] == 0
    # default: the smallest gain over untreated, averaged over the dosing phase
    assert data["readout"]["kind"] == "min-gain" and data["control_value"] == 0.0
    assert data["value_as_planned"] > 0 and data["magnitudes"]["rests_on_assumptions"]
    assert set(data["plan"]) == {"dose", "every", "start", "duration"}
    assert data["total_dose_ug"] == 400.0 and data["readout"]["window"] == 28.0
    assert all(float(data["plan"][k]).is_integer() for k in ("every", "start", "duration"))
    assert data["warnings"] == [line.removeprefix("warning: ") for line in err.splitlines()
                                if line.startswith("warning: ")]
    assert set(data["at_bounds"]) <= {"dose", "every", "start", "duration"}
    assert (tmp_path / "o.png").stat().st_size > 0


def test_optimize_budget_is_a_deprecated_alias(capsys) -> None:
    args = ("optimize", "ovx", "--exosome", "bmsc", "--objective", "bv_tv@30", "--bounds",
            "dose=10:100,every=7:14,start=0:7,duration=0:14", "--maxiter", "1", "--json")
    code, out, err = run(capsys, *args, "--budget", "50")
    assert code == 0, err
    assert "--budget is deprecated" in err and "--total-dose-ug" in err
    assert json.loads(out)["total_dose_ug"] == 50.0
    code, _, err = run(capsys, *args, "--budget", "50", "--total-dose-ug", "50")
    assert code == 1 and "give --total-dose-ug only" in err
    code, out, _ = run(capsys, "optimize", "--help")
    assert "--total-dose-ug" in out and "--budget" not in out


def test_sensitivity_table(capsys, tmp_path) -> None:
    code, out, err = run(capsys, "sensitivity", "ovx", "--method", "morris", "--n", "4",
                         "--outcome", "bv_tv@30", "--parameters", _two_parameters(),
                         "--plot", str(tmp_path / "s.png"))
    assert code == 0, err
    assert "mu*" in out and "by atlas mechanism" in out
    assert (tmp_path / "s.png").stat().st_size > 0


def test_bad_objective_is_one_line(capsys) -> None:
    code, _, err = run(capsys, "sensitivity", "ovx", "--outcome", "bv_tv")
    assert code == 1 and "OUTCOME@DAY" in err


def _two_parameters() -> str:
    from exobone.analysis.sensitivity import parameter_mechanisms
    from exobone.model.assemble import build_model

    model = build_model("ovx")
    values = model.parameter_values
    mech = parameter_mechanisms(model)
    # parameters at zero (e.g. dose pools nobody dosed) have no relative range to vary over
    first = next(p for p, m in mech.items() if m and values[p] != 0.0)
    second = next(p for p, m in mech.items() if not m and values[p] != 0.0)
    return f"{first},{second}"
