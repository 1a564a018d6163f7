"""The exosome route defaults to what the scenario's atlas experiments used (issue 13 point 2)."""

from __future__ import annotations

import pytest

from exobone.atlas.curation import default_atlas
from exobone.errors import InvalidInputError
from exobone.model.assemble import assemble_model
from exobone.model.exosomes.scenario_routes import (
    ASSUMED_ROUTES,
    default_route,
    route_experiments,
)
from exobone.model.scenarios import SCENARIOS
from exobone.model.scenarios.interventions import parse_intervention


def test_defect_scenarios_take_the_local_route_their_experiments_used() -> None:
    calvarial = default_route("calvarial-defect")
    assert (calvarial.route, calvarial.assumed) == ("local", False)
    # EXP:1020 (calvarial defects in OVX rats) belongs to the defect, not to ovx
    assert set(calvarial.experiments) == {"EXP:1020", "EXP:1024"}
    atlas = default_atlas()
    for exp_id in calvarial.experiments:
        assert atlas.experiments[exp_id].intervention.route == "local"


def test_onfh_takes_the_intravenous_route_of_exp_1021() -> None:
    onfh = default_route("gc-onfh")
    assert (onfh.route, onfh.experiments, onfh.assumed) == ("systemic", ("EXP:1021",), False)


def test_ovx_route_is_an_assumption_with_its_reason() -> None:
    ovx = default_route("ovx")
    assert (ovx.route, ovx.assumed) == ("systemic", True)
    assert route_experiments("ovx") == {}
    assert ovx.reason.startswith("assumed:") and "EXP:1020" in ovx.reason


def test_an_assumption_never_overrides_an_experiment_that_names_a_route() -> None:
    for scenario in ASSUMED_ROUTES:
        assert scenario in SCENARIOS
        assert route_experiments(scenario) == {}, scenario


def test_a_scenario_without_a_route_requires_route() -> None:
    with pytest.raises(InvalidInputError, match="route=local or route=systemic"):
        assemble_model("myeloma", ["exosome:bmsc,dose=100"])
    spec = assemble_model("myeloma", ["exosome:bmsc,dose=100,route=local"])  # given: fine
    assert spec.metadata["interventions"][0].startswith("exosome:bmsc,dose=100ug,route=local")


@pytest.mark.parametrize(("scenario", "route"), [("calvarial-defect", "local"),
                                                 ("ovx", "systemic"), ("fracture", "local")])
def test_the_model_runs_and_shows_the_scenario_route(scenario: str, route: str) -> None:
    builder = assemble_model(scenario, ["exosome:bmsc,dose=100,every=7"])
    spec = builder.build()
    assert builder.metadata["interventions"] == (
        f"exosome:bmsc,dose=100ug,route={route},start=0,every=7",)
    (event,) = [e for e in spec.events if e.name.startswith("dose_bmsc")]
    assert f"exo_bioavailability_{route}" in next(iter(event.assignments.values()))
    assert f"{scenario} default" in event.description
    assert f"{scenario} default" in builder.metadata["exosome_routes"][0]


def test_a_given_route_wins_and_parsing_without_a_scenario_leaves_it_open() -> None:
    builder = assemble_model("calvarial-defect", ["exosome:bmsc,dose=100,route=systemic"])
    assert "route=systemic" in builder.metadata["interventions"][0]
    assert "route given" in builder.metadata["exosome_routes"][0]
    assert "route=" not in str(parse_intervention("exosome:bmsc,dose=100"))
    assert "route=local" in str(parse_intervention("exosome:bmsc,dose=100", "calvarial-defect"))
