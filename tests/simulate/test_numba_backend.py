"""The numba Rodas5P backend against exact answers and the reference (scipy) backend."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from exobone.simulate import SaveAt, Tolerances, compile_model, simulate
from exobone.simulate.backends.numba_backend import NumbaBackend, load_kernels
from exobone.simulate.ensemble import run_ensemble

TIGHT = Tolerances(rtol=1e-8, atol=1e-10)


def test_decay_with_boluses_matches_exact_solution():
    """Known answer with scheduled events: x = e^{-kt} + sum_i dose e^{-k(t - t_i)}."""
    from exobone.model.reference import decay_with_bolus

    model = decay_with_bolus(times=(2.0, 5.0))
    cm = compile_model(model)
    rates = np.array([0.05, 0.3, 2.0])
    P = np.tile(cm.parameter_vector(model), (rates.size, 1))
    P[:, cm.parameter_index("k")] = rates
    times = np.linspace(0.0, 10.0, 41)  # includes the dose times (saved after the dose)
    res = NumbaBackend().run_batch(model, P, times=times, outputs=["x"], tolerances=TIGHT,
                                   max_steps=10_000)
    k, t = rates[:, None], times[None, :]
    exact = np.exp(-k * t) + sum(2.0 * np.exp(-k * (t - ti)) * (t >= ti) for ti in (2.0, 5.0))
    assert (res.status == 0).all()
    np.testing.assert_allclose(res.values[:, :, 0], exact, rtol=1e-6)
    ref = simulate(model, (0.0, 10.0), params=P[1], saveat=SaveAt(times=times),
                   tolerances=TIGHT)
    np.testing.assert_allclose(res.values[1, :, 0], ref["x"], rtol=1e-6)


def test_repeated_doses_restarting_from_the_last_pulse_match_the_exact_solution():
    """Thirty daily boluses: after the first, each restarts from the step accepted after the
    previous one (not the step before the dose); the answer is still the exact one."""
    from exobone.model.reference import decay_with_bolus

    doses = tuple(float(d) for d in range(1, 31))
    model = decay_with_bolus(times=doses)
    cm = compile_model(model)
    rates = np.array([0.05, 0.3, 2.0])
    P = np.tile(cm.parameter_vector(model), (rates.size, 1))
    P[:, cm.parameter_index("k")] = rates
    times = np.linspace(0.0, 40.0, 321)  # includes the dose times (saved after the dose)
    res = NumbaBackend().run_batch(model, P, times=times, outputs=["x"], tolerances=TIGHT,
                                   max_steps=100_000)
    k, t = rates[:, None], times[None, :]
    exact = np.exp(-k * t) + sum(2.0 * np.exp(-k * (t - ti)) * (t >= ti) for ti in doses)
    assert (res.status == 0).all()
    # atol: k = 2 decays to 4e-9 in the ten days after the last dose
    np.testing.assert_allclose(res.values[:, :, 0], exact, rtol=1e-6, atol=1e-9)


def test_dense_output_is_accurate_between_steps():
    """Logistic growth (nonlinear, exact answer) saved at 401 times with a few dozen steps: the
    values between steps come from Rodas5P's dense output and are as accurate as the steps."""
    from exobone.model.reference import logistic_growth

    model = logistic_growth(capacity=10.0, initial=0.1)
    cm = compile_model(model)
    rates = np.array([0.2, 0.5, 1.5])
    P = np.tile(cm.parameter_vector(model), (rates.size, 1))
    P[:, cm.parameter_index("r")] = rates
    times = np.linspace(0.0, 40.0, 401)
    exact = 10.0 / (1.0 + 99.0 * np.exp(-rates[:, None] * times[None, :]))
    errors = []
    for rtol in (1e-6, 1e-8):
        res = NumbaBackend().run_batch(model, P, times=times, outputs=["x"],
                                       tolerances=Tolerances(rtol=rtol, atol=rtol * 1e-3),
                                       max_steps=10_000)
        assert (res.status == 0).all()
        assert (res.steps < 120).all()  # far fewer steps than save times
        err = np.abs(res.values[:, :, 0] / exact - 1.0).max()
        assert err <= 5 * rtol, (rtol, err)
        errors.append(err)
    assert errors[1] < errors[0] / 10  # tighter tolerance, smaller error everywhere


