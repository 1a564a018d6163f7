"""Fixtures for the store, query, export and enrich tests: a small atlas copied into tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from exobone.atlas.curation import Atlas, load_atlas
from exobone.atlas.store import Store, build_store, open_store

SMALL = Path(__file__).resolve().parents[1] / "data" / "atlas_small"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's database: the default store lives in tmp_path."""
    monkeypatch.setenv("EXOBONE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EXOBONE_DB", raising=False)
    monkeypatch.delenv("EXOBONE_DATA", raising=False)


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A copy of tests/data/atlas_small that a test may change."""
    dst = tmp_path / "data"
    shutil.copytree(SMALL, dst)
    return dst


@pytest.fixture(scope="session")
def small_atlas() -> Atlas:
    return load_atlas(SMALL)


@pytest.fixture
def small_store(small_atlas: Atlas, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "atlas.sqlite"
    build_store(small_atlas, path)
    with open_store(path) as store:
        yield store


@pytest.fixture(params=["small", "shipped"])
def any_atlas(request: pytest.FixtureRequest, small_atlas: Atlas) -> Atlas:
    """The small fixture atlas and the curated atlas as shipped (whatever it holds today)."""
    if request.param == "small":
        return small_atlas
    return request.getfixturevalue("atlas")
