# ruff: noqa: F821
# mypy: ignore-errors
"""Template of ``_vlog8``/``_vexp8``, eight logarithms or exponentials in one vector evaluation,
appended as text to a generated numba model module whose kernels batch their ``pow`` calls
(:mod:`.fastpow`). Not imported as a module: its text is part of the module's source, so the
numba cache follows it.

numba has no vector math library here (SVML is not installed), so the eight ``exp`` or ``log``
calls of libm cost eight scalar calls (≈6-8 ns each, one thread). These are numba intrinsics
that write the LLVM IR of one evaluation over an ``<8 x double>`` vector (two instructions of
AVX-512, four of AVX2, per operation), ≈1.3 ns a value for ``exp`` and ≈2.8 ns for ``log``
measured. No fast-math flags: the operations are evaluated as written.

* ``exp``: ``x = k ln 2 + r`` with ``k`` the nearest integer to ``x / ln 2`` (``ln 2`` split in
  two parts, fdlibm's, so ``k ln 2`` is exact), ``exp(r)`` by its Taylor polynomial to ``r^13``
  (``|r| <= ln 2 / 2``: the next term is below 1e-17 relative), times ``2^k`` built in the
  exponent bits. The terms from ``r^3`` on are summed by Estrin's scheme (pairs of terms, then
  pairs of pairs with ``r^2``, ``r^4``, ...: four dependent multiply-adds instead of ten), the
  last three by Horner's, where the result's rounding is decided.
* ``log``: ``a = m 2^e`` with ``m`` in ``[sqrt(1/2), sqrt(2))``, ``f = m - 1``,
  ``s = f / (2 + f)`` and ``log m = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R))``, ``R`` the atanh
  series ``sum 2 s^2k / (2k + 1)`` to ``k = 12`` (fdlibm's ``e_log.c`` arrangement, with the
  Taylor coefficients instead of its minimax ones), ``R``'s polynomial in ``s^2`` by
  Estrin's scheme (its error is scaled by ``s^2 <= 0.03``).

Both are within one unit in the last place of glibc's (tests/simulate/test_fastpow.py). Where
libm would take a special path the lane is NaN instead (``exp`` of ``x`` outside
``[-708, 708]`` except below -745.2, where it is 0 as libm's; ``log`` of a subnormal, negative,
infinite or NaN argument; ``log(0)`` is ``-inf`` as libm's), and the kernel's check then
evaluates the exact kernel with libm's ``pow``.
"""

# --- begin template ---
from llvmlite import ir as _ir
from numba import types as _types
from numba.extending import intrinsic as _intrinsic

_VL = 8
_VD = _ir.VectorType(_ir.DoubleType(), _VL)
_VI64 = _ir.VectorType(_ir.IntType(64), _VL)
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10


def _vsplat(c, ty=_VD):
    return _ir.Constant(ty, [c] * _VL)


def _vintr(builder, name, nargs):
    full = f"{name}.v{_VL}f64"
    fn = builder.module.globals.get(full)
    if fn is None:
        fn = _ir.Function(builder.module, _ir.FunctionType(_VD, [_VD] * nargs), name=full)
    return fn


def _vfma(builder, a, b, c):
    return builder.call(_vintr(builder, "llvm.fma", 3), [a, b, c])


def _vestrin(builder, x, coeffs):
    """``sum coeffs[i] x^i`` by Estrin's scheme: pairs ``c0 + c1 x``, then pairs of those
    with ``x^2``, ``x^4``, ...: about log2(degree) dependent multiply-adds instead of Horner's
    degree (the same terms, summed in another order)."""
    terms = [_vsplat(c) for c in coeffs]
    power = x
    while len(terms) > 1:
        terms = [_vfma(builder, terms[i + 1], power, terms[i]) if i + 1 < len(terms)
                 else terms[i] for i in range(0, len(terms), 2)]
        if len(terms) > 1:
            power = builder.fmul(power, power)
    return terms[0]


