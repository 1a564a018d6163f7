"""Exosome interventions: dosing exosomes, blocking their release, and editing their cargo.

Kinds registered here (``exobone list interventions``):

``exosome:SOURCE[,dose=100ug|5ug/kg,route=systemic|local,start=DAY,every=DAYS,stop=DAY]``
    Doses of exosomes from an exogenous source as scheduled events on the source's dose pool
    (µg of exosome protein per animal, or per kg body weight; a bare number is µg per animal).
    The route defaults to the scenario's: the route its atlas experiments used, or an assumption
    with its reason where none names one, or none (``route=`` required)
    (:func:`~exobone.model.exosomes.scenario_routes.default_route`); the fraction reaching the
    bone site depends on it. What reaches the
    site is scaled by body weight (:data:`BODY_WEIGHT_KG`), so the same µg/kg does the same in
    a rat and a mouse. The resolved form (dose with unit, route, schedule) is the
    intervention's ``str()``.
    ``adipose-msc-tnf`` is TNF-α preconditioning: adipose-MSC exosomes whose Wnt-3a content is
    raised by the atlas's cargo profile (MECH:1018).
``rab27a-knockdown:CELL[,residual=F,start=DAY]``
    Lowers the Rab27a activity (hence exosome secretion) of one cell type.
``antagomir:MIRNA[@CELL][,residual=F,start=DAY]`` / ``mimic:MIRNA[@CELL][,fold=F,start=DAY]``
    Lower / raise a miRNA, arm-aware (``miR-214`` matches ``miR-214-3p``): its level in cells
    where the atlas says it regulates a process, and its content in exosomes. Without ``@CELL``
    the animal's own cells and exosomes; with ``@CELL`` only that cell type (and exosomes made
    from it, including administered ones, as when donor cells are transfected).
``knockout:GENE[@CELL][,start=DAY]`` / ``knockdown:GENE[@CELL][,residual=F,start=DAY]``
    Remove / lower a gene: its regulator level, its exosome cargo, the Rab27a activity for
    RAB27A, and for an exosome marker tetraspanin (CD9 per the atlas's marker facts) the
    exosome function of every endogenous pool.

Every intervention acts on the knobs of the exosome layer's typed state
(``builder.exosome_layer``, an :class:`~exobone.model.exosomes.state.ExosomeLayer`); with the
layer switched off they raise a clear error instead of doing nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from exobone.atlas.curation import default_atlas
from exobone.atlas.vocab import get_mirna, mirna_matches
from exobone.errors import InvalidInputError, ModelError, suggest, unknown_name
from exobone.model.exosomes import (
    ENDOGENOUS_CELLS,
    ExosomeLayer,
    ExosomeSource,
    add_dose_pool,
    exogenous_sources,
)
from exobone.model.exosomes.routes import REFERENCE_SPECIES, ROUTES, apply_route, route_pk
from exobone.model.exosomes.scenario_routes import default_route
from exobone.model.parameters import Assumed
from exobone.model.scenarios.dosing import BODY_WEIGHT_KG, Dose
from exobone.model.scenarios.dosing import parse_dose as parse_mass_dose
from exobone.model.scenarios.interventions import (
    DEFAULT_HORIZON_DAYS,
    Intervention,
    register_intervention,
    unique_name,
)

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

__all__ = [
    "BODY_WEIGHT_KG",
    "DEFAULT_DOSE_UG",
    "REFERENCE_SPECIES",
    "ROUTES",
    "Dose",
    "is_mirna",
    "parse_dose",
    "resolve_cell",
    "resolve_exosome",
    "resolve_source",
]

#: dose when none is given: a typical single dose of the seeds' papers (50-200 µg protein)
DEFAULT_DOSE_UG = 100.0

#: default residual activity after a knockdown / antagomir, and the fold of a mimic
DEFAULT_RESIDUAL = 0.2
DEFAULT_FOLD = 5.0
KNOCKOUT_MARKER_RESIDUAL = 0.3


# ============================================================================ helpers
def _norm(text: str) -> str:
    return text.strip().lower().replace("_", "-").replace(" ", "-")


def resolve_source(name: str, sources: dict[str, ExosomeSource] | None = None) -> ExosomeSource:
    """Return the exogenous source called ``name`` (hyphens/underscores and case ignored).

    Raises
    ------
    UnknownNameError
        For an unknown source, with a did-you-mean and the list of sources.
    """
    table = sources if sources is not None else exogenous_sources()
    key = _norm(name)
    if key in table:
        return table[key]
    for src in table.values():
        if _norm(src.cell) == key and not src.conditions:
            return src
    raise unknown_name("exosome source", name, table)


_CELL_WORDS = {"oc": "osteoclast", "ob": "osteoblast", "endothelium": "endothelial_cell",
               "endothelial": "endothelial_cell", "msc": "bmsc", "bmscs": "bmsc"}


def resolve_cell(name: str, cells: Iterable[str]) -> str:
    """Return the cell key in ``cells`` meant by ``name`` (plural, hyphens and case ignored).

    Raises
    ------
    UnknownNameError
        With a did-you-mean among ``cells``.
    """
    options = list(cells)
    key = name.strip().lower().replace("-", "_")
    key = _CELL_WORDS.get(key, key)
    for candidate in (key, key.rstrip("s"), key.removesuffix("s")):
        if candidate in options:
            return candidate
        for cell in options:
            if candidate in ENDOGENOUS_CELLS.get(cell, ()):
                return cell
    # a source name of `exobone list sources` (e.g. senescent-endothelial, myeloma) names its cell
    source = exogenous_sources().get(_norm(name))
    if source is not None and not source.conditions and source.cell in options:
        return source.cell
    raise unknown_name("cell type with an exosome pool", name, options)


def _layer(builder: ModelBuilder, iv: Intervention) -> ExosomeLayer:
    layer = builder.exosome_layer
    if layer is None:
        raise ModelError(f"{iv}: the exosome layer is not part of this model (--no-exosomes, "
                         f"or exosome_layer=False in Python); exosome interventions need it")
    return layer


def _set(builder: ModelBuilder, iv: Intervention, params: Iterable[str], value: float,
         what: str) -> None:
    """Set ``params`` to ``value`` now, or from day ``start`` on with one event."""
    params = list(dict.fromkeys(params))
    start = iv.number("start", 0.0) or 0.0
    if start <= 0.0:
        for name in params:
            builder.set_parameter(name, value, source=Assumed(f"set by the intervention {iv}"))
        return
    for name in params:  # widen the bounds so the event's value is a legal input
        p = builder.require_parameter(name)
        if p.bounds is not None and not p.bounds[0] <= value <= p.bounds[1]:
            builder.set_parameter(name, p.value, bounds=(min(p.bounds[0], value),
                                                         max(p.bounds[1], value)))
    builder.add_event(unique_name(builder, f"{iv.kind.replace('-', '_')}_start"),
                      {name: repr(float(value)) for name in params}, at_times=(start,),
                      description=f"{iv}: {what} from day {start:g}")


def _fraction(iv: Intervention, key: str, default: float, *, upper: float | None = 1.0) -> float:
    raw = iv.option(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInputError(f"{iv.kind}: option {key}={raw!r} is not a number") from None
    if not math.isfinite(value) or value < 0 or (upper is not None and value > upper):
        bound = f"between 0 and {upper:g}" if upper is not None else ">= 0"
        raise InvalidInputError(f"{iv.kind}: {key} must be {bound}, got {raw}")
    return value


# ============================================================================ exosome dosing
def parse_dose(raw: str) -> Dose:
    """Parse an exosome dose: ``100``, ``100ug``, ``0.1mg``, ``5ug/kg`` or ``4mg/kg``.

    A bare number is µg per animal (:func:`exobone.model.scenarios.dosing.parse_dose`).

    Examples
    --------
    >>> str(parse_dose("4mg/kg")), str(parse_dose("100")), parse_dose("5 ug/kg").per_kg
    ('4000ug/kg', '100ug', True)
    """
    return parse_mass_dose(raw, kind="exosome", bare_unit="ug")


def resolve_exosome(iv: Intervention, scenario: str | None = None) -> Intervention:
    """Return ``iv`` with its dose (with unit), route and start written out.

    Without ``route=`` the route is the scenario's default (:func:`default_route`); with no
    scenario given it stays unwritten until the model is built for one.

    Raises
    ------
    InvalidInputError
        Without ``route=`` in a scenario that has no default route.

    Examples
    --------
    >>> str(resolve_exosome(Intervention.parse("exosome:bmsc,every=7"), "calvarial-defect"))
    'exosome:bmsc,dose=100ug,route=local,start=0,every=7'
    >>> str(resolve_exosome(Intervention.parse("exosome:bmsc,every=7"), "ovx"))
    'exosome:bmsc,dose=100ug,route=systemic,start=0,every=7'
    """
    dose = parse_dose(iv.option("dose") or f"{DEFAULT_DOSE_UG:g}")
    options = {"dose": str(dose)}
    route = iv.option("route")
    if route is not None:
        options["route"] = route.lower()
    elif scenario is not None:
        try:
            options["route"] = default_route(scenario).route
        except InvalidInputError as err:
            raise InvalidInputError(f"{iv}: {err}") from None
    options["start"] = f"{iv.number('start', 0.0):g}"
    for key in ("every", "stop"):
        if iv.option(key) is not None:
            options[key] = f"{iv.number(key):g}"
    return Intervention(iv.kind, iv.arg, options)


def _validate_exosome(iv: Intervention) -> None:
    assert iv.arg is not None
    resolve_source(iv.arg)
    if iv.option("dose") is not None:
        parse_dose(iv.option("dose") or "")
    route = iv.option("route")  # unset: the scenario's default, resolved with the scenario
    if route is not None and route.lower() not in ROUTES:
        raise InvalidInputError(f"exosome: route must be one of {', '.join(ROUTES)}, got "
                                f"{route!r}{suggest(route, ROUTES)}")


def _body_weight(builder: ModelBuilder) -> tuple[str, str]:
    """Add the body weight of the model's species and the reference's; return their names."""
    species = str(builder.metadata.get("species", REFERENCE_SPECIES))
    if species not in BODY_WEIGHT_KG:
        raise unknown_name("species (body weight)", species, BODY_WEIGHT_KG)
    for name, sp, what in (("body_weight", species, f"body weight ({species})"),
                           ("body_weight_reference", REFERENCE_SPECIES,
                            (f"body weight of the species the exosome EC50s are stated for "
                             f"({REFERENCE_SPECIES})"))):
        if builder.get_parameter(name) is None:
            kg, reason = BODY_WEIGHT_KG[sp]
            builder.add_parameter(name, kg, unit="kg", bounds=(kg / 3, kg * 3),
                                  source=Assumed(reason), description=what)
    return "body_weight", "body_weight_reference"


@register_intervention(
    "exosome",
    help=("dose exosomes from a source (µg protein per animal or per kg; systemic or local, "
          "by default the route of the scenario's experiments; scheduled doses)"),
    usage=("exosome:SOURCE[,dose=100ug|5ug/kg,route=systemic|local,start=DAY,every=DAYS,"
           "stop=DAY]"),
    options=("dose", "route", "start", "every", "stop"), arg="required",
    validate=_validate_exosome, quantities=("dose",), resolve=resolve_exosome,
    sources=(("assumed: fraction reaching the site, site volume per kg and site clearance per "
              "route and species are orders of magnitude (exobone.model.exosomes.routes); body "
              "weight per species"),
             "mechanisms of the source compiled from the atlas"))
def apply_exosome(builder: ModelBuilder, iv: Intervention) -> None:
    """Add the scheduled doses of ``iv`` to the source's dose pool.

    What reaches the site is ``dose (µg per animal) x bioavailability(route) / site volume
    (route, per kg, relative to the rat's) x body_weight_reference / body_weight``: the pool
    holds rat-equivalent µg, so equal µg/kg doses give equal pools in every species whose site
    volume per kg is the rat's (:mod:`exobone.model.exosomes.routes`).
    """
    scenario = builder.metadata.get("scenario")
    iv = resolve_exosome(iv, scenario)
    if iv.option("route") is None:
        raise InvalidInputError(f"{iv}: give route=local or route=systemic (the model names no "
                                f"scenario to take the default route from)")
    plans = _layer(builder, iv).dose_plans
    assert iv.arg is not None
    name = _norm(iv.arg) if _norm(iv.arg) in plans else resolve_source(iv.arg).name
    if name not in plans:
        raise ModelError(f"{iv}: the model has no dose pool for {name!r}; is it a source of the "
                         f"atlas this model was compiled from?")
    source = ExosomeSource(name, plans[name].cell, "")
    pool = add_dose_pool(builder, name)
    route = str(iv.option("route"))
    basis = _route_basis(route, scenario)
    species = str(builder.metadata.get("species", REFERENCE_SPECIES))
    reach = apply_route(builder, route, species)
    pk = route_pk(route, species)
    bw, bw_ref = _body_weight(builder)
    dose = parse_dose(iv.option("dose") or "")
    ug = dose.per_animal(builder.require_parameter(bw).value)
    dose_name = unique_name(builder, f"dose_{source.key}_ug")
    builder.add_parameter(dose_name, ug, unit="ug", bounds=(0.0, max(10.0 * ug, 1000.0)),
                          source=Assumed(f"dose given by the intervention {iv}"),
                          description=f"exosome dose per administration of {source.name}, µg "
                                      f"per animal ({dose})")
    times = iv.schedule().dose_times(DEFAULT_HORIZON_DAYS)
    builder.add_event(unique_name(builder, f"dose_{source.key}"),
                      {pool: f"{pool} + {dose_name}*{reach}*{bw_ref}/{bw}"}, at_times=times,
                      description=f"{iv}: {ug:g} µg per animal of {source.name} exosomes, "
                                  f"{route} ({ROUTES[route]}): {pk.fraction:g} of it reaches "
                                  f"the site, cleared there at {pk.clearance:g}/day; {basis}")
    builder.metadata["exosome_routes"] = (*builder.metadata.get("exosome_routes", ()),
                                          f"{iv}: {basis}")


def _route_basis(route: str, scenario: str | None) -> str:
    """What the route rests on: the scenario's default (its experiments or an assumption), or
    the user's choice against it."""
    if scenario is None:
        return "route given"
    try:
        default = default_route(scenario)
    except InvalidInputError:
        return f"route given ({scenario} has no default route)"
    if route == default.route:
        return default.line()
    return f"route given (the {scenario} default is {default.route})"


# ============================================================================ Rab27a
def _validate_cell_arg(iv: Intervention) -> None:
    if iv.arg is None or not iv.arg.strip():
        raise InvalidInputError(f"{iv.kind} needs a cell, e.g. {iv.kind}:osteoclast")
    _fraction(iv, "residual", DEFAULT_RESIDUAL)


@register_intervention(
    "rab27a-knockdown",
    help="lower Rab27a (exosome secretion) in one cell type",
    usage="rab27a-knockdown:CELL[,residual=FRACTION,start=DAY]",
    options=("residual", "start"), arg="required", validate=_validate_cell_arg,
    sources=("Ostrowski et al., Nat Cell Biol 2010 (Rab27a controls exosome secretion)",
             "assumed: residual activity 0.2 after knockdown"))
def apply_rab27a_knockdown(builder: ModelBuilder, iv: Intervention) -> None:
    """Set ``rab27a_<cell>`` to the residual activity."""
    rab = _layer(builder, iv).rab27a
    assert iv.arg is not None
    if iv.arg.strip().lower() == "all":
        params = list(rab.values())
    else:
        params = [rab[resolve_cell(iv.arg, rab)]]
    _set(builder, iv, params, _fraction(iv, "residual", DEFAULT_RESIDUAL),
         "Rab27a knocked down")


# ============================================================================ miRNAs
def is_mirna(name: str) -> bool:
    """True if ``name`` is a miRNA name (:func:`exobone.atlas.vocab.get_mirna`)."""
    return get_mirna(name) is not None


def _validate_mirna(iv: Intervention) -> None:
    target = iv.target
    if not target or not is_mirna(target):
        raise InvalidInputError(f"{iv.kind}: {target!r} is not a miRNA name; write it like "
                                f"'miR-214-3p' or 'miR-214-3p@osteoclast'")
    _fraction(iv, "residual", DEFAULT_RESIDUAL)
    _fraction(iv, "fold", DEFAULT_FOLD, upper=None)


def _molecule_knobs(builder: ModelBuilder, iv: Intervention,
                    match: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """Return (level parameters, cargo parameters) that ``iv`` acts on."""
    layer = _layer(builder, iv)
    cell = iv.cell
    cells = {k.cell for k in layer.levels if k.cell} | {k.cell for k in layer.cargo}
    if cell is not None:
        cell = resolve_cell(cell, cells)
    levels = [k.parameter for k in layer.levels
              if match(k.molecule) and (cell is None or k.cell in (cell, None))]
    cargo = [k.parameter for k in layer.cargo
             if match(k.cargo) and (k.cell == cell if cell is not None else k.endogenous)]
    return levels, cargo


def _known_molecules(builder: ModelBuilder, iv: Intervention) -> list[str]:
    layer = _layer(builder, iv)
    return sorted({k.molecule for k in layer.levels} | {k.cargo for k in layer.cargo})


def _apply_mirna(builder: ModelBuilder, iv: Intervention, value: float, what: str) -> None:
    assert iv.target is not None
    query = iv.target
    levels, cargo = _molecule_knobs(builder, iv, lambda n: is_mirna(n)
                                    and bool(mirna_matches(query, n)))
    if not levels and not cargo:
        known = [m for m in _known_molecules(builder, iv) if is_mirna(m)]
        where = f" in {iv.cell}" if iv.cell else ""
        carriers = sorted({k.cell for k in _layer(builder, iv).cargo
                           if not k.endogenous and is_mirna(k.cargo)
                           and mirna_matches(query, k.cargo)})
        if iv.cell is None and carriers:
            # the miRNA is in the model, but only in administered exosomes: say how to reach it
            names = {src.cell: src.name for src in exogenous_sources().values()
                     if not src.conditions}
            shown = [names.get(c, c) for c in carriers]
            raise InvalidInputError(
                f"{iv}: in this scenario the animal's own cells make no {query}; it is carried "
                f"only by administered exosomes ({', '.join(shown)}); name the cell to act on "
                f"those (e.g. {iv.kind}:{query}@{shown[0]})")
        raise InvalidInputError(
            f"{iv}: {query}{where} acts on nothing in this model (no atlas mechanism uses it as "
            f"a regulator or exosome cargo){suggest(query, known)}; miRNAs the model has: "
            f"{', '.join(known)}")
    _set(builder, iv, [*levels, *cargo], value, what)


@register_intervention(
    "antagomir",
    help="inhibit a miRNA (arm-aware) in cells and their exosomes",
    usage="antagomir:MIRNA[@CELL][,residual=FRACTION,start=DAY]",
    options=("residual", "start"), arg="required", validate=_validate_mirna,
    sources=("assumed: residual miRNA activity 0.2 under an antagomir",))
def apply_antagomir(builder: ModelBuilder, iv: Intervention) -> None:
    """Lower the miRNA's levels and exosome content to the residual fraction."""
    _apply_mirna(builder, iv, _fraction(iv, "residual", DEFAULT_RESIDUAL), "miRNA inhibited")


@register_intervention(
    "mimic",
    help="raise a miRNA (arm-aware) in cells and their exosomes",
    usage="mimic:MIRNA[@CELL][,fold=FOLD,start=DAY]",
    options=("fold", "start"), arg="required", validate=_validate_mirna,
    sources=("assumed: a mimic raises the miRNA five-fold",))
def apply_mimic(builder: ModelBuilder, iv: Intervention) -> None:
    """Raise the miRNA's levels and exosome content by ``fold``."""
    _apply_mirna(builder, iv, _fraction(iv, "fold", DEFAULT_FOLD, upper=None),
                 "miRNA raised")


# ============================================================================ genes
def _canonical_gene(name: str) -> str:
    """Return the atlas gene key for ``name`` (symbol or synonym, any case), or ``name``."""
    atlas = default_atlas()
    key = name.strip()
    for entity in atlas.entities.values():
        if entity.type.value not in ("gene", "family"):
            continue
        if key.lower() == entity.key.lower() or key.lower() in (s.lower() for s in
                                                               entity.synonyms):
            return entity.key
    return key.upper()


def _validate_gene(iv: Intervention) -> None:
    if not iv.target:
        raise InvalidInputError(f"{iv.kind} needs a gene, e.g. {iv.kind}:CD9")
    if is_mirna(iv.target):
        raise InvalidInputError(f"{iv.kind}: {iv.target!r} is a miRNA; use "
                                f"antagomir:{iv.target} instead")
    _fraction(iv, "residual", DEFAULT_RESIDUAL)


def _apply_gene(builder: ModelBuilder, iv: Intervention, value: float) -> None:
    assert iv.target is not None
    gene = _canonical_gene(iv.target)
    layer = _layer(builder, iv)
    levels, cargo = _molecule_knobs(builder, iv, lambda n: _canonical_gene(n) == gene)
    params = [*levels, *cargo]
    marker_value = None
    if gene == "RAB27A":
        rab = layer.rab27a
        params += [rab[resolve_cell(iv.cell, rab)]] if iv.cell else list(rab.values())
    if gene in layer.marker_genes:
        marker = layer.marker
        marker_params = [marker[resolve_cell(iv.cell, marker)]] if iv.cell \
            else list(marker.values())
        # a marker tetraspanin is one of several: losing it impairs, not abolishes, exosomes
        marker_value = KNOCKOUT_MARKER_RESIDUAL if value == 0.0 else max(value,
                                                                         KNOCKOUT_MARKER_RESIDUAL)
        _set(builder, iv, marker_params, marker_value, f"{gene} (exosome marker) lost")
    if not params and marker_value is None:
        genes = [m for m in _known_molecules(builder, iv) if not is_mirna(m)]
        raise InvalidInputError(
            f"{iv}: {gene} acts on nothing in this model (not a regulator, exosome cargo, "
            f"Rab27a or exosome marker in the atlas){suggest(gene, genes)}; genes the model "
            f"has: {', '.join(genes)}")
    if params:
        _set(builder, iv, params, value, f"{gene} {'knocked out' if value == 0 else 'lowered'}")


@register_intervention(
    "knockout",
    help="knock out a gene: regulator level, exosome cargo, Rab27a or exosome marker",
    usage="knockout:GENE[@CELL][,start=DAY]",
    options=("start",), arg="required", validate=_validate_gene,
    sources=("atlas marker facts (CD9 is an exosome marker tetraspanin)",
             "assumed: exosome function falls to 0.3 without one marker tetraspanin"))
def apply_knockout(builder: ModelBuilder, iv: Intervention) -> None:
    """Set the gene's knobs to 0 (exosome markers: to the residual function)."""
    _apply_gene(builder, iv, 0.0)


@register_intervention(
    "knockdown",
    help="lower a gene (siRNA/shRNA): like knockout with a residual level",
    usage="knockdown:GENE[@CELL][,residual=FRACTION,start=DAY]",
    options=("residual", "start"), arg="required", validate=_validate_gene,
    sources=("assumed: residual level 0.2 after knockdown",))
def apply_knockdown(builder: ModelBuilder, iv: Intervention) -> None:
    """Set the gene's knobs to the residual level."""
    _apply_gene(builder, iv, _fraction(iv, "residual", DEFAULT_RESIDUAL))
