# ruff: noqa: F821
# mypy: ignore-errors
"""Template of the batched Rodas4 integrator appended to each generated numba model module.

This file is read as text by :mod:`exobone.simulate.backends.numba_backend` and appended to the
model's generated kernels (``rhs``, ``jac``, ``assignments`` split by :mod:`.hoist` into
``*_pre``/``*_h`` writing past the parameters up to ``_NP_EXTENDED``, ``_apply_event``, and the sparse LU
``_lu_sparse``/``_solve_sparse`` of :mod:`.sparse_lu` with its size ``_NNZ``), so the whole
module can be compiled by numba with ``cache=True`` (numba caches per source file). It is not
imported as a module.

Method: Rodas4 (Hairer & Wanner, *Solving ODEs II*, 2nd ed., Springer 1996, sec. IV.7; the
coefficients of ``rodas.f``, METH=1), a stiffly accurate L-stable Rosenbrock method of order 4
with an embedded order-3 error estimate, the analytic Jacobian (factorised by the generated
sparse LU, dense with partial pivoting when a pivot is small), standard step-size control and
cubic Hermite interpolation onto the save times. Scheduled events are breakpoints: the
integrator stops exactly at each one, applies the event assignments, and restarts.
"""

# --- begin template ---
_G = 0.25
_C2, _C3, _C4 = 0.386, 0.21, 0.63
_D1, _D2, _D3, _D4 = 0.25, -0.1043, 0.1035, -0.03620000000000023
_A21 = 1.544
_A31, _A32 = 0.9466785280815826, 0.2557011698983284
_A41, _A42, _A43 = 3.314825187068521, 2.896124015972201, 0.9986419139977817
_A51, _A52, _A53, _A54 = 1.221224509226641, 6.019134481288629, 12.53708332932087, \
    -0.6878860361058950
_C21 = -5.6688
_C31, _C32 = -2.430093356833875, -0.2063599157091915
_C41, _C42, _C43 = -0.1073529058151375, -9.594562251023355, -20.47028614809616
_C51, _C52, _C53, _C54 = 7.496443313967647, -10.24680431464352, -33.99990352819905, \
    11.70890893206160
_C61, _C62, _C63, _C64, _C65 = 8.083246795921522, -7.981132988064893, -31.52159432874371, \
    16.31930543123136, -6.058818238834054


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


@njit(cache=True, error_model="numpy", nogil=True, fastmath={"nsz", "arcp", "contract", "afn"})
def _solve_one(p, y0, t0, t1, save_t, bp_t, bp_ev, out_idx, rtol, atol, max_steps, h_max,
               uses_t, out, n_assign):
    """Integrate one member; fill ``out`` (n_times, n_out); return (status, steps, rows written).

    status: 0 ok, 1 max steps, 2 non-finite state, 3 step size underflow.
    """
    n = y0.size
    y = y0.copy()
    ynew = np.empty(n)
    u = np.empty(n)
    f0 = np.empty(n)
    f1 = np.empty(n)
    fu = np.empty(n)
    dT = np.zeros(n)
    k1 = np.empty(n)
    k2 = np.empty(n)
    k3 = np.empty(n)
    k4 = np.empty(n)
    k5 = np.empty(n)
    k6 = np.empty(n)
    # jac writes only its structural non-zeros: zeroed once here, J stays valid for the dense path
    J = np.zeros(n * n)
    W = np.empty((n, n))
    piv = np.zeros(n, dtype=np.int64)
    w = np.empty(_NNZ)
    dinv = np.empty(n)
    dense = False
    abuf = np.empty(max(n_assign, 1))
    n_save = save_t.size
    i_save = 0
    need = False  # do the outputs include assignments (not only states)?
    for q in range(out_idx.size):
        if out_idx[q] >= n:
            need = True
    steps = 0
    t = t0
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
        have_jac = False
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
                if uses_t:
                    dt_ = 1e-7 * max(1.0, abs(t))
                    rhs_h(t + dt_, y, p, fu)
                    for i in range(n):
                        dT[i] = (fu[i] - f0[i]) / dt_
                have_jac = True
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
            rhs_h(t + h, u, p, fu)
            for i in range(n):
                k5[i] = fu[i] + (_C51 * k1[i] + _C52 * k2[i] + _C53 * k3[i]
                                 + _C54 * k4[i]) / h
            _linsolve(dense, W, piv, w, dinv, k5, n)
            for i in range(n):
                u[i] += k5[i]
            rhs_h(t + h, u, p, fu)
            for i in range(n):
                k6[i] = fu[i] + (_C61 * k1[i] + _C62 * k2[i] + _C63 * k3[i] + _C64 * k4[i]
                                 + _C65 * k5[i]) / h
            _linsolve(dense, W, piv, w, dinv, k6, n)
            err = 0.0
            for i in range(n):
                ynew[i] = u[i] + k6[i]
                sc = atol[i] + rtol * max(abs(y[i]), abs(ynew[i]))
                err += (k6[i] / sc) ** 2
            err = math.sqrt(err / n)
            if not math.isfinite(err):
                h *= 0.1
                rejected = True
                if h < 1e-14 * max(1.0, abs(t)):
                    return 2, steps, i_save
                continue
            if err <= 1.0:
                steps += 1
                t_new = t + h
                if t_new >= tb or tb - t_new < 1e-12 * max(1.0, abs(tb)):
                    t_new = tb
                rhs_h(t_new, ynew, p, f1)
                # cubic Hermite interpolation onto the save times in (t, t_new]
                # (strictly before an event breakpoint: those are saved after the event)
                while i_save < n_save and (save_t[i_save] < t_new or
                                           (save_t[i_save] == t_new and
                                            (t_new < tb or ib >= bp_t.size))):
                    hh = t_new - t
                    s = (save_t[i_save] - t) / hh
                    h00 = (1.0 + 2.0 * s) * (1.0 - s) * (1.0 - s)
                    h10 = s * (1.0 - s) * (1.0 - s) * hh
                    h01 = s * s * (3.0 - 2.0 * s)
                    h11 = s * s * (s - 1.0) * hh
                    row = out[i_save]
                    if need:  # assignments need the whole interpolated state
                        for i in range(n):
                            u[i] = h00 * y[i] + h10 * f0[i] + h01 * ynew[i] + h11 * f1[i]
                        _save(save_t[i_save], u, p, out_idx, n, n_assign, abuf, row, need)
                    else:  # states only: interpolate just the outputs, straight into the row
                        for q in range(out_idx.size):
                            i = out_idx[q]
                            row[q] = h00 * y[i] + h10 * f0[i] + h01 * ynew[i] + h11 * f1[i]
                    i_save += 1
                t = t_new
                for i in range(n):
                    y[i] = ynew[i]
                    f0[i] = f1[i]
                have_jac = False
                fac = 0.9 * err ** -0.25 if err > 0.0 else 6.0
                fac = min(6.0, max(0.2, fac))
                if rejected:
                    fac = min(fac, 1.0)
                rejected = False
                h *= fac
            else:
                fac = max(0.2, 0.9 * err ** -0.25)
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
