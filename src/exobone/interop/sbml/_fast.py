"""Fast reactions solved exactly: the slow dynamics of their pools, their equilibrium explicit.

SBML's fast reactions reach equilibrium instantaneously: at every instant (the start included)
each fast reaction's rate is zero, and what the fast reactions move between their species
changes only through the slow reactions, rules and events. With ``N`` the fast reactions'
stoichiometry over the states they change, ``x``, the pools ``z = L x`` (``L`` spanning the
left null space of ``N``) are what the fast reactions conserve: ``z`` becomes the state (its
rate is ``L`` times the slow rates of ``x``) and ``x`` is solved from ``L x = z`` and
``v_fast(x) = 0`` by sympy. When that solution is unique and explicit, each ``x`` becomes an
assignment: the same model without a DAE solver or a stiff surrogate. Anything else (several
equilibria such as ``S1 * S2 = 0``, an implicit one, fast reactions that depend on each other,
pools weighted by something that changes) is refused by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import sympy

from exobone.errors import ModelError, UnsupportedSBMLError
from exobone.interop.sbml._math import sympy_to_formula
from exobone.model import expressions as ex
from exobone.model.spec import Assignment, Event, State, Term

__all__ = ["equilibrate_fast"]


def equilibrate_fast(label: str, fast: Mapping[str, str], *, states: list[State],
                     terms: list[Term], assignments: dict[str, Assignment],
                     events: list[Event], constants: set[str],
                     start_values: Mapping[str, str],
                     macros: Mapping[str, ex.Macro], taken: set[str]
                     ) -> tuple[list[State], list[Term], list[Event]]:
    """Replace the states the fast reactions change by their pools (see the module).

    Parameters
    ----------
    fast
        The fast reactions: SBML id (its terms' mechanism ``sbml:reaction:<id>``) -> exobone
        name (the assignment of its rate).
    constants
        Names whose value does not change during a run (parameters, values fixed at the start):
        the only names the pools' weights may use.
    start_values
        The values fixed at the start that are not parameters, as expressions over the
        parameters (the pools' initial values may use parameters only).
    assignments
        Updated in place: the fast rates' and the equilibrated states' assignments.

    Raises
    ------
    UnsupportedSBMLError
        Naming the fast reactions, when the equilibrium is not unique and explicit.
    """
    where = f"{label}: fast reaction(s) {', '.join(repr(f) for f in fast)}"
    rate_of = {a.name: a.expr for a in assignments.values()}

    def refuse(why: str) -> UnsupportedSBMLError:
        return UnsupportedSBMLError(f"{where}: {why}; exobone cannot simulate them exactly")

    state_names = [s.name for s in states]
    fast_terms = {fast[f]: [t for t in terms if f"sbml:reaction:{f}" in t.mechanisms]
                  for f in fast}
    changed = sorted({n for ts in fast_terms.values() for t in ts for n, c in
                      t.stoichiometry.items() if c != 0.0}, key=state_names.index)
    if not changed:  # fast reactions that change no state (boundary species only)
        return states, terms, events
    symbols = _Symbols(assignments, macros, where)
    # each fast reaction's column of N: its terms' coefficients times rate / flux
    columns = []
    for f in fast.values():
        flux = symbols.sym(f)
        column = [sympy.Integer(0)] * len(changed)
        for t in fast_terms[f]:
            scale = sympy.simplify(symbols.parse(t.rate, inline=False) / flux)
            if flux in scale.free_symbols or not scale.free_symbols <= symbols.of(constants):
                raise refuse(f"term {t.name!r} is not its rate times constants")
            for i, x in enumerate(changed):
                column[i] += sympy.nsimplify(t.stoichiometry.get(x, 0.0)) * scale
        columns.append(column)
    n_matrix = sympy.Matrix(columns).T  # states x fast reactions
    if n_matrix.rank() != len(fast):
        raise refuse("their stoichiometries depend on one another")
    pools = [sympy.simplify(v.T) for v in n_matrix.T.nullspace()]  # rows of L
    xs = [symbols.sym(x) for x in changed]
    zs = []
    for k in range(len(pools)):
        name = f"fast_pool_{k + 1}"
        while name in taken:
            name += "_"
        taken.add(name)
        zs.append(sympy.Symbol(name, real=True))
    equations = [z - (row * sympy.Matrix(xs))[0] for z, row in zip(zs, pools, strict=True)]
    equations += [symbols.parse(rate_of[f], inline=True) for f in fast.values()]
    try:
        solutions = sympy.solve(equations, xs, dict=True)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise refuse(f"sympy cannot solve their equilibrium ({exc})") from exc
    if len(solutions) != 1 or set(solutions[0]) != set(xs) or any(
            set(xs) & e.free_symbols for e in solutions[0].values()):
        raise refuse(f"{len(solutions)} explicit equilibria for {', '.join(changed)}")
    solution = solutions[0]
    # sympy solves for generic parameters: the equilibrium is the unique one only where the
    # equations' Jacobian is regular (``k * A = 0`` with k = 0 holds for every A), so it is
    # NaN elsewhere (a failed run, never a wrong one)
    det = sympy.simplify(sympy.Matrix(equations).jacobian(xs).det().xreplace(solution))
    if det == 0:
        raise refuse(f"their equilibrium does not determine {', '.join(changed)}")
    moving = sorted(str(v) for v in det.free_symbols - symbols.of(constants))
    if moving:  # e.g. a rate constant an event switches between 0 and 1 (the fast reaction
        # then does nothing, and the states it eliminates would have to come back)
        raise refuse(f"their equilibrium is undetermined where {sympy_to_formula(det)} = 0, and "
                     f"{', '.join(moving)} change(s) during the run")

    def text(expr: sympy.Expr) -> str:
        return sympy_to_formula(expr)

    def regular(expr: sympy.Expr) -> str:
        if det.is_number:
            return text(expr)
        return f"piecewise({text(expr)}, {text(det)} != 0)"

    # the pools are the states; each changed state is its equilibrium value
    initial = {s.name: s.initial for s in states}
    at_start = {symbols.sym(n): symbols.parse(v, inline=False) for n, v in start_values.items()}
    new_states = [s for s in states if s.name not in changed]
    for z, row in zip(zs, pools, strict=True):
        start = " + ".join(f"({text(w.xreplace(at_start))}) * ({initial[x]})" for w, x in
                           zip(row, changed, strict=True) if w != 0)
        new_states.append(State(z.name, start or "0", description=(
            f"pool conserved by the fast reaction(s) {', '.join(fast)}")))
    for x, sym in zip(changed, xs, strict=True):
        assignments[f"fast equilibrium {x}"] = Assignment(
            x, regular(solution[sym]), description=f"{x} at the fast reactions' equilibrium")
    # slow terms: what they do to the changed states, they do to the pools through L
    new_terms = []
    for t in terms:
        if any(t in ts for ts in fast_terms.values()):
            continue
        touched = {x: c for x, c in t.stoichiometry.items() if x in changed}
        if not touched:
            new_terms.append(t)
            continue
        rest = {x: c for x, c in t.stoichiometry.items() if x not in changed}
        if rest:
            new_terms.append(replace(t, name=f"{t.name}_slow", stoichiometry=rest))
        for z, row in zip(zs, pools, strict=True):
            weight = sum((w * sympy.nsimplify(touched.get(x, 0.0))
                          for w, x in zip(row, changed, strict=True)), sympy.Integer(0))
            if weight != 0:
                new_terms.append(replace(t, name=f"{t.name}_{z.name}",
                                         rate=f"({text(weight)}) * ({t.rate})",
                                         stoichiometry={z.name: 1.0}))
    # an event that sets a changed state moves its pools by as much
    new_events = []
    for ev in events:
        hit = {x: v for x, v in ev.assignments.items() if x in changed}
        if not hit:
            new_events.append(ev)
            continue
        targets = {k: v for k, v in ev.assignments.items() if k not in changed}
        for z, row in zip(zs, pools, strict=True):
            moves = [f"({text(w)}) * (({hit[x]}) - {x})" for w, x in
                     zip(row, changed, strict=True) if w != 0 and x in hit]
            if moves:
                targets[z.name] = f"{z.name} + " + " + ".join(moves)
        new_events.append(replace(ev, assignments=targets))
    return new_states, new_terms, new_events


class _Symbols:
    """Parse model text into sympy, assignments inlined on request (the equilibrium must see
    through rules to the states)."""

    def __init__(self, assignments: Mapping[str, Assignment], macros: Mapping[str, ex.Macro],
                 where: str) -> None:
        self.exprs = {a.name: a.expr for a in assignments.values()}
        self.macros = macros
        self.where = where
        self.table: dict[str, sympy.Symbol] = {}

    def sym(self, name: str) -> sympy.Symbol:
        return self.table.setdefault(name, sympy.Symbol(name, real=True))

    def of(self, names: set[str]) -> set[sympy.Symbol]:
        return {self.sym(n) for n in names}

    def parse(self, text: str, *, inline: bool, depth: int = 0) -> sympy.Expr:
        if depth > 50:
            raise UnsupportedSBMLError(f"{self.where}: assignments nest too deeply to solve")
        names = (ex.names_in(text) - set(self.macros) - set(ex.BUILTINS) - ex.TIME_NAMES
                 - set(ex.CONSTANTS))
        try:
            expr = ex.parse(text, {n: self.sym(n) for n in names}, macros=self.macros,
                            where=self.where)
        except ModelError as exc:
            raise UnsupportedSBMLError(f"{self.where}: cannot read {text!r}: {exc}") from exc
        if inline:
            expr = expr.xreplace({self.sym(n): self.parse(self.exprs[n], inline=True,
                                                          depth=depth + 1)
                                  for n in names if n in self.exprs})
        return expr
