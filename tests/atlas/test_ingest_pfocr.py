"""Pathway Figure OCR ingestion: both record layouts, gene flags, errors, links to mechanisms."""

from __future__ import annotations

from pathlib import Path

import pytest

from exobone.atlas.curation import Atlas
from exobone.atlas.ingest import FORMATS, parse_file, register_format, require_format
from exobone.atlas.ingest.pfocr import (
    FigureRecord,
    GeneFlag,
    SymbolSetNormalizer,
    gene_sets,
    link_figure,
    mechanism_genes,
    parse_pfocr,
    parse_pfocr_many,
    parse_pfocr_text,
    shared_genes,
)
from exobone.atlas.records import Entity, Mechanism
from exobone.errors import DuplicateRegistrationError, IngestError, UnknownNameError

DATA = Path(__file__).resolve().parents[1] / "data"
SEED_000 = "000_048b432b364aa363.txt"
SEED_003 = "003_085a0bfc229946a2.txt"

# Accepts any word already written as an HGNC-style symbol: deterministic, no vocabulary needed.
HUMAN_STYLE = SymbolSetNormalizer(None)
NEW_LAYOUT_KNOWN = SymbolSetNormalizer(
    frozenset(
        {
            "PIK3CA",
            "PIK3CB",
            "PIK3CD",
            "PIK3R1",
            "AKT1",
            "WNT1",
            "WNT2",
            "WNT3A",
            "CTNNB1",
            "MIR214",
            "TNFSF11",
        }
    )
)


def by_word(record: FigureRecord, word: str):
    matches = [g for g in record.genes if g.word == word]
    assert len(matches) == 1, f"{word!r} listed {len(matches)} times"
    return matches[0]


def record(genes: list[str], caption: str = "A figure", extra: str = "") -> str:
    listed = "\n".join(f"  - {g}" for g in genes)
    return f"---\nfigid: PMC1__F1\ncaption: {caption}\n{extra}schema-jsonld:\n  keywords:\n{listed}\n---\n"


# ------------------------------------------------------------------ the seeds' layout


@pytest.fixture(scope="module")
def seed000(seed_dir: Path) -> FigureRecord:
    return parse_pfocr(seed_dir / SEED_000, normalizer=HUMAN_STYLE)


@pytest.fixture(scope="module")
def seed003(seed_dir: Path) -> FigureRecord:
    return parse_pfocr(seed_dir / SEED_003, normalizer=HUMAN_STYLE)


def test_seed000_metadata_and_organisms_fall_back_to_ner(seed000):
    assert seed000.figid == "PMC9483046__OS-14-1951-g001"
    assert seed000.pmcid == "PMC9483046"
    assert seed000.doi == "10.1111/os.13393"
    assert seed000.year == 2022
    assert seed000.journal == "Orthop Surg"
    assert seed000.paper_title.startswith("Research Progress on Exosomes in Osteonecrosis")
    assert seed000.caption.startswith("The exosomes from different tissues")
    # organisms is [NA]: the record's NER organisms are used and the fallback is recorded
    assert seed000.organisms == ("Drosophila melanogaster", "Homo sapiens")
    assert seed000.organisms_source == "organisms_ner"
    assert seed000.author_keywords == (
        "Bone repair mechanism",
        "Exosomes",
        "Mesenchymal stem cells",
        "Osteonecrosis of the femoral head",
    )
    assert seed000.source_name == SEED_000


def test_seed000_genes_in_order_with_flags(seed000):
    assert len(seed000.genes) == 58
    assert seed000.genes[0].word == "Akt" and seed000.genes[-1].word == "WNT5B"
    assert {"RUNX2", "ITGA2B", "CD34", "MIR26A1", "WNT3A", "PIK3CA"} <= seed000.gene_set()
    # Drosophila names are kept with their word, flagged, and never enter the gene set
    for fly in ("wg", "Pi3K92E", "scb", "Wnt5"):
        g = by_word(seed000, fly)
        assert g.symbol is None
        assert {GeneFlag.NON_HUMAN_SYMBOL, GeneFlag.UNKNOWN_SYMBOL} <= g.flags
    assert "wg" in seed000.unknown_words()


