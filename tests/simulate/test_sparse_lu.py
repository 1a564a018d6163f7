"""The generated sparse LU solves ``(g*I - J) x = b`` like a dense solver, and refuses bad pivots."""

from __future__ import annotations

import math

import numpy as np
import pytest

from exobone.simulate.backends.sparse_lu import analyse, generate


def _kernels(n: int, pattern: list[tuple[int, int]]):
    lu = analyse(n, pattern)
    namespace: dict[str, object] = {"math": math}
    exec(generate(lu, ""), namespace)  # plain Python: the same source numba compiles
    return lu, namespace["_lu_sparse"], namespace["_solve_sparse"]


@pytest.mark.parametrize("seed", range(5))
def test_sparse_solve_matches_numpy_on_random_patterns(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 12
    mask = rng.random((n, n)) < 0.25
    pattern = [(int(i), int(j)) for i, j in zip(*np.nonzero(mask), strict=True)]
    lu, factor, solve = _kernels(n, pattern)
    J = np.zeros((n, n))
    J[mask] = rng.normal(size=mask.sum())
    g = 3.0
    w, dinv = np.empty(lu.nnz), np.empty(n)
    assert factor(J.ravel(), g, w, dinv)
    b = rng.normal(size=n)
    x = b.copy()
    solve(w, dinv, x)
    np.testing.assert_allclose(x, np.linalg.solve(g * np.eye(n) - J, b), rtol=1e-10, atol=1e-12)


def test_fill_in_is_stored_and_the_order_is_deterministic() -> None:
    # an arrow matrix: eliminating the hub first fills everything, the Markowitz order does not
    n = 6
    pattern = [(0, j) for j in range(n)] + [(i, 0) for i in range(n)]
    lu = analyse(n, pattern)
    assert lu.order[0] != 0 and lu.fill == 0
    assert analyse(n, reversed(pattern)) == lu
    # a chain with a back edge has to fill
    cyc = analyse(4, [(0, 1), (1, 2), (2, 3), (3, 0)])
    assert cyc.fill > 0


def test_a_vanishing_pivot_is_refused_for_the_dense_fallback() -> None:
    n = 2
    lu, factor, _ = _kernels(n, [(0, 0), (0, 1), (1, 0), (1, 1)])
    J = np.array([[1.0, 2.0], [3.0, 0.0]])  # g*I - J has a zero (0, 0) pivot at g = 1
    assert not factor(J.ravel(), 1.0, np.empty(lu.nnz), np.empty(n))


def test_pattern_outside_the_matrix_is_an_error() -> None:
    with pytest.raises(ValueError, match="outside a 3 x 3 matrix"):
        analyse(3, [(0, 3)])
