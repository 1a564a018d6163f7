"""The bone core: balanced, stable healthy state; remodeling cycle; sources; the builder seam."""

from __future__ import annotations

import numpy as np
import pytest

from exobone.errors import ModelError, UnknownNameError
from exobone.model.assemble import build_model
from exobone.model.builder import ModelBuilder
from exobone.model.core import CELL_STATES, add_core, healthy_values
from exobone.model.parameters import Assumed, Fitted, Reference
from exobone.model.spec import Event
from exobone.simulate import SaveAt, compile_model, simulate

DEFECT = {"healing_signal", "defect_vessels", "defect_progenitors", "defect_osteoblasts",
          "defect_fill"}


@pytest.fixture(scope="module")
def core():
    return build_model("healthy", exosome_layer=False)


@pytest.fixture(scope="module")
def full():
    return build_model("healthy")


def test_healthy_values_are_a_steady_state(core) -> None:
    cm = compile_model(core)
    p = cm.parameter_vector(core, None)
    y = cm.initial_state(core, p, None)
    assert dict(zip(cm.states, y.tolist())) == pytest.approx(healthy_values("rat"))
    assert np.abs(cm.rhs(0.0, y, p)).max() < 1e-12


@pytest.mark.parametrize("layer", [False, True], ids=["core", "with-exosome-layer"])
def test_bv_tv_drift_is_below_a_tenth_of_a_percent_per_year(layer: bool, core, full) -> None:
    model = full if layer else core
    years = 5
    traj = simulate(model, (0.0, 365.0 * years),
                    saveat=SaveAt(times=np.linspace(0, 365.0 * years, years + 1)))
    bv = traj["bv_tv"]
    drift_per_year = np.abs(np.diff(bv)) / bv[0] * 100
    assert drift_per_year.max() < 0.1
    for cell in CELL_STATES:
        assert traj[cell][-1] == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("layer", [False, True], ids=["core", "with-exosome-layer"])
def test_jacobian_at_healthy_state_has_negative_eigenvalues(layer: bool, core, full) -> None:
    model = full if layer else core
    cm = compile_model(model)
    p = cm.parameter_vector(model, None)
    y = cm.initial_state(model, p, None)
    jac = cm.jacobian(0.0, y, p)
    # the defect compartment is inert without a defect (fill is neutrally stable at 1)
    keep = [i for i, name in enumerate(cm.states) if name not in DEFECT]
    eig = np.linalg.eigvals(jac[np.ix_(keep, keep)])
    assert eig.real.max() < 0


def test_remodeling_cycle_resorption_weeks_formation_months(core) -> None:
    """A two-week RANKL stimulus: resorption is raised for weeks, formation for months."""
    stim = (Event("stimulus_on", {"rankl_stimulus": "3"}, at_times=(0.0,)),
            Event("stimulus_off", {"rankl_stimulus": "1"}, at_times=(14.0,)))
    t = np.arange(0.0, 400.0, 1.0)
    traj = simulate(core, (0.0, 399.0), events=stim, saveat=SaveAt(times=t))
    res = traj["resorption_rate"] / traj["resorption_rate"][0]
    form = traj["formation_rate"] / traj["formation_rate"][0]
    res_days = t[res > 1.1]
    form_days = t[form > 1.02]
    assert 7 <= res_days.max() - res_days.min() <= 42          # weeks
    assert form_days.max() - form_days.min() >= 60              # months
    assert form_days.min() > res_days.min()                     # formation follows resorption
    assert t[np.argmax(form)] > t[np.argmax(res)]
    assert traj["bv_tv"][-1] == pytest.approx(traj["bv_tv"][0], rel=0.02)  # refilled


def test_every_parameter_has_a_source_and_every_term_a_mechanism(core, full) -> None:
    for p in full.parameters:
        assert isinstance(p.source, (Reference, Assumed, Fitted)), p.name
    for term in core.terms:
        assert term.mechanisms, f"term {term.name} names no mechanism"


def test_only_read_dois_are_cited(core) -> None:
    dois = {p.source.doi for p in core.parameters
            if isinstance(p.source, Reference) and p.source.doi}
    # Wronski 1985; the QCT cohort of physiology.yaml qct_population_trabecular_loss_young_adults
    # (DOI read on its PubMed record)
    assert dois <= {"10.1007/BF02554882", "10.1359/jbmr.071020"}


