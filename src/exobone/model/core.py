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
    dBV/dt = k_formation * osteoblasts * m_bone_formation * free_space
             - k_resorption * osteoclasts * bone_surface * m_bone_resorption

Why the BV/TV ceiling: space in the marrow cavity is finite, so formation must stop before
bone fills it, however strongly it is stimulated. ``free_space = min((1 - (BV/BV_max)^n) /
(1 - (BV_h/BV_max)^n), 1)`` (``bv_tv_max`` 60 %, ``n_space`` 8, both assumed) is exactly 1 at
and below the healthy BV/TV (so the healthy steady state and the calibrated ovariectomy course
do not move; the Hill form is within 6e-5 of 1 there anyway, so the clip is only a kink of
that size) and falls steeply to 0 as BV/TV nears ``bv_tv_max``: no stimulus takes BV/TV past
the ceiling, since resorption goes on.

Hormones are core inputs: ``estrogen`` (a state relaxing to ``estrogen_input``; ovariectomy
sets the input to 0), ``glucocorticoid`` (0 in health), ``pth_secretion`` (1 in health, scales
Lemaire's endogenous PTH), ``dkk1`` (1 in health). Their effects enter as core factors on the
process modifiers, so ``exobone model explain`` shows them next to the exosome effects.

Why the mechanostat: a balanced core with purely cellular feedback has a neutrally stable bone
volume (any imbalance, however small, drifts forever). Osteocytes sense strain, which rises as
BV/TV falls, and lower sclerostin; Wnt rises and formation catches up. This gives a stable
healthy BV/TV and the plateau of bone loss after ovariectomy. The exponent is calibrated
(``scripts/calibrate_ovx.py``). Sclerostin also raises osteocyte RANKL (``n_sclerostin_rankl``,
a species parameter: Wijenayaka 2011 in human pre-osteocytes; sclerostin antibodies lower
resorption in women), so where bone has been lost remodeling is activated less and the
remodeling space that an antiresorptive refills shrinks (docs/dev/coupling-findings.md,
session 5). Estrogen deficiency raises SOST (``e_sclerostin``, a species parameter: Moedder
2011 in women), so after menopause sclerostin rises against the strain route, raising RANKL
and lowering Wnt (session 6). A species gain of estrogen loss on RANKL
(``e_activation``; direction: Eghbali-Fatourechi 2003, RANKL per marrow cell 2-3x in early
postmenopausal women) is the route for the activation-frequency rise after menopause (Recker
2004); it is 0 in every species: fitted in women it breaks formation-first under teriparatide
and the loss of the denosumab gain after stopping (docs/dev/coupling-findings.md, session 7).

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

from exobone.model.core_parameters import (
    BV_TV_MAX,
    BV_TV_MAX_SOURCE,
    KOMAROVA_2003,
    LEMAIRE_2004,
    N_SPACE,
    N_SPACE_SOURCE,
    PARAMETER_TABLE,
    derived_parameters,
    yields,
)
from exobone.model.parameters import Assumed, Parameter
from exobone.model.species import require_site

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = ["CELL_STATES", "CORE_SOURCES", "MARKERS", "SERUM_MARKERS", "add_core", "healthy_values"]

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
}

#: serum markers relative to the start of the run (1 = pretreatment level)
SERUM_MARKERS: dict[str, tuple[str, str]] = {
    "ctx": (("(serum_trabecular_share*resorption_rate/k_resorption"
             " + (1 - serum_trabecular_share)*cortical_resorption_activity)"
             "/(serum_trabecular_share*resorption_start"
             " + (1 - serum_trabecular_share)*cortical_resorption_start)"),
            ("serum CTX relative to the start of the run (1 = pretreatment), assumed "
             "proportional to whole-skeleton resorption: trabecular and cortical resorption "
             "weighted by their shares of the skeleton's collagen turnover (an assumption)")),
    "p1np": (("(serum_trabecular_share*formation_rate/k_resorption"
              " + (1 - serum_trabecular_share)*cortical_formation_activity)"
              "/(serum_trabecular_share*formation_start"
              " + (1 - serum_trabecular_share)*cortical_formation_start)"),
             ("serum P1NP relative to the start of the run (1 = pretreatment), assumed "
              "proportional to whole-skeleton formation: trabecular and cortical formation "
              "weighted by their shares of the skeleton's collagen turnover (an assumption)")),
}