def test_seed000_family_expansions(seed000):
    wnts = [g for g in seed000.genes if g.symbol and g.symbol.startswith("WNT")]
    assert len(wnts) == 19
    assert all(g.has(GeneFlag.FAMILY_EXPANSION) and g.family == "WNT" for g in wnts)
    pik3 = [g for g in seed000.genes if g.symbol and g.symbol.startswith("PIK3")]
    assert len(pik3) == 10 and all(g.has(GeneFlag.FAMILY_EXPANSION) for g in pik3)
    assert {g.family for g in seed000.genes if g.word in ("AKT1", "AKT2", "AKT3")} == {"AKT"}
    # named in the caption ("Runx2", "CD34"), so not an expansion
    for named in ("RUNX2", "CD34", "MIR26A1"):
        g = by_word(seed000, named)
        assert g.has(GeneFlag.IN_CAPTION) and not g.has(GeneFlag.FAMILY_EXPANSION)
    assert not by_word(seed000, "ITGA2B").flags  # the caption says CD41, an alias
    assert seed000.gene_set(include_expanded=False) >= {"RUNX2", "CD34", "ITGA2B"}
    assert not any(s.startswith("WNT") for s in seed000.gene_set(include_expanded=False))


def test_seed003_organisms_list_and_non_human_spellings(seed003):
    assert seed003.organisms == ("Homo sapiens", "Mus musculus", "Sanguinaria canadensis")
    assert seed003.organisms_source == "organisms"
    assert len(seed003.author_keywords) == 8
    assert by_word(seed003, "FGF2").has(GeneFlag.IN_CAPTION)
    assert not by_word(seed003, "FGF2").has(GeneFlag.FAMILY_EXPANSION)
    assert by_word(seed003, "FGF1").family == "FGF"
    assert by_word(seed003, "VEGFB").family == "VEGF"
    assert not by_word(seed003, "VEGFA").has(GeneFlag.FAMILY_EXPANSION)  # caption: VEGF-A
    assert by_word(seed003, "MIR210").has(GeneFlag.IN_CAPTION)  # caption: miR-210
    assert not by_word(seed003, "MIR141").has(GeneFlag.IN_CAPTION)
    fish = by_word(seed003, "vegfaa")
    assert fish.symbol is None and GeneFlag.NON_HUMAN_SYMBOL in fish.flags


# ------------------------------------------------------------------ the other layout


@pytest.fixture(scope="module")
def new_layout() -> FigureRecord:
    return parse_pfocr(DATA / "pfocr_new_layout.md", normalizer=NEW_LAYOUT_KNOWN)


def test_other_layout_metadata(new_layout):
    assert new_layout.figid == "PMC0000001__synthetic-g001"
    assert new_layout.pmcid == "PMC0000001"  # derived from the figid: no pmcid field
    assert new_layout.year == 2020
    assert new_layout.journal == "Test J"  # from reftext: no journal fields
    assert new_layout.doi is None
    assert new_layout.organisms == ("Homo sapiens", "Mus musculus")
    assert new_layout.organisms_source == "organisms_ner"  # organisms is the string NA
    assert new_layout.author_keywords == ("Exosome", "Bone remodeling")  # list; NA dropped


def test_other_layout_genes_block(new_layout):
    # the genes block says PI3K members came from the family word "PI3K"
    for sym in ("PIK3CA", "PIK3CB", "PIK3CD", "PIK3R1"):
        g = by_word(new_layout, sym)
        assert g.family == "PI3K" and g.has(GeneFlag.FAMILY_EXPANSION)
        assert g.ocr_words == ("PI3K",)
    assert by_word(new_layout, "AKT1").ocr_words == ("Akt1",)
    assert by_word(new_layout, "CTNNB1").ocr_words == ("β-catenin",)
    assert by_word(new_layout, "AKT1").has(GeneFlag.IN_CAPTION)


def test_other_layout_odd_entries(new_layout):
    mouse = by_word(new_layout, "Tnfsf11")
    assert mouse.symbol == "TNFSF11" and mouse.has(GeneFlag.NON_HUMAN_SYMBOL)
    no = by_word(new_layout, "NO")  # not read as the boolean False
    assert no.symbol is None and no.has(GeneFlag.UNKNOWN_SYMBOL)
    chem = by_word(new_layout, "bombesin")
    assert chem.has(GeneFlag.CHEMICAL) and chem.has(GeneFlag.UNKNOWN_SYMBOL)
    assert new_layout.gene_set() == {
        "PIK3CA",
        "PIK3CB",
        "PIK3CD",
        "PIK3R1",
        "AKT1",
        "WNT1",
        "WNT2",
        "WNT3A",
        "CTNNB1",
        "MIR214",
        "TNFSF11",
    }
    assert "TNFSF11" not in new_layout.gene_set(include_non_human=False)


