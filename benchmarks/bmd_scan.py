"""Scan core variants against the antiresorptive BMD rows and the physiology they must keep.

One row per variant (docs/dev/coupling-findings.md, session 4): denosumab total hip vs placebo
at 12/24/36 months, zoledronate hip and alendronate spine at 36 months, denosumab P1NP at 24
months, denosumab stopped after the month-18 dose (hip at 24 -> 36 -> 48 months), human aging
(spine, hip, BV/TV %/yr in years 10-13), menopause spine BMD at 1 and 3 years, the pmo placebo
hip at 36 months, rat OVX BV/TV at days 35 and 100, mouse OVX BV/TV vs sham at one month; and,
to read the mechanism, the trabecular and cortical parts of the denosumab hip gain and the
relative trabecular turnover at the start of a pmo run. Core only (``exosome_layer=False``).

A variant sets species parameters (``--species human.coupling_share=0.8``, applied to the
species table the builder reads, so the pmo history uses them) and core parameters
(``--core K_surface=20``); ``--refit`` first redoes ``scripts/calibrate_species.py``'s human
fits (estrogen sensitivity to SWAN, aging rate to its two records) under the variant.

Usage::

    PYTHONPATH=src python benchmarks/bmd_scan.py --label "w 0.8" --species human.coupling_share=0.8 --refit
    PYTHONPATH=src python benchmarks/bmd_scan.py --label "route, n 1" --refit-activation
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "scripts"))

import calibrate_species
import drug_trials as dt

from exobone.model import core_parameters
from exobone.model.assemble import build_model
from exobone.model.scenarios import osteoporosis
from exobone.model.species import SPECIES_PHYSIOLOGY
from exobone.simulate import SaveAt, simulate

YEAR = 365.0


def set_species(species: str, name: str, value: float) -> None:
    table = SPECIES_PHYSIOLOGY[species].parameters
    table[name] = (value, *table[name][1:])


def set_core(name: str, value: float) -> None:
    for i, row in enumerate(core_parameters.PARAMETER_TABLE):
        if row[0] == name:
            core_parameters.PARAMETER_TABLE[i] = (row[0], value, *row[2:])
            return
    raise SystemExit(f"no core parameter {name!r}")


def _gain(treated, placebo, site: str, month: float) -> float:
    d = dt._day(month)
    return 100 * (dt._at(treated, site, d) - dt._at(placebo, site, d))


def _run(interventions, days):
    """drug_trials' run plus the compartments and the trabecular formation rate."""
    model = dt._model("pmo", "human", interventions)
    out = dt._run(model, days)
    traj = simulate(model, (0.0, max(days)), saveat=SaveAt(times=out["times"]))
    out["cortical_rel"] = np.asarray(traj["cortical_bone"]) / traj["cortical_bone"][0]
    out["formation_rate"] = np.asarray(traj["formation_rate"])
    return out


