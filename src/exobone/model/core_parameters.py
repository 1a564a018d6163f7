"""The bone core's parameters: cited sources, the parameter table, derived balance constants.

Every parameter of the core has a source (:class:`~exobone.model.parameters.Reference` or an
explicit :class:`~exobone.model.parameters.Assumed`); :func:`derived_parameters` and
:func:`yields` compute the constants that make the healthy state (all cells 1) a steady state.
:mod:`exobone.model.core` writes them into the model.
"""

from __future__ import annotations

from exobone.errors import ModelError
from exobone.model.parameters import Assumed, Reference, Source

__all__ = [
    "BV_TV_MAX",
    "BV_TV_MAX_SOURCE",
    "CONTROL_BV_TV",
    "KOMAROVA_2003",
    "LEMAIRE_2004",
    "N_SPACE",
    "N_SPACE_SOURCE",
    "OVX_TIMECOURSE",
    "PARAMETER_TABLE",
    "WRONSKI_1985",
    "derived_parameters",
    "lemaire_signals",
    "yields",
]

# ------------------------------------------------------------------------ sources
LEMAIRE_2004 = Reference(
    "Lemaire", 2004,
    title="Modeling the interactions between osteoblast and osteoclast activities in bone "
          "remodeling", journal="J Theor Biol", volume="229", pages="293-309", pmid="15234198",
    note="value as encoded in BIOMD0000000278 (shared/reference/biomodels)")
KOMAROVA_2003 = Reference(
    "Komarova", 2003,
    title="Mathematical model predicts a critical role for osteoclast autocrine regulation in "
          "the control of bone remodeling", journal="Bone", volume="33", pages="206-215",
    pmid="14499354", note="value as encoded in BIOMD0000000148 (shared/reference/biomodels)")
WRONSKI_1985 = Reference(
    "Wronski", 1985, title="Skeletal alterations in ovariectomized rats",
    journal="Calcif Tissue Int", volume="37", pages="324-8", doi="10.1007/BF02554882",
    note="Sprague Dawley rats, proximal tibial metaphysis, 5 weeks post-OVX: 'A twofold "
         "decrease in trabecular bone volume'; osteoclast and osteoblast surfaces increased")
OVX_TIMECOURSE = Reference(
    "unknown", None,
    note="abstract read at wbldb.lievers.net/10167096 (Sprague Dawley, 90 days old, proximal "
         "tibia, 14-180 days post-OVX): osteopenia progressive up to 100 days, then trabecular "
         "bone volume stabilises at ~5%; osteoclast/osteoblast surfaces peak early then decline "
         "toward control")
CONTROL_BV_TV = Reference(
    "unknown", None, title="Effect of body weight on osteopenia in ovariectomized rats",
    note="abstract read at staging.scite.ai author page schenck-pa, title with the same "
         "abstract at scilit.net/publications/b3c3310e90052501724b233f2ba91dcc (authors and "
         "year not shown there; Sprague Dawley, proximal tibia, 14 weeks post-OVX): control "
         "tibial trabecular bone volume 17.6 +/- 4.5 %")

_CALIBRATED = ("calibrated by scripts/calibrate_ovx.py to the rat OVX time course "
               "(BV/TV ~17.6% -> about half by day 35 -> ~5% by day 100, then a plateau; "
               "turnover high early then back toward control); a fitted value, not a measurement")


def _fitted(what: str) -> Reference:
    return Reference("Wronski", 1985, title="Skeletal alterations in ovariectomized rats",
                     journal="Calcif Tissue Int", volume="37", pages="324-8",
                     doi="10.1007/BF02554882",
                     note=f"{what}: {_CALIBRATED}; with the time course at "
                          f"wbldb.lievers.net/10167096")



#: ceiling of trabecular BV/TV (the free-space factor on formation in :mod:`exobone.model.core`)
BV_TV_MAX = 60.0
BV_TV_MAX_SOURCE = Assumed(
    "no measured maximum was read in a source: the hard limit is 100 % (marrow cavity full), "
    "and marrow (haematopoiesis, vessels) keeps part of it; 60 % is set well above every "
    "healthy trabecular BV/TV of the model (17.6 %) so the ceiling bounds stimulated formation "
    "without touching health or bone loss")
#: steepness of the free-space factor: ~1 up to and below health, steep near the ceiling
N_SPACE = 8.0
N_SPACE_SOURCE = Assumed(
    "steep crowding chosen so that free space is within 1e-4 of 1 at or below the healthy "
    "BV/TV ((17.6/60)^8 = 5.5e-5) and the calibrated ovariectomy course does not move")

