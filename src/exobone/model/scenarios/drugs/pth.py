"""Intermittent PTH: teriparatide (PTH 1-34, s.c. daily) and ``pth-intermittent`` (= teriparatide).

Why intermittent differs from continuous PTH. The core's PTH (input ``pth_secretion``, infusion
``I_P``; Lemaire 2004) acts through a quasi-steady receptor occupancy: a sustained rise raises
RANKL, lowers OPG and is catabolic. A teriparatide injection is gone within hours (half-life 1 h,
"total duration of exposure ... approximately 4 h", record ``satterwhite2010_teriparatide_pk``),
and bone responds to the *pulse*: osteoblast lineage activation and survival (anabolic), with
resorption following later through coupling (more osteoblasts make more RANKL). Averaging the
pulse over the day into the Lemaire route would turn the drug into a small continuous infusion,
which is exactly the wrong (catabolic) reading. So the daily exposure is modelled explicitly and
not fed to ``I_P``:

- peak concentration ``C0 = F x dose / (V x body weight)`` (µg/L; V 1.7 L/kg), at steady state
  of periodic injections ``C0 / (1 - 2^(-interval/t_half))`` (exact superposition of the pulses;
  1.0000 for daily injections, more when they come faster than the drug is cleared);
- hours above the threshold ``C_thr`` per pulse: ``t_half x log2(C0/C_thr)`` (0 below it);
  ``C_thr`` is set so that 20 µg in a 70 kg woman gives the recorded ~4 h of exposure;
- exposed fraction of the dosing interval ``f = min(hours / (24 x every), 1)``;
- anabolic signal: the pulse's ``C/(C + EC50)`` integrated over time, ``t_half x log2(1 +
  C0/EC50)`` hours of full occupancy per injection, averaged over the interval. This is how
  Peterson & Riggs 2010 (BIOMD0000000613) represent it -- teriparatide joins the PTH pool and
  drives CREB production through ``PTH/(PTH + EC50PTHcreb)``, integrated by CREB's slow
  turnover -- and ``EC50`` is theirs (22.3 pmol/L = 0.0919 µg/L; cited, not fitted). The
  integral grows with the log of the dose, so 40 µg gives ~1.4x the signal of 20 µg, not 2x
  (Neer 2001: +9 and +13 pp spine BMD);
- anabolic drive ``A = on x signal x (1 - f)``: the pulse's strength times its intermittency.
  Exposure around the clock (``f`` = 1: e.g. many small doses a day) has no anabolic drive
  left -- that is continuous PTH, whose catabolic route is the core's. Absorption is taken as
  instantaneous (peak "within 30 min" against a 1 h half-life).

``A`` acts on the osteoblast lineage, not through RANKL coupling alone:

- lining-cell activation into **modeling osteoblasts** (a pool of their own,
  ``pth_modeling_osteoblasts``): quiescent bone-lining cells become matrix-forming
  osteoblasts on quiescent surfaces, an influx of ``gain x A`` x the healthy osteoblast exit
  rate, drawn from a reservoir of lining cells (``pth_lining_cells``, renewed at the
  osteoblasts' removal rate). They form bone **without prior resorption** (modeling-based
  formation; the AVA biopsies, record ``ava_teriparatide_modeling_based_formation``:
  teriparatide raised modeling-based formation on smooth cement lines in every envelope), so
  their formation is not BMU-coupled: trabecular ``k_resorption x M``, cortical
  ``pth_modeling_cortical x M`` (relative to healthy formation), both in P1NP. The reservoir makes the response peak and wane (McClung 2005:
  "markers of bone turnover that peaked at 6 months") and saturate with dose. They make RANKL
  too (``pth_modeling_rankl`` per cell relative to remodeling osteoblasts): resorption
  follows formation, later and less;
- osteoblast survival (``ob_apoptosis`` / (1 + gain x A)) of the remodeling osteoblasts and,
  through the same modifier, of the modeling ones;
- matrix synthesis per osteoblast (``bone_formation`` x (1 + gain x A)): 0 since session 8,
  as iliac biopsies after ~19 months of teriparatide showed "no significant changes in
  mineral appositional rate or wall thickness" (Jiang 2003);
- the pulse's own RANKL rise (``pth_pulse_rankl``): 0 (fitted to ~0 in session 7).

Not through ``ob_maturation``: in the core, maturation turns OPG-making pre-osteoblasts into
RANKL-making osteoblasts, which would make the drug catabolic in the same way continuous PTH
is. Continuous exposure (``f`` = 1) switches all of it off. Because the peak is a
concentration (dose per kg), the same µg/kg does the same in every species and 20 µg in a
human is a small dose per kg. The lining activation, the reservoir, the new cells' RANKL and
their cortical share are fitted with ``exobone calibrate`` to the PEtab problem
human_pmo_teriparatide (Neer 2001, McClung 2005) and applied to humans; rats and mice keep
neutral values (``_DEFAULT``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from exobone.model.parameters import Assumed, Reference
from exobone.model.scenarios.drugs.regimen import (
    Regimen,
    add_parameter_once,
    dose_parameter,
    kind_stem,
    register_drug,
    resolve_regimen,
)
from exobone.model.scenarios.interventions import unique_name

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder
    from exobone.model.scenarios.interventions import Intervention

SATTERWHITE_2010 = Reference(
    "Satterwhite", 2010, title="Pharmacokinetics of teriparatide (rhPTH[1-34]) and calcium "
    "pharmacodynamics in postmenopausal women with osteoporosis", journal="Calcif Tissue Int",
    volume="87", pages="485-492", doi="10.1007/s00223-010-9424-6", pmid="20953593",
    note="data/calibration/pharmacology.yaml record satterwhite2010_teriparatide_pk: "
         "'rapid elimination (half-life of 1 h), resulting in a total duration of exposure to "
         "the peptide of approximately 4 h'")
FORSTEO_LABEL = Reference(
    "Eli Lilly", 2019, title="Forsteo summary of product characteristics",
    journal="manufacturer medical information page",
    note="data/calibration/pharmacology.yaml record teriparatide_label_vd_clearance "
         "(secondary restatement of the SmPC): 'The volume of distribution is approximately "
         "1.7 L/kg'")
PETERSON_2010 = Reference(
    "Peterson", 2010, title="A physiologically based mathematical model of "
    "integrated calcium homeostasis and bone remodeling", journal="Bone", volume="46",
    pages="49-63", pmid="19732857", note=(
        "data/calibration/pharmacology.yaml record peterson2010_teriparatide_creb_ec50; "
        "BIOMD0000000613 (../shared/reference/biomodels/"
        "BIOMD0000000613_Peterson2010_CalciumBone.xml): teriparatide enters the PTH pool; "
        "crebKin = crebKin0 x (E0crebKin + EmaxPTHcreb x PTHconc/(PTHconc + EC50PTHcreb)), "
        "EC50PTHcreb = EmaxPTHcreb x 3.85/(1 - E0crebKin) - 3.85 with EmaxPTHcreb 3.39745, "
        "E0crebKin 0.5: 22.3 pmol/L; a dose is teri_dose_mcg x 1e6/4117.8 pmol, so 22.3 "
        "pmol/L = 0.0919 ug/L. CREB turns over slowly (crebKout 0.0028/h), so the signal is "
        "the time integral of the saturating PTH effect"))
_HAND = ("set by hand (benchmarks/drug_trials.py, before the PEtab problem) against Neer 2001 "
         "(neer2001_bmd: lumbar spine +9 pp vs placebo at 21 months with 20 ug/day); not "
         "refitted: the problem human_pmo_teriparatide fits the lining-cell activation, the "
         "matrix synthesis gain and the pulse's RANKL; an assumption")
_PULSE = ("0: fitted with the lining and synthesis gains on session 7's core, the pulse's own "
          "RANKL gain went to 0.0007 [0, 0.741] (docs/dev/coupling-findings.md, session 7); the "
          "resorption that follows formation is the RANKL of the osteoblasts the pulses add")
JIANG_2003 = Reference(
    "Jiang", 2003, title="Recombinant human parathyroid hormone (1-34) [teriparatide] "
    "improves both cortical and cancellous bone structure", journal="J Bone Miner Res",
    volume="18", note=(
        "0: data/calibration/pharmacology.yaml record "
        "jiang2003_teriparatide_iliac_histomorphometry, read at https://www.scribd.com/document/711700680/Forteo-effect-on-cortical-and-bone "
        "(51 paired iliac biopsies of the Fracture Prevention Trial, 20 and 40 ug pooled): "
        "'there were no significant changes in mineral appositional rate or wall thickness' -- "
        "the anabolic effect is in the number of forming osteoblasts, not in matrix per "
        "osteoblast"))
_DEFAULT = ("where no fit applies (rat, mouse): a neutral value (no depletion read, the same "
            "RANKL per cell and the same fold on both envelopes as remodeling osteoblasts); "
            "data/calibration/petab/human_pmo_teriparatide (Neer 2001 lumbar spine BMD at 20 and "
            "40 ug, McClung 2005 P1NP, urinary NTX and BMD) fits it for humans "
            "(fitted_values.yaml); an assumption outside humans")

HALF_LIFE_H, VOLUME_L_PER_KG, EXPOSURE_H = 1.0, 1.7, 4.0
#: threshold concentration (µg/L) giving EXPOSURE_H hours above it after 20 µg in 70 kg
THRESHOLD = 20.0 / (VOLUME_L_PER_KG * 70.0) / 2 ** (EXPOSURE_H / HALF_LIFE_H)
#: Peterson 2010's EC50 of PTH on CREB production, EmaxPTHcreb x 3.85 / (1 - E0crebKin) - 3.85
#: pmol/L (3.85 pmol/L: the model's baseline PTH), in µg/L with its molar mass 4117.8 g/mol
EC50_PMOL_PER_L = 3.39745 * 3.85 / (1 - 0.5) - 3.85
EC50_UG_PER_L = EC50_PMOL_PER_L * 4117.8 * 1e-6

_SOURCES = ("PK: half-life 1 h and ~4 h of exposure per injection (Satterwhite 2010), V 1.7 "
            "L/kg (Forsteo SmPC, secondary); daily pulse -> peak, hours above threshold, "
            "exposed fraction of the interval",
            "PD: anabolic drive = peak effect x intermittency on osteoblast activation and "
            "survival, lining-cell activation; gains fitted to Neer 2001 and McClung 2005 (PEtab "
            "problem human_pmo_teriparatide)")


def _add_family(builder: ModelBuilder) -> None:
    P = add_parameter_once
    P(builder, "teriparatide_half_life", HALF_LIFE_H, "h", SATTERWHITE_2010,
      "elimination half-life of s.c. teriparatide")
    P(builder, "teriparatide_volume", VOLUME_L_PER_KG, "L/kg", FORSTEO_LABEL,
      "volume of distribution per kg body weight")
    P(builder, "teriparatide_bioavailability", 1.0, "1",
      Assumed("s.c. bioavailability not read; taken as complete (the fitted gains absorb a "
              "constant factor)"), "fraction of a s.c. dose absorbed", bounds=(0.3, 1.0))
    P(builder, "teriparatide_threshold", THRESHOLD, "ug/L", SATTERWHITE_2010,
      "concentration above which a pulse counts as exposure: set so that 20 µg in 70 kg "
      "(peak 20/(1.7 x 70) µg/L) stays above it for the recorded ~4 h at a 1 h half-life")
    P(builder, "teriparatide_ec50", EC50_UG_PER_L, "ug/L", PETERSON_2010,
      "PTH concentration giving half the maximal anabolic (CREB) signal per unit time",
      bounds=(0.005, 5.0))
    P(builder, "pth_anabolic_formation", 0.0, "1", JIANG_2003,
      "maximal extra matrix formation per osteoblast, relative to health (at full drive)",
      bounds=(0.0, 50.0))
    P(builder, "pth_lining_activation", 10.0, "1", Assumed(
        "rat, mouse (no fit applies): 10 keeps the rat's lining-cell osteoblasts at what the "
        "hand-set activation 3 gave on the earlier drive (3 x 0.53 = 1.6 vs 10 x 0.18 = 1.8 "
        "healthy osteoblasts at 40 ug/kg daily); fitted for humans (human_pmo_teriparatide, "
        "fitted_values.yaml); an assumption outside humans"),
      "lining cells activated into modeling osteoblasts at full drive, as osteoblasts at "
      "steady state relative to the healthy (remodeling) osteoblasts", bounds=(0.0, 500.0))
    P(builder, "pth_lining_reservoir", 1000.0, "1", Assumed(_DEFAULT),
      "quiescent bone-lining cells the pulses can activate before treatment, in healthy "
      "osteoblast units (activation draws on them; they are renewed at the osteoblasts' "
      "removal rate)", bounds=(0.01, 1000.0))
    P(builder, "pth_modeling_cortical", 1.0, "1", Assumed(_DEFAULT),
      "cortical (endocortical, periosteal) formation per modeling osteoblast relative to "
      "its trabecular formation, each relative to the envelope's healthy formation",
      bounds=(0.1, 100.0))
    P(builder, "pth_modeling_rankl", 1.0, "1", Assumed(_DEFAULT),
      "RANKL made by a modeling osteoblast relative to a remodeling osteoblast (1 = the same)",
      bounds=(0.0, 10.0))
    P(builder, "pth_anabolic_survival", 1.0, "1", Assumed(_HAND),
      "maximal reduction of osteoblast apoptosis (apoptosis / (1 + gain))", bounds=(0.0, 50.0))
    P(builder, "pth_pulse_rankl", 0.0, "1", Assumed(_PULSE),
      "maximal RANKL rise on the osteoblast lineage from the pulses (remodeling activation)",
      bounds=(0.0, 50.0))


#: osteoblasts on quiescent surfaces activated by the pulses (one pool for every regimen)
MODELING = "pth_modeling_osteoblasts"
#: quiescent lining cells left to activate, 1 before treatment
LINING = "pth_lining_cells"


def _add_modeling_pool(builder: ModelBuilder, mech: tuple[str, ...]) -> None:
    """The lining cells' osteoblasts and the bone they form without prior resorption (once)."""
    if builder.get_state(MODELING) is not None:
        return
    builder.add_state(MODELING, 0.0, unit="rel. to healthy osteoblasts",
                      description="osteoblasts formed from bone-lining cells by intermittent "
                                  "PTH on quiescent surfaces (modeling-based formation)")
    builder.add_state(LINING, 1.0, unit="rel. to pretreatment",
                      description="quiescent bone-lining cells the pulses can still activate")
    builder.add_term("pth_lining_renewal", f"(k_ob_apoptosis + k_ob_embedding)*(1 - {LINING})",
                     {LINING: 1}, mechanisms=mech,
                     description="lining cells are renewed (osteoblasts ending formation "
                                 "become lining cells) at the osteoblasts' removal rate")
    builder.add_term("pth_modeling_osteoblast_removal",
                     f"(k_ob_apoptosis*m_ob_apoptosis + k_ob_embedding)*{MODELING}",
                     {MODELING: -1}, mechanisms=mech,
                     description="modeling osteoblasts die or embed like remodeling ones "
                                 "(their osteocytes are not added to the core's: assumed "
                                 "small against the osteocyte pool)")
    # formation without a resorbed cavity: no BMU coupling, no remodeling wall
    modeling = f"k_resorption*{MODELING}*m_bone_formation*free_space"
    builder.add_term("pth_modeling_formation", modeling, {"bone_volume": 1}, mechanisms=mech,
                     description="modeling osteoblasts form trabecular bone on quiescent "
                                 "surfaces, without prior resorption (not BMU-coupled)")
    for name, extra in (("formation_rate", f" + {modeling}"),
                        ("cortical_formation_activity",
                         f" + pth_modeling_cortical*{MODELING}*m_bone_formation")):
        old = builder.get_assignment(name)
        assert old is not None, name  # declared by the core
        builder.replace_assignment(name, f"{old.expr}{extra}", mechanisms=mech)
    builder.add_factor("rankl_expression",
                       f"1 + pth_modeling_rankl*{MODELING}/max(osteoblasts, 1e-9)",
                       mechanisms=mech, description="modeling osteoblasts carry RANKL too "
                                                    "(per cell, relative to remodeling ones)")


