"""``exobone serve``: run the web app (atlas browser, scenario runner, scorecard) on the embedded data.

A thin shell over :func:`exobone.web.create_app` and uvicorn; no other server is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    db: Annotated[Path | None, typer.Option(
        "--db", dir_okay=False, help="Atlas database (default: $EXOBONE_DB or the user data "
                                     "folder); built when missing or stale.")] = None,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", envvar="EXOBONE_DATA", file_okay=False,
        help="Curated-data folder (default: the data shipped with exobone).")] = None,
    sim_timeout: Annotated[float, typer.Option(
        "--sim-timeout", min=1.0, help="Longest a simulation request may run, in seconds.")] = 60.0,
) -> None:
    """Start the web app at http://HOST:PORT (Ctrl-C stops it)."""
    from exobone.web import Limits, create_app
    from exobone.web.server import listen, make_server

    sock = listen(host, port)  # before the slow start-up: a taken port fails at once
    try:
        app = create_app(db=db, data_dir=data_dir, limits=Limits(sim_timeout_s=sim_timeout),
                         warm=True)
        state = app.state.exobone
        if state.rebuilt:
            typer.echo(f"built the atlas database ({state.rebuilt})", err=True)
        shown = f"[{host}]" if ":" in host else host
        typer.echo(f"exobone web app on http://{shown}:{sock.getsockname()[1]}/  (API: /api, "
                   "OpenAPI: /openapi.json)", err=True)
        make_server(app, sock).run(sockets=[sock])
    finally:
        sock.close()
