"""``exobone simulate``, ``exobone list ...`` and ``exobone model explain``: the model commands.

Thin shells over :func:`exobone.simulate.scenarios.run_scenario`, the scenario and intervention
registries and :meth:`exobone.model.spec.ModelSpec.explain`.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from exobone.cli.options import InterventionOpt, SiteOpt, SpeciesOpt

if TYPE_CHECKING:
    from rich.console import Console

    from exobone.model.spec import ModelSpec
    from exobone.simulate.scenarios import ScenarioResult

list_app = typer.Typer(help="List scenarios, interventions or exosome sources.",
                       no_args_is_help=True)
model_app = typer.Typer(help="Inspect the compiled bone model.", no_args_is_help=True)


def _console(stderr: bool = False, width: int = 100) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, width=max(width, Console().width))


def check_interventions(items: list[str] | None) -> list[str]:
    """Return the ``--intervention`` texts, refusing one longer than the documented limit."""
    from exobone.errors import InvalidInputError
    from exobone.web.schemas import MAX_INTERVENTION_CHARS

    out = list(items or [])
    for text in out:
        if len(text) > MAX_INTERVENTION_CHARS:
            raise InvalidInputError(
                f"--intervention is {len(text)} characters long; at most "
                f"{MAX_INTERVENTION_CHARS} are allowed ({text[:40]!r}...)")
    return out


def _parse_times(text: str | None, days: float) -> list[float]:
    from exobone.errors import InvalidInputError
    from exobone.simulate.scenarios import time_grid

    time_grid(days, points=2)  # validates days
    if text is None:
        if days <= 400:
            picks = [0, 14, 35, 100, 180, 365]
        else:
            picks = [0, 35, 100, 365, 730, 1825, 3650]
        out = [float(t) for t in picks if t <= days]
        if out[-1] != days:
            out.append(float(days))
        return out
    try:
        values = sorted({float(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise InvalidInputError(f"--times must be comma-separated days, got {text!r}") from None
    if not values:
        raise InvalidInputError("--times is empty")
    return values


def simulate_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario (see `exobone list scenarios`).")],
    intervention: InterventionOpt = None,
    species: SpeciesOpt = None,
    site: SiteOpt = None,
    days: Annotated[float, typer.Option("--days", help="Length of the run in days.")] = 365.0,
    times: Annotated[str | None, typer.Option(
        "--times", help="Comma-separated days shown in the table \\[default: 0,14,35,100,180,365 "
                        "within the run].")] = None,
    compare: Annotated[bool, typer.Option(
        "--compare", help="Also run the untreated scenario and show it side by side.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Write time courses (treated vs control) to this PNG file.",
        dir_okay=False)] = None,
    no_exosomes: Annotated[bool, typer.Option(
        "--no-exosomes", help="Leave out the exosome layer (bone core only).")] = False,
    save: Annotated[Path | None, typer.Option(
        "--save", help="Save the full treated run as .nc (NetCDF), .csv or .parquet, with "
                       "provenance.", dir_okay=False)] = None,
    band: Annotated[int | None, typer.Option(
        "--band", help="Also show the 5-95 %% band of N runs drawing the fitted parameters "
                       "from their confidence intervals and the assumed exosome magnitudes "
                       "from their priors (a paired cohort).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the --band draws.")] = 0,
) -> None:
    """Simulate a scenario with interventions; print BV/TV, cells and markers over time.

    Every output says which of the model's parameters are fitted, cited or assumed.
    """
    from exobone.errors import InvalidInputError
    from exobone.outputs import atomic_output, check_output_path
    from exobone.simulate.scenarios import run_scenario

    ivs = check_interventions(intervention)
    table_times = _parse_times(times, days)
    for path, what in ((plot, "plot"), (save, "results")):
        if path is not None:
            check_output_path(path, what=what)
    if save is not None:
        from exobone.interop.results import FORMATS

        if save.suffix.lower() not in FORMATS:
            raise InvalidInputError(f"--save {save.name!r}: use a file ending in "
                                    f"{', '.join(FORMATS)}")
    if band is not None and no_exosomes:
        raise InvalidInputError("--band draws the full model: leave out --no-exosomes")
    result = run_scenario(scenario, ivs, species=species, site=site, days=days,
                          times=table_times,
                          compare=compare or plot is not None,
                          exosome_layer=not no_exosomes)
    bands = None
    if band is not None:
        from exobone.analysis.calibrate.bands import prediction_band

        bands = prediction_band(scenario, ivs, species=result.species, site=site, days=days,
                                times=table_times, n=band, seed=seed,
                                outcomes=result.outcome_names)
    if plot is not None:
        from exobone.plotting import plot_scenario

        plot_scenario(result, plot)
    if save is not None:
        from exobone.interop.results import save_results

        with atomic_output(save, what="results") as staged:
            save_results(result.treated.trajectory, staged)
    from exobone.model.fitted import parameter_sources

    sources = parameter_sources(result.treated.model)
    if as_json:
        data = result.to_dict()
        if not compare:
            data.pop("control", None)
            if bands is not None:
                for key in ("control", "effect"):
                    bands.pop(key)
        data["parameter_sources"] = sources
        if bands is not None:
            data["band"] = bands
        typer.echo(json.dumps(data, indent=None, separators=(",", ":")))
        return
    _table(result, table_times, compare, bands, sources)
    if plot is not None:
        _console(stderr=True).print(f"wrote {plot}")


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _band_cell(bands: dict[str, Any], arm: str, name: str, k: int) -> str:
    q = bands[arm].get(name)
    if q is None or q[0][k] is None or q[2][k] is None:
        return "n/a"
    return f"{_fmt(q[0][k])}-{_fmt(q[2][k])}"


def _table(result: ScenarioResult, table_times: list[float], compare: bool,
           bands: dict[str, Any] | None = None, sources: dict[str, Any] | None = None) -> None:
    from rich.table import Table

    from exobone.model.outcomes import OUTCOMES

    ivs = ", ".join(result.treated.interventions) or "none"
    prov = result.treated.trajectory.provenance
    site = result.treated.model.metadata.get("site")
    title = (f"{result.scenario} ({result.species}, {site}); interventions: {ivs}")
    caption = (f"model {prov.model_hash[:12]}, atlas {prov.atlas_version or 'n/a'}, "
               f"{prov.solver.get('method')} rtol={prov.solver.get('rtol')}; cells and markers "
               f"relative to healthy = 1")
    if compare and result.control is not None:
        caption += "; each entry is treated | control"
    table = Table(title=title, caption=caption, show_lines=False)
    table.add_column("outcome", style="bold", no_wrap=True)
    table.add_column("unit")
    for t in table_times:
        label = f"day {t:g}"
        table.add_column(label, justify="right", no_wrap=True)
    for name in result.outcome_names:
        if name not in result.treated.outcomes:
            continue
        if name == "defect_fill" and np_all_one(result.treated.outcomes[name]):
            continue  # no defect in this scenario
        unit = OUTCOMES[name].unit if name in OUTCOMES else ""
        cells = []
        for t in table_times:
            v = result.at(name, t)
            if compare and result.control is not None:
                cells.append(f"{_fmt(v)} | {_fmt(result.at(name, t, control=True))}")
            else:
                cells.append(_fmt(v))
        table.add_row("BV/TV" if name == "bv_tv" else name, ("rel. start" if unit == "rel. to start"
                      else "rel." if unit.startswith("rel") else unit), *cells)
        if bands is not None and name in bands["treated"]:
            band_cells = [_band_cell(bands, "treated", name, k) + (
                f" | {_band_cell(bands, 'control', name, k)}" if compare and
                result.control is not None else "") for k in range(len(table_times))]
            table.add_row("  5-95 %", "", *band_cells)
    per = 15 if compare and result.control is not None else 8
    if bands is not None:
        per += per + 2
    _console(width=34 + per * len(table_times)).print(table)
    for regimen in result.treated.model.metadata.get("drug_regimens", ()):
        typer.echo(f"dosing: {regimen}")  # the dose in both forms, route and schedule given
    if sources is not None:
        c = sources["counts"]
        typer.echo(f"parameters: {c['fitted']} fitted ({', '.join(sources['fitted']) or '-'}), "
                   f"{c['cited']} cited, {c['assumed']} assumed")
        if sources.get("exosome_magnitudes"):
            typer.echo(sources["exosome_magnitudes"])
    if bands is not None:
        ok = bands["status"]["treated"].get("ok", 0)
        typer.echo(f"band (5-95 % rows): {ok}/{bands['n']} runs drawing {bands['drawn']}; "
                   f"seed {bands['seed']}; {bands['method']}")


def np_all_one(values: object) -> bool:
    """True if every value is 1 (an unused defect compartment)."""
    import numpy as np
    arr = np.asarray(values, dtype=float)
    return bool(np.all(np.abs(arr - 1.0) < 1e-12))


# ------------------------------------------------------------------------------------ list
@list_app.command("scenarios")
def list_scenarios() -> None:
    """List the named scenarios, one line each."""
    from exobone.model.scenarios import SCENARIOS

    for s in SCENARIOS.values():
        species = "|".join(s.species)
        typer.echo(f"{s.name:<26} [{species}; BV/TV {s.bv_tv_direction}] {s.description}")


@list_app.command("interventions")
def list_interventions() -> None:
    """List the intervention kinds with their command-line form, one line each."""
    from exobone.model.scenarios.interventions import INTERVENTIONS

    for k in sorted(INTERVENTIONS.values(), key=lambda k: k.kind):
        typer.echo(f"{k.kind:<20} {k.help}  usage: {k.usage}")
        if k.units:
            typer.echo(f"{'':<20} units: {k.units}")


@list_app.command("sources")
def list_sources() -> None:
    """List the exosome sources the ``exosome`` intervention can dose, one line each."""
    from exobone.model.exosomes import exogenous_sources

    for src in exogenous_sources().values():
        typer.echo(f"{src.name:<24} {src.help}")


# ----------------------------------------------------------------------------------- explain
def _modifiers_in(spec: ModelSpec, expr: str) -> list[str]:
    """Return the process modifiers ``expr`` uses, directly or through other assignments."""
    from exobone.model import expressions as ex

    exprs = {a.name: a.expr for a in spec.assignments}
    found: list[str] = []
    seen: set[str] = set()
    stack = [expr]
    while stack:
        for name in sorted(ex.names_in(stack.pop())):
            if name in seen or name not in exprs:
                continue
            seen.add(name)
            if name.startswith("m_"):
                found.append(name)
            else:
                stack.append(exprs[name])
    return found


#: outcome assignments that are a state under another name
_STATE_OF_OUTCOME = {"bv_tv": "bone_volume", "vessel_density": "endothelium"}

@model_app.command("explain")
def explain_cmd(
    state: Annotated[str, typer.Argument(help="A state of the model, e.g. osteoclasts.")],
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario to build.")] = "healthy",
    intervention: InterventionOpt = None,
    species: SpeciesOpt = None,
    site: SiteOpt = None,
) -> None:
    """List the terms that drive STATE, with their mechanisms, citations and modifiers."""
    from rich.table import Table

    from exobone.model.assemble import build_model

    spec = build_model(scenario, check_interventions(intervention), species=species, site=site)
    console = _console()
    if spec.get_state(state) is None and state in _STATE_OF_OUTCOME:
        console.print(f"{state} is an outcome computed from the state "
                      f"{_STATE_OF_OUTCOME[state]}; explaining that state")
        state = _STATE_OF_OUTCOME[state]
    terms = spec.explain(state)
    table = Table(title=f"d({state})/dt in {scenario}", show_lines=True)
    for col in ("", "term", "rate", "mechanisms", "citations / description"):
        table.add_column(col, overflow="fold")
    modifiers: list[str] = []
    for t in terms:
        cites = "; ".join(c.short() for c in t.citations)
        table.add_row(t.sign + (f"{abs(t.coefficient):.3g}" if abs(t.coefficient) != 1 else ""),
                      t.term, t.rate, ", ".join(t.mechanisms) or "-",
                      (cites + "\n" if cites else "") + t.description)
        modifiers += [n for n in _modifiers_in(spec, t.rate) if n not in modifiers]
    console.print(table)
    if modifiers:
        mods = Table(title="process modifiers in these terms (1 = no effect)", show_lines=True)
        for col in ("modifier", "expression", "factors and mechanisms"):
            mods.add_column(col, overflow="fold")
        by_name = {a.name: a for a in spec.assignments}
        for m in modifiers:
            a = by_name[m]
            mechs = ", ".join(a.mechanisms)
            mods.add_row(m, a.expr, a.description + (f"\nmechanisms: {mechs}" if mechs else ""))
        console.print(mods)
    sys.stdout.flush()
