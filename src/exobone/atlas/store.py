"""Build the embedded SQLite store of the atlas atomically, open it, and search its text.

The store holds every curated record in relational tables (entities and their identifiers and
synonyms, mechanisms with cargo/pathways/contexts/molecular targets, evidence, experiments and
outcomes, facts, measures, seeds, gene sets, ingested figures) plus each record's JSON, so the
whole :class:`~exobone.atlas.curation.Atlas` can be read back without the YAML. A full-text
index (FTS5, ``trigram`` tokenizer) covers quotes in their original language, English
renderings, entity names and synonyms and citations; the trigram tokenizer makes any substring
of three or more characters searchable, which is what Chinese text needs (it has no spaces to
split words on). Shorter terms fall back to ``LIKE`` over the same rows.

A build writes a temporary file in the destination folder and moves it into place with
:func:`os.replace`, so a failed build leaves the previous database untouched. Figures added
with :func:`add_figures` are carried over into each rebuilt database.

The default location is ``$EXOBONE_DB`` if set, else ``$EXOBONE_HOME/atlas.sqlite``, else
``$XDG_DATA_HOME/exobone/atlas.sqlite`` (``~/.local/share/exobone/atlas.sqlite``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel

from exobone.atlas.curation import Atlas, Seed, atlas_version, default_data_dir, load_atlas
from exobone.atlas.genesets import GeneSet, atlas_gene_sets, figure_gene_set
from exobone.atlas.records import (
    Citation,
    Entity,
    Evidence,
    Experiment,
    Fact,
    Measure,
    Mechanism,
)
from exobone.errors import InvalidInputError, StoreError

SCHEMA_VERSION = "1"
STORE_FILENAME = "atlas.sqlite"
BUILD_HINT = "run `exobone atlas build`"

_SCHEMA = """
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


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("exobone")
    except Exception:  # noqa: BLE001 - running from a source tree without metadata
        from exobone import __version__

        return __version__


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


_FIGURE_COLUMNS = (
    "figid", "title", "caption", "pmcid", "doi", "year", "source_file", "ingested_at",
    "genes", "unmatched", "mechanisms", "record", "raw",
)


def _figure_row(f: StoredFigure) -> tuple[Any, ...]:
    return (
        f.figid, f.title, f.caption, f.pmcid, f.doi, f.year, f.source_file, f.ingested_at,
        json.dumps(list(f.genes)), json.dumps(list(f.unmatched)), json.dumps(list(f.mechanisms)),
        f.record, f.raw,
    )


def _figure_from_row(row: sqlite3.Row) -> StoredFigure:
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


# --------------------------------------------------------------------------- text index


def _entity_words(e: Entity) -> list[str]:
    return [x for x in (e.key, e.name, e.id, *e.synonyms) if x]


def _citation_text(c: Citation) -> str:
    parts = [c.first_author, c.journal, str(c.year) if c.year else None, c.title, c.doi, c.pmid]
    return " ".join(p for p in parts if p)


def _evidence_rows(ev: Evidence) -> Iterator[tuple[str, str]]:
    yield "quote", ev.quote
    yield "quote_en", ev.quote_en
    yield "citation", _citation_text(ev.citation)
    if ev.methods:
        yield "methods", "; ".join(ev.methods)
    if ev.conflict:
        yield "conflict", ev.conflict