def drug_rows() -> dict[str, float]:
    days = [dt._day(m) for m in range(49)]
    placebo = _run((), days)
    dmab = _run(("denosumab,dose=60mg,every=182",), days)
    out0 = {"dmab_cort36": _gain(dmab, placebo, "cortical_rel", 36),
            "dmab_bfr36": 100 * (dt._at(dmab, "formation_rate", dt._day(36))
                                 / dt._at(placebo, "formation_rate", dt._day(36)) - 1)}
    zol_model = dt._model("pmo", "human", ("zoledronate,dose=5mg,every=365",))
    zol_fit = dt._run(zol_model, days)
    out0["zol_fit_th36"] = _gain(zol_fit, placebo, "bmd_total_hip", 36)
    # the hand-set potency that matches HORIZON's markers (the fitted one trades them for BMD)
    zol = dt._run(zol_model, days, {"zoledronate_ec50": 15.0})
    out0["zol_ctx12"] = 100 * (dt._at(zol, "ctx", dt._day(12))
                               / dt._at(placebo, "ctx", dt._day(12)) - 1)
    aln = dt._run(dt._model("pmo", "human", ("alendronate,dose=10mg,every=1",)), days)
    stop = dt._run(dt._model("pmo", "human", dt.STOPPED), days)
    tpt = dt._run(dt._model("pmo", "human", ("teriparatide,dose=20ug,every=1",)), days)
    out0["tpt_ls21"] = _gain(tpt, placebo, "bmd_lumbar_spine", 21)
    for m in (1, 6):
        out0[f"tpt_p1np{m}"] = 100 * (dt._at(tpt, "p1np", dt._day(m)) - 1)
    out0["zol_p1np12"] = 100 * (dt._at(zol, "p1np", dt._day(12))
                                / dt._at(placebo, "p1np", dt._day(12)) - 1)
    out0["aln_p1np6"] = 100 * (dt._at(aln, "p1np", dt._day(6)) - 1)
    out = {f"dmab_th{m}": _gain(dmab, placebo, "bmd_total_hip", m) for m in (12, 24, 36)}
    out.update(out0)
    out["dmab_trab36"] = _gain(dmab, placebo, "bv_tv_rel", 36)
    out["zol_th36"] = _gain(zol, placebo, "bmd_total_hip", 36)
    out["aln_ls36"] = _gain(aln, placebo, "bmd_lumbar_spine", 36)
    d24 = dt._day(24)
    out["dmab_p1np24"] = 100 * (dt._at(dmab, "p1np", d24) / dt._at(placebo, "p1np", d24) - 1)
    out["dmab_ctx24"] = 100 * (dt._at(dmab, "ctx", d24) / dt._at(placebo, "ctx", d24) - 1)
    for m in (24, 36, 48):
        out[f"stop_th{m}"] = _gain(stop, placebo, "bmd_total_hip", m)
    out["pmo_th36"] = 100 * (dt._at(placebo, "bmd_total_hip", dt._day(36)) - 1)
    out["pmo_trab36"] = 100 * (dt._at(placebo, "bv_tv_rel", dt._day(36)) - 1)
    out["pmo_cort36"] = 100 * (dt._at(placebo, "cortical_rel", dt._day(36)) - 1)
    model = dt._model("pmo", "human", ())
    traj = simulate(model, (0.0, 1.0), saveat=SaveAt(times=[0.0]))
    out["pmo_turnover"] = 100 * 365 * float(traj["resorption_rate"][0] / traj["bv_tv"][0])
    out["pmo_acf"] = float(activation(traj)[0])
    out["pmo_sclerostin"] = float(traj["sclerostin"][0])
    out["pmo_bvtv0"] = float(traj["bv_tv"][0])
    return out


activation = calibrate_species.activation


def physiology_rows() -> dict[str, float]:
    out: dict[str, float] = {}
    aging = build_model("aging", species="human", exosome_layer=False)
    traj = simulate(aging, (0.0, 13 * YEAR), saveat=SaveAt(times=[10 * YEAR, 13 * YEAR]))
    for key, o in (("aging_ls", "bmd_lumbar_spine"), ("aging_th", "bmd_total_hip"),
                   ("aging_bv", "bv_tv")):
        out[key] = 100 * (1 - (traj[o][1] / traj[o][0]) ** (1 / 3))
    healthy = build_model("healthy", species="human", exosome_layer=False)
    traj = simulate(healthy, (0.0, 6 * YEAR), params={"estrogen_input": 0.0},
                    saveat=SaveAt(times=[0.0, YEAR, 3 * YEAR, 6 * YEAR]))
    ls = traj["bmd_lumbar_spine"]
    out["swan_ls1"], out["swan_ls3"] = 100 * (ls[1] - 1), 100 * (ls[2] - 1)
    out["swan_ls6"] = 100 * (ls[3] - 1)
    out["swan_acf1"] = float(activation(traj)[1])
    out["swan_sclerostin3"] = float(traj["sclerostin"][2])
    rat = simulate(build_model("ovx", species="rat", exosome_layer=False), (0.0, 100.0),
                   saveat=SaveAt(times=[0.0, 35.0, 100.0]))
    out["rat_d35"], out["rat_d100"] = float(rat["bv_tv"][1]), float(rat["bv_tv"][2])
    mouse = simulate(build_model("ovx", species="mouse", exosome_layer=False), (0.0, 30.0),
                     saveat=SaveAt(times=[0.0, 30.0]))
    out["mouse_m1"] = float(mouse["bv_tv"][1] / mouse["bv_tv"][0])
    return out


