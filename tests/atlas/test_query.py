"""Search by every axis, on the atlas in memory and on the store, with the same answers."""

from __future__ import annotations

import pytest

from exobone.atlas.query import (
    parse_direction,
    parse_settings,
    parse_species,
    resolve_entities,
    search,
    search_experiments,
)
from exobone.atlas.records import Direction, Setting
from exobone.atlas.vocab import get_mirna, mirna_related
from exobone.errors import InvalidInputError, UnknownNameError


def ids(hits):
    return [h.id for h in hits]


@pytest.fixture(params=["atlas", "store"])
def where(request, small_atlas):
    """Every query runs against the atlas in memory and against the built store."""
    return small_atlas if request.param == "atlas" else request.getfixturevalue("small_store")


@pytest.mark.parametrize(
    ("cargo", "expected"),
    [
        ("miR-214", ["MECH:0203", "MECH:1002"]),  # no arm: both arms
        ("miR-214-3p", ["MECH:0203"]),  # arm given: never the 5p arm
        ("miR-214-5p", ["MECH:1002"]),
        ("mmu-miR-214-3p", ["MECH:0203"]),  # species prefix
        ("hsa-mir-214", ["MECH:0203", "MECH:1002"]),  # stem-loop name
        ("MIR214", ["MECH:0203", "MECH:1002"]),  # HGNC gene symbol of the miRNA
        ("miR-26a", ["MECH:0201"]),
        ("miR-26b", []),
    ],
)
def test_cargo_is_mirna_arm_aware(where, cargo, expected):
    assert ids(search(where, cargo=cargo)) == expected


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"cargo": "Sost"}, ["MECH:1003"]),  # mouse symbol
        ({"cargo": "sclerostin"}, ["MECH:1003"]),  # name
        ({"cargo": "HGNC:13771"}, ["MECH:1003"]),  # identifier
        ({"target": "OPN"}, ["MECH:0200"]),  # curated synonym of SPP1 (molecular target)
        ({"target": "Spp1"}, ["MECH:0200"]),
        ({"target": "Cbfa1"}, ["MECH:0200"]),  # HGNC alias of RUNX2
        ({"target": "osteoblast"}, ["MECH:0200", "MECH:0203", "MECH:1002", "MECH:1003"]),
        ({"target": "成骨细胞"}, ["MECH:0200", "MECH:0203", "MECH:1002", "MECH:1003"]),
        ({"source": "BMSCs"}, ["MECH:0200"]),
        ({"source": "CL:0000134"}, ["MECH:0201"]),
        ({"source": "bone_marrow_mesenchymal_stem_cell"}, ["MECH:0200"]),
        ({"source": "Rab27a"}, ["MECH:0202"]),
        ({"pathway": "Wnt"}, ["MECH:0200", "MECH:1003"]),
        ({"pathway": "GO:0043491"}, ["MECH:0201"]),
        ({"kind": "release_control"}, ["MECH:0202"]),
        ({"direction": "up"}, ["MECH:0200", "MECH:0201", "MECH:0202"]),
        ({"direction": "decrease", "target": "osteoblast", "cargo": "miR-214"}, ["MECH:0203", "MECH:1002"]),
        ({"min_evidence": 2}, ["MECH:0203"]),
    ],
)
def test_entity_and_enum_filters(where, kw, expected):
    assert ids(search(where, **kw)) == expected


@pytest.mark.parametrize(
    ("disease", "expected"),
    [
        ("osteoporosis", ["MECH:0203"]),  # contexts ovx (DOID:11476) and osteoporosis
        ("OVX", ["MECH:0203"]),
        ("DOID:11476", ["MECH:0203"]),
        ("ONFH", ["MECH:0200"]),  # synonym of osteonecrosis -> DOID:10159 -> context gc_onfh
        ("osteonecrosis of the femoral head", ["MECH:0200"]),
        ("lung cancer", []),
    ],
)
def test_disease_matches_contexts_by_identifier(where, disease, expected):
    assert ids(search(where, disease=disease)) == expected


@pytest.mark.parametrize(
    ("species", "expected"),
    [
        ("mouse", ["MECH:0203", "MECH:1002"]),
        ("Mus musculus", ["MECH:0203", "MECH:1002"]),
        ("NCBITaxon:10090", ["MECH:0203", "MECH:1002"]),
        ("rat", ["MECH:0200"]),
        ("10116", ["MECH:0200"]),
        ("human", ["MECH:0201", "MECH:1003"]),
    ],
)
def test_species_filter(where, species, expected):
    assert ids(search(where, species=species)) == expected


def test_setting_in_vivo_includes_combined_evidence(where):
    assert ids(search(where, setting="in_vivo")) == ["MECH:0200", "MECH:0203"]
    assert ids(search(where, setting="in vitro")) == ["MECH:0201", "MECH:0203", "MECH:1002", "MECH:1003"]
    assert ids(search(where, setting="review")) == ["MECH:0202"]


