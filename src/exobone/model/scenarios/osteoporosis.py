"""Systemic bone-loss scenarios: healthy, ovariectomy, menopause (pmo), aging, glucocorticoids,
lupus, myostatin.

Each scenario changes core inputs (hormones) or contributes process factors; the exosome effects
of the disease (e.g. senescent-endothelium miR-31, osteocyte miR-218) come from the atlas layer,
which sees the cells and secretion factors declared here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from exobone.model.core_parameters import CONTROL_BV_TV, OVX_TIMECOURSE, WRONSKI_1985
from exobone.model.parameters import Assumed
from exobone.model.scenarios.registry import register_scenario
from exobone.model.species import SPECIES_PHYSIOLOGY, record

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

#: years between menopause and the start of a pmo run (its build-time history)
PMO_YEARS_SINCE_MENOPAUSE = 20.0

_GAIN = "dimensionless gain of a qualitatively documented effect; value chosen, not measured"


@register_scenario(
    "healthy",
    contexts=("healthy",),
    description="Healthy adult bone at its balanced steady state (the control of every scenario)",
    sources=(("Komarova 2003 (BIOMD0000000148) and Lemaire 2004 (BIOMD0000000278): core "
             "structure and rates"), f"{CONTROL_BV_TV.note}"),
    bv_tv_direction="flat",
)
def healthy(builder: ModelBuilder, species: str) -> None:
    """Leave the core as it is."""


@register_scenario(
    "ovx",
    contexts=("ovx", "estrogen_deficiency", "osteoporosis"),
    description="Ovariectomy: estrogen loss raises RANKL, lowers OPG and OC apoptosis; "
                "high-turnover loss that levels off (rat calibrated)",
    sources=(WRONSKI_1985.short() + ": twofold decrease of trabecular bone volume at 5 weeks, "
             "OC/OB surfaces up (doi:10.1007/BF02554882)",
             ("unknown et al. (abstract at wbldb.lievers.net/10167096): loss progressive to "
             "100 days, then stable at ~5% BV/TV; OC/OB surfaces peak early"),
             ("unknown et al. (abstract at staging.scite.ai author page schenck-pa): control "
             "BV/TV 17.6 +/- 4.5%"),
             ("mouse: same mechanisms, estrogen sensitivity fitted to Bouxsein 2005 (C57BL/6J "
              "proximal tibia BV/TV -18 % vs sham at 1 month; doi:10.1359/JBMR.050307)")),
    species=("rat", "mouse"),
    default_species="rat",
    bv_tv_direction="down",
)
def ovx(builder: ModelBuilder, species: str) -> None:
    """Remove ovarian estrogen secretion at day 0 (estrogen then decays within days)."""
    builder.set_parameter("estrogen_input", 0.0, source=OVX_TIMECOURSE)
    builder.metadata["estrogen"] = "ovariectomy at day 0"


@register_scenario(
    "aging",
    contexts=("aging", "osteoporosis"),
    description="Aging: adipogenic fate and senescent endothelium (miR-31 exosomes) rise, BMSC "
                "self-renewal falls, progressively over the run",
    sources=(("seed 004 (Sun et al. 2019 review): aging shifts BMSCs to adipogenesis; "
             "senescent endothelial exosomes carry miR-31 that inhibits osteogenesis"),
             "rates of progression: assumed (no time course read)"),
    species=("rat", "mouse", "human"),
    default_species="mouse",
    bv_tv_direction="down",
)
def aging(builder: ModelBuilder, species: str) -> None:
    """Add an age drive growing linearly with time and a senescent endothelial population."""
    _add_age_drive(builder, species, "time/365")


def _add_age_drive(builder: ModelBuilder, species: str, years: str) -> None:
    """Age drive growing linearly over ``years`` (an expression), at the species' rate."""
    b = builder
    rate, unit, source = SPECIES_PHYSIOLOGY[species].parameters["aging_rate"]
    b.add_parameter("aging_rate", rate, unit=unit, bounds=(0.0, 10.0), source=source,
                    description=f"growth of the age drive per year ({species})")
    b.add_parameter("senescent_fraction_rate", 0.3, unit="1/year", bounds=(0.0, 1.0),
                    source=Assumed("share of endothelium becoming senescent per year; chosen"),
                    description="rate at which endothelium becomes senescent")
    b.add_assignment("years_of_aging", f"max({years}, 0)", unit="year",
                     description="years over which the age drive has grown")
    b.add_assignment("age_drive", "1 + aging_rate*years_of_aging", unit="1",
                     description="age-related drive (1 where aging starts)")
    b.add_assignment("senescent_endothelial_cells",
                     "endothelium*min(senescent_fraction_rate*years_of_aging, 1)",
                     unit="rel. to healthy endothelium",
                     description="senescent endothelial cells (an exosome source: miR-31)")
    _add_age_factors(b)
    if "wall_thickness_loss" in SPECIES_PHYSIOLOGY[species].parameters:
        _add_wall_thinning(b, species)


