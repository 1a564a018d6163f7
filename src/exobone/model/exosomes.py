"""The exosome layer: exosome pools and cargo, with every atlas mechanism compiled into the model.

:func:`add_exosome_layer` adds to a :class:`~exobone.model.build.ModelBuilder`

* one **endogenous pool** ``exo_<cell>`` (µg-equivalents of exosome protein at the bone site)
  per source cell type the model has (BMSCs, osteoblasts, osteocytes, osteoclasts, endothelium,
  and tumour cells when the scenario adds them): secretion proportional to the source cells,
  their Rab27a activity and the release factors compiled from ``release_control`` mechanisms;
  first-order clearance; uptake proportional to the target cells present. The secretion rate
  is set so the pool sits at its healthy level ``exo_<cell>_baseline`` when the cells do;
* one **dose pool** ``exo_dose_<source>`` per exogenous source (hiPSC-MSC, synovial MSC, adipose
  MSC with or without TNF-α priming, embryonic MSC, BMSC, osteoblast, osteocyte, osteoclast,
  senescent endothelium, monocytes, dendritic cells, platelets, nucleus pulposus cells, and
  every other source the atlas names), fed by the dose events of the ``exosome`` intervention.
  Its mechanisms are compiled with the layer, but the pool (and the factors of mechanisms no
  endogenous pool drives) is written by :func:`add_dose_pool` when the source is first dosed,
  following a plan the layer records, so models without doses stay small;
* **cargo presence** ``cargo_<pool>__<cargo>`` (1 in health): a knob ``cargo_level_...`` that
  knockouts, mimics and antagomirs set, times the factors of ``cargo_profile`` mechanisms;
* **regulator levels** ``level_<molecule>_in_<cell>`` (1 in health) for genes and miRNAs that
  regulate a process in the atlas;
* one factor per (mechanism, sink) from :mod:`exobone.model.templates`.

Every mechanism of the atlas ends up in the :class:`LayerReport`: compiled, with the
processes/pools it acts on and its parameters, or not compiled, with the reason. Nothing is
dropped silently. The report (JSON-ready) and the knobs interventions need are stored in
``builder.metadata["exosome_layer_report"]``.

Because the mapping goes through :func:`exobone.model.processes.process_for` and the template
registry, adding a mechanism to the curated YAML changes the compiled model with no code change.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy

from exobone.atlas.records import Direction, EntityType, Mechanism, MechanismKind
from exobone.errors import ModelError
from exobone.model.parameters import Assumed, Reference
from exobone.model.processes import PROCESSES, expression_process_for, process_for
from exobone.model.templates import Binding, Compiled, Signal, Sink, require_template

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas
    from exobone.model.build import ModelBuilder

__all__ = [
    "DRUG_CLASSES",
    "ENDOGENOUS_CELLS",
    "EXOGENOUS_SOURCES",
    "SOURCE_PARENTS",
    "ExosomeSource",
    "LayerReport",
    "MechanismStatus",
    "Reason",
    "add_dose_pool",
    "add_exosome_layer",
    "exogenous_sources",
    "layer_knobs",
    "safe_name",
]

METADATA_KEY = "exosome_layer_report"
#: module tag on the pool terms (secretion, clearance, uptake), beside the atlas ids they carry
POOL_TAG = "exosome-layer:pool"

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

#: cell types the body does not have in health (their healthy exosome level is 0)
#: disease cell types -> the atlas contexts they stand for. A transfer mechanism whose source the
#: atlas leaves unspecified ("other exosomal cargoes", seed 003) but whose context is one of these
#: is attributed to the exosomes of that disease's cells when a scenario adds them: an explicit
#: modelling assumption, recorded in the layer report, that keeps the atlas's source unspecified.
DISEASE_CELL_CONTEXTS: dict[str, tuple[str, ...]] = {
    "prostate_cancer_cell": ("prostate_cancer",),
    "myeloma_cell": ("multiple_myeloma",),
    "lung_tumor_cell": ("lung_cancer",),
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
    atlas = _atlas(atlas)
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


def _atlas(atlas: Atlas | None) -> Atlas:
    if atlas is not None:
        return atlas
    from exobone.atlas.curation import load_atlas
    return _default_atlas(load_atlas)


_DEFAULT: dict[str, Any] = {}


def _default_atlas(loader: Any) -> Atlas:
    # loading and validating the curated YAML takes ~1 s; the shipped data do not change in a
    # process, so load them once (a user-given atlas is never cached)
    if "atlas" not in _DEFAULT:
        _DEFAULT["atlas"] = loader()
    return _DEFAULT["atlas"]  # type: ignore[no-any-return]


# ============================================================================ report
class Reason:
    """Why a mechanism was not compiled (the categories of :meth:`LayerReport.by_reason`)."""

    NO_POOL = "no exosome pool for the source"
    NO_PROCESS = "no model process for the target/effect"
    NO_RATE_EFFECT = "kind without rate effect"
    NO_SIGN = "direction without sign"
    REGULATOR_NOT_IN_MODEL = "regulator not in the model"
    SCENARIO = "condition represented by scenarios"
    CORE_STRUCTURE = "claim is the core's own structure"
    CONDITION_INACTIVE = "condition not active in this scenario"
    INTERVENTION = "represented by an intervention kind"


@dataclass(frozen=True)
class MechanismStatus:
    """What became of one mechanism.

    Attributes
    ----------
    id, kind
        Mechanism id and kind.
    compiled
        Whether it contributes at least one factor.
    reason
        A :class:`Reason` category when not compiled ('' when compiled).
    detail
        Specifics (which pool, which regulator, which process).
    sinks
        ``"process:bone_formation"``, ``"secretion:exo_osteoclast"``, ``"cargo:..."``.
    parameters
        Names of the parameters the mechanism owns.
    """

    id: str
    kind: str
    compiled: bool
    reason: str = ""
    detail: str = ""
    sinks: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"id": self.id, "kind": self.kind, "compiled": self.compiled,
                "reason": self.reason, "detail": self.detail, "sinks": list(self.sinks),
                "parameters": list(self.parameters)}


@dataclass
class LayerReport:
    """Every mechanism of the atlas with its fate, and the pools and knobs of the layer.

    Attributes
    ----------
    mechanisms
        One :class:`MechanismStatus` per atlas mechanism, in id order.
    pools
        ``{state: {"cell":..., "kind": "endogenous"|"dose", "source":...}}``.
    knobs
        What interventions set (JSON-ready): ``rab27a`` ``{cell: parameter}``, ``marker``
        ``{cell: parameter}``, ``dose_pools`` ``{source name: state}``, ``cargo`` list of
        ``{"parameter", "pool", "cell", "cargo", "endogenous"}``, ``levels`` list of
        ``{"parameter", "molecule", "cell"}``, ``cargo_totals`` ``{cargo: assignment}``.
    scenario, species
        What the layer was compiled for.
    """

    mechanisms: list[MechanismStatus] = field(default_factory=list)
    pools: dict[str, dict[str, str]] = field(default_factory=dict)
    knobs: dict[str, Any] = field(default_factory=dict)
    scenario: str = ""
    species: str = ""

    @property
    def compiled(self) -> list[MechanismStatus]:
        """Mechanisms that contribute factors."""
        return [m for m in self.mechanisms if m.compiled]

    @property
    def not_compiled(self) -> list[MechanismStatus]:
        """Mechanisms that do not, each with its reason."""
        return [m for m in self.mechanisms if not m.compiled]

    def by_reason(self) -> dict[str, list[str]]:
        """Return ``{reason: [mechanism ids]}`` of the mechanisms not compiled."""
        out: dict[str, list[str]] = defaultdict(list)
        for m in self.not_compiled:
            out[m.reason].append(m.id)
        return dict(out)

    def status(self, mechanism_id: str) -> MechanismStatus | None:
        """Return the status of one mechanism, or None."""
        return next((m for m in self.mechanisms if m.id == mechanism_id), None)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (stored in the model metadata)."""
        return {"scenario": self.scenario, "species": self.species,
                "summary": {"total": len(self.mechanisms), "compiled": len(self.compiled),
                            "not_compiled": {k: len(v) for k, v in self.by_reason().items()}},
                "mechanisms": [m.to_dict() for m in self.mechanisms],
                "pools": self.pools, "knobs": self.knobs}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LayerReport:
        """Rebuild a report from :meth:`to_dict` output (e.g. a model's metadata)."""
        mechs = [MechanismStatus(m["id"], m["kind"], m["compiled"], m["reason"], m["detail"],
                                 tuple(m["sinks"]), tuple(m["parameters"]))
                 for m in data.get("mechanisms", ())]
        return cls(mechs, dict(data.get("pools", {})), dict(data.get("knobs", {})),
                   str(data.get("scenario", "")), str(data.get("species", "")))


