"""Virtual cohorts: a scenario with interventions over parameter uncertainty, against control.

:func:`sample_parameters` draws parameter vectors (every parameter scaled by a uniform factor
in ``[1 - spread, 1 + spread]``, or named parameters from priors); :func:`run_cohort` runs the
treated and the untreated arm with *the same draws* (paired members) through
:func:`exobone.simulate.ensemble.run_ensemble` and summarises each outcome over time as the
median and the 5-95 % band of the members that succeeded, and the treated-minus-control effect.
The summary at the end of the run is a :class:`~exobone.analysis.readouts.Readout` of each
member (default: its mean over the last 28 days, sampled daily; the save grid gains those days),
then quantiles over members, so a table read one day after a dose does not report the pulse.
Failed members are counted and listed, never dropped silently.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from exobone.analysis.readouts import Readout, dose_days, dose_half_life, transient_warnings
from exobone.errors import InvalidInputError, unknown_name

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec
    from exobone.simulate.ensemble import EnsembleResult, Progress

FloatArray = npt.NDArray[np.float64]

__all__ = ["MAX_COHORT_BYTES", "CohortResult", "Prior", "check_cohort", "cohort_bytes",
           "load_priors", "run_cohort", "sample_parameters"]

#: quantiles reported for every outcome
QUANTILES = (0.05, 0.5, 0.95)
#: outcomes summarised by default
COHORT_OUTCOMES = ("bv_tv", "osteoblasts", "osteoclasts", "bmsc", "ctx", "p1np")
_DISTRIBUTIONS = ("uniform", "loguniform", "normal", "lognormal")
#: largest cohort accepted, in bytes of its main arrays (assumption: 8 GiB, what a laptop or a
#: CI runner can spare; a larger study runs as several cohorts with different seeds)
MAX_COHORT_BYTES = 8 * 2**30


def cohort_bytes(n: int, points: int, outputs: int, parameters: int) -> int:
    """Bytes of a cohort's main float64 arrays: the draws and one arm's parameter matrix
    (``n x parameters`` each) and both arms' outputs (``n x points x outputs`` each), which
    are held in memory or, with ``out``, written to disk."""
    return 8 * n * (2 * parameters + 2 * points * outputs)


@dataclass(frozen=True)
class Prior:
    """A prior on one parameter.

    ``uniform``/``loguniform`` use ``low`` and ``high``; ``normal`` uses ``mean`` and ``sd``;
    ``lognormal`` uses ``mean`` (the median) and ``sd`` (of the natural log).
    """

    name: str
    distribution: str
    low: float = math.nan
    high: float = math.nan
    mean: float = math.nan
    sd: float = math.nan

    def __post_init__(self) -> None:
        if self.distribution not in _DISTRIBUTIONS:
            raise unknown_name("prior distribution", self.distribution, _DISTRIBUTIONS)
        if self.distribution in ("uniform", "loguniform"):
            if not (self.low < self.high) or (self.distribution == "loguniform"
                                              and not self.low > 0):
                raise InvalidInputError(f"prior of {self.name!r}: need 0 < low < high for "
                                        f"loguniform, low < high for uniform; got "
                                        f"low={self.low}, high={self.high}")
        elif not (self.sd > 0 and math.isfinite(self.mean)):
            raise InvalidInputError(f"prior of {self.name!r}: need a finite mean and sd > 0")

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """Draw ``n`` values."""
        if self.distribution == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.distribution == "loguniform":
            return np.exp(rng.uniform(math.log(self.low), math.log(self.high), n))
        if self.distribution == "normal":
            return rng.normal(self.mean, self.sd, n)
        return self.mean * np.exp(rng.normal(0.0, self.sd, n))


def load_priors(path: str | Path) -> list[Prior]:
    """Read priors from YAML or JSON: ``{parameter: {distribution: ..., low: ..., ...}}``.

    Raises
    ------
    InvalidInputError
        If the file cannot be read or an entry is malformed.
    """
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInputError(f"cannot read priors from {path}: {reason}") from exc
    except yaml.YAMLError as exc:  # yaml's own text spans lines: say where, in one
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InvalidInputError(f"{path}{where} is not valid YAML ({problem}); give "
                                f"parameter -> {{distribution, low, high | mean, sd}} as in "
                                f"examples/cohort_priors.yaml") from exc
    if isinstance(data, Mapping) and "parameters" in data:
        data = data["parameters"]
    if not isinstance(data, Mapping) or not data:
        raise InvalidInputError(f"{path}: expected a mapping parameter -> "
                                f"{{distribution, low, high | mean, sd}}")
    priors = []
    for name, entry in data.items():
        if not isinstance(entry, Mapping):
            raise InvalidInputError(f"{path}: prior of {name!r} must be a mapping")
        extra = set(entry) - {"distribution", "low", "high", "mean", "sd"}
        if extra:
            raise InvalidInputError(f"{path}: prior of {name!r} has unknown keys {sorted(extra)}")
        values = {}
        for key, value in entry.items():
            if key == "distribution":
                continue
            try:
                values[key] = float(value)
            except (TypeError, ValueError):
                raise InvalidInputError(f"{path}: prior of {name!r}: {key} must be a number, "
                                        f"got {value!r}") from None
        priors.append(Prior(str(name), str(entry.get("distribution", "uniform")), **values))
    return priors


def sample_parameters(model: ModelSpec, n: int, *, spread: float | None = 0.2,
                      priors: Sequence[Prior] = (),
                      rng: np.random.Generator | int | None = None) -> FloatArray:
    """Draw ``n`` full parameter vectors of ``model``.

    Parameters
    ----------
    model
        Gives the nominal values (and order) of the parameters.
    n
        Number of members.
    spread
        Every parameter not covered by ``priors`` is multiplied by a factor uniform in
        ``[1 - spread, 1 + spread]`` (clipped to its bounds); ``None`` or 0 keeps them nominal.
    priors
        Draws for named parameters (override the spread).
    rng
        Seed or generator (``np.random.default_rng(rng)`` is called once).

    Returns
    -------
    ndarray
        Shape ``(n, n_parameters)``.
    """
    from exobone.simulate.compile import compile_model

    if n < 1:
        raise InvalidInputError(f"n must be at least 1, got {n}")
    if spread is not None and not (0 <= spread < 1):
        raise InvalidInputError(f"spread must be in [0, 1), got {spread}")
    gen = np.random.default_rng(rng)
    cm = compile_model(model)
    base = cm.parameter_vector(model)
    P = np.tile(base, (n, 1))
    if spread:
        P *= gen.uniform(1 - spread, 1 + spread, size=P.shape)
        bounds = [model.require_parameter(p).bounds or (-np.inf, np.inf) for p in cm.parameters]
        lo = np.array([b[0] for b in bounds], dtype=float)
        hi = np.array([b[1] for b in bounds], dtype=float)
        np.clip(P, np.where(np.isfinite(lo), lo, -np.inf), np.where(np.isfinite(hi), hi, np.inf),
                out=P)
    for prior in priors:
        P[:, cm.parameter_index(prior.name)] = prior.sample(gen, n)
    return P


def _map_columns(src_names: Sequence[str], src: FloatArray, model: ModelSpec) -> FloatArray:
    """Parameter matrix for ``model`` from draws over ``src_names`` (others nominal)."""
    from exobone.simulate.compile import compile_model

    cm = compile_model(model)
    P = np.tile(cm.parameter_vector(model), (src.shape[0], 1))
    index = {name: j for j, name in enumerate(src_names)}
    for j, name in enumerate(cm.parameters):
        if name in index:
            P[:, j] = src[:, index[name]]
    return P


@dataclass(frozen=True)
class CohortResult:
    """Summary of a virtual cohort.

    Attributes
    ----------
    bands, control_bands, effect_bands
        ``{outcome: array (3, n_times)}``: 5 %, 50 % and 95 % quantiles over the members that
        succeeded in the treated arm, the control arm, and of the paired difference.
    readout, summary
        The read-out at the end of the run and ``{outcome: {"treated"|"control"|"effect":
        [5 %, 50 %, 95 %]}}`` of the members' read-outs (effect: of the paired differences).
    warnings
        One-line warnings (a read-out inside a dose's transient).
    status_counts
        ``{arm: {status name: count}}``.
    failures
        First failed members: ``{"arm", "member", "message"}``.
    """

    scenario: str
    interventions: tuple[str, ...]
    times: FloatArray
    n: int
    seed: int | None
    bands: dict[str, FloatArray]
    control_bands: dict[str, FloatArray]
    effect_bands: dict[str, FloatArray]
    status_counts: dict[str, dict[str, int]]
    failures: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    readout: Readout | None = None
    summary: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        def arr(a: FloatArray) -> list[list[float | None]]:
            return [[float(v) if math.isfinite(v) else None for v in row] for row in a.tolist()]
        return {
            "scenario": self.scenario, "interventions": list(self.interventions),
            "n": self.n, "seed": self.seed, "quantiles": list(QUANTILES),
            "times": self.times.tolist(),
            "treated": {k: arr(v) for k, v in self.bands.items()},
            "control": {k: arr(v) for k, v in self.control_bands.items()},
            "effect": {k: arr(v) for k, v in self.effect_bands.items()},
            "status": self.status_counts, "failures": self.failures,
            "provenance": self.provenance,
            "readout": None if self.readout is None else self.readout.to_dict(),
            "summary": {k: {arm: [float(x) if math.isfinite(x) else None for x in q]
                            for arm, q in v.items()} for k, v in self.summary.items()},
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        """Return :meth:`to_dict` as compact JSON."""
        return json.dumps(self.to_dict(), separators=(",", ":"))


def _quantiles(values: FloatArray, mask: npt.NDArray[np.bool_]) -> FloatArray:
    if not mask.any():
        return np.full((len(QUANTILES), values.shape[1]), np.nan)
    return np.quantile(values[mask], QUANTILES, axis=0)


def run_cohort(scenario: str, interventions: Sequence[str] = (), *, n: int = 200,
               spread: float | None = 0.2, priors: Sequence[Prior] = (),
               rng: np.random.Generator | int | None = None, days: float = 365.0,
               points: int = 53, outcomes: Sequence[str] = COHORT_OUTCOMES,
               species: str | None = None, backend: str = "auto",
               chunk_size: int = 1000, out: str | Path | None = None,
               scheduler: str | Any | None = None, resume: bool = False,
               progress: Progress | None = None, readout: str = "mean",
               window: float | None = None, times: Sequence[float] = (),
               site: str | None = None) -> CohortResult:
    """Run a virtual cohort of ``scenario`` with ``interventions`` against its control.

    Parameters
    ----------
    scenario, interventions, species, site
        As for :func:`exobone.model.assemble.build_model`.
    n, spread, priors, rng
        Cohort size and parameter uncertainty (see :func:`sample_parameters`); both arms use
        the same draws of the parameters they share.
    days, points
        Length of the run and number of save times.
    outcomes
        Outcomes to summarise (those the model lacks are skipped).
    readout, window
        The summary reads each outcome over the ``window`` days ending at ``days`` as its
        ``readout`` (mean, trough or auc; see :class:`~exobone.analysis.readouts.Readout`).
    times
        Extra save times (e.g. the days of a table), added to the grid.
    backend, chunk_size, out, scheduler, resume, progress
        Passed to :func:`~exobone.simulate.ensemble.run_ensemble`; with ``out`` each arm
        streams to ``out/treated`` and ``out/control``.

    Returns
    -------
    CohortResult

    Examples
    --------
    >>> res = run_cohort("ovx", ["denosumab,start=28"], n=8, rng=1, days=90)  # doctest: +SKIP
    >>> res.bands["bv_tv"].shape  # 53 save times and the daily days 62-90 of the read-out
    (3, 81)
    """
    from exobone.model.assemble import build_model
    from exobone.model.scenarios import require_scenario
    from exobone.simulate.compile import compile_model
    from exobone.simulate.ensemble import run_ensemble
    from exobone.simulate.solve import SaveAt

    extra = np.asarray(times, dtype=float)
    if extra.size and (extra.min() < 0 or extra.max() > days):
        raise InvalidInputError(f"cohort save times must lie in [0, {days:g}]")
    times = check_cohort(interventions, n=n, days=days, points=points, outcomes=outcomes)
    read = Readout("*", float(days), readout, window)
    times = np.union1d(np.union1d(times, read.times()), extra)
    in_window = np.searchsorted(times, read.times())
    scen = require_scenario(scenario)
    species = scen.resolve_species(species)
    seed = rng if isinstance(rng, int) else None
    treated = build_model(scen.name, list(interventions), species=species, site=site)
    control = build_model(scen.name, (), species=species, site=site)
    cm_c = compile_model(control)
    names_c = [o for o in outcomes if o in cm_c.states or o in cm_c.assignments]
    if not names_c:
        raise InvalidInputError(f"none of the outcomes {list(outcomes)} is in the model")
    n_params = max(len(cm_c.parameters), len(compile_model(treated).parameters))  # cached
    if cohort_bytes(n, times.size, len(names_c), n_params) > MAX_COHORT_BYTES:
        raise _too_big(n, times.size, len(names_c), n_params)
    # a prior on a parameter only the treated arm has (an exosome dose's magnitude) is drawn
    # after the shared ones, from the same generator, and set in the treated arm only
    cm_t = compile_model(treated)
    treated_only = [p for p in priors if p.name not in cm_c.parameters]
    for p in treated_only:
        cm_t.parameter_index(p.name)  # an unknown name is refused
    gen = np.random.default_rng(rng)
    draws = sample_parameters(control, n, spread=spread, rng=gen,
                              priors=[p for p in priors if p.name in cm_c.parameters])
    own = {p.name: p.sample(gen, n) for p in treated_only}
    arms: dict[str, EnsembleResult] = {}
    total = [0, 0]

    def arm_progress(k: int) -> Progress | None:
        if progress is None:
            return None

        def report(done: int, all_: int) -> None:
            total[k] = done
            progress(total[0] + total[1], 2 * math.ceil(n / chunk_size))
        return report

    for k, (arm, model) in enumerate((("treated", treated), ("control", control))):
        P = _map_columns(cm_c.parameters, draws, model)
        if arm == "treated":
            for name, values in own.items():
                P[:, cm_t.parameter_index(name)] = values
        arms[arm] = run_ensemble(
            model, P, backend=backend, saveat=SaveAt(times=times), outputs=names_c,
            chunk_size=chunk_size, out=None if out is None else Path(out) / arm, rng=rng,
            scheduler=scheduler, resume=resume, progress=arm_progress(k))
    ok_t, ok_c = arms["treated"].ok, arms["control"].ok
    bands, cbands, ebands = {}, {}, {}
    summary: dict[str, dict[str, list[float]]] = {}
    for name in names_c:
        vt = arms["treated"].values(name)
        vc = arms["control"].values(name)
        bands[name] = _quantiles(vt, ok_t)
        cbands[name] = _quantiles(vc, ok_c)
        ebands[name] = _quantiles(vt - vc, ok_t & ok_c)
        rt, rc = read.reduce(vt[:, in_window]), read.reduce(vc[:, in_window])
        summary[name] = {arm: _member_quantiles(r, ok).tolist() for arm, r, ok in
                         (("treated", rt, ok_t), ("control", rc, ok_c),
                          ("effect", rt - rc, ok_t & ok_c))}
        del vt, vc
    from exobone.simulate.backends import STATUS_NAMES

    counts = {arm: {STATUS_NAMES[s].lower(): int(c) for s, c in
                    enumerate(np.bincount(r.status.astype(np.int64),
                                          minlength=len(STATUS_NAMES))) if c}
              for arm, r in arms.items()}
    failures = [{"arm": arm, "member": int(i), "message": r.messages[i]}
                for arm, r in arms.items() for i in np.flatnonzero(r.status)[:10]]
    prov = {arm: {k: v for k, v in r.provenance.items() if k != "times"}
            for arm, r in arms.items()}
    doses = dose_days(treated)
    warnings = (transient_warnings(Readout("outcomes", read.day, read.kind, read.span),
                                   doses, dose_half_life(treated)) if doses else [])
    resolved = tuple(treated.metadata.get("interventions", interventions))  # route written out
    return CohortResult(scen.name, resolved, times, n, seed, bands, cbands, ebands,
                        counts, failures, prov, read, summary, tuple(warnings))


def _member_quantiles(values: FloatArray, mask: npt.NDArray[np.bool_]) -> FloatArray:
    if not mask.any():
        return np.full(len(QUANTILES), np.nan)
    return np.asarray(np.quantile(values[mask], QUANTILES), dtype=float)


def check_cohort(interventions: Sequence[str] = (), *, n: int, days: float, points: int,
                 outcomes: Sequence[str] = COHORT_OUTCOMES) -> FloatArray:
    """Check a cohort's sizes and dosing before any model is built; return its save times.

    Raises
    ------
    InvalidInputError
        For ``n < 1``, a bad ``days``/``points``, too many doses, or outputs over
        :data:`MAX_COHORT_BYTES` (counted without the parameters, which need the model).
    """
    from exobone.simulate.scenarios import check_dosing, time_grid

    if not 1 <= n:
        raise InvalidInputError(f"n must be at least 1, got {n}")
    times = time_grid(float(days), points=points)
    check_dosing(interventions, float(days))
    if cohort_bytes(n, times.size, len(outcomes), 0) > MAX_COHORT_BYTES:
        raise _too_big(n, times.size, len(outcomes), 0)
    return times


def _too_big(n: int, points: int, outputs: int, parameters: int) -> InvalidInputError:
    need = cohort_bytes(n, points, outputs, parameters)
    params = f", {parameters} parameters" if parameters else ""
    return InvalidInputError(
        f"a cohort of {n:,} members x {points:,} save times x {outputs} outcomes (2 arms"
        f"{params}) needs about {need / 2**30:,.3g} GiB; the limit is "
        f"{MAX_COHORT_BYTES / 2**30:g} GiB: use a smaller --n or --points")