def refit_human_with_activation() -> dict[str, float]:
    """Session 7: the human estrogen route on activation fitted with the estrogen sensitivity
    to SWAN and recker2004, then the aging rate (``calibrate_species.py --activation``)."""
    out = calibrate_species.fit_human_with_activation()
    course = calibrate_species.menopause_course(
        {n: SPECIES_PHYSIOLOGY["human"].value(n) for n in calibrate_species.MENOPAUSE_GAINS})
    out.update({f"{q}{y}": v for (y, q), v in course.items()})
    return out


def refit_human(aging_fit: str = "both") -> dict[str, float]:
    sensitivity = calibrate_species.fit_human_estrogen()
    set_species("human", "estrogen_sensitivity", sensitivity)
    if aging_fit == "qct":  # the young-adult trabecular rate alone (FREEDOM placebo held out)
        from scipy.optimize import brentq
        rate = brentq(lambda r: calibrate_species.steady_aging_rate(r) + 1.61, 1e-4, 0.5,
                      xtol=1e-5)
    else:
        rate = calibrate_species.fit_human_aging()
    set_species("human", "aging_rate", rate)
    return {"human_estrogen_sensitivity": sensitivity, "human_aging_rate": rate}


ROW = ("dmab_th12", "dmab_th24", "dmab_th36", "zol_th36", "aln_ls36", "dmab_p1np24",
       "stop_th24", "stop_th36", "stop_th48", "aging_ls", "aging_th", "aging_bv", "swan_ls1",
       "swan_ls3", "pmo_th36", "rat_d35", "rat_d100", "mouse_m1", "dmab_trab36", "dmab_cort36", "dmab_bfr36",
       "tpt_ls21", "tpt_p1np1", "tpt_p1np6", "zol_p1np12", "aln_p1np6", "zol_ctx12",
       "zol_fit_th36",
       "pmo_turnover", "pmo_bvtv0", "pmo_trab36", "pmo_cort36", "swan_ls6",
       "swan_acf1", "pmo_acf", "swan_sclerostin3", "pmo_sclerostin")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", default="current")
    ap.add_argument("--species", action="append", default=[], metavar="SPECIES.NAME=VALUE")
    ap.add_argument("--core", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--refit", action="store_true")
    ap.add_argument("--refit-activation", action="store_true",
                    help="refit the human estrogen gains with the route on activation "
                         "(e_activation) to SWAN and recker2004, then the aging rate")
    ap.add_argument("--pmo-years", type=float, default=None)
    ap.add_argument("--aging-fit", choices=("both", "qct"), default="both")
    ap.add_argument("--mechanostat-rankl", type=float, default=None, metavar="N",
                    help="n_sclerostin_rankl = N in every species (RANKL x sclerostin^N; the "
                         "core has it for humans only, the session-4 experiment in all)")
    args = ap.parse_args()
    for item in args.species:
        key, value = item.split("=")
        species, name = key.split(".")
        for s in (SPECIES_PHYSIOLOGY if species == "all" else [species]):
            set_species(s, name, float(value))
    for item in args.core:
        key, value = item.split("=")
        set_core(key, float(value))
    if args.mechanostat_rankl is not None:
        for s in SPECIES_PHYSIOLOGY:
            set_species(s, "n_sclerostin_rankl", args.mechanostat_rankl)
    if args.pmo_years is not None:
        osteoporosis.PMO_YEARS_SINCE_MENOPAUSE = args.pmo_years
    out: dict[str, float] = {}
    if args.refit_activation:
        out.update(refit_human_with_activation())
    elif args.refit:
        out.update(refit_human(args.aging_fit))
    out.update(drug_rows())
    out.update(physiology_rows())
    print(json.dumps({"label": args.label, **out}))
    print(f"| {args.label} | " + " | ".join(f"{out[k]:.2f}" for k in ROW) + " |")


if __name__ == "__main__":
    main()
