"""The exosome layer: pools, compilation from the atlas, every mechanism accounted for."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from exobone.atlas.curation import Atlas, default_data_dir, load_atlas
from exobone.errors import ModelError
from exobone.model import expressions as ex
from exobone.model.assemble import add_scenario_exosome_layer, assemble_model, build_model
from exobone.model.builder import ModelBuilder
from exobone.model.exosomes import (
    EXOGENOUS_SOURCES,
    ExosomeLayer,
    LayerReport,
    Reason,
    add_dose_pool,
    add_exosome_layer,
    exogenous_sources,
)
from exobone.model.parameters import Assumed
from exobone.model.processes import PROCESSES
from exobone.simulate import SaveAt, simulate

_CELLS = {"bmsc": "bmsc", "preosteoblast": "preosteoblasts", "osteoblast": "osteoblasts",
          "osteocyte": "osteocytes", "osteoclast_precursor": "osteoclast_precursors",
          "osteoclast": "osteoclasts", "endothelial_cell": "endothelium",
          "chondrocyte": "chondrocytes"}


def toy_core() -> ModelBuilder:
    """A minimal stand-in for the bone core: one state per cell, every process as a term."""
    b = ModelBuilder("toy")
    b.add_parameter("k", 0.1, unit="1/day", source=Assumed("toy model"))
    for cell, state in _CELLS.items():
        b.add_state(state, 1.0, unit="cells")
        b.add_source(cell, state)
        b.add_term(f"prod_{state}", "k", {state: 1})
        b.add_term(f"death_{state}", f"k*{state}", {state: -1})
    b.add_state("bone", 10.0, unit="%")
    for name, p in PROCESSES.items():
        b.add_term(f"t_{name}", f"k*{_CELLS[p.cell]}*m_{name}", {"bone": 0.01})
    return b


def add_layer(b: ModelBuilder, atlas: Atlas) -> ExosomeLayer:
    """The healthy scenario's layer, as the assembler adds it."""
    return add_scenario_exosome_layer(b, atlas, scenario="healthy", species="rat")


@pytest.fixture(scope="module")
def layer(atlas: Atlas) -> tuple[ModelBuilder, LayerReport]:
    b = toy_core()
    return b, add_layer(b, atlas).report


def test_every_mechanism_is_accounted_for(atlas: Atlas,
                                          layer: tuple[ModelBuilder, LayerReport]) -> None:
    _, report = layer
    assert [m.id for m in report.mechanisms] == list(atlas.mechanisms)
    known = {v for k, v in vars(Reason).items() if not k.startswith("_")}
    for m in report.not_compiled:
        assert m.reason in known and m.detail, m
    # contexts confine most records to their disease or model (issue 13): in health a fifth
    # compiles; with every context of the atlas active, most of the atlas does
    assert len(report.compiled) >= 0.15 * len(atlas.mechanisms)
    contexts = sorted({c for m in atlas.mechanisms.values() for c in m.contexts}
                      & {k for k, e in atlas.entities.items()
                         if e.type.value in ("context", "disease")})
    everywhere = add_scenario_exosome_layer(toy_core(), atlas, scenario="healthy",
                                            species="rat", extra_contexts=contexts).report
    assert len(everywhere.compiled) >= 0.4 * len(atlas.mechanisms)
    assert not any(m.reason == Reason.CONDITION_INACTIVE and "observed in" in m.detail
                   for m in everywhere.not_compiled)


def test_compiled_factors_carry_their_mechanism_ids(
        layer: tuple[ModelBuilder, LayerReport]) -> None:
    b, report = layer
    compiled = {m.id for m in report.compiled}
    tagged = {mid for f in b.factors() for mid in f.mechanisms}
    process_compiled = {m.id for m in report.compiled
                        if any(s.startswith("process:") for s in m.sinks)
                        and "acts when" not in m.detail}  # dormant until their source is dosed
    assert process_compiled <= tagged <= compiled
    for m in report.compiled:
        for name in m.parameters:
            p = b.get_parameter(name)
            assert p is not None and isinstance(p.source, Assumed)
            if name.startswith("exo_emax__"):  # the shared ceiling of its combined response
                assert m.id in p.description
            else:
                assert name.startswith("mech_" + m.id.split(":")[1])


