"""Defect scenarios: fracture (and its CD9-knockout variant) and a critical-size calvarial defect.

Both open the core's defect compartment (``defect_size = 1``): an injury signal recruits BMSCs
into the defect, helped by vessel ingrowth; they differentiate into osteoblasts that fill it
(``defect_fill``, 0 at injury, 1 when bridged). Endogenous exosomes of the atlas layer act on
the same processes (recruitment, osteogenic commitment, angiogenesis), so the CD9 knockout,
which impairs exosome production, slows healing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from exobone.model.parameters import Assumed
from exobone.model.scenarios.registry import register_scenario
from exobone.model.scenarios.osteoporosis import ovx

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder


def _open_defect(builder: ModelBuilder, capacity: float, reason: str) -> None:
    builder.set_parameter("defect_size", 1.0,
                          source=Assumed("the scenario creates a defect at day 0"))
    builder.set_parameter("defect_healing_capacity", capacity, source=Assumed(reason))


@register_scenario(
    "fracture",
    contexts=("fracture",),
    description="Bone fracture healing: injury signal, vessel ingrowth, BMSC recruitment and "
                "osteogenesis fill the defect over weeks",
    sources=(("seed 001: BMSC exosomes promote fracture healing; CD9-/- mice heal fractures "
             "more slowly, rescued by BMSC exosomes"),
             "time scale of bridging: assumed (weeks)"),
    species=("mouse", "rat", "human"),
    default_species="mouse",
    bv_tv_direction="flat",
    outcome="defect_fill",
)
def fracture(builder: ModelBuilder, species: str) -> None:
    """Open a defect that bridges spontaneously."""
    _open_defect(builder, 1.0, "a fracture heals spontaneously: capacity 1 by definition")


@register_scenario(
    "fracture-cd9-ko",
    contexts=("fracture", "cd9_knockout"),
    description="Fracture in CD9-knockout mice: impaired exosome production delays healing",
    sources=("seed 001: CD9-/- mice (reduced exosome production) show delayed fracture healing",
             "implemented as fracture + the knockout:CD9 intervention of the exosome layer",
             "systemic BV/TV of CD9-/- mice: not reported in the seeds (the model predicts a "
             "loss, from the whole-body knockout lowering every cell type's own exosomes "
             "with assumed effect sizes)"),
    species=("mouse",),
    default_species="mouse",
    bv_tv_direction="undocumented",
    outcome="defect_fill",
    interventions=("knockout:CD9",),
)
def fracture_cd9_ko(builder: ModelBuilder, species: str) -> None:
    """Open a fracture defect; the CD9 knockout is applied after the exosome layer."""
    fracture(builder, species)


@register_scenario(
    "calvarial-defect",
    contexts=("calvarial_defect",),
    description="Critical-size calvarial defect in ovariectomised animals: little spontaneous "
                "fill, systemic OVX bone loss",
    sources=(("seed 004: exosomes (e.g. hiPSC-MSC) promote repair of critical-size calvarial "
             "defects in OVX rats"),
             "critical size means no spontaneous healing (definition); capacity 0.05 assumed",
             "OVX as in the ovx scenario"),
    species=("rat", "mouse"),
    default_species="rat",
    bv_tv_direction="down",
    outcome="defect_fill",
)
def calvarial_defect(builder: ModelBuilder, species: str) -> None:
    """Ovariectomy plus a defect with low intrinsic healing capacity (flat bone, poor supply)."""
    ovx(builder, species)
    _open_defect(builder, 0.05, "critical-size defects do not heal spontaneously (definition); "
                                "0.05 chosen so that fill stays well below bridging")