def text_rows(
    atlas: Atlas, figures: Iterable[StoredFigure] = ()
) -> Iterator[tuple[str, str, str, str]]:
    """Yield ``(text, record_type, record_id, field)`` rows of the full-text index.

    Records of type ``mechanism``, ``experiment``, ``fact``, ``entity`` and ``figure``; a
    mechanism's rows include the names, synonyms and identifiers of every entity it names, so
    a free-text search for ``破骨细胞`` finds mechanisms whose source is the osteoclast.
    """

    def entity_rows(keys: Iterable[str | None], owner_type: str, owner: str) -> Iterator[
        tuple[str, str, str, str]
    ]:
        for k in dict.fromkeys(k for k in keys if k):
            e = atlas.entities.get(k)
            words = _entity_words(e) if e is not None else [k]
            yield " | ".join(words), owner_type, owner, f"entity:{k}"

    for e in atlas.entities.values():
        yield " | ".join(_entity_words(e)), "entity", e.key, "names"
    for m in atlas.mechanisms.values():
        yield " | ".join((m.id, *m.aliases)), "mechanism", m.id, "id"
        keys = [m.source, m.vesicle, *m.cargo, m.target, m.effect, *m.pathways, *m.contexts]
        keys += [t.entity for t in m.molecular_targets]
        yield from entity_rows(keys, "mechanism", m.id)
        if m.note:
            yield m.note, "mechanism", m.id, "note"
        for ev in m.evidence:
            for fld, text in _evidence_rows(ev):
                yield text, "mechanism", m.id, fld
    for x in atlas.experiments.values():
        iv = x.intervention
        yield x.id, "experiment", x.id, "id"
        yield x.title, "experiment", x.id, "title"
        yield iv.description, "experiment", x.id, "intervention"
        yield x.control, "experiment", x.id, "control"
        keys = [iv.agent, *iv.cargo, *x.contexts, *x.target_cells, *(o.entity for o in x.outcomes)]
        yield from entity_rows(keys, "experiment", x.id)
        for o in x.outcomes:
            measure = atlas.measures.get(o.measure)
            yield (measure.name if measure else o.measure), "experiment", x.id, "measure"
        yield x.quote, "experiment", x.id, "quote"
        yield x.quote_en, "experiment", x.id, "quote_en"
        yield _citation_text(x.citation), "experiment", x.id, "citation"
        if x.conflict:
            yield x.conflict, "experiment", x.id, "conflict"
    for f in atlas.facts.values():
        yield f"{f.property}: {f.value}", "fact", f.id, "value"
        yield from entity_rows([f.subject, *f.items], "fact", f.id)
        for ev in f.evidence:
            for fld, text in _evidence_rows(ev):
                yield text, "fact", f.id, fld
    for fig in figures:
        yield fig.title, "figure", fig.figid, "title"
        yield fig.caption, "figure", fig.figid, "caption"
        yield " ".join(fig.genes), "figure", fig.figid, "genes"


_TERM = re.compile(r'"([^"]+)"|(\S+)')


def split_terms(query: str) -> list[str]:
    """Split a free-text query into terms: whitespace separates, double quotes group.

    Raises
    ------
    InvalidInputError
        If the query holds no term.
    """
    terms = [a or b for a, b in _TERM.findall(query)]
    terms = [t.strip() for t in terms if t.strip()]
    if not terms:
        raise InvalidInputError(f"empty text query {query!r}; give at least one word")
    return terms


def match_text_rows(
    rows: Iterable[tuple[str, str, str, str]], query: str, record_type: str | None = None
) -> set[str]:
    """Return ids of records whose rows contain every term of ``query`` (case-insensitive).

    The in-memory twin of :meth:`Store.match_text`, with the same semantics.
    """
    terms = [t.casefold() for t in split_terms(query)]
    texts: dict[str, list[str]] = {}
    for text, rtype, rid, _ in rows:
        if record_type is None or rtype == record_type:
            texts.setdefault(rid, []).append(text.casefold())
    return {
        rid for rid, parts in texts.items() if all(any(t in p for p in parts) for t in terms)
    }


# --------------------------------------------------------------------------- build


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
    placeholders = ",".join("?" * len(_FIGURE_COLUMNS))
    for f in figures:
        conn.execute("DELETE FROM fts WHERE record_type = 'figure' AND record_id = ?", (f.figid,))
        conn.execute(f"INSERT OR REPLACE INTO figures VALUES ({placeholders})", _figure_row(f))
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
        return [_figure_from_row(r) for r in conn.execute("SELECT * FROM figures ORDER BY figid")]
    except (sqlite3.Error, ValueError):  # an older or damaged database: nothing to keep
        return []
    finally:
        conn.close()


