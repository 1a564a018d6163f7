"""The exosome layer: every atlas mechanism compiled into pools, cargo and process factors.

:func:`add_exosome_layer` adds to a :class:`~exobone.model.builder.ModelBuilder`

* one **endogenous pool** ``exo_<cell>`` (µg-equivalents of exosome protein at the bone site)
  per source cell type the model has (BMSCs, osteoblasts, osteocytes, osteoclasts, endothelium,
  and tumour cells when the scenario adds them): secretion proportional to the source cells,
  their Rab27a activity and the release factors compiled from ``release_control`` mechanisms;
  first-order clearance; uptake proportional to the target cells present. The secretion rate
  is set so the pool sits at its healthy level ``exo_<cell>_baseline`` when the cells do
  (:mod:`.pools`);
* one **dose pool** ``exo_dose_<source>`` per exogenous source (:mod:`.sources`), fed by the dose
  events of the ``exosome`` intervention. Its mechanisms are compiled with the layer, but the
  pool (and the factors of mechanisms no endogenous pool drives) is written by
  :func:`~exobone.model.exosomes.dosing.add_dose_pool` when the source is first dosed,
  following a :class:`~exobone.model.exosomes.state.DosePlan`, so models without doses stay
  small;
* **cargo presence** ``cargo_<pool>__<cargo>`` (1 in health): a knob ``cargo_level_...`` that
  knockouts, mimics and antagomirs set, times the factors of ``cargo_profile`` mechanisms;
* **regulator levels** ``level_<molecule>_in_<cell>`` (1 in health) for genes and miRNAs that
  regulate a process in the atlas;
* one factor per (mechanism, sink) from :mod:`exobone.model.templates`, bound by the rules of
  :mod:`.binding`; exosome transfers instead add their signed drive to the bounded responses
  of their source family on each process: one to the endogenous pools
  (``exo_drive__<family>__<process>``, ceiling ``exo_emax__<family>__<process>``) and one to the
  dose pools (``exo_dose_drive__<family>__<process>``, ceiling
  ``exo_dose_emax_scale__<family>*exo_emax__<family>__<process>``, added with the first dose);
  the combination rule and why doses get their own ceiling: :mod:`exobone.model.templates`.

Every mechanism of the atlas ends up in the :class:`~exobone.model.exosomes.report.LayerReport`:
compiled, with the processes/pools it acts on and its parameters, or not compiled, with the
reason. Nothing is dropped silently. The layer's typed state
(:class:`~exobone.model.exosomes.state.ExosomeLayer`) is left on ``builder.exosome_layer``; its
JSON form goes to ``builder.metadata["exosome_layer_report"]`` for provenance.

Because the mapping goes through :func:`exobone.model.processes.process_for` and the template
registry, adding a mechanism to the curated YAML changes the compiled model with no code change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from exobone.atlas.curation import Atlas, default_atlas
from exobone.atlas.records import EntityType, Mechanism, MechanismKind
from exobone.errors import ModelError
from exobone.model.exosomes.binding import Binder
from exobone.model.exosomes.pools import Pools
from exobone.model.exosomes.report import LayerReport, MechanismStatus, Reason
from exobone.model.exosomes.state import DeferredFactor, ExosomeLayer
from exobone.model.templates import (
    Compiled,
    Drive,
    Signal,
    Sink,
    combined_factor,
    dose_emax_scale_parameter,
    require_template,
    shared_emax_parameter,
)

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = ["add_exosome_layer"]


@dataclass
class _Member:
    """One mechanism's share of a combined response."""

    mech: Mechanism
    drive: Drive
    dose_signal: str  # the administered part of its signal ("" without dose pools)
    dormant: bool  # no endogenous pool carries its source
    description: str


