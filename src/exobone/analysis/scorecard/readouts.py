"""Readouts: what the model reports for a published measure, and the direction of a change."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from exobone.analysis.scorecard.mapping import NO_CHANGE
from exobone.atlas.vocab import mirna_matches
from exobone.model.outcomes import measure_proxy
from exobone.model.processes import expression_process_for, process_for
from exobone.model.scenarios.exosome_interventions import is_mirna

if TYPE_CHECKING:
    from exobone.model.exosomes import ExosomeLayer
    from exobone.model.spec import ModelSpec
    from exobone.simulate.results import Trajectory

__all__ = [
    "IN_VITRO_PROCESS_MEASURES",
    "MARKER_EFFECTS",
    "PROCESS_MEASURES",
    "UNMODELLED_COMPARTMENTS",
    "Reader",
    "direction",
    "proxy_note",
    "readout",
    "unmodelled_compartment",
]

#: reads one number from a trajectory
Reader = Callable[["Trajectory"], float]


def _cargo_reader(layer: ExosomeLayer | None, entity: str,
                  spec: ModelSpec) -> tuple[str, Reader] | None:
    """Exosome-borne level of a cargo (arm-aware for miRNAs), summed over pools; None when
    no pool of the built model carries it (a total only dose pools would fill is not built
    until a dose is given, and a cargo whose mechanisms are out of context has none)."""
    built = set(spec.assignment_names)
    totals = ({c: n for c, n in layer.cargo_totals.items() if n in built}
              if layer is not None else {})
    if is_mirna(entity):
        names = [n for c, n in totals.items() if is_mirna(c) and mirna_matches(entity, c)]
    else:
        names = [n for c, n in totals.items() if c.upper() == entity.upper()]
    if not names:
        return None
    return (" + ".join(names), lambda tr: float(sum(tr[n][-1] for n in names)))


def _release_reader(layer: ExosomeLayer | None,
                    cells: Sequence[str]) -> tuple[str, Reader] | None:
    """Endogenous exosome level of ``cells`` (all endogenous pools when none has one)."""
    if layer is None:
        return None
    pools = layer.endogenous_pools()
    chosen = [s for s, cell in pools.items() if cell in cells] or list(pools)
    if not chosen:
        return None
    return ("+".join(chosen), lambda tr: float(sum(tr[p][-1] for p in chosen)))


#: cell-process measures: measure -> (cell it names or None for the experiment's targets, effect)
PROCESS_MEASURES: dict[str, tuple[str | None, str]] = {
    "osteogenic_differentiation": (None, "osteogenic_differentiation"),
    "adipogenic_differentiation": ("bmsc", "adipogenic_differentiation"),
    "bmsc_proliferation": ("bmsc", "proliferation"),
    "bmsc_apoptosis": ("bmsc", "apoptosis"),
    "bmsc_migration": ("bmsc", "migration"),
    "osteoblast_proliferation": (None, "proliferation"),
    "osteoblast_migration": (None, "migration"),
    "osteoblast_activity": ("osteoblast", "osteoblast_activity"),
    "osteoclast_differentiation": (None, "osteoclast_differentiation"),
    "osteoclast_precursor_proliferation": ("osteoclast_precursor", "proliferation"),
    "osteoclast_precursor_fusion": ("osteoclast_precursor", "osteoclast_fusion"),
    "osteoclast_precursor_migration": ("osteoclast_precursor", "migration"),
    "osteoclast_apoptosis": ("osteoclast", "apoptosis"),
}
#: measures that are cell processes only in a dish (in vivo they are tissue quantities)
IN_VITRO_PROCESS_MEASURES: dict[str, tuple[str | None, str]] = {
    "bone_resorption": ("osteoclast", "bone_resorption"),
    "endothelial_proliferation": ("endothelial_cell", "proliferation"),
    "endothelial_migration": ("endothelial_cell", "migration"),
}
#: marker genes of a differentiation process (read as that process in culture)
MARKER_EFFECTS: dict[str, str] = {
    **{g: "osteogenic_differentiation" for g in ("ALPL", "RUNX2", "SP7", "COL1A1", "SPP1",
                                                  "BGLAP", "IBSP", "BMP2")},
    **{g: "osteoclast_differentiation" for g in ("ACP5", "CTSK", "MMP9", "NFATC1")},
}
#: default cell of an effect when the experiment names no target cell that has it
_EFFECT_CELLS = {"osteogenic_differentiation": ("bmsc", "preosteoblast", "osteoblast"),
                 "osteoclast_differentiation": ("osteoclast_precursor",),
                 "proliferation": ("preosteoblast",), "migration": ("bmsc",)}


def _final(name: str) -> Reader:
    """Reader of the value of ``name`` at the end of the run."""
    return lambda tr: float(tr[name][-1])


def _process_reader(spec: ModelSpec, cell: str | None, effect: str,
                    targets: Sequence[str]) -> tuple[str, Reader] | None:
    """Per-cell rate of the process of the target cells: its modifier ``m_<process>``."""
    cells = [cell] if cell else [*targets, *_EFFECT_CELLS.get(effect, ())]
    for c in cells:
        proc = process_for(c, effect)
        if proc is not None and proc.modifier in spec.assignment_names:
            return (proc.modifier, _final(proc.modifier))
    return None


def _core_reader(spec: ModelSpec, measure: str, entity: str | None,
                 in_vitro: bool) -> tuple[str, Reader] | None:
    """The core's proxy of a measure (:func:`exobone.model.outcomes.measure_proxy`), signed."""
    proxy = measure_proxy(measure, entity)
    name = proxy.outcome
    if name is None or (name not in spec.state_names and name not in spec.assignment_names):
        return None
    sign = float(proxy.sign)
    label = name if sign > 0 else f"-{name}"
    return (label, lambda tr: sign * float(tr[name][-1]))