def _apply(builder: ModelBuilder, iv: Intervention) -> None:
    resolved = resolve_regimen(builder, iv)
    dose = dose_parameter(builder, resolved, iv)
    _add_family(builder)
    stem = kind_stem(iv)
    every = resolved.schedule.every or 1.0  # both species' defaults are daily
    on = unique_name(builder, f"{stem}_on")
    builder.add_parameter(on, 0.0, unit="1", bounds=(0.0, 1.0),
                          source=Assumed("switched on and off by the treatment window events"),
                          description=f"1 while {iv} is given")
    interval = unique_name(builder, f"{stem}_every")
    builder.add_parameter(interval, every, unit="day", bounds=(every / 10, every * 10),
                          source=Assumed(f"dosing interval of {iv}"),
                          description="days between injections")
    peak, hours, exposed, occupancy, drive = (
        unique_name(builder, f"{stem}_{x}") for x in
        ("peak", "hours_above", "exposed_fraction", "occupancy", "anabolic"))
    A = builder.add_assignment
    # steady-state peak of periodic pulses: one injection's peak x 1/(1 - 2^(-interval/t_half))
    A(peak, f"teriparatide_bioavailability*{dose}/(teriparatide_volume*body_weight)"
            f"/(1 - pow(2, -24*{interval}/teriparatide_half_life))",
      unit="ug/L", description="peak serum concentration of an injection at steady state "
                               "(what is left of the earlier ones added)")
    A(hours, f"teriparatide_half_life*max(log({peak}/teriparatide_threshold)/log(2), 0)",
      unit="h", description="hours per injection above the exposure threshold")
    A(exposed, f"min({hours}/(24*{interval}), 1)", unit="1",
      description="fraction of the dosing interval exposed (1 = continuous PTH)")
    # integral over one pulse of C/(C + EC50), C = peak x 2^(-t/t_half): t_half x
    # log2(1 + peak/EC50) hours of full occupancy, averaged over the interval
    A(occupancy, f"teriparatide_half_life*log(1 + {peak}/teriparatide_ec50)/log(2)"
                 f"/(24*{interval})", unit="1",
      description="mean anabolic signal over the dosing interval: the pulse's C/(C + EC50) "
                  "integrated over time (Peterson 2010's CREB input), per hour of the interval")
    A(drive, f"{on}*{occupancy}*(1 - {exposed})", unit="1",
      description="anabolic drive of the intermittent pulses (0 when exposure is continuous)")
    mech = (f"drug:{iv.kind}",)
    _add_modeling_pool(builder, mech)
    builder.add_factor("bone_formation", f"1 + pth_anabolic_formation*{drive}", mechanisms=mech,
                       description="intermittent PTH raises matrix synthesis per osteoblast")
    activation = f"pth_lining_activation*(k_ob_apoptosis + k_ob_embedding)*{drive}*{LINING}"
    builder.add_term(unique_name(builder, f"{stem}_lining_depletion"),
                     f"{activation}/pth_lining_reservoir", {LINING: -1}, mechanisms=mech,
                     description="the activated lining cells leave the quiescent reservoir")
    builder.add_term(unique_name(builder, f"{stem}_lining_activation"), activation,
                     {MODELING: 1}, mechanisms=mech,
                     description="intermittent PTH activates bone-lining cells into "
                                 "matrix-forming osteoblasts on quiescent surfaces (an influx "
                                 "not through pre-osteoblast maturation, forming bone without "
                                 "prior resorption)")
    builder.add_factor("ob_apoptosis", f"1/(1 + pth_anabolic_survival*{drive})",
                       mechanisms=mech, description="intermittent PTH prolongs osteoblast "
                                                    "survival")
    builder.add_factor("rankl_expression", f"1 + pth_pulse_rankl*{drive}", mechanisms=mech,
                       description="each pulse also raises RANKL a little: remodeling is "
                                   "activated, resorption rises after formation")
    times = resolved.times
    builder.add_event(unique_name(builder, f"{on}_start"), {on: "1"},
                      at_times=(resolved.schedule.start,),
                      description=f"{iv}: {resolved.describe()}", mechanisms=mech)
    if resolved.schedule.stop is not None:
        builder.add_event(unique_name(builder, f"{on}_stop"), {on: "0"},
                          at_times=(times[-1] + every,),
                          description=f"{iv}: the last injection's interval ends",
                          mechanisms=mech)


