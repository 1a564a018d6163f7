"""``exobone validate``: run every curated experiment as a simulation and score the directions.

A thin shell over :func:`exobone.analysis.scorecard.run_scorecard`: it prints a table with the
citation of each experiment, the predicted and published direction of each outcome and, for
every experiment that is not representable or did not agree, the reason. ``--json`` prints the
scorecard as JSON (``summary``, ``thresholds`` and ``experiments``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from exobone.analysis.scorecard import Scorecard

_MARK = {True: "[green]✓[/green]", False: "[red]✗[/red]", None: "[dim]–[/dim]"}


def validate(
    as_json: Annotated[bool, typer.Option("--json", help="Print the scorecard as JSON.")] = False,
    experiment: Annotated[
        list[str] | None,
        typer.Option("--experiment", "-e", help="Only this experiment id (repeatable)."),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="EXOBONE_DATA", file_okay=False,
                     help="Curated-data folder (default: the data shipped with exobone)."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", "-j", min=1, help="Processes to run experiments in.")
    ] = 1,
) -> None:
    """Score the model against every curated experiment (predicted vs published direction)."""
    from exobone.analysis.scorecard import run_scorecard
    from exobone.atlas.curation import load_atlas

    atlas = load_atlas(data_dir) if data_dir is not None else None
    if as_json:
        card = run_scorecard(atlas, experiments=experiment, workers=workers)
        typer.echo(json.dumps(card.to_dict(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    err = Console(stderr=True)
    with err.status("running the curated experiments as simulations..."):
        card = run_scorecard(atlas, experiments=experiment, workers=workers)
    _print(card, Console(file=sys.stdout, width=160))


def _print(card: Scorecard, console: object) -> None:
    from rich.console import Console
    from rich.table import Table

    assert isinstance(console, Console)
    table = Table(title="exobone scorecard: predicted vs published outcome directions",
                  show_lines=True)
    for col in ("experiment", "citation", "scenario / arms", "outcome", "published",
                "predicted", "", "note"):
        table.add_column(col, overflow="fold")
    for e in card.experiments:
        arms = e.scenario + ("\n" + "\n".join(e.treated) if e.treated else "")
        if not e.outcomes or not e.representable and not any(o.predicted for o in e.outcomes):
            table.add_row(e.id, e.citation, arms, "", "", "", _MARK[None],
                          f"[yellow]{e.status}[/yellow]: {e.reason}")
            continue
        for k, o in enumerate(e.outcomes):
            what = o.measure + (f" ({o.entity})" if o.entity else "")
            rel = f" ({_rel(o.relative_change)})" if o.predicted else ""
            note = o.note or (f"read as {o.readout}" if o.readout else "")
            if o.agree is False:
                note = f"[red]disagrees[/red]; read as {o.readout}"
            table.add_row(e.id if k == 0 else "", e.citation if k == 0 else "",
                          arms if k == 0 else "", what, o.expected,
                          (o.predicted or "n/a") + rel, _MARK[o.agree], note)
    console.print(table)
    s = card.summary
    t = card.thresholds
    console.print(
        f"[bold]{s['total']}[/bold] experiments, [bold]{s['representable']}[/bold] "
        f"representable ({s['representable_fraction']:.0%}); "
        f"[bold]{s['outcomes_agreeing']}/{s['outcomes_compared']}[/bold] outcome directions "
        f"agree ({s['agreement']:.0%}).")
    console.print(
        f"thresholds: |relative change| < {t['no_change_relative']:.0%} counts as no change; "
        f"time point when unstated: {t['default_days']['in_vitro']:g} days in vitro, "
        f"{t['default_days']['in_vivo']:g} days in vivo; exosome dose when unstated: "
        f"{t['default_dose_ug']:g} µg.")
    missing = [e for e in card.experiments if not e.representable]
    if missing:
        console.print("[bold]not representable:[/bold]")
        for e in missing:
            console.print(f"  {e.id} ({e.citation}): {e.reason}")
    wrong = [(e, o) for e in card.experiments for o in e.outcomes if o.agree is False]
    if wrong:
        console.print("[bold]disagreements:[/bold]")
        for e, o in wrong:
            console.print(f"  {e.id} {o.measure}{f' ({o.entity})' if o.entity else ''}: "
                          f"published {o.expected}, predicted {o.predicted} "
                          f"({_rel(o.relative_change)} in {o.readout}; {e.citation})")


def _rel(value: float | None) -> str:
    return "from 0" if value is None else f"{value:+.1%}"
