"""ModelSpec: validation messages, expression syntax, hashing, editing, explain and merge."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from exobone.errors import ModelError, UnknownNameError
from exobone.model import (
    Assignment,
    Assumed,
    Event,
    Function,
    ModelSpec,
    Parameter,
    Reference,
    State,
    Term,
    explain,
)
from exobone.model.expressions import TIME, parse

SRC = Assumed("test")
PAPER = Reference("Doe", 2020, journal="J Test", pmid="123456", note="Table 1")


def toy(**changes) -> ModelSpec:
    spec = ModelSpec(
        "toy",
        states=[State("osteoclasts", 1.0, unit="cells"), State("osteoblasts", 2.0, unit="cells")],
        parameters=[
            Parameter("k_oc_apoptosis", 0.1, unit="1/day", bounds=(0.0, 1.0), source=SRC),
            Parameter("k_ob_formation", 0.5, unit="cells/day", bounds=(0.0, 5.0), source=PAPER),
        ],
        assignments=[Assignment("coupling", "osteoclasts / (1 + osteoclasts)", unit="1")],
        terms=[
            Term("oc_death", "k_oc_apoptosis * osteoclasts", {"osteoclasts": -1},
                 mechanisms=("MECH:0001",), citations=(PAPER,)),
            Term("ob_birth", "k_ob_formation * coupling", {"osteoblasts": 1},
                 mechanisms=("MECH:0002",)),
        ],
    )
    return spec if not changes else ModelSpec(**{**spec.__dict__, **changes})


# ------------------------------------------------------------------ parameters
def test_parameter_outside_bounds_names_value_and_bounds() -> None:
    with pytest.raises(ModelError, match=r"'k': value 2\.0 is outside its bounds \[0\.0, 1\.0\]"):
        Parameter("k", 2.0, unit="1/day", bounds=(0.0, 1.0), source=SRC)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_parameter_must_be_finite(value: float) -> None:
    with pytest.raises(ModelError, match="not finite"):
        Parameter("k", value, unit="1", source=SRC)


def test_parameter_needs_source_and_identifier_name() -> None:
    with pytest.raises(ModelError, match="Reference or Assumed"):
        Parameter("k", 1.0, unit="1", source="trust me")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="not an identifier"):
        Parameter("1k", 1.0, unit="1", source=SRC)
    with pytest.raises(ModelError, match="needs a reason"):
        Assumed("  ")


def test_reference_checks_identifiers() -> None:
    with pytest.raises(ModelError, match="DOI"):
        Reference("Doe", 2020, doi="doi:10.1/x")
    with pytest.raises(ModelError, match="PMID"):
        Reference("Doe", 2020, pmid="PMC123")
    assert PAPER.short() == "Doe et al., J Test 2020"


def test_reference_from_atlas_citation() -> None:
    from exobone.atlas.records import Citation

    cite = Citation(first_author="Li", journal="Nat Commun", year=2016, pmid="27578123")
    ref = Reference.from_citation(cite, note="in the atlas")
    assert (ref.first_author, ref.year, ref.pmid, ref.note) == ("Li", 2016, "27578123",
                                                                 "in the atlas")


# ------------------------------------------------------------------ expressions
X, Y = sympy.symbols("x y", real=True)
SYMS = {"x": X, "y": Y}


@pytest.mark.parametrize(("text", "expected"), [
    ("x^2 * y", X**2 * Y),
    ("x**2 * y", X**2 * Y),
    ("pow(x, 2) * y", X**2 * Y),
    ("2*x^-1", 2 / X),
    ("exp(log(x))", X),
    ("ln(x) - log(x)", 0),
    ("log(10, x)", sympy.log(X) / sympy.log(10)),
    ("min(x, y) + max(x, 1)", sympy.Min(X, Y) + sympy.Max(X, 1)),
    ("piecewise(x, x > y, y)", sympy.Piecewise((X, X > Y), (Y, True))),
    ("piecewise(1, x > 0 and y < 1, 2, x > 0 || y > 2, 0)",
     sympy.Piecewise((1, sympy.And(X > 0, Y < 1)), (2, sympy.Or(X > 0, Y > 2)), (0, True))),
    ("x * time + t", X * TIME + TIME),
    ("-x^2", -(X**2)),
])
def test_expression_syntax(text: str, expected: sympy.Expr) -> None:
    assert sympy.simplify(parse(text, SYMS) - expected) == 0


def test_logical_operators_in_triggers() -> None:
    cond = parse("not (x > 1) && !(y <= 2)", SYMS, boolean=True)
    assert cond == sympy.And(sympy.Not(X > 1), sympy.Not(Y <= 2))


@pytest.mark.parametrize(("text", "message"), [
    ("x +", "cannot parse"),
    ("foo(x)", "unknown function 'foo'"),
    ("exp(x, y)", r"exp\(\) takes 1 argument"),
    ("(x > 1) * 2", "condition is used as a number"),
    ("x.real", "Attribute is not part of the expression language"),
    ("__import__('os')", "unknown function '__import__'"),
    ("'text'", "unsupported literal"),
])
def test_expression_errors(text: str, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        parse(text, SYMS)


# ------------------------------------------------------------------ validation
def test_unknown_symbol_names_it_and_suggests() -> None:
    bad = toy(terms=[Term("oc_death", "k_oc_apop * osteoclasts", {"osteoclasts": -1})])
    with pytest.raises(ModelError) as info:
        bad.validate()
    text = str(info.value)
    assert "term 'oc_death'" in text
    assert "unknown symbol 'k_oc_apop'" in text
    assert "did you mean 'k_oc_apoptosis'?" in text


def test_assignment_used_before_declared() -> None:
    bad = toy(assignments=[Assignment("a", "b + 1"), Assignment("b", "osteoclasts")])
    with pytest.raises(ModelError, match="uses 'b', which is declared after it.*move 'b' before"):
        bad.validate()


def test_stoichiometry_and_event_targets_must_exist() -> None:
    with pytest.raises(ModelError, match="'osteoclast' is not a state; did you mean"):
        toy(terms=[Term("x", "1", {"osteoclast": 1})]).validate()
    with pytest.raises(ModelError, match="assigns to assignment 'coupling'"):
        toy(events=[Event("e", {"coupling": "1"}, at_times=(1.0,))]).validate()
    with pytest.raises(ModelError, match="not a state or parameter"):
        toy(events=[Event("e", {"nothing": "1"}, at_times=(1.0,))]).validate()


def test_names_unique_and_not_reserved() -> None:
    with pytest.raises(ModelError, match="clashes"):
        toy(assignments=[Assignment("osteoclasts", "1")]).validate()
    with pytest.raises(ModelError, match="reserved"):
        toy(states=[State("time", 0.0)]).validate()
    with pytest.raises(ModelError, match="two terms are called"):
        toy(terms=[Term("a", "1", {"osteoclasts": 1}), Term("a", "2", {"osteoclasts": 1})]
            ).validate()


def test_event_needs_exactly_one_of_trigger_or_times() -> None:
    with pytest.raises(ModelError, match="exactly one"):
        Event("e", {"x": "1"})
    with pytest.raises(ModelError, match="exactly one"):
        Event("e", {"x": "1"}, trigger="x > 1", at_times=(1.0,))


def test_equality_cannot_trigger() -> None:
    from exobone.simulate import compile_model

    spec = toy(events=[Event("e", {"osteoclasts": "0"}, trigger="osteoclasts == 1")])
    with pytest.raises(ModelError, match="never crossed"):
        compile_model(spec)


def test_functions_are_macros() -> None:
    spec = toy(functions=[Function("hill", ("x", "k", "n"), "x^n / (k^n + x^n)")],
               assignments=[Assignment("coupling", "hill(osteoclasts, 2, 3)")])
    expr = spec.parsed.assignment_exprs["coupling"]
    oc = spec.parsed.states["osteoclasts"]
    assert sympy.simplify(expr - oc**3 / (8 + oc**3)) == 0
    with pytest.raises(ModelError, match="takes 3 argument"):
        toy(functions=spec.functions, assignments=[Assignment("coupling", "hill(1, 2)")]
            ).validate()


def test_initial_value_expression_uses_parameters_only() -> None:
    ok = toy().with_initial(osteoclasts="k_ob_formation / k_oc_apoptosis")
    ok.validate()
    with pytest.raises(ModelError, match="may use parameters only"):
        toy().with_initial(osteoclasts="osteoblasts * 2").validate()


# ------------------------------------------------------------------ hashing


def test_hash_is_content_addressed() -> None:
    a, b = toy(), toy()
    assert a is not b and a.hash() == b.hash() and hash(a) == hash(b) and a == b
    changed = a.with_parameters(k_oc_apoptosis=0.2)
    assert changed.hash() != a.hash()
    assert changed.structure_hash() == a.structure_hash()  # values are run-time data
    assert a.with_metadata(note="x").hash() != a.hash()
    rewired = toy(terms=[Term("oc_death", "k_oc_apoptosis * osteoclasts^2",
                              {"osteoclasts": -1})] + list(a.terms[1:]))
    assert rewired.structure_hash() != a.structure_hash()


def test_hash_is_stable_across_processes() -> None:
    here = str(Path(__file__).resolve().parent)
    code = f"import sys; sys.path.insert(0, {here!r}); from test_spec import toy; print(toy().hash())"
    out = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout.strip()
           for seed in ("1", "2")}
    assert out == {toy().hash()}
    assert len(toy().hash()) == 64


def test_to_dict_is_json() -> None:
    json.dumps(toy().to_dict(), allow_nan=False)


# ------------------------------------------------------------------ editing
def test_with_parameters_checks_names_and_bounds() -> None:
    spec = toy()
    assert spec.with_parameters({"k_oc_apoptosis": 0.3}).parameter_values["k_oc_apoptosis"] == 0.3
    assert spec.parameter_values["k_oc_apoptosis"] == 0.1  # frozen: a copy was made
    with pytest.raises(UnknownNameError, match="did you mean 'k_oc_apoptosis'"):
        spec.with_parameters(k_oc_apop=0.3)
    with pytest.raises(ModelError, match="outside its bounds"):
        spec.with_parameters(k_oc_apoptosis=3.0)
    with pytest.raises(UnknownNameError):
        spec.require_parameter("nope")
    assert spec.get_parameter("nope") is None


# ------------------------------------------------------------------ explain
def test_explain_lists_terms_with_sign_mechanisms_citations() -> None:
    spec = toy(terms=[*toy().terms, Term("oc_birth", "k_ob_formation", {"osteoclasts": 2},
                                         mechanisms=("MECH:0003",))])
    rows = explain(spec, "osteoclasts")
    assert [(r.term, r.sign, r.coefficient) for r in rows] == [("oc_death", "-", -1.0),
                                                               ("oc_birth", "+", 2.0)]
    assert rows[0].mechanisms == ("MECH:0001",) and rows[0].citations == (PAPER,)
    assert "Doe et al." in str(rows[0]) and "2*[oc_birth]" in str(rows[1])
    with pytest.raises(UnknownNameError, match="did you mean 'osteoclasts'"):
        spec.explain("osteoclast")


# ------------------------------------------------------------------ merge
def exosome_layer() -> ModelSpec:
    """A partial layer: its own pool plus a term acting on the core's osteoclasts."""
    return ModelSpec(
        "exo",
        states=[State("pool", 0.0, unit="particles")],
        parameters=[Parameter("k_clear", 1.0, unit="1/day", source=SRC),
                    Parameter("k_kill", 0.01, unit="1/(particles*day)", source=SRC)],
        assignments=[Assignment("uptake", "k_kill * pool")],
        terms=[Term("clearance", "k_clear * pool", {"pool": -1}),
               Term("kill", "uptake * osteoclasts", {"osteoclasts": -1},
                    mechanisms=("MECH:0099",))],
        events=[Event("dose", {"pool": "pool + 1"}, at_times=(1.0,))],
    )


