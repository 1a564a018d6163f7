"""Move the parameter-only arithmetic of a generated kernel out of its per-call body.

Most of what the right-hand side computes depends on the parameters alone: the normalisations
``H(S0)`` of every exosome-layer factor, products of rate constants, Hill constants raised to
their powers. Within one ensemble member the parameters change only at events, yet the kernel
recomputes all of it at every one of the six stage evaluations of every step. :func:`hoist`
rewrites a generated kernel (straight-line ``name = expression`` code, as
:mod:`exobone.simulate.compile` writes it) into

* ``<name>_pre(p)``: the parameter-only locals and the largest parameter-only sub-expressions
  of the rest, written once per member (and after events) into ``p`` itself, past the
  parameters, at ``p[offset:offset + size]``;
* ``<name>_h(t, y, p, out)``: the original body with those sub-expressions read from there.

The values live in the parameter vector rather than in an array of their own: an extra array
argument measurably slowed the whole integrator down (numba keeps its reference count and
aliasing analysis must assume it may overlap the others), which ate the gain.

The split is exact: every hoisted sub-expression is a complete node of the original expression
tree, so the same operations run on the same operands in the same order. With
``reciprocals=True`` (what the numba backend uses) a division by a parameter-only expression
``x / c`` becomes ``x * r`` with ``r = 1 / c`` hoisted: within rounding of the original (a
few units in the last place), not bit for bit; the kernels are compiled with ``arcp``, which
already lets LLVM do the same where it can.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

__all__ = ["Hoisted", "hoist"]

#: names a generated kernel may call or read that are not data
_HELPERS = frozenset({"_pow", "_lpow", "_exp", "_log", "_sqrt", "_asin", "_acos", "_factorial",
                      "_nan", "_inf", "math", "max", "min",
                      "abs", "float", "np"})


@dataclass(frozen=True)
class Hoisted:
    """A kernel split into its parameter-only part and its per-call part.

    Attributes
    ----------
    pre
        Source of ``<name>_pre(p)``.
    body
        Source of ``<name>_h(t, y, p, out)``.
    size
        Number of values written past ``offset``.
    """

    pre: str
    body: str
    size: int


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class _Lift(ast.NodeTransformer):
    """Replace maximal parameter-only sub-expressions by ``pc`` reads."""

    def __init__(self, fixed: set[str], slots: dict[str, int], exprs: list[str],
                 reciprocals: bool = False) -> None:
        self.fixed, self.slots, self.exprs = fixed, slots, exprs
        self.reciprocals = reciprocals

    def _slot(self, src: str) -> ast.Name:
        if src not in self.slots:
            self.slots[src] = len(self.exprs)
            self.exprs.append(src)
        return ast.Name(id=f"_pc{self.slots[src]}", ctx=ast.Load())

    def _is_fixed(self, node: ast.AST) -> bool:
        names = _names(node)
        if any(isinstance(n, ast.Subscript) for n in ast.walk(node)):
            return False
        return names <= (self.fixed | _HELPERS) and bool(names - _HELPERS)

    def visit(self, node: ast.AST) -> ast.AST:
        if (isinstance(node, ast.expr) and not isinstance(node, (ast.Name, ast.Constant))
                and self._is_fixed(node)):
            return self._slot(ast.unparse(node))
        if (self.reciprocals and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
                and not isinstance(node.right, ast.Constant) and self._is_fixed(node.right)):
            # x / c as x * (1 / c), the reciprocal computed once per member: a division
            # costs several multiplications' time (within rounding, not bit for bit)
            return ast.BinOp(left=self.visit(node.left), op=ast.Mult(),
                             right=self._slot(f"1.0 / ({ast.unparse(node.right)})"))
        if isinstance(node, ast.Name) and node.id in self.fixed and node.id in self.slots:
            return ast.Name(id=f"_pc{self.slots[node.id]}", ctx=ast.Load())
        return super().generic_visit(node)


def hoist(source: str, offset: int, *, reciprocals: bool = False) -> Hoisted:
    """Split the generated kernel ``source`` (``def NAME(t, y, p, out): ...``).

    Parameters
    ----------
    source
        One function as written by :mod:`exobone.simulate.compile`: assignments to locals and
        to ``out[k]``, reading ``y``, ``p`` and ``t``.
    offset
        Where in ``p`` the hoisted values start (at least the number of parameters).
    reciprocals
        Also hoist the reciprocal of every parameter-only divisor and multiply by it.

    Raises
    ------
    ValueError
        If the function is not in that form.
    """
    tree = ast.parse(source)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        raise ValueError("expected exactly one function definition")
    func = tree.body[0]
    args = [a.arg for a in func.args.args]
    if args != ["t", "y", "p", "out"]:
        raise ValueError(f"expected arguments (t, y, p, out), got ({', '.join(args)})")
    fixed: set[str] = set()  # locals that depend on parameters only
    pre_lines: list[str] = []
    kept: list[ast.stmt] = []
    for stmt in func.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name):
            target, value = stmt.targets[0].id, stmt.value
            reads_p = (isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name)
                       and value.value.id == "p")
            if reads_p or (not any(isinstance(n, ast.Subscript) for n in ast.walk(value))
                           and _names(value) <= (fixed | _HELPERS)):
                fixed.add(target)
                pre_lines.append(f"    {ast.unparse(stmt)}")
                continue
        kept.append(stmt)
    slots: dict[str, int] = {}
    exprs: list[str] = []
    lift = _Lift(fixed, slots, exprs, reciprocals)
    body_lines: list[str] = []
    for stmt in kept:
        if isinstance(stmt, (ast.Pass, ast.Return)):
            body_lines.append(f"    {ast.unparse(stmt)}")
            continue
        if not isinstance(stmt, ast.Assign):
            raise ValueError(f"unexpected statement in a generated kernel: {ast.unparse(stmt)}")
        # a bare parameter-only local read by the per-call part becomes a slot of its own
        for name in sorted(_names(stmt.value) & fixed):
            if name not in slots:
                slots[name] = len(exprs)
                exprs.append(name)
        stmt.value = lift.visit(stmt.value)
        body_lines.append(f"    {ast.unparse(stmt)}")
    name = func.name
    pre = [f"def {name}_pre(p):", *pre_lines]
    pre += [f"    p[{offset + k}] = {e}" for k, e in enumerate(exprs)]
    pre.append("    return None")
    used = sorted({int(n[3:]) for line in body_lines
                   for n in _names(ast.parse(line.strip())) if n.startswith("_pc")})
    body = [f"def {name}_h(t, y, p, out):"]
    body += [f"    _pc{k} = p[{offset + k}]" for k in used]
    body += body_lines or ["    return None"]
    return Hoisted("\n".join(pre) + "\n", "\n".join(body) + "\n", len(exprs))
