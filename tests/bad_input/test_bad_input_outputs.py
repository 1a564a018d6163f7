"""Outputs and data loss: an output that cannot be written is one line before any work (CLI exit
1), nothing is left half-written, and a file that is not ours is never replaced (issue 15: an
atlas search replaced a user's notes with a database)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parents[2] / "examples" / "calibrate" / "model.xml"

#: every command that writes a file or folder, with the option that names it
WRITERS = [
    (("atlas", "export", "--format", "csv", "-o"), "out.csv"),
    (("atlas", "network", "-o"), "net.png"),
    (("export", "sbml", "ovx", "-o"), "ovx.xml"),
    (("simulate", "ovx", "--days", "10", "--save"), "run.csv"),
    (("simulate", "ovx", "--days", "10", "--plot"), "run.png"),
    (("sbml", "run", str(MODEL), "--days", "5", "--save"), "run.csv"),
    (("report", "ovx", "--days", "10", "-o"), "report.html"),
    (("dose-response", "ovx", "--exosome", "bmsc", "--plot"), "dr.png"),
    (("cohort", "ovx", "--n", "2", "--out"), "chunks"),
]


#: (command, output name, case); cohort --out creates its folder and missing parents
CASES = [(args, name, case) for args, name in WRITERS
         for case in ("missing folder", "below a file")
         if not (args[0] == "cohort" and case == "missing folder")]


@pytest.mark.parametrize("args, name, case", CASES,
                         ids=[f"{' '.join(a[:2])} {c}" for a, _, c in CASES])
def test_an_unwritable_output_is_one_line_before_any_work(one_line, tmp_path: Path,
                                                          args: tuple[str, ...], name: str,
                                                          case: str) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("keep me")
    where = (tmp_path / "missing" / name) if case == "missing folder" else (blocker / name)
    start = time.monotonic()
    err = one_line(*args, where)
    assert str(where) in err
    assert ("does not exist" if case == "missing folder" else "is a file, not a folder") in err
    assert time.monotonic() - start < 60  # said before any run
    assert {p.name for p in tmp_path.iterdir()} <= {"afile", "home"}  # nothing written
    assert blocker.read_text() == "keep me"


def test_a_text_file_given_as_the_database_is_never_replaced(one_line, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    err = one_line("atlas", "search", "--cargo", "miR-214", "--db", notes)
    assert "is not an exobone atlas database" in err and "refusing to overwrite it" in err
    assert notes.read_text() == "my notes\n"
