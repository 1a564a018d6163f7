"""Vocabularies: known answers for ids, genes and miRNAs, the curated ids, and table provenance."""

from __future__ import annotations

import gzip
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from exobone.atlas import vocab
from exobone.atlas.curation import load_atlas
from exobone.atlas.records import Entity
from exobone.errors import CurationError, InvalidInputError, UnknownIdentifierError

VOCAB_DATA = Path(str(resources.files("exobone.atlas") / "vocab_data"))


def _curated_entities_with_ids() -> list[Entity]:
    try:
        atlas = load_atlas()
    except CurationError:  # reported by test_curation; nothing to parametrise over here
        return []
    return [e for e in atlas.entities.values() if e.id is not None]


# --------------------------------------------------------------------------- identifiers


def test_lookup_returns_label_namespace_and_source():
    term = vocab.lookup("CL:0000092")
    assert term is not None
    assert (term.label, term.namespace, term.deprecated) == ("osteoclast", "CL", False)
    assert "v2026-03-26" in term.source and "cellxgene" in term.source


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("cl:0000092", "CL:0000092"),
        ("CL_0000092", "CL:0000092"),
        ("CVCL_0409", "cellosaurus:CVCL_0409"),
        ("cellosaurus:0409", "cellosaurus:CVCL_0409"),
        ("MI0000290", "mirbase:MI0000290"),
        ("taxonomy:10090", "NCBITaxon:10090"),
        ("famplex:PI3K", "FPLX:PI3K"),
        ("XYZ:1", None),
    ],
)
def test_normalize_curie(written, expected):
    assert vocab.normalize_curie(written) == expected


@pytest.mark.parametrize(
    ("curie", "label"),
    [
        ("HGNC:10472", "RUNX2"),
        ("GO:0001649", "osteoblast differentiation"),
        ("DOID:11476", "osteoporosis"),
        ("cellosaurus:CVCL_0409", "MC3T3-E1"),
        ("FPLX:PI3K", "PI3K"),
        ("CHEBI:24261", "glucocorticoid"),
        ("mirbase:MI0000290", "hsa-mir-214"),
        ("NCBITaxon:10090", "Mus musculus"),
        ("UBERON:0002481", "bone tissue"),
        ("MGI:99829", "Runx2"),
        ("RGD:2282", "Runx2"),
    ],
)
def test_every_namespace_answers(curie, label):
    assert vocab.require(curie).label == label


def test_deprecated_cell_ontology_id_is_reported_with_its_replacement():
    term = vocab.require("CL:0000375")  # obsolete osteoprogenitor cell
    assert term.deprecated
    assert term.replaced_by == ("CL:0007010",)
    assert vocab.require(term.replaced_by[0]).label == "preosteoblast"


def test_go_alternative_id_points_to_its_primary_term():
    term = vocab.require("GO:0019952")  # an alt_id of GO:0000003 reproduction
    assert term.deprecated and term.replaced_by == ("GO:0000003",)


def test_withdrawn_hgnc_symbol_names_its_successor():
    term = vocab.require("HGNC:6")  # A1S9T, withdrawn in favour of HGNC:12469
    assert term.deprecated and term.replaced_by == ("HGNC:12469",)


def test_unknown_id_raises_with_a_suggestion():
    assert vocab.lookup("CL:9999999") is None
    with pytest.raises(UnknownIdentifierError, match=r"'CL:0001092' is not in the CL table"):
        vocab.require("CL:0001092")
    with pytest.raises(UnknownIdentifierError, match=r"did you mean .*'CL:0000092' \(osteoclast\)"):
        vocab.require("cl:0001092")
    with pytest.raises(UnknownIdentifierError, match="no known namespace"):
        vocab.require("CLL:0000092")
    with pytest.raises(KeyError):  # UnknownIdentifierError is also a KeyError
        vocab.require("DOID:999999999")


