"""Clinical drug regimens against their trials: predicted vs published (issue 12, point 4).

Runs each clinical regimen against placebo in the human postmenopausal scenario (``pmo``; where
it is not registered, ``aging`` in humans, said in the header) and prints, for the trial numbers
of ``data/calibration/pharmacology.yaml``, the model's value next to the published one, with the
record id. Then denosumab stopped (rebound) and the rat check: OVX + intermittent PTH
40 µg/kg/day must end above untreated OVX in BV/TV at day 56.

The drug potencies are fitted with ``exobone calibrate`` to the PEtab problems
``data/calibration/petab/human_pmo_{denosumab,zoledronate,alendronate,teriparatide}`` and
written back to ``src/exobone/model/fitted_values.yaml``, which the model builder applies; the
head of the output lists them with their intervals. ``*`` marks a row whose number is a
measurement of those fits (``measurements.tsv``); the others are held out or not a PEtab datum
(e.g. the 1-month CTX nadir, for which no record was read).

BMD is ``bmd_total_hip`` / ``bmd_lumbar_spine`` (1.0 at the start) when the model has them;
otherwise BV/TV relative to its start stands in for both sites (said in the table). Differences
vs placebo are percentage points (treated minus placebo, x100); markers are % vs placebo at the
same day, or ``%b`` vs pretreatment.

Usage::

    PYTHONPATH=src python benchmarks/drug_trials.py [--scenario pmo]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from dataclasses import dataclass

import numpy as np

from exobone.model.assemble import build_model
from exobone.model.fitted import source_kind
from exobone.model.parameters import Fitted
from exobone.model.scenarios import SCENARIOS
from exobone.model.spec import ModelSpec
from exobone.simulate import SaveAt, simulate

MONTH = 365.25 / 12


@dataclass(frozen=True)
class Row:
    drug: str
    quantity: str
    month: float
    published: float
    record: str
    kind: str = "pp"  # "pp": BMD pp vs placebo; "pct": % vs placebo; "base": % vs baseline
    fit: bool = True  # a measurement of the drug's PEtab problem (else: held out / no datum)


def _model(scenario: str, species: str, interventions: Sequence[str]) -> ModelSpec:
    return build_model(scenario, list(interventions), species=species, exosome_layer=False)


def _run(model: ModelSpec, days: Sequence[float], params: dict[str, float] | None = None
         ) -> dict[str, np.ndarray]:
    times = sorted(set([0.0, *days]))
    traj = simulate(model, (0.0, max(times)), saveat=SaveAt(times=times), params=params or {})
    out = {name: np.asarray(traj[name], dtype=float)
           for name in ("bmd_total_hip", "bmd_lumbar_spine", "bv_tv", "ctx", "p1np")
           if name in traj}
    if "bv_tv" in out:
        out["bv_tv_rel"] = out["bv_tv"] / out["bv_tv"][0]
    out["times"] = np.asarray(times)
    return out


def _at(run: dict[str, np.ndarray], name: str, day: float) -> float:
    return float(run[name][int(np.argmin(np.abs(run["times"] - day)))])


def _bmd(run: dict[str, np.ndarray], site: str) -> str:
    return site if site in run else "bv_tv_rel"


def _day(month: float) -> float:
    """Sampling day of a trial month: two days before it, so a dose falling on it (182 x 2 =
    364, 365) is not yet given (a trough)."""
    return max(round(month * MONTH) - 2.0, 0.0)


@dataclass(frozen=True)
class Arm:
    interventions: tuple[str, ...]
    rows: tuple[Row, ...]
    params: tuple[str, ...]  # PD parameters fitted by the drug's PEtab problem


ARMS: dict[str, Arm] = {
    "denosumab 60 mg q6mo": Arm(("denosumab,dose=60mg,every=182",), (
        Row("denosumab", "ctx", 1, -85.0, "issue 12: ~80-90 % at one month (in 'wanted')",
            "pct", fit=False),
        Row("denosumab", "ctx", 24, -63.0, "defend_offtx_bone2011_markers_on_treatment", "pct"),
        Row("denosumab", "p1np", 24, -47.0, "defend_offtx_bone2011_markers_on_treatment",
            "pct"),
        Row("denosumab", "bmd_total_hip", 12, 3.3, "freedom_th_bmd_vs_placebo (both arms "
            "fitted)"),
        Row("denosumab", "bmd_total_hip", 24, 5.1, "freedom_th_bmd_vs_placebo (both arms "
            "fitted)"),
        Row("denosumab", "bmd_total_hip", 36, 6.4, "freedom_th_bmd_vs_placebo (both arms "
            "fitted)"),
        Row("denosumab", "bmd_lumbar_spine", 24, 6.4, "defend_offtx_bone2011_bmd_on_treatment",
            fit=False),
    ), ("denosumab_kd", "denosumab_inactivation")),
    "zoledronate 5 mg yearly": Arm(("zoledronate,dose=5mg,every=365",), (
        Row("zoledronate", "ctx", 12, -50.0, "horizon_pft_zol_markers (before next infusion)",
            "pct"),
        Row("zoledronate", "p1np", 12, -56.0, "horizon_pft_zol_markers (before next infusion)",
            "pct"),
        Row("zoledronate", "bmd_total_hip", 36, 6.02, "horizon_pft_bmd_36mo_secondary"),
        Row("zoledronate", "bmd_lumbar_spine", 36, 6.71, "horizon_pft_bmd_36mo_secondary"),
    ), ("zoledronate_ec50",)),
    "alendronate 10 mg daily": Arm(("alendronate,dose=10mg,every=1",), (
        Row("alendronate", "ctx", 6, -72.0, "mcclung2005_teriparatide_vs_alendronate (urinary "
            "NTX, vs baseline)", "base"),
        Row("alendronate", "p1np", 6, -67.0, "mcclung2005_teriparatide_vs_alendronate (vs "
            "baseline)", "base"),
        Row("alendronate", "bmd_lumbar_spine", 36, 8.8, "liberman1995_alendronate_phase3_bmd"),
    ), ("alendronate_ec50",)),
    "alendronate 70 mg weekly": Arm(("alendronate,dose=70mg,every=7",), (
        Row("alendronate", "bmd_lumbar_spine", 12, 4.47, "alendronate70_weekly_china_bmd "
            "(4.87 - 0.4)", fit=False),
        Row("alendronate", "bmd_total_hip", 12, 2.28, "alendronate70_weekly_china_bmd "
            "(2.56 - 0.28)", fit=False),
    ), ()),
    "teriparatide 20 ug daily": Arm(("teriparatide,dose=20ug,every=1",), (
        Row("teriparatide", "bmd_lumbar_spine", 21, 9.0, "neer2001_bmd"),
        Row("teriparatide", "bmd_total_hip", 21, 3.0, "neer2001_bmd (femoral neck, against the "
            "model's total hip; not in the fit)", fit=False),
        Row("teriparatide", "p1np", 1, 105.0, "teriparatide_p1np_1month_secondary (vs "
            "baseline)", "base", fit=False),
        Row("teriparatide", "p1np", 6, 218.0, "mcclung2005_teriparatide_vs_alendronate (vs "
            "baseline)", "base"),
        Row("teriparatide", "ctx", 6, 58.0, "mcclung2005 (urinary NTX, vs baseline)", "base"),
    ), ("pth_lining_activation", "pth_lining_reservoir", "pth_modeling_rankl",
        "pth_modeling_cortical")),
}

#: denosumab stopped: doses at months 0, 6, 12, 18; the month-24 dose is missed
STOPPED = ("denosumab,dose=60mg,every=182,stop=546",)


def _value(row: Row, treated: dict[str, np.ndarray], placebo: dict[str, np.ndarray]) -> float:
    day = _day(row.month)
    if row.kind == "pp":
        site = _bmd(treated, row.quantity)
        return 100 * (_at(treated, site, day) - _at(placebo, site, day))
    if row.kind == "pct":
        return 100 * (_at(treated, row.quantity, day) / _at(placebo, row.quantity, day) - 1)
    # vs the pretreatment level: the placebo arm's start (the drug may act from day 0)
    return 100 * (_at(treated, row.quantity, day) / _at(placebo, row.quantity, 0.0) - 1)


def _days(rows: Sequence[Row]) -> list[float]:
    return [_day(r.month) for r in rows]


def _sources(model: ModelSpec, names: Sequence[str]) -> str:
    """``name = value [low, high] (problem)`` for fitted parameters, else the source kind."""
    out = []
    for n in names:
        p = model.require_parameter(n)
        src = p.source
        if isinstance(src, Fitted):
            lo, hi = src.interval
            out.append(f"{n} = {p.value:.4g} [{lo:.3g}, {hi:.3g}] "
                       f"({Path(src.problem).stem})")
        else:
            out.append(f"{n} = {p.value:.4g} ({source_kind(src)})")
    return "; ".join(out)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default="pmo" if "pmo" in SCENARIOS else "aging")
    args = ap.parse_args(argv)
    scen = args.scenario
    all_days = [_day(m) for m in range(0, 49)]
    placebo = _run(_model(scen, "human", ()), all_days)
    bmd_note = ("" if "bmd_total_hip" in placebo else
                "  (no bmd_* outcome in this model: BV/TV relative to day 0 stands in)")
    print(f"scenario {scen} (human){bmd_note}; pp = percentage points vs placebo, % = vs "
          f"placebo, %b = vs pretreatment; * = fitted to")
    print(f"{'regimen':<26} {'quantity':<17} {'month':>5} {'model':>8} {'published':>9}  record")
    for name, arm in ARMS.items():
        model = _model(scen, "human", arm.interventions)
        if arm.params:
            print(f"{name}: {_sources(model, arm.params)}")
        treated = _run(model, all_days)
        for row in arm.rows:
            unit = {"pp": "pp", "pct": "%", "base": "%b"}[row.kind]
            print(f"{name:<26} {row.quantity:<17} {row.month:>5g} "
                  f"{_value(row, treated, placebo):>7.1f}{unit:<2} {row.published:>8.1f}"
                  f"{'*' if row.fit else ' '} {row.record}")
    stopped = _run(_model(scen, "human", STOPPED), all_days)
    print("denosumab stopped after the month-18 dose (month-24 dose missed):")
    for m in (24, 27, 30, 33, 36, 42, 48):
        d = _day(m)
        ctx = 100 * (_at(stopped, "ctx", d) - 1)
        th = _bmd(stopped, "bmd_total_hip")
        gain = 100 * (_at(stopped, th, d) - _at(placebo, th, d))
        print(f"  month {m:>2}: CTX {ctx:+6.1f} % vs pretreatment; {th} {gain:+5.1f} pp vs "
              f"placebo")
    print("  published: CTX above baseline within 3 months of stopping, back by month 48 "
          "(defend_offtx_bone2011_rebound); BMD gained is lost within 1-2 years "
          "(bern_freedom_ext_offtx_1yr_bmd)")
    ovx = _run(_model("ovx", "rat", ()), [56.0])
    pth = _run(_model("ovx", "rat", ("pth-intermittent,dose=40ug/kg,every=1",)), [56.0])
    print(f"rat OVX day 56 BV/TV: untreated {_at(ovx, 'bv_tv', 56):.2f} %, + PTH 40 ug/kg/day "
          f"{_at(pth, 'bv_tv', 56):.2f} % (must be higher: rat_ovx_pth60_linear_bvtv_gain)")


if __name__ == "__main__":
    main()