@register_drug(
    "teriparatide",
    help="PTH(1-34) s.c. injections: intermittent exposure is anabolic (osteoblast activation "
         "and survival), unlike continuous PTH",
    regimen=Regimen(bare_unit="ug", route="s.c.", human=("20ug", 1.0),
                    rodent=("40ug/kg", 1.0),
                    why="human: 20 ug daily (Neer 2001); rat/mouse: 40 ug/kg daily, the "
                        "historical pth-intermittent default (an assumed rodent dose)"),
    sources=_SOURCES)
def apply_teriparatide(builder: ModelBuilder, iv: Intervention) -> None:
    """Add the daily teriparatide pulses of ``iv`` as an explicit intermittent exposure."""
    _apply(builder, iv)


@register_drug(
    "pth-intermittent",
    help="= teriparatide (same drug and parameters; bare dose in ug/kg as before)",
    regimen=Regimen(bare_unit="ug/kg", route="s.c.", human=("20ug", 1.0),
                    rodent=("40ug/kg", 1.0), why="as teriparatide"),
    sources=_SOURCES)
def apply_pth_intermittent(builder: ModelBuilder, iv: Intervention) -> None:
    """``pth-intermittent`` is teriparatide with exobone's historical unit (µg/kg)."""
    _apply(builder, iv)
