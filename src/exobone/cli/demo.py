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
    """Build the atlas from the curated data and print what it holds, per seed document."""
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
