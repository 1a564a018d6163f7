"""The atlas database file: its schema, where it lives, how to tell it from any other file.

Shared by the writer (:mod:`exobone.atlas.store_build`) and the reader
(:mod:`exobone.atlas.store`). :func:`inspect_store_file` decides whether a file at a database
path is an exobone store, a damaged one, or someone else's file that must never be
overwritten.

The default location is ``$EXOBONE_DB`` if set, else ``$EXOBONE_HOME/atlas.sqlite``, else
``$XDG_DATA_HOME/exobone/atlas.sqlite`` (``~/.local/share/exobone/atlas.sqlite``).
"""

from __future__ import annotations

import enum
import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from exobone.atlas.genesets import GeneSet, figure_gene_set

SCHEMA_VERSION = "2"  # 2: cargo_change gene sets (a disease is no exosome source)
STORE_FILENAME = "atlas.sqlite"
BUILD_HINT = "run `exobone atlas build`"
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite 3 database file

SCHEMA = """
CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE seeds (file TEXT PRIMARY KEY, sha256 TEXT, title TEXT, language TEXT, kind TEXT,
                    citation TEXT);
CREATE TABLE entities (key TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, id TEXT,
                       unmapped_reason TEXT, note TEXT, record TEXT NOT NULL);
CREATE TABLE entity_identifiers (entity_key TEXT NOT NULL REFERENCES entities(key),
                                 curie TEXT NOT NULL, namespace TEXT NOT NULL,
                                 local_id TEXT NOT NULL);
CREATE TABLE entity_synonyms (entity_key TEXT NOT NULL REFERENCES entities(key),
                              synonym TEXT NOT NULL);
CREATE TABLE measures (key TEXT PRIMARY KEY, name TEXT, category TEXT, description TEXT,
                       unit TEXT, record TEXT NOT NULL);
CREATE TABLE mechanisms (id TEXT PRIMARY KEY, kind TEXT NOT NULL, source TEXT NOT NULL,
                         vesicle TEXT, target TEXT NOT NULL, effect TEXT NOT NULL,
                         direction TEXT NOT NULL, note TEXT, n_evidence INTEGER NOT NULL,
                         record TEXT NOT NULL);
CREATE TABLE mechanism_aliases (alias TEXT PRIMARY KEY, mechanism_id TEXT NOT NULL);
CREATE TABLE mechanism_cargo (mechanism_id TEXT NOT NULL, entity_key TEXT NOT NULL,
                              position INTEGER NOT NULL);
CREATE TABLE mechanism_pathways (mechanism_id TEXT NOT NULL, entity_key TEXT NOT NULL);
CREATE TABLE mechanism_contexts (mechanism_id TEXT NOT NULL, entity_key TEXT NOT NULL);
CREATE TABLE mechanism_molecular_targets (mechanism_id TEXT NOT NULL, entity_key TEXT NOT NULL,
                                          direction TEXT NOT NULL);
CREATE TABLE evidence (id INTEGER PRIMARY KEY, owner_type TEXT NOT NULL, owner_id TEXT NOT NULL,
                       position INTEGER NOT NULL, first_author TEXT, journal TEXT, year INTEGER,
                       title TEXT, doi TEXT, pmid TEXT, ref TEXT, read_in TEXT NOT NULL,
                       quote TEXT NOT NULL, quote_en TEXT NOT NULL, setting TEXT NOT NULL,
                       methods TEXT, conflict TEXT, record TEXT NOT NULL);
CREATE TABLE evidence_species (evidence_id INTEGER NOT NULL REFERENCES evidence(id),
                               taxon TEXT NOT NULL);
CREATE TABLE experiments (id TEXT PRIMARY KEY, title TEXT NOT NULL, intervention_kind TEXT,
                          agent TEXT, description TEXT, dose TEXT, route TEXT, schedule TEXT,
                          control TEXT, system TEXT, first_author TEXT, journal TEXT,
                          year INTEGER, doi TEXT, pmid TEXT, read_in TEXT, quote TEXT,
                          quote_en TEXT, conflict TEXT, record TEXT NOT NULL);
CREATE TABLE experiment_contexts (experiment_id TEXT NOT NULL, entity_key TEXT NOT NULL);
CREATE TABLE experiment_species (experiment_id TEXT NOT NULL, taxon TEXT NOT NULL);
CREATE TABLE experiment_mechanisms (experiment_id TEXT NOT NULL, mechanism_id TEXT NOT NULL);
CREATE TABLE outcomes (experiment_id TEXT NOT NULL, position INTEGER NOT NULL,
                       measure TEXT NOT NULL, entity TEXT, direction TEXT NOT NULL, time TEXT,
                       time_days REAL, note TEXT);
CREATE TABLE facts (id TEXT PRIMARY KEY, subject TEXT NOT NULL, property TEXT NOT NULL,
                    value TEXT NOT NULL, low REAL, high REAL, unit TEXT, note TEXT,
                    record TEXT NOT NULL);
CREATE TABLE gene_sets (name TEXT PRIMARY KEY, kind TEXT NOT NULL, label TEXT NOT NULL,
                        description TEXT NOT NULL);
CREATE TABLE gene_set_members (gene_set TEXT NOT NULL REFERENCES gene_sets(name),
                               member TEXT NOT NULL);
CREATE TABLE gene_set_mechanisms (gene_set TEXT NOT NULL REFERENCES gene_sets(name),
                                  mechanism_id TEXT NOT NULL);
CREATE TABLE figures (figid TEXT PRIMARY KEY, title TEXT, caption TEXT, pmcid TEXT, doi TEXT,
                      year TEXT, source_file TEXT, ingested_at TEXT NOT NULL,
                      genes TEXT NOT NULL, unmatched TEXT NOT NULL, mechanisms TEXT NOT NULL,
                      record TEXT NOT NULL, raw TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(text, record_type UNINDEXED, record_id UNINDEXED,
                                    field UNINDEXED, tokenize = 'trigram');
CREATE INDEX idx_cargo ON mechanism_cargo(entity_key);
CREATE INDEX idx_pathways ON mechanism_pathways(entity_key);
CREATE INDEX idx_contexts ON mechanism_contexts(entity_key);
CREATE INDEX idx_members ON gene_set_members(member);
CREATE INDEX idx_evidence_owner ON evidence(owner_type, owner_id);
"""


