"""Search the atlas by any axis: cargo, source, target, pathway, disease, species, setting, text.

Entity filters (``cargo``, ``source``, ``target``, ``pathway``, ``disease``) match an entity's
curation key, name, synonyms or identifier, ignoring case, dashes and underscores. On top of
that, ``cargo`` (and any filter naming a molecule) is

- **miRNA-arm aware**: ``miR-214`` finds ``miR-214-3p`` and ``miR-214-5p``; ``mmu-miR-214-3p``
  finds ``miR-214-3p``; ``miR-214-3p`` does not find ``miR-214-5p``
  (:func:`exobone.atlas.vocab.mirna_matches`);
- **gene-alias aware**: ``OPN`` finds ``SPP1``, the mouse symbol ``Sost`` finds ``SOST``
  (:func:`exobone.atlas.vocab.normalize_gene`).

``disease`` matches a mechanism's contexts and also every context mapped to the same
identifier: ``osteoporosis`` (DOID:11476) finds mechanisms curated in the ``ovx`` context,
which the curators mapped to DOID:11476. ``species`` takes ``human``/``mouse``/``rat``, a
scientific name or an NCBITaxon id; ``species`` and ``setting`` must hold for the same
evidence item. ``text`` is a full-text search (any language; see
:meth:`exobone.atlas.store.Store.match_text`).

Every function takes either a :class:`~exobone.atlas.store.Store` or an
:class:`~exobone.atlas.curation.Atlas` as its first argument.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from exobone.atlas.curation import Atlas
from exobone.atlas.records import (
    SPECIES,
    SPECIES_SHORT,
    Direction,
    Entity,
    EntityType,
    Evidence,
    Experiment,
    InterventionKind,
    Mechanism,
    MechanismKind,
    Outcome,
    Setting,
)
from exobone.atlas.store import Store
from exobone.atlas.textindex import match_text_rows, text_rows
from exobone.atlas.vocab import mirna_matches, normalize_gene
from exobone.errors import InvalidInputError, unknown_name

AtlasLike = Store | Atlas

# ---------------------------------------------------------------------------- vocabularies

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")

_DIRECTION_WORDS = {
    "increase": Direction.INCREASE, "increases": Direction.INCREASE, "up": Direction.INCREASE,
    "+": Direction.INCREASE, "promote": Direction.INCREASE, "promotes": Direction.INCREASE,
    "upregulate": Direction.INCREASE, "upregulates": Direction.INCREASE,
    "activate": Direction.INCREASE, "activates": Direction.INCREASE,
    "decrease": Direction.DECREASE, "decreases": Direction.DECREASE, "down": Direction.DECREASE,
    "-": Direction.DECREASE, "inhibit": Direction.DECREASE, "inhibits": Direction.DECREASE,
    "downregulate": Direction.DECREASE, "downregulates": Direction.DECREASE,
    "suppress": Direction.DECREASE, "suppresses": Direction.DECREASE,
    "mixed": Direction.MIXED, "none": Direction.NONE, "no change": Direction.NONE,
    "unchanged": Direction.NONE,
}

_SETTING_WORDS = {
    "in vitro": (Setting.IN_VITRO, Setting.IN_VITRO_AND_IN_VIVO),
    "in vivo": (Setting.IN_VIVO, Setting.IN_VITRO_AND_IN_VIVO),
    "in vitro and in vivo": (Setting.IN_VITRO_AND_IN_VIVO,),
    "clinical": (Setting.CLINICAL,),
    "review": (Setting.REVIEW,),
    "figure": (Setting.FIGURE,),
}

_TAXON_PREFIX = {"hsa": "NCBITaxon:9606", "mmu": "NCBITaxon:10090", "rno": "NCBITaxon:10116"}


def _norm(text: str) -> str:
    """Fold case, dashes, underscores and spacing so names compare as people write them."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).casefold()
    return re.sub(r"[\s_]+", " ", text).strip()


