"""Parsed Pathway Figure OCR records as store rows, linked to the mechanisms of an atlas.

Below both the store writer (which re-links kept figures on every rebuild) and
:mod:`exobone.atlas.figures` (which ingests new ones).
"""

from __future__ import annotations

import json
from dataclasses import replace

from exobone.atlas.curation import Atlas
from exobone.atlas.ingest.pfocr import FigureRecord, link_figure, parse_pfocr_text
from exobone.atlas.store_schema import StoredFigure
from exobone.errors import IngestError


def stored_figure(
    record: FigureRecord, atlas: Atlas, *, raw: str = "", source_file: str | None = None
) -> StoredFigure:
    """Return the store row of a parsed figure, linked to the mechanisms of ``atlas``."""
    return StoredFigure(
        figid=record.figid,
        title=record.title or "",
        caption=record.caption or "",
        pmcid=record.pmcid,
        doi=record.doi,
        year=str(record.year) if record.year is not None else None,
        source_file=source_file or record.source_name,
        genes=tuple(sorted(record.gene_set())),
        unmatched=record.unknown_words(),
        mechanisms=tuple(link_figure(record, atlas)),
        record=json.dumps(record.to_dict(), ensure_ascii=False),
        raw=raw,
    )


def relink_figure(figure: StoredFigure, atlas: Atlas) -> StoredFigure:
    """Re-parse a stored figure's text and link it to ``atlas``; keep it as is if that fails."""
    if not figure.raw:
        return figure
    try:
        record = parse_pfocr_text(figure.raw, name=figure.source_file or figure.figid)
    except IngestError:
        return figure
    fresh = stored_figure(record, atlas, raw=figure.raw, source_file=figure.source_file)
    return replace(fresh, ingested_at=figure.ingested_at)


__all__ = ["relink_figure", "stored_figure"]
