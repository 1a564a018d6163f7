"""Faults of the machine, not of the request: a damaged database or cohort chunk, a cache folder
that cannot be written, a port in use or an address not of this machine. Each is one line saying
what happened and what to do (CLI exit 1 or one ``warning:`` line when the run can go on), and
nothing of the user's is lost."""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import pytest

from exobone.errors import CompileError

COHORT = ("cohort", "healthy", "--n", "4", "--chunk-size", "2", "--days", "10", "--points", "3",
          "--backend", "reference", "--seed", "1")


@pytest.mark.parametrize("how", ["malformed", "truncated", "not-a-database"])
def test_a_damaged_store_is_one_line_with_the_rebuild_command(one_line, capsys, small_db: Path,
                                                              small_data: Path, how: str) -> None:
    """Issue 15: ``database disk image is malformed`` was a traceback."""
    from exobone.cli import main

    data = small_db.read_bytes()
    if how == "malformed":
        small_db.write_bytes(data[:8192] + b"\xff" * 8192 + data[16384:])
    elif how == "truncated":
        small_db.write_bytes(data[: len(data) // 2])
    else:  # the SQLite header over garbage
        small_db.write_bytes(data[:16] + b"\x13" * 4000)
    where = ("--db", small_db, "--data-dir", small_data)
    for command in (("search", "--cargo", "miR-214"), ("export", "--format", "csv")):
        err = one_line("atlas", *command, *where)
        assert "damaged" in err and f"exobone atlas build --db {small_db}" in err
    # the command it names works
    assert main(["atlas", "build", *map(str, where)]) == 0
    assert main(["atlas", "search", "--cargo", "miR-214", *map(str, where)]) == 0
    assert "MECH:0203" in capsys.readouterr().out


def test_resume_recomputes_a_truncated_chunk_and_says_which(capsys, tmp_path: Path) -> None:
    """Issue 15: a truncated chunk on ``--resume`` was ``BadZipFile`` with a traceback."""
    from exobone.cli import main

    out = tmp_path / "run"
    assert main([*COHORT, "--json", "--out", str(out)]) == 0
    whole = capsys.readouterr().out
    damaged = out / "control" / "chunk_000001.npz"
    damaged.write_bytes(damaged.read_bytes()[:200])  # e.g. the disk filled up mid-write
    assert main([*COHORT, "--json", "--out", str(out), "--resume"]) == 0
    resumed = capsys.readouterr()
    warnings = [line for line in resumed.err.splitlines() if line.startswith("warning:")]
    assert warnings == [(f"warning: {damaged} is damaged (BadZipFile: File is not a zip file); "
                         "recomputing it")]
    assert resumed.out == whole  # the recomputed chunk gives the same cohort


def test_disk_full_under_cohort_out_is_one_line_and_keeps_the_chunks(
        one_line, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import numpy as np

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", full)
    out = tmp_path / "run"
    err = one_line(*COHORT, "--out", out)
    assert "No space left on device; the chunks written so far are kept (rerun with resume / " \
           "--resume)" in err
    assert not list(out.rglob("*.npz"))  # no half-written chunk


@pytest.fixture
def caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fresh "said once" tables and a private temp folder for the fallback cache."""
    from exobone.simulate import model_cache
    from exobone.simulate.backends import numba_backend

    monkeypatch.setattr(numba_backend, "_FALLBACK_SAID", set())
    monkeypatch.setattr(model_cache, "_SAID", set())
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return tmp_path


def _unusable(how: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the cache root unusable as a user would: a file, or a read-only folder (as root
    may write anywhere, read-only is a folder that refuses new files)."""
    if how == "a file":
        blocker = root / "cache-is-a-file"
        blocker.write_text("")
        monkeypatch.setenv("EXOBONE_CACHE", str(blocker))
        return blocker
    folder = root / "read-only"
    folder.mkdir()
    real = tempfile.NamedTemporaryFile
    real_mkstemp = tempfile.mkstemp

    def refuse(dirname: object) -> None:
        if dirname is not None and Path(str(dirname)).is_relative_to(folder):
            raise PermissionError(13, "Permission denied")

    def named(*args: object, **kwargs: object) -> object:
        refuse(kwargs.get("dir"))
        return real(*args, **kwargs)  # type: ignore[call-overload]

    def mkstemp(*args: object, **kwargs: object) -> object:
        refuse(kwargs.get("dir"))
        return real_mkstemp(*args, **kwargs)  # type: ignore[call-overload]

    original_mkdir = Path.mkdir

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self != folder and self.is_relative_to(folder) and not self.exists():
            raise PermissionError(13, "Permission denied", str(self))
        original_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", named)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    if how == "read-only HOME":
        monkeypatch.delenv("EXOBONE_CACHE", raising=False)
        monkeypatch.setenv("HOME", str(folder))
    else:
        monkeypatch.setenv("EXOBONE_CACHE", str(folder))
    return folder


@pytest.mark.parametrize("how", ["a file", "read-only EXOBONE_CACHE", "read-only HOME"])
def test_an_unusable_numba_cache_falls_back_to_temp_with_one_line(
        caches: Path, capsys, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """Issue 15: the numba cache folder not creatable was a traceback."""
    from exobone.simulate.backends.numba_backend import cache_dir

    _unusable(how, caches, monkeypatch)
    first = cache_dir()
    assert first.is_dir() and first.is_relative_to(caches / "tmp")
    assert cache_dir() == first  # said once
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("warning: cannot write the numba cache to ")
    assert "set EXOBONE_CACHE to a writable directory" in err


def test_no_usable_numba_cache_at_all_is_one_line(caches: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = _unusable("a file", caches, monkeypatch)
    monkeypatch.setattr(tempfile, "tempdir", str(blocker / "tmp"))
    with pytest.raises(CompileError, match="set EXOBONE_CACHE to a writable directory") as info:
        from exobone.simulate.backends.numba_backend import cache_dir

        cache_dir()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("how", ["a file", "read-only EXOBONE_CACHE", "read-only HOME"])
def test_an_unusable_model_cache_compiles_without_it_with_one_line(
        caches: Path, capsys, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    from exobone.model.reference import decay_with_bolus
    from exobone.simulate.compile import clear_cache, compile_model

    _unusable(how, caches, monkeypatch)
    clear_cache()
    compile_model(decay_with_bolus(times=(2.0,)))
    clear_cache()
    assert compile_model(decay_with_bolus(times=(2.0,))).states == ("x",)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "compiling without it" in err, err


def test_serve_on_a_port_in_use_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from exobone.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err == (f"error: port {port} on 127.0.0.1 is already in use; stop the other server "
                   "or choose another with --port\n")


def test_serve_on_an_address_not_of_this_machine_is_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    from exobone.cli import main

    assert main(["serve", "--host", "192.0.2.1", "--port", "0"]) == 1  # TEST-NET-1
    err = capsys.readouterr().err
    assert "'192.0.2.1' is not an address of this machine" in err and err.count("\n") == 1
