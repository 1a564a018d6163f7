"""Every export format round-trips through an independent reader, on small and curated data."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from ndex2 import cx2

from exobone.atlas.export import EXPORTERS, Selection, export, register_exporter
from exobone.atlas.export._graph import interaction_sign, mechanism_graph
from exobone.atlas.export.gmt import parse_gmt
from exobone.atlas.export.sif import COLUMNS as SIF_COLUMNS
from exobone.atlas.genesets import atlas_gene_sets
from exobone.atlas.query import search
from exobone.atlas.records import SOURCE_ROLES, MechanismKind
from exobone.errors import DuplicateRegistrationError, ExportError

MECHANISM_KEYS = {"id", "source", "cargo", "target", "effect", "direction", "pathways", "contexts", "evidence"}
CITATION_KEYS = {"first_author", "journal", "year", "doi", "pmid"}
EVIDENCE_KEYS = {"citation", "read_in", "quote", "species", "setting"}
EXPERIMENT_KEYS = {"id", "intervention", "control", "context", "species", "outcomes", "citation", "read_in", "quote"}


def test_registry_lists_all_formats():
    assert set(EXPORTERS) >= {"json", "csv", "cx2", "graphml", "sif", "gmt"}
    assert EXPORTERS["json"].what == ("mechanisms", "experiments")
    assert EXPORTERS["cx2"].what == ("mechanisms",)


def test_every_mechanism_kind_names_the_role_of_its_source():
    assert set(SOURCE_ROLES) == set(MechanismKind)
    assert SOURCE_ROLES[MechanismKind.EXOSOME_TRANSFER] == "source cell"
    assert SOURCE_ROLES[MechanismKind.CARGO_PROFILE] == "context"
    assert SOURCE_ROLES[MechanismKind.RELEASE_CONTROL] == "regulator"


def test_json_and_csv_label_the_source_by_kind(any_atlas):
    # issue 15: a disease (cargo profile) or a gene (release control) read as the exosome source
    roles = {d["id"]: d["source_role"] for d in json.loads(export(any_atlas, "json"))}
    assert roles == {k: SOURCE_ROLES[m.kind] for k, m in any_atlas.mechanisms.items()}
    rows = csv.DictReader(io.StringIO(export(any_atlas, "csv")))
    assert all(r["source_role"] == roles[r["mechanism_id"]] for r in rows)
    assert set(roles.values()) >= {"source cell", "regulator"}


def test_json_mechanisms_round_trip(any_atlas):
    data = json.loads(export(any_atlas, "json"))
    assert [d["id"] for d in data] == list(any_atlas.mechanisms)
    for d in data:
        assert MECHANISM_KEYS <= set(d)
        assert {"name", "id"} <= set(d["source"]) and {"name", "id"} <= set(d["target"])
        assert all({"name", "id"} <= set(c) for c in d["cargo"])
        assert d["direction"] in {"increase", "decrease", "mixed", "none"}
        assert all(isinstance(p, str) for p in d["pathways"] + d["contexts"])
        for ev in d["evidence"]:
            assert EVIDENCE_KEYS <= set(ev) and CITATION_KEYS <= set(ev["citation"])
        m = any_atlas.mechanisms[d["id"]]
        assert len(d["evidence"]) == len(m.evidence)
        assert [e["quote"] for e in d["evidence"]] == [e.quote for e in m.evidence]


def test_json_keeps_chinese_unescaped(small_atlas):
    text = export(small_atlas, "json")
    assert "破骨细胞外泌体来源的miR-214-3p" in text


def test_json_experiments_round_trip(any_atlas):
    data = json.loads(export(any_atlas, "json", "experiments"))
    assert [d["id"] for d in data] == list(any_atlas.experiments)
    for d in data:
        assert EXPERIMENT_KEYS <= set(d)
        assert all({"measure", "direction", "time"} <= set(o) for o in d["outcomes"])


def test_csv_has_one_row_per_mechanism_evidence(any_atlas):
    rows = list(csv.DictReader(io.StringIO(export(any_atlas, "csv"))))
    assert len(rows) == sum(len(m.evidence) for m in any_atlas.mechanisms.values())
    for r in rows:
        m = any_atlas.mechanisms[r["mechanism_id"]]
        assert r["quote"] == m.evidence[int(r["evidence_index"])].quote
        assert r["direction"] == m.direction.value


def test_csv_has_one_row_per_experiment_outcome(any_atlas):
    rows = list(csv.DictReader(io.StringIO(export(any_atlas, "csv", "experiments"))))
    assert len(rows) == sum(len(x.outcomes) for x in any_atlas.experiments.values())


def test_cx2_loads_with_ndex2(any_atlas):
    doc = json.loads(export(any_atlas, "cx2"))
    net = cx2.RawCX2NetworkFactory().get_cx2network(doc)
    graph = mechanism_graph(any_atlas, list(any_atlas.mechanisms.values()))
    assert len(net.get_nodes()) == graph.number_of_nodes()
    assert len(net.get_edges()) == graph.number_of_edges()
    names = {n["v"]["name"] for n in net.get_nodes().values()}
    for edge in net.get_edges().values():
        v = edge["v"]
        assert interaction_sign(v["interaction"]) == v["sign"]
    if any_atlas.mechanisms:
        decl = net.get_attribute_declarations()
        assert decl["edges"]["sign"]["d"] == "integer"
        assert "represents" in decl["nodes"]
    # round trip through ndex2's own writer is still loadable
    again = cx2.RawCX2NetworkFactory().get_cx2network(net.to_cx2())
    assert {n["v"]["name"] for n in again.get_nodes().values()} == names


def test_cx2_small_network_content(small_atlas):
    net = cx2.RawCX2NetworkFactory().get_cx2network(json.loads(export(small_atlas, "cx2")))
    by_id = {i: n["v"] for i, n in net.get_nodes().items()}
    edges = [(by_id[e["s"]]["key"], e["v"]["interaction"], by_id[e["t"]]["key"], e["v"]) for e in net.get_edges().values()]
    main = [e for e in edges if e[0] == "osteoclast" and e[2] == "osteoblast" and e[3]["mechanism"] == "MECH:0203"]
    (edge,) = main
    assert edge[1] == "decreases_osteogenic_differentiation_of" and edge[3]["sign"] == -1
    assert edge[3]["cargo"] == ["miR-214-3p"] and edge[3]["evidence_count"] == 2
    assert by_id[next(i for i, v in by_id.items() if v["key"] == "osteoclast")]["represents"] == "CL:0000092"


def test_graphml_loads_with_networkx(any_atlas):
    g = nx.read_graphml(io.StringIO(export(any_atlas, "graphml")))
    ref = mechanism_graph(any_atlas, list(any_atlas.mechanisms.values()))
    assert g.number_of_nodes() == ref.number_of_nodes()
    assert g.number_of_edges() == ref.number_of_edges()
    for _, _, d in g.edges(data=True):
        assert interaction_sign(d["interaction"]) == int(d["sign"])


def test_sif_carries_the_sign_in_the_interaction(any_atlas):
    lines = export(any_atlas, "sif").splitlines()
    assert lines[0].split("\t") == list(SIF_COLUMNS)
    for line in lines[1:]:
        cells = line.split("\t")
        assert len(cells) == len(SIF_COLUMNS)
        source, interaction, target, sign = cells[:4]
        assert source and target and " " not in interaction
        assert interaction_sign(interaction) == int(sign)


def test_sif_small_content(small_atlas):
    rows = {tuple(line.split("\t")[:4]) for line in export(small_atlas, "sif").splitlines()[1:]}
    assert ("osteoclast", "decreases_osteogenic_differentiation_of", "osteoblast", "-1") in rows
    assert ("miR-214-3p", "decreases_osteogenic_differentiation_of", "osteoblast", "-1") in rows
    assert ("osteoclast", "carries_in_exosomes", "miR-214-3p", "0") in rows
    assert ("bmsc", "upregulates", "SPP1", "1") in rows
    assert ("SOST", "downregulates", "CTNNB1", "-1") in rows


def test_interaction_sign_vocabulary():
    assert interaction_sign("increases_angiogenesis_of") == 1
    assert interaction_sign("decreases_osteogenic_differentiation_of") == -1
    assert interaction_sign("has_mixed_effect_on_proliferation_of") == 0
    assert interaction_sign("downregulates") == -1
    assert interaction_sign("interacts_with") is None


def test_gmt_round_trip(any_atlas):
    sets = parse_gmt(export(any_atlas, "gmt"))
    expected = {s.name: s for s in atlas_gene_sets(any_atlas)}
    assert set(sets) == set(expected)
    for name, (desc, members) in sets.items():
        assert members == list(expected[name].members) and desc


def test_gmt_small_content(small_atlas):
    sets = parse_gmt(export(small_atlas, "gmt"))
    assert sets["source:osteoclast"][1] == ["miR-214-3p", "miR-214-5p"]
    assert sets["pathway:wnt_pathway"][1] == ["CTNNB1", "RUNX2", "SOST", "SPP1"]
    assert sets["effect:osteoblast:osteogenic_differentiation:decrease"][1] == ["CTNNB1", "SOST", "miR-214-3p"]
    assert not any("PI3K" in m for _, ms in sets.values() for m in ms)  # families are not genes


@pytest.mark.parametrize("fmt", ["cx2", "graphml", "sif", "gmt"])
def test_network_formats_refuse_experiments(small_atlas, fmt):
    with pytest.raises(ExportError, match=f"format '{fmt}' exports mechanisms only.*use csv or json"):
        export(small_atlas, fmt, "experiments")


def test_unknown_format_and_selection(small_atlas):
    with pytest.raises(ExportError, match="unknown export format 'cx3'; did you mean 'cx2'"):
        export(small_atlas, "cx3")
    with pytest.raises(ExportError, match="unknown selection 'mechanism'; did you mean 'mechanisms'"):
        export(small_atlas, "json", "mechanism")


def test_selection_from_hits_exports_a_subset(small_atlas):
    hits = search(small_atlas, cargo="miR-214")
    data = json.loads(export(Selection.from_hits(small_atlas, hits), "json"))
    assert [d["id"] for d in data] == ["MECH:0203", "MECH:1002"]
    sets = parse_gmt(export(Selection.from_hits(small_atlas, hits), "gmt"))
    assert "pathway:wnt_pathway" not in sets


def test_store_selection_includes_figure_sets(small_store, small_atlas, tmp_path):
    from exobone.atlas.figures import ingest_pfocr

    fig = tmp_path / "f.md"
    fig.write_text(
        "---\nfigid: PMC1__F1\nfigtitle: t\nschema-jsonld:\n  keywords: [SOST, VEGFA]\n---\n",
        encoding="utf-8",
    )
    ingest_pfocr([fig], small_store)
    sets = parse_gmt(export(small_store, "gmt"))
    assert sets["figure:PMC1__F1"][1] == ["SOST", "VEGFA"]


def test_register_exporter_refuses_duplicates_and_accepts_new_formats(small_atlas):
    with pytest.raises(DuplicateRegistrationError, match="'json' is already registered"):
        register_exporter("json", suffix=".json", media_type="x", description="x")(lambda s, w: "")
    try:
        register_exporter("count", suffix=".txt", media_type="text/plain", description="count")(
            lambda sel, what: str(len(sel.mechanisms))
        )
        assert export(small_atlas, "count") == "6"
    finally:
        EXPORTERS.pop("count", None)
