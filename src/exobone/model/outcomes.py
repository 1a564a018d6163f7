"""Outcomes of the bone model, and which outcome stands for each measure of the atlas.

:data:`OUTCOMES` names every reported quantity (a state or an assignment of the core) with its
unit and meaning; :func:`outcome_for_measure` maps an atlas measure (``bv_tv``,
``bone_mineral_density``, ``marker_expression`` of ALPL, ...) to the outcome used as its proxy,
and :func:`measure_proxy` also gives the sign (a wider trabecular separation means less bone) and
the assumption behind the proxy. The scorecard compares predicted and published directions
through these.
"""

from __future__ import annotations

from dataclasses import dataclass

from exobone.errors import unknown_name

__all__ = [
    "DEFAULT_OUTCOMES",
    "MARKER_ENTITIES",
    "MEASURE_PROXIES",
    "OUTCOMES",
    "MeasureProxy",
    "Outcome",
    "get_outcome",
    "measure_proxy",
    "outcome_for_measure",
    "require_outcome",
]


@dataclass(frozen=True)
class Outcome:
    """A reported quantity: a state or assignment of the model."""

    name: str
    unit: str
    description: str
    group: str  # "bone", "cells", "markers", "signals"


_REL = "rel. to healthy"
_START = "rel. to start"

OUTCOMES: dict[str, Outcome] = {o.name: o for o in [
    Outcome("bv_tv", "%", "trabecular bone volume fraction BV/TV", "bone"),
    Outcome("bmd_lumbar_spine", _START,
            "areal BMD at the lumbar spine, 1.0 at the run's start (trabecular + cortical "
            "share; shares assumed)", "bone"),
    Outcome("bmd_total_hip", _START,
            "areal BMD at the total hip, 1.0 at the run's start (trabecular + cortical share; "
            "shares assumed)", "bone"),
    Outcome("cortical_bone", _REL, "cortical bone mass (slow compartment)", "bone"),
    Outcome("defect_fill", "1", "fraction of a defect filled with new bone (1: no defect)",
            "bone"),
    Outcome("formation_rate", "%/day", "bone formation rate (BV/TV per day)", "bone"),
    Outcome("resorption_rate", "%/day", "bone resorption rate (BV/TV per day)", "bone"),
    Outcome("bmsc", _REL, "uncommitted BMSCs", "cells"),
    Outcome("preosteoblasts", _REL, "pre-osteoblasts", "cells"),
    Outcome("osteoblasts", _REL, "active osteoblasts", "cells"),
    Outcome("osteocytes", _REL, "osteocytes", "cells"),
    Outcome("osteoclast_precursors", _REL, "osteoclast precursors", "cells"),
    Outcome("osteoclasts", _REL, "active osteoclasts", "cells"),
    Outcome("adipocytes", _REL, "marrow adipocytes", "cells"),
    Outcome("vessel_density", _REL, "marrow vessel density (endothelium)", "cells"),
    Outcome("alp", _REL, "ALP (pre-osteoblasts + osteoblasts; proportionality assumed)",
            "markers"),
    Outcome("runx2", _REL, "RUNX2 (committing BMSCs + pre-osteoblasts; assumed)", "markers"),
    Outcome("ocn", _REL, "osteocalcin (osteoblast matrix synthesis; assumed)", "markers"),
    Outcome("opn", _REL, "osteopontin (osteoblasts + osteocytes; assumed)", "markers"),
    Outcome("trap", _REL, "TRAP (active osteoclasts; assumed)", "markers"),
    Outcome("ctsk", _REL, "cathepsin K (osteoclast activity; assumed)", "markers"),
    Outcome("mmp9", _REL, "MMP9 (osteoclast activity + precursors; assumed)", "markers"),
    Outcome("ctx", _START, "serum CTX, 1.0 = level at the run's start (pretreatment; "
                           "proportional to the resorption rate, assumed)", "markers"),
    Outcome("p1np", _START, "serum P1NP, 1.0 = level at the run's start (pretreatment; "
                            "proportional to the formation rate, assumed)", "markers"),
    Outcome("rankl", "pM", "RANKL (Lemaire 2004)", "signals"),
    Outcome("opg", "pM", "OPG (Lemaire 2004)", "signals"),
    Outcome("sclerostin", _REL, "osteocyte sclerostin", "signals"),
    Outcome("wnt_signal", _REL, "Wnt/beta-catenin signalling", "signals"),
    Outcome("tgf_beta", _REL, "TGF-beta released by resorption", "signals"),
    Outcome("estrogen", _REL, "circulating estrogen", "signals"),
]}