def _fixed_step_errors(n_steps: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Logistic growth over 10 days with the production kernel at fixed step sizes 10/N.

    The step-size control is switched off from outside: an absolute tolerance of 1e300 makes
    every error estimate ~0, so every step is accepted and grown by the largest factor, and
    ``h_max = 10/N`` caps it; after a start-up of a few steps growing from 1e-6 (less than one
    h_max of time) every step is exactly h_max and the last one ends on day 10. Returns the
    errors at day 10 (mid-sigmoid to near saturation), shape (len(n_steps), members), and
    the steps taken.
    """
    from exobone.model.reference import logistic_growth

    model = logistic_growth(capacity=10.0, initial=0.1)
    cm = compile_model(model)
    mod = load_kernels(cm)
    rates = np.array([0.3, 0.46, 0.6])  # r*h from 0.02 to 0.4: the asymptotic range
    P = np.tile(cm.parameter_vector(model), (rates.size, 1))
    P[:, cm.parameter_index("r")] = rates
    T = 10.0
    exact = 10.0 / (1.0 + 99.0 * np.exp(-rates * T))
    errors, steps = [], []
    for n in n_steps:
        out = np.empty((rates.size, 2, 1))
        status = np.zeros(rates.size, dtype=np.int8)
        taken = np.zeros(rates.size, dtype=np.int64)
        mod.solve_batch(P.copy(), np.full((rates.size, 1), 0.1), 0.0, T, np.array([0.0, T]),
                        np.empty(0), np.full((0, 1), -1, dtype=np.int64),
                        np.array([0], dtype=np.int64), 0.0, np.full(1, 1e300), 10_000,
                        T / n, False, out, status, taken, 0)
        assert (status == 0).all()
        errors.append(np.abs(out[:, -1, 0] - exact))
        steps.append(taken)
    return np.array(errors), np.array(steps)


def test_rodas5p_converges_with_order_five_at_fixed_steps():
    """The observed order of the main solution (slope of log error against log step over
    h = 10/16 ... 10/128) is 5 for every member. A typo in one tableau coefficient breaks an
    order condition and drops it (checked: A43, C21 or gamma off by 1e-3, 1e-4 or 1e-5 give
    observed orders of 0.9, 0.0-0.3 and 0.8-1.3). The embedded order-4 solution is internal to
    the step (only its difference to the main one, the error estimate, is used); not tested.
    """
    n_steps = (16, 32, 64, 128)
    errors, steps = _fixed_step_errors(n_steps)
    assert (steps >= np.array(n_steps)[:, None]).all()
    assert (steps <= np.array(n_steps)[:, None] + 10).all()  # fixed steps after the start-up
    assert (errors[-1] > 1e-12).all()  # still well above round-off at the finest step
    slope = np.polyfit(np.log(10.0 / np.array(n_steps)), np.log(errors), 1)[0]
    assert (slope >= 4.6).all() and (slope <= 5.6).all(), slope


def test_hundred_random_members_agree_with_reference_backend(numba_ready):
    """The backends agree to 1e-4 relative at tight tolerances (full model, one year), where a
    value is above the solvers' absolute tolerance: |a - b| <= 1e-4 |b| + 10 atol. Both solvers
    control each step's error to atol + rtol |y| only, so a state decaying towards 0 (estrogen
    after ovariectomy, ~1e-6 at day 28) differs by about one atol (1.5e-10 measured), which is
    a relative 1e-4 there and says nothing about the kernels."""
    model = numba_ready
    cm = compile_model(model)
    base = cm.parameter_vector(model)
    P = base * np.random.default_rng(2024).uniform(0.8, 1.2, size=(100, base.size))
    outputs = [*cm.states, "bv_tv", "ctx", "p1np"]
    saveat = SaveAt(times=np.linspace(0.0, 365.0, 27))
    fast = run_ensemble(model, P, backend="numba", saveat=saveat, outputs=outputs,
                        tolerances=TIGHT)
    ref = run_ensemble(model, P, backend="reference", saveat=saveat, outputs=outputs,
                       tolerances=TIGHT)
    assert fast.n_failed == 0 and ref.n_failed == 0
    worst = {}
    for name in outputs:
        a, b = fast.values(name), ref.values(name)
        worst[name] = float((np.abs(a - b) / (1e-4 * np.abs(b) + 10 * TIGHT.atol)).max())
    name = max(worst, key=worst.__getitem__)
    assert worst[name] <= 1.0, (name, worst[name])


def test_nan_parameter_is_a_failed_member_not_an_error(numba_ready):
    model = numba_ready
    cm = compile_model(model)
    P = np.tile(cm.parameter_vector(model), (3, 1))
    P[1, 0] = np.nan
    res = NumbaBackend().run_batch(model, P, times=np.linspace(0, 30, 4), outputs=["bv_tv"],
                                   tolerances=Tolerances(), max_steps=10_000)
    assert res.status.tolist() == [0, 2, 0]
    assert "NaN" in res.messages[1]
    np.testing.assert_array_equal(res.values[0], res.values[2])


def test_max_steps_is_reported(numba_ready):
    model = numba_ready
    cm = compile_model(model)
    P = cm.parameter_vector(model)[None, :]
    res = NumbaBackend().run_batch(model, P, times=np.linspace(0, 365, 5), outputs=["bv_tv"],
                                   tolerances=TIGHT, max_steps=3)
    assert res.status.tolist() == [1]
    assert np.isnan(res.values[0, -1, 0])


def test_state_triggered_events_fall_back_to_reference():
    from exobone.model.reference import linear_decay
    from exobone.model.spec import Event
    from exobone.simulate.backends import resolve_backend

    model = linear_decay(0.3).with_events(Event("refill", {"x": "1.0"}, trigger="x < 0.5"))
    assert NumbaBackend().unsupported(model) is not None
    assert resolve_backend("auto", model).name == "reference"


_RUN = """
import sys
import numpy as np
from exobone.model.reference.komarova2003 import komarova2003
from exobone.simulate import SaveAt, compile_model
from exobone.simulate.ensemble import run_ensemble
# a small model with the power laws whose multiply-adds the compile may fuse differently:
# the property is the model's machine code, not its size (ovx compiled for ~5 min in CI)
model = komarova2003()
base = compile_model(model).parameter_vector(model)
P = base * np.random.default_rng(9).uniform(0.97, 1.03, size=(240, base.size))
ens = run_ensemble(model, P, backend="numba", saveat=SaveAt(times=np.linspace(0, 180, 7)),
                   outputs=["bone_mass", "osteoclasts"])
