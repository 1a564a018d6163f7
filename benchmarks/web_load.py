"""Send a bounded load to the web app on loopback; print the error count and p50/p95 latency.

Starts ``exobone serve``'s app (uvicorn, one process) on 127.0.0.1 at a free port with a
temporary atlas database, warms it up (vocabularies, one compile of the OVX models), then sends,
all at once, ``--atlas`` atlas queries (a mix of facet searches, networks and exports) and
``--sims`` one-year OVX simulations with BMSC exosomes (each with a different dose, so none is
answered from the result cache). Requests go only to loopback; counts are capped.

    .venv/bin/python benchmarks/web_load.py [--atlas 50] [--sims 5] [--days 365]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ATLAS_QUERIES = [
    ("/api/atlas/search", {"cargo": "miR-214"}),
    ("/api/atlas/search", {"source": "BMSC", "setting": "in_vivo"}),
    ("/api/atlas/search", {"disease": "osteoporosis", "species": "rat"}),
    ("/api/atlas/search", {"text": "成骨"}),
    ("/api/atlas/network", {"target": "osteoblast"}),
    ("/api/atlas/export", {"pathway": "Wnt", "format": "cx2"}),
    ("/api/atlas/experiments", {"disease": "osteoporosis"}),
    ("/api/atlas/search", {}),
]
MAX_ATLAS, MAX_SIMS = 1000, 50


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(port: int, db: Path) -> subprocess.Popen[bytes]:
    code = ("import uvicorn; from exobone.web import create_app, Limits; "
            f"uvicorn.run(create_app(db={str(db)!r}, limits=Limits(sim_queue=64), warm=True), "
            f"host='127.0.0.1', port={port}, log_level='warning')")
    return subprocess.Popen([sys.executable, "-c", code], env={**os.environ})


async def _timed(client: httpx.AsyncClient, method: str, url: str, **kw: object
                 ) -> tuple[float, int | str]:
    t0 = time.perf_counter()
    try:
        r = await client.request(method, url, **kw)  # type: ignore[arg-type]
        status: int | str = r.status_code
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    return time.perf_counter() - t0, status


def _report(name: str, results: list[tuple[float, int | str]]) -> int:
    times = sorted(t for t, _ in results)
    errors = sum(1 for _, s in results if s != 200)
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{name:<12} n={len(results):<4} errors={errors:<3} p50={p50 * 1000:8.1f} ms  "
          f"p95={p95 * 1000:8.1f} ms  max={times[-1] * 1000:8.1f} ms")
    return errors


async def _load(base: str, n_atlas: int, n_sims: int, days: float) -> int:
    limits = httpx.Limits(max_connections=n_atlas + n_sims + 5)
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as client:
        # warm-up, not timed: vocabularies, both OVX models compiled, the scorecard not started
        for path, params in ATLAS_QUERIES:
            (await client.get(path, params=params)).raise_for_status()
        warm = {"scenario": "ovx", "interventions": ["exosome:bmsc,dose=1,start=28,every=7"],
                "days": days}
        (await client.post("/api/simulate", json=warm)).raise_for_status()

        atlas = [_timed(client, "GET", path, params=params)
                 for i in range(n_atlas) for path, params in [ATLAS_QUERIES[i % len(ATLAS_QUERIES)]]]
        sims = [_timed(client, "POST", "/api/simulate", json={
            "scenario": "ovx", "days": days,
            "interventions": [f"exosome:bmsc,dose={50 + 10 * i},start=28,every=7"]})
            for i in range(n_sims)]
        t0 = time.perf_counter()
        results = await asyncio.gather(*atlas, *sims)
        wall = time.perf_counter() - t0
    print(f"{n_atlas} atlas queries and {n_sims} simulations ({days:g} days) sent at once to "
          f"{base}; wall time {wall:.2f} s")
    errors = _report("atlas", list(results[:n_atlas]))
    if n_sims:
        errors += _report("simulations", list(results[n_atlas:]))
    errors_all = _report("all", list(results))
    assert errors_all == errors
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=int, default=50, help=f"atlas queries (<= {MAX_ATLAS})")
    parser.add_argument("--sims", type=int, default=5, help=f"simulations (<= {MAX_SIMS})")
    parser.add_argument("--days", type=float, default=365.0)
    args = parser.parse_args()
    if not (1 <= args.atlas <= MAX_ATLAS and 0 <= args.sims <= MAX_SIMS):
        parser.error(f"--atlas must be 1..{MAX_ATLAS} and --sims 0..{MAX_SIMS}")
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = _start_server(port, Path(tmp) / "atlas.sqlite")
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    httpx.get(base + "/api/scenarios", timeout=2).raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        sys.exit("the server did not start")
                    time.sleep(0.3)
            errors = asyncio.run(_load(base, args.atlas, args.sims, args.days))
        finally:
            server.terminate()
            server.wait(timeout=20)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
