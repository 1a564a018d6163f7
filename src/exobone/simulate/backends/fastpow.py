"""Evaluate ``pow`` as ``exp(b * log(a))`` in a generated kernel, with libm's ``pow`` as the
exact fallback.

Most of the time a model's right-hand side spends is in ``pow`` with a state-dependent base and
a parameter exponent (Hill-type factors: the Wnt activity alone is raised to five exponents):
measured on ``ovx``, 190 of its 280 ns per call. ``exp(b * log(a))`` is cheaper (the logarithm
of a base raised to several powers is computed once, as LLVM sees the same call), and equals
``pow(a, b)`` within a rounding error of ``|b log a|`` units in the last place wherever ``a`` is
positive and finite and ``b`` finite. Everywhere else (a zero or negative base, an integer
exponent of a negative base, ``pow(x, 0)`` of a zero, infinite or NaN base, ``pow(1, inf)``)
the two differ, and then ``exp(b * log(a))`` is always NaN or infinite. :func:`fast_pow` rewrites
a kernel ``NAME(t, y, p, out)`` into two:

* ``NAME(t, y, p, out)``: each ``pow`` evaluated as ``_fpow`` (``exp(b * log(a))``) into a
  local of its own; at the end, if any of them is NaN or infinite (``w - w`` is NaN for both),
  the kernel calls ``NAME_exact`` and returns its values instead, so those cases keep libm's
  exact results;
* ``NAME_exact(t, y, p, out)``: the original code.

The lifted pows are then evaluated eight at a time (:func:`_batched`): the logarithms of their
bases in one vector call, ``exp(b * log a)`` in another, each within one unit in the last place
of libm's ``log``/``exp`` and NaN wherever those take a special path (so the check above sends
such a call to the exact kernel). On ``ovx`` that is 9 bases and 14 distinct pows of the
right-hand side in two vector logs and two vector exps instead of 23 libm calls.

A ``pow`` inside a conditional expression (a piecewise branch) stays a libm ``pow``: evaluating
it unconditionally could flag a branch that is never taken. Branching inside the helper instead
of after the kernel was measured slower than plain ``pow``: LLVM evaluates both sides of each
branch (both are pure) and selects.
"""

from __future__ import annotations

import ast

__all__ = ["FPOW_HELPER", "LANES", "fast_pow"]

#: the helper the rewritten kernels call (jitted like the module's other helpers) for a pow
#: that cannot be batched (see :func:`_batched`)
FPOW_HELPER = '''def _fpow(a, b):
    return math.exp(b * math.log(a))
'''
#: lanes of the vector ``_vlog8``/``_vexp8`` (:mod:`._vecmath_template`)
LANES = 8


class _Lift(ast.NodeTransformer):
    """Replace each unconditional ``_pow(a, b)`` by a local ``_w<k>`` computed just before."""

    def __init__(self) -> None:
        self.lifted: list[ast.stmt] = []
        self.count = 0

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        return node  # a branch may not be taken: its pows stay libm's

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        return node  # short-circuit: the same

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)  # inner pows first, so they are lifted first
        if isinstance(node.func, ast.Name) and node.func.id == "_pow" and len(node.args) == 2:
            name = f"_w{self.count}"
            self.count += 1
            call = ast.Call(func=ast.Name(id="_fpow", ctx=ast.Load()), args=node.args,
                            keywords=[])
            self.lifted.append(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())],
                                          value=call, lineno=0))
            return ast.Name(id=name, ctx=ast.Load())
        return node


def _balanced(terms: list[str]) -> str:
    """``a + b + c + d`` as ``((a + b) + (c + d))``: a short dependency chain, not a long one."""
    while len(terms) > 1:
        terms = [f"({' + '.join(terms[i:i + 2])})" for i in range(0, len(terms), 2)]
    return terms[0]


