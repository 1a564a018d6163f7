"""Counts of what the atlas holds, per seed document: the figures a curator reports."""

from __future__ import annotations

from dataclasses import dataclass

from exobone.atlas.curation import Atlas


@dataclass(frozen=True)
class SeedSummary:
    """What one seed document contributes to the atlas.

    Mechanisms and facts count once per seed that gives them evidence, so a mechanism read in
    two seeds counts for both; entities are those referenced by the seed's records.
    """

    seed: str
    title: str
    mechanisms: int
    evidence: int
    experiments: int
    facts: int
    entities: int
    identifiers: int


def _mechanism_keys(atlas: Atlas, seed: str) -> set[str]:
    keys: set[str] = set()
    for m in atlas.mechanisms.values():
        evs = [ev for ev in m.evidence if ev.read_in == seed]
        if not evs:
            continue
        keys |= {m.source, m.target, m.effect, *m.cargo, *m.pathways, *m.contexts}
        keys |= {t.entity for t in m.molecular_targets}
        if m.vesicle:
            keys.add(m.vesicle)
        for ev in evs:
            keys |= set(ev.cell_models) | {r.entity for r in ev.readouts}
    for e in atlas.experiments.values():
        if e.read_in == seed:
            keys |= {e.intervention.agent, *e.intervention.cargo, *e.contexts, *e.target_cells}
            keys |= {o.entity for o in e.outcomes if o.entity}
    for f in atlas.facts.values():
        if any(ev.read_in == seed for ev in f.evidence):
            keys |= {f.subject, *f.items}
    return keys


def summarize(atlas: Atlas) -> list[SeedSummary]:
    """Return one :class:`SeedSummary` per seed, in seed order."""
    out: list[SeedSummary] = []
    for name, seed in atlas.seeds.items():
        keys = _mechanism_keys(atlas, name)
        ids = {atlas.entities[k].id for k in keys if k in atlas.entities and atlas.entities[k].id}
        out.append(
            SeedSummary(
                seed=name,
                title=seed.title,
                mechanisms=sum(
                    any(ev.read_in == name for ev in m.evidence) for m in atlas.mechanisms.values()
                ),
                evidence=sum(
                    ev.read_in == name for m in atlas.mechanisms.values() for ev in m.evidence
                ),
                experiments=sum(e.read_in == name for e in atlas.experiments.values()),
                facts=sum(any(ev.read_in == name for ev in f.evidence) for f in atlas.facts.values()),
                entities=len(keys),
                identifiers=len(ids),
            )
        )
    return out
