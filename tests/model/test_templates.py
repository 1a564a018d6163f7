"""Rate templates: registry, the normalised saturating form, and each kind's behaviour."""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from exobone.atlas.records import Direction, Mechanism, MechanismKind
from exobone.errors import DuplicateRegistrationError, UnknownNameError
from exobone.model.parameters import Assumed
from exobone.model.templates import (
    MAGNITUDE_NOT_MEASURED,
    TEMPLATES,
    Binding,
    Signal,
    Sink,
    combined_factor,
    drive_term,
    emax_factor,
    mechanism_prefix,
    register_template,
    require_template,
)


def _mech(kind: str = "exosome_transfer", direction: str = "increase",
          mech_id: str = "MECH:9001") -> Mechanism:
    return Mechanism.model_validate({
        "id": mech_id, "kind": kind, "source": "bmsc", "target": "osteoblast",
        "effect": "bone_formation", "direction": direction,
        "evidence": [{"citation": {"first_author": "Doe", "year": 2020}, "read_in": "x.txt",
                      "quote": "q", "quote_en": "q", "setting": "in_vitro"}]})


def _value(expr: str, **values: float) -> float:
    syms = {k: sympy.Symbol(k) for k in values}
    return float(sympy.sympify(expr, locals=syms).subs({syms[k]: v for k, v in values.items()}))


def test_every_mechanism_kind_has_a_template() -> None:
    assert set(TEMPLATES) == {k.value for k in MechanismKind}


def test_second_registration_is_refused_and_names_the_owner() -> None:
    with pytest.raises(DuplicateRegistrationError, match="already registered by "
                                                          "exobone.model.templates"):
        register_template("uptake")(lambda b: None)  # type: ignore[arg-type,return-value]


def test_unknown_kind_suggests() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'uptake'"):
        require_template("uptak")


@pytest.mark.parametrize("direction", [Direction.INCREASE, Direction.DECREASE])

def test_factor_is_one_at_baseline_and_bounded(direction: Direction) -> None:
    expr = emax_factor("E", "E0", "a", "k", direction)
    assert _value(expr, E=3.0, E0=3.0, a=1.5, k=10.0) == pytest.approx(1.0)
    big = _value(expr, E=1e9, E0=0.0, a=1.5, k=10.0)
    expected = 2.5 if direction is Direction.INCREASE else 1 / 2.5
    assert big == pytest.approx(expected, rel=1e-6)


def test_exogenous_factor_is_plain_emax() -> None:
    expr = emax_factor("E", "0", "a", "k", Direction.INCREASE)
    assert _value(expr, E=10.0, a=1.0, k=10.0) == pytest.approx(1.5)
    assert _value(expr, E=0.0, a=1.0, k=10.0) == pytest.approx(1.0)


def test_unsigned_direction_raises() -> None:
    with pytest.raises(ValueError, match="no sign"):
        emax_factor("E", "0", "a", "k", Direction.MIXED)


def _transfer(direction: str = "increase", group: str = "msc") -> Binding:
    return Binding(_mech(direction=direction),
                   Signal("exo", "0", unit="ug", ec50=10.0, ec50_bounds=(1.0, 100.0),
                          group=group),
                   (Sink("process", "bone_formation", Direction(direction)),))


def test_exosome_transfer_parameters_are_named_after_the_mechanism_and_assumed() -> None:
    out = TEMPLATES["exosome_transfer"](_transfer())
    names = [p.name for p in out.parameters]
    assert names == ["mech_9001_ec50", "mech_9001_weight"]
    assert mechanism_prefix("MECH:9001") == "mech_9001"
    for p in out.parameters:
        assert isinstance(p.source, Assumed) and p.source.reason == MAGNITUDE_NOT_MEASURED
        assert p.bounds is not None and p.bounds[0] <= p.value <= p.bounds[1]
    assert out.factors == ()  # no factor of its own: a share of the family's response
    (drive,) = out.drives
    assert drive.group == "msc" and drive.sink.name == "bone_formation"
    assert _value(drive.term, exo=10.0, mech_9001_weight=1.0, mech_9001_ec50=10.0) == 1.0


def test_a_transfer_without_family_keeps_its_own_factor() -> None:
    out = TEMPLATES["exosome_transfer"](_transfer(group=""))
    (sink, expr), = out.factors
    assert out.drives == () and sink.name == "bone_formation"
    assert _value(expr, exo=10.0, mech_9001_emax=1.0, mech_9001_ec50=10.0) == pytest.approx(1.5)


def test_decrease_drive_is_negative_and_zero_in_health() -> None:
    assert drive_term("E", "E0", "w", "k", Direction.DECREASE) == "-w*(E - E0)/k"
    expr = drive_term("E", "E0", "w", "k", Direction.DECREASE)
    assert _value(expr, E=3.0, E0=3.0, w=1.0, k=10.0) == 0.0
    assert _value(expr, E=13.0, E0=3.0, w=1.0, k=10.0) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="no sign"):
        drive_term("E", "0", "w", "k", Direction.MIXED)


