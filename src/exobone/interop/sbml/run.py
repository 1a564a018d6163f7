"""Run an SBML file on an output grid and report its values by SBML id (the suite's language).

Every species is reported as an amount under its id and as a concentration under ``[id]``
(libroadrunner's convention); parameters and compartments under their ids. This is what
``exobone sbml run --json`` prints and what the SBML Test Suite benchmark compares.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from exobone.errors import InvalidInputError, SimulationError, UnsupportedSBMLError
from exobone.interop.sbml.import_ import import_sbml
from exobone.model.spec import ModelSpec
from exobone.simulate import SaveAt, Tolerances, Trajectory, simulate
from exobone.simulate.scenarios import MAX_POINTS

FloatArray = npt.NDArray[np.float64]

__all__ = ["STEPS_PER_INTERVAL", "SBMLRun", "run_sbml", "safe_tolerances", "sbml_values"]

#: solver steps allowed per output interval, as libroadrunner's CVODE default
#: (``maximum_num_steps``, 20000 "to reach tout"); exobone counts them over the whole run
STEPS_PER_INTERVAL = 20_000


@dataclass(frozen=True, eq=False)
class SBMLRun:
    """A run of an SBML model: the trajectory and its values by SBML id."""

    spec: ModelSpec
    trajectory: Trajectory
    values: dict[str, FloatArray]

    @property
    def times(self) -> FloatArray:
        """Output times."""
        return self.trajectory.times


def safe_tolerances(spec: ModelSpec, rtol: float = 1e-8,
                    initial: Mapping[str, float] | None = None) -> Tolerances:
    """Absolute tolerances scaled to each state's initial magnitude.

    A single absolute tolerance is wrong for models whose states span many decades (Ayati 2010's
    tumour cells dip near 1e-8 while bone mass is ~100): a fixed 1e-10 lets the small states
    drift by percents. Here ``atol_i = rtol * 1e-4 * scale_i``, with ``scale_i`` the state's
    initial magnitude or, for a state starting at 0, the smallest nonzero magnitude among the
    states (``1`` when all are zero); so a state is resolved to ~1e-4 of its own scale below
    the relative tolerance.
    (Assumption: initial values are the model's natural magnitudes; a state that grows by many
    decades is still controlled by ``rtol``.)
    """
    from exobone.simulate.compile import compile_model

    cm = compile_model(spec)
    p = cm.parameter_vector(spec)
    y0 = cm.initial_state(spec, p, initial)
    mags = np.abs(y0[np.isfinite(y0)])
    nonzero = mags[mags > 0]
    floor = float(nonzero.min()) if nonzero.size else 1.0
    atol = {name: rtol * 1e-4 * (abs(v) if math.isfinite(v) and v != 0 else floor)
            for name, v in zip(cm.states, y0.tolist(), strict=True)}
    atol = {k: max(v, 1e-300) for k, v in atol.items()}
    return Tolerances(rtol=rtol, atol=atol or 1e-12)


def run_sbml(source: str | Path, *, start: float = 0.0, duration: float, points: int,
             overrides: Mapping[str, float] | None = None, solver: str = "LSODA",
             rtol: float = 1e-8, atol: float | None = None,
             max_step: float | None = None, max_steps: int | None = None) -> SBMLRun:
    """Import ``source`` and simulate it from ``start`` for ``duration`` on ``points`` times.

    ``atol=None`` uses :func:`safe_tolerances` (scaled to the model's magnitudes).
    ``max_steps=None`` allows :data:`STEPS_PER_INTERVAL` steps per output interval (at least
    :func:`~exobone.simulate.simulate`'s 200,000): a run where thousands of events fire
    (suite case 01591: one every 0.01 for 100 time units) needs them.

    Raises
    ------
    InvalidInputError
        For a bad span or grid, or a file that does not import.
    UnsupportedSBMLError
        For a construct exobone does not simulate.
    """
    for name, value in (("--start", start), ("--days", duration)):
        if not math.isfinite(value):
            raise InvalidInputError(f"{name} must be a finite number, got {value!r}")
    if not duration > 0:
        raise InvalidInputError(f"--days must be positive, got {duration!r}")
    if not 2 <= points <= MAX_POINTS:  # bounded before any work (issue 15: 2e9 points hung)
        raise InvalidInputError(f"--points must be in [2, {MAX_POINTS:,}], got {points!r}")
    spec = import_sbml(source, overrides=overrides)
    if start != 0.0 and spec.metadata["sbml"]["initial_uses_time"]:
        raise UnsupportedSBMLError(f"{spec.name}: an initial value uses time, which exobone "
                                   f"evaluates at 0; --start {start:g} is not supported")
    tol = safe_tolerances(spec, rtol) if atol is None else Tolerances(rtol=rtol, atol=atol)
    grid = np.linspace(start, start + duration, points)
    budget = max(200_000, STEPS_PER_INTERVAL * (points - 1)) if max_steps is None else max_steps

    def solve(tolerances: Tolerances) -> Trajectory:
        return simulate(spec, (start, start + duration), saveat=SaveAt(times=grid),
                        solver=solver, tolerances=tolerances, max_step=max_step,
                        max_steps=budget)

    traj = solve(tol)
    if atol is None and traj.ok:
        # the check: a state that falls decades below its start (Ayati 2010's tumour-bearing
        # osteoclasts dip from 15 to 3e-8) is resolved only with an absolute tolerance well
        # under its smallest value, so the run is repeated once with that tolerance
        finer = _finer_atol(traj, tol)
        if finer is not None:
            first = traj
            try:
                traj = solve(finer)
            except SimulationError as exc:
                # a state that events reset to 0 (01592's sawtooth, x = t - t_reset) has saved
                # values as small as a save time falls after a reset, and a tolerance under
                # them is below the rounding of x itself (eps t): the solver cannot meet it
                # ("step size too small"), so the run at the scaled tolerances stands, said
                warnings.warn(f"{spec.name}: the rerun with absolute tolerances under the "
                              f"smallest saved values failed ({str(exc).splitlines()[0]}); "
                              f"the run at the scaled tolerances stands", RuntimeWarning,
                              stacklevel=2)
                traj = first
    return SBMLRun(spec, traj, sbml_values(spec, traj))


def _finer_atol(traj: Trajectory, tol: Tolerances) -> Tolerances | None:
    """Tolerances with ``atol_i <= rtol * 1e-2 * min|x_i|`` (smallest nonzero saved value),
    or None when the run already met that."""
    if not isinstance(tol.atol, Mapping):  # a model without states
        return None
    atol = dict(tol.atol)
    changed = False
    for name in traj.state_names:
        mags = np.abs(traj[name])
        mags = mags[np.isfinite(mags) & (mags > 0)]
        if not mags.size:
            continue
        wanted = max(tol.rtol * 1e-2 * float(mags.min()), 1e-300)
        if atol[name] > wanted:
            atol[name], changed = wanted, True
    return Tolerances(rtol=tol.rtol, atol=atol) if changed else None


def sbml_values(spec: ModelSpec, traj: Trajectory) -> dict[str, FloatArray]:
    """Values of a trajectory of an imported model by SBML id (species also as ``[id]``)."""
    info = spec.metadata["sbml"]
    n = traj.times.size
    params = traj.provenance.parameters

    def column(name: str) -> FloatArray:
        if name in traj:
            return np.asarray(traj[name], dtype=float)
        return np.full(n, float(params[name]))

    out: dict[str, FloatArray] = {}
    for sid, name in info["symbols"].items():
        out[sid] = column(name)
    for sid, (name, compartment, stored) in info["species"].items():
        value = column(name)
        size = out[compartment]
        if stored == "amount":
            out[sid], out[f"[{sid}]"] = value, value / size
        else:
            out[sid], out[f"[{sid}]"] = value * size, value
    return out
