"""Open the embedded SQLite store of the atlas, check it is current, and read it.

Reading side of the store; the schema and file checks are :mod:`exobone.atlas.store_schema`'s,
building is :mod:`exobone.atlas.store_build`'s and the full-text rows are
:mod:`exobone.atlas.textindex`'s. Their public names are re-exported here, where users have
always imported them from.

A store that does not read cleanly (``database disk image is malformed``, a truncated copy)
gives one :class:`~exobone.errors.StoreError` saying so and naming the command that rebuilds
it; a file at the database path that is not an exobone store is never overwritten.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from exobone.atlas.curation import Atlas, Seed, atlas_version, default_data_dir
from exobone.atlas.genesets import GeneSet
from exobone.atlas.records import Entity, Experiment, Fact, Measure, Mechanism
from exobone.atlas.store_build import BuildReport, add_figures, build_store
from exobone.atlas.store_schema import (
    BUILD_HINT,
    SCHEMA_VERSION,
    StoredFigure,
    StoreFile,
    StoreFileKind,
    damaged_message,
    default_store_path,
    figure_from_row,
    foreign_message,
    inspect_store_file,
    table_counts,
)
from exobone.atlas.textindex import match_text_rows, split_terms, text_rows
from exobone.errors import StoreError


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
        with self._reading():
            self.metadata: dict[str, str] = {
                r["key"]: r["value"] for r in self._conn.execute("SELECT key, value FROM metadata")
            }

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn SQLite's errors on a damaged file into one line that says how to rebuild it."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise StoreError(damaged_message(self.path, str(exc))) from exc

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
        with self._reading():
            return list(self._conn.execute(sql, params))

    def counts(self) -> dict[str, int]:
        """Number of rows of the main tables (``evidence``: evidence items of mechanisms)."""
        with self._reading():
            return table_counts(self._conn)

    def atlas(self) -> Atlas:
        """Read the stored records back into an :class:`Atlas` (cached)."""
        if self._atlas is None:
            with self._reading():
                self._atlas = self._read_atlas()
        return self._atlas

    def _read_atlas(self) -> Atlas:
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
        return Atlas(
            entities=records("entities", Entity, "key"),
            measures=records("measures", Measure, "key"),
            mechanisms=records("mechanisms", Mechanism, "id"),
            experiments=records("experiments", Experiment, "id"),
            facts=records("facts", Fact, "id"),
            seeds=seeds,
            alias_of={r[0]: r[1] for r in q("SELECT alias, mechanism_id FROM mechanism_aliases")},
            version=self.version,
        )

    def figures(self) -> list[StoredFigure]:
        """The ingested Pathway Figure OCR records."""
        with self._reading():
            rows = list(self._conn.execute("SELECT * FROM figures ORDER BY figid"))
        return [figure_from_row(r) for r in rows]

    def gene_sets(self, kinds: Iterable[str] | None = None) -> list[GeneSet]:
        """The stored gene sets (atlas-derived and figures), optionally of some kinds only."""
        with self._reading():
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
        with self._reading():
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
        If there is no database at ``path``, or it does not read as an SQLite database.
    """
    path = Path(path) if path is not None else default_store_path()
    if not path.is_file():
        raise StoreError(f"no atlas database at {path}; {BUILD_HINT}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(damaged_message(path, str(exc))) from exc
    try:
        return Store(path, conn)
    except StoreError:
        conn.close()
        raise


def _usable(path: Path) -> StoreFile:
    """Inspect ``path``; raise if it is damaged or someone else's file (never rebuilt silently)."""
    found = inspect_store_file(path)
    if found.kind is StoreFileKind.DAMAGED:
        raise StoreError(damaged_message(path, found.detail))
    if found.kind is StoreFileKind.FOREIGN:
        raise StoreError(foreign_message(found))
    return found


def store_problem(path: Path | str | None = None, *, data_dir: Path | str | None = None) -> str | None:
    """Say why the database at ``path`` cannot be used as is, or return ``None`` if it is current.

    Current means: it exists, has this code's schema, and was built from the curated data as
    it is now in ``data_dir`` (the shipped data by default).

    Raises
    ------
    StoreError
        If ``path`` holds a damaged store or a file that is not an exobone store: neither is
        something a rebuild may silently replace.
    """
    path = Path(path) if path is not None else default_store_path()
    if _usable(path).kind in (StoreFileKind.MISSING, StoreFileKind.EMPTY):
        return f"no atlas database at {path}"
    with open_store(path) as store:
        meta = store.metadata
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
    """Open the database, raising :class:`StoreError` if it is missing, stale or damaged."""
    problem = store_problem(path, data_dir=data_dir)
    if problem is not None:
        raise StoreError(f"{problem}; {BUILD_HINT}")
    return open_store(path)


def ensure_store(
    path: Path | str | None = None, *, data_dir: Path | str | None = None
) -> tuple[Store, str | None]:
    """Open the database, (re)building it first if it is missing or stale.

    A damaged store or a file that is not an exobone store is never replaced here: the first
    raises :class:`StoreError` naming the command that rebuilds it, the second one saying the
    file is refused.

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