def parse_direction(value: str | Direction) -> Direction:
    """Return the :class:`Direction` named by ``value`` (``up``, ``inhibits`` and ``-`` work)."""
    if isinstance(value, Direction):
        return value
    found = _DIRECTION_WORDS.get(_norm(value))
    if found is None:
        raise unknown_name("direction", value, [d.value for d in Direction])
    return found


def parse_settings(value: str | Setting) -> tuple[Setting, ...]:
    """Return the settings a ``setting`` filter accepts.

    ``in_vivo`` also accepts evidence obtained ``in_vitro_and_in_vivo`` (and likewise for
    ``in_vitro``).
    """
    if isinstance(value, Setting):
        value = value.value
    found = _SETTING_WORDS.get(_norm(value).replace("-", " "))
    if found is None:
        raise unknown_name("setting", value, [s.value for s in Setting])
    return found


def parse_species(value: str) -> str:
    """Return the NCBITaxon CURIE for ``human``, ``Mus musculus``, ``9606``, ``NCBITaxon:10116``."""
    v = _norm(value)
    if v in SPECIES_SHORT:
        return SPECIES_SHORT[v]
    if v in _TAXON_PREFIX:
        return _TAXON_PREFIX[v]
    for curie, name in SPECIES.items():
        if v in (_norm(curie), _norm(name), curie.split(":")[1]):
            return curie
    if re.fullmatch(r"(ncbitaxon:)?\d+", v):
        return "NCBITaxon:" + v.split(":")[-1]
    raise unknown_name("species", value, [*SPECIES_SHORT, *SPECIES])


def parse_mechanism_kind(value: str | MechanismKind) -> MechanismKind:
    """Return the :class:`MechanismKind` named by ``value``."""
    try:
        return MechanismKind(value if isinstance(value, MechanismKind) else _norm(value).replace(" ", "_"))
    except ValueError:
        raise unknown_name("mechanism kind", str(value), [k.value for k in MechanismKind]) from None


def parse_intervention_kind(value: str | InterventionKind) -> InterventionKind:
    """Return the :class:`InterventionKind` named by ``value``."""
    try:
        return InterventionKind(
            value if isinstance(value, InterventionKind) else _norm(value).replace(" ", "_")
        )
    except ValueError:
        raise unknown_name("intervention kind", str(value), [k.value for k in InterventionKind]) from None


# ---------------------------------------------------------------------------- entity matching


def _vocab_gene_symbol(name: str) -> str | None:
    """HGNC symbol for a gene name, alias or mouse/rat symbol, via the vocabulary."""
    try:
        found = normalize_gene(name)
    except (KeyError, ValueError):
        return None
    if found is None or isinstance(found, str):
        return found
    symbol = getattr(found, "symbol", None)
    return symbol if isinstance(symbol, str) else None


def _vocab_mirna_matches(query: str, name: str) -> bool:
    """True if the miRNA ``query`` (maybe without arm or with species) covers ``name``."""
    try:
        return bool(mirna_matches(query, name))
    except (KeyError, ValueError):
        return False


_MIRNA_LIKE = re.compile(r"(?i)^([a-z]{3}-)?(mir|let)-?\d")


class _Query:
    """A filter value with its gene and miRNA readings worked out once."""

    def __init__(self, query: str) -> None:
        self.text = query.strip()
        self.folded = _norm(query)
        self.is_mirna = bool(_MIRNA_LIKE.match(self.text))
        self._symbol: str | None | bool = False  # False: not looked up yet

    @property
    def symbol(self) -> str | None:
        if self._symbol is False:
            self._symbol = _vocab_gene_symbol(self.text)
        return self._symbol  # type: ignore[return-value]

    def names(self, entity: Entity) -> bool:
        words = (entity.key, entity.name, entity.id, *entity.synonyms)
        if any(w is not None and _norm(w) == self.folded for w in words):
            return True
        if entity.type is EntityType.MIRNA and self.is_mirna:
            return _vocab_mirna_matches(self.text, entity.key)
        if entity.type is EntityType.GENE:
            return self.symbol is not None and self.symbol == entity.key
        return False


