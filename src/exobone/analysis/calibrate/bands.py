"""Prediction bands of a scenario run from the uncertainty of the fitted parameters.

:func:`prediction_band` draws the fitted parameters of the run's species (their values, intervals
and fit scales from :mod:`exobone.model.fitted`; draws by
:mod:`~exobone.analysis.calibrate.uncertainty`), keeps every other parameter at its value, and
runs the draws as a paired virtual cohort of the treated and the untreated arm
(:func:`exobone.analysis.cohorts.run_cohort`). The band is the 5-95 % range over the members that
ran; its provenance names the seed, the drawn parameters and the method. A species without
fitted parameters in the model has no band: that is refused, not shown as zero width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from exobone.analysis.calibrate.uncertainty import METHOD, FittedPrior
from exobone.errors import InvalidInputError
from exobone.model.fitted import FittedValue, load_fitted

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec

__all__ = ["MAX_BAND", "fitted_priors", "prediction_band"]

#: most members of a band (a cohort is the tool for larger studies)
MAX_BAND = 2000


def fitted_priors(spec: ModelSpec, values: Sequence[FittedValue] | None = None
                  ) -> list[FittedPrior]:
    """The draws of the model's fitted parameters (those its species has and it uses)."""
    species = spec.metadata.get("species")
    names = set(spec.parameter_names)
    return [FittedPrior(v.parameter, v.estimate, v.interval, v.bounds, v.scale, v.level)
            for v in (load_fitted() if values is None else values)
            if v.species == species and v.parameter in names]


def prediction_band(scenario: str, interventions: Sequence[str] = (), *, species: str | None,
                    days: float, times: Sequence[float], n: int, seed: int,
                    outcomes: Sequence[str], site: str | None = None) -> dict[str, Any]:
    """Return ``{"n", "seed", "quantiles", "times", "treated", "control", "effect", "status",
    "failures", "parameters", "method"}``; each arm maps an outcome to its 5/50/95 % quantiles
    at ``times``.

    Raises
    ------
    InvalidInputError
        For ``n`` outside [2, MAX_BAND], or a model without fitted parameters.
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
    if not priors:
        raise InvalidInputError(f"no parameter of this {scen.name} model is fitted for "
                                f"{species}: there is no fitted uncertainty to draw a band from")
    res = run_cohort(scen.name, list(interventions), n=n, spread=None,
                     priors=priors,  # type: ignore[arg-type]  # FittedPrior duck-types Prior
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
            "parameters": [{"name": p.name, "estimate": p.estimate,
                            "interval": list(p.interval), "scale": p.scale,
                            "level": p.level} for p in priors],
            "method": METHOD}
