"""Dose pools, written when the ``exosome`` intervention first doses a source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from exobone.errors import ModelError
from exobone.model.exosomes.pools import POOL_TAG

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = ["add_dose_pool"]


def add_dose_pool(builder: ModelBuilder, source: str) -> str:
    """Create the dose pool of exogenous ``source`` (once) and return its state name.

    The exosome layer compiles every mechanism of every dosable source but writes a source's
    pool only when it is first dosed, following the
    :class:`~exobone.model.exosomes.state.DosePlan` it recorded: the pool state with clearance
    and uptake, its cargo presences (with the source's cargo profiles, e.g. TNF-α priming), its
    share of the administered transfer signals and cargo totals, and the dosed responses those
    signals drive (with their ceiling's scale ``exo_dose_emax_scale__<family>``). A model without doses thus carries no
    idle pools.

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
    layer = builder.exosome_layer
    if layer is None:
        raise ModelError("the exosome layer is not part of this model; dose pools need it")
    plan = layer.dose_plans.get(source)
    if plan is None:
        raise ModelError(f"no exosome source {source!r} in this model's exosome layer")
    state = plan.state
    if builder.get_state(state) is not None:
        return state
    builder.add_state(state, 0.0, unit="ug",
                      description=f"administered exosomes of {source} at the site")
    builder.add_term(f"{state}_clearance", f"k_exo_dose_clearance*{state}", {state: -1},
                     mechanisms=(POOL_TAG,),
                     description="clearance of administered exosomes")
    builder.add_term(f"{state}_uptake", f"k_exo_uptake*{plan.uptake}*{state}", {state: -1},
                     mechanisms=(POOL_TAG, *plan.mechanisms),
                     description="uptake of exosomes by their target cells")
    for name, item in plan.cargo.items():
        builder.add_assignment(name, item.expr, unit="1", mechanisms=item.mechanisms,
                               description=f"relative {item.cargo} content of {state} "
                                           f"exosomes")
    for name, term in [*plan.signals.items(), *plan.totals.items()]:
        old = builder.get_assignment(name)
        if old is None:
            raise ModelError(f"exosome layer: signal {name!r} is missing from the model")
        first = old.expr.strip() == "0"
        expr = term if first else f"{old.expr} + {term}"
        for f in plan.factors.get(name, ()) if first else ():
            # a combined response waits under each of its members' signals: add it once
            if any(g.expr == f.expr and g.mechanisms == f.mechanisms
                   for g in builder.factors(f.process)):
                continue
            for p in f.parameters:
                if builder.get_parameter(p.name) is None:
                    builder.add_parameter(p)
            builder.add_factor(f.process, f.expr, mechanisms=f.mechanisms,
                               description=f.description)
        builder.replace_assignment(name, expr, mechanisms=plan.mechanisms)
    layer.dose_pools[source] = state
    layer.report.pools[state] = {"cell": plan.cell, "kind": "dose", "source": source}
    layer.record(builder)
    return state