def test_record_round_trips_to_json_ready_data(new_layout):
    import json

    data = json.loads(json.dumps(new_layout.to_dict()))
    assert data["figid"] == new_layout.figid
    assert data["genes"][0] == {
        "word": "PIK3CA",
        "symbol": "PIK3CA",
        "flags": ["family_expansion"],
        "family": "PI3K",
        "ocr_words": ["PI3K"],
    }


# ------------------------------------------------------------------ flags on small records


def test_family_run_members_named_in_caption_are_not_expansions():
    rec = parse_pfocr_text(
        record(
            ["WNT1", "WNT3A", "WNT5A", "JAK2", "JAK2B", "MAPK1", "MAPK11", "MAPK12"],
            caption="Wnt3a activates beta-catenin",
        ),
        normalizer=HUMAN_STYLE,
    )
    assert by_word(rec, "WNT1").family == "WNT"
    assert not by_word(rec, "WNT3A").has(GeneFlag.FAMILY_EXPANSION)
    assert by_word(rec, "JAK2").family is None  # two members are not a run
    assert {by_word(rec, w).family for w in ("MAPK1", "MAPK11", "MAPK12")} == {"MAPK"}


def test_unknown_symbols_keep_their_original_word():
    norm = SymbolSetNormalizer(frozenset({"RUNX2"}))
    rec = parse_pfocr_text(record(["Runx2", "osteobinin", "Xyz-1"]), normalizer=norm)
    assert [(g.word, g.symbol) for g in rec.genes] == [
        ("Runx2", "RUNX2"),
        ("osteobinin", None),
        ("Xyz-1", None),
    ]
    assert rec.unknown_words() == ("osteobinin", "Xyz-1")
    assert by_word(rec, "osteobinin").has(GeneFlag.UNKNOWN_SYMBOL)


def test_fly_words_are_not_mapped_through_mouse_synonyms():
    # a normaliser that, like the vocabulary, knows mouse symbols and synonyms
    table = {"Scr": "FBXL20", "Akt": "AKT1", "Wnt4": "WNT4", "Sost": "SOST", "stat3": "STAT3"}
    words = list(table)
    fly = parse_pfocr_text(
        record(words, extra="organisms: [Drosophila melanogaster, Homo sapiens]\n"),
        normalizer=table.get,
    )
    assert [g.symbol for g in fly.genes] == [None, None, "WNT4", "SOST", "STAT3"]
    assert by_word(fly, "Scr").flags >= {GeneFlag.NON_HUMAN_SYMBOL, GeneFlag.UNKNOWN_SYMBOL}
    mouse = parse_pfocr_text(
        record(words, extra="organisms: [Mus musculus]\n"), normalizer=table.get
    )
    assert [g.symbol for g in mouse.genes] == ["FBXL20", "AKT1", "WNT4", "SOST", "STAT3"]


def test_organisms_as_plain_string_and_missing():
    rec = parse_pfocr_text(
        record(["TP53"], extra="organisms: Homo sapiens\n"), normalizer=HUMAN_STYLE
    )
    assert rec.organisms == ("Homo sapiens",) and rec.organisms_source == "organisms"
    rec = parse_pfocr_text(record(["TP53"], extra="organisms: [NA]\n"), normalizer=HUMAN_STYLE)
    assert rec.organisms == () and rec.organisms_source == "none"


# ------------------------------------------------------------------ malformed records


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("figid: PMC1__F1\nschema-jsonld:\n  keywords: [TP53]\n", "front matter"),
        ("---\nfigid: PMC1__F1\nschema-jsonld:\n  keywords: [TP53]\n", "front matter"),
        ("---\nfigid: [unclosed\n---\n", "front matter"),
        ("---\n- a list\n---\n", "front matter"),
        ("---\nfigid: PMC1__F1\nschema-jsonld:\n  keywords: 5\n---\n", "schema-jsonld.keywords"),
        ("---\nfigid: PMC1__F1\nschema-jsonld:\n  keywords: TP53\n---\n", "schema-jsonld.keywords"),
        (
            "---\nfigid: PMC1__F1\nschema-jsonld:\n  keywords:\n  - {a: 1}\n---\n",
            "schema-jsonld.keywords[0]",
        ),
        ("---\nfigid: PMC1__F1\nschema-jsonld:\n  name: x\n---\n", "schema-jsonld.keywords"),
        ("---\nfigid: PMC1__F1\n---\n", "schema-jsonld"),
        ("---\ncaption: no id\nschema-jsonld:\n  keywords: [TP53]\n---\n", "figid"),
        ("---\nfigid: ''\nschema-jsonld:\n  keywords: [TP53]\n---\n", "figid"),
        ("---\nfigid: PMC1__F1\nyear: soon\nschema-jsonld:\n  keywords: [TP53]\n---\n", "year"),
        (
            "---\nfigid: PMC1__F1\nkeywords: {a: 1}\nschema-jsonld:\n  keywords: [TP53]\n---\n",
            "keywords",
        ),
    ],
)
def test_broken_records_name_file_and_field(tmp_path, text, field):
    path = tmp_path / "broken.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IngestError) as err:
        parse_pfocr(path, normalizer=HUMAN_STYLE)
    message = str(err.value)
    assert message.startswith("broken.md: ")
    assert f"'{field}'" in message


