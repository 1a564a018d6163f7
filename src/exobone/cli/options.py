"""Options shared by the commands that build a model: interventions, species and site.

Declared once so that every command spells, documents and checks them the same way; an unknown
species or site is refused by :func:`exobone.model.species.require_site` when the model is
built (one line naming the sites with data), before any simulation starts.
"""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["InterventionOpt", "SiteOpt", "SpeciesOpt"]

InterventionOpt = Annotated[
    list[str] | None,
    typer.Option("--intervention", "-i",
                 help="KIND[:ARG][,key=value...]; repeatable, applied in order "
                      "(see `exobone list interventions`)."),
]
SpeciesOpt = Annotated[
    str | None, typer.Option("--species", help="rat, mouse or human \\[default: the scenario's].")
]
SiteOpt = Annotated[
    str | None, typer.Option("--site", help="Skeletal site with data for the species "
                                           "(human: iliac_crest, lumbar_spine, proximal_tibia; "
                                           "rat, mouse: proximal_tibia) \\[default: the "
                                           "species'].")
]