def healthy_values(species: str = "rat", site: str | None = None) -> dict[str, float]:
    """Return the healthy steady state of every core state (cells 1, BV/TV of the site)."""
    bv = require_site(species, site)[1].bv_tv
    values = {name: 1.0 for name in CELL_STATES}
    values.update({"bone_volume": bv, "cortical_bone": 1.0, "estrogen": 1.0, "sclerostin": 1.0,
                   "reversal_sites": 1.0, "forming_sites_early": 1.0, "forming_sites_late": 1.0,
                   "healing_signal": 0.0, "defect_vessels": 0.0, "defect_progenitors": 0.0,
                   "defect_osteoblasts": 0.0, "defect_fill": 1.0})
    return values


def add_core(builder: ModelBuilder, *, species: str = "rat", site: str | None = None) -> None:
    """Add the bone core to ``builder``: states, parameters, signals, terms, markers, sources.

    Parameters
    ----------
    builder
        The workspace (usually fresh).
    species
        ``"rat"``, ``"mouse"`` or ``"human"``: sets turnover, remodeling periods, estrogen
        sensitivity and cortical turnover (:mod:`exobone.model.species`).
    site
        Skeletal site with a healthy BV/TV read for the species (default: the species' own,
        :data:`exobone.model.species.SPECIES_PHYSIOLOGY`).

    Raises
    ------
    UnknownNameError
        For an unknown species, or a site without data for it.

    References
    ----------
    Komarova SV et al. Bone 2003;33:206-215 (BIOMD0000000148).
    Lemaire V et al. J Theor Biol 2004;229:293-309 (BIOMD0000000278).
    Wronski TJ et al. Calcif Tissue Int 1985;37(3):324-8, doi:10.1007/BF02554882.
    """
    phys, where = require_site(species, site)
    P: Callable[..., Parameter] = builder.add_parameter
    values: dict[str, float] = {}
    for name, value, unit, bounds, source, desc in PARAMETER_TABLE:
        P(name, value, unit=unit, bounds=bounds, source=source, description=desc)
        values[name] = value
    bv = where.bv_tv
    P("bv_tv_healthy", bv, unit="%", bounds=(1.0, 60.0), source=where.source,
      description=f"healthy trabecular BV/TV ({species}, {where.name})")
    P("bv_tv_start", bv, unit="%", bounds=(0.1, 100.0),
      source=Assumed("health is the reference; a scenario with a history (pmo) sets the value "
                     "reached"), description="BV/TV at the start of the run (reference of the "
                                             "BMD outcomes)")
    for name, (value, unit, source) in phys.parameters.items():
        if name in _SPECIES_CORE:
            lo, hi, desc = _SPECIES_CORE[name]
            P(name, value, unit=unit, bounds=(lo, hi), source=source,
              description=f"{desc} ({species})")
            values[name] = value
    builder.add_assignment(
        "k_resorption", "trabecular_turnover*bv_tv_healthy/365", unit="%/day",
        description="BV/TV resorbed per day by the healthy osteoclast population (turnover x "
                    "healthy BV/TV); the healthy formation rate equals it (balance)")
    P("bv_tv_max", BV_TV_MAX, unit="%", bounds=(30.0, 100.0), source=BV_TV_MAX_SOURCE,
      description="ceiling of trabecular BV/TV: formation stops as bone fills the marrow space")
    P("n_space", N_SPACE, unit="1", bounds=(2.0, 16.0), source=N_SPACE_SOURCE,
      description="steepness of the crowding of formation near the BV/TV ceiling")
    derived_note = ("derived at build time from the other parameters so that the healthy state "
                    "(all cells 1) is a steady state")
    for name, value, unit, desc in derived_parameters(values):
        P(name, value, unit=unit, bounds=None, source=Assumed(derived_note), description=desc)

    _states(builder)
    _signals(builder)
    _core_factors(builder)
    _terms(builder, yields(values))
    _outcomes(builder)
    for cell, expr in CORE_SOURCES.items():
        builder.add_source(cell, expr)
    builder.metadata.setdefault("time_unit", "day")
    builder.metadata["core"] = "exobone bone core v1"