def entity_matches(entity: Entity, query: str) -> bool:
    """Return True if ``query`` names ``entity``.

    By key, name, synonym or identifier (case, dashes and underscores ignored); for miRNAs
    also arm- and species-aware (``miR-214`` names ``miR-214-3p``); for genes also through
    the HGNC alias and mouse/rat ortholog tables (``OPN`` names ``SPP1``).
    """
    return _Query(query).names(entity)


def resolve_entities(atlas: Atlas, query: str, *, same_identifier: bool = False) -> set[str]:
    """Return the keys of every entity ``query`` names (see :func:`entity_matches`).

    With ``same_identifier``, also every entity mapped to the same identifier as one of those
    (``osteoporosis`` → ``ovx`` and ``aging``, all DOID:11476).
    """
    if not query or not query.strip():
        raise InvalidInputError("empty filter value; give a name, symbol or identifier")
    q = _Query(query)
    keys = {k for k, e in atlas.entities.items() if q.names(e)}
    if same_identifier:
        ids = {atlas.entities[k].id for k in keys} - {None}
        keys |= {k for k, e in atlas.entities.items() if e.id in ids}
    return keys


# ---------------------------------------------------------------------------- hits


@dataclass(frozen=True)
class MechanismHit:
    """A mechanism found by :func:`search`, with the evidence items that satisfied the filters."""

    mechanism: Mechanism
    evidence: tuple[Evidence, ...]
    matched: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The mechanism id."""
        return self.mechanism.id


@dataclass(frozen=True)
class ExperimentHit:
    """An experiment found by :func:`search_experiments`, with the outcomes that matched."""

    experiment: Experiment
    outcomes: tuple[Outcome, ...]
    matched: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The experiment id."""
        return self.experiment.id


def _atlas_of(where: AtlasLike) -> Atlas:
    if isinstance(where, Store):
        return where.atlas()
    if isinstance(where, Atlas):
        return where
    raise InvalidInputError(f"expected a Store or an Atlas, got {type(where).__name__}")


def _text_ids(where: AtlasLike, text: str, record_type: str) -> set[str]:
    if isinstance(where, Store):
        return where.match_text(text, record_type)
    return match_text_rows(text_rows(where), text, record_type)


_BY_KEY = frozenset({EntityType.GENE, EntityType.MIRNA, EntityType.FAMILY})


def display_name(atlas: Atlas, key: str) -> str:
    """Return how an entity is shown: its symbol for genes and miRNAs, else its name."""
    e = atlas.entities.get(key)
    if e is None:
        return key
    return e.key if e.type in _BY_KEY else e.name


def _label(atlas: Atlas, keys: Iterable[str]) -> str:
    return ", ".join(sorted(display_name(atlas, k) for k in keys))


class _Filters:
    """Collects entity-set filters and the matched descriptions for one search."""

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        self.checks: list[tuple[str, set[str], Callable[[object], Iterable[str]]]] = []

    def add(
        self, name: str, query: str | None, getter: Callable[[object], Iterable[str]], *,
        same_identifier: bool = False,
    ) -> None:
        if query is None:
            return
        self.checks.append((name, resolve_entities(self.atlas, query, same_identifier=same_identifier), getter))

    def match(self, record: object) -> list[str] | None:
        matched: list[str] = []
        for name, keys, getter in self.checks:
            hit = keys.intersection(getter(record))
            if not hit:
                return None
            matched.append(f"{name}: {_label(self.atlas, hit)}")
        return matched