def test_find_term_exact_then_synonym_then_case_then_punctuation():
    assert [t.curie for t in vocab.find_term("osteoclast", "CL")] == ["CL:0000092"]
    assert [t.curie for t in vocab.find_term("Osteoclast", "cl")] == ["CL:0000092"]
    assert [t.curie for t in vocab.find_term("osteoblast cell differentiation", "GO")] == ["GO:0001649"]
    assert [t.curie for t in vocab.find_term("RAW264.7", "cellosaurus")] == ["cellosaurus:CVCL_0493"]
    exo = vocab.find_term("extracellular exosome", "GO", subset="cellular_component")
    assert [t.curie for t in exo] == ["GO:0070062"]
    assert vocab.find_term("extracellular exosome", "GO", subset="biological_process") == []
    assert vocab.find_term("no such cell type at all", "CL") == []
    with pytest.raises(UnknownIdentifierError, match="unknown namespace"):
        vocab.find_term("osteoclast", "CellOntology")


def test_find_term_never_returns_deprecated_terms():
    assert all(not t.deprecated for t in vocab.find_term("obsolete osteoprogenitor cell", "CL"))


def test_family_members_follow_subfamilies():
    assert vocab.family_members("AKT") == ["AKT1", "AKT2", "AKT3"]
    pi3k = vocab.family_members("FPLX:PI3K")  # PI3K -> PI3K_p110 + PIK3R_I
    assert {"PIK3CA", "PIK3CB", "PIK3R1"} <= set(pi3k)
    assert "WNT3A" in vocab.family_members("WNT")
    assert vocab.family_members("not a family") == []


# --------------------------------------------------------------------------- genes


def test_runx2_through_its_old_name_cbfa1():
    ref = vocab.require_gene("Cbfa1")
    assert (ref.hgnc_id, ref.symbol) == ("HGNC:10472", "RUNX2")
    assert ref.matched_by in ("alias", "previous")
    assert (ref.mouse_symbol, ref.mgi_id, ref.rat_symbol, ref.rgd_id) == (
        "Runx2", "MGI:99829", "Runx2", "RGD:2282")


@pytest.mark.parametrize("species", [None, "mouse", "NCBITaxon:10090"])
def test_mouse_sost_maps_to_human_sost(species):
    ref = vocab.normalize_gene("Sost", species=species)
    assert ref is not None
    assert (ref.hgnc_id, ref.symbol, ref.matched_by) == ("HGNC:13771", "SOST", "ortholog")
    assert (ref.mouse_symbol, ref.mgi_id) == ("Sost", "MGI:1921749")


def test_rat_symbol_maps_through_rgd():
    ref = vocab.require_gene("Akr1c15")  # rat symbol of the ortholog of human AKR1C8
    assert (ref.symbol, ref.matched_by, ref.rat_symbol, ref.rgd_id) == (
        "AKR1C8", "ortholog", "Akr1c15", "RGD:1307514")
    assert vocab.require_gene("Runx2", species="rat").rgd_id == "RGD:2282"


@pytest.mark.parametrize(
    ("word", "symbol", "how"),
    [
        ("RUNX2", "RUNX2", "symbol"),
        ("runx2", "RUNX2", "symbol"),
        ("Runx2", "RUNX2", "ortholog"),
        ("OPG", "TNFRSF11B", "previous"),
        ("RANKL", "TNFSF11", "alias"),
        ("OCN", "BGLAP", "alias"),
        ("Osx", "SP7", "alias"),
        ("DKK-1", "DKK1", "alias"),
        ("TNF-α", "TNF", "alias"),
        ("β-catenin", "CTNNB1", "alias"),
        ("Wnt-3a", "WNT3A", "ortholog_synonym"),
    ],
)
def test_gene_names_as_the_seeds_write_them(word, symbol, how):
    ref = vocab.require_gene(word)
    assert (ref.symbol, ref.matched_by) == (symbol, how)
    assert ref.query == word


