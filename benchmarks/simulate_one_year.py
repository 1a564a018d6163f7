"""Time a one-year run of the Lemaire 2004 model with exobone's reference (scipy) solver.

Prints wall times (median of repeats) for: compiling the model from scratch, a one-year steady-state
run, a one-year run with the day 20-80 PTH infusion (two scheduled events), and, when
libroadrunner is installed, the same PTH run of BIOMD0000000278 for scale. No assertions.

    .venv/bin/python benchmarks/simulate_one_year.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from exobone.model.reference import lemaire2004
from exobone.simulate import SaveAt, Tolerances, simulate
from exobone.simulate.compile import clear_cache, compile_model

GRID = SaveAt(times=np.linspace(0.0, 365.0, 366))


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Return (median, min) wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    steady, pth = lemaire2004("steady_state"), lemaire2004("pth_infusion")

    def cold_compile() -> None:
        clear_cache()
        compile_model(lemaire2004("steady_state"))  # fresh spec: parse, codegen, Jacobian

    med, best = timed(cold_compile, max(3, args.repeats // 4))
    print(f"compile Lemaire 2004 (sympy codegen + Jacobian, cold)   median {med:8.2f} ms  "
          f"min {best:8.2f} ms")
    compile_model(steady)

    for label, spec in (("steady state", steady), ("PTH infusion day 20-80", pth)):
        for solver in ("LSODA", "BDF", "Radau"):
            for tol_label, tol in (("rtol 1e-6", Tolerances()),
                                   ("rtol 1e-10", Tolerances(rtol=1e-10, atol=1e-12))):
                traj = simulate(spec, (0.0, 365.0), saveat=GRID, solver=solver, tolerances=tol)
                med, best = timed(lambda s=spec, sv=solver, t=tol: simulate(
                    s, (0.0, 365.0), saveat=GRID, solver=sv, tolerances=t), args.repeats)
                print(f"one year, {label:<23} {solver:<5} {tol_label:<10}  median {med:8.2f} ms  "
                      f"min {best:8.2f} ms  ({traj.stats['steps']} steps, "
                      f"{traj.stats['nfev']} RHS calls)")

    try:
        import roadrunner
    except ImportError:
        print("libroadrunner not installed: skipping the comparison run")
        return
    here = Path(__file__).resolve().parent.parent
    sbml = next((p / "shared/reference/biomodels/BIOMD0000000278_Lemaire2004_RANKL_OPG.xml"
                 for p in [here, *here.parents]
                 if (p / "shared/reference/biomodels").is_dir()), None)
    if sbml is None:
        print("BIOMD0000000278 not found beside the repository: skipping roadrunner")
        return
    rr = roadrunner.RoadRunner(str(sbml))

    def rr_run() -> None:
        rr.resetAll()
        rr.simulate(0, 20, 21)
        rr["I_P"] = 1e3
        rr.simulate(20, 80, 61)
        rr["I_P"] = 0.0
        rr.simulate(80, 365, 286)

    med, best = timed(rr_run, args.repeats)
    print(f"one year, PTH infusion, libroadrunner (CVODE, defaults)      median {med:8.2f} ms  "
          f"min {best:8.2f} ms  (for scale)")


if __name__ == "__main__":
    main()
