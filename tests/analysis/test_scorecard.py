"""The scorecard: every experiment accounted for, JSON shape, mapping rules, and the validation
rules (held-out rebuild, one verdict per distinct readout, "no data", in vitro apart, magnitudes).
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from exobone.analysis.scorecard import (
    DEFAULT_DAYS,
    NO_CHANGE,
    ExperimentResult,
    NotRepresentable,
    OutcomeResult,
    Prediction,
    Scorecard,
    held_out_atlas,
    held_out_mechanisms,
    magnitude_ratio,
    map_experiment,
    published_change,
    run_scorecard,
    same_study,
)
from exobone.analysis.scorecard import runner as runner_module
from exobone.analysis.scorecard.results import AGREES, DISAGREES, NO_DATA, NO_READOUT
from exobone.atlas.curation import Atlas
from exobone.atlas.records import Direction, Experiment, Outcome
from exobone.errors import InvalidInputError, UnknownNameError


@pytest.fixture(scope="module")
def card(atlas: Atlas) -> Scorecard:
    return run_scorecard(atlas, workers=2)


def test_no_experiment_is_silently_missing(card: Scorecard, atlas: Atlas) -> None:
    assert [e.id for e in card.experiments] == list(atlas.experiments)
    for e in card.experiments:
        assert e.citation
        if not e.representable:
            assert e.reason, e.id
        for o in e.outcomes:
            if o.agree is None:
                assert o.note, (e.id, o.measure)


def test_json_shape_and_thresholds(card: Scorecard) -> None:
    data = json.loads(json.dumps(card.to_dict()))
    assert {"total", "representable", "agreement", "held_out_agreement", "readouts",
            "no_data", "in_vitro"} <= set(data["summary"])
    assert {"agreement", "held_out_agreement"} <= set(data["summary"]["in_vitro"])
    assert data["thresholds"]["no_change_relative"] == NO_CHANGE
    assert data["thresholds"]["default_days"] == DEFAULT_DAYS
    for e in data["experiments"]:
        assert {"id", "citation", "representable", "reason", "outcomes", "readouts",
                "in_vitro", "held_out_mechanisms"} <= set(e)
        for o in e["outcomes"]:
            assert {"measure", "expected", "predicted", "agree", "status", "held_out"} <= set(o)


def test_the_model_represents_and_agrees_with_most_experiments(card: Scorecard) -> None:
    s = card.summary
    assert s["total"] == len(card.experiments)
    assert s["representable"] / s["total"] >= 0.8, s
    assert s["agreement"] >= 0.9, s
    assert s["failed"] == 0, [e.status for e in card.experiments if e.status != "ok"]


def test_every_compared_readout_has_a_held_out_verdict(card: Scorecard) -> None:
    for e in card.experiments:
        if e.status != "ok" or not e.representable:
            continue
        for r in e.readouts:
            if r.agree is not None:
                assert r.held_out_status is not None, (e.id, r.quantity)
    s = card.summary
    assert s["held_out_agreeing"] is not None
    assert 0 <= s["held_out_agreeing"] <= s["outcomes_compared"]


def test_rows_carry_their_arms(card: Scorecard) -> None:
    by_id = {e.id: e for e in card.experiments}
    for e in by_id.values():
        if e.representable:
            assert e.scenario


def test_in_vitro_experiments_run_in_the_culture_context(card: Scorecard) -> None:
    from exobone.analysis.scorecard.culture import CULTURE

    ran = [e for e in card.experiments if e.representable and e.status == "ok"]
    assert any(e.in_vitro for e in ran) and any(not e.in_vitro for e in ran)
    for e in ran:
        assert e.context == (CULTURE if e.in_vitro else "whole animal"), e.id
    assert card.summary["in_vitro"]["context"] == CULTURE


def _exp(atlas: Atlas, **changes: object) -> Experiment:
    base = next(iter(atlas.experiments.values()))
    data = base.model_dump()
    data.update(changes)
    return Experiment.model_validate(data)


def test_mapping_rules_are_generic(atlas: Atlas) -> None:
    exo = _exp(atlas, system="in_vivo", contexts=["ovx", "calvarial_defect"],
               intervention={"kind": "exosome", "agent": "hipsc_msc", "description": "x"})
    arms = map_experiment(exo, atlas, 56.0)
    assert arms.scenario == "calvarial-defect"  # a defect wins over a systemic disease
    assert arms.treated[0].startswith("exosome:hipsc-msc,dose=100,route=local")
    assert arms.control[0].startswith("exosome:hipsc-msc,dose=0,")  # same structure, no dose
    ko = _exp(atlas, system="in_vivo", contexts=["fracture", "cd9_knockout"],
              intervention={"kind": "knockout", "agent": "CD9", "description": "x"})
    arms = map_experiment(ko, atlas, 56.0)
    assert arms.treated == ("knockout:CD9",) and arms.control == ()
    rescue = _exp(atlas, system="in_vivo", contexts=["fracture", "cd9_knockout"],
                  intervention={"kind": "exosome", "agent": "bmsc", "description": "x"})
    arms = map_experiment(rescue, atlas, 56.0)
    assert arms.treated[0] == "knockout:CD9" and arms.control[0] == "knockout:CD9"
    with pytest.raises(NotRepresentable, match="differentiation"):
        map_experiment(_exp(atlas, intervention={"kind": "differentiation", "agent": "bmsc",
                                                 "description": "differentiation"}), atlas, 28.0)


def test_unknown_experiment_id_suggests(atlas: Atlas) -> None:
    with pytest.raises(UnknownNameError, match="did you mean"):
        run_scorecard(atlas, experiments=["EXP:10255"])


# --- held out ---------------------------------------------------------------------------------

def test_held_out_drops_the_study_not_the_namesake(atlas: Atlas) -> None:
    exp = atlas.experiments["EXP:1003"]  # Lu et al., Stem Cell Res Ther 2017
    drop = held_out_mechanisms(exp, atlas)
    assert set(exp.mechanisms) <= set(drop)  # its own restatements
    assert "MECH:1002" in drop and "MECH:1002" not in exp.mechanisms  # same paper, not linked
    assert "MECH:1015" not in drop  # Lu et al., Tissue Eng Part A 2017: another paper
    without = held_out_atlas(atlas, drop)
    assert not set(drop) & set(without.mechanisms)
    assert len(without.mechanisms) == len(atlas.mechanisms) - len(drop)


def test_held_out_matches_doi_pmid_and_quote(atlas: Atlas) -> None:
    c = atlas.experiments["EXP:1003"].citation
    other = c.model_copy(update={"first_author": "Someone", "journal": "Other"})
    assert not same_study(c, other)
    assert same_study(c.model_copy(update={"doi": "10.1000/x"}),
                      other.model_copy(update={"doi": "10.1000/X"}))
    assert same_study(c.model_copy(update={"pmid": "123"}), other.model_copy(update={"pmid": "123"}))
    quoted = next(m for m in atlas.mechanisms.values() if m.id not in ("MECH:1001",))
    exp = _exp(atlas, mechanisms=[], quote=quoted.evidence[0].quote,
               citation=other.model_dump())
    assert quoted.id in held_out_mechanisms(exp, atlas)


def test_held_out_model_is_built_without_the_study(atlas: Atlas,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[set[str]] = []
    real = runner_module.assemble_model

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(set(kwargs["atlas"].mechanisms))
        return real(*args, **kwargs)

    monkeypatch.setattr(runner_module, "assemble_model", spy)
    card = run_scorecard(atlas, experiments=["EXP:1021"], workers=1)
    drop = set(card.experiments[0].held_out_mechanisms)
    assert drop >= set(atlas.experiments["EXP:1021"].mechanisms)
    assert set(atlas.mechanisms) in seen  # the encoded build
    assert any(not drop & s for s in seen)  # the held-out build
    o = card.experiments[0].outcomes[0]
    assert o.held_out is not None and o.held_out.status in (AGREES, DISAGREES, NO_DATA)


# --- readouts, statuses, settings ------------------------------------------------------------

def _outcome(readout: str, status: str, expected: str = "increase",
             held: str | None = None) -> OutcomeResult:
    agree = {AGREES: True, DISAGREES: False}.get(status)
    return OutcomeResult("m", None, expected, "increase" if agree is not None else None, agree,
                         28.0, 0.1 if agree is not None else None, readout, "n", status,
                         Prediction(held) if held else None)


def _result(outcomes: list[OutcomeResult], *, in_vitro: bool = False) -> ExperimentResult:
    return ExperimentResult("EXP:0001", "c", True, outcomes=tuple(outcomes), in_vitro=in_vitro)


def test_one_verdict_per_distinct_readout() -> None:
    e = _result([_outcome("bv_tv", AGREES, held=AGREES), _outcome("-bv_tv", AGREES, "decrease",
                                                                    held=DISAGREES),
                 _outcome("m_ob", AGREES, held=AGREES)])
    assert [r.quantity for r in e.readouts] == ["bv_tv", "m_ob"]
    assert e.readouts[0].outcomes == (0, 1)
    assert e.readouts[0].held_out_status == DISAGREES  # all its outcomes must agree
    s = Scorecard([e]).summary
    assert (s["outcomes_compared"], s["outcomes_agreeing"], s["held_out_agreeing"]) == (2, 2, 1)
    assert s["outcomes_listed"] == 3
    mixed = _result([_outcome("bv_tv", AGREES), _outcome("bv_tv", DISAGREES)])
    assert mixed.readouts[0].status == DISAGREES


def test_no_data_is_never_an_agreement() -> None:
    assert runner_module._status(Direction.INCREASE, "increase", None) == NO_DATA
    assert runner_module._status(Direction.INCREASE, "increase", 0.2) == AGREES
    e = _result([_outcome("cargo", NO_DATA), _outcome("x", NO_READOUT)])
    s = Scorecard([e]).summary
    assert s["outcomes_compared"] == 0 and s["outcomes_agreeing"] == 0 and s["no_data"] == 1


def test_in_vitro_is_summarised_apart() -> None:
    card = Scorecard([_result([_outcome("a", AGREES)]),
                      dataclasses.replace(_result([_outcome("b", DISAGREES)], in_vitro=True),
                                          id="EXP:0002")])
    s = card.summary
    assert (s["outcomes_compared"], s["agreement"]) == (1, 1.0)
    assert s["in_vitro"]["experiments"] == 1
    assert (s["in_vitro"]["outcomes_compared"], s["in_vitro"]["agreement"]) == (1, 0.0)


# --- magnitudes -------------------------------------------------------------------------------

def test_published_change_reads_the_stated_form() -> None:
    def o(note: str | None) -> Outcome:
        return Outcome(measure="bone_volume", direction=Direction.INCREASE, note=note)

    assert published_change(o("reported change: +45%")) == pytest.approx(0.45)
    assert published_change(o("reported change: 2.5-fold")) == pytest.approx(1.5)
    assert published_change(o("BV/TV up")) is None and published_change(o(None)) is None
    with pytest.raises(InvalidInputError, match="fold change must be positive"):
        published_change(o("reported change: 0-fold"))
    assert magnitude_ratio(0.2, 0.4) == pytest.approx(0.5)
    assert magnitude_ratio(0.2, None) is None


def test_magnitude_compared_on_a_synthetic_record(atlas: Atlas) -> None:
    base = atlas.experiments["EXP:1021"]
    data = base.model_dump()
    data["outcomes"] = [{**data["outcomes"][0], "note": "reported change: +20%"}]
    exp = Experiment.model_validate(data)
    synthetic = dataclasses.replace(atlas, experiments={**atlas.experiments, exp.id: exp})
    card = run_scorecard(synthetic, experiments=[exp.id], held_out=False)
    o = card.experiments[0].outcomes[0]
    assert o.published_change == pytest.approx(0.2)
    assert o.relative_change is not None
    assert o.magnitude_ratio == pytest.approx(o.relative_change / 0.2)
    assert o.held_out is None  # held_out=False


def test_a_plasma_level_is_not_read_from_the_marrow_pools(card: Scorecard) -> None:
    # EXP:4014: plasma miR-31 in osteoporosis patients; the model has no plasma compartment
    from exobone.analysis.scorecard.readouts import unmodelled_compartment

    assert unmodelled_compartment("in plasma") == "plasma"
    assert unmodelled_compartment("plasmacytoid cells") is None  # whole words only
    (exp,) = [e for e in card.experiments if e.id == "EXP:4014"]
    (outcome,) = exp.outcomes
    assert outcome.status == NO_READOUT and "no plasma compartment" in outcome.note