def test_ambiguous_alias_is_reported_not_guessed():
    candidates = vocab.gene_candidates("ALP")
    assert len(candidates) > 1 and {c.matched_by for c in candidates} == {"alias"}
    assert vocab.normalize_gene("ALP") is None
    with pytest.raises(UnknownIdentifierError, match="ambiguous"):
        vocab.require_gene("ALP")


def test_unknown_gene_is_reported():
    assert vocab.normalize_gene("NOTAGENE") is None
    assert vocab.gene_candidates("   ") == []
    with pytest.raises(UnknownIdentifierError, match="'RUNX22' is not an HGNC symbol"):
        vocab.require_gene("RUNX22")
    with pytest.raises(InvalidInputError, match="unknown species"):
        vocab.normalize_gene("Sost", species="zebra")


# --------------------------------------------------------------------------- miRNAs


@pytest.mark.parametrize(
    ("name", "species", "locus", "arm", "canonical"),
    [
        ("miR-214", None, "miR-214", None, "miR-214"),
        ("miR-214-3p", None, "miR-214", "3p", "miR-214-3p"),
        ("mmu-miR-214-3p", "mmu", "miR-214", "3p", "mmu-miR-214-3p"),
        ("hsa-mir-214", "hsa", "miR-214", None, "hsa-miR-214"),
        ("MIR214", "hsa", "miR-214", None, "hsa-miR-214"),
        ("microRNA-218", None, "miR-218", None, "miR-218"),
        ("miRNA-196a", None, "miR-196a", None, "miR-196a"),
        ("let-7a", None, "let-7a", None, "let-7a"),
        ("hsa-let-7a-5p", "hsa", "let-7a", "5p", "hsa-let-7a-5p"),
        ("miR-30 d-5p", None, "miR-30d", "5p", "miR-30d-5p"),
        ("miR-146a-5P", None, "miR-146a", "5p", "miR-146a-5p"),
        ("MIR26A1", "hsa", "miR-26a", None, "hsa-miR-26a-1"),
        ("MIRLET7A1", "hsa", "let-7a", None, "hsa-let-7a-1"),
        ("miR-26a-1-3p", None, "miR-26a", "3p", "miR-26a-1-3p"),
    ],
)
def test_parse_mirna_forms(name, species, locus, arm, canonical):
    p = vocab.parse_mirna(name)
    assert (p.species, p.locus, p.arm, p.canonical) == (species, locus, arm, canonical)


def test_star_notation_is_kept_apart_from_arms():
    p = vocab.parse_mirna("miR-21*")
    assert p.star and p.arm is None and p.canonical == "miR-21*"
    assert not vocab.mirna_matches("miR-21-5p", "miR-21*")


@pytest.mark.parametrize("name", ["RUNX2", "miR-3p", "abc-miR-1", "", "microRNA"])
def test_non_mirna_names_are_rejected(name):
    assert vocab.get_mirna(name) is None
    with pytest.raises(InvalidInputError, match="not a miRNA name"):
        vocab.parse_mirna(name)


FORMS_OF_214 = ["miR-214", "miR-214-3p", "miR-214-5p", "mmu-miR-214-3p", "hsa-mir-214", "MIR214",
                "microRNA-214", "mir214"]


@pytest.mark.parametrize("a", FORMS_OF_214)
@pytest.mark.parametrize("b", FORMS_OF_214)
def test_all_forms_of_one_locus_are_related(a, b):
    assert vocab.mirna_related(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("miR-26a", "miR-26b"), ("miR-214", "miR-21"), ("let-7a", "let-7b"), ("miR-214", "RUNX2")],
)
def test_different_loci_are_not_related(a, b):
    assert not vocab.mirna_related(a, b)


@pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        ("miR-214", "miR-214-3p", True),
        ("miR-214", "mmu-miR-214-3p", True),
        ("miR-214-3p", "miR-214-3p", True),
        ("miR-214-3p", "mmu-miR-214-3p", True),
        ("hsa-miR-214-3p", "miR-214-3p", True),
        ("miR-214-3p", "miR-214-5p", False),
        ("hsa-miR-214", "mmu-miR-214-3p", False),
        ("miR-214-3p", "miR-214", True),  # the name does not say which arm
        ("miR-26a-1", "miR-26a-2", False),
        ("miR-30d-5p", "miR-30 d-5p", True),
        ("miR-203a", "miR-203", True),  # miRBase renamed hsa-mir-203 to hsa-mir-203a
        ("miR-214", "SOST", False),
    ],
)
def test_mirna_matches_for_search(query, name, expected):
    assert vocab.mirna_matches(query, name) is expected


def test_unstated_arm_can_be_excluded():
    assert not vocab.mirna_matches("miR-214-3p", "miR-214", unstated_arm=False)


def _labels(curies):
    return [vocab.require(c).label for c in curies]


def test_mirna_stemloops_from_mirbase():
    assert _labels(vocab.mirna_stemloops("miR-26a")) == ["hsa-mir-26a-1", "hsa-mir-26a-2"]
    assert _labels(vocab.mirna_stemloops("miR-26a-2-3p")) == ["hsa-mir-26a-2"]
    assert vocab.mirna_stemloops("miR-214-3p") == ["mirbase:MI0000290"]
    assert _labels(vocab.mirna_stemloops("mmu-miR-214-3p")) == ["mmu-mir-214"]
    assert _labels(vocab.mirna_stemloops("miR-214", species="mouse")) == ["mmu-mir-214"]
    assert _labels(vocab.mirna_stemloops("let-7a")) == ["hsa-let-7a-1", "hsa-let-7a-2", "hsa-let-7a-3"]
    assert _labels(vocab.mirna_stemloops("miR-219")) == ["hsa-mir-219a-1", "hsa-mir-219a-2"]
    assert vocab.mirna_stemloops("miR-99999") == []


# --------------------------------------------------------------------------- user lists


def test_normalize_list_reports_what_matched_nothing():
    result = vocab.normalize_list(
        ["Runx2", "miR-214-3p", "NOTAGENE", "ALP", "MIR214", "miR-99999", " ", "Runx2", "Sost"]
    )
    assert {w: g.symbol for w, g in result.genes.items()} == {"Runx2": "RUNX2", "Sost": "SOST"}
    assert list(result.mirnas) == ["miR-214-3p", "MIR214"]  # MIR214 is the miRNA, not the gene
    assert result.mirna_loci == ("miR-214",)
    assert result.hgnc_ids == ("HGNC:10472", "HGNC:13771")
    assert set(result.ambiguous) == {"ALP"}
    assert result.unmatched == ("NOTAGENE", "miR-99999")


def test_normalize_list_with_species_prefers_that_species():
    result = vocab.normalize_list(["Sost"], species="rat")
    assert result.genes["Sost"].rgd_id == "RGD:69358"


# --------------------------------------------------------------------------- curated entities


def test_curated_entities_pass_the_identifier_checks(atlas):
    problems = vocab.check_entities(atlas.entities)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("entity", _curated_entities_with_ids(), ids=lambda e: e.key)
def test_curated_entity_identifier(entity):
    assert vocab.check_entities([entity]) == []
    term = vocab.lookup(entity.id)
    assert term is not None and not term.deprecated


def _entity(**kw) -> Entity:
    return Entity(**{"name": kw.get("key", "x"), **kw})


