"""Which exosome magnitudes a dosed model rests on: assumed, or calibrated from data.

A dose of one source acts through the combined, bounded responses of its source family (one
ceiling ``exo_emax__<family>__<process>`` per process, :mod:`exobone.model.templates`). The
atlas gives directions, not sizes, so each ceiling is :class:`~exobone.model.parameters.Assumed`
unless a calibration replaced its source with a
:class:`~exobone.model.parameters.Reference`. Outputs that read a dosed model say which
(issue 13: "outputs flag results that rest on assumed magnitudes"); the published numbers that
exist, and why they do not yet set a ceiling, are in ``data/calibration/README-exosomes.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exobone.model.exosomes.sources import source_family
from exobone.model.parameters import Assumed
from exobone.model.spec import ModelSpec

__all__ = ["MagnitudeBasis", "magnitude_basis"]

_DOSE_PREFIX, _DOSE_SUFFIX = "dose_", "_ug"


@dataclass(frozen=True)
class MagnitudeBasis:
    """The ceilings the model's doses act through, split by the kind of their source."""

    families: tuple[str, ...]
    assumed: tuple[str, ...]
    calibrated: tuple[str, ...]

    @property
    def rests_on_assumptions(self) -> bool:
        return bool(self.assumed)

    def line(self) -> str | None:
        """One line for a table footer or stderr (None without doses)."""
        if not self.families:
            return None
        n = len(self.assumed) + len(self.calibrated)
        if not self.assumed:
            return (f"magnitudes: all {n} ceilings of {', '.join(self.families)} exosomes are "
                    f"calibrated")
        return (f"magnitudes assumed: {len(self.assumed)} of {n} ceilings of "
                f"{', '.join(self.families)} exosomes are Assumed (no published dose-response; "
                f"data/calibration/README-exosomes.md): read directions, not sizes")

    def to_dict(self) -> dict[str, Any]:
        return {"families": list(self.families), "assumed": list(self.assumed),
                "calibrated": list(self.calibrated),
                "rests_on_assumptions": self.rests_on_assumptions}


def magnitude_basis(model: ModelSpec) -> MagnitudeBasis:
    """The exosome ceilings that the doses of ``model`` (parameters ``dose_<source>_ug``) act
    through, each Assumed or calibrated."""
    sources = [p.name[len(_DOSE_PREFIX):-len(_DOSE_SUFFIX)] for p in model.parameters
               if p.name.startswith(_DOSE_PREFIX) and p.name.endswith(_DOSE_SUFFIX)]
    families = tuple(dict.fromkeys(source_family(s) for s in sources))
    prefixes = tuple(f"exo_emax__{f}__" for f in families)
    ceilings = [p for p in model.parameters if prefixes and p.name.startswith(prefixes)]
    return MagnitudeBasis(
        families,
        tuple(p.name for p in ceilings if isinstance(p.source, Assumed)),
        tuple(p.name for p in ceilings if not isinstance(p.source, Assumed)))
