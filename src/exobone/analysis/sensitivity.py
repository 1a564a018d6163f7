"""Global sensitivity analysis (Sobol, Morris) through SALib, ranked by parameter and mechanism.

:func:`sensitivity_indices` is the generic wrapper (a SALib problem and a vectorised function);
it is what the Ishigami known-answer test exercises. :func:`run_sensitivity` applies it to an
outcome of a scenario at a day: each parameter varies in ``nominal * [1 - spread, 1 + spread]``
(within its bounds), the model runs as an ensemble, and the indices are also summed per atlas
mechanism through :func:`parameter_mechanisms` (a parameter belongs to every mechanism of a term
or assignment whose expression names it).

References
----------
Herman J, Usher W (2017) SALib: an open-source Python library for sensitivity analysis.
JOSS 2(9):97. https://doi.org/10.21105/joss.00097
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from exobone.errors import InvalidInputError, unknown_name, warn
from exobone.simulate.scenarios import MAX_DAYS, check_dosing

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec
    from exobone.simulate.ensemble import Progress

FloatArray = npt.NDArray[np.float64]

__all__ = ["METHODS", "MIN_SOBOL_N", "SensitivityResult", "parameter_mechanisms",
           "parse_objective", "reliability_warnings", "run_sensitivity", "saltelli_sample",
           "sensitivity_indices"]

METHODS = ("sobol", "morris")
#: label for parameters that no atlas mechanism uses (the bone core)
NO_MECHANISM = "core (no atlas mechanism)"
#: largest parameter sample accepted (assumption: 8 GiB, as for cohorts; the outputs and the
#: chunked parameter matrices are smaller)
MAX_SAMPLE_BYTES = 8 * 2**30
#: smallest Sobol base sample whose indices are not flagged as unreliable. Measured on the
#: Ishigami function (exact indices known), 50 seeds per n: below 64 SALib's 95% bootstrap
#: intervals covered the exact S1/ST in 85-92% of cases and the median largest error was
#: 0.24-0.67; at 64, 97% and 0.13 (benchmarks/sobol_floor.py, docs/analysis.md). A floor for
#: meaningless numbers, not a target for precise ones: SALib's maintainers advise far more runs
#: (SALib issues #171, #599).
MIN_SOBOL_N = 64


@dataclass(frozen=True)
class SensitivityResult:
    """Indices per parameter (and per mechanism), largest first.

    For Sobol, ``first``/``total`` are S1 and ST with their confidence half-widths; for Morris,
    ``first`` is mu* (normalised to sum 1) and ``total`` is sigma (normalised the same way), with
    mu*'s confidence interval.
    """

    method: str
    names: tuple[str, ...]
    first: FloatArray
    first_conf: FloatArray
    total: FloatArray
    total_conf: FloatArray
    mechanisms: dict[str, float] = field(default_factory=dict)
    n_runs: int = 0
    n_failed: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    #: why these indices should not be trusted (too small a sample, noise wider than signal)
    warnings: tuple[str, ...] = ()

    def ranking(self) -> list[int]:
        """Indices of the parameters by decreasing total (Sobol) or mu* (Morris)."""
        key = self.total if self.method == "sobol" else self.first
        return [int(i) for i in np.argsort(-np.nan_to_num(key, nan=-np.inf))]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (parameters ranked)."""
        def f(x: float) -> float | None:
            return float(x) if np.isfinite(x) else None
        return {
            "method": self.method, "n_runs": self.n_runs, "n_failed": self.n_failed,
            **self.meta,
            "parameters": [{"name": self.names[i], "first": f(self.first[i]),
                            "first_conf": f(self.first_conf[i]), "total": f(self.total[i]),
                            "total_conf": f(self.total_conf[i])} for i in self.ranking()],
            "mechanisms": dict(sorted(self.mechanisms.items(), key=lambda kv: -kv[1])),
            "warnings": list(self.warnings),
        }


