"""Seconds per residuals-and-Jacobian evaluation by forward sensitivities on a PEtab problem.

Evaluates ``Residuals(gradient="sensitivities")`` (the residuals and their Jacobian from one
coupled solve) at ``--points`` parameter vectors drawn uniformly within +-0.3 of the nominal
ones on the parameter scale (seed 1: where a fit spends its evaluations), after one untimed
evaluation (compiles), and prints the wall and CPU seconds per evaluation. With the ``src`` of
an older commit on ``PYTHONPATH`` it times that commit's sensitivities the same way.

    PYTHONPATH=src python benchmarks/petab_sensitivity_speed.py Boehm_JProteomeRes2014
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("problem", help="a problem of the collection, e.g. Boehm_JProteomeRes2014")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/petab-bench"),
                    help="the extracted collection (see benchmarks/petab_suite.py)")
    ap.add_argument("--points", type=int, default=10, help="parameter vectors timed")
    args = ap.parse_args()

    from exobone.analysis.calibrate import load_petab
    from exobone.analysis.calibrate.fit import Residuals
    from exobone.analysis.calibrate.objective import Objective, ObjectiveUndefinedError

    folder = args.dir / args.problem
    obj = Objective(load_petab(folder / f"{args.problem}.yaml"), None)
    res = Residuals(obj, gradient="sensitivities")
    gen = np.random.default_rng(1)
    points = [np.clip(obj.theta_nominal + gen.uniform(-0.3, 0.3, obj.theta_nominal.size),
                      obj.lower, obj.upper) for _ in range(args.points)]
    res.jacobian(obj.theta_nominal)  # compiles (numba) outside the timing
    undefined = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for theta in points:
        try:
            res.fast(theta)
            res.jacobian(theta)
        except ObjectiveUndefinedError:
            undefined += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{args.problem}: {len(obj.names)} parameters, {args.points} points "
          f"({undefined} undefined): {wall / args.points:.3f} s wall, "
          f"{cpu / args.points:.3f} s CPU per residuals + Jacobian")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
