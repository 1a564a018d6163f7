"""What a Sobol analysis costs beyond its runs: ``run_sensitivity`` against a plain ensemble.

One process. The model's kernels are compiled (or loaded) first, untimed. Then, alternately
(``--repeats`` times each, to see the machine's noise):

* ``run_sensitivity(scenario, outcome=..., day=..., method="sobol", n=N)``: Saltelli sampling,
  ``N * (k + 2)`` runs over the ``k`` parameters, SALib's analysis with its bootstrap;
* ``run_ensemble`` of exactly as many members, drawn uniformly in the same bounds, with the same
  save grid (``[0, day]``), output, chunking and backend.

Prints each time, the medians and their ratio (the bookkeeping is cheap when it is near 1).

    .venv/bin/python benchmarks/sensitivity_overhead.py --n 64
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="ovx")
    parser.add_argument("--outcome", default="bv_tv")
    parser.add_argument("--day", type=float, default=180.0)
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--spread", type=float, default=0.5)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    from exobone.analysis.sensitivity import run_sensitivity
    from exobone.model.assemble import build_model
    from exobone.simulate.backends.numba_backend import warm_up
    from exobone.simulate.compile import compile_model
    from exobone.simulate.ensemble import run_ensemble
    from exobone.simulate.solve import SaveAt

    model = build_model(args.scenario, [])
    cm = compile_model(model)
    warm_up(model)
    base = cm.parameter_vector(model)
    cols = [j for j, v in enumerate(base) if v != 0.0]  # run_sensitivity's default choice
    runs = args.n * (len(cols) + 2)
    lo = np.minimum(base[cols] * (1 - args.spread), base[cols] * (1 + args.spread))
    hi = np.maximum(base[cols] * (1 - args.spread), base[cols] * (1 + args.spread))
    for j, c in enumerate(cols):  # declared bounds, as run_sensitivity clips them
        pb = model.require_parameter(cm.parameters[c]).bounds
        if pb is not None:
            lo[j], hi[j] = max(lo[j], pb[0]), min(hi[j], pb[1])
    print(f"{args.scenario}: {len(cols)} parameters varied, Sobol n={args.n}: {runs:,} runs "
          f"to day {args.day:g}, output {args.outcome}")

    def sobol() -> float:
        t = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):  # its reliability warning, if any
            res = run_sensitivity(args.scenario, outcome=args.outcome, day=args.day,
                                  method="sobol", n=args.n, spread=args.spread, rng=1)
        dt = time.perf_counter() - t
        assert res.n_runs == runs, (res.n_runs, runs)
        return dt

    def ensemble() -> float:
        t = time.perf_counter()
        rng = np.random.default_rng(1)
        P = np.tile(base, (runs, 1))
        P[:, cols] = rng.uniform(lo, hi, size=(runs, len(cols)))
        ens = run_ensemble(model, P, backend="auto", saveat=SaveAt(times=[0.0, args.day]),
                           outputs=[args.outcome], chunk_size=2000)
        ens.values(args.outcome)
        return time.perf_counter() - t

    times: dict[str, list[float]] = {"sobol": [], "ensemble": []}
    for _ in range(args.repeats):
        for name, fn in (("ensemble", ensemble), ("sobol", sobol)):
            dt = fn()
            times[name].append(dt)
            print(f"{name}: {dt:.2f} s ({runs / dt:,.0f} runs/s)", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"median: sobol {med['sobol']:.2f} s, ensemble {med['ensemble']:.2f} s, "
          f"ratio {med['sobol'] / med['ensemble']:.2f}x")


if __name__ == "__main__":
    main()