def sensitivity_indices(problem: dict[str, Any],
                        evaluate: Callable[[FloatArray], FloatArray], *,
                        method: str = "sobol", n: int = 256,
                        rng: np.random.Generator | int | None = None) -> SensitivityResult:
    """Sample ``problem``, evaluate, and analyse with SALib.

    Parameters
    ----------
    problem
        SALib problem: ``{"num_vars", "names", "bounds"}``.
    evaluate
        Maps samples ``(n_samples, num_vars)`` to outputs ``(n_samples,)``; NaN marks a failed
        run (replaced by the mean of the others, and counted).
    method
        ``"sobol"`` (Saltelli sampling, ``n * (num_vars + 2)`` runs) or ``"morris"``
        (``n`` trajectories, ``n * (num_vars + 1)`` runs).
    n
        Base sample size (a power of two for Sobol).
    rng
        Seed; an int or ``None`` (SALib takes an int seed, drawn once from the generator).

    Returns
    -------
    SensitivityResult
        With ``warnings`` (also written as one ``warning:`` line on stderr) when the indices
        cannot be trusted: see :func:`reliability_warnings`.
    """
    if method not in METHODS:
        raise unknown_name("sensitivity method", method, METHODS)
    if n < 2:
        raise InvalidInputError(f"n must be at least 2, got {n}")
    runs = n * (problem["num_vars"] + (2 if method == "sobol" else 1))
    if 8 * runs * problem["num_vars"] > MAX_SAMPLE_BYTES:
        raise InvalidInputError(
            f"{method} with n={n:,} over {problem['num_vars']} parameters is {runs:,} runs, "
            f"a sample of {8 * runs * problem['num_vars'] / 2**30:,.3g} GiB; the limit is "
            f"{MAX_SAMPLE_BYTES / 2**30:g} GiB: use a smaller --n or fewer --parameters")
    gen = np.random.default_rng(rng)
    seed = int(gen.integers(0, 2**31 - 1))
    if method == "sobol":
        from SALib.analyze import sobol as analyze  # type: ignore[import-untyped]

        X = saltelli_sample(problem, n, seed)
    else:
        from SALib.analyze import morris as analyze_m
        from SALib.sample import morris as sample_m

        X = sample_m.sample(problem, n, num_levels=4, seed=seed)
    Y = np.asarray(evaluate(X), dtype=float).reshape(-1)
    bad = ~np.isfinite(Y)
    n_failed = int(bad.sum())
    if n_failed == Y.size:
        raise InvalidInputError("every run failed; narrow the parameter ranges")
    if n_failed:
        Y = Y.copy()
        Y[bad] = float(np.mean(Y[~bad]))
    names = tuple(problem["names"])
    if method == "sobol":
        res = analyze.analyze(problem, Y, calc_second_order=False, seed=seed)
        out = SensitivityResult("sobol", names, np.asarray(res["S1"]),
                                np.asarray(res["S1_conf"]), np.asarray(res["ST"]),
                                np.asarray(res["ST_conf"]), n_runs=int(Y.size),
                                n_failed=n_failed)
    else:
        res = analyze_m.analyze(problem, X, Y, num_levels=4, seed=seed)
        mu = np.asarray(res["mu_star"], dtype=float)
        scale = float(mu.sum()) or 1.0
        out = SensitivityResult("morris", names, mu / scale,
                                np.asarray(res["mu_star_conf"], dtype=float) / scale,
                                np.asarray(res["sigma"], dtype=float) / scale,
                                np.full(mu.size, np.nan), n_runs=int(Y.size),
                                n_failed=n_failed)
    found = reliability_warnings(out, n)
    if found:
        warn("; ".join(found))
    return replace(out, warnings=found)