def test_species_and_setting_must_hold_for_the_same_evidence(where):
    # MECH:0203 has mouse in_vitro_and_in_vivo and mouse in_vivo evidence
    hits = search(where, species="mouse", setting="in_vivo")
    assert ids(hits) == ["MECH:0203"]
    assert len(hits[0].evidence) == 2 and len(hits[0].mechanism.evidence) == 2
    assert search(where, species="human", setting="in_vivo") == []
    hits = search(where, cargo="miR-214-3p", setting="in_vitro")
    assert [ev.setting for ev in hits[0].evidence] == [Setting.IN_VITRO_AND_IN_VIVO]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("破骨细胞", ["MECH:0202", "MECH:0203", "MECH:1002"]),  # quote and osteoclast synonym
        ("抑制骨生成", ["MECH:0203"]),
        ("骨生", ["MECH:0203"]),  # shorter than a trigram
        ("fixture 5p", ["MECH:1002"]),
        ("Nat Commun", ["MECH:0203"]),
    ],
)
def test_free_text(where, text, expected):
    assert ids(search(where, text=text)) == expected


def test_hits_say_what_matched(small_atlas):
    (hit,) = search(small_atlas, cargo="miR-214-3p", species="mouse")
    assert hit.matched == ("cargo: miR-214-3p", "species: Mus musculus")


def test_limit(small_atlas):
    assert len(search(small_atlas, limit=2)) == 2
    assert search(small_atlas, limit=0) == []
    with pytest.raises(InvalidInputError, match="limit"):
        search(small_atlas, limit=-1)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"species": "humn"}, "did you mean 'human'"),
        ({"direction": "sideways"}, "unknown direction 'sideways'"),
        ({"setting": "in silico"}, "unknown setting"),
        ({"kind": "teleportation"}, "unknown mechanism kind"),
    ],
)
def test_unknown_closed_vocabulary_values_raise(small_atlas, kw, message):
    with pytest.raises(UnknownNameError, match=message):
        search(small_atlas, **kw)


def test_empty_filter_value_raises(small_atlas):
    with pytest.raises(InvalidInputError, match="empty filter"):
        search(small_atlas, cargo="  ")


def test_parsers():
    assert parse_direction("inhibits") is Direction.DECREASE
    assert parse_direction("+") is Direction.INCREASE
    assert parse_settings("in-vivo") == (Setting.IN_VIVO, Setting.IN_VITRO_AND_IN_VIVO)
    assert parse_species("rno") == "NCBITaxon:10116"


def test_resolve_entities_expands_by_identifier(small_atlas):
    assert resolve_entities(small_atlas, "osteoporosis") == {"osteoporosis"}
    assert resolve_entities(small_atlas, "osteoporosis", same_identifier=True) == {"osteoporosis", "ovx"}


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"disease": "osteoporosis"}, ["EXP:0200", "EXP:1000"]),
        ({"measure": "BV/TV"}, ["EXP:0200"]),
        ({"measure": "bv_tv", "direction": "decrease"}, []),
        ({"direction": "increase"}, ["EXP:0200", "EXP:1000"]),
        ({"mechanism": "MECH:1001"}, ["EXP:1000"]),  # merged id is followed
        ({"cargo": "miR-214"}, ["EXP:1000"]),  # the antagomir's agent
        ({"source": "hiPSC-MSC"}, ["EXP:0200"]),
        ({"target": "osteoblast"}, ["EXP:0200"]),
        ({"kind": "antagomir"}, ["EXP:1000"]),
        ({"species": "rat"}, ["EXP:0200"]),
        ({"setting": "in_vivo"}, ["EXP:0200", "EXP:1000"]),
        ({"text": "去卵巢小鼠"}, ["EXP:1000"]),
    ],
)
def test_search_experiments(where, kw, expected):
    assert ids(search_experiments(where, **kw)) == expected


def test_experiment_hits_carry_matching_outcomes(small_atlas):
    (hit,) = search_experiments(small_atlas, measure="marker_expression")
    assert [o.entity for o in hit.outcomes] == ["SPP1"]


# ------------------------------------------------------------------ on the curated data


def test_mirna_search_on_curated_data_is_arm_aware(atlas):
    """Whatever the curators add: miR-214 finds only miR-214 relatives, -3p never finds -5p."""
    for hit in search(atlas, cargo="miR-214"):
        assert any(mirna_related("miR-214", c) for c in hit.mechanism.cargo)
    for hit in search(atlas, cargo="miR-214-3p"):
        arms = {get_mirna(c).arm for c in hit.mechanism.cargo if mirna_related("miR-214", c)}
        assert "5p" not in arms


def test_every_curated_mechanism_is_found_by_its_own_source_and_target(atlas):
    for m in list(atlas.mechanisms.values())[:40]:
        assert m.id in ids(search(atlas, source=m.source, target=m.target))
