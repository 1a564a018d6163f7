"""Doses with units and body weights: shared by the exosome and the drug interventions.

A dose option is a mass per administration, per animal (``60mg``, ``20ug``) or per kg body
weight (``100ug/kg``, ``10mg/kg``). A bare number is read in the unit the kind has always used
(``bare_unit``), so old command lines keep their meaning. :data:`BODY_WEIGHT_KG` converts
between the two forms for each species.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exobone.errors import InvalidInputError, unknown_name
from exobone.model.parameters import Assumed

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = ["BODY_WEIGHT_KG", "Dose", "body_weight_kg", "body_weight_parameter", "parse_dose"]

#: species -> (body weight in kg, why): converts per-kg doses to amounts per animal
BODY_WEIGHT_KG: dict[str, tuple[float, str]] = {
    "rat": (0.25, "typical adult laboratory rat; a round value, not read in a source"),
    "mouse": (0.025, "typical adult laboratory mouse; a round value, not read in a source"),
    "human": (70.0, "conventional reference adult; a round value, not read in a source"),
}

#: mass units and their size in µg
MASS_UG = {"ug": 1.0, "µg": 1.0, "mcg": 1.0, "mg": 1000.0}

_DOSE_RE = re.compile(r"^([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(ug|µg|mcg|mg)?\s*(/\s*kg)?$")


@dataclass(frozen=True)
class Dose:
    """A dose: ``value`` µg per administration, per animal or (``per_kg``) per kg body weight.

    ``unit`` is the mass unit the dose was written in (``ug`` or ``mg``), kept for display.
    """

    value: float
    per_kg: bool = False
    unit: str = "ug"

    def per_animal(self, body_weight_kg: float) -> float:
        """Return the dose in µg per animal."""
        return self.value * body_weight_kg if self.per_kg else self.value

    def per_kg_of(self, body_weight_kg: float) -> float:
        """Return the dose in µg per kg body weight."""
        return self.value if self.per_kg else self.value / body_weight_kg

    def text(self) -> str:
        """The dose in the unit it was written in, e.g. ``60mg`` or ``100ug/kg``."""
        scale = MASS_UG[self.unit]
        return f"{self.value / scale:g}{self.unit}" + ("/kg" if self.per_kg else "")

    def __str__(self) -> str:
        return f"{self.value:g}ug" + ("/kg" if self.per_kg else "")


def parse_dose(raw: str, *, kind: str = "exosome", bare_unit: str = "ug",
               allow_zero: bool = True) -> Dose:
    """Parse ``60mg``, ``20ug``, ``100ug/kg``, ``10mg/kg`` or a bare number (``bare_unit``).

    ``bare_unit`` is ``ug``, ``mg``, ``ug/kg`` or ``mg/kg``.

    Raises
    ------
    InvalidInputError
        For another unit, a negative or non-finite dose, or (``allow_zero=False``) zero.

    Examples
    --------
    >>> str(parse_dose("4mg/kg")), str(parse_dose("100")), parse_dose("5 ug/kg").per_kg
    ('4000ug/kg', '100ug', True)
    >>> parse_dose("10", kind="denosumab", bare_unit="mg/kg").text()
    '10mg/kg'
    """
    text = raw.strip().lower()
    if text.startswith("-"):
        raise InvalidInputError(f"{kind}: dose must be >= 0, got {raw}; a negative dose is "
                                f"impossible")
    if text.endswith("/day") or text.endswith("/d"):
        raise InvalidInputError(f"{kind}: dose={raw!r}: give the dose per administration "
                                f"(e.g. dose=20ug) and the interval with every=DAYS")
    m = _DOSE_RE.match(text)
    if m is None:
        raise InvalidInputError(f"{kind}: dose={raw!r} is not a dose; write e.g. dose=100ug "
                                f"(per animal) or dose=5ug/kg (per kg body weight); units: "
                                f"ug, mg, ug/kg, mg/kg")
    if m.group(2) is None and m.group(3):
        raise InvalidInputError(f"{kind}: dose={raw!r} needs a mass unit before /kg "
                                f"(ug/kg or mg/kg)")
    if m.group(2) is None:
        unit, per_kg = bare_unit.removesuffix("/kg"), bare_unit.endswith("/kg")
    else:
        unit, per_kg = m.group(2), bool(m.group(3))
    unit = "mg" if unit == "mg" else "ug"
    value = float(m.group(1)) * MASS_UG[unit]
    if not math.isfinite(value):
        raise InvalidInputError(f"{kind}: dose={raw!r} is not finite")
    if value == 0 and not allow_zero:
        raise InvalidInputError(f"{kind}: a zero dose does nothing; give dose > 0 or drop the "
                                f"intervention")
    return Dose(value, per_kg, unit)


def body_weight_kg(species: str) -> float:
    """Return the standard body weight of ``species`` in kg.

    Raises
    ------
    UnknownNameError
        For a species without a body weight.
    """
    if species not in BODY_WEIGHT_KG:
        raise unknown_name("species (body weight)", species, BODY_WEIGHT_KG)
    return BODY_WEIGHT_KG[species][0]


def body_weight_parameter(builder: ModelBuilder, species: str | None = None) -> str:
    """Add the parameter ``body_weight`` of the model's species (once); return its name."""
    species = species or str(builder.metadata.get("species", "rat"))
    kg = body_weight_kg(species)
    if builder.get_parameter("body_weight") is None:
        builder.add_parameter("body_weight", kg, unit="kg", bounds=(kg / 3, kg * 3),
                              source=Assumed(BODY_WEIGHT_KG[species][1]),
                              description=f"body weight ({species})")
    return "body_weight"
