"""Two behaviours the SBML Test Suite count rests on (suite cases 01592, 01593, 01523, 01536).

1. ``run_sbml``'s default tolerances: the run at the scaled absolute tolerances is checked by a
   rerun with absolute tolerances under each state's smallest saved value; when that rerun
   fails in the solver, the first run stands and a ``RuntimeWarning`` names the model. When the
   rerun succeeds, no warning and the finer run is the result.
2. The method of steps caps segments at the shortest delay only where a kernel the solver calls
   inside its steps reads a delay; a delay read only by event assignments, at the event's time,
   reads the history of finished segments, so the run is not cut into ``span / tau`` pieces.
"""

from __future__ import annotations

import warnings

import libsbml
import numpy as np
import pytest

import exobone.interop.sbml.run as sbml_run
from exobone.errors import SimulationError
from exobone.interop.sbml import import_sbml
from exobone.simulate import SaveAt, Tolerances, simulate
from exobone.simulate.compile import compile_model
from exobone.simulate.delays import History, read_within_steps


def _decay_model(*, rate: float = 0.5) -> str:
    """x' = -rate x from x = 1 (so x falls decades over a long run), y constant."""
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("falling")
    c = m.createCompartment()
    c.setId("c")
    c.setSize(1.0)
    c.setConstant(True)
    for sid in ("x", "y"):
        s = m.createSpecies()
        s.setId(sid)
        s.setCompartment("c")
        s.setInitialConcentration(1.0)
        s.setHasOnlySubstanceUnits(False)
        s.setBoundaryCondition(False)
        s.setConstant(False)
    p = m.createParameter()
    p.setId("k")
    p.setValue(rate)
    p.setConstant(True)
    _reaction(m, "loss", "k * x * c")
    return libsbml.writeSBMLToString(doc)


def _reaction(m: libsbml.Model, rid: str, formula: str) -> None:
    r = m.createReaction()
    r.setId(rid)
    r.setReversible(False)
    ref = r.createReactant()
    ref.setSpecies("x")
    ref.setStoichiometry(1.0)
    ref.setConstant(True)
    r.createKineticLaw().setMath(libsbml.parseL3Formula(formula))


# ----------------------------------------------------------------------- the finer-atol rerun
def test_finer_rerun_replaces_the_scaled_run_without_a_warning() -> None:
    # x falls to exp(-50) ~ 2e-22, far under the scaled atol (1e-12): the rerun is needed
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        run = sbml_run.run_sbml(_decay_model(), duration=100.0, points=11)
    want = np.exp(-0.5 * run.times)
    assert np.max(np.abs(run.values["x"] / want - 1.0)) < 1e-4  # rtol 1e-8 over 50 e-folds
    # where the run at the scaled tolerances alone is wrong in the small values
    scaled = simulate(run.spec, (0.0, 100.0), saveat=SaveAt(times=run.times),
                      tolerances=sbml_run.safe_tolerances(run.spec))
    assert np.max(np.abs(scaled["x"] / want - 1.0)) > 1e-2
    # the reported run is the finer one: the trajectory's tolerances are under min|x| rtol/100
    atol = run.trajectory.provenance.solver["atol"]
    assert atol["x"] < 1e-20 < sbml_run.safe_tolerances(run.spec).atol["x"]


def test_failed_rerun_leaves_the_scaled_run_with_a_warning(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    # the solver's failure on the rerun (01592's "step size too small" at atol ~1e-20) is
    # stood in for by a simulate that raises on the second call of the run
    real = sbml_run.simulate
    calls: list[object] = []

    def failing_rerun(*args: object, **kwargs: object) -> object:
        calls.append(kwargs["tolerances"])
        if len(calls) == 2:
            raise SimulationError("step size too small at t = 1.998")
        return real(*args, **kwargs)

    monkeypatch.setattr(sbml_run, "simulate", failing_rerun)
    with pytest.warns(RuntimeWarning, match=r"falling: the rerun .* failed \(step size too "
                                            r"small at t = 1.998\); the run at the scaled "
                                            r"tolerances stands"):
        run = sbml_run.run_sbml(_decay_model(), duration=100.0, points=11)
    assert len(calls) == 2
    scaled, finer = calls
    assert finer.atol["x"] < scaled.atol["x"]  # type: ignore[attr-defined]
    # the result is the first run's, at the scaled tolerances
    assert run.trajectory.provenance.solver["atol"]["x"] == scaled.atol["x"]  # type: ignore[attr-defined]


def test_no_rerun_and_no_warning_when_the_scaled_run_resolves_every_state(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = sbml_run.simulate
    calls: list[object] = []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(kwargs["tolerances"])
        return real(*args, **kwargs)

    monkeypatch.setattr(sbml_run, "simulate", counted)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        # x only falls to exp(-0.05): the scaled atol (1e-12) is far under rtol/100 * min|x|
        sbml_run.run_sbml(_decay_model(rate=0.005), duration=10.0, points=3)
    assert len(calls) == 1


# -------------------------------------------------------------- the method of steps' segments
def _delay_model(where: str) -> str:
    """x' = -k x; a delay of 0.01 read in an event assignment (y := delay(x, 0.01) at
    time >= 5) or in a kinetic law."""
    doc = libsbml.readSBMLFromString(_decay_model())
    m = doc.getModel()
    if where == "event":
        ev = m.createEvent()
        ev.setId("sample")
        ev.setUseValuesFromTriggerTime(True)
        trig = ev.createTrigger()
        trig.setInitialValue(False)
        trig.setPersistent(True)
        trig.setMath(libsbml.parseL3Formula("time >= 5"))
        ea = ev.createEventAssignment()
        ea.setVariable("y")
        ea.setMath(libsbml.parseL3Formula("delay(x, 0.01)"))
    else:
        _reaction(m, "delayed_loss", "0.1 * delay(x, 0.01)")
    return libsbml.writeSBMLToString(doc)


def _segments(spec: object, monkeypatch: pytest.MonkeyPatch) -> tuple[object, int]:
    added: list[float] = []
    real_add = History.add

    def counting_add(self: History, start: float, end: float, dense: object,
                     p: np.ndarray) -> None:
        added.append(end - start)
        real_add(self, start, end, dense, p)

    monkeypatch.setattr(History, "add", counting_add)
    traj = simulate(spec, (0.0, 10.0), saveat=SaveAt(times=[4.0, 6.0, 10.0]),
                    tolerances=Tolerances(rtol=1e-10, atol=1e-14))
    return traj, len(added)


def test_delay_read_only_by_an_event_does_not_cap_segments(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    spec = import_sbml(_delay_model("event"))
    assert not read_within_steps(compile_model(spec).source)
    traj, n = _segments(spec, monkeypatch)
    # without the cap: segments end only at the event (not 10 / 0.01 = 1000 of them)
    assert n < 10
    # y takes x's value 0.01 before the event, read from the finished segment's dense output
    assert traj["y"].tolist() == pytest.approx([1.0, np.exp(-0.5 * 4.99), np.exp(-0.5 * 4.99)],
                                               rel=1e-8)


def test_delay_read_inside_steps_caps_segments_at_the_shortest_delay(
        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = import_sbml(_delay_model("kinetic law"))
    assert read_within_steps(compile_model(spec).source)
    _, n = _segments(spec, monkeypatch)
    assert n >= 1000  # the method of steps: no segment longer than the delay of 0.01