def search(
    where: AtlasLike,
    /,
    *,
    cargo: str | None = None,
    source: str | None = None,
    target: str | None = None,
    pathway: str | None = None,
    disease: str | None = None,
    species: str | None = None,
    setting: str | Setting | None = None,
    direction: str | Direction | None = None,
    text: str | None = None,
    kind: str | MechanismKind | None = None,
    min_evidence: int | None = None,
    limit: int | None = None,
) -> list[MechanismHit]:
    """Find mechanisms matching every given filter.

    Parameters
    ----------
    where
        A :class:`~exobone.atlas.store.Store` or an :class:`~exobone.atlas.curation.Atlas`.
    cargo
        miRNA (arm-aware), gene (alias-aware) or other cargo carried by the vesicles.
    source
        The exosome source cell or the upstream molecule/condition.
    target
        The target cell or tissue, or a molecule whose level the mechanism changes.
    pathway
        A signalling pathway the mechanism acts through.
    disease
        A disease or experimental context, including contexts mapped to the same identifier.
    species
        ``human``, ``mouse``, ``rat``, a scientific name or an NCBITaxon id.
    setting
        ``in_vitro``, ``in_vivo`` (both also accept ``in_vitro_and_in_vivo``), ``clinical``,
        ``review`` or ``figure``.
    direction
        ``increase``, ``decrease``, ``mixed`` or ``none`` (``up``, ``down``, ``inhibits``...).
    text
        Full-text query over quotes (any language), English renderings, names and citations.
    kind
        Mechanism kind (``exosome_transfer``, ``regulation``, ...).
    min_evidence
        Only mechanisms with at least this many evidence items.
    limit
        Return at most this many hits.

    Returns
    -------
    list of MechanismHit
        In mechanism-id order.

    Raises
    ------
    UnknownNameError
        For a species, setting, direction or kind that does not exist.
    InvalidInputError
        For an empty filter value or a negative limit.

    Examples
    --------
    >>> from exobone.atlas.curation import load_atlas
    >>> hits = search(load_atlas(), cargo="miR-214")
    >>> all(any("214" in c for c in h.mechanism.cargo) for h in hits)
    True
    """
    if limit is not None and limit < 0:
        raise InvalidInputError(f"limit must be >= 0, got {limit}")
    atlas = _atlas_of(where)
    want_direction = parse_direction(direction) if direction is not None else None
    want_kind = parse_mechanism_kind(kind) if kind is not None else None
    want_taxon = parse_species(species) if species is not None else None
    want_settings = parse_settings(setting) if setting is not None else None

    filters = _Filters(atlas)
    filters.add("cargo", cargo, lambda m: m.cargo)  # type: ignore[attr-defined]
    filters.add("source", source, lambda m: (m.source,))  # type: ignore[attr-defined]
    filters.add(
        "target", target,
        lambda m: (m.target, *(t.entity for t in m.molecular_targets)),  # type: ignore[attr-defined]
    )
    filters.add("pathway", pathway, lambda m: m.pathways)  # type: ignore[attr-defined]
    filters.add("disease", disease, lambda m: m.contexts, same_identifier=True)  # type: ignore[attr-defined]
    text_ids = _text_ids(where, text, "mechanism") if text is not None else None

    hits: list[MechanismHit] = []
    for m in atlas.mechanisms.values():
        if limit is not None and len(hits) >= limit:
            break
        if want_kind is not None and m.kind is not want_kind:
            continue
        if want_direction is not None and m.direction is not want_direction:
            continue
        if text_ids is not None and m.id not in text_ids:
            continue
        if min_evidence is not None and len(m.evidence) < min_evidence:
            continue
        matched = filters.match(m)
        if matched is None:
            continue
        evidence = tuple(
            ev
            for ev in m.evidence
            if (want_taxon is None or want_taxon in ev.species)
            and (want_settings is None or ev.setting in want_settings)
        )
        if not evidence:
            continue
        if want_taxon is not None:
            matched.append(f"species: {SPECIES.get(want_taxon, want_taxon)}")
        if text is not None:
            matched.append(f"text: {text}")
        hits.append(MechanismHit(mechanism=m, evidence=evidence, matched=tuple(matched)))
    return hits


