"""Where the seed documents and the BioModels files are looked for, and what a miss says."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_files import find_biomodels, missing_biomodels_message

from exobone.atlas import validate
from exobone.atlas.validate import find_seed_dir, missing_seeds_message, seed_dir_candidates
from exobone.cli import main


@pytest.fixture
def no_shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout with no shared/ folder anywhere above it or above the package."""
    monkeypatch.delenv("EXOBONE_SEEDS", raising=False)
    monkeypatch.delenv("EXOBONE_SHARED", raising=False)
    package = tmp_path / "site" / "exobone" / "atlas"
    package.mkdir(parents=True)
    monkeypatch.setattr(validate, "_PACKAGE_DIR", package)
    clone = tmp_path / "clone"
    clone.mkdir()
    return clone


def test_candidates_are_shared_seeds_in_start_and_every_folder_above(no_shared):
    candidates = seed_dir_candidates(no_shared)
    assert candidates[0] == no_shared / "shared" / "seeds"
    assert no_shared.parent / "shared" / "seeds" in candidates
    assert Path("/shared/seeds") in candidates


def test_a_miss_says_where_it_looked_and_how_to_point_at_the_seeds(no_shared):
    assert find_seed_dir(no_shared) is None
    message = missing_seeds_message(no_shared)
    assert f"no shared/seeds folder is in {no_shared} or a folder above it" in message
    assert "EXOBONE_SEEDS=/path/to/shared/seeds" in message
    assert "EXOBONE_SHARED=/path/to/shared" in message and "\n" not in message


def test_exobone_shared_finds_the_seeds(no_shared, tmp_path, monkeypatch):
    (tmp_path / "shared" / "seeds").mkdir(parents=True)
    monkeypatch.setenv("EXOBONE_SHARED", str(tmp_path / "shared"))
    assert find_seed_dir(no_shared) == tmp_path / "shared" / "seeds"


def test_a_shared_folder_above_the_checkout_is_found(no_shared):
    (no_shared.parent / "shared" / "seeds").mkdir(parents=True)
    assert find_seed_dir(no_shared) == no_shared.parent / "shared" / "seeds"


def test_a_variable_naming_no_folder_is_named_in_the_message(no_shared, tmp_path, monkeypatch):
    monkeypatch.setenv("EXOBONE_SEEDS", str(tmp_path / "nowhere"))
    assert find_seed_dir(no_shared) is None
    assert f"$EXOBONE_SEEDS={tmp_path / 'nowhere'} is not a folder" in missing_seeds_message(no_shared)


def test_atlas_check_without_seeds_says_where_to_put_them(no_shared, monkeypatch, capsys):
    monkeypatch.chdir(no_shared)
    assert main(["atlas", "check"]) == 0
    err = capsys.readouterr().err
    assert "seed documents not found" in err and "EXOBONE_SEEDS=/path/to/shared/seeds" in err
    assert "quotes not checked" in err


def test_missing_biomodels_message_names_the_variable_and_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("EXOBONE_SHARED", str(tmp_path))
    assert find_biomodels() == tmp_path / "reference" / "biomodels"
    message = missing_biomodels_message()
    assert f"$EXOBONE_SHARED={tmp_path} has no reference/biomodels folder" in message
    monkeypatch.delenv("EXOBONE_SHARED")
    assert "EXOBONE_SHARED=/path/to/shared" in missing_biomodels_message()
