"""Oversized requests: every request is bounded before work starts (members, doses, days, sample
size, list length, body and query size) with one line saying the limit (CLI exit 1, API
InvalidInputError, web 413/414/422), within seconds."""

from __future__ import annotations

import pytest

from exobone.analysis.cohorts import check_cohort
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
