"""Simulation results: a Trajectory with its Status and the provenance needed to reproduce it."""

from __future__ import annotations

import enum
import math
import platform
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from typing import Any

import numpy as np
import numpy.typing as npt

from exobone.errors import SimulationError, unknown_name

FloatArray = npt.NDArray[np.float64]

__all__ = ["Provenance", "Status", "Trajectory", "package_versions"]


class Status(enum.Enum):
    """Outcome of one run; in ensembles a failure is data, not an exception."""

    OK = "ok"
    MAX_STEPS = "solver reached max_steps; increase max_steps or loosen tolerances"
    NONFINITE = "state became NaN/inf; check parameter bounds (negative rates?)"
    SOLVER_FAILED = ("the solver failed (step size too small or no convergence); try a stiff "
                     "solver ('BDF', 'Radau'), a smaller max_step or looser tolerances")

    @property
    def ok(self) -> bool:
        """True for :attr:`OK`."""
        return self is Status.OK


@cache
def package_versions() -> dict[str, str]:
    """Return the versions of Python and the packages that determine a result."""
    versions = {"python": platform.python_version()}
    for dist in ("exobone", "numpy", "scipy", "sympy"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "unknown"
    return versions


@dataclass(frozen=True)
class Provenance:
    """Everything needed to reproduce a run (model identity, values, solver settings, versions).

    ``model_hash`` covers the full model content (including sources and text); the
    ``structure_hash`` identifies the compiled code. ``seed`` is ``None`` for deterministic runs.
    """

    model_name: str
    model_hash: str
    structure_hash: str
    parameters: Mapping[str, float]
    initial: Mapping[str, float]
    t_span: tuple[float, float]
    solver: Mapping[str, Any]
    versions: Mapping[str, str] = field(default_factory=package_versions)
    seed: int | None = None
    atlas_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "model_name": self.model_name,
            "model_hash": self.model_hash,
            "structure_hash": self.structure_hash,
            "parameters": dict(self.parameters),
            "initial": dict(self.initial),
            "t_span": list(self.t_span),
            "solver": dict(self.solver),
            "versions": dict(self.versions),
            "seed": self.seed,
            "atlas_version": self.atlas_version,
        }


def _jsonable(values: FloatArray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in values.tolist()]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The saved time course of one run.

    Attributes
    ----------
    times
        Save times, shape ``(n_times,)``.
    values
        ``{name: array of shape (n_times,)}`` for every state, every assignment and every
        parameter that an event changes (e.g. an infusion rate).
    state_names, assignment_names, parameter_names
        Which names in ``values`` are of which kind (parameter_names: event-modified only).
    status, message
        Outcome; points after a failure are NaN.
    events
        ``(time, event name)`` of every event that fired, in order.
    stats
        Solver counters: ``nfev``, ``njev``, ``nlu``, ``steps``, ``segments``.
    provenance
        Model hash, values, solver settings and package versions.

    Examples
    --------
    >>> from exobone.model.reference import linear_decay
    >>> from exobone.simulate import SaveAt, simulate
    >>> traj = simulate(linear_decay(0.3), (0.0, 1.0), saveat=SaveAt(times=[0.0, 1.0]))
    >>> round(float(traj["x"][-1]), 4)
    0.7408
    """

    times: FloatArray
    values: Mapping[str, FloatArray]
    state_names: tuple[str, ...]
    assignment_names: tuple[str, ...]
    parameter_names: tuple[str, ...]
    status: Status
    message: str
    provenance: Provenance
    events: tuple[tuple[float, str], ...] = ()
    stats: Mapping[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> FloatArray:
        try:
            return self.values[name]
        except KeyError:
            raise unknown_name("output of this trajectory", name, self.values) from None

    def __contains__(self, name: object) -> bool:
        return name in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    @property
    def names(self) -> tuple[str, ...]:
        """Every output name: states, then assignments, then event-modified parameters."""
        return tuple(self.values)

    @property
    def ok(self) -> bool:
        """True if the run succeeded."""
        return self.status.ok

    def state_array(self) -> FloatArray:
        """Return the states as an array of shape ``(n_times, n_states)``."""
        if not self.state_names:
            return np.empty((self.times.size, 0))
        return np.column_stack([self.values[n] for n in self.state_names])

    def raise_if_failed(self) -> Trajectory:
        """Return ``self``, or raise :class:`SimulationError` if the run failed."""
        if not self.ok:
            raise SimulationError(f"simulation of {self.provenance.model_name!r} failed: "
                                  f"{self.message}")
        return self

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (non-finite numbers become ``None``)."""
        return {
            "times": _jsonable(self.times),
            "values": {k: _jsonable(v) for k, v in self.values.items()},
            "state_names": list(self.state_names),
            "assignment_names": list(self.assignment_names),
            "parameter_names": list(self.parameter_names),
            "status": self.status.name.lower(),
            "message": self.message,
            "events": [[t, name] for t, name in self.events],
            "stats": dict(self.stats),
            "provenance": self.provenance.to_dict(),
        }
