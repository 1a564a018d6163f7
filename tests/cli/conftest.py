"""Fixtures for the CLI tests: isolated home and a small curated-data folder in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_fixtures import _isolated_home, _register_commands_once  # noqa: F401 (fixtures)

SMALL = Path(__file__).resolve().parents[1] / "data" / "atlas_small"


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(SMALL, dst)
    return dst
