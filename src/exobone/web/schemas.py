"""Request and response schemas of the JSON API (pydantic models shown in the OpenAPI description)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: bounds on one simulation request (a request is also bounded in time: see ``Limits``)
MAX_DAYS = 3650.0
MAX_INTERVENTIONS = 10
MAX_POINTS = 1000
MAX_INTERVENTION_CHARS = 200

#: one ``KIND[:ARG][,key=value...]`` text
InterventionText = Annotated[str, StringConstraints(max_length=MAX_INTERVENTION_CHARS)]


#: most members of a band the web runner draws (a band is a cohort: the CLI allows more)
MAX_WEB_BAND = 100


class SimulationRequest(BaseModel):
    """A scenario run with interventions, as ``exobone simulate`` takes it."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(min_length=1, max_length=64, examples=["ovx"],
                          description="scenario name (GET /api/scenarios)")
    interventions: list[InterventionText] = Field(
        default_factory=list, max_length=MAX_INTERVENTIONS,
        examples=[["exosome:bmsc,dose=100,start=28,every=7"]],
        description="KIND[:ARG][,key=value...] strings, applied in order (GET /api/interventions)")
    species: str | None = Field(default=None, max_length=16,
                                description="rat, mouse or human (default: the scenario's)")
    site: str | None = Field(default=None, max_length=32,
                             description="skeletal site with data for the species (GET "
                                         "/api/scenarios lists them; default: the species')")
    days: float = Field(default=365.0, gt=0, le=MAX_DAYS, description="length of the run")
    points: int = Field(default=366, ge=2, le=MAX_POINTS, description="saved time points")
    compare: bool = Field(default=True, description="also run the untreated control")
    exosome_layer: bool = Field(default=True, description="include the exosome layer")
    band: int | None = Field(default=None, ge=2, le=MAX_WEB_BAND,
                             description="also the 5-95 % band of this many runs drawing the "
                                         "fitted parameters from their confidence intervals "
                                         "and assumed exosome magnitudes from their priors")
    seed: int = Field(default=0, ge=0, description="seed of the band's draws")

    def key(self) -> tuple[Any, ...]:
        """Hashable identity used to cache results (the band is cached apart)."""
        return (self.scenario, tuple(self.interventions), self.species, self.site, self.days,
                self.points, self.compare, self.exosome_layer)


class ErrorResponse(BaseModel):
    """Every 4xx/5xx answer: one line saying what was wrong and what to do."""

    detail: str


class EvidenceOut(BaseModel):
    """One evidence item of a mechanism, as shown in the evidence panel."""

    quote: str
    quote_en: str
    language: str
    citation: str
    doi: str | None
    pmid: str | None
    year: int | None
    species: list[str]
    setting: str
    methods: list[str]
    read_in: str
    source_document: str
    conflict: str | None
    matched: bool = True


class MechanismOut(BaseModel):
    """A mechanism with display names and its evidence."""

    id: str
    kind: str
    source: str
    source_name: str
    #: what ``source`` is for this kind (source cell, context or regulator): a disease or a
    #: gene is not an exosome donor
    source_role: str
    vesicle: str | None
    cargo: list[str]
    target: str
    target_name: str
    effect: str
    effect_name: str
    direction: str
    pathways: list[str]
    contexts: list[str]
    molecular_targets: list[dict[str, str]]
    note: str | None
    matched: list[str] = []
    evidence: list[EvidenceOut]


class SearchOut(BaseModel):
    """Mechanisms matching the filters, with the filters echoed back."""

    filters: dict[str, str]
    count: int
    mechanisms: list[MechanismOut]


class ExperimentOut(BaseModel):
    """A curated experiment with its outcomes and citation."""

    id: str
    title: str
    intervention: str
    intervention_kind: str
    agent: str
    control: str
    contexts: list[str]
    system: str
    species: list[str]
    outcomes: list[dict[str, Any]]
    citation: str
    doi: str | None
    pmid: str | None
    quote: str
    quote_en: str
    read_in: str
    mechanisms: list[str]


class ExperimentSearchOut(BaseModel):
    """Experiments matching the filters."""

    filters: dict[str, str]
    count: int
    experiments: list[ExperimentOut]


class NetworkOut(BaseModel):
    """The signed network of the selection as Cytoscape.js elements."""

    filters: dict[str, str]
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


__all__ = [
    "MAX_DAYS",
    "MAX_INTERVENTIONS",
    "MAX_INTERVENTION_CHARS",
    "MAX_POINTS",
    "ErrorResponse",
    "EvidenceOut",
    "ExperimentOut",
    "ExperimentSearchOut",
    "MechanismOut",
    "NetworkOut",
    "SearchOut",
    "SimulationRequest",
]
