"""Plain-data views of records shared by the JSON and CSV exporters and ``search --json``."""

from __future__ import annotations

from typing import Any

from exobone.atlas.curation import Atlas
from exobone.atlas.records import SPECIES, Citation, Evidence, Experiment, Mechanism


def entity_ref(atlas: Atlas, key: str | None) -> dict[str, Any] | None:
    """Return ``{key, name, id, type}`` of an entity (``None`` for no key)."""
    if key is None:
        return None
    e = atlas.entities.get(key)
    if e is None:
        return {"key": key, "name": key, "id": None, "type": None}
    return {"key": e.key, "name": e.name, "id": e.id, "type": e.type.value}


def entity_name(atlas: Atlas, key: str) -> str:
    """Return the name of an entity (its key if unknown)."""
    e = atlas.entities.get(key)
    return e.name if e is not None else key


def entity_id(atlas: Atlas, key: str) -> str | None:
    """Return the identifier of an entity."""
    e = atlas.entities.get(key)
    return e.id if e is not None else None


def citation_dict(c: Citation) -> dict[str, Any]:
    """Return the citation fields, ``None`` where unknown."""
    return {
        "first_author": c.first_author,
        "journal": c.journal,
        "year": c.year,
        "title": c.title,
        "doi": c.doi,
        "pmid": c.pmid,
        "ref": c.ref,
    }


def evidence_dict(ev: Evidence) -> dict[str, Any]:
    """Return one evidence item as plain data."""
    return {
        "citation": citation_dict(ev.citation),
        "read_in": ev.read_in,
        "quote": ev.quote,
        "quote_en": ev.quote_en,
        "species": list(ev.species),
        "species_names": [SPECIES.get(t, t) for t in ev.species],
        "setting": ev.setting.value,
        "methods": list(ev.methods),
        "cell_models": list(ev.cell_models),
        "readouts": [{"entity": r.entity, "direction": r.direction.value} for r in ev.readouts],
        "conflict": ev.conflict,
    }


def mechanism_dict(atlas: Atlas, m: Mechanism) -> dict[str, Any]:
    """Return a mechanism as the JSON object of ``export --format json``."""
    return {
        "id": m.id,
        "kind": m.kind.value,
        "source": entity_ref(atlas, m.source),
        "source_role": m.source_role,
        "vesicle": entity_ref(atlas, m.vesicle),
        "cargo": [entity_ref(atlas, k) for k in m.cargo],
        "target": entity_ref(atlas, m.target),
        "effect": entity_name(atlas, m.effect),
        "effect_key": m.effect,
        "effect_id": entity_id(atlas, m.effect),
        "direction": m.direction.value,
        "molecular_targets": [
            {**(entity_ref(atlas, t.entity) or {}), "direction": t.direction.value}
            for t in m.molecular_targets
        ],
        "pathways": [entity_name(atlas, k) for k in m.pathways],
        "pathway_ids": [entity_id(atlas, k) for k in m.pathways],
        "contexts": [entity_name(atlas, k) for k in m.contexts],
        "context_ids": [entity_id(atlas, k) for k in m.contexts],
        "evidence": [evidence_dict(ev) for ev in m.evidence],
        "aliases": list(m.aliases),
        "note": m.note,
    }


def experiment_dict(atlas: Atlas, x: Experiment) -> dict[str, Any]:
    """Return an experiment as the JSON object of ``export --format json --what experiments``."""
    iv = x.intervention
    return {
        "id": x.id,
        "title": x.title,
        "intervention": {
            "kind": iv.kind.value,
            "agent": entity_ref(atlas, iv.agent),
            "cargo": [entity_ref(atlas, k) for k in iv.cargo],
            "description": iv.description,
            "dose": iv.dose,
            "route": iv.route,
            "schedule": iv.schedule,
        },
        "control": x.control,
        "context": [entity_name(atlas, k) for k in x.contexts],
        "context_ids": [entity_id(atlas, k) for k in x.contexts],
        "setting": x.system.value,
        "species": list(x.species),
        "species_names": [SPECIES.get(t, t) for t in x.species],
        "target_cells": [entity_ref(atlas, k) for k in x.target_cells],
        "outcomes": [
            {
                "measure": o.measure,
                "measure_name": atlas.measures[o.measure].name if o.measure in atlas.measures else o.measure,
                "entity": entity_ref(atlas, o.entity),
                "direction": o.direction.value,
                "time": o.time,
                "time_days": o.time_days,
                "note": o.note,
            }
            for o in x.outcomes
        ],
        "citation": citation_dict(x.citation),
        "read_in": x.read_in,
        "quote": x.quote,
        "quote_en": x.quote_en,
        "mechanisms": list(x.mechanisms),
        "conflict": x.conflict,
    }
