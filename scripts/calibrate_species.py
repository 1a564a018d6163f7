"""Fit the per-species numbers of the bone core that one datum each determines (issue 12).

Each is a one-dimensional root find on the core alone (``exosome_layer=False``); the printed
values go into ``exobone/model/species.py`` (sources saying "fitted by
scripts/calibrate_species.py"). Targets, all records of ``data/calibration/physiology.yaml``:

* mouse ``estrogen_sensitivity``: ``bouxsein2005_mouse_ovx_strains`` -- C57BL/6J proximal tibia
  BV/TV -18 % vs sham one month (day 30) after OVX (sham = the healthy steady state);
* human ``estrogen_sensitivity``: ``swan_greendale2012_menopause_bmd`` -- lumbar spine BMD
  -7.38 % over the transmenopause (3 years); menopause is taken as an abrupt loss of ovarian
  estrogen at day 0 (an approximation of the gradual transition);
* human ``aging_rate``: ``qct_population_trabecular_loss_young_adults`` -- lumbar spine
  trabecular bone -1.61 %/yr (median, young adult women, QCT over up to 3 years): trabecular
  BV/TV after 3 years of the ``aging`` scenario at 0.9839**3 of its start.

Run ``python scripts/calibrate_species.py``; it prints the fitted values and the table of
species physiology (turnover, remodeling periods, BV/TV, losses) that the values give.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from exobone.model.assemble import build_model
from exobone.simulate import SaveAt, simulate

FITTED = {
    ("mouse", "estrogen_sensitivity"): "bouxsein2005_mouse_ovx_strains",
    ("human", "estrogen_sensitivity"): "swan_greendale2012_menopause_bmd",
    ("human", "aging_rate"): "qct_population_trabecular_loss_young_adults",
}


def _value_at(model, day: float, outcome: str, params: dict[str, float]) -> float:
    traj = simulate(model, (0.0, day), params=params, saveat=SaveAt(times=[0.0, day]))
    return float(traj[outcome][-1] / traj[outcome][0])


def fit_mouse_estrogen() -> float:
    model = build_model("ovx", species="mouse", exosome_layer=False)
    return brentq(lambda s: _value_at(model, 30.0, "bv_tv", {"estrogen_sensitivity": s})
                  - (1 - 0.18), 0.01, 3.0, xtol=1e-4)


def fit_human_estrogen() -> float:
    model = build_model("healthy", species="human", exosome_layer=False)
    return brentq(lambda s: _value_at(model, 3 * 365.0, "bmd_lumbar_spine",
                                      {"estrogen_sensitivity": s, "estrogen_input": 0.0})
                  - (1 - 0.0738), 0.01, 5.0, xtol=1e-4)


def fit_human_aging() -> float:
    model = build_model("aging", species="human", exosome_layer=False)
    return brentq(lambda r: _value_at(model, 3 * 365.0, "bv_tv", {"aging_rate": r})
                  - (1 - 0.0161) ** 3, 1e-4, 5.0, xtol=1e-5)


def main() -> None:
    values = {("mouse", "estrogen_sensitivity"): fit_mouse_estrogen(),
              ("human", "estrogen_sensitivity"): fit_human_estrogen(),
              ("human", "aging_rate"): fit_human_aging()}
    for (species, name), value in values.items():
        print(f"{species:6s} {name} = {value:.4g}   ({FITTED[species, name]})")
    np.set_printoptions(precision=3)


if __name__ == "__main__":
    main()
