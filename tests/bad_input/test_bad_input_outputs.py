"""Outputs and data loss: an output that cannot be written is one line before any work (CLI exit
1), nothing is left half-written, and a file that is not ours is never replaced (issue 15: an
atlas search replaced a user's notes with a database)."""

from __future__ import annotations

import errno
import os
import tempfile
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


#: the work each command does after its output check: each is replaced by a function that
#: fails, so a refusal that came after the work was started would show as that failure
WORK = {"atlas": "exobone.cli.atlas._store", "sbml": "exobone.interop.sbml.run.run_sbml"}
MODEL_WORK = "exobone.model.builder.ModelBuilder.__init__"  # every scenario command builds one


def _no_work_allowed(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{command}: work started before the output path was refused")

    monkeypatch.setattr(WORK.get(command, MODEL_WORK), started)


#: (command, output name, case); cohort --out creates its folder and missing parents
CASES = [(args, name, case) for args, name in WRITERS
         for case in ("missing folder", "below a file")
         if not (args[0] == "cohort" and case == "missing folder")]


@pytest.mark.parametrize("args, name, case", CASES,
                         ids=[f"{' '.join(a[:2])} {c}" for a, _, c in CASES])
def test_an_unwritable_output_is_one_line_before_any_work(one_line, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          args: tuple[str, ...], name: str,
                                                          case: str) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("keep me")
    where = (tmp_path / "missing" / name) if case == "missing folder" else (blocker / name)
    _no_work_allowed(monkeypatch, args[0])
    err = one_line(*args, where)  # started work raises through main(), failing the test
    assert str(where) in err
    assert ("does not exist" if case == "missing folder" else "is a file, not a folder") in err
    assert {p.name for p in tmp_path.iterdir()} <= {"afile", "home"}  # nothing written
    assert blocker.read_text() == "keep me"


@pytest.mark.parametrize("command", [("search", "--cargo", "miR-214"), ("build",),
                                     ("export", "--format", "csv")])
def test_a_text_file_given_as_the_database_is_never_replaced(one_line, tmp_path: Path,
                                                             command: tuple[str, ...]) -> None:
    """Issue 15: ``atlas search --db notes.txt`` replaced the notes with a database, exit 0."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    err = one_line("atlas", *command, "--db", notes)
    assert "is not an exobone atlas database" in err and "refusing to overwrite it" in err
    assert notes.read_text() == "my notes\n"
    assert {p.name for p in tmp_path.iterdir()} <= {"notes.txt", "home"}


#: the five writers of issue 15 (output paths that gave tracebacks), the option last
ISSUE_WRITERS = {
    "atlas export -o": (("atlas", "export", "--format", "csv", "-o"), "out.csv"),
    "export sbml -o": (("export", "sbml", "ovx", "--no-exosomes", "-o"), "ovx.xml"),
    "simulate --save": (("simulate", "ovx", "--no-exosomes", "--days", "5", "--save"),
                        "run.csv"),
    "sbml run --save": (("sbml", "run", str(MODEL), "--days", "5", "--save"), "run.csv"),
    "cohort --out": (("cohort", "healthy", "--n", "2", "--days", "5", "--points", "3",
                      "--backend", "reference", "--out"), "chunks"),
}


def _writer(writer: str, request: pytest.FixtureRequest) -> tuple[tuple[object, ...], str]:
    """The writer's arguments (the option last) and output name; the atlas export reads a
    database built beforehand, so that the only line is the error."""
    args, name = ISSUE_WRITERS[writer]
    if args[0] == "atlas":
        db, data = request.getfixturevalue("small_db"), request.getfixturevalue("small_data")
        args = (*args[:-1], "--db", db, "--data-dir", data, args[-1])
    return args, name


def _read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make ``folder`` refuse new files as a read-only folder does for a user (tests may run
    as root, who may write anywhere): the access check says no, creating a file or folder in
    it is ``EACCES``."""
    real_access, real_mkstemp, real_mkdtemp = os.access, tempfile.mkstemp, tempfile.mkdtemp

    def inside(path: object) -> bool:
        return path is not None and Path(str(path)).resolve() == folder.resolve()

    def denied() -> PermissionError:
        return PermissionError(errno.EACCES, "Permission denied")

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        return False if inside(path) and mode & os.W_OK else real_access(path, mode, *args,
                                                                         **kwargs)

    def mkstemp(*args: object, **kwargs: object) -> object:
        if inside(kwargs.get("dir")):
            raise denied()
        return real_mkstemp(*args, **kwargs)  # type: ignore[call-overload]

    def mkdtemp(*args: object, **kwargs: object) -> object:
        if inside(kwargs.get("dir")):
            raise denied()
        return real_mkdtemp(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)


@pytest.mark.parametrize("writer", sorted(ISSUE_WRITERS))
def test_a_read_only_folder_is_one_line(one_line, tmp_path: Path, request: pytest.FixtureRequest,
                                        monkeypatch: pytest.MonkeyPatch, writer: str) -> None:
    args, name = _writer(writer, request)
    folder = tmp_path / "read-only"
    folder.mkdir()
    _read_only(monkeypatch, folder)
    err = one_line(*args, folder / name)
    assert str(folder / name) in err
    assert "not writable" in err or "permission denied" in err
    assert list(folder.iterdir()) == []


#: how each writer meets a full disk: the call that fails with ENOSPC part-way
def _full_disk(monkeypatch: pytest.MonkeyPatch, writer: str) -> None:
    import numpy as np
    import pandas as pd

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def half_then_full(frame: object, path: object, *args: object, **kwargs: object) -> None:
        Path(str(path)).write_text("time,variable,kind,val")  # cut off mid-row
        full()

    def half_sbml(spec: object, path: object, *args: object, **kwargs: object) -> None:
        Path(str(path)).write_text("<?xml version='1.0'?><sbml")
        full()

    if writer == "atlas export -o":
        monkeypatch.setattr(os, "fsync", full)
    elif writer == "export sbml -o":
        import exobone.interop.sbml

        monkeypatch.setattr(exobone.interop.sbml, "write_sbml", half_sbml)
    elif writer == "cohort --out":
        monkeypatch.setattr(np, "savez", full)
    else:
        monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_full)


