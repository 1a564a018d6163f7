"""Where exosomes come from: the model's endogenous source cells and the dosable exogenous sources.

:data:`ENDOGENOUS_CELLS` names the model states of the atlas's cell types, :data:`SOURCE_PARENTS`
says which atlas claims about a parent source class apply to a child (``msc`` covers every MSC
source), and :func:`exogenous_sources` lists every source the ``exosome`` intervention can dose:
the named :data:`EXOGENOUS_SOURCES` plus every other exosome source the atlas names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from exobone.atlas.curation import Atlas, default_atlas
from exobone.atlas.records import EntityType, MechanismKind

__all__ = [
    "DISEASE_CELL_CONTEXTS",
    "ENDOGENOUS_CELLS",
    "EXOGENOUS_SOURCES",
    "SOURCE_PARENTS",
    "ExosomeSource",
    "exogenous_sources",
    "safe_name",
    "source_family",
]

#: atlas cell key -> candidate state names in the core or a scenario (first present wins)
ENDOGENOUS_CELLS: dict[str, tuple[str, ...]] = {
    "bmsc": ("bmsc", "bmscs", "uncommitted_bmsc"),
    "preosteoblast": ("preosteoblasts", "pre_osteoblasts"),
    "osteoblast": ("osteoblasts", "active_osteoblasts"),
    "osteocyte": ("osteocytes",),
    "osteoclast_precursor": ("osteoclast_precursors", "oc_precursors"),
    "osteoclast": ("osteoclasts", "active_osteoclasts"),
    "endothelial_cell": ("endothelium", "endothelial_cells"),
    "prostate_cancer_cell": ("prostate_cancer_cells",),
    "myeloma_cell": ("myeloma_cells",),
    "lung_tumor_cell": ("lung_tumour_cells", "lung_tumor_cells"),
}

#: disease cell types -> the atlas contexts they stand for. A transfer mechanism whose source the
#: atlas leaves unspecified ("other exosomal cargoes", seed 003) but whose context is one of these
#: is attributed to the exosomes of that disease's cells when a scenario adds them: an explicit
#: modelling assumption, recorded in the layer report, that keeps the atlas's source unspecified.
DISEASE_CELL_CONTEXTS: dict[str, tuple[str, ...]] = {
    "prostate_cancer_cell": ("prostate_cancer",),
    "myeloma_cell": ("multiple_myeloma",),
    "lung_tumor_cell": ("lung_cancer",),
}

#: Cargo that a transfer mechanism's vesicles carry at a LOWERED level: the claim is that the
#: exosomes act *because* they carry less of it, so more of it opposes their effect. The atlas
#: schema has no field for a cargo's level; each record's note says so. MECH:0005 (Liu 2022):
#: "BMSC-derived exosomes containing downregulated levels of miR-224-3p can promote the
#: proliferation of vascular endothelial cells". Such a cargo gates the signal by
#: ``2 / (1 + presence)`` (see :meth:`~exobone.model.exosomes.pools.Pools.pool_term`).
REDUCED_CARGO: dict[str, frozenset[str]] = {
    "MECH:0005": frozenset({"miR-224-3p"}),
}

#: A claim about a parent class of exosome source applies to its children: the atlas's ``msc``
#: (CL:0000134) covers every MSC source, ``bmsc`` covers osteogenically primed BMSCs, and a
#: preconditioned source is still its cell type (myostatin-treated osteocytes are osteocytes).
SOURCE_PARENTS: dict[str, tuple[str, ...]] = {
    "bmsc": ("msc",),
    "hipsc_msc": ("msc",),
    "synovial_msc": ("msc",),
    "adipose_msc": ("msc",),
    "embryonic_msc": ("msc",),
    "osteogenic_bmsc": ("bmsc", "msc"),
    "mstn_osteocyte": ("osteocyte",),
}


@dataclass(frozen=True)
class ExosomeSource:
    """An exogenous exosome source that the ``exosome`` intervention can dose.

    Attributes
    ----------
    name
        Command-line name (``adipose-msc-tnf``).
    cell
        Atlas entity key of the mechanisms' source (``adipose_msc``).
    help
        One line for ``exobone list``.
    conditions
        Regulators the producing cells were exposed to (``("TNF",)`` for TNF-α priming): the
        source's ``cargo_profile`` mechanisms with these as source apply to its cargo.
    atlas_key
        Entity key of the source's own mechanisms when it differs from ``cell`` (the
        myostatin-treated osteocytes of the atlas, ``mstn_osteocyte``).
    """

    name: str
    cell: str
    help: str
    conditions: tuple[str, ...] = ()
    atlas_key: str | None = None

    @property
    def key(self) -> str:
        """Identifier used in symbols (``adipose_msc_tnf``)."""
        return safe_name(self.name)

    @property
    def lineage(self) -> tuple[str, ...]:
        """Atlas source keys whose mechanisms act through this source's exosomes."""
        own = tuple(dict.fromkeys(k for k in (self.atlas_key, self.cell) if k))
        parents = tuple(p for k in own for p in SOURCE_PARENTS.get(k, ()))
        return tuple(dict.fromkeys((*own, *parents)))


