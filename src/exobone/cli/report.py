"""``exobone report``: a self-contained HTML report of a scenario run against its control.

A thin shell over :func:`exobone.analysis.report.build_report` and
:func:`~exobone.analysis.report.render_report`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exobone.cli.options import InterventionOpt, SiteOpt, SpeciesOpt


def report(
    scenario: Annotated[str, typer.Argument(help="Scenario (see `exobone list scenarios`).")],
    intervention: InterventionOpt = None,
    output: Annotated[Path, typer.Option("-o", "--output", dir_okay=False,
                                         help="HTML file to write.")] = Path("report.html"),
    species: SpeciesOpt = None,
    site: SiteOpt = None,
    days: Annotated[float, typer.Option("--days", help="Length of the run in days.")] = 365.0,
    band: Annotated[int | None, typer.Option(
        "--band", help="Also show the 5-95 %% band at the end over N runs drawing the fitted "
                       "parameters from their confidence intervals and the assumed exosome "
                       "magnitudes from their priors.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the --band draws.")] = 0,
) -> None:
    """Write an HTML report (figures embedded): time courses, outcomes, mechanisms, provenance."""
    from exobone.analysis.report import build_report, render_report
    from exobone.cli.model import check_interventions
    from exobone.outputs import atomic_output, check_output_path

    check_output_path(output, what="report")
    rep = build_report(scenario, check_interventions(intervention), species=species, site=site,
                       days=days, band=band, seed=seed)
    html = render_report(rep)
    with atomic_output(output, what="report") as staged:
        staged.write_text(html, encoding="utf-8")
    typer.echo(f"wrote {output} ({len(html) // 1024} KiB; {len(rep.mechanisms)} mechanisms)",
               err=True)
