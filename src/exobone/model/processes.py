"""The cell processes of the bone core that mechanisms can modulate, and how atlas terms map to them.

This is the seam between the bone core (``core.py``) and every layer that changes it (the exosome
layer compiled from atlas mechanisms, interventions, disease scenarios). The core writes each
process rate as ``base_rate * m_<process>``; ``m_<process>`` is a dimensionless assignment that
:func:`modifier_assignment` builds as the product of the factors the layers contribute (1 when
none). A layer never edits the core's terms: it only contributes factors.

A mechanism in the atlas names a target cell and an effect (a GO process); :func:`process_for`
maps that pair to a process here, so adding a mechanism to the curated data changes the compiled
model without code changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from exobone.errors import unknown_name


@dataclass(frozen=True)
class Process:
    """A rate in the bone core that other layers may scale.

    Attributes
    ----------
    name
        Identifier used in the modifier symbol ``m_<name>``.
    cell
        Entity key of the cell type carrying out the process.
    description
        What the rate is, in words.
    """

    name: str
    cell: str
    description: str

    @property
    def modifier(self) -> str:
        """Name of the dimensionless modifier assignment, e.g. ``m_oc_apoptosis``."""
        return f"m_{self.name}"


PROCESSES: dict[str, Process] = {
    p.name: p
    for p in [
        Process("bmsc_self_renewal", "bmsc", "proliferation of uncommitted BMSCs"),
        Process("bmsc_apoptosis", "bmsc", "death of uncommitted BMSCs"),
        Process("bmsc_recruitment", "bmsc", "migration/homing of BMSCs into the site"),
        Process("osteogenic_commitment", "bmsc", "BMSC → pre-osteoblast (osteogenic fate)"),
        Process("adipogenic_commitment", "bmsc", "BMSC → adipocyte (adipogenic fate)"),
        Process("preob_proliferation", "preosteoblast", "proliferation of pre-osteoblasts"),
        Process("ob_maturation", "preosteoblast", "pre-osteoblast → active osteoblast"),
        Process("ob_apoptosis", "osteoblast", "death of active osteoblasts"),
        Process("bone_formation", "osteoblast", "matrix synthesis per active osteoblast"),
        Process("rankl_expression", "osteoblast", "RANKL production by osteoblast lineage"),
        Process("opg_expression", "osteoblast", "OPG production by osteoblasts"),
        Process("osteocyte_formation", "osteoblast", "osteoblast embedding into osteocytes"),
        Process("sclerostin_expression", "osteocyte", "SOST/DKK-1 production by osteocytes"),
        Process("ocp_proliferation", "osteoclast_precursor", "supply/proliferation of OC precursors"),
        Process("ocp_recruitment", "osteoclast_precursor", "migration of OC precursors to bone"),
        Process("oc_differentiation", "osteoclast_precursor", "precursor → active osteoclast (fusion)"),
        Process("oc_apoptosis", "osteoclast", "death of active osteoclasts"),
        Process("bone_resorption", "osteoclast", "matrix resorbed per active osteoclast"),
        Process("angiogenesis", "endothelial_cell", "growth of the vascular endothelium"),
        Process("endothelial_apoptosis", "endothelial_cell", "regression of the endothelium"),
        Process("cartilage_repair", "chondrocyte", "filling of a cartilage defect"),
    ]
}

# Target cell keys that stand for a core cell type (cell lines and synonyms of curated data).
CELL_ALIASES: dict[str, str] = {
    "bmsc": "bmsc",
    "msc": "bmsc",
    "bone_marrow_stromal_cell": "bmsc",
    "hipsc_msc": "bmsc",
    "preosteoblast": "preosteoblast",
    "osteoblast": "osteoblast",
    "osteocyte": "osteocyte",
    "osteoclast_precursor": "osteoclast_precursor",
    "monocyte": "osteoclast_precursor",
    "macrophage": "osteoclast_precursor",
    "osteoclast": "osteoclast",
    "endothelial_cell": "endothelial_cell",
    "chondrocyte": "chondrocyte",
    # tissue-level in vivo claims (curators' convention): bone_tissue is its own pseudo-cell so
    # that EFFECT_MAP can say which core process a bone-level effect lands on
    "bone_tissue": "bone_tissue",
    "cartilage_tissue": "chondrocyte",
    # vessel-level claims (angiogenesis of "blood vessels") act on the endothelium
    "blood_vessel": "endothelial_cell",
}

# (core cell, effect entity key) -> process. Effects are GO-process entity keys of the atlas.
EFFECT_MAP: dict[tuple[str, str], str] = {
    ("bmsc", "proliferation"): "bmsc_self_renewal",
    ("bmsc", "apoptosis"): "bmsc_apoptosis",
    ("bmsc", "migration"): "bmsc_recruitment",
    ("bmsc", "osteogenic_differentiation"): "osteogenic_commitment",
    ("bmsc", "bone_formation"): "osteogenic_commitment",
    ("bmsc", "adipogenic_differentiation"): "adipogenic_commitment",
    ("preosteoblast", "proliferation"): "preob_proliferation",
    ("preosteoblast", "osteogenic_differentiation"): "ob_maturation",
    ("preosteoblast", "migration"): "bmsc_recruitment",
    ("osteoblast", "proliferation"): "preob_proliferation",
    ("osteoblast", "osteogenic_differentiation"): "ob_maturation",
    ("osteoblast", "apoptosis"): "ob_apoptosis",
    ("osteoblast", "bone_formation"): "bone_formation",
    ("osteoblast", "bone_mineralization"): "bone_formation",
    ("osteoblast", "migration"): "bmsc_recruitment",
    ("osteocyte", "apoptosis"): "osteocyte_formation",
    ("osteoclast_precursor", "proliferation"): "ocp_proliferation",
    ("osteoclast_precursor", "migration"): "ocp_recruitment",
    ("osteoclast_precursor", "osteoclast_differentiation"): "oc_differentiation",
    ("osteoclast_precursor", "osteoclast_fusion"): "oc_differentiation",
    ("osteoclast", "osteoclast_differentiation"): "oc_differentiation",
    ("osteoclast", "apoptosis"): "oc_apoptosis",
    ("osteoclast", "bone_resorption"): "bone_resorption",
    ("endothelial_cell", "angiogenesis"): "angiogenesis",
    ("endothelial_cell", "proliferation"): "angiogenesis",
    ("endothelial_cell", "migration"): "angiogenesis",
    ("endothelial_cell", "apoptosis"): "endothelial_apoptosis",
    ("chondrocyte", "cartilage_development"): "cartilage_repair",
    # osteoblast activity (ALP, mineral apposition) is matrix synthesis per osteoblast
    ("osteoblast", "osteoblast_activity"): "bone_formation",
    ("preosteoblast", "bone_formation"): "ob_maturation",
    # Tissue-level claims (target bone_tissue). Regeneration, formation and endochondral
    # ossification of bone are carried by osteoblast matrix synthesis; "bone loss" is mapped to
    # resorption with the same sign (the seeds name enhanced resorption as the cause of loss,
    # Sun et al. 2019), and apoptosis in bone tissue to the death of bone-forming cells.
    ("bone_tissue", "bone_regeneration"): "bone_formation",
    ("bone_tissue", "bone_formation"): "bone_formation",
    ("bone_tissue", "endochondral_ossification"): "bone_formation",
    ("bone_tissue", "osteoblast_activity"): "bone_formation",
    ("bone_tissue", "bone_loss"): "bone_resorption",
    ("bone_tissue", "bone_resorption"): "bone_resorption",
    ("bone_tissue", "apoptosis"): "ob_apoptosis",
}

# Molecular targets (gene entity keys) whose expression is a core process: a mechanism that
# names one of these among its ``molecular_targets`` also scales that process, with the
# molecular target's own direction (e.g. myostatin raising SOST, DKK-1 and RANKL).
EXPRESSION_PROCESSES: dict[str, str] = {
    "SOST": "sclerostin_expression",
    "DKK1": "sclerostin_expression",
    "TNFSF11": "rankl_expression",
    "TNFRSF11B": "opg_expression",
}


def get_process(name: str) -> Process | None:
    """Return the process called ``name``, or None."""
    return PROCESSES.get(name)


def require_process(name: str) -> Process:
    """Return the process called ``name``; raise UnknownNameError with a suggestion otherwise."""
    try:
        return PROCESSES[name]
    except KeyError:
        raise unknown_name("process", name, PROCESSES) from None


def process_for(target: str, effect: str) -> Process | None:
    """Map an atlas (target cell key, effect key) pair to the core process it modulates.

    Returns None when the pair has no counterpart in the core (the caller reports why).
    """
    cell = CELL_ALIASES.get(target)
    if cell is None:
        return None
    name = EFFECT_MAP.get((cell, effect))
    return PROCESSES[name] if name else None


def expression_process_for(gene: str) -> Process | None:
    """Map a molecular target (gene entity key) to the core process that expresses it, or None."""
    name = EXPRESSION_PROCESSES.get(gene)
    return PROCESSES[name] if name else None


def modifier_assignment(process: str, factors: Iterable[str]) -> str:
    """Return the expression of ``m_<process>``: the product of the factor expressions, or 1."""
    require_process(process)
    parts = [f"({f})" for f in factors]
    return " * ".join(parts) if parts else "1"


def modifier_expressions(contributions: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Return ``{m_<process>: expression}`` for every process, given factors per process name."""
    for name in contributions:
        require_process(name)
    return {
        p.modifier: modifier_assignment(name, contributions.get(name, ()))
        for name, p in PROCESSES.items()
    }
