"""Shared fixtures: the curated atlas and the seed documents beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from shared_files import find_biomodels

from exobone.atlas.curation import Atlas, load_atlas
from exobone.atlas.validate import find_seed_dir

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    return load_atlas()


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    found = find_seed_dir(REPO)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("seed documents (shared/seeds) not found beside the repository in CI")
        pytest.skip("seed documents not available; set EXOBONE_SEEDS to run quote checks")
    return found


@pytest.fixture(scope="module")
def biomodels() -> Path:
    """The BioModels SBML files; missing in CI is a failure, elsewhere a skip with the fix."""
    found = find_biomodels()
    if found is None or not found.is_dir():
        if os.environ.get("CI"):
            pytest.fail("shared/reference/biomodels not found beside the repository in CI; "
                        "set EXOBONE_SHARED")
        pytest.skip("BioModels SBML files not available; set EXOBONE_SHARED to compare")
    return found
