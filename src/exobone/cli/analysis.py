"""``exobone cohort``, ``optimize``, ``dose-response`` and ``sensitivity``: analysis at scale.

Thin shells over :mod:`exobone.analysis.cohorts`, :mod:`exobone.analysis.doses` and
:mod:`exobone.analysis.sensitivity`, with rich progress bars on stderr. ``--scheduler ADDRESS``
runs the ensembles on a Dask distributed cluster; without it nothing of Dask is started.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from exobone.cli.options import InterventionOpt, SiteOpt, SpeciesOpt

SeedOpt = Annotated[int | None, typer.Option("--seed", help="Random seed (reproducible runs).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a figure to this PNG.",
                                              dir_okay=False)]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Dask distributed scheduler address (tcp://host:8786); default: "
                        "run locally without Dask.")]
BackendOpt = Annotated[str, typer.Option("--backend",
                                         help="auto, numba or reference.")]
ReadoutOpt = Annotated[str, typer.Option(
    "--readout", help="Read the outcome over the window as its mean, trough (minimum), auc "
                      "(area, outcome x days) or min-gain (smallest gain over untreated; "
                      "optimize and dose-response only).")]
WindowOpt = Annotated[float | None, typer.Option(
    "--window", help="Days of the read-out window, ending at the day \\[default: 28, or the "
                     "whole run if shorter]; 0 reads the single day.")]


def _warn(lines: list[str] | tuple[str, ...]) -> None:
    """One line per warning on stderr."""
    for line in lines:
        typer.echo(f"warning: {line}", err=True)


def _check_plot_path(plot: Path | None) -> None:
    """Refuse an unwritable --plot path before the (long) run, not after it."""
    if plot is not None:
        from exobone.outputs import check_output_path

        check_output_path(plot, what="plot")


def _check_out_dir(out: Path | None) -> None:
    """Refuse a --out folder that cannot be created or written before the run, not after the
    models are compiled (the folder and its missing parents are created by the run)."""
    from exobone.errors import InvalidInputError

    if out is None:
        return
    for up in (out, *out.parents):
        if up.exists():
            if not up.is_dir():
                raise InvalidInputError(f"cannot write the cohort to {out}: {up} is a file, "
                                        f"not a folder")
            if not os.access(up, os.W_OK | os.X_OK):
                raise InvalidInputError(f"cannot write the cohort to {out}: the folder {up} "
                                        f"is not writable")
            return


@contextmanager
def _progress(label: str, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from exobone.cli.model import _console

    console = _console(stderr=True)
    if quiet or not console.is_terminal:
        # a bar is for a person watching: on a pipe or log file rich would only leave a blank
        # line behind (before a one-line error, two lines where one is promised)
        yield lambda done, total: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
        yield update


def _undersampled_doses(interventions: list[str], days: float, points: int) -> str | None:
    """Say so when the save grid is too coarse for a dosing interval: weekly saves of a dose
    every 14 days land alternately just after a dose and a week later, and the curves zigzag."""
    from exobone.model.scenarios.interventions import parse_intervention

    spacing = days / max(points - 1, 1)
    for text in interventions:
        every = parse_intervention(text).number("every")
        if every is not None and spacing > every / 4:
            finer = math.ceil(days * 8 / every) + 1
            return (f"note: outputs are saved every {spacing:.3g} days but {text} doses every "
                    f"{every:g} days, so the curves sample each dose pulse at only a few "
                    f"phases; --points {finer} saves every {days / (finer - 1):.3g} days")
    return None


def cohort_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario (see `exobone list scenarios`).")],
    intervention: InterventionOpt = None,
    n: Annotated[int, typer.Option("--n", help="Number of virtual members.")] = 200,
    spread: Annotated[float | None, typer.Option(
        "--spread", help="Every parameter times U(1-s, 1+s) \\[default 0.2 without --priors].")]
        = None,
    priors: Annotated[Path | None, typer.Option(
        "--priors", help="YAML/JSON {parameter: {distribution, low, high | mean, sd}}.",
        exists=True, dir_okay=False)] = None,
    seed: SeedOpt = None,
    days: Annotated[float, typer.Option("--days", help="Length of the run in days.")] = 365.0,
    points: Annotated[int, typer.Option("--points", help="Save times over the run.")] = 53,
    readout: ReadoutOpt = "mean",
    window: WindowOpt = None,
    species: SpeciesOpt = None,
    site: SiteOpt = None,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Stream each arm's finished chunks to this directory (created, with "
                      "missing parents).",
        file_okay=False)] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Keep chunks already in --out.")]
        = False,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Members per chunk.")] = 1000,
    scheduler: SchedulerOpt = None,
    backend: BackendOpt = "auto",
) -> None:
    """A virtual cohort over parameter uncertainty: median and 5-95 % bands, treated vs control;
    the table reads each member over the last --window days (default: mean over 28)."""
    from exobone.analysis.cohorts import check_cohort, load_priors, run_cohort
    from exobone.analysis.readouts import Readout
    from exobone.errors import InvalidInputError
    from exobone.plotting import plot_cohort

    _check_plot_path(plot)
    _check_out_dir(out)
    if resume and out is None:
        raise InvalidInputError("--resume needs --out DIR (the chunks of the interrupted run)")
    check_cohort(list(intervention or []), n=n, days=days, points=points)  # before any output
    if Readout("*", days, readout, window).is_gain:
        raise InvalidInputError(f"--readout {readout} is for optimize and dose-response; the "
                                f"cohort table already shows the effect (treated - control)")
    prior_list = load_priors(priors) if priors is not None else []
    s = spread if spread is not None else (0.0 if prior_list else 0.2)
    note = _undersampled_doses(list(intervention or []), days, points)
    if note:
        from exobone.cli.model import _console

        _console(stderr=True).print(note)
    with _progress(f"cohort {scenario} (n={n})", quiet=False) as update:
        res = run_cohort(scenario, list(intervention or []), n=n, spread=s, priors=prior_list,
                         rng=seed, days=days, points=points, species=species, site=site,
                         backend=backend, chunk_size=chunk_size, out=out,
                         scheduler=scheduler, resume=resume, progress=update,
                         readout=readout, window=window)
    if plot is not None:
        plot_cohort(res, plot, species=species)
    _warn(res.warnings)
    if as_json:
        typer.echo(res.to_json())
        return
    from rich.table import Table

    from exobone.cli.model import _console, _fmt

    ivs = ", ".join(res.interventions) or "no intervention"
    r = res.readout
    assert r is not None
    when = (f"day {r.day:g}" if r.span == 0 else
            f"{r.kind} over days {r.start:g}-{r.day:g}")
    table = Table(title=f"virtual cohort: {res.scenario}, {ivs} vs control; n={n}, "
                        f"seed={seed}, {when}",
                  caption="median [5 %, 95 %] over the members that succeeded of each "
                          "member's read-out; effect = treated - control, paired")
    for col in ("outcome", "treated", "control", "effect"):
        table.add_column(col, justify="right" if col != "outcome" else "left")
    for name, arms in res.summary.items():
        cells = [f"{_fmt(q[1])} [{_fmt(q[0])}, {_fmt(q[2])}]"
                 for q in (arms["treated"], arms["control"], arms["effect"])]
        table.add_row(name, *cells)
    console = _console()
    console.print(table)
    console.print("status: " + "; ".join(f"{arm}: " + ", ".join(f"{k} {v}" for k, v in c.items())
                                         for arm, c in res.status_counts.items()))
    for f in res.failures[:5]:
        console.print(f"  failed: {f['arm']} member {f['member']}: {f['message']}")
    if plot is not None:
        _console(stderr=True).print(f"wrote {plot}")


def optimize_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario (see `exobone list scenarios`).")],
    exosome: Annotated[str, typer.Option("--exosome", help="Exosome source "
                                                           "(`exobone list sources`).")],
    objective: Annotated[str, typer.Option("--objective", help="OUTCOME@DAY to maximise, "
                                                               "e.g. bv_tv@180.")],
    readout: ReadoutOpt = "min-gain",
    window: WindowOpt = None,
    bounds: Annotated[str | None, typer.Option(
        "--bounds", help="dose=1:500,every=1:56,start=0:56,duration=0:180 (any subset; "
                         "interval, start and duration are whole days).")]
        = None,
    total_dose_ug: Annotated[float | None, typer.Option(
        "--total-dose-ug", help="Total µg of exosome protein over the whole run (the dose per "
                                "administration is capped at total / number of doses).")]
        = None,
    budget: Annotated[float | None, typer.Option(
        "--budget", hidden=True, help="Deprecated alias of --total-dose-ug.")] = None,
    route: Annotated[str | None, typer.Option(
        "--route", help="systemic (intravenous) or local; default: the scenario's route, as "
                        "for exosome:.")
    ] = None,
    species: SpeciesOpt = None,
    site: SiteOpt = None,
    seed: SeedOpt = 0,
    maxiter: Annotated[int, typer.Option("--maxiter", help="Optimiser generations.")] = 30,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
) -> None:
    """Find the dose, interval, start and duration (whole days) that maximise the read-out of
    OUTCOME@DAY (default: its smallest gain over untreated across the 28 days ending at DAY),
    each plan averaged over the phase of its doses against DAY."""
    from exobone.analysis.doses import DoseProblem, optimize_schedule, parse_bounds
    from exobone.analysis.readouts import Readout
    from exobone.analysis.sensitivity import parse_objective
    from exobone.errors import InvalidInputError
    from exobone.plotting import optimization_title, plot_optimization

    _check_plot_path(plot)

    name, day = parse_objective(objective)
    Readout(name, day, readout, window)  # checked before the model is built
    b = parse_bounds(bounds)
    if maxiter < 1:
        raise InvalidInputError(f"--maxiter must be at least 1 generation, got {maxiter}")
    if budget is not None:
        if total_dose_ug is not None:
            raise InvalidInputError("give --total-dose-ug only (--budget is its deprecated "
                                    "alias)")
        _warn([("--budget is deprecated: it is the total µg of exosome protein over the run; "
                "use --total-dose-ug")])
        total_dose_ug = budget
    with _progress("building the model") as update:
        update(0, 1)
        problem = DoseProblem(scenario, exosome, name, day, route=route, species=species,
                              site=site, total_dose_ug=total_dose_ug, readout_kind=readout,
                              window=window)
        update(1, 1)
    with _progress(f"optimising {objective}") as update:
        update(0, 1)
        res = optimize_schedule(problem, bounds=b, rng=seed, maxiter=maxiter)
        update(1, 1)
    if plot is not None:
        plot_optimization(res, plot, title=optimization_title(scenario, exosome, res.readout),
                          model=problem.model)
    _warn(res.warnings)
    magnitudes = problem.magnitudes.line()
    if as_json:
        typer.echo(json.dumps({**res.to_dict(), "setting": problem.setting,
                               "interventions": [problem.intervention(res.plan)],
                               "magnitudes": problem.magnitudes.to_dict()},
                              separators=(",", ":")))
        return
    p = res.plan
    typer.echo(f"best plan for {res.readout.label()} in {problem.setting} with {exosome} "
               f"exosomes ({problem.route}):")
    typer.echo(f"  {problem.intervention(p)}")
    typer.echo(f"  {p.dose:.4g} µg every {p.every:g} days from day {p.start:g} for "
               f"{p.duration:g} days ({len(p.times(day))} doses, {p.dose * len(p.times(day)):.4g}"
               f" µg in all" + (f", total dose capped at {total_dose_ug:g} µg" if total_dose_ug
                                else "") + ")")
    typer.echo(f"  {res.readout.label()}: {res.value:.4g} averaged over the dosing phase, "
               f"{res.value_as_planned:.4g} as planned (no exosomes: {res.control_value:.4g}); "
               f"{res.n_evaluations} runs, seed {seed}")
    if magnitudes:
        typer.echo(f"  {magnitudes}")
    if plot is not None:
        typer.echo(f"wrote {plot}", err=True)


def dose_response_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario (see `exobone list scenarios`).")],
    exosome: Annotated[str, typer.Option("--exosome", help="Exosome source.")],
    objective: Annotated[str, typer.Option("--objective", help="OUTCOME@DAY.")] = "bv_tv@180",
    readout: ReadoutOpt = "mean",
    window: WindowOpt = None,
    every: Annotated[float, typer.Option("--every", help="Days between doses.")] = 7.0,
    start: Annotated[float, typer.Option("--start", help="Day of the first dose.")] = 0.0,
    doses: Annotated[str | None, typer.Option(
        "--doses", help="Comma-separated doses per administration: µg per animal (100, 100ug, "
                        "0.1mg) or per kg body weight (400ug/kg, 4mg/kg) \\[default: 17 "
                        "log-spaced from 1 to 1000 µg].")] = None,
    route: Annotated[str | None, typer.Option(
        "--route", help="systemic (intravenous) or local; default: the scenario's route, as "
                        "for exosome:.")
    ] = None,
    species: SpeciesOpt = None,
    site: SiteOpt = None,
    band: Annotated[int | None, typer.Option(
        "--band", help="Also draw N members of the exosome magnitudes (fitted scales from "
                       "their interval, assumed ones over their bounds): 5-95 % per dose.")]
        = None,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
) -> None:
    """Draw the read-out of OUTCOME@DAY (default: its mean over the 28 days ending at DAY)
    against the dose of one exosome source."""
    from exobone.analysis.doses import (
        MAX_BAND,
        DoseProblem,
        Plan,
        dose_grid,
        dose_response,
        dose_response_band,
    )
    from exobone.analysis.readouts import Readout
    from exobone.analysis.sensitivity import parse_objective
    from exobone.errors import InvalidInputError
    from exobone.plotting import plot_dose_response

    _check_plot_path(plot)

    from exobone.model.scenarios.dosing import Dose
    from exobone.model.scenarios.exosome_interventions import parse_dose

    def one_dose(text: str) -> Dose:
        try:
            return Dose(float(text))  # a bare number: µg per animal (NaN is refused below)
        except ValueError:
            pass
        try:
            return parse_dose(text)
        except InvalidInputError:
            raise InvalidInputError(f"--doses must be comma-separated numbers, got {doses!r} "
                                    f"(with a unit: 100ug, 0.1mg, 400ug/kg, 4mg/kg)") from None

    name, day = parse_objective(objective)
    given_doses = [one_dose(x) for x in doses.split(",") if x.strip()] if doses else None
    grid = [d.value for d in given_doses] if given_doses else None
    dose_grid(day, every=every, start=start, doses=grid)  # before the model is built
    Readout(name, day, readout, window)
    if band is not None and not 2 <= band <= MAX_BAND:
        raise InvalidInputError(f"--band takes 2 to {MAX_BAND} members, got {band}")
    problem = DoseProblem(scenario, exosome, name, day, route=route, species=species,
                          site=site, readout_kind=readout, window=window)
    if given_doses:  # µg/kg doses become µg per animal of the model's species
        grid = [d.per_animal(problem.body_weight_kg) for d in given_doses]
    d, v = dose_response(problem, every=every, start=start, doses=grid)
    drawn = (dose_response_band(problem, n=band, seed=seed or 0, every=every, start=start,
                                doses=grid) if band is not None else None)
    warnings = problem.warnings(Plan(1.0, every, start, day))
    _warn(warnings)
    given = [problem.intervention(Plan(float(x), every, start, day)) for x in d]
    if plot is not None:
        plot_dose_response(d, v, problem.control_value, plot,
                           label=f"{exosome}, every {every:g} d from day {start:g}",
                           ylabel=problem.readout.label(), readout=problem.readout,
                           model=problem.model)
    if as_json:
        typer.echo(json.dumps({"objective": objective, "setting": problem.setting,
                               "interventions": given, "readout": problem.readout.to_dict(),
                               "dose": d.tolist(),
                               "dose_per_kg": (d / problem.body_weight_kg).tolist(),
                               "value": [float(x) for x in v],
                               "control": problem.control_value, "warnings": warnings,
                               "magnitudes": problem.magnitudes.to_dict(),
                               "band": drawn.to_dict() if drawn is not None else None}))
        return
    form = re.sub(r"dose=[^,]+", "dose=<µg per animal, below>", given[0])
    typer.echo(f"{problem.setting}: {form}")
    typer.echo(f"{'µg/animal':>10} {'µg/kg':>9}  {problem.readout.label()}"
               + (f"  [5 %, 95 %] over {band} magnitude draws" if drawn is not None else ""))
    for j, (a, b) in enumerate(zip(d, v, strict=True)):
        lo_hi = (f"  [{drawn.values[0, j]:.4g}, {drawn.values[2, j]:.4g}]"
                 if drawn is not None else "")
        typer.echo(f"{a:>10.4g} {a / problem.body_weight_kg:>9.4g}  {b:.4g}{lo_hi}")
    typer.echo(f"{'none':>10} {'':>9}  {problem.control_value:.4g}")
    line = problem.magnitudes.line()
    if line:
        typer.echo(line)


def sensitivity_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario (see `exobone list scenarios`).")],
    outcome: Annotated[str, typer.Option("--outcome", help="OUTCOME@DAY, e.g. bv_tv@180.")],
    method: Annotated[str, typer.Option("--method", help="sobol or morris.")] = "sobol",
    n: Annotated[int, typer.Option("--n", help="Base sample size (Sobol: power of 2).")] = 64,
    intervention: InterventionOpt = None,
    parameters: Annotated[str | None, typer.Option(
        "--parameters", help="Comma-separated parameters to vary \\[default: all non-zero].")]
        = None,
    spread: Annotated[float, typer.Option("--spread", help="Range nominal*(1±s).")] = 0.5,
    species: SpeciesOpt = None,
    site: SiteOpt = None,
    seed: SeedOpt = 0,
    top: Annotated[int, typer.Option("--top", help="Rows shown.")] = 15,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
    scheduler: SchedulerOpt = None,
    backend: BackendOpt = "auto",
) -> None:
    """Sobol or Morris indices of OUTCOME@DAY by parameter and by atlas mechanism (SALib)."""
    from exobone.analysis.sensitivity import parse_objective, run_sensitivity
    from exobone.plotting import plot_sensitivity

    _check_plot_path(plot)

    name, day = parse_objective(outcome)
    plist = [p.strip() for p in parameters.split(",") if p.strip()] if parameters else None
    with _progress(f"{method} sensitivity of {outcome}") as update:
        res = run_sensitivity(scenario, list(intervention or []), outcome=name, day=day,
                              method=method, n=n, parameters=plist, spread=spread,
                              species=species, site=site, rng=seed, backend=backend,
                              scheduler=scheduler,
                              progress=update)
    if plot is not None:
        plot_sensitivity(res, plot, top=top)
    if as_json:
        typer.echo(json.dumps(res.to_dict(), separators=(",", ":")))
        return
    from rich.table import Table

    from exobone.cli.model import _console

    a, b = ("S1", "ST") if res.method == "sobol" else ("mu*", "sigma")
    table = Table(title=f"{res.method} indices of {outcome} in {scenario} ({res.n_runs} runs, "
                        f"{res.n_failed} failed; seed {seed})")
    for col in ("parameter", a, f"{a} ±", b, f"{b} ±"):
        table.add_column(col, justify="left" if col == "parameter" else "right")
    for i in res.ranking()[:top]:
        table.add_row(res.names[i], f"{res.first[i]:.3f}", f"{res.first_conf[i]:.3f}",
                      f"{res.total[i]:.3f}", "-" if res.method == "morris"
                      else f"{res.total_conf[i]:.3f}")
    mech = Table(title=f"by atlas mechanism (sum of {b if res.method == 'sobol' else a})")
    mech.add_column("mechanism")
    mech.add_column("sum", justify="right")
    for k, v in sorted(res.mechanisms.items(), key=lambda kv: -kv[1])[:top]:
        mech.add_row(k, f"{v:.3f}")
    console = _console()
    console.print(table)
    console.print(mech)
    if plot is not None:
        _console(stderr=True).print(f"wrote {plot}")
