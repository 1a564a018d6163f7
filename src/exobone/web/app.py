"""The web app factory: atlas browser, scenario runner and scorecard over one JSON API.

:func:`create_app` opens (building if needed) the embedded atlas database and returns a FastAPI
application whose routes are thin shells over the public API (the same functions the CLI
calls). Errors from exobone become 404 (a name or id that does not exist) or 422 (impossible
input) responses whose ``detail`` is the error's own text; an unknown query parameter is a 422
naming the accepted ones, an oversized query string or body a JSON 414/413. Simulations run in
worker processes (:mod:`exobone.web.workers`) with a time limit: past it the run is stopped and
the answer is 504; 503 when too many are waiting.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from exobone.atlas.curation import Atlas, load_atlas
from exobone.atlas.store import Store, ensure_store
from exobone.errors import ExoboneError, InvalidInputError, SimulationError
from exobone.web.workers import TaskTimeout, Workers

STATIC = Path(__file__).resolve().parent / "static"
PAGES = {"/": "atlas.html", "/run": "run.html", "/scorecard": "scorecard.html",
         "/api": "api.html"}

log = logging.getLogger("exobone.web")


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

    A process rather than a thread: the run takes about a minute of CPU, which would otherwise
    hold the GIL against every request, and model building parses expressions with ``ast``,
    which CPython 3.11 does not allow in two threads at once.
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


def _status_of(exc: ExoboneError) -> int:
    if isinstance(exc, KeyError):  # UnknownNameError, UnknownIdentifierError
        return 404
    if isinstance(exc, (ValueError, SimulationError)):
        return 422
    return 500


def _validation_text(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query"))
        got = err.get("input")
        shown = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
        parts.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}{shown}")
    return "; ".join(parts) or "invalid request"


def reject_unknown_query(request: Request) -> None:
    """Refuse query parameters the route does not take (a typo must not be silently ignored).

    One dependency for every API route: the accepted names are those the route's own
    parameters and dependencies declare.
    """
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    accepted: set[str] = set()
    stack = [dependant]
    while stack:  # the route's parameters and those of its dependencies, at any depth
        node = stack.pop()
        accepted.update(p.alias for p in node.query_params)
        stack.extend(node.dependencies)
    unknown = sorted({k for k in request.query_params if k not in accepted})
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        takes = ", ".join(sorted(accepted)) or "no query parameters"
        raise InvalidInputError(
            f"unknown query parameter{'s' if len(unknown) > 1 else ''} {names}; "
            f"{request.url.path} takes: {takes}")


class RequestSizeLimit:
    """ASGI middleware: a JSON 414 for a long query string and 413 for a large body, before
    any route runs (``serve`` lets requests up to 1 MiB through uvicorn so the app answers)."""

    def __init__(self, app: Any, *, max_query: int, max_body: int) -> None:
        self.app = app
        self.max_query = max_query
        self.max_body = max_body

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        size = len(scope.get("query_string", b""))
        if size > self.max_query:
            await _json_error(send, 414, f"the query string is {size} bytes; at most "
                                         f"{self.max_query} are accepted")
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _json_error(send, 413, f"the request body is {int(declared)} bytes; at most "
                                         f"{self.max_body} are accepted")
            return
        body, more = [], True  # read a streamed body up to the limit, then replay it
        total = 0
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body.append(message.get("body", b""))
            total += len(body[-1])
            more = message.get("more_body", False)
            if total > self.max_body:
                await _json_error(send, 413, f"the request body is over {self.max_body} bytes "
                                             "(the most accepted)")
                return
        whole = {"type": "http.request", "body": b"".join(body), "more_body": False}
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return whole
            return await receive()

        await self.app(scope, replay, send)


async def _json_error(send: Any, status: int, detail: str) -> None:
    response = JSONResponse({"detail": detail}, status_code=status)
    await send({"type": "http.response.start", "status": status,
                "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def create_app(*, db: Path | str | None = None, data_dir: Path | str | None = None,
               limits: Limits | None = None, warm: bool = False) -> FastAPI:
    """Return the exobone web app.

    Parameters
    ----------
    db
        Atlas database file (default: :func:`exobone.atlas.store.default_store_path`); built
        from the curated data when missing or stale.
    data_dir
        Curated-data folder (default: the data shipped with exobone). When given, the model
        compiles its exosome layer and the scorecard from this atlas too.
    limits
        Bounds on simulation requests (:class:`Limits`).
    warm
        Load the vocabularies and compile the OVX model at start-up, so the first request is
        fast (``exobone serve`` does this).

    Returns
    -------
    fastapi.FastAPI
        With the pages ``/``, ``/run``, ``/scorecard``, ``/api``, the JSON API under
        ``/api/...`` and its OpenAPI description at ``/openapi.json``.

    Raises
    ------
    StoreError, CurationError
        If the database cannot be built or opened.

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> client = TestClient(create_app())  # doctest: +SKIP
    >>> client.get("/api/atlas/search", params={"cargo": "miR-214"}).json()["count"]  # doctest: +SKIP
    3
    """
    from exobone.web import routes_atlas, routes_model, routes_scorecard

    store, rebuilt = ensure_store(db, data_dir=data_dir)
    with store:
        atlas = store.atlas()
        path = store.path
    model_atlas = load_atlas(Path(data_dir)) if data_dir is not None else None
    state = AppState(path, atlas, model_atlas, limits or Limits(), rebuilt,
                     Path(data_dir) if data_dir is not None else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            state.executor.submit(_warm, state)
        yield
        state.workers.close()
        state.executor.shutdown(wait=False, cancel_futures=True)
        state.scorecard.stop()
        state.close()

    app = FastAPI(
        title="exobone",
        version=_version(),
        summary="An executable atlas of exosome-mediated bone remodeling: atlas browser, "
                "scenario runner and scorecard.",
        description="Every page of the web app calls this JSON API, and every route calls the "
                    "same public functions as the `exobone` command line. Errors answer 404 "
                    "(unknown name or id) or 422 (impossible input) with the error text in "
                    "`detail`; an unknown query parameter is a 422; simulations are bounded "
                    "in size (days, interventions, points) and time (504: the run is "
                    "stopped), and in number at once (503).",
        docs_url=None, redoc_url=None,  # Swagger/ReDoc load from a CDN; /api renders offline
        lifespan=lifespan,
    )
    app.state.exobone = state

    @app.exception_handler(ExoboneError)
    async def _exobone_error(request: Request, exc: ExoboneError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=_status_of(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_text(exc)}, status_code=422)

    app.add_middleware(RequestSizeLimit, max_query=state.limits.max_query_bytes,
                       max_body=state.limits.max_body_bytes)
    # pages are left out: their scripts read the query string in the browser
    strict = [Depends(reject_unknown_query)]
    app.include_router(routes_atlas.router, dependencies=strict)
    app.include_router(routes_model.router, dependencies=strict)
    app.include_router(routes_scorecard.router, dependencies=strict)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    for route, page in PAGES.items():
        app.add_api_route(route, _page(page), methods=["GET"], include_in_schema=False,
                          response_class=HTMLResponse)
    return app


def _page(name: str) -> Callable[[], HTMLResponse]:
    text = (STATIC / name).read_text(encoding="utf-8")

    def page() -> HTMLResponse:
        return HTMLResponse(text)

    page.__name__ = f"page_{name.split('.')[0]}"
    return page


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("exobone")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def _warm(state: AppState) -> None:
    """Load vocabularies and start the simulation workers (each compiles the OVX models), so
    the first user request is fast."""
    from exobone.atlas.query import search

    try:
        search(state.atlas, cargo="miR-214")
    except ExoboneError as exc:  # warming is an optimisation; never stop the server
        log.warning("warm-up failed: %s", exc)
    state.workers.warm()


def get_state(request: Request) -> AppState:
    """The :class:`AppState` of the app serving ``request``."""
    state: AppState = request.app.state.exobone
    return state


__all__ = ["Limits", "create_app", "get_state", "reject_unknown_query"]