def proxy_note(measure: str, entity: str | None) -> str:
    """Why a measure has (or lacks) a core proxy (:func:`exobone.model.outcomes.measure_proxy`)."""
    return measure_proxy(measure, entity).note


#: body fluids the model has no compartment for: an outcome whose note places it in one (EXP:4014,
#: "in plasma") has no readout, rather than being read from the bone marrow's exosome pools
UNMODELLED_COMPARTMENTS = ("plasma", "serum", "blood", "urine", "saliva")


def unmodelled_compartment(note: str | None) -> str | None:
    """The body fluid an outcome's note places it in, if the model has no compartment for it."""
    words = set(re.findall(r"[a-z]+", (note or "").lower()))
    return next((c for c in UNMODELLED_COMPARTMENTS if c in words), None)


def readout(spec: ModelSpec, layer: ExosomeLayer | None, measure: str, entity: str | None,
            in_vitro: bool, targets: Sequence[str] = (), release_cells: Sequence[str] = ()
            ) -> tuple[str, Reader] | None:
    """Return (label, reader) for a measure, or None when the model has no counterpart.

    Cell-process measures (differentiation, proliferation, apoptosis, migration of a cell
    type) are the per-cell rate of that process in the target cells, i.e. its modifier
    ``m_<process>``: what an assay on those cells reports. In culture the same holds for
    resorption, endothelial growth and differentiation markers (the dish has no tissue
    around the cells), and expression markers of a core expression process (SOST, RANKL, OPG)
    read that process. Tissue measures use the core's proxies
    (:func:`exobone.model.outcomes.measure_proxy`); exosomal miRNA/protein levels and exosome
    release use the exosome layer's cargo totals and pools (``layer``: the typed state of the
    model's exosome layer, None without it).
    """
    if measure == "mirna_level":
        return _cargo_reader(layer, entity, spec) if entity else None
    if measure == "exosome_release":
        return _release_reader(layer, release_cells)
    table = {**PROCESS_MEASURES, **(IN_VITRO_PROCESS_MEASURES if in_vitro else {})}
    if measure in table:
        cell, effect = table[measure]
        found = _process_reader(spec, cell, effect, targets)
        if found is not None:
            return found
    if measure == "marker_expression" and entity and in_vitro:
        gene = entity.upper()
        if gene in MARKER_EFFECTS:
            found = _process_reader(spec, None, MARKER_EFFECTS[gene], targets)
            if found is not None:
                return found
        proc = expression_process_for(gene)
        if proc is not None and proc.modifier in spec.assignment_names:
            name = proc.modifier
            return (name, lambda tr: float(tr[name][-1]))
    core = _core_reader(spec, measure, entity, in_vitro)
    if core is not None:
        return core
    if measure == "marker_expression" and entity:
        return _cargo_reader(layer, entity, spec)
    return None


def direction(treated: float, control: float) -> tuple[str, float | None]:
    """Return the direction and the relative change (None when the control is 0)."""
    diff = treated - control
    if not math.isfinite(diff):
        return "none", None
    if abs(control) < 1e-9:  # e.g. an exosome cargo absent from the control: sign only
        if abs(diff) < 1e-9:
            return "none", 0.0
        return ("increase" if diff > 0 else "decrease"), None
    rel = diff / abs(control)
    if abs(rel) < NO_CHANGE:
        return "none", rel
    return ("increase" if rel > 0 else "decrease"), rel
