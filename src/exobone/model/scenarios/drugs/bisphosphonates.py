"""Bisphosphonates: zoledronate (i.v.), alendronate (oral), and ``bisphosphonate`` (= zoledronate).

PK: a dose reaches the circulation with the route's bioavailability (i.v. 1; oral alendronate
0.65 %, record ``alendronate_oral_bioavailability_review``: "0.6-0.7 %" fasting) and about half
of it binds to bone mineral (records ``zoledronate_ria_urinary_recovery``,
``alendronate_iv_skeletal_retention``); the rest is excreted by the kidney. The plasma phase lasts hours, so
on the model's time scale (days) the bound share is added to the bone-bound pool at the dose
(exact up to those hours, stated here rather than approximated silently). The bound drug
(µg per kg body weight) is freed only with the bone that carries it, when osteoclasts resorb
it, and most of what is freed binds again (recycling, assumed 0.8): loss = (1 - recycling) x
pool x resorption_rate / bone_volume. So it persists for many years in humans (turnover
~25 %/yr), longer still while it suppresses resorption, and for months in rats.

PD: resorbing osteoclasts take the drug up with the matrix; occupancy = x/(1 + x) with
x = pool/EC50 of the drug; it inactivates them (resorption per osteoclast x (1 - Imax x occ))
and induces their apoptosis (x (1 + Amax x occ)). Imax and Amax are shared by the family; the
EC50s (zoledronate is the more potent) are fitted to HORIZON and the alendronate trials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from exobone.model.parameters import Assumed, Reference
from exobone.model.species import record
from exobone.model.scenarios.drugs.regimen import (
    Regimen,
    add_parameter_once,
    dose_events,
    dose_parameter,
    register_drug,
    resolve_regimen,
)

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder
    from exobone.model.parameters import Source
    from exobone.model.scenarios.interventions import Intervention

_HAND = ("set by hand against {what} before the PEtab problems existed and not refitted (each "
         "drug's problem fits its own EC50 only, the family maxima are shared); an assumption")
_DEFAULT = ("where no fit applies (rat, mouse): the value before the fit of {problem}, whose "
            "estimate and interval data/calibration/petab/{problem} writes to fitted_values.yaml "
            "for humans (fitted to {what}); an assumption outside humans")
BRIXEN_2005 = Reference(
    "Brixen", 2005, title="Alendronat en gang om ugen", journal="Ugeskr Laeger",
    note="data/calibration/pharmacology.yaml record alendronate_oral_bioavailability_review "
         "(secondary, a review): 'only 0.6-0.7 % of the dose is absorbed' when fasting; the "
         "midpoint 0.65 % is used")


BONE_UPTAKE = record(
    "zoledronate_ria_urinary_recovery",
    "'recovery of only 40-50% of the dose in urine' (zoledronate i.v.; with "
    "alendronate_iv_skeletal_retention: 'Approximately 50% of the total dose was excreted over "
    "the first 5 days'): about half of a systemic dose binds to bone, 0.5 taken",
    author="unknown", file="pharmacology.yaml")


@dataclass(frozen=True)
class Bisphosphonate:
    """One drug of the family: its state, bioavailability and potency."""

    drug: str
    bioavailability: float
    bioavailability_source: Source
    ec50: float
    ec50_fitted_to: str


ZOLEDRONATE = Bisphosphonate(
    "zoledronate", 1.0, Assumed("intravenous infusion: the whole dose is in the circulation"),
    ec50=15.0, ec50_fitted_to="HORIZON-PFT BMD and markers (horizon_pft_bmd_36mo_secondary, "
                              "horizon_pft_zol_markers)")
ALENDRONATE = Bisphosphonate(
    "alendronate", 0.0065, BRIXEN_2005,
    ec50=5.0, ec50_fitted_to="Liberman 1995, Devogelaer (5 mg) and McClung 2005 (BMD, P1NP and "
                             "urinary NTX of 10 mg daily)")


def _add_family(builder: ModelBuilder) -> None:
    P = add_parameter_once
    P(builder, "bisphosphonate_bone_uptake", 0.5, "1", BONE_UPTAKE,
      "fraction of the systemic dose that binds to bone", bounds=(0.2, 0.8))
    P(builder, "bisphosphonate_recycling", 0.8, "1",
      Assumed("share of the drug freed by resorption that binds to bone again instead of "
              "being excreted; no value was read (i.v. alendronate: 50 % excreted in 5 days, "
              "17 % more in 6 months, then a terminal half-life > 10 years, record "
              "alendronate_iv_skeletal_retention); chosen so that a single 20 ug/kg dose still "
              "holds rat OVX bone loss back after 16 weeks (record rat_ovx_single_zol_vertebra)"),
      "fraction of released drug re-adsorbed to bone", bounds=(0.0, 0.95))
    P(builder, "bisphosphonate_resorption_max", 0.7, "1",
      Assumed(_HAND.format(what="the HORIZON CTX suppression")),
      "maximal inactivation of resorption per osteoclast by the drug it takes up",
      bounds=(0.0, 0.95))
    P(builder, "bisphosphonate_apoptosis_max", 2.0, "1",
      Assumed(_HAND.format(what="the HORIZON CTX suppression")),
      "maximal extra osteoclast apoptosis (fold minus 1) from the drug taken up",
      bounds=(0.0, 20.0))


def _add_drug(builder: ModelBuilder, bp: Bisphosphonate) -> None:
    d = bp.drug
    P = add_parameter_once
    P(builder, f"{d}_bioavailability", bp.bioavailability, "1", bp.bioavailability_source,
      f"fraction of a {d} dose reaching the circulation",
      bounds=(bp.bioavailability / 3, min(bp.bioavailability * 3, 1.0)))
    P(builder, f"{d}_ec50", bp.ec50, "ug/kg",
      Assumed(_DEFAULT.format(problem=f"human_pmo_{d}", what=bp.ec50_fitted_to)),
      f"bone-bound {d} (µg per kg body weight) giving half the maximal effect",
      bounds=(bp.ec50 / 30, bp.ec50 * 30))
    mech = (f"drug:{d}",)
    builder.add_state(f"{d}_bone", 0.0, unit="ug/kg",
                      description=f"{d} bound to bone mineral, per kg body weight")
    builder.add_term(f"{d}_release", f"(1 - bisphosphonate_recycling)*{d}_bone*resorption_rate"
                     f"/max(bone_volume, 0.01)",
                     {f"{d}_bone": -1}, mechanisms=mech,
                     description=f"bound {d} is freed with the bone osteoclasts resorb; the "
                                 f"share not re-adsorbed is excreted")
    builder.add_assignment(f"{d}_occupancy", f"{d}_bone/({d}_bone + {d}_ec50)", unit="1",
                           description=f"effect of the {d} osteoclasts take up with the matrix")
    builder.add_factor("bone_resorption", f"1 - bisphosphonate_resorption_max*{d}_occupancy",
                       mechanisms=mech, description=f"{d} inactivates resorbing osteoclasts")
    builder.add_factor("oc_apoptosis", f"1 + bisphosphonate_apoptosis_max*{d}_occupancy",
                       mechanisms=mech, description=f"{d} induces osteoclast apoptosis")


def _apply(builder: ModelBuilder, iv: Intervention, bp: Bisphosphonate) -> None:
    resolved = resolve_regimen(builder, iv)
    dose = dose_parameter(builder, resolved, iv)
    _add_family(builder)
    if builder.get_state(f"{bp.drug}_bone") is None:
        _add_drug(builder, bp)
    d = bp.drug
    dose_events(builder, iv, resolved, f"{d}_bone",
                f"{d}_bioavailability*bisphosphonate_bone_uptake*{dose}/body_weight")


_ZOL_SOURCES = ("PK: i.v.; about half binds to bone (40-50 % recovered in urine) into a pool "
                "released only by resorption",
                "PD: osteoclast inactivation and apoptosis; potency fitted to HORIZON-PFT "
                "(PEtab problem human_pmo_zoledronate)")
_ZOL_WHY = ("human: 5 mg i.v. yearly (HORIZON-PFT, data/calibration); rat/mouse: 20 ug/kg once "
            "(record rat_ovx_single_zol_vertebra: a single 20 ug/kg s.c. dose in OVX rats)")


@register_drug(
    "zoledronate",
    help="zoledronic acid (i.v.): bone-bound bisphosphonate; osteoclasts that resorb it stop "
         "and die",
    regimen=Regimen(bare_unit="mg", route="i.v.", human=("5mg", 365.0),
                    rodent=("20ug/kg", None), why=_ZOL_WHY),
    sources=_ZOL_SOURCES)
def apply_zoledronate(builder: ModelBuilder, iv: Intervention) -> None:
    """Add zoledronate (bone pool, osteoclast inactivation/apoptosis) and its doses."""
    _apply(builder, iv, ZOLEDRONATE)


@register_drug(
    "bisphosphonate",
    help="generic bone-bound bisphosphonate = zoledronate (same drug and parameters; bare "
         "dose in ug/kg as before)",
    regimen=Regimen(bare_unit="ug/kg", route="i.v.", human=("5mg", 365.0),
                    rodent=("100ug/kg", None),
                    why="as zoledronate; rat/mouse: 100 ug/kg once, the historical default"),
    sources=_ZOL_SOURCES)
def apply_bisphosphonate(builder: ModelBuilder, iv: Intervention) -> None:
    """``bisphosphonate`` is zoledronate with exobone's historical unit and rodent default."""
    _apply(builder, iv, ZOLEDRONATE)


@register_drug(
    "alendronate",
    help="alendronate (oral, 0.65 % absorbed): bone-bound bisphosphonate, weekly",
    regimen=Regimen(bare_unit="mg", route="oral", human=("70mg", 7.0),
                    rodent=("1mg/kg", 7.0),
                    why="human: 70 mg weekly (record alendronate70_weekly_china_bmd); "
                        "rat/mouse: the human dose per kg (70 mg / 70 kg) weekly, an "
                        "assumption (no rodent alendronate dose was read)"),
    sources=("PK: oral bioavailability 0.65 % (Brixen 2005 review: 0.6-0.7 %); bone pool as "
             "zoledronate",
             "PD: as zoledronate; potency fitted to Liberman 1995 and McClung 2005 (PEtab "
             "problem human_pmo_alendronate)"))
def apply_alendronate(builder: ModelBuilder, iv: Intervention) -> None:
    """Add alendronate (oral; bone pool, osteoclast inactivation/apoptosis) and its doses."""
    _apply(builder, iv, ALENDRONATE)

