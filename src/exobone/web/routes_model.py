"""Model routes: scenarios, interventions, sources, a bounded simulation, and its downloads.

Thin shells over :func:`exobone.simulate.scenarios.run_scenario` (the API behind
`exobone simulate`), the scenario and intervention registries, and the interop writers
(SBML, NetCDF). Names are checked before a run is queued, so a typo answers at once with the
registry's did-you-mean message.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from exobone.errors import require_extra
from exobone.interop.results import to_dataset
from exobone.model.exosomes import exogenous_sources
from exobone.model.fitted import parameter_sources
from exobone.model.outcomes import OUTCOMES
from exobone.model.scenarios import SCENARIOS, require_scenario
from exobone.model.scenarios.interventions import INTERVENTIONS, parse_intervention
from exobone.model.species import SITES, SPECIES_PHYSIOLOGY, require_site
from exobone.web import workers
from exobone.web.schemas import (
    MAX_DAYS,
    MAX_INTERVENTION_CHARS,
    MAX_INTERVENTIONS,
    MAX_WEB_BAND,
    ErrorResponse,
    SimulationRequest,
)
from exobone.web.state import AppState, get_state

if TYPE_CHECKING:
    from exobone.simulate.scenarios import ScenarioResult

router = APIRouter(prefix="/api", tags=["model"],
                   responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})

_SIM_ERRORS: dict[int | str, dict[str, Any]] = {503: {"model": ErrorResponse},
                                                504: {"model": ErrorResponse}}


@router.get("/scenarios", summary="Named disease and repair scenarios")
def scenarios() -> list[dict[str, Any]]:
    """Every scenario (as `exobone list scenarios`)."""

    return [{"name": s.name, "description": s.description, "species": list(s.species),
             "default_species": s.default_species,
             # skeletal sites with data per species, the first being the species' default
             "sites": {sp: [SPECIES_PHYSIOLOGY[sp].default_site,
                            *(x for x in SITES[sp] if x != SPECIES_PHYSIOLOGY[sp].default_site)]
                       for sp in s.species if sp in SPECIES_PHYSIOLOGY},
             "bv_tv_direction": s.bv_tv_direction,
             "outcome": s.outcome, "sources": list(s.sources),
             "interventions": list(s.interventions)}
            for s in SCENARIOS.values()]


@router.get("/interventions", summary="Intervention kinds and their form")
def interventions() -> list[dict[str, Any]]:
    """Every intervention kind with its `KIND[:ARG][,key=value...]` usage (as `exobone list
    interventions`)."""

    return [{"kind": k.kind, "help": k.help, "usage": k.usage, "options": list(k.options),
             "arg": k.arg, "sources": list(k.sources)}
            for k in sorted(INTERVENTIONS.values(), key=lambda k: k.kind)]


@router.get("/sources", summary="Exosome sources the exosome intervention can dose")
def sources(request: Request) -> list[dict[str, str]]:
    """Every exogenous exosome source (as `exobone list sources`)."""

    return [{"name": s.name, "help": s.help}
            for s in exogenous_sources(get_state(request).model_atlas).values()]


@router.get("/outcomes", summary="Outcomes a simulation reports")
def outcomes() -> list[dict[str, str]]:
    """Every outcome with its unit, description and group (bone, cells, markers)."""

    return [{"name": o.name, "unit": o.unit, "description": o.description, "group": o.group}
            for o in OUTCOMES.values()]


def _check_names(req: SimulationRequest) -> None:
    """Raise the registry's own error for an unknown scenario, species, site or intervention."""

    require_site(require_scenario(req.scenario).resolve_species(req.species), req.site)
    for text in req.interventions:
        parse_intervention(text, req.scenario)


async def _run(state: AppState, req: SimulationRequest) -> ScenarioResult:
    _check_names(req)
    found = state.cached(req.key())
    if found is not None:
        return found  # type: ignore[no-any-return]
    result: ScenarioResult = await state.run_bounded(
        workers.scenario_task, scenario=req.scenario, interventions=req.interventions,
        species=req.species, site=req.site, days=req.days, points=req.points,
        compare=req.compare,
        exosome_layer=req.exosome_layer)
    state.remember(req.key(), result)
    return result


def _query_request(
    scenario: Annotated[str, Query(max_length=64, description="scenario name")],
    intervention: Annotated[list[str] | None, Query(
        description=f"KIND[:ARG][,key=value...]; repeatable, at most {MAX_INTERVENTIONS} of at "
                    f"most {MAX_INTERVENTION_CHARS} characters")] = None,
    species: Annotated[str | None, Query(max_length=16)] = None,
    site: Annotated[str | None, Query(max_length=32, description=(
        "skeletal site with data for the species (default: the species')"))] = None,
    days: Annotated[float, Query(gt=0, le=MAX_DAYS)] = 365.0,
    points: Annotated[int, Query(ge=2, le=1000)] = 366,
) -> SimulationRequest:
    try:
        return SimulationRequest(scenario=scenario, interventions=intervention or [],
                                 species=species, site=site, days=days, points=points)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


QueryRequest = Annotated[SimulationRequest, Depends(_query_request)]


def _report_request(
    req: QueryRequest,
    band: Annotated[int | None, Query(ge=2, le=MAX_WEB_BAND, description=(
        "also the 5-95 % band at the end over this many runs drawing the fitted parameters "
        "and assumed exosome magnitudes"))]
    = None,
    seed: Annotated[int, Query(ge=0, description="seed of the band's draws")] = 0,
) -> SimulationRequest:
    return req.model_copy(update={"band": band, "seed": seed})


ReportRequest = Annotated[SimulationRequest, Depends(_report_request)]


@router.post("/simulate", summary="Run a scenario with interventions against its control",
             responses=_SIM_ERRORS)