def test_combined_response_is_one_in_health_and_saturates_at_the_shared_ceiling() -> None:
    f = combined_factor("D", "a")
    assert _value(f, D=0.0, a=0.5) == 1.0
    assert _value(f, D=1.0, a=0.5) == pytest.approx(1.25)  # half-maximal at D = 1
    assert _value(f, D=1e9, a=0.5) == pytest.approx(1.5, rel=1e-6)
    assert _value(f, D=-1e9, a=0.5) == pytest.approx(1 / 1.5, rel=1e-6)


def _combined(drives: list[tuple[float, float, float, bool]], emax: float) -> float:
    """f of the combined drive of mechanisms (dose µg, weight, EC50, increase?)."""
    terms = [drive_term(f"c{i}", "0", f"w{i}", f"k{i}",
                        Direction.INCREASE if up else Direction.DECREASE)
             for i, (_, _, _, up) in enumerate(drives)]
    values: dict[str, float] = {"a": emax}
    for i, (c, w, k, _) in enumerate(drives):
        values.update({f"c{i}": c, f"w{i}": w, f"k{i}": k})
    drive = sum(_value(t, **{n: values[n] for n in (f"c{i}", f"w{i}", f"k{i}")})
                for i, t in enumerate(terms))
    return _value(combined_factor("D", "a"), D=drive, a=emax)


_MECHANISM = st.tuples(st.floats(0.0, 1e7), st.floats(0.0, 5.0), st.floats(1.0, 100.0),
                       st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(_MECHANISM, min_size=1, max_size=8), st.floats(0.05, 5.0))
def test_no_dose_mix_takes_a_combined_response_past_its_ceiling(
        mechanisms: list[tuple[float, float, float, bool]], emax: float) -> None:
    """However many mechanisms of a family act, with whatever doses, weights, EC50s and signs,
    the process factor stays within [1/(1 + Emax), 1 + Emax]."""
    f = _combined(mechanisms, emax)
    assert math.isfinite(f)
    assert 1 / (1 + emax) * (1 - 1e-12) <= f <= (1 + emax) * (1 + 1e-12)


def test_opposite_signs_net_out() -> None:
    both = _combined([(50.0, 1.0, 10.0, True), (50.0, 1.0, 10.0, False)], 0.5)
    assert both == 1.0
    assert _combined([(50.0, 1.0, 10.0, True), (10.0, 1.0, 10.0, False)], 0.5) > 1.0


def test_unsigned_mechanism_compiles_to_nothing_with_a_note() -> None:
    b = Binding(_mech(kind="regulation", direction="none"), Signal("x", "1"),
                (Sink("process", "bone_formation", Direction.NONE),))
    out = TEMPLATES["regulation"](b)
    assert not out.has_effect and "no sign" in out.note


def test_regulation_is_neutral_at_the_healthy_level() -> None:
    b = Binding(_mech(kind="regulation", direction="decrease"),
                Signal("level_x", "1", ec50=1.0),
                (Sink("process", "bone_formation", Direction.DECREASE),))
    (_, expr), = TEMPLATES["regulation"](b).factors
    vals = {"mech_9001_emax": 1.0, "mech_9001_ec50": 1.0}
    assert _value(expr, level_x=1.0, **vals) == pytest.approx(1.0)
    assert _value(expr, level_x=5.0, **vals) < 1.0  # more repressor, lower rate
    assert _value(expr, level_x=0.0, **vals) > 1.0  # knockout of a repressor


def test_release_control_rab27a_is_linear_in_activity() -> None:
    b = Binding(_mech(kind="release_control"), Signal("rab27a_osteoclast", "1", unit="rab27a"),
                (Sink("secretion", "exo_osteoclast", Direction.INCREASE),))
    out = TEMPLATES["release_control"](b)
    assert out.parameters == ()
    assert out.factors[0][1] == "rab27a_osteoclast"


def test_cargo_profile_scales_cargo_and_uptake_has_no_rate_effect() -> None:
    b = Binding(_mech(kind="cargo_profile"), Signal("1", "0"),
                (Sink("cargo", "cargo_pool__WNT3A", Direction.INCREASE),))
    (sink, expr), = TEMPLATES["cargo_profile"](b).factors
    assert sink.kind == "cargo"
    assert _value(expr, mech_9001_emax=1.0, mech_9001_ec50=1.0) == pytest.approx(1.5)
    out = TEMPLATES["uptake"](Binding(_mech(kind="uptake"), None))
    assert not out.has_effect and "uptake" in out.note
