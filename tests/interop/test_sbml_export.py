"""SBML export: every scenario passes libsbml's checks and libroadrunner reproduces exobone's run.

Agreement is measured per state as ``max |a - b| / max(|b|, 1e-6 * max|b|)`` over one year on a
weekly grid, both simulators at rtol 1e-10 / atol 1e-12, and must be at most 1e-4.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import libsbml
import numpy as np
import pytest

from exobone.cli import main
from exobone.errors import ExportError
from exobone.interop.sbml import check_document, export_sbml, write_sbml
from exobone.interop.sbml.export import ANNOTATION_NS, to_sbml_document
from exobone.interop.sbml.units import parse_unit, unit_id
from exobone.model import Assumed, Event, ModelSpec, Parameter, State, Term
from exobone.model.assemble import build_model
from exobone.model.scenarios import SCENARIOS
from exobone.simulate import SaveAt, Tolerances, simulate

RTOL, ATOL = 1e-10, 1e-12
TOLERANCE = 1e-4
GRID = np.linspace(0.0, 365.0, 53)
DOSING = ("exosome:bmsc,dose=100,start=28,every=7,stop=84", "denosumab,start=28")


@pytest.fixture(scope="module")
def roadrunner():
    import roadrunner  # the 'test' extra installs it: a missing one is an error, not a skip

    return roadrunner


@cache
def built(scenario: str, interventions: tuple[str, ...] = ()) -> ModelSpec:
    return build_model(scenario, interventions)


def rel_diff(ours: np.ndarray, theirs: np.ndarray) -> float:
    scale = float(np.max(np.abs(theirs)))
    if scale == 0.0:
        return float(np.max(np.abs(ours)))
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-6 * scale)))


def roadrunner_vs_exobone(roadrunner, spec: ModelSpec) -> dict[str, float]:
    text = export_sbml(spec)
    traj = simulate(spec, (0.0, 365.0), saveat=SaveAt(times=GRID),
                    tolerances=Tolerances(rtol=RTOL, atol=ATOL))
    rr = roadrunner.RoadRunner(text)
    rr.integrator.relative_tolerance = RTOL
    rr.integrator.absolute_tolerance = ATOL
    rr.integrator.setValue("maximum_num_steps", 500_000)
    res = np.array(rr.simulate(0.0, 365.0, GRID.size, ["time", *spec.state_names]))
    np.testing.assert_allclose(res[:, 0], GRID, atol=1e-9)
    return {s: rel_diff(traj[s], res[:, j + 1]) for j, s in enumerate(spec.state_names)}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_scenario_exports_consistent_sbml_that_roadrunner_reproduces(roadrunner,
                                                                            scenario: str):
    spec = built(scenario)
    diffs = roadrunner_vs_exobone(roadrunner, spec)
    worst = max(diffs.values())
    assert worst <= TOLERANCE, {k: v for k, v in diffs.items() if v > TOLERANCE}


def test_dosing_events_reproduced_by_roadrunner(roadrunner):
    spec = built("ovx", DOSING)
    assert any(e.scheduled for e in spec.events)
    diffs = roadrunner_vs_exobone(roadrunner, spec)
    assert max(diffs.values()) <= TOLERANCE, diffs
    assert "exo_dose_bmsc" in diffs  # the dosed pool is compared too


def test_export_has_no_consistency_errors_units_and_provenance():
    spec = built("ovx", DOSING)
    doc = to_sbml_document(spec)
    assert check_document(doc) == []
    assert (doc.getLevel(), doc.getVersion()) == (3, 2)
    model = doc.getModel()
    assert model.getTimeUnits() == "u_day"
    assert model.getUnitDefinition("u_day").getUnit(0).getMultiplier() == 86400.0
    ud = model.getUnitDefinition(unit_id("1/(pM*day)"))
    assert ud is not None and ud.getNumUnits() == 3
    # every term is a reaction annotated with its mechanisms and citations
    term = spec.get_term("osteogenic_commitment")
    rxn = model.getReaction("osteogenic_commitment")
    annotation = rxn.getAnnotationString()
    assert ANNOTATION_NS in annotation
    for mech in term.mechanisms:
        assert f'id="{mech}"' in annotation
    assert 'pmid="15234198"' in annotation
    assert "pubmed:15234198" in annotation  # MIRIAM isDescribedBy
    assert model.getNumReactions() == len(spec.terms)
    # every assignment is a rule with its provenance
    assert model.getNumRules() == len(spec.assignments)
    # a weekly dose for 9 weeks becomes 9 events
    assert sum(1 for e in model.getListOfEvents() if e.getId().startswith("dose_bmsc_")) == 9


def test_exported_log_is_natural_and_initial_expressions_become_initial_assignments():
    src = Assumed("toy")
    spec = ModelSpec(
        "toy",
        states=[State("x", 2.0, unit="pM"), State("y", "k*2", unit="1")],
        parameters=[Parameter("k", 0.5, unit="1/day", source=src)],
        terms=[Term("grow", "k*log(x)*y^2", {"y": 1}), Term("decay", "k*x", {"x": -1})],
        events=[Event("bump", {"x": "x + 1"}, trigger="y > 2")],
    )
    model = libsbml.readSBMLFromString(export_sbml(spec)).getModel()
    formula = libsbml.formulaToL3String(model.getReaction("grow").getKineticLaw().getMath())
    assert "ln(x)" in formula and "log10" not in formula
    assert libsbml.formulaToL3String(model.getInitialAssignment("y").getMath()) == "2 * k"
    assert model.getEvent("bump").getTrigger().getInitialValue() is True


def test_unit_parser():
    assert parse_unit("rel. to healthy") is None
    assert [u.exponent for u in parse_unit("pM^2/day")] == [2.0, -2.0, -1.0]
    assert unit_id("%/day") == "u_percent_per_day"


def test_bad_export_names_the_problem(monkeypatch):
    def broken(doc):
        return ["line 1: something is wrong"]

    monkeypatch.setattr("exobone.interop.sbml.export.check_document", broken)
    with pytest.raises(ExportError, match="1 consistency error"):
        export_sbml(built("healthy"))


def test_cli_export_sbml(tmp_path: Path, capsys):
    out = tmp_path / "ovx.xml"
    code = main(["export", "sbml", "ovx", "--intervention", "denosumab,start=28",
                 "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    doc = libsbml.readSBMLFromFile(str(out))
    # the rat's default denosumab regimen is one s.c. dose on the start day
    event = doc.getModel().getEvent("denosumab_dose_event_0")
    assert event is not None and doc.getModel().getNumEvents() == 1
    assert "28" in libsbml.formulaToL3String(event.getTrigger().getMath())
    assert "ovx" in capsys.readouterr().out
    code = main(["export", "sbml", "ovxx", "-o", str(tmp_path / "bad.xml")])
    assert code == 1
    assert "did you mean 'ovx'" in capsys.readouterr().err


def test_write_sbml_roundtrip_file(tmp_path: Path):
    path = write_sbml(built("healthy"), tmp_path / "healthy.xml")
    assert libsbml.readSBMLFromFile(str(path)).getNumErrors() == 0


def test_state_triggered_event_and_start_dose_reproduced(roadrunner):
    src = Assumed("toy")
    spec = ModelSpec(
        "toy",
        states=[State("x", 2.0, unit="pM"), State("y", "k*2", unit="1")],
        parameters=[Parameter("k", 0.5, unit="1/day", source=src)],
        terms=[Term("grow", "k*log(x + 2)*y", {"y": 1}), Term("decay", "k*x", {"x": -1})],
        events=[Event("bump", {"x": "x + 1"}, trigger="y > 2"),
                Event("dose", {"y": "y + 0.5"}, at_times=(0.0, 3.0))],
    )
    grid = np.linspace(0.0, 6.0, 25)
    traj = simulate(spec, (0.0, 6.0), saveat=SaveAt(times=grid),
                    tolerances=Tolerances(rtol=RTOL, atol=ATOL))
    assert {name for _, name in traj.events} == {"dose", "bump"}
    rr = roadrunner.RoadRunner(export_sbml(spec))
    rr.integrator.relative_tolerance = RTOL
    rr.integrator.absolute_tolerance = ATOL
    res = np.array(rr.simulate(0.0, 6.0, grid.size, ["time", "x", "y"]))
    keep = ~np.isin(grid, [0.0, 3.0])  # at a dose instant the two report pre/post differently
    for j, name in enumerate(("x", "y")):
        assert rel_diff(traj[name][keep], res[keep, j + 1]) <= TOLERANCE


def test_export_then_import_round_trip_matches_exobone():
    from exobone.interop.sbml import import_sbml

    spec = built("ovx", DOSING)
    back = import_sbml(export_sbml(spec))
    assert set(back.state_names) == set(spec.state_names)
    tol = Tolerances(rtol=RTOL, atol=ATOL)
    a = simulate(spec, (0.0, 365.0), saveat=SaveAt(times=GRID), tolerances=tol)
    b = simulate(back, (0.0, 365.0), saveat=SaveAt(times=GRID), tolerances=tol)
    worst = max(rel_diff(b[s], a[s]) for s in spec.state_names)
    assert worst <= TOLERANCE
