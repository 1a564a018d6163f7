"""A self-contained HTML report of one scenario run: time courses, outcomes, mechanisms, provenance.

:func:`build_report` runs the scenario with its interventions against the untreated control
(:func:`exobone.simulate.scenarios.run_scenario`) and collects what a reader needs to trust the
result: the outcome table, every atlas mechanism the compiled model uses with its citations
(marking those the interventions bring in), the literature behind the core's equations, and the
provenance of both runs. :func:`render_report` turns that into one HTML file whose figures are
embedded PNGs (:func:`exobone.plotting.plot_scenario`, base64), so it opens anywhere without a
network.
"""

from __future__ import annotations

import base64
import io
import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas
    from exobone.model.spec import ModelSpec
    from exobone.simulate.scenarios import ScenarioResult

__all__ = ["MechanismUse", "OutcomeRow", "Report", "build_report", "render_report"]

#: outcomes drawn in the figure, in order (defect fill only where there is a defect)
PLOTTED = ("bv_tv", "defect_fill", "osteoblasts", "osteoclasts", "bmsc", "preosteoblasts",
           "osteocytes", "adipocytes", "vessel_density", "ctx", "p1np", "alp")


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome at the start and end of the run, treated against control."""

    name: str
    unit: str
    description: str
    start: float
    treated: float
    control: float | None

    @property
    def change(self) -> float | None:
        """Relative change of treated against control at the end (``None`` without control)."""
        if self.control is None or self.control == 0 or not math.isfinite(self.control):
            return None
        return (self.treated - self.control) / abs(self.control)


@dataclass(frozen=True)
class MechanismUse:
    """An atlas mechanism the compiled model uses, with where it is used and its citations."""

    id: str
    summary: str
    direction: str
    used_in: tuple[str, ...]
    citations: tuple[str, ...]
    quote_en: str
    from_interventions: bool


@dataclass
class Report:
    """Everything the HTML report shows (also useful on its own, e.g. in a notebook)."""

    result: ScenarioResult
    title: str
    scenario_description: str
    scenario_sources: tuple[str, ...]
    outcomes: list[OutcomeRow]
    mechanisms: list[MechanismUse]
    core_references: list[str]
    provenance: dict[str, Any]
    command: str
    created: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    #: which parameters are fitted, cited or assumed (:func:`exobone.model.fitted.parameter_sources`)
    parameter_sources: dict[str, Any] = field(default_factory=dict)
    #: the 5-95 % band at the end of the run (:func:`exobone.analysis.calibrate.bands.prediction_band`)
    band: dict[str, Any] | None = None

    def band_at_end(self, name: str, arm: str = "treated") -> str:
        """``"low-high"`` of an outcome's band at the end of the run, or ``""``."""
        if self.band is None or name not in self.band[arm]:
            return ""
        q = self.band[arm][name]
        return f"{_num(q[0][-1])}–{_num(q[2][-1])}"


def _used_mechanisms(spec: ModelSpec) -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for kind, items in (("term", spec.terms), ("assignment", spec.assignments),
                        ("event", spec.events)):
        for item in items:
            for mech in item.mechanisms:
                used.setdefault(mech, []).append(f"{kind} {item.name}")
    return used


def _core_references(spec: ModelSpec) -> list[str]:
    refs: dict[str, None] = {}
    items: list[Any] = [*spec.terms, *spec.assignments]
    for item in items:
        for ref in item.citations:
            text = ref.short() if hasattr(ref, "short") else str(ref)
            if getattr(ref, "doi", None):
                text += f", doi:{ref.doi}"
            refs[text] = None
    for p in spec.parameters:
        source = getattr(p, "source", None)
        if source is not None and hasattr(source, "first_author") and hasattr(source, "short"):
            refs[source.short() + (f", doi:{source.doi}" if source.doi else "")] = None
    return sorted(refs)


def _mechanism_uses(atlas: Atlas, treated: ModelSpec, control: ModelSpec | None
                    ) -> list[MechanismUse]:
    from exobone.atlas.query import display_name

    used = _used_mechanisms(treated)
    in_control = set(_used_mechanisms(control)) if control is not None else set()
    out: list[MechanismUse] = []
    for mech_id in sorted(used):
        key = atlas.alias_of.get(mech_id, mech_id)
        m = atlas.mechanisms.get(key)
        if m is None:
            continue
        cargo = f" ({', '.join(m.cargo)})" if m.cargo else ""
        summary = (f"{display_name(atlas, m.source)}{cargo} → {display_name(atlas, m.target)}: "
                   f"{m.direction.value} {display_name(atlas, m.effect)}")
        cites = tuple(dict.fromkeys(
            ev.citation.short() + (f", doi:{ev.citation.doi}" if ev.citation.doi else "")
            + (f", PMID {ev.citation.pmid}" if ev.citation.pmid else "") for ev in m.evidence))
        out.append(MechanismUse(m.id, summary, m.direction.value, tuple(used[mech_id]), cites,
                                m.evidence[0].quote_en, mech_id not in in_control))
    return out


