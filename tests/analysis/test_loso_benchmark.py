"""The command that regenerates the leave-one-study-out tables and figures (benchmarks/loso.py).

Run on a tiny SBML problem (one decay rate, two studies that disagree, on the reference solver):
the block it writes names the core of every row, a subset run keeps the other problems' rows
with their own core, figures are written per problem plus an overview, and bad options are
refused with one line.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sbml_builders import one_reaction_model

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "loso.py"


@pytest.fixture(scope="module")
def loso() -> dict:
    sys.path.insert(0, str(SCRIPT.parent))  # the script's own helper module (_markdown)
    try:
        return runpy.run_path(str(SCRIPT))
    finally:
        sys.path.remove(str(SCRIPT.parent))


def _problem(folder: Path, rates: dict[str, float]) -> None:
    """``x' = -k x``, ``x(0) = 1``; each study observes ``exp(-rate t)`` at four times."""
    folder.mkdir(parents=True)
    one_reaction_model(folder / "model.xml", "decay", "k", "k * x")
    times = np.array([0.5, 1.0, 2.0, 4.0])
    tables = {
        "measurements": pd.concat([pd.DataFrame(
            {"observableId": "obs_x", "simulationConditionId": "c0", "time": times,
             "measurement": np.exp(-rate * times), "noiseParameters": 0.02, "datasetId": study})
            for study, rate in rates.items()]),
        "observables": pd.DataFrame({"observableId": ["obs_x"], "observableFormula": ["x"],
                                     "noiseFormula": ["noiseParameter1_obs_x"]}),
        "conditions": pd.DataFrame({"conditionId": ["c0"], "conditionName": ["c0"]}),
        "parameters": pd.DataFrame({"parameterId": ["k"], "parameterScale": ["log10"],
                                    "lowerBound": [0.01], "upperBound": [10.0],
                                    "nominalValue": [0.5], "estimate": [1]}),
    }
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.tsv", sep="\t", index=False)
    (folder / f"{folder.name}.yaml").write_text(yaml.safe_dump({
        "format_version": 1, "parameter_file": "parameters.tsv",
        "problems": [{"sbml_files": ["model.xml"], "measurement_files": ["measurements.tsv"],
                      "observable_files": ["observables.tsv"],
                      "condition_files": ["conditions.tsv"]}]}))


@pytest.fixture()
def petab_dir(tmp_path: Path) -> Path:
    root = tmp_path / "petab"
    _problem(root / "decay_two", {"study_a": 0.3, "study_b": 1.0})
    _problem(root / "decay_one", {"study_c": 0.5})
    return root


def _block(doc: Path) -> str:
    return doc.read_text().partition("<!-- begin: loso -->")[2].partition("<!-- end: loso -->")[0]


def _table(block: str, head: str) -> list[list[str]]:
    lines = block.partition(head)[2].strip().splitlines()[1:]  # past the rule
    rows = []
    for ln in lines:
        if not ln.startswith("| "):
            break
        rows.append([c.strip() for c in ln.strip("|").split("|")])
    return rows


