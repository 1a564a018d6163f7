"""Compile a ModelSpec into fast scalar kernels: right-hand side, analytic Jacobian, outputs, events.

Why code generation
-------------------
The reference solver calls the right-hand side thousands of times per run and ensembles multiply
that by thousands of members. ``sympy.lambdify`` builds one function per expression, so the
ordered assignments (which several terms share) would be recomputed or passed around as arrays.
Instead the model is turned into *one* Python function per kernel, written as straight-line
scalar code: unpack states and parameters into locals, evaluate each assignment once in order,
then each term rate, then write ``out[i] = sum(coefficient * rate)``. This is the shape numba
compiles well (plain float arithmetic, ``out`` written by index, no numpy objects), and the
generated source is kept on :attr:`CompiledModel.source` so it can be read, diffed and handed to
a JIT backend later.

Safety: the source is printed by a sympy code printer from expressions that were parsed by
:mod:`exobone.model.expressions` (whitelisted syntax, every name resolved); user strings never
reach ``exec``. Model names appear only in comments; code uses positional locals.

Kernels (``y`` and ``p`` are sequences of floats, ``out`` a mutable float sequence):

====================================  =============================================================
``rhs(t, y, p, out)``                 ``out[i] = dy_i/dt``
``jac(t, y, p, out)``                 ``out[i*n + j] = d(dy_i/dt)/dy_j`` (caller zeroes ``out``)
``assignments(t, y, p, out)``         every assignment, in declaration order
``initial(p, out)``                   initial values given as expressions (others left untouched)
``roots(t, y, p, out)``               one root function per comparison used in event triggers
``event_<k>(t, y, p, out)``           new values of event k's targets from the pre-event values
====================================  =============================================================

The kernels call a few helpers (:mod:`.kernel_helpers`: ``_pow``, ``_exp``, ``_log``...) that
return NaN/inf instead of raising, as C's libm does; a numba backend supplies jitted versions of
the same names. A model that uses ``delay(x, tau)`` gets two more kernels, ``delayed`` and
``delay_spans`` (each delayed expression, each delay), read by :mod:`.delays`.
The Jacobian is differentiated symbolically through the assignments (chain rule, forward mode),
sparsely: each expression only w.r.t. the states it reaches. The generated source is kept on disk
(:mod:`.model_cache`), so the sympy work is done once per model structure and machine.
"""

from __future__ import annotations

import functools
import linecache
import math
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from graphlib import CycleError, TopologicalSorter
from typing import Any

import numpy as np
import numpy.typing as npt
import sympy
from sympy.printing.pycode import PythonCodePrinter

from exobone.errors import ModelError, warn
from exobone.model import expressions as ex
from exobone.model.expressions import TIME
from exobone.model.spec import ModelSpec
from exobone.simulate import delays as dl
from exobone.simulate import model_cache
from exobone.simulate.compiled import CompiledEvent, CompiledModel
from exobone.simulate.kernel_helpers import HELPERS
from exobone.simulate.switches import switch_times

FloatArray = npt.NDArray[np.float64]
Kernel = Callable[..., None]

__all__ = ["HELPERS", "CompiledEvent", "CompiledModel", "clear_cache", "compile_model"]