def _add_wall_thinning(b: ModelBuilder, species: str) -> None:
    """Aging refills each remodeling cavity less (thinner walls): a negative BMU balance."""
    loss, unit, source = SPECIES_PHYSIOLOGY[species].parameters["wall_thickness_loss"]
    b.add_parameter("wall_thickness_loss", loss, unit=unit, bounds=(0.0, 0.05), source=source,
                    description=f"fall of the wall thickness refilled per BMU per year of "
                                f"aging, relative to the mean ({species})")
    b.replace_assignment("wall_thickness", "max(1 - wall_thickness_loss*years_of_aging, 0)",
                         description="wall refilled per trabecular remodeling unit relative to "
                                     "health, thinning with age (cortical osteons keep theirs: "
                                     "no cortical slope was read)",
                         mechanisms=("scenario:aging",))


def _add_age_factors(b: ModelBuilder) -> None:
    b.add_parameter("n_age_adipogenic", 4.0, unit="1", bounds=(0.0, 10.0),
                    source=Assumed(
                        "aging shifts BMSC commitment to adipogenesis (seed 004; marrow fat "
                        "rises with age: physiology.yaml shen2007_pelvic_marrow_fat_vs_age, "
                        "martin1991_rat_ovx_marrow_fat, a sign constraint without magnitude); "
                        "exponent chosen so that marrow adipocytes rise with age although the "
                        "BMSC pool shrinks"),
                    description="sensitivity of adipogenic commitment to the age drive")
    b.add_factor("adipogenic_commitment", "pow(age_drive, n_age_adipogenic)",
                 mechanisms=("scenario:aging",), description="aging favours adipogenic fate")
    b.add_factor("osteogenic_commitment", "1/sqrt(age_drive)", mechanisms=("scenario:aging",),
                 description="aging lowers osteogenic commitment")
    b.add_factor("bmsc_self_renewal", "1/age_drive", mechanisms=("scenario:aging",),
                 description="aging lowers BMSC self-renewal")
    b.add_source("senescent_endothelial_cell", "senescent_endothelial_cells")


@register_scenario(
    "pmo",
    contexts=("osteoporosis",),
    description="Postmenopausal women as in trial populations: estrogen lost years before the "
                "run (menopause), aging goes on; the untreated (placebo) arm keeps losing bone "
                "slowly (human only; use ovx in rat or mouse)",
    sources=(("SWAN (Greendale 2012, doi:10.1002/jbmr.534): lumbar spine BMD -7.38 % over the "
              "transmenopause, -10.6 % over 10 years (human estrogen sensitivity fitted)"),
             ("FREEDOM placebo arm (Austin 2012, doi:10.1002/jbmr.1472): total hip BMD 0.0 / "
              "-0.7 / -1.4 % at 12 / 24 / 36 months (validation)"),
             "years since menopause at the start of the run: assumed (see the parameter)"),
    species=("human",),
    default_species="human",
    bv_tv_direction="down",
    other_species="use 'ovx' for rat or mouse",
)
def pmo(builder: ModelBuilder, species: str) -> None:
    """Menopause (estrogen input 0) ``years_since_menopause`` before the run, with aging.

    The history is run at build time (see :mod:`exobone.model.assemble`): the run starts
    where it ended, and BMD, CTX and P1NP are 1.0 at that start (pretreatment).
    """
    b = builder
    years = PMO_YEARS_SINCE_MENOPAUSE
    b.add_parameter("years_since_menopause", years, unit="year", bounds=(0.0, 40.0),
                    source=Assumed(
                        "trial populations are women years past menopause (FREEDOM enrolled "
                        "women aged 60-90, pharmacology.yaml freedom_* records); an age at "
                        "menopause near 50 is assumed, not read, giving about 20 years"),
                    description="years between menopause and the start of the run")
    b.set_parameter("estrogen_input", 0.0, source=record(
        "swan_greendale2012_menopause_bmd", "bone loss after the final menstrual period "
        "(ovarian estrogen secretion ends; residual estrogen is absorbed in the fitted "
        "estrogen_sensitivity)", author="Greendale", year=2012, doi="10.1002/jbmr.534"))
    b.set_initial("estrogen", 0.0)
    _add_age_drive(b, species, "time/365 + years_since_menopause")
    b.metadata["estrogen"] = f"menopause {years:g} years before the run"
    b.metadata["history_days"] = years * 365.0


