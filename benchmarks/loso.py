"""Leave-one-study-out validation of the shipped PEtab problems: fit without a study, predict it.

    python benchmarks/loso.py --all [--quick] [--jobs 2] [--seed 0]
        [--markdown docs/validation.md] [--figure-dir docs/figures]
    python benchmarks/loso.py --problem rat_ovx [--problem mouse_ovx ...] [...]   # a subset
    python benchmarks/loso.py --redraw --markdown docs/validation.md --figure-dir docs/figures

For each problem of data/calibration/petab (``--petab-dir``) with two or more studies, its fitted
and held-out measurements together (``measurements.tsv`` + ``validation.tsv``), and each study
(``datasetId``) in it: the problem is fitted without the study's rows (profile intervals), the
study's rows are predicted at the estimate and over ``draws`` draws of the fit's parameter
uncertainty (exobone.analysis.calibrate.uncertainty: 5-95 % band), and the error is reported per
row and per study (z = (predicted - published) / sigma).

Profiles: the default runs ``--starts 3 --draws 40``; ``--quick`` ``--starts 1 --draws 10``
(either number can be given on its own). The fits and the band's draws run on the compiled
ensemble wherever it runs a problem exactly (the drug problems' dose boluses and switches
included; exobone.analysis.calibrate.boluses), else on the reference solver; ``--reference``
forces the reference solver everywhere. ``--jobs N`` runs problems in N processes (each
problem's studies in one process, so each model is compiled once); largest problems first.

``--markdown`` rewrites the block between ``<!-- begin: loso -->`` and ``<!-- end: loso -->``
(run, summary and row tables, figure links; every row names the core it was computed on: git
revision, ``+dirty`` when src/ or data/ differ from it, and the problem's model hash); a subset
run keeps the rows of the other problems with their own core and command. ``--figure-dir``
writes ``loso_<problem>.png`` (predicted vs published with sigma and band) for each problem
run and the overview ``loso.png`` (every held-out row's z with its band in sigma units);
``--redraw`` draws them again from the block's rows without fitting. A
study that fails is reported in its row and the command exits with status 1 after writing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Self

from _markdown import replace_block

ROOT = Path(__file__).resolve().parents[1]
PETAB = ROOT / "data" / "calibration" / "petab"
#: (starts, draws) of each profile
PROFILES = {"full": (3, 40), "quick": (1, 10)}
TAG = "loso"
#: relative cost of each shipped problem's leave-one-study-out (measured; sets the order in
#: which --jobs hands problems out, largest first; an unknown problem goes first)
COST = {"human_pmo_denosumab": 6, "human_pmo_teriparatide": 4, "human_pmo_alendronate": 3,
        "human_pmo_zoledronate": 2, "mouse_ovx": 1, "rat_ovx": 1}


# ------------------------------------------------------------------------ what is run
def problems(root: Path, names: list[str] | None) -> list[Path]:
    """The problem folders under ``root`` (a folder holding ``<folder name>.yaml``)."""
    if not root.is_dir():
        raise SystemExit(f"loso: no folder {root}")
    found = sorted(p for p in root.iterdir() if (p / f"{p.name}.yaml").is_file())
    if names:
        unknown = sorted(set(names) - {p.name for p in found})
        if unknown:
            raise SystemExit(f"loso: no problem {', '.join(unknown)} in {root} (problems: "
                             f"{', '.join(p.name for p in found)})")
        found = [p for p in found if p.name in names]
    return found


def core_revision() -> str:
    """The git revision of the checkout, ``+dirty`` when src/ or data/ differ from it."""
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src",
                                "data"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "no git"
    return rev + ("+dirty" if dirty.strip() else "")


@dataclass
class Held:
    """One held-out study of one problem, as run (plain data: it crosses processes)."""

    problem: str
    study: str
    core: str
    seconds: float
    n_draws: int
    rows: list[dict] = field(default_factory=list)  # observable, day, published, sigma, ...
    fit: str = ""
    n_ok: int = 0
    error: str = ""

    @property
    def z(self) -> list[float]:
        return [r["z"] for r in self.rows]

    @property
    def rms_z(self) -> float:
        return math.sqrt(sum(z * z for z in self.z) / len(self.z)) if self.rows else math.nan

    @property
    def covered(self) -> int:
        return sum(r["low"] <= r["published"] <= r["high"] for r in self.rows)


@dataclass
class ProblemRun:
    """Every held-out study of one problem, run in one process."""

    problem: str
    core: str
    solver: str
    seconds: float
    cpu: float  # CPU seconds of the process and its compile subprocesses
    held: list[Held]
    note: str = ""  # why nothing was held out


def _cpu() -> float:
    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                      resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_problem(folder: Path, starts: int, draws: int, seed: int, reference: bool,
                revision: str, threads: int | None = None) -> ProblemRun:
    """Fit ``folder``'s problem without each of its studies and predict the study
    (``threads``: the compiled ensemble's threads in this process; None keeps numba's)."""
    from exobone.analysis.calibrate import (
        hold_out,
        load_petab,
        predict_held_out,
        studies,
        with_validation,
    )
    from exobone.analysis.calibrate.boluses import solver_note
    from exobone.analysis.calibrate.objective import Objective

    if threads:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    t0, c0 = time.perf_counter(), _cpu()
    prob = with_validation(load_petab(folder))
    core = f"{revision} / {prob.model.hash()[:10]}"
    solver = "reference solver (--reference)" if reference else solver_note(Objective(prob))
    names = studies(prob)
    if len(names) < 2:
        return ProblemRun(folder.name, core, solver, time.perf_counter() - t0, _cpu() - c0,
                          [], "one study only: nothing to hold out")
    held = []
    for study in names:
        t1 = time.perf_counter()
        try:
            r = predict_held_out(prob, study, starts=starts, seed=seed, n_draws=draws,
                                 ensemble=False if reference else None)
        except Exception as exc:  # noqa: BLE001 -- unattended: report the study, go on
            msg = str(exc).splitlines()[0] if str(exc) else ""
            held.append(Held(folder.name, study, core, time.perf_counter() - t1, draws,
                             error=f"{type(exc).__name__}: {msg}"))
        else:
            conditions = hold_out(prob, study)[1].measurements["simulationConditionId"]
            rows = [{"observable": r.observable[i], "condition": str(conditions[i]),
                     "day": r.time[i],
                     "published": r.published[i], "sigma": r.sigma[i],
                     "predicted": r.predicted[i], "low": r.low[i], "high": r.high[i],
                     "z": r.z[i]} for i in range(len(r.time))]
            fit = ", ".join(f"{n} {r.fit.estimates[n]:.3g} [{r.fit.intervals[n][0]:.3g}, "
                            f"{r.fit.intervals[n][1]:.3g}]" for n in r.fit.names)
            held.append(Held(folder.name, study, core, time.perf_counter() - t1, draws, rows,
                             fit, r.n_draws_ok))
        h = held[-1]
        what = h.error or f"rms z {h.rms_z:.2f}, {h.covered}/{len(h.rows)} in the band"
        print(f"  {folder.name} / {study}: {what} ({h.seconds:.0f} s)", flush=True)
    return ProblemRun(folder.name, core, solver, time.perf_counter() - t0, _cpu() - c0, held)


# ------------------------------------------------------------------------ machine load
class LoadMonitor:
    """The 1-minute load average sampled every ``every`` seconds while a run lasts."""

    def __init__(self, every: float = 10.0) -> None:
        self.samples = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)

    def _sample(self, every: float) -> None:
        while not self._stop.wait(every):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self.samples.append(os.getloadavg()[0])

    def describe(self) -> str:
        s = self.samples
        return f"{min(s):.1f}-{max(s):.1f} (mean {sum(s) / len(s):.1f})"


def minutes(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s} s" if m else f"{s} s"


# ------------------------------------------------------------------------ markdown
RUN_HEAD = ("| problem | core (git rev / model hash) | solver | profile | seed | wall (CPU) | "
            "command |")
SUMMARY_HEAD = ("| problem | held-out study | rows | rms z | rows inside the band | draws ran "
                "| core |")
ROWS_HEAD = ("| problem | held-out study | observable | condition | day | published ± sigma | "
             "predicted | 5-95 % band | z | fitted without it (95 % profile interval) | core |")
HEADS = (RUN_HEAD, SUMMARY_HEAD, ROWS_HEAD)


def _rule(head: str) -> str:
    return "|" + "---|" * (head.count("|") - 1)


def run_lines(run: ProblemRun, profile: str, seed: int, command: str) -> list[str]:
    return [(f"| {run.problem} | {run.core} | {run.solver} | {profile} | {seed} | "
             f"{minutes(run.seconds)} ({minutes(run.cpu)}) | `{command}` |")]


def summary_lines(run: ProblemRun) -> list[str]:
    if run.note:
        return [f"| {run.problem} | ({run.note}) | | | | | {run.core} |"]
    out = []
    for h in run.held:
        if h.error:
            out.append(f"| {h.problem} | {h.study} | | failed: {h.error} | | | {h.core} |")
            continue
        out.append(f"| {h.problem} | {h.study} | {len(h.rows)} | {h.rms_z:.2f} | "
                   f"{h.covered}/{len(h.rows)} | {h.n_ok}/{h.n_draws} | {h.core} |")
    return out


def row_lines(run: ProblemRun) -> list[str]:
    out = []
    for h in run.held:
        for r in h.rows:
            out.append(f"| {h.problem} | {h.study} | {r['observable']} | {r['condition']} | "
                       f"{r['day']:.0f} | "
                       f"{r['published']:.4g} ± {r['sigma']:.3g} | {r['predicted']:.4g} | "
                       f"[{r['low']:.4g}, {r['high']:.4g}] | {r['z']:+.2f} | {h.fit} | "
                       f"{h.core} |")
    return out


def old_tables(path: Path) -> dict[str, list[str]]:
    """The rows of each table of the file's current block, by table header."""
    text = path.read_text(encoding="utf-8")
    begin, end = f"<!-- begin: {TAG} -->", f"<!-- end: {TAG} -->"
    if begin not in text:
        return {}
    tables: dict[str, list[str]] = {}
    head = None
    for ln in text.partition(begin)[2].partition(end)[0].splitlines():
        if ln in HEADS:
            head = ln
            tables[head] = []
        elif head and ln.startswith("| ") and not ln.startswith("|---"):
            tables[head].append(ln)
        elif not ln.startswith("|"):
            head = None
    return tables


