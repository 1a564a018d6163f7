"""``exobone validate``: run every curated experiment as a simulation and score the directions.

A thin shell over :func:`exobone.analysis.scorecard.run_scorecard`: it prints a table with the
citation of each experiment, the predicted and published direction of each outcome (encoded
model and held-out model, i.e. rebuilt without the experiment's study) with its status and, for
every experiment that is not representable or did not agree, the reason. ``--json`` prints the
scorecard as JSON (``summary``, ``thresholds`` and ``experiments``). Figures count distinct
readouts; in-vitro experiments are summarised apart (docs/validation.md).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
        int | None, typer.Option("--workers", "-j", min=1,
                                 help="Processes to run experiments in (default: CPU count, "
                                      "at most 4).")
    ] = None,
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="Print the figures and every disagreement as Markdown "
                           "(the generated part of docs/validation.md).")] = False,
    held_out: Annotated[
        bool, typer.Option("--held-out/--no-held-out",
                           help="Also score each experiment with the model rebuilt without its "
                                "study's records (about doubles the run time).")
    ] = True,
) -> None:
    """Score the model against every curated experiment (predicted vs published direction)."""
    from exobone.analysis.scorecard import run_scorecard
    from exobone.atlas.curation import load_atlas

    atlas = load_atlas(data_dir) if data_dir is not None else None
    jobs = workers if workers is not None else min(4, os.cpu_count() or 1)
    if as_json or markdown:
        card = run_scorecard(atlas, experiments=experiment, workers=jobs, held_out=held_out)
        typer.echo(json.dumps(card.to_dict(), indent=2, ensure_ascii=False) if as_json
                   else _markdown(card))
        return
    from rich.console import Console

    err = Console(stderr=True)
    with err.status("running the curated experiments as simulations (encoded and held-out "
                    "models; a few minutes the first time on a busy machine)..."):
        card = run_scorecard(atlas, experiments=experiment, workers=jobs, held_out=held_out)
    _print(card, Console(file=sys.stdout, width=160))


def _print(card: Scorecard, console: object) -> None:
    from rich.console import Console
    from rich.table import Table

    assert isinstance(console, Console)
    table = Table(title="exobone scorecard: predicted vs published outcome directions "
                        "(encoded model | held-out model)", show_lines=True)
    for col in ("experiment", "citation", "setting / scenario / arms", "outcome", "published",
                "encoded", "", "held-out", "", "readout / note"):
        table.add_column(col, overflow="fold")
    for e in card.experiments:
        setting = "in vitro" if e.in_vitro else "in vivo"
        arms = f"{setting}; {e.scenario}" + ("\n" + "\n".join(e.treated) if e.treated else "")
        if not e.outcomes or not e.representable and not any(o.predicted for o in e.outcomes):
            table.add_row(e.id, e.citation, arms, "", "", "", _MARK[None], "", _MARK[None],
                          f"[yellow]{e.status}[/yellow]: {e.reason}")
            continue
        first: dict[str, int] = {}
        for k, o in enumerate(e.outcomes):
            first.setdefault(o.quantity, k)
            what = o.measure + (f" ({o.entity})" if o.entity else "")
            enc = (o.predicted or "n/a") + (f" ({_rel(o.relative_change)})"
                                             if o.predicted else "")
            h = o.held_out
            held = "" if h is None else ((h.predicted or h.status)
                                         + (f" ({_rel(h.relative_change)})" if h.predicted
                                            else ""))
            note = o.note or (f"read as {o.readout}" if o.readout else "")
            if first[o.quantity] != k:
                note += f"; same readout as {e.outcomes[first[o.quantity]].measure} (counted once)"
            table.add_row(e.id if k == 0 else "", e.citation if k == 0 else "",
                          arms if k == 0 else "", what, o.expected, enc, _status(o.status),
                          held, _status(h.status if h else ""), note)
    console.print(table)
    s = card.summary
    t = card.thresholds
    v = s["in_vitro"]
    console.print(
        f"[bold]{s['total']}[/bold] experiments, [bold]{s['representable']}[/bold] "
        f"representable ({s['representable_fraction']:.0%}).")
    console.print(
        f"in vivo / clinical: [bold]{s['outcomes_agreeing']}/{s['outcomes_compared']}[/bold] "
        f"distinct readouts agree with the encoded model ({s['agreement']:.0%}), "
        f"{_held(s)}; {s['readouts']} readouts of {s['outcomes_listed']} outcomes, "
        f"{s['no_data']} with no data.")
    console.print(
        f"in vitro ({v['experiments']} experiments, run in a culture context: {v['context']}; "
        f"reported apart): [bold]{v['outcomes_agreeing']}/{v['outcomes_compared']}[/bold] "
        f"with the encoded model ({v['agreement']:.0%}), {_held(v)}; {v['readouts']} readouts "
        f"of {v['outcomes_listed']} outcomes, {v['no_data']} with no data.")
    console.print(
        f"thresholds: |relative change| < {t['no_change_relative']:.0%} counts as no change; "
        f"time point when unstated: {t['default_days']['in_vitro']:g} days in vitro, "
        f"{t['default_days']['in_vivo']:g} days in vivo; exosome dose when unstated: "
        f"{t['default_dose_ug']:g} µg.")
    for line in _magnitude_lines(card):
        console.print(line)
    missing = [e for e in card.experiments if not e.representable]
    if missing:
        console.print("[bold]not representable:[/bold]")
        for e in missing:
            console.print(f"  {e.id} ({e.citation}): {e.reason}")
    for title, rows in (("disagreements (encoded model)", _disagreements(card, False)),
                        ("disagreements (held-out model)", _disagreements(card, True))):
        if rows:
            console.print(f"[bold]{title}:[/bold]")
            for row in rows:
                console.print(f"  {row}")


def _markdown(card: Scorecard) -> str:
    """Figures, unrepresentable experiments and every disagreement as Markdown."""
    s, v = card.summary, card.summary["in_vitro"]

    def pct(x: float | None) -> str:
        return "" if x is None else f" ({x:.1%})"

    lines = [("| setting | distinct readouts compared | encoded agreement | "
             "held-out agreement | readouts (outcomes listed) | no data |"),
             "|---|---|---|---|---|---|"]
    for name, f in (("in vivo / clinical", s), (f"in vitro ({v['experiments']} experiments)",
                                                 v)):
        held = "not run" if f["held_out_agreeing"] is None else f["held_out_agreeing"]
        lines.append(f"| {name} | {f['outcomes_compared']} | {f['outcomes_agreeing']}"
                     f"{pct(f['agreement'])} | {held}{pct(f['held_out_agreement'])} | "
                     f"{f['readouts']} "
                     f"({f['outcomes_listed']}) | {f['no_data']} |")
    lines += ["", (f"{s['total']} experiments, {s['representable']} representable, "
                  f"{s['failed']} failed."), ""]
    lines += ["#### Published magnitudes", ""] + [f"- {m}" for m in _magnitude_lines(card)] + [""]
    for title, rows in (("Disagreements of the encoded model", _disagreements(card, False)),
                        ("Disagreements of the held-out model", _disagreements(card, True)),
                        ("Not representable", [f"{e.id} ({e.citation}): {e.reason}"
                                               for e in card.experiments
                                               if not e.representable])):
        lines += [f"#### {title} ({len(rows)})", ""]
        lines += [f"- {r}" for r in rows] or ["- none"]
        lines.append("")
    return "\n".join(lines)


def _magnitude_lines(card: Scorecard) -> list[str]:
    """The magnitude figure, then one line per published magnitude (model value vs its CI)."""
    m = card.summary["magnitudes"]
    if m is None:
        return [("published magnitudes: not compared (a selection of experiments, another "
                 "atlas, or no data/calibration beside the package)")]
    lines = [(f"published magnitudes: {m['inside_ci']}/{m['compared']} compared inside their "
              f"95 % CI (fitted {m['fitted']['inside_ci']}/{m['fitted']['compared']}, held out "
              f"{m['held_out']['inside_ci']}/{m['held_out']['compared']}); "
              f"{m['records'] - m['compared']} of {m['records']} with no model quantity")]
    for c in card.magnitudes or ():
        what = "held out" if c.held_out else "fitted"
        model = ("" if c.model is None
                 else f", model {c.model:+.2f} ({c.readout}, {c.contrast})")
        lines.append(f"{c.record} ({what}; {c.citation}): {c.outcome} published "
                     f"{c.published:+g} ({c.ci95[0]:g} to {c.ci95[1]:g} {c.unit}){model}: "
                     f"{c.status}")
    return lines


def _held(figures: dict[str, Any]) -> str:
    if figures["held_out_agreement"] is None:
        return "held-out model not run"
    return (f"[bold]{figures['held_out_agreeing']}/{figures['outcomes_compared']}[/bold] with "
            f"the held-out model ({figures['held_out_agreement']:.0%})")


def _disagreements(card: Scorecard, held_out: bool) -> list[str]:
    """One line per compared readout the model (encoded or held-out) does not agree with."""
    rows = []
    for e in card.experiments:
        if not e.representable or e.status != "ok":
            continue
        for r in e.readouts:
            if r.agree is None or (held_out and r.held_out_status is None):
                continue
            if r.held_out_agree if held_out else r.agree:
                continue
            o = e.outcomes[r.outcomes[0]]
            p = o.held_out if held_out and o.held_out else o
            what = ", ".join(e.outcomes[i].measure + (f" ({e.outcomes[i].entity})"
                                                      if e.outcomes[i].entity else "")
                             for i in r.outcomes)
            got = (f"{p.predicted} ({_rel(p.relative_change)} in {r.quantity}"
                   if p.predicted else f"nothing ({p.status}")
            rows.append(f"{e.id} {'in vitro' if e.in_vitro else 'in vivo'}: {what}: published "
                        f"{o.expected}, predicted {got}; {e.citation})")
    return rows


_STATUS = {"agrees": _MARK[True], "disagrees": _MARK[False]}


def _status(status: str) -> str:
    return _STATUS.get(status, f"[dim]{status or '–'}[/dim]")


def _rel(value: float | None) -> str:
    return "from 0" if value is None else f"{value:+.1%}"
