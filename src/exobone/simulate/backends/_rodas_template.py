# ruff: noqa: F821
# mypy: ignore-errors
"""Template of the batched Rodas5P integrator appended to each generated numba model module.

This file is read as text by :mod:`exobone.simulate.backends.numba_backend` and appended to the
model's generated kernels (``rhs``, ``jac``, ``assignments`` and ``rhsjac``, the right-hand
side and the Jacobian in one, split by :mod:`.hoist` into ``*_pre``/``*_h`` writing past the
parameters up to ``_NP_EXTENDED``; ``_apply_event``; the
sparse LU ``_lu_sparse``/``_solve_sparse`` of :mod:`.sparse_lu` with its size ``_NNZ``;
the number of states ``_N``), so the
whole module can be compiled by numba with ``cache=True`` (numba caches per source file). It is
not imported as a module.

Method: Rodas5P (G. Steinebach, BIT Numerical Mathematics 63:27, 2023), an eight-stage
stiffly accurate Rosenbrock method of order 5 with an embedded order-4 error estimate and its
own dense output. The coefficients, in the transformed form of Hairer & Wanner (*Solving ODEs
II*, 2nd ed., 1996, sec. IV.7: stage ``k_i`` solves ``(I/(h gamma) - J) k_i = f(u_i) +
sum_j C_ij k_j / h + h d_i df/dt``), are those of OrdinaryDiffEq.jl's ``Rodas5PTableau``. The
Jacobian is the analytic one, factorised by the generated sparse LU (dense with partial
pivoting when a pivot is small); step-size control is the standard one. On the ovx model at
rtol 1e-6 it takes about 60 steps a year where Rodas4 took 113, and it is more accurate at the
save times (``benchmarks/ensemble_vs_roadrunner.py``; docs/analysis.md). Scheduled events are
breakpoints: the integrator stops exactly at each one, applies the event assignments, and
restarts; an event that fired before (a repeated dose) restarts with the first step accepted
after its previous firing, the pulse's own time scale.
"""

# --- begin template ---
from numba.core import cgutils
from numba.extending import intrinsic

_G = 0.21193756319429014
_A21 = 3.0
_A31, _A32 = 2.849394379747939, 0.45842242204463923
_A41, _A42, _A43 = -6.954028509809101, 2.489845061869568, -10.358996098473584
_A51, _A52, _A53, _A54 = (2.8029986275628964, 0.5072464736228206, -0.3988312541770524,
    -0.04721187230404641)
_A61, _A62, _A63, _A64, _A65 = (-7.502846399306121, 2.561846144803919, -11.627539656261098,
    -0.18268767659942256, 0.030198172008377946)
_C21 = -14.155112264123755
_C31, _C32 = -17.97296035885952, -2.859693295451294
_C41, _C42, _C43 = 147.12150275711716, -1.41221402718213, 71.68940251302358
_C51, _C52, _C53, _C54 = (165.43517024871676, -0.4592823456491126, 42.90938336958603,
    -5.961986721573306)
_C61, _C62, _C63, _C64, _C65 = (24.854864614690072, -3.0009227002832186, 47.4931110020768,
    5.5814197821558125, -0.6610691825249471)
_C71, _C72, _C73, _C74, _C75, _C76 = (30.91273214028599, -3.1208243349937974, 77.79954646070892,
    34.28646028294783, -19.097331116725623, -28.087943162872662)
_C81, _C82, _C83, _C84, _C85, _C86, _C87 = (37.80277123390563, -3.2571969029072276,
    112.26918849496327, 66.9347231244047, -40.06618937091002, -54.66780262877968, -9.48861652309627)
_C2, _C3, _C4, _C5 = 0.6358126895828704, 0.4095798393397535, 0.9769306725060716, 0.4288403609558664
_D1, _D2, _D3, _D4, _D5 = (0.21193756319429014, -0.42387512638858027, -0.3384627126235924,
    1.8046452872882734, 2.325825639765069)
_H21, _H22, _H23, _H24, _H25, _H26, _H27, _H28 = (25.948786856663858, -2.5579724845846235,
    10.433815404888879, -2.3679251022685204, 0.524948541321073, 1.1241088310450404,
    0.4272876194431874, -0.17202221070155493)
