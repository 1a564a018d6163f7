"""One fit of several PEtab problems that share parameters.

A PEtab (v1) problem has one model, so data simulated on different models (a zoledronate and an
alendronate trial: each drug is its own build of the core) are different problems. A parameter
they share (a drug family's maxima, a core rate) is fitted to all of them at once by adding their
objectives: the joint negative log-likelihood is the sum of the problems', each problem keeping
its own model, conditions, observables and noise. The joint parameter vector is the union of the
problems' estimated parameters in order of first appearance; each problem reads its own from it.

What would make the sum differ from one problem holding all the data is refused with one line:
a shared parameter with different scales or bounds, estimated in one problem but fixed (or taken
from the model) in another, or with an objective prior in more than one problem (it would be
counted twice). The multi-start fit and the profile-likelihood intervals are
:func:`exobone.analysis.calibrate.fit.fit_residuals`, as for one problem; the parametric
bootstrap is not offered (it would need the problems' noise models drawn together).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from exobone.analysis.calibrate.fit import (
    CalibrationResult,
    Residuals,
    TrialResiduals,
    check_options,
    fit_residuals,
)
from exobone.analysis.calibrate.objective import Objective
from exobone.analysis.calibrate.problem import CalibrationProblem, load_petab
from exobone.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]

__all__ = ["JointResiduals", "calibrate_joint"]


def _label(prob: CalibrationProblem, k: int) -> str:
    return Path(prob.source).stem if prob.source else f"problem {k + 1}"


class _JointObjective:
    """What the fit reads of an objective (names, scales, bounds, data, likelihood, prior),
    over the union of the problems' parameters."""

    def __init__(self, objs: Sequence[Objective], labels: Sequence[str]) -> None:
        self.members = list(objs)
        self.names: list[str] = []
        self.scales: list[str] = []
        lower: list[float] = []
        upper: list[float] = []
        where: dict[str, int] = {}
        prior_in: dict[str, str] = {}
        self.index: list[npt.NDArray[np.intp]] = []
        for obj, label in zip(objs, labels, strict=True):
            idx = []
            priors = {obj.names[k] for k, _ in obj._priors}
            for k, name in enumerate(obj.names):
                if name in priors:
                    if name in prior_in:
                        raise InvalidInputError(
                            f"parameter {name!r} has an objective prior in {prior_in[name]} "
                            f"and in {label}: give it in one problem (it would count twice)")
                    prior_in[name] = label
                if name not in where:
                    where[name] = len(self.names)
                    self.names.append(name)
                    self.scales.append(obj.scales[k])
                    lower.append(float(obj.lower[k]))
                    upper.append(float(obj.upper[k]))
                else:
                    j = where[name]
                    if (self.scales[j], lower[j], upper[j]) != (
                            obj.scales[k], float(obj.lower[k]), float(obj.upper[k])):
                        raise InvalidInputError(
                            f"parameter {name!r} has a different scale or bounds in {label} "
                            f"than in an earlier problem: make its parameter-table rows equal")
                idx.append(where[name])
            self.index.append(np.asarray(idx, dtype=np.intp))
        for obj, label in zip(objs, labels, strict=True):
            fixed = set(self.names) - set(obj.names)
            table = set(map(str, obj.prob.parameters["parameterId"]))
            stray = sorted(n for n in fixed if n in table or n in obj.prob.sbml_ids)
            if stray:
                raise InvalidInputError(
                    f"{label} fixes {', '.join(map(repr, stray))}, which another problem "
                    f"estimates: set estimate=1 there too (or drop the problem)")
        self.lower = np.asarray(lower)
        self.upper = np.asarray(upper)
        self.y = np.concatenate([obj.y for obj in objs])

    def split(self, theta: FloatArray) -> list[FloatArray]:
        return [np.asarray(theta)[idx] for idx in self.index]

    def log_likelihood(self, theta: FloatArray) -> float:
        return float(sum(o.log_likelihood(t) for o, t in zip(self.members, self.split(theta),
                                                              strict=True)))

    def log_prior(self, theta: FloatArray) -> float:
        return float(sum(o.log_prior(t) for o, t in zip(self.members, self.split(theta),
                                                        strict=True)))