def test_all_regenerates_the_block_and_figures(loso: dict, petab_dir: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]):
    doc = tmp_path / "validation.md"
    doc.write_text("# Validation\n\nkept prose\n\n<!-- begin: loso -->\nold\n<!-- end: loso -->"
                   "\n\nafter\n")
    figs = tmp_path / "figures"
    code = loso["main"](["--all", "--reference", "--starts", "2", "--draws", "12", "--seed",
                         "3", "--petab-dir", str(petab_dir), "--markdown", str(doc),
                         "--figure-dir", str(figs)])
    assert code == 0
    out = capsys.readouterr().out
    assert "decay_two / study_b" in out and "total wall time" in out
    text = doc.read_text()
    assert "kept prose" in text and "after" in text and "\nold\n" not in text
    block = _block(doc)
    core = loso["core_revision"]()
    summary = {r[1]: r for r in _table(block, loso["SUMMARY_HEAD"])}
    # study B (rate 1.0) is not predicted by A (0.3): a large error, and the other way round
    assert float(summary["study_b"][3]) > 5 and float(summary["study_a"][3]) > 5
    assert summary["study_b"][5] == "12/12"
    assert summary["(one study only: nothing to hold out)"][0] == "decay_one"
    rows = _table(block, loso["ROWS_HEAD"])
    assert len(rows) == 8 and {r[1] for r in rows} == {"study_a", "study_b"}
    for table in (rows, list(summary.values()), _table(block, loso["RUN_HEAD"])):
        for r in table:  # every row names its core: git revision / model hash
            assert r[-1].startswith(f"{core} / ") or r[1].startswith(f"{core} / ")
    run = {r[0]: r for r in _table(block, loso["RUN_HEAD"])}
    assert "--all --reference --starts 2 --draws 12 --seed 3" in run["decay_two"][-1]
    assert run["decay_two"][4] == "3"
    assert (figs / "loso.png").stat().st_size > 0
    assert (figs / "loso_decay_two.png").stat().st_size > 0
    assert not (figs / "loso_decay_one.png").exists()  # nothing held out, nothing to draw
    assert "figures/loso_decay_two.png" in block and "wall time" in block
    # --redraw: the same figures from the block's rows, without fitting
    for png in figs.iterdir():
        png.unlink()
    assert loso["main"](["--redraw", "--markdown", str(doc), "--figure-dir", str(figs)]) == 0
    assert sorted(p.name for p in figs.iterdir()) == ["loso.png", "loso_decay_two.png"]
    assert _block(doc) == block


def test_a_subset_run_keeps_the_other_problems_rows(loso: dict, petab_dir: Path,
                                                    tmp_path: Path):
    doc = tmp_path / "validation.md"
    doc.write_text("intro\n")
    common = ["--reference", "--petab-dir", str(petab_dir), "--markdown", str(doc)]
    _problem(petab_dir / "decay_three", {"study_d": 0.3, "study_e": 0.3})
    assert loso["main"](["--all", "--starts", "1", "--draws", "4", *common]) == 0
    before = _table(_block(doc), loso["ROWS_HEAD"])
    other = [r for r in before if r[0] == "decay_three"]
    assert other and all(abs(float(r[8])) < 1 for r in other)  # agreeing studies: small z
    # the kept rows are replaced only for the problem run again
    row = ("| decay_three | study_d | obs_x | c0 | 1 | 0.7408 ± 0.02 | 0.5 | [0.4, 0.6] | "
           "-12.04 | k 0.3 [0.2, 0.4] | old / abc |")
    text = doc.read_text()
    first = next(ln for ln in text.splitlines() if ln.startswith("| decay_three | study_d"))
    doc.write_text(text.replace(first, row))
    assert loso["main"](["--problem", "decay_two", "--starts", "1", "--draws", "5",
                         "--figure-dir", str(tmp_path / "figures"), *common]) == 0
    block = _block(doc)
    assert row in block  # another problem's row stays, with its own core
    two = [r for r in _table(block, loso["SUMMARY_HEAD"]) if r[0] == "decay_two"]
    assert {r[5] for r in two} == {"5/5"}  # rerun with the new draws
    assert sum(r[0] == "decay_two" for r in _table(block, loso["RUN_HEAD"])) == 1
    assert (tmp_path / "figures" / "loso.png").is_file()  # drawn with the kept rows too
    assert "--problem decay_two" in block and "--all --reference --starts 1 --draws 4" in block


@pytest.mark.parametrize(("argv", "message"), [
    ([], "one of the arguments --all --problem --redraw is required"),
    (["--redraw"], "--redraw needs --markdown (the rows) and --figure-dir"),
    (["--all", "--problem", "x"], "not allowed with argument"),
    (["--all", "--jobs", "0"], "--jobs must be at least 1"),
    (["--problem", "nope"], "no problem nope in"),
    (["--all", "--markdown", "/nonexistent/validation.md"], "--markdown: no file"),
])
def test_bad_options_are_refused_with_one_line(loso: dict, petab_dir: Path, argv: list[str],
                                               message: str,
                                               capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exc:
        loso["main"]([*argv, "--petab-dir", str(petab_dir)])
    said = str(exc.value.code) + capsys.readouterr().err
    assert message in said
    assert exc.value.code != 0
