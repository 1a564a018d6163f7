"""Per-species physiology of the bone core: turnover, remodeling periods, sites, estrogen and age.

The core (:mod:`exobone.model.core`) has one structure for every species; what differs is a
small set of physiological parameters, each cited to a record of
``data/calibration/physiology.yaml`` (record id in the source note), fitted (the script and data
named) or marked :class:`~exobone.model.parameters.Assumed` with the reason:

``trabecular_turnover``
    fraction of trabecular bone renewed per year; with the site's healthy BV/TV it sets
    ``k_resorption = trabecular_turnover * bv_tv_healthy / 365`` (BV/TV resorbed per day).
``k_oc_apoptosis``, ``k_ob_removal``
    removal rates of active osteoclasts and osteoblasts: a basic multicellular unit resorbs for
    about the osteoclasts' mean life (1/k_oc_apoptosis) and forms for about the osteoblasts'
    (1/k_ob_removal), so these set the resorption and formation periods.
``estrogen_sensitivity``
    scales every estrogen-deficiency gain of the core (the gains are fitted on rat OVX, where
    it is 1).
``aging_rate``
    growth per year of the age drive of the ``aging`` and ``pmo`` scenarios.
``k_cortical``
    turnover of the slow cortical compartment (fraction per year).
``k_reversal``, ``coupling_share``, ``cortical_coupling_share``
    BMU coupling (:mod:`exobone.model.core`): cavities wait 1/k_reversal days before formation
    starts; formation = osteoblasts^(1-w) x forming sites^w with w = ``coupling_share`` in
    trabecular and ``cortical_coupling_share`` in cortical bone.
``e_sclerostin``
    estrogen-deficiency gain on osteocyte SOST expression (0 = estrogen does not act on SOST).
``e_activation``
    estrogen-deficiency gain on RANKL of the species itself, not scaled by
    ``estrogen_sensitivity`` (0 = the rat-fitted gains alone): the route for the rise of the
    activation frequency after menopause (built, fitted in women, not applied: session 7).
``n_sclerostin_rankl``
    sensitivity of RANKL to osteocyte sclerostin (the mechanostat on activation; 0 = off).
``wall_thickness_loss``
    (human only) fall per year of aging of the wall refilled per trabecular remodeling unit.

A site is a skeletal site with a healthy trabecular BV/TV read in a source; a species or site
without data is refused (:func:`require_site`), never cloned from another species.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exobone.errors import UnknownNameError, unknown_name
from exobone.model.parameters import Assumed, Reference, Source

__all__ = ["SITES", "SPECIES_PHYSIOLOGY", "Site", "SpeciesPhysiology", "record",
           "require_site", "species_names"]


def record(record_id: str, what: str, *, author: str = "unknown", year: int | None = None,
           doi: str | None = None, file: str = "physiology.yaml") -> Reference:
    """A source that is a record of ``data/calibration/<file>`` (its id and what was read)."""
    return Reference(author, year, doi=doi,
                     note=f"data/calibration/{file} record {record_id}: {what}")


@dataclass(frozen=True)
class Site:
    """A skeletal site of a species with its healthy trabecular BV/TV (%) and source."""

    name: str
    bv_tv: float
    source: Source


@dataclass(frozen=True)
class SpeciesPhysiology:
    """The physiological parameters of one species (see the module docstring)."""

    name: str
    default_site: str
    sites: dict[str, Site]
    #: parameter name -> (value, unit, source)
    parameters: dict[str, tuple[float, str, Source]] = field(default_factory=dict)

    def value(self, name: str) -> float:
        """Return the value of the species parameter ``name``."""
        return self.parameters[name][0]


# --------------------------------------------------------------------------- fitted values
_RAT_FIT = ("fitted by scripts/calibrate_ovx.py to the rat OVX time course (records "
            "wronski1987_rat_ovx_14wk_body_weight, wronski1985_rat_ovx_5wk, "
            "wronski1988_rat_ovx_time_course): k_resorption 0.2297 %/day at BV/TV 17.6 %")
_SPECIES_FIT = "fitted by scripts/calibrate_species.py"

#: Komarova 2003 (BIOMD0000000148) removal rates, used where no species value was read
_KOMAROVA = Reference(
    "Komarova", 2003,
    title="Mathematical model predicts a critical role for osteoclast autocrine regulation in "
          "the control of bone remodeling", journal="Bone", volume="33", pages="206-215",
    pmid="14499354", note="value as encoded in BIOMD0000000148 (shared/reference/biomodels)")

_CORTICAL_ASSUMED = (
    "cortical turnover was not found in a retrieved text (physiology.yaml wanted: the ~3 %/yr "
    "cortical vs ~25 %/yr trabecular figure of issue 12)")

_REVERSAL_ASSUMED = (
    "no reversal period was read (physiology.yaml wanted: Eriksen 1986 trabecular remodeling "
    "sequence); a cavity is completed over the resorptive period, so the mean delay from "
    "erosion to the start of formation is taken as that period (1/k_oc_apoptosis)")
#: share of formation coupled to earlier resorption through the BMU cycle (core.py); rodents
COUPLING_SHARE = 0.4
#: the same in humans, trabecular and cortical (sessions 4-5, docs/dev/coupling-findings.md)
HUMAN_COUPLING_SHARE, HUMAN_CORTICAL_COUPLING_SHARE = 0.8, 0.0
_RODENT_SCLEROSTIN_RANKL = Assumed(
    "0 (off) in rat and mouse: the route acts in rodents too (sclerostin antibodies lower "
    "resorption in rats as in women), but the core's estrogen-deficiency gains are fitted on "
    "rat OVX without it, and with it the rat course stops short of Wronski's (BV/TV 10.6 % at "
    "day 35 and 8.2 % at day 100 vs ~8.8 and ~5); refitting the rat gains with the route moves "
    "core parameters the human shares (docs/dev/coupling-findings.md, sessions 4-5). Off until "
    "rodent estrogen gains of their own are fitted with it")
#: Moedder 2011: 4 weeks of estrogen, serum sclerostin -27 % vs +1 % in controls
HUMAN_ESTROGEN_SOST = (1 + 0.01) / (1 - 0.27) - 1
_HUMAN_ESTROGEN_SOST = Reference(
    "Moedder", 2011, title="Regulation of circulating sclerostin levels by sex steroids in "
    "women and in men", journal="J Bone Miner Res", volume="26", pages="27-34",
    doi="10.1002/jbmr.128", pmid="20499362",
    note="physiology.yaml record modder2011_estrogen_lowers_sclerostin: 'E treatment of "
         "postmenopausal women (n = 17) for 4 weeks led to a 27% decrease in serum sclerostin "
         "levels [versus +1% in controls (n = 18), p < .001]'; SOST deficient/replete = "
         "1.01/0.73, so e_sclerostin = 0.3836. Assumed in the reading: the treatment restored "
         "the premenopausal estrogen effect (estrogen deficiency 1 -> 0), serum sclerostin is "
         "proportional to osteocyte SOST, 4 weeks reach its steady state (k_sclerostin 1/day) "
         "and are too short for strain to change")
_RODENT_ESTROGEN_SOST = Assumed(
    "0 (off) in rat and mouse: no rodent magnitude of estrogen on SOST was read (the rat study "
    "found, Sun 2015 Int J Med Sci doi:10.7150/ijms.11887, combines OVX with sciatic "
    "neurectomy, so its sclerostin change is not estrogen's alone); the rodent route to "
    "RANKL is off too (n_sclerostin_rankl), so the rodent estrogen gains stay those fitted "
    "on rat OVX (docs/dev/coupling-findings.md, session 6)")
_RODENT_ACTIVATION = Assumed(
    "0 (off) in rat and mouse: their estrogen-deficiency RANKL gain is the core's e_rankl, "
    "fitted on rat OVX (scripts/calibrate_ovx.py), so a second gain would count it twice; no "
    "rodent activation-frequency datum was read")
_HUMAN_ACTIVATION = Assumed(
    "0 (off): the route's direction is physiology.yaml record "
    "eghbali2003_rankl_early_postmenopausal (RANKL per marrow cell two- to threefold in early "
    "postmenopausal women, correlated with CTX); fitted with the human estrogen sensitivity to "
    "records recker2004_activation_frequency_menopause (activation 1.85x one year after "
    "menopause, 3x 13 years after) and swan_greendale2012_menopause_bmd (spine -7.38 % / "
    "-10.6 %), `python scripts/calibrate_species.py --activation`, it is 0.7647 (estrogen "
    "sensitivity at its bound 0, aging rate 0.01266; activation 1.73x / 1.23x), but with it the "
    "teriparatide markers are no longer formation-first (P1NP +44 % vs CTX +16 % at one month), "
    "the hip gain of stopped denosumab outlasts two years (2.1 of 5.8 pp at month 48) and the "
    "denosumab hip rises to 4.0 / 5.8 / 7.6 pp (FREEDOM 3.3 / 5.1 / 6.4): not applied "
    "(docs/dev/coupling-findings.md, session 7)")
_HUMAN_SCLEROSTIN_RANKL = Reference(
    "Wijenayaka", 2011, title="Sclerostin Stimulates Osteocyte Support of Osteoclast Activity by "
    "a RANKL-Dependent Pathway", journal="PLoS One", volume="6", pages="e25900",
    doi="10.1371/journal.pone.0025900", pmid="21991382",
    note="direction: physiology.yaml record wijenayaka2011_sclerostin_rankl (sclerostin "
         "raises RANKL dose-dependently in human pre-osteocytes) and record "
         "kerschan_schindl2019_romosozumab_resorption (sclerostin antibodies lower resorption "
         "markers in women), with record modder2011_estrogen_lowers_sclerostin (serum "
         "sclerostin changes follow CTX changes in women, r 0.62); magnitude Assumed: exponent 1 (RANKL proportional to sclerostin; "
         "no dose-response exponent was read), the value at which the session-4 scan "
         "(benchmarks/bmd_scan.py --mechanostat-rankl) brought the antiresorptive BMD rows to "
         "the trials with human aging, SWAN and the FREEDOM placebo arm refitted")
_COUPLING_SOURCE = Assumed(
    "no measured share was read: formation in a basic multicellular unit refills the cavity "
    "resorbed earlier, and modeling-based formation and osteoblast vigour do not; chosen from a "
    "scan of 0.3-1.0 with the rat OVX, species and human fits redone at each value "
    "(docs/dev/coupling-findings.md): 0.4 is the largest share at which human aging still "
    "loses >= 0.5 %/yr of spine BMD while the FREEDOM placebo hip stays near -1.4 % at 36 months "
    "and menopause loss decelerates; the antiresorptive BMD rows of benchmarks/drug_trials.py "
    "want a larger share; rodents keep it (no rodent datum on the share was read), and their "
    "cortical formation uses the same share")
_HUMAN_COUPLING_SOURCE = Reference(
    "Reid", 2010, title="Effects of denosumab on bone histomorphometry: the FREEDOM and STAND "
    "studies", journal="J Bone Miner Res",
    note="data/calibration/pharmacology.yaml record reid2010_denosumab_histomorphometry: under "
         "denosumab median trabecular bone formation rate -97 % with eroded surface -80 %, so "
         "trabecular formation follows the remodeling cavities (a share near 1); bounded by "
         "the SWAN fit (at 0.95 and above its simulation fails in its bracket) and, without "
         "the mechanostat on activation, by human aging (above 0.55 aging lost < 0.5 %/yr of "
         "spine BMD; with n_sclerostin_rankl 1 it loses ~1 %/yr at 0.8). An assumed value "
         "between the two, not a fit (scan: docs/dev/coupling-findings.md, sessions 4-5)")
_HUMAN_CORTICAL_COUPLING_SOURCE = Reference(
    "Dempster", 2020, title="Modeling-Based Bone Formation in the Human Femoral Neck in "
    "Subjects Treated With Denosumab", journal="J Bone Miner Res", volume="35",
    pages="1282-1288", doi="10.1002/jbmr.4006", pmid="32163613",
    note="data/calibration/pharmacology.yaml record dempster2020_denosumab_modeling_based_"
         "formation: modeling-based formation goes on in the endocortical and periosteal "
         "envelopes under denosumab; with cortical formation following the osteoblasts alone "
         "(share 0) denosumab raises cortical bone by 5.8 % vs placebo at 36 months, "
         "record poole2015_denosumab_femoral_cortical_mass 5.4 % (held out; with the "
         "share 0.4: 2.4 %); an assumed value (the extreme of the range), not a fit")

SPECIES_PHYSIOLOGY: dict[str, SpeciesPhysiology] = {
    "rat": SpeciesPhysiology(
        "rat", "proximal_tibia",
        {"proximal_tibia": Site("proximal_tibia", 17.6, record(
            "wronski1987_rat_ovx_14wk_body_weight",
            "control tibial trabecular bone volume 17.6 +/- 4.5 % (Sprague-Dawley, 14 wk "
            "after sham surgery)", year=1987))},
        {
            "trabecular_turnover": (0.2297 * 365 / 17.6, "1/year", Reference(
                "Wronski", 1985, title="Skeletal alterations in ovariectomized rats",
                journal="Calcif Tissue Int", volume="37", pages="324-8",
                doi="10.1007/BF02554882",
                note=_RAT_FIT + "; far above baron1984_rat_trabecular_turnover_maturation "
                                "(12-week rats near human iliac turnover): the fit needs high "
                                "turnover to lose half the bone in 5 weeks")),
            "k_oc_apoptosis": (0.2, "1/day", _KOMAROVA),
            "k_ob_removal": (0.02, "1/day", _KOMAROVA),
            "estrogen_sensitivity": (1.0, "1", Assumed(
                "reference species: the estrogen-deficiency gains were fitted on rat OVX "
                "(scripts/calibrate_ovx.py)")),
            "aging_rate": (1.671, "1/year", record(
                "banu2002_male_f344_rat_aging_pqct",
                f"{_SPECIES_FIT}: proximal tibia cancellous BMD -58 % at 27 months, loss "
                "starting after 18 months (male F344; female aged-rat data not found), read "
                "as trabecular BV/TV at 0.42 of its start after 274 days of aging",
                author="Banu", year=2002)),
            "k_cortical": (0.2297 * 365 / 17.6 * 3 / 25, "1/year", Assumed(
                _CORTICAL_ASSUMED + "; the rat cortical turnover is taken as the rat "
                "trabecular turnover times the human cortical/trabecular ratio 3/25")),
            "k_reversal": (0.2, "1/day", Assumed(_REVERSAL_ASSUMED)),
            "coupling_share": (COUPLING_SHARE, "1", _COUPLING_SOURCE),
            "cortical_coupling_share": (COUPLING_SHARE, "1", _COUPLING_SOURCE),
            "e_sclerostin": (0.0, "1", _RODENT_ESTROGEN_SOST),
            "e_activation": (0.0, "1", _RODENT_ACTIVATION),
            "n_sclerostin_rankl": (0.0, "1", _RODENT_SCLEROSTIN_RANKL),
        }),
    "mouse": SpeciesPhysiology(
        "mouse", "proximal_tibia",
        {"proximal_tibia": Site("proximal_tibia", 8.5, record(
            "holguin2014_b6_female_tibia_bvtv_by_age",
            "trabecular BV/TV 0.085 mm3/mm3 in 5-month female C57BL/6 tibia (microCT)",
            doi="10.1016/j.bone.2014.05.006"))},
        {
            "trabecular_turnover": (0.2297 * 365 / 17.6, "1/year", Assumed(
                "no mouse trabecular turnover was read (physiology.yaml wanted: rat and mouse "
                "remodeling period and turnover); the fitted rodent (rat) turnover per unit "
                "bone volume is used, and the mouse OVX depth is fitted through "
                "estrogen_sensitivity instead")),
            "k_oc_apoptosis": (0.2, "1/day", _KOMAROVA),
            "k_ob_removal": (0.02, "1/day", _KOMAROVA),
            "estrogen_sensitivity": (0.2075, "1", Reference(
                "Bouxsein", 2005, title="Ovariectomy-induced bone loss varies among inbred "
                "strains of mice", journal="J Bone Miner Res", doi="10.1359/JBMR.050307",
                note=f"{_SPECIES_FIT} to physiology.yaml record "
                     "bouxsein2005_mouse_ovx_strains: C57BL/6J proximal tibia BV/TV -18 % "
                     "vs sham 1 month after OVX at 4 months of age")),
            "aging_rate": (3.389, "1/year", record(
                "holguin2014_b6_female_tibia_bvtv_by_age",
                f"{_SPECIES_FIT}: female C57BL/6 tibia trabecular BV/TV 8.5 % at 5 months, "
                "3.2 % at 12 months (aging from 5 months: BV/TV at 3.2/8.5 of its start after "
                "213 days)", author="Holguin", year=2014, doi="10.1016/j.bone.2014.05.006")),
            "k_cortical": (0.2297 * 365 / 17.6 * 3 / 25, "1/year", Assumed(
                _CORTICAL_ASSUMED + "; taken as the mouse trabecular turnover times the "
                "human cortical/trabecular ratio 3/25")),
            "k_reversal": (0.2, "1/day", Assumed(_REVERSAL_ASSUMED)),
            "coupling_share": (COUPLING_SHARE, "1", _COUPLING_SOURCE),
            "cortical_coupling_share": (COUPLING_SHARE, "1", _COUPLING_SOURCE),
            "e_sclerostin": (0.0, "1", _RODENT_ESTROGEN_SOST),
            "e_activation": (0.0, "1", _RODENT_ACTIVATION),
            "n_sclerostin_rankl": (0.0, "1", _RODENT_SCLEROSTIN_RANKL),
        }),
    "human": SpeciesPhysiology(
        "human", "iliac_crest",
        {site: Site(site, bv, record(
            "hiller2017_bvtv_by_site_cadaver",
            f"median trabecular bone volume {bv} % at the {site.replace('_', ' ')} "
            "(12 body donors; elderly cadavers, not a young reference)", author="Hiller",
            year=2017))
         for site, bv in (("iliac_crest", 18.3), ("proximal_tibia", 21.5),
                          ("lumbar_spine", 16.3))},
        {
            "trabecular_turnover": (0.25, "1/year", Assumed(
                "human iliac trabecular turnover ~25 %/yr (issue 12); not found in a "
                "retrieved text (physiology.yaml wanted), consistent with "
                "baron1984_rat_trabecular_turnover_maturation only qualitatively")),
            "k_oc_apoptosis": (1 / 27, "1/day", record(
                "agerbaek1991_iliac_cortical_remodeling_cycle",
                "resorptive period 27 days (cortical iliac osteons; no trabecular resorptive "
                "period was read): osteoclast mean life taken as the resorptive period",
                year=1991)),
            "k_ob_removal": (1 / 69, "1/day", record(
                "iliac_trabecular_mwt_formation_time",
                "mean formation time of iliac trabecular packets 69 days: osteoblast mean "
                "working life taken as the formation time")),
            "estrogen_sensitivity": (0.03908, "1", record(
                "swan_greendale2012_menopause_bmd",
                f"{_SPECIES_FIT}: lumbar spine BMD -7.38 % over the transmenopause (3 "
                "years), menopause taken as an abrupt estrogen loss", author="Greendale", year=2012, doi="10.1002/jbmr.534")),
            "aging_rate": (0.0225, "1/year", record(
                "qct_population_trabecular_loss_young_adults",
                f"{_SPECIES_FIT} (least squares over two records that pull apart): lumbar "
                "spine trabecular bone -1.61 %/yr in young adult women (model: -1.22 %/yr "
                "trabecular BV/TV in years 10-13 of aging) and pharmacology.yaml "
                "freedom_th_bmd_placebo, total hip -1.4 % at 36 months (model pmo: -1.71 %)")),
            "k_cortical": (0.03, "1/year", Assumed(_CORTICAL_ASSUMED)),
            "k_reversal": (1 / 27, "1/day", Assumed(_REVERSAL_ASSUMED)),
            "coupling_share": (HUMAN_COUPLING_SHARE, "1", _HUMAN_COUPLING_SOURCE),
            "cortical_coupling_share": (HUMAN_CORTICAL_COUPLING_SHARE, "1",
                                        _HUMAN_CORTICAL_COUPLING_SOURCE),
            "e_sclerostin": (HUMAN_ESTROGEN_SOST, "1", _HUMAN_ESTROGEN_SOST),
            "e_activation": (0.0, "1", _HUMAN_ACTIVATION),
            "n_sclerostin_rankl": (1.0, "1", _HUMAN_SCLEROSTIN_RANKL),
            "wall_thickness_loss": (0.14 / 59.4, "1/year", record(
                "iliac_trabecular_3d_wall_thickness_age",
                "3-D wall thickness of iliac trabecular packets 65.56 um - 0.14 um/yr x age, mean "
                "59.4 um (85 normal individuals aged 18-90): refill per remodeling unit falls "
                "by 0.14/59.4 per year of aging")),
        }),
}

#: species -> its sites
SITES: dict[str, tuple[str, ...]] = {s: tuple(p.sites) for s, p in SPECIES_PHYSIOLOGY.items()}


def species_names() -> tuple[str, ...]:
    """Return the species with physiology data."""
    return tuple(SPECIES_PHYSIOLOGY)


def require_site(species: str, site: str | None = None) -> tuple[SpeciesPhysiology, Site]:
    """Return the physiology of ``species`` and its ``site`` (default: the species' own).

    Raises
    ------
    UnknownNameError
        For an unknown species, or a site without data for that species (one line naming the
        sites that have data).
    """
    phys = SPECIES_PHYSIOLOGY.get(species)
    if phys is None:
        raise unknown_name("species", species, SPECIES_PHYSIOLOGY)
    name = phys.default_site if site is None else site.strip().lower().replace("-", "_")
    found = phys.sites.get(name)
    if found is None:
        known = {n for p in SPECIES_PHYSIOLOGY.values() for n in p.sites}
        if name in known:
            raise UnknownNameError(
                f"no {species} data for site {name!r}: healthy BV/TV of {species} was read "
                f"only for {', '.join(phys.sites)}")
        raise unknown_name(f"site for {species}", name, phys.sites)
    return phys, found
