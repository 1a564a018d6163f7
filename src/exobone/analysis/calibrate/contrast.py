"""Calibrate to a contrast study: a published treated-minus-control difference.

Some published magnitudes are differences between two arms, pooled over species: Kirkham 2022
reports that MSC-EVs raise BV/TV in rodent bone-injury models by 22.2 points (95 % CI
15.8-28.5) over controls, with neither arm's value. A PEtab measurement is one simulation's
observable of one model, so such a datum is not a PEtab problem; writing the treated arm as "the
model's control + 22.2" would put a model output into the data. A *contrast file*
(``data/calibration/contrasts/*.yaml``, top-level key ``contrast: 1``) says instead what the
difference is of: a scenario, the treated and control interventions, the species pooled with
their weights, a read-out (``factor * variable`` at a day), the data (value, 95 % CI, citation,
``use: fit`` or ``use: validate``) and the one parameter to fit, with its bounds.

The model quantity is ``sum_s w_s (readout(treated_s) - readout(control_s))``, both arms of every
species simulated with the same parameter values (exact: no surrogate, no linearisation). The
noise is normal with ``sigma`` = half the published 95 % CI's width / 1.959964. One parameter is
fitted: a grid over its bounds, then bounded Brent around the best grid point; its profile
interval is where ``2 (nllh - nllh_min)`` crosses the chi-square quantile (the likelihood itself:
there is no other parameter to profile over), found by Brent root search outward from the
estimate. A contrast file the code cannot evaluate exactly is refused with one line
(:class:`UnsupportedContrastError`).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import chi2

from exobone.errors import ExoboneError, InvalidInputError

__all__ = ["ContrastDatum", "ContrastFit", "ContrastModel", "ContrastStudy",
           "UnsupportedContrastError", "calibrate_contrast", "evaluate_contrast",
           "is_contrast_file", "load_contrast"]

Z95 = 1.959963984540054
_KEYS = {"contrast", "problem", "magnitudes", "scenario", "treated", "control", "species",
         "readout", "parameter", "data"}
_DATUM_KEYS = {"record", "use", "outcome", "value", "ci95", "unit", "citation"}
_USES = ("fit", "validate")
#: grid points over the parameter's bounds before the bounded Brent refinement
GRID = 13


class UnsupportedContrastError(ExoboneError, ValueError):
    """A contrast file exobone does not evaluate exactly; names the construct and the file."""


@dataclass(frozen=True)
class ContrastDatum:
    """One published difference: value, 95 % CI, and whether it is fitted or held out."""

    record: str
    use: str
    outcome: str
    value: float
    ci95: tuple[float, float]
    unit: str
    citation: str

    @property
    def sigma(self) -> float:
        """The normal noise whose 95 % interval has the published width."""
        return (self.ci95[1] - self.ci95[0]) / (2.0 * Z95)

    def nllh(self, model: float) -> float:
        return (0.5 * math.log(2.0 * math.pi * self.sigma**2)
                + 0.5 * ((model - self.value) / self.sigma) ** 2)

    def inside(self, model: float) -> bool:
        return self.ci95[0] <= model <= self.ci95[1]


@dataclass(frozen=True)
class ContrastStudy:
    """A contrast file, read and checked (:func:`load_contrast`)."""

    path: Path
    problem: str
    scenario: str
    treated: tuple[str, ...]
    control: tuple[str, ...]
    species: dict[str, float]
    variable: str
    factor: float
    day: float
    parameter: str
    nominal: float
    bounds: tuple[float, float]
    scale: str
    data: tuple[ContrastDatum, ...]

    @property
    def fit_data(self) -> tuple[ContrastDatum, ...]:
        return tuple(d for d in self.data if d.use == "fit")

    def readout_text(self) -> str:
        factor = "" if self.factor == 1 else f"{self.factor:g}*"
        return f"{factor}{self.variable} at day {self.day:g}"


def is_contrast_file(path: str | Path) -> bool:
    """True for a YAML file whose top level has the key ``contrast`` (else a PEtab problem)."""
    p = Path(path)
    if not p.is_file() or p.suffix not in (".yaml", ".yml"):
        return False
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return False
    return isinstance(raw, Mapping) and "contrast" in raw


def _refuse(path: Path, what: str) -> UnsupportedContrastError:
    return UnsupportedContrastError(f"{path.name}: {what}")


def _pair(raw: Any, path: Path, what: str) -> tuple[float, float]:
    try:
        low, high = (float(x) for x in raw)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{path.name}: {what} must be two numbers [low, high]") from None
    if not low < high:
        raise InvalidInputError(f"{path.name}: {what} {[low, high]}: low must be below high")
    return low, high


def _datum(raw: Any, path: Path) -> ContrastDatum:
    if not isinstance(raw, Mapping) or set(raw) - _DATUM_KEYS:
        raise InvalidInputError(f"{path.name}: a datum must be a mapping with keys from "
                                f"{', '.join(sorted(_DATUM_KEYS))}")
    missing = sorted(_DATUM_KEYS - set(raw))
    if missing:
        raise InvalidInputError(f"{path.name}: datum {raw.get('record')!r} lacks "
                                f"{', '.join(missing)}")
    if raw["use"] not in _USES:
        raise _refuse(path, f"datum {raw['record']}: use {raw['use']!r} (only fit or validate)")
    d = ContrastDatum(str(raw["record"]), str(raw["use"]), str(raw["outcome"]),
                      float(raw["value"]), _pair(raw["ci95"], path, f"{raw['record']} ci95"),
                      str(raw["unit"]), str(raw["citation"]))
    if not d.ci95[0] <= d.value <= d.ci95[1]:
        raise InvalidInputError(f"{path.name}: {d.record}: value {d.value:g} outside its CI")
    return d


def _check_against_record(d: ContrastDatum, records: dict[str, Any], path: Path) -> None:
    """The datum must be the magnitudes file's record, number for number."""
    rec = records.get(d.record)
    if rec is None:
        raise InvalidInputError(f"{path.name}: {d.record} is not a record of the magnitudes file")
    eff, cit = rec["effect"], rec["citation"]
    if (eff["value"] != d.value or list(eff["ci95"]) != list(d.ci95)
            or rec["outcome"] != d.outcome or rec["use"] != d.use):
        raise InvalidInputError(f"{path.name}: {d.record} differs from the magnitudes file "
                                f"(value, ci95, outcome or use)")
    for part in (str(cit["first_author"]), str(cit["year"]), str(cit.get("pmid", ""))):
        if part not in d.citation:
            raise InvalidInputError(f"{path.name}: {d.record}: citation {d.citation!r} does not "
                                    f"name {part!r} (the magnitudes file's citation)")


