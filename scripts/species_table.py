"""Print the per-species physiology the bone core gives (issue 12): one row per species.

Columns: healthy trabecular turnover (%/yr, resorption rate / BV/TV), the remodeling periods
(osteoclast and osteoblast mean lives 1/k_oc_apoptosis and 1/k_ob_removal, and the days the
resorption and formation rates stay raised after a two-week RANKL pulse, and the days until
BV/TV has refilled 90 % of the deficit the pulse dug), healthy BV/TV at the default site,
estrogen loss (rodents: ``ovx`` BV/TV vs sham at 1 and 3 months; human: menopause from health,
lumbar spine BMD at 1 and 3 years, and the ``pmo`` untreated arm, total hip BMD at 1 and 3
years), aging (BV/TV %/yr over the first year in rodents; lumbar spine and total hip BMD
%/yr over years 10-13 in human, past the lag of slow turnover). Core only
(``exosome_layer=False``).

Run ``python scripts/species_table.py``.
"""

from __future__ import annotations

import numpy as np

from exobone.model.assemble import build_model
from exobone.model.spec import Event
from exobone.simulate import SaveAt, simulate


def pulse(species: str) -> tuple[float, float, float]:
    """Days resorption > +10 %, formation > +2 %, and days to refill 90 % of the BV deficit."""
    model = build_model("healthy", species=species, exosome_layer=False)
    stim = (Event("stimulus_on", {"rankl_stimulus": "3"}, at_times=(0.0,)),
            Event("stimulus_off", {"rankl_stimulus": "1"}, at_times=(14.0,)))
    t = np.arange(0.0, 3001.0, 1.0)
    traj = simulate(model, (0.0, t[-1]), events=stim, saveat=SaveAt(times=t))
    res = traj["resorption_rate"] / traj["resorption_rate"][0]
    form = traj["formation_rate"] / traj["formation_rate"][0]
    bv = traj["bv_tv"]
    res_days, form_days = t[res > 1.1], t[form > 1.02]
    deficit = bv[0] - bv
    low = int(np.argmax(deficit))
    refilled = t[low:][deficit[low:] <= 0.1 * deficit[low]]
    return (res_days.max() - res_days.min() if res_days.size else 0.0,
            form_days.max() - form_days.min() if form_days.size else 0.0,
            refilled[0] - t[low] if refilled.size else float("inf"))


def _change(model, days: list[float], outcome: str, params=None) -> list[float]:
    traj = simulate(model, (0.0, max(days)), params=params, saveat=SaveAt(times=[0.0, *days]))
    return [100 * (v / traj[outcome][0] - 1) for v in traj[outcome][1:]]


def row(species: str) -> dict[str, str]:
    model = build_model("healthy", species=species, exosome_layer=False)
    p = {x.name: x.value for x in model.parameters}
    bv = p["bv_tv_healthy"]
    turnover = p["trabecular_turnover"] * 100
    res_d, form_d, refill = pulse(species)
    out = {"species": species, "site": model.metadata["site"],
           "turnover %/yr": f"{turnover:.0f}",
           "OC/OB life d": f"{1 / p['k_oc_apoptosis']:.0f}/{1 / p['k_ob_removal']:.0f}",
           "pulse res/form d": f"{res_d:.0f}/{form_d:.0f}", "refill90 d": f"{refill:.0f}",
           "BV/TV %": f"{bv:.1f}"}
    if species == "human":
        meno = _change(model, [365.0, 3 * 365.0], "bmd_lumbar_spine", {"estrogen_input": 0.0})
        pmo = _change(build_model("pmo", species="human", exosome_layer=False),
                      [365.0, 3 * 365.0], "bmd_total_hip")
        aging = build_model("aging", species="human", exosome_layer=False)
        traj = simulate(aging, (0.0, 13 * 365.0), saveat=SaveAt(times=[10 * 365.0, 13 * 365.0]))
        rates = [100 * ((traj[o][1] / traj[o][0]) ** (1 / 3) - 1)
                 for o in ("bmd_lumbar_spine", "bmd_total_hip", "bv_tv")]
        out["estrogen loss"] = (f"menopause LS BMD {meno[0]:+.1f}%/1y {meno[1]:+.1f}%/3y; "
                                f"pmo TH BMD {pmo[0]:+.1f}%/1y {pmo[1]:+.1f}%/3y")
        out["aging %/yr"] = (f"LS {rates[0]:+.2f} TH {rates[1]:+.2f} BV/TV {rates[2]:+.2f} "
                             "(yr 10-13)")
    else:
        ovx = _change(build_model("ovx", species=species, exosome_layer=False),
                      [30.0, 91.0], "bv_tv")
        aging = _change(build_model("aging", species=species, exosome_layer=False), [365.0],
                        "bv_tv")
        out["estrogen loss"] = f"OVX BV/TV {ovx[0]:+.0f}%/1mo {ovx[1]:+.0f}%/3mo"
        out["aging %/yr"] = f"BV/TV {aging[0]:+.0f} (first year)"
    return out


def main() -> None:
    rows = [row(s) for s in ("human", "rat", "mouse")]
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(r[k] for k in keys) + " |")


if __name__ == "__main__":
    main()
