"""``exobone atlas ...``: check, build, search, export, ingest and enrich the atlas."""

from __future__ import annotations

import typer

app = typer.Typer(help="Curated mechanisms with evidence: check, build, search, export.", no_args_is_help=True)


@app.command("check")
def check() -> None:
    """Validate every curated record, cross-reference and quote; list all problems at once."""
    from exobone.atlas.curation import load_atlas
    from exobone.atlas.validate import check_quotes, find_seed_dir

    atlas = load_atlas()
    seed_dir = find_seed_dir()
    if seed_dir is None:
        typer.echo("seed documents not found (set EXOBONE_SEEDS); quotes not checked", err=True)
    else:
        check_quotes(atlas, seed_dir)
    typer.echo(
        f"ok: {len(atlas.entities)} entities, {len(atlas.mechanisms)} mechanisms, "
        f"{len(atlas.experiments)} experiments, {len(atlas.facts)} facts (atlas {atlas.version})"
    )
