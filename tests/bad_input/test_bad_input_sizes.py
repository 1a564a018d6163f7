"""Oversized requests: every request is bounded before work starts (members, doses, days, sample
size, list length, body and query size) with one line saying the limit (CLI exit 1, API
InvalidInputError, web 413/414/422), within seconds."""

from __future__ import annotations

import time

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
    start = time.monotonic()
    assert message in one_line(*args)
    assert time.monotonic() - start < 60  # refused before any simulation (usually < 2 s)


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
