"""Dose boluses in a calibration objective: which events the compiled ensemble runs exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from exobone.analysis.calibrate.boluses import why_not_boluses
from exobone.model import Assumed, Event, ModelSpec, Parameter, State, Term

PETAB = Path(__file__).resolve().parents[2] / "data" / "calibration" / "petab"


def _toy(event: Event) -> ModelSpec:
    src = Assumed("toy")
    return ModelSpec(
        "toy", states=[State("depot", 0.0, unit="mg"), State("x", 1.0, unit="pM")],
        parameters=[Parameter("dose", 2.0, unit="mg", source=src),
                    Parameter("f", 0.5, unit="1", source=src),
                    Parameter("k", 0.3, unit="1/day", source=src)],
        assignments=[],
        terms=[Term("absorb", "k*depot", {"depot": -1, "x": 1}),
               Term("decay", "k*x", {"x": -1})],
        events=[event])


def test_a_scheduled_dose_or_switch_of_parameters_is_exact_on_the_ensemble():
    assert why_not_boluses(_toy(Event("dose_event", {"depot": "depot + f*dose/1000"},
                                      at_times=(0.0, 7.0)))) == ""
    assert why_not_boluses(_toy(Event("dose_event", {"depot": "depot + 3"},
                                      at_times=(1.0,)))) == ""
    switch = _toy(Event("on", {"k": "2*f"}, at_times=(0.0,)))
    assert why_not_boluses(switch) == ""
    # the objective's ensemble frames hold k from the member's row: an observable of k is not
    assert "switches the parameter 'k', which an observable reads" in \
        why_not_boluses(switch, frozenset({"x", "k"}))


@pytest.mark.parametrize(("event", "why"), [
    (Event("e", {"depot": "depot + dose"}, trigger="x > 2"), "'e' is state-triggered"),
    (Event("e", {"k": "2*k + x"}, at_times=(1.0,)), "reads 'x'"),
    (Event("e", {"depot": "depot + x"}, at_times=(1.0,)), "reads 'x'"),
    (Event("e", {"depot": "2*depot"}, at_times=(1.0,)), "reads 'depot'"),
])
def test_other_events_stay_on_the_reference_solver(event: Event, why: str):
    assert why in why_not_boluses(_toy(event))


@pytest.mark.slow  # compiles each human pmo + drug model for the ensemble backend once
@pytest.mark.parametrize("problem", ["human_pmo_denosumab", "human_pmo_teriparatide"])
def test_drug_problem_on_the_ensemble_matches_the_reference_solver(problem: str):
    from exobone.analysis.calibrate import Objective, load_petab, with_validation

    obj = Objective(with_validation(load_petab(PETAB / problem)))
    assert obj.prob.model.events and obj.batchable
    theta = obj.theta_nominal * 0.9  # away from the table's values
    h_ref, sigma = obj.predict(theta)
    frames = obj.simulate_many(np.array([theta]))[0]
    assert not isinstance(frames, str), frames
    h_fast, _ = obj.observe(frames, obj.table_values(theta))
    # the doses move the prediction: placebo and treated arms differ
    assert np.ptp(h_ref) > 1.0
    assert h_fast == pytest.approx(h_ref, rel=1e-6, abs=1e-5)
    ref_llh = obj.log_likelihood(theta)
    meas = obj.y
    fast_llh = float(np.sum(-0.5 * np.log(2 * np.pi * sigma ** 2)
                            - 0.5 * ((h_fast - meas) / sigma) ** 2))
    assert {o["transform"] for o in obj.observables.values()} == {"lin"}
    assert {o["noise"] for o in obj.observables.values()} == {"normal"}
    assert fast_llh == pytest.approx(ref_llh, abs=1e-3)