def test_keywords_not_a_list_message(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text("---\nfigid: PMC1__F1\nschema-jsonld:\n  keywords: 5\n---\n", encoding="utf-8")
    with pytest.raises(
        IngestError,
        match=r"^broken\.md: field 'schema-jsonld\.keywords' must be a "
        r"list of gene symbols, got int$",
    ):
        parse_pfocr(path, normalizer=HUMAN_STYLE)


def test_parsing_writes_nothing(tmp_path):
    path = tmp_path / "rec.md"
    path.write_text(record(["TP53"]), encoding="utf-8")
    before = sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir())
    parse_pfocr(path, normalizer=HUMAN_STYLE)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir()) == before


def test_parse_many_reports_every_broken_file(tmp_path):
    good = tmp_path / "good.md"
    good.write_text(record(["TP53"]), encoding="utf-8")
    (tmp_path / "bad1.md").write_text("no front matter", encoding="utf-8")
    (tmp_path / "bad2.md").write_text("---\nfigid: x\n---\n", encoding="utf-8")
    assert [r.figid for r in parse_pfocr_many([good], normalizer=HUMAN_STYLE)] == ["PMC1__F1"]
    with pytest.raises(IngestError) as err:
        parse_pfocr_many(sorted(tmp_path.iterdir()), normalizer=HUMAN_STYLE)
    assert "bad1.md" in str(err.value) and "bad2.md" in str(err.value)
    assert "good.md" not in str(err.value)


# ------------------------------------------------------------------ registry


def test_registry_dispatches_to_pfocr():
    assert "pfocr" in FORMATS
    rec = parse_file(DATA / "pfocr_new_layout.md", fmt="pfocr", normalizer=NEW_LAYOUT_KNOWN)
    assert isinstance(rec, FigureRecord)


def test_registry_errors():
    with pytest.raises(UnknownNameError, match="did you mean 'pfocr'"):
        require_format("pfocrr")
    with pytest.raises(DuplicateRegistrationError, match="already registered"):
        register_format("pfocr", summary="again", suffixes=(".md",))(parse_pfocr)
    assert FORMATS["pfocr"].parse is parse_pfocr


# ------------------------------------------------------------------ gene sets and links


def _small_atlas() -> Atlas:
    def ent(key: str, type_: str, id_: str | None, synonyms: tuple[str, ...] = ()) -> Entity:
        return Entity(
            key=key,
            name=key,
            type=type_,
            id=id_,
            synonyms=synonyms,
            unmapped_reason=None if id_ else "test",
        )

    entities = [
        ent("msc", "cell", "CL:0000134"),
        ent("osteoblast", "cell", "CL:0000062"),
        ent("osteogenic_differentiation", "process", "GO:0001649"),
        ent("RUNX2", "gene", "HGNC:10472"),
        ent("CTNNB1", "gene", "HGNC:2514", ("β-catenin",)),
        ent("miR-26a", "mirna", "mirbase:MI0000083"),
        ent("PI3K", "family", "FPLX:PI3K"),
        ent("pi3k_akt_pathway", "pathway", "GO:0043491", ("PI3K/Akt",)),
        ent("jak_stat_pathway", "pathway", "GO:0007259", ("JAK2/STAT3",)),
        ent("wnt_pathway", "pathway", "GO:0060070", ("Wnt/β-catenin",)),
    ]
    ev = {
        "citation": {"first_author": "Test"},
        "read_in": "x.txt",
        "quote": "q",
        "quote_en": "q",
        "setting": "review",
    }

    def mech(num: int, **kw) -> Mechanism:
        base = {
            "id": f"MECH:{num:04d}",
            "kind": "exosome_transfer",
            "source": "msc",
            "target": "osteoblast",
            "effect": "osteogenic_differentiation",
            "direction": "increase",
            "evidence": [ev],
        }
        return Mechanism.model_validate(base | kw)

    mechanisms = [
        mech(1, molecular_targets=[{"entity": "RUNX2", "direction": "increase"}]),
        mech(2, cargo=["miR-26a"]),
        mech(3, pathways=["jak_stat_pathway"]),
        mech(4, pathways=["pi3k_akt_pathway"]),
        mech(5, evidence=[ev | {"readouts": [{"entity": "CTNNB1", "direction": "increase"}]}]),
        mech(6, pathways=["wnt_pathway"]),
        mech(7),
    ]
    return Atlas(
        entities={e.key: e for e in entities},
        measures={},
        mechanisms={m.id: m for m in mechanisms},
        experiments={},
        facts={},
        seeds={},
    )