np.save(sys.argv[1], np.stack([ens.values("bone_mass"), ens.values("osteoclasts")]))
"""


def test_a_cold_cache_gives_the_same_bits_in_every_process(tmp_path):
    """The first process on an empty cache and a later one run the same machine code: the module
    is compiled in a child process and loaded from the cache by both (code compiled in the
    running process fused multiply-adds differently, in the last bits)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "EXOBONE_CACHE": str(tmp_path / "cache")}
    outs = [tmp_path / "cold.npy", tmp_path / "warm.npy"]
    said = []
    for out in outs:  # the first run finds an empty cache
        done = subprocess.run([sys.executable, "-c", _RUN, str(out)], env=env, check=True,
                              capture_output=True, text=True)
        said.append(done.stderr)
    assert list((tmp_path / "cache" / "numba").glob("*.compiled"))
    # the cold run says once, before compiling, what it does and how long it takes; warm: silent
    assert said[0].count("for the fast backend (once per model") == 1, said[0]
    assert str(tmp_path / "cache" / "numba") in said[0]
    assert said[1] == "", said[1]
    cold, warm = (np.load(o) for o in outs)
    assert np.isfinite(cold).all()
    np.testing.assert_array_equal(cold, warm)


def test_an_unusable_cache_directory_falls_back_to_temp_with_one_line(tmp_path, monkeypatch,
                                                                      capsys):
    """EXOBONE_CACHE (or HOME) read-only or a file: a per-user temp directory, said once."""
    import tempfile

    from exobone.simulate.backends import numba_backend

    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("EXOBONE_CACHE", str(blocker))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(numba_backend, "_FALLBACK_SAID", set())
    first = numba_backend.cache_dir()
    assert first.is_dir() and first.is_relative_to(tmp_path / "tmp")
    assert numba_backend.cache_dir() == first
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("warning: cannot write the numba cache to "
                                                   f"{blocker / 'numba'}")


