"""Where a model's right-hand side jumps in time: the solver's segment ends.

A piecewise condition on time and parameters only (``time < t_on``, an SBML switch written as a
rule rather than an event) makes the right-hand side jump at a time known before the run. A
step across that jump can stall an implicit solver (its Newton iteration and error estimate
see a discontinuity), so the reference solver ends a segment there and restarts on the other
side, as it does at scheduled events.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

__all__ = ["switch_times"]


def switch_times(exprs: Sequence[sympy.Basic], t: sympy.Symbol,
                 params: set[sympy.Symbol]) -> list[sympy.Expr]:
    """The time each piecewise condition of ``exprs`` on ``t`` and ``params`` only flips at,
    where sympy solves it for a single time (others are left to the solver's step control)."""
    out: dict[str, sympy.Expr] = {}
    for e in exprs:
        for pw in e.atoms(sympy.Piecewise):
            for _, cond in pw.args:
                for rel in cond.atoms(sympy.core.relational.Relational):
                    g = rel.lhs - rel.rhs
                    if t not in g.free_symbols or not g.free_symbols <= params | {t}:
                        continue
                    try:
                        roots = sympy.solve(g, t)
                    except NotImplementedError:
                        continue
                    if len(roots) == 1 and t not in roots[0].free_symbols:
                        out.setdefault(sympy.srepr(roots[0]), roots[0])
    return [out[key] for key in sorted(out)]
