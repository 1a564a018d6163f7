"""Fixtures for the bad-input modules: the CLI run in-process with an isolated home, and the web
app on a temporary atlas database. Each module is one category of bad input (malformed files,
unknown names, impossible values, oversized requests) across the CLI, the Python API and the web
(the web app and its database are the suite's, in tests/conftest.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_fixtures import _isolated_home, _register_commands_once  # noqa: F401 (fixtures)

OneLine = Callable[..., str]
SMALL = Path(__file__).resolve().parents[1] / "data" / "atlas_small"


@pytest.fixture
def one_line(capsys: pytest.CaptureFixture[str]) -> OneLine:
    """Run ``exobone ARGS`` and return its error, checked to be the CLI's promise: exit 1, one
    line on stderr starting ``error:``, no traceback (there is no ``--debug``)."""
    from exobone.cli import main

    def run(*args: str) -> str:
        code = main([str(a) for a in args])
        err = capsys.readouterr().err
        assert code == 1, f"exit {code}: {err}"
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
        return err

    return run


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A copy of the small curated-data folder of the tests, free to break."""
    dst = tmp_path / "data"
    shutil.copytree(SMALL, dst)
    return dst


@pytest.fixture
def small_db(tmp_path: Path, small_data: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """An atlas database built from :func:`small_data`; ``--db DB --data-dir DATA``."""
    from exobone.cli import main

    path = tmp_path / "atlas.sqlite"
    assert main(["atlas", "build", "--db", str(path), "--data-dir", str(small_data)]) == 0
    capsys.readouterr()
    return path


@pytest.fixture
def json_error() -> Callable[[object, int], str]:
    """Check a JSON error response with ``status`` and return its one-line ``detail``."""

    def check(response: object, status: int) -> str:
        assert response.status_code == status, response.text  # type: ignore[attr-defined]
        assert response.headers["content-type"] == "application/json"  # type: ignore[attr-defined]
        detail = response.json()["detail"]  # type: ignore[attr-defined]
        assert isinstance(detail, str) and "\n" not in detail and "Traceback" not in detail
        return detail

    return check
