"""The ``exobone atlas`` commands: exit codes and messages, good input and bad."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import networkx as nx
import pytest
from ndex2 import cx2

from exobone.atlas.export.gmt import parse_gmt
from exobone.atlas.store import open_store
from exobone.cli import main

GOOD_PFOCR = """---
figid: PMC0000003__cli-g001
figtitle: Wnt and osteopontin
caption: Sclerostin (SOST) inhibits CTNNB1; RUNX2 and SPP1 in osteoblasts.
organisms: NA
organisms_ner: [Homo sapiens]
schema-jsonld:
  keywords: [SOST, CTNNB1, RUNX2, SPP1, NOTAGENE]
---
"""
BROKEN_PFOCR = """---
caption: a record without its figure id
schema-jsonld:
  keywords: 42
---
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["atlas", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(tmp_path, small_data, capsys) -> Path:
    path = tmp_path / "atlas.sqlite"
    code, out, _ = run(capsys, "build", "--db", str(path), "--data-dir", str(small_data))
    assert code == 0, out
    return path


def common(db: Path, small_data: Path) -> list[str]:
    return ["--db", str(db), "--data-dir", str(small_data)]


def test_build_reports_counts(tmp_path, small_data, capsys):
    code, out, err = run(capsys, "build", "--db", str(tmp_path / "x.sqlite"), "--data-dir", str(small_data))
    assert code == 0, err
    assert "6 mechanisms (7 evidence items), 2 experiments, 1 facts, 10 gene sets" in out
    assert (tmp_path / "x.sqlite").exists()


def test_build_honours_exobone_db_env(tmp_path, small_data, capsys, monkeypatch):
    monkeypatch.setenv("EXOBONE_DB", str(tmp_path / "env.sqlite"))
    code, out, _ = run(capsys, "build", "--data-dir", str(small_data))
    assert code == 0 and str(tmp_path / "env.sqlite") in out


def test_search_table(db, small_data, capsys):
    code, out, _ = run(capsys, "search", "--cargo", "miR-214", *common(db, small_data))
    assert code == 0
    assert "MECH:0203" in out and "MECH:1002" in out and "MECH:0200" not in out
    assert "osteoclast → miR-214-3p → osteoblast" in out
    assert "Li et al., Nat Commun 2016" in out and "2 mechanism(s)" in out


def test_search_labels_what_the_source_is(db, small_data, capsys):
    # issue 15: `RAB27A → osteoclast` is a regulator of release, not an exosome source
    code, out, _ = run(capsys, "search", "--source", "RAB27A", *common(db, small_data))
    assert code == 0 and "from is" in out
    row = next(line for line in out.splitlines() if "MECH:0202" in line)
    assert "regulator" in row and "RAB27A → osteoclast" in row and "source cell" not in row
    code, out, _ = run(capsys, "search", "--source", "RAB27A", "--json", *common(db, small_data))
    assert code == 0 and json.loads(out)[0]["source_role"] == "regulator"
    code, out, _ = run(capsys, "search", "--cargo", "miR-214", *common(db, small_data))
    row = next(line for line in out.splitlines() if "MECH:0203" in line)
    assert "source cell" in row


def test_search_json_matches_export_objects(db, small_data, capsys):
    code, out, _ = run(capsys, "search", "--text", "破骨细胞", "--species", "mouse", "--json", *common(db, small_data))
    assert code == 0
    data = json.loads(out)
    assert [d["id"] for d in data] == ["MECH:0203", "MECH:1002"]
    assert data[0]["source"] == {"key": "osteoclast", "name": "osteoclast", "id": "CL:0000092", "type": "cell"}


def test_search_experiments(db, small_data, capsys):
    code, out, _ = run(capsys, "search", "--what", "experiments", "--disease", "osteoporosis",
                       "--measure", "bv_tv", *common(db, small_data))
    assert code == 0 and "EXP:0200" in out and "EXP:1000" not in out and "1 experiment(s)" in out


def test_search_builds_a_missing_store_and_says_so(tmp_path, small_data, capsys):
    path = tmp_path / "new.sqlite"
    code, out, err = run(capsys, "search", "--disease", "OVX", "--db", str(path), "--data-dir", str(small_data))
    assert code == 0 and "MECH:0203" in out
    assert "no atlas database" in err and "built it now" in err and path.exists()


def test_search_rebuilds_a_stale_store(db, small_data, capsys):
    with (small_data / "entities" / "core.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    code, _, err = run(capsys, "search", *common(db, small_data))
    assert code == 0 and "stale" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--species", "humn"], "unknown species 'humn'; did you mean 'human'?"),
        (["--direction", "sideways"], "unknown direction 'sideways'"),
        (["--what", "experiments", "--pathway", "Wnt"], "--pathway filters mechanisms only"),
        (["--measure", "bv_tv"], "--measure filters experiments only"),
        (["--what", "things"], "unknown selection 'things'"),
    ],
)
def test_search_bad_input(db, small_data, capsys, args, message):
    code, out, err = run(capsys, "search", *args, *common(db, small_data))
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err


