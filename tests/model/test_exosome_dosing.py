"""Exosome doses: resolved form, per-kg dosing across species, routes, saturation and the BV/TV
ceiling."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from exobone.errors import InvalidInputError, ModelError
from exobone.model.assemble import assemble_model, build_model
from exobone.model.exosomes import routes
from exobone.model.exosomes.routes import ROUTES, route_pk
from exobone.model.scenarios.exosome_interventions import BODY_WEIGHT_KG, parse_dose
from exobone.model.scenarios.interventions import parse_intervention
from exobone.simulate import SaveAt, simulate


def _bv_tv(spec, days: list[float]) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(simulate(spec, (0.0, max(days)), saveat=SaveAt(times=days))["bv_tv"])


def test_the_resolved_intervention_names_route_dose_unit_and_schedule() -> None:
    iv = parse_intervention("exosome:hipsc-msc,dose=100,start=28,every=7", "ovx")
    assert str(iv) == "exosome:hipsc-msc,dose=100ug,route=systemic,start=28,every=7"
    spec = build_model("ovx", ["exosome:bmsc,dose=5ug/kg,route=local,every=7,stop=56"])
    assert spec.metadata["interventions"] == (
        "exosome:bmsc,dose=5ug/kg,route=local,start=0,every=7,stop=56",)


@pytest.mark.parametrize(("text", "ug", "per_kg"), [
    ("100", 100.0, False), ("100ug", 100.0, False), ("0.1mg", 100.0, False),
    ("5ug/kg", 5.0, True), ("4mg/kg", 4000.0, True), ("5 µg/kg", 5.0, True)])
def test_doses_take_a_unit_per_animal_or_per_kg(text: str, ug: float, per_kg: bool) -> None:
    dose = parse_dose(text)
    assert (dose.value, dose.per_kg) == (ug, per_kg)


@pytest.mark.parametrize("text", ["5/kg", "ten", "5ug/g", "-3ug"])
def test_a_dose_without_a_known_unit_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="dose"):
        parse_intervention(f"exosome:bmsc,dose={text}")


def test_the_same_ug_per_kg_does_the_same_in_rat_and_mouse() -> None:
    """400 µg/kg weekly is 100 µg in a 0.25 kg rat and 10 µg in a 0.025 kg mouse: the same
    amount per body weight reaches the site (the dose compartment starts identical). The rat
    and mouse cores now differ in physiology (issue 12: turnover, estrogen sensitivity, BV/TV),
    so the BV/TV courses differ; the dose raises BV/TV over each species' untreated OVX."""
    iv = "exosome:bmsc,dose=400ug/kg,route=systemic,every=7,stop=84"
    days = [0.0, 28.0, 56.0, 90.0]
    rat = build_model("ovx", [iv], species="rat")
    mouse = build_model("ovx", [iv], species="mouse")
    assert rat.get_parameter("dose_bmsc_ug").value == pytest.approx(400 * BODY_WEIGHT_KG["rat"][0])
    assert mouse.get_parameter("dose_bmsc_ug").value == pytest.approx(
        400 * BODY_WEIGHT_KG["mouse"][0])
    site = {sp: simulate(spec, (0.0, 1.0), saveat=SaveAt(times=[0.0]))["exo_dose_bmsc"][0]
            for sp, spec in (("rat", rat), ("mouse", mouse))}
    assert site["mouse"] == pytest.approx(site["rat"], rel=1e-9) and site["rat"] > 0
    r, m = _bv_tv(rat, days), _bv_tv(mouse, days)
    for species, treated in (("rat", r), ("mouse", m)):
        untreated = _bv_tv(build_model("ovx", [], species=species), days)
        assert treated[-1] > untreated[-1] * 1.01, species  # the dose does something
    # an absolute dose is not scaled: 100 µg is ten times the per-kg dose of a mouse
    mouse_abs = build_model("ovx", [iv.replace("400ug/kg", "100ug")], species="mouse")
    assert _bv_tv(mouse_abs, days)[-1] > m[-1]


