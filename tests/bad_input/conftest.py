"""Fixtures for the bad-input modules: the CLI run in-process with an isolated home, and the web
app on a temporary atlas database. Each module is one category of bad input (malformed files,
unknown names, impossible values, oversized requests) across the CLI, the Python API and the web.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from cli_fixtures import _isolated_home, _register_commands_once  # noqa: F401 (fixtures)

OneLine = Callable[..., str]


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


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The web app on the shipped atlas, built once into a temporary database."""
    from fastapi.testclient import TestClient

    from exobone.atlas.store import build_store
    from exobone.web import create_app

    db = tmp_path_factory.mktemp("web") / "atlas.sqlite"
    build_store(path=db)
    with TestClient(create_app(db=db)) as c:
        yield c


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
