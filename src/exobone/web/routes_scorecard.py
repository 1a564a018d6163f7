"""Scorecard route: every curated experiment with the model's agreement and its citation.

A thin shell over :func:`exobone.analysis.scorecard.run_scorecard` (the API behind
`exobone validate`; the JSON carries its encoded and held-out predictions, readouts and
statuses unchanged). The full scorecard takes minutes, so it runs once in a background
thread and the answer says `running` until it is `done`; a few experiments can be scored
synchronously with `experiment=`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from exobone.errors import InvalidInputError, unknown_name
from exobone.web import workers
from exobone.web.schemas import ErrorResponse
from exobone.web.state import get_state

router = APIRouter(prefix="/api", tags=["scorecard"],
                   responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})


def _rows(atlas: Any, results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    from exobone.atlas.query import display_name

    rows = []
    for x in atlas.experiments.values():
        if results and x.id not in results:
            continue
        c = x.citation
        rows.append({
            "id": x.id, "title": x.title, "citation": c.short(), "doi": c.doi, "pmid": c.pmid,
            "system": x.system.value, "intervention_kind": x.intervention.kind.value,
            "contexts": [display_name(atlas, k) for k in x.contexts],
            "result": results.get(x.id),
        })
    return rows


@router.get("/scorecard", summary="Model predictions against every curated experiment")
async def scorecard(
    request: Request,
    experiment: Annotated[list[str] | None, Query(
        description="score only these experiment ids, synchronously (at most 5)")] = None,
    start: Annotated[bool, Query(description="start the full run if it has not started")] = True,
) -> dict[str, Any]:
    """Every curated experiment with its citation and, once scored, the predicted and published
    direction of each outcome (as `exobone validate --json`).

    `status` is `idle`, `running`, `done` or `error`; poll until `done`."""
    state = get_state(request)
    atlas = state.model_atlas or state.atlas
    if experiment:
        limit = state.limits.scorecard_experiments
        if len(experiment) > limit:
            raise InvalidInputError(f"at most {limit} experiments per request, got "
                                    f"{len(experiment)}; leave out experiment= for all")
        for i in experiment:
            if i not in atlas.experiments:
                raise unknown_name("experiment", i, atlas.experiments)
        card = await state.run_bounded(workers.scorecard_task, experiments=experiment)
        results = {e["id"]: e for e in card["experiments"]}
        return {"status": "done", "error": None, "summary": card["summary"],
                "thresholds": card["thresholds"], "experiments": _rows(atlas, results)}
    job = state.scorecard
    if start:
        job.start()
    data = job.data if job.status == "done" else None
    results = {e["id"]: e for e in data["experiments"]} if data else {}
    return {"status": job.status, "error": job.error,
            "summary": data["summary"] if data else None,
            "thresholds": data["thresholds"] if data else None,
            "experiments": _rows(atlas, results)}


__all__ = ["router"]