# Lemaire steady state (BIOMD0000000278 initial concentrations, pM): scales of the relative states
_R_SS, _B_SS, _C_SS = 7.734e-4, 7.282e-4, 9.127e-4

# ------------------------------------------------------------------------ parameter table
_A = Assumed
_ORDER = "order of magnitude chosen for the time scale only; no measurement was read"
_GAIN = ("dimensionless gain of a qualitatively documented effect; value chosen, not measured")

# name, value, unit, bounds, source, description
PARAMETER_TABLE: list[tuple[str, float, str, tuple[float, float] | None, Source, str]] = [
    # --- Lemaire 2004 signalling (BIOMD0000000278)
    ("f0", 0.05, "1", (0.005, 0.5), LEMAIRE_2004, "fixed proportion in pi_C (TGF-beta)"),
    ("C_s", 5e-3, "pM", (5e-4, 5e-2), LEMAIRE_2004, "osteoclast level saturating pi_C"),
    ("d_B", 0.7, "1/day", (0.07, 7.0), LEMAIRE_2004,
     "differentiation rate of responding osteoblasts (times f0 gives D_B)"),
    ("K", 10.0, "pM", (1.0, 100.0), LEMAIRE_2004, "fixed RANK concentration"),
    ("k1", 1e-2, "1/(pM*day)", (1e-3, 1e-1), LEMAIRE_2004, "OPG-RANKL association"),
    ("k2", 10.0, "1/day", (1.0, 100.0), LEMAIRE_2004, "OPG-RANKL dissociation"),
    ("k3", 5.8e-4, "1/(pM*day)", (5.8e-5, 5.8e-3), LEMAIRE_2004, "RANK-RANKL association"),
    ("k4", 1.7e-2, "1/day", (1.7e-3, 1.7e-1), LEMAIRE_2004, "RANK-RANKL dissociation"),
    ("k5", 2e-2, "1/(pM*day)", (2e-3, 2e-1), LEMAIRE_2004, "PTH-receptor association"),
    ("k6", 3.0, "1/day", (0.3, 30.0), LEMAIRE_2004, "PTH-receptor dissociation"),
    ("K_L_P", 3e6, "1", (3e5, 3e7), LEMAIRE_2004, "maximum RANKL per osteoblast (x pi_P)"),
    ("K_O_P", 2e5, "1/day", (2e4, 2e6), LEMAIRE_2004, "OPG production per pre-osteoblast"),
    ("kO", 0.35, "1/day", (0.035, 3.5), LEMAIRE_2004, "OPG degradation"),
    ("k_P", 86.0, "1/day", (8.6, 860.0), LEMAIRE_2004, "PTH elimination"),
    ("S_P", 250.0, "pM/day", (25.0, 2500.0), LEMAIRE_2004, "endogenous PTH production"),
    ("I_P", 0.0, "pM/day", (0.0, 1e5), LEMAIRE_2004, "continuous PTH infusion (0 in health)"),
    ("I_O", 0.0, "pM/day", (0.0, 1e7), LEMAIRE_2004, "OPG infusion (0 in health)"),
    ("cell_scale_preosteoblasts", _R_SS, "pM", None, LEMAIRE_2004,
     ("pre-osteoblasts at the healthy steady state (R in BIOMD0000000278): converts the "
     "relative state to pM for the binding equations")),
    ("cell_scale_osteoblasts", _B_SS, "pM", None, LEMAIRE_2004,
     "active osteoblasts at the healthy steady state (B in BIOMD0000000278)"),
    ("cell_scale_osteoclasts", _C_SS, "pM", None, LEMAIRE_2004,
     "active osteoclasts at the healthy steady state (C in BIOMD0000000278)"),
    # --- Komarova 2003 cell removal (BIOMD0000000148)
    ("osteocyte_fraction", 0.2, "1", (0.05, 0.5),
     _A("share of osteoblast removal that is embedding into osteocytes rather than apoptosis; "
        "chosen, not read in a source"),
     "fraction of removed osteoblasts that become osteocytes"),
    # --- BMSC fate (assumed)
    ("k_bmsc_renewal", 0.1, "1/day", (0.01, 1.0), _A(_ORDER), "BMSC self-renewal rate"),
    ("bmsc_capacity", 3.0, "1", (1.5, 10.0),
     _A("niche capacity relative to health; keeps BMSC expansion bounded when a layer "
        "stimulates self-renewal"), "BMSC density at which self-renewal stops"),
    ("k_bmsc_death", 0.06, "1/day", (0.006, 0.6), _A(_ORDER), "BMSC apoptosis rate"),
    ("k_osteogenic_commitment", 0.05, "1/day", (0.005, 0.5), _A(_ORDER),
     "BMSC osteogenic commitment rate"),
    ("k_adipogenic_commitment", 0.005, "1/day", (0.0005, 0.05),
     _A("adipogenic fate taken as a tenth of the osteogenic one in healthy young bone; "
        "chosen, not measured"), "BMSC adipogenic commitment rate"),
    ("n_wnt_fate", 1.0, "1", (0.0, 3.0),
     _A("Wnt/beta-catenin favours osteogenic over adipogenic fate; power-law sensitivity "
        "in the style of Komarova 2003, exponent chosen"),
     "sensitivity of BMSC fate to Wnt signalling"),
    ("k_preob_proliferation", 0.05, "1/day", (0.005, 0.5), _A(_ORDER),
     "pre-osteoblast proliferation rate"),
    ("preob_capacity", 3.0, "1", (1.5, 10.0), _A("bounded transit amplification; chosen"),
     "pre-osteoblast density at which proliferation stops"),
    ("k_preob_death", 0.01, "1/day", (0.001, 0.1), _A(_ORDER), "pre-osteoblast death rate"),
    ("n_wnt_maturation", 0.5, "1", (0.0, 3.0), _A("Wnt promotes osteoblast maturation; "
                                                  "exponent chosen"),
     "sensitivity of pre-osteoblast maturation to Wnt"),
    ("n_vessel_osteogenesis", 0.5, "1", (0.0, 2.0),
     _A("angiogenesis-osteogenesis coupling (vessels bring progenitors and oxygen); exponent "
        "chosen"), "sensitivity of osteogenic commitment to vessel density"),
    ("n_wnt_survival", 1.0, "1", (0.0, 3.0),
     _A("Wnt/beta-catenin prolongs osteoblast survival; exponent chosen"),
     "sensitivity of osteoblast apoptosis to Wnt (apoptosis x Wnt^-n)"),
    ("n_wnt_opg", 1.739, "1", (0.0, 5.0),
     _fitted("Wnt gain on OPG (Wnt/beta-catenin raises OPG expression: assumed mechanism)"),
     "sensitivity of OPG expression to Wnt (OPG x Wnt^n)"),
    ("n_tgf_proliferation", 1.0, "1", (0.0, 3.0),
     _A("TGF-beta released from the matrix is a mitogen for osteoprogenitors (coupling of "
        "formation to resorption); exponent chosen"),
     "sensitivity of pre-osteoblast proliferation to TGF-beta"),
    ("rankl_stimulus", 1.0, "1", (0.0, 100.0),
     _A("1 in health; an external resorption stimulus (e.g. microdamage) raises it"),
     "external RANKL stimulus (input for remodeling-cycle experiments)"),
    ("k_adipocyte_turnover", 0.01, "1/day", (0.001, 0.1), _A(_ORDER),
     "marrow adipocyte turnover"),
    # --- osteocytes, sclerostin, Wnt
    ("k_osteocyte_death", 1.0 / 3650.0, "1/day", (1e-5, 1e-2),
     _A("osteocytes live for years; a ten-year mean lifetime is chosen"),
     "osteocyte death rate in health"),
    ("k_sclerostin", 1.0, "1/day", (0.1, 10.0), _A("sclerostin turnover within about a day; "
                                                   "chosen"), "sclerostin turnover rate"),
    ("K_wnt", 0.0501, "1", (0.05, 10.0),
     _fitted("Wnt inhibition constant"),
     "Wnt inhibition constant of sclerostin x DKK-1"),
    ("dkk1", 1.0, "1", (0.0, 10.0), _A("health is the reference (1)"),
     "DKK-1 level relative to health (input)"),
    ("n_mechanostat", 1.358, "1", (0.0, 10.0), _fitted("mechanostat exponent"),
     ("sensitivity of osteocyte sclerostin expression to mechanical strain (strain taken as "
     "inversely proportional to BV/TV)")),
    ("K_surface", 5.0, "%", (0.5, 50.0),
     _A("bone surface available for remodeling saturates with BV/TV; half-saturation chosen "
        "near the OVX plateau level"), "BV/TV at which remodeling surface is half its maximum"),
    # --- osteoclast lineage (assumed)
    ("k_oc_differentiation", 0.05, "1/day", (0.005, 1.0), _A(_ORDER),
     "osteoclast precursor fusion/differentiation rate at healthy RANK occupancy"),
    ("k_ocp_turnover", 0.45, "1/day", (0.05, 5.0), _A("monocyte-lineage turnover of days; most precursors take other fates; "
                                                     "chosen"),
     "osteoclast precursor loss (other fates, death)"),
    # --- endothelium
    ("k_endothelium", 0.05, "1/day", (0.005, 0.5), _A("vessel remodeling over weeks; chosen"),
     "endothelial turnover rate"),
    ("n_vegf", 0.5, "1", (0.0, 2.0), _A("VEGF-A from the osteoblast lineage drives "
                                        "angiogenesis; exponent chosen"),
     "sensitivity of angiogenesis to osteoblast-lineage VEGF"),
    # --- bone volume
    # --- hormones
    ("estrogen_input", 1.0, "1", (0.0, 2.0), _A("health is the reference (1)"),
     "ovarian estrogen secretion relative to health (0 after ovariectomy)"),
    ("k_estrogen", 0.5, "1/day", (0.05, 5.0), _A("serum estrogen falls within days of "
                                                 "ovariectomy; chosen"),
     "relaxation rate of the estrogen level to its input"),
    ("e_rankl", 0.9416, "1", (0.5, 20.0), _fitted("estrogen-deficiency gain on RANKL"),
     "fold increase of RANKL expression minus 1 at full estrogen deficiency"),
    ("e_opg", 0.5, "1", (0.0, 10.0),
     _A("estrogen deficiency lowers OPG; gain chosen and held fixed in the OVX calibration"),
     "OPG expression is divided by 1 + e_opg at full estrogen deficiency"),
    ("e_oc_apoptosis", 4.774, "1", (0.0, 10.0), _fitted("estrogen-deficiency OC survival"),
     "osteoclast apoptosis is divided by 1 + e_oc_apoptosis at full estrogen deficiency"),
    ("e_resorption", 1.455, "1", (0.0, 10.0), _fitted("estrogen-deficiency erosion depth"),
     "resorption per osteoclast is multiplied by 1 + e_resorption at full deficiency"),
    ("e_adipogenic", 11.0, "1", (0.0, 20.0),
     _A("estrogen deficiency shifts BMSC commitment to adipogenesis; direction from "
        "physiology.yaml records martin1991_rat_ovx_marrow_fat and "
        "fonseca2021_rat_ovx_marrow_adiposity (marrow fat rises after OVX), no magnitude read; "
        "gain chosen so that marrow adipocytes rise after OVX despite the Wnt rise of the "
        "mechanostat (9 until session 4; 11 keeps the rise at the start of a pmo run above 5 % "
        "with the refitted, lower human estrogen sensitivity)"),
     "adipogenic commitment is multiplied by 1 + e_adipogenic at full estrogen deficiency"),
    ("cortical_erosion_share", 1.0, "1", (0.0, 1.0),
     Reference("unknown", 2008, title="A population-based assessment of rates of bone loss at "
               "multiple skeletal sites: evidence for substantial trabecular bone loss in young "
               "adult women and men", journal="J Bone Miner Res", volume="23",
               pages="205-214", doi="10.1359/jbmr.071020",
               note="data/calibration/physiology.yaml record "
                    "qct_population_trabecular_loss_young_adults (also_quoted_cortical: 'Cortical "
                    "bone loss began in perimenopause in women'): qualitative, so the estrogen "
                    "erosion depth applies to intracortical cavities as to trabecular ones (1); no "
                    "cortical erosion-depth number was read (session 4 scan: "
                    "docs/dev/coupling-findings.md)"),
     "share of the estrogen-deficiency erosion depth that applies to cortical resorption"),
    ("bmd_trabecular_share_lumbar_spine", 0.5, "1", (0.0, 1.0),
     _A("share of lumbar spine areal BMD change carried by trabecular bone; no measured share "
        "was read: the vertebral body is mostly trabecular, its shell and posterior elements "
        "cortical, so an even split is chosen"),
     "weight of trabecular BV/TV (relative to the start) in bmd_lumbar_spine"),
    ("bmd_trabecular_share_total_hip", 0.3, "1", (0.0, 1.0),
     _A("share of total hip areal BMD change carried by trabecular bone; no measured share "
        "was read: the proximal femur is mostly cortical, so a minority share is chosen"),
     "weight of trabecular BV/TV (relative to the start) in bmd_total_hip"),
    ("cortical_start", 1.0, "rel. to healthy", (0.0, 2.0),
     _A("health is the reference; a scenario with a history (pmo) sets the value reached"),
     "cortical bone at the start of the run (reference of the BMD outcomes)"),
    ("resorption_start", 1.0, "rel. to healthy", (0.0, 20.0),
     _A("health is the reference; a scenario with a history (pmo) sets the value reached"),
     "resorption activity at the start of the run (reference of ctx: pretreatment = 1)"),
    ("formation_start", 1.0, "rel. to healthy", (0.0, 20.0),
     _A("health is the reference; a scenario with a history (pmo) sets the value reached"),
     "formation activity at the start of the run (reference of p1np: pretreatment = 1)"),
    ("cortical_resorption_start", 1.0, "rel. to healthy", (0.0, 20.0),
     _A("health is the reference; a scenario with a history (pmo) sets the value reached"),
     "cortical resorption activity at the start of the run (reference of ctx)"),
    ("cortical_formation_start", 1.0, "rel. to healthy", (0.0, 20.0),
     _A("health is the reference; a scenario with a history (pmo) sets the value reached"),
     "cortical formation activity at the start of the run (reference of p1np)"),
    ("serum_trabecular_share", 0.676, "1", (0.0, 1.0),
     _A("serum CTX and P1NP come from the whole skeleton: trabecular share of skeletal "
        "collagen turnover = 0.2 x 25 %/yr / (0.2 x 25 %/yr + 0.8 x 3 %/yr) = 0.676, with '~80% "
        "of the skeleton is cortical' (physiology.yaml cortical_share_of_skeleton_review, a "
        "review figure) and the human trabecular and cortical turnovers of the core (both "
        "assumed); the same share is used in rodents (their cortical/trabecular turnover ratio "
        "is the human one)"),
     "share of serum CTX and P1NP coming from trabecular (vs cortical) turnover"),
    ("glucocorticoid", 0.0, "1", (0.0, 10.0), _A("health is the reference (0)"),
     "glucocorticoid excess (0 in health; 1 = the gc-onfh scenario dose)"),
    ("gc_pi3k", 1.0, "1", (0.0, 10.0), _A(_GAIN),
     "glucocorticoids suppress PI3K/Akt survival signalling: PI3K/Akt = 1/(1 + gc_pi3k*GC)"),
    ("gc_osteocyte", 3.0, "1", (0.0, 20.0), _A(_GAIN),
     "glucocorticoid increase of osteocyte apoptosis"),
    ("gc_osteogenic", 0.5, "1", (0.0, 10.0), _A(_GAIN),
     "glucocorticoid suppression of osteogenic commitment"),
    ("gc_adipogenic", 1.0, "1", (0.0, 10.0), _A(_GAIN),
     "glucocorticoid promotion of adipogenic commitment"),
    ("gc_angiogenesis", 1.0, "1", (0.0, 10.0), _A(_GAIN),
     "glucocorticoid suppression of angiogenesis"),
    ("gc_rankl", 0.5, "1", (0.0, 10.0), _A(_GAIN), "glucocorticoid increase of RANKL"),
    ("pth_secretion", 1.0, "1", (0.0, 20.0), _A("health is the reference (1)"),
     "endogenous PTH secretion relative to health (scales Lemaire's S_P)"),
    # --- defect compartment
    ("defect_size", 0.0, "1", (0.0, 1.0), _A("no defect in health; 1 = a defect scenario"),
     "1 when the scenario creates a bone defect, else 0"),
    ("defect_healing_capacity", 1.0, "1", (0.0, 5.0),
     _A("1 = a fracture that bridges; critical-size defects are by definition those that "
        "do not heal spontaneously and get a lower value"),
     "intrinsic capacity of the defect to recruit progenitors"),
    ("k_healing_signal", 1.0 / 21.0, "1/day", (0.005, 0.5),
     _A("the injury (inflammatory/hypoxic) signal resolves over weeks; chosen"),
     "decay rate of the healing signal"),
    ("k_defect_recruitment", 0.15, "1/day", (0.01, 3.0), _A(_ORDER),
     "progenitor recruitment into the defect per unit healing signal"),
    ("defect_vessel_basal", 0.2, "1", (0.0, 1.0),
     _A("recruitment possible before new vessels arrive, relative to a fully vascularised "
        "callus; chosen"), "vessel-independent share of progenitor recruitment"),
    ("k_defect_angiogenesis", 0.1, "1/day", (0.01, 1.0), _A(_ORDER),
     "vessel ingrowth rate into the defect"),
    ("k_defect_differentiation", 0.1, "1/day", (0.01, 1.0), _A(_ORDER),
     "osteogenic differentiation rate of defect progenitors"),
    ("k_defect_progenitor_death", 0.05, "1/day", (0.005, 0.5), _A(_ORDER),
     "death rate of defect progenitors"),
    ("k_defect_osteoblast_turnover", 0.05, "1/day", (0.005, 0.5), _A(_ORDER),
     "turnover of defect osteoblasts"),
    ("k_defect_fill", 0.15, "1/day", (0.01, 5.0),
     _A("scaled so that a fracture bridges within weeks; chosen, not fitted to data"),
     "fill rate of the defect per unit defect osteoblasts"),
]

