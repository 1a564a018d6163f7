"""Which exosome magnitudes a dosed model rests on: assumed, or calibrated from data.

A dose of one source acts through the dosed responses of its source family: one ceiling
``exo_emax__<family>__<process>`` per process, all multiplied by the family's dose scale
``exo_dose_emax_scale__<family>`` (:mod:`exobone.model.templates`: a dose has a ceiling of its
own, apart from the endogenous exosomes of the calibrated core). The atlas gives directions,
not sizes, so each ceiling and each scale is :class:`~exobone.model.parameters.Assumed` unless a
calibration replaced its source. The one published magnitude (Kirkham 2022, a meta-analysis of
MSC-EVs in bone injury) identifies one number: the MSC family's dose scale, fitted by
``exobone calibrate data/calibration/contrasts/kirkham2022.yaml`` (a contrast study,
:mod:`exobone.analysis.calibrate.contrast`) and applied from ``fitted_values.yaml``; the split of
the ceiling between processes stays assumed. Outputs that read a dosed model say which families
are fitted and which assumed (issue 13: "outputs flag results that rest on assumed
magnitudes"); the data and the modelling choices are in ``data/calibration/README-exosomes.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exobone.errors import ModelError
from exobone.model.exosomes.sources import source_family
from exobone.model.parameters import Assumed, Fitted, Parameter
from exobone.model.spec import ModelSpec

__all__ = ["MagnitudeBasis", "MagnitudePrior", "magnitude_basis", "magnitude_priors"]

_DOSE_PREFIX, _DOSE_SUFFIX = "dose_", "_ug"


@dataclass(frozen=True)
class MagnitudeBasis:
    """The ceilings the model's doses act through, split by the kind of their source.

    ``assumed``/``calibrated`` name the ceilings (and family dose scales) by their own source;
    ``fitted_families`` maps a family whose scale is calibrated to what it was fitted to;
    ``split_assumed`` names the fitted families whose ceilings per process are still assumed.

    A result *rests on assumptions* unless every dosed family's ceilings are calibrated process
    by process. A fitted family scale is not enough: one effect size (Kirkham 2022: BV/TV in
    injury models) fixes the family's overall size in the setting it was fitted in (a local
    dose in a calvarial defect, defect fill at day 56); how that size divides between
    formation, resorption and commitment, and so what a dose does to another read-out in
    another scenario, is still the assumed split.
    """

    families: tuple[str, ...]
    assumed: tuple[str, ...]
    calibrated: tuple[str, ...]
    fitted_families: tuple[tuple[str, str], ...] = ()
    split_assumed: tuple[str, ...] = ()

    @property
    def assumed_families(self) -> tuple[str, ...]:
        fitted = dict(self.fitted_families)
        return tuple(f for f in self.families if f not in fitted)

    @property
    def rests_on_assumptions(self) -> bool:
        return bool(self.assumed_families) or bool(self.split_assumed)

    def line(self) -> str | None:
        """One line for a table footer or stderr (None without doses)."""
        if not self.families:
            return None
        parts = [f"{f} exosome ceilings scaled as fitted to {what}"
                 + (", their split between processes assumed" if f in self.split_assumed
                    else "") for f, what in self.fitted_families]
        if self.assumed_families:
            parts.append(f"{', '.join(self.assumed_families)} exosome ceilings assumed (no "
                         f"published magnitude; data/calibration/README-exosomes.md): read "
                         f"directions, not sizes")
        lead = "magnitudes assumed" if self.rests_on_assumptions else "magnitudes"
        return f"{lead}: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"families": list(self.families), "assumed": list(self.assumed),
                "calibrated": list(self.calibrated),
                "fitted_families": dict(self.fitted_families),
                "assumed_families": list(self.assumed_families),
                "split_assumed": list(self.split_assumed),
                "rests_on_assumptions": self.rests_on_assumptions}


def _fitted_to(source: Any) -> str:
    if isinstance(source, Fitted):
        low, high = source.interval
        return (f"{source.problem} ({', '.join(source.datasets)}; "
                f"{source.level:.0%} interval {low:.3g}-{high:.3g})")
    return source.short()


def magnitude_basis(model: ModelSpec) -> MagnitudeBasis:
    """The exosome ceilings and family dose scales that the doses of ``model`` (parameters
    ``dose_<source>_ug``) act through, each Assumed or calibrated.

    A family counts as fitted when its dose scale is calibrated, or when every one of its
    ceilings is (each calibrated on its own).
    """
    sources = [p.name[len(_DOSE_PREFIX):-len(_DOSE_SUFFIX)] for p in model.parameters
               if p.name.startswith(_DOSE_PREFIX) and p.name.endswith(_DOSE_SUFFIX)]
    families = tuple(dict.fromkeys(source_family(s) for s in sources))
    by_name = {p.name: p for p in model.parameters}
    ceilings, fitted, split = [], [], []
    for family in families:
        own = [p for p in model.parameters if p.name.startswith(f"exo_emax__{family}__")]
        scale = by_name.get(f"exo_dose_emax_scale__{family}")
        ceilings += own + ([scale] if scale is not None else [])
        own_assumed = any(isinstance(p.source, Assumed) for p in own)
        if scale is not None and not isinstance(scale.source, Assumed):
            fitted.append((family, _fitted_to(scale.source)))
            if own_assumed:
                split.append(family)
        elif own and not own_assumed:
            fitted.append((family, "; ".join(dict.fromkeys(_fitted_to(p.source) for p in own))))
    return MagnitudeBasis(
        families,
        tuple(p.name for p in ceilings if isinstance(p.source, Assumed)),
        tuple(p.name for p in ceilings if not isinstance(p.source, Assumed)),
        tuple(fitted), tuple(split))


@dataclass(frozen=True)
class MagnitudePrior:
    """What is known of one family's dose scale ``exo_dose_emax_scale__<family>``, as a draw.

    ``kind`` is ``fitted`` (drawn around ``value`` from its ``interval`` at ``level``, the
    profile interval of the fit) or ``assumed`` (log-uniform over ``interval``, the parameter's
    bounds: no published magnitude, so every scale the model allows is as likely).
    ``reason`` says which, for the output's provenance.
    """

    parameter: str
    family: str
    kind: str
    value: float
    interval: tuple[float, float]
    level: float
    scale: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"parameter": self.parameter, "family": self.family, "kind": self.kind,
                "value": self.value, "interval": list(self.interval), "level": self.level,
                "scale": self.scale, "reason": self.reason}


def _prior(family: str, p: Parameter) -> MagnitudePrior:
    if isinstance(p.source, Fitted):
        return MagnitudePrior(p.name, family, "fitted", p.value, tuple(p.source.interval),
                              p.source.level, p.source.scale,
                              f"fitted to {_fitted_to(p.source)}")
    if p.bounds is None or not 0 < p.bounds[0] < p.bounds[1]:
        raise ModelError(f"{p.name}: an assumed dose scale needs positive bounds to draw from")
    return MagnitudePrior(
        p.name, family, "assumed", p.value, (float(p.bounds[0]), float(p.bounds[1])), 1.0,
        "log10",
        f"no published magnitude for {family} exosomes: log-uniform over the scale's bounds "
        f"{p.bounds[0]:g}-{p.bounds[1]:g} (assumption; the fitted MSC scale lies inside)")


def magnitude_priors(model: ModelSpec) -> tuple[MagnitudePrior, ...]:
    """The dose scale of every family the doses of ``model`` act through, as a draw.

    The split of a family's ceiling between its processes (``exo_emax__<family>__<process>``)
    is not drawn: the fit of the MSC scale holds that split fixed, so drawing it would undo the
    fit; the band is that of the family's overall magnitude.
    """
    by_name = {p.name: p for p in model.parameters}
    out = []
    for family in magnitude_basis(model).families:
        scale = by_name.get(f"exo_dose_emax_scale__{family}")
        if scale is not None:
            out.append(_prior(family, scale))
    return tuple(out)
