"""Fit the per-species numbers of the bone core that one datum each determines (issue 12).

Each is a one-dimensional root find on the core alone (``exosome_layer=False``); the printed
values go into ``exobone/model/species.py`` (sources saying "fitted by
scripts/calibrate_species.py"). Targets, records of ``data/calibration/physiology.yaml`` unless
said otherwise:

* mouse ``estrogen_sensitivity``: ``bouxsein2005_mouse_ovx_strains`` -- C57BL/6J proximal tibia
  BV/TV -18 % vs sham one month (day 30) after OVX (sham = the healthy steady state);
* human ``estrogen_sensitivity``: ``swan_greendale2012_menopause_bmd`` -- lumbar spine BMD
  -7.38 % over the transmenopause (3 years); menopause is taken as an abrupt loss of ovarian
  estrogen at day 0 (an approximation of the gradual transition), without aging;
* ``--activation`` (session 7, an experiment: printed, not applied, reasons in
  docs/dev/coupling-findings.md): human ``estrogen_sensitivity`` and ``e_activation`` jointly
  (least squares of relative errors) on four data of two records, then the aging rate, iterated:
  ``swan_greendale2012_menopause_bmd`` -- lumbar spine BMD -7.38 % over the transmenopause
  (model year 3) and -10.6 % over 10 years (5 years before to 5 after the FMP: model year 6,
  assuming no loss before the transmenopause) -- and
  ``recker2004_activation_frequency_menopause`` -- activation frequency 0.24/0.13 = 1.85x one
  year after menopause (model year 2) and 3x 13 years after (model year 14). Menopause is taken
  as an abrupt loss of ovarian estrogen at day 0 = the start of the transmenopause, 1 year
  before the FMP (an approximation of the gradual transition), with aging from day 0 at the
  human aging rate, as in the history of the ``pmo`` scenario; the model's activation
  frequency is osteoclasts formed per unit remodeling surface relative to health;
* human ``aging_rate``: least squares (relative errors) over two records that pull apart --
  ``qct_population_trabecular_loss_young_adults`` (lumbar spine trabecular bone -1.61 %/yr in
  young adult women, QCT: a population already aging, so compared with the steady rate of
  trabecular BV/TV in years 10-13 of the human ``aging`` scenario, past the lag of slow human
  turnover) and pharmacology.yaml ``freedom_th_bmd_placebo`` (total hip BMD -1.4 % at 36
  months in the FREEDOM placebo arm, run as the ``pmo`` scenario, whose history of
  ``years_since_menopause`` (assumed) uses the human estrogen gains fitted first). With
  ``--activation`` the menopause and aging fits share the aging course, so they are iterated
  (``ROUNDS``).

* mouse ``aging_rate``: ``holguin2014_b6_female_tibia_bvtv_by_age`` -- female C57BL/6 tibia
  trabecular BV/TV 8.5 % at 5 months, 3.2 % at 12 months (the ``aging`` scenario from 5 months:
  BV/TV at day 213 at 3.2/8.5 of its start);
* rat ``aging_rate``: ``banu2002_male_f344_rat_aging_pqct`` -- proximal tibia cancellous BMD
  -58 % at 27 months, loss starting after 18 months (male F344; the ``aging`` scenario from 18
  months: BV/TV at day 274 at 0.42 of its start).

Run ``python scripts/calibrate_species.py [--activation]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import brentq, least_squares, minimize_scalar

from exobone.model.assemble import build_model
from exobone.model.species import SPECIES_PHYSIOLOGY
from exobone.simulate import SaveAt, simulate

FITTED = {
    ("mouse", "estrogen_sensitivity"): "bouxsein2005_mouse_ovx_strains",
    ("human", "estrogen_sensitivity"): "swan_greendale2012_menopause_bmd",
    ("mouse", "aging_rate"): "holguin2014_b6_female_tibia_bvtv_by_age",
    ("rat", "aging_rate"): "banu2002_male_f344_rat_aging_pqct",
    ("human", "aging_rate"): "qct_population_trabecular_loss_young_adults + "
                             "freedom_th_bmd_placebo (pharmacology.yaml)",
}


def _value_at(model, day: float, outcome: str, params: dict[str, float]) -> float:
    traj = simulate(model, (0.0, day), params=params, saveat=SaveAt(times=[0.0, day]))
    return float(traj[outcome][-1] / traj[outcome][0])


def _set(species: str, name: str, value: float) -> None:
    table = SPECIES_PHYSIOLOGY[species].parameters
    table[name] = (value, *table[name][1:])


def fit_mouse_estrogen() -> float:
    model = build_model("ovx", species="mouse", exosome_layer=False)
    return brentq(lambda s: _value_at(model, 30.0, "bv_tv", {"estrogen_sensitivity": s})
                  - (1 - 0.18), 0.01, 3.0, xtol=1e-4)


YEAR = 365.0
#: human menopause data: (model year after the abrupt estrogen loss, quantity, value, record)
MENOPAUSE_DATA = (
    (3, "spine", -7.38, "swan_greendale2012_menopause_bmd"),
    (6, "spine", -10.6, "swan_greendale2012_menopause_bmd"),
    (2, "activation", 1.85, "recker2004_activation_frequency_menopause"),
    (14, "activation", 3.0, "recker2004_activation_frequency_menopause"),
)
#: the human menopause gains fitted together (bounds); the rest of the table is held, among
#: it n_sclerostin_rankl: fitted alone on these data it goes to 0, so it is chosen on a grid
#: over these and the FREEDOM and aging data (docs/dev/coupling-findings.md, session 7)
MENOPAUSE_GAINS = {"estrogen_sensitivity": (0.0, 1.0), "e_activation": (0.0, 20.0)}
ROUNDS = 2


def activation(traj) -> np.ndarray:
    """Activation frequency relative to health: osteoclasts formed per unit remodeling surface
    (precursors x RANK signalling x the differentiation modifier), the model's analogue of
    the Ac.f of physiology.yaml recker2004_activation_frequency_menopause."""
    return (np.asarray(traj["osteoclast_precursors"]) * np.asarray(traj["rankl_signal"])
            * np.asarray(traj["m_oc_differentiation"]))


def menopause_course(gains: dict[str, float]) -> dict[tuple[int, str], float]:
    """The model at each menopause datum: spine BMD change (%) and activation (x health) after
    an abrupt estrogen loss with aging (the pmo history), under the human ``gains``."""
    model = build_model("aging", species="human", exosome_layer=False)
    years = sorted({y for y, *_ in MENOPAUSE_DATA})
    traj = simulate(model, (0.0, max(years) * YEAR),
                    params={"estrogen_input": 0.0, **gains,
                            "aging_rate": SPECIES_PHYSIOLOGY["human"].value("aging_rate")},
                    saveat=SaveAt(times=[0.0] + [y * YEAR for y in years]))
    ls = np.asarray(traj["bmd_lumbar_spine"]) / traj["bmd_lumbar_spine"][0]
    acf = activation(traj)
    out = {}
    for i, y in enumerate(years, start=1):
        out[y, "spine"] = 100 * (ls[i] - 1)
        out[y, "activation"] = float(acf[i])
    return out


def fit_human_menopause(hold: tuple[str, ...] = ()) -> dict[str, float]:
    """Fit the human menopause gains (those in ``hold`` keep their table values)."""
    names = [n for n in MENOPAUSE_GAINS if n not in hold]

    def residuals(x: np.ndarray) -> list[float]:
        course = menopause_course(dict(zip(names, x, strict=True)))
        return [(course[y, q] - v) / abs(v) for y, q, v, _ in MENOPAUSE_DATA]

    start = [SPECIES_PHYSIOLOGY["human"].value(n) for n in names]
    lo, hi = zip(*(MENOPAUSE_GAINS[n] for n in names), strict=True)
    scale = [0.02 if n == "estrogen_sensitivity" else 1.0 for n in names]
    fit = least_squares(residuals, np.clip(start, lo, hi), bounds=(lo, hi), x_scale=scale)
    return dict(zip(names, (float(v) for v in fit.x), strict=True))


def menopause_spine(sensitivity: float) -> tuple[float, float]:
    """Lumbar spine BMD loss (%) over the first 3 years after an abrupt estrogen loss (SWAN
    transmenopause: 7.38, fitted) and its rate (%/yr) in years 3-8 (shown against
    physiology.yaml fsh_staging_cohort_menopause_rates: 1.1 %/yr 2-7 years after the FMP; the
    transmenopause starts a year before the FMP)."""
    model = build_model("healthy", species="human", exosome_layer=False)
    traj = simulate(model, (0.0, 8 * 365.0), saveat=SaveAt(times=[0.0, 3 * 365.0, 8 * 365.0]),
                    params={"estrogen_sensitivity": sensitivity, "estrogen_input": 0.0})
    ls = traj["bmd_lumbar_spine"] / traj["bmd_lumbar_spine"][0]
    return 100 * (1 - ls[1]), 100 * (ls[1] - ls[2]) / 5




def fit_human_estrogen() -> float:
    return brentq(lambda s: menopause_spine(s)[0] - 7.38, 0.01, 5.0, xtol=1e-4)


def fit_rodent_aging(species: str, day: float, ratio: float) -> float:
    model = build_model("aging", species=species, exosome_layer=False)
    return brentq(lambda r: _value_at(model, day, "bv_tv", {"aging_rate": r}) - ratio,
                  0.01, 50.0, xtol=1e-4)


def freedom_placebo_hip(rate: float) -> float:
    """Total hip BMD change (%) at 36 months of pmo (FREEDOM placebo: -1.4)."""
    _set("human", "aging_rate", rate)
    model = build_model("pmo", species="human", exosome_layer=False)
    return 100 * (_value_at(model, 3 * 365.0, "bmd_total_hip", {}) - 1)


def steady_aging_rate(rate: float) -> float:
    """Trabecular BV/TV change (%/yr) in years 10-13 of human aging (qct record: -1.61)."""
    model = build_model("aging", species="human", exosome_layer=False)
    traj = simulate(model, (0.0, 13 * 365.0), params={"aging_rate": rate},
                    saveat=SaveAt(times=[10 * 365.0, 13 * 365.0]))
    return 100 * ((traj["bv_tv"][1] / traj["bv_tv"][0]) ** (1 / 3) - 1)


def fit_human_aging() -> float:
    def cost(rate: float) -> float:
        return (((freedom_placebo_hip(rate) + 1.4) / 1.4) ** 2
                + ((steady_aging_rate(rate) + 1.61) / 1.61) ** 2)
    return minimize_scalar(cost, bounds=(0.0, 0.05), method="bounded",
                           options={"xatol": 1e-4}).x


def fit_human_with_activation(hold: tuple[str, ...] = ()) -> dict[str, float]:
    """The human menopause gains with ``e_activation`` and the aging rate, iterated (they share
    the aging course); the species table is updated as it goes."""
    fitted: dict[str, float] = {}
    for _ in range(ROUNDS):
        for name, value in fit_human_menopause(hold).items():
            _set("human", name, value)
            fitted[name] = value
        fitted["aging_rate"] = fit_human_aging()
        _set("human", "aging_rate", fitted["aging_rate"])
    return fitted


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--activation", action="store_true",
                    help="fit the human estrogen route on activation (e_activation) with the "
                         "estrogen sensitivity to SWAN and recker2004 (an experiment)")
    args = ap.parse_args()
    values = {("mouse", "estrogen_sensitivity"): fit_mouse_estrogen(),
              ("mouse", "aging_rate"): fit_rodent_aging("mouse", 213.0, 3.2 / 8.5),
              ("rat", "aging_rate"): fit_rodent_aging("rat", 274.0, 1 - 0.58)}
    if args.activation:
        values.update({("human", n): v for n, v in fit_human_with_activation().items()})
    else:
        sensitivity = fit_human_estrogen()
        _set("human", "estrogen_sensitivity", sensitivity)
        values["human", "estrogen_sensitivity"] = sensitivity
        values["human", "aging_rate"] = fit_human_aging()
    for (species, name), value in values.items():
        print(f"{species:6s} {name} = {value:.4g}   ({FITTED.get((species, name), 'session 7 experiment: '+ ' + '.join(sorted({r for *_, r in MENOPAUSE_DATA})))})")
    course = menopause_course({n: SPECIES_PHYSIOLOGY["human"].value(n) for n in MENOPAUSE_GAINS})
    for y, q, v, rid in MENOPAUSE_DATA:
        print(f"  giving: {q} at model year {y} (with aging): {course[y, q]:.3g} ({rid}: {v})")
    transition, later = menopause_spine(SPECIES_PHYSIOLOGY["human"].value("estrogen_sensitivity"))
    print(f"  giving, without aging: menopause lumbar spine -{transition:.2f} % over 3 years "
          f"(SWAN -7.38), -{later:.2f} %/yr in years 3-8 (FSH staging cohort: -1.1 %/yr 2-7 "
          "years after FMP)")
    rate = values["human", "aging_rate"]
    print(f"  giving: pmo total hip {freedom_placebo_hip(rate):.2f} % at 36 months (FREEDOM "
          f"placebo -1.4); human aging trabecular BV/TV {steady_aging_rate(rate):.2f} %/yr in "
          "years 10-13 (qct -1.61)")


if __name__ == "__main__":
    main()