def lemaire_signals(p: dict[str, float], *, preob: float = 1.0, ob: float = 1.0,
                     oc: float = 1.0) -> tuple[float, float, float]:
    """Return (pi_C, pi_P, pi_L) of Lemaire 2004 for relative cell levels (no infusions)."""
    c = oc * p["cell_scale_osteoclasts"]
    pi_c = (c + p["f0"] * p["C_s"]) / (c + p["C_s"])
    p0 = p["S_P"] / p["k_P"]
    pi_p = p0 / (p["k6"] / p["k5"])
    rankl = p["K_L_P"] * pi_p * ob * p["cell_scale_osteoblasts"]
    opg = p["K_O_P"] * preob * p["cell_scale_preosteoblasts"] / pi_p
    pi_l = (p["k3"] / p["k4"]) * rankl / (
        1 + p["k3"] * p["K"] / p["k4"] + p["k1"] / (p["k2"] * p["kO"]) * opg)
    return pi_c, pi_p, pi_l


def derived_parameters(p: dict[str, float]) -> list[tuple[str, float, str, str]]:
    """Reference signals and balance constants making the healthy state a steady state."""
    pi_c, _, pi_l = lemaire_signals(p)
    ob_apop = p["k_ob_removal"] * (1 - p["osteocyte_fraction"])
    ob_embed = p["k_ob_removal"] * p["osteocyte_fraction"]
    bmsc_out = p["k_bmsc_death"] + p["k_osteogenic_commitment"] + p["k_adipogenic_commitment"]
    if bmsc_out <= p["k_bmsc_renewal"]:
        raise ModelError("BMSC self-renewal exceeds BMSC losses in health: no balancing influx "
                         "exists; lower k_bmsc_renewal")
    return [
        ("tgf_beta_activation_healthy", pi_c, "1", "pi_C of Lemaire 2004 at the healthy state"),
        ("rank_occupancy_healthy", pi_l, "1", "pi_L of Lemaire 2004 at the healthy state"),
        ("k_ob_apoptosis", ob_apop, "1/day", ("osteoblast apoptosis rate = beta2 x (1 - "
                                             "osteocyte_fraction)")),
        ("k_ob_embedding", ob_embed, "1/day", ("osteoblast embedding rate = beta2 x "
                                              "osteocyte_fraction")),
        ("k_bmsc_supply", bmsc_out - p["k_bmsc_renewal"], "1/day",
         "BMSC influx (recruitment/homing) balancing BMSC losses in health"),
        ("k_ocp_supply", p["k_oc_differentiation"] + p["k_ocp_turnover"], "1/day",
         "osteoclast precursor supply balancing differentiation and turnover in health"),
    ]


def yields(p: dict[str, float]) -> dict[str, float]:
    """Stoichiometric yields between relative pools (transit amplification), from the rates."""
    pi_c, _, _ = lemaire_signals(p)
    maturation = p["f0"] * p["d_B"] / pi_c
    ob_embed = p["k_ob_removal"] * p["osteocyte_fraction"]
    return {
        "preosteoblasts": (maturation + p["k_preob_death"] - p["k_preob_proliferation"])
        / p["k_osteogenic_commitment"],
        "osteoblasts": p["k_ob_removal"] / maturation,
        "osteocytes": p["k_osteocyte_death"] / ob_embed,
        "osteoclasts": p["k_oc_apoptosis"] / p["k_oc_differentiation"],
        "adipocytes": p["k_adipocyte_turnover"] / p["k_adipogenic_commitment"],
    }
