"""Fixtures for the web tests: one atlas database in a temporary folder, one app, one client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped atlas built once into a temporary database (never the user's)."""
    from exobone.atlas.store import build_store

    path = tmp_path_factory.mktemp("web") / "atlas.sqlite"
    build_store(path=path)
    return path


@pytest.fixture(scope="session")
def client(web_db: Path) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from exobone.web import create_app

    with TestClient(create_app(db=web_db)) as c:
        yield c
