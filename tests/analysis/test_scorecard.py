"""The scorecard: every curated experiment accounted for, JSON shape, thresholds, mapping rules."""

from __future__ import annotations

import json

import pytest

from exobone.analysis.scorecard import (
    DEFAULT_DAYS,
    NO_CHANGE,
    NotRepresentable,
    Scorecard,
    map_experiment,
    run_scorecard,
)
from exobone.atlas.curation import Atlas
from exobone.atlas.records import Experiment
from exobone.errors import UnknownNameError


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
    assert {"total", "representable", "agreement"} <= set(data["summary"])
    assert data["thresholds"]["no_change_relative"] == NO_CHANGE
    assert data["thresholds"]["default_days"] == DEFAULT_DAYS
    for e in data["experiments"]:
        assert {"id", "citation", "representable", "reason", "outcomes"} <= set(e)
        for o in e["outcomes"]:
            assert {"measure", "expected", "predicted", "agree"} <= set(o)


def test_the_model_represents_and_agrees_with_most_experiments(card: Scorecard) -> None:
    s = card.summary
    assert s["total"] == len(card.experiments)
    assert s["representable"] / s["total"] >= 0.8, s
    assert s["agreement"] >= 0.9, s
    assert s["failed"] == 0, [e.status for e in card.experiments if e.status != "ok"]


def test_rows_carry_their_arms(card: Scorecard) -> None:
    by_id = {e.id: e for e in card.experiments}
    for e in by_id.values():
        if e.representable:
            assert e.scenario


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
