"""Oversized requests: every request is bounded before work starts (members, doses, days, sample
size, list length, body and query size) with one line saying the limit (CLI exit 1, API
InvalidInputError, web 413/414/422), within seconds."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from exobone.analysis.cohorts import check_cohort
from exobone.atlas.enrich import MAX_LIST_BYTES, MAX_LIST_NAMES
from exobone.errors import InvalidInputError
from exobone.web.app import ECHO_CHARS


@pytest.mark.parametrize("args, message", [
    (("cohort", "ovx", "--n", "1000000000000"), "the limit is 8 GiB: use a smaller --n"),
    (("simulate", "ovx", "--days", "1e9"), "days must be in (0, 36500]"),
    (("simulate", "ovx", "-i", "exosome:bmsc,dose=100,every=1e-9"),
     "the limit is 10,000 doses per run"),
    (("optimize", "ovx", "--exosome", "bmsc", "--objective", "bv_tv@1e9"),
     "the day of 'bv_tv@1e9' is past the longest run, day 36500"),
    (("dose-response", "ovx", "--exosome", "bmsc", "--objective", "bv_tv@1e9"),
     "the day of 'bv_tv@1e9' is past the longest run, day 36500"),
    (("sensitivity", "ovx", "--outcome", "bv_tv@180", "--n", "100000000"),
     "the limit is 8 GiB: use a smaller --n"),
])
def test_cli_oversized_request_is_refused_at_once(one_line, args: tuple[str, ...],
                                                  message: str) -> None:
    assert message in one_line(*args)  # the check runs before any model is built


def test_api_oversized_cohort() -> None:
    with pytest.raises(InvalidInputError, match="doses per run"):
        check_cohort(["exosome:bmsc,dose=100,every=1e-9"], n=10, days=365.0, points=53)


def test_web_oversized_list_is_422_and_not_echoed_in_full(client, json_error) -> None:
    r = client.post("/api/simulate", json={"scenario": "ovx", "interventions": ["x"] * 1000})
    detail = json_error(r, 422)
    assert "List should have at most 10 items" in detail
    assert len(detail) < 200 + ECHO_CHARS and detail.endswith("...)")


def test_web_overlong_id_is_422_and_not_echoed_in_full(client, json_error) -> None:
    detail = json_error(client.get("/api/atlas/mechanisms/" + "x" * 5000), 422)
    assert detail.startswith("mech_id: String should have at most 64 characters (got 'xxx")
    assert len(detail) < 200


def test_web_doses_past_the_limit_are_422(client, json_error) -> None:
    r = client.post("/api/simulate", json={"scenario": "ovx", "interventions": [
        "exosome:bmsc,dose=100,every=1e-9"]})
    assert "the limit is 10,000 doses per run" in json_error(r, 422)


def test_web_points_past_the_limit_are_422(client, json_error) -> None:
    r = client.post("/api/simulate", json={"scenario": "ovx", "points": 2_000_000_000})
    assert "points: Input should be less than or equal to 1000" in json_error(r, 422)


def _sbml(species: str = "", rule: str = "<ci>k</ci>", padding: str = "") -> str:
    """A small valid SBML L3V2 model: x' = RULE, with extra ``species`` and ``padding``."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">{padding}
<model id="m"><listOfCompartments><compartment id="c" size="1" constant="true"/>
</listOfCompartments><listOfSpecies>
<species id="x" compartment="c" initialConcentration="1" hasOnlySubstanceUnits="false"
 boundaryCondition="false" constant="false"/>{species}</listOfSpecies>
