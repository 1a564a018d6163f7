"""ModelSpec: the intermediate representation between curated mechanisms and numbers.

A model is a list of states, parameters (each with a source), ordered algebraic assignments,
flux terms and events. The right-hand side is ``dx/dt = sum(stoichiometry[x] * rate)`` over the
terms; every term names the mechanism ids it implements, so any derivative can be explained back to
the atlas (:meth:`ModelSpec.explain`). Expressions are strings in the small syntax documented in
:mod:`exobone.model.expressions` (SBML L3 formula and Python compatible), parsed with sympy.

Event semantics
---------------
An :class:`Event` is either *scheduled* (``at_times``: fires exactly at those times; the solver
integrates up to each time, applies the assignments and restarts) or *state-triggered*
(``trigger``: a condition; fires when it changes from false to true, located by root finding).

* All assignments of one event are evaluated together, then applied together: when the event
  runs (default) or, with ``values_at_trigger``, when its trigger fired (SBML
  ``useValuesFromTriggerTime``). A state-triggered event may have a ``delay`` (an expression
  evaluated when the trigger fires); a ``persistent=False`` event whose trigger turns false
  before its delayed firing is cancelled.
* Firings due at the same instant run one at a time, highest ``priority`` first (an expression,
  evaluated at that instant; default 0), then in declaration order; after each, triggers are
  re-read, so an event whose trigger becomes true *because of* another event's assignments joins
  the queue (cascades are capped at 100 firings per instant, or 10 per event).
* A trigger that is already true at the start time does not fire then (SBML
  ``initialValue=true``, libroadrunner's behaviour for L2 models) unless ``fire_at_start=True``.
  Scheduled events at the start time do fire before integration begins.
* A comparison in a trigger counts as crossed when ``lhs - rhs`` moves past plus or minus the
  solver's absolute tolerance (a hysteresis band below what the solver resolves), so a state
  that settles onto a threshold does not chatter; the crossing time is located by root finding.
  Equalities (``==``, ``!=``) cannot trigger events.
* Values saved at an event time are the post-event values. Scheduled times outside the
  simulated span are ignored.
* Events may assign states and parameters (e.g. switch an infusion rate on and off); they may not
  assign to assignments, which are always recomputed.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from exobone.errors import ModelError, unknown_name
from exobone.model import expressions as ex
from exobone.model.parameters import Assumed, Fitted, Parameter, Reference
from exobone.model.parsing import ParsedModel, parse_model

__all__ = [
    "Assignment",
    "Event",
    "FrozenMap",
    "Function",
    "ModelSpec",
    "State",
    "Term",
    "TermExplanation",
    "explain",
]


class FrozenMap(Mapping[str, Any]):
    """An immutable, ordered mapping (used for stoichiometries, event assignments, metadata)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._data) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


@dataclass(frozen=True)
class State:
    """A dynamic variable.

    Parameters
    ----------
    name
        Identifier used in expressions; spell biology out (``osteoclasts``, not ``oc``).
    initial
        Initial value: a number, or an expression over parameters (e.g. a steady state).
    unit
        Unit string, e.g. ``"cells"``, ``"pM"``, ``"%"``.
    description
        What the variable is, in words.
    """

    name: str
    initial: float | str
    unit: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.initial, str):
            value = float(self.initial)
            if not math.isfinite(value):
                raise ModelError(f"state {self.name!r}: initial value {value!r} is not finite")
            object.__setattr__(self, "initial", value)


@dataclass(frozen=True)
class Assignment:
    """An algebraic intermediate, evaluated in declaration order before the terms.

    An assignment may use states, parameters, time and assignments declared *before* it
    (e.g. RANKL receptor occupancy used by several terms). Assignments are also outputs of a
    simulation, like states.
    """

    name: str
    expr: str
    unit: str = ""
    description: str = ""
    mechanisms: tuple[str, ...] = ()
    citations: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Term:
    """A flux: ``rate`` contributes ``coefficient * rate`` to the derivative of each state.

    Parameters
    ----------
    name
        Identifier of the term (unique among terms).
    rate
        Rate expression; by convention non-negative, with the sign in ``stoichiometry``.
    stoichiometry
        ``{state: coefficient}``, e.g. ``{"responding_osteoblasts": -1, "active_osteoblasts": 1}``
        for a differentiation step.
    mechanisms
        Atlas mechanism ids (``MECH:...``) or model-module tags this term implements.
    description
        What the term is, in words.
    citations
        Papers the rate law comes from.
    """

    name: str
    rate: str
    stoichiometry: Mapping[str, float]
    mechanisms: tuple[str, ...] = ()
    description: str = ""
    citations: tuple[Reference, ...] = ()

    def __post_init__(self) -> None:
        stoich = FrozenMap((str(k), float(v)) for k, v in dict(self.stoichiometry).items())
        object.__setattr__(self, "stoichiometry", stoich)
        object.__setattr__(self, "mechanisms", tuple(self.mechanisms))
        object.__setattr__(self, "citations", tuple(self.citations))


