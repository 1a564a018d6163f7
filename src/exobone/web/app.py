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

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from exobone.atlas.curation import load_atlas
from exobone.atlas.store import ensure_store
from exobone.errors import ExoboneError, InvalidInputError, MissingExtraError, SimulationError
from exobone.web import routes_atlas, routes_model, routes_scorecard
from exobone.web.state import AppState, Limits, get_state

STATIC = Path(__file__).resolve().parent / "static"
PAGES = {"/": "atlas.html", "/run": "run.html", "/scorecard": "scorecard.html",
         "/api": "api.html"}

log = logging.getLogger("exobone.web")


def _status_of(exc: ExoboneError) -> int:
    if isinstance(exc, MissingExtraError):  # this installation lacks an optional extra
        return 501
    if isinstance(exc, KeyError):  # UnknownNameError, UnknownIdentifierError
        return 404
    if isinstance(exc, (ValueError, SimulationError)):
        return 422
    return 500


#: longest echo of a rejected value in an error (a 5,000-item list is not read back in full)
ECHO_CHARS = 80
_NOT_JSON = ("the request body is not JSON{where}; send a JSON object such as "
             '{{"scenario": "ovx", "interventions": ["denosumab,start=28"]}}')


def _echo(value: object) -> str:
    text = repr(value)
    return text if len(text) <= ECHO_CHARS else f"{text[:ECHO_CHARS - 3]}..."


def _validation_text(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":  # pydantic says only "JSON decode error"
            position = err.get("loc", ("", ""))[-1]
            cause = (err.get("ctx") or {}).get("error")
            where = f" ({cause} at character {position})" if cause else ""
            return _NOT_JSON.format(where=where)
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
        got = err.get("input")
        shown = f" (got {_echo(got)})" if got is not None and not isinstance(got, dict) else ""
        parts.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}{shown}")
    return "; ".join(parts) or "invalid request"


def _http_text(request: Request, exc: StarletteHTTPException) -> str:
    """Starlette's own errors in words a user can act on."""
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return _NOT_JSON.format(where=" (it could not be read as UTF-8 JSON text)")
    if exc.status_code == 404 and exc.detail == "Not Found":
        return f"there is no page or API route {_echo(request.url.path)}; /api lists the routes"
    if exc.status_code == 405:
        return (f"{request.method} is not allowed on {_echo(request.url.path)}; /api lists "
                f"the method of each route")
    return str(exc.detail)


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

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": _http_text(request, exc)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

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


__all__ = ["Limits", "create_app", "get_state", "reject_unknown_query"]
