"""``exobone export sbml``, ``exobone sbml run`` and ``exobone calibrate``: the interop commands.

Thin shells over :mod:`exobone.interop.sbml`, :mod:`exobone.interop.results` and
:mod:`exobone.analysis.calibrate`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from exobone.cli.options import InterventionOpt, SiteOpt, SpeciesOpt

export_app = typer.Typer(help="Export the compiled model.", no_args_is_help=True)
sbml_app = typer.Typer(help="Import and run SBML models.", no_args_is_help=True)


@export_app.command("sbml")
def export_sbml_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario (see `exobone list scenarios`).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="SBML file to write.",
                                         dir_okay=False)],
    intervention: InterventionOpt = None,
    species: SpeciesOpt = None,
    site: SiteOpt = None,
    no_exosomes: Annotated[bool, typer.Option(
        "--no-exosomes", help="Leave out the exosome layer (bone core only).")] = False,
) -> None:
    """Write the compiled model of a scenario as SBML Level 3 Version 2."""
    from exobone.cli.model import check_interventions
    from exobone.interop.sbml import write_sbml
    from exobone.model.assemble import build_model
    from exobone.outputs import atomic_output, check_output_path

    check_output_path(output, what="SBML model")
    spec = build_model(scenario, check_interventions(intervention), species=species, site=site,
                       exosome_layer=not no_exosomes)
    with atomic_output(output, what="SBML model") as staged:
        write_sbml(spec, staged)
    typer.echo(f"wrote {output} ({spec.metadata.get('scenario')}: {len(spec.states)} species, "
               f"{len(spec.terms)} reactions, {len(spec.assignments)} rules, "
               f"{sum(max(len(e.at_times), 1) for e in spec.events)} events)")


def _parse_sets(items: list[str] | None) -> dict[str, float]:
    from exobone.errors import InvalidInputError

    out: dict[str, float] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise InvalidInputError(f"--set expects NAME=VALUE with a number, got {item!r}") \
                from None
    return out


@sbml_app.command("run")
def sbml_run_cmd(
    file: Annotated[Path, typer.Argument(help="SBML file (Level 2 or 3).", exists=True,
                                         dir_okay=False)],
    start: Annotated[float, typer.Option(
        "--start", help="Start time, in the model's time unit.")] = 0.0,
    days: Annotated[float, typer.Option(
        "--days", help="Length of the run in the model's time unit (days for most bone "
                       "models; hours for Peterson 2010).")] = 365.0,
    points: Annotated[int, typer.Option(
        "--points", help="Number of output times, evenly spaced from --start to the end "
                         "(the SBML Test Suite's steps + 1).")] = 101,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="NAME=VALUE: set a parameter, compartment or initial value (SBML id); "
                      "repeatable.")] = None,
    solver: Annotated[str, typer.Option("--solver", help="LSODA, BDF, Radau, RK45, DOP853.")]
    = "LSODA",
    rtol: Annotated[float, typer.Option("--rtol")] = 1e-8,
    atol: Annotated[float | None, typer.Option(
        "--atol", help="Absolute tolerance \\[default: scaled to each state's initial "
                       "magnitude, rtol*1e-4*|x0|].")] = None,
    max_step: Annotated[float | None, typer.Option(
        "--max-step", help="Largest solver step (e.g. 0.05 for Peterson 2010's doses).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help='Print {"times": [...], "values": {id: [...]}}: species as amounts '
                       'under their id and as concentrations under [id], parameters and '
                       'compartments under their id.')] = False,
    save: Annotated[Path | None, typer.Option(
        "--save", help="Also save the run as .nc (NetCDF), .csv or .parquet.",
        dir_okay=False)] = None,
) -> None:
    """Import an SBML model and simulate it with exobone's own solvers."""
    import numpy as np

    from exobone.interop.results import check_target, save_results
    from exobone.interop.sbml.run import run_sbml

    if save is not None:  # a missing extra or a bad path is said before the run, not after
        check_target(save)
    run = run_sbml(file, start=start, duration=days, points=points,
                   overrides=_parse_sets(sets), solver=solver, rtol=rtol, atol=atol,
                   max_step=max_step)
    if save is not None:  # whole or not at all: a full disk never leaves half a table
        from exobone.outputs import atomic_output

        with atomic_output(save, what="results") as staged:
            save_results(run.trajectory, staged)
    if as_json:
        values = {k: [float(x) if np.isfinite(x) else None for x in v.tolist()]
                  for k, v in run.values.items()}
        typer.echo(json.dumps({"times": run.times.tolist(), "values": values},
                              separators=(",", ":")))
        return
    _print_table(run.trajectory, run.spec.state_names)
    if save is not None:
        typer.echo(f"wrote {save}", err=True)


