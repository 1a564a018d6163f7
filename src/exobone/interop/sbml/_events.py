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
        assigned: dict[str, str] = {}  # {SBML id: the value's expression}
        for ea in ev.getListOfEventAssignments():
            if ea.getMath() is None:  # L3v2: an assignment without math has no effect
                continue
            var = ea.getVariable()
            if var in assignments and var not in r.amounts:
                raise InvalidInputError(f"{r.label}: event {eid!r} assigns {var!r}, which an "
                                        f"assignment rule defines")
            value = r.expr(ea.getMath(), f"event {eid!r} assignment to {var!r}")
            assigned[var] = value
            if var in r.amounts:  # a concentration, stored as amount at the current size
                amount, size = r.amounts[var]
                targets[amount] = f"({value}) * {size}"
            else:
                targets[r.n(var)] = value
        from_trigger_time = (ev.getUseValuesFromTriggerTime()
                             if ev.isSetUseValuesFromTriggerTime() or level >= 3 else True)
        for cid in sorted(r.ruled_concentrations.keys() & assigned.keys()):
            # the new size keeps each amount: [S] becomes [S] * old size / new size, every
            # value read at the same instant (SBML assigns simultaneously)
            if delay is not None and from_trigger_time:
                raise r.refuse("a delayed event using trigger-time values that resizes a "
                               "compartment whose species' concentration a rate rule sets",
                               f"event {eid!r}")
            for sid in r.ruled_concentrations[cid]:
                value = targets.get(r.n(sid), r.n(sid))
                targets[r.n(sid)] = f"({value}) * {r.n(cid)} / ({assigned[cid]})"
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


def _ruled_concentrations(r: _Reader, species_by_id: Mapping[str, libsbml.Species],
                          rate_rules: Mapping[str, str], assign_rules: Mapping[str, str],
                          event_targets: set[str], resizing: set[str]) -> None:
    """Record the species whose concentration a rate rule sets in a compartment whose size
    changes (``r.ruled_concentrations``): such a rule sets the concentration whatever the size,
    but a jump of the size keeps the amount (SBML), so an event that resizes the compartment
    rescales them. A jump through an assignment rule is refused."""
    by_name = {r.n(sid): sid for sid in assign_rules}
    assigned = {r.n(sid) for sid in event_targets}
    jumped: dict[str, bool] = {}

    def jumps(sid: str) -> bool:  # does an event change what this rule computes?
        if sid not in jumped:
            jumped[sid] = False  # (a loop of rules is refused elsewhere)
            jumped[sid] = any(n in assigned or (n in by_name and jumps(by_name[n]))
                              for n in ex.names_in(assign_rules[sid]))
        return jumped[sid]

    for sid, sp in species_by_id.items():
        cid = sp.getCompartment()
        if sid not in rate_rules or sp.getHasOnlySubstanceUnits() or cid not in resizing:
            continue
        if cid in assign_rules and jumps(cid):
            raise r.refuse("a rate rule on a concentration in a compartment whose assignment "
                           "rule an event changes", f"species {sid!r}")
        r.ruled_concentrations.setdefault(cid, []).append(sid)
