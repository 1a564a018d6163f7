"""Fit the dose scale of the MSC-exosome ceilings to Kirkham 2022 (MAG:0001); check MAG:0002.

    python benchmarks/calibrate_kirkham2022.py [--species rat mouse] [--write-fitted]

The datum is a treated-minus-control difference: MSC-EVs raise BV/TV in preclinical bone-injury
models by 22.2 percentage points (95 % CI 15.8-28.5) over controls
(data/calibration/exosome-magnitudes.yaml, MAG:0001, ``use: fit``). A difference of two arms
is two simulations, which a PEtab measurement cannot express (recipe.yaml), so this script fits
the difference itself, both arms simulated with the same parameters. The parameter,
``exo_dose_emax_scale__msc``, scales the ceilings of *administered* MSC-family exosomes only
(exobone.model.templates: the animal's own exosomes keep their ceilings, their usual level being
part of the calibrated core), so the untreated arm does not move with it (checked below) and
neither does any untreated scenario.

Modelling choices (Assumed, with reasons; also in data/calibration/README-exosomes.md):

- model quantity: ``100*defect_fill`` in the ``calvarial-defect`` scenario (percentage points of
  the defect volume filled with bone), read as the BV/TV of the injury's region of interest,
  which is where bone-injury studies measure BV/TV; not the systemic trabecular ``bv_tv``;
- typical regimen: one local dose of 400 µg/kg of BMSC exosomes at injury, i.e. 100 µg in the
  0.25 kg rat (the seeds' papers used about 50-200 µg per dose in rats, local); read-out at day
  56 (8 weeks) — the meta-analysis pools doses, routes and time points, so these stand for its
  average study. The dose is per kg so that rat and mouse get the same exposure (a dose pool
  holds rat-equivalent µg: equal µg/kg, equal pool, equal dosed response);
- one parameter, shared by rat and mouse: the scale says how potent MSC-EVs are per µg at the
  site, a property of the vesicles, not of the species; the meta-analysis pools rodent studies
  without a species split in its abstract, so the model quantity is the mean of the rat and the
  mouse difference (equal weights, assumed). Humans keep the assumed scale 1 (no human data).

Fit: least squares with the noise of the printed CI (sigma = half-width / 1.96), one datum and
one parameter, so the estimate is the root of ``mean difference = 22.2`` and the
profile-likelihood 95 % interval the scales at which it is 15.8 and 28.5 (the difference is
checked to be monotone in the scale on a grid first). ``--write-fitted`` writes the estimate
with its interval, for rat and mouse, to src/exobone/model/fitted_values.yaml.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import math
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import brentq

from exobone.model.assemble import build_model
from exobone.model.fitted import FittedValue, write_fitted
from exobone.simulate import SaveAt, simulate

ROOT = Path(__file__).resolve().parents[1]
MAGNITUDES = ROOT / "data" / "calibration" / "exosome-magnitudes.yaml"
SCENARIO, REGIMEN = "calvarial-defect", "exosome:bmsc,dose=400ug/kg,route=local"
PROBLEM = "Kirkham 2022 meta-analysis by benchmarks/calibrate_kirkham2022.py"
DOSE, SCALE, DAY = "dose_bmsc_ug", "exo_dose_emax_scale__msc", 56.0
BOUNDS = (0.1, 20.0)
Z95 = 1.959963984540054


def record(mag_id: str) -> dict:
    recs = yaml.safe_load(MAGNITUDES.read_text(encoding="utf-8"))["records"]
    return next(r for r in recs if r["id"] == mag_id)


class Difference:
    """Treated minus untreated ``100*defect_fill`` of one species at the read-out day, as a
    function of the dose scale."""

    def __init__(self, species: str) -> None:
        # the scale is set in every run, so a shipped fit of it does not matter here
        self.species = species
        self.model = build_model(SCENARIO, [REGIMEN], species=species)
        self.dose = self.model.require_parameter(DOSE).value
        self.evaluations = 0
        self.control = self.fill(1.0, 0.0)
        # the untreated arm has no dose, hence no dosed response: the scale cannot move it
        if self.fill(BOUNDS[1], 0.0) != self.control:
            raise SystemExit(f"[{species}] the untreated arm moves with {SCALE}: the dose "
                             f"scale must act on administered exosomes only")

    def fill(self, scale: float, dose: float) -> float:
        self.evaluations += 1
        tr = simulate(self.model, (0.0, DAY), params={DOSE: dose, SCALE: scale},
                      saveat=SaveAt([0.0, DAY]))
        return 100.0 * float(tr["defect_fill"][-1])

    def __call__(self, scale: float) -> float:
        return self.fill(scale, self.dose) - self.control


class Pooled:
    """The mean difference of the species (the rodent studies the meta-analysis pools)."""

    def __init__(self, species: list[str]) -> None:
        self.parts = [Difference(s) for s in species]

    def __call__(self, scale: float) -> float:
        return float(np.mean([d(scale) for d in self.parts]))

    @property
    def evaluations(self) -> int:
        return sum(d.evaluations for d in self.parts)


def fit(species: list[str], fit_rec: dict, held_out: dict) -> list[FittedValue]:
    value, (low, high) = fit_rec["effect"]["value"], fit_rec["effect"]["ci95"]
    sigma = (high - low) / (2 * Z95)
    diff = Pooled(species)
    for d in diff.parts:
        print(f"[{d.species}] {REGIMEN}: {d.dose:g} µg per animal; untreated fill at day "
              f"{DAY:g}: {d.control:.2f} % (any scale)")
    grid = np.geomspace(*BOUNDS, 13)
    print(f"scale   treated-minus-control (points of defect fill, day {DAY:g}): "
          + "  ".join(species) + "  mean")
    curve = []
    for s in grid:
        parts = [d(s) for d in diff.parts]
        curve.append(float(np.mean(parts)))
        print(f"{s:7.3f} " + " ".join(f"{p:8.2f}" for p in parts) + f" {curve[-1]:8.2f}")
    if any(b <= a for a, b in itertools.pairwise(curve)):
        raise SystemExit("the difference is not increasing in the scale on the grid: "
                         "the root-based interval does not apply")

    def root(target: float) -> float:
        if not curve[0] < target < curve[-1]:
            raise SystemExit(f"no scale in {BOUNDS} gives a difference of {target}")
        return brentq(lambda s: diff(s) - target, *BOUNDS, xtol=1e-4)

    est, lo, hi = root(value), root(low), root(high)
    nllh = 0.5 * math.log(2 * math.pi * sigma**2) + 0.5 * ((diff(est) - value) / sigma) ** 2
    print(f"MAG:0001 BV/TV +{value} ({low}-{high}), sigma {sigma:.3f}")
    print(f"{SCALE} = {est:.4g}  95 % profile interval [{lo:.4g}, {hi:.4g}]  nllh {nllh:.4f}  "
          f"({diff.evaluations} simulations)")
    hv, (hl, hh) = held_out["effect"]["value"], held_out["effect"]["ci95"]
    for d in diff.parts:
        treated = d.fill(est, d.dose)
        gain = treated - d.control
        print(f"[{d.species}] at the estimate: treated {treated:.2f} vs untreated "
              f"{d.control:.2f} (+{gain:.2f} points); held out MAG:0002 new bone formation "
              f"+{hv} ({hl}-{hh}): {'inside' if hl <= gain <= hh else 'outside'} the CI")
    today = datetime.date.today().isoformat()
    return [FittedValue(SCALE, s, est, (lo, hi), 0.95, "profile", "lin", BOUNDS, PROBLEM,
                        ("MAG:0001",), nllh, today) for s in species]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--species", nargs="+", default=["rat", "mouse"])
    ap.add_argument("--write-fitted", action="store_true")
    args = ap.parse_args()
    entries = fit(args.species, record("MAG:0001"), record("MAG:0002"))
    if args.write_fitted:
        print(f"wrote {write_fitted(entries)}")


if __name__ == "__main__":
    main()
