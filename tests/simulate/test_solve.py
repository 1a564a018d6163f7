"""The reference solver: known answers, events, failures as data, provenance, compiled kernels."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from exobone.errors import InvalidInputError, ModelError, SimulationError, UnknownNameError
from exobone.model import Assignment, Assumed, Event, ModelSpec, Parameter, State, Term
from exobone.model.reference import REFERENCE_MODELS, decay_with_bolus, linear_decay
from exobone.simulate import SaveAt, Status, Tolerances, compile_model, simulate

TIGHT = Tolerances(rtol=1e-10, atol=1e-12)
SRC = Assumed("test")


@pytest.mark.parametrize("solver", ["LSODA", "BDF", "Radau"])
def test_linear_decay_matches_exact_solution(solver: str) -> None:
    traj = simulate(linear_decay(rate=0.3), (0.0, 10.0), solver=solver, tolerances=TIGHT,
                    saveat=SaveAt(times=np.linspace(0, 10, 11)))
    np.testing.assert_allclose(traj["x"], np.exp(-0.3 * traj.times), rtol=1e-7)
    np.testing.assert_allclose(traj["half_life"], math.log(2) / 0.3)  # assignments are outputs
    assert traj.ok and traj.status is Status.OK


def test_parameter_and_initial_overrides() -> None:
    spec = linear_decay(rate=0.3)
    times = np.linspace(0, 5, 6)
    by_name = simulate(spec, (0, 5), params={"k": 0.7}, initial={"x": 2.0}, tolerances=TIGHT,
                       saveat=SaveAt(times=times))
    np.testing.assert_allclose(by_name["x"], 2.0 * np.exp(-0.7 * times), rtol=1e-7)
    by_vector = simulate(spec, (0, 5), params=np.array([0.7]), initial={"x": 2.0},
                         tolerances=TIGHT, saveat=SaveAt(times=times))
    np.testing.assert_allclose(by_vector["x"], by_name["x"])
    assert by_name.provenance.parameters == {"k": 0.7}


def test_initial_value_expression_follows_parameters() -> None:
    spec = linear_decay().with_initial(x="3 * k")
    traj = simulate(spec, (0, 1), params={"k": 0.5}, saveat=SaveAt(times=[0.0]))
    assert traj["x"][0] == pytest.approx(1.5)


def bolus_exact(t: np.ndarray, rate: float, dose: float, times: tuple[float, ...]) -> np.ndarray:
    return np.exp(-rate * t) + sum(dose * np.exp(-rate * (t - ti)) * (t >= ti) for ti in times)


@pytest.mark.parametrize("solver", ["LSODA", "BDF", "Radau"])
def test_scheduled_bolus_is_applied_exactly(solver: str) -> None:
    times = (2.0, 5.5, 10.0)  # one on a save time, one between, one at the end
    spec = decay_with_bolus(rate=0.3, dose=2.0, times=times)
    grid = np.linspace(0, 10, 21)
    traj = simulate(spec, (0.0, 10.0), solver=solver, tolerances=TIGHT, saveat=SaveAt(times=grid))
    np.testing.assert_allclose(traj["x"], bolus_exact(grid, 0.3, 2.0, times), rtol=1e-7)
    assert [name for _, name in traj.events] == ["bolus"] * 3
    assert [t for t, _ in traj.events] == list(times)
    # the value saved at an event time is the post-event value
    assert traj["x"][4] == pytest.approx(math.exp(-0.6) + 2.0, rel=1e-8)


def test_bolus_at_start_and_schedule_change_does_not_recompile() -> None:
    a = decay_with_bolus(times=(0.0,))
    b = decay_with_bolus(times=(1.0, 3.0))
    assert compile_model(a) is compile_model(b)  # times are run-time data
    traj = simulate(a, (0, 1), tolerances=TIGHT, saveat=SaveAt(times=[0.0, 1.0]))
    np.testing.assert_allclose(traj["x"], [3.0, 3.0 * math.exp(-0.3)], rtol=1e-8)


def test_extra_events_and_every_step_output() -> None:
    dose = Event("extra", {"x": "x + 1"}, at_times=(4.0,))
    traj = simulate(linear_decay(0.3), (0, 6), events=[dose], tolerances=TIGHT)
    assert traj.times[0] == 0.0 and traj.times[-1] == 6.0
    assert np.all(np.diff(traj.times) > 0)  # post-event value kept once at t=4
    np.testing.assert_allclose(traj["x"], bolus_exact(traj.times, 0.3, 1.0, (4.0,)), rtol=1e-7)


def infusion_model() -> ModelSpec:
    """dx/dt = rate - k x with an infusion switched on at t=1 and off at t=3 (events on a param)."""
    return ModelSpec(
        "infusion",
        states=[State("x", 0.0)],
        parameters=[Parameter("k", 0.5, unit="1/day", source=SRC),
                    Parameter("rate", 0.0, unit="1/day", source=SRC),
                    Parameter("on_rate", 2.0, unit="1/day", source=SRC)],
        terms=[Term("in", "rate", {"x": 1}), Term("out", "k*x", {"x": -1})],
        events=[Event("on", {"rate": "on_rate"}, at_times=(1.0,)),
                Event("off", {"rate": "0"}, at_times=(3.0,))],
    )


def test_events_can_switch_parameters() -> None:
    grid = np.linspace(0, 6, 61)
    traj = simulate(infusion_model(), (0, 6), tolerances=TIGHT, saveat=SaveAt(times=grid))
    k, r = 0.5, 2.0
    on = (grid >= 1) & (grid < 3)
    x3 = r / k * (1 - math.exp(-k * 2))
    exact = np.where(grid < 1, 0.0, np.where(on, r / k * (1 - np.exp(-k * (grid - 1))),
                                             x3 * np.exp(-k * (grid - 3))))
    np.testing.assert_allclose(traj["x"], exact, rtol=1e-7, atol=1e-12)
    assert traj.parameter_names == ("rate",)  # event-modified parameters are outputs
    np.testing.assert_array_equal(traj["rate"], np.where(on, 2.0, 0.0))


def threshold_model(fire_at_start: bool = False) -> ModelSpec:
    """x decays at rate k; whenever x drops below 0.5 it is reset to 1 (a sawtooth)."""
    return ModelSpec(
        "sawtooth",
        states=[State("x", 1.0)],
        parameters=[Parameter("k", 0.3, unit="1/day", source=SRC)],
        terms=[Term("decay", "k*x", {"x": -1})],
        events=[Event("reset", {"x": "1"}, trigger="x < 0.5", fire_at_start=fire_at_start)],
    )


@pytest.mark.parametrize("solver", ["LSODA", "BDF", "Radau"])
def test_state_triggered_event_fires_at_the_root(solver: str) -> None:
    period = math.log(2) / 0.3
    grid = np.linspace(0, 10, 101)
    traj = simulate(threshold_model(), (0, 10), solver=solver, tolerances=TIGHT,
                    saveat=SaveAt(times=grid))
    fired = [t for t, _ in traj.events]
    np.testing.assert_allclose(fired, period * np.arange(1, 5), rtol=1e-8)
    exact = np.exp(-0.3 * np.mod(grid, period))
    np.testing.assert_allclose(traj["x"], exact, rtol=1e-6)


def test_trigger_true_at_start_fires_only_on_request() -> None:
    spec = threshold_model().with_initial(x=0.25)
    quiet = simulate(spec, (0, 1), tolerances=TIGHT, saveat=SaveAt(times=[0.0, 1.0]))
    assert quiet.events == ()  # SBML initialValue=true: already true, no transition
    loud = simulate(threshold_model(fire_at_start=True).with_initial(x=0.25), (0, 1),
                    tolerances=TIGHT, saveat=SaveAt(times=[0.0, 1.0]))
    assert loud.events == ((0.0, "reset"),) and loud["x"][0] == pytest.approx(1.0)


def test_compound_trigger_and_time() -> None:
    spec = ModelSpec(
        "compound", states=[State("x", 0.0)],
        parameters=[Parameter("flag", 0.0, unit="1", source=SRC)],
        terms=[Term("grow", "1", {"x": 1})],
        events=[Event("both", {"flag": "flag + 1"}, trigger="x > 2 and time > 3")],
    )
    traj = simulate(spec, (0, 5), tolerances=TIGHT, saveat=SaveAt(times=[5.0]))
    assert len(traj.events) == 1 and traj.events[0][0] == pytest.approx(3.0)
    assert traj["flag"][-1] == 1.0


def test_cascading_events_fire_in_the_same_instant() -> None:
    spec = ModelSpec(
        "cascade", states=[State("x", 0.0), State("y", 0.0)],
        terms=[Term("grow", "1", {"x": 1})],
        events=[Event("first", {"y": "10"}, trigger="x > 1"),
                Event("second", {"x": "0"}, trigger="y > 5")],
    )
    traj = simulate(spec, (0, 1.5), tolerances=TIGHT, saveat=SaveAt(times=[1.5]))
    assert [name for _, name in traj.events] == ["first", "second"]
    assert traj.events[0][0] == traj.events[1][0]
    assert traj["x"][-1] == pytest.approx(0.5)


def blowup() -> ModelSpec:
    """dx/dt = x^2 from x=1 goes to infinity at t=1."""
    return ModelSpec("blowup", states=[State("x", 1.0)], terms=[Term("g", "x^2", {"x": 1})])


def test_failure_is_data_with_throw_false_and_raises_otherwise() -> None:
    grid = np.linspace(0, 2, 5)
    traj = simulate(blowup(), (0, 2), saveat=SaveAt(times=grid), throw=False)
    assert traj.status in (Status.NONFINITE, Status.SOLVER_FAILED)
    assert not traj.ok and np.isnan(traj["x"][-1]) and traj["x"][0] == 1.0
    with pytest.raises(SimulationError, match="blowup"):
        simulate(blowup(), (0, 2), saveat=SaveAt(times=grid))
    with pytest.raises(SimulationError):
        traj.raise_if_failed()


def test_max_steps_budget() -> None:
    traj = simulate(linear_decay(), (0, 100), max_steps=5, throw=False, tolerances=TIGHT)
    assert traj.status is Status.MAX_STEPS and "max_steps" in traj.message


def test_nonfinite_parameters_and_bad_inputs_are_rejected() -> None:
    spec = linear_decay()
    with pytest.raises(UnknownNameError, match="did you mean 'LSODA'"):
        simulate(spec, (0, 1), solver="LSODAA")
    with pytest.raises(InvalidInputError, match="start < end"):
        simulate(spec, (1, 0))
    with pytest.raises(InvalidInputError, match="inside t_span"):
        simulate(spec, (0, 1), saveat=SaveAt(times=[0.5, 2.0]))
    with pytest.raises(InvalidInputError, match="strictly increasing"):
        SaveAt(times=[1.0, 0.5])
    with pytest.raises(UnknownNameError, match="did you mean 'k'"):
        simulate(spec, (0, 1), params={"kk": 1.0})
    with pytest.raises(InvalidInputError, match="not finite"):
        simulate(spec, (0, 1), params={"k": float("nan")})
    with pytest.raises(InvalidInputError, match="rtol"):
        Tolerances(rtol=0.0)


def test_per_state_atol() -> None:
    traj = simulate(linear_decay(), (0, 1), tolerances=Tolerances(rtol=1e-9, atol={"x": 1e-12}),
                    saveat=SaveAt(times=[1.0]))
    assert traj["x"][0] == pytest.approx(math.exp(-0.3), rel=1e-7)
    with pytest.raises(UnknownNameError):
        simulate(linear_decay(), (0, 1), tolerances=Tolerances(atol={"y": 1e-9}))


def test_trajectory_access_serialisation_and_provenance() -> None:
    spec = linear_decay().with_metadata(atlas_version="abc123")
    traj = simulate(spec, (0, 1), saveat=SaveAt(times=[0.0, 1.0]), solver="BDF")
    assert traj.names == ("x", "half_life") and "x" in traj
    assert traj.state_array().shape == (2, 1)
    with pytest.raises(UnknownNameError, match="did you mean 'x'"):
        traj["xx"]
    data = json.loads(json.dumps(traj.to_dict(), allow_nan=False))
    prov = data["provenance"]
    assert prov["model_hash"] == spec.hash() and prov["structure_hash"] == spec.structure_hash()
    assert prov["atlas_version"] == "abc123" and prov["seed"] is None
    assert prov["solver"]["method"] == "BDF" and prov["solver"]["jacobian"] == "analytic"
    assert {"numpy", "scipy", "sympy", "python"} <= set(prov["versions"])
    assert data["status"] == "ok"


def test_compiled_cache_shared_across_parameter_values() -> None:
    assert compile_model(linear_decay(0.1)) is compile_model(linear_decay(0.9))


@pytest.mark.parametrize("name", sorted(REFERENCE_MODELS))
def test_analytic_jacobian_matches_finite_differences(name: str) -> None:
    spec = REFERENCE_MODELS[name]()
    cm = compile_model(spec)
    assert cm.has_jacobian
    p = cm.parameter_vector(spec)
    y = cm.initial_state(spec, p) * 1.3 + 1e-3
    jac = cm.jacobian(0.0, y, p)
    for i in range(cm.n_states):
        numeric = approx_fprime(y, lambda v, i=i: cm.rhs(0.0, v, p)[i], 1e-7 * np.abs(y))
        np.testing.assert_allclose(jac[i], numeric, rtol=1e-4, atol=1e-9 * np.abs(jac).max())


def test_generated_source_is_plain_scalar_code() -> None:
    cm = compile_model(REFERENCE_MODELS["komarova2003-single-cycle"]())
    assert "def rhs(t, y, p, out):" in cm.source and "def jac(t, y, p, out):" in cm.source
    assert "np." not in cm.source and "numpy" not in cm.source
    assert "# osteoclasts" in cm.source  # model names appear in comments only


def test_division_by_zero_gives_nan_not_an_exception() -> None:
    spec = ModelSpec("div", states=[State("x", 0.0)],
                     assignments=[Assignment("inv", "1/x")], terms=[Term("g", "inv", {"x": 1})])
    cm = compile_model(spec)
    assert np.isnan(cm.rhs(0.0, [0.0], [])).all()


def test_state_settling_onto_a_threshold_does_not_chatter() -> None:
    """x -> 1 exactly; a trigger on 'x < 1' must not fire on round-off around the limit."""
    spec = ModelSpec(
        "settle", states=[State("x", 2.0)],
        parameters=[Parameter("below", 0.0, unit="1", source=SRC)],
        terms=[Term("relax", "x - 1", {"x": -1})],
        events=[Event("down", {"below": "1"}, trigger="x < 1"),
                Event("up", {"below": "0"}, trigger="x >= 1")],
    )
    traj = simulate(spec, (0, 200), tolerances=TIGHT, saveat=SaveAt(times=[200.0]))
    assert len(traj.events) <= 2 and traj.stats["segments"] <= 3
    assert traj["x"][-1] == pytest.approx(1.0)


def _competing(priority: str | None) -> ModelSpec:
    """A clock r' = 1 that two non-persistent events race to reset at r >= 0.1, each
    counting its own wins (the loser's trigger goes false, so it loses its firing)."""
    return ModelSpec(
        "race", states=[State("r", 0.0), State("n1", 0.0), State("n2", 0.0)],
        terms=[Term("tick", "1", {"r": 1})],
        events=[Event(f"e{i}", {"r": "0", f"n{i}": f"n{i} + 1"}, trigger="r >= 0.1",
                      persistent=False, priority=priority) for i in (1, 2)])


def test_equal_priorities_fire_in_random_order_reproducibly() -> None:
    at = SaveAt(times=[20.0])
    run = simulate(_competing("1"), (0.0, 20.0), saveat=at, max_step=0.05)
    n1, n2 = float(run["n1"][0]), float(run["n2"][0])
    assert n1 + n2 == pytest.approx(200, abs=2)
    # a fair coin over ~200 firings: each side wins 100 +- 7 (1 sd); 60..140 is over 5 sd
    assert 60 <= n1 <= 140 and 60 <= n2 <= 140
    again = simulate(_competing("1"), (0.0, 20.0), saveat=at, max_step=0.05)
    assert (float(again["n1"][0]), float(again["n2"][0])) == (n1, n2)  # seeded
    # without priorities: declaration order, the first event always wins
    plain = simulate(_competing(None), (0.0, 20.0), saveat=at, max_step=0.05)
    assert float(plain["n2"][0]) == 0.0 and float(plain["n1"][0]) > 190


def _delayed_decay(delay: str = "1") -> ModelSpec:
    """x' = -k x(t - tau), x = 1 up to the start; seen_time = delay(time, 0.5)."""
    return ModelSpec(
        "delayed_decay", states=[State("x", 1.0)],
        parameters=[Parameter("k", 0.5, unit="1/day", source=SRC),
                    Parameter("tau", 1.0, unit="day", source=SRC)],
        assignments=[Assignment("seen_time", "delay(time, 0.5)")],
        terms=[Term("loss", f"k * delay(x, {delay})", {"x": -1})])


def test_delay_follows_the_method_of_steps_solution() -> None:
    # t in [0, 1]: x = 1 - k t; t in [1, 2]: x = 1 - k t + k^2 (t - 1)^2 / 2
    grid = [0.0, 0.5, 1.0, 1.5, 2.0]
    for delay in ("1", "tau"):
        traj = simulate(_delayed_decay(delay), (0.0, 2.0), saveat=SaveAt(times=grid),
                        tolerances=TIGHT)
        want = [1 - 0.5 * t + (0.25 * (t - 1) ** 2 / 2 if t > 1 else 0.0) for t in grid]
        assert traj["x"].tolist() == pytest.approx(want, rel=1e-8)
        # delayed expressions of time run on before the start
        assert traj["seen_time"].tolist() == pytest.approx([t - 0.5 for t in grid], abs=1e-12)
    # another tau through params: the solution of x' = -k x(t - 2) over [0, 2] is 1 - k t
    traj = simulate(_delayed_decay("tau"), (0.0, 2.0), saveat=SaveAt(times=grid),
                    tolerances=TIGHT, params={"tau": 2.0})
    assert traj["x"].tolist() == pytest.approx([1 - 0.5 * t for t in grid], rel=1e-9)


def test_delay_that_is_not_a_positive_constant_is_refused() -> None:
    with pytest.raises(ModelError, match=r"delay\(x, x\) has a delay that changes"):
        compile_model(_delayed_decay("x"))
    with pytest.raises(InvalidInputError, match="every delay must be a positive number"):
        simulate(_delayed_decay("tau"), (0.0, 1.0), params={"tau": 0.0})
    with pytest.raises(ModelError, match=r"only inside simulate\(\)"):
        compile_model(_delayed_decay()).rhs(0.0, [1.0], [0.5, 1.0])


def test_piecewise_switch_in_time_ends_a_segment() -> None:
    """x' = 0 before t_on, 1 after: the solver stops at t_on (from the parameters of the run)
    instead of stepping across the jump."""
    spec = ModelSpec("switch", states=[State("x", 0.0)],
                     parameters=[Parameter("t_on", 3.0, unit="day", source=SRC)],
                     terms=[Term("on", "piecewise(0, time < t_on, 1)", {"x": 1})])
    for t_on in (3.0, 7.5):
        traj = simulate(spec, (0.0, 10.0), saveat=SaveAt(times=[2.0, 5.0, 10.0]),
                        params={"t_on": t_on}, tolerances=TIGHT)
        assert traj.stats["segments"] == 2
        assert traj["x"].tolist() == pytest.approx([max(0.0, t - t_on) for t in (2, 5, 10)],
                                                   abs=1e-9)
