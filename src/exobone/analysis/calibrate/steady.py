"""Steady states by simulation: integrate over growing windows until the model is at rest.

Used for PEtab preequilibration and ``time = inf`` data. The model is at rest when every
``|dx_i/dt| <= ATOL + RTOL * |x_i|`` (AMICI's default steady-state test uses the same form); a
model that is not at rest by ``T_MAX`` has no steady state for exobone, and that is an error,
never an approximation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from exobone.errors import SimulationError

FloatArray = npt.NDArray[np.float64]

__all__ = ["ATOL", "RTOL", "T_MAX", "ObjectiveUndefinedError", "steady_state"]



class ObjectiveUndefinedError(SimulationError):
    """The objective has no finite value at these parameters (named in the message)."""


#: steady-state test |dx/dt| <= ATOL + RTOL * |x|, per state
ATOL = 1e-12
RTOL = 1e-8
#: the last window ends here (model time units)
T_MAX = 1e12


def steady_state(spec: Any, cm: Any, params: Mapping[str, float],
                 initial: Mapping[str, float], tolerances: Any, *, where: str) -> FloatArray:
    """Return the state vector at rest, starting from ``initial`` under ``params``.

    Raises
    ------
    SimulationError
        One line naming ``where``: the run failed, or the model was not at rest by T_MAX.
    """
    from exobone.simulate import SaveAt, simulate

    p = cm.parameter_vector(spec, params)
    y = dict(initial)
    t, window = 0.0, 1.0
    worst = np.inf
    while t < T_MAX:
        traj = simulate(spec, (t, t + window), params=params, initial=y,
                        saveat=SaveAt(times=[t + window]), tolerances=tolerances, throw=False)
        if not traj.ok:
            raise ObjectiveUndefinedError(f"{where}: simulation failed at t={t + window:g}: "
                                          f"{traj.message}")
        x = np.array([traj[s][-1] for s in cm.states])
        y = dict(zip(cm.states, x.tolist(), strict=True))
        t += window
        window *= 10.0
        if x.size == 0:
            return x
        rate = np.abs(cm.rhs(t, x, p))
        ratio = rate / (ATOL + RTOL * np.abs(x))
        worst = float(np.max(ratio))
        if worst <= 1.0:
            return x
    raise SimulationError(f"{where}: no steady state reached by t={T_MAX:g} "
                          f"(max |dx/dt|/(atol+rtol|x|) = {worst:.3g})")
