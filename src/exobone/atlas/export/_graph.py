"""The signed mechanism network shared by the SIF, GraphML and CX2 exporters.

Nodes are entities (exosome source cells or upstream molecules, cargo, target cells and
molecular targets), keyed by curation key. Each mechanism contributes

- a **main edge** ``source → target`` whose interaction names the effect and its sign,
  e.g. ``decreases_osteogenic_differentiation_of``;
- for each cargo, a **cargo edge** ``cargo → target`` with the same interaction (the cargo is
  what carries the signal) and an unsigned ``source → cargo`` edge ``carries_in_exosomes``
  (merged across mechanisms);
- for each molecular target, a **regulation edge** from each cargo (or from the source when
  there is no cargo) with interaction ``upregulates`` / ``downregulates``.

Interaction vocabulary (the sign is always in the interaction):

=====================================  ======  ==========================================
interaction                            sign    meaning
=====================================  ======  ==========================================
``increases_<effect>_of``              +1      raises the process ``<effect>`` of the target
``decreases_<effect>_of``              -1      lowers it
``has_mixed_effect_on_<effect>_of``     0      sources disagree or the effect is mixed
``does_not_change_<effect>_of``         0      reported to have no effect
``upregulates`` / ``downregulates``    +1/-1   raises / lowers a molecule's level or activity
``has_mixed_effect_on``                 0      mixed effect on a molecule
``does_not_change``                     0      no effect on a molecule
``carries_in_exosomes``                 0      unsigned: the source's vesicles carry the cargo
=====================================  ======  ==========================================

``<effect>`` is the effect's curation key (``osteogenic_differentiation``, ``angiogenesis``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx

from exobone.atlas.curation import Atlas
from exobone.atlas.records import SPECIES, Direction, EntityType, Mechanism

CARRIES = "carries_in_exosomes"
SIGN = {Direction.INCREASE: 1, Direction.DECREASE: -1, Direction.MIXED: 0, Direction.NONE: 0}
_PROCESS_VERB = {
    Direction.INCREASE: "increases_{}_of",
    Direction.DECREASE: "decreases_{}_of",
    Direction.MIXED: "has_mixed_effect_on_{}_of",
    Direction.NONE: "does_not_change_{}_of",
}
_MOLECULE_VERB = {
    Direction.INCREASE: "upregulates",
    Direction.DECREASE: "downregulates",
    Direction.MIXED: "has_mixed_effect_on",
    Direction.NONE: "does_not_change",
}
_BY_KEY = frozenset({EntityType.GENE, EntityType.MIRNA, EntityType.FAMILY})


def process_interaction(direction: Direction, effect: str) -> str:
    """Return the interaction of an effect on a target's process (``increases_x_of``)."""
    return _PROCESS_VERB[direction].format(effect)


def molecule_interaction(direction: Direction) -> str:
    """Return the interaction of a change in a molecule (``upregulates``)."""
    return _MOLECULE_VERB[direction]


def interaction_sign(interaction: str) -> int | None:
    """Return +1, -1 or 0 for an interaction of this vocabulary; ``None`` if it is not one."""
    if interaction in (CARRIES, "has_mixed_effect_on", "does_not_change"):
        return 0
    if interaction == "upregulates":
        return 1
    if interaction == "downregulates":
        return -1
    if interaction.endswith("_of"):
        for prefix, sign in (("increases_", 1), ("decreases_", -1),
                             ("has_mixed_effect_on_", 0), ("does_not_change_", 0)):
            if interaction.startswith(prefix):
                return sign
    return None


def _node_attrs(atlas: Atlas, key: str) -> dict[str, Any]:
    e = atlas.entities.get(key)
    if e is None:
        return {"name": key, "key": key, "full_name": key, "type": "", "represents": ""}
    return {
        "name": e.key if e.type in _BY_KEY else e.name,
        "key": e.key,
        "full_name": e.name,
        "type": e.type.value,
        "represents": e.id or "",
    }


def _mechanism_attrs(atlas: Atlas, m: Mechanism) -> dict[str, Any]:
    def names(keys: Sequence[str]) -> list[str]:
        return [atlas.entities[k].name if k in atlas.entities else k for k in keys]

    return {
        "mechanism": m.id,
        "mechanism_kind": m.kind.value,
        "direction": m.direction.value,
        "sign": SIGN[m.direction],
        "effect": m.effect,
        "effect_name": names([m.effect])[0],
        "source_key": m.source,
        "target_key": m.target,
        "cargo": list(m.cargo),
        "pathways": names(m.pathways),
        "contexts": names(m.contexts),
        "evidence_count": len(m.evidence),
        "citations": list(dict.fromkeys(ev.citation.short() for ev in m.evidence)),
        "dois": list(dict.fromkeys(ev.citation.doi for ev in m.evidence if ev.citation.doi)),
        "pmids": list(dict.fromkeys(ev.citation.pmid for ev in m.evidence if ev.citation.pmid)),
        "species": list(dict.fromkeys(SPECIES.get(t, t) for ev in m.evidence for t in ev.species)),
        "settings": list(dict.fromkeys(ev.setting.value for ev in m.evidence)),
        "read_in": list(dict.fromkeys(ev.read_in for ev in m.evidence)),
    }


def mechanism_graph(atlas: Atlas, mechanisms: Sequence[Mechanism]) -> nx.MultiDiGraph:
    """Return the signed network of ``mechanisms`` (see the module docstring).

    Every edge has ``interaction``, ``sign``, ``role`` (``effect``, ``cargo_effect``,
    ``regulation`` or ``carries``) and ``mechanisms`` (ids); effect and regulation edges also
    carry the mechanism's attributes (direction, pathways, contexts, citations, ...).
    """
    g = nx.MultiDiGraph(name="exobone atlas", atlas_version=atlas.version)

    def node(key: str) -> str:
        if key not in g:
            g.add_node(key, **_node_attrs(atlas, key))
        return key

    carries: dict[tuple[str, str], list[str]] = {}
    for m in mechanisms:
        attrs = _mechanism_attrs(atlas, m)
        effect = process_interaction(m.direction, m.effect)
        g.add_edge(
            node(m.source), node(m.target), key=f"{m.id}:effect",
            interaction=effect, role="effect", mechanisms=[m.id], **attrs,
        )
        for c in m.cargo:
            g.add_edge(
                node(c), node(m.target), key=f"{m.id}:cargo:{c}",
                interaction=effect, role="cargo_effect", mechanisms=[m.id], **attrs,
            )
            carries.setdefault((m.source, c), []).append(m.id)
        regulators = m.cargo or (m.source,)
        for t in m.molecular_targets:
            for r in regulators:
                g.add_edge(
                    node(r), node(t.entity), key=f"{m.id}:regulates:{r}:{t.entity}",
                    interaction=molecule_interaction(t.direction), role="regulation",
                    mechanisms=[m.id], **{**attrs, "direction": t.direction.value,
                                           "sign": SIGN[t.direction]},
                )
    for (src, cargo), ids in carries.items():
        g.add_edge(
            node(src), node(cargo), key=f"carries:{src}:{cargo}",
            interaction=CARRIES, role="carries", sign=0, mechanisms=sorted(set(ids)),
        )
    return g


__all__ = [
    "CARRIES",
    "SIGN",
    "interaction_sign",
    "mechanism_graph",
    "molecule_interaction",
    "process_interaction",
]
