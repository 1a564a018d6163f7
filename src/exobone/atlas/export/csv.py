"""CSV export: one row per mechanism–evidence pair, or per experiment–outcome pair.

Multi-valued cells (cargo, pathways, species...) are joined with ``"; "``. The first row is
the header; the text is UTF-8 with the quotes in their original language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from exobone.atlas.export._common import entity_id, entity_name
from exobone.atlas.export.registry import Selection, register_exporter
from exobone.atlas.records import SPECIES

MECHANISM_COLUMNS = (
    "mechanism_id", "kind", "source", "source_id", "source_role", "vesicle", "cargo", "cargo_ids",
    "target", "target_id", "effect", "effect_id", "direction", "molecular_targets", "pathways",
    "contexts", "evidence_index", "first_author", "journal", "year", "title", "doi", "pmid",
    "ref", "read_in", "species", "setting", "methods", "quote", "quote_en", "conflict",
)
EXPERIMENT_COLUMNS = (
    "experiment_id", "title", "intervention_kind", "agent", "agent_id", "cargo", "description",
    "dose", "route", "schedule", "control", "contexts", "setting", "species", "target_cells",
    "outcome_index", "measure", "outcome_entity", "direction", "time", "time_days",
    "first_author", "journal", "year", "doi", "pmid", "read_in", "quote", "quote_en",
    "mechanisms",
)


def _join(items: Iterable[Any]) -> str:
    return "; ".join("" if x is None else str(x) for x in items)


def _table(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()


def _mechanism_rows(selection: Selection) -> Iterable[dict[str, Any]]:
    a = selection.atlas
    for m in selection.mechanisms:
        base = {
            "mechanism_id": m.id, "kind": m.kind.value,
            "source": entity_name(a, m.source), "source_id": entity_id(a, m.source),
            "source_role": m.source_role,
            "vesicle": entity_name(a, m.vesicle) if m.vesicle else None,
            "cargo": _join(m.cargo), "cargo_ids": _join(entity_id(a, k) for k in m.cargo),
            "target": entity_name(a, m.target), "target_id": entity_id(a, m.target),
            "effect": entity_name(a, m.effect), "effect_id": entity_id(a, m.effect),
            "direction": m.direction.value,
            "molecular_targets": _join(f"{t.entity} {t.direction.value}" for t in m.molecular_targets),
            "pathways": _join(entity_name(a, k) for k in m.pathways),
            "contexts": _join(entity_name(a, k) for k in m.contexts),
        }
        for i, ev in enumerate(m.evidence):
            c = ev.citation
            yield {
                **base, "evidence_index": i, "first_author": c.first_author, "journal": c.journal,
                "year": c.year, "title": c.title, "doi": c.doi, "pmid": c.pmid, "ref": c.ref,
                "read_in": ev.read_in, "species": _join(SPECIES.get(t, t) for t in ev.species),
                "setting": ev.setting.value, "methods": _join(ev.methods), "quote": ev.quote,
                "quote_en": ev.quote_en, "conflict": ev.conflict,
            }


def _experiment_rows(selection: Selection) -> Iterable[dict[str, Any]]:
    a = selection.atlas
    for x in selection.experiments:
        iv, c = x.intervention, x.citation
        base = {
            "experiment_id": x.id, "title": x.title, "intervention_kind": iv.kind.value,
            "agent": entity_name(a, iv.agent), "agent_id": entity_id(a, iv.agent),
            "cargo": _join(iv.cargo), "description": iv.description, "dose": iv.dose,
            "route": iv.route, "schedule": iv.schedule, "control": x.control,
            "contexts": _join(entity_name(a, k) for k in x.contexts), "setting": x.system.value,
            "species": _join(SPECIES.get(t, t) for t in x.species),
            "target_cells": _join(entity_name(a, k) for k in x.target_cells),
            "first_author": c.first_author, "journal": c.journal, "year": c.year, "doi": c.doi,
            "pmid": c.pmid, "read_in": x.read_in, "quote": x.quote, "quote_en": x.quote_en,
            "mechanisms": _join(x.mechanisms),
        }
        for i, o in enumerate(x.outcomes):
            yield {
                **base, "outcome_index": i, "measure": o.measure, "outcome_entity": o.entity,
                "direction": o.direction.value, "time": o.time, "time_days": o.time_days,
            }


@register_exporter(
    "csv",
    suffix=".csv",
    media_type="text/csv",
    description="one row per mechanism-evidence or experiment-outcome pair",
    what=("mechanisms", "experiments"),
)
def write_csv(selection: Selection, what: str) -> str:
    """Return the selection as CSV text."""
    if what == "experiments":
        return _table(EXPERIMENT_COLUMNS, _experiment_rows(selection))
    return _table(MECHANISM_COLUMNS, _mechanism_rows(selection))