_H31, _H32, _H33, _H34, _H35, _H36, _H37, _H38 = (-9.91568850695171, -0.9689944594115154,
    3.0438037242978453, -24.495224566215796, 20.176138334709044, 15.98066361424651,
    -6.789040303419874, -6.710236069923372)
_H41, _H42, _H43, _H44, _H45, _H46, _H47, _H48 = (11.419903575922262, 2.8879645146136994,
    72.92137995996029, 80.12511834622643, -52.072871366152654, -59.78993625266729,
    -0.15582684282751913, 4.883087185713722)


@njit(cache=True, error_model="numpy", nogil=True, fastmath={"nsz", "arcp", "contract", "afn"})
def _lu(a, piv, n):
    """In-place LU with partial pivoting; returns False if singular or non-finite."""
    for k in range(n):
        m = k
        big = abs(a[k, k])
        for i in range(k + 1, n):
            v = abs(a[i, k])
            if v > big:
                big = v
                m = i
        if not (big > 0.0) or not math.isfinite(big):
            return False
        piv[k] = m
        if m != k:
            for j in range(n):
                tmp = a[k, j]
                a[k, j] = a[m, j]
                a[m, j] = tmp
        inv = 1.0 / a[k, k]
        for i in range(k + 1, n):
            a[i, k] *= inv
            f = a[i, k]
            if f != 0.0:
                for j in range(k + 1, n):
                    a[i, j] -= f * a[k, j]
    return True


@njit(cache=True, error_model="numpy", nogil=True, fastmath={"nsz", "arcp", "contract", "afn"})
def _lu_solve(a, piv, b, n):
    for k in range(n):
        m = piv[k]
        if m != k:
            tmp = b[k]
            b[k] = b[m]
            b[m] = tmp
    for i in range(1, n):
        s = b[i]
        for j in range(i):
            s -= a[i, j] * b[j]
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s -= a[i, j] * b[j]
        b[i] = s / a[i, i]


@njit(cache=True, error_model="numpy", nogil=True, fastmath={"nsz", "arcp", "contract", "afn"},
      inline="always")
def _linsolve(dense, W, piv, w, dinv, b, n):
    if dense:
        _lu_solve(W, piv, b, n)
    else:
        _solve_sparse(w, dinv, b)


@njit(cache=True, error_model="numpy", nogil=True, fastmath={"nsz", "arcp", "contract", "afn"})
def _save(t, y, p, out_idx, n, n_assign, abuf, row, need):
    if need:
        assignments_h(t, y, p, abuf)
    for q in range(out_idx.size):
        k = out_idx[q]
        row[q] = y[k] if k < n else abuf[k - n]


@intrinsic
def _borrow(typingctx, arr):
    """A view of ``arr`` without a reference count (no NRT meminfo), for the caller to pass
    into the integrator while it holds ``arr`` itself.

    Every array passed to a jitted function that is not inlined is reference-counted on entry
    and exit, each an atomic (``lock``-prefixed) increment or decrement of the array's count:
    with the integrator's arrays passed to the right-hand side, the sparse LU and its solves
    several times a stage, those were 21% of the kernel's time (``perf``, ``ovx``). A view
    without a count makes each of them a test of a null pointer. It must not outlive ``arr``:
    :func:`_integrate` borrows its arguments, which its caller holds until it returns (a
    local array borrowed in the frame that allocated it would be freed after its last use
    there, while the views are still in use).
    """
    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, value=args[0])
        ary.meminfo = cgutils.get_null_value(ary.meminfo.type)
        return ary._getvalue()
    return arr(arr), codegen


@njit(cache=True, error_model="numpy", nogil=True, fastmath={"nsz", "arcp", "contract", "afn"})
def _solve_one(p, y0, t0, t1, save_t, bp_t, bp_ev, out_idx, rtol, atol, max_steps, h_max,
               uses_t, out, n_assign):
    """Integrate one member; fill ``out`` (n_times, n_out); return (status, steps, rows written).

    status: 0 ok, 1 max steps, 2 non-finite state, 3 step size underflow.
    """
    # the stage vectors as rows of one array: at constant distances from one base, LLVM
    # sees that they do not overlap and vectorises the stage loops without runtime checks
    ws = np.zeros((19, _N))
    # the right-hand side at an accepted step's end and the Jacobian there, as rhsjac_h writes
    # them; jac writes only its structural non-zeros: zeroed once here, J stays valid for the
    # dense path
    fj = np.zeros(_N + _N * _N)
    W = np.empty((_N, _N))
    piv = np.zeros(_N, dtype=np.int64)
    w = np.empty(_NNZ)
    dinv = np.empty(_N)
    abuf = np.empty(max(n_assign, 1))
    # passed as they are (a local borrowed here would be freed after its last use here,
    # before the call): _integrate borrows its arguments, which this frame holds
    return _integrate(p, y0, t0, t1, save_t, bp_t, bp_ev, out_idx, rtol, atol, max_steps,
                      h_max, uses_t, out, n_assign, ws, fj, W, piv, w, dinv, abuf)


