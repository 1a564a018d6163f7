"""Bad output paths: one line, exit 1, checked before the run, nothing lost (more cases, read-only
folders and full disks, in tests/bad_input/test_bad_input_outputs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exobone.cli import main

FAST = ("--no-exosomes", "--days", "20")


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def _bad_paths(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "notes.txt").write_text("my notes")
    return {
        "missing folder": (tmp_path / "missing" / "out.EXT", "does not exist"),
        "below a file": (tmp_path / "notes.txt" / "out.EXT", "is a file, not a folder"),
    }


@pytest.mark.parametrize("case", ["missing folder", "below a file"])
@pytest.mark.parametrize("option, suffix", [("--save", ".csv"), ("--plot", ".png")])
def test_simulate_bad_output_path_is_one_line(capsys, tmp_path: Path, case: str, option: str,
                                              suffix: str) -> None:
    target, message = _bad_paths(tmp_path)[case]
    target = Path(str(target).replace(".EXT", suffix))
    code, err = run(capsys, "simulate", "ovx", *FAST, option, str(target))
    assert code == 1
    assert err.startswith("error: cannot write the ") and message in err and str(target) in err
    assert err.count("\n") == 1
    assert (tmp_path / "notes.txt").read_text() == "my notes"


def test_a_folder_as_output_is_a_usage_error(capsys, tmp_path: Path) -> None:
    code, err = run(capsys, "simulate", "ovx", *FAST, "--save", str(tmp_path))
    assert code == 2 and "is a directory" in " ".join(err.replace("│", " ").split())


@pytest.mark.parametrize("case", ["missing folder", "below a file"])
def test_export_sbml_bad_output_path_is_one_line(capsys, tmp_path: Path, case: str) -> None:
    target, message = _bad_paths(tmp_path)[case]
    target = Path(str(target).replace(".EXT", ".xml"))
    code, err = run(capsys, "export", "sbml", "ovx", "--no-exosomes", "-o", str(target))
    assert code == 1 and message in err and err.count("\n") == 1


def test_save_with_an_unknown_suffix_is_refused_before_the_run(capsys, tmp_path: Path) -> None:
    code, err = run(capsys, "simulate", "ovx", *FAST, "--save", str(tmp_path / "run.txt"))
    assert code == 1 and "'run.txt': use a file ending in .nc, .csv, .parquet" in err
    assert not list(tmp_path.iterdir())


def test_save_writes_the_table_and_its_sidecar_and_nothing_else(capsys, tmp_path: Path) -> None:
    out = tmp_path / "run.csv"
    code, err = run(capsys, "simulate", "ovx", *FAST, "--save", str(out))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.csv", "run.csv.json"]
    assert out.read_text().startswith("time,variable,kind,value")


def test_export_sbml_replaces_an_old_file_whole(capsys, tmp_path: Path) -> None:
    out = tmp_path / "ovx.xml"
    out.write_text("old")
    code, err = run(capsys, "export", "sbml", "ovx", "--no-exosomes", "-o", str(out))
    assert code == 0, err
    assert "<sbml" in out.read_text() and [p.name for p in tmp_path.iterdir()] == ["ovx.xml"]


def test_cohort_out_below_a_file_is_refused_before_the_models_are_built(capsys,
                                                                        tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("keep me")
    code = main(["cohort", "nosuch-scenario", "--n", "2", "--out", str(tmp_path / "afile" / "x")])
    err = capsys.readouterr().err
    # the path is checked first: the unknown scenario is never reached
    assert code == 1 and err == (f"error: cannot write the cohort to {tmp_path / 'afile' / 'x'}: "
                                 f"{tmp_path / 'afile'} is a file, not a folder\n")
    assert (tmp_path / "afile").read_text() == "keep me"
