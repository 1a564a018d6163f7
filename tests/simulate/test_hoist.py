"""Hoisting the parameter-only arithmetic out of a kernel changes no value, to the last bit
(with reciprocals of parameter-only divisors: within rounding)."""

from __future__ import annotations

import numpy as np
import pytest

from exobone.model.assemble import build_model
from exobone.simulate.backends.hoist import hoist
from exobone.simulate.backends.numba_backend import _split_functions
from exobone.simulate.compile import HELPERS, compile_model

_TOY = '''def rhs(t, y, p, out):
    s_0 = y[0]
    p_0 = p[0]
    p_1 = p[1]
    a_0 = p_0*p_1/(p_1 + 2.0)
    a_1 = s_0*_pow(p_1, p_0)/(1.0 + p_0*p_1) + t
    out[0] = a_0*s_0 - a_1*(p_0 + p_1)
'''


def test_toy_kernel_moves_parameter_work_to_pre() -> None:
    h = hoist(_TOY, offset=2)
    assert "a_0 = " in h.pre and "a_0 = " not in h.body  # parameter-only local
    assert "1.0 + p_0 * p_1" in h.pre  # parameter-only part of a state-dependent line
    assert "t" in h.body and "y[0]" in h.body
    ns = dict(HELPERS)
    for src in (_TOY, h.pre, h.body):
        exec(src, ns)
    p = [0.7, 1.9] + [0.0] * h.size
    a, b = [0.0], [0.0]
    ns["rhs"](0.5, [3.0], p, a)
    ns["rhs_pre"](p)
    ns["rhs_h"](0.5, [3.0], p, b)
    assert a == b


@pytest.mark.parametrize("scenario", ["ovx", "lung-tumor-angiogenesis"])
def test_generated_kernels_give_identical_values(scenario: str) -> None:
    model = build_model(scenario)
    cm = compile_model(model)
    funcs = _split_functions(cm.source)
    rng = np.random.default_rng(3)
    offset = len(cm.parameters)
    for name, size in (("rhs", cm.n_states), ("jac", cm.n_states ** 2),
                       ("assignments", len(cm.assignments))):
        h = hoist(funcs[name], offset)
        ns = dict(HELPERS)
        for src in (funcs[name], h.pre, h.body):
            exec(src, ns)
        for _ in range(3):
            p = cm.parameter_vector(model) * rng.uniform(0.8, 1.2, offset)
            y = list(cm.initial_state(model, p) * rng.uniform(0.8, 1.2, cm.n_states))
            ext = list(p) + [0.0] * (offset + h.size)
            plain, hoisted = [0.0] * size, [0.0] * size
            ns[name](2.0, y, list(p), plain)
            ns[f"{name}_pre"](ext)
            ns[f"{name}_h"](2.0, y, ext, hoisted)
            assert hoisted == plain  # bit for bit: the same operations in the same order


def test_a_kernel_in_another_form_is_refused() -> None:
    with pytest.raises(ValueError, match="arguments"):
        hoist("def f(a, b):\n    return a\n", 0)


def test_reciprocals_turn_divisions_by_parameters_into_products() -> None:
    h = hoist(_TOY, offset=2, reciprocals=True)
    assert "1.0 / (1.0 + p_0 * p_1)" in h.pre  # the reciprocal is computed once per member
    assert "/" not in h.body  # no division by a parameter-only value is left per call
    ns = dict(HELPERS)
    for src in (_TOY, h.pre, h.body):
        exec(src, ns)
    p = [0.7, 1.9] + [0.0] * h.size
    a, b = [0.0], [0.0]
    ns["rhs"](0.5, [3.0], p, a)
    ns["rhs_pre"](p)
    ns["rhs_h"](0.5, [3.0], p, b)
    assert b[0] == pytest.approx(a[0], rel=1e-15)


@pytest.mark.parametrize("scenario", ["ovx"])
def test_generated_kernels_with_reciprocals_agree_within_rounding(scenario: str) -> None:
    model = build_model(scenario)
    cm = compile_model(model)
    funcs = _split_functions(cm.source)
    rng = np.random.default_rng(4)
    offset = len(cm.parameters)
    for name, size in (("rhs", cm.n_states), ("jac", cm.n_states ** 2),
                       ("assignments", len(cm.assignments))):
        h = hoist(funcs[name], offset, reciprocals=True)
        assert h.body.count("/") < hoist(funcs[name], offset).body.count("/")
        ns = dict(HELPERS)
        for src in (funcs[name], h.pre, h.body):
            exec(src, ns)
        for _ in range(3):
            p = cm.parameter_vector(model) * rng.uniform(0.8, 1.2, offset)
            y = list(cm.initial_state(model, p) * rng.uniform(0.8, 1.2, cm.n_states))
            ext = list(p) + [0.0] * (offset + h.size)
            plain, hoisted = [0.0] * size, [0.0] * size
            ns[name](2.0, y, list(p), plain)
            ns[f"{name}_pre"](ext)
            ns[f"{name}_h"](2.0, y, ext, hoisted)
            # x * (1 / c) is within a few units in the last place of x / c
            np.testing.assert_allclose(hoisted, plain, rtol=1e-12, atol=1e-300)