def saltelli_sample(problem: dict[str, Any], n: int, seed: int) -> FloatArray:
    """SALib's ``sample.sobol.sample(problem, n, calc_second_order=False, seed=seed)``, the
    same numbers in the same order, built with array operations.

    SALib fills the ``n * (k + 2)`` x ``k`` matrix one element at a time in Python: 11.5 s of a
    Sobol analysis over the model's 264 parameters at ``n=64`` (17,024 runs that took 17-31 s
    on the same loaded machine). Rows per base point ``i``: ``A_i``, then ``A_i`` with column
    ``j`` taken from ``B_i`` for each ``j``, then ``B_i``, where ``[A | B]`` is the scrambled
    Sobol sequence in ``2k`` dimensions. Parameter groups are not supported (nor used here).
    """
    from SALib.util import _check_groups, scale_samples  # type: ignore[import-untyped]
    from scipy.stats import qmc

    k = problem["num_vars"]
    if _check_groups(problem):  # SALib's own test (its analysis sets "groups" to the names)
        raise InvalidInputError("grouped Sobol samples are not supported")
    base = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random(n)
    a, b = base[:, :k], base[:, k:]
    rows = np.empty((n, k + 2, k))
    rows[:, 0] = a
    rows[:, 1:k + 1] = a[:, None, :]
    cols = np.arange(k)
    rows[:, 1 + cols, cols] = b
    rows[:, k + 1] = b
    out: FloatArray = scale_samples(rows.reshape(n * (k + 2), k), problem)
    return out


def reliability_warnings(res: SensitivityResult, n: int) -> tuple[str, ...]:
    """Say why indices cannot be trusted: a Sobol base sample below :data:`MIN_SOBOL_N`, or
    confidence half-widths wider than the indices (the widest 95% half-width of any index
    exceeds the largest index: Sobol ST, Morris mu*), i.e. sampling noise larger than the
    signal. The rules are explained in docs/analysis.md."""
    found: list[str] = []
    if res.method == "sobol" and n < MIN_SOBOL_N:
        found.append(f"n={n} is below {MIN_SOBOL_N}, the smallest Sobol base sample whose "
                     f"indices are meaningful (docs/analysis.md); use --n {MIN_SOBOL_N} or more")
    index = res.total if res.method == "sobol" else res.first
    halves = np.concatenate([res.first_conf, res.total_conf])
    if np.isfinite(halves).any() and np.isfinite(index).any():
        widest, largest = float(np.nanmax(halves)), float(np.nanmax(index))
        if widest > largest:
            found.append(f"the confidence intervals are wider than the indices (widest "
                         f"±{widest:.2g}, largest index {largest:.2g}): the indices cannot be "
                         f"told from sampling noise; use a larger --n (now {n})")
    return tuple(found)


def parameter_mechanisms(model: ModelSpec) -> dict[str, tuple[str, ...]]:
    """Map each parameter to the mechanism ids of the terms and assignments that name it."""
    from exobone.model.expressions import names_in

    params = {p.name for p in model.parameters}
    out: dict[str, set[str]] = {p: set() for p in params}
    for item, text in ([(t, t.rate) for t in model.terms]
                       + [(a, a.expr) for a in model.assignments]):
        if not item.mechanisms:
            continue
        for name in names_in(text) & params:
            out[name].update(item.mechanisms)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def parse_objective(text: str) -> tuple[str, float]:
    """Parse ``OUTCOME@DAY`` (e.g. ``bv_tv@180``)."""
    name, sep, day = text.partition("@")
    try:
        value = float(day)
    except ValueError:
        value = float("nan")
    if not sep or not name or not (value > 0 and np.isfinite(value)):
        raise InvalidInputError(f"expected OUTCOME@DAY such as bv_tv@180, got {text!r}")
    if value > MAX_DAYS:
        raise InvalidInputError(f"the day of {text!r} is past the longest run, day "
                                f"{MAX_DAYS:g}")
    return name.strip(), value


