"""Unknown names: a scenario, intervention, source, species, outcome, format or id that does not
exist is one line saying which and listing the known ones (CLI exit 1, API UnknownNameError,
web 404), and nothing runs."""

from __future__ import annotations

import re

import pytest

from exobone.errors import UnknownNameError
from exobone.model.assemble import build_model

SCENARIOS = "(known: aging, calvarial-defect, fracture"


@pytest.mark.parametrize("args, message", [
    (("simulate", "nosuch"), f"unknown scenario 'nosuch' {SCENARIOS}"),
    (("simulate", "ovx", "-i", "nosuchdrug"), "unknown intervention kind 'nosuchdrug' (known: "),
    (("simulate", "ovx", "-i", "exosome:nosuch"), "unknown exosome source 'nosuch' (known: "),
    (("simulate", "ovx", "--species", "dog"), "'dog' (known: mouse, rat)"),
    (("cohort", "nosuch", "--n", "2"), f"unknown scenario 'nosuch' {SCENARIOS}"),
    (("cohort", "ovx", "--n", "2", "--readout", "median"), "did you mean 'mean'?"),
    (("export", "sbml", "nosuch", "-o", "never.xml"), f"unknown scenario 'nosuch' {SCENARIOS}"),
    (("report", "nosuch", "-o", "never.html"), f"unknown scenario 'nosuch' {SCENARIOS}"),
    (("dose-response", "ovx", "--exosome", "nosuch"), "unknown exosome source 'nosuch'"),
    (("sensitivity", "ovx", "--outcome", "bv_tv@180", "--method", "nosuch"),
     "unknown sensitivity method 'nosuch' (known: morris, sobol)"),
    (("atlas", "export", "--format", "nosuch"), "unknown export format 'nosuch' (known: csv,"),
])
def test_cli_unknown_name(one_line, args: tuple[str, ...], message: str) -> None:
    assert message in one_line(*args)


SITE = "unknown site for rat 'femur' (known: proximal_tibia)"
NO_RAT_SPINE = ("no rat data for site 'lumbar_spine': healthy BV/TV of rat was read only for "
                "proximal_tibia")


@pytest.mark.parametrize("args", [
    ("simulate", "ovx"), ("model", "explain", "osteoclasts", "--scenario", "ovx"),
    ("cohort", "ovx", "--n", "2"), ("dose-response", "ovx", "--exosome", "bmsc"),
    ("optimize", "ovx", "--exosome", "bmsc", "--objective", "bv_tv@60"),
    ("sensitivity", "ovx", "--outcome", "bv_tv@60"), ("report", "ovx", "-o", "never.html"),
    ("export", "sbml", "ovx", "-o", "never.xml"),
])
def test_cli_unknown_site_is_the_same_line_everywhere(one_line, tmp_path, monkeypatch,
                                                      args: tuple[str, ...]) -> None:
    monkeypatch.chdir(tmp_path)
    assert SITE in one_line(*args, "--site", "femur")
    assert NO_RAT_SPINE in one_line(*args, "--site", "lumbar-spine")
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_api_unknown_site_is_refused_before_any_run() -> None:
    from exobone.analysis.cohorts import run_cohort
    from exobone.analysis.doses import DoseProblem
    from exobone.analysis.report import build_report
    from exobone.analysis.sensitivity import run_sensitivity

    calls = [lambda: build_model("ovx", site="femur"),
             lambda: run_cohort("ovx", n=2, site="femur"),
             lambda: DoseProblem("ovx", "bmsc", "bv_tv", 60, site="femur"),
             lambda: run_sensitivity("ovx", outcome="bv_tv", day=60, n=4, site="femur"),
             lambda: build_report("ovx", site="femur")]
    for call in calls:
        with pytest.raises(UnknownNameError, match=re.escape(SITE)):
            call()


@pytest.mark.parametrize("method, path, kwargs", [
    ("post", "/api/simulate", {"json": {"scenario": "ovx", "site": "femur"}}),
    ("get", "/api/simulate/download", {"params": {"scenario": "ovx", "site": "femur"}}),
    ("get", "/api/model/sbml", {"params": {"scenario": "ovx", "site": "femur"}}),
    ("get", "/api/report", {"params": {"scenario": "ovx", "site": "femur"}}),
])
def test_web_unknown_site_is_404_before_a_run(client, json_error, method: str, path: str,
                                              kwargs: dict) -> None:
    assert SITE in json_error(getattr(client, method)(path, **kwargs), 404)