#: species parameters the core declares -> (lower bound, upper bound, description)
_SPECIES_CORE: dict[str, tuple[float, float, str]] = {
    "trabecular_turnover": (0.01, 20.0, ("fraction of trabecular bone renewed per year in "
                                        "health (sets k_resorption)")),
    "k_oc_apoptosis": (0.005, 2.0, ("removal rate of active osteoclasts (beta1 of Komarova "
                                   "2003; 1/resorption period), scaled by TGF-beta as in "
                                   "Lemaire 2004")),
    "k_ob_removal": (0.002, 0.2, ("removal rate of active osteoblasts (beta2 of Komarova 2003: "
                                 "apoptosis plus embedding; 1/formation period)")),
    "estrogen_sensitivity": (0.0, 5.0, ("scale of every estrogen-deficiency gain (1 = the rat "
                                       "fit)")),
    "k_cortical": (0.001, 5.0, "cortical bone turnover (fraction per year)"),
    "k_reversal": (0.005, 2.0, ("rate at which resorbed cavities pass reversal to formation "
                               "(1/delay from resorption to the start of formation)")),
    "coupling_share": (0.0, 1.0, ("share of bone formation done in remodeling units refilling "
                                  "cavities resorbed earlier (BMU coupling); the rest follows "
                                  "the osteoblasts alone")),
    "cortical_coupling_share": (0.0, 1.0, ("share of cortical bone formation done in remodeling "
                                           "units refilling cavities resorbed earlier; the rest "
                                           "(modeling-based) follows the osteoblasts alone")),
    "e_sclerostin": (0.0, 5.0, ("estrogen-deficiency gain on osteocyte SOST expression (SOST x "
                                "(1 + e_sclerostin x estrogen deficiency); not scaled by "
                                "estrogen_sensitivity: read in women)")),
    "e_activation": (0.0, 20.0, ("estrogen-deficiency gain on RANKL of the species itself "
                                 "(RANKL x (1 + e_activation x estrogen deficiency)), so that "
                                 "the activation of remodeling rises after menopause; not "
                                 "scaled by estrogen_sensitivity")),
    "n_sclerostin_rankl": (0.0, 5.0, ("sensitivity of RANKL to osteocyte sclerostin (RANKL x "
                                      "sclerostin^n): the mechanostat on activation, so that "
                                      "remodeling is activated less where bone has been lost")),
}


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
    b.add_state("reversal_sites", 1.0, unit=rel,
                description="resorbed cavities awaiting osteoblasts (BMUs in reversal)")
    b.add_state("forming_sites_early", 1.0, unit=rel,
                description="cavities in the first half of their formation period")
    b.add_state("forming_sites_late", 1.0, unit=rel,
                description="cavities in the second half of their formation period")
    b.add_state("bone_volume", "bv_tv_healthy", unit="%",
                description="trabecular bone volume fraction BV/TV")
    b.add_state("cortical_bone", 1.0, unit=rel,
                description="cortical bone mass (slow compartment, turnover k_cortical)")
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
    A("free_space",
      "min(max(1 - pow(bone_volume/bv_tv_max, n_space), 0)"
      " / (1 - pow(bv_tv_healthy/bv_tv_max, n_space)), 1)", unit="1",
      description="room left for new bone relative to health: 1 up to the healthy BV/TV, 0 at "
                  "the ceiling bv_tv_max (finite marrow space; assumed form)")
    A("resorption_activity", "osteoclasts*bone_surface*m_bone_resorption", unit="1",
      description="resorption relative to health: osteoclasts x surface x activity")
    A("erosion_depth",
      "1 + e_resorption*estrogen_sensitivity*estrogen_deficiency",
      unit="1", description="cavity depth relative to health (estrogen deficiency deepens "
                            "resorption per osteoclast): the deeper part is not refilled by the "
                            "BMU, a negative balance")
    A("wall_thickness", "1", unit="1",
      description="wall refilled per trabecular remodeling unit relative to health (an aging "
                  "scenario thins it)")
    A("forming_sites", "(forming_sites_early + forming_sites_late)/2", unit="1",
      description="cavities being refilled relative to health (BMUs in their formation "
                  "period)")
    A("bmu_coupling",
      "pow(max(forming_sites, 0)/max(osteoblasts, 1e-9), coupling_share)", unit="1",
      description="formation = osteoblasts x this = forming sites x refill per site, the refill "
                  "rising with the osteoblasts per forming site with elasticity "
                  "1 - coupling_share (BMU coupling: cavities resorbed one reversal delay and "
                  "one formation period earlier are refilled)")
    A("bmu_coupling_cortical",
      "pow(max(forming_sites, 0)/max(osteoblasts, 1e-9), cortical_coupling_share)", unit="1",
      description="the same for cortical formation, with its own share: endocortical and "
                  "periosteal modeling-based formation goes on where remodeling stops")
    A("cortical_formation_activity",
      "osteoblasts*m_bone_formation*bmu_coupling_cortical", unit="1",
      description="cortical formation relative to health: the same osteoblasts and forming "
                  "sites as trabecular bone, with the cortical coupling share")
    A("cortical_resorption_activity",
      "osteoclasts*m_bone_resorption*pow(erosion_depth, cortical_erosion_share - 1)"
      "*cortical_bone", unit="1",
      description="cortical resorption relative to health: the same osteoclasts and activity, "
                  "on a surface proportional to the cortical bone left; the estrogen erosion "
                  "depth applies with the share cortical_erosion_share")
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
    F("rankl_expression", "1 + e_rankl*estrogen_sensitivity*estrogen_deficiency", mechanisms=est,
      description="estrogen deficiency raises RANKL")
    F("rankl_expression", "1 + e_activation*estrogen_deficiency", mechanisms=est,
      description="estrogen deficiency raises RANKL on marrow cells and with it the "
                  "activation of remodeling (a species gain, not scaled by "
                  "estrogen_sensitivity; 0 in every species, see species.py)")
    F("opg_expression", "1/(1 + e_opg*estrogen_sensitivity*estrogen_deficiency)", mechanisms=est,
      description="estrogen deficiency lowers OPG")
    F("oc_apoptosis", "1/(1 + e_oc_apoptosis*estrogen_sensitivity*estrogen_deficiency)", mechanisms=est,
      description="estrogen deficiency prolongs osteoclast survival")
    F("bone_resorption", "erosion_depth", mechanisms=est,
      description="estrogen deficiency deepens resorption per osteoclast (not refilled)")
    F("ob_apoptosis", "1/pi3k_akt", mechanisms=("core:pi3k_akt",),
      description="PI3K/Akt protects osteoblasts from apoptosis")
    F("ob_apoptosis", "pow(wnt_signal, -n_wnt_survival)", mechanisms=("core:wnt",),
      description="Wnt/beta-catenin prolongs osteoblast survival")
    F("opg_expression", "pow(wnt_signal, n_wnt_opg)", mechanisms=("core:wnt",),
      description="Wnt/beta-catenin raises OPG")
    F("preob_proliferation", "pow(tgf_beta, n_tgf_proliferation)", mechanisms=("core:tgf_beta",),
      description="matrix TGF-beta stimulates osteoprogenitor proliferation (coupling)")
    F("sclerostin_expression", "1 + e_sclerostin*estrogen_deficiency", mechanisms=est,
      description="estrogen deficiency raises osteocyte SOST (Moedder 2011: estrogen lowers "
                  "serum sclerostin in postmenopausal women)")
    F("rankl_expression", "pow(sclerostin, n_sclerostin_rankl)", mechanisms=("core:mechanostat",),
      description="osteocyte sclerostin raises RANKL (the mechanostat on activation)")
    F("rankl_expression", "rankl_stimulus", mechanisms=("core:stimulus",),
      description="external resorption stimulus (1 in health)")
    F("endothelial_apoptosis", "1/pi3k_akt", mechanisms=("core:pi3k_akt",),
      description="PI3K/Akt protects endothelium from apoptosis")
    F("osteogenic_commitment", "1/(1 + gc_osteogenic*glucocorticoid)", mechanisms=gc,
      description="glucocorticoids suppress osteogenic commitment")
    F("adipogenic_commitment", "1 + e_adipogenic*estrogen_sensitivity*estrogen_deficiency",
      mechanisms=est, description="estrogen deficiency shifts BMSC commitment to "
                                  "adipogenesis (marrow fat rises after OVX)")
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
    # BMU coupling: resorbed cavities pass reversal, then are refilled over the formation
    # period (two stages: the period is closer to a fixed duration than to an exponential)
    T("cavity_opening", "k_reversal*resorption_activity/erosion_depth", {"reversal_sites": 1},
      mechanisms=("core:coupling",),
      description="resorption opens cavities, counted at the healthy erosion depth (what the "
                  "BMU refills)")
    T("cavity_reversal", "k_reversal*reversal_sites", {"reversal_sites": -1},
      mechanisms=("core:coupling",),
      description="after the reversal delay osteoblasts arrive at the cavity")
    T("formation_onset", "2*k_ob_removal*reversal_sites", {"forming_sites_early": 1},
      mechanisms=("core:coupling",),
      description="cavities leaving reversal start their formation period (the flux of "
                  "cavity_reversal in units of the forming-site pools)")
    T("formation_midway", "2*k_ob_removal*forming_sites_early",
      {"forming_sites_early": -1, "forming_sites_late": 1}, mechanisms=("core:coupling",),
      description="cavities pass the middle of their formation period")
    T("cavity_refill", "2*k_ob_removal*forming_sites_late", {"forming_sites_late": -1},
      mechanisms=("core:coupling",),
      description="a cavity is refilled by the end of its formation period")
    T("bone_formation", "k_resorption*osteoblasts*m_bone_formation*free_space*bmu_coupling"
      "*wall_thickness",
      {"bone_volume": 1},
      mechanisms=("core:bone_volume", "GO:0001503"), citations=kom,
      description="matrix formation by active osteoblasts (balanced with resorption in "
                  "health, as in Komarova 2003)")
    T("bone_resorption", "k_resorption*resorption_activity", {"bone_volume": -1},
      mechanisms=("core:bone_volume", "GO:0045453"), citations=kom,
      description="resorption by active osteoclasts on available surface")
    # cortical bone: the same cells and activities, slow turnover
    T("cortical_formation", "k_cortical/365*cortical_formation_activity",
      {"cortical_bone": 1},
      mechanisms=("core:bone_volume", "GO:0001503"),
      description="cortical (intracortical/endocortical) formation by active osteoblasts")
    T("cortical_resorption", "k_cortical/365*cortical_resorption_activity",
      {"cortical_bone": -1}, mechanisms=("core:bone_volume", "GO:0045453"),
      description="cortical resorption by active osteoclasts (surface taken proportional to "
                  "the cortical bone left)")
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
    A("formation_rate", "k_resorption*osteoblasts*m_bone_formation*free_space*bmu_coupling"
      "*wall_thickness",
      unit="%/day",
      description="bone formation rate (BV/TV per day)")
    A("resorption_rate", "k_resorption*resorption_activity", unit="%/day",
      description="bone resorption rate (BV/TV per day)")
    A("vessel_density", "endothelium", unit="rel. to healthy",
      description="marrow vessel density (endothelium)")
    for name, (expr, desc) in MARKERS.items():
        A(name, expr, unit="rel. to healthy", description=desc)
    for name, (expr, desc) in SERUM_MARKERS.items():
        A(name, expr, unit="rel. to start", description=desc)
    # areal BMD as a trabecular + cortical share, relative to the start of the run (DXA
    # change from baseline). Peterson & Riggs 2010 (BIOMD0000000613) likewise split bone
    # mineral exchange into an activity-independent and an osteoclast/osteoblast-driven part
    # (FracJ14, FracJ15); here both compartments follow the same cells.
    for site in ("lumbar_spine", "total_hip"):
        share = f"bmd_trabecular_share_{site}"
        A(f"bmd_{site}",
          f"{share}*bone_volume/bv_tv_start + (1 - {share})*cortical_bone/cortical_start",
          unit="rel. to start",
          description=f"areal BMD at the {site.replace('_', ' ')} relative to the start of the "
                      f"run: trabecular share x BV/TV + cortical share x cortical bone "
                      f"(shares assumed)")