@dataclass(frozen=True)
class Event:
    """A discrete change of states or parameters; see the module docstring for the semantics.

    Parameters
    ----------
    name
        Identifier of the event (unique among events).
    assignments
        ``{state_or_parameter: expression}``, evaluated with the pre-event values.
    trigger
        Condition for a state-triggered event, e.g. ``"osteoclasts > 5"``; fires on a
        false -> true transition. Mutually exclusive with ``at_times``.
    at_times
        Times of a scheduled event (e.g. doses). Part of the run-time data, not of the compiled
        structure, so changing a schedule does not recompile the model.
    fire_at_start
        Fire a trigger that is already true at the start time (default: do not, as SBML).
    delay
        State-triggered events only: an expression evaluated when the trigger fires; the
        assignments run that much later (SBML event delay). ``None``: at once.
    persistent
        With a delay: ``False`` cancels a pending firing whose trigger turns false before it
        runs (SBML ``persistent="false"``).
    priority
        State-triggered events only: an expression; of the firings due at one instant the
        highest priority runs first (SBML event priority). ``None``: declaration order.
    values_at_trigger
        Evaluate the assignments when the trigger fires (SBML ``useValuesFromTriggerTime``),
        rather than when they run (default; the same instant without a delay, where each event
        sees the results of the ones run before it).
    description, mechanisms
        Documentation and provenance.
    """

    name: str
    assignments: Mapping[str, str]
    trigger: str | None = None
    at_times: tuple[float, ...] = ()
    fire_at_start: bool = False
    description: str = ""
    mechanisms: tuple[str, ...] = ()
    delay: str | None = None
    persistent: bool = True
    values_at_trigger: bool = False
    priority: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "assignments",
                           FrozenMap((str(k), str(v)) for k, v in dict(self.assignments).items()))
        times = tuple(sorted(float(x) for x in self.at_times))
        if any(not math.isfinite(x) for x in times):
            raise ModelError(f"event {self.name!r}: at_times must be finite, got {times}")
        object.__setattr__(self, "at_times", times)
        object.__setattr__(self, "mechanisms", tuple(self.mechanisms))
        if (self.trigger is None) == (not times):
            raise ModelError(f"event {self.name!r}: give exactly one of trigger=... or "
                             f"at_times=(...)")
        if not self.assignments:
            raise ModelError(f"event {self.name!r} assigns nothing")
        if (self.delay is not None or self.priority is not None) and self.trigger is None:
            raise ModelError(f"event {self.name!r}: a delay or priority needs a trigger")

    @property
    def scheduled(self) -> bool:
        """True for a time-scheduled event, False for a state-triggered one."""
        return self.trigger is None


@dataclass(frozen=True)
class Function:
    """A user function (macro), e.g. ``Function("hill", ("x", "k", "n"), "x^n/(k^n + x^n)")``.

    The body may use its arguments, built-in functions and functions declared before it.
    """

    name: str
    args: tuple[str, ...]
    body: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "args", tuple(self.args))


