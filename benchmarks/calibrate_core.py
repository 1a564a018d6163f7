"""Fit every shipped PEtab problem of data/calibration/petab; print estimates with intervals.

    python benchmarks/calibrate_core.py [--starts 4] [--seed 0] [--problem rat_ovx ...]
        [--write-fitted] [--markdown docs/validation.md]
    python benchmarks/calibrate_core.py --joint --problem human_pmo_zoledronate \
        --problem human_pmo_alendronate [--starts 4] [--seed 0]

Each problem is fitted with ``exobone.analysis.calibrate.calibrate`` (multi-start least squares,
profile-likelihood 95 % intervals) on its ``measurements.tsv`` only (the held-out
``validation.tsv`` is for benchmarks/loso.py). ``--write-fitted`` writes the estimates back
(src/exobone/model/fitted_values.yaml), which the model builder applies to the problem's
species (all problems fitted, or those named by ``--problem``: a fit that must not be applied
is left out of the run that writes); ``--markdown`` replaces the estimates block of the file.
``--joint`` fits the named problems together (their objectives summed, shared parameters one
value: ``exobone.analysis.calibrate.calibrate_joint``) and prints the estimates; it writes
nothing back (a fitted value names one problem).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from _markdown import replace_block

from exobone.analysis.calibrate import (
    calibrate,
    calibrate_joint,
    fitted_values,
    load_petab,
    studies,
)
from exobone.model.fitted import FittedValue, load_fitted, write_fitted

PETAB = Path(__file__).resolve().parents[1] / "data" / "calibration" / "petab"


def problems(names: list[str] | None) -> list[Path]:
    found = sorted(p for p in PETAB.iterdir() if (p / f"{p.name}.yaml").is_file())
    if names:
        unknown = set(names) - {p.name for p in found}
        if unknown:
            raise SystemExit(f"no problem {sorted(unknown)} in {PETAB}")
        found = [p for p in found if p.name in names]
    return found


def _applied(entry: FittedValue | None, problem: str, estimate: float) -> str:
    """Whether the model builder applies this fit (the shipped entry is this problem's)."""
    if entry is None:
        return "no"
    if Path(entry.problem).name == Path(problem).name and math.isclose(entry.estimate, estimate,
                                                                      rel_tol=1e-6):
        return "yes"
    return f"no (ships {entry.estimate:.4g} from {Path(entry.problem).stem})"


def _kept(path: Path, ran: set[str]) -> list[str]:
    """The block's rows of problems this run did not fit (``--problem`` fits a subset)."""
    text = path.read_text(encoding="utf-8")
    block = text.partition("<!-- begin: calibrate_core -->")[2].partition(
        "<!-- end: calibrate_core -->")[0]
    return [ln for ln in block.splitlines() if ln.startswith("| ")
            and not ln.startswith("| problem") and ln.split("|")[1].strip() not in ran]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--problem", action="append")
    ap.add_argument("--write-fitted", action="store_true")
    ap.add_argument("--markdown", type=Path)
    ap.add_argument("--joint", action="store_true",
                    help="fit the --problem problems together (prints only)")
    args = ap.parse_args()
    if args.joint:
        joint(args)
        return
    lines = [("| problem | species | parameter | estimate | 95 % interval (profile) | scale | "
              "nllh | data | studies | applied by the builder |"),
             "|---|---|---|---|---|---|---|---|---|---|"]
    print(f"{'problem':<12}{'parameter':<16}{'estimate':>10}{'low':>10}{'high':>10}"
          f"{'nllh':>9}{'n':>4}{'s':>7}")
    for folder in problems(args.problem):
        t0 = time.perf_counter()
        prob = load_petab(folder)
        res = calibrate(prob, starts=args.starts, rng=args.seed, ci="profile", ensemble=False)
        took = time.perf_counter() - t0
        species = prob.model.metadata["species"]
        if args.write_fitted:
            print(f"  wrote {write_fitted(fitted_values(res))}")
        shipped = {(v.parameter, v.species): v for v in load_fitted()}
        for name in res.names:
            applied = _applied(shipped.get((name, species)), prob.source, res.estimates[name])
            lo, hi = res.intervals[name]
            print(f"{folder.name:<12}{name:<16}{res.estimates[name]:>10.4g}{lo:>10.4g}"
                  f"{hi:>10.4g}{-res.llh:>9.4g}{res.n_data:>4}{took:>7.0f}")
            lines.append(f"| {folder.name} | {species} | `{name}` | {res.estimates[name]:.4g} | "
                         f"[{lo:.4g}, {hi:.4g}] | {res.scales[res.names.index(name)]} | "
                         f"{-res.llh:.4g} | {res.n_data} | {', '.join(studies(prob))} | "
                         f"{applied} |")
    if args.markdown:
        ran = {f.name for f in problems(args.problem)}
        lines[2:] = sorted([*_kept(args.markdown, ran), *lines[2:]])
        replace_block(args.markdown, "calibrate_core", "\n".join(lines) + (
            f"\n\n`python benchmarks/calibrate_core.py --starts {args.starts} --seed "
            f"{args.seed}`; an interval end equal to a bound means the profile stays below the "
            f"threshold up to that bound (the data do not bound the parameter there)."))
        print(f"  wrote {args.markdown}")


def joint(args: argparse.Namespace) -> None:
    """Fit the named problems together and print the estimates with their intervals."""
    if args.write_fitted or args.markdown:
        raise SystemExit("--joint prints only: --write-fitted and --markdown name one problem "
                         "per fitted value")
    folders = problems(args.problem)
    if len(folders) < 2 or not args.problem:
        raise SystemExit("--joint needs two or more --problem names")
    t0 = time.perf_counter()
    res = calibrate_joint(folders, starts=args.starts, rng=args.seed, ci="profile",
                          ensemble=False)
    names = " + ".join(f.name for f in folders)
    print(f"joint fit of {names}: nllh {-res.llh:.4g} on {res.n_data} data, "
          f"{time.perf_counter() - t0:.0f} s, seed {args.seed}, {args.starts} starts")
    for name in res.names:
        lo, hi = res.intervals[name]
        print(f"  {name:<32}{res.estimates[name]:>10.4g}  [{lo:.4g}, {hi:.4g}]")


if __name__ == "__main__":
    main()