def _vexp_ir(builder, x):
    k = builder.call(_vintr(builder, "llvm.rint", 1),
                     [builder.fmul(x, _vsplat(1.4426950408889634))])
    r = _vfma(builder, k, _vsplat(-_LN2_HI), x)
    r = _vfma(builder, k, _vsplat(-_LN2_LO), r)
    # 1 + r (1 + r (1/2 + r P(r))), P the terms r^3/3! .. r^13/13! over r^3 by Estrin's
    # scheme (a short dependency chain: the evaluation's latency is what a kernel waits on);
    # the last three steps by Horner's, where the rounding of the result is decided
    q = _vestrin(builder, r, [1.0 / math.factorial(i) for i in range(3, 14)])
    for i in (2, 1, 0):
        q = _vfma(builder, q, r, _vsplat(1.0 / math.factorial(i)))
    bits = builder.shl(builder.add(builder.fptosi(k, _VI64), _vsplat(1023, _VI64)),
                       _vsplat(52, _VI64))
    res = builder.fmul(q, builder.bitcast(bits, _VD))
    ok = builder.and_(builder.fcmp_ordered(">=", x, _vsplat(-708.0)),
                      builder.fcmp_ordered("<=", x, _vsplat(708.0)))
    under = builder.fcmp_ordered("<", x, _vsplat(-745.2))
    return builder.select(ok, res, builder.select(under, _vsplat(0.0), _vsplat(math.nan)))


def _vlog_ir(builder, a):
    bits = builder.bitcast(a, _VI64)
    e = builder.sub(builder.lshr(bits, _vsplat(52, _VI64)), _vsplat(1023, _VI64))
    m = builder.bitcast(builder.or_(builder.and_(bits, _vsplat(0x000FFFFFFFFFFFFF, _VI64)),
                                    _vsplat(0x3FF0000000000000, _VI64)), _VD)
    big = builder.fcmp_ordered(">", m, _vsplat(1.4142135623730951))
    m = builder.select(big, builder.fmul(m, _vsplat(0.5)), m)
    ef = builder.sitofp(builder.select(big, builder.add(e, _vsplat(1, _VI64)), e), _VD)
    f = builder.fsub(m, _vsplat(1.0))
    s = builder.fdiv(f, builder.fadd(f, _vsplat(2.0)))
    z = builder.fmul(s, s)
    q = _vestrin(builder, z, [2.0 / (2 * k + 1) for k in range(1, 13)])  # times z <= 0.03
    hfsq = builder.fmul(builder.fmul(f, f), _vsplat(0.5))
    t = _vfma(builder, s, builder.fadd(hfsq, builder.fmul(q, z)),
              builder.fmul(ef, _vsplat(_LN2_LO)))
    res = builder.fsub(builder.fmul(ef, _vsplat(_LN2_HI)),
                       builder.fsub(builder.fsub(hfsq, t), f))
    ok = builder.and_(builder.fcmp_ordered(">=", a, _vsplat(2.2250738585072014e-308)),
                      builder.fcmp_ordered("<", a, _vsplat(math.inf)))
    zero = builder.fcmp_ordered("==", a, _vsplat(0.0))
    return builder.select(ok, res, builder.select(zero, _vsplat(-math.inf), _vsplat(math.nan)))


def _vector_intrinsic(kernel):
    @_intrinsic
    def impl(typingctx, xs):
        if not isinstance(xs, _types.BaseTuple) or len(xs) != _VL:
            return None

        def codegen(context, builder, sig, args):
            v = _ir.Constant(_VD, _ir.Undefined)
            for i in range(_VL):
                x = context.cast(builder, builder.extract_value(args[0], i), sig.args[0][i],
                                 _types.float64)
                v = builder.insert_element(v, x, _ir.Constant(_ir.IntType(32), i))
            v = kernel(builder, v)
            lanes = [builder.extract_element(v, _ir.Constant(_ir.IntType(32), i))
                     for i in range(_VL)]
            return context.make_tuple(builder, sig.return_type, lanes)
        return _types.UniTuple(_types.float64, _VL)(xs), codegen
    return impl


_vexp8 = _vector_intrinsic(_vexp_ir)
_vlog8 = _vector_intrinsic(_vlog_ir)
# --- end template ---