# --------------------------------------------------------------------------- locations


def default_store_path() -> Path:
    """Return where the atlas database lives unless a path is given.

    ``$EXOBONE_DB`` (a file) wins, then ``$EXOBONE_HOME/atlas.sqlite``, then
    ``$XDG_DATA_HOME/exobone/atlas.sqlite`` with ``~/.local/share`` as the XDG default.
    """
    if db := os.environ.get("EXOBONE_DB"):
        return Path(db).expanduser()
    if home := os.environ.get("EXOBONE_HOME"):
        return Path(home).expanduser() / STORE_FILENAME
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg).expanduser() / "exobone" / STORE_FILENAME


def rebuild_hint(path: Path) -> str:
    """The command that rebuilds the database at ``path``."""
    return f"rebuild it with `exobone atlas build --db {path}`"


# --------------------------------------------------------------------------- what is at a path


class StoreFileKind(enum.Enum):
    """What a database path holds, as far as overwriting it is concerned."""

    MISSING = "missing"  # nothing there: a build may create it
    EMPTY = "empty"  # a zero-byte file: nothing to lose
    OURS = "ours"  # an exobone store that reads cleanly
    DAMAGED = "damaged"  # an SQLite file that does not read cleanly (malformed, truncated)
    FOREIGN = "foreign"  # anything else: never overwritten


@dataclass(frozen=True)
class StoreFile:
    """The verdict of :func:`inspect_store_file`: the kind and why (for messages)."""

    path: Path
    kind: StoreFileKind
    detail: str = ""


def inspect_store_file(path: Path) -> StoreFile:
    """Say what ``path`` holds: nothing, an empty file, our store, a damaged one or a foreign file.

    Ours means: the SQLite header, a ``metadata`` table with a ``schema_version`` row, and a
    clean ``PRAGMA quick_check``. An SQLite file whose tables cannot be read is *damaged*
    (it may be a store broken by a crash or a truncated copy); a readable SQLite database
    without our metadata, or any non-SQLite file, is *foreign*.
    """
    if not path.exists():
        return StoreFile(path, StoreFileKind.MISSING)
    if not path.is_file():
        return StoreFile(path, StoreFileKind.FOREIGN, "not a regular file")
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        return StoreFile(path, StoreFileKind.FOREIGN, f"cannot be read: {exc.strerror or exc}")
    if not header:
        return StoreFile(path, StoreFileKind.EMPTY)
    if header != SQLITE_HEADER:
        return StoreFile(path, StoreFileKind.FOREIGN, "not an SQLite database")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return StoreFile(path, StoreFileKind.DAMAGED, str(exc))
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "metadata" not in tables:
            return StoreFile(path, StoreFileKind.FOREIGN, "an SQLite database without exobone's metadata")
        row = conn.execute("SELECT value FROM metadata WHERE key = 'schema_version'").fetchone()
        if row is None:
            return StoreFile(path, StoreFileKind.FOREIGN, "an SQLite database without exobone's metadata")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            return StoreFile(path, StoreFileKind.DAMAGED, f"integrity check: {check}")
    except sqlite3.DatabaseError as exc:
        return StoreFile(path, StoreFileKind.DAMAGED, str(exc))
    finally:
        conn.close()
    return StoreFile(path, StoreFileKind.OURS)


