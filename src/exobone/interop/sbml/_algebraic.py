"""Algebraic rules solved exactly into assignment rules (or refused).

An SBML algebraic rule ``0 = f(...)`` determines a variable that nothing else determines (no
rule, no reaction, no event; not constant). When the algebraic rules determine as many such
variables as there are rules and sympy solves them uniquely and explicitly, each becomes an
assignment rule: the same model, without a DAE solver. Anything else (several or implicit
solutions, a variable a reaction changes) is refused by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sympy

from exobone.errors import ModelError, UnsupportedSBMLError
from exobone.interop.sbml._math import sympy_to_formula
from exobone.model import expressions as ex

__all__ = ["solve_algebraic"]


def solve_algebraic(rules: Sequence[tuple[str, str]], free: Sequence[str],
                    name_of: Callable[[str], str], macros: Mapping[str, ex.Macro],
                    label: str) -> dict[str, str]:
    """Solve the algebraic rules for the variables they determine.

    Parameters
    ----------
    rules
        ``(rule label, expression text)`` of each rule ``0 = expression`` (exobone names).
    free
        SBML ids of the variables nothing else determines.
    name_of
        SBML id -> exobone name.

    Returns
    -------
    dict
        ``{sbml id: expression text}``: the assignment rules that replace the algebraic ones.
    """
    names = sorted({n for _, text in rules for n in ex.names_in(text)}
                   - ex.TIME_NAMES - set(ex.CONSTANTS) - set(ex.BUILTINS) - set(macros))
    symbols = {n: sympy.Symbol(n, real=True) for n in names}
    try:
        equations = [ex.parse(text, symbols, macros=macros, where=f"{label}: {where}")
                     for where, text in rules]
    except ModelError as exc:
        raise UnsupportedSBMLError(f"{label}: an algebraic rule exobone cannot read: "
                                   f"{exc}") from exc
    by_name = {name_of(sid): sid for sid in free}
    unknowns = [symbols[n] for n in names if n in by_name]
    where = ", ".join(w for w, _ in rules)
    if len(unknowns) != len(equations):
        raise UnsupportedSBMLError(
            f"{label}: algebraic rule ({where}) is not supported by exobone: its "
            f"{len(equations)} equation(s) involve {len(unknowns)} undetermined variable(s) "
            f"({', '.join(str(u) for u in unknowns) or 'none'})")
    try:
        solutions = sympy.solve(equations, unknowns, dict=True)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise UnsupportedSBMLError(f"{label}: algebraic rule ({where}) is not supported by "
                                   f"exobone: sympy cannot solve it ({exc})") from exc
    if len(solutions) != 1 or set(solutions[0]) != set(unknowns):
        raise UnsupportedSBMLError(
            f"{label}: algebraic rule ({where}) is not supported by exobone: "
            f"{len(solutions)} explicit solutions for {', '.join(map(str, unknowns))}")
    return {by_name[str(u)]: sympy_to_formula(e) for u, e in solutions[0].items()}
