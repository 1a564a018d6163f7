"""Which events a calibration objective may run through the compiled ensemble exactly.

The compiled ensemble (:mod:`exobone.simulate.backends.numba_backend`) stops at every scheduled
event time, applies the event's assignments in declaration order and restarts the integration
(with the parameter-only parts of its kernels recomputed), as the reference solver does
(``solve._scheduled``), so a problem whose events are all *scheduled boluses or switches* gives
the same trajectories on both within the solver tolerance: the drug problems' doses
(``depot -> depot + bioavailability * dose``, the dose a condition parameter) and regimen
switches (``teriparatide_on -> 1`` at day 0).

A bolus is an event with fixed times (``at_times``), no delay and no priority, each of whose
assignments adds to a species an amount made of parameters and numbers only; a switch sets a
parameter to such a value. Anything else stays on the reference solver (never approximated), and
:func:`why_not_boluses` names it: a state-triggered, delayed or prioritised event (the
reference solver's event queue), an amount or value that reads a species, an assignment or
time, or a switched parameter that the observation model reads (the objective's ensemble
frames hold a parameter's value from the member's row, not the value an event set).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec

__all__ = ["solver_note", "why_not_boluses", "why_not_exact"]


def why_not_boluses(model: ModelSpec, read: frozenset[str] = frozenset()) -> str:
    """Return why an event of ``model`` is not a scheduled bolus or switch (``""`` when all
    are); ``read``: the model symbols the observation model reads."""
    parsed = model.parsed
    parameters = set(parsed.parameters)
    for event in model.events:
        where = f"event {event.name!r}"
        if not event.scheduled:
            return f"{where} is state-triggered"
        if event.delay is not None or event.priority is not None:
            return f"{where} has a {'delay' if event.delay is not None else 'priority'}"
        for target, value in parsed.event_assignments[event.name].items():
            if target in parsed.states:
                amount = value - parsed.states[target]
            elif target in read:
                return f"{where} switches the parameter {target!r}, which an observable reads"
            else:
                amount = value
            other = sorted({str(s) for s in amount.free_symbols} - parameters)
            if other:
                return (f"{where} gives {target!r} an amount that reads {other[0]!r} "
                        f"(not a parameter)")
    return ""


def why_not_exact(obj: Any) -> str:
    """:func:`why_not_boluses` for the model of the objective ``obj`` and what it observes."""
    ids = obj.prob.sbml_ids
    read = frozenset(ids.get(s, s) for o in obj.observables.values()
                     for formula in (o["h"], o["sigma"]) for s in formula.symbols)
    return why_not_boluses(obj.prob.model, read)


def solver_note(obj: Any) -> str:
    """One line: which solver evaluates the objective ``obj`` in a fit, and why."""
    if obj.batchable:
        kind = "with scheduled doses or switches" if obj.prob.model.events else \
            "without events"
        return f"objective on the compiled ensemble (a problem {kind})"
    why = why_not_exact(obj) or ("preequilibration, steady-state data or a species a "
                                 "condition sets that another leaves to its initial expression")
    return f"objective on the reference solver: {why}"