def _png_base64(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def build_report(scenario: str, interventions: Sequence[str] = (), *,
                 species: str | None = None, days: float = 365.0, points: int = 366,
                 atlas: Atlas | None = None, band: int | None = None, seed: int = 0,
                 site: str | None = None) -> Report:
    """Run ``scenario`` with ``interventions`` against its control and collect the report.

    Parameters
    ----------
    scenario, interventions, species, site, days, points
        As for :func:`exobone.simulate.scenarios.run_scenario`.
    atlas
        The atlas the model compiles from and the mechanisms are looked up in (default: the
        shipped curated data).
    band, seed
        With ``band``, also the 5-95 % band at the end of the run over ``band`` draws of the
        fitted parameters and assumed exosome magnitudes
        (:func:`exobone.analysis.calibrate.bands.prediction_band`).

    Returns
    -------
    Report

    Raises
    ------
    UnknownNameError, InvalidInputError, ModelError, SimulationError
        As :func:`~exobone.simulate.scenarios.run_scenario`.

    Examples
    --------
    >>> rep = build_report("ovx", ["denosumab,start=28"], days=60)  # doctest: +SKIP
    >>> rep.outcomes[0].name  # doctest: +SKIP
    'bv_tv'
    """
    from exobone.model.outcomes import OUTCOMES
    from exobone.model.scenarios import require_scenario
    from exobone.simulate.scenarios import run_scenario

    scen = require_scenario(scenario)
    result = run_scenario(scenario, list(interventions), species=species, site=site, days=days,
                          points=points, compare=True, atlas=atlas)
    if atlas is None:
        from exobone.atlas.curation import default_atlas

        atlas = default_atlas()
    rows = []
    for name, values in result.treated.outcomes.items():
        if name == "defect_fill" and all(abs(v - 1.0) < 1e-12 for v in values):
            continue
        o = OUTCOMES.get(name)
        control = result.control.outcomes[name] if result.control is not None else None
        rows.append(OutcomeRow(name, o.unit if o else "", o.description if o else "",
                               float(values[0]), float(values[-1]),
                               float(control[-1]) if control is not None else None))
    from exobone.model.fitted import parameter_sources

    where = str(result.treated.model.metadata["site"])  # the resolved site
    bands = None
    if band is not None:
        from exobone.analysis.calibrate.bands import prediction_band

        bands = prediction_band(scenario, list(interventions), species=result.species,
                                site=where, days=days, times=[float(days)], n=band, seed=seed,
                                outcomes=[r.name for r in rows])
    control_model = result.control.model if result.control is not None else None
    prov = result.treated.trajectory.provenance
    command = shlex.join(["exobone", "report", result.scenario,
                          *[x for iv in result.treated.interventions
                            for x in ("--intervention", iv)],
                          "--species", result.species, "--site", where, "--days", f"{days:g}",
                          *(["--band", str(band), "--seed", str(seed)] if band else []), "-o",
                          "report.html"])
    title = f"{result.scenario} ({result.species})"
    if result.treated.interventions:
        title += ": " + "; ".join(result.treated.interventions)
    return Report(
        result=result, title=title, scenario_description=scen.description,
        scenario_sources=tuple(scen.sources), outcomes=rows,
        mechanisms=_mechanism_uses(atlas, result.treated.model, control_model),
        core_references=_core_references(result.treated.model),
        provenance={
            "model": prov.model_name, "model hash": prov.model_hash,
            "structure hash": prov.structure_hash,
            "control model hash": (result.control.trajectory.provenance.model_hash
                                   if result.control is not None else "none"),
            "atlas version": prov.atlas_version or atlas.version,
            "solver": ", ".join(f"{k}={v}" for k, v in prov.solver.items()),
            "time span (days)": f"{prov.t_span[0]:g}–{prov.t_span[1]:g}",
            "versions": ", ".join(f"{k} {v}" for k, v in prov.versions.items()),
            "status": result.treated.trajectory.status.value,
            **({"band": f"{bands['n']} draws (seed {bands['seed']}) of the parameters "
                        f"{bands['drawn']}: {bands['method']}; ran: {bands['status']}"}
               if bands else {}),
        },
        command=command, parameter_sources=parameter_sources(result.treated.model), band=bands,
    )


def render_report(report: Report) -> str:
    """Return the report as one self-contained HTML document (figures embedded as PNG)."""
    import jinja2

    template_text = (resources.files("exobone.analysis") / "templates" / "report.html.j2"
                     ).read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _num
    env.filters["pct"] = lambda v: "–" if v is None else f"{v * 100:+.1f} %"
    from exobone.plotting import plot_scenario

    figure = _png_base64(plot_scenario(report.result, outcomes=PLOTTED, ncols=3, title=False))
    return env.from_string(template_text).render(r=report, figure=figure)


def _num(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    a = abs(value)
    return f"{value:.0f}" if a >= 100 else f"{value:.1f}" if a >= 10 else f"{value:.3f}"
