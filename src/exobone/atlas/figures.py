"""Ingest Pathway Figure OCR records into the store as gene sets linked to mechanisms.

Parsing and linking are :mod:`exobone.atlas.ingest.pfocr`'s; this module turns parsed
records into :class:`~exobone.atlas.store.StoredFigure` rows and adds them to a store, all
or nothing: every file is parsed before the store is touched, and one malformed file stops
the whole ingest with an :class:`~exobone.errors.IngestError` naming the file and field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from exobone.atlas.curation import Atlas
from exobone.atlas.ingest.pfocr import FigureRecord, link_figure, parse_pfocr_many, parse_pfocr_text
from exobone.atlas.store import Store, StoredFigure, add_figures
from exobone.errors import IngestError, InvalidInputError


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


def ingest_pfocr(files: Sequence[str | Path], store: Store) -> list[StoredFigure]:
    """Parse PFOCR records and add them to the store, all or nothing.

    Parameters
    ----------
    files
        PFOCR figure record files (Markdown with YAML front matter).
    store
        An open, current store (:func:`~exobone.atlas.store.require_store`); figures are
        linked to its atlas and written to its file.

    Returns
    -------
    list of StoredFigure
        The figures added, each with the mechanisms it touches.

    Raises
    ------
    InvalidInputError
        If no file is given.
    IngestError
        If any file is malformed (message lists every bad file and field); the store is
        left unchanged.
    StoreError
        If the store cannot be written.
    """
    if not files:
        raise InvalidInputError("no PFOCR files given; name one or more figure record files")
    paths = [Path(f) for f in files]
    records = parse_pfocr_many(paths)  # raises before the store is touched
    atlas = store.atlas()
    figures = [
        stored_figure(r, atlas, raw=p.read_text(encoding="utf-8"), source_file=p.name)
        for r, p in zip(records, paths, strict=True)
    ]
    _check_unique(figures)
    add_figures(store.path, figures)
    return figures


def _check_unique(figures: Iterable[StoredFigure]) -> None:
    seen: dict[str, str] = {}
    for f in figures:
        if f.figid in seen:
            raise IngestError(
                f"{f.source_file}: figid {f.figid!r} is also in {seen[f.figid]}; ingest one of them"
            )
        seen[f.figid] = f.source_file or f.figid


__all__ = ["ingest_pfocr", "relink_figure", "stored_figure"]