@njit(cache=True, error_model="numpy", nogil=True, fastmath={"nsz", "arcp", "contract", "afn"})
def _integrate(p, y0, t0, t1, save_t, bp_t, bp_ev, out_idx, rtol, atol, max_steps, h_max,
               uses_t, out, n_assign, ws, fj, W, piv, w, dinv, abuf):
    """:func:`_solve_one`'s integration, on its arrays (borrowed views, work arrays included:
    ``ws`` the stage vectors, ``fj`` f and J, ``W``/``piv`` the dense LU, ``w``/``dinv`` the
    sparse LU, ``abuf`` the assignments)."""
    # views without reference counts of arrays the caller holds (see _borrow)
    p, y0, save_t, bp_t, bp_ev = _borrow(p), _borrow(y0), _borrow(save_t), _borrow(bp_t), \
        _borrow(bp_ev)
    out_idx, atol, out, ws, fj = _borrow(out_idx), _borrow(atol), _borrow(out), _borrow(ws), \
        _borrow(fj)
    W, piv, w, dinv, abuf = _borrow(W), _borrow(piv), _borrow(w), _borrow(dinv), _borrow(abuf)
    n = _N  # the number of states, a compile-time constant: loops of known length
    y = ws[0]
    ynew = ws[1]
    u = ws[2]
    f0 = ws[3]
    fu = ws[5]
    dT = ws[6]
    k1 = ws[7]
    k2 = ws[8]
    k3 = ws[9]
    k4 = ws[10]
    k5 = ws[11]
    k6 = ws[12]
    k7 = ws[13]
    k8 = ws[14]
    e1 = ws[15]
    e2 = ws[16]
    e3 = ws[17]
    e4 = ws[18]
    for i in range(n):
        y[i] = y0[i]
    f1 = fj[:_N]
    J = fj[_N:]
    dense = False
    n_save = save_t.size
    i_save = 0
    need = False  # do the outputs include assignments (not only states)?
    ident = out_idx.size == n  # are the outputs exactly the states, in order?
    for q in range(out_idx.size):
        if out_idx[q] >= n:
            need = True
        if out_idx[q] != q:
            ident = False
    steps = 0
    t = t0
    # per event, the first step accepted after it last fired: a repeated dose restarts from
    # its own pulse's time scale instead of the step before it (which was rejected about once
    # per dose); the error control still decides every step
    n_ev = 1
    for i in range(bp_ev.shape[0]):
        for e in range(bp_ev.shape[1]):
            if bp_ev[i, e] >= n_ev:
                n_ev = bp_ev[i, e] + 1
    h_ev = np.zeros(n_ev)
    ib_last = -1  # the breakpoint whose first accepted step is still to be recorded
    # events scheduled at the start fire before integration
    ib = 0
    while ib < bp_t.size and bp_t[ib] <= t0:
        if bp_t[ib] == t0:
            for e in range(bp_ev.shape[1]):
                if bp_ev[ib, e] >= 0:
                    _apply_event(bp_ev[ib, e], t, y, p)
        ib += 1
    # the parameter-only parts of the kernels (hoist.py) go past the parameters in p;
    # recomputed after every event
    rhs_pre(p)
    jac_pre(p)
    assignments_pre(p)
    rhsjac_pre(p)
    while i_save < n_save and save_t[i_save] <= t0:
        _save(t, y, p, out_idx, n, n_assign, abuf, out[i_save], need)
        i_save += 1
    rhs_h(t, y, p, f0)
    # initial step (Hairer & Wanner's heuristic, first part)
    d0 = 0.0
    d1 = 0.0
    for i in range(n):
        sc = atol[i] + rtol * abs(y[i])
        d0 += (y[i] / sc) ** 2
        d1 += (f0[i] / sc) ** 2
    d0 = math.sqrt(d0 / n)
    d1 = math.sqrt(d1 / n)
    if not (math.isfinite(d0) and math.isfinite(d1)):
        return 2, steps, i_save
    h = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h = min(h, h_max, t1 - t0)
    while True:
        tb = t1
        if ib < bp_t.size:
            tb = bp_t[ib]
        have_jac = False  # J at (t, y)
        have_dt = False  # dT at (t, y), for a right-hand side that reads t
        rejected = False
        while t < tb:
            if steps >= max_steps:
                return 1, steps, i_save
            if not (h > 1e-14 * max(1.0, abs(t))):  # also catches NaN
                return 3, steps, i_save
            h = min(h, h_max)
            if t + h >= tb or (tb - (t + h)) < 1e-10 * h:
                h = tb - t
            if not have_jac:
                jac_h(t, y, p, J)
                have_jac = True
                have_dt = False
            if uses_t and not have_dt:
                dt_ = 1e-7 * max(1.0, abs(t))
                rhs_h(t + dt_, y, p, fu)
                for i in range(n):
                    dT[i] = (fu[i] - f0[i]) / dt_
                have_dt = True
            inv = 1.0 / (h * _G)
            # the generated sparse LU (no pivoting); on a small pivot, dense LU with pivoting
            dense = not _lu_sparse(J, inv, w, dinv)
            if dense:
                for i in range(n):
                    for j in range(n):
                        W[i, j] = -J[i * n + j]
                    W[i, i] += inv
                ok = _lu(W, piv, n)
                if not ok:
                    h *= 0.25
                    if h < 1e-14 * max(1.0, abs(t)):
                        return 3, steps, i_save
                    continue
            # stage 1
            for i in range(n):
                k1[i] = f0[i] + h * _D1 * dT[i]
            _linsolve(dense, W, piv, w, dinv, k1, n)
            for i in range(n):
                u[i] = y[i] + _A21 * k1[i]
            rhs_h(t + _C2 * h, u, p, fu)
            for i in range(n):
                k2[i] = fu[i] + h * _D2 * dT[i] + (_C21 / h) * k1[i]
            _linsolve(dense, W, piv, w, dinv, k2, n)
            for i in range(n):
                u[i] = y[i] + _A31 * k1[i] + _A32 * k2[i]
            rhs_h(t + _C3 * h, u, p, fu)
            for i in range(n):
                k3[i] = fu[i] + h * _D3 * dT[i] + (_C31 * k1[i] + _C32 * k2[i]) / h
            _linsolve(dense, W, piv, w, dinv, k3, n)
            for i in range(n):
                u[i] = y[i] + _A41 * k1[i] + _A42 * k2[i] + _A43 * k3[i]
            rhs_h(t + _C4 * h, u, p, fu)
            for i in range(n):
                k4[i] = fu[i] + h * _D4 * dT[i] + (_C41 * k1[i] + _C42 * k2[i]
                                                   + _C43 * k3[i]) / h
            _linsolve(dense, W, piv, w, dinv, k4, n)
            for i in range(n):
                u[i] = y[i] + _A51 * k1[i] + _A52 * k2[i] + _A53 * k3[i] + _A54 * k4[i]
            rhs_h(t + _C5 * h, u, p, fu)
            for i in range(n):
                k5[i] = fu[i] + h * _D5 * dT[i] + (_C51 * k1[i] + _C52 * k2[i] + _C53 * k3[i]
                                                   + _C54 * k4[i]) / h
            _linsolve(dense, W, piv, w, dinv, k5, n)
            for i in range(n):
                u[i] = (y[i] + _A61 * k1[i] + _A62 * k2[i] + _A63 * k3[i] + _A64 * k4[i]
                        + _A65 * k5[i])
            rhs_h(t + h, u, p, fu)
            for i in range(n):
                k6[i] = fu[i] + (_C61 * k1[i] + _C62 * k2[i] + _C63 * k3[i] + _C64 * k4[i]
                                 + _C65 * k5[i]) / h
            _linsolve(dense, W, piv, w, dinv, k6, n)
            for i in range(n):
                u[i] += k6[i]
            rhs_h(t + h, u, p, fu)
            for i in range(n):
                k7[i] = fu[i] + (_C71 * k1[i] + _C72 * k2[i] + _C73 * k3[i] + _C74 * k4[i]
                                 + _C75 * k5[i] + _C76 * k6[i]) / h
            _linsolve(dense, W, piv, w, dinv, k7, n)
            for i in range(n):
                u[i] += k7[i]
            rhs_h(t + h, u, p, fu)
            for i in range(n):
                k8[i] = fu[i] + (_C81 * k1[i] + _C82 * k2[i] + _C83 * k3[i] + _C84 * k4[i]
                                 + _C85 * k5[i] + _C86 * k6[i] + _C87 * k7[i]) / h
            _linsolve(dense, W, piv, w, dinv, k8, n)
            err = 0.0
            for i in range(n):
                ynew[i] = u[i] + k8[i]
                sc = atol[i] + rtol * max(abs(y[i]), abs(ynew[i]))
                err += (k8[i] / sc) ** 2
            err = math.sqrt(err / n)
            if not math.isfinite(err):
                h *= 0.1
                rejected = True
                if h < 1e-14 * max(1.0, abs(t)):
                    return 2, steps, i_save
                continue
            if err <= 1.0:
                steps += 1
                if ib_last >= 0:
                    for e in range(bp_ev.shape[1]):
                        if bp_ev[ib_last, e] >= 0:
                            h_ev[bp_ev[ib_last, e]] = h
                    ib_last = -1
                t_new = t + h
                if t_new >= tb or tb - t_new < 1e-12 * max(1.0, abs(tb)):
                    t_new = tb
                # f(t_new, ynew) and the Jacobian there, where the next step starts: one
                # kernel shares their assignments and pows
                rhsjac_h(t_new, ynew, p, fj)
                # Rodas5P's dense output (order 4) onto the save times in (t, t_new]
                # (strictly before an event breakpoint: those are saved after the event)
                dense_ready = False
                while i_save < n_save and (save_t[i_save] < t_new or
                                           (save_t[i_save] == t_new and
                                            (t_new < tb or ib >= bp_t.size))):
                    if not dense_ready:
                        # the interpolant (1-s) y + s (ynew + (1-s) (d1 + s d2 + s^2 d3)) as
                        # a polynomial in s, y + s (e1 + s (e2 + s (e3 + s e4))): four
                        # multiply-adds per value at each of the (many) save times
                        for i in range(n):
                            d1 = (_H21 * k1[i] + _H22 * k2[i] + _H23 * k3[i] + _H24 * k4[i]
                                  + _H25 * k5[i] + _H26 * k6[i] + _H27 * k7[i] + _H28 * k8[i])
                            d2 = (_H31 * k1[i] + _H32 * k2[i] + _H33 * k3[i] + _H34 * k4[i]
                                  + _H35 * k5[i] + _H36 * k6[i] + _H37 * k7[i] + _H38 * k8[i])
                            d3 = (_H41 * k1[i] + _H42 * k2[i] + _H43 * k3[i] + _H44 * k4[i]
                                  + _H45 * k5[i] + _H46 * k6[i] + _H47 * k7[i] + _H48 * k8[i])
                            e1[i] = ynew[i] - y[i] + d1
                            e2[i] = d2 - d1
                            e3[i] = d3 - d2
                            e4[i] = -d3
                        dense_ready = True
                    s = (save_t[i_save] - t) / (t_new - t)
                    row = out[i_save]
                    if need:  # assignments need the whole interpolated state
                        for i in range(n):
                            u[i] = y[i] + s * (e1[i] + s * (e2[i] + s * (e3[i] + s * e4[i])))
                        _save(save_t[i_save], u, p, out_idx, n, n_assign, abuf, row, need)
                    elif ident:  # every state, in order: a contiguous (vectorised) loop
                        for i in range(n):
                            row[i] = y[i] + s * (e1[i] + s * (e2[i] + s * (e3[i] + s * e4[i])))
                    else:  # some states: interpolate just the outputs, straight into the row
                        for q in range(out_idx.size):
                            i = out_idx[q]
                            row[q] = y[i] + s * (e1[i] + s * (e2[i] + s * (e3[i] + s * e4[i])))
                    i_save += 1
                t = t_new
                for i in range(n):
                    y[i] = ynew[i]
                    f0[i] = f1[i]
                have_jac = True  # rhsjac_h wrote J at (t, y)
                have_dt = False
                fac = 0.9 * err ** -0.2 if err > 0.0 else 6.0
                fac = min(6.0, max(0.2, fac))
                if rejected:
                    fac = min(fac, 1.0)
                rejected = False
                h *= fac
            else:
                fac = max(0.2, 0.9 * err ** -0.2)
                h *= fac
                rejected = True
                if h < 1e-14 * max(1.0, abs(t)):
                    return 3, steps, i_save
        if ib >= bp_t.size:
            break
        # event breakpoint: apply, save the post-event values, restart
        for e in range(bp_ev.shape[1]):
            if bp_ev[ib, e] >= 0:
                _apply_event(bp_ev[ib, e], t, y, p)
        rhs_pre(p)
        jac_pre(p)
        assignments_pre(p)
        rhsjac_pre(p)
        for i in range(n):
            if not math.isfinite(y[i]):
                return 2, steps, i_save
        while i_save < n_save and save_t[i_save] <= t:
            _save(t, y, p, out_idx, n, n_assign, abuf, out[i_save], need)
            i_save += 1
        rhs_h(t, y, p, f0)
        for i in range(n):
            if not math.isfinite(f0[i]):
                return 2, steps, i_save
        h_restart = np.inf
        for e in range(bp_ev.shape[1]):
            if bp_ev[ib, e] >= 0 and h_ev[bp_ev[ib, e]] > 0.0:
                h_restart = min(h_restart, h_ev[bp_ev[ib, e]])
        if h_restart < np.inf:
            h = h_restart
        ib_last = ib
        ib += 1
        if t >= t1:
            break
    while i_save < n_save and save_t[i_save] <= t:
        _save(t, y, p, out_idx, n, n_assign, abuf, out[i_save], need)
        i_save += 1
    return 0, steps, i_save


