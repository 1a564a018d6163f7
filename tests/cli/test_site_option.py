"""``--site``: every command that builds a model takes it, passes it to the API, and documents the
sites that have data."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from exobone.cli import main
from exobone.errors import InvalidInputError
from exobone.model.species import SITES


class _Stop(InvalidInputError):
    """Raised by a stand-in API function once it has recorded its arguments."""


def _recorder(seen: dict[str, Any]):
    def record(*args: Any, **kwargs: Any) -> None:
        seen.update(kwargs)
        raise _Stop("recorded")
    return record


@pytest.mark.parametrize("module, name, args", [
    ("exobone.simulate.scenarios", "run_scenario", ("simulate", "pmo")),
    ("exobone.analysis.cohorts", "run_cohort", ("cohort", "pmo", "--n", "2")),
    ("exobone.analysis.doses", "DoseProblem", ("dose-response", "pmo", "--exosome", "bmsc")),
    ("exobone.analysis.doses", "DoseProblem",
     ("optimize", "pmo", "--exosome", "bmsc", "--objective", "bv_tv@60")),
    ("exobone.analysis.sensitivity", "run_sensitivity",
     ("sensitivity", "pmo", "--outcome", "bv_tv@60")),
    ("exobone.analysis.report", "build_report", ("report", "pmo", "-o", "never.html")),
    ("exobone.model.assemble", "build_model", ("export", "sbml", "pmo", "-o", "never.xml")),
    ("exobone.model.assemble", "build_model", ("model", "explain", "osteoclasts")),
])
def test_every_model_command_passes_site_to_the_api(monkeypatch, capsys, tmp_path, module: str,
                                                    name: str, args: tuple[str, ...]) -> None:
    import importlib

    monkeypatch.chdir(tmp_path)
    seen: dict[str, Any] = {}
    monkeypatch.setattr(importlib.import_module(module), name, _recorder(seen))
    assert main([*args, "--species", "human", "--site", "lumbar_spine"]) == 1
    assert "error: recorded" in capsys.readouterr().err
    assert seen["site"] == "lumbar_spine" and seen["species"] == "human"


@pytest.mark.parametrize("command", ["simulate", "cohort", "dose-response", "optimize",
                                     "sensitivity", "report", "export sbml", "model explain"])
def test_site_help_names_every_site_with_data(capsys, command: str) -> None:
    """The help is static (fast `--help`); it must list exactly the sites of species.py."""
    assert main([*command.split(), "--help"]) == 0
    text = re.sub(r"[\s│]+", " ", capsys.readouterr().out)
    assert "--site" in text
    for species, sites in SITES.items():
        assert all(site in text for site in sites), (species, sites)


def test_cohort_at_a_site_starts_from_that_sites_healthy_bv_tv(capsys) -> None:
    """Human lumbar spine (16.3 %) and iliac crest (18.3 %, the default) differ from day 0."""
    medians = {}
    for site in ("lumbar_spine", None):
        code = main(["cohort", "healthy", "--species", "human", "--n", "2", "--days", "10",
                     "--points", "2", "--spread", "0.01", "--backend", "reference", "--json",
                     *(["--site", site] if site else [])])
        out = capsys.readouterr()
        assert code == 0, out.err
        medians[site] = json.loads(out.out)["control"]["bv_tv"][1][0]
    assert medians["lumbar_spine"] == pytest.approx(16.3, rel=0.02)
    assert medians[None] == pytest.approx(18.3, rel=0.02)
