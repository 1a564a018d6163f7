"""pow as exp(b*log(a)) in the numba kernels: within rounding of libm's pow, and exactly libm's
pow wherever the two differ (zero, negative, infinite or NaN bases, pow(x, 0), pow(1, inf))."""

from __future__ import annotations

import math

import numpy as np
import pytest

from exobone.model.assemble import build_model
from exobone.simulate.backends.fastpow import fast_pow
from exobone.simulate.backends.hoist import hoist
from exobone.simulate.backends.numba_backend import _split_functions
from exobone.simulate.compile import HELPERS, compile_model


def _fpow(a: float, b: float) -> float:
    """What the jitted helper computes (numba's log/exp give NaN/inf instead of raising)."""
    with np.errstate(all="ignore"):
        return float(np.exp(b * np.log(np.float64(a))))


def _load(source: str) -> dict[str, object]:
    pair = fast_pow(source)
    assert pair is not None
    ns = {**HELPERS, "_fpow": _fpow, "math": math}
    for code in pair:
        exec(code, ns)
    return ns


_TOY = '''def k(t, y, p, out):
    s_0 = y[0]
    p_0 = p[0]
    out[0] = _pow(s_0, p_0) + 1.0
    out[1] = (_pow(s_0, 2.5) if s_0 > 0 else 0.0)
    return None
'''


@pytest.mark.parametrize(("base", "exponent"), [
    (0.0, 0.0), (-2.0, 3.0), (-2.0, 0.5), (0.0, -1.0), (math.inf, 0.0), (math.nan, 0.0),
    (1.0, math.inf), (-0.0, -3.0), (0.0, 2.0)])
def test_special_cases_are_the_exact_kernels_values(base: float, exponent: float) -> None:
    ns = _load(_TOY)
    out, exact = [0.0, 0.0], [0.0, 0.0]
    ns["k"](0.0, [base], [exponent], out)
    ns["k_exact"](0.0, [base], [exponent], exact)
    assert out == exact or (math.isnan(out[0]) and math.isnan(exact[0]))


def test_positive_bases_agree_with_pow_to_rounding() -> None:
    ns = _load(_TOY)
    rng = np.random.default_rng(1)
    for base, exponent in zip(rng.uniform(1e-6, 1e3, 200), rng.uniform(-4, 4, 200), strict=True):
        out = [0.0, 0.0]
        ns["k"](0.0, [base], [exponent], out)
        assert out[0] == pytest.approx(base ** exponent + 1.0, rel=1e-14)


def test_a_pow_in_a_branch_stays_libm_pow() -> None:
    fast = fast_pow(_TOY)
    assert fast is not None
    assert "_pow(s_0, 2.5) if s_0 > 0" in fast[1]  # not lifted out of its branch
    assert fast_pow("def k(t, y, p, out):\n    out[0] = y[0]\n") is None  # nothing to do


@pytest.mark.parametrize("scenario", ["ovx"])
def test_model_kernels_agree_with_the_exact_ones(scenario: str) -> None:
    model = build_model(scenario)
    cm = compile_model(model)
    funcs = _split_functions(cm.source)
    rng = np.random.default_rng(3)
    offset = len(cm.parameters)
    for name, size in (("rhs", cm.n_states), ("jac", cm.n_states ** 2)):
        split = hoist(funcs[name], offset)
        ns = _load(split.body)
        exec(split.pre, ns)
        assert "_fpow(" in fast_pow(split.body)[1]  # type: ignore[index]  # the model has pows
        for _ in range(3):
            p = cm.parameter_vector(model) * rng.uniform(0.8, 1.2, offset)
            y = list(cm.initial_state(model, p) * rng.uniform(0.8, 1.2, cm.n_states))
            ext = list(p) + [0.0] * split.size
            ns[f"{name}_pre"](ext)
            exact, fast = [0.0] * size, [0.0] * size
            ns[f"{name}_h_exact"](2.0, y, ext, exact)
            ns[f"{name}_h"](2.0, y, ext, fast)
            np.testing.assert_allclose(fast, exact, rtol=1e-12, atol=1e-300)