def test_web_lists_the_sites_of_each_species(client) -> None:
    pmo = {s["name"]: s for s in client.get("/api/scenarios").json()}["pmo"]
    assert pmo["sites"]["human"][0] == "iliac_crest"  # the default first
    assert sorted(pmo["sites"]["human"]) == ["iliac_crest", "lumbar_spine", "proximal_tibia"]


def test_cli_unknown_set_kind_names_the_new_cargo_change_kind(one_line, tmp_path) -> None:
    hits = tmp_path / "hits.txt"
    hits.write_text("miR-214\n")
    err = one_line("atlas", "enrich", hits, "--kind", "nosuch")
    assert "(known: cargo_change, effect, figure, pathway, source)" in err


@pytest.mark.parametrize("scenario, interventions, message", [
    ("nosuch", [], "unknown scenario 'nosuch'"),
    ("ovx", ["nosuchdrug"], "unknown intervention kind 'nosuchdrug'"),
    ("ovx", ["exosome:nosuch"], "unknown exosome source 'nosuch'"),
])
def test_api_unknown_name(scenario: str, interventions: list[str], message: str) -> None:
    with pytest.raises(UnknownNameError, match=message) as err:
        build_model(scenario, interventions)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("method, path, kwargs, message", [
    ("post", "/api/simulate", {"json": {"scenario": "nosuch"}}, "unknown scenario 'nosuch'"),
    ("post", "/api/simulate", {"json": {"scenario": "ovx", "interventions": ["nosuchdrug"]}},
     "unknown intervention kind 'nosuchdrug'"),
    ("get", "/api/simulate/download", {"params": {"scenario": "nosuch"}},
     "unknown scenario 'nosuch'"),
    ("get", "/api/model/sbml", {"params": {"scenario": "nosuch"}}, "unknown scenario 'nosuch'"),
    ("get", "/api/atlas/mechanisms/MECH:9999", {}, "unknown mechanism 'MECH:9999'; did you mean"),
    ("get", "/api/atlas/search", {"params": {"species": "dog"}}, "unknown species 'dog'"),
    ("get", "/api/scorecard", {"params": {"experiment": "nosuch"}},
     "unknown experiment 'nosuch'"),
    ("get", "/api/nosuch", {}, "there is no page or API route '/api/nosuch'; /api lists"),
])
def test_web_unknown_name_is_404(client, json_error, method: str, path: str, kwargs: dict,
                                 message: str) -> None:
    assert message in json_error(getattr(client, method)(path, **kwargs), 404)


def test_web_unknown_method_is_405_in_words(client, json_error) -> None:
    detail = json_error(client.delete("/api/scenarios"), 405)
    assert detail == "DELETE is not allowed on '/api/scenarios'; /api lists the method of each route"


def test_web_unknown_body_field_is_422(client, json_error) -> None:
    detail = json_error(client.post("/api/simulate", json={"scenario": "ovx", "dayz": 5}), 422)
    assert detail == "dayz: Extra inputs are not permitted (got 5)"


def test_web_runs_the_requested_site(client) -> None:
    """A known site reaches the model (its healthy BV/TV is the site's, Hiller 2017 16.3 %)."""
    r = client.get("/api/model/sbml", params={"scenario": "pmo", "species": "human",
                                               "site": "lumbar_spine"})
    assert r.status_code == 200, r.text
    assert 'name="healthy trabecular BV/TV (human, lumbar_spine)" value="16.3"' in r.text


def test_web_misspelt_query_parameter_is_422_not_an_untreated_run(client, json_error) -> None:
    """Issue 15: ``interventions=`` (the parameter is ``intervention``) returned a "treated" arm
    equal to the control."""
    detail = json_error(client.get("/api/simulate/download", params={
        "scenario": "ovx", "interventions": "denosumab"}), 422)
    assert detail.startswith("unknown query parameter 'interventions'; /api/simulate/download "
                             "takes: ") and "intervention," in detail and "site" in detail


@pytest.mark.parametrize("path, params, unknown, accepted", [
    ("/api/atlas/search", {"cargo": "miR-214", "cagro": "x"}, "'cagro'", "cargo"),
    ("/api/scenarios", {"verbose": "1"}, "'verbose'", "no query parameters"),
])
def test_web_unknown_query_parameter_is_422_naming_it(client, json_error, path: str,
                                                      params: dict[str, str], unknown: str,
                                                      accepted: str) -> None:
    detail = json_error(client.get(path, params=params), 422)
    assert unknown in detail and accepted in detail


def test_web_pages_keep_their_query_string(client) -> None:
    """The pages' scripts read the query string (shared links), so pages accept any."""
    assert client.get("/run", params={"scenario": "ovx"}).status_code == 200