def test_dose_response_saturates_below_the_ceiling() -> None:
    """BMSC exosomes in OVX: BV/TV at day 180 after weekly local doses gains less with each
    tenfold dose (combined responses saturate), levels off by 100,000 µg per dose and stays
    under bv_tv_max."""
    spec = build_model("ovx", ["exosome:bmsc,dose=100,route=local,every=7"])
    bv = {dose: float(simulate(spec, (0.0, 180.0), params={"dose_bmsc_ug": dose},
                               saveat=SaveAt(times=[180.0]))["bv_tv"][-1])
          for dose in (100.0, 1000.0, 10000.0, 100000.0)}
    gains = [bv[1000.0] - bv[100.0], bv[10000.0] - bv[1000.0], bv[100000.0] - bv[10000.0]]
    assert all(g > 0 for g in gains)
    assert gains[0] > gains[1] > gains[2]  # concave in log dose
    assert gains[2] < 0.05 * bv[10000.0]  # a plateau
    assert bv[100000.0] < spec.require_parameter("bv_tv_max").value


def test_no_stimulus_takes_bv_tv_past_the_ceiling() -> None:
    """Bone formation times 20 for ten years: BV/TV levels off below bv_tv_max."""
    b = assemble_model("healthy", exosome_layer=False)
    b.add_factor("bone_formation", "20", description="test stimulus")
    spec = b.build()
    bv = _bv_tv(spec, [0.0, 1825.0, 3650.0])
    assert bv[1] > 2 * bv[0]  # the stimulus works
    assert bv[-1] < spec.get_parameter("bv_tv_max").value
    assert bv[-1] - bv[1] < 0.02 * bv[-1]  # a plateau


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_each_route_has_its_pharmacokinetics_per_species_with_reasons(route: str) -> None:
    rat, mouse = route_pk(route, "rat"), route_pk(route, "mouse")
    # the same µg/kg acts the same in rat and mouse: same fraction, volume per kg, clearance
    assert (mouse.fraction, mouse.volume, mouse.clearance) == (
        rat.fraction, rat.volume, rat.clearance)
    for species in ("rat", "mouse", "human"):
        pk = route_pk(route, species)
        assert pk.fraction_bounds[0] <= pk.fraction <= pk.fraction_bounds[1]
        assert all(len(r) > 40 for r in (pk.fraction_reason, pk.volume_reason,
                                         pk.clearance_reason))
    spec = build_model("ovx", [f"exosome:bmsc,dose=400ug/kg,route={route}"], species="mouse")
    assert spec.require_parameter(f"exo_bioavailability_{route}").value == rat.fraction
    assert spec.require_parameter("k_exo_dose_clearance").value == rat.clearance
    (event,) = [e for e in spec.events if e.name.startswith("dose_bmsc")]
    assert f"{route} ({ROUTES[route]})" in event.description
    assert f"exo_site_volume_{route}" in next(iter(event.assignments.values()))


def test_local_puts_more_at_the_site_than_systemic_and_unknowns_are_refused() -> None:
    assert route_pk("local", "rat").fraction > route_pk("systemic", "rat").fraction
    site = {}
    for route in ROUTES:
        spec = build_model("ovx", [f"exosome:bmsc,dose=100ug,route={route}"], species="rat")
        site[route] = simulate(spec, (0.0, 1.0), saveat=SaveAt(times=[0.0]))["exo_dose_bmsc"][0]
    assert site["local"] / site["systemic"] == pytest.approx(
        route_pk("local", "rat").fraction / route_pk("systemic", "rat").fraction)
    with pytest.raises(InvalidInputError, match="route"):
        parse_intervention("exosome:bmsc,route=oral")


def test_two_routes_clearing_at_different_rates_are_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    slow = dataclasses.replace(route_pk("local", "rat"), clearance=0.1)
    monkeypatch.setitem(routes.ROUTE_PK, ("local", "rat"), slow)
    with pytest.raises(ModelError, match="different rates"):
        build_model("ovx", ["exosome:bmsc,route=systemic", "exosome:bmsc,route=local"],
                    species="rat")
