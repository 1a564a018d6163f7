"""Offline vocabularies: look up identifiers and normalise gene, miRNA and term names.

The one entry point for identifiers and names. Term tables and CURIE lookup live in
:mod:`exobone.atlas.identifiers`, miRNA nomenclature in :mod:`exobone.atlas.mirna`; both are
re-exported here. This module adds gene normalisation (HGNC symbols, aliases, previous
symbols, mouse and rat orthologs), the resolution of users' gene/miRNA lists for enrichment,
and the checks of curated entity identifiers.

Nothing touches the network: the tables ship in ``vocab_data/`` (see its ``SOURCES.md``).
Lookups come in pairs: ``lookup``/``get_*``/``normalize_*`` return ``None`` and
``require``/``require_*``/``parse_*`` raise :class:`~exobone.errors.UnknownIdentifierError`
(or :class:`~exobone.errors.InvalidInputError` for a malformed name) with a did-you-mean hint.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from exobone.atlas.identifiers import (
    TABLES,
    Term,
    _alnum,
    _close_id,
    _split,
    _table,
    _term,
    family_members,
    find_term,
    lookup,
    normalize_curie,
    require,
    species_key,
    table_source,
)
from exobone.atlas.mirna import (
    MirnaName,
    _mirna_known,
    get_mirna,
    mirna_matches,
    mirna_related,
    mirna_stemloops,
    parse_mirna,
)
from exobone.atlas.records import Entity, EntityType
from exobone.errors import UnknownIdentifierError, suggest

# Which namespaces an entity of each type may take its id from.
TYPE_NAMESPACES: dict[EntityType, tuple[str, ...]] = {
    EntityType.CELL: ("CL",),
    EntityType.CELL_LINE: ("cellosaurus",),
    EntityType.TISSUE: ("UBERON", "CL"),
    EntityType.GENE: ("HGNC",),
    # FamPlex first; a complex FamPlex lacks (ESCRT, eIF2) may use its GO cellular_component
    EntityType.FAMILY: ("FPLX", "GO"),
    EntityType.MIRNA: ("mirbase",),
    EntityType.PATHWAY: ("GO",),
    EntityType.PROCESS: ("GO",),
    EntityType.VESICLE: ("GO",),
    EntityType.DISEASE: ("DOID",),
    EntityType.CONTEXT: ("DOID", "GO"),
    EntityType.CHEMICAL: ("CHEBI",),
    EntityType.SPECIES: ("NCBITaxon",),
    EntityType.OTHER: tuple(TABLES),
}
_GO_SUBSET: dict[EntityType, str] = {
    EntityType.PATHWAY: "biological_process",
    EntityType.PROCESS: "biological_process",
    EntityType.VESICLE: "cellular_component",
    EntityType.FAMILY: "cellular_component",
}

GeneMatch = Literal["symbol", "previous", "alias", "ortholog", "ortholog_synonym"]


# --------------------------------------------------------------------------- genes


@dataclass(frozen=True)
class GeneRef:
    """A word resolved to its human gene (HGNC) with the mouse and rat orthologs.

    ``matched_by`` says how: ``symbol`` (HGNC approved symbol, any case), ``previous``
    (HGNC previous symbol), ``alias`` (HGNC alias), ``ortholog`` (a mouse or rat symbol,
    mapped through MGI/RGD) or ``ortholog_synonym`` (a mouse or rat synonym); ``matched_name``
    is the table entry that matched.
    """

    query: str
    hgnc_id: str
    symbol: str
    name: str
    locus_type: str
    matched_by: GeneMatch
    matched_name: str
    mouse_symbol: str | None = None
    mgi_id: str | None = None
    rat_symbol: str | None = None
    rgd_id: str | None = None


# name (or folded name) -> [(hgnc id, ortholog id or "", name as in the table)]
_Hits = dict[str, list[tuple[str, str, str]]]


@dataclass(frozen=True)
class _GeneIndex:
    symbol: _Hits
    symbol_folded: _Hits
    previous: _Hits
    previous_folded: _Hits
    alias: _Hits
    alias_folded: _Hits
    # species -> index of mouse/rat symbols, synonyms, and both in any case
    ortholog: dict[str, _Hits]
    ortholog_synonym: dict[str, _Hits]
    ortholog_folded: dict[str, _Hits]


@functools.cache
def _gene_index() -> _GeneIndex:
    hgnc = _table("HGNC")
    idx: dict[str, dict[str, list[tuple[str, str, str]]]] = {k: defaultdict(list) for k in (
        "symbol", "symbol_folded", "previous", "previous_folded", "alias", "alias_folded")}
    to_hgnc: dict[str, list[str]] = defaultdict(list)
    # columns: id symbol name aliases previous locus_type mgi rgd status replaced_by
    for curie, row in hgnc.rows.items():
        if row[8]:  # withdrawn
            continue
        idx["symbol"][row[1]].append((curie, "", row[1]))
        idx["symbol_folded"][row[1].casefold()].append((curie, "", row[1]))
        for kind, column in (("alias", 3), ("previous", 4)):
            for name in _split(row[column]):
                idx[kind][name].append((curie, "", name))
                idx[kind + "_folded"][name.casefold()].append((curie, "", name))
        for oid in (*_split(row[6]), *_split(row[7])):
            to_hgnc[oid].append(curie)
    ortholog: dict[str, _Hits] = {}
    synonym: dict[str, _Hits] = {}
    folded: dict[str, _Hits] = {}
    for species, ns in (("mouse", "MGI"), ("rat", "RGD")):
        o: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        s: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        f: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for oid, row in _table(ns).rows.items():
            symbol, synonyms = row[1], _split(row[2])
            for h in to_hgnc.get(oid, ()):
                o[symbol].append((h, oid, symbol))
                f[symbol.casefold()].append((h, oid, symbol))
                for syn in synonyms:
                    s[syn].append((h, oid, syn))
                    f[syn.casefold()].append((h, oid, syn))
        ortholog[species], synonym[species], folded[species] = dict(o), dict(s), dict(f)
    return _GeneIndex(**{k: dict(v) for k, v in idx.items()}, ortholog=ortholog,
                      ortholog_synonym=synonym, ortholog_folded=folded)


def _gene_ref(word: str, hgnc_id: str, how: GeneMatch, matched: str, via: str = "") -> GeneRef:
    hgnc = _table("HGNC")
    r = dict(zip(hgnc.columns, hgnc.rows[hgnc_id], strict=True))
    refs: dict[str, tuple[str | None, str | None]] = {}
    for ns, column in (("MGI", "mgi"), ("RGD", "rgd")):
        ids = _split(r[column])
        oid = via if via in ids else (ids[0] if ids else None)
        known = oid is not None and oid in _table(ns).rows
        refs[ns] = (_table(ns).rows[oid][1] if known and oid else None, oid)
    return GeneRef(
        query=word, hgnc_id=hgnc_id, symbol=r["symbol"], name=r["name"],
        locus_type=r["locus_type"], matched_by=how, matched_name=matched,
        mouse_symbol=refs["MGI"][0], mgi_id=refs["MGI"][1],
        rat_symbol=refs["RGD"][0], rgd_id=refs["RGD"][1],
    )


_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa"}
_GREEK_LETTER = {"α": "A", "β": "B", "γ": "G", "δ": "D", "κ": "K"}


def _variants(word: str) -> list[str]:
    """Spellings to try in order: as given, Greek spelled out, without hyphens/spaces/dots."""
    out = [word]
    spelled = word
    for g, name in _GREEK.items():
        spelled = spelled.replace(g, name)
    lettered = word
    for g, letter in _GREEK_LETTER.items():
        lettered = lettered.replace(g, letter)
    for v in (spelled, re.sub(r"[-\s.]", "", word), re.sub(r"[-\s.]", "", lettered)):
        if v and v not in out:
            out.append(v)
    return out


def _match_levels(word: str, species: str | None) -> list[GeneRef]:
    g = _gene_index()
    orth = [species] if species in ("mouse", "rat") else ["mouse", "rat"]

    def human(table: _Hits, key: str, how: GeneMatch) -> list[GeneRef]:
        hits: dict[str, GeneRef] = {}
        for h, _, name in table.get(key, ()):
            hits.setdefault(h, _gene_ref(word, h, how, name))
        return list(hits.values())

    def other(tables: dict[str, _Hits], key: str, how: GeneMatch) -> list[GeneRef]:
        hits: dict[str, GeneRef] = {}
        for sp in orth:
            for h, oid, name in tables[sp].get(key, ()):
                hits.setdefault(h, _gene_ref(word, h, how, name, oid))
        return list(hits.values())

    folded = word.casefold()
    levels: list[Callable[[], list[GeneRef]]] = [
        lambda: human(g.symbol, word, "symbol"),
        lambda: other(g.ortholog, word, "ortholog"),
        lambda: human(g.symbol_folded, folded, "symbol"),
        lambda: human(g.previous, word, "previous"),
        lambda: human(g.alias, word, "alias"),
        lambda: human(g.previous_folded, folded, "previous"),
        lambda: human(g.alias_folded, folded, "alias"),
        lambda: other(g.ortholog_synonym, word, "ortholog_synonym"),
        lambda: other(g.ortholog_folded, folded, "ortholog_synonym"),
    ]
    if species in ("mouse", "rat"):  # the species' own symbols come first
        levels[0], levels[1] = levels[1], levels[0]
    for level in levels:
        hits = level()
        if hits:
            return hits
    return []


def gene_candidates(word: str, species: str | None = None) -> list[GeneRef]:
    """Return every gene ``word`` could name, at the most specific level that matches.

    Levels, first hit wins: HGNC approved symbol; mouse/rat symbol (tried first when
    ``species`` is mouse or rat); approved symbol in any case; previous symbol; alias;
    previous symbol or alias in any case; mouse/rat synonym. Each level is tried on the word
    as given, then with Greek letters spelled out, then without hyphens, spaces and dots.
    More than one result means the word is ambiguous at that level.

    Parameters
    ----------
    word
        A gene symbol, alias or mouse/rat symbol, e.g. ``"RUNX2"``, ``"Cbfa1"``, ``"Sost"``.
    species
        ``"human"``, ``"mouse"``, ``"rat"`` (or an NCBITaxon CURIE); None tries all.

    Returns
    -------
    list of GeneRef
        Empty if nothing matched.
    """
    sp = species_key(species)
    text = word.strip()
    if not text:
        return []
    for variant in _variants(text):
        hits = _match_levels(variant, sp[0] if sp else None)
        if hits:
            return [dataclasses.replace(h, query=text) for h in hits]
    return []


def normalize_gene(word: str, species: str | None = None) -> GeneRef | None:
    """Resolve a gene name to its HGNC entry, or None if unknown or ambiguous.

    See :func:`gene_candidates` for the matching order; an ambiguous word (an alias shared
    by several genes) gives None here; use :func:`require_gene` for an error naming the
    candidates.

    Examples
    --------
    >>> ref = normalize_gene("Sost")
    >>> ref.hgnc_id, ref.symbol, ref.matched_by, ref.mgi_id
    ('HGNC:13771', 'SOST', 'ortholog', 'MGI:1921749')
    """
    hits = gene_candidates(word, species)
    return hits[0] if len(hits) == 1 else None


def require_gene(word: str, species: str | None = None) -> GeneRef:
    """Resolve a gene name to its HGNC entry.

    Raises
    ------
    UnknownIdentifierError
        If the word names no gene (with the closest approved symbol), or several.
    """
    hits = gene_candidates(word, species)
    if len(hits) == 1:
        return hits[0]
    if hits:
        listing = ", ".join(f"{h.symbol} ({h.hgnc_id})" for h in hits)
        raise UnknownIdentifierError(
            f"gene name {word!r} is ambiguous: it is a {hits[0].matched_by} of {listing}; "
            "use the approved HGNC symbol"
        )
    first = word.strip()[:1].casefold()
    symbols = [s for s in _gene_index().symbol if s[:1].casefold() == first]
    raise UnknownIdentifierError(
        f"{word!r} is not an HGNC symbol, alias or previous symbol, nor a mouse or rat "
        f"symbol{suggest(word.upper(), symbols)}"
    )


# --------------------------------------------------------------------------- gene/miRNA lists


@dataclass(frozen=True)
class NormalizedList:
    """A user's gene/miRNA list resolved against the vocabularies, in input order.

    ``genes`` and ``mirnas`` map each input word to what it names; ``ambiguous`` holds
    words shared by several genes (with the candidates); ``unmatched`` the words that named
    nothing, to report back to the user.
    """

    genes: Mapping[str, GeneRef] = field(default_factory=dict)
    mirnas: Mapping[str, MirnaName] = field(default_factory=dict)
    ambiguous: Mapping[str, tuple[GeneRef, ...]] = field(default_factory=dict)
    unmatched: tuple[str, ...] = ()

    @property
    def hgnc_ids(self) -> tuple[str, ...]:
        """Distinct HGNC ids of the genes, in input order."""
        return tuple(dict.fromkeys(g.hgnc_id for g in self.genes.values()))

    @property
    def mirna_loci(self) -> tuple[str, ...]:
        """Distinct miRNA loci (``miR-214``), in input order."""
        return tuple(dict.fromkeys(m.locus for m in self.mirnas.values()))


def normalize_list(words: Iterable[str], species: str | None = None) -> NormalizedList:
    """Resolve each word of a gene/miRNA list (e.g. exosome sequencing hits).

    A word that parses as a miRNA name and whose locus is in miRBase is a miRNA (so
    ``MIR214`` is the miRNA, not the gene); otherwise it is resolved as a gene with
    :func:`gene_candidates`. Blank words and repeats are skipped; nothing is dropped
    silently: what does not resolve is in ``unmatched`` or ``ambiguous``.

    Parameters
    ----------
    words
        The list as the user gave it.
    species
        Species of the genes (``"mouse"`` makes mouse symbols win); None tries all.

    Returns
    -------
    NormalizedList

    Examples
    --------
    >>> result = normalize_list(["Runx2", "miR-214-3p", "NOTAGENE"])
    >>> result.hgnc_ids, result.mirna_loci, result.unmatched
    (('HGNC:10472',), ('miR-214',), ('NOTAGENE',))
    """
    genes: dict[str, GeneRef] = {}
    mirnas: dict[str, MirnaName] = {}
    ambiguous: dict[str, tuple[GeneRef, ...]] = {}
    unmatched: list[str] = []
    seen: set[str] = set()  # a set, not the lists: a long list of unknown words stays linear
    for raw in words:
        word = raw.strip()
        if not word or word in seen:
            continue
        seen.add(word)
        mirna = get_mirna(word)
        if mirna is not None and _mirna_known(mirna):
            mirnas[word] = mirna
            continue
        hits = gene_candidates(word, species)
        if len(hits) == 1:
            genes[word] = hits[0]
        elif hits:
            ambiguous[word] = tuple(hits)
        else:
            unmatched.append(word)
    return NormalizedList(genes, mirnas, ambiguous, tuple(unmatched))


# --------------------------------------------------------------------------- curated entities


def _describe(term: Term) -> str:
    return f"{term.curie} ({term.label!r})" if term.label else term.curie


def _check_entity(entity: Entity) -> list[str]:
    assert entity.id is not None
    key, etype = entity.key, entity.type
    where = f"entity {key!r} ({etype.value})"
    norm = normalize_curie(entity.id)
    allowed = TYPE_NAMESPACES[etype]
    if norm is None:
        message = (
            f"{where}: {entity.id!r} has no known namespace; a {etype.value} takes its id "
            f"from {' or '.join(allowed)}"
        )
        return [message]
    ns = norm.partition(":")[0]
    problems: list[str] = []
    if norm != entity.id:
        problems.append(f"{where}: write the id as {norm!r}, not {entity.id!r}")
    if ns not in allowed:
        problems.append(f"{where}: id {entity.id} is from {ns}; a {etype.value} takes its id "
                        f"from {' or '.join(allowed)}")
    term = lookup(norm)
    if term is None:
        hint = ""
        if ns in allowed and ns not in ("HGNC", "mirbase"):
            found = find_term(entity.name, ns)
            if found:
                hint = f"; by name the table has {', '.join(_describe(t) for t in found[:3])}"
        if not hint:
            hint = _close_id(norm)
        return [*problems, f"{where}: {norm} is not in the {ns} table ({table_source(ns)}){hint}"]
    if term.deprecated:
        if term.replaced_by:
            repl = ", ".join(_describe(lookup(r) or Term(r, "", ns)) for r in term.replaced_by)
            problems.append(f"{where}: {_describe(term)} is deprecated; use {repl}")
        else:
            problems.append(f"{where}: {_describe(term)} is deprecated and names no replacement")
        return problems
    expected_subset = _GO_SUBSET.get(etype)
    if ns == "GO" and expected_subset and term.subset != expected_subset:
        problems.append(f"{where}: {_describe(term)} is a GO {term.subset} term; a {etype.value} "
                        f"needs a {expected_subset} term")
    if etype is EntityType.GENE and ns == "HGNC" and key != term.label:
        problems.append(f"{where}: {norm} is {term.label!r}; a gene's key must be its approved "
                        f"HGNC symbol (rename the key to {term.label!r} or fix the id)")
    if etype is EntityType.MIRNA and ns == "mirbase":
        parsed = get_mirna(key)
        if parsed is None:
            problems.append(f"{where}: the key is not a miRNA name (write it like 'miR-214-3p')")
        else:
            loops = mirna_stemloops(parsed, term.subset)
            if norm not in loops:
                names = ", ".join(_describe(_term("mirbase", c)) for c in loops) or "none in the table"
                problems.append(f"{where}: {_describe(term)} is not a stem-loop of {parsed.locus} "
                                f"(stem-loops: {names})")
    return problems


def check_entities(entities: Mapping[str, Entity] | Iterable[Entity]) -> list[str]:
    """Check the identifiers of curated entities against the shipped tables.

    For each entity with an id: the id is in the table of its namespace and not deprecated
    (the replacement is named); the namespace fits the entity type (cell → CL, cell line →
    Cellosaurus, gene → HGNC, family → FamPlex, miRNA → miRBase, pathway/process → GO
    biological_process, vesicle → GO cellular_component, disease → DOID, chemical → ChEBI,
    context → DOID or GO); a gene's key is its approved HGNC symbol; a miRNA's key parses
    and its stem-loop is one of :func:`mirna_stemloops` of the key. Entities without an id
    are skipped (they carry ``unmapped_reason``).

    Parameters
    ----------
    entities
        Entities by key (as in ``Atlas.entities``) or any iterable of entities.

    Returns
    -------
    list of str
        One message per problem, naming the entity and what to do; empty if all is well.

    Examples
    --------
    >>> from exobone.atlas.records import Entity
    >>> check_entities([Entity(key="Runx2", name="Runx2", type="gene", id="HGNC:10472")])
    ["entity 'Runx2' (gene): HGNC:10472 is 'RUNX2'; a gene's key must be its approved HGNC symbol (rename the key to 'RUNX2' or fix the id)"]
    """
    items = entities.values() if isinstance(entities, Mapping) else entities
    problems: list[str] = []
    for entity in items:
        if entity.id is not None:
            problems.extend(_check_entity(entity))
    return problems


def label_mismatches(entities: Mapping[str, Entity] | Iterable[Entity]) -> list[str]:
    """List entities whose name, key and synonyms all differ from their term's label and synonyms.

    Advisory: a deliberate mapping to a broader term (say, an iPSC-derived MSC to
    ``mesenchymal stem cell``) is fine and should carry a ``note``, so entities with a note
    are skipped. An entity listed here without a note often has a mistyped id. Genes and
    miRNAs are left out (their keys are checked by :func:`check_entities`).
    """
    items = entities.values() if isinstance(entities, Mapping) else entities
    out: list[str] = []
    for e in items:
        if e.id is None or e.note or e.type in (EntityType.GENE, EntityType.MIRNA):
            continue
        term = lookup(e.id)
        if term is None or term.deprecated:
            continue
        ours = {_alnum(x) for x in (e.name, e.key, *e.synonyms)}
        theirs = {_alnum(x) for x in (term.label, *term.synonyms)}
        if not ours & theirs:
            out.append(f"entity {e.key!r} ({e.type.value}) is named {e.name!r} but {e.id} is "
                       f"{term.label!r}; check the id, or add a note if the mapping is deliberate")
    return out


__all__ = [
    "TABLES",
    "TYPE_NAMESPACES",
    "GeneRef",
    "MirnaName",
    "NormalizedList",
    "Term",
    "check_entities",
    "family_members",
    "find_term",
    "gene_candidates",
    "get_mirna",
    "label_mismatches",
    "lookup",
    "mirna_matches",
    "mirna_related",
    "mirna_stemloops",
    "normalize_curie",
    "normalize_gene",
    "normalize_list",
    "parse_mirna",
    "require",
    "require_gene",
    "table_source",
]