def test_link_figure_by_shared_genes():
    atlas = _small_atlas()
    fig = parse_pfocr_text(
        record(["RUNX2", "MIR26A1", "STAT3", "PIK3CA", "TP53"]), normalizer=HUMAN_STYLE
    )
    # RUNX2 target, miR-26a cargo (locus MIR26A1), JAK2/STAT3 pathway member
    no_members = link_figure(fig, atlas, normalizer=HUMAN_STYLE, family_members=lambda k: [])
    assert no_members == ["MECH:0001", "MECH:0002", "MECH:0003"]
    # families name genes only through a member table (the vocabulary's, or one given)
    members = {"PI3K": ["PIK3CA", "PIK3CB"]}
    linked = shared_genes(fig, atlas, family_members=lambda k: members.get(k, []))
    assert linked == {
        "MECH:0001": {"RUNX2"},
        "MECH:0002": {"MIR26A1"},
        "MECH:0003": {"STAT3"},
        "MECH:0004": {"PIK3CA"},
    }


def test_link_figure_uses_vocabulary_family_members_by_default():
    fig = parse_pfocr_text(record(["PIK3CA", "TP53"]), normalizer=HUMAN_STYLE)
    assert link_figure(fig, _small_atlas()) == ["MECH:0004"]  # PI3K/Akt names the PI3K family


def test_mechanism_genes_reads_readouts_and_pathway_synonyms():
    atlas = _small_atlas()
    assert mechanism_genes(atlas.mechanisms["MECH:0005"], atlas, family_members=lambda k: []) == {
        "CTNNB1"
    }
    # Wnt/β-catenin names β-catenin (CTNNB1); Wnt is a family with no members given
    assert mechanism_genes(atlas.mechanisms["MECH:0006"], atlas, family_members=lambda k: []) == {
        "CTNNB1"
    }
    assert mechanism_genes(atlas.mechanisms["MECH:0007"], atlas) == frozenset()  # no molecules


def test_gene_sets_by_figid(new_layout):
    other = parse_pfocr_text(record(["TP53", "wg"]), normalizer=HUMAN_STYLE)
    sets = gene_sets([new_layout, other])
    assert sets["PMC1__F1"] == {"TP53"}
    assert "CTNNB1" in sets[new_layout.figid]


def test_seed000_links_to_its_own_mechanisms(seed000, atlas):
    linked = link_figure(seed000, atlas, family_members=lambda k: [])
    # miR-26a cargo (MIR26A1) and the CD41/integrin β3-FAK-PI3K/Akt-Runx2 targets
    assert {"MECH:0006", "MECH:0007", "MECH:0008"} <= set(linked)


def test_vocabulary_normaliser_maps_orthologs_when_present():
    rec = parse_pfocr_text(record(["Vegfa", "VEGFA", "wg"], extra="organisms: Mus musculus\n"))
    assert by_word(rec, "Vegfa").symbol == "VEGFA"
    assert by_word(rec, "Vegfa").has(GeneFlag.NON_HUMAN_SYMBOL)
    assert by_word(rec, "wg").symbol is None


def test_seed000_fly_names_stay_unmapped_with_the_vocabulary(seed_dir):
    rec = parse_pfocr(seed_dir / SEED_000)  # default normaliser: the vocabulary
    assert by_word(rec, "Scr").symbol is None  # fly Sex combs reduced, not mouse Scr (FBXL20)
    assert by_word(rec, "ITGA2B").symbol == "ITGA2B"
    assert "FBXL20" not in rec.gene_set()