<listOfParameters><parameter id="k" value="0.1" constant="true"/></listOfParameters>
<listOfRules><rateRule variable="x"><math xmlns="http://www.w3.org/1998/Math/MathML">{rule}</math>
</rateRule></listOfRules></model></sbml>"""


def _nested(levels: int) -> str:
    inner = "<ci>k</ci>"
    for _ in range(levels):
        inner = f"<apply><minus/>{inner}</apply>"
    return inner


@pytest.mark.parametrize("model, args, message", [
    (_sbml(), ("--points", "2000000000"), "--points must be in [2, 100,000], got 2000000000"),
    (_sbml(species="".join(
        f'<species id="s{i}" compartment="c" initialConcentration="1" '
        f'hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>'
        for i in range(3000))), (),
     "has 3,002 species, reactions, rules, events and initial assignments; at most 2,000"),
    (_sbml(padding="<!-- " + "x" * 11_000_000 + " -->"), (),
     "is 11.0 MB; at most 10 MB of SBML is read"),
    (_sbml(rule=_nested(3000)), (), "nests MathML more than 200 levels deep"),
])
def test_cli_oversized_sbml_is_refused_at_once(one_line, tmp_path, model: str,
                                               args: tuple[str, ...], message: str) -> None:
    """Issue 15: 2e9 points, 3,000 species and 40 MB of comments ran for minutes; MathML nested
    3,000 deep was a RecursionError."""
    path = tmp_path / "model.xml"
    path.write_text(model, encoding="utf-8")
    assert message in one_line("sbml", "run", path, "--days", "1", *args)


def test_a_model_the_size_of_the_largest_petab_benchmark_passes_the_size_check() -> None:
    """Chen_MSB2009 (PEtab benchmark collection) has 1,335 species, reactions and rules."""
    from exobone.interop.sbml.import_ import read_sbml

    doc = read_sbml(_sbml(species="".join(
        f'<species id="s{i}" compartment="c" initialConcentration="1" '
        f'hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>'
        for i in range(1400))))
    assert doc.getModel().getNumSpecies() >= 1400


def test_api_sbml_bounds_are_the_same_for_a_string() -> None:
    from exobone.interop.sbml import import_sbml

    with pytest.raises(InvalidInputError, match="nests MathML more than 200 levels deep"):
        import_sbml(_sbml(rule=_nested(201)))
    assert import_sbml(_sbml(rule=_nested(150))).state_names == ("x",)


def test_enrich_refuses_an_overlong_list_before_any_work(one_line, tmp_path: Path,
                                                         small_data: Path) -> None:
    """Issue 15: a 200,000-line list ran for minutes without an answer."""
    genes = tmp_path / "all.txt"
    genes.write_text("\n".join(f"GENE{i}" for i in range(200_000)), encoding="utf-8")
    db = tmp_path / "never-built.sqlite"
    err = one_line("atlas", "enrich", genes, "--db", db, "--data-dir", small_data)
    assert "200,000 names" in err and f"{MAX_LIST_NAMES:,}" in err
    assert not db.exists()  # refused before the store was opened or built


def test_enrich_refuses_an_oversized_file_unread(one_line, tmp_path: Path,
                                                 small_data: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:  # sparse: no disk used, but over the limit by size
        fh.truncate(MAX_LIST_BYTES + 1)
    err = one_line("atlas", "enrich", huge, "--db", tmp_path / "x.sqlite", "--data-dir",
                   small_data)
    assert "MiB" in err


EXO = "exosome:bmsc,dose=100,start=28,every=7"
LONG = "denosumab,start=28" + "0" * 482  # 500 characters, over the documented 200


@pytest.mark.parametrize("command", [("simulate", "ovx"), ("export", "sbml", "ovx", "-o", "x.xml"),
                                     ("model", "explain", "osteoclasts")])
def test_cli_intervention_over_200_characters(one_line, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              command: tuple[str, ...]) -> None:
    """Issue 15: a 500-character intervention was accepted with exit 0."""
    monkeypatch.chdir(tmp_path)
    assert "500 characters long; at most 200" in one_line(*command, "-i", LONG)
    assert not list(tmp_path.glob("*.xml"))


def test_web_intervention_over_200_characters_is_422(client, json_error) -> None:
    r = client.post("/api/simulate", json={"scenario": "ovx", "interventions": [LONG]})
    assert "at most 200 characters" in json_error(r, 422)
    r = client.get("/api/simulate/download", params={"scenario": "ovx", "intervention": LONG})
    assert "at most 200 characters" in json_error(r, 422)


def test_web_oversized_query_and_body_are_json_414_and_413(client, json_error) -> None:
    r = client.get("/api/atlas/search", params={"text": "x" * 20_000})  # httpx: < 64 KiB
    assert "at most 8192" in json_error(r, 414)
    r = client.post("/api/simulate", content=b"{" + b" " * 100_000 + b"}",
                    headers={"content-type": "application/json"})
    assert "at most 65536" in json_error(r, 413)

    def chunks() -> Iterator[bytes]:  # no content-length: counted while read
        for _ in range(100):
            yield b" " * 1000

    r = client.post("/api/simulate", content=chunks(),
                    headers={"content-type": "application/json"})
    assert "over 65536 bytes" in json_error(r, 413)


@pytest.fixture(scope="module")
def served(web_db: Path) -> Iterator[int]:
    """The app under uvicorn as ``exobone serve`` configures it, on a free loopback port."""
    from exobone.web import create_app
    from exobone.web.server import listen, make_server

    sock = listen("127.0.0.1", 0)
    server = make_server(create_app(db=web_db), sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    give_up = time.monotonic() + 120  # a bound on the wait, not a speed check
    while not server.started and thread.is_alive() and time.monotonic() < give_up:
        time.sleep(0.05)
    assert server.started
    yield int(sock.getsockname()[1])
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_a_150kb_query_string_through_uvicorn_is_json(served: int) -> None:
    """Issue 15: uvicorn answered with its own plain-text 400."""
    import http.client
    import json

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


def test_a_web_run_past_its_time_limit_is_stopped_not_abandoned(web_db: Path) -> None:
    """Issue 15: the 504 left the run going in the background (the server passed 5 GB)."""
    from fastapi.testclient import TestClient

    from exobone.web import Limits, create_app
    from exobone.web.workers import scenario_task

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
