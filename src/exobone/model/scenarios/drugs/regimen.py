"""Drug regimens: dose units, defaults per species, the dosing schedule and its record.

Every drug kind takes ``dose=`` (a mass per administration, per animal or per kg body weight:
``60mg``, ``20ug``, ``100ug/kg``, ``10mg/kg``; a bare number is read in the kind's historical
unit), ``every=`` (days between doses), ``start=`` (day of the first dose) and ``stop=`` (last
dose day) or ``doses=N`` (``doses=1``: a single dose, also where the default repeats). What is not given takes the kind's default for the species: the clinical regimen in
humans, a stated rodent regimen in rats and mice. The standard body weight of the species
(:data:`~exobone.model.scenarios.dosing.BODY_WEIGHT_KG`) converts between the two dose forms.

The resolved regimen is written to the model's metadata (``drug_regimens``: one line per drug
intervention with the dose in both forms, the route, the schedule and the number of doses), so
``--json`` and ``exobone model explain`` say exactly what was given.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exobone.errors import InvalidInputError
from exobone.model.parameters import Assumed, Source
from exobone.model.scenarios.dosing import Dose, body_weight_kg, body_weight_parameter, parse_dose
from exobone.model.scenarios.interventions import (
    DEFAULT_HORIZON_DAYS,
    ApplyFn,
    Intervention,
    Schedule,
    register_intervention,
    unique_name,
)

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = ["Regimen", "ResolvedRegimen", "add_parameter_once", "register_drug", "rate"]

#: species groups of the defaults
RODENTS = ("rat", "mouse")


@dataclass(frozen=True)
class Regimen:
    """Units and default regimens of a drug kind.

    Attributes
    ----------
    bare_unit
        Unit of a bare ``dose=`` number (``mg/kg``, ``ug/kg``, ``mg``, ``ug``): the kind's
        historical unit, kept so old command lines mean what they meant.
    route
        ``s.c.``, ``i.v.`` or ``oral``.
    human, rodent
        Default ``(dose, every)``; ``every`` None is a single dose.
    why
        Where the defaults come from (the clinical label regimen / a rodent study record).
    """

    bare_unit: str
    route: str
    human: tuple[str, float | None]
    rodent: tuple[str, float | None]
    why: str

    def default(self, species: str) -> tuple[Dose, float | None]:
        """Return the default dose and interval for ``species``."""
        dose, every = self.rodent if species in RODENTS else self.human
        return parse_dose(dose, bare_unit=self.bare_unit), every

    def units_text(self) -> str:
        """One line for ``exobone list interventions``."""
        def regimen(dose: str, every: float | None) -> str:
            return f"{dose} " + (f"every {every:g} d" if every else "once")
        return (f"dose in ug, mg, ug/kg or mg/kg (bare number: {self.bare_unit}), {self.route}; "
                f"human default {regimen(*self.human)}; rat/mouse default "
                f"{regimen(*self.rodent)}")


@dataclass(frozen=True)
class ResolvedRegimen:
    """A drug intervention with every default written out for one species."""

    kind: str
    species: str
    route: str
    dose: Dose
    body_weight_kg: float
    schedule: Schedule

    @property
    def ug_per_animal(self) -> float:
        """Dose per administration in µg per animal."""
        return self.dose.per_animal(self.body_weight_kg)

    @property
    def ug_per_kg(self) -> float:
        """Dose per administration in µg per kg body weight."""
        return self.dose.per_kg_of(self.body_weight_kg)

    @property
    def times(self) -> tuple[float, ...]:
        """Dosing days up to the scheduling horizon."""
        return self.schedule.dose_times(DEFAULT_HORIZON_DAYS)

    def describe(self) -> str:
        """E.g. ``denosumab: 60 mg = 0.857 mg/kg (human, 70 kg) s.c., every 182 d ...``."""
        mg = self.ug_per_animal >= 1000 or self.dose.unit == "mg"
        scale, unit = (1000.0, "mg") if mg else (1.0, "ug")
        s = self.schedule
        when = (f"every {s.every:g} d from day {s.start:g}"
                + (f", last dose day {self.times[-1]:g}" if s.stop is not None else "")
                + f" ({len(self.times)} doses to day {DEFAULT_HORIZON_DAYS:g})"
                if s.every else f"once on day {s.start:g}")
        return (f"{self.kind}: {self.ug_per_animal / scale:.4g} {unit} per dose = "
                f"{self.ug_per_kg / scale:.4g} {unit}/kg ({self.species}, "
                f"{self.body_weight_kg:g} kg), {self.route}, {when}")


#: drug kind -> its regimen (filled by :func:`register_drug`)
REGIMENS: dict[str, Regimen] = {}


def resolve_regimen(builder: ModelBuilder, iv: Intervention) -> ResolvedRegimen:
    """Fill the species defaults into ``iv``; record it in ``builder.metadata``."""
    regimen = REGIMENS[iv.kind]
    species = str(builder.metadata.get("species", "rat"))
    default_dose, default_every = regimen.default(species)
    raw = iv.option("dose")
    dose = (parse_dose(raw, kind=iv.kind, bare_unit=regimen.bare_unit, allow_zero=False)
            if raw is not None else default_dose)
    schedule = iv.schedule(default_every=default_every)
    doses = _doses(iv)
    if doses is not None:  # a number of doses: the last one is dose `doses`
        every = schedule.every if doses > 1 else None
        if doses > 1 and every is None:
            raise InvalidInputError(f"{iv}: doses={doses} needs every=DAYS (the {species} "
                                    f"default is a single dose)")
        stop = schedule.start + (doses - 1) * every if every is not None else None
        schedule = Schedule(start=schedule.start, stop=stop, every=every)
    resolved = ResolvedRegimen(iv.kind, species, regimen.route, dose, body_weight_kg(species),
                               schedule)
    builder.metadata["drug_regimens"] = (*builder.metadata.get("drug_regimens", ()),
                                         resolved.describe())
    return resolved


def _resolver(regimen: Regimen) -> Callable[[Intervention, str | None], Intervention]:
    def resolve(iv: Intervention, scenario: str | None = None) -> Intervention:
        """Write the dose with its unit (a bare number gets the kind's historical unit)."""
        options = dict(iv.options)
        if "dose" in options:
            options["dose"] = parse_dose(options["dose"], kind=iv.kind,
                                         bare_unit=regimen.bare_unit, allow_zero=False).text()
        for key in ("start", "every", "stop"):
            if key in options:
                options[key] = f"{iv.number(key):g}"
        return Intervention(iv.kind, iv.arg, options)
    return resolve


def _doses(iv: Intervention) -> int | None:
    """The ``doses=N`` option: a whole number >= 1, not given together with ``stop``."""
    raw = iv.option("doses")
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInputError(f"{iv.kind}: doses={raw!r} must be a whole number >= 1")
    if iv.option("stop") is not None:
        raise InvalidInputError(f"{iv.kind}: give doses=N or stop=LAST_DOSE_DAY, not both")
    return int(raw)


def _validator(regimen: Regimen) -> Callable[[Intervention], None]:
    def validate(iv: Intervention) -> None:
        _doses(iv)
        if iv.option("dose") is not None:
            parse_dose(iv.option("dose") or "", kind=iv.kind, bare_unit=regimen.bare_unit,
                       allow_zero=False)
    return validate


def register_drug(kind: str, *, help: str, regimen: Regimen,
                  sources: Iterable[str]) -> Callable[[ApplyFn], ApplyFn]:
    """Register a drug kind with the common options, units and defaults (decorator)."""
    REGIMENS[kind] = regimen
    return register_intervention(
        kind, help=help,
        usage=f"{kind}[,dose=MASS[/kg],every=DAYS,start=DAY,stop=LAST_DOSE_DAY|doses=N]",
        options=("dose", "start", "every", "stop", "doses"), arg="none",
        validate=_validator(regimen), quantities=("dose",), resolve=_resolver(regimen),
        sources=(*sources, f"default regimens: {regimen.why}"), units=regimen.units_text())


# ------------------------------------------------------------------------ shared helpers
def rate(half_life: float) -> float:
    """First-order rate constant (1/time) of a half-life."""
    return math.log(2) / half_life


def add_parameter_once(builder: ModelBuilder, name: str, value: float, unit: str,
                       source: Source, description: str,
                       bounds: tuple[float, float] | None = None) -> str:
    """Add a drug parameter unless an earlier intervention of the same drug did; return it."""
    if builder.get_parameter(name) is None:
        lo, hi = bounds if bounds is not None else (value / 10, value * 10)
        builder.add_parameter(name, value, unit=unit, bounds=(lo, hi), source=source,
                              description=description)
    return name


def kind_stem(iv: Intervention) -> str:
    """The kind as an identifier stem (``pth-intermittent`` -> ``pth_intermittent``)."""
    return iv.kind.replace("-", "_")


def dose_parameter(builder: ModelBuilder, resolved: ResolvedRegimen, iv: Intervention) -> str:
    """Add the dose per administration (µg per animal) of one intervention; return its name."""
    stem = kind_stem(iv)
    name = unique_name(builder, f"{stem}_dose")
    ug = resolved.ug_per_animal
    builder.add_parameter(name, ug, unit="ug", bounds=(0.0, 100.0 * ug),
                          source=Assumed(f"dose given by the intervention {iv} "
                                         f"({resolved.describe()})"),
                          description=f"{stem} dose per administration, µg per animal")
    body_weight_parameter(builder, resolved.species)
    return name


def dose_events(builder: ModelBuilder, iv: Intervention, resolved: ResolvedRegimen,
                state: str, amount: str) -> None:
    """Add ``amount`` to ``state`` on every dosing day of ``resolved``."""
    # "_dose_event", not "_dose": a second intervention of the kind gets dose parameter
    # "<kind>_dose_2", not a name shifted by this event's
    builder.add_event(unique_name(builder, f"{kind_stem(iv)}_dose_event"),
                      {state: f"{state} + {amount}"},
                      at_times=resolved.times, description=f"{iv}: {resolved.describe()}",
                      mechanisms=(f"intervention:{iv.kind}",))
