"""A/B of two integrator templates of the numba backend, in one process, on one model.

The numba backend appends ``src/exobone/simulate/backends/_rodas_template.py`` to each model's
generated kernels. This benchmark builds the same model's module twice, once with the current
template (A) and once with another template file (B, e.g. an older one from git history), and
runs the same members through both: best-of-``--repeats`` wall time (alternating A and B, so
machine noise hits both alike), mean accepted steps per member, and each one's error against a
run of A at very tight tolerances (``rtol=1e-11``, ``atol=1e-14``) at every save time, relative
to the value with a floor of 1e-4 of the state's largest value.

    # Rodas5P (current) against the Rodas4 + cubic Hermite template it replaced
    git show 810f4b1:src/exobone/simulate/backends/_rodas_template.py > /tmp/rodas4.py
    .venv/bin/python benchmarks/integrator_ab.py /tmp/rodas4.py --scenario ovx
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from types import ModuleType

import numpy as np

_MARK = "# --- begin template ---"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("template_b", type=Path, help="the other template file (B)")
    parser.add_argument("--scenario", default="ovx")
    parser.add_argument("--members", type=int, default=600)
    parser.add_argument("--spread", type=float, default=0.2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--rtol", type=float, default=1e-6)
    parser.add_argument("--atol", type=float, default=1e-9)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import numba

    from exobone.model.assemble import build_model
    from exobone.simulate.backends import numba_backend as nb
    from exobone.simulate.compile import compile_model

    numba.set_num_threads(args.threads)
    model = build_model(args.scenario)
    cm = compile_model(model)
    other = args.template_b.read_text()
    if _MARK not in other:
        raise SystemExit(f"error: {args.template_b} has no '{_MARK}' line; is it a template?")
    current = Path(nb.__file__).with_name("_rodas_template.py").read_text()
    source_a = nb._module_source

    def source_b(cm_: object) -> str:
        return source_a(cm_).replace(current[current.index(_MARK):], other[other.index(_MARK):])

    mods: dict[str, ModuleType] = {"A": nb.load_kernels(cm)}
    nb._module_source = source_b
    nb._BY_SOURCE.clear()
    mods["B"] = nb.load_kernels(cm)
    nb._module_source = source_a
    nb._BY_SOURCE.clear()
    if mods["A"] is mods["B"]:
        raise SystemExit("error: template B is the current template")

    base = cm.parameter_vector(model)
    rng = np.random.default_rng(args.seed)
    P = base * rng.uniform(1 - args.spread, 1 + args.spread, size=(args.members, base.size))
    Y0 = np.array([cm.initial_state(model, p) for p in P])
    times = np.linspace(0.0, 365.0, 366)
    n = cm.n_states
    out_idx = np.arange(n, dtype=np.int64)
    bp = nb._breakpoints(model, 0.0, 365.0)
    bp_t = np.array(sorted(bp), dtype=float)
    bp_ev = np.full((bp_t.size, max((len(v) for v in bp.values()), default=1)), -1,
                    dtype=np.int64)
    for i, tm in enumerate(bp_t):
        bp_ev[i, : len(bp[tm])] = bp[tm]

    def run(mod: ModuleType, rtol: float, atol: float) -> tuple[float, np.ndarray, np.ndarray,
                                                               np.ndarray]:
        values = np.empty((args.members, times.size, n))
        status = np.zeros(args.members, dtype=np.int8)
        steps = np.zeros(args.members, dtype=np.int64)
        p, y0 = P.copy(), Y0.copy()
        start = time.perf_counter()
        mod.solve_batch(p, y0, 0.0, 365.0, times, bp_t, bp_ev, out_idx, rtol, np.full(n, atol),
                        1_000_000, 365.0, nb._uses_time(cm), values, status, steps,
                        len(cm.assignments))
        return time.perf_counter() - start, values, steps, status

    best = {"A": np.inf, "B": np.inf}
    for k in best:  # warm-up
        run(mods[k], args.rtol, args.atol)
    for _ in range(args.repeats):
        for k in best:
            best[k] = min(best[k], run(mods[k], args.rtol, args.atol)[0])
    _, ref, _, _ = run(mods["A"], 1e-11, 1e-14)
    floor = np.maximum(1e-4 * np.abs(ref).max(axis=1, keepdims=True), 1e-300)
    print(f"{args.scenario}: {args.members} members, one year, daily saves, rtol={args.rtol:g} "
          f"atol={args.atol:g}, {args.threads} thread(s), best of {args.repeats}")
    for k, label in (("A", "current"), ("B", str(args.template_b))):
        _, values, steps, status = run(mods[k], args.rtol, args.atol)
        rel = np.abs(values - ref) / np.maximum(np.abs(ref), floor)
        ok = status == 0
        print(f"{k} ({label}): {args.members / best[k]:,.0f} runs/s, {steps.mean():.1f} steps "
              f"per member, failed {int((~ok).sum())}, error vs tight run: max "
              f"{np.nanmax(rel[ok]):.2e}, 99.9th percentile {np.nanpercentile(rel[ok], 99.9):.2e}")
    print(f"A is {best['B'] / best['A']:.2f}x as fast as B")


if __name__ == "__main__":
    main()
