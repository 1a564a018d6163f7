"""Locate the project's shared reference files (``shared/`` beside the repository).

The BioModels SBML files are not in git: they live in ``shared/reference/biomodels`` of the
project's ``shared/`` folder (beside ``shared/seeds``). ``$EXOBONE_SHARED`` points at that
``shared/`` folder; without it, ``shared/`` is looked for in the repository and each folder
above it.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_ENV = "EXOBONE_SHARED"
BIOMODELS = Path("reference") / "biomodels"


def find_biomodels() -> Path | None:
    """``$EXOBONE_SHARED/reference/biomodels``, else ``shared/`` beside a parent of the repo."""
    env = os.environ.get(SHARED_ENV)
    if env:
        return Path(env) / BIOMODELS
    for parent in [REPO, *REPO.parents]:
        cand = parent / "shared" / BIOMODELS
        if cand.is_dir():
            return cand
    return None


def missing_biomodels_message() -> str:
    """One line: where the BioModels files were looked for and how to point at them."""
    env = os.environ.get(SHARED_ENV)
    where = (
        f"${SHARED_ENV}={env} has no {BIOMODELS.as_posix()} folder"
        if env
        else f"${SHARED_ENV} is unset and no shared/{BIOMODELS.as_posix()} folder is in {REPO} "
        "or a folder above it"
    )
    return (
        f"BioModels SBML files not found: {where}; they come with the project's shared/ folder "
        f"(listed in its {BIOMODELS.as_posix()}/SOURCES.tsv), not with git: "
        f"set {SHARED_ENV}=/path/to/shared"
    )
