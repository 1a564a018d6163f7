"""Straight-line sparse LU of the Rosenbrock matrix ``W = I/(h*gamma) - J``, generated per model.

The bone model's Jacobian is sparse (the full ``ovx`` model: 86 non-zeros of 21 x 21), and its
sparsity pattern is fixed by the model's structure. As in the Kinetic PreProcessor of
atmospheric chemistry (Damian et al. 2002, Comput Chem Eng 26:1567; Sandu et al. 1997, Atmos
Environ 31:3459), the pattern is analysed once: a fill-reducing symmetric elimination order
(Markowitz: the pivot whose row and column have the fewest other non-zeros), the fill-in, and then
the factorisation and the two triangular solves are written out as straight-line code over a
flat array of the non-zeros, with no index arrays and no pivot search at run time.

Pivoting is not done: the pivots are the diagonal of ``W``, which ``1/(h*gamma)`` dominates on the
short steps where stiffness bites. The generated factorisation still checks every pivot against
``1/(h*gamma) + |J_kk|`` and returns False on a small or non-finite one; the integrator then
factorises that step's ``W`` densely with partial pivoting instead, so accuracy never depends on
the order being a good one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SparseLU", "analyse", "generate"]

#: a pivot smaller than this fraction of ``g + |J_kk|`` sends the step to the dense, pivoted
#: factorisation (cancellation there means element growth)
PIVOT_TOLERANCE = 1e-8


@dataclass(frozen=True)
class SparseLU:
    """The symbolic factorisation of one sparsity pattern.

    Attributes
    ----------
    n
        Matrix size.
    order
        Elimination order (a symmetric permutation: pivot ``order[k]`` is the ``k``-th).
    slots
        ``(row, column)`` of every stored entry of ``L + U`` (pattern, diagonal and fill-in), in
        the layout of the generated code's flat array.
    pattern
        The Jacobian's non-zeros ``(row, column)`` (without the added diagonal and fill).
    """

    n: int
    order: tuple[int, ...]
    slots: tuple[tuple[int, int], ...]
    pattern: tuple[tuple[int, int], ...]

    @property
    def nnz(self) -> int:
        """Stored entries of the factors (including the diagonal and fill-in)."""
        return len(self.slots)

    @property
    def fill(self) -> int:
        """Entries created by elimination."""
        return self.nnz - len(set(self.pattern) | {(i, i) for i in range(self.n)})


def analyse(n: int, pattern: Iterable[tuple[int, int]]) -> SparseLU:
    """Choose the elimination order and compute the fill-in of ``W = g*I - J``.

    Parameters
    ----------
    n
        Number of states.
    pattern
        Structurally non-zero Jacobian entries ``(row, column)``.
    """
    jac = sorted({(int(i), int(j)) for i, j in pattern})
    for i, j in jac:
        if not (0 <= i < n and 0 <= j < n):
            raise ValueError(f"Jacobian entry ({i}, {j}) outside a {n} x {n} matrix")
    rows: list[set[int]] = [{i} for i in range(n)]  # row i: its column indices
    cols: list[set[int]] = [{j} for j in range(n)]  # column j: its row indices
    for i, j in jac:
        rows[i].add(j)
        cols[j].add(i)
    remaining = set(range(n))
    order: list[int] = []
    while remaining:
        # Markowitz count on the active submatrix; ties go to the lowest index (deterministic)
        k = min(remaining, key=lambda v: ((len(rows[v] & remaining) - 1)
                                          * (len(cols[v] & remaining) - 1), v))
        remaining.discard(k)
        below = cols[k] & remaining
        right = rows[k] & remaining
        for i in below:  # elimination of pivot k fills (i, j) for i below, j right of it
            for j in right:
                rows[i].add(j)
                cols[j].add(i)
        order.append(k)
    slots = sorted({(i, j) for i in range(n) for j in rows[i]},
                   key=lambda ij: (order.index(ij[0]), order.index(ij[1])))
    return SparseLU(n, tuple(order), tuple(slots), tuple(jac))


def generate(lu: SparseLU, jit: str) -> str:
    """Return the source of ``_lu_sparse(J, g, w, dinv)`` and ``_solve_sparse(w, dinv, b)``.

    ``_lu_sparse`` loads ``w`` with ``g*I - J`` (``J`` flat, row-major, as the generated ``jac``
    writes it), factorises in place (unit lower ``L`` below, ``U`` on and above the diagonal, in
    the elimination order) and stores the pivots' reciprocals in ``dinv``; it returns False when a
    pivot is small or non-finite. ``_solve_sparse`` overwrites ``b`` with ``W^-1 b``.

    Parameters
    ----------
    lu
        The symbolic factorisation from :func:`analyse`.
    jit
        Decorator line(s) to put above each function (the backend's numba ``@njit``).
    """
    n, order = lu.n, lu.order
    pos = {k: rank for rank, k in enumerate(order)}
    slot = {ij: s for s, ij in enumerate(lu.slots)}
    jac = set(lu.pattern)
    out = [jit + "def _lu_sparse(J, g, w, dinv):"]
    # on locals, as the solve below (76 against 102 ns on ovx, one thread), each slot loaded
    # just before its first use and stored just after its last update: all loaded first, the
    # 113 values spilled (131 ns)
    init = {}
    for (i, j), s in slot.items():
        if i == j:
            init[s] = f"w{s} = g - J[{i * n + j}]" if (i, j) in jac else f"w{s} = g"
        elif (i, j) in jac:
            init[s] = f"w{s} = -J[{i * n + j}]"
        else:
            init[s] = f"w{s} = 0.0"
    body: list[tuple[str, set[int], set[int]]] = []  # statement, slots read, slot written
    for k in order:
        rank = pos[k]
        below = [i for i in range(n) if pos[i] > rank and (i, k) in slot]
        right = [j for j in range(n) if pos[j] > rank and (k, j) in slot]
        kk = slot[(k, k)]
        # the scale of the pivot before elimination: g plus the Jacobian's diagonal entry
        body.append((f"d0 = g + abs(J[{k * n + k}])" if (k, k) in jac else "d0 = g", set(),
                     set()))
        body.append((f"d = w{kk}", {kk}, set()))
        body.append((f"if not (abs(d) > {PIVOT_TOLERANCE!r} * d0) or not math.isfinite(d):\n"
                     "        return False", set(), set()))
        body.append(("dk = 1.0 / d", set(), set()))
        body.append((f"dinv[{k}] = dk", set(), set()))
        for i in below:
            ik = slot[(i, k)]
            body.append((f"f = w{ik} * dk", {ik}, set()))
            body.append((f"w{ik} = f", set(), {ik}))
            for j in right:
                ij, kj = slot[(i, j)], slot[(k, j)]
                body.append((f"w{ij} = w{ij} - f * w{kj}", {ij, kj}, {ij}))
    first = {}
    last = {}
    for t, (_, reads, writes) in enumerate(body):
        for s_ in reads | writes:
            first.setdefault(s_, t)
        for s_ in writes:
            last[s_] = t
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    for s_ in range(len(lu.slots)):
        if s_ not in first:  # never used in the elimination: its value as loaded
            out.append(f"    {init[s_]}")
            out.append(f"    w[{s_}] = w{s_}")
            continue
        before.setdefault(first[s_], []).append(init[s_])
        after.setdefault(last.get(s_, first[s_]), []).append(f"w[{s_}] = w{s_}")
    for t, (stmt, _, _) in enumerate(body):
        out.extend(f"    {x}" for x in before.get(t, []))
        out.append(f"    {stmt}")
        out.extend(f"    {x}" for x in after.get(t, []))
    out.append("    return True")
    out.append("")
    out.append(jit + "def _solve_sparse(w, dinv, b):")
    # on locals, read from and written to ``b`` once each: updating an element of ``b`` that
    # the next statement reads back waits for the store to be forwarded (row 13 of ovx's takes
    # nine updates in a chain), and LLVM cannot keep it in a register across stores to an
    # array that might alias ``w`` (39 against 49 ns a solve, one thread)
    out.extend(f"    b{i} = b[{i}]" for i in range(n))
    for k in order:  # forward: L has a unit diagonal
        below = [i for i in range(n) if pos[i] > pos[k] and (i, k) in slot]
        out.extend(f"    b{i} = b{i} - w[{slot[(i, k)]}] * b{k}" for i in below)
    for k in reversed(order):  # backward
        right = [j for j in range(n) if pos[j] > pos[k] and (k, j) in slot]
        if right:
            terms = " - ".join(f"w[{slot[(k, j)]}] * b{j}" for j in right)
            out.append(f"    b{k} = (b{k} - {terms}) * dinv[{k}]")
        else:
            out.append(f"    b{k} = b{k} * dinv[{k}]")
    out.extend(f"    b[{i}] = b{i}" for i in range(n))
    out.append("    return")
    return "\n".join(out) + "\n"