async def simulate(request: Request, body: SimulationRequest) -> dict[str, Any]:
    """Simulate (as `exobone simulate --json --compare`): time courses of BV/TV, cells and
    markers for the treated arm and, with `compare`, the untreated control, plus provenance.

    Bounded: `days` ≤ 3650, ≤ 10 interventions, ≤ 1000 points, and a time limit (504)."""

    state = get_state(request)
    result = await _run(state, body)
    data = result.to_dict()
    data["parameter_sources"] = parameter_sources(result.treated.model)
    data["site"] = result.treated.model.metadata["site"]
    if body.band is not None:
        key = ("band", *body.key(), body.band, body.seed)
        band = state.cached(key)
        if band is None:
            band = await state.run_bounded(
                workers.band_task, scenario=body.scenario, interventions=body.interventions,
                species=result.species, site=result.treated.model.metadata["site"],
                days=body.days, times=[float(t) for t in result.times],
                n=body.band, seed=body.seed, outcomes=list(result.treated.outcomes))
            state.remember(key, band)
        data["band"] = band
    data["units"] = {k: OUTCOMES[k].unit for k in result.treated.outcomes if k in OUTCOMES}
    data["descriptions"] = {k: OUTCOMES[k].description for k in result.treated.outcomes
                            if k in OUTCOMES}
    data["groups"] = {k: OUTCOMES[k].group for k in result.treated.outcomes if k in OUTCOMES}
    return data


def result_csv(result: ScenarioResult) -> str:
    """Tidy CSV of a result: one row per arm and day, one column per outcome."""
    out = io.StringIO()
    names = list(result.treated.outcomes)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["arm", "interventions", "day", *names])
    arms = [("treated", result.treated)]
    if result.control is not None:
        arms.append(("control", result.control))
    for label, arm in arms:
        ivs = "; ".join(arm.interventions)
        for i, t in enumerate(result.times):
            writer.writerow([label, ivs, f"{t:g}", *(f"{arm.outcomes[n][i]:.6g}" for n in names)])
    return out.getvalue()


def _netcdf(result: ScenarioResult) -> bytes:
    """NetCDF of both arms: :func:`exobone.interop.results.to_dataset` per arm, stacked on ``arm``.

    Each arm's provenance is kept in the attributes ``treated_*`` and ``control_*``. Answers 501
    naming the interop extra when it (xarray, h5netcdf) is not installed.
    """

    pd = require_extra("pandas", "interop")  # a missing extra answers 501 (app._status_of)
    xr = require_extra("xarray", "interop")
    arms = [("treated", result.treated)]
    if result.control is not None:
        arms.append(("control", result.control))
    sets = [to_dataset(arm.trajectory) for _, arm in arms]
    ds = xr.concat(sets, dim=pd.Index([name for name, _ in arms], name="arm"), join="outer",
                   combine_attrs="drop")
    for (name, arm), one in zip(arms, sets, strict=True):
        ds.attrs.update({f"{name}_{k}": v for k, v in one.attrs.items()})
        ds.attrs[f"{name}_interventions"] = json.dumps(list(arm.interventions))
    ds.attrs.update({"scenario": result.scenario, "species": result.species})
    return bytes(ds.to_netcdf(engine="h5netcdf"))


def _filename(req: SimulationRequest, suffix: str) -> str:
    import re

    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", req.scenario)[:40]
    return f"exobone-{stem}{suffix}"


@router.get("/simulate/download", summary="Download a simulation result",
            responses={**_SIM_ERRORS, 200: {"content": {"text/csv": {},
                                                        "application/x-netcdf": {}}}})
async def download_result(
    request: Request, req: QueryRequest,
    format: Annotated[str, Query(pattern="^(csv|netcdf)$",
                                 description="csv or netcdf")] = "csv",
) -> Response:
    """The treated and control time courses as CSV or NetCDF (same parameters as /simulate)."""
    req = req.model_copy(update={"compare": True})
    result = await _run(get_state(request), req)
    if format == "csv":
        return Response(result_csv(result), media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{_filename(req, ".csv")}"'})
    return Response(_netcdf(result), media_type="application/x-netcdf", headers={
        "Content-Disposition": f'attachment; filename="{_filename(req, ".nc")}"'})


@router.get("/model/sbml", summary="Download the model as SBML",
            responses={**_SIM_ERRORS, 200: {"content": {"application/sbml+xml": {}}}})
async def model_sbml(request: Request, req: QueryRequest) -> Response:
    """The compiled model of the scenario with its interventions, as SBML Level 3 annotated
    with the mechanism and citations behind each term (as `exobone export sbml`)."""
    state = get_state(request)
    _check_names(req)
    text = await state.run_bounded(workers.sbml_task, scenario=req.scenario,
                                   interventions=req.interventions, species=req.species,
                                   site=req.site)
    return Response(text, media_type="application/sbml+xml", headers={
        "Content-Disposition": f'attachment; filename="{_filename(req, ".sbml")}"'})


@router.get("/report", summary="Download a self-contained HTML report",
            responses={**_SIM_ERRORS, 200: {"content": {"text/html": {}}}})
async def report(request: Request, req: ReportRequest) -> Response:
    """The run as one HTML file with embedded figures, the outcome table, the mechanisms with
    their citations and the provenance (as `exobone report`)."""
    state = get_state(request)
    _check_names(req)
    html = await state.run_bounded(workers.report_task, scenario=req.scenario,
                                   interventions=req.interventions, species=req.species,
                                   site=req.site, days=req.days, points=req.points, band=req.band,
                                   seed=req.seed)
    return Response(html, media_type="text/html", headers={
        "Content-Disposition": f'attachment; filename="{_filename(req, "-report.html")}"'})


__all__ = ["result_csv", "router"]