def load_contrast(path: str | Path) -> ContrastStudy:
    """Read and check a contrast file.

    Raises
    ------
    UnsupportedContrastError
        For a construct the code cannot evaluate exactly (another schema, more than one
        parameter, a log-scale parameter with a bound <= 0, ...).
    InvalidInputError
        For a malformed file or a datum that disagrees with the magnitudes file it cites.
    """
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInputError(f"{p}: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, Mapping) or "contrast" not in raw:
        raise InvalidInputError(f"{p.name}: not a contrast file (no top-level 'contrast' key)")
    if raw["contrast"] != 1:
        raise _refuse(p, f"contrast schema {raw['contrast']!r} (only 1)")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise _refuse(p, f"unknown key(s) {', '.join(unknown)}")
    missing = sorted(_KEYS - {"magnitudes"} - set(raw))
    if missing:
        raise InvalidInputError(f"{p.name}: lacks {', '.join(missing)}")
    par, rd = raw["parameter"], raw["readout"]
    if not isinstance(par, Mapping):
        raise _refuse(p, "parameter must be one mapping (a contrast file fits one parameter)")
    if not isinstance(rd, Mapping) or set(rd) != {"variable", "factor", "day"}:
        raise _refuse(p, "readout must be {variable, factor, day} (factor * variable at a day)")
    species = raw["species"]
    if not isinstance(species, Mapping) or not species:
        raise InvalidInputError(f"{p.name}: species must map each species to its weight")
    weights = {str(k): float(v) for k, v in species.items()}
    if any(w <= 0 for w in weights.values()) or not math.isclose(sum(weights.values()), 1.0):
        raise _refuse(p, f"species weights {weights} must be positive and sum to 1")
    bounds = _pair(par.get("bounds"), p, "parameter bounds")
    scale = str(par.get("scale", "lin"))
    if scale not in ("lin", "log"):
        raise _refuse(p, f"parameter scale {scale!r} (only lin or log)")
    if scale == "log" and bounds[0] <= 0:
        raise _refuse(p, "a log-scale parameter needs positive bounds")
    nominal = float(par["nominal"])
    if not bounds[0] <= nominal <= bounds[1]:
        raise InvalidInputError(f"{p.name}: nominal {nominal:g} outside the bounds {bounds}")
    data = tuple(_datum(d, p) for d in raw["data"] or ())
    if not any(d.use == "fit" for d in data):
        raise _refuse(p, "no datum with use: fit")
    if raw.get("magnitudes") is not None:
        mag = (p.parent / str(raw["magnitudes"])).resolve()
        try:
            recs = {r["id"]: r for r in yaml.safe_load(mag.read_text(encoding="utf-8"))["records"]}
        except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
            raise InvalidInputError(f"{p.name}: magnitudes file {mag}: {exc}") from None
        for d in data:
            _check_against_record(d, recs, p)
    day = float(rd["day"])
    if day <= 0:
        raise InvalidInputError(f"{p.name}: readout day must be positive")
    return ContrastStudy(p, str(raw["problem"]), str(raw["scenario"]),
                         tuple(str(x) for x in raw["treated"]),
                         tuple(str(x) for x in raw["control"]), weights, str(rd["variable"]),
                         float(rd["factor"]), day, str(par["name"]), nominal, bounds, scale, data)


@dataclass(frozen=True)
class Arms:
    """One species' read-out in both arms at one parameter value."""

    species: str
    weight: float
    treated: float
    control: float

    @property
    def difference(self) -> float:
        return self.treated - self.control

    def to_dict(self) -> dict[str, float | str]:
        return {"species": self.species, "weight": self.weight, "treated": self.treated,
                "control": self.control, "difference": self.difference}


class ContrastModel:
    """The study's models (two arms per species) and its model quantity."""

    def __init__(self, study: ContrastStudy) -> None:
        from exobone.model.assemble import build_model

        self.study = study
        self.simulations = 0
        self.arms = {s: (build_model(study.scenario, list(study.treated), species=s),
                         build_model(study.scenario, list(study.control), species=s))
                     for s in study.species}
        for s, (treated, _) in self.arms.items():
            if study.parameter not in {q.name for q in treated.parameters}:
                raise _refuse(study.path, f"the {s} treated arm has no parameter "
                                          f"{study.parameter!r}")

    def _read(self, spec: Any, value: float | None) -> float:
        from exobone.simulate import SaveAt, simulate

        names = {q.name for q in spec.parameters}
        # the same value in both arms (an arm without the parameter does not depend on it);
        # None: the value the model was built with (its shipped, possibly fitted, value)
        params = ({} if value is None or self.study.parameter not in names
                  else {self.study.parameter: value})
        self.simulations += 1
        tr = simulate(spec, (0.0, self.study.day), params=params,
                      saveat=SaveAt([0.0, self.study.day]))
        try:
            series = tr[self.study.variable]
        except KeyError:
            raise _refuse(self.study.path, f"the model has no variable "
                                           f"{self.study.variable!r} to read") from None
        return self.study.factor * float(series[-1])

    def parts(self, value: float | None = None) -> list[Arms]:
        """Both arms of every species at ``value`` of the parameter (None: as built)."""
        return [Arms(s, self.study.species[s], self._read(t, value), self._read(c, value))
                for s, (t, c) in self.arms.items()]

    def __call__(self, value: float | None = None) -> float:
        """The pooled difference: the species' differences weighted."""
        return float(sum(a.weight * a.difference for a in self.parts(value)))

    def nllh(self, value: float) -> float:
        m = self(value)
        return float(sum(d.nllh(m) for d in self.study.fit_data))

    def built_value(self) -> dict[str, float]:
        """The parameter's value in each species' treated model as built."""
        return {s: t.require_parameter(self.study.parameter).value
                for s, (t, _) in self.arms.items()}


def evaluate_contrast(study: ContrastStudy, value: float | None = None) -> dict[str, float]:
    """The log-likelihood of the fitted data at ``value`` (default: the file's nominal).

    Same keys as :func:`exobone.analysis.calibrate.evaluate`; no prior (log-prior 0).
    """
    nllh = ContrastModel(study).nllh(study.nominal if value is None else value)
    return {"llh": -nllh, "nllh": nllh, "log_prior": 0.0, "objective": nllh}


@dataclass
class ContrastFit:
    """The estimate, its profile interval and the arms at the estimate."""

    study: ContrastStudy
    estimate: float
    interval: tuple[float, float]
    level: float
    nllh: float
    at_bounds: list[str]
    arms: list[Arms]
    simulations: int
    date: str = field(default_factory=lambda: datetime.date.today().isoformat())

    @property
    def model_value(self) -> float:
        return float(sum(a.weight * a.difference for a in self.arms))

    def checks(self) -> list[dict[str, Any]]:
        """Every datum (fitted and held out) against the model quantity at the estimate."""
        m = self.model_value
        return [{"record": d.record, "use": d.use, "outcome": d.outcome, "value": d.value,
                 "ci95": list(d.ci95), "model": m, "inside_ci": d.inside(m)}
                for d in self.study.data]

    def fitted_values(self) -> list[Any]:
        """One fitted value per pooled species (the parameter is shared)."""
        from exobone.model.fitted import FittedValue

        s = self.study
        return [FittedValue(s.parameter, sp, self.estimate, self.interval, self.level,
                            "profile", s.scale, s.bounds, s.problem,
                            tuple(d.record for d in s.fit_data), self.nllh, self.date)
                for sp in s.species]

    def to_dict(self) -> dict[str, Any]:
        s = self.study
        return {"problem": s.problem, "file": str(s.path), "kind": "contrast",
                "scenario": s.scenario, "treated": list(s.treated), "control": list(s.control),
                "readout": s.readout_text(),
                "estimates": {s.parameter: self.estimate},
                "intervals": {s.parameter: list(self.interval)},
                "scales": {s.parameter: s.scale}, "bounds": {s.parameter: list(s.bounds)},
                "at_bounds": list(self.at_bounds), "llh": -self.nllh, "nllh": self.nllh,
                "log_prior": 0.0, "cost": self.nllh, "ci_method": "profile",
                "level": self.level, "n_data": len(s.fit_data),
                "model_value": self.model_value, "arms": [a.to_dict() for a in self.arms],
                "data": self.checks(), "simulations": self.simulations}


def calibrate_contrast(study: ContrastStudy, *, level: float = 0.95) -> ContrastFit:
    """Fit the study's parameter to its ``use: fit`` data; profile-likelihood interval.

    Deterministic (a grid and Brent's methods): no starts, no seed.
    """
    if not 0 < level < 1:
        raise InvalidInputError(f"level must be in (0, 1), got {level}")
    model = ContrastModel(study)
    lo, hi = study.bounds
    grid = np.geomspace(lo, hi, GRID) if lo > 0 else np.linspace(lo, hi, GRID)
    costs = [model.nllh(float(g)) for g in grid]
    i = int(np.argmin(costs))
    bracket = (float(grid[max(i - 1, 0)]), float(grid[min(i + 1, GRID - 1)]))
    res = minimize_scalar(model.nllh, bounds=bracket, method="bounded",
                          options={"xatol": 1e-7 * (hi - lo)})
    est, best = (float(res.x), float(res.fun)) if res.fun <= costs[i] else (float(grid[i]),
                                                                            costs[i])
    threshold = best + 0.5 * float(chi2.ppf(level, 1))
    at_bounds = []

    def end(outward: list[float], bound: float, side: str) -> float:
        inner = est
        for g in outward:  # the first grid point beyond the threshold brackets the crossing
            if model.nllh(g) > threshold:
                return float(brentq(lambda x: model.nllh(x) - threshold, min(g, inner),
                                    max(g, inner), xtol=1e-9 * (hi - lo)))
            inner = g
        at_bounds.append(f"{side} end of the interval at the bound {bound:g}")
        return bound

    points = {float(g) for g in grid} | {lo, hi}  # the bounds are searched too
    below = sorted((g for g in points if g < est), reverse=True)
    above = sorted(g for g in points if g > est)
    low, high = end(below, lo, "low"), end(above, hi, "high")
    if math.isclose(est, lo) or math.isclose(est, hi):
        at_bounds.append(f"estimate on its bound ({est:g})")
    return ContrastFit(study, est, (low, high), level, best, at_bounds, model.parts(est),
                       model.simulations)
