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


def _vlog8(xs: tuple[float, ...]) -> tuple[float, ...]:
    """What the vector ``_vlog8`` computes, lane by lane (libm's log within one unit in the
    last place; NaN where libm's would take a special path, -inf at zero)."""
    return tuple(math.log(x) if 2.2250738585072014e-308 <= x < math.inf
                 else (-math.inf if x == 0.0 else math.nan) for x in xs)


def _vexp8(xs: tuple[float, ...]) -> tuple[float, ...]:
    """What the vector ``_vexp8`` computes, lane by lane (see :func:`_vlog8`)."""
    return tuple(math.exp(x) if -708.0 <= x <= 708.0 else (0.0 if x < -745.2 else math.nan)
                 for x in xs)


def _load(source: str) -> dict[str, object]:
    pair = fast_pow(source)
    assert pair is not None
    ns = {**HELPERS, "_fpow": _fpow, "_vlog8": _vlog8, "_vexp8": _vexp8, "math": math}
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
        assert "_vexp8(" in fast_pow(split.body)[1]  # type: ignore[index]  # the model has pows
        for _ in range(3):
            p = cm.parameter_vector(model) * rng.uniform(0.8, 1.2, offset)
            y = list(cm.initial_state(model, p) * rng.uniform(0.8, 1.2, cm.n_states))
            ext = list(p) + [0.0] * split.size
            ns[f"{name}_pre"](ext)
            exact, fast = [0.0] * size, [0.0] * size
            ns[f"{name}_h_exact"](2.0, y, ext, exact)
            ns[f"{name}_h"](2.0, y, ext, fast)
            np.testing.assert_allclose(fast, exact, rtol=1e-12, atol=1e-300)


def test_pows_are_batched_after_their_operands_and_before_their_readers() -> None:
    source = '''def k(t, y, p, out):
    a = y[0] * 2.0
    b = _pow(a, p[0])
    c = _pow(b + 1.0, p[1])
    d = _pow(a, p[0])
    out[0] = b + c + d
    return None
'''
    fast = fast_pow(source)
    assert fast is not None
    lines = [ln.strip() for ln in fast[1].splitlines()]
    first = next(i for i, ln in enumerate(lines) if "_vexp8(" in ln)
    second = next(i for i, ln in enumerate(lines) if "_vexp8(" in ln and i > first)
    assert lines.index("a = y[0] * 2.0") < first < second  # c's base reads b: a later batch
    assert lines[first].count("* _lg1_0") == 1  # a**p[0] evaluated once, d is that lane
    ns = _load(source)
    out = [0.0]
    ns["k"](0.0, [1.5], [0.7, -1.3], out)
    b = 3.0 ** 0.7
    assert out[0] == pytest.approx(b + (b + 1.0) ** -1.3 + b, rel=1e-14)


def _vector_template() -> dict[str, object]:
    from pathlib import Path

    import exobone.simulate.backends.numba_backend as nb
    text = Path(nb.__file__).with_name("_vecmath_template.py").read_text()
    ns: dict[str, object] = {"math": math}
    exec(text[text.index("# --- begin template ---"):], ns)
    return ns


def test_vector_exp_and_log_are_within_one_ulp_of_libm() -> None:
    from numba import njit

    ns = _vector_template()
    vexp8, vlog8 = ns["_vexp8"], ns["_vlog8"]

    @njit
    def lanes(fn_is_exp: bool, x: np.ndarray, out: np.ndarray) -> None:
        for i in range(0, x.size, 8):
            xs = (x[i], x[i + 1], x[i + 2], x[i + 3], x[i + 4], x[i + 5], x[i + 6], x[i + 7])
            r = vexp8(xs) if fn_is_exp else vlog8(xs)
            for j in range(8):
                out[i + j] = r[j]

    rng = np.random.default_rng(7)
    cases = {
        True: np.concatenate([rng.uniform(-708, 708, 40_000), rng.uniform(-1, 1, 40_000)]),
        False: np.concatenate([np.exp(rng.uniform(-700, 700, 40_000)),
                               rng.uniform(0.5, 2.0, 40_000), 1 + rng.uniform(-1e-6, 1e-6, 8)]),
    }
    for is_exp, x in cases.items():
        x = x[: x.size // 8 * 8]
        out = np.empty_like(x)
        lanes(is_exp, x, out)
        ref = np.exp(x) if is_exp else np.log(x)
        ok = ref != 0.0
        ulps = np.abs(out[ok] - ref[ok]) / np.spacing(np.abs(ref[ok]))
        assert ulps.max() <= 1.0
    special = np.array([0.0, -1.0, np.inf, np.nan, 1e-310, 1.0, -0.0, 2.0])
    out = np.empty(8)
    lanes(False, special, out)
    assert out[0] == -np.inf and out[6] == -np.inf and out[5] == 0.0
    assert np.isnan(out[[1, 2, 3, 4]]).all()  # libm's special paths: the exact kernel decides
    special = np.array([-np.inf, np.inf, np.nan, 709.0, -746.0, -720.0, 0.0, 1.0])
    lanes(True, special, out)
    assert out[0] == 0.0 and out[4] == 0.0 and out[6] == 1.0 and out[7] == np.exp(1.0)
    assert np.isnan(out[[1, 2, 3, 5]]).all()