def run_sensitivity(scenario: str, interventions: Sequence[str] = (), *, outcome: str,
                    day: float, method: str = "sobol", n: int = 64,
                    parameters: Sequence[str] | None = None, spread: float = 0.5,
                    species: str | None = None, rng: np.random.Generator | int | None = None,
                    backend: str = "auto", chunk_size: int = 2000,
                    scheduler: str | Any | None = None,
                    progress: Progress | None = None,
                    site: str | None = None) -> SensitivityResult:
    """Sobol or Morris indices of ``outcome`` at ``day`` over the model's parameters.

    Parameters
    ----------
    parameters
        Parameters to vary (default: every parameter with a non-zero nominal value).
    spread
        Each parameter varies in ``nominal * [1 - spread, 1 + spread]`` within its bounds.
    species, site
        As for :func:`exobone.model.assemble.build_model`.
    Other parameters
        As for :func:`exobone.analysis.cohorts.run_cohort` and :func:`sensitivity_indices`.
    """
    from exobone.model.assemble import build_model
    from exobone.simulate.compile import compile_model
    from exobone.simulate.ensemble import run_ensemble
    from exobone.simulate.solve import SaveAt

    if not 0 < spread < 1:
        raise InvalidInputError(f"spread must be in (0, 1), got {spread}")
    if not (0 < day <= MAX_DAYS):
        raise InvalidInputError(f"day must be in (0, {MAX_DAYS:g}], got {day!r}")
    check_dosing(interventions, float(day))
    model: ModelSpec = build_model(scenario, list(interventions), species=species, site=site)
    cm = compile_model(model)
    if outcome not in cm.states and outcome not in cm.assignments:
        raise unknown_name("outcome", outcome, [*cm.states, *cm.assignments])
    base = cm.parameter_vector(model)
    if parameters is None:
        chosen = [p for p, v in zip(cm.parameters, base, strict=True) if v != 0.0]
    else:
        chosen = list(parameters)
        for p in chosen:
            cm.parameter_index(p)
    cols = [cm.parameter_index(p) for p in chosen]
    bounds = []
    for p, j in zip(chosen, cols, strict=True):
        lo, hi = sorted((base[j] * (1 - spread), base[j] * (1 + spread)))
        pb = model.require_parameter(p).bounds
        if pb is not None:
            lo, hi = max(lo, pb[0]), min(hi, pb[1])
        if base[j] == 0.0 and pb is not None:
            # a relative spread around zero is empty: vary it over its declared range instead
            lo, hi = pb
        if not lo < hi:
            raise InvalidInputError(
                f"parameter {p!r} has nominal value {base[j]:g} and no range to vary it over; "
                "leave it out of --parameters or give it bounds")
        bounds.append([float(lo), float(hi)])
    problem = {"num_vars": len(chosen), "names": chosen, "bounds": bounds}
    times = SaveAt(times=[0.0, float(day)])

    def evaluate(X: FloatArray) -> FloatArray:
        P = np.tile(base, (X.shape[0], 1))
        P[:, cols] = X
        ens = run_ensemble(model, P, backend=backend, saveat=times, outputs=[outcome],
                           chunk_size=chunk_size, scheduler=scheduler, progress=progress)
        y = ens.values(outcome)[:, -1]
        y[~ens.ok] = np.nan
        return y

    res = sensitivity_indices(problem, evaluate, method=method, n=n, rng=rng)
    mech = parameter_mechanisms(model)
    key = res.total if method == "sobol" else res.first
    agg: dict[str, float] = {}
    for name, value in zip(res.names, key, strict=True):
        if not np.isfinite(value):
            continue
        for m in mech.get(name) or (NO_MECHANISM,):
            agg[m] = agg.get(m, 0.0) + max(float(value), 0.0)
    meta = {"scenario": scenario, "interventions": list(interventions), "outcome": outcome,
            "day": day, "spread": spread,
            "seed": rng if isinstance(rng, int) else None}
    return SensitivityResult(res.method, res.names, res.first, res.first_conf, res.total,
                             res.total_conf, agg, res.n_runs, res.n_failed, meta,
                             warnings=res.warnings)
