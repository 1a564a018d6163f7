"""The PEtab benchmark collection: load and evaluate every problem at its nominal parameters.

For every problem of the shared collection (``../shared/conformance/petab-benchmark``, extracted
to ``--dir``, never into the repository) one child process loads the problem
(:func:`exobone.analysis.calibrate.load_petab`), evaluates the log-likelihood at the nominal
parameters (:func:`exobone.analysis.calibrate.evaluate`) and prints one table row: status
(``ok``, ``refused: <one line>`` for a construct exobone does not evaluate, ``error: <one
line>`` for anything else, ``timeout``), our llh, AMICI's reference llh from the collection's
README, their relative difference, the wall time, and (where the collection ships the
original authors' simulated data and the problem has at most 3000 data) petab's own
``calculate_llh`` of those simulations: a second reference, independent of exobone and AMICI. A problem matches when the relative
difference is at most ``--rtol`` (1e-6). With ``--fit`` the problems named by ``--only`` (default
Boehm and Crauste; Fujita is not in the shared collection) are also fitted from ``--starts`` seeded starts and the best
objective is printed beside the reference nllh. With ``--converge`` each evaluated problem is
evaluated again at tolerances 100 times tighter (rtol 1e-10, atol 1e-14) and the relative
change of the llh is printed: the default tolerances' own error.

    .venv/bin/python benchmarks/petab_suite.py --dir /tmp/petab-bench
    .venv/bin/python benchmarks/petab_suite.py --fit --only Boehm_JProteomeRes2014 --starts 10
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the shared suites sit beside the checkout (../shared), or beside the worktrees' parent
SHARED = next((p / "shared" / "conformance" / "petab-benchmark" for p in ROOT.parents[:2]
               if (p / "shared" / "conformance" / "petab-benchmark").is_dir()),
              ROOT.parent / "shared" / "conformance" / "petab-benchmark")
FIT_DEFAULT = ("Boehm_JProteomeRes2014", "Crauste_CellSystems2017")


def references(readme: Path) -> dict[str, float]:
    """AMICI's llh at the nominal parameters, from the collection README's table."""
    out = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*([A-Za-z][\w]*)\s*\|\s*(-?[\d.eE+-]+)\s*\|", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def problem_yaml(folder: Path) -> Path:
    for name in (f"{folder.name}.yaml", "problem.yaml"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"no {folder.name}.yaml or problem.yaml in {folder}")


def simulated_data_llh(folder: Path, prob: object) -> float | None:
    """petab's own llh of the collection's simulated data (the original authors' model
    outputs at the nominal parameters), when the problem ships them and is not too large."""
    import warnings

    import petab.v1 as petab

    files = sorted(folder.glob("simulatedData_*.tsv")) + sorted(folder.glob("simulations.tsv"))
    if not files or len(prob.measurements) > 3000:  # type: ignore[attr-defined]
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return float(petab.calculate_llh(
                prob.measurements, petab.get_simulation_df(files[0]),  # type: ignore
                prob.observables.set_index("observableId"),  # type: ignore[attr-defined]
                prob.parameters.set_index("parameterId")))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - a table petab cannot match gives no second value
            return None


def one(folder: Path, fit: bool, starts: int, converge: bool = False) -> dict[str, object]:
    """Evaluate (and fit) one problem in this process; return the row as a dict."""
    from exobone.analysis.calibrate import (
        UnsupportedPEtabError,
        calibrate,
        evaluate,
        load_petab,
    )
    from exobone.errors import ExoboneError, UnsupportedSBMLError

    t0 = time.perf_counter()
    row: dict[str, object] = {"problem": folder.name}
    try:
        prob = load_petab(problem_yaml(folder))
        row.update(evaluate(prob))
        row["status"] = "ok"
        row["simdata_llh"] = simulated_data_llh(folder, prob)
        if converge:
            from exobone.simulate import Tolerances

            tight = evaluate(prob, tolerances=Tolerances(rtol=1e-10, atol=1e-14))["llh"]
            row["llh_tight"] = tight
            row["default_error"] = abs(row["llh"] - tight) / abs(tight)
        if fit:
            t1 = time.perf_counter()
            res = calibrate(prob, starts=starts, rng=0, ci=None)
            row["fit_objective"] = res.cost
            row["fit_nllh"] = -res.llh
            row["fit_starts"] = [c if math.isfinite(c) else None for c in res.start_costs]
            row["fit_seconds"] = time.perf_counter() - t1
    except (UnsupportedPEtabError, UnsupportedSBMLError) as exc:
        row["status"] = f"refused: {str(exc).splitlines()[0]}"
    except ExoboneError as exc:
        row["status"] = f"error: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    except Exception as exc:  # noqa: BLE001 - a raw exception is a bug to report, not to hide
        row["status"] = f"error: raw {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    row["seconds"] = time.perf_counter() - t0
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=Path("/tmp/petab-bench"),
                    help="where the collection is (extracted there if missing)")
    ap.add_argument("--suite", type=Path, default=SHARED,
                    help="the shared collection (README.md and benchmark-problems.tar.xz)")
    ap.add_argument("--only", nargs="*", help="problem names (default: all; with --fit: "
                                              f"{', '.join(FIT_DEFAULT)})")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per problem")
    ap.add_argument("--rtol", type=float, default=1e-6, help="match tolerance on the llh")
    ap.add_argument("--fit", action="store_true", help="also fit (see --starts)")
    ap.add_argument("--starts", type=int, default=10, help="starts per fit (seed 0)")
    ap.add_argument("--converge", action="store_true",
                    help="also evaluate at rtol 1e-10, atol 1e-14 (the defaults' error)")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.dir / args.one, args.fit, args.starts, args.converge)))
        return 0
    if not args.dir.is_dir():
        args.dir.mkdir(parents=True)
        with tarfile.open(args.suite / "benchmark-problems.tar.xz") as tar:
            tar.extractall(args.dir, filter="data")
    refs = references(args.suite / "README.md")
    names = args.only or (list(FIT_DEFAULT) if args.fit else
                          sorted(p.name for p in args.dir.iterdir() if p.is_dir()))
    rows = []
    print(f"{'problem':36} {'status':44} {'llh':>18} {'reference':>18} {'rel.diff':>9} "
          f"{'s':>6} {'simData llh':>14}" + (" default error" if args.converge else "")
          + ("  fit: best objective, ref nllh, s" if args.fit else ""))
    for name in names:
        cmd = [sys.executable, __file__, "--dir", str(args.dir), "--one", name,
               "--starts", str(args.starts)] + (["--fit"] if args.fit else []) + (
                   ["--converge"] if args.converge else [])
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout,
                                  check=False)
            lines = proc.stdout.strip().splitlines()
            row = json.loads(lines[-1]) if lines else {
                "problem": name, "status": "error: crashed: "
                + (proc.stderr.strip().splitlines() or ["?"])[-1][:200]}
        except subprocess.TimeoutExpired:
            row = {"problem": name, "status": f"timeout ({args.timeout:g} s)"}
        row.setdefault("seconds", time.perf_counter() - t0)
        ref = refs.get(name)
        row["reference"] = ref
        llh = row.get("llh")
        rel = (abs(llh - ref) / abs(ref)) if (isinstance(llh, float) and ref is not None) \
            else None
        row["rel_diff"] = rel
        rows.append(row)
        status = str(row["status"])
        print(f"{name:36} {status[:44]:44} "
              f"{(f'{llh:.10g}' if isinstance(llh, float) else '-'):>18} "
              f"{(f'{ref:.10g}' if ref is not None else '-'):>18} "
              f"{(f'{rel:.1e}' if rel is not None else '-'):>9} {row['seconds']:6.1f} "
              f"{(f'{sd:.8g}' if isinstance(sd := row.get('simdata_llh'), float) else '-'):>14}"
              + (f" {(f'{de:.1e}' if isinstance(de := row.get('default_error'), float) else '-'):>13}"
                 if args.converge else "")
              + (f"  {row.get('fit_objective', math.nan):.6g}, "
                 f"{-ref if ref is not None else math.nan:.6g}, "
                 f"{row.get('fit_seconds', math.nan):.0f}" if args.fit else ""), flush=True)
        if len(status) > 44:
            print(f"{'':36}   {status}")
    ok = [r for r in rows if r["status"] == "ok"]
    match = [r for r in ok if r["rel_diff"] is not None and r["rel_diff"] <= args.rtol]
    wrong = [r["problem"] for r in ok if r["rel_diff"] is not None and r["rel_diff"] > args.rtol]
    print(f"\n{len(rows)} problems: {len(ok)} evaluated ({len(match)} match the reference "
          f"within {args.rtol:g}, {len(wrong)} differ{': ' + ', '.join(wrong) if wrong else ''}"
          f", {sum(r['reference'] is None for r in ok)} without a reference), "
          f"{sum(str(r['status']).startswith('refused') for r in rows)} refused, "
          f"{sum(str(r['status']).startswith(('error', 'timeout')) for r in rows)} errors")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
