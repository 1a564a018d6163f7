"""Simulation worker processes: each runs one request at a time and can be stopped mid-run.

A thread cannot be stopped, so a simulation that outlives its time limit in a thread keeps
computing (and allocating) after the client got its 504. Here each simulation runs in a
long-lived worker process (``spawn``, so no lock or thread state is inherited from the server);
a task past its deadline is stopped by ending its process, and a fresh worker takes its place.
Separate processes also need no lock around model building (CPython 3.11's ``ast`` is not safe
in two threads at once).

Tasks are module-level functions (picklable) called as ``task(atlas, **kwargs)``, where ``atlas``
is the curated-data folder's atlas the worker loaded once (``None``: the shipped data).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exobone.errors import ExoboneError, SimulationError

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas
    from exobone.simulate.scenarios import ScenarioResult

log = logging.getLogger("exobone.web")

__all__ = ["TaskTimeout", "Workers", "report_task", "sbml_task", "scenario_task",
           "scorecard_task", "warm_task"]


class TaskTimeout(Exception):
    """A task did not finish before its deadline.

    ``started``: it was running (and its worker process has been stopped), rather than still
    waiting for a free worker.
    """

    def __init__(self, *, started: bool) -> None:
        super().__init__("started" if started else "waiting")
        self.started = started


# ------------------------------------------------------------------------- tasks (in workers)
def scenario_task(atlas: Atlas | None, **kwargs: Any) -> ScenarioResult:
    """:func:`exobone.simulate.scenarios.run_scenario` on the worker's atlas."""
    from exobone.simulate.scenarios import run_scenario

    return run_scenario(atlas=atlas, **kwargs)


def sbml_task(atlas: Atlas | None, *, scenario: str, interventions: Sequence[str],
              species: str | None, site: str | None = None) -> str:
    """The compiled model of a scenario as SBML text."""
    from exobone.interop.sbml import export_sbml
    from exobone.model.assemble import build_model

    return export_sbml(build_model(scenario, interventions, species=species, site=site,
                                   atlas=atlas))


def band_task(atlas: Atlas | None, **kwargs: Any) -> dict[str, Any]:
    """The 5-95 % band of a run over the fitted parameters' uncertainty and the assumed exosome
    magnitudes' priors (the shipped atlas)."""
    from exobone.analysis.calibrate.bands import prediction_band

    return prediction_band(**kwargs)


def report_task(atlas: Atlas | None, **kwargs: Any) -> str:
    """The HTML report of a scenario run (:mod:`exobone.analysis.report`)."""
    from exobone.analysis.report import build_report, render_report

    return render_report(build_report(atlas=atlas, **kwargs))


def scorecard_task(atlas: Atlas | None, *, experiments: Sequence[str]) -> dict[str, Any]:
    """The scorecard of a few experiments, in its JSON form."""
    from exobone.analysis.scorecard import run_scorecard

    return run_scorecard(atlas, experiments=list(experiments)).to_dict()


def warm_task(atlas: Atlas | None) -> None:
    """Compile the OVX models once so the first user request is fast."""
    scenario_task(atlas, scenario="ovx", interventions=["exosome:bmsc,dose=100,start=28,every=7"],
                  days=30, points=10, compare=True)


def _serve(conn: Any, data_dir: str | None) -> None:
    """Worker process: answer ``(task, kwargs)`` messages until ``None`` or the pipe closes."""
    import exobone.simulate.scenarios  # noqa: F401 - import the solver stack before any task

    atlas = None
    if data_dir is not None:
        from exobone.atlas.curation import load_atlas

        atlas = load_atlas(Path(data_dir))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task, kwargs = message
        try:
            conn.send(("ok", task(atlas, **kwargs)))
        except ExoboneError as exc:
            conn.send(("error", (type(exc), str(exc))))
        except Exception:  # noqa: BLE001 - reported to the server, which answers 500
            conn.send(("crash", traceback.format_exc()))


# ------------------------------------------------------------------------------- the pool
class _Worker:
    def __init__(self, ctx: Any, data_dir: str | None) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_serve, args=(child, data_dir), daemon=True,
                                   name="exobone-sim")
        self.process.start()
        child.close()

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def stop(self) -> None:
        """End the process now (a running task is abandoned with it)."""
        self.process.terminate()
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _rebuilt(kind: type[ExoboneError], text: str) -> ExoboneError:
    """The worker's error as the same type with the same text (whatever its ``__init__``)."""
    exc = kind.__new__(kind)
    Exception.__init__(exc, text)
    return exc


class Workers:
    """At most ``size`` worker processes, started on first use.

    :meth:`call` blocks (run it in a thread): it takes an idle worker, sends the task and
    waits until the deadline; past it, the worker is stopped and :class:`TaskTimeout` raised.
    """

    def __init__(self, size: int, data_dir: Path | None = None) -> None:
        self.size = size
        self.data_dir = str(data_dir) if data_dir is not None else None
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        #: process ids of workers stopped at a deadline (for tests and logs)
        self.stopped: list[int] = []

    def _take(self, deadline: float) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._closed:
                raise SimulationError("the server is shutting down")
            if len(self._live) < self.size:
                worker = _Worker(self._ctx, self.data_dir)
                self._live.add(worker)
                return worker
        try:
            return self._idle.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise TaskTimeout(started=False) from None

    def _drop(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.stop()

    def _replace(self) -> None:
        """Start a worker in place of a stopped one now, so it is ready by the next request."""
        with self._lock:
            if self._closed or len(self._live) >= self.size:
                return
            worker = _Worker(self._ctx, self.data_dir)
            self._live.add(worker)
        self._idle.put(worker)

    def pids(self) -> list[int]:
        """Process ids of the running workers."""
        with self._lock:
            return sorted(w.pid for w in self._live)

    def call(self, deadline: float, task: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        """Run ``task(atlas, **kwargs)`` in a worker; raise :class:`TaskTimeout` past ``deadline``
        (``time.monotonic()`` seconds), or the task's :class:`ExoboneError`."""
        worker = self._take(deadline)
        try:
            worker.conn.send((task, kwargs))
            done = worker.conn.poll(max(deadline - time.monotonic(), 0.0))
            if done:
                kind, payload = worker.conn.recv()
        except (EOFError, OSError):
            self._drop(worker)
            raise SimulationError("the simulation process ended without an answer (out of "
                                  "memory?); try a shorter run or fewer doses") from None
        if not done:
            self._drop(worker)
            self.stopped.append(worker.pid)
            log.warning("stopped simulation process %s at its time limit", worker.pid)
            self._replace()
            raise TaskTimeout(started=True)
        self._idle.put(worker)
        if kind == "ok":
            return payload
        if kind == "error":
            raise _rebuilt(*payload)
        raise RuntimeError(f"simulation worker failed:\n{payload}")

    def warm(self) -> None:
        """Start every worker and compile the OVX models in each (errors are only logged)."""
        taken = []
        try:
            for _ in range(self.size):
                worker = self._take(time.monotonic() + 600)
                taken.append(worker)
                worker.conn.send((warm_task, {}))
            for worker in taken:
                kind, payload = worker.conn.recv()
                if kind != "ok":
                    log.warning("warm-up failed: %s", payload)
        except (EOFError, OSError, TaskTimeout) as exc:  # pragma: no cover - logged only
            log.warning("warm-up failed: %s", exc)
        finally:
            for worker in taken:
                if not worker.conn.closed:
                    self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker (at server shutdown)."""
        with self._lock:
            self._closed = True
            live, self._live = list(self._live), set()
        for worker in live:
            worker.stop()