def test_layer_alone_does_not_validate_but_merged_does() -> None:
    with pytest.raises(ModelError, match="unknown symbol 'osteoclasts'"):
        exosome_layer().validate()
    merged = toy().merge(exosome_layer(), prefix="exo_")
    merged.validate()
    assert merged.state_names == ("osteoclasts", "osteoblasts", "exo_pool")
    assert {t.name for t in merged.terms} >= {"exo_clearance", "exo_kill"}
    kill = merged.get_term("exo_kill")
    assert kill is not None and kill.rate == "exo_uptake * osteoclasts"
    assert [r.term for r in merged.explain("osteoclasts")] == ["oc_death", "exo_kill"]
    assert merged.events[0].assignments == {"exo_pool": "exo_pool + 1"}


def test_merge_unifies_shared_and_rejects_conflicts() -> None:
    layer = exosome_layer()
    layer_with_core_state = ModelSpec(
        "exo", states=[*layer.states, State("osteoclasts", 5.0, unit="cells")],
        parameters=layer.parameters, assignments=layer.assignments, terms=layer.terms)
    merged = toy().merge(layer_with_core_state, prefix="exo_", shared=["osteoclasts"])
    assert merged.state_names.count("osteoclasts") == 1
    assert merged.require_state("osteoclasts").initial == 1.0  # self wins
    with pytest.raises(ModelError, match="defined in both"):
        toy().merge(toy())
    clash = ModelSpec("p", parameters=[Parameter("k_oc_apoptosis", 0.9, unit="1/day",
                                                 source=SRC)])
    with pytest.raises(ModelError, match="parameter 'k_oc_apoptosis' is 0.1"):
        toy().merge(clash)
    with pytest.raises(ModelError, match="not defined by"):
        toy().merge(layer, shared=["ghost"])


def test_a_reused_expression_means_what_its_names_mean_in_each_model():
    """Translations are reused across models only for the same meaning of every name used."""
    import sympy

    from exobone.errors import ModelError
    from exobone.model.expressions import build_macros, parse

    x, y = sympy.Symbol("x", real=True), sympy.Symbol("y", positive=True)
    assert parse("2*x + 1", {"x": x}) == 2 * x + 1
    assert parse("2*x + 1", {"x": y}) == 2 * y + 1  # another symbol behind the same name
    assert parse("x > 1", {"x": x}, boolean=True) == sympy.Gt(x, 1)
    double = build_macros([("f", ["a"], "2*a")])
    triple = build_macros([("f", ["a"], "3*a")])
    assert parse("f(x)", {"x": x}, macros=double) == 2 * x
    assert parse("f(x)", {"x": x}, macros=triple) == 3 * x
    # a text translated before still fails with the caller's context where a name is unknown
    with pytest.raises(ModelError, match=r"^term 'r': unknown symbol 'x' .*did you mean 'xx'"):
        parse("2*x + 1", {"xx": x}, where="term 'r'")
