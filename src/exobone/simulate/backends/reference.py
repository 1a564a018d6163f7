"""The reference backend: :func:`exobone.simulate.simulate` (scipy) member by member."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from exobone.errors import InvalidInputError
from exobone.simulate.backends import STATUS_NAMES, BatchResult, FloatArray, register_backend

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec
    from exobone.simulate.solve import Tolerances

__all__ = ["ReferenceBackend"]


class ReferenceBackend:
    """scipy ``solve_ivp`` (LSODA by default) for each member; slow, exact event handling."""

    name = "reference"

    def __init__(self, solver: str = "LSODA") -> None:
        self.solver = solver

    def unsupported(self, model: ModelSpec) -> str | None:
        """The reference solver runs every valid model."""
        return None

    def run_batch(self, model: ModelSpec, params: FloatArray, *, times: FloatArray,
                  outputs: Sequence[str], tolerances: Tolerances,
                  max_steps: int) -> BatchResult:
        """Integrate each row of ``params`` with :func:`~exobone.simulate.simulate`."""
        from exobone.simulate.results import Status
        from exobone.simulate.solve import SaveAt, simulate

        m = params.shape[0]
        values = np.full((m, times.size, len(outputs)), np.nan)
        status = np.zeros(m, dtype=np.int8)
        steps = np.zeros(m, dtype=np.int64)
        messages = []
        saveat = SaveAt(times=times)
        for k in range(m):
            try:
                traj = simulate(model, (float(times[0]), float(times[-1])), params=params[k],
                                saveat=saveat, tolerances=tolerances, solver=self.solver,
                                max_steps=max_steps, throw=False)
            except InvalidInputError as exc:  # e.g. a NaN parameter: this member only
                status[k] = STATUS_NAMES.index("NONFINITE")
                messages.append(f"{Status.NONFINITE.value} ({exc})")
                continue
            for j, name in enumerate(outputs):
                values[k, :, j] = traj[name]
            status[k] = STATUS_NAMES.index(traj.status.name)
            steps[k] = traj.stats.get("steps", 0)
            messages.append(traj.message)
        return BatchResult(values, status, tuple(messages), steps)


@register_backend("reference")
def _factory() -> ReferenceBackend:
    return ReferenceBackend()
