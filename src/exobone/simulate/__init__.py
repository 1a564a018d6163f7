"""Single runs of a compiled model: the reference solver, trajectories and their provenance."""

from __future__ import annotations

from exobone.simulate.compile import CompiledModel, compile_model
from exobone.simulate.results import Provenance, Status, Trajectory
from exobone.simulate.solve import SOLVERS, SaveAt, Tolerances, simulate

__all__ = [
    "SOLVERS",
    "CompiledModel",
    "Provenance",
    "SaveAt",
    "Status",
    "Tolerances",
    "Trajectory",
    "compile_model",
    "simulate",
]