@pytest.mark.parametrize("fmt", ["json", "csv", "cx2", "graphml", "sif", "gmt"])
def test_export_every_format_to_file(db, small_data, tmp_path, capsys, fmt):
    target = tmp_path / f"out.{fmt}"
    code, out, err = run(capsys, "export", "--format", fmt, "-o", str(target), *common(db, small_data))
    assert code == 0 and out == ""
    assert f"wrote 6 mechanisms as {fmt}" in err
    text = target.read_text(encoding="utf-8")
    if fmt == "json":
        assert len(json.loads(text)) == 6
    elif fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(text)))) == 7
    elif fmt == "cx2":
        assert cx2.RawCX2NetworkFactory().get_cx2network(json.loads(text)).get_nodes()
    elif fmt == "graphml":
        assert nx.read_graphml(target).number_of_nodes() > 0
    elif fmt == "sif":
        assert "osteoclast\tdecreases_osteogenic_differentiation_of\tosteoblast" in text
    else:
        assert "source:osteoclast" in parse_gmt(text)


def test_export_to_stdout_with_filter(db, small_data, capsys):
    code, out, _ = run(capsys, "export", "--format", "json", "--cargo", "Sost", *common(db, small_data))
    assert code == 0 and [d["id"] for d in json.loads(out)] == ["MECH:1003"]
    code, out, _ = run(capsys, "export", "--format", "csv", "--what", "experiments", *common(db, small_data))
    assert code == 0 and out.startswith("experiment_id,") and len(out.splitlines()) == 4


def test_export_unknown_format(db, small_data, capsys):
    code, out, err = run(capsys, "export", "--format", "cx3", *common(db, small_data))
    assert code == 1 and out == ""
    assert "unknown export format 'cx3'; did you mean 'cx2'?" in err


def test_export_network_format_of_experiments_is_refused(db, small_data, capsys):
    code, _, err = run(capsys, "export", "--format", "graphml", "--what", "experiments", *common(db, small_data))
    assert code == 1 and "format 'graphml' exports mechanisms only" in err


