"""The workspace every layer writes into: :class:`ModelBuilder` and the :class:`Factor` it collects.

The builder knows nothing of the layers (core, scenarios, exosomes, interventions); they import
it, and :mod:`exobone.model.assemble` runs them in order. :meth:`ModelBuilder.build` turns the
workspace into an immutable, validated :class:`~exobone.model.spec.ModelSpec`.

Layers never edit the core's terms. Each core process rate is written
``base_rate * m_<process>`` (see :mod:`exobone.model.processes`); a layer changes it by
contributing a dimensionless factor with :meth:`ModelBuilder.add_factor`. ``build()`` writes one
assignment ``m_<process>`` per process (the product of its factors, 1 when none) and orders all
assignments so each comes after the symbols it uses.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from exobone.errors import ModelError, unknown_name
from exobone.model import expressions as ex
from exobone.model.parameters import Parameter, Reference, Source
from exobone.model.processes import PROCESSES, modifier_expressions, require_process
from exobone.model.spec import Assignment, Event, Function, ModelSpec, State, Term

if TYPE_CHECKING:
    from exobone.model.exosomes.state import ExosomeLayer

__all__ = ["MODEL_NAME", "Factor", "ModelBuilder"]

#: name of the compiled model (provenance, error messages)
MODEL_NAME = "exobone-bone"


@dataclass(frozen=True)
class Factor:
    """A dimensionless factor a layer contributes to the modifier ``m_<process>``.

    Attributes
    ----------
    process
        Name of the process in :data:`exobone.model.processes.PROCESSES`.
    expr
        Expression (1 means no effect; 2 doubles the rate; 0.5 halves it).
    mechanisms
        Atlas mechanism ids or model-module tags behind the factor.
    description
        What the factor is, in words (shown by ``exobone model explain``).
    origin
        Which layer added it (``"core"``, ``"scenario:ovx"``, ``"intervention:denosumab"``...).
    """

    process: str
    expr: str
    mechanisms: tuple[str, ...] = ()
    description: str = ""
    origin: str = ""


class ModelBuilder:
    """A mutable workspace for states, parameters, assignments, terms, events and factors.

    Every ``add_*`` method raises :class:`ModelError` when the name is already taken, so two
    layers cannot silently define the same symbol; use :meth:`has_symbol` to test first, and
    :meth:`set_parameter` to change the value of an existing parameter (e.g. a scenario switching
    estrogen off).

    Parameters
    ----------
    name
        Model name.
    metadata
        Initial metadata (scenario, species, ...).

    Examples
    --------
    >>> from exobone.model.parameters import Assumed
    >>> b = ModelBuilder("toy")
    >>> _ = b.add_state("osteoclasts", 1.0, unit="pM")
    >>> _ = b.add_parameter("k", 0.5, unit="1/day", source=Assumed("toy"))
    >>> _ = b.add_term("oc_death", "k*osteoclasts*m_oc_apoptosis", {"osteoclasts": -1})
    >>> b.add_factor("oc_apoptosis", "2", description="doubled")
    >>> spec = b.build()
    >>> spec.get_state("osteoclasts").unit
    'pM'
    """

    def __init__(self, name: str = MODEL_NAME, *,
                 metadata: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.metadata: dict[str, Any] = dict(metadata or {})
        self._states: dict[str, State] = {}
        self._parameters: dict[str, Parameter] = {}
        self._assignments: dict[str, Assignment] = {}
        self._terms: dict[str, Term] = {}
        self._events: dict[str, Event] = {}
        self._functions: dict[str, Function] = {}
        self._factors: list[Factor] = []
        self._sources: dict[str, str] = {}
        self._secretion: dict[str, list[Factor]] = {}
        #: the layer currently writing (recorded on factors); set by the assembler
        self.origin = ""
        #: the exosome layer's typed state (pools, knobs, dose plans) once it has been added;
        #: interventions and readouts use it, never the JSON report in the metadata
        self.exosome_layer: ExosomeLayer | None = None

    # ----------------------------------------------------------------- queries
    def has_symbol(self, name: str) -> bool:
        """Return True if ``name`` is a state, parameter, assignment, function or modifier."""
        return (name in self._states or name in self._parameters or name in self._assignments
                or name in self._functions or self._is_modifier(name))

    @staticmethod
    def _is_modifier(name: str) -> bool:
        return name.startswith("m_") and name[2:] in PROCESSES

    def get_state(self, name: str) -> State | None:
        """Return the state called ``name``, or None."""
        return self._states.get(name)

    def get_parameter(self, name: str) -> Parameter | None:
        """Return the parameter called ``name``, or None."""
        return self._parameters.get(name)

    def require_parameter(self, name: str) -> Parameter:
        """Return the parameter called ``name``; raise UnknownNameError with a suggestion."""
        found = self._parameters.get(name)
        if found is None:
            raise unknown_name("parameter", name, self._parameters)
        return found

    def get_assignment(self, name: str) -> Assignment | None:
        """Return the assignment called ``name``, or None."""
        return self._assignments.get(name)

    def get_term(self, name: str) -> Term | None:
        """Return the term called ``name``, or None."""
        return self._terms.get(name)

    @property
    def state_names(self) -> tuple[str, ...]:
        """States declared so far, in order."""
        return tuple(self._states)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Parameters declared so far, in order."""
        return tuple(self._parameters)

    @property
    def assignment_names(self) -> tuple[str, ...]:
        """Assignments declared so far, in order (modifiers are added by :meth:`build`)."""
        return tuple(self._assignments)

    @property
    def term_names(self) -> tuple[str, ...]:
        """Terms declared so far, in order."""
        return tuple(self._terms)

    @property
    def functions(self) -> tuple[Function, ...]:
        """User functions declared so far, in order."""
        return tuple(self._functions.values())

    @property
    def event_names(self) -> tuple[str, ...]:
        """Events declared so far, in order."""
        return tuple(self._events)

    def factors(self, process: str | None = None) -> list[Factor]:
        """Return the factors contributed so far (to ``process`` only, when given)."""
        if process is not None:
            require_process(process)
        return [f for f in self._factors if process is None or f.process == process]

    # ----------------------------------------------------------------- adding
    def _claim(self, name: str, kind: str) -> None:
        ex.check_name(name, kind)
        if self.has_symbol(name):
            raise ModelError(f"model {self.name!r}: cannot add {kind} {name!r}; the name is "
                             f"already used (by {self._kind_of(name)})")

    def _kind_of(self, name: str) -> str:
        for kind, table in (("a state", self._states), ("a parameter", self._parameters),
                            ("an assignment", self._assignments),
                            ("a function", self._functions)):
            if name in table:
                return kind
        return "a process modifier" if self._is_modifier(name) else "nothing"

    def add_state(self, name: str | State, initial: float | str = 0.0, *, unit: str = "",
                  description: str = "") -> State:
        """Declare a state (or add a ready :class:`State`) and return it."""
        state = name if isinstance(name, State) else State(name, initial, unit=unit,
                                                            description=description)
        self._claim(state.name, "state")
        self._states[state.name] = state
        return state

    def add_parameter(self, name: str | Parameter, value: float | None = None, *,
                      unit: str = "1", bounds: tuple[float, float] | None = None,
                      source: Source | None = None, description: str = "") -> Parameter:
        """Declare a parameter (or add a ready :class:`Parameter`) and return it.

        Raises
        ------
        ModelError
            If the name is taken, or the value/source is missing or invalid.
        """
        if isinstance(name, Parameter):
            param = name
        else:
            if value is None or source is None:
                raise ModelError(f"parameter {name!r}: give a value and a source "
                                 f"(Reference(...) or Assumed('reason'))")
            param = Parameter(name, value, unit=unit, bounds=bounds, source=source,
                              description=description)
        self._claim(param.name, "parameter")
        self._parameters[param.name] = param
        return param

    def set_initial(self, name: str, initial: float | str) -> State:
        """Change the initial value of a declared state (e.g. to where a history ended)."""
        state = self._states.get(name)
        if state is None:
            raise unknown_name("state", name, self._states)
        self._states[name] = replace(state, initial=initial)
        return self._states[name]

    def set_parameter(self, name: str, value: float, *, source: Source | None = None,
                      bounds: tuple[float, float] | None = None) -> Parameter:
        """Change the value (and optionally source/bounds) of an existing parameter.

        Bounds widen automatically to include the new value when none are given, because a
        scenario value (e.g. estrogen 0 after ovariectomy) is a legitimate model input.

        Raises
        ------
        UnknownNameError
            If no such parameter exists (with a did-you-mean).
        """
        old = self.require_parameter(name)
        if bounds is None and old.bounds is not None:
            bounds = (min(old.bounds[0], value), max(old.bounds[1], value))
        new = Parameter(name, value, unit=old.unit, bounds=bounds if bounds is not None
                        else old.bounds, source=source or old.source,
                        description=old.description)
        self._parameters[name] = new
        return new

    def add_assignment(self, name: str, expr: str, *, unit: str = "", description: str = "",
                       mechanisms: Sequence[str] = (),
                       citations: Sequence[Reference] = ()) -> Assignment:
        """Declare an algebraic assignment (order is resolved at :meth:`build`)."""
        self._claim(name, "assignment")
        a = Assignment(name, expr, unit=unit, description=description,
                       mechanisms=tuple(mechanisms), citations=tuple(citations))
        self._assignments[name] = a
        return a

    def replace_assignment(self, name: str, expr: str, *, description: str | None = None,
                           mechanisms: Sequence[str] = ()) -> Assignment:
        """Replace the expression of an existing assignment (e.g. a scenario input).

        Prefer :meth:`add_factor` for rate changes; this is for inputs such as a hormone level.
        """
        old = self._assignments.get(name)
        if old is None:
            raise unknown_name("assignment", name, self._assignments)
        new = replace(old, expr=expr,
                      description=old.description if description is None else description,
                      mechanisms=tuple(dict.fromkeys((*old.mechanisms, *mechanisms))))
        self._assignments[name] = new
        return new

    def add_term(self, name: str, rate: str, stoichiometry: Mapping[str, float], *,
                 mechanisms: Sequence[str] = (), description: str = "",
                 citations: Sequence[Reference] = ()) -> Term:
        """Declare a flux term contributing ``coefficient * rate`` to each state."""
        ex.check_name(name, "term")
        if name in self._terms:
            raise ModelError(f"model {self.name!r}: a term called {name!r} already exists")
        t = Term(name, rate, stoichiometry, mechanisms=tuple(mechanisms),
                 description=description, citations=tuple(citations))
        self._terms[name] = t
        return t

    def add_event(self, event: Event | str, assignments: Mapping[str, str] | None = None, *,
                  trigger: str | None = None, at_times: Iterable[float] = (),
                  fire_at_start: bool = False, description: str = "",
                  mechanisms: Sequence[str] = ()) -> Event:
        """Declare an event (a ready :class:`Event`, or its fields)."""
        if isinstance(event, Event):
            ev = event
        else:
            ev = Event(event, assignments or {}, trigger=trigger, at_times=tuple(at_times),
                       fire_at_start=fire_at_start, description=description,
                       mechanisms=tuple(mechanisms))
        ex.check_name(ev.name, "event")
        if ev.name in self._events:
            raise ModelError(f"model {self.name!r}: an event called {ev.name!r} already exists")
        self._events[ev.name] = ev
        return ev

    def add_function(self, name: str, args: Sequence[str], body: str) -> Function:
        """Declare a user function (macro) usable in every expression."""
        self._claim(name, "function")
        f = Function(name, tuple(args), body)
        self._functions[name] = f
        return f

    def add_factor(self, process: str, expr: str, *, mechanisms: Sequence[str] = (),
                   description: str = "") -> None:
        """Multiply the modifier ``m_<process>`` by ``expr``.

        Parameters
        ----------
        process
            A name in :data:`exobone.model.processes.PROCESSES` (e.g. ``"oc_apoptosis"``).
        expr
            A dimensionless expression over any symbols of the finished model.
        mechanisms
            Atlas mechanism ids or module tags, kept for :func:`explain`.
        description
            What the factor does, in words.

        Raises
        ------
        UnknownNameError
            For an unknown process (with a did-you-mean).
        ModelError
            If ``expr`` is not a valid expression.
        """
        require_process(process)
        ex.names_in(expr)  # syntax check now; symbols are checked at build()
        self._factors.append(Factor(process, expr, tuple(mechanisms), description, self.origin))

    # ----------------------------------------------------------------- sources
    def add_source(self, cell: str, expr: str, *, replace_existing: bool = False) -> None:
        """Declare that atlas cell key ``cell`` is present in the model as ``expr``.

        The exosome layer secretes vesicles from each declared source in proportion to
        ``expr`` (usually a state relative to its healthy value, e.g. ``"osteoclasts"``). The core
        declares its cell types; scenarios declare the cells they add (``myeloma_cell`` ->
        ``"myeloma_cells"``, ``senescent_endothelial_cell`` -> ...).

        Raises
        ------
        ModelError
            If ``cell`` is already declared and ``replace_existing`` is false.
        """
        ex.names_in(expr)
        if cell in self._sources and not replace_existing:
            raise ModelError(f"source cell {cell!r} is already declared as "
                             f"{self._sources[cell]!r}")
        self._sources[cell] = expr

    @property
    def sources(self) -> dict[str, str]:
        """``{atlas cell key: amount expression}`` of every cell type present in the model."""
        return dict(self._sources)

    def add_secretion_factor(self, cell: str, expr: str, *, mechanisms: Sequence[str] = (),
                             description: str = "") -> None:
        """Scale exosome secretion by ``cell`` by ``expr`` (read by the exosome layer).

        Used by scenarios and interventions that change vesicle release without a cargo effect
        of their own (e.g. myostatin lowers osteocyte exosome release).
        """
        ex.names_in(expr)
        self._secretion.setdefault(cell, []).append(
            Factor("", expr, tuple(mechanisms), description, self.origin))

    def secretion_factors(self, cell: str) -> list[Factor]:
        """Return the secretion factors declared for ``cell`` (empty when none)."""
        return list(self._secretion.get(cell, ()))

    # ----------------------------------------------------------------- build
    def modifier_assignments(self) -> list[Assignment]:
        """Return one ``m_<process>`` assignment per process (product of its factors)."""
        per: dict[str, list[Factor]] = {}
        for f in self._factors:
            per.setdefault(f.process, []).append(f)
        exprs = modifier_expressions({p: [f.expr for f in fs] for p, fs in per.items()})
        out = []
        for pname, process in PROCESSES.items():
            fs = per.get(pname, [])
            desc = process.description
            if fs:
                desc += "; factors: " + "; ".join(
                    f"{f.description or f.expr}" + (f" [{f.origin}]" if f.origin else "")
                    for f in fs)
            mechs = tuple(dict.fromkeys(m for f in fs for m in f.mechanisms))
            out.append(Assignment(process.modifier, exprs[process.modifier], unit="1",
                                  description=f"modifier of {desc}", mechanisms=mechs))
        return out

    def _ordered_assignments(self) -> list[Assignment]:
        """All assignments with modifiers, topologically sorted (stable in declaration order)."""
        items = [*self._assignments.values(), *self.modifier_assignments()]
        names = {a.name for a in items}
        deps = {a.name: {n for n in ex.names_in(a.expr) if n in names and n != a.name}
                for a in items}
        for a in items:
            if a.name in ex.names_in(a.expr):
                raise ModelError(f"model {self.name!r}: assignment {a.name!r} uses itself")
        order = {a.name: i for i, a in enumerate(items)}
        sorter = graphlib.TopologicalSorter(deps)
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            raise ModelError(f"model {self.name!r}: assignments depend on each other in a cycle "
                             f"{' -> '.join(exc.args[1])}; break it with a state") from None
        by_name = {a.name: a for a in items}
        done: list[Assignment] = []
        while sorter.is_active():  # each wave of ready assignments in declaration order
            ready = sorted(sorter.get_ready(), key=order.__getitem__)
            done.extend(by_name[name] for name in ready)
            sorter.done(*ready)
        return done

    def build(self) -> ModelSpec:
        """Return the validated :class:`ModelSpec` (modifiers written, assignments ordered).

        Raises
        ------
        ModelError
            On an unknown symbol, a dependency cycle, or any other inconsistency.
        """
        spec = ModelSpec(
            name=self.name,
            states=tuple(self._states.values()),
            parameters=tuple(self._parameters.values()),
            assignments=tuple(self._ordered_assignments()),
            terms=tuple(self._terms.values()),
            events=tuple(self._events.values()),
            functions=tuple(self._functions.values()),
            metadata=self.metadata,
        )
        spec.validate()
        return spec
