"""Leave-one-study-out validation of every shipped PEtab problem: fit without a study, predict it.

    python benchmarks/loso.py [--starts 3] [--seed 0] [--draws 40] [--problem rat_ovx ...]
        [--ensemble] [--markdown docs/validation.md] [--figure docs/figures/loso.png]

For each problem of data/calibration/petab, its fitted and held-out measurements together
(``measurements.tsv`` + ``validation.tsv``), and each study (``datasetId``) in it: the problem is
fitted without the study's rows (profile intervals), the study's rows are predicted at the
estimate and over ``--draws`` draws of the fit's parameter uncertainty
(exobone.analysis.calibrate.uncertainty: 5-95 % band), and the error is printed per row and per
study (z = (predicted - published) / sigma). A study that holds every row of its problem is
skipped with a note (nothing would be left to fit). With ``--ensemble`` the fits and the band's
draws run on the compiled ensemble wherever it runs a problem exactly (the drug problems' dose
boluses included; exobone.analysis.calibrate.boluses); each problem prints which solver it got.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from _markdown import replace_block
from calibrate_core import problems

from exobone.analysis.calibrate import (
    StudyPrediction,
    leave_one_study_out,
    load_petab,
    with_validation,
)
from exobone.analysis.calibrate.boluses import solver_note
from exobone.analysis.calibrate.objective import Objective
from exobone.analysis.calibrate.uncertainty import METHOD


def figure(results: list[tuple[str, StudyPrediction]], path: Path) -> None:
    from matplotlib.figure import Figure

    observables = sorted({o for _, r in results for o in r.observable})
    fig = Figure(figsize=(4.2 * len(observables), 4.0), layout="constrained")
    axes = fig.subplots(1, len(observables), squeeze=False)[0]
    markers = "osD^vP*X"
    for ax, oid in zip(axes, observables, strict=True):
        lo_all, hi_all = [], []
        for k, (prob, r) in enumerate(results):
            idx = [i for i, o in enumerate(r.observable) if o == oid]
            if not idx:
                continue
            pub = np.array([r.published[i] for i in idx])
            pred = np.array([r.predicted[i] for i in idx])
            sig = np.array([r.sigma[i] for i in idx])
            band = np.array([[pred[j] - r.low[i], r.high[i] - pred[j]]
                             for j, i in enumerate(idx)]).T
            ax.errorbar(pub, pred, xerr=sig, yerr=np.clip(band, 0, None),
                        fmt=markers[k % len(markers)], capsize=3, label=f"{prob}: {r.study}")
            lo_all += [*(pub - sig), *[r.low[i] for i in idx]]
            hi_all += [*(pub + sig), *[r.high[i] for i in idx]]
        lim = (min(lo_all), max(hi_all))
        ax.plot(lim, lim, color="grey", lw=0.8, ls="--")
        ax.set_xlabel(f"published {oid} (± sigma)")
        ax.set_ylabel(f"predicted {oid} (5-95 % band)")
        ax.set_title(oid)
        ax.legend(fontsize=6, loc="upper left")
    fig.suptitle("leave-one-study-out: each study predicted by the fit without it", fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--draws", type=int, default=40)
    ap.add_argument("--problem", action="append")
    ap.add_argument("--ensemble", action="store_true",
                    help="compiled ensemble wherever it runs the problem exactly")
    ap.add_argument("--markdown", type=Path)
    ap.add_argument("--figure", type=Path)
    args = ap.parse_args()
    results: list[tuple[str, StudyPrediction]] = []
    rows = [("| problem | held-out study | observable | day | published ± sigma | predicted | "
             "5-95 % band | z | fitted without it |"), "|---|---|---|---|---|---|---|---|---|"]
    summary = ["| problem | held-out study | rows | rms z | rows inside the band |",
               "|---|---|---|---|---|"]
    print(f"{'problem':<11}{'held-out study':<44}{'obs':<19}{'day':>6}{'published':>10}"
          f"{'sigma':>7}{'predicted':>10}{'band low':>9}{'high':>8}{'z':>7}")
    for folder in problems(args.problem):
        prob = with_validation(load_petab(folder))
        names = list(dict.fromkeys(map(str, prob.measurements["datasetId"])))
        if len(names) < 2:
            print(f"{folder.name}: one study only; nothing to hold out")
            continue
        if args.ensemble:  # the one line saying where a problem stays on the reference solver
            print(f"{folder.name}: {solver_note(Objective(prob))}", flush=True)
        for r in leave_one_study_out(prob, starts=args.starts, seed=args.seed,
                                     n_draws=args.draws,
                                     ensemble=None if args.ensemble else False):
            results.append((folder.name, r))
            fit = ", ".join(f"{n} {r.fit.estimates[n]:.3g}" for n in r.fit.names)
            for i in range(len(r.time)):
                print(f"{folder.name:<11}{r.study:<44}{r.observable[i]:<19}{r.time[i]:>6.0f}"
                      f"{r.published[i]:>10.4g}{r.sigma[i]:>7.3g}{r.predicted[i]:>10.4g}"
                      f"{r.low[i]:>9.4g}{r.high[i]:>8.4g}{r.z[i]:>7.2f}")
                rows.append(f"| {folder.name} | {r.study} | {r.observable[i]} | "
                            f"{r.time[i]:.0f} | {r.published[i]:.4g} ± {r.sigma[i]:.3g} | "
                            f"{r.predicted[i]:.4g} | [{r.low[i]:.4g}, {r.high[i]:.4g}] | "
                            f"{r.z[i]:+.2f} | {fit} |")
            summary.append(f"| {folder.name} | {r.study} | {len(r.time)} | {r.rms_z:.2f} | "
                           f"{r.covered}/{len(r.time)} ({r.n_draws_ok}/{args.draws} draws "
                           f"ran) |")
    print("\n".join(summary))
    if args.figure and results:
        figure(results, args.figure)
        print(f"wrote {args.figure}")
    if args.markdown:
        ran = {prob for prob, _ in results}
        summary, rows = _keep_others(args.markdown, ran, summary, rows)
        command = " ".join(["python benchmarks/loso.py", *(f"--problem {p}" for p in
                                                            args.problem or ()),
                            *(["--ensemble"] if args.ensemble else [])])
        notes = _kept_notes(args.markdown, ran) + [
            (f"`{command} --starts {args.starts} --seed {args.seed} --draws {args.draws}`"
             f"{' (' + ', '.join(sorted(ran)) + ')' if args.problem else ''}.")]
        replace_block(args.markdown, "loso", "\n".join(summary) + "\n\n" + "\n".join(rows) + (
            "\n\n" + "\n".join(notes) + f" Band: {METHOD}."))
        print(f"wrote {args.markdown}")


def _block(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    begin, end = "<!-- begin: loso -->", "<!-- end: loso -->"
    if begin not in text:
        return []
    return text.partition(begin)[2].partition(end)[0].splitlines()


def _keep_others(path: Path, ran: set[str], summary: list[str], rows: list[str]
                 ) -> tuple[list[str], list[str]]:
    """Keep the block's rows of problems this run did not fit (``--problem`` runs a subset)."""
    old = [ln for ln in _block(path) if ln.startswith("| ") and not ln.startswith("| problem")]
    kept = [ln for ln in old if ln.split("|")[1].strip() not in ran]
    narrow = [ln for ln in kept if ln.count("|") == summary[0].count("|")]
    wide = [ln for ln in kept if ln.count("|") == rows[0].count("|")]
    by_problem = sorted  # rows of one problem stay together, problems in name order
    return ([*summary[:2], *by_problem(narrow + summary[2:])],
            [*rows[:2], *by_problem(wide + rows[2:])])


def _kept_notes(path: Path, ran: set[str]) -> list[str]:
    """The command lines (one per earlier run) whose rows are still in the block."""
    kept = []
    for ln in _block(path):
        if not ln.startswith("`python benchmarks/loso.py"):
            continue
        for note in ln.split(". Band:")[0].split(". `"):
            note = note if note.startswith("`") else "`" + note
            which = note.rpartition("(")[2].rstrip(").") if note.endswith(")") else None
            if which is None or not set(which.split(", ")) <= ran:
                kept.append(note.rstrip(".") + ".")
    return kept


if __name__ == "__main__":
    main()
