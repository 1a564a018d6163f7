"""Rate templates: registry, the normalised saturating form, and each kind's behaviour."""

from __future__ import annotations

import pytest
import sympy

from exobone.atlas.records import Direction, Mechanism, MechanismKind
from exobone.errors import DuplicateRegistrationError, UnknownNameError
from exobone.model.parameters import Assumed
from exobone.model.templates import (
    MAGNITUDE_NOT_MEASURED,
    TEMPLATES,
    Binding,
    Signal,
    Sink,
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


def test_exosome_transfer_parameters_are_named_after_the_mechanism_and_assumed() -> None:
    b = Binding(_mech(), Signal("exo", "0", unit="ug", ec50=10.0, ec50_bounds=(1.0, 100.0)),
                (Sink("process", "bone_formation", Direction.INCREASE),))
    out = TEMPLATES["exosome_transfer"](b)
    names = [p.name for p in out.parameters]
    assert names == ["mech_9001_emax", "mech_9001_ec50"]
    assert mechanism_prefix("MECH:9001") == "mech_9001"
    for p in out.parameters:
        assert isinstance(p.source, Assumed) and p.source.reason == MAGNITUDE_NOT_MEASURED
        assert p.bounds is not None and p.bounds[0] <= p.value <= p.bounds[1]
    (sink, expr), = out.factors
    assert sink.name == "bone_formation"
    assert _value(expr, exo=10.0, mech_9001_emax=1.0, mech_9001_ec50=10.0) == pytest.approx(1.5)


def test_decrease_lowers_the_rate_and_never_below_one_over_one_plus_emax() -> None:
    b = Binding(_mech(direction="decrease"), Signal("exo", "0", unit="ug"),
                (Sink("process", "bone_formation", Direction.DECREASE),))
    (_, expr), = TEMPLATES["exosome_transfer"](b).factors
    for e in (0.1, 1.0, 1e3, 1e9):
        v = _value(expr, exo=e, mech_9001_emax=2.0, mech_9001_ec50=1.0)
        assert 1 / 3 - 1e-9 <= v < 1.0


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
