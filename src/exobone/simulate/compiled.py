"""What :mod:`exobone.simulate.compile` produces: a model's kernels and their array layout.

Kept apart from the code generator so the solvers can read the types without the generator.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from exobone.errors import InvalidInputError, ModelError, unknown_name
from exobone.model.spec import ModelSpec

FloatArray = npt.NDArray[np.float64]
Kernel = Callable[..., None]

__all__ = ["CompiledEvent", "CompiledModel", "FloatArray", "Kernel"]


@dataclass(frozen=True)
class CompiledEvent:
    """An event in array form: what it assigns and how its trigger reads the root signs."""

    name: str
    scheduled: bool
    fire_at_start: bool
    targets: tuple[tuple[str, int], ...]  # ("state" | "parameter", index)
    apply: Kernel  # event_k(t, y, p, out)
    trigger: Callable[[Sequence[bool]], bool] | None  # from atom truth values
    delay: Kernel | None = None  # delay_k(t, y, p, out): out[0] = the delay
    priority: Kernel | None = None  # priority_k(t, y, p, out): out[0] = the priority
    persistent: bool = True
    values_at_trigger: bool = False


@dataclass(frozen=True, eq=False)
class CompiledModel:
    """Kernels and array layout of a compiled model (shared by every spec with its structure).

    Attributes
    ----------
    states, parameters, assignments
        Names in array order.
    source
        The generated Python source of every kernel.
    has_jacobian
        False when the analytic Jacobian could not be built (then solvers difference it).
    atoms
        The root functions (``lhs - rhs`` of each comparison in an event trigger), as text.
    atom_inclusive
        Truth of each comparison where its root function is exactly 0.
    """

    name: str
    structure_hash: str
    states: tuple[str, ...]
    parameters: tuple[str, ...]
    assignments: tuple[str, ...]
    source: str
    has_jacobian: bool
    jacobian_note: str
    atoms: tuple[str, ...]
    atom_inclusive: tuple[bool, ...]
    events: tuple[CompiledEvent, ...]
    kernels: Mapping[str, Kernel]
    #: the ``delay(x, tau)`` expressions, in the order of the ``delayed`` kernel
    delays: tuple[str, ...] = ()
    #: how many times ``switch_times`` writes (piecewise conditions on time and parameters)
    n_switches: int = 0

    @property
    def n_states(self) -> int:
        """Number of states."""
        return len(self.states)

    def state_index(self, name: str) -> int:
        """Return the array index of state ``name`` (raises UnknownNameError)."""
        try:
            return self.states.index(name)
        except ValueError:
            raise unknown_name("state", name, self.states) from None

    def parameter_index(self, name: str) -> int:
        """Return the array index of parameter ``name`` (raises UnknownNameError)."""
        try:
            return self.parameters.index(name)
        except ValueError:
            raise unknown_name("parameter", name, self.parameters) from None

    # ----------------------------------------------------------- array helpers
    def parameter_vector(self, spec: ModelSpec,
                         overrides: Mapping[str, float] | npt.ArrayLike | None = None
                         ) -> FloatArray:
        """Return the parameter vector of ``spec`` with optional overrides.

        Parameters
        ----------
        spec
            A spec with this structure (its values are used).
        overrides
            ``{name: value}`` or a full vector of length ``len(parameters)``.

        Raises
        ------
        UnknownNameError
            For an override that is not a parameter.
        InvalidInputError
            For a vector of the wrong length or with non-finite entries.
        """
        p = np.array([spec.require_parameter(n).value for n in self.parameters], dtype=float)
        if overrides is None:
            return p
        if isinstance(overrides, Mapping):
            for key, value in overrides.items():
                p[self.parameter_index(key)] = float(value)
        else:
            arr = np.asarray(overrides, dtype=float)
            if arr.shape != p.shape:
                raise InvalidInputError(f"parameter vector has shape {arr.shape}; model "
                                        f"{self.name!r} has {p.size} parameters "
                                        f"({', '.join(self.parameters)})")
            p = arr.copy()
        if not np.all(np.isfinite(p)):
            bad = [n for n, v in zip(self.parameters, p, strict=True) if not math.isfinite(v)]
            raise InvalidInputError(f"parameters {bad} are not finite")
        return p

    def initial_state(self, spec: ModelSpec, p: npt.ArrayLike,
                      overrides: Mapping[str, float] | None = None) -> FloatArray:
        """Return the initial state for parameters ``p`` (expressions evaluated), with overrides."""
        out = [0.0 if isinstance(s.initial, str) else float(s.initial) for s in spec.states]
        self.kernels["initial"](list(np.asarray(p, dtype=float).tolist()), out)
        y0 = np.array(out, dtype=float)
        for key, value in (overrides or {}).items():
            y0[self.state_index(key)] = float(value)
        return y0

    def rhs(self, t: float, y: npt.ArrayLike, p: npt.ArrayLike) -> FloatArray:
        """Evaluate ``dy/dt`` (shape ``(n_states,)``); arithmetic errors give NaN."""
        return _call(self.kernels["rhs"], t, y, p, self.n_states)

    def jacobian(self, t: float, y: npt.ArrayLike, p: npt.ArrayLike) -> FloatArray:
        """Evaluate the Jacobian ``d(dy/dt)/dy`` (shape ``(n_states, n_states)``).

        Raises
        ------
        ModelError
            If the model has no analytic Jacobian (see :attr:`jacobian_note`).
        """
        if not self.has_jacobian:
            raise ModelError(f"model {self.name!r} has no analytic Jacobian: "
                             f"{self.jacobian_note}")
        n = self.n_states
        return _call(self.kernels["jac"], t, y, p, n * n).reshape(n, n)

    def evaluate_assignments(self, t: float, y: npt.ArrayLike, p: npt.ArrayLike) -> FloatArray:
        """Evaluate every assignment (shape ``(n_assignments,)``)."""
        return _call(self.kernels["assignments"], t, y, p, len(self.assignments))

    def roots(self, t: float, y: npt.ArrayLike, p: npt.ArrayLike) -> FloatArray:
        """Evaluate the event root functions (shape ``(len(atoms),)``)."""
        return _call(self.kernels["roots"], t, y, p, len(self.atoms))


def _call(kernel: Kernel, t: float, y: npt.ArrayLike, p: npt.ArrayLike, n: int) -> FloatArray:
    out = [0.0] * n
    try:
        kernel(float(t), np.asarray(y, dtype=float).tolist(),
               np.asarray(p, dtype=float).tolist(), out)
    except ArithmeticError:  # e.g. division by zero in plain float arithmetic
        return np.full(n, np.nan)
    return np.array(out, dtype=float)
