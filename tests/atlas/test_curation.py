"""Data integrity of the curated atlas: schema, references, verbatim quotes, no invented ids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exobone.atlas.curation import default_data_dir, load_atlas, merge_mechanisms
from exobone.atlas.records import DOI_RE, Direction, Mechanism
from exobone.atlas.validate import is_verbatim, quote_problems
from exobone.errors import CurationError


def test_curated_data_loads_without_problems(atlas):
    assert atlas.entities and atlas.measures
    assert len(atlas.seeds) == 5


def test_every_quote_is_verbatim_in_its_seed(atlas, seed_dir):
    problems = quote_problems(atlas, seed_dir)
    assert not problems, "\n".join(problems)


def test_every_seed_contributes_evidence(atlas):
    used = {ev.read_in for m in atlas.mechanisms.values() for ev in m.evidence}
    used |= {e.read_in for e in atlas.experiments.values()}
    assert used == set(atlas.seeds), f"seeds without curated records: {set(atlas.seeds) - used}"


def test_dois_are_only_those_printed_in_the_seeds(atlas, seed_dir):
    """A DOI in the atlas must occur in some seed document: none is recalled from memory."""
    corpus = "".join(p.read_text(encoding="utf-8") for p in seed_dir.iterdir())
    cites = [ev.citation for m in atlas.mechanisms.values() for ev in m.evidence]
    cites += [e.citation for e in atlas.experiments.values()]
    cites += [ev.citation for f in atlas.facts.values() for ev in f.evidence]
    for c in cites:
        if c.doi:
            assert DOI_RE.match(c.doi)
            assert c.doi in corpus, f"DOI {c.doi} of {c.first_author} {c.year} is not in any seed"
        assert c.pmid is None or c.pmid in corpus


def test_is_verbatim_ignores_whitespace_and_honours_elision():
    seed = "外泌体可以\n\n促进 成骨分化。另一句话。"
    assert is_verbatim("外泌体可以促进成骨分化", seed)
    assert is_verbatim("外泌体…另一句话", seed)
    assert not is_verbatim("另一句话…外泌体", seed)  # order matters
    assert not is_verbatim("外泌体可以抑制成骨分化", seed)


def test_all_problems_are_reported_at_once(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    (data / "mechanisms" / "zz_bad.yaml").write_text(
        "- id: MECH:9998\n  kind: exosome_transfer\n  source: no_such_cell\n  target: osteoblast\n"
        "  effect: osteogenic_differentiation\n  direction: sideways\n  evidence: []\n"
        "- id: MECH:9999\n  kind: teleportation\n",
        encoding="utf-8",
    )
    (data / "entities" / "zz_broken.yaml").write_text("- {key: x, name: [unclosed\n", encoding="utf-8")
    with pytest.raises(CurationError) as exc:
        load_atlas(data)
    text = str(exc.value)
    assert "zz_broken.yaml" in text and "not valid YAML" in text
    assert "MECH:9998" in text and "direction" in text and "evidence" in text
    assert "MECH:9999" in text and "kind" in text
    assert len(exc.value.problems) >= 4


def test_unknown_entity_reference_is_reported(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    ev = (
        "    - citation: {first_author: Test}\n      read_in: 001_21c82cee311890fc.txt\n"
        "      quote: x\n      quote_en: x\n      setting: review\n"
    )
    (data / "mechanisms" / "zz.yaml").write_text(
        "- id: MECH:9997\n  kind: exosome_transfer\n  source: unicorn_cell\n  target: osteoblast\n"
        f"  effect: osteogenic_differentiation\n  direction: increase\n  evidence:\n{ev}",
        encoding="utf-8",
    )
    with pytest.raises(CurationError, match="unicorn_cell"):
        load_atlas(data)


def _mech(mid: str, direction: str, quote: str) -> Mechanism:
    return Mechanism.model_validate(
        {
            "id": mid, "kind": "exosome_transfer", "source": "bmsc", "target": "osteoblast",
            "effect": "osteogenic_differentiation", "direction": direction,
            "evidence": [{"citation": {"first_author": "A"}, "read_in": "s", "quote": quote,
                          "quote_en": quote, "setting": "review"}],
        }
    )


def test_same_identity_merges_evidence_and_flags_disagreement():
    merged, alias = merge_mechanisms(
        [_mech("MECH:0002", "increase", "b"), _mech("MECH:0001", "decrease", "a")]
    )
    assert list(merged) == ["MECH:0001"] and alias == {"MECH:0002": "MECH:0001"}
    m = merged["MECH:0001"]
    assert len(m.evidence) == 2 and m.direction is Direction.MIXED
    assert "disagree" in (m.note or "")