def test_malformed_yaml_lists_problems_and_keeps_the_store(db, small_data, capsys):
    before = db.read_bytes()
    (small_data / "entities" / "zz_broken.yaml").write_text("- {key: x, name: [unclosed\n", encoding="utf-8")
    (small_data / "mechanisms" / "zz_bad.yaml").write_text(
        "- id: MECH:9998\n  kind: exosome_transfer\n  source: no_such_cell\n  target: osteoblast\n"
        "  effect: osteogenic_differentiation\n  direction: sideways\n  evidence: []\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "build", *common(db, small_data))
    assert code == 1 and out == ""
    assert "problem(s) in the curated data" in err
    assert "zz_broken.yaml" in err and "not valid YAML" in err
    assert "zz_bad.yaml" in err and "MECH:9998" in err and "direction" in err
    assert db.read_bytes() == before
    # a query command refuses to rebuild from broken data too, and leaves the store alone
    code, _, err = run(capsys, "search", *common(db, small_data))
    assert code == 1 and "zz_broken.yaml" in err and db.read_bytes() == before


def test_ingest_pfocr_adds_figures_and_names_touched_mechanisms(db, small_data, tmp_path, capsys):
    fig = tmp_path / "good.md"
    fig.write_text(GOOD_PFOCR, encoding="utf-8")
    code, out, err = run(capsys, "ingest-pfocr", str(fig), *common(db, small_data))
    assert code == 0, err
    assert "PMC0000003__cli-g001 (good.md): 4 genes, 1 unmatched words; touches" in out
    assert "MECH:0200" in out and "MECH:1003" in out and "added 1 figure(s)" in err
    with open_store(db) as s:
        assert [f.figid for f in s.figures()] == ["PMC0000003__cli-g001"]
    code, out, _ = run(capsys, "export", "--format", "gmt", *common(db, small_data))
    assert parse_gmt(out)["figure:PMC0000003__cli-g001"][1] == ["CTNNB1", "RUNX2", "SOST", "SPP1"]


def test_broken_pfocr_file_leaves_store_unchanged(db, small_data, tmp_path, capsys):
    good, bad = tmp_path / "good.md", tmp_path / "broken.md"
    good.write_text(GOOD_PFOCR, encoding="utf-8")
    bad.write_text(BROKEN_PFOCR, encoding="utf-8")
    before = db.read_bytes()
    code, out, err = run(capsys, "ingest-pfocr", str(good), str(bad), *common(db, small_data))
    assert code == 1 and out == ""
    assert "broken.md" in err and "figid" in err
    assert db.read_bytes() == before
    with open_store(db) as s:
        assert s.figures() == []


def test_enrich_table_and_unmatched(db, small_data, tmp_path, capsys):
    genes = tmp_path / "hits.txt"
    genes.write_text("miR-214-3p\nSost, CTNNB1\nNOTAGENE\n", encoding="utf-8")
    code, out, err = run(capsys, "enrich", str(genes), *common(db, small_data))
    assert code == 0, err
    assert "effect:osteoblast:osteogenic_differentiation:decrease" in out
    assert "unmatched (1): NOTAGENE" in out
    assert "3 of your names in the universe of 9" in out


def test_enrich_counts_one_name_once(db, small_data, tmp_path, capsys):
    # issue 15: one name matching two members (here miR-214 -> miR-214-3p and -5p) counted twice
    genes = tmp_path / "hits.txt"
    genes.write_text("miR-214\n", encoding="utf-8")
    code, out, err = run(capsys, "enrich", str(genes), *common(db, small_data))
    assert code == 0, err
    assert "1 of your names in the universe of 10" in out
    assert "Each name counts once per set, however many of its members it matches" in out
    assert "miR-214-3p, miR-214-5p" not in out


def test_enrich_json(db, small_data, tmp_path, capsys):
    genes = tmp_path / "hits.txt"
    genes.write_text("SOST RUNX2 xyz", encoding="utf-8")
    code, out, _ = run(capsys, "enrich", str(genes), "--json", "--kind", "pathway", *common(db, small_data))
    assert code == 0
    data = json.loads(out)
    assert data["unmatched"] == ["xyz"]
    assert {s["name"] for s in data["sets"]} <= {"pathway:wnt_pathway", "pathway:pi3k_akt_pathway"}
    assert data["sets"][0]["name"] == "pathway:wnt_pathway" and data["sets"][0]["overlap"] == 2


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("# only a comment\n\n", [], "holds no gene or miRNA names"),
        ("SOST", ["--kind", "pathways"], "unknown set kind 'pathways'; did you mean 'pathway'?"),
    ],
)
def test_enrich_bad_input(db, small_data, tmp_path, capsys, content, extra, message):
    genes = tmp_path / "hits.txt"
    genes.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "enrich", str(genes), *extra, *common(db, small_data))
    assert code == 1 and out == "" and message in err


def test_enrich_missing_file_is_a_usage_error(db, small_data, tmp_path, capsys):
    code, _, err = run(capsys, "enrich", str(tmp_path / "nope.txt"), *common(db, small_data))
    assert code == 1 and "cannot read the gene list" in err


def test_check_reports_curation_problems(small_data, capsys):
    (small_data / "mechanisms" / "zz.yaml").write_text("- id: MECH:9999\n  kind: teleportation\n", encoding="utf-8")
    code, _, err = run(capsys, "check", "--data-dir", str(small_data))
    assert code == 1 and "MECH:9999" in err and "kind" in err


# ------------------------------- bad input (issue 15) is in tests/bad_input, one module per kind


def test_export_writes_atomically_with_the_usual_permissions(db, small_data, tmp_path, capsys):
    target = tmp_path / "out.csv"
    code, _, err = run(capsys, "export", "-f", "csv", "-o", str(target), *common(db, small_data))
    assert code == 0, err
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not the 0600 of a temporary file
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_network_draws_the_selection_and_refuses_an_empty_one(db, small_data, tmp_path, capsys):
    png = tmp_path / "net.png"
    code, _, err = run(capsys, "network", "-o", str(png), "--cargo", "miR-214",
                       *common(db, small_data))
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"wrote {png}" in err
    code, _, err = run(capsys, "network", "-o", str(tmp_path / "none.png"), "--cargo",
                       "miR-99999", *common(db, small_data))
    assert code == 1 and err == "error: no mechanism matches these filters: nothing to draw\n"
    assert not (tmp_path / "none.png").exists()