def _print_table(traj: object, names: tuple[str, ...]) -> None:
    from rich.console import Console
    from rich.table import Table

    times = traj.times  # type: ignore[attr-defined]
    picks = sorted({0, len(times) // 4, len(times) // 2, 3 * len(times) // 4, len(times) - 1})
    table = Table(title=f"{traj.provenance.model_name}")  # type: ignore[attr-defined]
    table.add_column("species / variable")
    for i in picks:
        table.add_column(f"t={times[i]:g}", justify="right")
    for name in names:
        table.add_row(name, *(f"{traj[name][i]:.6g}" for i in picks))  # type: ignore[index]
    Console(width=max(100, Console().width)).print(table)


def calibrate_cmd(
    problem: Annotated[Path, typer.Argument(help="PEtab problem YAML, or its directory; or a "
                                            "contrast study (data/calibration/contrasts).")],
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the starts.")] = 0,
    starts: Annotated[int, typer.Option("--starts", help="Number of least-squares starts.")]
    = 10,
    ci: Annotated[str, typer.Option("--ci", help="profile or bootstrap.")] = "profile",
    level: Annotated[float, typer.Option("--level", help="Confidence level.")] = 0.95,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Write the fit figure (PNG).", dir_okay=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="Fit exobone's model of this scenario instead of the problem's SBML "
                           "file (PEtab ids are then exobone names).")] = None,
    ensemble: Annotated[bool | None, typer.Option(
        "--ensemble/--no-ensemble", help="Run residuals and Jacobian points as one compiled "
        "ensemble (first use compiles the model) \\[default: when the problem allows it].")
    ] = None,
    evaluate_only: Annotated[bool, typer.Option(
        "--evaluate", help="Only evaluate the log-likelihood at the nominal parameters (no "
                           "fit).")] = False,
    write_fitted: Annotated[bool, typer.Option(
        "--write-fitted", help="Write the estimates back as the parameters' fitted values "
        "(src/exobone/model/fitted_values.yaml), which the model builder then applies to the "
        "problem's species.")] = False,
) -> None:
    """Fit parameters to PEtab data; report estimates with confidence intervals.

    The problem is read and linted with the petab library; a construct exobone does not
    evaluate exactly is refused with one line naming it.
    """
    from exobone.analysis.calibrate.contrast import is_contrast_file

    if is_contrast_file(problem):  # a treated-minus-control difference, not a PEtab problem
        from exobone.cli.contrast import contrast_calibrate

        return contrast_calibrate(problem, ci=ci, level=level, plot=plot, as_json=as_json,
                                  scenario=scenario, ensemble=ensemble,
                                  evaluate_only=evaluate_only, write_fitted=write_fitted)
    from exobone.analysis.calibrate import calibrate, evaluate, load_petab
    from exobone.plotting import plot_calibration

    model = None
    if scenario is not None:
        from exobone.analysis.calibrate.problem import build_spec
        from exobone.errors import InvalidInputError
        from exobone.model.assemble import build_model

        if build_spec(problem) is not None:
            raise InvalidInputError(f"{problem}: the problem's 'exobone' key already names its "
                                    f"model; leave out --scenario")

        model = build_model(scenario)
    prob = load_petab(problem, model=model)
    if evaluate_only:
        values = evaluate(prob)
        if as_json:  # a zero prior density (-inf) is null: JSON has no infinities
            typer.echo(json.dumps({k: v if math.isfinite(v) else None
                                   for k, v in values.items()}, separators=(",", ":")))
        else:
            typer.echo(f"llh {values['llh']:.12g}, nllh {values['nllh']:.12g}, log-prior "
                       f"{values['log_prior']:.12g} at the nominal parameters")
        return
    result = calibrate(prob, starts=starts, rng=seed, ci=ci, level=level, ensemble=ensemble)
    if write_fitted:
        from exobone.analysis.calibrate import fitted_values
        from exobone.model.fitted import write_fitted as write

        typer.echo(f"wrote {write(fitted_values(result))}", err=True)
    if plot is not None:
        plot_calibration(result, plot)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), separators=(",", ":")))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"calibration ({result.method} {result.level:.0%} intervals, "
                        f"nllh {-result.llh:.6g}, objective {result.cost:.6g}, "
                        f"{result.n_data} data)")
    for col in ("parameter", "estimate", "low", "high", "scale"):
        table.add_column(col, justify="left" if col == "parameter" else "right")
    for name, scale in zip(result.names, result.scales, strict=True):
        low, high = result.intervals[name]
        table.add_row(name, f"{result.estimates[name]:.4g}", f"{low:.4g}", f"{high:.4g}", scale)
    Console(width=max(100, Console().width)).print(table)
    if plot is not None:
        typer.echo(f"wrote {plot}", err=True)
