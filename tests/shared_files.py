"""Locate the project's shared reference files (``shared/`` beside the repository)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def find_biomodels() -> Path | None:
    """``$EXOBONE_SHARED/reference/biomodels``, else ``shared/`` beside a parent of the repo."""
    env = os.environ.get("EXOBONE_SHARED")
    if env:
        return Path(env) / "reference" / "biomodels"
    for parent in [REPO, *REPO.parents]:
        cand = parent / "shared" / "reference" / "biomodels"
        if cand.is_dir():
            return cand
    return None