@njit(cache=True, error_model="numpy", nogil=True)
def initial_batch(P, Y0):
    """Evaluate the initial-value expressions of every member into Y0 (numeric ones preset)."""
    for k in range(P.shape[0]):
        initial(P[k], Y0[k])


@njit(cache=True, error_model="numpy", nogil=True)
def solve_span(P, Y0, a, b, t0, t1, save_t, bp_t, bp_ev, out_idx, rtol, atol, max_steps, h_max,
               uses_t, OUT, STATUS, STEPS, n_assign):
    """Integrate members ``a:b`` in this thread, without the GIL (the backend's thread pool
    hands out spans as threads come free: on a shared machine a thread that gets less CPU
    does fewer spans instead of holding up the whole batch, as prange's fixed split did)."""
    for k in range(a, b):
        p = np.empty(_NP_EXTENDED)  # the parameters, then the kernels' hoisted values
        p[:P.shape[1]] = P[k]
        st, ns, done = _solve_one(p, Y0[k], t0, t1, save_t, bp_t, bp_ev, out_idx, rtol, atol,
                                  max_steps, h_max, uses_t, OUT[k], n_assign)
        OUT[k, done:, :] = np.nan  # the rows a failed member never reached
        STATUS[k] = st
        STEPS[k] = ns


@njit(cache=True, error_model="numpy", parallel=True)
def solve_batch(P, Y0, t0, t1, save_t, bp_t, bp_ev, out_idx, rtol, atol, max_steps, h_max,
                uses_t, OUT, STATUS, STEPS, n_assign):
    """Integrate every member (row of P/Y0) in parallel; OUT is (m, n_times, n_out)."""
    m = P.shape[0]
    for k in prange(m):
        p = np.empty(_NP_EXTENDED)  # the parameters, then the kernels' hoisted values
        p[:P.shape[1]] = P[k]
        st, ns, done = _solve_one(p, Y0[k], t0, t1, save_t, bp_t, bp_ev, out_idx, rtol, atol,
                                  max_steps, h_max, uses_t, OUT[k], n_assign)
        OUT[k, done:, :] = np.nan  # the rows a failed member never reached
        STATUS[k] = st
        STEPS[k] = ns
# --- end template ---