class _Printer(PythonCodePrinter):  # type: ignore[misc]  # sympy is untyped
    """Print scalar Python that never raises on domain errors (see the helpers)."""

    def _print_Float(self, expr: sympy.Float) -> str:
        return repr(float(expr))

    def _print_Rational(self, expr: sympy.Rational) -> str:
        return repr(float(expr))

    def _print_Pi(self, expr: Any) -> str:
        return repr(math.pi)

    def _print_Exp1(self, expr: Any) -> str:
        return repr(math.e)

    def _print_NaN(self, expr: Any) -> str:
        return "_nan"

    def _print_Infinity(self, expr: Any) -> str:
        return "_inf"

    def _print_NegativeInfinity(self, expr: Any) -> str:
        return "(-_inf)"

    def _print_ComplexInfinity(self, expr: Any) -> str:
        return "_nan"

    def _print_exp(self, expr: sympy.Expr) -> str:
        return f"_exp({self._print(expr.args[0])})"

    def _print_log(self, expr: sympy.Expr) -> str:
        return f"_log({self._print(expr.args[0])})"

    def _print_asin(self, expr: sympy.Expr) -> str:
        return f"_asin({self._print(expr.args[0])})"

    def _print_acos(self, expr: sympy.Expr) -> str:
        return f"_acos({self._print(expr.args[0])})"

    def _print_factorial(self, expr: sympy.Expr) -> str:
        return f"_factorial({self._print(expr.args[0])})"

    def _print_delay_ref(self, expr: sympy.Expr) -> str:
        k, tau = expr.args
        return f"_delay({int(k)}, {self._print(tau)}, t)"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exp = expr.args
        if exp.is_Integer:
            n = int(exp)
            b = str(self.parenthesize(base, 1000))  # parenthesise all but atoms
            if n == 1:
                return b
            if n < 0:
                return f"(1.0/({b}**{-n}))" if n != -1 else f"(1.0/{b})"
            return f"({b}**{n})"
        if exp == sympy.Rational(1, 2):
            return f"_sqrt({self._print(base)})"
        return f"_pow({self._print(base)}, {self._print(exp)})"


_PRINTER = _Printer({"strict": True, "fully_qualified_modules": True})


def _code(expr: sympy.Basic) -> str:
    return str(_PRINTER.doprint(expr))


# ----------------------------------------------------------------------------- codegen
#: printed code by expression (pure, and sympy tells ``2`` from ``2.0``): the assignments are
#: printed into several kernels, and models rebuilt with small changes (the scorecard's
#: held-out models, a scenario's arms) repeat most expressions
_printed = functools.lru_cache(maxsize=1 << 14)(_code)
#: ``sympy.diff`` remembered for the same reason (the same rates recur in rebuilt models)
_diff = functools.lru_cache(maxsize=1 << 15)(sympy.diff)


class _Emitter:
    """Writes kernels: maps model symbols to positional locals and tracks dependencies."""

    def __init__(self, spec: ModelSpec) -> None:
        parsed = spec.parsed
        self.spec = spec
        self.parsed = parsed
        self.state_syms = list(parsed.states.values())
        self.param_syms = list(parsed.parameters.values())
        self.assign_syms = list(parsed.assignments.values())
        self.local: dict[sympy.Symbol, sympy.Symbol] = {TIME: sympy.Symbol("t", real=True)}
        self.comment: dict[sympy.Symbol, str] = {}
        for i, s in enumerate(self.state_syms):
            self.local[s] = sympy.Symbol(f"s_{i}", real=True)
            self.comment[self.local[s]] = s.name
        for i, s in enumerate(self.param_syms):
            self.local[s] = sympy.Symbol(f"p_{i}", real=True)
            self.comment[self.local[s]] = s.name
        for i, s in enumerate(self.assign_syms):
            self.local[s] = sympy.Symbol(f"a_{i}", real=True)
            self.comment[self.local[s]] = s.name
        # delay(x, tau) -> delay_ref(k, tau): the k-th delayed expression (see .delays)
        event_targets = {tg for e in spec.events for tg in e.assignments}
        self.delays = dl.collect(
            [*parsed.assignment_exprs.values(), *parsed.term_rates.values(),
             *parsed.event_triggers.values(),
             *(v for values in parsed.event_assignments.values() for v in values.values())],
            ex.delay, {s for s in self.param_syms if s.name not in event_targets},
            f"model {spec.name!r}")
        for k, node in enumerate(self.delays):
            self.local[node] = dl.delay_ref(k, node.args[1].xreplace(self.local))
        self.assign_exprs = [parsed.assignment_exprs[s.name].xreplace(self.local)
                             for s in self.assign_syms]
        self.state_locals = [self.local[s] for s in self.state_syms]
        self.param_locals = [self.local[s] for s in self.param_syms]
        self.assign_locals = [self.local[s] for s in self.assign_syms]
        self._free: dict[sympy.Basic, set[sympy.Symbol]] = {}

    def free(self, expr: sympy.Basic) -> set[sympy.Symbol]:
        """``expr.free_symbols``, remembered (sympy walks the whole tree at every call)."""
        found = self._free.get(expr)
        if found is None:
            found = self._free[expr] = expr.free_symbols
        return found

    def lower(self, expr: sympy.Basic) -> sympy.Basic:
        return expr.xreplace(self.local)

    def needed_assignments(self, exprs: Sequence[sympy.Basic]) -> list[int]:
        """Indices of the assignments the expressions depend on, transitively, in order."""
        need: set[sympy.Symbol] = set()
        for e in exprs:
            need |= self.free(e)
        keep: list[int] = []
        for i in range(len(self.assign_locals) - 1, -1, -1):
            if self.assign_locals[i] in need:
                keep.append(i)
                need |= self.free(self.assign_exprs[i])
        return sorted(keep)

    def prologue(self, exprs: Sequence[sympy.Basic], *, with_assignments: bool = True,
                 extra: Sequence[int] = ()) -> list[str]:
        """Unpack the states/parameters used and evaluate the needed assignments."""
        idx = sorted(set(self.needed_assignments(exprs)) | set(extra)) \
            if with_assignments else []
        used: set[sympy.Symbol] = set()
        for e in list(exprs) + [self.assign_exprs[i] for i in idx]:
            used |= self.free(e)
        lines = []
        for i, s in enumerate(self.state_locals):
            if s in used:
                lines.append(f"    {s} = y[{i}]  # {self.comment[s]}")
        for i, s in enumerate(self.param_locals):
            if s in used:
                lines.append(f"    {s} = p[{i}]  # {self.comment[s]}")
        for i in idx:
            a = self.assign_locals[i]
            lines.append(f"    {a} = {_printed(self.assign_exprs[i])}  # {self.comment[a]}")
        return lines


