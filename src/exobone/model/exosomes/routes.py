"""Where an administered exosome dose goes, per route and species.

A dose of ``D`` µg per animal given by route ``r`` puts ``F_r*D`` µg at the bone site (the
fraction reaching it, ``exo_bioavailability_<r>``), spread over the site's distribution volume
``V = v_r*body_weight`` (``v_r``: ``exo_site_volume_<r>``, per kg body weight, relative to the
rat's), and leaves the site first-order (``k_exo_dose_clearance``, besides uptake by the target
cells). The exosome EC50s are amounts at a rat's site (:data:`REFERENCE_SPECIES`), so the dose
pool holds rat-equivalent µg::

    pool += D * F_r * (v_r,rat*body_weight_rat) / (v_r*body_weight)

With ``v_r`` equal in every species an equal µg/kg dose gives an equal pool, hence an equal
effect in rat and mouse (issue 13). Every value of :data:`ROUTE_PK` is ``Assumed``: no study
in ``data/calibration`` measures exosome amounts at a bone site; the reasons say what was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from exobone.errors import ModelError, unknown_name
from exobone.model.parameters import Assumed

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = ["DOSE_CLEARANCE", "REFERENCE_SPECIES", "ROUTES", "ROUTE_PK", "RoutePK",
           "apply_route", "route_pk"]

#: the species the exosome EC50s (10 µg at the site) are stated for: the seeds' doses are rat
#: doses, so a dose pool holds rat-equivalent µg
REFERENCE_SPECIES = "rat"
#: the parameter of the dose pools' first-order clearance from the site
DOSE_CLEARANCE = "k_exo_dose_clearance"

_LOCAL_FRACTION = ("local injection or scaffold into the defect/site: most of the dose is "
                   "there, some leaks away; order of magnitude only")
_SYSTEMIC_FRACTION = (
    "intravenous exosomes go mostly to liver, spleen and lung, a few percent reach bone; order "
    "of magnitude only (radioiodine-labelled EVs in mice: \"RI-EVs were mainly visualized at "
    "liver, spleen, and lung\", https://pmc.ncbi.nlm.nih.gov/articles/PMC7930277)")
_VOLUME = ("1 = the rat's site volume per kg body weight: organ and marrow volumes scale about "
           "in proportion to body weight; no per-species measurement for exosomes")
_CLEARANCE = (
    "site half-life about 2.3 days (1.4 with uptake): labelled exosomes persist in tissue for "
    "days, not hours (after intravenous DiR-exosomes the injury-site signal rose by day 3, "
    "remained through day 7 and declined by day 11: J Neuroinflammation 2018, "
    "https://jneuroinflammation.biomedcentral.com/articles/10.1186/s12974-018-1240-3/figures/3); "
    "order of magnitude only. The same for both routes: once at the site, exosomes of either "
    "route leave it by the same tissue processes (drainage, uptake)")
_SAME_AS_RAT = {
    "mouse": "as in the rat (no mouse-specific measurement); equal values make equal µg/kg doses "
             "act equally in rat and mouse",
    "human": "the rat's value carried over (no human measurement): human exosome doses rest on "
             "it",
}


@dataclass(frozen=True)
class RoutePK:
    """Fraction reaching the site, relative site volume per kg and site clearance of one route
    in one species, each with the reason for its value."""

    fraction: float
    fraction_bounds: tuple[float, float]
    fraction_reason: str
    volume: float
    volume_reason: str
    clearance: float
    clearance_reason: str


def _rat(route: str) -> RoutePK:
    if route == "local":
        return RoutePK(0.5, (0.2, 1.0), _LOCAL_FRACTION, 1.0, _VOLUME, 0.3, _CLEARANCE)
    return RoutePK(0.05, (0.01, 0.2), _SYSTEMIC_FRACTION, 1.0, _VOLUME, 0.3, _CLEARANCE)


def _carried(pk: RoutePK, species: str) -> RoutePK:
    why = _SAME_AS_RAT[species]
    return RoutePK(pk.fraction, pk.fraction_bounds, f"{pk.fraction_reason}; {why}", pk.volume,
                   f"{pk.volume_reason}; {why}", pk.clearance, f"{pk.clearance_reason}; {why}")


#: route -> what it means (``exosome:...,route=``)
ROUTES: dict[str, str] = {
    "local": "injected into the site or carried by a scaffold/hydrogel there",
    "systemic": "intravenous",
}
#: (route, species) -> its pharmacokinetics
ROUTE_PK: dict[tuple[str, str], RoutePK] = {
    (route, species): (_rat(route) if species == REFERENCE_SPECIES
                       else _carried(_rat(route), species))
    for route in ROUTES for species in ("rat", "mouse", "human")}


def route_pk(route: str, species: str) -> RoutePK:
    """The pharmacokinetics of ``route`` in ``species``.

    Raises
    ------
    UnknownNameError
        For a route or species without an entry.
    """
    if route not in ROUTES:
        raise unknown_name("exosome route", route, ROUTES)
    if (route, species) not in ROUTE_PK:
        raise unknown_name("species (exosome routes)", species,
                           sorted({s for _, s in ROUTE_PK}))
    return ROUTE_PK[(route, species)]


def apply_route(builder: ModelBuilder, route: str, species: str) -> str:
    """Add the route's parameters for the model's species; return the dose-pool increment
    factor ``exo_bioavailability_<r>*v_rat/v_r`` (times ``body_weight_reference/body_weight``
    the caller writes).

    Raises
    ------
    ModelError
        If two routes of one model clear the dose pools at different rates (one pool per
        source cannot have two clearances).
    """
    pk, ref = route_pk(route, species), route_pk(route, REFERENCE_SPECIES)
    fraction, volume = f"exo_bioavailability_{route}", f"exo_site_volume_{route}"
    if builder.get_parameter(fraction) is None:
        builder.add_parameter(fraction, pk.fraction, unit="1", bounds=pk.fraction_bounds,
                              source=Assumed(pk.fraction_reason),
                              description=f"fraction of a {route} exosome dose reaching the "
                                          f"bone site ({species})")
        builder.add_parameter(volume, pk.volume, unit="1", bounds=(0.1, 10.0),
                              source=Assumed(pk.volume_reason),
                              description=f"site distribution volume of a {route} exosome "
                                          f"dose per kg body weight, relative to the "
                                          f"{REFERENCE_SPECIES}'s ({species})")
        if ref.volume != 1.0:
            raise ModelError(f"exosome route {route}: the {REFERENCE_SPECIES}'s relative site "
                             f"volume must be 1, got {ref.volume}")
    layer = builder.exosome_layer
    if layer is None:
        raise ModelError("the exosome layer is not part of this model; exosome doses need it")
    others = [r for r, k in layer.dose_routes.items() if r != route and k != pk.clearance]
    if others:
        raise ModelError(f"exosome doses by {route} and {', '.join(others)} leave the site at "
                         f"different rates; one model doses by one of them")
    layer.dose_routes[route] = pk.clearance
    clearance = builder.require_parameter(DOSE_CLEARANCE)
    builder.set_parameter(DOSE_CLEARANCE, pk.clearance, bounds=clearance.bounds,
                          source=Assumed(pk.clearance_reason))
    return f"{fraction}/{volume}"
