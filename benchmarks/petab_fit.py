"""Fits of the PEtab benchmark collection: best nllh from a fixed number of seeded starts.

For each problem (one child process each, ``--timeout`` seconds) the problem is loaded, its
nllh at the nominal (published) parameters evaluated, and then fitted by
:func:`exobone.analysis.calibrate.calibrate` from ``--starts`` starts drawn with seed 0, without
intervals. One row per problem: estimated parameters, data points, the best objective reached
(nllh, minus the log-prior where the problem has priors), the reference nllh (AMICI's from the
collection's README where it gives one, else exobone's at the nominal parameters, which match
AMICI's wherever both exist), the difference (negative: better than the published
parameters), how many starts ended within 1 of the best, how many starts failed, and the wall
time of the fit (the machine's 2 cores are shared, so times are an upper bound).

    .venv/bin/python benchmarks/petab_fit.py --starts 10
    .venv/bin/python benchmarks/petab_fit.py --only Boehm_JProteomeRes2014 --starts 20
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from petab_suite import SHARED, problem_yaml, references

#: small problems of the collection (up to 22 estimated parameters; Fujita has 19)
DEFAULT = ("Boehm_JProteomeRes2014", "Crauste_CellSystems2017", "Bruno_JExpBot2016",
           "Fiedler_BMCSystBiol2016", "Laske_PLOSComputBiol2019", "Liu_IFACPapersOnLine2025",
           "Perelson_Science1996", "Rahman_MBS2016", "Bertozzi_PNAS2020")


def one(folder: Path, starts: int, gradient: str) -> dict[str, object]:
    """Load, evaluate and fit one problem in this process; return the row."""
    from exobone.analysis.calibrate import calibrate, evaluate, load_petab

    row: dict[str, object] = {"problem": folder.name}
    try:
        prob = load_petab(problem_yaml(folder))
        row["n_par"] = len(prob.estimated)
        row["n_data"] = len(prob.measurements)
        row["nominal_nllh"] = evaluate(prob)["objective"]
        t0 = time.perf_counter()
        res = calibrate(prob, starts=starts, rng=0, ci=None, gradient=gradient)
        row["seconds"] = time.perf_counter() - t0
        row["best"] = res.cost
        row["starts"] = [c if math.isfinite(c) else None for c in res.start_costs]
        row["status"] = "ok"
    except Exception as exc:  # noqa: BLE001 - every failure is a row, named
        row["status"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=Path("/tmp/petab-bench"),
                    help="the extracted collection (see benchmarks/petab_suite.py)")
    ap.add_argument("--suite", type=Path, default=SHARED,
                    help="the shared collection (its README.md gives AMICI's references)")
    ap.add_argument("--only", nargs="*", help=f"problems (default: {', '.join(DEFAULT)})")
    ap.add_argument("--starts", type=int, default=10, help="starts per problem (seed 0)")
    ap.add_argument("--gradient", default="auto", help="calibrate(gradient=...)")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per problem")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.dir / args.one, args.starts, args.gradient)))
        return 0
    refs = references(args.suite / "README.md")
    rows = []
    print("| problem | estimated | data | starts | best nllh | reference nllh | best - ref "
          "| starts within 1 of best | failed starts | fit s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.only or DEFAULT:
        cmd = [sys.executable, __file__, "--dir", str(args.dir), "--one", name,
               "--starts", str(args.starts), "--gradient", args.gradient]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout,
                                  check=False)
            lines = proc.stdout.strip().splitlines()
            row = json.loads(lines[-1]) if lines else {
                "problem": name, "status": "crashed: "
                + (proc.stderr.strip().splitlines() or ["?"])[-1][:160]}
        except subprocess.TimeoutExpired:
            row = {"problem": name, "status": f"timeout ({args.timeout:g} s)"}
        rows.append(row)
        if row.get("status") != "ok":
            print(f"| {name} | {row.get('n_par', '-')} | {row.get('n_data', '-')} | "
                  f"{args.starts} | {row['status']} | | | | | |", flush=True)
            continue
        ref = -refs[name] if name in refs else row["nominal_nllh"]
        tag = "" if name in refs else " (exobone at nominal)"
        ends = [c for c in row["starts"] if c is not None]  # type: ignore[union-attr]
        best = float(row["best"])  # type: ignore[arg-type]
        near = sum(c - best <= 1.0 for c in ends)
        failed = len(row["starts"]) - len(ends)  # type: ignore[arg-type]
        print(f"| {name} | {row['n_par']} | {row['n_data']} | {args.starts} | {best:.4f} | "
              f"{ref:.4f}{tag} | {best - ref:+.4f} | {near} | {failed} | "
              f"{float(row['seconds']):.0f} |", flush=True)  # type: ignore[arg-type]
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