#: the named exogenous sources (the atlas may add more; see :func:`exogenous_sources`)
EXOGENOUS_SOURCES: dict[str, ExosomeSource] = {s.name: s for s in [
    ExosomeSource("hipsc-msc", "hipsc_msc", "MSCs derived from human induced pluripotent stem "
                  "cells (osteoporotic defects, GC-induced ONFH)"),
    ExosomeSource("synovial-msc", "synovial_msc", "human synovial-membrane MSCs (GC-induced ONFH)"),
    ExosomeSource("adipose-msc", "adipose_msc", "adipose-derived MSCs (ASC-EXO; osteoblast "
                  "precursor proliferation and differentiation)"),
    ExosomeSource("adipose-msc-tnf", "adipose_msc", "adipose-derived MSCs primed with TNF-α "
                  "(more Wnt-3a in the exosomes)", conditions=("TNF",)),
    ExosomeSource("embryonic-msc", "embryonic_msc", "human embryonic MSCs (osteochondral / "
                  "cartilage defects)"),
    ExosomeSource("msc", "msc", "mesenchymal stem cells, unspecified origin"),
    ExosomeSource("bmsc", "bmsc", "bone-marrow MSCs (fracture healing, osteoporosis, lupus)"),
    ExosomeSource("osteogenic-bmsc", "osteogenic_bmsc", "BMSCs during osteogenic "
                  "differentiation"),
    ExosomeSource("osteoblast", "osteoblast", "mineralising osteoblasts"),
    ExosomeSource("preosteoblast", "preosteoblast", "pre-osteoblasts (MC3T3-E1)"),
    ExosomeSource("osteocyte", "osteocyte", "osteocytes (MLO-Y4; miR-218)"),
    ExosomeSource("mstn-osteocyte", "osteocyte", "osteocytes treated with myostatin (less "
                  "miR-218)", conditions=("MSTN",), atlas_key="mstn_osteocyte"),
    ExosomeSource("osteoclast", "osteoclast", "osteoclasts (miR-214-3p, ephrinA2)"),
    ExosomeSource("senescent-endothelial", "senescent_endothelial_cell", "senescent endothelial "
                  "cells (miR-31; aging)"),
    ExosomeSource("monocyte", "monocyte", "monocytes (osteogenic BMSC differentiation)"),
    ExosomeSource("dendritic", "dendritic_cell", "dendritic cells (osteogenic BMSC "
                  "differentiation)"),
    ExosomeSource("platelet", "platelet", "platelet-rich plasma"),
    ExosomeSource("nucleus-pulposus", "nucleus_pulposus_cell", "nucleus pulposus cells (BMSC "
                  "migration)"),
    ExosomeSource("prostate-cancer", "prostate_cancer_cell", "prostate cancer cells (TRAMP-C1; "
                  "inhibit osteoclastogenesis)"),
    ExosomeSource("myeloma", "myeloma_cell", "multiple myeloma cells (promote "
                  "osteoclastogenesis)"),
]}


def source_family(source: str) -> str:
    """Return the widest class of an exosome source (``bmsc`` -> ``msc``; ``osteoclast`` itself).

    The mechanisms of one family on one process combine into one bounded response
    (:mod:`exobone.model.templates`): a BMSC dose is seen through the general MSC claims and
    the BMSC-specific ones at once, and together they may not exceed one ceiling.
    """
    parents = SOURCE_PARENTS.get(source, ())
    return safe_name(parents[-1] if parents else source)


def safe_name(text: str) -> str:
    """Return ``text`` as an identifier fragment: ``miR-214-3p`` -> ``miR_214_3p``."""
    out = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
    return out if out and not out[0].isdigit() else f"x{out}"


def exogenous_sources(atlas: Atlas | None = None) -> dict[str, ExosomeSource]:
    """Return every dosable source: the named ones plus each other exosome source of the atlas.

    Parameters
    ----------
    atlas
        Atlas whose ``exosome_transfer`` sources are added (default: the shipped data).
    """
    atlas = atlas if atlas is not None else default_atlas()
    out = dict(EXOGENOUS_SOURCES)
    covered = {s.atlas_key or s.cell for s in out.values()}
    for mech in atlas.mechanisms.values():
        if mech.kind is not MechanismKind.EXOSOME_TRANSFER or mech.source in covered:
            continue
        entity = atlas.entities.get(mech.source)
        if entity is None or entity.type not in (EntityType.CELL, EntityType.CELL_LINE) \
                or mech.source == "unspecified_cell":
            continue
        name = mech.source.replace("_", "-")
        out[name] = ExosomeSource(name, mech.source, f"{entity.name} (from the atlas)")
        covered.add(mech.source)
    return out
