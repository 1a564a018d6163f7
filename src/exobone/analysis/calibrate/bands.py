"""Prediction bands of a scenario run from the uncertainty of the fitted parameters and of the
assumed exosome magnitudes.

:func:`prediction_band` draws the fitted parameters of the run's species (their values, intervals
and fit scales from :mod:`exobone.model.fitted`; draws by
:mod:`~exobone.analysis.calibrate.uncertainty`) and, when the run doses exosomes, the dose scale
of every dosed family that is not fitted, from its assumed prior
(:func:`exobone.model.exosomes.magnitudes.magnitude_priors`: log-uniform over the scale's bounds,
as ``dose-response --band`` draws it; issue 13: "predictions that carry the resulting band").
Every other parameter keeps its value. The draws run as a paired virtual cohort of the treated
and the untreated arm (:func:`exobone.analysis.cohorts.run_cohort`). The band is the 5-95 % range
over the members that ran; its provenance names the seed, each drawn parameter with its kind
(``fitted``: its interval; ``assumed``: its prior and why) and the method. A model with nothing
to draw has no band: that is refused, not shown as zero width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from exobone.analysis.calibrate.uncertainty import METHOD, FittedPrior
from exobone.analysis.cohorts import Prior
from exobone.errors import InvalidInputError
from exobone.model.exosomes.magnitudes import MagnitudePrior, magnitude_priors
from exobone.model.fitted import FittedValue, load_fitted

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec

__all__ = ["MAGNITUDE_METHOD", "MAX_BAND", "assumed_magnitude_priors", "fitted_priors",
           "prediction_band"]

#: most members of a band (a cohort is the tool for larger studies)
MAX_BAND = 2000
#: how an assumed exosome magnitude is drawn, recorded beside :data:`METHOD`
MAGNITUDE_METHOD = ("assumed exosome dose scales log-uniform over their bounds (no published "
                    "magnitude: the band spans the prior, not a confidence interval)")


def fitted_priors(spec: ModelSpec, values: Sequence[FittedValue] | None = None
                  ) -> list[FittedPrior]:
    """The draws of the model's fitted parameters (those its species has and it uses)."""
    species = spec.metadata.get("species")
    names = set(spec.parameter_names)
    return [FittedPrior(v.parameter, v.estimate, v.interval, v.bounds, v.scale, v.level)
            for v in (load_fitted() if values is None else values)
            if v.species == species and v.parameter in names]


def assumed_magnitude_priors(spec: ModelSpec, drawn: Sequence[str] = ()
                             ) -> list[tuple[Prior | FittedPrior, MagnitudePrior]]:
    """The dose scales of the model's dosed exosome families not in ``drawn`` (the fitted
    parameters already drawn), each as a draw with what it rests on.

    An assumed scale is drawn log-uniformly over its bounds; a scale fitted but missing from
    ``drawn`` (not in the fitted values of this species) around its interval.
    """
    out: list[tuple[Prior | FittedPrior, MagnitudePrior]] = []
    bounds = {p.name: p.bounds for p in spec.parameters}
    for m in magnitude_priors(spec):
        if m.parameter in drawn:
            continue
        if m.kind == "fitted":
            lo, hi = bounds.get(m.parameter) or (m.interval[0], m.interval[1])
            out.append((FittedPrior(m.parameter, m.value, m.interval, (lo, hi), m.scale,
                                    m.level), m))
        else:
            out.append((Prior(m.parameter, "loguniform", low=m.interval[0],
                              high=m.interval[1]), m))
    return out


def _drawn_line(parameters: Sequence[dict[str, Any]]) -> str:
    """``fitted (95 % interval): a, b; assumed prior: c`` for a band's footer."""
    fitted = [p["name"] for p in parameters if p["kind"] == "fitted"]
    assumed = [p["name"] for p in parameters if p["kind"] == "assumed"]
    parts = ([f"fitted, from their intervals: {', '.join(fitted)}"] if fitted else []) + (
        [f"assumed, from their priors: {', '.join(assumed)}"] if assumed else [])
    return "; ".join(parts)


def prediction_band(scenario: str, interventions: Sequence[str] = (), *, species: str | None,
                    days: float, times: Sequence[float], n: int, seed: int,
                    outcomes: Sequence[str], site: str | None = None) -> dict[str, Any]:
    """Return ``{"n", "seed", "quantiles", "times", "treated", "control", "effect", "status",
    "failures", "parameters", "drawn", "method"}``; each arm maps an outcome to its 5/50/95 %
    quantiles at ``times``. ``parameters`` lists every drawn parameter with its ``kind``
    (``fitted`` or ``assumed``) and ``reason``; ``drawn`` says the same in one line.

    Raises
    ------
    InvalidInputError
        For ``n`` outside [2, MAX_BAND], or a model with neither fitted parameters nor an
        assumed exosome magnitude.
    """
    import numpy as np

    from exobone.analysis.cohorts import run_cohort
    from exobone.model.assemble import build_model
    from exobone.model.scenarios import require_scenario

    if not 2 <= n <= MAX_BAND:
        raise InvalidInputError(f"--band takes 2 to {MAX_BAND} members, got {n}")
    scen = require_scenario(scenario)
    species = scen.resolve_species(species)
    spec = build_model(scen.name, list(interventions), species=species, site=site)
    priors = fitted_priors(spec)
    magnitudes = assumed_magnitude_priors(spec, [p.name for p in priors])
    if not priors and not magnitudes:
        raise InvalidInputError(f"no parameter of this {scen.name} model is fitted for "
                                f"{species}: there is no fitted uncertainty to draw a band from")
    parameters: list[dict[str, Any]] = [
        {"name": p.name, "kind": "fitted", "estimate": p.estimate, "interval": list(p.interval),
         "scale": p.scale, "level": p.level, "reason": "fitted value and interval "
                                                       "(exobone.model.fitted)"}
        for p in priors]
    parameters += [{"name": m.parameter, "kind": m.kind, "estimate": m.value,
                    "interval": list(m.interval), "scale": m.scale, "level": m.level,
                    "reason": m.reason} for _, m in magnitudes]
    draws = [*priors, *(d for d, _ in magnitudes)]
    res = run_cohort(scen.name, list(interventions), n=n, spread=None,
                     priors=draws,  # type: ignore[arg-type]  # FittedPrior duck-types Prior
                     rng=seed, days=days, species=species, site=site, times=times,
                     outcomes=[o for o in outcomes])
    idx = np.searchsorted(res.times, np.asarray(times, dtype=float))

    def pick(bands: dict[str, Any]) -> dict[str, list[list[float | None]]]:
        return {k: [[float(x) if math.isfinite(x) else None for x in row[idx]] for row in v]
                for k, v in bands.items()}

    return {"n": n, "seed": seed, "quantiles": [0.05, 0.5, 0.95],
            "times": [float(t) for t in times], "treated": pick(res.bands),
            "control": pick(res.control_bands), "effect": pick(res.effect_bands),
            "status": res.status_counts, "failures": res.failures,
            "parameters": parameters, "drawn": _drawn_line(parameters),
            "method": METHOD + (f"; {MAGNITUDE_METHOD}" if magnitudes else "")}