def _rhs_lines(em: _Emitter) -> tuple[list[str], list[tuple[str, sympy.Expr]],
                                      list[list[tuple[float, str]]]]:
    spec = em.spec
    rates = [(t.name, em.lower(em.parsed.term_rates[t.name])) for t in spec.terms]
    contrib: list[list[tuple[float, str]]] = [[] for _ in spec.states]
    index = {name: i for i, name in enumerate(spec.state_names)}
    for k, t in enumerate(spec.terms):
        for target, coef in t.stoichiometry.items():
            contrib[index[target]].append((coef, f"r_{k}"))
    lines = ["def rhs(t, y, p, out):"]
    lines += em.prologue([r for _, r in rates])
    for k, (name, r) in enumerate(rates):
        lines.append(f"    r_{k} = {_printed(r)}  # term {name}")
    for i, parts in enumerate(contrib):
        lines.append(f"    out[{i}] = {_sum(parts)}  # d{spec.state_names[i]}/dt")
    lines += ["    return None", ""]
    return lines, rates, contrib


def _sum(parts: Sequence[tuple[float, str]]) -> str:
    if not parts:
        return "0.0"
    text = ""
    for coef, name in parts:
        sign = "-" if coef < 0 else "+"
        mag = abs(coef)
        piece = name if mag == 1.0 else f"{mag!r}*{name}"
        text += f" {sign} {piece}" if text else (f"-{piece}" if sign == "-" else piece)
    return text


def _strip_derivatives(expr: sympy.Basic) -> sympy.Basic:
    """Replace derivatives of step functions (floor/ceiling) by zero (true almost everywhere)."""
    return expr.replace(
        lambda e: isinstance(e, sympy.Derivative)
        and isinstance(e.expr, (sympy.floor, sympy.ceiling)),
        lambda e: sympy.Integer(0),
    )


