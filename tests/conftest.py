"""Shared fixtures: the curated atlas and the seed documents beside the repository."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from shared_files import find_biomodels, missing_biomodels_message

from exobone.atlas.curation import Atlas, load_atlas
from exobone.atlas.validate import find_seed_dir, missing_seeds_message

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    return load_atlas()


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    found = find_seed_dir(REPO)
    if found is None:  # in CI a failure, elsewhere a skip; both say where to put them
        if os.environ.get("CI"):
            pytest.fail(missing_seeds_message(REPO))
        pytest.skip(missing_seeds_message(REPO))
    return found


@pytest.fixture(scope="module")
def biomodels() -> Path:
    """The BioModels SBML files; missing in CI is a failure, elsewhere a skip with the fix."""
    found = find_biomodels()
    if found is None or not found.is_dir():
        if os.environ.get("CI"):
            pytest.fail(missing_biomodels_message())
        pytest.skip(missing_biomodels_message())
    return found


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped atlas built once into a temporary database (never the user's), shared by the
    web and bad-input tests."""
    from exobone.atlas.store import build_store

    path = tmp_path_factory.mktemp("web") / "atlas.sqlite"
    build_store(path=path)
    return path


@pytest.fixture(scope="session")
def client(web_db: Path) -> Iterator[object]:
    """The web app on the shipped atlas."""
    from fastapi.testclient import TestClient

    from exobone.web import create_app

    with TestClient(create_app(db=web_db)) as c:
        yield c
