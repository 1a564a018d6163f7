"""The JSON API through FastAPI's TestClient: every endpoint, its status codes and error text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from exobone.web import Limits, create_app

OVX_EXO = "exosome:bmsc,dose=100,start=7,every=7"
#: what the run reports: the intervention with its defaults written out (dose unit, route)
OVX_EXO_RESOLVED = "exosome:bmsc,dose=100ug,route=systemic,start=7,every=7"
SIM = {"scenario": "ovx", "interventions": [OVX_EXO], "days": 60, "points": 61}


# ----------------------------------------------------------------------------- pages, OpenAPI
@pytest.mark.parametrize("page", ["/", "/run", "/scorecard", "/api"])
def test_pages_are_served(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "/static/common.js" in r.text


@pytest.mark.parametrize("asset", ["vendor/cytoscape.min.js", "vendor/plotly-basic.min.js",
                                   "app.css", "atlas.js", "run.js", "scorecard.js"])
def test_static_assets_are_served_from_the_package(client: TestClient, asset: str) -> None:
    r = client.get(f"/static/{asset}")
    assert r.status_code == 200
    assert len(r.content) > 1000


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/%2e%2e/app.py",
                                  "/static/..%2fapp.py", "/static//etc/passwd"])
def test_static_files_cannot_leave_the_static_folder(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert "create_app" not in r.text and "root:" not in r.text


def test_openapi_describes_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/atlas/search", "/api/atlas/experiments", "/api/atlas/mechanisms/{mech_id}",
                 "/api/atlas/network", "/api/atlas/export", "/api/atlas/facets",
                 "/api/atlas/summary", "/api/scenarios", "/api/interventions", "/api/sources",
                 "/api/outcomes", "/api/simulate", "/api/simulate/download", "/api/model/sbml",
                 "/api/report",
                 "/api/scorecard"):
        assert path in spec["paths"], path
    body = spec["components"]["schemas"]["SimulationRequest"]["properties"]
    assert body["days"]["maximum"] == 3650
    assert body["interventions"]["maxItems"] == 10


# ----------------------------------------------------------------------------- atlas
def test_summary_and_facets(client: TestClient) -> None:
    s = client.get("/api/atlas/summary").json()
    assert s["counts"]["mechanisms"] > 100 and s["seeds"]
    f = client.get("/api/atlas/facets").json()
    assert {"cargo", "source", "target", "pathway", "disease", "species", "setting",
            "direction"} <= set(f)
    assert "mouse" in f["species"] and "in_vivo" in f["setting"]
    assert any(c["key"] == "miR-214-3p" for c in f["cargo"])


def test_search_mir214_is_arm_aware_and_carries_evidence(client: TestClient) -> None:
    r = client.get("/api/atlas/search", params={"cargo": "miR-214"})
    assert r.status_code == 200
    data = r.json()
    assert data["filters"] == {"cargo": "miR-214"}
    assert data["count"] == len(data["mechanisms"]) >= 1
    assert all(any(c.startswith("miR-214") for c in m["cargo"]) for m in data["mechanisms"])
    ev = data["mechanisms"][0]["evidence"][0]
    assert ev["quote"] and ev["quote_en"] and ev["citation"] and ev["read_in"]
    assert ev["source_document"] and ev["setting"]
    assert "Mus musculus" in {s for m in data["mechanisms"] for e in m["evidence"]
                              for s in e["species"]}

def test_search_says_what_the_first_of_the_chain_is(client: TestClient) -> None:
    """Issue 15: a gene (RAB27A) or a disease was shown as the exosome "source"."""
    kinds = {m["kind"]: m["source_role"]
             for m in client.get("/api/atlas/search").json()["mechanisms"]}
    assert kinds["exosome_transfer"] == "source cell"
    assert kinds["release_control"] == "regulator" and kinds["cargo_profile"] == "context"
    rab27a = client.get("/api/atlas/search", params={"source": "RAB27A"}).json()["mechanisms"]
    assert rab27a and {m["source_role"] for m in rab27a} == {"regulator"}
    page = client.get("/").text
    assert "<th>source</th>" not in page and "from (role)" in page



@pytest.mark.parametrize("facet,value", [
    ("source", "BMSC"), ("target", "osteoblast"), ("pathway", "Wnt"),
    ("disease", "osteoporosis"), ("species", "rat"), ("setting", "in_vivo"),
    ("direction", "decrease"), ("text", "成骨"),
])
def test_every_facet_filters(client: TestClient, facet: str, value: str) -> None:
    everything = client.get("/api/atlas/search").json()["count"]
    r = client.get("/api/atlas/search", params={facet: value})
    assert r.status_code == 200
    assert 0 < r.json()["count"] < everything


def test_search_combines_facets(client: TestClient) -> None:
    both = client.get("/api/atlas/search", params={"cargo": "miR-214", "species": "human"})
    assert both.status_code == 200
    for m in both.json()["mechanisms"]:
        assert any(e["matched"] and "Homo sapiens" in e["species"] for e in m["evidence"])


@pytest.mark.parametrize("params,status,text", [
    ({"species": "dog"}, 404, "unknown species 'dog'"),
    ({"setting": "in silico"}, 404, "unknown setting 'in silico'"),
    ({"direction": "sideways"}, 404, "unknown direction 'sideways'"),
    ({"cargo": "x" * 101}, 422, "cargo: String should have at most 100 characters"),
    ({"limit": -1}, 422, "limit: Input should be greater than or equal to 0"),
])
def test_search_bad_input(client: TestClient, params: dict[str, object], status: int,
                          text: str) -> None:
    r = client.get("/api/atlas/search", params=params)
    assert r.status_code == status
    assert text in r.json()["detail"]


def test_experiments_search(client: TestClient) -> None:
    r = client.get("/api/atlas/experiments", params={"disease": "osteoporosis"})
    assert r.status_code == 200
    data = r.json()
    assert data["count"] >= 1
    x = data["experiments"][0]
    assert x["id"].startswith("EXP:") and x["citation"] and x["outcomes"]
    bad = client.get("/api/atlas/experiments", params={"kind": "teleport"})
    assert bad.status_code == 404
    assert "unknown intervention kind 'teleport'" in bad.json()["detail"]


def test_one_mechanism_and_unknown_id(client: TestClient) -> None:
    first = client.get("/api/atlas/search", params={"cargo": "miR-214"}).json()["mechanisms"][0]
    r = client.get(f"/api/atlas/mechanisms/{first['id']}")
    assert r.status_code == 200
    assert r.json()["id"] == first["id"] and r.json()["evidence"]
    missing = client.get("/api/atlas/mechanisms/MECH:0000")
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith("unknown mechanism 'MECH:0000'")


def test_network_edges_are_signed(client: TestClient) -> None:
    r = client.get("/api/atlas/network", params={"cargo": "miR-214"})
    assert r.status_code == 200
    net = r.json()
    ids = {n["data"]["id"] for n in net["nodes"]}
    assert "miR-214-3p" in ids and "osteoblast" in ids
    for e in net["edges"]:
        d = e["data"]
        assert d["source"] in ids and d["target"] in ids
        assert d["sign"] in (-1, 0, 1)
        assert d["mechanisms"]
    assert any(e["data"]["sign"] == -1 for e in net["edges"])


@pytest.mark.parametrize("fmt,marker", [("csv", "id,"), ("cx2", "CXVersion"),
                                        ("graphml", "<graphml"), ("gmt", "\t")])
def test_export_current_selection(client: TestClient, fmt: str, marker: str) -> None:
    r = client.get("/api/atlas/export", params={"cargo": "miR-214", "format": fmt})
    assert r.status_code == 200
    assert marker in r.text
    assert "attachment" in r.headers["content-disposition"]
    everything = client.get("/api/atlas/export", params={"format": fmt})
    assert len(r.content) < len(everything.content)


def test_export_experiments_and_bad_format(client: TestClient) -> None:
    r = client.get("/api/atlas/export", params={"format": "csv", "what": "experiments",
                                                "disease": "osteoporosis"})
    assert r.status_code == 200 and "EXP:" in r.text
    bad = client.get("/api/atlas/export", params={"format": "xlsx"})
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("unknown export format 'xlsx'")
    wrong = client.get("/api/atlas/export", params={"format": "gmt", "what": "experiments"})
    assert wrong.status_code == 422
    assert "exports mechanisms only" in wrong.json()["detail"]
    path = client.get("/api/atlas/export", params={"format": "csv", "what": "experiments",
                                                   "pathway": "Wnt"})
    assert path.status_code == 422
    assert "pathway is not a filter of experiments" in path.json()["detail"]


# ----------------------------------------------------------------------------- model
def test_registries(client: TestClient) -> None:
    scenarios = {s["name"] for s in client.get("/api/scenarios").json()}
    assert {"ovx", "healthy", "fracture"} <= scenarios
    kinds = {k["kind"]: k for k in client.get("/api/interventions").json()}
    assert "exosome" in kinds and "dose" in kinds["exosome"]["options"]
    assert "bmsc" in {s["name"] for s in client.get("/api/sources").json()}
    assert "bv_tv" in {o["name"] for o in client.get("/api/outcomes").json()}


def test_simulate_ovx_with_bmsc_exosomes(client: TestClient) -> None:
    r = client.post("/api/simulate", json=SIM)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["scenario"] == "ovx" and data["species"] == "rat"
    assert data["interventions"] == [OVX_EXO_RESOLVED]
    assert len(data["times"]) == 61 and data["times"][-1] == 60
    assert len(data["outcomes"]["bv_tv"]) == 61
    assert data["control"]["interventions"] == []
    assert data["units"]["bv_tv"] == "%"
    assert data["provenance"]["model_hash"] != data["control"]["provenance"]["model_hash"]


@pytest.mark.parametrize("body,status,text", [
    ({"scenario": "ovxx"}, 404, "unknown scenario 'ovxx'; did you mean 'ovx'?"),
    ({"scenario": "ovx", "species": "dog"}, 404, "unknown species for scenario 'ovx' 'dog'"),
    ({"scenario": "ovx", "interventions": ["exosome:nope"]}, 404,
     "unknown exosome source 'nope'"),
    ({"scenario": "ovx", "interventions": ["teleport"]}, 404, "unknown intervention"),
    ({"scenario": "ovx", "interventions": ["denosumab,start=10,stop=5"]}, 422,
     "impossible schedule: stop=5 is not after start=10"),
    ({"scenario": "ovx", "days": 5000}, 422,
     "days: Input should be less than or equal to 3650 (got 5000)"),
    ({"scenario": "ovx", "days": 0}, 422, "days: Input should be greater than 0"),
    ({"scenario": "ovx", "interventions": ["denosumab"] * 11}, 422,
     "interventions: List should have at most 10 items"),
    ({"scenario": "ovx", "points": 10**6}, 422, "points: Input should be less than or equal to"),
    ({"scenario": "ovx", "code": "__import__('os')"}, 422, "code: Extra inputs are not permitted"),
    ({}, 422, "scenario: Field required"),
])
def test_simulate_bad_input(client: TestClient, body: dict[str, object], status: int,
                            text: str) -> None:
    r = client.post("/api/simulate", json=body)
    assert r.status_code == status
    assert text in r.json()["detail"]


def test_simulate_rejects_non_json(client: TestClient) -> None:
    r = client.post("/api/simulate", content=b"not json",
                    headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "JSON" in r.json()["detail"]


def test_download_result_csv(client: TestClient) -> None:
    params = {"scenario": "ovx", "intervention": OVX_EXO, "days": 60, "points": 61}
    r = client.get("/api/simulate/download", params={**params, "format": "csv"})
    assert r.status_code == 200
    lines = r.text.splitlines()
    assert lines[0].startswith("arm,interventions,day,bv_tv")
    assert len(lines) == 1 + 2 * 61
    assert lines[1].startswith("treated,") and lines[-1].startswith("control,")
    assert "ovx.csv" in r.headers["content-disposition"]


def test_download_bad_format_and_bounds(client: TestClient) -> None:
    r = client.get("/api/simulate/download", params={"scenario": "ovx", "format": "xlsx"})
    assert r.status_code == 422
    assert "format: String should match pattern" in r.json()["detail"]
    r = client.get("/api/simulate/download", params={"scenario": "ovx", "days": 99999})
    assert r.status_code == 422
    assert "days: Input should be less than or equal to 3650" in r.json()["detail"]
    r = client.get("/api/simulate/download",
                   params=[("scenario", "ovx")] + [("intervention", "denosumab")] * 11)
    assert r.status_code == 422
    assert "at most 10 items" in r.json()["detail"]


def test_download_netcdf(client: TestClient, tmp_path: Path) -> None:
    import xarray as xr

    params = {"scenario": "ovx", "intervention": OVX_EXO, "days": 60, "points": 61,
              "format": "netcdf"}
    r = client.get("/api/simulate/download", params=params)
    assert r.status_code == 200
    assert r.content[:4] == b"\x89HDF"
    assert "ovx.nc" in r.headers["content-disposition"]
    path = tmp_path / "result.nc"
    path.write_bytes(r.content)
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert list(ds["arm"].values) == ["treated", "control"]
        assert ds.sizes["time"] == 61 and "bone_volume" in ds
        assert ds.attrs["scenario"] == "ovx"
        assert json.loads(ds.attrs["treated_interventions"]) == [OVX_EXO_RESOLVED]
        assert "model_hash" in ds.attrs["treated_provenance"]


def test_model_sbml(client: TestClient) -> None:
    r = client.get("/api/model/sbml", params={"scenario": "ovx", "intervention": OVX_EXO})
    assert r.status_code == 200
    assert "<sbml" in r.text and "level3" in r.text
    bad = client.get("/api/model/sbml", params={"scenario": "nope"})
    assert bad.status_code == 404
    assert "unknown scenario 'nope'" in bad.json()["detail"]


def test_html_report(client: TestClient) -> None:
    r = client.get("/api/report", params={"scenario": "ovx", "intervention": OVX_EXO, "days": 60,
                                          "points": 61})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "data:image/png;base64," in r.text and "Mechanisms involved" in r.text
    bad = client.get("/api/report", params={"scenario": "ovx", "intervention": "exosome:nope"})
    assert bad.status_code == 404
    assert "unknown exosome source 'nope'" in bad.json()["detail"]


def test_simulation_time_limit(web_db: Path) -> None:
    with TestClient(create_app(db=web_db, limits=Limits(sim_timeout_s=0.001))) as c:
        r = c.post("/api/simulate", json={**SIM, "days": 365, "points": 366})
    assert r.status_code == 504
    assert "took longer than 0.001 s" in r.json()["detail"]


def test_simulation_queue_limit(web_db: Path) -> None:
    with TestClient(create_app(db=web_db, limits=Limits(sim_queue=0))) as c:
        r = c.post("/api/simulate", json=SIM)
    assert r.status_code == 503
    assert "too many simulations at once" in r.json()["detail"]


# ----------------------------------------------------------------------------- scorecard
def test_scorecard_subset(client: TestClient) -> None:
    r = client.get("/api/scorecard", params={"experiment": "EXP:1025"})
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "done"
    assert [x["id"] for x in data["experiments"]] == ["EXP:1025"]
    row = data["experiments"][0]
    assert row["citation"] and row["result"]["outcomes"]
    assert data["summary"]["total"] == 1


def test_scorecard_lists_every_experiment_while_running(client: TestClient) -> None:
    r = client.get("/api/scorecard", params={"start": False})
    assert r.status_code == 200
    data = r.json()
    assert data["status"] in ("idle", "running", "done")
    assert len(data["experiments"]) == client.get("/api/atlas/summary").json()["counts"][
        "experiments"]
    assert all(x["citation"] for x in data["experiments"])


@pytest.mark.parametrize("params,status,text", [
    ({"experiment": "EXP:9999"}, 404, "unknown experiment 'EXP:9999'"),
    ([("experiment", f"EXP:10{i:02d}") for i in range(6)], 422, "at most 5 experiments"),
])
def test_scorecard_bad_input(client: TestClient, params: object, status: int, text: str) -> None:
    r = client.get("/api/scorecard", params=params)  # type: ignore[arg-type]
    assert r.status_code == status
    assert text in r.json()["detail"]


def test_errors_are_json_with_detail(client: TestClient) -> None:
    r = client.get("/api/atlas/mechanisms/MECH:0000")
    assert r.headers["content-type"] == "application/json"
    assert set(json.loads(r.text)) == {"detail"}