def _jac_lines(em: _Emitter, rates: Sequence[tuple[str, sympy.Expr]],
               contrib: Sequence[Sequence[tuple[float, str]]]) -> list[str]:
    """Forward-mode chain rule through the assignments, then the term rates.

    Sparse: an expression is differentiated only w.r.t. the states it reaches (directly or
    through the assignments it reads), and w.r.t. each assignment it reads once, not once per
    state; a dense sweep over every (expression, state, assignment) triple is cubic in model
    size (minutes for a 500-state SBML model).
    """
    n = len(em.state_locals)
    state_pos = {s: j for j, s in enumerate(em.state_locals)}
    assign_pos = {a: m for m, a in enumerate(em.assign_locals)}
    # total derivative of each assignment w.r.t. each state it reaches, as symbols d_k_j
    dsym: dict[tuple[int, int], sympy.Symbol] = {}
    reach: list[list[int]] = []  # states each assignment's d_k_j exist for
    dexpr: list[tuple[sympy.Symbol, sympy.Expr]] = []
    for k, expr in enumerate(em.assign_exprs):
        derivs = _total_derivatives(expr, em, state_pos, assign_pos, dsym, reach)
        for j, total in derivs:
            dsym[(k, j)] = sympy.Symbol(f"d_{k}_{j}", real=True)
            dexpr.append((dsym[(k, j)], total))
        reach.append([j for j, _ in derivs])
    # derivative of each rate w.r.t. the states it reaches
    drate = [_total_derivatives(r, em, state_pos, assign_pos, dsym, reach) for _, r in rates]
    entries: list[tuple[int, sympy.Expr]] = []
    for i in range(n):
        by_state: dict[int, list[tuple[float, sympy.Expr]]] = {}
        for coef, rname in contrib[i]:
            for j, d in drate[int(rname.split("_")[1])]:
                by_state.setdefault(j, []).append((coef, d))
        for j in sorted(by_state):
            total = sympy.Integer(0)
            for coef, d in by_state[j]:  # summed in the order of the right-hand side
                total += sympy.Float(coef) * d if coef != 1.0 else d
            if total != 0:
                entries.append((i * n + j, total))
    for _, e in [*dexpr, *entries]:
        if e.has(sympy.Derivative, sympy.Subs):
            raise _NoJacobian(f"sympy could not differentiate {e}")
    # keep only the d_k_j that the entries need
    needed: set[sympy.Symbol] = set()
    for _, e in entries:
        needed |= e.free_symbols
    keep: list[tuple[sympy.Symbol, sympy.Expr]] = []
    for sym, e in reversed(dexpr):
        if sym in needed:
            keep.append((sym, e))
            needed |= e.free_symbols
    keep.reverse()
    body_exprs = [e for _, e in keep] + [e for _, e in entries]
    lines = ["def jac(t, y, p, out):"]
    lines += em.prologue(body_exprs)
    replacements, reduced = sympy.cse(body_exprs, symbols=sympy.numbered_symbols("c_"),
                                      optimizations=None, order="none")
    statements = list(replacements) + [
        (sym, e) for (sym, _), e in zip(keep, reduced[: len(keep)], strict=True)]
    for sym, e in _topological(statements):
        lines.append(f"    {sym} = {_printed(e)}")
    for (flat, _), e in zip(entries, reduced[len(keep):], strict=True):
        lines.append(f"    out[{flat}] = {_printed(e)}  # d(d{em.spec.state_names[flat // n]}/dt)"
                     f"/d{em.spec.state_names[flat % n]}")
    lines += ["    return None", ""]
    return lines


def _total_derivatives(expr: sympy.Expr, em: _Emitter, state_pos: Mapping[sympy.Symbol, int],
                       assign_pos: Mapping[sympy.Symbol, int],
                       dsym: Mapping[tuple[int, int], sympy.Symbol],
                       reach: Sequence[Sequence[int]]) -> list[tuple[int, sympy.Expr]]:
    """``(j, d expr / d state_j)`` for every state ``j`` with a non-zero total derivative.

    The total is ``d expr/d s_j + sum_m d expr/d a_m * d_m_j`` over the assignments ``a_m`` it
    reads (in assignment order), exactly as a dense sweep would build it.
    """
    free = em.free(expr)
    used = sorted(assign_pos[a] for a in free if a in assign_pos)
    partial = {m: _diff(expr, em.assign_locals[m]) for m in used
               if m < len(reach) and reach[m]}
    states = {state_pos[s] for s in free if s in state_pos}
    for m in partial:
        states.update(reach[m])
    out = []
    for j in sorted(states):
        s = em.state_locals[j]
        total = _diff(expr, s) if s in free else sympy.S.Zero  # what diff() returns then
        for m, d_expr_d_a in partial.items():
            if (m, j) in dsym:
                total += d_expr_d_a * dsym[(m, j)]
        if total.has(sympy.Derivative):
            total = _strip_derivatives(total)
        if total != 0:
            out.append((j, total))
    return out


class _NoJacobian(Exception):
    pass


