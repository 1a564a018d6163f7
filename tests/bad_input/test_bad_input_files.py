"""Malformed files: every reader answers one line naming the file and what to give instead, and a
failed read changes nothing (CLI, Python API, web request bodies)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exobone.analysis.cohorts import load_priors
from exobone.atlas.curation import load_atlas
from exobone.errors import CurationError, InvalidInputError

SMALL = Path(__file__).resolve().parents[1] / "data" / "atlas_small"

PRIORS = {  # file content -> what the one line must say
    "broken": ("parameters:\n  k_oc_apoptosis: {distribution: uniform, low: 1\n",
               "line 3 is not valid YAML"),
    "binary": ("a\tb\n\x00\x01", "is not valid YAML (unacceptable character #x0000"),
    "text where a number goes": ("parameters:\n  k_oc_apoptosis: {low: abc, high: 2}\n",
                                 "prior of 'k_oc_apoptosis': low must be a number, got 'abc'"),
    "a list": ("- 1\n- 2\n", "expected a mapping parameter -> {distribution"),
    "empty": ("", "expected a mapping parameter -> {distribution"),
}


@pytest.mark.parametrize("case", sorted(PRIORS))
def test_cohort_priors_file(one_line, tmp_path: Path, case: str) -> None:
    content, message = PRIORS[case]
    path = tmp_path / "priors.yaml"
    path.write_text(content, encoding="utf-8")
    err = one_line("cohort", "ovx", "--n", "2", "--priors", path)
    assert message in err and str(path) in err
    with pytest.raises(InvalidInputError, match="priors.yaml"):
        load_priors(path)


def test_priors_that_are_not_utf8_are_one_line(one_line, tmp_path: Path) -> None:
    path = tmp_path / "priors.yaml"
    path.write_bytes(b"\xff\xfe\x00parameters")
    assert "cannot read priors from" in one_line("cohort", "ovx", "--n", "2", "--priors", path)


@pytest.mark.parametrize("content, message", [
    (b"problems: [\n", "is not YAML"),
    (b"\x00\x01\x02", "is not YAML"),
    (b"- a list\n", "no 'problems' entry (PEtab format 1)"),
])
def test_calibrate_problem_file(one_line, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "problem.yaml"
    path.write_bytes(content)
    assert message in one_line("calibrate", path)


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "calibrate"


@pytest.mark.parametrize("table, old, new, message", [
    ("measurements.tsv", "\t0.5\t", "\tten\t",
     "measurements.tsv row 1: time 'ten' is not a number"),
    ("measurements.tsv", "\t1.9934133790631907\t", "\tmany\t",
     "measurements.tsv row 1: measurement 'many' is not a number"),
    ("parameters.tsv", "1.0\t1\n", "1.0\tmaybe\n",
     "parameters.tsv: parameter 'k_loss': estimate 'maybe' is not 0 or 1"),
    ("parameters.tsv", "0.01\t10.0", "low\t10.0",
     "parameters.tsv row 1: lowerBound 'low' is not a number"),
])
def test_calibrate_table_cell_that_is_not_a_number(one_line, tmp_path: Path, table: str,
                                                   old: str, new: str, message: str) -> None:
    """They used to be a TypeError (``time < 0`` on text) and a ValueError inside petab's
    linter (``int('maybe')``), both with a traceback."""
    from exobone.analysis.calibrate import load_petab

    problem = tmp_path / "problem"
    shutil.copytree(EXAMPLE, problem)
    text = (problem / table).read_text(encoding="utf-8")
    assert old in text
    (problem / table).write_text(text.replace(old, new, 1), encoding="utf-8")
    assert message in one_line("calibrate", problem / "problem.yaml", "--evaluate")
    with pytest.raises(InvalidInputError, match="is not"):
        load_petab(problem)


@pytest.mark.parametrize("content", [b"this is not xml", b"", b"\x00\x01\xff"])
def test_sbml_run_of_a_file_that_is_not_sbml(one_line, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.xml"
    path.write_bytes(content)
    assert "model.xml is not valid SBML" in one_line("sbml", "run", path)


def test_enrich_list_that_is_not_text(one_line, tmp_path: Path) -> None:
    path = tmp_path / "hits.txt"
    path.write_bytes(b"\xff\xfe\x00miR-214")
    assert f"cannot read the gene list {path}" in one_line("atlas", "enrich", path)


def test_a_data_dir_that_is_not_curated_data(one_line, tmp_path: Path) -> None:
    """It used to be FileNotFoundError with a traceback."""
    err = one_line("atlas", "check", "--data-dir", tmp_path)
    assert f"{tmp_path} is not a curated-data folder: it has no seeds.yaml" in err
    with pytest.raises(InvalidInputError, match="no seeds.yaml"):
        load_atlas(tmp_path)


def test_a_curated_file_that_is_not_text_is_a_curation_problem(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    next((data / "entities").glob("*.yaml")).write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CurationError, match=r"cannot be read as UTF-8 YAML"):
        load_atlas(data)


def test_a_broken_curated_file_keeps_the_built_store(capsys, tmp_path: Path) -> None:
    """Nothing lost: a failed ``atlas build`` leaves the earlier database as it was."""
    from exobone.cli import main

    data, db = tmp_path / "data", tmp_path / "atlas.sqlite"
    shutil.copytree(SMALL, data)
    assert main(["atlas", "build", "--db", str(db), "--data-dir", str(data)]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    next((data / "mechanisms").glob("*.yaml")).write_text("- id: [broken\n")
    assert main(["atlas", "build", "--db", str(db), "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert "not valid YAML" in err and "Traceback" not in err
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas.sqlite", "data"]  # no staging file left


@pytest.mark.parametrize("body, status, message", [
    (b"{not json", 422, "the request body is not JSON (Expecting property name"),
    (b"\x00\x01\xff", 400, "the request body is not JSON (it could not be read as UTF-8"),
])
def test_web_body_that_is_not_json(client, json_error, body: bytes, status: int,
                                   message: str) -> None:
    r = client.post("/api/simulate", content=body, headers={"content-type": "application/json"})
    detail = json_error(r, status)
    assert detail.startswith(message) and 'send a JSON object such as {"scenario"' in detail


def test_web_body_that_is_json_but_not_an_object(client, json_error) -> None:
    detail = json_error(client.post("/api/simulate", json=[]), 422)
    assert "Input should be a valid dictionary" in detail


def test_one_broken_yaml_is_summarised_not_listed_in_full(capsys, small_db: Path,
                                                          small_data: Path) -> None:
    """Issue 15: one broken YAML file printed 1,136 lines (every reference into it failed)."""
    import re

    from exobone.cli import main
    from exobone.cli.atlas import PROBLEMS_SHOWN

    (small_data / "entities" / "core.yaml").write_text("- {key: x, name: [unclosed\n",
                                                       encoding="utf-8")
    before = small_db.read_bytes()
    where = ["--db", str(small_db), "--data-dir", str(small_data)]
    assert main(["atlas", "build", *where]) == 1
    out = capsys.readouterr()
    lines = out.err.splitlines()
    total = int(re.search(r"(\d+) problems in the curated data", out.err).group(1))  # type: ignore[union-attr]
    assert out.out == "" and total > PROBLEMS_SHOWN + 5  # every reference to an entity fails
    assert len(lines) == PROBLEMS_SHOWN + 2
    assert "core.yaml:2:" in lines[1] and "not valid YAML" in lines[1]  # file:line first
    assert f"and {total - PROBLEMS_SHOWN} more" in lines[-1] and "atlas check --all" in lines[-1]
    assert small_db.read_bytes() == before
    assert main(["atlas", "check", "--all", "--data-dir", str(small_data)]) == 1
    assert len(capsys.readouterr().err.splitlines()) == total + 1


PETAB = Path(__file__).resolve().parents[2] / "examples" / "calibrate"
def _column(table: str, column: str, value: str) -> str:
    lines = (PETAB / table).read_text(encoding="utf-8").splitlines()
    header, row = lines[0].split("\t"), lines[1].split("\t")
    row[header.index(column)] = value
    return "\n".join([lines[0], "\t".join(row), *lines[2:]]) + "\n"


@pytest.mark.parametrize("table, content", [
    pytest.param("measurements.tsv", lambda: _column("measurements.tsv", "time", "abc"),
                 id="non-numeric time"),
    pytest.param("measurements.tsv", lambda: _column("measurements.tsv", "measurement", "abc"),
                 id="non-numeric measurement"),
    pytest.param("parameters.tsv", lambda: _column("parameters.tsv", "estimate", "maybe"),
                 id="estimate=maybe"),
    pytest.param("measurements.tsv", lambda: "", id="empty table"),
    pytest.param("parameters.tsv", lambda: "", id="empty parameter table"),
    pytest.param("measurements.tsv", lambda: b"\x00\x01\x02\xff\xfe", id="binary table"),
    pytest.param("problem.yaml", lambda: b"\x00\x01\x02\xff\xfe", id="binary problem file"),
    pytest.param("problem.yaml", lambda: "format_version: 1\nproblems: [\n",
                 id="malformed problem file"),
    pytest.param("problem.yaml", lambda: "- a\n- b\n", id="problem file that is a list"),
    pytest.param("problem.yaml", lambda: "", id="empty problem file"),
])
def test_calibrate_malformed_petab_input_names_the_file(one_line, tmp_path: Path, table: str,
                                                        content) -> None:
    """Issue 15: every malformed PEtab input was a traceback. One line, naming the file."""
    problem = tmp_path / "problem"
    shutil.copytree(PETAB, problem)
    text = content()
    if isinstance(text, bytes):
        (problem / table).write_bytes(text)
    else:
        (problem / table).write_text(text, encoding="utf-8")
    assert table in one_line("calibrate", problem, "--starts", "1", "--seed", "0")