@dataclass(frozen=True)
class TermExplanation:
    """One term's contribution to a state's derivative, with its provenance."""

    term: str
    coefficient: float
    rate: str
    mechanisms: tuple[str, ...]
    citations: tuple[Reference, ...]
    description: str

    @property
    def sign(self) -> str:
        """``"+"`` if the term increases the state (for a non-negative rate), else ``"-"``."""
        return "+" if self.coefficient > 0 else "-"

    def __str__(self) -> str:
        coef = "" if abs(self.coefficient) == 1 else f"{abs(self.coefficient):g}*"
        cites = "; ".join(c.short() for c in self.citations)
        mech = ", ".join(self.mechanisms) or "no mechanism"
        return (f"{self.sign} {coef}[{self.term}] {self.rate}  ({mech}"
                f"{'; ' + cites if cites else ''})")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, (Reference, Assumed, Fitted, Parameter)):
        return obj.to_dict()
    if isinstance(obj, (tuple, set, frozenset)):
        return list(obj)
    return str(obj)


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=_json_default, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, eq=True)
class ModelSpec:
    """A complete, composable model specification.

    Parameters
    ----------
    name
        Model name (used in provenance and error messages).
    states, parameters, assignments, terms, events, functions
        The components (any sequence; stored as tuples). The order of states and parameters is
        the array layout of the compiled model; the order of assignments is their evaluation
        order.
    metadata
        Free-form JSON-ready data, e.g. ``{"atlas_version": "...", "sbml_ids": {...}}``.

    Notes
    -----
    Construction does not validate cross-references, so partial layers (which use states of
    the core) can exist until merged; call :meth:`validate` (the compiler and ``simulate`` do).

    Examples
    --------
    >>> from exobone.model.parameters import Assumed, Parameter
    >>> m = ModelSpec(
    ...     "decay",
    ...     states=[State("x", 1.0, unit="1")],
    ...     parameters=[Parameter("k", 0.3, unit="1/day", source=Assumed("toy"))],
    ...     terms=[Term("loss", "k*x", {"x": -1})],
    ... )
    >>> m.validate()
    >>> [str(e) for e in m.explain("x")]
    ['- [loss] k*x  (no mechanism)']
    """

    name: str
    states: Sequence[State] = ()
    parameters: Sequence[Parameter] = ()
    assignments: Sequence[Assignment] = ()
    terms: Sequence[Term] = ()
    events: Sequence[Event] = ()
    functions: Sequence[Function] = ()
    metadata: Mapping[str, Any] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        for attr in ("states", "parameters", "assignments", "terms", "events", "functions"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        object.__setattr__(self, "metadata", FrozenMap(self.metadata))

    def __hash__(self) -> int:
        return hash(self.hash())

    # ----------------------------------------------------------------- lookups
    @property
    def state_names(self) -> tuple[str, ...]:
        """State names in array order."""
        return tuple(s.name for s in self.states)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Parameter names in array order."""
        return tuple(p.name for p in self.parameters)

    @property
    def assignment_names(self) -> tuple[str, ...]:
        """Assignment names in evaluation order."""
        return tuple(a.name for a in self.assignments)

    @property
    def parameter_values(self) -> dict[str, float]:
        """``{name: value}`` of every parameter."""
        return {p.name: p.value for p in self.parameters}

    def get_state(self, name: str) -> State | None:
        """Return the state called ``name``, or ``None``."""
        return next((s for s in self.states if s.name == name), None)

    def require_state(self, name: str) -> State:
        """Return the state called ``name``; raise :class:`UnknownNameError` if there is none."""
        found = self.get_state(name)
        if found is None:
            raise unknown_name(f"state of model {self.name!r}", name, self.state_names)
        return found

    def get_parameter(self, name: str) -> Parameter | None:
        """Return the parameter called ``name``, or ``None``."""
        return next((p for p in self.parameters if p.name == name), None)

    def require_parameter(self, name: str) -> Parameter:
        """Return the parameter called ``name``; raise :class:`UnknownNameError` if none."""
        found = self.get_parameter(name)
        if found is None:
            raise unknown_name(f"parameter of model {self.name!r}", name, self.parameter_names)
        return found

    def get_term(self, name: str) -> Term | None:
        """Return the term called ``name``, or ``None``."""
        return next((t for t in self.terms if t.name == name), None)

    # -------------------------------------------------------------- validation
    def validate(self) -> None:
        """Check that every name is unique and every symbol resolves.

        Raises
        ------
        ModelError
            Naming the first problem: a duplicate or reserved name, an unknown symbol (with a
            did-you-mean), an assignment used before it is declared, a stoichiometry or event
            target that is not a state/parameter, or an unparsable expression.
        """
        _ = self.parsed

    @cached_property
    def parsed(self) -> ParsedModel:
        """The validated model in sympy form (computed once per spec)."""
        return parse_model(self)

    # ----------------------------------------------------------------- hashing
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description of the whole model."""
        return {
            "name": self.name,
            "states": [{"name": s.name, "initial": s.initial, "unit": s.unit,
                        "description": s.description} for s in self.states],
            "parameters": [p.to_dict() for p in self.parameters],
            "assignments": [{"name": a.name, "expr": a.expr, "unit": a.unit,
                             "description": a.description, "mechanisms": list(a.mechanisms),
                             "citations": [c.to_dict() for c in a.citations]}
                            for a in self.assignments],
            "terms": [{"name": t.name, "rate": t.rate, "stoichiometry": dict(t.stoichiometry),
                       "mechanisms": list(t.mechanisms), "description": t.description,
                       "citations": [c.to_dict() for c in t.citations]} for t in self.terms],
            "events": [{"name": e.name, "trigger": e.trigger, "at_times": list(e.at_times),
                        "assignments": dict(e.assignments), "fire_at_start": e.fire_at_start,
                        **({"delay": e.delay, "persistent": e.persistent,
                            "values_at_trigger": e.values_at_trigger, "priority": e.priority}
                           if (e.delay, e.persistent, e.values_at_trigger, e.priority)
                           != (None, True, False, None) else {}),
                        "description": e.description, "mechanisms": list(e.mechanisms)}
                       for e in self.events],
            "functions": [{"name": f.name, "args": list(f.args), "body": f.body}
                          for f in self.functions],
            "metadata": dict(self.metadata),
        }

    def hash(self) -> str:
        """Return a stable SHA-256 of the full content (values, sources, text): for provenance."""
        return self._content_hash

    def structure_hash(self) -> str:
        """Return a SHA-256 of the mathematical structure only.

        Parameter values, numeric initial values and event times are run-time data and are
        left out, so models differing only in them share compiled code.
        """
        return self._structure_hash

    @cached_property
    def _content_hash(self) -> str:
        return _digest(self.to_dict())

    @cached_property
    def _structure_hash(self) -> str:
        payload = {
            "states": [[s.name, s.initial if isinstance(s.initial, str) else None]
                       for s in self.states],
            "parameters": [p.name for p in self.parameters],
            "assignments": [[a.name, a.expr] for a in self.assignments],
            "terms": [[t.name, t.rate, sorted(t.stoichiometry.items())] for t in self.terms],
            "events": [[e.name, e.trigger, e.scheduled, e.fire_at_start,
                        list(e.assignments.items())]
                       + ([e.delay, e.persistent, e.values_at_trigger, e.priority]
                          if (e.delay, e.persistent, e.values_at_trigger, e.priority)
                          != (None, True, False, None) else []) for e in self.events],
            "functions": [[f.name, list(f.args), f.body] for f in self.functions],
        }
        return _digest(payload)

    # ----------------------------------------------------------------- editing
    def with_parameters(self, values: Mapping[str, float] | None = None,
                        **kwargs: float) -> ModelSpec:
        """Return a copy with new parameter values (bounds are checked).

        Raises
        ------
        UnknownNameError
            If a name is not a parameter (with a did-you-mean).
        ModelError
            If a value is not finite or outside the parameter's bounds.
        """
        new = {**(values or {}), **kwargs}
        names = set(self.parameter_names)
        for key in new:
            if key not in names:
                raise unknown_name(f"parameter of model {self.name!r}", key, names)
        params = tuple(p.with_value(new[p.name]) if p.name in new else p
                       for p in self.parameters)
        return replace(self, parameters=params)

    def with_initial(self, values: Mapping[str, float | str] | None = None,
                     **kwargs: float | str) -> ModelSpec:
        """Return a copy with new initial values (numbers or expressions over parameters).

        Raises
        ------
        UnknownNameError
            If a name is not a state.
        """
        new = {**(values or {}), **kwargs}
        names = set(self.state_names)
        for key in new:
            if key not in names:
                raise unknown_name(f"state of model {self.name!r}", key, names)
        states = tuple(replace(s, initial=new[s.name]) if s.name in new else s
                       for s in self.states)
        return replace(self, states=states)

    def with_events(self, *events: Event) -> ModelSpec:
        """Return a copy with ``events`` appended (e.g. a dosing schedule)."""
        return replace(self, events=(*self.events, *events))

    def with_metadata(self, **items: Any) -> ModelSpec:
        """Return a copy with metadata items added or replaced."""
        return replace(self, metadata=FrozenMap({**dict(self.metadata), **items}))

    def merge(self, other: ModelSpec, *, prefix: str = "", shared: Iterable[str] = (),
              name: str | None = None) -> ModelSpec:
        """Compose two models (e.g. the bone core and an exosome layer).

        Every name *defined* by ``other`` (states, parameters, assignments, terms, events,
        functions) is renamed ``prefix + name`` except those listed in ``shared``; references in
        ``other``'s expressions to names it does not define (e.g. the core's ``osteoclasts``)
        are left alone and resolve in ``self``.

        A state or parameter defined in both (after prefixing) is unified when the definitions
        agree (states: same unit; parameters: same value and unit); ``self``'s definition wins
        for documentation. Any other clash is an error. Metadata are merged, ``self`` winning.

        Raises
        ------
        ModelError
            On a conflicting definition or a name defined twice.
        """
        shared = set(shared)
        defined = ({s.name for s in other.states} | {p.name for p in other.parameters}
                   | {a.name for a in other.assignments} | {f.name for f in other.functions})
        unknown_shared = shared - defined - {t.name for t in other.terms} \
            - {e.name for e in other.events}
        if unknown_shared:
            raise ModelError(f"merge: shared names {sorted(unknown_shared)} are not defined by "
                             f"model {other.name!r}")
        mapping = {n: prefix + n for n in defined if n not in shared} if prefix else {}

        def rn(text: str) -> str:
            return ex.rename(text, mapping)

        def rname(n: str) -> str:
            return n if (not prefix or n in shared) else prefix + n

        o_states = [replace(s, name=mapping.get(s.name, s.name),
                            initial=rn(s.initial) if isinstance(s.initial, str) else s.initial)
                    for s in other.states]
        o_params = [Parameter(mapping.get(p.name, p.name), p.value, unit=p.unit,
                              bounds=p.bounds, source=p.source, description=p.description)
                    for p in other.parameters]
        o_assign = [replace(a, name=mapping.get(a.name, a.name), expr=rn(a.expr))
                    for a in other.assignments]
        o_terms = [replace(t, name=rname(t.name), rate=rn(t.rate),
                           stoichiometry={mapping.get(k, k): v
                                          for k, v in t.stoichiometry.items()})
                   for t in other.terms]
        o_events = [replace(e, name=rname(e.name),
                            trigger=rn(e.trigger) if e.trigger is not None else None,
                            assignments={mapping.get(k, k): rn(v)
                                         for k, v in e.assignments.items()})
                    for e in other.events]
        # a body sees only its arguments and other functions: rename function names only
        fmap = {f.name: mapping[f.name] for f in other.functions if f.name in mapping}
        o_funcs = [Function(fmap.get(f.name, f.name), f.args, ex.rename(f.body, fmap))
                   for f in other.functions]

        states = list(self.states)
        for s in o_states:
            mine = self.get_state(s.name)
            if mine is None:
                states.append(s)
            elif mine.unit != s.unit:
                raise ModelError(f"merge: state {s.name!r} has unit {mine.unit!r} in "
                                 f"{self.name!r} but {s.unit!r} in {other.name!r}")
        params = list(self.parameters)
        for p in o_params:
            mine_p = self.get_parameter(p.name)
            if mine_p is None:
                params.append(p)
            elif mine_p.value != p.value or mine_p.unit != p.unit:
                raise ModelError(
                    f"merge: parameter {p.name!r} is {mine_p.value} {mine_p.unit} in "
                    f"{self.name!r} but {p.value} {p.unit} in {other.name!r}; use a prefix or "
                    f"make them agree")

        def extend(kind: str, mine: Sequence[Any], theirs: Sequence[Any]) -> tuple[Any, ...]:
            names = {x.name for x in mine}
            for x in theirs:
                if x.name in names:
                    raise ModelError(f"merge: {kind} {x.name!r} is defined in both "
                                     f"{self.name!r} and {other.name!r}; use prefix=...")
            return (*mine, *theirs)

        return ModelSpec(
            name=name or f"{self.name}+{other.name}",
            states=tuple(states),
            parameters=tuple(params),
            assignments=extend("assignment", self.assignments, o_assign),
            terms=extend("term", self.terms, o_terms),
            events=extend("event", self.events, o_events),
            functions=extend("function", self.functions, o_funcs),
            metadata={**dict(other.metadata), **dict(self.metadata)},
        )

    # ----------------------------------------------------------------- explain
    def explain(self, state: str) -> list[TermExplanation]:
        """List the terms that change ``state``, with sign, mechanisms and citations.

        Raises
        ------
        UnknownNameError
            If ``state`` is not a state of the model.
        """
        self.require_state(state)
        return [
            TermExplanation(term=t.name, coefficient=t.stoichiometry[state], rate=t.rate,
                            mechanisms=t.mechanisms, citations=t.citations,
                            description=t.description)
            for t in self.terms if t.stoichiometry.get(state, 0.0) != 0.0
        ]


def explain(model: ModelSpec, state: str) -> list[TermExplanation]:
    """List the terms that drive ``state`` in ``model`` (see :meth:`ModelSpec.explain`)."""
    return model.explain(state)