def parse_row(line: str) -> dict:
    """A row of the row table back as numbers (for the overview figure of a subset run)."""
    cells = [c.strip() for c in line.strip("|").split("|")]
    pub, sig = (float(v) for v in cells[5].split("±"))
    low, high = (float(v) for v in cells[7].strip("[]").split(","))
    return {"problem": cells[0], "study": cells[1], "observable": cells[2],
            "condition": cells[3], "day": float(cells[4]), "published": pub, "sigma": sig,
            "predicted": float(cells[6]), "low": low, "high": high, "z": float(cells[8])}


def block(runs: list[dict[str, list[str]]], header: str, figures: list[str]) -> str:
    """The generated block: run, summary and row tables, then the figures."""
    parts = [header, ""]
    for head in HEADS:
        lines = sorted(ln for r in runs for ln in r.get(head, []))  # problems in name order
        parts += [head, _rule(head), *lines, ""]
    return "\n".join(parts) + "\n" + "\n\n".join(figures)


# ------------------------------------------------------------------------ figures
def problem_figure(problem: str, rows: list[dict], path: Path) -> None:
    """Predicted (5-95 % band) vs published (± sigma), one panel per observable."""
    from matplotlib.figure import Figure

    observables = sorted({r["observable"] for r in rows})
    ncol = min(3, len(observables))
    nrow = math.ceil(len(observables) / ncol)
    fig = Figure(figsize=(4.3 * ncol, 3.9 * nrow), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
    studies = list(dict.fromkeys(r["study"] for r in rows))
    markers = "osD^vP*Xh<>"
    for ax, oid in zip(axes, observables, strict=False):
        lo, hi = [], []
        for k, study in enumerate(studies):
            mine = [r for r in rows if r["observable"] == oid and r["study"] == study]
            if not mine:
                continue
            pub = [r["published"] for r in mine]
            pred = [r["predicted"] for r in mine]
            yerr = [[max(r["predicted"] - r["low"], 0.0) for r in mine],
                    [max(r["high"] - r["predicted"], 0.0) for r in mine]]
            ax.errorbar(pub, pred, xerr=[r["sigma"] for r in mine], yerr=yerr,
                        fmt=markers[k % len(markers)], color=f"C{k % 10}", capsize=3,
                        label=study)
            lo += [r["published"] - r["sigma"] for r in mine] + [r["low"] for r in mine]
            hi += [r["published"] + r["sigma"] for r in mine] + [r["high"] for r in mine]
        pad = 0.05 * (max(hi) - min(lo) or 1.0)
        lim = (min(lo) - pad, max(hi) + pad)
        ax.plot(lim, lim, color="grey", lw=0.8, ls="--")
        ax.set_xlim(lim)
        ax.set_ylim(lim)
        ax.set_xlabel("published (± sigma)")
        ax.set_ylabel("predicted without the study (5-95 % band)")
        ax.set_title(oid, fontsize=9)
        ax.legend(fontsize=6, loc="upper left")
    for ax in axes[len(observables):]:
        ax.set_visible(False)
    fig.suptitle(f"{problem}: each study predicted by the fit without it", fontsize=10)
    fig.savefig(path, dpi=110)


def overview_figure(rows: list[dict], path: Path) -> None:
    """Every held-out row's z, its band in sigma units, problems in order, one line each."""
    from matplotlib.figure import Figure

    rows = sorted(rows, key=lambda r: (r["problem"], r["study"], r["observable"],
                                       r["condition"], r["day"]))
    n = len(rows)
    fig = Figure(figsize=(10.0, 1.6 + 0.2 * n), layout="constrained")
    ax = fig.subplots()
    problems_in = list(dict.fromkeys(r["problem"] for r in rows))
    for i, r in enumerate(rows):
        k = problems_in.index(r["problem"])
        y = n - 1 - i
        lo, hi = ((v - r["published"]) / r["sigma"] for v in (r["low"], r["high"]))
        ax.plot([lo, hi], [y, y], color=f"C{k % 10}", lw=3, alpha=0.4)
        ax.plot(r["z"], y, "o", color=f"C{k % 10}", ms=4,
                label=r["problem"] if r is next(q for q in rows
                                                 if q["problem"] == r["problem"]) else None)
    for x, ls in ((0, "-"), (-1, ":"), (1, ":"), (-2, "--"), (2, "--")):
        ax.axvline(x, color="grey", lw=0.7, ls=ls)
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"{r['study']} · {r['observable']} · {r['condition']} · "
                        f"d{r['day']:.0f}" for r in reversed(rows)], fontsize=6)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("z = (predicted - published) / sigma\n(bar: 5-95 % band of the prediction, "
                  "same units)")
    fig.legend(fontsize=7, loc="outside lower center", ncol=min(3, len(problems_in)))
    fig.suptitle("leave-one-study-out: every held-out row", fontsize=10)
    fig.savefig(path, dpi=110)


