"""Scale-out on Dask: a killed worker still gives the complete, identical result; resume."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from exobone.simulate import SaveAt, compile_model
from exobone.simulate.ensemble import run_ensemble

GRID = SaveAt(times=np.linspace(0.0, 180.0, 7))
OUTPUTS = ["bv_tv", "osteoclasts"]


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=40) as lc, Client(lc) as client:
        yield lc, client


@pytest.fixture(scope="module")
def members(ovx_model):
    from exobone.simulate.backends.numba_backend import warm_up

    warm_up(ovx_model)  # compile once here; workers load the kernels from the disk cache
    cm = compile_model(ovx_model)
    base = cm.parameter_vector(ovx_model)
    return base * np.random.default_rng(9).uniform(0.9, 1.1, size=(240, base.size))


def test_killed_worker_gives_complete_identical_result(ovx_model, members, cluster):
    _, client = cluster
    local = run_ensemble(ovx_model, members, saveat=GRID, outputs=OUTPUTS, chunk_size=20)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        if done == 1 and not killed:
            pids = client.run(os.getpid)
            busy = [w for w, tasks in client.processing().items() if tasks] or list(pids)
            killed.append(pids[busy[0]])
            os.kill(pids[busy[0]], signal.SIGKILL)  # mid-run, no goodbye

    dist = run_ensemble(ovx_model, members, saveat=GRID, outputs=OUTPUTS, chunk_size=20,
                        scheduler=client, progress=kill_one)
    assert killed, "a worker was killed during the run"
    assert dist.n_members == local.n_members and dist.n_failed == 0
    for name in OUTPUTS:
        np.testing.assert_array_equal(dist.values(name), local.values(name))


def test_resume_on_the_cluster_recomputes_only_missing_chunks(ovx_model, members, cluster,
                                                              tmp_path):
    _, client = cluster
    first = run_ensemble(ovx_model, members, saveat=GRID, outputs=OUTPUTS, chunk_size=40,
                         scheduler=client, out=tmp_path)
    kept = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("chunk_*.npz")}
    assert len(kept) == 6
    (tmp_path / "chunk_000004.npz").unlink()  # as if the run had been interrupted
    done: list[int] = []
    again = run_ensemble(ovx_model, members, saveat=GRID, outputs=OUTPUTS, chunk_size=40,
                         scheduler=client, out=tmp_path, resume=True,
                         progress=lambda d, t: done.append(d))
    assert done[0] == 5  # five chunks were already there
    for name, mtime in kept.items():
        if name != "chunk_000004.npz":
            assert (tmp_path / name).stat().st_mtime_ns == mtime  # not rewritten
    for name in OUTPUTS:
        np.testing.assert_array_equal(again.values(name), first.values(name))


def test_without_scheduler_no_dask_is_started(ovx_model, members, monkeypatch):
    import distributed as dd

    from exobone.simulate import ensemble

    def refuse(*args, **kwargs):
        raise AssertionError("a local run must not start Dask")

    monkeypatch.setattr(dd, "Client", refuse)
    monkeypatch.setattr(ensemble, "_run_distributed", refuse)
    res = run_ensemble(ovx_model, members[:4], saveat=GRID, outputs=OUTPUTS)
    assert res.n_failed == 0


def test_a_scheduler_without_the_cluster_extra_is_one_line(ovx_model, members, monkeypatch):
    import sys

    from exobone.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "distributed", None)  # as on the README install
    with pytest.raises(MissingExtraError, match=r"needs the 'cluster' extra \(distributed is "
                                                r"not installed\): pip install "
                                                r"'exobone\[cluster\]'"):
        run_ensemble(ovx_model, members[:4], saveat=GRID, outputs=OUTPUTS,
                     scheduler="tcp://127.0.0.1:1")
