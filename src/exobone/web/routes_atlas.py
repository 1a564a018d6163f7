"""Atlas routes: search with facets, experiments, one mechanism, the network view, exports.

Thin shells over :func:`exobone.atlas.query.search`, :func:`~exobone.atlas.query.search_experiments`
and :func:`exobone.atlas.export.export`; everything here only parses parameters and formats
records for the browser.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import Response

from exobone.atlas.curation import Atlas
from exobone.atlas.export import Selection, export, require_exporter
from exobone.atlas.export._graph import mechanism_graph
from exobone.atlas.network_layout import SECTORS, layout_network
from exobone.atlas.query import display_name, search, search_experiments
from exobone.atlas.records import SPECIES, SPECIES_SHORT, Direction, Evidence, Experiment, Setting
from exobone.atlas.summary import summarize
from exobone.errors import InvalidInputError, unknown_name
from exobone.web.schemas import (
    ErrorResponse,
    EvidenceOut,
    ExperimentOut,
    ExperimentSearchOut,
    MechanismOut,
    NetworkOut,
    SearchOut,
)
from exobone.web.state import get_state

router = APIRouter(prefix="/api/atlas", tags=["atlas"],
                   responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})

Filter = Annotated[str | None, Query(max_length=100)]


class MechanismFilters:
    """The facets of a mechanism search (the same as `exobone atlas search`)."""

    def __init__(
        self,
        cargo: Annotated[str | None, Query(max_length=100, description="miRNA (arm-aware), "
                                           "gene (alias-aware) or other cargo")] = None,
        source: Annotated[str | None, Query(
            max_length=100, description="the first of the chain: an exosome source cell, a "
                                        "context (disease) or a regulator (gene)")] = None,
        target: Annotated[str | None, Query(max_length=100,
                                            description="target cell or molecule")] = None,
        pathway: Filter = None,
        disease: Annotated[str | None, Query(max_length=100,
                                             description="disease or model context")] = None,
        species: Annotated[str | None, Query(max_length=100,
                                             description="human, mouse, rat or NCBITaxon")] = None,
        setting: Annotated[str | None, Query(max_length=40,
                                             description="in_vitro, in_vivo, ...")] = None,
        direction: Annotated[str | None, Query(max_length=20,
                                               description="increase or decrease")] = None,
        text: Annotated[str | None, Query(max_length=200,
                                          description="full text, any language")] = None,
    ) -> None:
        self.values: dict[str, Any] = {k: v.strip() for k, v in {
            "cargo": cargo, "source": source, "target": target, "pathway": pathway, "disease": disease,
            "species": species, "setting": setting, "direction": direction, "text": text,
        }.items() if v is not None and v.strip()}


Filters = Annotated[MechanismFilters, Depends()]


def _seed_title(atlas: Atlas, seed: str) -> str:
    found = atlas.seeds.get(seed)
    return found.title if found is not None else seed


def _evidence(atlas: Atlas, ev: Evidence, matched: bool) -> EvidenceOut:
    c = ev.citation
    seed = atlas.seeds.get(ev.read_in)
    return EvidenceOut(
        quote=ev.quote, quote_en=ev.quote_en, language=seed.language if seed else "",
        citation=c.short() + (f": {c.title}" if c.title else ""), doi=c.doi, pmid=c.pmid,
        year=c.year, species=[SPECIES.get(t, t) for t in ev.species], setting=ev.setting.value,
        methods=list(ev.methods), read_in=ev.read_in,
        source_document=_seed_title(atlas, ev.read_in), conflict=ev.conflict, matched=matched,
    )


def mechanism_out(atlas: Atlas, mech_id: str, matched_evidence: tuple[Evidence, ...] | None = None,
                  matched: tuple[str, ...] = ()) -> MechanismOut:
    """Format a mechanism (all its evidence; `matched` marks those that met the filters)."""
    m = atlas.mechanism(mech_id)
    keep = set(map(id, matched_evidence)) if matched_evidence is not None else None
    return MechanismOut(
        id=m.id, kind=m.kind.value, source=m.source, source_name=display_name(atlas, m.source),
        source_role=m.source_role,
        vesicle=m.vesicle, cargo=list(m.cargo), target=m.target,
        target_name=display_name(atlas, m.target), effect=m.effect,
        effect_name=display_name(atlas, m.effect), direction=m.direction.value,
        pathways=[display_name(atlas, p) for p in m.pathways],
        contexts=[display_name(atlas, c) for c in m.contexts],
        molecular_targets=[{"entity": t.entity, "direction": t.direction.value}
                           for t in m.molecular_targets],
        note=m.note, matched=list(matched),
        evidence=[_evidence(atlas, ev, keep is None or id(ev) in keep) for ev in m.evidence],
    )


def experiment_out(atlas: Atlas, x: Experiment) -> ExperimentOut:
    """Format an experiment for the browser."""
    c = x.citation
    return ExperimentOut(
        id=x.id, title=x.title, intervention=x.intervention.description,
        intervention_kind=x.intervention.kind.value,
        agent=display_name(atlas, x.intervention.agent), control=x.control,
        contexts=[display_name(atlas, k) for k in x.contexts], system=x.system.value,
        species=[SPECIES.get(t, t) for t in x.species],
        outcomes=[{"measure": o.measure, "entity": o.entity, "direction": o.direction.value,
                   "time": o.time} for o in x.outcomes],
        citation=c.short() + (f": {c.title}" if c.title else ""), doi=c.doi, pmid=c.pmid,
        quote=x.quote, quote_en=x.quote_en, read_in=x.read_in, mechanisms=list(x.mechanisms),
    )


@router.get("/summary", summary="What the atlas holds")
def summary(request: Request) -> dict[str, Any]:
    """Counts of records, the atlas version and what each seed document contributes."""

    state = get_state(request)
    with state.store() as store:
        return {"version": store.version, "counts": store.counts(),
                "seeds": [vars(s) for s in summarize(state.atlas)]}


@router.get("/facets", summary="Values for the search facets")
def facets(request: Request) -> dict[str, list[Any]]:
    """Suggested values of each facet: the names used by the curated mechanisms."""
    atlas = get_state(request).atlas

    def names(keys: set[str]) -> list[dict[str, str]]:
        return sorted(({"key": k, "name": display_name(atlas, k)} for k in keys),
                      key=lambda d: d["name"].casefold())

    mechs = atlas.mechanisms.values()
    return {
        "cargo": names({c for m in mechs for c in m.cargo}),
        "source": names({m.source for m in mechs}),
        "target": names({m.target for m in mechs}
                        | {t.entity for m in mechs for t in m.molecular_targets}),
        "pathway": names({p for m in mechs for p in m.pathways}),
        "disease": names({c for m in mechs for c in m.contexts}),
        "species": sorted(SPECIES_SHORT),
        "setting": [s.value for s in Setting],
        "direction": [d.value for d in Direction],
    }


@router.get("/search", summary="Search mechanisms by facets", response_model=SearchOut)
def search_mechanisms(request: Request, filters: Filters,
                      limit: Annotated[int | None, Query(ge=0, le=1000)] = None) -> SearchOut:
    """Mechanisms matching every given facet, each with its evidence (as `exobone atlas search`)."""
    with get_state(request).store() as store:
        hits = search(store, **filters.values, limit=limit)
        atlas = store.atlas()
    return SearchOut(filters=filters.values, count=len(hits),
                     mechanisms=[mechanism_out(atlas, h.id, h.evidence, h.matched) for h in hits])


@router.get("/experiments", summary="Search experiments", response_model=ExperimentSearchOut)
def experiments(
    request: Request,
    source: Filter = None, cargo: Filter = None, target: Filter = None, disease: Filter = None,
    species: Filter = None, setting: Filter = None, measure: Filter = None,
    direction: Filter = None, kind: Filter = None, mechanism: Filter = None,
    text: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int | None, Query(ge=0, le=1000)] = None,
) -> ExperimentSearchOut:
    """Curated experiments matching every given filter (as `exobone atlas experiments`)."""
    values: dict[str, Any] = {k: v.strip() for k, v in {
        "source": source, "cargo": cargo, "target": target, "disease": disease, "species": species,
        "setting": setting, "measure": measure, "direction": direction, "kind": kind, "mechanism": mechanism,
        "text": text}.items() if v is not None and v.strip()}
    with get_state(request).store() as store:
        hits = search_experiments(store, **values, limit=limit)
        atlas = store.atlas()
    return ExperimentSearchOut(filters=values, count=len(hits),
                               experiments=[experiment_out(atlas, h.experiment) for h in hits])


@router.get("/mechanisms/{mech_id}", summary="One mechanism with all its evidence",
            response_model=MechanismOut)
def mechanism(request: Request,
              mech_id: Annotated[str, FastAPIPath(max_length=64)]) -> MechanismOut:
    """A mechanism by id (merged ids are followed); 404 if there is none."""

    atlas = get_state(request).atlas
    if atlas.alias_of.get(mech_id, mech_id) not in atlas.mechanisms:
        raise unknown_name("mechanism", mech_id, atlas.mechanisms)
    return mechanism_out(atlas, mech_id)


@router.get("/network", summary="Signed network of the selection", response_model=NetworkOut)
def network(request: Request, filters: Filters) -> NetworkOut:
    """Nodes and edges for Cytoscape.js: the same signed graph as the CX2/GraphML exports."""

    with get_state(request).store() as store:
        hits = search(store, **filters.values)
        atlas = store.atlas()
    g = mechanism_graph(atlas, [h.mechanism for h in hits])
    lay = layout_network(g)
    # circle radius in screen units: neighbouring labels (10 px text) at least 15 px apart
    radius = max(240.0, 15.0 / max(lay.slot, 1e-9))
    screen = {k: (radius * x, -radius * y) for k, (x, y) in lay.positions.items()}  # y down
    nodes = []
    for k, d in g.nodes(data=True):
        rotation, align = lay.label_rotation(k)
        nodes.append({"data": {
            "id": k, "label": lay.labels[k], "full_name": d.get("full_name", k),
            "type": d.get("type", ""), "represents": d.get("represents", ""),
            "sector": lay.sectors[k], "sector_name": SECTORS[lay.sectors[k]],
            # radial label: its rotation (radians, clockwise on screen) and which side of
            # the node it starts from
            "label_rotation": -math.radians(rotation), "label_side": align,
            "angle": -lay.angles[k]}, "position": dict(zip("xy", screen[k], strict=True))})
    edges = []
    for u, v, key, d in g.edges(keys=True, data=True):
        weights, distances = _segments(screen[u], screen[v], lay.paths[str(key)] * [radius, -radius])
        edges.append({"data": {
            "id": key, "source": u, "target": v, "interaction": d["interaction"],
            "sign": d["sign"], "role": d["role"], "mechanisms": list(d["mechanisms"]),
            "label": d.get("effect_name", "carries") if d["role"] != "regulation"
            else d["interaction"],
            "segment_weights": weights, "segment_distances": distances,
        }})
    return NetworkOut(filters=filters.values, nodes=nodes, edges=edges)


def _segments(source: tuple[float, float], target: tuple[float, float],
              path: Any) -> tuple[list[float], list[float]]:
    """A bundled edge path as Cytoscape.js ``segments``: for each inner point its weight along
    source -> target (0..1) and its signed distance from that line (to the right of it, in
    screen coordinates, y down), every third point of the sampled B-spline."""
    sx, sy = source
    dx, dy = target[0] - sx, target[1] - sy
    length2 = dx * dx + dy * dy or 1.0
    length = math.sqrt(length2)
    weights, distances = [], []
    for px, py in path[2:-2:3]:
        weights.append(round(((px - sx) * dx + (py - sy) * dy) / length2, 4))
        distances.append(round(((px - sx) * -dy + (py - sy) * dx) / length, 2))
    return weights, distances


@router.get("/export", summary="Download the selection",
            responses={200: {"content": {"text/csv": {}, "application/json": {},
                                         "application/xml": {}, "text/plain": {}}}})
def export_selection(
    request: Request, filters: Filters,
    format: Annotated[str, Query(max_length=20, description="csv, cx2, graphml, gmt, sif "
                                 "or json")] = "csv",
    what: Annotated[str, Query(max_length=20,
                               description="mechanisms or experiments")] = "mechanisms",
) -> Response:
    """The current selection in a registered format (as `exobone atlas export`)."""

    exporter = require_exporter(format)
    if what == "experiments" and "pathway" in filters.values:
        raise InvalidInputError("pathway is not a filter of experiments; leave it out or "
                                "export mechanisms")
    with get_state(request).store() as store:
        atlas = store.atlas()
        hits: list[Any] = (search_experiments(store, **filters.values) if what == "experiments"
                           else search(store, **filters.values))
    body = export(Selection.from_hits(atlas, hits), exporter.name, what)
    filename = f"exobone-{what}{exporter.suffix}"
    return Response(body, media_type=exporter.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


__all__ = ["experiment_out", "mechanism_out", "router"]