#: outcomes shown by default (``exobone simulate`` table and ``--json``)
DEFAULT_OUTCOMES: tuple[str, ...] = (
    "bv_tv", "bmd_lumbar_spine", "bmd_total_hip", "defect_fill", "bmsc", "preosteoblasts", "osteoblasts", "osteocytes",
    "osteoclast_precursors", "osteoclasts", "adipocytes", "vessel_density", "alp", "runx2",
    "ocn", "opn", "trap", "ctsk", "mmp9", "ctx", "p1np",
)


@dataclass(frozen=True)
class MeasureProxy:
    """How an atlas measure is read from the model.

    Attributes
    ----------
    outcome
        Outcome name, or None when the model has no counterpart.
    sign
        +1 if the measure moves with the outcome, -1 if against it (trabecular separation).
    note
        The assumption behind the proxy, or why there is none.
    """

    outcome: str | None
    sign: int = 1
    note: str = ""


_BONE = "assumed to move with trabecular BV/TV (the model has no separate architecture)"

MEASURE_PROXIES: dict[str, MeasureProxy] = {
    "bv_tv": MeasureProxy("bv_tv", 1, "modelled directly"),
    "bone_volume": MeasureProxy("bv_tv", 1, "bone volume/bone mass read as BV/TV"),
    "bone_mineral_density": MeasureProxy("bv_tv", 1, f"BMD {_BONE}"),
    "trabecular_number": MeasureProxy("bv_tv", 1, f"Tb.N {_BONE}"),
    "trabecular_thickness": MeasureProxy("bv_tv", 1, f"Tb.Th {_BONE}"),
    "trabecular_separation": MeasureProxy("bv_tv", -1, f"Tb.Sp {_BONE}, with opposite sign"),
    "bone_formation": MeasureProxy("formation_rate", 1, "bone formation rate"),
    "bone_resorption": MeasureProxy("resorption_rate", 1, "bone resorption rate"),
    "new_bone_regeneration": MeasureProxy("defect_fill", 1, "new bone in a defect"),
    "defect_fill": MeasureProxy("defect_fill", 1, "modelled directly"),
    "fracture_healing": MeasureProxy("defect_fill", 1, "fill of the fracture defect"),
    "endochondral_ossification": MeasureProxy(
        "defect_fill", 1, "callus ossification read as defect fill (no cartilage stage)"),
    "vessel_formation": MeasureProxy("vessel_density", 1, "vessel density"),
    "endothelial_proliferation": MeasureProxy("vessel_density", 1, "vessel density"),
    "endothelial_migration": MeasureProxy("vessel_density", 1, "vessel density"),
    "bmsc_proliferation": MeasureProxy("bmsc", 1, "BMSC number"),
    "osteogenic_differentiation": MeasureProxy(
        "runx2", 1, "osteogenic commitment read as RUNX2 (committing BMSCs + pre-osteoblasts)"),
    "adipogenic_differentiation": MeasureProxy("adipocytes", 1, "marrow adipocytes"),
    "osteoblast_activity": MeasureProxy("ocn", 1, "osteoblast matrix synthesis (OCN)"),
    "osteoblast_proliferation": MeasureProxy("preosteoblasts", 1, "pre-osteoblast number"),
    "osteoclast_differentiation": MeasureProxy("osteoclasts", 1, "active osteoclasts"),
    "osteoclast_precursor_fusion": MeasureProxy("osteoclasts", 1, "fused (active) osteoclasts"),
    "osteoclast_precursor_proliferation": MeasureProxy("osteoclast_precursors", 1,
                                                       "precursor number"),
    "osteoclast_precursor_migration": MeasureProxy("osteoclast_precursors", 1,
                                                   "precursors at the bone surface"),
    "bmsc_apoptosis": MeasureProxy(None, 1, "apoptosis rates are not reported as outcomes"),
    "osteoclast_apoptosis": MeasureProxy(None, 1, "apoptosis rates are not reported as "
                                                  "outcomes"),
    "cell_apoptosis": MeasureProxy(None, 1, "tissue apoptosis is not modelled as a quantity"),
    "bmsc_migration": MeasureProxy(None, 1, "migration assays have no population counterpart"),
    "osteoblast_migration": MeasureProxy(None, 1, "migration assays have no population "
                                                  "counterpart"),
    "cartilage_repair": MeasureProxy(None, 1, "the core has no cartilage compartment"),
    "exosome_release": MeasureProxy(None, 1, "exosome pools belong to the exosome layer"),
    "mirna_level": MeasureProxy(None, 1, "miRNA levels belong to the exosome layer"),
    "np_like_differentiation": MeasureProxy(None, 1, "no nucleus pulposus lineage in the core"),
    "promoter_methylation": MeasureProxy(None, 1, "no epigenetic states in the core"),
}

