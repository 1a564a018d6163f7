"""``exobone report`` and :mod:`exobone.analysis.report`: one self-contained HTML file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exobone.analysis.report import build_report, render_report

EXO = "exosome:bmsc,dose=100,start=14,every=7"
#: the report names the intervention resolved: dose with its unit, route, schedule
EXO_RESOLVED = "exosome:bmsc,dose=100ug,route=systemic,start=14,every=7"


@pytest.fixture(scope="module")
def report_html() -> str:
    return render_report(build_report("ovx", [EXO], days=60, points=61))


def test_report_is_self_contained(report_html: str) -> None:
    assert report_html.lstrip().lower().startswith("<!doctype html>")
    # the figure is embedded, nothing is fetched: no external src/href for scripts, styles, images
    assert re.search(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', report_html)
    assert not re.search(r'(src|href)="(https?:)?//', report_html)
    assert "<script" not in report_html
    assert '<link rel="stylesheet"' not in report_html


def test_report_has_outcomes_mechanisms_and_provenance(report_html: str) -> None:
    assert "ovx (rat): " + EXO_RESOLVED in report_html
    for heading in ("Time courses", "Outcomes", "Mechanisms involved", "Provenance"):
        assert f"<h2>{heading}" in report_html
    assert "BV/TV" in report_html and "osteoclasts" in report_html
    assert re.search(r"MECH:\d{4}", report_html)
    assert "et al." in report_html  # citations
    assert "model hash" in report_html and "atlas version" in report_html
    assert "exobone report ovx --intervention" in report_html


def test_report_data() -> None:
    rep = build_report("ovx", ["denosumab,start=14"], days=60, points=61)
    names = [o.name for o in rep.outcomes]
    assert names[0] == "bv_tv" and "defect_fill" not in names  # no defect in ovx
    bv = rep.outcomes[0]
    assert bv.control is not None and bv.change is not None and bv.change > 0
    assert rep.mechanisms and all(m.citations for m in rep.mechanisms)
    assert rep.provenance["model hash"] != rep.provenance["control model hash"]


def test_report_cli_writes_the_file(tmp_path: Path) -> None:
    from exobone.cli import main

    out = tmp_path / "report.html"
    assert main(["report", "ovx", "--intervention", EXO, "--days", "60", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "data:image/png;base64," in text and "Mechanisms involved" in text


def test_report_cli_bad_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from exobone.cli import main

    out = tmp_path / "report.html"
    assert main(["report", "ovxx", "-o", str(out)]) == 1
    assert "unknown scenario 'ovxx'; did you mean 'ovx'?" in capsys.readouterr().err
    assert not out.exists()


def test_report_cli_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from exobone.cli import main

    out = tmp_path / "missing-folder" / "report.html"
    assert main(["report", "ovx", "--days", "30", "-o", str(out)]) == 1
    assert "cannot write the report to" in capsys.readouterr().err
