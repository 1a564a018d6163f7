"""Denosumab: anti-RANKL antibody; s.c. depot, linear plus target-mediated clearance, rebound.

PK (amounts in mg, concentration in µg/mL = mg/L)::

    depot --ka--> central;  central: - k_linear*central - Vmax*V*C/(Km + C),  C = central/V
    dose: depot += F*dose

F, ka, V and the linear clearance are the population estimates of record
``gibiansky2012_denosumab_popPK``; V and CL are per 66 kg and scaled to the model's body weight.
Why linear *plus* target-mediated elimination rather than linear with the 26-day half-life of a
review (``denosumab_half_life_review``): the apparent half-life depends on the dose (15 days at
60 mg, 26 days at 120 mg, ``chen2018_denosumab_single_dose_pk_pd_chinese``), the signature of
RANKL-mediated clearance, which makes the concentration fall off faster at the end of an
interval, when the effect wanes. Its Km and Vmax were not read and are chosen small (see their
sources): the linear part (half-life 23 days from CL/V of Gibiansky 2012, close to the review's
26 days) carries the drug through a 6-month interval, the saturable part shapes the tail. The
15-day half-life of healthy Chinese volunteers at 60 mg is not reproduced.

PD: denosumab binds RANKL; free RANKL = RANKL x (1 - C/(C + Kd)) (a factor on
``rankl_expression``), so osteoclastogenesis stops; RANKL is also the survival signal of mature
osteoclasts, which die sooner while it is blocked (a factor on ``oc_apoptosis``; CTX falls
within days, faster than the osteoclasts' life span). While RANKL is blocked, precursors that
meet none are held back in a pool of their own (``denosumab_held_precursors``; osteomorph-like,
living about two years) instead of fusing; when the drug wanes they fuse as RANK signalling
returns: the CTX overshoot after stopping and the loss of the BMD gained. The pool's life and
fusion rate are fitted to the DEFEND and Bern off-treatment records
(scripts/calibrate_denosumab_rebound.py): with the hand-set months-long life the pool emptied
before the drug waned, and the trabecular gain that outlived the rebound (the placebo arm's
loss avoided) stayed, since the mechanostat pulls bone volume back only slowly. The core alone cannot do this:
its precursor pool (supply k_oc_differentiation + k_ocp_turnover against loss k_ocp_turnover,
turnover ~2 days) grows by only ~11 % when differentiation stops and forgets within days, so
the held pool is a drug-triggered mechanism added here.

Denosumab binds human RANKL, not rodent RANKL: in a rat or mouse scenario read it as a
RANKL-neutralising agent (e.g. a rodent anti-RANKL antibody or OPG-Fc) with the human PK per kg.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from exobone.errors import ModelError
from exobone.model.parameters import Assumed, Reference
from exobone.model.scenarios.drugs.regimen import (
    Regimen,
    add_parameter_once,
    dose_events,
    dose_parameter,
    rate,
    register_drug,
    resolve_regimen,
)

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder
    from exobone.model.scenarios.interventions import Intervention

_RECORDS = "data/calibration/pharmacology.yaml record"
GIBIANSKY_2012 = Reference(
    "unknown", 2012,
    title="Population pharmacokinetic analysis of denosumab in patients with bone metastases "
          "from solid tumours", journal="Clin Pharmacokinet", volume="51", pages="247-260",
    doi="10.2165/11598090-000000000-00000",
    note=f"{_RECORDS} gibiansky2012_denosumab_popPK (authors not shown in the retrieved "
         f"record): 'bioavailability and mean absorption half-life ... 61% and 2.7 days ... "
         f"central volume of distribution and linear clearance were 2.62 L/66 kg and 3.25 "
         f"mL/h/6[6 kg]'")
CHEN_2018 = Reference(
    "Chen", 2018, title="Pharmacokinetics, pharmacodynamics, safety, and tolerability of "
    "single-dose denosumab in healthy Chinese volunteers", journal="PLoS One", volume="13",
    pages="e0197984", doi="10.1371/journal.pone.0197984", pmid="29933364",
    note=f"{_RECORDS} chen2018_denosumab_single_dose_pk_pd_chinese: terminal half-life 15 days "
         f"at 60 mg, 26 days at 120 mg")
_HAND = ("set by hand (benchmarks/drug_trials.py, before the PEtab problem) against the serum "
         "CTX of 60 mg every 6 months in pmo (-63 % vs placebo at the 6-month trough, "
         "defend_offtx_bone2011_markers_on_treatment; CTX above baseline within months of "
         "stopping, back by month 48, defend_offtx_bone2011_rebound); not refitted: the problem "
         "human_pmo_denosumab fits denosumab_kd and denosumab_inactivation; an assumption")
_DEFAULT = ("where no fit applies (rat, mouse): the value before the fit; "
            "data/calibration/petab/human_pmo_denosumab (FREEDOM total hip BMD of both arms, "
            "DEFEND CTX and P1NP) fits it for humans (fitted_values.yaml); an assumption "
            "outside humans")

_REBOUND_FIT = Reference(
    "Bone", 2011, title="Effects of denosumab treatment and discontinuation on bone mineral "
    "density and bone turnover markers in postmenopausal women with low bone mass",
    journal="J Clin Endocrinol Metab", volume="96", pages="972-980", doi="10.1210/jc.2010-1502",
    pmid="21289258",
    note=f"fitted by scripts/calibrate_denosumab_rebound.py (least squares, with "
         f"denosumab_k_fuse and denosumab_held_lifetime together) to {_RECORDS} "
         f"defend_offtx_bone2011_markers_on_treatment (CTX -63 % vs placebo at month 24; "
         f"model -60.4), record defend_offtx_bone2011_rebound (CTX above baseline within 3 "
         f"months of stopping, model +101 % at month 27; back by month 48, model +4 % vs "
         f"placebo) and record bern_freedom_ext_offtx_1yr_bmd (lumbar spine -9.1 % one year after 10 years of "
         f"denosumab, model -8.2; total hip held out: -12.7, model -5.8); with the fitted "
         f"denosumab_kd and denosumab_inactivation applied; session 6 of "
         f"docs/dev/coupling-findings.md. Was 180 d / 1/30 per day, hand-set: the pool "
         f"emptied within months and the BMD gained was lost only in half")

REGIMEN = Regimen(
    bare_unit="mg/kg", route="s.c.", human=("60mg", 182.0), rodent=("10mg/kg", None),
    why="human: Prolia 60 mg every 6 months (the FREEDOM/DEFEND regimen in data/calibration); "
        "rat/mouse: 10 mg/kg once, the historical default of exobone (an assumed "
        "RANKL-saturating dose)")

#: human PK constants of record gibiansky2012_denosumab_popPK
_F, _ABS_HALF_LIFE, _V_L_PER_66KG, _CL_ML_PER_H_PER_66KG = 0.61, 2.7, 2.62, 3.25
#: first-order linear elimination CL/V (1/day); the per-66 kg scaling cancels
K_LINEAR = _CL_ML_PER_H_PER_66KG * 24 / 1000 / _V_L_PER_66KG


def _add_pk_pd(builder: ModelBuilder) -> None:
    """States, PK terms, RANKL neutralisation and precursor retention (once per model)."""
    P = add_parameter_once
    P(builder, "denosumab_bioavailability", _F, "1", GIBIANSKY_2012,
      "fraction of a s.c. dose absorbed", bounds=(0.3, 1.0))
    P(builder, "denosumab_ka", rate(_ABS_HALF_LIFE), "1/day", GIBIANSKY_2012,
      "absorption rate from the s.c. depot (absorption half-life 2.7 days)")
    P(builder, "denosumab_volume", _V_L_PER_66KG / 66.0, "L/kg", GIBIANSKY_2012,
      "central volume of distribution per kg body weight (2.62 L/66 kg)")
    P(builder, "denosumab_k_linear", K_LINEAR, "1/day", GIBIANSKY_2012,
      f"linear elimination CL/V = 3.25 mL/h / 2.62 L (half-life {math.log(2) / K_LINEAR:.1f} "
      f"days without target-mediated clearance)")
    P(builder, "denosumab_km", 0.05, "ug/mL",
      Assumed("concentration at half-maximal RANKL-mediated clearance; no value was read: "
              "chosen low, so target-mediated clearance matters only in the tail of an "
              "interval, where RANKL is no longer saturated"),
      "half-saturation concentration of target-mediated clearance")
    P(builder, "denosumab_vmax", 0.002, "ug/mL/day",
      Assumed("maximal target-mediated elimination; no value was read. Chen 2018 (record "
              "chen2018_denosumab_single_dose_pk_pd_chinese: half-life 15 d at 60 mg, 26 d at "
              "120 mg) shows that it exists; a Vmax large enough to give 15 d would clear a 60 mg "
              "dose within 4 months, against the suppression still seen at the 6-month trough "
              "(defend_offtx_bone2011_markers_on_treatment), so a small value is chosen: the "
              "apparent half-life is ~23 d over months 1-3 and shortens in the tail"),
      "maximal target-mediated elimination rate (per unit volume)")
    P(builder, "denosumab_kd", 0.006, "ug/mL", Assumed(_DEFAULT),
      "serum denosumab concentration neutralising half of RANKL (in vivo potency)",
      bounds=(0.0004, 0.1))
    P(builder, "denosumab_oc_apoptosis", 2.0, "1", Assumed(_HAND),
      "extra apoptosis (fold minus 1) of mature osteoclasts deprived of RANKL, their survival "
      "signal, at full block", bounds=(0.0, 50.0))
    P(builder, "denosumab_inactivation", 0.7, "1", Assumed(_DEFAULT),
      "fraction of resorption per osteoclast stopped at once at full RANKL block (RANKL "
      "also drives the resorptive activity of mature osteoclasts)", bounds=(0.0, 0.95))
    P(builder, "denosumab_k_hold", 0.05, "1/day", Assumed(_HAND),
      "rate at which RANKL-starved precursors enter the held pool at full block",
      bounds=(0.005, 0.5))
    P(builder, "denosumab_held_lifetime", 719.6, "day", _REBOUND_FIT,
      "mean life of a held precursor that never meets RANKL", bounds=(30.0, 3000.0))
    P(builder, "denosumab_k_fuse", 0.02306, "1/day", _REBOUND_FIT,
      "rate at which held precursors fuse into osteoclasts at healthy RANK signalling",
      bounds=(0.003, 0.3))
    bw = "body_weight"
    builder.add_state("denosumab_depot", 0.0, unit="mg",
                      description="denosumab in the s.c. depot")
    builder.add_state("denosumab_central", 0.0, unit="mg",
                      description="denosumab in the central (serum) compartment")
    builder.add_assignment("denosumab_concentration",
                           f"denosumab_central/(denosumab_volume*{bw})", unit="ug/mL",
                           description="serum denosumab concentration")
    builder.add_assignment("denosumab_rankl_block",
                           "denosumab_concentration/(denosumab_concentration + denosumab_kd)",
                           unit="1", description="fraction of RANKL bound by denosumab")
    mech = ("drug:denosumab",)
    builder.add_term("denosumab_absorption", "denosumab_ka*denosumab_depot",
                     {"denosumab_depot": -1, "denosumab_central": 1}, mechanisms=mech,
                     description="absorption from the s.c. depot (first order)")
    builder.add_term("denosumab_linear_clearance", "denosumab_k_linear*denosumab_central",
                     {"denosumab_central": -1}, mechanisms=mech,
                     description="linear (reticuloendothelial) clearance")
    builder.add_term("denosumab_target_clearance",
                     f"denosumab_vmax*denosumab_volume*{bw}*denosumab_concentration"
                     f"/(denosumab_km + denosumab_concentration)",
                     {"denosumab_central": -1}, mechanisms=mech,
                     description="target (RANKL)-mediated clearance, saturable")
    builder.add_factor("rankl_expression", "1 - denosumab_rankl_block", mechanisms=mech,
                       description="denosumab neutralises RANKL")
    builder.add_factor("oc_apoptosis", "1 + denosumab_oc_apoptosis*denosumab_rankl_block",
                       mechanisms=mech, description="osteoclasts deprived of RANKL die sooner")
    builder.add_factor("bone_resorption", "1 - denosumab_inactivation*denosumab_rankl_block",
                       mechanisms=mech, description="osteoclasts without RANKL stop resorbing")
    # the held pool: precursors that met no RANKL, kept (osteomorph-like) and fused on its return
    held = "denosumab_held_precursors"
    builder.add_state(held, 0.0, unit="rel. to healthy precursors",
                      description="osteoclast precursors held back while RANKL is blocked")
    core_fusion = builder.get_term("oc_differentiation")
    if core_fusion is None:
        raise ModelError("denosumab needs the core's osteoclast differentiation term")
    oc_yield = core_fusion.stoichiometry["osteoclasts"]  # osteoclasts per fused precursor
    builder.add_term("denosumab_precursor_hold",
                     "denosumab_k_hold*denosumab_rankl_block*osteoclast_precursors",
                     {"osteoclast_precursors": -1, held: 1}, mechanisms=mech,
                     description="RANKL-starved precursors are held back instead of fusing")
    builder.add_term("denosumab_held_loss", f"{held}/denosumab_held_lifetime", {held: -1},
                     mechanisms=mech, description="held precursors die slowly")
    builder.add_term("denosumab_held_fusion",
                     f"denosumab_k_fuse*{held}*rankl_signal*bone_surface",
                     {held: -1, "osteoclasts": oc_yield}, mechanisms=mech,
                     description="held precursors fuse into osteoclasts when RANKL returns "
                                 "(the rebound after stopping)")


@register_drug(
    "denosumab",
    help="anti-RANKL antibody (s.c.): neutralises RANKL; precursors build up, rebound on "
         "stopping",
    regimen=REGIMEN,
    sources=("PK: Gibiansky 2012 pop-PK (F 0.61, absorption half-life 2.7 d, V 2.62 L/66 kg, "
             "CL 3.25 mL/h/66 kg) + target-mediated clearance (Chen 2018: half-life 15 d at "
             "60 mg, 26 d at 120 mg)",
             "PD: RANKL neutralisation and precursor retention; potency and inactivation "
             "fitted to FREEDOM / DEFEND (PEtab problem human_pmo_denosumab)"),
)
def apply_denosumab(builder: ModelBuilder, iv: Intervention) -> None:
    """Add denosumab PK/PD (once) and the scheduled s.c. doses of ``iv``."""
    resolved = resolve_regimen(builder, iv)
    dose = dose_parameter(builder, resolved, iv)
    if builder.get_state("denosumab_depot") is None:
        _add_pk_pd(builder)
    dose_events(builder, iv, resolved, "denosumab_depot",
                f"denosumab_bioavailability*{dose}/1000")