@pytest.mark.parametrize(
    ("entity", "message"),
    [
        (_entity(key="osteoblast", type="cell", id="GO:0001649"), r"is from GO; a cell takes its id from CL"),
        (_entity(key="osteoblast", type="cell", id="CL:0001092"),
         r"CL:0001092 is not in the CL table .*by name the table has CL:0000062 \('osteoblast'\)"),
        (_entity(key="osteoprogenitor", type="cell", id="CL:0000375"),
         r"is deprecated; use CL:0007010 \('preosteoblast'\)"),
        (_entity(key="Runx2", type="gene", id="HGNC:10472"), r"rename the key to 'RUNX2'"),
        (_entity(key="SOST", type="gene", id="HGNC:99999999"), r"HGNC:99999999 is not in the HGNC table"),
        (_entity(key="miR-214-3p", type="mirna", id="mirbase:MI0000083"),
         r"'hsa-mir-26a-1'\) is not a stem-loop of miR-214 \(stem-loops: mirbase:MI0000290"),
        (_entity(key="miRNA-x", type="mirna", id="mirbase:MI0000290"), r"the key is not a miRNA name"),
        (_entity(key="exosome", type="vesicle", id="GO:0001649"),
         r"is a GO biological_process term; a vesicle needs a cellular_component term"),
        (_entity(key="osteoporosis", type="disease", id="doid:11476"), r"write the id as 'DOID:11476'"),
        (_entity(key="x", type="chemical", id="FOO:1"), r"has no known namespace"),
    ],
    ids=["namespace", "unknown", "deprecated", "gene-key", "gene-unknown", "stemloop", "mirna-key",
         "go-subset", "curie-form", "no-namespace"],
)
def test_check_entities_reports_each_problem(entity, message):
    problems = vocab.check_entities({entity.key: entity})
    assert problems and re.search(message, "\n".join(problems)), problems


def test_mouse_stemloop_is_checked_against_mouse_loci():
    e = _entity(key="miR-214-3p", type="mirna", id="mirbase:MI0000698")  # mmu-mir-214
    assert vocab.check_entities([e]) == []


def test_entities_without_id_are_skipped_and_context_may_use_go_or_doid():
    entities = [
        _entity(key="in_vitro", type="context", unmapped_reason="a setting"),
        _entity(key="fracture", type="context", id="GO:1990523"),
        _entity(key="ovx", type="context", id="DOID:11476"),
    ]
    assert vocab.check_entities(entities) == []


def test_label_mismatch_is_advisory_and_silenced_by_a_note():
    wrong = _entity(key="osteoclast", type="cell", id="CL:0000062")  # osteoblast's id
    assert vocab.check_entities([wrong]) == []  # a valid id: not an identifier error
    assert "check the id" in vocab.label_mismatches([wrong])[0]
    noted = _entity(key="osteoclast", type="cell", id="CL:0000062", note="deliberate")
    assert vocab.label_mismatches([noted]) == []


# --------------------------------------------------------------------------- provenance


def _manifest() -> dict:
    return json.loads((VOCAB_DATA / "manifest.json").read_text(encoding="utf-8"))


def test_sources_md_lists_every_shipped_table_with_its_version():
    sources = (VOCAB_DATA / "SOURCES.md").read_text(encoding="utf-8")
    shipped = sorted(p.name for p in VOCAB_DATA.iterdir() if p.name.endswith(".tsv.gz"))
    assert shipped == sorted(vocab.TABLES.values())
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([^`]+\.tsv\.gz)` \|.*$", sources, re.MULTILINE)}
    assert sorted(rows) == shipped
    for table in _manifest()["tables"]:
        row = rows[table["file"]]
        assert f"| {table['package']} | {table['package_version']} |" in row
        assert re.search(r"\d+\.\d+", table["package_version"])
        assert f"| {table['rows']} |" in row
    assert re.search(r"Build date: \d{4}-\d{2}-\d{2}", sources)


@pytest.mark.parametrize("table", _manifest()["tables"], ids=lambda t: t["file"])
def test_manifest_row_counts_match_the_tables(table):
    with gzip.open(VOCAB_DATA / table["file"], "rt", encoding="utf-8") as fh:
        header, *rows = fh.read().splitlines()
    assert len(rows) == table["rows"]
    assert header.split("\t")[0] == "id"
    assert all(r.split("\t")[0].startswith(table["namespace"] + ":") for r in rows)


def test_shipped_tables_stay_small():
    total = sum(p.stat().st_size for p in VOCAB_DATA.iterdir() if p.name.endswith(".gz"))
    assert total < 4.5e6, f"vocab_data holds {total / 1e6:.2f} MB; trim scripts/build_vocab.py"