class _Compiler:
    """Binds and records every mechanism of one compilation."""

    def __init__(self, builder: ModelBuilder, atlas: Atlas, pools: Pools, binder: Binder,
                 report: LayerReport) -> None:
        self.b, self.atlas = builder, atlas
        self.pools, self.binder, self.report = pools, binder, report
        #: (source family, process) -> the mechanisms combined into its response
        self.groups: dict[tuple[str, str], list[_Member]] = {}

    def compile(self) -> None:
        """Bind every mechanism of the atlas and record its fate."""
        for mech in self.atlas.mechanisms.values():
            bound = self.binder.bind(mech)
            if isinstance(bound, tuple):
                reason, detail = bound
                self.report.mechanisms.append(
                    MechanismStatus(mech.id, mech.kind.value, False, reason, detail))
                continue
            template = require_template(mech.kind.value)
            results = [template(b) for b in bound]
            self.record(mech, results, bound[0].signal)
        self.combine()

    def combine(self) -> None:
        """Write the bounded responses of each (source family, process): one to the
        endogenous drive, one to the dosed drive (rule and reason: :mod:`exobone.model.templates`).

        The endogenous response holds the members with an endogenous pool; the dosed response
        waits for the first dose: its factor is planned under each member's dose signal and
        added once, by the first dose that feeds one, so untreated models carry none.
        """
        for (group, process), members in self.groups.items():
            ids = tuple(dict.fromkeys(m.mech.id for m in members))
            emax = shared_emax_parameter(group, process, ids)
            if self.b.get_parameter(emax.name) is None:
                self.b.add_parameter(emax)
            scale = dose_emax_scale_parameter(group)
            endogenous = [m for m in members if not m.dormant]
            dosed = [m for m in members if m.drive.dose_term]
            notes = []
            if endogenous:
                drive = self.drive(f"exo_drive__{group}__{process}", endogenous,
                                   lambda m: m.drive.term, f"{group} exosomes of the animal's "
                                   f"own cells on {process}", "0 in health")
                self.b.add_factor(process, combined_factor(drive, emax.name),
                                  mechanisms=tuple(dict.fromkeys(m.mech.id for m in endogenous)),
                                  description=self.describe_response(
                                      f"endogenous {group} exosomes", process, emax.name,
                                      drive, endogenous))
                notes.append(f"endogenous response {drive}, ceiling {emax.name}")
            if dosed:
                drive = self.drive(f"exo_dose_drive__{group}__{process}", dosed,
                                   lambda m: m.drive.dose_term, f"administered {group} "
                                   f"exosomes on {process}", "0 without a dose")
                ceiling = f"{scale.name}*{emax.name}"
                deferred = DeferredFactor(
                    process, combined_factor(drive, ceiling),
                    tuple(dict.fromkeys(m.mech.id for m in dosed)),
                    self.describe_response(f"administered {group} exosomes", process, ceiling,
                                           drive, dosed), (scale,))
                for signal in dict.fromkeys(m.dose_signal for m in dosed):
                    self.pools.deferred.setdefault(signal, []).append(deferred)
                notes.append(f"dosed response {drive}, ceiling {ceiling}")
            note = (f"{process}: combined with {len(ids) - 1} other mechanism(s) of {group} "
                    f"exosomes; " if len(ids) > 1 else f"{process}: ") + "; ".join(notes)
            statuses = self.report.mechanisms
            for i, status in enumerate(statuses):
                if status.id in ids:
                    statuses[i] = replace(
                        status, detail="; ".join(x for x in (status.detail, note) if x),
                        parameters=tuple(dict.fromkeys((*status.parameters, emax.name))))

    def drive(self, name: str, members: list[_Member], term: Callable[[_Member], str],
              what: str, rest: str) -> str:
        """Write the drive assignment ``name``: the members' signed terms summed."""
        self.b.add_assignment(
            name, " + ".join(term(m) for m in members).replace("+ -", "- "), unit="1",
            mechanisms=tuple(dict.fromkeys(m.mech.id for m in members)),
            description=(f"combined drive of {what}: the sum of each mechanism's signed, "
                         f"EC50-scaled signal ({rest})"))
        return name

    @staticmethod
    def describe_response(what: str, process: str, ceiling: str, drive: str,
                          members: list[_Member]) -> str:
        return (f"{what} -> {process}: one saturating response (ceiling 1 + {ceiling}) to "
                f"{drive} = "
                + "; ".join(f"{'+' if m.drive.sink.direction.value == 'increase' else '-'}"
                            f"[{m.description}]" for m in members))

    def record(self, mech: Mechanism, results: list[Compiled], signal: Signal | None) -> None:
        """Add a bound mechanism's parameters and factors; report it compiled or why not."""
        sinks: list[str] = []
        params: list[str] = []
        notes = [r.note for r in results if r.note]
        if mech.id in self.binder.attributions:
            notes.insert(0, self.binder.attributions[mech.id])
        # a transfer whose source has no endogenous pool acts only once its source is dosed:
        # its factors wait in the dose plans (add_dose_pool adds them), so that models without
        # doses do not carry (and differentiate) factors that are identically 1
        signals = self.pools.signals
        name = signal.expr if signal is not None else ""
        dose_signal = signal.dose_expr if signal is not None else ""
        dormant = name in signals and not signals[name][1]
        for res in results:
            for p in res.parameters:
                if self.b.get_parameter(p.name) is None:
                    self.b.add_parameter(p)
                    params.append(p.name)
            for d in res.drives:
                sinks.append(f"{d.sink.kind}:{d.sink.name}")
                self.groups.setdefault((d.group, d.sink.name), []).append(
                    _Member(mech, d, dose_signal, dormant, self.describe(mech, d.sink)))
            for sink, expr in res.factors:
                sinks.append(f"{sink.kind}:{sink.name}")
                if dormant and dose_signal and sink.kind == "process":
                    self.pools.deferred.setdefault(dose_signal, []).append(
                        DeferredFactor(sink.name, expr, (mech.id,), self.describe(mech, sink)))
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
        """One line for the factor's description (``exobone model explain``)."""
        return (f"{mech.id} {mech.kind.value}: {mech.source}"
                + (f" [{', '.join(mech.cargo)}]" if mech.cargo else "")
                + f" -> {mech.target} {mech.effect} ({sink.direction.value})")

    def apply(self, sink: Sink, expr: str, mech: Mechanism) -> None:
        """Send a factor to its sink: a process modifier, a pool's secretion or a cargo."""
        desc = self.describe(mech, sink)
        if sink.kind == "process":
            self.b.add_factor(sink.name, expr, mechanisms=(mech.id,), description=desc)
        elif sink.kind == "secretion":
            self.pools.pools[sink.name].secretion_factors.append((expr, (mech.id,)))
        else:
            pool = next(p for p in self.pools.pools.values() if sink.name in p.cargo.values())
            pool.cargo_factors[sink.name].append((expr, (mech.id,)))