def test_transfers_of_one_family_share_one_bounded_response_per_process_and_pool_kind() -> None:
    """BMSC exosomes act on bone formation through several atlas claims (general MSC ones and
    BMSC ones): one response with one ceiling for the animal's own exosomes and one for the
    dose (its ceiling scaled by the family's dose scale), every claim listed in them."""
    b = assemble_model("ovx", ["exosome:bmsc,dose=100,route=local,every=7"])
    exo = {f.expr.split("max(")[1].split(",")[0]: f for f in b.factors("bone_formation")
           if "exo_emax__msc__" in f.expr}
    assert set(exo) == {"exo_drive__msc__bone_formation", "exo_dose_drive__msc__bone_formation"}
    dosed = exo["exo_dose_drive__msc__bone_formation"]
    assert "exo_dose_emax_scale__msc*exo_emax__msc__bone_formation" in dosed.expr
    assert "exo_dose_emax_scale__msc" not in exo["exo_drive__msc__bone_formation"].expr
    report = b.exosome_layer.report if b.exosome_layer is not None else None
    assert report is not None
    for drive_name, factor in exo.items():
        assert len(factor.mechanisms) > 1
        drive = b.get_assignment(drive_name)
        assert drive is not None
        for mid in factor.mechanisms:
            assert mid in factor.description
            assert "mech_" + mid.split(":")[1] + "_weight" in drive.expr
            status = report.status(mid)
            assert status is not None and status.compiled
            assert "exo_emax__msc__bone_formation" in status.parameters
    # the endogenous drive reads the animal's pools only, the dosed drive the dose pool only
    endo = b.get_assignment("exo_drive__msc__bone_formation").expr
    assert "exo_signal__" in endo and "exo_dose_signal__" not in endo
    assert "exo_signal__" not in b.get_assignment("exo_dose_drive__msc__bone_formation").expr


def test_uptake_and_unmapped_mechanisms_are_reported_with_reasons(
        atlas: Atlas, layer: tuple[ModelBuilder, LayerReport]) -> None:
    _, report = layer
    reasons = report.by_reason()
    uptake = [m.id for m in atlas.mechanisms.values() if m.kind.value == "uptake"]
    # an uptake confined to a disease context is reported as out of context first
    assert set(uptake) <= set(reasons[Reason.NO_RATE_EFFECT]) | set(
        reasons.get(Reason.CONDITION_INACTIVE, ()))
    assert set(uptake) & set(reasons[Reason.NO_RATE_EFFECT])
    assert all(report.status(m) is not None for m in atlas.mechanisms)


def test_pools_exist_for_core_sources_and_every_named_exogenous_source(
        layer: tuple[ModelBuilder, LayerReport]) -> None:
    b, report = layer
    for cell in ("bmsc", "osteoblast", "osteocyte", "osteoclast"):
        assert report.pools[f"exo_{cell}"]["kind"] == "endogenous"
    assert b.exosome_layer is not None and b.exosome_layer.report is report
    plans = b.exosome_layer.dose_plans
    for name in EXOGENOUS_SOURCES:
        assert name in plans  # written when first dosed
        assert b.get_state(plans[name].state) is None


def test_dosing_writes_the_pool_and_joins_the_signals(atlas: Atlas) -> None:
    b = toy_core()
    layer = add_layer(b, atlas)
    state = add_dose_pool(b, "adipose-msc-tnf")
    assert add_dose_pool(b, "adipose-msc-tnf") == state  # once
    assert layer.dose_pools == {"adipose-msc-tnf": state}
    assert layer.report.pools[state] == {"cell": "adipose_msc", "kind": "dose",
                                         "source": "adipose-msc-tnf"}
    # the metadata keep the JSON report, refreshed with the new pool (provenance)
    assert b.metadata["exosome_layer_report"]["pools"][state]["kind"] == "dose"
    b.add_event("dose", {state: f"{state} + 50"}, at_times=(0.0,))
    signal = b.get_assignment("exo_dose_signal__adipose_msc__WNT3A")
    assert signal is not None and state in signal.expr
    wnt = b.get_assignment(f"cargo_{state}__WNT3A")
    assert wnt is not None and "mech_1018" in wnt.expr  # TNF priming raises Wnt-3a (MECH:1018)
    traj = simulate(b.build(), (0.0, 7.0), saveat=SaveAt(times=[0.0, 7.0]))
    assert traj["m_ob_maturation"][0] > 1.0


