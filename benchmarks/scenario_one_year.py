"""Time one-year runs of named scenarios of the full exobone model (core + exosome layer).

For each scenario (default: ovx in rat, with and without denosumab) prints the wall time of
building the model, compiling it, and the median one-year simulation on a daily grid (the model
compiled once, as in ensembles and in repeated CLI runs of the same structure). No assertions.

    .venv/bin/python benchmarks/scenario_one_year.py [--repeats 10] [--no-exosomes]
        [--scenario ovx --intervention denosumab,start=28,every=28]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from exobone.model.assemble import build_model
from exobone.simulate import SaveAt, simulate
from exobone.simulate.compile import compile_model

GRID = SaveAt(times=np.linspace(0.0, 365.0, 366))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--scenario", default="ovx")
    parser.add_argument("--species", default=None)
    parser.add_argument("--intervention", action="append", default=None)
    parser.add_argument("--no-exosomes", action="store_true")
    args = parser.parse_args()
    cases = ([(args.scenario, tuple(args.intervention))] if args.intervention else
             [(args.scenario, ()), (args.scenario, ("denosumab,start=28,every=28",))])
    layer = not args.no_exosomes
    print(f"{'scenario':<34}{'states':>7}{'build ms':>10}{'compile ms':>12}"
          f"{'1-year run ms (median/min)':>30}{'steps':>7}")
    for scenario, ivs in cases:
        t0 = time.perf_counter()
        model = build_model(scenario, ivs, species=args.species, exosome_layer=layer)
        t1 = time.perf_counter()
        compile_model(model)
        t2 = time.perf_counter()
        runs = []
        traj = None
        for _ in range(args.repeats):
            start = time.perf_counter()
            traj = simulate(model, (0.0, 365.0), saveat=GRID)
            runs.append((time.perf_counter() - start) * 1e3)
        assert traj is not None
        label = scenario + (" + " + " + ".join(ivs) if ivs else "")
        print(f"{label:<34}{len(model.states):>7}{(t1 - t0) * 1e3:>10.0f}{(t2 - t1) * 1e3:>12.0f}"
              f"{statistics.median(runs):>20.1f} / {min(runs):<7.1f}{traj.stats['steps']:>7}")


if __name__ == "__main__":
    main()