def search_experiments(
    where: AtlasLike,
    /,
    *,
    source: str | None = None,
    cargo: str | None = None,
    target: str | None = None,
    disease: str | None = None,
    species: str | None = None,
    setting: str | Setting | None = None,
    measure: str | None = None,
    direction: str | Direction | None = None,
    kind: str | InterventionKind | None = None,
    mechanism: str | None = None,
    text: str | None = None,
    limit: int | None = None,
) -> list[ExperimentHit]:
    """Find experiments matching every given filter.

    Parameters
    ----------
    where
        A :class:`~exobone.atlas.store.Store` or an :class:`~exobone.atlas.curation.Atlas`.
    source
        The intervention's agent: the exosome source cell, gene, miRNA, drug or condition.
    cargo
        Cargo of the intervention, or its agent when that is a miRNA or gene (arm/alias aware).
    target
        A target cell named by the experiment.
    disease
        A disease or model context (including contexts mapped to the same identifier).
    species, setting
        As in :func:`search`; ``setting`` is the experiment's system.
    measure
        An outcome measure by key, or a part of its name (``bv_tv``, ``BV/TV``).
    direction
        Outcome direction; with ``measure``, the direction of that measure.
    kind
        Intervention kind (``exosome``, ``antagomir``, ``knockout``, ...).
    mechanism
        Id of a mechanism the experiment supports (merged ids are followed).
    text
        Full-text query.
    limit
        Return at most this many hits.

    Returns
    -------
    list of ExperimentHit
        In experiment-id order, each with the outcomes that matched ``measure``/``direction``.
    """
    if limit is not None and limit < 0:
        raise InvalidInputError(f"limit must be >= 0, got {limit}")
    atlas = _atlas_of(where)
    want_direction = parse_direction(direction) if direction is not None else None
    want_kind = parse_intervention_kind(kind) if kind is not None else None
    want_taxon = parse_species(species) if species is not None else None
    want_settings = parse_settings(setting) if setting is not None else None
    want_measures: set[str] | None = None
    if measure is not None:
        q = _norm(measure)
        want_measures = {
            k for k, m in atlas.measures.items() if q == _norm(k) or q in _norm(m.name)
        }
    want_mechanism = atlas.alias_of.get(mechanism, mechanism) if mechanism is not None else None

    filters = _Filters(atlas)
    filters.add("source", source, lambda x: (x.intervention.agent,))  # type: ignore[attr-defined]
    filters.add(
        "cargo", cargo, lambda x: (*x.intervention.cargo, x.intervention.agent)  # type: ignore[attr-defined]
    )
    filters.add("target", target, lambda x: x.target_cells)  # type: ignore[attr-defined]
    filters.add("disease", disease, lambda x: x.contexts, same_identifier=True)  # type: ignore[attr-defined]
    text_ids = _text_ids(where, text, "experiment") if text is not None else None

    hits: list[ExperimentHit] = []
    for x in atlas.experiments.values():
        if limit is not None and len(hits) >= limit:
            break
        if want_kind is not None and x.intervention.kind is not want_kind:
            continue
        if want_taxon is not None and want_taxon not in x.species:
            continue
        if want_settings is not None and x.system not in want_settings:
            continue
        if want_mechanism is not None and want_mechanism not in x.mechanisms:
            continue
        if text_ids is not None and x.id not in text_ids:
            continue
        matched = filters.match(x)
        if matched is None:
            continue
        outcomes = tuple(
            o
            for o in x.outcomes
            if (want_measures is None or o.measure in want_measures)
            and (want_direction is None or o.direction is want_direction)
        )
        if not outcomes:
            continue
        hits.append(ExperimentHit(experiment=x, outcomes=outcomes, matched=tuple(matched)))
    return hits


__all__ = [
    "AtlasLike",
    "ExperimentHit",
    "MechanismHit",
    "display_name",
    "entity_matches",
    "parse_direction",
    "parse_intervention_kind",
    "parse_mechanism_kind",
    "parse_settings",
    "parse_species",
    "resolve_entities",
    "search",
    "search_experiments",
]
