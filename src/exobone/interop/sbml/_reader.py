"""The state of one SBML import, and small helpers the import modules share."""

from __future__ import annotations

import keyword
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import libsbml

from exobone.errors import InvalidInputError, UnsupportedSBMLError
from exobone.interop.sbml._math import ast_to_expr
from exobone.model import expressions as ex
from exobone.model.spec import Function

__all__ = ["TIME_EQUALITY_WINDOW"]

#: a ``time == t0`` trigger is read as ``t0 + window <= time < t0 + 2 window``: root finding
#: locates its start, so the event fires just after t0, where the trigger's other conditions
#: (often ``time < t_end``) are read unambiguously past t0. An output at exactly t0 shows the
#: pre-event value (libroadrunner reports the post-event one).
TIME_EQUALITY_WINDOW = 1e-7


def _time_equality(lhs: str, rhs: str) -> str:
    w = repr(TIME_EQUALITY_WINDOW)
    return f"(({lhs}) - ({rhs}) >= {w}) and (({lhs}) - ({rhs}) < 2*{w})"


@dataclass
class _Reader:
    """State of one import (kept out of the public objects)."""

    model: libsbml.Model
    label: str
    overrides: dict[str, float]
    names: dict[str, str] = field(default_factory=dict)
    macros: dict[str, ex.Macro] = field(default_factory=dict)
    functions: list[Function] = field(default_factory=list)
    #: rateOf(x) used in math: {SBML id: assignment name}
    rates_of: dict[str, str] = field(default_factory=dict)
    #: species stored as amounts (their compartment's size changes): {id: (state, size)}
    amounts: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: species whose concentration a rate rule sets, by the resizing compartment they are in:
    #: {compartment id: [species ids]} (an event that resizes it rescales them)
    ruled_concentrations: dict[str, list[str]] = field(default_factory=dict)
    #: functions whose body is a condition: {SBML id: lambda}
    boolean_functions: dict[str, libsbml.ASTNode] = field(default_factory=dict)

    # ------------------------------------------------------------------ names
    def build_names(self) -> None:
        ids: list[str] = []
        m = self.model
        for lst in (m.getListOfFunctionDefinitions(), m.getListOfCompartments(),
                    m.getListOfSpecies(), m.getListOfParameters(), m.getListOfReactions()):
            ids += [x.getId() for x in lst]
        ids += [ref.getId() for rxn in m.getListOfReactions()
                for ref in [*rxn.getListOfReactants(), *rxn.getListOfProducts()]
                if ref.isSetId() and ref.getId()]
        taken = set(ids)
        for sid in ids:
            new = sid
            while keyword.iskeyword(new) or new in ex.RESERVED or (new != sid and new in taken):
                new += "_"
            taken.add(new)
            self.names[sid] = new

    def n(self, sid: str) -> str:
        return self.names.get(sid, sid)

    def expr(self, math_ast: libsbml.ASTNode | None, where: str, *, trigger: bool = False,
             condition: bool = False, local: Mapping[str, str] | None = None) -> str:
        if math_ast is None:
            raise InvalidInputError(f"{self.label}: {where} has no math")
        names = {**self.names, **(local or {})}

        def rate_of(sid: str) -> str:  # a reaction's local parameters are constants
            return "0" if local and sid in local else self.rate_of(sid)

        return ast_to_expr(math_ast, names=names, where=f"{self.label}: {where}",
                           time_equality=_time_equality if trigger else None,
                           boolean=condition, boolean_functions=self.boolean_functions,
                           rate_of=rate_of)

    def rate_of(self, sid: str) -> str:
        """``rateOf(sid)``: an assignment defined once the terms are known."""
        if sid not in self.rates_of:
            new = f"rateOf_{self.n(sid)}"
            while new in self.names.values() or new in self.rates_of.values():
                new += "_"
            self.rates_of[sid] = new
        return self.rates_of[sid]

    # --------------------------------------------------------------- checks
    def refuse(self, construct: str, element: str) -> UnsupportedSBMLError:
        return UnsupportedSBMLError(f"{self.label}: {construct} ({element}) is not supported "
                                    f"by exobone; it cannot be simulated faithfully")


def _references(rxn: libsbml.Reaction) -> list[tuple[tuple[str, str, int], Any]]:
    """The species references of a reaction, keyed by (reaction, side, position)."""
    return [((rxn.getId(), side, i), ref) for side, refs in (
        ("reactant", rxn.getListOfReactants()), ("product", rxn.getListOfProducts()))
        for i, ref in enumerate(refs)]


def _num(value: float) -> str:
    """A float as expression text (infinities and NaN included)."""
    if math.isnan(value):
        return "(0*1e999)"
    if math.isinf(value):
        return "(1e999)" if value > 0 else "(-1e999)"
    return repr(value)