def _topological(statements: Sequence[tuple[sympy.Symbol, sympy.Expr]]
                 ) -> list[tuple[sympy.Symbol, sympy.Expr]]:
    """Order ``name = expr`` statements so each comes after the names it uses."""
    by_sym = dict(statements)
    graph = {sym: sorted(e.free_symbols & by_sym.keys(), key=str) for sym, e in statements}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - cse output is acyclic
        cycle = " -> ".join(str(x) for x in exc.args[1])
        raise _NoJacobian(f"cyclic intermediate expressions in the Jacobian: {cycle}") from None
    return [(sym, by_sym[sym]) for sym in order]


def _atoms(em: _Emitter) -> tuple[list[sympy.Expr], dict[str, sympy.Basic], list[bool]]:
    """Collect one root function per comparison in the triggers; rewrite triggers over atoms.

    Atom ``k`` reads ``g_k > 0``; ``inclusive[k]`` is its truth where ``g_k == 0`` (true when it
    came from ``>=`` or ``<``), which decides a trigger sitting exactly on its threshold at the
    start (``time >= 0``).
    """
    rel = sympy.core.relational
    atoms: list[sympy.Expr] = []
    inclusive: list[bool] = []
    rewritten: dict[str, sympy.Basic] = {}
    first: dict[sympy.Expr, int] = {}  # atom -> its index
    first_negated: dict[sympy.Expr, int] = {}  # expand(-atom) -> its index
    for name, trig in em.parsed.event_triggers.items():
        trig = em.lower(trig)
        subs: dict[sympy.Basic, sympy.Basic] = {}
        # in a fixed order: a set's order varies with string hashing between processes
        for r in sorted(trig.atoms(rel.Relational), key=sympy.default_sort_key):
            if isinstance(r, (rel.Equality, rel.Unequality)):
                raise ModelError(f"event {name!r}: {r} cannot trigger an event (an equality is "
                                 f"never crossed); use '>=' or '<='")
            g = sympy.expand(r.lhs - r.rhs)
            positive = isinstance(r, (rel.StrictGreaterThan, rel.GreaterThan))
            # an earlier atom equal to g or to -g, by lookup (both sides are expanded, so
            # expand(g - h) == 0 is g == h); pairwise expand() was quadratic in the events
            same, opposite = first.get(g), first_negated.get(g)
            if same is not None and (opposite is None or same <= opposite):
                k = same
            elif opposite is not None:
                k, positive = opposite, not positive
            else:
                atoms.append(g)
                inclusive.append(isinstance(r, rel.GreaterThan) if positive
                                 else isinstance(r, rel.StrictLessThan))
                k = len(atoms) - 1
                first.setdefault(g, k)
                first_negated.setdefault(sympy.expand(-g), k)
            a = sympy.Symbol(f"a[{k}]")
            subs[r] = a if positive else sympy.Not(a)
        rewritten[name] = trig.xreplace(subs)
    return atoms, rewritten, inclusive


