"""Build the embedded SQLite store of the atlas atomically, and add ingested figures to it.

The store holds every curated record in relational tables (entities and their identifiers and
synonyms, mechanisms with cargo/pathways/contexts/molecular targets, evidence, experiments and
outcomes, facts, measures, seeds, gene sets, ingested figures) plus each record's JSON, so the
whole :class:`~exobone.atlas.curation.Atlas` can be read back without the YAML, and the
full-text index of :mod:`exobone.atlas.textindex`.

A build writes a temporary file in the destination folder and moves it into place with
:func:`os.replace`, so a failed build leaves the previous database untouched. It replaces only
a missing or empty file, an exobone store, or a damaged SQLite file (the way to repair one):
any other file at the path is refused, never overwritten. Figures added with
:func:`add_figures` are carried over into each rebuilt database.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import BaseModel

import exobone
from exobone.atlas.curation import Atlas, load_atlas
from exobone.atlas.figure_rows import relink_figure
from exobone.atlas.genesets import GeneSet, atlas_gene_sets
from exobone.atlas.records import Evidence
from exobone.atlas.store_schema import (
    BUILD_HINT,
    FIGURE_COLUMNS,
    SCHEMA,
    SCHEMA_VERSION,
    StoredFigure,
    StoreFileKind,
    damaged_message,
    default_store_path,
    figure_from_row,
    figure_row,
    foreign_message,
    inspect_store_file,
    table_counts,
)
from exobone.atlas.textindex import text_rows
from exobone.errors import StoreError


def _package_version() -> str:
    try:
        return version("exobone")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return exobone.__version__


def refuse_foreign(path: Path) -> None:
    """Raise :class:`StoreError` unless a build may replace what is at ``path``.

    A build may replace nothing, an empty file, an exobone store, or a damaged SQLite file
    (a crash or a truncated copy; rebuilding is how it is repaired). Anything else -- a text
    file, another program's database, a folder -- is someone else's and is never overwritten.
    """
    found = inspect_store_file(path)
    if found.kind is StoreFileKind.FOREIGN:
        raise StoreError(foreign_message(found))


@dataclass(frozen=True)
class BuildReport:
    """What :func:`build_store` wrote."""

    path: Path
    atlas_version: str
    counts: dict[str, int]
    figures_kept: int = 0


def _dump(record: BaseModel) -> str:
    return record.model_dump_json(exclude_none=True)


def _insert_atlas(conn: sqlite3.Connection, atlas: Atlas) -> None:
    ex = conn.executemany
    ex(
        "INSERT INTO seeds VALUES (?,?,?,?,?,?)",
        [
            (s.file, s.sha256, s.title, s.language, s.kind, json.dumps(s.citation, ensure_ascii=False))
            for s in atlas.seeds.values()
        ],
    )
    ex(
        "INSERT INTO entities VALUES (?,?,?,?,?,?,?)",
        [
            (e.key, e.name, e.type.value, e.id, e.unmapped_reason, e.note, _dump(e))
            for e in atlas.entities.values()
        ],
    )
    ex(
        "INSERT INTO entity_identifiers VALUES (?,?,?,?)",
        [(e.key, e.id, *e.id.split(":", 1)) for e in atlas.entities.values() if e.id],
    )
    ex(
        "INSERT INTO entity_synonyms VALUES (?,?)",
        [(e.key, s) for e in atlas.entities.values() for s in e.synonyms],
    )
    ex(
        "INSERT INTO measures VALUES (?,?,?,?,?,?)",
        [(m.key, m.name, m.category, m.description, m.unit, _dump(m)) for m in atlas.measures.values()],
    )
    for m in atlas.mechanisms.values():
        conn.execute(
            "INSERT INTO mechanisms VALUES (?,?,?,?,?,?,?,?,?,?)",
            (m.id, m.kind.value, m.source, m.vesicle, m.target, m.effect, m.direction.value,
             m.note, len(m.evidence), _dump(m)),
        )
        ex("INSERT INTO mechanism_cargo VALUES (?,?,?)", [(m.id, c, i) for i, c in enumerate(m.cargo)])
        ex("INSERT INTO mechanism_pathways VALUES (?,?)", [(m.id, p) for p in m.pathways])
        ex("INSERT INTO mechanism_contexts VALUES (?,?)", [(m.id, c) for c in m.contexts])
        ex(
            "INSERT INTO mechanism_molecular_targets VALUES (?,?,?)",
            [(m.id, t.entity, t.direction.value) for t in m.molecular_targets],
        )
        _insert_evidence(conn, "mechanism", m.id, m.evidence)
    ex("INSERT INTO mechanism_aliases VALUES (?,?)", sorted(atlas.alias_of.items()))
    for x in atlas.experiments.values():
        iv, c = x.intervention, x.citation
        conn.execute(
            "INSERT INTO experiments VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (x.id, x.title, iv.kind.value, iv.agent, iv.description, iv.dose, iv.route,
             iv.schedule, x.control, x.system.value, c.first_author, c.journal, c.year, c.doi,
             c.pmid, x.read_in, x.quote, x.quote_en, x.conflict, _dump(x)),
        )
        ex("INSERT INTO experiment_contexts VALUES (?,?)", [(x.id, k) for k in x.contexts])
        ex("INSERT INTO experiment_species VALUES (?,?)", [(x.id, t) for t in x.species])
        ex("INSERT INTO experiment_mechanisms VALUES (?,?)", [(x.id, k) for k in x.mechanisms])
        ex(
            "INSERT INTO outcomes VALUES (?,?,?,?,?,?,?,?)",
            [
                (x.id, i, o.measure, o.entity, o.direction.value, o.time, o.time_days, o.note)
                for i, o in enumerate(x.outcomes)
            ],
        )
    for f in atlas.facts.values():
        conn.execute(
            "INSERT INTO facts VALUES (?,?,?,?,?,?,?,?,?)",
            (f.id, f.subject, f.property, f.value, f.low, f.high, f.unit, f.note, _dump(f)),
        )
        _insert_evidence(conn, "fact", f.id, f.evidence)


def _insert_evidence(
    conn: sqlite3.Connection, owner_type: str, owner_id: str, evidence: Sequence[Evidence]
) -> None:
    for i, ev in enumerate(evidence):
        c = ev.citation
        cur = conn.execute(
            "INSERT INTO evidence (owner_type, owner_id, position, first_author, journal, year,"
            " title, doi, pmid, ref, read_in, quote, quote_en, setting, methods, conflict, record)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (owner_type, owner_id, i, c.first_author, c.journal, c.year, c.title, c.doi, c.pmid,
             c.ref, ev.read_in, ev.quote, ev.quote_en, ev.setting.value,
             json.dumps(list(ev.methods), ensure_ascii=False), ev.conflict, _dump(ev)),
        )
        conn.executemany(
            "INSERT INTO evidence_species VALUES (?,?)", [(cur.lastrowid, t) for t in ev.species]
        )


def _insert_gene_sets(conn: sqlite3.Connection, sets: Iterable[GeneSet]) -> None:
    for s in sets:
        conn.execute(
            "INSERT OR REPLACE INTO gene_sets VALUES (?,?,?,?)", (s.name, s.kind, s.label, s.description)
        )
        conn.execute("DELETE FROM gene_set_members WHERE gene_set = ?", (s.name,))
        conn.execute("DELETE FROM gene_set_mechanisms WHERE gene_set = ?", (s.name,))
        conn.executemany("INSERT INTO gene_set_members VALUES (?,?)", [(s.name, x) for x in s.members])
        conn.executemany(
            "INSERT INTO gene_set_mechanisms VALUES (?,?)", [(s.name, x) for x in s.mechanisms]
        )


def _insert_figures(conn: sqlite3.Connection, figures: Sequence[StoredFigure]) -> None:
    placeholders = ",".join("?" * len(FIGURE_COLUMNS))
    for f in figures:
        conn.execute("DELETE FROM fts WHERE record_type = 'figure' AND record_id = ?", (f.figid,))
        conn.execute(f"INSERT OR REPLACE INTO figures VALUES ({placeholders})", figure_row(f))
    _insert_gene_sets(conn, [f.gene_set for f in figures])


def _insert_text(
    conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str, str]]
) -> None:
    conn.executemany(
        "INSERT INTO fts (text, record_type, record_id, field) VALUES (?,?,?,?)",
        (r for r in rows if r[0]),
    )


def _read_old_figures(path: Path) -> list[StoredFigure]:
    """Return the figures of an existing database; [] if there is none or it is unreadable."""
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        conn.row_factory = sqlite3.Row
        return [figure_from_row(r) for r in conn.execute("SELECT * FROM figures ORDER BY figid")]
    except (sqlite3.Error, ValueError):  # an older or damaged database: nothing to keep
        return []
    finally:
        conn.close()


def _refresh_figures(figures: list[StoredFigure], atlas: Atlas) -> list[StoredFigure]:
    """Re-link kept figures to the atlas being stored (mechanism ids may have changed)."""
    return [relink_figure(f, atlas) for f in figures]


def build_store(
    atlas: Atlas | None = None,
    path: Path | str | None = None,
    *,
    data_dir: Path | str | None = None,
    keep_figures: bool = True,
) -> BuildReport:
    """Build the SQLite store of an atlas, atomically.

    Parameters
    ----------
    atlas
        The atlas to store; ``None`` loads it from ``data_dir`` (the shipped data by default).
    path
        Database file; :func:`default_store_path` if ``None``. Its folder is created.
    data_dir
        Curated-data folder to load when ``atlas`` is ``None``.
    keep_figures
        Carry the Pathway Figure OCR records of an existing database at ``path`` over into
        the new one.

    Returns
    -------
    BuildReport
        The path written, the atlas version and record counts.

    Raises
    ------
    CurationError
        If the curated data does not load; nothing is written.
    StoreError
        If the database cannot be written, or ``path`` holds a file that is not an exobone
        store (see :func:`refuse_foreign`); the previous file is left intact.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> report = build_store(path=pathlib.Path(tempfile.mkdtemp()) / "atlas.sqlite")
    >>> report.counts["entities"] > 0
    True
    """
    if atlas is None:
        atlas = load_atlas(Path(data_dir) if data_dir is not None else None)
    path = Path(path) if path is not None else default_store_path()
    refuse_foreign(path)
    figures = _refresh_figures(_read_old_figures(path), atlas) if keep_figures else []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StoreError(f"cannot write the atlas database at {path}: {exc}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(tmp)
        conn.executescript(SCHEMA)
        _insert_atlas(conn, atlas)
        _insert_gene_sets(conn, atlas_gene_sets(atlas))
        _insert_figures(conn, figures)
        _insert_text(conn, text_rows(atlas, figures))
        meta = {
            "atlas_version": atlas.version,
            "schema_version": SCHEMA_VERSION,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "package_version": _package_version(),
            "sqlite_version": sqlite3.sqlite_version,
            "data_dir": str(data_dir) if data_dir is not None else "",
        }
        conn.executemany("INSERT INTO metadata VALUES (?,?)", sorted(meta.items()))
        conn.commit()
        counts = table_counts(conn)
        conn.close()
        conn = None
        refuse_foreign(path)  # again: a file may have appeared there while the build ran
        os.replace(tmp, path)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"could not build the atlas database at {path}: {exc}") from exc
    finally:
        if conn is not None:
            conn.close()
        tmp.unlink(missing_ok=True)
    return BuildReport(path=path, atlas_version=atlas.version, counts=counts, figures_kept=len(figures))


def add_figures(path: Path | str | None, figures: Sequence[StoredFigure]) -> None:
    """Add (or replace) ingested figures and their gene sets in one transaction.

    Either every figure is stored or, on any error, none is.

    Raises
    ------
    StoreError
        If the database is missing or cannot be written.
    """
    path = Path(path) if path is not None else default_store_path()
    found = inspect_store_file(path)
    if found.kind is StoreFileKind.MISSING:
        raise StoreError(f"no atlas database at {path}; {BUILD_HINT}")
    if found.kind is StoreFileKind.DAMAGED:
        raise StoreError(damaged_message(path, found.detail))
    if found.kind is not StoreFileKind.OURS:
        raise StoreError(foreign_message(found))
    conn = sqlite3.connect(path)
    try:
        with conn:  # one transaction: commit on success, roll back on any exception
            _insert_figures(conn, figures)
            _insert_text(
                conn,
                (r for f in figures for r in text_rows(_EMPTY_ATLAS, [f])),
            )
    except sqlite3.Error as exc:
        raise StoreError(f"could not add figures to {path}: {exc}") from exc
    finally:
        conn.close()


_EMPTY_ATLAS = Atlas(entities={}, measures={}, mechanisms={}, experiments={}, facts={}, seeds={})


__all__ = ["BuildReport", "add_figures", "build_store", "refuse_foreign"]