def damaged_message(path: Path, detail: str) -> str:
    """One line for a store that does not read cleanly, with the command that rebuilds it."""
    return f"the atlas database at {path} is damaged ({detail}); {rebuild_hint(path)}"


def foreign_message(found: StoreFile) -> str:
    """One line refusing to overwrite a file that is not an exobone store."""
    return (
        f"{found.path} is not an exobone atlas database ({found.detail}); refusing to overwrite "
        "it: give another database path or move the file away"
    )


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Number of rows of the main tables (``evidence``: evidence items of mechanisms)."""
    tables = ("entities", "mechanisms", "evidence", "experiments", "facts", "gene_sets", "figures")
    out = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    out["evidence"] = conn.execute(
        "SELECT count(*) FROM evidence WHERE owner_type = 'mechanism'"
    ).fetchone()[0]
    return out


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class StoredFigure:
    """An ingested Pathway Figure OCR record as the store keeps it.

    ``genes`` are the normalised gene symbols / miRNA names (the figure's gene set),
    ``unmatched`` the OCR words that matched no vocabulary entry, ``mechanisms`` the ids of
    the atlas mechanisms the figure touches, ``record`` the parsed record as JSON and ``raw``
    the file as ingested (so a rebuilt store can re-link the figure to the new atlas).
    """

    figid: str
    title: str = ""
    caption: str = ""
    pmcid: str | None = None
    doi: str | None = None
    year: str | None = None
    source_file: str | None = None
    genes: tuple[str, ...] = ()
    unmatched: tuple[str, ...] = ()
    mechanisms: tuple[str, ...] = ()
    record: str = "{}"
    raw: str = ""
    ingested_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def gene_set(self) -> GeneSet:
        """The figure's gene set (``figure:<figid>``)."""
        return figure_gene_set(self.figid, self.title, self.genes)


FIGURE_COLUMNS = (
    "figid", "title", "caption", "pmcid", "doi", "year", "source_file", "ingested_at",
    "genes", "unmatched", "mechanisms", "record", "raw",
)


def figure_row(f: StoredFigure) -> tuple[Any, ...]:
    """The ``figures`` table row of a figure, in :data:`FIGURE_COLUMNS` order."""
    return (
        f.figid, f.title, f.caption, f.pmcid, f.doi, f.year, f.source_file, f.ingested_at,
        json.dumps(list(f.genes)), json.dumps(list(f.unmatched)), json.dumps(list(f.mechanisms)),
        f.record, f.raw,
    )


def figure_from_row(row: sqlite3.Row) -> StoredFigure:
    """Read a ``figures`` row back (columns an older schema lacks take their defaults)."""
    keys = row.keys()

    def get(name: str, default: Any = None) -> Any:
        return row[name] if name in keys else default

    return StoredFigure(
        figid=row["figid"],
        title=get("title") or "",
        caption=get("caption") or "",
        pmcid=get("pmcid"),
        doi=get("doi"),
        year=get("year"),
        source_file=get("source_file"),
        genes=tuple(json.loads(get("genes", "[]") or "[]")),
        unmatched=tuple(json.loads(get("unmatched", "[]") or "[]")),
        mechanisms=tuple(json.loads(get("mechanisms", "[]") or "[]")),
        record=get("record", "{}") or "{}",
        raw=get("raw", "") or "",
        ingested_at=get("ingested_at") or "",
    )


__all__ = [
    "BUILD_HINT",
    "FIGURE_COLUMNS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "STORE_FILENAME",
    "StoreFile",
    "StoreFileKind",
    "StoredFigure",
    "damaged_message",
    "default_store_path",
    "figure_from_row",
    "figure_row",
    "foreign_message",
    "inspect_store_file",
    "rebuild_hint",
    "table_counts",
]