#: marker entity (gene symbol, alias, any case) -> outcome of marker_expression
MARKER_ENTITIES: dict[str, str] = {
    "alpl": "alp", "alp": "alp",
    "runx2": "runx2", "sp7": "runx2", "osterix": "runx2",
    "bglap": "ocn", "ocn": "ocn", "osteocalcin": "ocn",
    "spp1": "opn", "opn": "opn", "osteopontin": "opn",
    "acp5": "trap", "trap": "trap",
    "ctsk": "ctsk", "cathepsin k": "ctsk",
    "mmp9": "mmp9",
    "col1a1": "p1np", "col1": "p1np",
    "sost": "sclerostin", "sclerostin": "sclerostin",
    "tnfsf11": "rankl", "rankl": "rankl",
    "tnfrsf11b": "opg", "opg": "opg",
    "nfatc1": "osteoclasts",
}


def measure_proxy(measure: str, entity: str | None = None) -> MeasureProxy:
    """Return how ``measure`` (of ``entity`` for marker_expression) is read from the model.

    Unknown measures give ``MeasureProxy(None, note=...)`` rather than an error, so the
    scorecard can report them.
    """
    key = measure.strip().lower()
    if key == "marker_expression":
        if entity is None:
            return MeasureProxy(None, 1, "marker_expression needs the marker entity")
        out = MARKER_ENTITIES.get(entity.strip().lower())
        if out is None:
            return MeasureProxy(None, 1, f"marker {entity!r} has no model counterpart")
        return MeasureProxy(out, 1, f"{entity} expression read as {out}: "
                                    f"{OUTCOMES[out].description}")
    found = MEASURE_PROXIES.get(key)
    if found is None:
        return MeasureProxy(None, 1, f"measure {measure!r} has no model counterpart")
    return found


def outcome_for_measure(measure: str, entity: str | None = None) -> str | None:
    """Return the outcome standing for ``measure`` (and marker ``entity``), or None.

    Examples
    --------
    >>> outcome_for_measure("marker_expression", "ALPL")
    'alp'
    >>> outcome_for_measure("bone_mineral_density")
    'bv_tv'
    >>> outcome_for_measure("cartilage_repair") is None
    True
    """
    return measure_proxy(measure, entity).outcome


def get_outcome(name: str) -> Outcome | None:
    """Return the outcome called ``name``, or None."""
    return OUTCOMES.get(name)


def require_outcome(name: str) -> Outcome:
    """Return the outcome called ``name``; raise UnknownNameError with a suggestion."""
    found = OUTCOMES.get(name)
    if found is None:
        raise unknown_name("outcome", name, OUTCOMES)
    return found