@pytest.mark.parametrize("writer", sorted(ISSUE_WRITERS))
def test_a_full_disk_is_one_line_and_keeps_the_old_output(one_line, tmp_path: Path,
                                                          request: pytest.FixtureRequest,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          writer: str) -> None:
    """Nothing half-written, and an earlier output of the same name is kept whole."""
    args, name = _writer(writer, request)
    target = tmp_path / "out" / name
    target.parent.mkdir()
    if writer != "cohort --out":
        target.write_text("an earlier output\n")
    _full_disk(monkeypatch, writer)
    err = one_line(*args, target)
    assert str(target) in err and ("No space left on device" in err
                                   or "no space left on the device" in err)
    assert ".part" not in err and ".tmp" not in err  # the user's path, not a staging file
    if writer == "cohort --out":
        assert not list(target.rglob("*.npz"))
    else:
        assert target.read_text() == "an earlier output\n"
        assert [p.name for p in target.parent.iterdir()] == [name]


def test_export_to_a_device_writes_in_place_and_never_replaces_it(one_line, small_db: Path,
                                                                  small_data: Path) -> None:
    """/dev/full: a device that is always full; replacing it with a file would break the
    system."""
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("this system has no /dev/full")  # not a dependency: Linux provides it
    before = full.stat()
    assert one_line("atlas", "export", "--db", small_db, "--data-dir", small_data, "-o",
                    full) == (
        f"error: cannot write {full}: no space left on the device\n")
    after = full.stat()
    assert (after.st_mode, after.st_rdev, after.st_ino) == (before.st_mode, before.st_rdev,
                                                             before.st_ino)