def _generate(spec: ModelSpec) -> dict[str, Any]:
    """Generate the kernels' source and the facts :func:`_load` needs besides the spec."""
    em = _Emitter(spec)
    chunks: list[str] = [f"# generated by exobone.simulate.compile for model {spec.name!r}",
                         f"# structure {spec.structure_hash()}", ""]
    rhs_lines, rates, contrib = _rhs_lines(em)
    chunks += rhs_lines
    has_jac, note = True, ""
    try:
        chunks += _jac_lines(em, rates, contrib)
    except _NoJacobian as exc:
        has_jac, note = False, str(exc)
        chunks += ["def jac(t, y, p, out):", "    raise NotImplementedError", ""]

    # assignments (all, in order)
    lines = ["def assignments(t, y, p, out):"]
    lines += em.prologue([], extra=range(len(em.assign_locals)))
    for i, a in enumerate(em.assign_locals):
        lines.append(f"    out[{i}] = {a}")
    lines += ["    return None", ""]
    chunks += lines

    # initial values given as expressions of parameters
    expr_init = [i for i, s in enumerate(spec.states) if isinstance(s.initial, str)]
    lines = ["def initial(p, out):"]
    init_exprs = [em.lower(spec.parsed.initial_exprs[spec.states[i].name]) for i in expr_init]
    if any(e.has(ex.delay) for e in init_exprs):
        raise ModelError(f"model {spec.name!r}: delay() in an initial value is not supported")
    lines += em.prologue(init_exprs, with_assignments=False)
    for i, e in zip(expr_init, init_exprs, strict=True):
        lines.append(f"    out[{i}] = {_printed(e)}  # {spec.states[i].name}")
    lines += ["    return None", ""]
    chunks += lines

    atoms, triggers, inclusive = _atoms(em)
    lines = ["def roots(t, y, p, out):"]
    lines += em.prologue(atoms)
    for k, g in enumerate(atoms):
        lines.append(f"    out[{k}] = {_printed(g)}")
    lines += ["    return None", ""]
    chunks += lines

    # times where a piecewise condition on time flips (the solver stops there, not across)
    switches = switch_times([*em.assign_exprs, *(r for _, r in rates)], em.local[TIME],
                            set(em.param_locals))
    if switches:
        lines = ["def switch_times(t, y, p, out):"] + em.prologue(switches)
        lines += [f"    out[{k}] = {_printed(e)}" for k, e in enumerate(switches)]
        chunks += [*lines, "    return None", ""]

    if em.delays:  # each delayed expression at one point, and each delay
        delayed = [em.lower(node.args[0]) for node in em.delays]
        spans = [em.lower(node.args[1]) for node in em.delays]
        for name, exprs in (("delayed", delayed), ("delay_spans", spans)):
            lines = [f"def {name}(t, y, p, out):"] + em.prologue(exprs)
            lines += [f"    out[{k}] = {_printed(e)}  # {node}"
                      for k, (e, node) in enumerate(zip(exprs, em.delays, strict=True))]
            chunks += [*lines, "    return None", ""]

    visible = {**em.parsed.states, **em.parsed.parameters, **em.parsed.assignments}
    macros = ex.build_macros([(f.name, f.args, f.body) for f in spec.functions])
    for k, e in enumerate(spec.events):
        exprs = [em.lower(spec.parsed.event_assignments[e.name][tg]) for tg in e.assignments]
        lines = [f"def event_{k}(t, y, p, out):  # {e.name}"]
        lines += em.prologue(exprs)
        for i, (tg, ex_) in enumerate(zip(e.assignments, exprs, strict=True)):
            lines.append(f"    out[{i}] = {_printed(ex_)}  # {tg}")
        lines += ["    return None", ""]
        if not e.scheduled:
            lines += [f"def trigger_{k}(a):  # {e.name}",
                      f"    return bool({_printed(triggers[e.name])})", ""]
        for what, text in (("delay", e.delay), ("priority", e.priority)):
            if text is None:
                continue
            value = em.lower(ex.parse(text, visible, macros=macros,
                                      where=f"model {spec.name!r}, {what} of event {e.name!r}"))
            if value.has(ex.delay):
                raise ModelError(f"model {spec.name!r}: delay() in the {what} of event "
                                 f"{e.name!r} is not supported")
            lines += [f"def {what}_{k}(t, y, p, out):  # {e.name}"]
            lines += em.prologue([value])
            lines += [f"    out[0] = {_printed(value)}", "    return None", ""]
        chunks += lines

    return {"source": "\n".join(chunks), "has_jacobian": has_jac, "jacobian_note": note,
            "atoms": [str(g) for g in atoms], "atom_inclusive": inclusive,
            "delays": [str(node) for node in em.delays], "n_switches": len(switches)}