# ------------------------------------------------------------------------ main
def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every problem of --petab-dir")
    which.add_argument("--problem", action="append", help="one problem (repeatable)")
    which.add_argument("--redraw", action="store_true",
                       help="no fits: redraw the figures from the --markdown block's rows")
    ap.add_argument("--quick", action="store_true",
                    help=f"starts {PROFILES['quick'][0]}, draws {PROFILES['quick'][1]} "
                         f"(default: {PROFILES['full'][0]}, {PROFILES['full'][1]})")
    ap.add_argument("--starts", type=int, help="fit starts (overrides the profile)")
    ap.add_argument("--draws", type=int, help="band draws (overrides the profile)")
    ap.add_argument("--seed", type=int, default=0, help="seeds every fit's starts and draws")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="processes (problems in parallel)")
    ap.add_argument("--reference", action="store_true",
                    help="the reference solver everywhere (no compiled ensemble)")
    ap.add_argument("--petab-dir", type=Path, default=PETAB)
    ap.add_argument("--markdown", type=Path, help="rewrite the loso block of this file")
    ap.add_argument("--figure-dir", type=Path, help="write loso_<problem>.png and loso.png")
    args = ap.parse_args(argv)
    for name in ("starts", "draws", "jobs"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            ap.error(f"--{name} must be at least 1")
    if args.markdown and not args.markdown.is_file():
        ap.error(f"--markdown: no file {args.markdown}")
    if args.redraw and not (args.markdown and args.figure_dir):
        ap.error("--redraw needs --markdown (the rows) and --figure-dir")
    return args


def command_line(args: argparse.Namespace) -> str:
    which = ["--all"] if args.all else [f"--problem {p}" for p in args.problem]
    extra = [*(["--quick"] if args.quick else []), *(["--reference"] if args.reference else [])]
    given = [f"--{k} {getattr(args, k)}" for k in ("starts", "draws")
             if getattr(args, k) is not None]
    return " ".join(["python benchmarks/loso.py", *which, *extra, *given, f"--seed {args.seed}",
                     f"--jobs {args.jobs}"])


def redraw(markdown: Path, figure_dir: Path) -> int:
    """Draw every figure again from the rows of the block (4 significant digits), no fits."""
    rows = [parse_row(ln) for ln in old_tables(markdown).get(ROWS_HEAD, [])]
    if not rows:
        raise SystemExit(f"loso: no rows in the {TAG} block of {markdown}")
    figure_dir.mkdir(parents=True, exist_ok=True)
    for problem in sorted({x["problem"] for x in rows}):
        problem_figure(problem, [x for x in rows if x["problem"] == problem],
                       figure_dir / f"loso_{problem}.png")
    overview_figure(rows, figure_dir / "loso.png")
    print(f"redrew the figures of {len(rows)} rows in {figure_dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.redraw:
        return redraw(args.markdown, args.figure_dir)
    starts, draws = PROFILES["quick" if args.quick else "full"]
    starts, draws = args.starts or starts, args.draws or draws
    profile = f"{'quick' if args.quick else 'full'}: starts {starts}, draws {draws}"
    folders = sorted(problems(args.petab_dir, None if args.all else args.problem),
                     key=lambda f: COST.get(f.name, 99), reverse=True)  # largest first
    revision = core_revision()
    command = command_line(args)
    cpus = os.cpu_count() or 1
    threads = max(1, cpus // args.jobs) if args.jobs > 1 else None
    print(f"leave-one-study-out of {len(folders)} problem(s), {profile}, seed {args.seed}, "
          f"{args.jobs} process(es), core {revision}", flush=True)
    t0 = time.perf_counter()
    runs: list[ProblemRun] = []
    with LoadMonitor() as load:
        todo = [(f, starts, draws, args.seed, args.reference, revision, threads)
                for f in folders]
        if args.jobs == 1:
            for task in todo:
                print(f"{task[0].name}: started", flush=True)
                runs.append(run_problem(*task))
                _done(runs[-1], t0)
        else:
            with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool:
                futures = {pool.submit(run_problem, *task): task[0].name for task in todo}
                print(f"queued (largest first): {', '.join(futures.values())}", flush=True)
                for fut in as_completed(futures):
                    runs.append(fut.result())
                    _done(runs[-1], t0)
    wall = time.perf_counter() - t0
    failed = [h for r in runs for h in r.held if h.error]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"total wall time {minutes(wall)} ({wall:.0f} s), CPU "
          f"{minutes(sum(r.cpu for r in runs))}, 1-min load {load.describe()}, "
          f"{len(failed)} failed", flush=True)
    ran = {r.problem for r in runs}
    kept = {head: [ln for ln in lines if ln.split("|")[1].strip() not in ran]
            for head, lines in old_tables(args.markdown).items()} if args.markdown else {}
    rows = [{"problem": h.problem, "study": h.study, **x}
            for r in runs for h in r.held for x in h.rows]
    rows += [parse_row(ln) for ln in kept.get(ROWS_HEAD, [])]
    if args.figure_dir:
        args.figure_dir.mkdir(parents=True, exist_ok=True)
        for problem in sorted(ran):
            mine = [x for x in rows if x["problem"] == problem]
            if mine:
                problem_figure(problem, mine, args.figure_dir / f"loso_{problem}.png")
        if rows:
            overview_figure(rows, args.figure_dir / "loso.png")
        print(f"wrote figures in {args.figure_dir}")
    if args.markdown:
        mine = {RUN_HEAD: [ln for r in runs for ln in run_lines(r, profile, args.seed,
                                                                 command)],
                SUMMARY_HEAD: [ln for r in runs for ln in summary_lines(r)],
                ROWS_HEAD: [ln for r in runs for ln in row_lines(r)]}
        header = (f"Last run {when}: `{command}` ({profile}) on {', '.join(sorted(ran))}: "
                  f"wall time {minutes(wall)}, CPU {minutes(sum(r.cpu for r in runs))} "
                  f"(compiles included), 1-minute load {load.describe()} during the run (its "
                  f"own processes included), {cpus} CPUs. Band: {_method()}.")
        figures = []
        if args.figure_dir:
            rel = Path(os.path.relpath(args.figure_dir, args.markdown.parent)).as_posix()
            shown = sorted({x["problem"] for x in rows})
            figures = [f"![leave-one-study-out, every held-out row]({rel}/loso.png)"] + [
                f"![{p}: predicted vs published]({rel}/loso_{p}.png)" for p in shown]
        replace_block(args.markdown, TAG, block([kept, mine], header, figures))
        print(f"wrote {args.markdown}")
    if failed:
        print(f"loso: {len(failed)} held-out stud{'y' if len(failed) == 1 else 'ies'} failed "
              f"(see the rows above)", file=sys.stderr)
        return 1
    return 0


def _method() -> str:
    from exobone.analysis.calibrate.uncertainty import METHOD

    return METHOD


def _done(run: ProblemRun, t0: float) -> None:
    what = run.note or f"{len(run.held)} studies"
    print(f"{run.problem}: done, {what}, {minutes(run.seconds)}, CPU {minutes(run.cpu)} "
          f"({run.solver}; core "
          f"{run.core}); elapsed {minutes(time.perf_counter() - t0)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
