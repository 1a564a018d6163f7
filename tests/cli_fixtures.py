"""Fixtures every in-process CLI test needs (imported by tests/cli and tests/bad_input)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _register_commands_once() -> Iterator[None]:
    """``exobone.cli.main`` registers the command groups on every call, so the typer app grows
    by one group per call and each call gets slower; register once for the whole session."""
    from exobone import cli

    if not cli.app.registered_groups:
        cli._register()
    original = cli._register
    cli._register = lambda: None  # type: ignore[assignment]
    yield
    cli._register = original  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's database: the default store lives in tmp_path."""
    monkeypatch.setenv("EXOBONE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EXOBONE_DB", raising=False)
    monkeypatch.delenv("EXOBONE_DATA", raising=False)
