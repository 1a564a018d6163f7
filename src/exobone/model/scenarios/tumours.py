"""Tumour scenarios: myeloma, prostate cancer and lung tumour angiogenesis.

The scenario adds the tumour cell population (logistic growth) and declares it as an exosome
source; what the tumour exosomes do to osteoclast precursors or fibroblasts comes from the atlas
mechanisms compiled by the exosome layer, not from this module. Without the layer a tumour
scenario has no bone effect, on purpose: the model claims only what the atlas documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from exobone.model.parameters import Assumed
from exobone.model.scenarios.registry import register_scenario

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

_GROWTH = Assumed("tumour burden grows logistically from 1% to its carrying capacity over "
                  "months; rate chosen, not fitted")


def _tumour(builder: ModelBuilder, state: str, cell: str, label: str) -> None:
    b = builder
    b.add_parameter(f"{state}_growth", 0.05, unit="1/day", bounds=(0.0, 1.0), source=_GROWTH,
                    description=f"{label} net growth rate")
    b.add_parameter(f"{state}_initial", 0.01, unit="rel. to capacity", bounds=(0.0, 1.0),
                    source=_GROWTH, description=f"{label} burden at day 0")
    b.add_state(state, f"{state}_initial", unit="rel. to capacity",
                description=f"{label} burden relative to its carrying capacity")
    b.add_term(f"{state}_proliferation", f"{state}_growth*{state}*(1 - {state})", {state: 1},
               mechanisms=(f"scenario:{cell}",), description=f"logistic growth of {label}")
    b.add_source(cell, state)


@register_scenario(
    "myeloma",
    contexts=("multiple_myeloma", "tumor_bone"),
    description="Multiple myeloma: tumour cells whose exosomes drive osteoclast precursor "
                "migration/differentiation and resorption (atlas layer)",
    sources=(("seed 001 (Raimondi et al. 2015, Oncotarget): myeloma exosomes promote OC "
             "precursor migration, differentiation and resorption"), "growth: assumed"),
    species=("mouse", "human"),
    default_species="mouse",
    bv_tv_direction="down",
)
def myeloma(builder: ModelBuilder, species: str) -> None:
    """Add myeloma cells as a growing exosome source."""
    _tumour(builder, "myeloma_cells", "myeloma_cell", "multiple myeloma cells")


@register_scenario(
    "prostate-cancer",
    contexts=("prostate_cancer", "tumor_bone"),
    description="Prostate cancer in bone: tumour exosomes inhibit osteoclast precursor "
                "proliferation, fusion and differentiation (atlas layer)",
    sources=(("seed 001: prostate cancer cell exosomes are taken up by OC precursors and lower "
             "their proliferation, fusion and TRAP/MMP9/CTSK"), "growth: assumed"),
    species=("mouse", "human"),
    default_species="mouse",
    bv_tv_direction="up",
)
def prostate_cancer(builder: ModelBuilder, species: str) -> None:
    """Add prostate cancer cells as a growing exosome source."""
    _tumour(builder, "prostate_cancer_cells", "prostate_cancer_cell", "prostate cancer cells")


@register_scenario(
    "lung-tumor-angiogenesis",
    contexts=("lung_cancer", "tumor_bone"),
    description="Lung tumour: tumour exosomes activate fibroblasts, whose exosomes "
                "(MMP9, VEGF-A, FGF2, miR-210) drive angiogenesis (atlas layer)",
    sources=(("seed 003: lung tumour exosomes make fibroblasts release exosomes that promote "
             "angiogenesis"), "growth: assumed"),
    species=("mouse", "human"),
    default_species="mouse",
    bv_tv_direction="flat",
)
def lung_tumor_angiogenesis(builder: ModelBuilder, species: str) -> None:
    """Add lung tumour cells and resident fibroblasts, both exosome sources."""
    b = builder
    _tumour(b, "lung_tumor_cells", "lung_tumor_cell", "lung tumour cells")
    b.add_parameter("fibroblasts", 1.0, unit="rel. to healthy", bounds=(0.0, 10.0),
                    source=Assumed("resident fibroblasts at their healthy amount; their "
                                   "activation by tumour exosomes is an atlas mechanism"),
                    description="fibroblasts near the tumour (an exosome source)")
    b.add_source("fibroblast", "fibroblasts")
