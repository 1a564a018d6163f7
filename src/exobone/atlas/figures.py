"""Ingest Pathway Figure OCR records into the store as gene sets linked to mechanisms.

Parsing and linking are :mod:`exobone.atlas.ingest.pfocr`'s, the row of a parsed record is
:mod:`exobone.atlas.figure_rows`' (re-exported here); this module adds figures to a store, all
or nothing: every file is parsed before the store is touched, and one malformed file stops
the whole ingest with an :class:`~exobone.errors.IngestError` naming the file and field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from exobone.atlas.figure_rows import relink_figure, stored_figure
from exobone.atlas.ingest.pfocr import parse_pfocr_many
from exobone.atlas.store_build import add_figures
from exobone.atlas.store_schema import StoredFigure
from exobone.errors import IngestError, InvalidInputError

if TYPE_CHECKING:
    from exobone.atlas.store import Store


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