def fast_pow(source: str) -> tuple[str, str] | None:
    """Rewrite the kernel ``source`` (one ``def NAME(t, y, p, out)`` of straight-line
    assignments) as described in the module docstring.

    Returns the sources of ``NAME_exact`` and of the new ``NAME``, or ``None`` if the kernel
    has no ``pow`` to lift.
    """
    tree = ast.parse(source)
    func = tree.body[0]
    if len(tree.body) != 1 or not isinstance(func, ast.FunctionDef):
        raise ValueError("expected exactly one function definition")
    args = ", ".join(a.arg for a in func.args.args)
    lift = _Lift()
    body: list[str] = []
    tail: list[str] = []
    for stmt in func.body:
        if isinstance(stmt, ast.Return):
            tail.append(ast.unparse(stmt))
            continue
        lift.lifted = []
        new = lift.visit(stmt)
        body += [ast.unparse(s) for s in lift.lifted]
        body.append(ast.unparse(new))
    if lift.count == 0:
        return None
    body = _batched(body)
    check = _balanced([f"(_w{k} - _w{k})" for k in range(lift.count)])
    exact = f"{func.name}_exact"
    lines = [f"def {func.name}({args}):", *(f"    {s}" for s in body),
             f"    _chk = {check}",
             "    if _chk != _chk:  # a NaN or infinite exp(b*log(a)): libm's pow decides",
             f"        {exact}({args})",
             *(f"    {s}" for s in tail or ["return None"])]
    original = source.replace(f"def {func.name}(", f"def {exact}(", 1)
    return original.rstrip("\n") + "\n", "\n".join(lines) + "\n"


def _batched(body: list[str]) -> list[str]:
    """Evaluate the lifted pows of a straight-line body eight at a time: the logarithms of
    their distinct bases in ``_vlog8`` calls, then ``exp(b * log a)`` of their distinct pairs in
    ``_vexp8`` calls (:mod:`._vecmath_template`: one vector evaluation for eight libm calls,
    each within one unit in the last place of libm's, NaN wherever libm's ``exp``/``log``
    would need a special case, so that the kernel's check sends those to the exact kernel).

    A statement moves only after the values it reads: the statements are grouped by their
    depth in pows (a pow's depth is one more than its operands', any other statement's that of
    its operands), each group's pows evaluated together before the statements that read them.
    A body that assigns a name twice, or reads what it writes by subscript, is left as it is
    (``_fpow`` per pow).
    """
    stmts = [ast.parse(line).body[0] for line in body]
    depth: dict[str, int] = {}
    written: set[str] = set()
    placed: list[tuple[int, ast.stmt]] = []
    pows: dict[int, list[tuple[str, str, str]]] = {}
    for st in stmts:
        if not isinstance(st, ast.Assign) or len(st.targets) != 1:
            return body
        reads = {n.id for n in ast.walk(st.value) if isinstance(n, ast.Name)}
        if reads & written:
            return body
        d = max((depth.get(r, 0) for r in reads), default=0)
        target = st.targets[0]
        if isinstance(target, ast.Subscript):
            if not isinstance(target.value, ast.Name):
                return body
            written.add(target.value.id)
            placed.append((d, st))
            continue
        if not isinstance(target, ast.Name) or target.id in depth:
            return body
        value = st.value
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id == "_fpow" and target.id.startswith("_w")):
            depth[target.id] = d + 1
            a, b = (ast.unparse(x) for x in value.args)
            pows.setdefault(d + 1, []).append((target.id, a, b))
            continue
        depth[target.id] = d
        placed.append((d, st))
    out: list[str] = []
    for level in range(max([d for d, _ in placed] + list(pows), default=0) + 1):
        out += _vector_pows(pows.get(level, []), level)
        out += [ast.unparse(st) for d, st in placed if d == level]
    return out


def _vector_pows(pows: list[tuple[str, str, str]], level: int) -> list[str]:
    """The statements evaluating ``pows`` (name, base, exponent), LANES at a time."""
    if not pows:
        return []
    bases = list(dict.fromkeys(a for _, a, _ in pows))
    logs = {a: f"_lg{level}_{i}" for i, a in enumerate(bases)}
    pairs = list(dict.fromkeys((a, b) for _, a, b in pows))
    lines = []
    for i in range(0, len(bases), LANES):
        chunk = bases[i:i + LANES]
        pad = LANES - len(chunk)
        names = [logs[a] for a in chunk] + [f"_lgpad{level}_{i}_{k}" for k in range(pad)]
        args = [f"({a})" for a in chunk] + ["1.0"] * pad
        lines.append(f"{', '.join(names)} = _vlog8(({', '.join(args)}))")
    first: dict[tuple[str, str], str] = {}
    for name, a, b in pows:
        first.setdefault((a, b), name)
    for i in range(0, len(pairs), LANES):
        chunk = pairs[i:i + LANES]
        pad = LANES - len(chunk)
        names = [first[pr] for pr in chunk] + [f"_xpad{level}_{i}_{k}" for k in range(pad)]
        args = [f"({b}) * {logs[a]}" for a, b in chunk] + ["0.0"] * pad
        lines.append(f"{', '.join(names)} = _vexp8(({', '.join(args)}))")
    lines += [f"{name} = {first[(a, b)]}" for name, a, b in pows if first[(a, b)] != name]
    return lines
