"""``exobone cohort``, ``optimize``, ``dose-response`` and ``sensitivity``: analysis at scale.

Thin shells over :mod:`exobone.analysis.cohorts`, :mod:`exobone.analysis.doses` and
:mod:`exobone.analysis.sensitivity`, with rich progress bars on stderr. ``--scheduler ADDRESS``
runs the ensembles on a Dask distributed cluster; without it nothing of Dask is started.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

InterventionOpt = Annotated[
    list[str] | None,
    typer.Option("--intervention", "-i", help="KIND[:ARG][,key=value...]; repeatable."),
]
SpeciesOpt = Annotated[str | None, typer.Option("--species", help="rat, mouse or human.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Random seed (reproducible runs).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a figure to this PNG.",
                                              dir_okay=False)]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Dask distributed scheduler address (tcp://host:8786); default: "
                        "run locally without Dask.")]
BackendOpt = Annotated[str, typer.Option("--backend",
                                         help="auto, numba or reference.")]


def _check_plot_path(plot: Path | None) -> None:
    """Refuse an unwritable --plot path before the (long) run, not after it."""
    if plot is not None:
        from exobone.outputs import check_output_path

        check_output_path(plot, what="plot")


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

    if quiet:
        yield lambda done, total: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(),
                  console=_console(stderr=True), transient=True) as bar:
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
    species: SpeciesOpt = None,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Stream each arm's finished chunks to this directory.",
        file_okay=False)] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Keep chunks already in --out.")]
        = False,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Members per chunk.")] = 1000,
    scheduler: SchedulerOpt = None,
    backend: BackendOpt = "auto",
) -> None:
    """A virtual cohort over parameter uncertainty: median and 5-95 % bands, treated vs control."""
    from exobone.analysis.cohorts import load_priors, run_cohort
    from exobone.errors import InvalidInputError
    from exobone.plotting import plot_cohort

    from exobone.analysis.cohorts import check_cohort

    _check_plot_path(plot)
    if resume and out is None:
        raise InvalidInputError("--resume needs --out DIR (the chunks of the interrupted run)")
    check_cohort(list(intervention or []), n=n, days=days, points=points)  # before any output
    prior_list = load_priors(priors) if priors is not None else []
    s = spread if spread is not None else (0.0 if prior_list else 0.2)
    note = _undersampled_doses(list(intervention or []), days, points)
    if note:
        from exobone.cli.model import _console

        _console(stderr=True).print(note)
    with _progress(f"cohort {scenario} (n={n})", quiet=False) as update:
        res = run_cohort(scenario, list(intervention or []), n=n, spread=s, priors=prior_list,
                         rng=seed, days=days, points=points, species=species,
                         backend=backend, chunk_size=chunk_size, out=out,
                         scheduler=scheduler, resume=resume, progress=update)
    if plot is not None:
        plot_cohort(res, plot)
    if as_json:
        typer.echo(res.to_json())
        return
    from rich.table import Table

    from exobone.cli.model import _console, _fmt

    last = -1
    ivs = ", ".join(res.interventions) or "no intervention"
    table = Table(title=f"virtual cohort: {res.scenario}, {ivs} vs control; n={n}, "
                        f"seed={seed}, day {res.times[last]:g}",
                  caption="median [5 %, 95 %] over the members that succeeded; effect = "
                          "treated - control, paired")
    for col in ("outcome", "treated", "control", "effect"):
        table.add_column(col, justify="right" if col != "outcome" else "left")
    for name in res.bands:
        cells = []
        for bands in (res.bands, res.control_bands, res.effect_bands):
            q = bands[name][:, last]
            cells.append(f"{_fmt(q[1])} [{_fmt(q[0])}, {_fmt(q[2])}]")
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
    bounds: Annotated[str | None, typer.Option(
        "--bounds", help="dose=1:500,every=1:56,start=0:56,duration=0:180 (any subset).")]
        = None,
    budget: Annotated[float | None, typer.Option("--budget", help="Total µg over the plan.")]
        = None,
    route: Annotated[str, typer.Option("--route", help="local or systemic.")] = "local",
    species: SpeciesOpt = None,
    seed: SeedOpt = 0,
    maxiter: Annotated[int, typer.Option("--maxiter", help="Optimiser generations.")] = 30,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
) -> None:
    """Find the dose, interval, start and duration that maximise OUTCOME@DAY."""
    from exobone.analysis.doses import DoseProblem, optimize_schedule, parse_bounds
    from exobone.analysis.sensitivity import parse_objective
    from exobone.errors import InvalidInputError
    from exobone.plotting import plot_optimization

    _check_plot_path(plot)

    name, day = parse_objective(objective)
    b = parse_bounds(bounds)
    if maxiter < 1:
        raise InvalidInputError(f"--maxiter must be at least 1 generation, got {maxiter}")
    with _progress("building the model") as update:
        update(0, 1)
        problem = DoseProblem(scenario, exosome, name, day, route=route, species=species,
                              budget=budget)
        update(1, 1)
    with _progress(f"optimising {objective}") as update:
        update(0, 1)
        res = optimize_schedule(problem, bounds=b, rng=seed, maxiter=maxiter)
        update(1, 1)
    if plot is not None:
        plot_optimization(res, plot, title=f"{scenario}: {exosome} exosomes, {objective}")
    if as_json:
        typer.echo(json.dumps(res.to_dict(), separators=(",", ":")))
        return
    p = res.plan
    typer.echo(f"best plan for {objective} in {scenario} with {exosome} exosemes ({route}):"
               .replace("exosemes", "exosomes"))
    typer.echo(f"  {p.dose:g} µg every {p.every:g} days from day {p.start:g} for "
               f"{p.duration:g} days ({len(p.times(day))} doses"
               + (f", budget {budget:g} µg" if budget else "") + ")")
    typer.echo(f"  {name} at day {day:g}: {res.value:.4g} (no exosomes: "
               f"{res.control_value:.4g}); {res.n_evaluations} runs, seed {seed}")
    if plot is not None:
        typer.echo(f"wrote {plot}", err=True)


def dose_response_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario (see `exobone list scenarios`).")],
    exosome: Annotated[str, typer.Option("--exosome", help="Exosome source.")],
    objective: Annotated[str, typer.Option("--objective", help="OUTCOME@DAY.")] = "bv_tv@180",
    every: Annotated[float, typer.Option("--every", help="Days between doses.")] = 7.0,
    start: Annotated[float, typer.Option("--start", help="Day of the first dose.")] = 0.0,
    doses: Annotated[str | None, typer.Option(
        "--doses", help="Comma-separated µg \\[default: 17 log-spaced from 1 to 1000].")] = None,
    route: Annotated[str, typer.Option("--route", help="local or systemic.")] = "local",
    species: SpeciesOpt = None,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
) -> None:
    """Draw OUTCOME@DAY against the dose of one exosome source."""
    from exobone.analysis.doses import DoseProblem, dose_grid, dose_response
    from exobone.analysis.sensitivity import parse_objective
    from exobone.errors import InvalidInputError
    from exobone.plotting import plot_dose_response

    _check_plot_path(plot)

    name, day = parse_objective(objective)
    grid = None
    if doses:
        try:
            grid = [float(x) for x in doses.split(",") if x.strip()]
        except ValueError:
            raise InvalidInputError(f"--doses must be comma-separated numbers, got {doses!r}") \
                from None
    dose_grid(day, every=every, start=start, doses=grid)  # before the model is built
    problem = DoseProblem(scenario, exosome, name, day, route=route, species=species)
    d, v = dose_response(problem, every=every, start=start, doses=grid)
    if plot is not None:
        plot_dose_response(d, v, problem.control_value, plot,
                           label=f"{exosome}, every {every:g} d from day {start:g}",
                           ylabel=f"{name} at day {day:g}")
    if as_json:
        typer.echo(json.dumps({"objective": objective, "dose": d.tolist(),
                               "value": [float(x) for x in v], "control": problem.control_value}))
        return
    typer.echo(f"{'dose µg':>10}  {name}@{day:g}")
    for a, b in zip(d, v, strict=True):
        typer.echo(f"{a:>10.3g}  {b:.4g}")
    typer.echo(f"{'none':>10}  {problem.control_value:.4g}")


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
                              species=species, rng=seed, backend=backend, scheduler=scheduler,
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
