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
    """The web app on the shipped atlas.

    Its simulation timeout is 15 minutes, not the served 60 s: a request's first simulation may
    compile its model, which on a loaded 2-core machine (CI, two test workers) took longer than a
    minute. The timeout itself is tested with its own limits (test_api, test_bad_input_sizes).
    """
    from fastapi.testclient import TestClient

    from exobone.web import Limits, create_app

    with TestClient(create_app(db=web_db, limits=Limits(sim_timeout_s=900.0))) as c:
        yield c
