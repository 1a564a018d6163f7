"""Model parameters that carry their value, unit, plausible bounds and the source of the number.

Every number in an exobone model says where it comes from: a :class:`Reference` to the paper (or
the curated SBML file) it was read from, a :class:`Fitted` value (``exobone calibrate`` on a named
PEtab problem) or an explicit :class:`Assumed` with the reason. DOIs and
PMIDs are recorded only where they were read in a source, never reconstructed from memory.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from exobone.errors import ModelError

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^\d{1,9}$")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _CitationLike(Protocol):
    first_author: str
    year: int | None
    title: str | None
    journal: str | None
    doi: str | None
    pmid: str | None


@dataclass(frozen=True)
class Reference:
    """A published source of a number or an equation (the model-side twin of an atlas Citation).

    Parameters
    ----------
    first_author
        Surname of the first author, e.g. ``"Komarova"``.
    year
        Publication year (``None`` when the page the number was read from does not show it).
    title, journal, volume, pages
        Bibliographic details, where known.
    doi, pmid
        Identifiers, only where read in a source file (checked against their patterns).
    note
        Where in the source the number is, e.g. ``"BIOMD0000000148, parameter alpha1"``.
    """

    first_author: str
    year: int | None
    title: str | None = None
    journal: str | None = None
    volume: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not self.first_author.strip():
            raise ModelError("a Reference needs a first author")
        if self.year is not None and not 1800 <= self.year <= 2100:
            raise ModelError(f"Reference year {self.year} is not a plausible publication year")
        if self.doi is not None and not DOI_RE.match(self.doi):
            raise ModelError(f"DOI {self.doi!r} does not match {DOI_RE.pattern}")
        if self.pmid is not None and not PMID_RE.match(self.pmid):
            raise ModelError(f"PMID {self.pmid!r} is not numeric")

    @classmethod
    def from_citation(cls, citation: _CitationLike, note: str = "") -> Reference:
        """Build a Reference from an atlas ``Citation`` (or anything with the same fields).

        Raises
        ------
        ModelError
            If the citation has no year.
        """
        if citation.year is None:
            raise ModelError(f"citation of {citation.first_author!r} has no year")
        return cls(
            first_author=citation.first_author,
            year=citation.year,
            title=citation.title,
            journal=citation.journal,
            doi=citation.doi,
            pmid=citation.pmid,
            note=note,
        )

    def short(self) -> str:
        """Return ``'Komarova et al. 2003'`` (with the journal when known)."""
        journal = f", {self.journal}" if self.journal else ""
        year = self.year if self.year is not None else "n.d."
        return f"{self.first_author} et al.{journal} {year}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with a ``kind`` key."""
        out: dict[str, Any] = {"kind": "reference", "first_author": self.first_author,
                               "year": self.year}
        for key in ("title", "journal", "volume", "pages", "doi", "pmid"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Assumed:
    """An explicit assumption standing in for a measurement, with the reason it is acceptable."""

    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ModelError("Assumed(...) needs a reason; say why this number is acceptable")

    def short(self) -> str:
        """Return ``'assumed: <reason>'``."""
        return f"assumed: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with a ``kind`` key."""
        return {"kind": "assumed", "reason": self.reason}


@dataclass(frozen=True)
class Fitted:
    """A value fitted by ``exobone calibrate`` to the data of a PEtab problem (named).

    ``interval`` is the confidence interval at ``level`` (profile likelihood unless ``method``
    says otherwise); ``datasets`` are the record ids of data/calibration the data came from.
    """

    problem: str
    datasets: tuple[str, ...]
    interval: tuple[float, float]
    level: float = 0.95
    method: str = "profile"
    scale: str = "lin"
    date: str = ""
    objective: float = float("nan")

    def __post_init__(self) -> None:
        if not self.problem or not self.datasets:
            raise ModelError("Fitted(...) needs the problem and the data sets it was fitted to")

    def short(self) -> str:
        """Return ``'fitted: <problem> (<datasets>)'``."""
        return f"fitted: {self.problem} ({', '.join(self.datasets)})"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with a ``kind`` key."""
        return {"kind": "fitted", "problem": self.problem, "datasets": list(self.datasets),
                "interval": list(self.interval), "level": self.level, "method": self.method,
                "scale": self.scale, "date": self.date,
                "objective": self.objective if math.isfinite(self.objective) else None}


Source = Reference | Assumed | Fitted


@dataclass(frozen=True)
class Parameter:
    """A named model constant with its unit, bounds and source.

    Parameters
    ----------
    name
        Identifier used in expressions (``[A-Za-z_][A-Za-z0-9_]*``).
    value
        Nominal value; finite and within ``bounds``.
    unit
        Unit string, e.g. ``"1/day"``, ``"pM"``; ``"1"`` for dimensionless.
    bounds
        Inclusive plausible range ``(low, high)`` used by ensembles and sensitivity analysis,
        or ``None`` when no range is known.
    source
        :class:`Reference` or :class:`Assumed`.
    description
        What the number means, in words.

    Raises
    ------
    ModelError
        If the name is not an identifier, the value is not finite, the bounds are inverted or
        the value lies outside them.

    Examples
    --------
    >>> k = Parameter("k_exo_uptake", 1.0, unit="1/day", bounds=(0.1, 10.0),
    ...               source=Assumed("order of magnitude only; no measurement found"))
    >>> k.with_value(2.0).value
    2.0
    """

    name: str
    value: float
    unit: str = field(kw_only=True)
    bounds: tuple[float, float] | None = field(default=None, kw_only=True)
    source: Source = field(kw_only=True)
    description: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise ModelError(f"parameter name {self.name!r} is not an identifier "
                             f"(letters, digits and '_', not starting with a digit)")
        try:
            value = float(self.value)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"parameter {self.name!r}: value {self.value!r} is not a number") \
                from exc
        if not math.isfinite(value):
            raise ModelError(f"parameter {self.name!r}: value {value!r} is not finite")
        object.__setattr__(self, "value", value)
        if not isinstance(self.source, (Reference, Assumed, Fitted)):
            raise ModelError(f"parameter {self.name!r}: source must be a Reference or "
                             f"Assumed(reason) (or a calibration's Fitted), got "
                             f"{type(self.source).__name__}")
        if self.bounds is not None:
            low, high = (float(b) for b in self.bounds)
            if math.isnan(low) or math.isnan(high) or low > high:
                raise ModelError(f"parameter {self.name!r}: bounds ({low}, {high}) are not an "
                                 f"interval; give (low, high) with low <= high")
            if not low <= value <= high:
                raise ModelError(f"parameter {self.name!r}: value {value} is outside its bounds "
                                 f"[{low}, {high}]; widen the bounds or check the value")
            object.__setattr__(self, "bounds", (low, high))

    def with_value(self, value: float) -> Parameter:
        """Return a copy with a new value (validated against the bounds)."""
        return Parameter(self.name, value, unit=self.unit, bounds=self.bounds,
                         source=self.source, description=self.description)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "bounds": list(self.bounds) if self.bounds is not None else None,
            "source": self.source.to_dict(),
            "description": self.description,
        }
