"""Exosome pools: endogenous pools of the model's source cells, dose pools, cargo and signals.

Each endogenous pool ``exo_<cell>`` is secreted in proportion to its source cells, their Rab27a
activity and the release factors of ``release_control`` mechanisms, cleared first-order, and
taken up in proportion to its target cells; the secretion rate puts the pool at its baseline
when the cells are at their healthy amount. Dose pools are planned here and written by
:func:`~exobone.model.exosomes.dosing.add_dose_pool` when first dosed. Transfer mechanisms act
through *signals*: per (source, cargo), one assignment summing the endogenous pools that carry
it and one summing the dose pools (the two drive separate responses).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exobone.atlas.records import Mechanism, MechanismKind
from exobone.model.exosomes.introspect import (
    declared_sources,
    evaluate,
    healthy_reference,
    num,
    values_of,
)
from exobone.model.exosomes.sources import (
    DISEASE_CELL_CONTEXTS,
    REDUCED_CARGO,
    SOURCE_PARENTS,
    exogenous_sources,
    safe_name,
    source_family,
)
from exobone.model.exosomes.state import (
    CargoKnob,
    CargoPlan,
    DeferredFactor,
    DosePlan,
    ExosomeLayer,
)
from exobone.model.parameters import Assumed, Reference
from exobone.model.templates import Signal

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas
    from exobone.model.builder import ModelBuilder

__all__ = ["CELL_OF", "EXO_EC50", "LEVEL_EC50", "POOL_TAG", "Pool", "Pools", "ensure_parameter"]

#: module tag on the pool terms (secretion, clearance, uptake), beside the atlas ids they carry
POOL_TAG = "exosome-layer:pool"

#: target keys of mechanisms -> the cell whose abundance sets uptake
CELL_OF: dict[str, str] = {"bone_marrow_stromal_cell": "bmsc", "msc": "bmsc",
                           "hipsc_msc": "bmsc", "monocyte": "osteoclast_precursor",
                           "macrophage": "osteoclast_precursor"}

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


def ensure_parameter(builder: ModelBuilder, name: str, value: float, *, unit: str,
                     bounds: tuple[float, float] | None, source: Assumed | Reference,
                     description: str) -> str:
    """Add parameter ``name`` unless it exists (layers share it); return the name."""
    if builder.get_parameter(name) is None:
        builder.add_parameter(name, value, unit=unit, bounds=bounds, source=source,
                              description=description)
    return name


# ============================================================================ pools
@dataclass
class Pool:
    """One exosome pool of the compilation (endogenous, or the plan of a dose pool)."""

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


class Pools:
    """The pools of one compilation, with the signals and dose plans that refer to them."""

    def __init__(self, builder: ModelBuilder, atlas: Atlas, layer: ExosomeLayer,
                 species: str) -> None:
        self.b, self.atlas, self.layer = builder, atlas, layer
        self.pools: dict[str, Pool] = {}
        #: signal assignment -> (cargo, terms of its endogenous pools)
        self.signals: dict[str, tuple[tuple[str, ...], list[str]]] = {}
        #: dose signal assignment (0 until a dose pool joins it) -> its description
        self.dose_signals: dict[str, str] = {}
        #: dose signal -> process factors waiting for the signal's first dose pool
        self.deferred: dict[str, list[DeferredFactor]] = {}
        self.sources = declared_sources(builder)
        self.healthy, self.healthy_sources = healthy_reference(builder, species)

    def amount_of(self, cell: str) -> str | None:
        """Return the amount expression of a cell type present in the model, or None."""
        return self.sources.get(cell)

    def make(self) -> None:
        """Create the endogenous pools of the model's source cells and one per dosable source."""
        transfer_sources = {m.source for m in self.atlas.mechanisms.values()
                            if m.kind is MechanismKind.EXOSOME_TRANSFER}
        for cell in self.sources:
            lineage = (cell, *SOURCE_PARENTS.get(cell, ()))
            if not transfer_sources & set(lineage):
                continue  # the atlas names no exosome effect of this cell type
            pool = Pool(f"exo_{cell}", cell, lineage, True, cell)
            healthy = cell in self.healthy_sources
            base = ensure_parameter(
                self.b, f"{pool.state}_baseline", 1.0, unit="ug", bounds=(0.1, 10.0),
                source=_BASELINE_REF,
                description=f"{'healthy' if healthy else 'reference'} level of {cell} "
                            f"exosomes at the site")
            # a cell type absent in health (tumour cells) has no healthy exosome level
            pool.baseline = base if healthy else "0"
            self.pools[pool.state] = pool
        for src in exogenous_sources(self.atlas).values():
            name = f"exo_dose_{src.key}"
            self.pools[name] = Pool(name, src.cell, src.lineage, False, src.name,
                                     conditions=src.conditions)

    def for_source(self, source: str) -> list[Pool]:
        """Pools carrying exosomes of atlas source ``source`` (its own or a child class's)."""
        return [p for p in self.pools.values() if source in p.lineage]

    def context_pools(self, mech: Mechanism) -> list[Pool]:
        """Pools of the disease cells whose context the mechanism names (see
        :data:`DISEASE_CELL_CONTEXTS`); for transfers from an unspecified source."""
        contexts = set(mech.contexts)
        return [p for p in self.pools.values()
                if p.endogenous and contexts & set(DISEASE_CELL_CONTEXTS.get(p.cell, ()))]

    def of_cell(self, cell: str, *, endogenous_only: bool = False) -> list[Pool]:
        """Pools made by ``cell`` (every endogenous pool for ``unspecified_cell``)."""
        if cell == "unspecified_cell":
            return [p for p in self.pools.values() if p.endogenous]
        return [p for p in self.pools.values()
                if (p.cell == cell or cell in p.lineage) and (p.endogenous or not endogenous_only)]

    def cargo_presence(self, pool: Pool, cargo: str) -> str:
        """Return the presence assignment of ``cargo`` in ``pool`` (its knob made once)."""
        if cargo not in pool.cargo:
            name = f"cargo_{pool.state}__{safe_name(cargo)}"
            knob = ensure_parameter(
                self.b, f"cargo_level_{pool.state}__{safe_name(cargo)}", 1.0, unit="1",
                bounds=(0.0, 20.0),
                source=Assumed("relative content, 1 = as carried in health; set by "
                               "knockouts, mimics and antagomirs"),
                description=f"relative amount of {cargo} in {pool.state} exosomes "
                            f"(intervention knob)")
            pool.cargo[cargo] = name
            self.layer.cargo.append(CargoKnob(knob, name, pool.state, pool.cell, cargo,
                                              pool.endogenous))
        return pool.cargo[cargo]

    def signal_for(self, mech: Mechanism, pools: list[Pool], source: str | None = None) -> Signal:
        """Return the signal of a transfer mechanism: its endogenous and its dosed part.

        Each part is one assignment per (source, cargo) pair, shared by the mechanisms with that
        pair: ``exo_signal__...`` sums the endogenous pools (0 without any),
        ``exo_dose_signal__...`` the dose pools, which join it when the ``exosome``
        intervention first doses them (:func:`add_dose_pool`; 0 until then). The two parts
        drive separate responses (:mod:`exobone.model.templates`: endogenous effects are in
        the calibrated core, a dose is a cargo pool of its own). ``source`` names the signal
        when the pools are not the mechanism's own source (an attributed unspecified source).
        """
        cargo = tuple(mech.cargo)
        reduced = REDUCED_CARGO.get(mech.id, frozenset())
        source = source or mech.source
        suffix = safe_name(source) + (
            "__" + "_".join(("low_" if c in reduced else "") + safe_name(c) for c in cargo)
            if cargo else "")
        name, dose_name = f"exo_signal__{suffix}", f"exo_dose_signal__{suffix}"
        gate = (f", gated by {', '.join(cargo)}" if cargo else "") + (
            f" (acting with less {', '.join(sorted(reduced))})" if reduced else "")
        if name not in self.signals:
            self.signals[name] = (cargo, [])
            for pool in pools:
                term = self.pool_term(pool, cargo, reduced)
                if pool.endogenous:
                    self.signals[name][1].append(term)
                else:
                    self.plan(pool).signals[dose_name] = term
                    self.dose_signals[dose_name] = (f"administered {source} exosomes reaching "
                                                    f"the target{gate}")
        base = [p.baseline for p in pools if p.endogenous and p.baseline != "0"]
        return Signal(name, " + ".join(base) if base else "0", unit="ug",
                      ec50=EXO_EC50[0], ec50_bounds=EXO_EC50[1], group=source_family(source),
                      description=f"{source} exosomes reaching the target{gate}",
                      dose_expr=dose_name if dose_name in self.dose_signals else "")

    def pool_term(self, pool: Pool, cargo: tuple[str, ...],
                  reduced: frozenset[str] = frozenset()) -> str:
        """Return ``pool * mean cargo gate`` (the pool alone without cargo).

        A cargo's gate is its presence (1 as carried in health); a cargo in ``reduced`` (the
        vesicles act with less of it, :data:`~exobone.model.exosomes.sources.REDUCED_CARGO`)
        gates by ``2 / (1 + presence)``: 1 in health, rising to 2 without it and falling as a
        mimic raises it (assumption: the simplest bounded inverse with the healthy value 1).
        """
        if not cargo:
            return pool.state
        presences = [f"2/(1 + {self.cargo_presence(pool, c)})" if c in reduced
                     else self.cargo_presence(pool, c) for c in cargo]
        gate = (presences[0] if len(presences) == 1
                else f"({' + '.join(presences)})/{len(presences)}")
        return f"{pool.state}*{gate}"

    def plan(self, pool: Pool) -> DosePlan:
        """Return the plan that :func:`~exobone.model.exosomes.dosing.add_dose_pool` follows
        for a dose pool."""
        plans = self.layer.dose_plans
        if pool.source not in plans:
            plans[pool.source] = DosePlan(pool.source, pool.state, pool.cell)
        return plans[pool.source]

    def write(self) -> None:
        """Write the pools' states, secretion, clearance and uptake (dose pools: their plans),
        the cargo presences and totals, and the transfer signals."""
        b = self.b
        k_clear = ensure_parameter(
            b, "k_exo_clearance", 2.0, unit="1/day", bounds=(0.2, 20.0),
            source=_CLEARANCE_REF,
            description="first-order clearance of endogenous exosomes at the site")
        k_clear_dose = ensure_parameter(
            b, "k_exo_dose_clearance", 0.3, unit="1/day", bounds=(0.03, 3.0),
            source=_CLEARANCE_REF,
            description="first-order clearance of administered exosomes at the "
                        "site (with uptake: half-life about 1.4 days)")
        k_up = ensure_parameter(
            b, "k_exo_uptake", 0.2, unit="1/day", bounds=(0.02, 2.0), source=_UPTAKE_REF,
            description="uptake of exosomes by target cells at their healthy abundance")
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
                ref = ensure_parameter(
                    b, f"{pool.state}_ref_amount", n_ref, unit="1",
                    bounds=(n_ref * 0.01, n_ref * 100.0),
                    source=Assumed("the source cells' healthy (or initial) amount in the "
                                   "model: normalises secretion so the pool sits at its "
                                   "baseline there"),
                    description=f"reference amount of {pool.cell} ({amount}) for exosome "
                                f"secretion")
                rab = ensure_parameter(
                    b, f"rab27a_{pool.cell}", 1.0, unit="1", bounds=(0.0, 2.0),
                    source=_RAB27A_REF,
                    description=f"Rab27a activity of {pool.cell} (1 = healthy; a knockdown "
                                f"lowers it)")
                marker = ensure_parameter(
                    b, f"exo_marker_{pool.cell}", 1.0, unit="1", bounds=(0.0, 1.0),
                    source=Assumed("1 = intact exosome biogenesis markers; knocking out "
                                   "a marker tetraspanin (CD9) lowers it"),
                    description=f"exosome function of {pool.cell} given its marker "
                                f"proteins")
                self.layer.rab27a[pool.cell] = rab
                self.layer.marker[pool.cell] = marker
                own_rab = [f for f in pool.secretion_factors if f[0] == rab]
                factors = [f for f, _ in pool.secretion_factors]
                if not own_rab:
                    factors.append(rab)
                declared = b.secretion_factors(pool.cell)
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
                plan.uptake = capacity
                plan.mechanisms = mechs
                continue
            b.add_term(f"{pool.state}_uptake", f"{k_up}*{capacity}*{pool.state}",
                       {pool.state: -1}, mechanisms=(POOL_TAG, *mechs),
                       description="uptake of exosomes by their target cells")
            self.layer.report.pools[pool.state] = {"cell": pool.cell, "kind": "endogenous",
                                             "source": pool.source}
        assert k_clear_dose
        self.write_cargo()
        for plan in self.layer.dose_plans.values():
            plan.factors = {name: self.deferred[name] for name in plan.signals
                            if name in self.deferred}
        for name, (cargo, parts) in self.signals.items():
            b.add_assignment(name, " + ".join(parts) if parts else "0", unit="ug",
                             description="exosomes reaching target cells from every "
                                         "endogenous pool of the source"
                                         + (f", weighted by {', '.join(cargo)} content"
                                            if cargo else ""))
        for name, description in self.dose_signals.items():
            b.add_assignment(name, "0", unit="ug", description=description)

    def _targets(self, mech_id: str, pool: Pool) -> bool:
        target = self.atlas.mechanisms[mech_id].target
        return target in ("unspecified_cell", pool.cell)

    def uptake_capacity(self, pool: Pool) -> str:
        targets = sorted({CELL_OF.get(m.target, m.target) for m in self.atlas.mechanisms.values()
                          if m.source in pool.lineage and m.kind in (
                              MechanismKind.EXOSOME_TRANSFER, MechanismKind.UPTAKE)})
        parts = []
        for cell in targets:
            amount = self.amount_of(cell)
            if amount is None:
                continue
            parts.append(f"({amount})/{num(self.reference_amount(cell))}")
        if not parts:
            return "1"
        return f"(({' + '.join(parts)})/{len(parts)})"

    def reference_amount(self, cell: str) -> float:
        """Healthy amount of a source cell (its current initial amount when absent in health)."""
        value = evaluate(self.b, self.healthy, self.healthy_sources.get(cell))
        if value is None or value <= 0:
            current = evaluate(self.b, values_of(self.b), self.sources.get(cell))
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
                    plan.cargo[name] = CargoPlan(cargo, expr, tuple(mechs))
                    plan.totals[f"exo_cargo_total__{safe_name(cargo)}"] = f"{pool.state}*{name}"
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
        self.layer.cargo_totals = out
