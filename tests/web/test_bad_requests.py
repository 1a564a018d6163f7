"""Bad requests to the web app: unknown parameters, oversized requests, runs past their time limit,
and a server that cannot start. Each answers with one JSON line (or one CLI line), at once."""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from exobone.web import Limits, create_app
from exobone.web.server import listen, make_server
from exobone.web.workers import scenario_task

EXO = "exosome:bmsc,dose=100,start=28,every=7"


@pytest.mark.parametrize("path, params, unknown, accepted", [
    ("/api/simulate/download", {"scenario": "ovx", "interventions": EXO}, "'interventions'",
     "intervention"),
    ("/api/atlas/search", {"cargo": "miR-214", "cagro": "x"}, "'cagro'", "cargo"),
    ("/api/scenarios", {"verbose": "1"}, "'verbose'", "no query parameters"),
])
def test_unknown_query_parameter_is_422_naming_it(client: TestClient, path: str,
                                                  params: dict[str, str], unknown: str,
                                                  accepted: str) -> None:
    r = client.get(path, params=params)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert unknown in detail and accepted in detail and "\n" not in detail


def test_pages_keep_their_query_string(client: TestClient) -> None:
    """The pages' scripts read the query string (shared links), so pages accept any."""
    assert client.get("/run", params={"scenario": "ovx"}).status_code == 200


def test_an_intervention_over_200_characters_is_422(client: TestClient) -> None:
    long = "denosumab,start=28" + "0" * 482
    r = client.post("/api/simulate", json={"scenario": "ovx", "interventions": [long]})
    assert r.status_code == 422 and "at most 200 characters" in r.json()["detail"]
    r = client.get("/api/simulate/download", params={"scenario": "ovx", "intervention": long})
    assert r.status_code == 422 and "at most 200 characters" in r.json()["detail"]


def test_oversized_query_and_body_are_json_414_and_413(client: TestClient) -> None:
    r = client.get("/api/atlas/search", params={"text": "x" * 20_000})  # httpx: < 64 KiB
    assert r.status_code == 414 and "at most 8192" in r.json()["detail"]
    r = client.post("/api/simulate", content=b"{" + b" " * 100_000 + b"}",
                    headers={"content-type": "application/json"})
    assert r.status_code == 413 and "at most 65536" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no content-length: counted while read
        for _ in range(100):
            yield b" " * 1000

    r = client.post("/api/simulate", content=chunks(), headers={"content-type":
                                                                 "application/json"})
    assert r.status_code == 413 and "over 65536 bytes" in r.json()["detail"]


@pytest.fixture(scope="module")
def served(web_db: Path) -> Iterator[int]:
    """The app under uvicorn as ``exobone serve`` configures it, on a free loopback port."""
    sock = listen("127.0.0.1", 0)
    server = make_server(create_app(db=web_db), sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield int(sock.getsockname()[1])
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_a_150kb_query_string_through_uvicorn_is_json(served: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served, timeout=30)
    conn.request("GET", "/api/atlas/search?text=" + "x" * 150_000)
    r = conn.getresponse()
    assert r.status == 414
    assert r.getheader("content-type") == "application/json"
    assert "at most 8192" in json.loads(r.read())["detail"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_run_past_its_time_limit_is_stopped(web_db: Path) -> None:
    app = create_app(db=web_db, limits=Limits(sim_timeout_s=1.0, sim_workers=1))
    state = app.state.exobone
    with TestClient(app) as c:
        state.workers.warm()  # the worker is up and has compiled OVX: the run itself times out
        r = c.post("/api/simulate", json={"scenario": "ovx", "days": 3650, "points": 1000,
                                          "interventions": [EXO, "denosumab,start=100"]})
        assert r.status_code == 504
        assert "was stopped" in r.json()["detail"]
        assert len(state.workers.stopped) == 1
        stopped = state.workers.stopped[0]
        assert not _alive(stopped)  # no work continues after the 504
        # a fresh worker has taken its place and runs the next task
        (fresh,) = state.workers.pids()
        assert fresh != stopped and _alive(fresh)
        result = state.workers.call(time.monotonic() + 300, scenario_task,
                                    {"scenario": "healthy", "days": 5, "points": 6,
                                     "exosome_layer": False})
        assert result.times[-1] == 5


def test_serve_on_a_port_in_use_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from exobone.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err == (f"error: port {port} on 127.0.0.1 is already in use; stop the other server "
                   "or choose another with --port\n")


def test_serve_on_an_address_not_of_this_machine_is_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    from exobone.cli import main

    assert main(["serve", "--host", "192.0.2.1", "--port", "0"]) == 1  # TEST-NET-1
    err = capsys.readouterr().err
    assert "'192.0.2.1' is not an address of this machine" in err and err.count("\n") == 1
