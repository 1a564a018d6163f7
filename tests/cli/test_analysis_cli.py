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
    assert len(data["treated"]["bv_tv"]) == 3 and len(data["times"]) == 4
    assert (tmp_path / "run" / "treated" / "manifest.json").exists()


def test_cohort_says_when_the_save_grid_undersamples_the_doses(capsys) -> None:
    args = ("cohort", "ovx", "-i", "exosome:bmsc,dose=100,start=7,every=14", "--n", "4",
            "--seed", "1", "--days", "56", "--json")
    code, _, err = run(capsys, *args, "--points", "9")  # weekly saves, a dose every 14 days
    assert code == 0, err
    assert "doses every 14 days" in err and "--points 33" in err
    code, _, err = run(capsys, *args, "--points", "33")  # every 1.75 days: fine
    assert code == 0 and "note:" not in err


def test_cohort_resume_needs_out(capsys) -> None:
    code, _, err = run(capsys, "cohort", "ovx", "--n", "4", "--resume")
    assert code == 1 and "--resume needs --out" in err


def test_dose_response_json(capsys) -> None:
    code, out, err = run(capsys, "dose-response", "ovx", "--exosome", "bmsc", "--objective",
                         "bv_tv@60", "--doses", "1,100", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["dose"] == [1.0, 100.0] and data["value"][1] > data["control"]


def test_optimize_json(capsys, tmp_path) -> None:
    code, out, err = run(capsys, "optimize", "ovx", "--exosome", "bmsc", "--objective",
                         "bv_tv@60", "--bounds", "dose=10:100,every=7:14,start=0:14,duration=0:28",
                         "--budget", "400", "--maxiter", "5", "--json",
                         "--plot", str(tmp_path / "o.png"))
    assert code == 0, err
    data = json.loads(out)
    assert data["value"] > data["control_value"] and data["seed"] == 0
    assert set(data["plan"]) == {"dose", "every", "start", "duration"}
    assert (tmp_path / "o.png").stat().st_size > 0


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
