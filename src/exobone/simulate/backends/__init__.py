"""Ensemble backends: one protocol, an explicit registry, tried in order.

A backend integrates many parameter vectors of one compiled model on a common save grid and
returns, per member, the requested outputs and a :class:`~exobone.simulate.results.Status`.
``reference`` wraps :func:`exobone.simulate.simulate` (scipy) member by member; ``numba`` runs a
compiled, parallel Rodas5P integrator (see :mod:`.numba_backend`). :func:`resolve_backend` with
``"auto"`` picks the first registered backend that is installed and supports the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from exobone.errors import DuplicateRegistrationError, InvalidInputError, unknown_name

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec
    from exobone.simulate.solve import Tolerances

FloatArray = npt.NDArray[np.float64]

__all__ = ["BACKENDS", "Backend", "BatchResult", "register_backend", "resolve_backend"]

#: status codes used in batched arrays (index into :data:`STATUS_ORDER`)
STATUS_NAMES: tuple[str, ...] = ("OK", "MAX_STEPS", "NONFINITE", "SOLVER_FAILED")


@dataclass(frozen=True)
class BatchResult:
    """Outputs of a batch of members.

    Attributes
    ----------
    values
        Shape ``(n_members, n_times, n_outputs)``; NaN after a failure.
    status
        Shape ``(n_members,)``: index into :data:`STATUS_NAMES`.
    messages
        Per-member text (``"ok"`` or why it failed).
    steps
        Accepted steps per member.
    """

    values: FloatArray
    status: npt.NDArray[np.int8]
    messages: tuple[str, ...]
    steps: npt.NDArray[np.int64]


class Backend(Protocol):
    """Integrates a batch of parameter vectors of one model."""

    name: str

    def unsupported(self, model: ModelSpec) -> str | None:
        """Return why this backend cannot run ``model`` (not installed, unsupported events),
        or ``None`` if it can."""
        ...

    def run_batch(self, model: ModelSpec, params: FloatArray, *, times: FloatArray,
                  outputs: Sequence[str], tolerances: Tolerances,
                  max_steps: int) -> BatchResult:
        """Integrate every row of ``params`` (full parameter vectors) from ``times[0]`` to
        ``times[-1]`` and return the ``outputs`` (state or assignment names) at ``times``."""
        ...


BACKENDS: dict[str, Callable[[], Backend]] = {}


def register_backend(name: str) -> Callable[[Callable[[], Backend]], Callable[[], Backend]]:
    """Register a backend factory under ``name`` (registration order is the "auto" order)."""
    def add(factory: Callable[[], Backend]) -> Callable[[], Backend]:
        if name in BACKENDS:
            raise DuplicateRegistrationError(f"backend {name!r} is already registered by "
                                             f"{BACKENDS[name].__module__}")
        BACKENDS[name] = factory
        return factory
    return add


def _load() -> None:
    # explicit list: fastest first
    from exobone.simulate.backends import numba_backend, reference  # noqa: F401


def resolve_backend(name: str | Backend, model: ModelSpec) -> Backend:
    """Return the backend called ``name`` (or the first that supports ``model`` for ``"auto"``).

    Raises
    ------
    UnknownNameError
        For an unknown backend name.
    InvalidInputError
        If the named backend cannot run ``model`` (the message says why).
    """
    if not isinstance(name, str):
        return name
    _load()
    if name == "auto":
        for factory in BACKENDS.values():
            backend = factory()
            if backend.unsupported(model) is None:
                return backend
        raise InvalidInputError(f"no backend can run model {model.name!r}")
    if name not in BACKENDS:
        raise unknown_name("backend", name, [*BACKENDS, "auto"])
    backend = BACKENDS[name]()
    why = backend.unsupported(model)
    if why is not None:
        raise InvalidInputError(f"backend {name!r} cannot run model {model.name!r}: {why}")
    return backend
