"""Where Sobol indices stop meaning anything: SALib's 95% bootstrap intervals on the Ishigami
function (exact indices known) by base sample n, 50 seeds each.

Prints, per n: how often ``|estimate - exact| <= half-width`` over S1 and ST of the three
parameters, the median over seeds of the largest error, and in how many seeds the widest
half-width exceeds the largest ST (the "noise wider than the indices" rule of
:func:`exobone.analysis.sensitivity.reliability_warnings`). The figures behind
``MIN_SOBOL_N`` (docs/analysis.md). About a minute on one core; run from anywhere but a folder
holding a file named like a module numba imports (``coverage.py``).
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
from SALib.test_functions import Ishigami

from exobone.analysis.sensitivity import sensitivity_indices

PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}


def exact(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Ishigami's S1 and ST (Sobol' and Levitan 1999, as in SALib's test functions)."""
    v = a**2 / 8 + b * math.pi**4 / 5 + b**2 * math.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def main() -> None:
    s1, st = exact()
    for n in (4, 8, 16, 32, 64, 128, 256):
        covered, errors, noisy = [], [], 0
        for seed in range(50):
            with contextlib.redirect_stderr(io.StringIO()):  # the warnings under study
                r = sensitivity_indices(PROBLEM, Ishigami.evaluate, n=n, rng=seed)
            covered += list(np.abs(r.first - s1) <= r.first_conf)
            covered += list(np.abs(r.total - st) <= r.total_conf)
            errors.append(max(np.abs(r.first - s1).max(), np.abs(r.total - st).max()))
            noisy += max(r.first_conf.max(), r.total_conf.max()) > r.total.max()
        print(f"n={n:4d} coverage={np.mean(covered):.2f} median max|error|="
              f"{np.median(errors):.3f} noise>signal in {noisy}/50 seeds", flush=True)


if __name__ == "__main__":
    main()
