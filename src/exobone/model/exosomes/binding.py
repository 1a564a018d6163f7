"""Binding rules: how each kind of atlas mechanism attaches to the model.

A mechanism binds to a *signal* (what drives it: an exosome pool signal, a regulator level, a
model input) and *sinks* (what it changes: a process modifier, a pool's secretion, a cargo
presence), or is refused with a :class:`~exobone.model.exosomes.report.Reason` and the detail.
The templates of :mod:`exobone.model.templates` then turn each binding into factors.
"""

from __future__ import annotations

from collections.abc import Collection

from exobone.atlas.records import Direction, EntityType, Mechanism, MechanismKind
from exobone.model.exosomes.introspect import (
    applies,
    closure,
    evaluate,
    expr_of,
    model_symbol,
    num,
)
from exobone.model.exosomes.pools import LEVEL_EC50, Pools, ensure_parameter
from exobone.model.exosomes.report import Reason
from exobone.model.exosomes.sources import ENDOGENOUS_CELLS, SOURCE_PARENTS, safe_name
from exobone.model.exosomes.state import LevelKnob
from exobone.model.parameters import Assumed
from exobone.model.processes import expression_process_for, process_for
from exobone.model.templates import Binding, Signal, Sink

__all__ = ["DRUG_CLASSES", "RELEASE_EFFECTS", "UNCONFINING_CONTEXTS", "Binder"]

#: effects of a mechanism that are exosome release (bound to a pool's secretion)
RELEASE_EFFECTS = frozenset({"exosome_secretion", "ev_biogenesis", "mvb_assembly"})

#: contexts that say where a mechanism was seen, not a condition it is confined to: cells in
#: culture, and health (every scenario perturbs the healthy core). Any other context of a
#: mechanism confines it to scenarios standing for that context (issue 13: MECH:1042, an ONFH
#: claim, acted as a resorption factor in OVX).
UNCONFINING_CONTEXTS = frozenset({"in_vitro_culture", "healthy"})

#: drug classes of the atlas -> intervention kinds that are members of the class
DRUG_CLASSES: dict[str, tuple[str, ...]] = {
    "antiresorptive_drug": ("bisphosphonate", "zoledronate", "alendronate", "denosumab"),
}