def _refresh_figures(figures: list[StoredFigure], atlas: Atlas) -> list[StoredFigure]:
    """Re-link kept figures to the atlas being stored (mechanism ids may have changed)."""
    if not figures:
        return figures
    from exobone.atlas.figures import relink_figure

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
        If the database cannot be written; the previous one is left intact.

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
        conn.executescript(_SCHEMA)
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
        conn.close()
        conn = None
        os.replace(tmp, path)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"could not build the atlas database at {path}: {exc}") from exc
    finally:
        if conn is not None:
            conn.close()
        tmp.unlink(missing_ok=True)
    with open_store(path) as store:
        counts = store.counts()
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
    if not path.exists():
        raise StoreError(f"no atlas database at {path}; {BUILD_HINT}")
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


# --------------------------------------------------------------------------- open


class Store:
    """A read-only handle on a built atlas database.

    Use :func:`open_store` or :func:`require_store` to get one; close it with :meth:`close`
    or a ``with`` block.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._conn.row_factory = sqlite3.Row
        self._atlas: Atlas | None = None
        self.metadata: dict[str, str] = {
            r["key"]: r["value"] for r in self._conn.execute("SELECT key, value FROM metadata")
        }

    @property
    def version(self) -> str:
        """Atlas version (content hash of the curated files) the store was built from."""
        return self.metadata.get("atlas_version", "")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read-only SQL query and return its rows (for ad-hoc questions)."""
        return list(self._conn.execute(sql, params))

    def counts(self) -> dict[str, int]:
        """Number of rows of the main tables (``evidence``: evidence items of mechanisms)."""
        tables = ("entities", "mechanisms", "evidence", "experiments", "facts", "gene_sets", "figures")
        out = {t: self._conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        out["evidence"] = self._conn.execute(
            "SELECT count(*) FROM evidence WHERE owner_type = 'mechanism'"
        ).fetchone()[0]
        return out

    def atlas(self) -> Atlas:
        """Read the stored records back into an :class:`Atlas` (cached)."""
        if self._atlas is None:
            q = self._conn.execute

            def records(table: str, cls: Any, key: str) -> dict[str, Any]:
                rows = q(f"SELECT {key}, record FROM {table} ORDER BY {key}")
                return {r[0]: cls.model_validate_json(r[1]) for r in rows}

            seeds = {
                r["file"]: Seed(
                    file=r["file"], sha256=r["sha256"], title=r["title"], language=r["language"],
                    kind=r["kind"], citation=json.loads(r["citation"]),
                )
                for r in q("SELECT * FROM seeds ORDER BY file")
            }
            self._atlas = Atlas(
                entities=records("entities", Entity, "key"),
                measures=records("measures", Measure, "key"),
                mechanisms=records("mechanisms", Mechanism, "id"),
                experiments=records("experiments", Experiment, "id"),
                facts=records("facts", Fact, "id"),
                seeds=seeds,
                alias_of={r[0]: r[1] for r in q("SELECT alias, mechanism_id FROM mechanism_aliases")},
                version=self.version,
            )
        return self._atlas

    def figures(self) -> list[StoredFigure]:
        """The ingested Pathway Figure OCR records."""
        return [_figure_from_row(r) for r in self._conn.execute("SELECT * FROM figures ORDER BY figid")]

    def gene_sets(self, kinds: Iterable[str] | None = None) -> list[GeneSet]:
        """The stored gene sets (atlas-derived and figures), optionally of some kinds only."""
        wanted = set(kinds) if kinds is not None else None
        members: dict[str, list[str]] = {}
        for r in self._conn.execute("SELECT gene_set, member FROM gene_set_members ORDER BY member"):
            members.setdefault(r[0], []).append(r[1])
        mechs: dict[str, list[str]] = {}
        for r in self._conn.execute(
            "SELECT gene_set, mechanism_id FROM gene_set_mechanisms ORDER BY mechanism_id"
        ):
            mechs.setdefault(r[0], []).append(r[1])
        return [
            GeneSet(
                name=r["name"], kind=r["kind"], label=r["label"], description=r["description"],
                members=tuple(members.get(r["name"], ())), mechanisms=tuple(mechs.get(r["name"], ())),
            )
            for r in self._conn.execute("SELECT * FROM gene_sets ORDER BY name")
            if wanted is None or r["kind"] in wanted
        ]

    def match_text(self, query: str, record_type: str | None = None) -> set[str]:
        """Return ids of records whose text contains every term of ``query``.

        Terms are whitespace-separated (double quotes group words into one term) and matched
        as case-insensitive substrings anywhere in the record's indexed text: quotes (any
        language), English renderings, names and synonyms of the entities it names, and
        citations. Terms of three or more characters use the trigram index; shorter ones
        scan with ``LIKE``.
        """
        result: set[str] | None = None
        for term in split_terms(query):
            if len(term) >= 3:
                sql = "SELECT DISTINCT record_id FROM fts WHERE fts MATCH ?"
                param = '"' + term.replace('"', '""') + '"'
            else:
                sql = "SELECT DISTINCT record_id FROM fts WHERE text LIKE ? ESCAPE '\\'"
                param = "%" + re.sub(r"([%_\\])", r"\\\1", term) + "%"
            args: list[Any] = [param]
            if record_type is not None:
                sql += " AND record_type = ?"
                args.append(record_type)
            ids = {r[0] for r in self._conn.execute(sql, args)}
            result = ids if result is None else result & ids
            if not result:
                break
        return result or set()


def open_store(path: Path | str | None = None) -> Store:
    """Open an existing atlas database without checking whether it is current.

    Raises
    ------
    StoreError
        If there is no database at ``path`` or it is not an atlas database.
    """
    path = Path(path) if path is not None else default_store_path()
    if not path.is_file():
        raise StoreError(f"no atlas database at {path}; {BUILD_HINT}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        return Store(path, conn)
    except sqlite3.Error as exc:
        raise StoreError(f"{path} is not a readable atlas database ({exc}); {BUILD_HINT}") from exc


def store_problem(path: Path | str | None = None, *, data_dir: Path | str | None = None) -> str | None:
    """Say why the database at ``path`` cannot be used as is, or return ``None`` if it is current.

    Current means: it exists, has this code's schema, and was built from the curated data as
    it is now in ``data_dir`` (the shipped data by default).
    """
    path = Path(path) if path is not None else default_store_path()
    if not path.is_file():
        return f"no atlas database at {path}"
    try:
        with open_store(path) as store:
            meta = store.metadata
    except StoreError as exc:
        return str(exc).split(";")[0]
    if meta.get("schema_version") != SCHEMA_VERSION:
        return f"atlas database at {path} has schema {meta.get('schema_version')!r}, expected {SCHEMA_VERSION!r}"
    current = atlas_version(Path(data_dir) if data_dir is not None else default_data_dir())
    if meta.get("atlas_version") != current:
        return (
            f"atlas database at {path} is stale (built from atlas {meta.get('atlas_version')}, "
            f"curated data is now {current})"
        )
    return None


def require_store(path: Path | str | None = None, *, data_dir: Path | str | None = None) -> Store:
    """Open the database, raising :class:`StoreError` if it is missing or stale."""
    problem = store_problem(path, data_dir=data_dir)
    if problem is not None:
        raise StoreError(f"{problem}; {BUILD_HINT}")
    return open_store(path)


def ensure_store(
    path: Path | str | None = None, *, data_dir: Path | str | None = None
) -> tuple[Store, str | None]:
    """Open the database, (re)building it first if it is missing or stale.

    Returns
    -------
    (Store, str or None)
        The open store and, if it was rebuilt, why (for the caller to tell the user).
    """
    problem = store_problem(path, data_dir=data_dir)
    if problem is not None:
        build_store(path=path, data_dir=data_dir)
    return open_store(path), problem


__all__ = [
    "BUILD_HINT",
    "SCHEMA_VERSION",
    "BuildReport",
    "Store",
    "StoredFigure",
    "add_figures",
    "build_store",
    "default_store_path",
    "ensure_store",
    "match_text_rows",
    "open_store",
    "require_store",
    "split_terms",
    "store_problem",
    "text_rows",
]
