"""Which events a calibration objective may run through the compiled ensemble exactly.

The compiled ensemble (:mod:`exobone.simulate.backends.numba_backend`) stops at every scheduled
event time, applies the event's assignments in declaration order and restarts the integration,
as the reference solver does (``solve._scheduled``), so a problem whose events are all
*scheduled boluses* gives the same trajectories on both within the solver tolerance: the drug
problems' doses (``depot -> depot + bioavailability * dose``, the dose a condition parameter).

A bolus here is an event with fixed times (``at_times``), no delay and no priority, each of
whose assignments adds to a species an amount made of parameters and numbers only. Anything
else stays on the reference solver (never approximated), and :func:`why_not_boluses` names it:
a state-triggered, delayed or prioritised event (the reference solver's event queue), an
assignment to a parameter (the objective's frames read parameters from the member's row, not
the value an event set), or an amount that reads a species, an assignment or time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec

__all__ = ["solver_note", "why_not_boluses"]


def why_not_boluses(model: ModelSpec) -> str:
    """Return why an event of ``model`` is not a scheduled bolus (``""`` when all are)."""
    parsed = model.parsed
    parameters = set(parsed.parameters)
    for event in model.events:
        where = f"event {event.name!r}"
        if not event.scheduled:
            return f"{where} is state-triggered"
        if event.delay is not None or event.priority is not None:
            return f"{where} has a {'delay' if event.delay is not None else 'priority'}"
        for target, value in parsed.event_assignments[event.name].items():
            if target not in parsed.states:
                return f"{where} assigns the parameter {target!r}"
            amount = value - parsed.states[target]
            other = sorted({str(s) for s in amount.free_symbols} - parameters)
            if other:
                return (f"{where} adds to {target!r} an amount that reads {other[0]!r} "
                        f"(not a parameter)")
    return ""


def solver_note(obj: Any) -> str:
    """One line: which solver evaluates the objective ``obj`` in a fit, and why."""
    if obj.batchable:
        kind = "with scheduled dose boluses" if obj.prob.model.events else "without events"
        return f"objective on the compiled ensemble (a problem {kind})"
    why = why_not_boluses(obj.prob.model) or ("preequilibration, steady-state data or species "
                                              "values in a condition")
    return f"objective on the reference solver: {why}"