class JointResiduals(TrialResiduals):
    """The residuals of several problems, stacked, as one :class:`Residuals` for the fit."""

    def __init__(self, members: Sequence[Residuals], labels: Sequence[str]) -> None:
        self.members = list(members)
        self.obj = _JointObjective([m.obj for m in members], labels)
        self.step = max(m.step for m in members)
        self.last = None
        # each problem's residuals: two per datum (the weighted error and the sigma term)
        # and one per objective prior (Residuals.from_prediction)
        self.sizes = [2 * len(m.obj.y) + len(m.obj._priors) for m in members]

    @property
    def has_jacobian(self) -> bool:
        return all(m.has_jacobian for m in self.members)

    def _no_y(self, y: FloatArray | None) -> None:
        if y is not None:
            raise InvalidInputError("a joint fit takes its problems' own measurements")

    def fast(self, theta: FloatArray, y: FloatArray | None = None) -> FloatArray:
        self._no_y(y)
        return np.concatenate([m.fast(t) for m, t in zip(self.members, self.obj.split(theta),
                                                      strict=True)])

    def exact(self, theta: FloatArray, y: FloatArray | None = None) -> FloatArray:
        self._no_y(y)
        return np.concatenate([m.exact(t) for m, t in zip(self.members, self.obj.split(theta),
                                                       strict=True)])

    def jacobian(self, theta: FloatArray, y: FloatArray | None = None) -> FloatArray:
        self._no_y(y)
        blocks = [m.jacobian(t) for m, t in zip(self.members, self.obj.split(theta),
                                                strict=True)]
        out = np.zeros((sum(b.shape[0] for b in blocks), len(self.obj.names)))
        row = 0
        for block, idx in zip(blocks, self.obj.index, strict=True):
            out[row:row + block.shape[0], idx] = block
            row += block.shape[0]
        return out

    def cost(self, res: FloatArray) -> float:
        """The joint objective: the sum of the problems' (nllh - log prior)."""
        total, start = 0.0, 0
        for m, n in zip(self.members, self.sizes, strict=True):
            total += m.cost(res[start:start + n])
            start += n
        return total


def calibrate_joint(problems: Sequence[CalibrationProblem | str | Path], *, starts: int = 10,
                    rng: np.random.Generator | int | None = None, ci: str | None = "profile",
                    level: float = 0.95, tolerances: Any = None, max_nfev: int = 200,
                    ensemble: bool | None = None, gradient: str = "auto"
                    ) -> CalibrationResult:
    """Fit the estimated parameters of several PEtab problems together (their objectives
    summed); arguments as :func:`exobone.analysis.calibrate.calibrate`, ``ci`` profile or None.

    The result's ``problem`` is None (there is no one problem); ``n_data`` counts every
    problem's measurements.

    Raises
    ------
    InvalidInputError
        Fewer than two problems, a bootstrap, a problem without estimated parameters, or a
        shared parameter the problems do not agree on (see the module docstring).
    """
    if len(problems) < 2:
        raise InvalidInputError("a joint fit needs at least two problems "
                                "(one problem: exobone.analysis.calibrate.calibrate)")
    check_options(starts, ci, level, gradient)
    if ci == "bootstrap":
        raise InvalidInputError("a joint fit gives profile-likelihood intervals or none "
                                "(ci='profile' or None), not a bootstrap")
    probs = [p if isinstance(p, CalibrationProblem) else load_petab(p) for p in problems]
    labels = [_label(p, k) for k, p in enumerate(probs)]
    for prob, label in zip(probs, labels, strict=True):
        if not prob.estimated:
            raise InvalidInputError(f"{label}: no parameter has estimate=1 in its parameter "
                                    f"table")
    members = [Residuals(Objective(p, tolerances), ensemble=ensemble, gradient=gradient)
               for p in probs]
    return fit_residuals(JointResiduals(members, labels), None, starts=starts, rng=rng, ci=ci,
                         level=level, max_nfev=max_nfev)
