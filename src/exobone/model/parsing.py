"""A ModelSpec in sympy form: name checks and parsing of every expression (for the compiler).

:meth:`exobone.model.spec.ModelSpec.parsed` calls :func:`parse_model` once per spec and caches it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy

from exobone.errors import ModelError, suggest
from exobone.model import expressions as ex
from exobone.model.parameters import NAME_RE

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec

__all__ = ["ParsedModel", "parse_model"]


@dataclass(frozen=True)
class ParsedModel:
    """A validated ModelSpec in sympy form (what the compiler consumes)."""

    states: dict[str, sympy.Symbol]
    parameters: dict[str, sympy.Symbol]
    assignments: dict[str, sympy.Symbol]
    assignment_exprs: dict[str, sympy.Expr]
    term_rates: dict[str, sympy.Expr]
    initial_exprs: dict[str, sympy.Expr]
    event_triggers: dict[str, sympy.Basic]
    event_assignments: dict[str, dict[str, sympy.Expr]]


def _check_unique(spec: ModelSpec) -> None:
    seen: dict[str, str] = {}
    symbol_kinds: tuple[tuple[str, Sequence[Any]], ...] = (
        ("state", spec.states), ("parameter", spec.parameters),
        ("assignment", spec.assignments), ("function", spec.functions))
    for kind, items in symbol_kinds:
        for item in items:
            ex.check_name(item.name, kind)
            if item.name in seen:
                raise ModelError(f"model {spec.name!r}: {kind} {item.name!r} clashes with the "
                                 f"{seen[item.name]} of the same name; names must be unique")
            seen[item.name] = kind
    own_namespace: tuple[tuple[str, Sequence[Any]], ...] = (
        ("term", spec.terms), ("event", spec.events))
    for kind, items in own_namespace:
        names: set[str] = set()
        for item in items:  # own namespace: only the identifier rule applies
            if not NAME_RE.match(item.name):
                raise ModelError(f"model {spec.name!r}: {kind} name {item.name!r} is not an "
                                 f"identifier")
            if item.name in names:
                raise ModelError(f"model {spec.name!r}: two {kind}s are called {item.name!r}")
            names.add(item.name)


def parse_model(spec: ModelSpec) -> ParsedModel:
    """Check names and parse every expression of ``spec`` into sympy (see :class:`ParsedModel`).

    Raises
    ------
    ModelError
        On a clash of names, a syntax error, an unknown symbol or target, an assignment used
        before it is defined, or an event assigning to an assignment.
    """
    _check_unique(spec)
    macros = ex.build_macros([(f.name, f.args, f.body) for f in spec.functions])
    states = {s.name: sympy.Symbol(s.name, real=True) for s in spec.states}
    params = {p.name: sympy.Symbol(p.name, real=True) for p in spec.parameters}
    assigns = {a.name: sympy.Symbol(a.name, real=True) for a in spec.assignments}
    where = f"model {spec.name!r}"

    initial: dict[str, sympy.Expr] = {}
    for s in spec.states:
        if isinstance(s.initial, str):
            initial[s.name] = ex.parse(s.initial, params, macros=macros,
                                       where=f"{where}, initial value of state {s.name!r} "
                                             f"(may use parameters only)")
        else:
            initial[s.name] = sympy.Float(s.initial)

    visible: dict[str, sympy.Symbol] = {**states, **params}
    assign_exprs: dict[str, sympy.Expr] = {}
    for a in spec.assignments:
        try:
            assign_exprs[a.name] = ex.parse(a.expr, visible, macros=macros,
                                            where=f"{where}, assignment {a.name!r}")
        except ModelError as exc:
            later = [n for n in ex.names_in(a.expr) if n in assigns and n not in visible]
            if later:
                raise ModelError(f"{where}, assignment {a.name!r} uses {later[0]!r}, which is "
                                 f"declared after it (or is itself); assignments are evaluated "
                                 f"in order, so move {later[0]!r} before {a.name!r}") from exc
            raise
        visible[a.name] = assigns[a.name]

    rates: dict[str, sympy.Expr] = {}
    for t in spec.terms:
        rates[t.name] = ex.parse(t.rate, visible, macros=macros, where=f"{where}, term {t.name!r}")
        if not t.stoichiometry:
            raise ModelError(f"{where}, term {t.name!r} has an empty stoichiometry")
        for target, coef in t.stoichiometry.items():
            if target not in states:
                raise _unknown_target(where, f"term {t.name!r} stoichiometry", target, states)
            if not math.isfinite(coef):
                raise ModelError(f"{where}, term {t.name!r}: coefficient of {target!r} is "
                                 f"not finite")

    triggers: dict[str, sympy.Basic] = {}
    event_assigns: dict[str, dict[str, sympy.Expr]] = {}
    targets = {**states, **params}
    for e in spec.events:
        if e.trigger is not None:
            triggers[e.name] = ex.parse(e.trigger, visible, macros=macros, boolean=True,
                                        where=f"{where}, trigger of event {e.name!r}")
        event_assigns[e.name] = {}
        for target, text in e.assignments.items():
            if target not in targets:
                if target in assigns:
                    raise ModelError(f"{where}, event {e.name!r} assigns to assignment "
                                     f"{target!r}; events may assign states and parameters only")
                raise _unknown_target(where, f"event {e.name!r}", target, targets)
            event_assigns[e.name][target] = ex.parse(
                text, visible, macros=macros, where=f"{where}, event {e.name!r} -> {target!r}")
    return ParsedModel(states=states, parameters=params, assignments=assigns,
                       assignment_exprs=assign_exprs, term_rates=rates, initial_exprs=initial,
                       event_triggers=triggers, event_assignments=event_assigns)


def _unknown_target(where: str, what: str, name: str, choices: Iterable[str]) -> ModelError:
    kinds = "a state or parameter" if what.startswith("event") else "a state"
    return ModelError(f"{where}, {what}: {name!r} is not {kinds}{suggest(name, choices)}")
