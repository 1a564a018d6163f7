"""Calibrate the bone core's estrogen-deficiency gains and mechanostat to the rat OVX time course.

Targets (Sprague Dawley rats, proximal tibial metaphysis; see exobone.model.core):

* control BV/TV 17.6 % (abstract at staging.scite.ai author page schenck-pa);
* "a twofold decrease in trabecular bone volume" at 5 weeks (Wronski et al. 1985,
  doi:10.1007/BF02554882): BV/TV ~8.8 % at day 35;
* loss progressive to ~100 days, then stable at ~5 % (abstract at wbldb.lievers.net/10167096):
  BV/TV ~5 % at days 100, 180 and 365;
* turnover high early, then back toward control: osteoclasts peak above 1.5x control (osteoblasts
  above 1.3x) and the osteoclast excess at day 365 is at most half its peak.

The fit is least squares in log-parameter space on the core alone (``exosome_layer=False``); the
exosome layer then adds the atlas's exosome effects on top (``--exosome-layer`` fits the full
model instead, for comparison).
Run ``python scripts/calibrate_ovx.py`` and copy the printed values into
``exobone/model/core.py`` (parameters whose source note says "calibrated by
scripts/calibrate_ovx.py").
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from exobone.model.assemble import build_model
from exobone.simulate import SaveAt, simulate

FITTED = ("e_rankl", "e_oc_apoptosis", "e_resorption", "trabecular_turnover", "n_mechanostat",
          "K_wnt", "n_wnt_opg")
TIMES = np.array([0.0, 14.0, 35.0, 60.0, 100.0, 180.0, 365.0])
TARGET_BV = {35.0: 8.8, 100.0: 5.0, 180.0: 5.0, 365.0: 5.0}


def run(model, values):
    traj = simulate(model, (0.0, 365.0), params=dict(zip(FITTED, values)),
                    saveat=SaveAt(times=TIMES), throw=False)
    return traj


def residuals(logx, model):
    traj = run(model, np.exp(logx))
    if not traj.ok:
        return np.full(len(TARGET_BV) + 2, 10.0)
    bv = dict(zip(TIMES.tolist(), traj["bv_tv"].tolist()))
    res = [(bv[t] - target) / (0.1 * target + 0.5) for t, target in TARGET_BV.items()]
    oc = traj["osteoclasts"]
    ob = traj["osteoblasts"]
    res.append(3 * max(0.0, 1.5 - oc.max()))           # high turnover early
    res.append(3 * max(0.0, 1.3 - ob.max()))
    # declining toward control: the osteoclast excess at day 365 is at most half its peak
    res.append(3 * max(0.0, (oc[-1] - 1.0) - 0.5 * (oc.max() - 1.0)))
    return np.array(res)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exosome-layer", action="store_true",
                        help="fit the full model (core + exosome layer) instead of the core")
    args = parser.parse_args()
    model = build_model("ovx", species="rat", exosome_layer=args.exosome_layer)
    params = [model.require_parameter(n) for n in FITTED]
    lo = np.log([max(p.bounds[0], 1e-3) for p in params])
    hi = np.log([p.bounds[1] for p in params])
    x0 = np.clip(np.log([p.value for p in params]), lo + 1e-6, hi - 1e-6)
    fit = least_squares(residuals, x0, args=(model,), bounds=(lo, hi), diff_step=1e-3,
                        max_nfev=400)
    values = np.exp(fit.x)
    for name, value in zip(FITTED, values):
        print(f"{name} = {value:.4g}")
    traj = run(model, values)
    for name in ("bv_tv", "osteoclasts", "osteoblasts"):
        print(name, " ".join(f"d{t:g}={v:.3g}" for t, v in zip(TIMES, traj[name])))
    print("cost", fit.cost)


if __name__ == "__main__":
    main()
