"""SBML events as exobone events: triggers, delays, priorities, persistence."""

from __future__ import annotations

from collections.abc import Mapping

import libsbml

from exobone.errors import InvalidInputError, ModelError
from exobone.interop.sbml._math import ast_to_expr
from exobone.interop.sbml._reader import TIME_EQUALITY_WINDOW, _Reader
from exobone.model import expressions as ex
from exobone.model.parameters import NAME_RE, Assumed, Parameter
from exobone.model.spec import Assignment, Event


def _events(r: _Reader, level: int, events: list[libsbml.Event], params: list[Parameter],
            assignments: Mapping[str, Assignment]) -> list[Event]:
    out: list[tuple[float, int, Event]] = []
    for k, ev in enumerate(events):
        eid = ev.getId() if ev.isSetId() else f"event_{k + 1}"
        delay = None
        if ev.isSetDelay() and ev.getDelay().getMath() is not None:
            delay = r.expr(ev.getDelay().getMath(), f"delay of event {eid!r}")
            if _constant(r, ev.getDelay().getMath()) == 0.0:
                delay = None
        priority, priority_expr = 0.0, None
        if level >= 3 and ev.isSetPriority() and ev.getPriority().getMath() is not None:
            value = _constant(r, ev.getPriority().getMath())
            if value is None:
                priority_expr = r.expr(ev.getPriority().getMath(), f"priority of event {eid!r}")
            else:
                priority = value
        trig = ev.getTrigger()
        if trig is None or trig.getMath() is None:
            raise InvalidInputError(f"{r.label}: event {eid!r} has no trigger")
        trigger = r.expr(trig.getMath(), f"trigger of event {eid!r}", trigger=True,
                         condition=True)
        fire_at_start = level >= 3 and not trig.getInitialValue()
        targets: dict[str, str] = {}
        for ea in ev.getListOfEventAssignments():
            if ea.getMath() is None:  # L3v2: an assignment without math has no effect
                continue
            var = ea.getVariable()
            if var in assignments and var not in r.amounts:
                raise InvalidInputError(f"{r.label}: event {eid!r} assigns {var!r}, which an "
                                        f"assignment rule defines")
            value = r.expr(ea.getMath(), f"event {eid!r} assignment to {var!r}")
            if var in r.amounts:  # a concentration, stored as amount at the current size
                amount, size = r.amounts[var]
                targets[amount] = f"({value}) * {size}"
            else:
                targets[r.n(var)] = value
        if not targets:
            continue
        name = eid if NAME_RE.match(eid) else f"event_{k + 1}"
        plain = r.expr(trig.getMath(), f"trigger of event {eid!r}", condition=True)
        if plain != trigger:
            # The trigger holds time equalities, each read as a short window. Two of them can
            # open at the same instant (``time == t0 || time == counter + t0``) and the root
            # finder may report them a rounding error apart; SBML fires once. A guard closes
            # the event for three windows after it fires.
            guard = f"sbml_last_fire_{name}"
            while any(p.name == guard for p in params) or guard in r.names.values():
                guard += "_"
            params.append(Parameter(guard, -1e300, unit="", source=Assumed(
                f"time of the last firing of event {eid!r}: guards its time-equality trigger "
                f"against a double firing (exobone's import)")))
            trigger = f"({trigger}) and (time - {guard} > {4 * TIME_EQUALITY_WINDOW!r})"
            targets[guard] = "time"
        persistent = trig.getPersistent() if level >= 3 else True
        from_trigger_time = (ev.getUseValuesFromTriggerTime()
                             if ev.isSetUseValuesFromTriggerTime() or level >= 3 else True)
        out.append((-priority, k, Event(name, targets, trigger=trigger,
                                        fire_at_start=fire_at_start, delay=delay,
                                        persistent=persistent,
                                        values_at_trigger=from_trigger_time,
                                        priority=priority_expr or (
                                            repr(priority) if priority else None),
                                        mechanisms=(f"sbml:event:{eid}",))))
    # simultaneous events run in declaration order: sort by priority (highest first), stable
    return [e for _, _, e in sorted(out, key=lambda x: (x[0], x[1]))]


def _constant(r: _Reader, math_ast: libsbml.ASTNode) -> float | None:
    """Return the value of a math element that uses only numbers, or None."""
    # rateOf(x) is left as the name x, which makes the math a non-constant
    text = ast_to_expr(math_ast, names=r.names, where=r.label, rate_of=lambda sid: sid)
    try:
        value = ex.parse(text, {}, macros=r.macros, where=r.label)
        return float(value)
    except (ModelError, TypeError):
        return None