class Binder:
    """The binding rules of one compilation.

    Parameters
    ----------
    pools
        The compilation's pools (and through them the builder and the atlas).
    scenario, contexts
        The scenario and the atlas contexts it stands for (cargo profiles of a context apply
        only in scenarios of that context).
    drug_kinds
        Intervention kinds registered in the model: a regulator that is a drug (or drug class)
        with a kind is represented by that intervention, not by the layer.
    """

    def __init__(self, pools: Pools, scenario: str, contexts: frozenset[str],
                 drug_kinds: Collection[str]) -> None:
        self.pools = pools
        self.b, self.atlas = pools.b, pools.atlas
        self.scenario, self.contexts = scenario, contexts
        self.drug_kinds = frozenset(drug_kinds)
        self.levels: dict[tuple[str, str | None], str] = {}
        #: mechanism id -> why its unspecified source was attributed to a disease's pools
        self.attributions: dict[str, str] = {}

    def drug_interventions(self, key: str) -> list[str]:
        """Intervention kinds that model the drug (or drug class) ``key``."""
        names = DRUG_CLASSES.get(key, (key.lower(),))
        return [n for n in names if n in self.drug_kinds]

    def level(self, molecule: str, cell: str | None) -> str:
        key = (molecule, None if cell in (None, "unspecified_cell") else cell)
        if key not in self.levels:
            where = f"_in_{safe_name(key[1])}" if key[1] else ""
            name = ensure_parameter(
                self.b, f"level_{safe_name(molecule)}{where}", 1.0, unit="1",
                bounds=(0.0, 20.0),
                source=Assumed("relative level, 1 = healthy; set by knockouts, mimics "
                               "and antagomirs"),
                description=f"relative level of {molecule}"
                            + (f" in {key[1]}" if key[1] else "")
                            + " (intervention knob)")
            self.levels[key] = name
            self.pools.layer.levels.append(LevelKnob(name, molecule, key[1]))
        return self.levels[key]

    def regulator(self, mech: Mechanism) -> Signal | tuple[str, str]:
        """Resolve the regulator of a regulation/release/cargo mechanism, or (reason, detail)."""
        src = mech.source
        entity = self.atlas.entities.get(src)
        etype = entity.type if entity is not None else EntityType.OTHER
        symbol = model_symbol(self.b, src)
        if symbol is not None:
            healthy = self.pools.healthy
            baseline = healthy.get(symbol, evaluate(self.b, healthy, expr_of(self.b, symbol)))
            if baseline is None:
                if closure(self.b, symbol) & set(healthy) or symbol in healthy:
                    return (Reason.REGULATOR_NOT_IN_MODEL,
                            (f"{src} is the model symbol {symbol!r} but its healthy value is "
                             f"not a number"))
                baseline = 0.0  # an input the scenario adds: absent in health
            return Signal(symbol, num(baseline), unit="1", ec50=max(abs(baseline), 1.0),
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
        drugs = self.drug_interventions(src)
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
    def out_of_context(self, mech: Mechanism) -> str | None:
        """Why ``mech`` does not act in this scenario (None if it does): its confining
        contexts (all but :data:`UNCONFINING_CONTEXTS`) share none with the scenario's."""
        confining = [c for c in mech.contexts if c not in UNCONFINING_CONTEXTS]
        if not confining or set(confining) & self.contexts:
            return None
        return (f"observed in {', '.join(confining)}; scenario {self.scenario!r} stands for "
                f"{', '.join(sorted(self.contexts))}")

    def bind(self, mech: Mechanism) -> list[Binding] | tuple[str, str]:
        outside = self.out_of_context(mech)
        if outside is not None:
            return (Reason.CONDITION_INACTIVE, outside)
        kind = mech.kind
        if kind is MechanismKind.UPTAKE:
            return [Binding(mech, None, ())]
        if kind is MechanismKind.EXOSOME_TRANSFER:
            pools = self.pools.for_source(mech.source)
            attributed = None
            if not pools and mech.source == "unspecified_cell":
                pools = self.pools.context_pools(mech)
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
            if mech.effect in RELEASE_EFFECTS:  # exosomes that make the target release more
                sinks = [Sink("secretion", p.state, mech.direction)
                         for p in self.pools.of_cell(mech.target, endogenous_only=True)]
            if not sinks:
                return (Reason.NO_PROCESS, f"no process for ({mech.target}, {mech.effect})"
                        + (" and no endogenous pool of the target" if mech.effect in
                           RELEASE_EFFECTS else ""))
            return [Binding(mech, self.pools.signal_for(mech, pools, attributed), tuple(sinks))]
        if kind is MechanismKind.REGULATION:
            sinks = self.process_sinks(mech)
            if not sinks:
                return (Reason.NO_PROCESS, f"no process for ({mech.target}, {mech.effect})")
            reg = self.regulator(mech)
            if not isinstance(reg, tuple):
                applied = [x for x in sinks if applies(self.b, x.name, reg.expr)]
                if applied and len(applied) == len(sinks):
                    return self.already(reg.expr, [x.name for x in applied])
                sinks = [x for x in sinks if x not in applied]
            if isinstance(reg, tuple):
                if mech.source.upper() == "RAB27A":
                    pools = self.pools.of_cell(mech.target, endogenous_only=True)
                    if not pools:
                        return (Reason.NO_POOL, f"no endogenous pool of {mech.target}")
                    sig = Signal(f"rab27a_{pools[0].cell}", "1", unit="1",
                                 ec50=LEVEL_EC50[0], ec50_bounds=LEVEL_EC50[1],
                                 description=f"Rab27a activity of {pools[0].cell}")
                    return [Binding(mech, sig, tuple(sinks))]
                return reg
            return [Binding(mech, reg, tuple(sinks))]
        if kind is MechanismKind.RELEASE_CONTROL:
            if mech.effect not in RELEASE_EFFECTS:
                return (Reason.NO_PROCESS, f"effect {mech.effect!r} is not exosome release")
            pools = self.pools.of_cell(mech.target, endogenous_only=True)
            if not pools:
                return (Reason.NO_POOL, f"no endogenous exosome pool of {mech.target!r}")
            if mech.source.upper() == "RAB27A":
                return [Binding(mech, Signal(f"rab27a_{p.cell}", "1", unit="rab27a"),
                                (Sink("secretion", p.state, mech.direction),)) for p in pools]
            reg = self.regulator(mech)
            if isinstance(reg, tuple):
                return reg
            declared = [p for p in pools if any(
                reg.expr in closure(self.b, f.expr) for f in self.b.secretion_factors(p.cell))]
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
                   if symbol in closure(self.b, f.expr)}
        reason = (Reason.SCENARIO if any(o.startswith("scenario") for o in origins)
                  else Reason.CORE_STRUCTURE)
        return (reason, (f"the model already makes {', '.join(processes)} depend on {symbol} "
                        f"({', '.join(sorted(origins)) or 'core rate law'}); not counted twice"))

    def bind_cargo_profile(self, mech: Mechanism) -> list[Binding] | tuple[str, str]:
        if not mech.cargo:
            return (Reason.NO_PROCESS, "a cargo profile without named cargo changes nothing")
        pools = self.pools.of_cell(mech.target)
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
        sinks = tuple(Sink("cargo", self.pools.cargo_presence(p, c), mech.direction)
                      for p in targets for c in mech.cargo)
        return [Binding(mech, signal, sinks)]