def test_markers_and_outcomes_exist(core) -> None:
    names = set(core.state_names) | set(core.assignment_names)
    for name in ("bv_tv", "osteoblasts", "osteoclasts", "alp", "runx2", "ocn", "opn", "trap",
                 "ctsk", "mmp9", "ctx", "p1np", "defect_fill", "vessel_density", "adipocytes"):
        assert name in names
    marker = next(a for a in core.assignments if a.name == "ctx")
    assert "assumed" in marker.description


def test_explain_osteoclasts_names_terms_and_citations(core) -> None:
    terms = {e.term: e for e in core.explain("osteoclasts")}
    assert set(terms) == {"oc_differentiation", "oc_apoptosis"}
    assert any(c.first_author == "Komarova" for c in terms["oc_apoptosis"].citations)


def test_core_declares_its_cells_as_exosome_sources() -> None:
    b = ModelBuilder()
    add_core(b)
    assert b.sources["osteoclast"] == "osteoclasts"
    assert b.sources["bmsc"] == "bmsc"


def test_unknown_species_is_rejected_with_a_suggestion() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'mouse'"):
        add_core(ModelBuilder(), species="mous")


# ------------------------------------------------------------------------- builder seam
def _toy() -> ModelBuilder:
    b = ModelBuilder("toy")
    b.add_state("osteoclasts", 1.0, unit="1")
    b.add_parameter("k", 0.5, unit="1/day", source=Assumed("toy"))
    b.add_term("loss", "k*osteoclasts*m_oc_apoptosis", {"osteoclasts": -1}, mechanisms=("x",))
    return b


def test_factors_multiply_into_the_modifier() -> None:
    b = _toy()
    b.add_parameter("drug", 2.0, unit="1", source=Assumed("toy"))
    b.add_factor("oc_apoptosis", "drug", description="doubles apoptosis")
    b.add_factor("oc_apoptosis", "1.5")
    spec = b.build()
    traj = simulate(spec, (0.0, 1.0), saveat=SaveAt(times=[0.0, 1.0]))
    assert traj["m_oc_apoptosis"][0] == pytest.approx(3.0)
    assert traj["osteoclasts"][-1] == pytest.approx(np.exp(-1.5), rel=1e-5)
    assert "doubles apoptosis" in next(a for a in spec.assignments
                                       if a.name == "m_oc_apoptosis").description


def test_assignments_are_ordered_by_dependency() -> None:
    b = _toy()
    b.add_factor("oc_apoptosis", "late_signal")       # uses an assignment declared later
    b.add_assignment("late_signal", "2*osteoclasts")
    spec = b.build()
    order = spec.assignment_names
    assert order.index("late_signal") < order.index("m_oc_apoptosis")


def test_builder_rejects_clashes_cycles_and_unknown_processes() -> None:
    b = _toy()
    with pytest.raises(ModelError, match="already used"):
        b.add_parameter("osteoclasts", 1.0, unit="1", source=Assumed("toy"))
    with pytest.raises(UnknownNameError, match="did you mean 'oc_apoptosis'"):
        b.add_factor("oc_apoptosiss", "2")
    b.add_assignment("a", "b_sym + 1")
    b.add_assignment("b_sym", "a + 1")
    with pytest.raises(ModelError, match="cycle"):
        b.build()


def test_build_model_records_metadata() -> None:
    spec = build_model("ovx", ["denosumab,start=28"], species="mouse", exosome_layer=False)
    md = spec.metadata
    assert md["scenario"] == "ovx" and md["species"] == "mouse"
    assert list(md["interventions"]) == ["denosumab:start=28"]
    assert md["exosome_layer_applied"] is False
    assert md["atlas_version"]


def test_parameters_said_to_be_fitted_are_those_the_calibration_fits(core) -> None:
    import ast
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "calibrate_ovx.py"
    tree = ast.parse(script.read_text(encoding="utf-8"))
    fitted = next(ast.literal_eval(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Assign)
                  and any(getattr(t, "id", "") == "FITTED" for t in node.targets))
    said = {p.name for p in core.parameters
            if isinstance(p.source, Reference) and "calibrate_ovx.py" in p.source.note}
    assert said == set(fitted)
