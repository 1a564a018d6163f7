"""Composable interventions: parse ``KIND:ARG[,key=value...]``, validate, and apply to a builder.

An :class:`Intervention` is a small value object (kind, argument, options); the registry
:data:`INTERVENTIONS` maps each kind to an :class:`InterventionKind` with its help text and an
``apply(builder, intervention)`` function that adds states, parameters, events and process
factors through :class:`~exobone.model.builder.ModelBuilder`. Kinds register themselves with
:func:`register_intervention` in :mod:`.drugs` (one module per drug family) and :mod:`.exosome_interventions`, which the
package :mod:`exobone.model.scenarios` imports, so the registry is full once it is imported.

Command-line form
-----------------
``KIND[:ARG][,key=value...]``, e.g. ``denosumab,dose=60mg,start=28,every=182``,
``exosome:bmsc,dose=100,route=local,start=0,every=7,stop=56``, ``antagomir:miR-214-3p@osteoclast``.
The first comma-separated item after ``KIND:`` without ``=`` is ``ARG``; a ``KIND:key=value`` form
with no argument is accepted too.

Common options (checked for every kind that accepts them):

``dose``   non-negative number, or a mass with a unit (``60mg``, ``20ug``, ``100ug/kg``) for
           the kinds that list ``dose`` in their ``quantities`` (drugs, exosomes; see
           :mod:`.dosing`)
``start``  day of the first dose / start of the window, ``>= 0`` (default 0)
``stop``   last day a dose may be given / end of the window, ``> start``
``every``  dosing interval in days, ``> 0`` (default: a single dose)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exobone.errors import (
    DuplicateRegistrationError,
    InvalidInputError,
    ModelError,
    suggest,
    unknown_name,
)
from exobone.model.spec import FrozenMap

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "INTERVENTIONS",
    "Intervention",
    "InterventionKind",
    "Schedule",
    "apply_intervention",
    "get_intervention_kind",
    "parse_intervention",
    "register_intervention",
    "require_intervention_kind",
]

#: repeated dosing without ``stop`` is scheduled up to this day (ten years)
DEFAULT_HORIZON_DAYS = 3650.0

#: options whose values are numbers, with their checks
NUMERIC_OPTIONS = ("dose", "start", "stop", "every")


@dataclass(frozen=True)
class Schedule:
    """When an intervention acts: a single time, a repeated schedule, or a window.

    Attributes
    ----------
    start
        Day of the first dose (or start of the window), ``>= 0``.
    stop
        Last day a dose may be given (or end of the window); ``None``: open-ended.
    every
        Interval between doses in days; ``None``: a single dose at ``start``.
    """

    start: float = 0.0
    stop: float | None = None
    every: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and self.start >= 0):
            raise InvalidInputError(f"start must be a day >= 0, got {self.start!r}")
        if self.stop is not None and not (math.isfinite(self.stop) and self.stop > self.start):
            raise InvalidInputError(f"impossible schedule: stop={self.stop:g} is not after "
                                    f"start={self.start:g}; give stop > start")
        if self.every is not None and not (math.isfinite(self.every) and self.every > 0):
            raise InvalidInputError(f"every must be a positive number of days, got "
                                    f"{self.every!r}")

    def dose_times(self, horizon: float = DEFAULT_HORIZON_DAYS) -> tuple[float, ...]:
        """Return the dosing days: ``start`` alone, or ``start, start+every, ...`` to stop."""
        if self.every is None:
            return (self.start,)
        end = self.stop if self.stop is not None else max(horizon, self.start)
        n = math.floor((end - self.start) / self.every + 1e-9) + 1
        return tuple(self.start + k * self.every for k in range(n))


@dataclass(frozen=True)
class Intervention:
    """One intervention: a kind, an optional argument, and options.

    Parameters
    ----------
    kind
        Registered kind, e.g. ``"denosumab"``, ``"exosome"``, ``"antagomir"``.
    arg
        Kind-specific argument (exosome source, cell, miRNA[@cell], gene), or None.
    options
        ``{key: value}`` as strings; numeric ones are read with :meth:`number`.

    Examples
    --------
    >>> iv = Intervention.parse("exosome:bmsc,dose=100,route=local,start=0,every=7,stop=56")
    >>> iv.kind, iv.arg, iv.number("dose")
    ('exosome', 'bmsc', 100.0)
    >>> iv.schedule().dose_times()[:3]
    (0.0, 7.0, 14.0)
    >>> str(iv)
    'exosome:bmsc,dose=100,route=local,start=0,every=7,stop=56'
    """

    kind: str
    arg: str | None = None
    options: Mapping[str, str] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", self.kind.strip().lower())
        object.__setattr__(self, "options",
                           FrozenMap((str(k).strip().lower(), str(v).strip())
                                     for k, v in dict(self.options).items()))
        if self.arg is not None:
            arg = self.arg.strip()
            object.__setattr__(self, "arg", arg or None)
        if not self.kind:
            raise InvalidInputError("an intervention needs a kind, e.g. 'denosumab' or "
                                    "'exosome:bmsc,dose=100'")

    # ------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, text: str) -> Intervention:
        """Parse ``KIND[:ARG][,key=value...]`` (see the module docstring).

        Raises
        ------
        InvalidInputError
            For an empty text, an empty or repeated option, or two arguments.
        """
        raw = text.strip()
        if not raw:
            raise InvalidInputError("empty intervention; expected KIND[:ARG][,key=value...]")
        if ":" in raw.split(",", 1)[0]:
            kind, rest = raw.split(":", 1)
        else:
            kind, _, rest = raw.partition(",")
        arg: str | None = None
        options: dict[str, str] = {}
        for item in (x.strip() for x in rest.split(",")) if rest.strip() else ():
            if not item:
                raise InvalidInputError(f"empty item in intervention {text!r} (two commas?)")
            if "=" in item:
                key, value = (s.strip() for s in item.split("=", 1))
                if not key or not value:
                    raise InvalidInputError(f"option {item!r} in {text!r} needs key=value")
                if key.lower() in options:
                    raise InvalidInputError(f"option {key!r} is given twice in {text!r}")
                options[key.lower()] = value
            elif arg is None:
                arg = item
            else:
                raise InvalidInputError(f"intervention {text!r} has two arguments ({arg!r} and "
                                        f"{item!r}); options are key=value")
        return cls(kind, arg, options)

    def __str__(self) -> str:
        head = self.kind + (f":{self.arg}" if self.arg else "")
        opts = ",".join(f"{k}={v}" for k, v in self.options.items())
        if not opts:
            return head
        return f"{head},{opts}" if self.arg else f"{head}:{opts}"

    # ------------------------------------------------------------ accessors
    @property
    def target(self) -> str | None:
        """For ``MIRNA@CELL`` arguments: the part before ``@`` (else the whole argument)."""
        return self.arg.split("@", 1)[0] if self.arg else None

    @property
    def cell(self) -> str | None:
        """For ``MIRNA@CELL`` arguments: the cell after ``@``, or None."""
        if self.arg and "@" in self.arg:
            return self.arg.split("@", 1)[1] or None
        return None

    def option(self, key: str, default: str | None = None) -> str | None:
        """Return the option ``key`` as a string, or ``default``."""
        return self.options.get(key, default)

    def number(self, key: str, default: float | None = None) -> float | None:
        """Return option ``key`` as a float (checked: finite; dose/start >= 0, every > 0).

        Raises
        ------
        InvalidInputError
            If the value is not a number or violates its check.
        """
        raw = self.options.get(key)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise InvalidInputError(f"{self.kind}: option {key}={raw!r} is not a number") \
                from None
        if not math.isfinite(value):
            raise InvalidInputError(f"{self.kind}: option {key}={raw!r} is not finite")
        if key == "dose" and value < 0:
            raise InvalidInputError(f"{self.kind}: dose must be >= 0, got {raw}; a negative "
                                    f"dose is impossible")
        if key in ("start", "stop") and value < 0:
            raise InvalidInputError(f"{self.kind}: {key} must be a day >= 0, got {raw}")
        if key == "every" and value <= 0:
            raise InvalidInputError(f"{self.kind}: every must be > 0 days, got {raw}")
        return value

    def schedule(self, *, default_start: float = 0.0,
                 default_every: float | None = None,
                 default_stop: float | None = None) -> Schedule:
        """Return the :class:`Schedule` from ``start``, ``stop`` and ``every``.

        Raises
        ------
        InvalidInputError
            For an impossible schedule (stop not after start, every <= 0, negative days).
        """
        start = self.number("start", default_start)
        stop = self.number("stop", default_stop)
        every = self.number("every", default_every)
        assert start is not None
        try:
            return Schedule(start=start, stop=stop, every=every)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{self}: {exc}") from None

    # ------------------------------------------------------------ validation
    def check(self) -> InterventionKind:
        """Validate against the registered kind; return the kind.

        Raises
        ------
        UnknownNameError
            For an unknown kind (with a did-you-mean).
        InvalidInputError
            For a missing/unexpected argument, an unknown option, or a bad value.
        """
        kind = require_intervention_kind(self.kind)
        if kind.arg == "required" and not self.arg:
            raise InvalidInputError(f"{self.kind} needs an argument: {kind.usage}")
        if kind.arg == "none" and self.arg:
            raise InvalidInputError(f"{self.kind} takes no argument (got {self.arg!r}): "
                                    f"{kind.usage}")
        for key in self.options:
            if key not in kind.options:
                allowed = ", ".join(kind.options) or "none"
                raise InvalidInputError(f"{self.kind}: unknown option {key!r}"
                                        f"{suggest(key, kind.options)} (allowed: {allowed})")
        for key in NUMERIC_OPTIONS:
            if key in kind.options and key not in kind.quantities:
                self.number(key)
        if any(k in kind.options for k in ("start", "stop", "every")):
            self.schedule()
        if kind.validate is not None:
            kind.validate(self)
        return kind


def parse_intervention(text: str | Intervention, scenario: str | None = None) -> Intervention:
    """Parse and validate one intervention (see :meth:`Intervention.parse`, :meth:`check`).

    A kind with a ``resolve`` step returns the intervention with its defaults written out
    (the exosome route, the dose with its unit, the schedule), so ``str()`` of the result,
    which the model's metadata, ``--json`` ``interventions``, reports and the web show, says
    exactly what was simulated. Defaults that depend on the scenario (the exosome route) are
    written out only when ``scenario`` is given.
    """
    iv = text if isinstance(text, Intervention) else Intervention.parse(text)
    kind = iv.check()
    return kind.resolve(iv, scenario) if kind.resolve is not None else iv


# ---------------------------------------------------------------- registry
ApplyFn = Callable[["ModelBuilder", Intervention], None]
ValidateFn = Callable[[Intervention], None]
ResolveFn = Callable[[Intervention, str | None], Intervention]  # (intervention, scenario)


@dataclass(frozen=True)
class InterventionKind:
    """A registered kind of intervention.

    Attributes
    ----------
    kind
        Name used on the command line.
    help
        One line for ``exobone list interventions``.
    usage
        The full command-line form with units, e.g. ``"denosumab[,dose=MG_PER_KG,...]"``.
    apply
        ``apply(builder, intervention)``: adds what the intervention does to the builder.
    options
        Option keys the kind accepts.
    arg
        ``"required"``, ``"optional"`` or ``"none"``.
    validate
        Extra checks run before any model is built (e.g. the exosome source exists).
    sources
        Short citations or assumption notes for the way the kind is modelled.
    quantities
        Options whose values carry a unit (``dose=5ug/kg``): checked by ``validate``, not as
        plain numbers.
    resolve
        Returns the intervention with every default written out (:func:`parse_intervention`).
    units
        The units a dose may be written in and the default regimen per species (shown by
        ``exobone list interventions``); empty for kinds without a dose.
    """

    kind: str
    help: str
    usage: str
    apply: ApplyFn
    options: tuple[str, ...] = ()
    arg: str = "optional"
    validate: ValidateFn | None = None
    sources: tuple[str, ...] = ()
    quantities: tuple[str, ...] = ()
    resolve: ResolveFn | None = None
    units: str = ""


INTERVENTIONS: dict[str, InterventionKind] = {}


def register_intervention(kind: str, *, help: str, usage: str,
                          options: Iterable[str] = (), arg: str = "optional",
                          validate: ValidateFn | None = None,
                          sources: Iterable[str] = (), quantities: Iterable[str] = (),
                          resolve: ResolveFn | None = None,
                          units: str = "") -> Callable[[ApplyFn], ApplyFn]:
    """Register ``apply`` as the intervention ``kind`` (decorator).

    Raises
    ------
    DuplicateRegistrationError
        If ``kind`` is already registered by another module.
    ModelError
        For an ``arg`` other than required/optional/none.
    """
    if arg not in ("required", "optional", "none"):
        raise ModelError(f"intervention {kind!r}: arg must be 'required', 'optional' or 'none', "
                         f"got {arg!r}")

    def add(fn: ApplyFn) -> ApplyFn:
        if kind in INTERVENTIONS:
            owner = INTERVENTIONS[kind].apply.__module__
            raise DuplicateRegistrationError(f"intervention {kind!r} is already registered by "
                                             f"{owner}")
        INTERVENTIONS[kind] = InterventionKind(kind, help, usage, fn, tuple(options), arg,
                                               validate, tuple(sources), tuple(quantities),
                                               resolve, units)
        return fn
    return add


def get_intervention_kind(kind: str) -> InterventionKind | None:
    """Return the registered kind, or None."""
    return INTERVENTIONS.get(kind.strip().lower())


def require_intervention_kind(kind: str) -> InterventionKind:
    """Return the registered kind; raise UnknownNameError with a suggestion otherwise."""
    found = get_intervention_kind(kind)
    if found is None:
        raise unknown_name("intervention kind", kind, INTERVENTIONS)
    return found


def apply_intervention(builder: ModelBuilder, intervention: Intervention | str) -> None:
    """Validate ``intervention`` and apply it to ``builder``; record it in the metadata."""
    iv = parse_intervention(intervention, builder.metadata.get("scenario"))
    kind = require_intervention_kind(iv.kind)
    kind.apply(builder, iv)


def unique_name(builder: ModelBuilder, stem: str) -> str:
    """Return ``stem``, or ``stem_2``, ``stem_3``... whichever is free for a symbol or event."""
    name, k = stem, 1
    while builder.has_symbol(name) or name in builder.event_names \
            or builder.get_term(name) is not None:
        k += 1
        name = f"{stem}_{k}"
    return name
