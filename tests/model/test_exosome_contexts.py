"""Mechanisms act only in the contexts they were observed in, and cargo carried at a lowered
level acts against its vesicles' effect (issue 13, point 6)."""

from __future__ import annotations

from exobone.model.assemble import assemble_model, build_model
from exobone.model.exosomes import Reason
from exobone.simulate import SaveAt, simulate


def _status(scenario: str):
    return {m.id: m for m in assemble_model(scenario).exosome_layer.report.mechanisms}


def test_an_onfh_claim_does_not_act_in_ovx():
    ovx, onfh = _status("ovx"), _status("gc-onfh")
    # MECH:1042: MSC exosomes improve ONFH (contexts gc_onfh, osteonecrosis)
    assert not ovx["MECH:1042"].compiled
    assert ovx["MECH:1042"].reason == Reason.CONDITION_INACTIVE
    assert "observed in gc_onfh, osteonecrosis" in ovx["MECH:1042"].detail
    assert onfh["MECH:1042"].compiled
    # a claim seen in culture (or without a context) is not confined
    assert ovx["MECH:0005"].compiled and onfh["MECH:0005"].compiled


def test_estrogen_deficiency_claims_act_in_ovx():
    ovx = _status("ovx")
    assert ovx["MECH:4047"].compiled and ovx["MECH:4048"].compiled


def _vessels(interventions: list[str]) -> float:
    spec = build_model("gc-onfh", interventions)
    return float(simulate(spec, (0.0, 180.0), saveat=SaveAt(times=[180.0]))
                 ["vessel_density"][-1])


def test_mir_224_3p_is_anti_angiogenic_in_onfh():
    # MECH:0005: BMSC exosomes with DOWNREGULATED miR-224-3p promote endothelial proliferation
    none = _vessels([])
    assert _vessels(["mimic:miR-224-3p"]) < none < _vessels(["antagomir:miR-224-3p"])