def layer_knobs(metadata: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the knobs the exosome layer recorded in a builder's or model's metadata, or None."""
    report = metadata.get(METADATA_KEY)
    if not isinstance(report, Mapping):
        return None
    return dict(report.get("knobs", {}))


# ============================================================================ parameters
_CLEARANCE_REF = Assumed(
    "order of magnitude only: labelled exosomes persist in tissue for hours to a few days "
    "(biodistribution studies); not measured in the seeds")
_UPTAKE_REF = Assumed("order of magnitude only; uptake by target cells is shown in the seeds "
                      "(uptake mechanisms) but not quantified")
_BASELINE_REF = Assumed("healthy endogenous exosome level set small against experimental doses "
                        "(tens to hundreds of µg); not measured in the seeds")
_RAB27A_REF = Reference("Ostrowski", 2010, journal="Nat Cell Biol",
                        title="Rab27a and Rab27b control different steps of the exosome "
                              "secretion pathway",
                        note="secretion proportional to Rab27a activity: a modelling reading "
                             "of the knockdown data")

#: EC50 of exosome mechanisms, in µg at the site (doses in the seeds' papers are 50-200 µg)
EXO_EC50 = (10.0, (1.0, 100.0))
#: EC50 of relative regulator levels (1 in health)
LEVEL_EC50 = (1.0, (0.1, 10.0))


def _p(builder: ModelBuilder, name: str, value: float, *, unit: str,
       bounds: tuple[float, float] | None, source: Assumed | Reference,
       description: str) -> str:
    if builder.get_parameter(name) is None:
        builder.add_parameter(name, value, unit=unit, bounds=bounds, source=source,
                              description=description)
    return name


# ============================================================================ the layer
@dataclass
class _Pool:
    state: str
    cell: str  # atlas cell key of the producing cell
    lineage: tuple[str, ...]
    endogenous: bool
    source: str  # CLI source name (dose pools) or cell key
    conditions: tuple[str, ...] = ()
    cargo: dict[str, str] = field(default_factory=dict)  # cargo key -> presence assignment
    secretion_factors: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    cargo_factors: dict[str, list[tuple[str, tuple[str, ...]]]] = field(
        default_factory=lambda: defaultdict(list))
    baseline: str = "0"


class _Layer:
    """Working state of one compilation (kept out of the public objects)."""

    def __init__(self, builder: ModelBuilder, atlas: Atlas, scenario: str, species: str,
                 contexts: frozenset[str]) -> None:
        self.b, self.atlas = builder, atlas
        self.scenario, self.species, self.contexts = scenario, species, contexts
        self.pools: dict[str, _Pool] = {}
        self.report = LayerReport(scenario=scenario, species=species)
        self.levels: dict[tuple[str, str | None], str] = {}
        self.signals: dict[str, tuple[tuple[str, ...], list[str]]] = {}
        self.deferred: dict[str, list[dict[str, Any]]] = {}
        self.attributions: dict[str, str] = {}  # mechanism id -> why its source was attributed
        self.sources = _declared_sources(builder)
        self.healthy, self.healthy_sources = _healthy_reference(builder, species)

    # ------------------------------------------------------------------ pools
    def amount_of(self, cell: str) -> str | None:
        """Return the amount expression of a cell type present in the model, or None."""
        return self.sources.get(cell)

    def make_pools(self) -> None:
        transfer_sources = {m.source for m in self.atlas.mechanisms.values()
                            if m.kind is MechanismKind.EXOSOME_TRANSFER}
        for cell in self.sources:
            lineage = (cell, *SOURCE_PARENTS.get(cell, ()))
            if not transfer_sources & set(lineage):
                continue  # the atlas names no exosome effect of this cell type
            pool = _Pool(f"exo_{cell}", cell, lineage, True, cell)
            healthy = cell in self.healthy_sources
            base = _p(self.b, f"{pool.state}_baseline", 1.0, unit="ug", bounds=(0.1, 10.0),
                      source=_BASELINE_REF,
                      description=f"{'healthy' if healthy else 'reference'} level of {cell} "
                                  f"exosomes at the site")
            # a cell type absent in health (tumour cells) has no healthy exosome level
            pool.baseline = base if healthy else "0"
            self.pools[pool.state] = pool
        for src in exogenous_sources(self.atlas).values():
            name = f"exo_dose_{src.key}"
            self.pools[name] = _Pool(name, src.cell, src.lineage, False, src.name,
                                     conditions=src.conditions)

    def pools_for(self, source: str) -> list[_Pool]:
        return [p for p in self.pools.values() if source in p.lineage]

    def context_pools(self, mech: Mechanism) -> list[_Pool]:
        """Pools of the disease cells whose context the mechanism names (see
        :data:`DISEASE_CELL_CONTEXTS`); for transfers from an unspecified source."""
        contexts = set(mech.contexts)
        return [p for p in self.pools.values()
                if p.endogenous and contexts & set(DISEASE_CELL_CONTEXTS.get(p.cell, ()))]

    def pools_of_cell(self, cell: str, *, endogenous_only: bool = False) -> list[_Pool]:
        if cell == "unspecified_cell":
            return [p for p in self.pools.values() if p.endogenous]
        return [p for p in self.pools.values()
                if (p.cell == cell or cell in p.lineage) and (p.endogenous or not endogenous_only)]

    def cargo_presence(self, pool: _Pool, cargo: str) -> str:
        if cargo not in pool.cargo:
            name = f"cargo_{pool.state}__{safe_name(cargo)}"
            knob = _p(self.b, f"cargo_level_{pool.state}__{safe_name(cargo)}", 1.0, unit="1",
                      bounds=(0.0, 20.0),
                      source=Assumed("relative content, 1 = as carried in health; set by "
                                     "knockouts, mimics and antagomirs"),
                      description=f"relative amount of {cargo} in {pool.state} exosomes "
                                  f"(intervention knob)")
            pool.cargo[cargo] = name
            self.report.knobs.setdefault("cargo", []).append(
                {"parameter": knob, "assignment": name, "pool": pool.state, "cell": pool.cell,
                 "cargo": cargo, "endogenous": pool.endogenous})
        return pool.cargo[cargo]

    def signal_for(self, mech: Mechanism, pools: list[_Pool], source: str | None = None) -> Signal:
        """Return the signal of a transfer mechanism: an assignment summing its pools.

        One assignment per (source, cargo) pair, shared by the mechanisms with that pair. Dose
        pools join it when the ``exosome`` intervention first doses them
        (:func:`add_dose_pool`); until then the assignment holds the endogenous pools only
        (or 0), which keeps models without doses small. ``source`` names the signal when the
        pools are not the mechanism's own source (an attributed unspecified source).
        """
        cargo = tuple(mech.cargo)
        source = source or mech.source
        name = "exo_signal__" + safe_name(source) + (
            "__" + "_".join(safe_name(c) for c in cargo) if cargo else "")
        if name not in self.signals:
            self.signals[name] = (cargo, [])
            for pool in pools:
                term = self.pool_term(pool, cargo)
                if pool.endogenous:
                    self.signals[name][1].append(term)
                else:
                    self.plan(pool)["signals"][name] = term
        base = [p.baseline for p in pools if p.endogenous and p.baseline != "0"]
        return Signal(name, " + ".join(base) if base else "0", unit="ug",
                      ec50=EXO_EC50[0], ec50_bounds=EXO_EC50[1],
                      description=f"{source} exosomes reaching the target"
                                  + (f", gated by {', '.join(cargo)}" if cargo else ""))

    def pool_term(self, pool: _Pool, cargo: tuple[str, ...]) -> str:
        """Return ``pool * mean cargo presence`` (the pool alone without cargo)."""
        if not cargo:
            return pool.state
        presences = [self.cargo_presence(pool, c) for c in cargo]
        gate = (presences[0] if len(presences) == 1
                else f"({' + '.join(presences)})/{len(presences)}")
        return f"{pool.state}*{gate}"

    def plan(self, pool: _Pool) -> dict[str, Any]:
        """Return the (JSON-ready) plan that :func:`add_dose_pool` follows for a dose pool."""
        plans = self.report.knobs.setdefault("dose_plans", {})
        if pool.source not in plans:
            plans[pool.source] = {"state": pool.state, "cell": pool.cell,
                                  "signals": {}, "cargo": {}, "totals": {},
                                  "uptake": "1", "mechanisms": []}
        return plans[pool.source]  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ regulators
    def level(self, molecule: str, cell: str | None) -> str:
        key = (molecule, None if cell in (None, "unspecified_cell") else cell)
        if key not in self.levels:
            where = f"_in_{safe_name(key[1])}" if key[1] else ""
            name = _p(self.b, f"level_{safe_name(molecule)}{where}", 1.0, unit="1",
                      bounds=(0.0, 20.0),
                      source=Assumed("relative level, 1 = healthy; set by knockouts, mimics "
                                     "and antagomirs"),
                      description=f"relative level of {molecule}"
                                  + (f" in {key[1]}" if key[1] else "")
                                  + " (intervention knob)")
            self.levels[key] = name
            self.report.knobs.setdefault("levels", []).append(
                {"parameter": name, "molecule": molecule, "cell": key[1]})
        return self.levels[key]

    def regulator(self, mech: Mechanism) -> Signal | tuple[str, str]:
        """Resolve the regulator of a regulation/release/cargo mechanism, or (reason, detail)."""
        src = mech.source
        entity = self.atlas.entities.get(src)
        etype = entity.type if entity is not None else EntityType.OTHER
        symbol = _model_symbol(self.b, src)
        if symbol is not None:
            baseline = self.healthy.get(symbol, _evaluate(self.healthy, _expr_of(self.b, symbol)))
            if baseline is None:
                if _closure(self.b, symbol) & set(self.healthy) or symbol in self.healthy:
                    return (Reason.REGULATOR_NOT_IN_MODEL,
                            (f"{src} is the model symbol {symbol!r} but its healthy value is "
                             f"not a number"))
                baseline = 0.0  # an input the scenario adds: absent in health
            return Signal(symbol, _num(baseline), unit="1", ec50=max(abs(baseline), 1.0),
                          ec50_bounds=(0.1 * max(abs(baseline), 1.0),
                                       10.0 * max(abs(baseline), 1.0)),
                          description=f"model input {symbol}")
        if src.upper() == "RAB27A":
            return (Reason.REGULATOR_NOT_IN_MODEL, ("Rab27a acts through the pools' Rab27a "
                    "activity; see the release_control handling"))
        if etype in (EntityType.GENE, EntityType.MIRNA, EntityType.FAMILY):
            target = None if mech.target == "unspecified_cell" else mech.target
            name = self.level(src, target)
            return Signal(name, "1", unit="1", ec50=LEVEL_EC50[0], ec50_bounds=LEVEL_EC50[1],
                          description=f"relative level of {src}"
                                      + (f" in {target}" if target else ""))
        if etype in (EntityType.CONTEXT, EntityType.DISEASE):
            return (Reason.SCENARIO, f"{src} is a disease/context: scenarios define it")
        drugs = _drug_interventions(src)
        if drugs:
            return (Reason.INTERVENTION, (f"{src} is modelled by the intervention(s) "
                                         f"{', '.join(drugs)} (PK/PD on the core's processes)"))
        if etype is EntityType.CELL and (src in ENDOGENOUS_CELLS or src in SOURCE_PARENTS
                                         or src == "msc"):
            return (Reason.CORE_STRUCTURE, (f"{src} acting without a vesicle is a cell population "
                    f"of the core (or a transplant), not a regulator"))
        return (Reason.REGULATOR_NOT_IN_MODEL,
                f"{src} ({etype.value}) has no counterpart in the model")

    # ------------------------------------------------------------------ sinks
    def process_sinks(self, mech: Mechanism) -> list[Sink]:
        sinks: list[Sink] = []
        proc = process_for(mech.target, mech.effect)
        if proc is not None and mech.direction in (Direction.INCREASE, Direction.DECREASE):
            sinks.append(Sink("process", proc.name, mech.direction))
        for mt in mech.molecular_targets:
            eproc = expression_process_for(mt.entity)
            if eproc is not None and mt.direction in (Direction.INCREASE, Direction.DECREASE) \
                    and all(s.name != eproc.name for s in sinks):
                sinks.append(Sink("process", eproc.name, mt.direction))
        if proc is not None and not sinks:
            sinks.append(Sink("process", proc.name, mech.direction))  # unsigned: template says
        return sinks

    # ------------------------------------------------------------------ binding
    def bind(self, mech: Mechanism) -> list[Binding] | tuple[str, str]:
        kind = mech.kind
        if kind is MechanismKind.UPTAKE:
            return [Binding(mech, None, ())]
        if kind is MechanismKind.EXOSOME_TRANSFER:
            pools = self.pools_for(mech.source)
            attributed = None
            if not pools and mech.source == "unspecified_cell":
                pools = self.context_pools(mech)
                if pools:
                    attributed = "+".join(p.cell for p in pools)
                    self.attributions[mech.id] = (
                        f"source unspecified in the atlas; attributed to the {attributed} "
                        f"exosomes of this scenario (shared context: "
                        f"{', '.join(sorted(set(mech.contexts)))}), a modelling assumption")
            if not pools:
                return (Reason.NO_POOL, (f"no pool carries exosomes of {mech.source!r} "
                        f"(not a core cell, scenario population or dosable source)"))
            sinks = self.process_sinks(mech)
            if mech.effect in _RELEASE_EFFECTS:  # exosomes that make the target release more
                sinks = [Sink("secretion", p.state, mech.direction)
                         for p in self.pools_of_cell(mech.target, endogenous_only=True)]
            if not sinks:
                return (Reason.NO_PROCESS, f"no process for ({mech.target}, {mech.effect})"
                        + (" and no endogenous pool of the target" if mech.effect in
                           _RELEASE_EFFECTS else ""))
            return [Binding(mech, self.signal_for(mech, pools, attributed), tuple(sinks))]
        if kind is MechanismKind.REGULATION:
            sinks = self.process_sinks(mech)
            if not sinks:
                return (Reason.NO_PROCESS, f"no process for ({mech.target}, {mech.effect})")
            reg = self.regulator(mech)
            if not isinstance(reg, tuple):
                applied = [x for x in sinks if _applies(self.b, x.name, reg.expr)]
                if applied and len(applied) == len(sinks):
                    return self.already(reg.expr, [x.name for x in applied])
                sinks = [x for x in sinks if x not in applied]
            if isinstance(reg, tuple):
                if mech.source.upper() == "RAB27A":
                    pools = self.pools_of_cell(mech.target, endogenous_only=True)
                    if not pools:
                        return (Reason.NO_POOL, f"no endogenous pool of {mech.target}")
                    sig = Signal(f"rab27a_{pools[0].cell}", "1", unit="1",
                                 ec50=LEVEL_EC50[0], ec50_bounds=LEVEL_EC50[1],
                                 description=f"Rab27a activity of {pools[0].cell}")
                    return [Binding(mech, sig, tuple(sinks))]
                return reg
            return [Binding(mech, reg, tuple(sinks))]
        if kind is MechanismKind.RELEASE_CONTROL:
            if mech.effect not in _RELEASE_EFFECTS:
                return (Reason.NO_PROCESS, f"effect {mech.effect!r} is not exosome release")
            pools = self.pools_of_cell(mech.target, endogenous_only=True)
            if not pools:
                return (Reason.NO_POOL, f"no endogenous exosome pool of {mech.target!r}")
            if mech.source.upper() == "RAB27A":
                return [Binding(mech, Signal(f"rab27a_{p.cell}", "1", unit="rab27a"),
                                (Sink("secretion", p.state, mech.direction),)) for p in pools]
            reg = self.regulator(mech)
            if isinstance(reg, tuple):
                return reg
            declared = [p for p in pools if any(
                reg.expr in _closure(self.b, f.expr) for f in self.b.secretion_factors(p.cell))]
            if declared and len(declared) == len(pools):
                return (Reason.SCENARIO, (f"the scenario already scales {pools[0].cell} exosome "
                                         f"release by {reg.expr}"))
            return [Binding(mech, reg, tuple(Sink("secretion", p.state, mech.direction)
                                             for p in pools if p not in declared))]
        if kind is MechanismKind.CARGO_PROFILE:
            return self.bind_cargo_profile(mech)
        return (Reason.NO_RATE_EFFECT, f"no binding rule for kind {kind.value!r}")

    def already(self, symbol: str, processes: list[str]) -> tuple[str, str]:
        """Reason for a regulation the model already applies (scenario or core)."""
        origins = {f.origin for name in processes for f in self.b.factors(name)
                   if symbol in _closure(self.b, f.expr)}
        reason = (Reason.SCENARIO if any(o.startswith("scenario") for o in origins)
                  else Reason.CORE_STRUCTURE)
        return (reason, (f"the model already makes {', '.join(processes)} depend on {symbol} "
                        f"({', '.join(sorted(origins)) or 'core rate law'}); not counted twice"))

    def bind_cargo_profile(self, mech: Mechanism) -> list[Binding] | tuple[str, str]:
        if not mech.cargo:
            return (Reason.NO_PROCESS, "a cargo profile without named cargo changes nothing")
        pools = self.pools_of_cell(mech.target)
        if not pools:
            return (Reason.NO_POOL, f"no exosome pool of {mech.target!r}")
        primed = [p for p in pools if mech.source in p.conditions]
        if primed:  # a preconditioned exogenous source: the condition is on (flag 1)
            signal = Signal("1", "0", unit="1", ec50=LEVEL_EC50[0], ec50_bounds=LEVEL_EC50[1],
                            description=f"producing cells exposed to {mech.source}")
            targets = primed
        else:
            entity = self.atlas.entities.get(mech.source)
            etype = entity.type if entity is not None else EntityType.OTHER
            if etype in (EntityType.CONTEXT, EntityType.DISEASE):
                if mech.source not in self.contexts:
                    return (Reason.CONDITION_INACTIVE,
                            f"{mech.source} is not a context of scenario {self.scenario!r}")
                signal = Signal("1", "0", unit="1", ec50=LEVEL_EC50[0],
                                ec50_bounds=LEVEL_EC50[1],
                                description=f"context {mech.source} of the scenario")
            elif etype in (EntityType.CELL, EntityType.CELL_LINE, EntityType.TISSUE):
                return (Reason.REGULATOR_NOT_IN_MODEL,
                        (f"profile of {mech.source} exosomes with no condition the model can "
                        f"vary (what they carry is the cargo of its transfer mechanisms)"))
            else:
                reg = self.regulator(mech)
                if isinstance(reg, tuple):
                    return reg
                signal = reg
            targets = [p for p in pools if p.endogenous]
            if not targets:
                return (Reason.NO_POOL, f"no endogenous pool of {mech.target!r}")
        sinks = tuple(Sink("cargo", self.cargo_presence(p, c), mech.direction)
                      for p in targets for c in mech.cargo)
        return [Binding(mech, signal, sinks)]

    # ------------------------------------------------------------------ compile
    def compile(self) -> None:
        for mech in self.atlas.mechanisms.values():
            bound = self.bind(mech)
            if isinstance(bound, tuple):
                reason, detail = bound
                self.report.mechanisms.append(
                    MechanismStatus(mech.id, mech.kind.value, False, reason, detail))
                continue
            template = require_template(mech.kind.value)
            results = [template(b) for b in bound]
            signal = bound[0].signal.expr if bound[0].signal is not None else ""
            self.record(mech, results, signal)

    def record(self, mech: Mechanism, results: list[Compiled], signal: str = "") -> None:
        sinks: list[str] = []
        params: list[str] = []
        notes = [r.note for r in results if r.note]
        if mech.id in self.attributions:
            notes.insert(0, self.attributions[mech.id])
        # a transfer whose source has no endogenous pool acts only once its source is dosed:
        # its factors wait in the dose plans (add_dose_pool adds them), so that models without
        # doses do not carry (and differentiate) factors that are identically 1
        dormant = signal in self.signals and not self.signals[signal][1]
        for res in results:
            for p in res.parameters:
                if self.b.get_parameter(p.name) is None:
                    self.b.add_parameter(p)
                    params.append(p.name)
            for sink, expr in res.factors:
                sinks.append(f"{sink.kind}:{sink.name}")
                if dormant and sink.kind == "process":
                    self.deferred.setdefault(signal, []).append(
                        {"process": sink.name, "expr": expr, "mechanisms": [mech.id],
                         "description": self.describe(mech, sink)})
                    continue
                self.apply(sink, expr, mech)
        if dormant and sinks:
            notes.append(f"acts when {mech.source} exosomes are dosed")
        if not sinks:
            reason = (Reason.NO_RATE_EFFECT if mech.kind is MechanismKind.UPTAKE
                      else Reason.NO_SIGN)
            self.report.mechanisms.append(MechanismStatus(
                mech.id, mech.kind.value, False, reason, "; ".join(notes)))
            return
        self.report.mechanisms.append(MechanismStatus(
            mech.id, mech.kind.value, True, "", "; ".join(notes),
            tuple(dict.fromkeys(sinks)), tuple(params)))

    @staticmethod
    def describe(mech: Mechanism, sink: Sink) -> str:
        return (f"{mech.id} {mech.kind.value}: {mech.source}"
                + (f" [{', '.join(mech.cargo)}]" if mech.cargo else "")
                + f" -> {mech.target} {mech.effect} ({sink.direction.value})")

    def apply(self, sink: Sink, expr: str, mech: Mechanism) -> None:
        desc = self.describe(mech, sink)
        if sink.kind == "process":
            self.b.add_factor(sink.name, expr, mechanisms=(mech.id,), description=desc)
        elif sink.kind == "secretion":
            self.pools[sink.name].secretion_factors.append((expr, (mech.id,)))
        else:
            pool = next(p for p in self.pools.values() if sink.name in p.cargo.values())
            pool.cargo_factors[sink.name].append((expr, (mech.id,)))

    # ------------------------------------------------------------------ dynamics
    def write_pools(self) -> None:
        b = self.b
        k_clear = _p(b, "k_exo_clearance", 2.0, unit="1/day", bounds=(0.2, 20.0),
                     source=_CLEARANCE_REF,
                     description="first-order clearance of endogenous exosomes at the site")
        k_clear_dose = _p(b, "k_exo_dose_clearance", 0.3, unit="1/day", bounds=(0.03, 3.0),
                          source=_CLEARANCE_REF,
                          description="first-order clearance of administered exosomes at the "
                                      "site (with uptake: half-life about 1.4 days)")
        k_up = _p(b, "k_exo_uptake", 0.2, unit="1/day", bounds=(0.02, 2.0), source=_UPTAKE_REF,
                  description="uptake of exosomes by target cells at their healthy abundance")
        knobs = self.report.knobs
        rab_mechs = [m.id for m in self.atlas.mechanisms.values()
                     if m.kind is MechanismKind.RELEASE_CONTROL and m.source.upper() == "RAB27A"]
        for pool in self.pools.values():
            capacity = self.uptake_capacity(pool)
            mechs = tuple(m.id for m in self.atlas.mechanisms.values()
                          if m.source in pool.lineage and m.kind in (
                              MechanismKind.EXOSOME_TRANSFER, MechanismKind.UPTAKE))
            if pool.endogenous:
                amount = self.sources[pool.cell]
                base = f"{pool.state}_baseline"
                n_ref = self.reference_amount(pool.cell)
                ref = _p(b, f"{pool.state}_ref_amount", n_ref, unit="1",
                         bounds=(n_ref * 0.01, n_ref * 100.0),
                         source=Assumed("the source cells' healthy (or initial) amount in the "
                                        "model: normalises secretion so the pool sits at its "
                                        "baseline there"),
                         description=f"reference amount of {pool.cell} ({amount}) for exosome "
                                     f"secretion")
                rab = _p(b, f"rab27a_{pool.cell}", 1.0, unit="1", bounds=(0.0, 2.0),
                         source=_RAB27A_REF,
                         description=f"Rab27a activity of {pool.cell} (1 = healthy; a knockdown "
                                     f"lowers it)")
                marker = _p(b, f"exo_marker_{pool.cell}", 1.0, unit="1", bounds=(0.0, 1.0),
                            source=Assumed("1 = intact exosome biogenesis markers; knocking out "
                                           "a marker tetraspanin (CD9) lowers it"),
                            description=f"exosome function of {pool.cell} given its marker "
                                        f"proteins")
                knobs.setdefault("rab27a", {})[pool.cell] = rab
                knobs.setdefault("marker", {})[pool.cell] = marker
                own_rab = [f for f in pool.secretion_factors if f[0] == rab]
                factors = [f for f, _ in pool.secretion_factors]
                if not own_rab:
                    factors.append(rab)
                declared = b.secretion_factors(pool.cell) if hasattr(b, "secretion_factors") \
                    else []
                factors += [f"({f.expr})" for f in declared]
                release = " * ".join([marker, *factors])
                release_mechs = tuple(dict.fromkeys(
                    [m for _, ms in pool.secretion_factors for m in ms]
                    + [m for f in declared for m in f.mechanisms]
                    + ([] if own_rab else [m for m in rab_mechs if self._targets(m, pool)])))
                b.add_assignment(f"{pool.state}_release", release, unit="1",
                                 description=f"relative exosome release per {pool.cell}",
                                 mechanisms=release_mechs)
                b.add_state(pool.state, base, unit="ug",
                            description=f"endogenous exosomes of {pool.cell} at the site")
                b.add_term(f"{pool.state}_secretion",
                           f"({k_clear} + {k_up})*{base}*(({amount})/{ref})*{pool.state}_release",
                           {pool.state: 1}, mechanisms=(POOL_TAG, *release_mechs, *mechs),
                           description=f"secretion of exosomes by {pool.cell}",
                           citations=(_RAB27A_REF,))
                b.add_term(f"{pool.state}_clearance", f"{k_clear}*{pool.state}",
                           {pool.state: -1}, mechanisms=(POOL_TAG,),
                           description="clearance of exosomes")
            else:  # written by add_dose_pool when first dosed
                plan = self.plan(pool)
                plan["uptake"] = capacity
                plan["mechanisms"] = list(mechs)
                continue
            b.add_term(f"{pool.state}_uptake", f"{k_up}*{capacity}*{pool.state}",
                       {pool.state: -1}, mechanisms=(POOL_TAG, *mechs),
                       description="uptake of exosomes by their target cells")
            self.report.pools[pool.state] = {"cell": pool.cell, "kind": "endogenous",
                                             "source": pool.source}
        assert k_clear_dose
        knobs.setdefault("dose_pools", {})
        self.write_cargo()
        for plan in knobs.get("dose_plans", {}).values():
            plan["factors"] = {name: self.deferred[name] for name in plan["signals"]
                               if name in self.deferred}
        for name, (cargo, parts) in self.signals.items():
            b.add_assignment(name, " + ".join(parts) if parts else "0", unit="ug",
                             description="exosomes reaching target cells from every pool of "
                                         "the source" + (f", weighted by {', '.join(cargo)} "
                                                         f"content" if cargo else ""))

    def _targets(self, mech_id: str, pool: _Pool) -> bool:
        target = self.atlas.mechanisms[mech_id].target
        return target in ("unspecified_cell", pool.cell)

    def uptake_capacity(self, pool: _Pool) -> str:
        targets = sorted({CELL_OF.get(m.target, m.target) for m in self.atlas.mechanisms.values()
                          if m.source in pool.lineage and m.kind in (
                              MechanismKind.EXOSOME_TRANSFER, MechanismKind.UPTAKE)})
        parts = []
        for cell in targets:
            amount = self.amount_of(cell)
            if amount is None:
                continue
            parts.append(f"({amount})/{_num(self.reference_amount(cell))}")
        if not parts:
            return "1"
        return f"(({' + '.join(parts)})/{len(parts)})"

    def reference_amount(self, cell: str) -> float:
        """Healthy amount of a source cell (its current initial amount when absent in health)."""
        value = _evaluate(self.healthy, self.healthy_sources.get(cell))
        if value is None or value <= 0:
            current = _evaluate(_values(self.b), self.sources.get(cell))
            value = current if current is not None and current > 0 else 1.0
        return float(value)

    def write_cargo(self) -> None:
        totals: dict[str, list[str]] = defaultdict(list)
        for pool in self.pools.values():
            for cargo, name in pool.cargo.items():
                knob = f"cargo_level_{pool.state}__{safe_name(cargo)}"
                factors = pool.cargo_factors.get(name, [])
                expr = " * ".join([knob, *(f"({f})" for f, _ in factors)])
                mechs = list(dict.fromkeys(m for _, ms in factors for m in ms))
                if not pool.endogenous:
                    plan = self.plan(pool)
                    plan["cargo"][name] = {"cargo": cargo, "expr": expr, "mechanisms": mechs}
                    plan["totals"][f"exo_cargo_total__{safe_name(cargo)}"] = \
                        f"{pool.state}*{name}"
                    totals.setdefault(cargo, [])
                    continue
                self.b.add_assignment(name, expr, unit="1", mechanisms=mechs,
                                      description=f"relative {cargo} content of {pool.state} "
                                                  f"exosomes")
                totals[cargo].append(f"{pool.state}*{name}")
        out = {}
        for cargo, parts in totals.items():
            name = f"exo_cargo_total__{safe_name(cargo)}"
            self.b.add_assignment(name, " + ".join(parts) if parts else "0", unit="ug",
                                  description=f"exosome-borne {cargo} at the site (all pools, "
                                              f"µg-equivalents times relative content)")
            out[cargo] = name
        self.report.knobs["cargo_totals"] = out


def add_dose_pool(builder: ModelBuilder, source: str) -> str:
    """Create the dose pool of exogenous ``source`` (once) and return its state name.

    The exosome layer compiles every mechanism of every dosable source but writes a source's
    pool only when it is first dosed, following the plan it recorded in the metadata: the pool
    state with clearance and uptake, its cargo presences (with the source's cargo profiles,
    e.g. TNF-α priming), and its share of the transfer signals and cargo totals. A model
    without doses thus carries no idle pools.

    Parameters
    ----------
    builder
        A builder the exosome layer was applied to.
    source
        Name of an exogenous source (``EXOGENOUS_SOURCES`` or an atlas source).

    Raises
    ------
    ModelError
        If the layer is missing or has no plan for ``source``.
    """
    report = builder.metadata.get(METADATA_KEY)
    if not isinstance(report, dict):
        raise ModelError("the exosome layer is not part of this model; dose pools need it")
    knobs = report["knobs"]
    plan = knobs.get("dose_plans", {}).get(source)
    if plan is None:
        raise ModelError(f"no exosome source {source!r} in this model's exosome layer")
    state = plan["state"]
    if builder.get_state(state) is not None:
        return str(state)
    builder.add_state(state, 0.0, unit="ug",
                      description=f"administered exosomes of {source} at the site")
    builder.add_term(f"{state}_clearance", f"k_exo_dose_clearance*{state}", {state: -1},
                     mechanisms=(POOL_TAG,),
                     description="clearance of administered exosomes")
    builder.add_term(f"{state}_uptake", f"k_exo_uptake*{plan['uptake']}*{state}", {state: -1},
                     mechanisms=(POOL_TAG, *plan["mechanisms"]),
                     description="uptake of exosomes by their target cells")
    for name, item in plan["cargo"].items():
        builder.add_assignment(name, item["expr"], unit="1", mechanisms=item["mechanisms"],
                               description=f"relative {item['cargo']} content of {state} "
                                           f"exosomes")
    for name, term in [*plan["signals"].items(), *plan["totals"].items()]:
        old = builder.get_assignment(name)
        if old is None:
            raise ModelError(f"exosome layer: signal {name!r} is missing from the model")
        first = old.expr.strip() == "0"
        expr = term if first else f"{old.expr} + {term}"
        for f in plan.get("factors", {}).get(name, ()) if first else ():
            builder.add_factor(f["process"], f["expr"], mechanisms=f["mechanisms"],
                               description=f["description"])
        builder.replace_assignment(name, expr, mechanisms=tuple(plan["mechanisms"]))
    knobs["dose_pools"][source] = state
    report["pools"][state] = {"cell": plan["cell"], "kind": "dose", "source": source}
    return str(state)


_RELEASE_EFFECTS = frozenset({"exosome_secretion", "ev_biogenesis", "mvb_assembly"})

#: target keys of mechanisms -> the cell whose abundance sets uptake
CELL_OF: dict[str, str] = {"bone_marrow_stromal_cell": "bmsc", "msc": "bmsc",
                           "hipsc_msc": "bmsc", "monocyte": "osteoclast_precursor",
                           "macrophage": "osteoclast_precursor"}

#: atlas regulator keys -> candidate symbols of the core or a scenario (first present wins)
REGULATOR_SYMBOLS: dict[str, tuple[str, ...]] = {
    "estrogen": ("estrogen",),
    "glucocorticoid": ("glucocorticoid", "glucocorticoids"),
    "MSTN": ("myostatin",),
    "TNF": ("tnf_alpha", "tnf"),
    "PTH": ("pth",),
    "wnt_pathway": ("wnt_signal", "wnt"),
}


def _model_symbol(builder: ModelBuilder, key: str) -> str | None:
    for name in REGULATOR_SYMBOLS.get(key, ()):
        if builder.has_symbol(name) and not name.startswith("m_"):
            return name
    return None


#: drug classes of the atlas -> intervention kinds that are members of the class
DRUG_CLASSES: dict[str, tuple[str, ...]] = {
    "antiresorptive_drug": ("bisphosphonate", "zoledronate", "alendronate", "denosumab"),
}


def _drug_interventions(key: str) -> list[str]:
    """Registered intervention kinds that model the drug (or drug class) ``key``."""
    from exobone.model.scenarios.interventions import get_intervention_kind
    names = DRUG_CLASSES.get(key, (key.lower(),))
    return [n for n in names if get_intervention_kind(n) is not None]


def _closure(builder: ModelBuilder, expr: str) -> set[str]:
    """Return every name ``expr`` depends on, following assignments (not modifiers)."""
    from exobone.model import expressions as ex
    seen: set[str] = set()
    todo = [expr]
    while todo:
        for name in ex.names_in(todo.pop()):
            if name in seen:
                continue
            seen.add(name)
            a = builder.get_assignment(name)
            if a is not None:
                todo.append(a.expr)
    return seen


def _applies(builder: ModelBuilder, process: str, symbol: str) -> bool:
    """True if the model already makes ``process`` depend on ``symbol``.

    Looks at the factors contributed to the process so far and at the rate laws of the terms
    that carry its modifier (the core's own dependencies, e.g. Wnt in osteogenic commitment).
    """
    if process not in PROCESSES:
        return False
    if any(symbol in _closure(builder, f.expr) for f in builder.factors(process)):
        return True
    modifier = PROCESSES[process].modifier
    for name in builder.term_names:
        term = builder.get_term(name)
        if term is not None and modifier in _closure(builder, term.rate) \
                and symbol in _closure(builder, term.rate):
            return True
    return False


def _expr_of(builder: ModelBuilder, name: str) -> str | None:
    a = builder.get_assignment(name)
    return a.expr if a is not None else None


def _num(x: float) -> str:
    return repr(float(x))


def _declared_sources(builder: ModelBuilder) -> dict[str, str]:
    """Return ``{cell key: amount expression}`` of the source cells present in ``builder``.

    The core and scenarios declare them (``ModelBuilder.add_source``); for a hand-built builder
    without declarations, states named as in :data:`ENDOGENOUS_CELLS` are used.
    """
    declared = dict(getattr(builder, "sources", {}) or {})
    if declared:
        return declared
    for cell, names in ENDOGENOUS_CELLS.items():
        for name in names:
            if builder.get_state(name) is not None:
                declared[cell] = name
                break
    return declared


def _values(builder: ModelBuilder) -> dict[str, float]:
    """Return the numeric parameter values and initial state values of ``builder``."""
    out: dict[str, float] = {}
    for name in builder.parameter_names:
        p = builder.get_parameter(name)
        if p is not None:
            out[name] = p.value
    pending = []
    for name in builder.state_names:
        s = builder.get_state(name)
        if s is None:
            continue
        if isinstance(s.initial, str):
            pending.append((name, s.initial))
        else:
            out[name] = float(s.initial)
    for name, text in pending:  # initial values given as expressions over parameters
        value = _evaluate(out, text)
        if value is not None:
            out[name] = value
    return out


def _evaluate(values: Mapping[str, float], expr: str | None) -> float | None:
    """Evaluate ``expr`` with ``values``; None when it uses anything else or is not finite."""
    if expr is None:
        return None
    try:
        from exobone.model import expressions as ex
        names = ex.names_in(expr)
        if any(n not in values for n in names):
            return None
        symbols = {n: sympy.Symbol(n) for n in names}
        result = float(sympy.sympify(expr, locals=symbols).subs(
            {symbols[n]: values[n] for n in names}))
    except (ModelError, TypeError, ValueError, sympy.SympifyError):
        return None
    return result if math.isfinite(result) else None


def _healthy_reference(builder: ModelBuilder,
                       species: str) -> tuple[dict[str, float], dict[str, str]]:
    """Return (healthy values, healthy declared sources) from a fresh bone core."""
    try:
        from exobone.model.build import ModelBuilder as _MB
        from exobone.model.core import add_core
    except ImportError:  # no bone core installed: the builder itself is the reference
        return _values(builder), _declared_sources(builder)
    ref = _MB("healthy-reference")
    add_core(ref, species=species)
    if not set(ref.state_names) <= set(builder.state_names):
        # not built on the bone core (a hand-made model): it is its own reference
        return _values(builder), _declared_sources(builder)
    return _values(ref), _declared_sources(ref)


def add_exosome_layer(builder: ModelBuilder, atlas: Atlas | None = None, *,
                      scenario: str = "healthy", species: str = "rat",
                      contexts: Iterable[str] | None = None) -> LayerReport:
    """Add exosome pools, cargo and every compilable atlas mechanism to ``builder``.

    Parameters
    ----------
    builder
        The workspace with the bone core and the scenario already applied.
    atlas
        The curated atlas (default: the shipped data).
    scenario
        Scenario name: decides which context-dependent cargo profiles are active.
    species
        ``"rat"``, ``"mouse"`` or ``"human"`` (recorded; the layer's rates are not species
        specific).
    contexts
        Atlas context keys active in the scenario (default: from :data:`SCENARIO_CONTEXTS`).

    Returns
    -------
    LayerReport
        Every mechanism with its fate; also stored, JSON-ready, in
        ``builder.metadata["exosome_layer_report"]``.

    Raises
    ------
    ModelError
        If a symbol the layer needs is already taken by another layer.

    Examples
    --------
    >>> from exobone.model.build import build_model
    >>> spec = build_model("healthy")
    >>> report = LayerReport.from_dict(spec.metadata["exosome_layer_report"])
    >>> len(report.compiled) > 0
    True
    """
    the_atlas = _atlas(atlas)
    active = frozenset(contexts if contexts is not None
                       else SCENARIO_CONTEXTS.get(scenario, (scenario,)))
    layer = _Layer(builder, the_atlas, scenario, species, active)
    layer.make_pools()
    layer.compile()
    layer.write_pools()
    layer.report.knobs["marker_genes"] = sorted(
        {g for f in the_atlas.facts.values()
         if f.property == "marker" and f.subject in ("exosome", "extracellular_vesicle")
         for g in f.items})
    builder.metadata[METADATA_KEY] = layer.report.to_dict()
    return layer.report


#: scenario name -> atlas context keys it stands for (cargo profiles tied to a context)
SCENARIO_CONTEXTS: dict[str, tuple[str, ...]] = {
    "healthy": ("healthy",),
    "ovx": ("ovx", "osteoporosis"),
    "aging": ("aging", "osteoporosis"),
    "gc_onfh": ("gc_onfh", "osteonecrosis"),
    "sle": ("sle", "osteoporosis"),
}
