"""Impossible values: a negative, zero, NaN or out-of-range number is one line naming the option
and the range it must be in (CLI exit 1, API InvalidInputError, web 422), before any run."""

from __future__ import annotations

import math

import pytest

from exobone.analysis.doses import Plan
from exobone.analysis.readouts import Readout
from exobone.errors import InvalidInputError

EXO = "exosome:bmsc,dose=100,every=7"


@pytest.mark.parametrize("args, message", [
    (("simulate", "ovx", "--days", "0"), "days must be in (0, 36500], got 0.0"),
    (("simulate", "ovx", "--days", "-5"), "days must be in (0, 36500], got -5.0"),
    (("simulate", "ovx", "--days", "nan"), "days must be in (0, 36500], got nan"),
    (("simulate", "ovx", "-i", "exosome:bmsc,dose=-5"), "a negative dose is impossible"),
    (("simulate", "ovx", "-i", "exosome:bmsc,dose=nan"), "dose='nan' is not a dose; write e.g."),
    (("simulate", "ovx", "-i", "exosome:bmsc,every=0"), "every must be > 0 days, got 0"),
    (("simulate", "ovx", "-i", "exosome:bmsc,start=400", "--days", "365"),
     "starts on day 400, not before the end of the run (day 365): it would change nothing"),
    (("simulate", "ovx", "-i", "denosumab,start=-3"), "start must be a day >= 0, got -3"),
    (("simulate", "ovx", "-i", "exosome:bmsc,route=nose"),
     "route must be one of local, systemic, got 'nose'"),
    (("cohort", "ovx", "--n", "0"), "n must be at least 1, got 0"),
    (("cohort", "ovx", "--n", "2", "--window", "-1"), "the read-out window must be 0 to 365 days"),
    (("optimize", "ovx", "--exosome", "bmsc", "--objective", "bv_tv@0"),
     "expected OUTCOME@DAY such as bv_tv@180, got 'bv_tv@0'"),
    (("optimize", "ovx", "--exosome", "bmsc", "--objective", "bv_tv@180", "--maxiter", "-1"),
     "--maxiter must be at least 1 generation, got -1"),
    (("optimize", "ovx", "--exosome", "bmsc", "--objective", "bv_tv@180", "--bounds",
      "dose=5:1"), "expected dose=LOW:HIGH with 0 <= LOW <= HIGH"),
    (("dose-response", "ovx", "--exosome", "bmsc", "--every", "0"),
     "every must be a finite number > 0, got 0.0"),
    (("dose-response", "ovx", "--exosome", "bmsc", "--doses", "nan,-1"),
     "doses must be finite numbers >= 0 µg, got nan"),
    (("dose-response", "ovx", "--exosome", "bmsc", "--doses", "abc"),
     "--doses must be comma-separated numbers, got 'abc'"),
    (("atlas", "search", "--limit", "-1"), "--limit must be a count >= 0, got -1"),
])
def test_cli_impossible_value(one_line, tmp_path, args: tuple[str, ...], message: str) -> None:
    assert message in one_line(*args)
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.parametrize("days", ["0", "-5", "nan"])
def test_sbml_run_days_names_the_option(one_line, tmp_path, days: str) -> None:
    """Not the solver's "SaveAt(times=...) must be strictly increasing"."""
    model = tmp_path / "m.xml"
    model.write_text("<not-read-before-the-days-are-checked/>")
    assert "--days must be " in one_line("sbml", "run", model, "--days", days)


@pytest.mark.parametrize("make, message", [
    (lambda: Plan(100.0, 0.0, 0.0, 10.0), "every must be a finite number > 0, got 0.0"),
    (lambda: Plan(-1.0, 7.0, 0.0, 10.0), "dose must be a finite number >= 0, got -1.0"),
    (lambda: Plan(math.nan, 7.0, 0.0, 10.0), "dose must be a finite number >= 0, got nan"),
    (lambda: Readout("bv_tv", 0.0), "the read-out day must be in (0, "),
    (lambda: Readout("bv_tv", 30.0, window=45.0), "the read-out window must be 0 to 30 days"),
])
def test_api_impossible_value(make, message: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        make()
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("method, path, kwargs, message", [
    ("post", "/api/simulate", {"json": {"scenario": "ovx", "days": -5}},
     "days: Input should be greater than 0 (got -5)"),
    ("post", "/api/simulate", {"json": {"scenario": "ovx", "days": "abc"}},
     "days: Input should be a valid number"),
    ("post", "/api/simulate", {"json": {"scenario": "ovx",
                                        "interventions": ["exosome:bmsc,every=0"]}},
     "every must be > 0 days, got 0"),
    ("post", "/api/simulate", {"json": {"scenario": "ovx", "days": 365,
                                        "interventions": ["exosome:bmsc,start=400"]}},
     "starts on day 400, not before the end of the run (day 365): it would change nothing"),
    ("get", "/api/simulate/download", {"params": {"scenario": "ovx", "format": "exe"}},
     "format: String should match pattern"),
    ("get", "/api/atlas/search", {"params": {"limit": "-1"}},
     "limit: Input should be greater than or equal to 0 (got '-1')"),
    ("get", "/api/atlas/experiments", {"params": {"limit": "abc"}},
     "limit: Input should be a valid integer"),
])
def test_web_impossible_value_is_422(client, json_error, method: str, path: str, kwargs: dict,
                                     message: str) -> None:
    assert message in json_error(getattr(client, method)(path, **kwargs), 422)


def test_a_sobol_sample_too_small_to_mean_anything_says_so(capsys) -> None:
    """Issue 15: ``sensitivity --n 4`` printed S1 -0.76 +- 1.45 without a word."""
    import json

    from exobone.cli import main

    code = main(["sensitivity", "ovx", "--method", "sobol", "--outcome", "bv_tv@60", "--n", "4",
                 "--parameters", "k_oc_apoptosis", "--backend", "reference", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.err.startswith("warning: n=4 is below 64, the smallest Sobol base sample whose "
                              "indices are meaningful") and out.err.count("\n") == 1
    assert json.loads(out.out)["warnings"][0].startswith("n=4 is below 64")