def test_healthy_model_stays_at_rest_and_metadata_round_trips(atlas: Atlas) -> None:
    b = toy_core()
    add_layer(b, atlas)
    spec = b.build()
    report = LayerReport.from_dict(spec.metadata["exosome_layer_report"])
    assert len(report.mechanisms) == len(atlas.mechanisms)
    traj = simulate(spec, (0.0, 20.0), saveat=SaveAt(times=[0.0, 20.0]))
    for cell in ("bmsc", "osteoclast"):
        assert traj[f"exo_{cell}"][-1] == pytest.approx(traj[f"exo_{cell}"][0], rel=1e-6)
    for name in ("m_osteogenic_commitment", "m_bone_resorption"):
        np.testing.assert_allclose(traj[name], 1.0, rtol=1e-9)


def test_exogenous_sources_include_every_atlas_transfer_source(atlas: Atlas) -> None:
    sources = exogenous_sources(atlas)
    cells = {s.atlas_key or s.cell for s in sources.values()}
    for m in atlas.mechanisms.values():
        if m.kind.value == "exosome_transfer" and m.source != "unspecified_cell":
            assert m.source in cells or m.source in {"msc"}, m.source
    tnf = sources["adipose-msc-tnf"]
    assert tnf.conditions == ("TNF",) and "adipose_msc" in tnf.lineage


_NEW_MECHANISM = """
- id: MECH:9990
  kind: exosome_transfer
  source: osteoclast
  target: osteoclast_precursor
  effect: osteoclast_differentiation
  direction: increase
  evidence:
    - citation: {first_author: Test, year: 2024}
      read_in: 001_21c82cee311890fc.txt
      quote: "test"
      quote_en: "test"
      setting: in_vitro
"""


