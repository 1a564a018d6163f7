"""Over-representation analysis: hand-computed hypergeometric p, BH, input handling."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from exobone.atlas.enrich import (
    MAX_LIST_NAMES,
    benjamini_hochberg,
    enrich,
    hypergeometric_p,
    read_names,
)
from exobone.atlas.genesets import atlas_gene_sets
from exobone.errors import InvalidInputError

# Two disjoint sets of real HGNC symbols: the universe is their union, N = 10.
A = ["SOST", "DKK1", "CTNNB1", "RUNX2"]
B = ["SPP1", "BGLAP", "ALPL", "COL1A1", "IBSP", "SP7"]


def test_hypergeometric_known_answer():
    # N=10, K=4, n=3, k=2: P(X>=2) = [C(4,2)C(6,1) + C(4,3)C(6,0)] / C(10,3) = (36+4)/120 = 1/3
    assert hypergeometric_p(2, 10, 4, 3) == pytest.approx(1 / 3)
    assert hypergeometric_p(0, 10, 4, 3) == 1.0
    assert hypergeometric_p(3, 10, 4, 3) == pytest.approx(comb(4, 3) / comb(10, 3))


def test_enrich_known_answer_tiny_sets():
    # input: two of A (one as a mouse symbol) and one of B; n = 3
    result = enrich(["Sost", "DKK1", "SPP1"], {"A": A, "B": B})
    by_name = {s.name: s for s in result.sets}
    assert result.universe_size == 10 and len(result.query) == 3
    assert by_name["A"].overlap == 2 and by_name["A"].hits == ("DKK1", "SOST")
    assert by_name["A"].p_value == pytest.approx(1 / 3)
    # B: K=6, k=1: P(X>=1) = 1 - C(4,3)/C(10,3) = 116/120
    assert by_name["B"].p_value == pytest.approx(116 / 120)
    # BH over m=2 tests: q_A = min(1/3 * 2/1, q_B) = 2/3; q_B = 116/120 * 2/2
    assert by_name["A"].q_value == pytest.approx(2 / 3)
    assert by_name["B"].q_value == pytest.approx(116 / 120)
    assert by_name["A"].fold == pytest.approx((2 / 3) / (4 / 10))
    assert [s.name for s in result.sets] == ["A", "B"]  # sorted by p


def test_benjamini_hochberg_hand_computed():
    # sorted p: 0.005, 0.01, 0.03, 0.04 -> p*m/rank: 0.02, 0.02, 0.04, 0.04 (already monotone)
    p = [0.01, 0.04, 0.03, 0.005]
    expected = [0.02, 0.04, 0.04, 0.02]
    np.testing.assert_allclose(benjamini_hochberg(p), expected)
    # step-up: sorted 0.03, 0.04, 0.9 -> ratios 0.09, 0.06, 0.9 -> q 0.06, 0.06, 0.9
    np.testing.assert_allclose(benjamini_hochberg([0.04, 0.03, 0.9]), [0.06, 0.06, 0.9])
    np.testing.assert_allclose(benjamini_hochberg([0.8, 0.9]), [0.9, 0.9])
    assert benjamini_hochberg([]).size == 0


@pytest.mark.parametrize("words", [[], ["", "  "]])
def test_empty_list_is_an_error(words):
    with pytest.raises(InvalidInputError, match="empty gene/miRNA list"):
        enrich(words, {"A": A})


def test_no_sets_is_an_error():
    with pytest.raises(InvalidInputError, match="no gene sets"):
        enrich(["SOST"], [])


def test_unknown_names_are_reported_not_dropped():
    result = enrich(["SOST", "NOTAGENE", "xyzzy"], {"A": A, "B": B})
    assert result.unmatched == ("NOTAGENE", "xyzzy")
    assert result.query == ("SOST",)


def test_matched_names_outside_all_sets_count_towards_the_universe():
    result = enrich(["SOST", "VEGFA"], {"A": A, "B": B})
    assert result.universe_size == 11 and set(result.query) == {"SOST", "VEGFA"}
    assert result.mapped["VEGFA"] == ("VEGFA",)


def test_mirna_inputs_are_arm_aware():
    sets = {"oc": ["miR-214-3p", "miR-31"], "other": ["miR-214-5p", "miR-218"]}
    result = enrich(["hsa-miR-214-3p", "mmu-miR-31-5p"], sets)
    by_name = {s.name: s for s in result.sets}
    # the arm-less member miR-31 counts for miR-31-5p; hits name your observations
    assert by_name["oc"].hits == ("miR-214-3p", "miR-31-5p")
    assert by_name["other"].overlap == 0  # -3p never hits -5p
    assert result.mapped["hsa-miR-214-3p"] == ("miR-214-3p",)


def test_one_name_counts_once_per_set_however_many_members_it_matches():
    # issue 15: miR-214-3p alone was "2 of your names" (it matched miR-214 and miR-214-3p)
    sets = {"oc": ["miR-214", "miR-214-3p", "SOST"], "wnt": ["DKK1", "CTNNB1", "RUNX2"]}
    result = enrich(["miR-214-3p"], sets)
    oc = {s.name: s for s in result.sets}["oc"]
    assert result.query == ("miR-214-3p",) and oc.overlap == 1 and oc.hits == ("miR-214-3p",)
    # N = 6 items (the union of members), K = 3, n = 1, k = 1: p = K / N
    assert result.universe_size == 6 and oc.size == 3
    assert oc.p_value == pytest.approx(3 / 6)


def test_an_arm_less_name_counts_once_on_a_set_of_both_arms():
    sets = {"oc": ["miR-214-3p", "miR-214-5p"], "wnt": ["DKK1", "CTNNB1", "SOST", "RUNX2"]}
    result = enrich(["miR-214"], sets)
    oc = {s.name: s for s in result.sets}["oc"]
    # the universe item miR-214 counts on both members, once: region {miR-214, -3p, -5p}
    assert oc.overlap == 1 and oc.size == 3 and result.universe_size == 7
    assert oc.p_value == pytest.approx(3 / 7)


def test_one_mirna_in_two_species_is_one_observation():
    result = enrich(["hsa-miR-214-3p", "mmu-miR-214-3p"], {"oc": ["miR-214-3p", "SOST", "DKK1"]})
    assert result.query == ("miR-214-3p",) and result.sets[0].overlap == 1
    assert result.counting_rule.startswith("each name counts once per set")


def test_custom_universe_reports_inputs_outside_it():
    result = enrich(["SOST", "SPP1", "VEGFA"], {"A": A, "B": B}, universe=[*A, "SPP1"])
    assert result.universe_size == 5 and result.outside_universe == ("VEGFA",)
    by_name = {s.name: s for s in result.sets}
    assert by_name["B"].size == 1
    assert "custom universe" in result.universe_rule


def test_enrich_against_small_atlas_sets(small_atlas):
    result = enrich(["miR-214-3p", "Sost", "CTNNB1"], atlas_gene_sets(small_atlas))
    top = result.sets[0]
    assert top.name == "effect:osteoblast:osteogenic_differentiation:decrease"
    # N=9 members (ITGA2B CTNNB1 RAB27A RUNX2 SOST SPP1 miR-26a miR-214-3p miR-214-5p),
    # K=3, n=3, k=3: p = 1/C(9,3); 10 sets tested, so q = 10 p
    assert top.overlap == 3 and top.p_value == pytest.approx(1 / comb(9, 3))
    assert result.universe_size == 9 and top.q_value == pytest.approx(10 * top.p_value)
    assert [s.name for s in result.significant(0.2)] == [top.name]


def test_read_names_accepts_lines_commas_and_spaces():
    text = "# my exosome hits\nmiR-214-3p\nSOST, DKK1\tRUNX2  CTNNB1;Spp1\n\n"
    assert read_names(text) == ["miR-214-3p", "SOST", "DKK1", "RUNX2", "CTNNB1", "Spp1"]


def test_result_serialises(small_atlas):
    data = enrich(["SOST"], atlas_gene_sets(small_atlas)).to_dict()
    assert data["universe_rule"] and data["sets"][0]["hits"] == ("SOST",)


def test_a_list_over_the_limit_is_refused_before_any_work(monkeypatch):
    from exobone.atlas import enrich as enrich_mod

    looked_up: list[object] = []
    monkeypatch.setattr(enrich_mod, "normalize_list", lambda *a, **k: looked_up.append(a))
    with pytest.raises(InvalidInputError, match=f"{MAX_LIST_NAMES + 1:,} names; at most {MAX_LIST_NAMES:,}"):
        enrich(["SOST"] * (MAX_LIST_NAMES + 1), {"A": A})
    assert looked_up == []


def test_a_list_at_the_limit_is_enriched_and_repeats_count_once():
    unknown = [f"NOTAGENE{i}" for i in range(MAX_LIST_NAMES - 2)]
    result = enrich(["SOST", "SOST", *unknown], {"A": A, "B": B})
    assert result.query == ("SOST",)
    assert len(result.unmatched) == MAX_LIST_NAMES - 2  # each unknown word reported once, in order
    assert result.unmatched[:2] == ("NOTAGENE0", "NOTAGENE1")
