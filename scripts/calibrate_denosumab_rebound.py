"""Fit the held osteoclast-precursor pool of denosumab to the DEFEND off-treatment markers.

Denosumab's rebound after stopping (``exobone.model.scenarios.drugs.denosumab``) is driven by
precursors held back while RANKL is blocked, which fuse as RANK signalling returns. How long
the pool lives (``denosumab_held_lifetime``) and how fast it fuses at healthy signalling
(``denosumab_k_fuse``) were hand-set; here they are fitted (least squares in log space, the
entry rate ``denosumab_k_hold`` kept) to three numbers of two studies, records of
``data/calibration/pharmacology.yaml``. DEFEND is run as 60 mg every 6 months in ``pmo`` with the
month-24 dose missed (benchmarks/drug_trials.py ``STOPPED``):

* ``defend_offtx_bone2011_markers_on_treatment`` -- serum CTX -63 % vs placebo at month 24
  (the trough 6 months after the last dose; sigma 10 %, as in the PEtab problem
  ``human_pmo_denosumab``);
* ``defend_offtx_bone2011_rebound`` -- CTX above baseline within 3 months of stopping and
  "returned to baseline by month 48": CTX at month 48 at the level of the placebo arm (the
  model's pretreatment level drifts with age, -9 % by month 48 in placebo; sigma 10 %), and a
  penalty if CTX at month 27 is not above its pretreatment level;
* ``bern_freedom_ext_offtx_1yr_bmd`` -- lumbar spine BMD -9.1 % one year after stopping 10
  years of denosumab (run: 20 doses every 182 days in ``pmo``, spine at month 132 vs month
  120; n = 12, no SD read: sigma 3 % assumed).

Held out: the total hip of the same Bern record (-12.7 %, which the model's slow cortical
compartment cannot follow, docs/dev/coupling-findings.md session 6) and DEFEND's "the
previously treated denosumab group maintained higher BMD than the previously treated placebo
group" at month 48. Run ``python scripts/calibrate_denosumab_rebound.py`` and copy the values
into the parameters' sources.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import drug_trials as dt

FITTED = ("denosumab_k_fuse", "denosumab_held_lifetime")
MONTHS = (24, 27, 48)
#: Bern: denosumab every 182 days for 10 years (doses at day 0 ... 19 x 182), then none
BERN = ("denosumab,dose=60mg,every=182,stop=3458",)
BERN_MONTHS = (120, 132)


def markers(models, placebo, values) -> dict[str, float]:
    params = dict(zip(FITTED, values))
    run = dt._run(models[0], [dt._day(m) for m in MONTHS], params)
    bern = dt._run(models[1], [dt._day(m) for m in BERN_MONTHS], params)

    def vs_placebo(m: int) -> float:
        return 100 * (dt._at(run, "ctx", dt._day(m)) / dt._at(placebo, "ctx", dt._day(m)) - 1)

    ls = [dt._at(bern, "bmd_lumbar_spine", dt._day(m)) for m in BERN_MONTHS]
    th = [dt._at(bern, "bmd_total_hip", dt._day(m)) for m in BERN_MONTHS]
    return {"ctx24_vs_placebo": vs_placebo(24),
            "ctx27_base": 100 * (dt._at(run, "ctx", dt._day(27)) - 1),
            "ctx48_vs_placebo": vs_placebo(48),
            "bern_ls_1y_off": 100 * (ls[1] / ls[0] - 1),
            "bern_th_1y_off (held out, -12.7)": 100 * (th[1] / th[0] - 1)}


def residuals(logx, models, placebo) -> np.ndarray:
    m = markers(models, placebo, np.exp(logx))
    return np.array([(m["ctx24_vs_placebo"] + 63) / 10, m["ctx48_vs_placebo"] / 10,
                     max(0.0, -m["ctx27_base"]) / 10, (m["bern_ls_1y_off"] + 9.1) / 3])


def main() -> None:
    model = dt._model("pmo", "human", dt.STOPPED)
    models = (model, dt._model("pmo", "human", BERN))
    placebo = dt._run(dt._model("pmo", "human", ()), [dt._day(m) for m in MONTHS])
    params = [model.require_parameter(n) for n in FITTED]
    lo = np.log([p.bounds[0] for p in params])
    hi = np.log([p.bounds[1] for p in params])
    x0 = np.clip(np.log([p.value for p in params]), lo + 1e-6, hi - 1e-6)
    fit = least_squares(residuals, x0, args=(models, placebo), bounds=(lo, hi), diff_step=1e-3,
                        max_nfev=200)
    values = np.exp(fit.x)
    for name, value in zip(FITTED, values):
        print(f"{name} = {value:.4g}")
    for key, value in markers(models, placebo, values).items():
        print(f"  {key} {value:+.1f} %")
    print("cost", fit.cost)


if __name__ == "__main__":
    main()
