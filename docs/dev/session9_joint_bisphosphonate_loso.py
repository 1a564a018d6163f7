"""Session 9 (lead) experiment: the bisphosphonate family maxima fitted jointly to both
bisphosphonate problems, and the leave-one-study-out of that joint fit (point predictions).

Setup (copies of the shipped problems with the maxima estimated in both, same rows in each):

    mkdir -p /tmp/jm && cp -r data/calibration/petab/human_pmo_zoledronate /tmp/jm/zol
    cp -r data/calibration/petab/human_pmo_alendronate /tmp/jm/aln
    for d in zol aln; do printf 'bisphosphonate_resorption_max\\tlin\\t0\\t0.95\\t0.7\\t1\\n\
    bisphosphonate_apoptosis_max\\tlin\\t0\\t20\\t2\\t1\\n' >> /tmp/jm/$d/parameters.tsv; done
    python docs/dev/session9_joint_bisphosphonate_loso.py /tmp/jm 3

For each study of each problem (fit rows and validation rows together, as benchmarks/loso.py):
fit the problem without the study jointly with the other problem (3 starts, seed 0, compiled
ensemble, no intervals), predict the study's rows at the estimate, print z and rms z.
"""

import sys
import time

import numpy as np

from exobone.analysis.calibrate import (
    calibrate_joint,
    hold_out,
    load_petab,
    studies,
    with_validation,
)
from exobone.analysis.calibrate.objective import Objective, to_scale

folder, starts = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
probs = {k: with_validation(load_petab(f"{folder}/{k}")) for k in ("zol", "aln")}
total, t00 = 0.0, time.perf_counter()
for key, prob in probs.items():
    other = next(p for k, p in probs.items() if k != key)
    for study in studies(prob):
        t0 = time.perf_counter()
        train, test = hold_out(prob, study)
        res = calibrate_joint([train, other], starts=starts, rng=0, ci=None)
        obj = Objective(test)
        theta = np.array([to_scale(res.estimates[n], s) for n, s in zip(obj.names, obj.scales)])
        h, sigma = obj.predict(theta)
        z = (h - obj.y) / sigma
        rms = float(np.sqrt(np.mean(z ** 2)))
        total += rms ** 2
        est = ", ".join(f"{n} {v:.3g}" for n, v in res.estimates.items())
        rows = "; ".join(f"{o} {m:.3g} -> {p:.3g} (z {zz:+.2f})" for o, m, p, zz in
                         zip(test.measurements["observableId"], obj.y, h, z))
        print(f"{key} {study}: rms z {rms:.2f} | {rows} | {est} | "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
print(f"sum of squared rms z: {total:.2f}; {time.perf_counter() - t00:.0f} s")
