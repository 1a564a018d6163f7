"""The state one web app holds: limits, the atlas and its store, simulation workers, caches.

Routes read it with :func:`get_state`; :mod:`exobone.web.app` creates it and attaches the routes,
so the routes depend on this module, never on the app factory.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request

from exobone.atlas.curation import Atlas, load_atlas
from exobone.atlas.store import Store
from exobone.errors import ExoboneError
from exobone.web.workers import TaskTimeout, Workers


@dataclass(frozen=True)
class Limits:
    """Bounds on what one request may cost.

    Attributes
    ----------
    sim_timeout_s
        Longest a simulation request may take before a 504 answer.
    sim_workers
        Worker processes that run simulations, one at a time each.
    sim_queue
        Simulations accepted at once (running plus waiting); more get a 503 answer.
    max_query_bytes
        Longest query string (414 beyond).
    max_body_bytes
        Largest request body (413 beyond).
    scorecard_experiments
        Most experiments a synchronous ``/api/scorecard?experiment=`` request may run.
    result_cache
        Simulation results kept for downloads and repeated requests.
    """

    sim_timeout_s: float = 60.0
    sim_workers: int = 2
    sim_queue: int = 8
    scorecard_experiments: int = 5
    result_cache: int = 32
    max_query_bytes: int = 8192
    max_body_bytes: int = 65536


def _scorecard_worker(data_dir: str | None, conn: Any) -> None:
    """Child process: run the full scorecard and send its JSON form (or the error text)."""
    from exobone.analysis.scorecard import run_scorecard

    try:
        atlas = load_atlas(Path(data_dir)) if data_dir is not None else None
        conn.send(("done", run_scorecard(atlas).to_dict()))
    except ExoboneError as exc:
        conn.send(("error", str(exc)))
    finally:
        conn.close()


class ScorecardJob:
    """The full scorecard, computed once in a child process and kept (as its JSON form).

    A process rather than a thread: the first run takes over a minute of CPU (78 s measured,
    ``exobone validate`` with a fresh cache), which would otherwise hold the GIL against every
    request, and model building parses expressions with ``ast``, which CPython 3.11 does not
    allow in two threads at once.
    """

    def __init__(self, data_dir: Path | None) -> None:
        self.data_dir = data_dir
        self.status = "idle"
        self.data: dict[str, Any] | None = None
        self.error: str | None = None
        self._lock = threading.Lock()
        self._process: Any = None

    def start(self) -> None:
        """Start the run unless it is running or done."""
        import multiprocessing

        with self._lock:
            if self.status != "idle":
                return
            self.status = "running"
            ctx = multiprocessing.get_context("spawn")
            receive, send = ctx.Pipe(duplex=False)
            self._process = ctx.Process(
                target=_scorecard_worker, name="exobone-scorecard", daemon=True,
                args=(str(self.data_dir) if self.data_dir is not None else None, send))
            self._process.start()
            send.close()
        threading.Thread(target=self._wait, args=(receive,), daemon=True).start()

    def _wait(self, receive: Any) -> None:
        try:
            kind, payload = receive.recv()
        except (EOFError, OSError):
            kind, payload = "error", "the scorecard process ended without a result"
        if kind == "done":
            self.data = payload
        else:
            self.error = str(payload)
        self.status = kind
        self._process.join(timeout=5)

    def stop(self) -> None:
        """End a running child process (at server shutdown)."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()


class AppState:
    """What the routes share: the store location, limits, the simulation pool and caches."""

    def __init__(self, store_path: Path, atlas: Atlas, model_atlas: Atlas | None,
                 limits: Limits, rebuilt: str | None, data_dir: Path | None = None) -> None:
        self.store_path = store_path
        self.atlas = atlas
        self.model_atlas = model_atlas
        self.limits = limits
        self.rebuilt = rebuilt
        self.workers = Workers(limits.sim_workers, data_dir)
        # threads that wait on the worker processes (they hold no work of their own)
        self.executor = ThreadPoolExecutor(max_workers=max(limits.sim_queue, 1),
                                           thread_name_prefix="exobone-sim")
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._store: Store | None = None
        self._store_lock = threading.Lock()
        self.results: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._results_lock = threading.Lock()
        self.scorecard = ScorecardJob(data_dir)

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The app's one read-only handle on the atlas database, for one thread at a time.

        One handle (opened with ``check_same_thread=False``) rather than one per thread, so the
        records are parsed once; queries are CPU-bound under the GIL, so the lock costs nothing.
        """
        with self._store_lock:
            if self._store is None:
                uri = f"{self.store_path.resolve().as_uri()}?mode=ro"
                self._store = Store(self.store_path,
                                    sqlite3.connect(uri, uri=True, check_same_thread=False))
                self._store.atlas()
            yield self._store

    def close(self) -> None:
        """Close the database handle."""
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def cached(self, key: tuple[Any, ...]) -> Any:
        with self._results_lock:
            found = self.results.get(key)
            if found is not None:
                self.results.move_to_end(key)
            return found

    def remember(self, key: tuple[Any, ...], value: Any) -> None:
        with self._results_lock:
            self.results[key] = value
            while len(self.results) > self.limits.result_cache:
                self.results.popitem(last=False)

    async def run_bounded(self, task: Callable[..., Any], /, **kwargs: Any) -> Any:
        """Run ``task(atlas, **kwargs)`` (a :mod:`exobone.web.workers` task) in a worker process.

        503 if the queue is full; 504 past the time limit, by which time the worker running the
        task has been stopped, so no work outlives its request.
        """
        with self._pending_lock:
            if self._pending >= self.limits.sim_queue:
                raise HTTPException(
                    503, f"too many simulations at once ({self._pending} running or waiting); "
                         "try again in a few seconds")
            self._pending += 1
        deadline = time.monotonic() + self.limits.sim_timeout_s
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self.executor, functools.partial(self.workers.call, deadline, task, kwargs))
        except TaskTimeout as exc:
            if not exc.started:
                raise HTTPException(
                    504, f"no simulation worker was free within {self.limits.sim_timeout_s:g} "
                         "s; try again in a few seconds") from None
            raise HTTPException(
                504, f"the simulation took longer than {self.limits.sim_timeout_s:g} s and was "
                     "stopped; shorten the run (days) or use fewer interventions") from None
        finally:
            self._release()

    def _release(self) -> None:
        with self._pending_lock:
            self._pending -= 1



def get_state(request: Request) -> AppState:
    """The :class:`AppState` of the app serving ``request``."""
    state: AppState = request.app.state.exobone
    return state


__all__ = ["AppState", "Limits", "ScorecardJob", "get_state"]