@register_scenario(
    "gc-onfh",
    contexts=("gc_onfh", "osteonecrosis"),
    description="Glucocorticoid-induced osteonecrosis of the femoral head: OB/osteocyte "
                "apoptosis up (PI3K/Akt down), angiogenesis down, adipogenesis up",
    sources=(("seeds 001/004: glucocorticoids cause osteocyte/osteoblast apoptosis and impaired "
             "blood supply in ONFH; BMSC/iPSC-MSC exosomes act through PI3K/Akt"),
             "gains: assumed (core parameters gc_*)"),
    species=("rat", "mouse", "human"),
    default_species="rat",
    bv_tv_direction="down",
)
def gc_onfh(builder: ModelBuilder, species: str) -> None:
    """Switch on a sustained glucocorticoid excess (core input ``glucocorticoid = 1``)."""
    builder.set_parameter("glucocorticoid", 1.0,
                          source=Assumed("scenario dose defines the unit of glucocorticoid "
                                         "excess"))


@register_scenario(
    "sle-osteopenia",
    contexts=("sle", "osteoporosis"),
    description="Lupus osteopenia (MRL/lpr): Fas-deficient BMSCs, miR-29b up, Dnmt1 down, "
                "Notch1 hypomethylated: defective osteogenic commitment",
    sources=(("seed 001/004: recipient BMSCs of MRL/lpr mice lack Fas, accumulate miR-29b, "
             "lower Dnmt1 and activate Notch1, impairing osteogenic differentiation; MSC "
             "exosomes restore Fas"),
             "magnitude: assumed"),
    species=("mouse",),
    default_species="mouse",
    bv_tv_direction="down",
)
def sle_osteopenia(builder: ModelBuilder, species: str) -> None:
    """Lower BMSC osteogenic commitment through the Fas/miR-29b/Dnmt1/Notch1 defect."""
    b = builder
    b.add_parameter("fas_in_bmsc", 0.2, unit="1", bounds=(0.0, 1.0),
                    source=Assumed("Fas protein in lupus BMSCs relative to health; " + _GAIN),
                    description="Fas level in BMSCs (1 healthy); exosome Fas restores it")
    b.add_parameter("notch1_gain", 2.0, unit="1", bounds=(0.0, 10.0), source=Assumed(_GAIN),
                    description="Notch1 over-activation per unit Fas loss")
    b.add_assignment("notch1_activity", "1 + notch1_gain*(1 - min(fas_in_bmsc, 1))", unit="1",
                     description="Notch1 activity: Fas loss -> miR-29b up -> Dnmt1 down -> "
                                 "Notch1 hypomethylation")
    b.add_factor("osteogenic_commitment", "1/notch1_activity",
                 mechanisms=("scenario:sle-osteopenia",),
                 description="Notch1 over-activation blocks osteogenic commitment")


@register_scenario(
    "myostatin",
    contexts=("myostatin_context",),
    description="Myostatin muscle-bone crosstalk: SOST, DKK-1 and RANKL up; osteocyte exosome "
                "release (and miR-218) down",
    sources=(("seed 004: myostatin-treated osteocytes raise SOST, DKK-1 and RANKL and release "
             "fewer exosomes with less miR-218, inhibiting osteoblast differentiation"),
             "magnitudes: assumed"),
    species=("mouse", "rat", "human"),
    default_species="mouse",
    bv_tv_direction="down",
)
def myostatin(builder: ModelBuilder, species: str) -> None:
    """Add a myostatin input acting on osteocyte SOST/DKK-1/RANKL and exosome release."""
    b = builder
    b.add_parameter("myostatin", 1.0, unit="1", bounds=(0.0, 10.0),
                    source=Assumed("scenario level defines the unit of myostatin excess"),
                    description="myostatin excess (0 in health)")
    for name, value, desc in (("mstn_sost", 0.5, "SOST"),
                              ("mstn_rankl", 0.3, "RANKL"),
                              ("mstn_exosome_release", 0.5, "osteocyte exosome release")):
        b.add_parameter(name, value, unit="1", bounds=(0.0, 10.0), source=Assumed(_GAIN),
                        description=f"myostatin effect on {desc}")
    b.add_factor("sclerostin_expression", "1 + mstn_sost*myostatin",
                 mechanisms=("scenario:myostatin",), description="myostatin raises SOST")
    b.add_factor("rankl_expression", "1 + mstn_rankl*myostatin",
                 mechanisms=("scenario:myostatin",), description="myostatin raises RANKL")
    b.set_parameter("dkk1", 1.5,
                    source=Assumed("myostatin raises DKK-1 (seed 004); +50% chosen"))
    b.add_secretion_factor("osteocyte", "1/(1 + mstn_exosome_release*myostatin)",
                           mechanisms=("scenario:myostatin",),
                           description="myostatin lowers osteocyte exosome release")
