"""The example inputs in examples/ run with the commands docs/atlas.md gives for them."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from exobone.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
DOC = (REPO / "docs" / "atlas.md").read_text(encoding="utf-8")
# the documented command lines that read an example file
COMMANDS = re.findall(r"^(exobone atlas \S+ examples/\S+)$", DOC, flags=re.MULTILINE)


def run(capsys: pytest.CaptureFixture[str], line: str, *extra: str) -> tuple[int, str, str]:
    argv = shlex.split(line)[1:]  # drop the program name
    argv[2] = str(REPO / argv[2])  # the docs run from the repository root
    code = main([*argv, *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_example_is_documented_with_its_command():
    # the atlas's examples (the others are for calibrate and cohort: tests/test_readme.py)
    named = sorted(shlex.split(c)[3].removeprefix("examples/") for c in COMMANDS)
    assert named == ["enrich_mirnas.txt", "pfocr_figure.md"]
    assert all((EXAMPLES / name).is_file() for name in named)


def test_enrich_example(capsys, tmp_path):
    [line] = [c for c in COMMANDS if " enrich " in c]
    db = ("--db", str(tmp_path / "atlas.sqlite"))
    code, out, err = run(capsys, line, *db)
    assert code == 0, err
    assert "15 of your names in the universe" in out and "unmatched" not in out
    code, out, err = run(capsys, line, "--json", *db)
    assert code == 0, err
    result = json.loads(out)
    assert result["unmatched"] == [] and len(result["query"]) == 15
    top = result["sets"][0]
    assert top["name"] == "effect:bmsc:exosome_cargo_content:increase" and top["overlap"] == 6
    assert {"let-7a", "miR-148a", "miR-218"} <= set(top["hits"])
    assert result["mapped"]["Runx2"] == ["RUNX2"] and result["mapped"]["RANKL"] == ["TNFSF11"]


def test_pfocr_example(capsys, tmp_path):
    [line] = [c for c in COMMANDS if " ingest-pfocr " in c]
    db = tmp_path / "atlas.sqlite"
    code, out, err = run(capsys, line, "--db", str(db))
    assert code == 0, err
    assert "EXAMPLE__exobone-osteoclast-exosomes-F1 (pfocr_figure.md): 7 genes, 1 unmatched" in out
    touched = set(re.findall(r"MECH:\d{4}", out))
    # the curated osteoclast exosome mechanisms: miR-214-3p, EFNA2, RAB27A (release)
    assert {"MECH:1030", "MECH:1032", "MECH:1034"} <= touched
    # the documented follow-up: test the example list against the figure just added
    code = main(["atlas", "enrich", str(EXAMPLES / "enrich_mirnas.txt"), "--kind", "figure",
                 "--json", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 0, err
    [figure] = json.loads(out)["sets"]
    assert figure["name"] == "figure:EXAMPLE__exobone-osteoclast-exosomes-F1"
    assert set(figure["hits"]) == {"ALPL", "RAB27A"}
