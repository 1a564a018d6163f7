"""run_ensemble: failure is data, determinism, streaming to disk and resuming."""

from __future__ import annotations

import numpy as np
import pytest

from exobone.errors import InvalidInputError, SimulationError
from exobone.simulate import SaveAt, Status, Tolerances, compile_model
from exobone.simulate.ensemble import run_ensemble

GRID = SaveAt(times=np.linspace(0.0, 120.0, 13))
OUTPUTS = ["bv_tv", "osteoclasts"]


def _params(model, n, seed=0):
    cm = compile_model(model)
    base = cm.parameter_vector(model)
    return base * np.random.default_rng(seed).uniform(0.9, 1.1, size=(n, base.size))


class CountingBackend:
    """The numba backend, counting the members it integrates."""

    name = "numba"

    def __init__(self):
        from exobone.simulate.backends.numba_backend import NumbaBackend

        self.inner = NumbaBackend()
        self.members = 0

    def unsupported(self, model):
        return self.inner.unsupported(model)

    def run_batch(self, model, params, **kw):
        self.members += params.shape[0]
        return self.inner.run_batch(model, params, **kw)


@pytest.mark.parametrize("backend", ["numba", "reference"])
def test_one_failure_never_discards_the_rest(numba_ready, backend):
    model = numba_ready
    P = _params(model, 4)
    P[2, 0] = np.nan
    res = run_ensemble(model, P, backend=backend, saveat=GRID, outputs=OUTPUTS, chunk_size=3)
    assert res.member_status(2) is Status.NONFINITE
    assert [res.member_status(i) for i in (0, 1, 3)] == [Status.OK] * 3
    assert res.n_failed == 1
    assert np.isfinite(res.values("bv_tv")[[0, 1, 3]]).all()
    assert np.isnan(res.values("bv_tv")[2, 1:]).all()  # NaN after the failure point
    with pytest.raises(SimulationError, match="1 of 4 members failed"):
        res.raise_if_failed()
    good = run_ensemble(model, P[[0, 1, 3]], backend=backend, saveat=GRID, outputs=OUTPUTS)
    np.testing.assert_array_equal(good.values("bv_tv"), res.values("bv_tv")[[0, 1, 3]])


def test_results_do_not_depend_on_chunking(numba_ready):
    model = numba_ready
    P = _params(model, 10, seed=5)
    a = run_ensemble(model, P, saveat=GRID, outputs=OUTPUTS, chunk_size=10)
    b = run_ensemble(model, P, saveat=GRID, outputs=OUTPUTS, chunk_size=3)
    assert a.provenance["backend"] == "numba"
    for name in OUTPUTS:
        np.testing.assert_array_equal(a.values(name), b.values(name))


def test_results_do_not_depend_on_threads_or_spans(numba_ready, monkeypatch):
    import numba

    from exobone.simulate.backends import numba_backend

    model = numba_ready
    P = _params(model, 40, seed=6)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = run_ensemble(model, P, saveat=GRID, outputs=OUTPUTS)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        monkeypatch.setattr(numba_backend, "_SPANS_PER_THREAD", 7)  # uneven spans
        many = run_ensemble(model, P, saveat=GRID, outputs=OUTPUTS)
    finally:
        numba.set_num_threads(before)
    for name in OUTPUTS:
        np.testing.assert_array_equal(one.values(name), many.values(name))


def test_stream_to_disk_and_resume_without_recomputing(numba_ready, tmp_path):
    model = numba_ready
    P = _params(model, 12, seed=7)
    out = tmp_path / "run"
    seen: list[int] = []

    def interrupt(done, total):
        seen.append(done)
        if done == 2:
            raise KeyboardInterrupt  # the run is interrupted after two finished chunks

    with pytest.raises(KeyboardInterrupt):
        run_ensemble(model, P, saveat=GRID, outputs=OUTPUTS, chunk_size=4, out=out,
                     progress=interrupt)
    assert sorted(p.name for p in out.glob("chunk_*.npz")) == ["chunk_000000.npz",
                                                               "chunk_000001.npz"]
    counting = CountingBackend()
    resumed = run_ensemble(model, P, backend=counting, saveat=GRID, outputs=OUTPUTS,
                           chunk_size=4, out=out, resume=True)
    assert counting.members == 4  # only the last chunk
    whole = run_ensemble(model, P, saveat=GRID, outputs=OUTPUTS, chunk_size=4)
    for name in OUTPUTS:
        np.testing.assert_array_equal(resumed.values(name), whole.values(name))
    assert resumed.store is not None and resumed.n_failed == 0


def test_resume_recomputes_a_truncated_chunk_and_says_which(numba_ready, tmp_path, capsys):
    model = numba_ready
    P = _params(model, 12, seed=7)
    out = tmp_path / "run"
    whole = run_ensemble(model, P, saveat=GRID, outputs=OUTPUTS, chunk_size=4, out=out)
    damaged = out / "chunk_000001.npz"
    damaged.write_bytes(damaged.read_bytes()[:200])  # e.g. the disk filled up mid-write
    capsys.readouterr()
    counting = CountingBackend()
    resumed = run_ensemble(model, P, backend=counting, saveat=GRID, outputs=OUTPUTS,
                           chunk_size=4, out=out, resume=True)
    assert counting.members == 4  # that chunk only
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{damaged} is damaged (BadZipFile" in err
    assert err.rstrip().endswith("recomputing it")
    for name in OUTPUTS:
        np.testing.assert_array_equal(resumed.values(name), whole.values(name))


def test_an_unwritable_or_full_output_directory_is_one_line(numba_ready, tmp_path,
                                                           monkeypatch):
    import errno

    model = numba_ready
    P = _params(model, 4)
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with pytest.raises(InvalidInputError, match="cannot write the ensemble to .*a_file/run"):
        run_ensemble(model, P, saveat=GRID, outputs=OUTPUTS, out=blocker / "run")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", full)
    with pytest.raises(InvalidInputError) as info:
        run_ensemble(model, P, saveat=GRID, outputs=OUTPUTS, chunk_size=2, out=tmp_path / "r")
    assert str(info.value) == (f"cannot write chunk_000000.npz to {tmp_path / 'r'}: No space "
                               f"left on device; the chunks written so far are kept (rerun "
                               f"with resume / --resume)")
    assert not list((tmp_path / "r").glob("*.npz"))  # no half-written chunk left behind


def test_resume_refuses_a_different_run(numba_ready, tmp_path):
    model = numba_ready
    P = _params(model, 4)
    run_ensemble(model, P, saveat=GRID, outputs=OUTPUTS, out=tmp_path)
    with pytest.raises(InvalidInputError, match="different run"):
        run_ensemble(model, P * 1.01, saveat=GRID, outputs=OUTPUTS, out=tmp_path, resume=True)


def test_bad_input_says_what_was_received(numba_ready):
    model = numba_ready
    with pytest.raises(InvalidInputError, match="shape"):
        run_ensemble(model, np.ones((2, 3)), saveat=GRID)
    with pytest.raises(InvalidInputError, match="SaveAt"):
        run_ensemble(model, _params(model, 2))
    with pytest.raises(KeyError, match="bv_tvv"):
        run_ensemble(model, _params(model, 2), saveat=GRID, outputs=["bv_tvv"])


def test_tolerances_are_recorded(numba_ready):
    res = run_ensemble(numba_ready, _params(numba_ready, 2), saveat=GRID, outputs=OUTPUTS,
                       tolerances=Tolerances(rtol=1e-7), rng=3)
    assert res.provenance["tolerances"]["rtol"] == 1e-7
    assert res.provenance["seed"] == 3
