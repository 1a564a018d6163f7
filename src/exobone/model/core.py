"""The bone core: BMSC fate, osteoblast and osteoclast lineages, osteocytes, vessels, BV/TV, defects.

A population model in the tradition of Komarova et al. 2003 (BIOMD0000000148) and Lemaire et al.
2004 (BIOMD0000000278), extended with BMSC fate, osteocytes, vasculature and a defect
compartment. Cell states are **relative to the healthy steady state** (1 = healthy), so every
layer can read them as fold changes; bone volume is BV/TV in %.

Structure (``m_<process>`` are the modifiers of :mod:`exobone.model.processes`; 1 in health)::

    BMSC  --osteogenic commitment (Wnt, TGF-beta, vessels)-->  pre-osteoblast
          --adipogenic commitment (1/Wnt)------------------->  adipocyte
    pre-osteoblast --maturation D_B/pi_C (Lemaire), Wnt--->  active osteoblast
    active osteoblast --apoptosis / embedding (beta2, Komarova)-->  osteocyte
    osteocyte --SOST (suppressed by mechanical strain)-->  sclerostin --| Wnt (with DKK-1)
    osteoclast precursor --RANK occupancy pi_L (Lemaire: RANKL from osteoblasts x PTH,
                           OPG from pre-osteoblasts), bone surface-->  active osteoclast
    active osteoclast --apoptosis beta1 (Komarova) x TGF-beta (Lemaire)-->
    resorption releases TGF-beta (pi_C, Lemaire);  osteoblast lineage -> VEGF -> endothelium
    dBV/dt = k_formation * osteoblasts * m_bone_formation
             - k_resorption * osteoclasts * bone_surface * m_bone_resorption

Hormones are core inputs: ``estrogen`` (a state relaxing to ``estrogen_input``; ovariectomy
sets the input to 0), ``glucocorticoid`` (0 in health), ``pth_secretion`` (1 in health, scales
Lemaire's endogenous PTH), ``dkk1`` (1 in health). Their effects enter as core factors on the
process modifiers, so ``exobone model explain`` shows them next to the exosome effects.

Why the mechanostat: a balanced core with purely cellular feedback has a neutrally stable bone
volume (any imbalance, however small, drifts forever). Osteocytes sense strain, which rises as
BV/TV falls, and lower sclerostin; Wnt rises and formation catches up. This gives a stable
healthy BV/TV and the plateau of bone loss after ovariectomy. The exponent is calibrated
(``scripts/calibrate_ovx.py``).

Healthy steady state: every cell state 1, ``bone_volume = bv_tv_healthy``. Influx and yield
constants are derived at build time so that this holds exactly with the cited rates (their
source says so). The defect compartment (``healing_signal``, ``defect_*``) is inert (all 0,
``defect_fill = 1``) unless a scenario sets ``defect_size = 1``.

Markers are assignments relative to health; each is a proportionality *assumption* stated in
its description (e.g. serum CTX proportional to the resorption rate).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from exobone.errors import ModelError, unknown_name
from exobone.model.parameters import Assumed, Parameter, Reference, Source

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = [
    "CELL_STATES",
    "CORE_SOURCES",
    "KOMAROVA_2003",
    "LEMAIRE_2004",
    "MARKERS",
    "OVX_TIMECOURSE",
    "SPECIES_BV_TV",
    "WRONSKI_1985",
    "add_core",
    "healthy_values",
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


#: species -> (healthy trabecular BV/TV in %, source)
SPECIES_BV_TV: dict[str, tuple[float, Source]] = {
    "rat": (17.6, CONTROL_BV_TV),
    "mouse": (17.6, Assumed("no mouse BV/TV was read in a source; the rat control value "
                            "(17.6%) is used so that species differ only where data say so")),
    "human": (17.6, Assumed("no human BV/TV was read in a source; the rat control value "
                            "(17.6%) is used")),
}

#: cell states of the core, in order (all relative to health)
CELL_STATES: tuple[str, ...] = (
    "bmsc", "preosteoblasts", "osteoblasts", "osteocytes", "osteoclast_precursors",
    "osteoclasts", "adipocytes", "endothelium",
)

#: atlas cell key -> expression of its amount (declared as exosome sources)
CORE_SOURCES: dict[str, str] = {
    "bmsc": "bmsc",
    "preosteoblast": "preosteoblasts",
    "osteoblast": "osteoblasts",
    "osteocyte": "osteocytes",
    "osteoclast_precursor": "osteoclast_precursors",
    "osteoclast": "osteoclasts",
    "adipocyte": "adipocytes",
    "endothelial_cell": "endothelium",
}

# Lemaire steady state (BIOMD0000000278 initial concentrations, pM): scales of the relative states
_R_SS, _B_SS, _C_SS = 7.734e-4, 7.282e-4, 9.127e-4

# ------------------------------------------------------------------------ parameter table
_A = Assumed
_ORDER = "order of magnitude chosen for the time scale only; no measurement was read"
_GAIN = ("dimensionless gain of a qualitatively documented effect; value chosen, not measured")

# name, value, unit, bounds, source, description
_TABLE: list[tuple[str, float, str, tuple[float, float] | None, Source, str]] = [
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
    ("k_oc_apoptosis", 0.2, "1/day", (0.02, 2.0), KOMAROVA_2003,
     "removal rate of active osteoclasts (beta1), scaled by TGF-beta as in Lemaire 2004"),
    ("k_ob_removal", 0.02, "1/day", (0.002, 0.2), KOMAROVA_2003,
     "removal rate of active osteoblasts (beta2): apoptosis plus embedding"),
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
    ("n_wnt_opg", 3.081, "1", (0.0, 5.0),
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
    ("K_wnt", 0.2063, "1", (0.05, 10.0),
     _fitted("Wnt inhibition constant"),
     "Wnt inhibition constant of sclerostin x DKK-1"),
    ("dkk1", 1.0, "1", (0.0, 10.0), _A("health is the reference (1)"),
     "DKK-1 level relative to health (input)"),
    ("n_mechanostat", 0.5464, "1", (0.0, 10.0), _fitted("mechanostat exponent"),
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
    ("k_resorption", 0.1578, "%/day", (0.02, 0.4), _fitted("resorption per relative osteoclast"),
     ("BV/TV resorbed per day by the healthy osteoclast population; the healthy formation "
     "rate equals it (balance)")),
    # --- hormones
    ("estrogen_input", 1.0, "1", (0.0, 2.0), _A("health is the reference (1)"),
     "ovarian estrogen secretion relative to health (0 after ovariectomy)"),
    ("k_estrogen", 0.5, "1/day", (0.05, 5.0), _A("serum estrogen falls within days of "
                                                 "ovariectomy; chosen"),
     "relaxation rate of the estrogen level to its input"),
    ("e_rankl", 1.524, "1", (0.5, 20.0), _fitted("estrogen-deficiency gain on RANKL"),
     "fold increase of RANKL expression minus 1 at full estrogen deficiency"),
    ("e_opg", 0.5, "1", (0.0, 10.0),
     _A("estrogen deficiency lowers OPG; gain chosen and held fixed in the OVX calibration"),
     "OPG expression is divided by 1 + e_opg at full estrogen deficiency"),
    ("e_oc_apoptosis", 1.299, "1", (0.0, 10.0), _fitted("estrogen-deficiency OC survival"),
     "osteoclast apoptosis is divided by 1 + e_oc_apoptosis at full estrogen deficiency"),
    ("e_resorption", 1.1, "1", (0.0, 10.0), _fitted("estrogen-deficiency erosion depth"),
     "resorption per osteoclast is multiplied by 1 + e_resorption at full deficiency"),
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

#: marker name -> (expression, description stating the proportionality assumption)
MARKERS: dict[str, tuple[str, str]] = {
    "alp": ("(preosteoblasts + osteoblasts)/2",
            ("ALP activity, assumed proportional to pre-osteoblasts plus active osteoblasts "
            "(equal weights; an assumption)")),
    "runx2": ("(bmsc*osteogenic_drive + preosteoblasts)/2",
              ("RUNX2 expression, assumed proportional to osteogenically committing BMSCs "
              "(BMSCs x osteogenic drive) plus pre-osteoblasts (an assumption)")),
    "ocn": ("osteoblasts*m_bone_formation",
            ("osteocalcin (OCN), assumed proportional to matrix-synthesising osteoblast "
            "activity (an assumption)")),
    "opn": ("(osteoblasts + osteocytes)/2",
            ("osteopontin (OPN), assumed proportional to osteoblasts plus osteocytes "
            "(an assumption)")),
    "trap": ("osteoclasts",
             "TRAP (ACP5), assumed proportional to active osteoclasts (an assumption)"),
    "ctsk": ("osteoclasts*m_bone_resorption",
             ("cathepsin K, assumed proportional to osteoclast resorptive activity "
             "(an assumption)")),
    "mmp9": ("(osteoclasts*m_bone_resorption + osteoclast_precursors)/2",
             ("MMP9, assumed proportional to osteoclast activity plus precursors "
             "(an assumption)")),
    "ctx": ("resorption_rate/k_resorption",
            "serum CTX, assumed proportional to the bone resorption rate (an assumption)"),
    "p1np": ("formation_rate/k_resorption",
             "serum P1NP, assumed proportional to the bone formation rate (an assumption)"),
}


def _lemaire_signals(p: dict[str, float], *, preob: float = 1.0, ob: float = 1.0,
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


def _derived(p: dict[str, float]) -> list[tuple[str, float, str, str]]:
    """Reference signals and balance constants making the healthy state a steady state."""
    pi_c, _, pi_l = _lemaire_signals(p)
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


def _yields(p: dict[str, float]) -> dict[str, float]:
    """Stoichiometric yields between relative pools (transit amplification), from the rates."""
    pi_c, _, _ = _lemaire_signals(p)
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


def healthy_values(species: str = "rat") -> dict[str, float]:
    """Return the healthy steady state of every core state (cells 1, BV/TV per species)."""
    bv = SPECIES_BV_TV[species][0]
    values = {name: 1.0 for name in CELL_STATES}
    values.update({"bone_volume": bv, "estrogen": 1.0, "sclerostin": 1.0,
                   "healing_signal": 0.0, "defect_vessels": 0.0, "defect_progenitors": 0.0,
                   "defect_osteoblasts": 0.0, "defect_fill": 1.0})
    return values


def add_core(builder: ModelBuilder, *, species: str = "rat") -> None:
    """Add the bone core to ``builder``: states, parameters, signals, terms, markers, sources.

    Parameters
    ----------
    builder
        The workspace (usually fresh).
    species
        ``"rat"``, ``"mouse"`` or ``"human"``: sets the healthy BV/TV and its source.

    Raises
    ------
    UnknownNameError
        For an unknown species.

    References
    ----------
    Komarova SV et al. Bone 2003;33:206-215 (BIOMD0000000148).
    Lemaire V et al. J Theor Biol 2004;229:293-309 (BIOMD0000000278).
    Wronski TJ et al. Calcif Tissue Int 1985;37(3):324-8, doi:10.1007/BF02554882.
    """
    if species not in SPECIES_BV_TV:
        raise unknown_name("species", species, SPECIES_BV_TV)
    P: Callable[..., Parameter] = builder.add_parameter
    values: dict[str, float] = {}
    for name, value, unit, bounds, source, desc in _TABLE:
        P(name, value, unit=unit, bounds=bounds, source=source, description=desc)
        values[name] = value
    bv, bv_source = SPECIES_BV_TV[species]
    P("bv_tv_healthy", bv, unit="%", bounds=(1.0, 60.0), source=bv_source,
      description=f"healthy trabecular BV/TV ({species})")
    derived_note = ("derived at build time from the other parameters so that the healthy state "
                    "(all cells 1) is a steady state")
    for name, value, unit, desc in _derived(values):
        P(name, value, unit=unit, bounds=None, source=Assumed(derived_note), description=desc)

    _states(builder)
    _signals(builder)
    _core_factors(builder)
    _terms(builder, _yields(values))
    _outcomes(builder)
    for cell, expr in CORE_SOURCES.items():
        builder.add_source(cell, expr)
    builder.metadata.setdefault("time_unit", "day")
    builder.metadata["core"] = "exobone bone core v1"


def _states(b: ModelBuilder) -> None:
    rel = "rel. to healthy"
    b.add_state("bmsc", 1.0, unit=rel, description="uncommitted bone-marrow MSCs")
    b.add_state("preosteoblasts", 1.0, unit=rel,
                description="committed pre-osteoblasts (responding osteoblasts R of Lemaire)")
    b.add_state("osteoblasts", 1.0, unit=rel,
                description="active, matrix-forming osteoblasts (B of Lemaire)")
    b.add_state("osteocytes", 1.0, unit=rel, description="osteocytes embedded in the matrix")
    b.add_state("osteoclast_precursors", 1.0, unit=rel,
                description="monocyte-lineage osteoclast precursors at the bone surface")
    b.add_state("osteoclasts", 1.0, unit=rel,
                description="active, resorbing osteoclasts (C of Lemaire)")
    b.add_state("adipocytes", 1.0, unit=rel, description="marrow adipocytes")
    b.add_state("endothelium", 1.0, unit=rel,
                description="vascular endothelium of the marrow (vessel density)")
    b.add_state("sclerostin", 1.0, unit=rel, description="osteocyte sclerostin (SOST)")
    b.add_state("estrogen", 1.0, unit=rel, description="circulating estrogen")
    b.add_state("bone_volume", "bv_tv_healthy", unit="%",
                description="trabecular bone volume fraction BV/TV")
    b.add_state("healing_signal", "defect_size", unit="1",
                description="injury signal of a defect (inflammation, hypoxia), 1 at injury")
    b.add_state("defect_vessels", 0.0, unit="1", description="vessels grown into the defect")
    b.add_state("defect_progenitors", 0.0, unit=rel,
                description="osteoprogenitors recruited into the defect")
    b.add_state("defect_osteoblasts", 0.0, unit=rel, description="osteoblasts in the defect")
    b.add_state("defect_fill", "1 - defect_size", unit="1",
                description="fraction of the defect filled with new bone (1 with no defect)")


def _signals(b: ModelBuilder) -> None:
    lem = (LEMAIRE_2004,)
    A = b.add_assignment
    A("estrogen_deficiency", "max(1 - estrogen, 0)", unit="1",
      description="loss of estrogen relative to health (0 healthy, 1 after ovariectomy)")
    A("pth", "(I_P + S_P*pth_secretion)/k_P", unit="pM",
      description="PTH concentration (endogenous + infused)", citations=lem)
    A("pth_occupancy", "(I_P/k_P + S_P*pth_secretion/k_P) / (I_P/k_P + k6/k5)", unit="1",
      description="pi_P: PTH receptor occupancy (Lemaire 2004 form)", citations=lem)
    A("bone_surface",
      "(bone_volume/(bone_volume + K_surface)) / (bv_tv_healthy/(bv_tv_healthy + K_surface))",
      unit="1", description="remodeling surface relative to health (saturating in BV/TV)")
    A("resorption_activity", "osteoclasts*bone_surface*m_bone_resorption", unit="1",
      description="resorption relative to health: osteoclasts x surface x activity")
    A("tgf_beta_activation",
      "(resorption_activity*cell_scale_osteoclasts + f0*C_s)"
      " / (resorption_activity*cell_scale_osteoclasts + C_s)", unit="1",
      description="pi_C: TGF-beta released from the matrix by resorption (Lemaire 2004 form, "
                  "driven by resorption activity)", citations=lem)
    A("tgf_beta", "tgf_beta_activation/tgf_beta_activation_healthy", unit="1",
      description="TGF-beta activity relative to health")
    A("rankl", "K_L_P*pth_occupancy*osteoblasts*cell_scale_osteoblasts*m_rankl_expression",
      unit="pM", description="RANKL on osteoblasts, raised by PTH (Lemaire 2004)",
      citations=lem)
    A("opg_production",
      "I_O + K_O_P*preosteoblasts*cell_scale_preosteoblasts*m_opg_expression/pth_occupancy",
      unit="pM/day", description="OPG production by pre-osteoblasts, lowered by PTH, plus "
                                 "infusion (Lemaire 2004)", citations=lem)
    A("opg", "opg_production/kO", unit="pM", description="OPG concentration (quasi-steady)",
      citations=lem)
    A("rank_occupancy", "(k3/k4)*rankl / (1 + k3*K/k4 + (k1/(k2*kO))*opg_production)",
      unit="1", description="pi_L: RANK occupancy by RANKL against the OPG decoy "
                            "(Lemaire 2004)", citations=lem)
    A("rankl_signal", "rank_occupancy/rank_occupancy_healthy", unit="1",
      description="RANKL-RANK signalling relative to health")
    A("mechanical_strain", "bv_tv_healthy/max(bone_volume, 0.01)", unit="1",
      description="trabecular strain relative to health, taken inversely proportional to "
                  "BV/TV at constant load (an assumption)")
    A("wnt_signal", "(K_wnt + 1)/(K_wnt + sclerostin*dkk1)", unit="1",
      description="Wnt/beta-catenin signalling relative to health, inhibited by sclerostin "
                  "and DKK-1 at LRP5/6")
    A("pi3k_akt", "1/(1 + gc_pi3k*glucocorticoid)", unit="1",
      description="PI3K/Akt survival signalling relative to health")
    A("vegf", "(preosteoblasts + osteoblasts)/2", unit="1",
      description="VEGF-A from the osteoblast lineage relative to health (assumed "
                  "proportional to pre-osteoblasts plus osteoblasts)")
    A("osteogenic_signal",
      "pow(wnt_signal, n_wnt_fate)*tgf_beta*pow(max(endothelium, 0), n_vessel_osteogenesis)",
      unit="1", description="signals for BMSC osteogenic commitment: Wnt, TGF-beta (Lemaire "
                            "2004: TGF-beta recruits osteoprogenitors) and vessels")
    A("osteogenic_drive", "2*osteogenic_signal/(1 + osteogenic_signal)", unit="1",
      description="drive of BMSC osteogenic commitment, saturating at twice health (receptor "
                  "saturation; an assumption that keeps the BMSC pool from being drained)")
    A("adipogenic_drive", "pow(wnt_signal, -n_wnt_fate)", unit="1",
      description="drive of BMSC adipogenic commitment (Wnt suppresses adipogenesis)")


def _core_factors(b: ModelBuilder) -> None:
    F = b.add_factor
    est = ("core:estrogen",)
    gc = ("core:glucocorticoid",)
    F("rankl_expression", "1 + e_rankl*estrogen_deficiency", mechanisms=est,
      description="estrogen deficiency raises RANKL")
    F("opg_expression", "1/(1 + e_opg*estrogen_deficiency)", mechanisms=est,
      description="estrogen deficiency lowers OPG")
    F("oc_apoptosis", "1/(1 + e_oc_apoptosis*estrogen_deficiency)", mechanisms=est,
      description="estrogen deficiency prolongs osteoclast survival")
    F("bone_resorption", "1 + e_resorption*estrogen_deficiency", mechanisms=est,
      description="estrogen deficiency deepens resorption per osteoclast")
    F("ob_apoptosis", "1/pi3k_akt", mechanisms=("core:pi3k_akt",),
      description="PI3K/Akt protects osteoblasts from apoptosis")
    F("ob_apoptosis", "pow(wnt_signal, -n_wnt_survival)", mechanisms=("core:wnt",),
      description="Wnt/beta-catenin prolongs osteoblast survival")
    F("opg_expression", "pow(wnt_signal, n_wnt_opg)", mechanisms=("core:wnt",),
      description="Wnt/beta-catenin raises OPG")
    F("preob_proliferation", "pow(tgf_beta, n_tgf_proliferation)", mechanisms=("core:tgf_beta",),
      description="matrix TGF-beta stimulates osteoprogenitor proliferation (coupling)")
    F("rankl_expression", "rankl_stimulus", mechanisms=("core:stimulus",),
      description="external resorption stimulus (1 in health)")
    F("endothelial_apoptosis", "1/pi3k_akt", mechanisms=("core:pi3k_akt",),
      description="PI3K/Akt protects endothelium from apoptosis")
    F("osteogenic_commitment", "1/(1 + gc_osteogenic*glucocorticoid)", mechanisms=gc,
      description="glucocorticoids suppress osteogenic commitment")
    F("adipogenic_commitment", "1 + gc_adipogenic*glucocorticoid", mechanisms=gc,
      description="glucocorticoids promote adipogenic commitment")
    F("angiogenesis", "1/(1 + gc_angiogenesis*glucocorticoid)", mechanisms=gc,
      description="glucocorticoids suppress angiogenesis")
    F("rankl_expression", "1 + gc_rankl*glucocorticoid", mechanisms=gc,
      description="glucocorticoids raise RANKL")


def _terms(b: ModelBuilder, y: dict[str, float]) -> None:
    T = b.add_term
    lem, kom = (LEMAIRE_2004,), (KOMAROVA_2003,)
    # BMSCs
    T("bmsc_supply", "k_bmsc_supply*m_bmsc_recruitment", {"bmsc": 1},
      mechanisms=("core:bmsc",), description="BMSC homing/recruitment into the marrow niche")
    T("bmsc_self_renewal",
      "k_bmsc_renewal*bmsc*max(bmsc_capacity - bmsc, 0)/(bmsc_capacity - 1)"
      "*m_bmsc_self_renewal", {"bmsc": 1}, mechanisms=("core:bmsc",),
      description="density-limited BMSC self-renewal")
    T("bmsc_apoptosis", "k_bmsc_death*bmsc*m_bmsc_apoptosis", {"bmsc": -1},
      mechanisms=("core:bmsc",), description="BMSC death")
    T("osteogenic_commitment",
      "k_osteogenic_commitment*bmsc*osteogenic_drive*m_osteogenic_commitment",
      {"bmsc": -1, "preosteoblasts": y["preosteoblasts"]},
      mechanisms=("core:bmsc_fate", "GO:0001649"), citations=lem,
      description="BMSC osteogenic commitment (Wnt, TGF-beta, vessels)")
    T("adipogenic_commitment",
      "k_adipogenic_commitment*bmsc*adipogenic_drive*m_adipogenic_commitment",
      {"bmsc": -1, "adipocytes": y["adipocytes"]},
      mechanisms=("core:bmsc_fate", "GO:0045444"),
      description="BMSC adipogenic commitment (suppressed by Wnt)")
    # pre-osteoblasts / osteoblasts / osteocytes
    T("preob_proliferation",
      "k_preob_proliferation*preosteoblasts*max(preob_capacity - preosteoblasts, 0)"
      "/(preob_capacity - 1)*m_preob_proliferation", {"preosteoblasts": 1},
      mechanisms=("core:osteoblast_lineage",), description="pre-osteoblast proliferation")
    T("ob_maturation",
      "f0*d_B*preosteoblasts/tgf_beta_activation*pow(wnt_signal, n_wnt_maturation)"
      "*m_ob_maturation", {"preosteoblasts": -1, "osteoblasts": y["osteoblasts"]},
      mechanisms=("core:osteoblast_lineage", "BIOMD0000000278:rateRule:B"), citations=lem,
      description="pre-osteoblasts mature into active osteoblasts; TGF-beta holds them back "
                  "(Lemaire 2004), Wnt promotes")
    T("preob_death", "k_preob_death*preosteoblasts", {"preosteoblasts": -1},
      mechanisms=("core:osteoblast_lineage",), description="pre-osteoblast death")
    T("ob_apoptosis", "k_ob_apoptosis*osteoblasts*m_ob_apoptosis", {"osteoblasts": -1},
      mechanisms=("core:osteoblast_lineage", "GO:0006915"), citations=kom,
      description="osteoblast apoptosis (share of beta2, Komarova 2003)")
    T("osteocyte_formation", "k_ob_embedding*osteoblasts*m_osteocyte_formation",
      {"osteoblasts": -1, "osteocytes": y["osteocytes"]},
      mechanisms=("core:osteocytes",), citations=kom,
      description="osteoblasts embed as osteocytes (share of beta2, Komarova 2003)")
    T("osteocyte_death", "k_osteocyte_death*osteocytes*(1 + gc_osteocyte*glucocorticoid)",
      {"osteocytes": -1}, mechanisms=("core:osteocytes", "core:glucocorticoid"),
      description="osteocyte apoptosis, raised by glucocorticoids")
    T("sclerostin_production",
      "k_sclerostin*osteocytes*pow(mechanical_strain, -n_mechanostat)*m_sclerostin_expression",
      {"sclerostin": 1}, mechanisms=("core:mechanostat",),
      description="osteocytes express SOST; strain suppresses it (mechanostat)")
    T("sclerostin_clearance", "k_sclerostin*sclerostin", {"sclerostin": -1},
      mechanisms=("core:mechanostat",), description="sclerostin clearance")
    # osteoclast lineage
    T("ocp_supply", "k_ocp_supply*m_ocp_proliferation*m_ocp_recruitment",
      {"osteoclast_precursors": 1}, mechanisms=("core:osteoclast_lineage",),
      description="supply of osteoclast precursors (proliferation, recruitment)")
    T("oc_differentiation",
      "k_oc_differentiation*osteoclast_precursors*rankl_signal*bone_surface"
      "*m_oc_differentiation",
      {"osteoclast_precursors": -1, "osteoclasts": y["osteoclasts"]},
      mechanisms=("core:osteoclast_lineage", "GO:0030316", "BIOMD0000000278:rateRule:C"),
      citations=lem, description="RANKL-driven fusion of precursors on bone surface")
    T("ocp_turnover", "k_ocp_turnover*osteoclast_precursors", {"osteoclast_precursors": -1},
      mechanisms=("core:osteoclast_lineage",), description="precursor loss (other fates)")
    T("oc_apoptosis", "k_oc_apoptosis*osteoclasts*tgf_beta*m_oc_apoptosis",
      {"osteoclasts": -1}, mechanisms=("core:osteoclast_lineage", "GO:0006915"),
      citations=(*kom, *lem),
      description="osteoclast apoptosis (beta1, Komarova 2003), promoted by TGF-beta "
                  "(Lemaire 2004)")
    # adipocytes, vessels
    T("adipocyte_turnover", "k_adipocyte_turnover*adipocytes", {"adipocytes": -1},
      mechanisms=("core:adipocytes",), description="marrow adipocyte turnover")
    T("angiogenesis", "k_endothelium*pow(vegf, n_vegf)*m_angiogenesis", {"endothelium": 1},
      mechanisms=("core:vessels", "GO:0001525"),
      description="VEGF-driven angiogenesis from the osteoblast lineage")
    T("endothelial_regression", "k_endothelium*endothelium*m_endothelial_apoptosis",
      {"endothelium": -1}, mechanisms=("core:vessels",),
      description="endothelial apoptosis / vessel regression")
    # bone volume
    T("bone_formation", "k_resorption*osteoblasts*m_bone_formation", {"bone_volume": 1},
      mechanisms=("core:bone_volume", "GO:0001503"), citations=kom,
      description="matrix formation by active osteoblasts (balanced with resorption in "
                  "health, as in Komarova 2003)")
    T("bone_resorption", "k_resorption*resorption_activity", {"bone_volume": -1},
      mechanisms=("core:bone_volume", "GO:0045453"), citations=kom,
      description="resorption by active osteoclasts on available surface")
    # estrogen
    T("estrogen_secretion", "k_estrogen*estrogen_input", {"estrogen": 1},
      mechanisms=("core:estrogen",), description="ovarian estrogen secretion")
    T("estrogen_clearance", "k_estrogen*estrogen", {"estrogen": -1},
      mechanisms=("core:estrogen",), description="estrogen clearance")
    # defect compartment
    T("healing_signal_decay", "k_healing_signal*healing_signal", {"healing_signal": -1},
      mechanisms=("core:defect",), description="the injury signal resolves")
    T("defect_angiogenesis", "k_defect_angiogenesis*healing_signal*m_angiogenesis",
      {"defect_vessels": 1}, mechanisms=("core:defect", "GO:0001525"),
      description="vessel ingrowth into the defect, driven by the injury signal")
    T("defect_vessel_regression",
      "k_defect_angiogenesis*defect_vessels*m_endothelial_apoptosis*0.2",
      {"defect_vessels": -1}, mechanisms=("core:defect",),
      description="slow regression of defect vessels")
    T("defect_recruitment",
      "k_defect_recruitment*defect_healing_capacity*healing_signal*bmsc"
      "*(defect_vessel_basal + defect_vessels)*m_bmsc_recruitment",
      {"defect_progenitors": 1}, mechanisms=("core:defect",),
      description="BMSC recruitment into the defect, helped by vessels")
    T("defect_differentiation",
      "k_defect_differentiation*defect_progenitors*pow(wnt_signal, n_wnt_fate)"
      "*m_osteogenic_commitment", {"defect_progenitors": -1, "defect_osteoblasts": 1},
      mechanisms=("core:defect",), description="osteogenic differentiation in the defect")
    T("defect_progenitor_death", "k_defect_progenitor_death*defect_progenitors"
      "*m_bmsc_apoptosis", {"defect_progenitors": -1}, mechanisms=("core:defect",),
      description="death of defect progenitors")
    T("defect_osteoblast_turnover",
      "k_defect_osteoblast_turnover*defect_osteoblasts*m_ob_apoptosis",
      {"defect_osteoblasts": -1}, mechanisms=("core:defect",),
      description="turnover of defect osteoblasts")
    T("defect_filling", "k_defect_fill*defect_osteoblasts*m_bone_formation*(1 - defect_fill)",
      {"defect_fill": 1}, mechanisms=("core:defect", "GO:0001503"),
      description="new bone fills the defect")


def _outcomes(b: ModelBuilder) -> None:
    A = b.add_assignment
    A("bv_tv", "bone_volume", unit="%", description="trabecular BV/TV")
    A("formation_rate", "k_resorption*osteoblasts*m_bone_formation", unit="%/day",
      description="bone formation rate (BV/TV per day)")
    A("resorption_rate", "k_resorption*resorption_activity", unit="%/day",
      description="bone resorption rate (BV/TV per day)")
    A("vessel_density", "endothelium", unit="rel. to healthy",
      description="marrow vessel density (endothelium)")
    for name, (expr, desc) in MARKERS.items():
        A(name, expr, unit="rel. to healthy", description=desc)