def add_exosome_layer(builder: ModelBuilder, atlas: Atlas | None = None, *, scenario: str,
                      species: str, contexts: Iterable[str],
                      drug_kinds: Collection[str]) -> ExosomeLayer:
    """Add exosome pools, cargo and every compilable atlas mechanism to ``builder``.

    Parameters
    ----------
    builder
        The workspace with the bone core and the scenario already applied.
    atlas
        The curated atlas (default: the shipped data, :func:`exobone.atlas.curation.default_atlas`).
    scenario
        Scenario name (recorded, and named in the reasons).
    species
        ``"rat"``, ``"mouse"`` or ``"human"`` (recorded; sets the healthy reference core).
    contexts
        Atlas context keys the scenario stands for (its registration's ``contexts``): cargo
        profiles of a context are active only in its scenarios.
    drug_kinds
        Registered intervention kinds: atlas regulators that are drugs with a kind are left to
        the intervention (the assembler passes them; the layer does not look them up).

    Returns
    -------
    ExosomeLayer
        The layer's typed state, also set as ``builder.exosome_layer``; its JSON report goes to
        ``builder.metadata["exosome_layer_report"]``.

    Raises
    ------
    ModelError
        If the builder already has an exosome layer, a context is not a context or disease of
        the atlas, or a symbol the layer needs is already taken by another layer.

    Examples
    --------
    >>> from exobone.model.assemble import assemble_model
    >>> layer = assemble_model("healthy").exosome_layer
    >>> len(layer.report.compiled) > 0
    True
    """
    if builder.exosome_layer is not None:
        raise ModelError(f"model {builder.name!r} already has an exosome layer")
    the_atlas = atlas if atlas is not None else default_atlas()
    active = frozenset(contexts)
    known = {k for k, e in the_atlas.entities.items()
             if e.type in (EntityType.CONTEXT, EntityType.DISEASE)}
    unknown = sorted(active - known)
    if unknown:
        raise ModelError(f"scenario {scenario!r}: context(s) {', '.join(unknown)} are not "
                         f"contexts or diseases of the atlas")
    layer = ExosomeLayer(LayerReport(scenario=scenario, species=species))
    pools = Pools(builder, the_atlas, layer, species)
    binder = Binder(pools, scenario, active, drug_kinds)
    pools.make()
    _Compiler(builder, the_atlas, pools, binder, layer.report).compile()
    pools.write()
    layer.marker_genes = tuple(sorted(
        {g for f in the_atlas.facts.values()
         if f.property == "marker" and f.subject in ("exosome", "extracellular_vesicle")
         for g in f.items}))
    builder.exosome_layer = layer
    layer.record(builder)
    return layer
