"""Figures as gene sets, and the rule that links a figure to the atlas mechanisms it touches.

The public names are re-exported by :mod:`exobone.atlas.ingest.pfocr`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from exobone.atlas.ingest._normalize import (
    HYPHENS,
    GeneNormalizer,
    default_gene_normalizer,
)
from exobone.atlas.vocab import family_members as vocab_family_members

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas
    from exobone.atlas.ingest.pfocr import FigureRecord
    from exobone.atlas.records import Entity, Mechanism

# --------------------------------------------------------------------------------------------
# figures as gene sets, and their links to mechanisms


def gene_sets(
    figures: Iterable[FigureRecord],
    *,
    include_expanded: bool = True,
    include_non_human: bool = True,
) -> dict[str, frozenset[str]]:
    """Return each figure as a gene set: figid -> HGNC symbols (see :meth:`FigureRecord.gene_set`)."""
    return {
        f.figid: f.gene_set(include_expanded=include_expanded, include_non_human=include_non_human)
        for f in figures
    }


FamilyMembers = Callable[[str], Iterable[str]]

_GENE_TYPES = ("gene", "family", "mirna")


def _mirna_pattern(name: str) -> re.Pattern[str]:
    """miR-26a -> MIR26A with optional locus digit (MIR26A1, MIR26A2); miR-9 -> MIR9(-n)."""
    core = re.sub(r"^(?:[a-z]{3}-)?(?:mir|miR|MIR)-?", "", name.strip())
    core = re.sub(r"-[35]p$", "", core)
    if core.lower().startswith("let-"):
        stem = "MIRLET" + HYPHENS.sub("", core[4:]).upper()
    else:
        stem = "MIR" + HYPHENS.sub("", core).upper()
    tail = r"(?:\d+)?" if stem[-1].isalpha() else r"(?:-\d+)?"
    return re.compile(re.escape(stem) + tail)


def _entity_index(atlas: Atlas) -> dict[str, Entity]:
    """Gene, family and miRNA entities by lower-cased key, name and synonyms."""
    index: dict[str, Entity] = {}
    for e in atlas.entities.values():
        if e.type.value not in _GENE_TYPES:
            continue
        for label in (e.key, e.name, *e.synonyms):
            index.setdefault(HYPHENS.sub("-", label).lower(), e)
    return index


def _resolve_entity(
    entity: Entity,
    figure_genes: frozenset[str],
    family_members: FamilyMembers | None,
) -> set[str]:
    """HGNC symbols an atlas gene/family/miRNA entity stands for, among ``figure_genes``."""
    kind = entity.type.value
    if kind == "gene":
        return {entity.key} if entity.id and entity.id.startswith("HGNC:") else set()
    if kind == "family":
        return set(family_members(entity.key)) if family_members is not None else set()
    if kind == "mirna":
        pattern = _mirna_pattern(entity.key)
        return {g for g in figure_genes if pattern.fullmatch(g)}
    return set()


def _pathway_members(
    entity: Entity,
    index: Mapping[str, Entity],
    figure_genes: frozenset[str],
    normalizer: GeneNormalizer,
    family_members: FamilyMembers | None,
) -> set[str]:
    """Genes a pathway names: tokens of its name and synonyms split at '/' (JAK2/STAT3)."""
    out: set[str] = set()
    for label in (entity.name, *entity.synonyms):
        for token in re.split(r"[/\s]+", label):
            token = token.strip("()[],;:")
            if not token:
                continue
            candidates = [token, *HYPHENS.split(token)] if HYPHENS.search(token) else [token]
            for cand in candidates:
                hit = index.get(HYPHENS.sub("-", cand).lower())
                if hit is not None:
                    out |= _resolve_entity(hit, figure_genes, family_members)
                    break
                # Only specific symbols (JAK2, STAT3), not family words (MAPK, Notch).
                symbol = normalizer(cand) if re.search(r"\d", cand) else None
                if symbol is not None:
                    out.add(symbol)
                    break
    return out


def mechanism_genes(
    mechanism: Mechanism,
    atlas: Atlas,
    *,
    figure_genes: Collection[str] = (),
    normalizer: GeneNormalizer | None = None,
    family_members: FamilyMembers | None = None,
) -> frozenset[str]:
    """Return the HGNC symbols a mechanism names, for matching against figure gene sets.

    The rule: a mechanism names the genes of its molecular entities, which are its ``source``
    (when the source is a molecule), its ``cargo``, its ``molecular_targets``, the ``readouts``
    of its evidence, and the members of its ``pathways``. A gene entity stands for its HGNC
    symbol (its key); a family entity for its members, when ``family_members`` is given; a
    miRNA for the HGNC MIR genes of its stem-loops (miR-26a -> MIR26A1, MIR26A2) among
    ``figure_genes``; a pathway for the genes and families its name or synonyms spell out
    between slashes (``JAK2/STAT3`` -> JAK2, STAT3; ``PI3K/Akt`` -> the PI3K and AKT families).
    Cells, processes and contexts name no genes.

    Parameters
    ----------
    mechanism, atlas
        The mechanism and the atlas holding its entities.
    figure_genes
        Symbols to match miRNA stem-loops against (miRNA names give no single locus).
    normalizer
        For pathway tokens that are not atlas entities; defaults to
        :func:`default_gene_normalizer`.
    family_members
        Maps a family entity key (``"PI3K"``) to its HGNC member symbols; defaults to
        :func:`exobone.atlas.vocab.family_members`.

    Returns
    -------
    frozenset of str
    """
    norm = normalizer if normalizer is not None else default_gene_normalizer()
    members = family_members if family_members is not None else vocab_family_members
    return _mechanism_genes(
        mechanism, atlas, _entity_index(atlas), frozenset(figure_genes), norm, members
    )


def _mechanism_genes(
    mechanism: Mechanism,
    atlas: Atlas,
    index: Mapping[str, Entity],
    fig: frozenset[str],
    norm: GeneNormalizer,
    members: FamilyMembers | None,
) -> frozenset[str]:
    keys = [*mechanism.cargo, *(t.entity for t in mechanism.molecular_targets)]
    keys += [r.entity for ev in mechanism.evidence for r in ev.readouts]
    source = atlas.entities.get(mechanism.source)
    if source is not None and source.type.value in _GENE_TYPES:
        keys.append(mechanism.source)
    out: set[str] = set()
    for key in keys:
        entity = atlas.entities.get(key)
        if entity is not None:
            out |= _resolve_entity(entity, fig, members)
    for key in mechanism.pathways:
        entity = atlas.entities.get(key)
        if entity is not None:
            out |= _pathway_members(entity, index, fig, norm, members)
    return frozenset(out)


def shared_genes(
    figure: FigureRecord,
    atlas: Atlas,
    *,
    normalizer: GeneNormalizer | None = None,
    family_members: FamilyMembers | None = None,
) -> dict[str, frozenset[str]]:
    """Return, for each mechanism the figure touches, the genes they share.

    A mechanism is touched when :func:`mechanism_genes` and the figure's gene set
    (:meth:`FigureRecord.gene_set`, all normalised symbols) intersect.

    Returns
    -------
    dict
        Mechanism id -> shared HGNC symbols, ordered by mechanism id.
    """
    fig = figure.gene_set()
    norm = normalizer if normalizer is not None else default_gene_normalizer()
    members = family_members if family_members is not None else vocab_family_members
    index = _entity_index(atlas)
    out: dict[str, frozenset[str]] = {}
    for mid, mech in sorted(atlas.mechanisms.items()):
        genes = _mechanism_genes(mech, atlas, index, fig, norm, members)
        common = genes & fig
        if common:
            out[mid] = frozenset(common)
    return out


def link_figure(
    figure: FigureRecord,
    atlas: Atlas,
    *,
    normalizer: GeneNormalizer | None = None,
    family_members: FamilyMembers | None = None,
) -> list[str]:
    """Return the ids of the mechanisms a figure touches, sorted.

    A mechanism is touched when the genes it names -- its cargo, molecular targets, evidence
    readouts, pathway members, and its source when that is a molecule (see
    :func:`mechanism_genes`) -- share at least one HGNC symbol with the figure's gene set.

    Parameters
    ----------
    figure
        A parsed PFOCR record.
    atlas
        The curated atlas (:func:`exobone.atlas.curation.load_atlas`).
    normalizer, family_members
        As for :func:`mechanism_genes`.

    Returns
    -------
    list of str
        Mechanism ids (merged ids, as in ``atlas.mechanisms``).
    """
    return list(shared_genes(figure, atlas, normalizer=normalizer, family_members=family_members))
