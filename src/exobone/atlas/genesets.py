"""Gene/miRNA sets derived from the atlas, shared by GMT export, the store and enrichment.

Four families of sets, each named ``<kind>:<label>``:

``pathway:<pathway key>``
    molecules of every mechanism that acts through the pathway;
``effect:<target key>:<effect key>:<direction>``
    molecules of every mechanism that changes ``effect`` of ``target`` in that direction
    (promoting and inhibiting sets are kept apart because they mean different things);
``source:<cell key>``
    cargo carried by the exosomes (or vesicles) of one source cell or tissue;
``cargo_change:<key>:<direction>``
    cargo that a disease, context or molecule raises or lowers in exosomes (a cargo profile's
    source is the state that changes the cargo, not a donor: ``osteoporosis`` is not a cell
    that secretes exosomes, so it gets no ``source:`` set);
``figure:<figid>``
    genes named in an ingested Pathway Figure OCR record.

The *molecules* of a mechanism are its cargo, its molecular targets and its source when the
source is itself a molecule (a gene or miRNA), restricted to genes and miRNAs. Members are
HGNC symbols (genes are keyed by symbol in the curated data) and canonical mature miRNA names;
families (PI3K, Wnt) and other entity types are left out because GMT consumers expect genes.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from exobone.atlas.curation import Atlas
from exobone.atlas.records import Entity, EntityType, Mechanism, MechanismKind
from exobone.atlas.vocab import get_mirna

SET_KINDS = ("pathway", "effect", "source", "cargo_change", "figure")
#: entity types that can secrete exosomes: only these name a ``source:`` set
DONOR_TYPES = frozenset({EntityType.CELL, EntityType.CELL_LINE, EntityType.TISSUE})
MEMBER_TYPES = frozenset({EntityType.GENE, EntityType.MIRNA})
_VERBS = {"increase": "increases", "decrease": "decreases", "mixed": "mixed effect on",
          "none": "no change in"}
_CARGO_VERBS = {"increase": "raised", "decrease": "lowered", "mixed": "changed",
                "none": "unchanged"}


@dataclass(frozen=True)
class GeneSet:
    """A named set of gene symbols / miRNA names with where it came from."""

    name: str
    kind: str
    label: str
    members: tuple[str, ...]
    mechanisms: tuple[str, ...] = ()
    description: str = ""


def canonical_member(entity: Entity) -> str | None:
    """Return the set-member name of an entity, or ``None`` if it is not a gene or miRNA.

    Genes are keyed by HGNC symbol in the curated data, so the key is the symbol; miRNAs by
    their mature name, canonicalised through the vocabulary when it is available.
    """
    if entity.type not in MEMBER_TYPES:
        return None
    if entity.type is EntityType.MIRNA:
        return _canonical_mirna(entity.key)
    return entity.key


def _canonical_mirna(name: str) -> str:
    """``miR-214-3p`` stays; ``hsa-miR-214-3p`` and ``MIR214`` lose the species prefix."""
    parsed = get_mirna(name)
    if parsed is None:  # an unparseable curated key stays as curated
        return name
    return dataclasses.replace(parsed, species=None).canonical


def mechanism_molecules(atlas: Atlas, mechanism: Mechanism) -> tuple[str, ...]:
    """Return the gene/miRNA members contributed by one mechanism (source, cargo, targets)."""
    keys = [mechanism.source, *mechanism.cargo, *(t.entity for t in mechanism.molecular_targets)]
    out: list[str] = []
    for key in keys:
        entity = atlas.entities.get(key)
        member = canonical_member(entity) if entity is not None else None
        if member is not None and member not in out:
            out.append(member)
    return tuple(out)


def _carries_cargo(mechanism: Mechanism) -> bool:
    return mechanism.vesicle is not None or mechanism.kind in (
        MechanismKind.EXOSOME_TRANSFER,
        MechanismKind.CARGO_PROFILE,
    )


def atlas_gene_sets(atlas: Atlas, *, min_size: int = 1) -> list[GeneSet]:
    """Build the pathway, effect and source sets of an atlas.

    Parameters
    ----------
    atlas
        The loaded atlas.
    min_size
        Sets with fewer members are left out.

    Returns
    -------
    list of GeneSet
        Sorted by name; members sorted.
    """
    members: dict[str, set[str]] = defaultdict(set)
    mechs: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, tuple[str, str]] = {}

    def name_of(key: str) -> str:
        entity = atlas.entities.get(key)
        return entity.name if entity is not None else key

    for m in atlas.mechanisms.values():
        molecules = mechanism_molecules(atlas, m)
        groups: list[tuple[str, str, str, Iterable[str]]] = []
        for p in m.pathways:
            groups.append((f"pathway:{p}", "pathway", name_of(p), molecules))
        verb = _VERBS[m.direction.value]
        effect_label = f"{verb} {name_of(m.effect)} of {name_of(m.target)}"
        groups.append(
            (f"effect:{m.target}:{m.effect}:{m.direction.value}", "effect", effect_label, molecules)
        )
        if _carries_cargo(m) and m.cargo:
            cargo = [
                c
                for k in m.cargo
                if (e := atlas.entities.get(k)) is not None and (c := canonical_member(e))
            ]
            source = atlas.entities.get(m.source)
            if source is not None and source.type in DONOR_TYPES:
                groups.append((f"source:{m.source}", "source",
                               f"cargo of {name_of(m.source)} exosomes", cargo))
            else:  # a disease, context or molecule changes the cargo; it secretes nothing
                kind = source.type.value if source is not None else "source"
                label = (f"exosome cargo {_CARGO_VERBS[m.direction.value]} by "
                         f"{name_of(m.source)} ({kind})")
                groups.append((f"cargo_change:{m.source}:{m.direction.value}", "cargo_change",
                               label, cargo))
        for name, kind, label, items in groups:
            labels.setdefault(name, (kind, label))
            members[name].update(items)
            mechs[name].add(m.id)
    out = []
    for name in sorted(labels):
        if len(members[name]) < min_size:
            continue
        kind, label = labels[name]
        ids = tuple(sorted(mechs[name]))
        out.append(
            GeneSet(
                name=name,
                kind=kind,
                label=label,
                members=tuple(sorted(members[name])),
                mechanisms=ids,
                description=f"{label} ({', '.join(ids)})",
            )
        )
    return out


def figure_gene_set(figid: str, title: str, members: Sequence[str]) -> GeneSet:
    """Return the gene set of one ingested figure."""
    return GeneSet(
        name=f"figure:{figid}",
        kind="figure",
        label=title or figid,
        members=tuple(sorted(dict.fromkeys(members))),
        description=f"Pathway Figure OCR {figid}: {title}" if title else f"Pathway Figure OCR {figid}",
    )


__all__ = [
    "DONOR_TYPES",
    "SET_KINDS",
    "GeneSet",
    "atlas_gene_sets",
    "canonical_member",
    "figure_gene_set",
    "mechanism_molecules",
]
