"""Fitted parameter values: the write-back of ``exobone calibrate`` that the model builder applies.

``fitted_values.yaml`` (beside this module, shipped with the package) lists, per species, the
values estimated from the PEtab problems of ``data/calibration/petab`` with their interval,
problem, data sets, objective and date. :func:`apply_fitted` sets them on a model being built
(source :class:`~exobone.model.parameters.Fitted`); :func:`write_fitted` replaces the entries of
one problem; :func:`parameter_sources` says which parameters of a model are fitted, cited or
assumed.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from exobone.errors import InvalidInputError
from exobone.model.exosomes.magnitudes import magnitude_basis
from exobone.model.parameters import Assumed, Fitted, Reference

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder
    from exobone.model.spec import ModelSpec

__all__ = ["FITTED_PATH", "FittedValue", "apply_fitted", "load_fitted", "parameter_sources",
           "write_fitted"]

#: the shipped write-back file
FITTED_PATH = Path(__file__).with_name("fitted_values.yaml")
_KEYS = ("parameter", "species", "estimate", "interval", "level", "method", "scale", "bounds",
         "problem", "datasets", "objective", "date", "seed")


@dataclass(frozen=True)
class FittedValue:
    """One fitted parameter of one species (an entry of ``fitted_values.yaml``)."""

    parameter: str
    species: str
    estimate: float
    interval: tuple[float, float]
    level: float
    method: str
    scale: str
    bounds: tuple[float, float]
    problem: str
    datasets: tuple[str, ...]
    objective: float
    date: str
    seed: int | None = None

    @property
    def source(self) -> Fitted:
        return Fitted(self.problem, self.datasets, self.interval, level=self.level,
                      method=self.method, scale=self.scale, date=self.date,
                      objective=self.objective)

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in _KEYS}
        for k in ("interval", "bounds", "datasets"):
            out[k] = list(out[k])
        return out


def _entry(raw: Any, where: str) -> FittedValue:
    if not isinstance(raw, Mapping) or set(raw) - set(_KEYS):
        raise InvalidInputError(f"{where}: an entry must be a mapping with keys from "
                                f"{', '.join(_KEYS)}")
    missing = [k for k in _KEYS if k not in raw and k != "seed"]
    if missing:
        raise InvalidInputError(f"{where}: entry {raw.get('parameter')!r} lacks "
                                f"{', '.join(missing)}")
    try:
        return FittedValue(
            str(raw["parameter"]), str(raw["species"]), float(raw["estimate"]),
            (float(raw["interval"][0]), float(raw["interval"][1])), float(raw["level"]),
            str(raw["method"]), str(raw["scale"]),
            (float(raw["bounds"][0]), float(raw["bounds"][1])), str(raw["problem"]),
            tuple(str(d) for d in raw["datasets"]),
            math.nan if raw["objective"] is None else float(raw["objective"]), str(raw["date"]),
            None if raw.get("seed") is None else int(raw["seed"]))
    except (TypeError, ValueError, IndexError) as exc:
        raise InvalidInputError(f"{where}: entry {raw.get('parameter')!r}: {exc}") from None


def load_fitted(path: str | Path | None = None) -> list[FittedValue]:
    """Read the fitted values (default: the shipped file; an absent file has none).

    Raises
    ------
    InvalidInputError
        For a malformed file or a (parameter, species) pair listed twice.
    """
    p = Path(path) if path is not None else FITTED_PATH
    if not p.is_file():
        return []
    return list(_parse(p.name, p.read_text(encoding="utf-8")))


@functools.lru_cache(maxsize=8)
def _parse(name: str, text: str) -> tuple[FittedValue, ...]:
    """The entries of a file's text (cached: every model build reads the file)."""
    p = Path(name)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"{p.name} is not YAML: {str(exc).splitlines()[0]}") from None
    out = [_entry(e, p.name) for e in data.get("fitted") or []]
    seen: set[tuple[str, str]] = set()
    for v in out:
        if (v.parameter, v.species) in seen:
            raise InvalidInputError(f"{p.name}: {v.parameter!r} for {v.species} is listed twice")
        seen.add((v.parameter, v.species))
    return tuple(out)


def write_fitted(values: Iterable[FittedValue], path: str | Path | None = None) -> Path:
    """Replace the entries of the problems of ``values`` in the file; keep all others."""
    p = Path(path) if path is not None else FITTED_PATH
    new = list(values)
    problems = {v.problem for v in new}
    keys = {(v.parameter, v.species) for v in new}
    kept = [v for v in load_fitted(p) if v.problem not in problems
            and (v.parameter, v.species) not in keys]
    entries = sorted(kept + new, key=lambda v: (v.species, v.parameter))
    header = ("# Fitted parameter values, written by `exobone calibrate --write-fitted` "
              "(benchmarks/calibrate_core.py).\n# The model builder applies each entry to its "
              "species (source kind 'fitted'); do not edit by hand.\n")
    text = yaml.safe_dump({"fitted": [v.to_dict() for v in entries]}, sort_keys=False,
                          allow_unicode=True)
    p.write_text(header + text, encoding="utf-8")
    return p


def apply_fitted(builder: ModelBuilder, species: str, *, values: Iterable[FittedValue] | None
                 = None) -> list[str]:
    """Set the fitted values of ``species`` on the builder's parameters that exist and are not
    fitted yet; return their names (a layer adding a parameter later gets it on a later call).
    """
    done = []
    for v in load_fitted() if values is None else values:
        if v.species != species or v.parameter not in builder.parameter_names:
            continue
        old = builder.require_parameter(v.parameter)
        if isinstance(old.source, Fitted):
            continue
        builder.set_parameter(v.parameter, v.estimate, source=v.source)
        done.append(v.parameter)
    return done


def source_kind(source: Any) -> str:
    """``"fitted"``, ``"cited"`` or ``"assumed"``."""
    if isinstance(source, Fitted):
        return "fitted"
    if isinstance(source, Reference):
        return "cited"
    if isinstance(source, Assumed):
        return "assumed"
    raise InvalidInputError(f"unknown parameter source {type(source).__name__}")


def parameter_sources(spec: ModelSpec) -> dict[str, Any]:
    """``{"counts": {kind: n}, "fitted": [...], "cited": [...], "assumed": [...],
    "exosome_magnitudes": line or None}`` of a model.

    ``exosome_magnitudes`` says, for a model with exosome doses, which dosed families' effect
    sizes are fitted and which assumed (issue 13: outputs flag results that rest on assumed
    magnitudes; :func:`exobone.model.exosomes.magnitudes.magnitude_basis`)."""
    out: dict[str, Any] = {"fitted": [], "cited": [], "assumed": []}
    for p in spec.parameters:
        out[source_kind(p.source)].append(p.name)
    out["counts"] = {k: len(out[k]) for k in ("fitted", "cited", "assumed")}
    out["exosome_magnitudes"] = magnitude_basis(spec).line()
    return out
