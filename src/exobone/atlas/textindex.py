"""The full-text index of the atlas: which text each record contributes, and term matching.

The store keeps these rows in an FTS5 table (``trigram`` tokenizer, so any substring of three
or more characters is searchable, which Chinese text needs); :func:`match_text_rows` is the
in-memory twin used when searching an :class:`~exobone.atlas.curation.Atlas` without a store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from exobone.atlas.curation import Atlas
from exobone.atlas.records import Citation, Entity, Evidence
from exobone.atlas.store_schema import StoredFigure
from exobone.errors import InvalidInputError


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

    The in-memory twin of :meth:`exobone.atlas.store.Store.match_text`, with the same semantics.
    """
    terms = [t.casefold() for t in split_terms(query)]
    texts: dict[str, list[str]] = {}
    for text, rtype, rid, _ in rows:
        if record_type is None or rtype == record_type:
            texts.setdefault(rid, []).append(text.casefold())
    return {
        rid for rid, parts in texts.items() if all(any(t in p for p in parts) for t in terms)
    }


__all__ = ["match_text_rows", "split_terms", "text_rows"]