def test_adding_a_mechanism_yaml_changes_the_model_without_code(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    before = load_atlas(data)
    (data / "mechanisms" / "zz_test.yaml").write_text(_NEW_MECHANISM, encoding="utf-8")
    after = load_atlas(data)
    assert "MECH:9990" in after.mechanisms

    def run(a: Atlas) -> tuple[ModelBuilder, np.ndarray]:
        b = toy_core()
        add_layer(b, a)
        b.set_parameter("rab27a_osteoclast", 0.0)  # move the osteoclast pool off baseline
        traj = simulate(b.build(), (0.0, 10.0), saveat=SaveAt(times=[0.0, 10.0]))
        return b, traj["m_oc_differentiation"]

    b0, m0 = run(before)
    b1, m1 = run(after)
    assert b0.get_parameter("mech_9990_weight") is None
    assert b1.get_parameter("mech_9990_weight") is not None
    assert any("MECH:9990" in f.mechanisms for f in b1.factors("oc_differentiation"))
    assert m1[-1] < m0[-1]  # less osteoclast exosome -> less of the new promoting effect


def test_every_layer_term_names_its_provenance(atlas: Atlas) -> None:
    b = toy_core()
    add_layer(b, atlas)
    add_dose_pool(b, "bmsc")
    spec = b.build()
    for term in spec.terms:
        if term.name.startswith("exo_"):
            assert term.mechanisms, term.name


def test_exosomes_that_raise_release_scale_the_target_pool() -> None:
    spec = build_model("lung-tumor-angiogenesis")
    report = LayerReport.from_dict(spec.metadata["exosome_layer_report"])
    status = report.status("MECH:0400")  # lung tumour exosomes -> fibroblast exosome release
    assert status is not None and status.compiled
    assert status.sinks == ("secretion:exo_fibroblast",)
    (release,) = [a for a in spec.assignments if a.name == "exo_fibroblast_release"]
    assert "mech_0400_emax" in release.expr


def test_an_unspecified_source_is_attributed_only_to_its_contexts_disease_cells() -> None:
    """MECH:0405 ('other exosomal cargoes directly trigger angiogenesis', lung cancer) has no
    named source: with lung tumour cells in the model it acts through their exosomes, and the
    report says so; without them (healthy, myeloma) it stays uncompiled: out of its context
    (lung cancer) in both."""
    lung = LayerReport.from_dict(
        build_model("lung-tumor-angiogenesis").metadata["exosome_layer_report"])
    status = lung.status("MECH:0405")
    assert status is not None and status.compiled
    assert status.sinks == ("process:angiogenesis",)
    assert "attributed to the lung_tumor_cell exosomes" in status.detail
    assert "modelling assumption" in status.detail
    for other in ("healthy", "myeloma"):
        report = LayerReport.from_dict(build_model(other).metadata["exosome_layer_report"])
        st = report.status("MECH:0405")
        assert st is not None and not st.compiled and st.reason == Reason.CONDITION_INACTIVE


def test_drug_regulators_are_left_to_the_registered_drug_kinds(atlas: Atlas) -> None:
    """The assembler passes the registered intervention kinds; the layer does not look them up.
    MECH:4004 names the atlas class antiresorptive_drug, whose members are drug kinds."""
    # MECH:4004 is an osteoporosis claim: the context is made active so that it binds
    with_kinds = add_scenario_exosome_layer(toy_core(), atlas, scenario="healthy", species="rat",
                                            extra_contexts=("osteoporosis",)
                                            ).report.status("MECH:4004")
    assert with_kinds is not None and with_kinds.reason == Reason.INTERVENTION
    assert "denosumab" in with_kinds.detail
    b = toy_core()
    without = add_exosome_layer(b, atlas, scenario="healthy", species="rat",
                                contexts=("healthy", "osteoporosis"),
                                drug_kinds=()).report.status("MECH:4004")
    assert without is not None and without.reason == Reason.REGULATOR_NOT_IN_MODEL


def test_a_builder_takes_one_exosome_layer(atlas: Atlas) -> None:
    b = toy_core()
    add_layer(b, atlas)
    with pytest.raises(ModelError, match="already has an exosome layer"):
        add_layer(b, atlas)


def test_layer_state_is_typed_on_the_builder_not_read_from_metadata() -> None:
    b = assemble_model("ovx", ["exosome:hipsc-msc,dose=100,start=28,every=7"])
    layer = b.exosome_layer
    assert layer is not None
    assert layer.dose_pools == {"hipsc-msc": "exo_dose_hipsc_msc"}
    assert layer.rab27a["osteoclast"] == "rab27a_osteoclast"
    assert all(b.get_parameter(k.parameter) is not None for k in layer.cargo)
    assert all(b.get_parameter(k.parameter) is not None for k in layer.levels)
    assert "CD9" in layer.marker_genes
    assert set(layer.endogenous_pools().values()) >= {"osteoclast", "osteoblast", "bmsc"}
    report = b.build().metadata["exosome_layer_report"]
    assert report["knobs"]["dose_pools"] == layer.dose_pools  # the JSON mirrors the state


def test_the_layer_evaluates_with_the_model_expression_language() -> None:
    """One evaluator (model/expressions.py): functions work; unknown names are refused."""
    assert ex.evaluate("min(x, 2) + sqrt(y)", {"x": 4.0, "y": 9.0}) == 5.0
    assert ex.evaluate("piecewise(1, x > 3, 0)", {"x": 4.0}) == 1.0
    with pytest.raises(ModelError, match="unknown"):
        ex.evaluate("x + z", {"x": 1.0})
    with pytest.raises(ModelError, match="not a finite number"):
        ex.evaluate("1/x", {"x": 0.0})
