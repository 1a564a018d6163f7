"""The SQLite store: atomic builds, round trip of the atlas, full-text search, staleness."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from exobone.atlas import store_build
from exobone.atlas.curation import load_atlas
from exobone.atlas.figures import ingest_pfocr
from exobone.atlas.store import (
    SCHEMA_VERSION,
    build_store,
    default_store_path,
    ensure_store,
    match_text_rows,
    open_store,
    require_store,
    store_problem,
    text_rows,
)
from exobone.errors import CurationError, InvalidInputError, StoreError

PFOCR = """---
figid: PMC0000002__store-test-g001
figtitle: Osteoclast exosomes and Wnt signalling
caption: Osteoclast-derived exosomal miR-214-3p; sclerostin (SOST) inhibits CTNNB1.
organisms: NA
organisms_ner: [Homo sapiens]
schema-jsonld:
  keywords: [SOST, CTNNB1, RUNX2]
---
"""


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_build_writes_every_record_and_metadata(small_atlas, tmp_path):
    report = build_store(small_atlas, tmp_path / "a.sqlite")
    assert report.path == tmp_path / "a.sqlite" and report.atlas_version == small_atlas.version
    assert report.counts["mechanisms"] == len(small_atlas.mechanisms) == 6
    assert report.counts["experiments"] == 2 and report.counts["facts"] == 1
    with open_store(report.path) as s:
        meta = s.metadata
        assert meta["atlas_version"] == small_atlas.version
        assert meta["schema_version"] == SCHEMA_VERSION
        assert meta["built_at"] and meta["package_version"]
        # relational tables are there for ad-hoc SQL
        cargo = s.execute("SELECT entity_key FROM mechanism_cargo WHERE mechanism_id = 'MECH:0203'")
        assert [r[0] for r in cargo] == ["miR-214-3p"]
        ctx = {r[0] for r in s.execute("SELECT entity_key FROM mechanism_contexts WHERE mechanism_id='MECH:0203'")}
        assert ctx == {"ovx", "osteoporosis"}
        taxa = {r[0] for r in s.execute("SELECT taxon FROM evidence_species")}
        assert "NCBITaxon:10090" in taxa
        assert s.execute("SELECT mechanism_id FROM mechanism_aliases WHERE alias='MECH:1001'")[0][0] == "MECH:0203"
        assert s.execute("SELECT count(*) FROM outcomes")[0][0] == 3
        ids = {r[0] for r in s.execute("SELECT curie FROM entity_identifiers WHERE entity_key='SPP1'")}
        assert ids == {"HGNC:11255"}


def test_store_reads_back_the_same_atlas(small_atlas, small_store):
    back = small_store.atlas()
    assert back.mechanisms == small_atlas.mechanisms
    assert back.experiments == small_atlas.experiments
    assert back.entities == small_atlas.entities
    assert back.facts == small_atlas.facts
    assert back.alias_of == small_atlas.alias_of
    assert back.version == small_atlas.version
    assert set(back.seeds) == set(small_atlas.seeds)


def test_shipped_atlas_builds_and_reads_back(atlas, tmp_path):
    report = build_store(atlas, tmp_path / "a.sqlite")
    assert report.counts["mechanisms"] == len(atlas.mechanisms)
    with open_store(report.path) as s:
        assert s.atlas().mechanisms == atlas.mechanisms


def test_failed_build_leaves_previous_database_intact(small_atlas, tmp_path, monkeypatch):
    path = tmp_path / "a.sqlite"
    build_store(small_atlas, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error (simulated)")

    monkeypatch.setattr(store_build, "_insert_text", boom)
    with pytest.raises(StoreError, match="simulated"):
        build_store(small_atlas, path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []
    with open_store(path) as s:
        assert s.version == small_atlas.version


def test_failure_outside_sqlite_also_leaves_database_intact(small_atlas, tmp_path, monkeypatch):
    path = tmp_path / "a.sqlite"
    build_store(small_atlas, path)
    before = path.read_bytes()
    monkeypatch.setattr(store_build, "atlas_gene_sets", lambda atlas: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        build_store(small_atlas, path)
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_curation_error_leaves_previous_database_intact(small_data, tmp_path):
    path = tmp_path / "a.sqlite"
    build_store(path=path, data_dir=small_data)
    before = path.read_bytes()
    (small_data / "mechanisms" / "zz_broken.yaml").write_text("- {id: MECH:0999, kind: [\n", encoding="utf-8")
    with pytest.raises(CurationError, match="zz_broken.yaml"):
        build_store(path=path, data_dir=small_data)
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_fts_finds_chinese_by_substring(small_store):
    assert "MECH:0203" in small_store.match_text("破骨细胞", "mechanism")  # quote and synonym
    assert small_store.match_text("骨细胞外泌体抑制", "mechanism") == {"MECH:1003"}  # inside a quote
    assert "MECH:0203" in small_store.match_text("骨生", "mechanism")  # two characters: LIKE
    assert "EXP:1000" in small_store.match_text("去卵巢小鼠", "experiment")


def test_fts_is_case_insensitive_and_ands_terms(small_store):
    assert small_store.match_text("OSTEOCLAST-DERIVED", "mechanism") == {"MECH:0203"}
    assert small_store.match_text('"PI3K/Akt signaling" hiPSC', "mechanism") == {"MECH:0201"}
    assert small_store.match_text("osteoclast angiogenesis", "mechanism") == set()
    assert "MECH:0200" in small_store.match_text("10.3760/cma.j.cn121113-20210227-00207")
    with pytest.raises(InvalidInputError, match="empty text query"):
        small_store.match_text("   ")


@pytest.mark.parametrize(
    "query", ["破骨细胞", "骨生", "osteoclast", "OB", "Wnt", "Li Nat Commun 2016", "bone formation", "%", "_"]
)
def test_in_memory_text_search_agrees_with_fts(small_atlas, small_store, query):
    assert small_store.match_text(query) == match_text_rows(text_rows(small_atlas), query)


def test_missing_store_says_how_to_build(tmp_path):
    with pytest.raises(StoreError, match="run `exobone atlas build`"):
        open_store(tmp_path / "nothing.sqlite")
    with pytest.raises(StoreError, match="no atlas database"):
        require_store(tmp_path / "nothing.sqlite")


@pytest.mark.parametrize("kind", ["text", "other-sqlite", "folder"])
def test_a_file_that_is_not_a_store_is_never_overwritten(kind, small_data, tmp_path):
    bad = tmp_path / "notes.txt"
    if kind == "text":
        bad.write_text("my notes\n", encoding="utf-8")
    elif kind == "other-sqlite":
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    else:
        bad.mkdir()
    before = sorted(tmp_path.iterdir())
    snapshot = bad.read_bytes() if bad.is_file() else None
    for attempt in (
        lambda: build_store(path=bad, data_dir=small_data),
        lambda: ensure_store(bad, data_dir=small_data),
        lambda: require_store(bad, data_dir=small_data),
        lambda: store_problem(bad, data_dir=small_data),
    ):
        with pytest.raises(StoreError, match="is not an exobone atlas database; refusing|is not an exobone atlas database .*refusing to overwrite"):
            attempt()
    assert (bad.read_bytes() if bad.is_file() else None) == snapshot
    assert sorted(tmp_path.iterdir()) == before  # no temporary file left either


def test_an_empty_file_holds_nothing_and_is_built_over(small_data, tmp_path):
    empty = tmp_path / "new.sqlite"
    empty.touch()
    store, rebuilt = ensure_store(empty, data_dir=small_data)
    with store:
        assert rebuilt is not None and store.counts()["mechanisms"] == 6


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "malformed":  # two pages of garbage in the middle of the file
        data = data[:8192] + b"\xff" * 8192 + data[16384:]
    else:  # a copy cut short
        data = data[: len(data) // 2]
    path.write_bytes(data)


@pytest.mark.parametrize("how", ["malformed", "truncated"])
def test_a_damaged_store_says_so_and_how_to_rebuild(how, small_data, tmp_path):
    path = tmp_path / "a.sqlite"
    build_store(path=path, data_dir=small_data)
    _damage(path, how)
    for attempt in (
        lambda: ensure_store(path, data_dir=small_data),
        lambda: require_store(path, data_dir=small_data),
    ):
        with pytest.raises(StoreError) as info:
            attempt()
        message = str(info.value)
        assert "\n" not in message and "damaged" in message
        assert f"exobone atlas build --db {path}" in message
    # the command it names repairs it
    build_store(path=path, data_dir=small_data)
    assert store_problem(path, data_dir=small_data) is None


def test_damage_found_only_while_reading_is_one_store_error(small_store, tmp_path):
    # a store that passed its checks and is damaged under an open handle
    path = small_store.path
    small_store.close()
    store = open_store(path)
    _damage(path, "malformed")
    with store, pytest.raises(StoreError, match="damaged .*exobone atlas build --db"):
        store.atlas()


def test_stale_store_is_detected_and_rebuilt(small_data, tmp_path):
    path = tmp_path / "a.sqlite"
    build_store(path=path, data_dir=small_data)
    assert store_problem(path, data_dir=small_data) is None
    require_store(path, data_dir=small_data).close()
    with (small_data / "entities" / "core.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# a curator edit\n")
    with pytest.raises(StoreError, match="stale.*run `exobone atlas build`"):
        require_store(path, data_dir=small_data)
    store, why = ensure_store(path, data_dir=small_data)
    with store:
        assert why is not None and "stale" in why
        assert store.version == load_atlas(small_data).version
    store, why = ensure_store(path, data_dir=small_data)
    store.close()
    assert why is None


def test_default_path_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("EXOBONE_HOME", str(tmp_path / "h"))
    assert default_store_path() == tmp_path / "h" / "atlas.sqlite"
    monkeypatch.setenv("EXOBONE_DB", str(tmp_path / "x.db"))
    assert default_store_path() == tmp_path / "x.db"
    monkeypatch.delenv("EXOBONE_DB")
    monkeypatch.delenv("EXOBONE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "exobone" / "atlas.sqlite"


def test_build_without_path_uses_default_location(small_atlas, tmp_path):
    report = build_store(small_atlas)
    assert report.path == tmp_path / "home" / "atlas.sqlite" and report.path.exists()


def test_ingested_figures_become_gene_sets_and_survive_rebuild(small_atlas, small_store, tmp_path):
    fig = tmp_path / "fig.md"
    fig.write_text(PFOCR, encoding="utf-8")
    added = ingest_pfocr([fig], small_store)
    assert [f.figid for f in added] == ["PMC0000002__store-test-g001"]
    assert set(added[0].genes) == {"SOST", "CTNNB1", "RUNX2"}
    assert {"MECH:1003", "MECH:0200"} <= set(added[0].mechanisms)
    sets = {s.name: s for s in small_store.gene_sets(["figure"])}
    assert set(sets["figure:PMC0000002__store-test-g001"].members) == {"CTNNB1", "RUNX2", "SOST"}
    assert small_store.match_text("sclerostin (SOST)", "figure") == {"PMC0000002__store-test-g001"}

    report = build_store(small_atlas, small_store.path)
    assert report.figures_kept == 1
    with open_store(small_store.path) as s:
        assert [f.figid for f in s.figures()] == ["PMC0000002__store-test-g001"]
        assert "figure:PMC0000002__store-test-g001" in {g.name for g in s.gene_sets()}
        assert s.match_text("Wnt signalling", "figure") == {"PMC0000002__store-test-g001"}


def test_unwritable_destination_is_a_store_error(small_atlas, tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    target = tmp_path / "a-file" / "a.sqlite"  # a folder that is a file cannot hold it
    with pytest.raises(StoreError, match="cannot write the atlas database"):
        build_store(small_atlas, target)
    assert _leftovers(tmp_path) == []


def test_a_file_that_appears_during_the_build_is_not_overwritten(small_atlas, tmp_path, monkeypatch):
    path = tmp_path / "a.sqlite"
    real = store_build._insert_text

    def user_saves_notes_meanwhile(conn, rows):
        path.write_text("notes saved while the build ran\n", encoding="utf-8")
        real(conn, rows)

    monkeypatch.setattr(store_build, "_insert_text", user_saves_notes_meanwhile)
    with pytest.raises(StoreError, match="refusing to overwrite"):
        build_store(small_atlas, path)
    assert path.read_text(encoding="utf-8") == "notes saved while the build ran\n"
    assert _leftovers(tmp_path) == []
