"""``exobone demo``: the main job on the embedded data, for a newcomer's first run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the database and figures.", file_okay=False)
    ] = Path("exobone-output"),
) -> None:
    """Build the atlas, print what it holds, run the scorecard and a demo scenario with its figure.

    The demo scenario is the question of the design document: hiPSC-MSC exosomes injected weekly
    from week 4 into ovariectomised rats, against untreated OVX.
    """
    from exobone.atlas.curation import load_atlas
    from exobone.atlas.store import build_store
    from exobone.atlas.summary import summarize

    console = Console()
    atlas = load_atlas()
    out.mkdir(parents=True, exist_ok=True)
    report = build_store(atlas, out / "atlas.sqlite")
    table = Table(title=f"exobone atlas {atlas.version} → {report.path}")
    for col in ("seed", "mechanisms", "evidence", "experiments", "facts", "entities", "ids"):
        table.add_column(col, justify="left" if col == "seed" else "right")
    for s in summarize(atlas):
        table.add_row(
            s.seed, str(s.mechanisms), str(s.evidence), str(s.experiments), str(s.facts),
            str(s.entities), str(s.identifiers),
        )
    table.add_row(
        "all (merged)", str(len(atlas.mechanisms)),
        str(sum(len(m.evidence) for m in atlas.mechanisms.values())),
        str(len(atlas.experiments)), str(len(atlas.facts)), str(len(atlas.entities)),
        str(len({e.id for e in atlas.entities.values() if e.id})),
        style="bold",
    )
    console.print(table)

    from exobone.analysis.scorecard import run_scorecard
    from exobone.plotting import plot_scenario
    from exobone.simulate.scenarios import run_scenario

    with console.status("running every curated experiment as a simulation (scorecard)..."):
        card = run_scorecard(atlas, workers=2)
    summary = card.summary
    vitro = summary["in_vitro"]
    console.print(
        f"scorecard: {summary['representable']}/{summary['total']} experiments representable; "
        f"in vivo {summary['outcomes_agreeing']}/{summary['outcomes_compared']} distinct readouts "
        f"agree as encoded, {summary['held_out_agreeing']} with the study's own records held "
        f"out; in vitro {vitro['outcomes_agreeing']}/{vitro['outcomes_compared']} and "
        f"{vitro['held_out_agreeing']} — details: exobone validate, docs/validation.md"
    )
    intervention = "exosome:hipsc-msc,dose=100,route=systemic,start=28,every=7,stop=365"
    with console.status(f"simulating ovx (rat) with {intervention} for a year..."):
        result = run_scenario("ovx", [intervention], species="rat", days=365, compare=True)
    figure = out / "demo_ovx_hipsc_msc.png"
    plot_scenario(result, figure)
    bv_t = result.treated.outcomes["bv_tv"]
    bv_c = result.control.outcomes["bv_tv"] if result.control else bv_t
    console.print(
        f"ovx rat, day 365: BV/TV {bv_t[-1]:.2f} % with {intervention} vs {bv_c[-1]:.2f} % "
        f"untreated; figure: {figure}"
    )