def test_no_usable_cache_directory_at_all_is_one_line(tmp_path, monkeypatch):
    import tempfile

    from exobone.errors import CompileError
    from exobone.simulate.backends import numba_backend

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("EXOBONE_CACHE", str(blocker))
    monkeypatch.setattr(tempfile, "tempdir", str(blocker / "tmp"))
    with pytest.raises(CompileError, match="set EXOBONE_CACHE to a writable directory") as info:
        numba_backend.cache_dir()
    assert "\n" not in str(info.value)


def test_a_failed_child_compile_is_an_error_naming_the_cause(tmp_path):
    """Compiling in this process instead would not be bit-identical to other processes."""
    from exobone.errors import CompileError
    from exobone.simulate.backends.numba_backend import _compile_in_child

    path = tmp_path / "exobone_model_broken.py"
    path.write_text("from numba import njit\n\n\n@njit\ndef initial_batch(P, Y0):\n"
                    "    return undefined_name + P\n")
    with pytest.raises(CompileError, match="exobone_model_broken.py: NameError: name "
                                           "'undefined_name' is not defined"):
        _compile_in_child(path, 1, 1, 0)
    assert not path.with_suffix(".compiled").exists()


def test_the_compile_is_announced_on_a_cache_miss_only(tmp_path, monkeypatch, capsys):
    """One stderr line before compiling a model's module; nothing when the cache has it (a new
    process finds the marker), nothing on stdout (``--json`` stays parseable)."""
    from exobone.model.reference import decay_with_bolus
    from exobone.simulate.backends import numba_backend

    compiled = []

    def fake_compile(path, *sizes):  # the real one takes tens of seconds: only the marker
        compiled.append(path)
        path.with_suffix(".compiled").write_text("test\n")

    monkeypatch.setenv("EXOBONE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(numba_backend, "_compile_in_child", fake_compile)
    cm = compile_model(decay_with_bolus(times=(2.0,)))
    for process in ("cold", "warm"):  # a new process: empty in-memory module tables
        monkeypatch.setattr(numba_backend, "_MODULES", {})
        monkeypatch.setattr(numba_backend, "_BY_SOURCE", {})
        load_kernels(cm)
        out = capsys.readouterr()
        assert out.out == ""
        if process == "cold":
            digest = next((tmp_path / "cache" / "numba").glob("*.compiled")).stem[-20:][:8]
            assert out.err == (f"compiling model {cm.name} {digest} for the fast backend "
                               f"(once per model; "
                               f"about {numba_backend.COMPILE_SECONDS}; cached in "
                               f"{tmp_path / 'cache' / 'numba'})\n")
        else:
            assert out.err == ""
    assert len(compiled) == 1


def test_output_arrays_are_writable_float_arrays_of_the_shape():
    """The batch outputs come from an anonymous map on Linux: a plain writable C array that
    numba takes with the same signature, and nothing to map for an empty batch."""
    from exobone.simulate.backends.output_maps import output_array as _output_array

    a = _output_array((3, 5, 2))
    assert a.shape == (3, 5, 2) and a.dtype == np.float64
    assert a.flags.c_contiguous and a.flags.writeable
    a[...] = 1.5
    assert float(a.sum()) == 45.0
    assert _output_array((0, 5, 2)).shape == (0, 5, 2)


def test_an_output_map_is_reused_only_once_no_array_reads_it():
    """A batch's output map goes back to the spares when the last array (or view) of it is
    gone, never before, and the next batch of that size gets it; a batch far smaller does not."""
    import gc
    import sys

    from exobone.simulate.backends import output_maps as nb

    if not sys.platform.startswith("linux"):
        pytest.skip("the spare maps are Linux's anonymous maps")
    nb.SPARE.clear()
    a = nb.output_array((4, 3, 1000))
    view = a[1:]
    address = a.ctypes.data
    del a
    gc.collect()
    assert nb.SPARE == []  # the view still reads the map
    other = nb.output_array((4, 3, 1000))
    assert other.ctypes.data != address
    del view
    gc.collect()
    assert len(nb.SPARE) == 1
    small = nb.output_array((1, 3, 10))
    assert small.ctypes.data != address  # 240 bytes: a map of its own
    again = nb.output_array((4, 3, 1000))
    assert again.ctypes.data == address and nb.SPARE == []
    assert again.shape == (4, 3, 1000) and again.flags.writeable
    del other, again, small


def test_a_batch_in_a_reused_output_map_is_the_batch_in_a_fresh_one(numba_ready):
    """The kernel writes every element of its outputs (NaN past a failed member's last row),
    so what an earlier batch left in a spare map never shows: bit for bit the same values."""
    import gc

    from exobone.simulate.backends import output_maps as nb

    model = numba_ready
    cm = compile_model(model)
    base = cm.parameter_vector(model)
    rng = np.random.default_rng(3)
    P = base * rng.uniform(0.8, 1.2, size=(6, base.size))
    times = np.linspace(0.0, 60.0, 61)
    kw = {"times": times, "outputs": list(cm.states), "tolerances": Tolerances(),
          "max_steps": 100_000}
    nb.SPARE.clear()
    first = NumbaBackend().run_batch(model, P, **kw)
    fresh = first.values.copy()
    first.values[...] = 12345.0  # what the next batch must overwrite
    del first
    gc.collect()
    assert len(nb.SPARE) == 1
    second = NumbaBackend().run_batch(model, P, **kw)
    assert nb.SPARE == []  # it ran in the spare map
    assert np.array_equal(second.values, fresh)


def test_populating_output_pages_keeps_what_is_written_there():
    """Each thread maps its members' output pages before integrating them (madvise's
    MADV_POPULATE_WRITE): the call must not change what the pages hold (a wrong advice
    constant such as MADV_DONTNEED would zero them), on the map and on a numpy array alike."""
    from exobone.simulate.backends.output_maps import output_array as _output_array
    from exobone.simulate.backends.output_maps import populate as _populate

    a = _output_array((5, 7, 300))
    a[...] = np.arange(a.size, dtype=float).reshape(a.shape)
    _populate(a, 1, 4)
    _populate(a, 4, 4)  # an empty span
    assert np.array_equal(a, np.arange(a.size, dtype=float).reshape(a.shape))
    b = np.full((3, 2, 2000), 1.25)
    _populate(b, 0, 3)
    assert float(b.sum()) == 1.25 * b.size


@pytest.mark.parametrize(("m", "threads"), [(1, 2), (7, 2), (500, 2), (1000, 4), (3, 1)])
def test_spans_cover_the_batch_once_and_shrink_towards_its_end(m, threads):
    """The members are handed out in contiguous spans that cover the batch exactly once,
    never grow, never exceed the batch's share per span, and end with single members (so the
    threads finish together)."""
    from exobone.simulate.backends.numba_backend import _SPANS_PER_THREAD, _spans

    spans = _spans(m, threads)
    assert spans[0][0] == 0 and spans[-1][1] == m
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(spans))
    sizes = [b - a for a, b in spans]
    assert min(sizes) >= 1 and sizes == sorted(sizes, reverse=True)
    assert max(sizes) <= -(-m // (threads * _SPANS_PER_THREAD))
    assert sizes[-1] == 1


def test_the_fused_kernel_is_the_right_hand_side_and_the_jacobian(numba_ready):
    """rhsjac_h (what the integrator calls at the end of each accepted step) writes f(t, y)
    and the Jacobian there: the same values as rhs_h and jac_h (which keeps libm's pow, so
    within rounding), at a perturbed ovx state."""
    model = numba_ready
    cm = compile_model(model)
    mod = load_kernels(cm)
    p0 = cm.parameter_vector(model)
    p = np.empty(mod._NP_EXTENDED)
    p[:p0.size] = p0 * np.random.default_rng(3).uniform(0.8, 1.2, p0.size)
    for pre in (mod.rhs_pre, mod.jac_pre, mod.rhsjac_pre):
        pre(p)
    n = cm.n_states
    y = cm.initial_state(model, p[:p0.size]) * np.random.default_rng(4).uniform(0.5, 1.5, n)
    f, jac = np.zeros(n), np.zeros(n * n)
    mod.rhs_h(40.0, y, p, f)
    mod.jac_h(40.0, y, p, jac)
    fused = np.zeros(n + n * n)
    mod.rhsjac_h(40.0, y, p, fused)
    # the same operations, though LLVM may fuse multiply-adds differently in the larger kernel
    np.testing.assert_allclose(fused[:n], f, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(fused[n:], jac, rtol=1e-12, atol=1e-300)
    assert np.count_nonzero(jac) > n  # a real Jacobian, not an empty one