def _load(spec: ModelSpec, generated: Mapping[str, Any]) -> CompiledModel:
    """Execute generated source (fresh or from the disk cache) into a :class:`CompiledModel`."""
    source = generated["source"]
    filename = f"<exobone-model {spec.name} {spec.structure_hash()[:12]}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = dict(HELPERS)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - sympy-printed source

    state_index = {name: i for i, name in enumerate(spec.state_names)}
    param_index = {name: i for i, name in enumerate(spec.parameter_names)}
    events = tuple(
        CompiledEvent(name=e.name, scheduled=e.scheduled, fire_at_start=e.fire_at_start,
                      targets=tuple(("state", state_index[tg]) if tg in state_index
                                    else ("parameter", param_index[tg]) for tg in e.assignments),
                      apply=namespace[f"event_{k}"],
                      trigger=None if e.scheduled else namespace[f"trigger_{k}"],
                      delay=namespace.get(f"delay_{k}"), priority=namespace.get(f"priority_{k}"),
                      persistent=e.persistent,
                      values_at_trigger=e.values_at_trigger)
        for k, e in enumerate(spec.events)
    )
    kernels = {name: namespace[name] for name in
               ("rhs", "jac", "assignments", "initial", "roots", "delayed", "delay_spans",
                "switch_times")
               if name in namespace}
    return CompiledModel(
        name=spec.name, structure_hash=spec.structure_hash(), states=spec.state_names,
        parameters=spec.parameter_names, assignments=spec.assignment_names,
        source=source, has_jacobian=generated["has_jacobian"],
        jacobian_note=generated["jacobian_note"], atoms=tuple(generated["atoms"]),
        atom_inclusive=tuple(generated["atom_inclusive"]),
        events=events, kernels=kernels, delays=tuple(generated["delays"]),
        n_switches=generated["n_switches"],
    )


_CACHE: OrderedDict[str, CompiledModel] = OrderedDict()
_CACHE_SIZE = 64


def compile_model(spec: ModelSpec) -> CompiledModel:
    """Validate and compile ``spec``; cached by :meth:`ModelSpec.structure_hash`.

    Models that differ only in parameter values, numeric initial values or event times share
    one compiled object (values are passed at run time). The generated source is also kept on
    disk (:mod:`.model_cache`), so another process skips the sympy work.

    Raises
    ------
    ModelError
        If the spec does not validate.

    Examples
    --------
    >>> from exobone.model.reference import linear_decay
    >>> cm = compile_model(linear_decay(rate=0.5))
    >>> p = cm.parameter_vector(linear_decay(rate=0.5))
    >>> cm.rhs(0.0, [2.0], p).tolist()
    [-1.0]
    """
    spec.validate()
    key = spec.structure_hash()
    found = _CACHE.get(key)
    if found is not None:
        _CACHE.move_to_end(key)
        return found
    compiled = _compile(spec)
    _CACHE[key] = compiled
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled


def _compile(spec: ModelSpec) -> CompiledModel:
    """Load the generated source from the disk cache, or generate it and store it there."""
    key = model_cache.cache_key(spec.name, spec.structure_hash())
    record = model_cache.load(key)
    if record is not None:
        try:
            return _load(spec, record)
        except (SyntaxError, KeyError, ValueError, TypeError) as exc:  # a well-formed file
            # whose code does not fit the model (edited by hand): regenerate, said in one line
            warn(f"ignoring the compiled-model cache entry {key} ({type(exc).__name__}: "
                 f"{exc}); compiling the model again")
    _say_generating(spec)
    started = time.perf_counter()
    generated = _generate(spec)
    compiled = _load(spec, generated)  # before storing: only code that loads is kept
    model_cache.store(key, {**generated, "seconds": time.perf_counter() - started})
    return compiled


#: CPU seconds of code generation per state, term and assignment, an upper figure measured on
#: the 2-core development machine (Xeon 2.8 GHz): 0.0057 for the ovx model (195), 0.012 for the
#: PEtab benchmark's 500-state Chen 2009 model (2,162); benchmarks/compile_time.py
_SECONDS_PER_ELEMENT = 0.012
#: code generation expected to take longer than this is announced on stderr
_SAY_ABOVE_SECONDS = 10.0


def _say_generating(spec: ModelSpec) -> None:
    """One line on stderr before a long code generation (not on stdout: ``--json`` stays clean)."""
    seconds = _SECONDS_PER_ELEMENT * (len(spec.states) + len(spec.terms)
                                      + len(spec.assignments))
    if seconds < _SAY_ABOVE_SECONDS:
        return
    folder = model_cache.directory()
    sys.stderr.write(f"compiling model {spec.name} ({len(spec.states)} states; once per model, "
                     f"about {seconds:.0f} s on an idle machine, longer on a busy one"
                     f"{f'; kept in {folder}' if folder is not None else ''})\n")
    sys.stderr.flush()


def clear_cache() -> None:
    """Forget every compiled model held in memory (for tests and long sessions; the disk cache
    of :mod:`.model_cache` is kept)."""
    _CACHE.clear()
