"""The exosome layer's state as typed objects: the knobs interventions set and the dose plans.

:func:`~exobone.model.exosomes.layer.add_exosome_layer` leaves an :class:`ExosomeLayer` on the
builder (``builder.exosome_layer``); exosome interventions, :func:`add_dose_pool` and the
scorecard's readouts read it through these types. The model metadata keeps only its JSON form
(:meth:`ExosomeLayer.to_dict`, under ``"exosome_layer_report"``) for provenance; nothing reads
that back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exobone.model.exosomes.report import LayerReport
from exobone.model.parameters import Parameter

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = [
    "METADATA_KEY",
    "CargoKnob",
    "CargoPlan",
    "DeferredFactor",
    "DosePlan",
    "ExosomeLayer",
    "LevelKnob",
]

#: metadata key of the layer's JSON report (provenance only)
METADATA_KEY = "exosome_layer_report"


@dataclass(frozen=True)
class CargoKnob:
    """The relative content of one cargo in one pool's exosomes (1 = as in health).

    ``parameter`` is the knob knockouts, mimics and antagomirs set; ``assignment`` is the
    cargo presence it feeds (the knob times the pool's cargo-profile factors).
    """

    parameter: str
    assignment: str
    pool: str
    cell: str
    cargo: str
    endogenous: bool


@dataclass(frozen=True)
class LevelKnob:
    """The relative level of a regulator (gene or miRNA) in a cell, or anywhere (``cell`` None)."""

    parameter: str
    molecule: str
    cell: str | None


@dataclass(frozen=True)
class DeferredFactor:
    """A process factor of a dose pool's mechanism, added when the pool is first dosed, with
    the parameters only it reads (the dosed ceiling's scale)."""

    process: str
    expr: str
    mechanisms: tuple[str, ...]
    description: str
    parameters: tuple[Parameter, ...] = ()


@dataclass(frozen=True)
class CargoPlan:
    """The cargo presence assignment a dose pool gets when first dosed."""

    cargo: str
    expr: str
    mechanisms: tuple[str, ...]


@dataclass
class DosePlan:
    """What :func:`~exobone.model.exosomes.dosing.add_dose_pool` writes for one exogenous source.

    Attributes
    ----------
    source, state, cell
        Source name (``hipsc-msc``), its pool state, the atlas cell key of the producing cell.
    signals
        ``{dose signal assignment: this pool's term}``: the pool's share of each administered
        transfer signal.
    cargo
        ``{cargo presence assignment: plan}``.
    totals
        ``{cargo total assignment: this pool's term}``.
    uptake
        Uptake capacity expression of the pool's target cells.
    mechanisms
        Atlas ids of the transfer and uptake mechanisms of the source.
    factors
        ``{dose signal: factors}``: the dosed responses (and factors of mechanisms whose only
        pools are dose pools), written with the signal's first pool, so a model without doses
        carries no factor that is identically 1.
    """

    source: str
    state: str
    cell: str
    signals: dict[str, str] = field(default_factory=dict)
    cargo: dict[str, CargoPlan] = field(default_factory=dict)
    totals: dict[str, str] = field(default_factory=dict)
    uptake: str = "1"
    mechanisms: tuple[str, ...] = ()
    factors: dict[str, list[DeferredFactor]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (provenance)."""
        return {"state": self.state, "cell": self.cell, "signals": dict(self.signals),
                "cargo": {name: {"cargo": c.cargo, "expr": c.expr,
                                 "mechanisms": list(c.mechanisms)}
                          for name, c in self.cargo.items()},
                "totals": dict(self.totals), "uptake": self.uptake,
                "mechanisms": list(self.mechanisms),
                "factors": {name: [{"process": f.process, "expr": f.expr,
                                    "mechanisms": list(f.mechanisms),
                                    "description": f.description,
                                    "parameters": [p.name for p in f.parameters]} for f in fs]
                            for name, fs in self.factors.items()}}


@dataclass
class ExosomeLayer:
    """The exosome layer of one model: its report, the knobs interventions set, its dose plans.

    Attributes
    ----------
    report
        Every atlas mechanism with its fate, and the pools.
    rab27a, marker
        ``{cell: parameter}``: Rab27a activity and exosome-marker function of each endogenous
        pool's cell.
    cargo
        Cargo content knobs, one per (pool, cargo).
    levels
        Regulator level knobs.
    cargo_totals
        ``{cargo: assignment}``: exosome-borne cargo at the site, all pools.
    marker_genes
        Exosome marker genes of the atlas's marker facts (CD9...).
    dose_plans
        ``{source name: plan}`` for every dosable source.
    dose_pools
        ``{source name: state}`` of the sources dosed so far.
    dose_routes
        ``{route: site clearance (1/day)}`` of the doses so far (:mod:`.routes`).
    """

    report: LayerReport
    rab27a: dict[str, str] = field(default_factory=dict)
    marker: dict[str, str] = field(default_factory=dict)
    cargo: list[CargoKnob] = field(default_factory=list)
    levels: list[LevelKnob] = field(default_factory=list)
    cargo_totals: dict[str, str] = field(default_factory=dict)
    marker_genes: tuple[str, ...] = ()
    dose_plans: dict[str, DosePlan] = field(default_factory=dict)
    dose_pools: dict[str, str] = field(default_factory=dict)
    dose_routes: dict[str, float] = field(default_factory=dict)

    def endogenous_pools(self) -> dict[str, str]:
        """Return ``{pool state: cell}`` of the endogenous pools."""
        return {state: info["cell"] for state, info in self.report.pools.items()
                if info.get("kind") == "endogenous"}

    def knobs_dict(self) -> dict[str, Any]:
        """Return the knobs and plans, JSON-ready (provenance)."""
        return {"cargo": [vars(k).copy() for k in self.cargo],
                "levels": [vars(k).copy() for k in self.levels],
                "dose_plans": {name: p.to_dict() for name, p in self.dose_plans.items()},
                "rab27a": dict(self.rab27a), "marker": dict(self.marker),
                "dose_pools": dict(self.dose_pools), "dose_routes": dict(self.dose_routes),
                "cargo_totals": dict(self.cargo_totals),
                "marker_genes": list(self.marker_genes)}

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON report: :meth:`LayerReport.to_dict` with the knobs."""
        return {**self.report.to_dict(), "knobs": self.knobs_dict()}

    def record(self, builder: ModelBuilder) -> None:
        """Write the JSON report into ``builder.metadata`` (refreshed after each dose pool)."""
        builder.metadata[METADATA_KEY] = self.to_dict()
