"""Every figure exobone draws: time courses, cohorts, dose plans, sensitivity, calibration, network.

Each ``plot_*`` function returns a :class:`matplotlib.figure.Figure` and, given ``path``, also
saves it there (PNG, or any format matplotlib knows from the suffix) with :func:`save_figure`.
Figures are made with ``Figure()`` rather than ``pyplot``, so drawing never changes the user's
matplotlib backend and no figure is left open in pyplot's registry. The analysis modules compute;
this module only draws.

What every figure shows (``tests/test_plotting.py`` walks them all): panel titles in words
(the outcome's description, not its variable name), each numeric axis labelled with its unit,
a legend wherever a panel has several lines (outside the panels where there are several), the
healthy reference where the outcome has one, and doses marked on the time axis.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from exobone.outputs import atomic_output

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from exobone.analysis.calibrate import CalibrationResult
    from exobone.analysis.cohorts import CohortResult
    from exobone.analysis.doses import OptimizationResult
    from exobone.analysis.readouts import Readout
    from exobone.analysis.sensitivity import SensitivityResult
    from exobone.simulate.scenarios import ScenarioResult

__all__ = ["NODE_COLORS", "SCENARIO_OUTCOMES", "optimization_title", "outcome_unit",
           "outcome_words", "plot_calibration", "plot_cohort", "plot_dose_response", "plot_network",
           "plot_optimization", "plot_scenario", "plot_sensitivity", "readout_label",
           "save_figure"]

#: outcomes :func:`plot_scenario` draws by default, in order (defect fill only with a defect)
SCENARIO_OUTCOMES = ("bv_tv", "defect_fill", "osteoblasts", "osteoclasts", "bmsc",
                     "vessel_density", "ctx", "p1np")

FloatArray = npt.NDArray[np.float64]


def _figure(**kwargs: Any) -> Figure:
    from matplotlib.figure import Figure

    # constrained layout places figure legends "outside" the panels and fits long labels
    return Figure(layout="constrained", **kwargs)


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 110) -> Path:
    """Write ``fig`` to ``path`` whole or not at all; return the path.

    Raises
    ------
    InvalidInputError
        One line naming the path when it cannot be written (missing folder, a file where a
        folder should be, read-only folder, disk full).
    """
    target = Path(path)
    with atomic_output(target, what="figure") as staged:
        fig.savefig(staged, dpi=dpi)
    return target


def _finish(fig: Figure, path: str | Path | None, *, dpi: int = 110) -> Figure:
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig


def _all_one(values: object) -> bool:
    """True if every value is 1 (an unused defect compartment)."""
    return bool(np.all(np.abs(np.asarray(values, dtype=float) - 1.0) < 1e-12))


#: unit of the outcomes given relative to the healthy steady state (1.0 = healthy)
_RELATIVE = "rel. to healthy"
_START = "rel. to start"  # clinical outcomes (BMD, CTX, P1NP): 1 = the run's start
_WORDS = {"bv_tv": "trabecular bone volume fraction BV/TV"}


def outcome_words(name: str) -> str:
    """The outcome in words for a title: its description without the remarks in brackets."""
    from exobone.model.outcomes import OUTCOMES

    if name in _WORDS:
        return _WORDS[name]
    if name not in OUTCOMES:
        return name.replace("_", " ")
    return OUTCOMES[name].description.split(" (")[0]


def _sentence(words: str) -> str:
    """``active osteoclasts`` -> ``Active osteoclasts`` (a title); ``serum CTX`` stays."""
    return words[:1].upper() + words[1:]


def outcome_unit(name: str) -> str:
    """The axis label of an outcome's value, with its unit."""
    from exobone.model.outcomes import OUTCOMES

    unit = OUTCOMES[name].unit if name in OUTCOMES else ""
    if name == "bv_tv":
        return "BV/TV (%)"
    if unit == _RELATIVE:
        return "level (relative to healthy = 1)"
    if unit == _START:
        return "level (relative to the start = 1)"
    if unit == "1":
        return "fraction (0-1)"
    return f"value ({unit})" if unit else "value (model units)"


def readout_label(readout: Readout) -> str:
    """E.g. ``mean BV/TV over days 152-180 (%)``: the read-out in words with its unit."""
    from exobone.model.outcomes import OUTCOMES

    name = readout.outcome
    words = "BV/TV" if name == "bv_tv" else outcome_words(name)
    unit = OUTCOMES[name].unit if name in OUTCOMES else ""
    unit = {_RELATIVE: "relative to healthy = 1", _START: "relative to the start = 1",
            "1": "fraction"}.get(unit, unit) or "model units"
    if readout.span == 0:
        return f"{words} at day {readout.day:g} ({unit})"
    if readout.kind == "auc":
        unit = f"{unit} x days"
    if readout.is_gain:  # min-gain: the smallest treated-minus-untreated difference
        return (f"smallest gain in {words} over untreated, days {readout.start:g}-"
                f"{readout.day:g} ({unit})")
    kind = {"mean": "mean", "trough": "lowest", "auc": "area under"}[readout.kind]
    return f"{kind} {words} over days {readout.start:g}-{readout.day:g} ({unit})"


def _healthy(name: str, species: str | None, site: str | None = None) -> float | None:
    """The outcome's healthy steady-state value, when the model defines one."""
    from exobone.model.outcomes import OUTCOMES
    from exobone.model.species import SPECIES_PHYSIOLOGY, require_site

    if name in OUTCOMES and OUTCOMES[name].unit in (_RELATIVE, _START):
        return 1.0  # healthy, or the start (pretreatment) for the clinical outcomes
    if name == "bv_tv" and species in SPECIES_PHYSIOLOGY:
        return require_site(species, site)[1].bv_tv  # the site's (default: the species' own)
    return None


def _species_site(model: Any) -> tuple[str | None, str | None]:
    """The species and site a built model was made for (its metadata), or Nones."""
    meta = getattr(model, "metadata", None) or {}
    return meta.get("species"), meta.get("site")


def _dose_days(model: Any) -> list[float]:
    """Days of the scheduled doses (exosome ``dose_*`` and drug ``*_dose_*`` events)."""
    return sorted({t for e in getattr(model, "events", ()) if re.search(r"(^|_)dose(_|$)", e.name)
                   for t in e.at_times})


def _mark_doses(ax: Axes, days: Sequence[float]) -> None:
    """Doses as red ticks along the bottom of the panel, so many doses hide no data."""
    if days:
        ax.plot(days, np.zeros(len(days)), "|", color="C3", ms=9, mew=1.4, label="dose",
                transform=ax.get_xaxis_transform(), clip_on=False)


def _figure_legend(fig: Figure, axes: Any) -> None:
    """One legend for all panels, outside them at the bottom: it covers no data."""
    seen: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    if seen:
        fig.legend(list(seen.values()), list(seen), loc="outside lower center",
                   ncols=min(4, len(seen)), fontsize=8, frameon=False)


def keep_flat_lines_flat(ax: Axes, courses: Sequence[object]) -> None:
    """Draw a course that does not move flat, not autoscaled into solver noise (~1e-9)."""
    values = np.concatenate([np.asarray(c, dtype=float).ravel() for c in courses])
    values = values[np.isfinite(values)]
    ax.ticklabel_format(axis="y", useOffset=False)
    if values.size == 0:
        return
    lo, hi = float(values.min()), float(values.max())
    mid = (lo + hi) / 2
    pad = max(0.05 * abs(mid), 1e-3)
    if hi - lo < 0.01 * pad:  # moves by less than 0.05% of its level: show it as flat
        ax.set_ylim(mid - pad, mid + pad)


def _label_time_axes(axes: Any, used: int, *, fontsize: int) -> None:
    """Hide unused panels; label the time axis under the lowest used panel of each column."""
    for ax in axes.flat[used:]:
        ax.axis("off")
    ncols = axes.shape[1]
    for col in range(min(ncols, used)):
        ax = axes.flat[col + ncols * ((used - 1 - col) // ncols)]
        ax.set_xlabel("time (days)", fontsize=fontsize)
        ax.xaxis.set_tick_params(labelbottom=True)


def _outcome_panel(ax: Axes, name: str, species: str | None) -> None:
    """Title in words, value axis with its unit, the healthy reference (dotted)."""
    ax.set_title(_sentence(outcome_words(name)), fontsize=9)
    ax.set_ylabel(outcome_unit(name), fontsize=8)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=8)
    healthy = _healthy(name, species)
    if healthy is not None:
        ax.axhline(healthy, color="0.55", ls=":", lw=1, label="healthy steady state")


def plot_scenario(result: ScenarioResult, path: str | Path | None = None, *,
                  outcomes: Sequence[str] = SCENARIO_OUTCOMES, ncols: int = 2,
                  title: bool = True) -> Figure:
    """Time courses of a scenario run, treated (solid) against the untreated control (dashed).

    Parameters
    ----------
    result
        From :func:`exobone.simulate.scenarios.run_scenario` (with ``compare=True`` for the
        control arm).
    path
        Also save the figure here.
    outcomes
        Outcomes to draw, one panel each (those the run lacks are left out).
    ncols
        Panels per row.
    title
        Put the scenario and species above the panels.
    """
    names = [n for n in outcomes if n in result.treated.outcomes
             and not (n == "defect_fill" and _all_one(result.treated.outcomes[n]))]
    nrows = max(1, math.ceil(len(names) / ncols))
    fig = _figure(figsize=(5 * ncols, 2.7 * nrows + 0.6))
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
    label = ", ".join(result.treated.interventions) or "no intervention"
    doses = [t for t in _dose_days(result.treated.model)
             if result.times[0] <= t <= result.times[-1]]
    for ax, name in zip(axes.flat, names, strict=False):
        ax.plot(result.times, result.treated.outcomes[name], color="C0", lw=1.6, label=label)
        courses = [result.treated.outcomes[name]]
        if result.control is not None:
            ax.plot(result.times, result.control.outcomes[name], color="0.4", ls="--", lw=1.4,
                    label="control (untreated)")
            courses.append(result.control.outcomes[name])
        _outcome_panel(ax, name, result.species)
        _mark_doses(ax, doses)
        keep_flat_lines_flat(ax, courses)
    _label_time_axes(axes, len(names), fontsize=8)
    _figure_legend(fig, axes.flat[:len(names)])
    if title:
        fig.suptitle(f"Scenario {result.scenario} ({result.species})", fontsize=11)
    return _finish(fig, path)


def plot_cohort(result: CohortResult, path: str | Path | None = None, *,
                species: str | None = None) -> Figure:
    """Median and 5-95 % bands of each outcome of a virtual cohort, treated against control."""
    names = list(result.bands)
    nrows = max(1, math.ceil(len(names) / 2))
    fig = _figure(figsize=(10, 2.7 * nrows + 0.6))
    axes = fig.subplots(nrows, 2, sharex=True, squeeze=False)
    label = ", ".join(result.interventions) or "no intervention"
    for ax, name in zip(axes.flat, names, strict=False):
        for bands, color, lab in ((result.control_bands, "0.4", "control"),
                                  (result.bands, "C0", label)):
            q = bands[name]
            ax.fill_between(result.times, q[0], q[2], color=color, alpha=0.25,
                            label=f"{lab}: 5-95 % of members")
            ax.plot(result.times, q[1], color=color, label=f"{lab}: median")
        _outcome_panel(ax, name, species)
        if result.readout is not None and result.readout.span > 0:
            ax.axvspan(result.readout.start, result.readout.day, color="C1", alpha=0.15,
                       label=f"read-out window ({result.readout.kind})")
    _label_time_axes(axes, len(names), fontsize=9)
    _figure_legend(fig, axes.flat[:len(names)])
    fig.suptitle(f"Virtual cohort: {result.scenario}, {result.n} members", fontsize=11)
    return _finish(fig, path)


def _schedule_heatmap(fig: Figure, ax: Axes, result: OptimizationResult, zlabel: str) -> None:
    """The interval x start surface as a grid of the evaluated plans only: one cell per plan,
    ticks at the evaluated values (no cell stretches over an interval the search never ran,
    such as 0 days, which is no schedule)."""
    assert result.schedule_surface is not None
    every, start, z = result.schedule_surface
    im = ax.pcolormesh(np.arange(start.size + 1) - 0.5, np.arange(every.size + 1) - 0.5, z)
    fig.colorbar(im, ax=ax, label=zlabel)
    ax.set_xticks(np.arange(start.size), [f"{s:g}" for s in start], fontsize=7)
    ax.set_yticks(np.arange(every.size), [f"{e:g}" for e in every], fontsize=7)
    best = (np.abs(start - result.plan.start).argmin(), np.abs(every - result.plan.every).argmin())
    ax.plot(*best, "r*", ms=12, label="best plan")
    ax.set_xlabel("first dose (day)")
    ax.set_ylabel("dosing interval (days)")
    ax.set_title(f"Schedule-response at {result.plan.dose:g} µg per dose", fontsize=9)


def optimization_title(scenario: str, source: str, readout: Readout) -> str:
    """``ovx: bmsc exosomes, best plan for the mean BV/TV over days 152-180 (%)``: the title
    of an optimisation figure in words (the read-out's, not its variable name)."""
    return f"{scenario}: {source} exosomes, best plan for the {readout_label(readout)}"


def plot_optimization(result: OptimizationResult, path: str | Path | None = None, *,
                      title: str = "", model: Any = None) -> Figure:
    """The objective's course under the best plan with the read-out window shaded and the doses
    marked, and the dose-response curve and interval x start surface around the best plan;
    given the ``model`` optimised, the healthy steady state of its species and site too."""
    fig = _figure(figsize=(15, 4.4))
    axes = fig.subplots(1, 3)
    ylabel = readout_label(result.readout)
    healthy = _healthy(result.objective, *_species_site(model))
    if result.course is not None:
        days, best, control = result.course
        ax = axes[2]
        ax.plot(days, control, color="0.5", ls="--", label="no exosomes")
        ax.plot(days, best, color="C0", label="best plan")
        r = result.readout
        if r.span > 0:
            ax.axvspan(r.start, r.day, color="C1", alpha=0.2, label=f"read-out window ({r.kind})")
        else:
            ax.axvline(r.day, color="C1", label="read-out day")
        _mark_doses(ax, [t for t in result.plan.times(r.day) if t < r.day])
        if healthy is not None:
            ax.axhline(healthy, color="0.55", ls=":", lw=1, label="healthy steady state")
        ax.set_xlabel("time (days)")
        ax.set_ylabel(outcome_unit(result.objective))
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
        ax.set_title(f"{_sentence(outcome_words(result.objective))} under the best plan",
                     fontsize=9)
    if result.dose_curve is not None:
        d, v = result.dose_curve
        ax = axes[0]
        ax.semilogx(d, v, "o-", ms=3, label="best schedule")
        ax.axhline(result.control_value, color="0.5", ls="--", label="no exosomes")
        if healthy is not None and not result.readout.is_gain:  # a gain has no healthy level
            ax.axhline(healthy, color="0.55", ls=":", lw=1, label="healthy steady state")
        ax.axvline(result.plan.dose, color="C3", ls=":", label="best dose")
        ax.set_xlabel("dose per administration (µg protein)")
        ax.set_ylabel(ylabel, fontsize=8)
        ax.legend(fontsize=7)
        ax.set_title(f"Dose-response (every {result.plan.every:g} d from day "
                     f"{result.plan.start:g}, for {result.plan.duration:g} d)", fontsize=9)
    if result.schedule_surface is not None:
        _schedule_heatmap(fig, axes[1], result, ylabel)
    fig.suptitle(title or f"Best exosome dosing plan for {outcome_words(result.objective)}",
                 fontsize=10)
    return _finish(fig, path)


def plot_dose_response(doses: FloatArray, values: FloatArray, control: float,
                       path: str | Path | None = None, *, label: str,
                       ylabel: str = "", readout: Readout | None = None,
                       healthy: float | None = None, model: Any = None) -> Figure:
    """One dose-response curve against the untreated value (dashed) and, when known, the
    healthy steady state (dotted; 1.0 for outcomes relative to healthy; for BV/TV that of the
    species and site of ``model``, the model the doses were run on).

    ``readout`` names the y axis in words with its unit (preferred to ``ylabel``).
    """
    fig = _figure(figsize=(6.5, 4.2))
    ax = fig.subplots()
    ax.semilogx(doses, values, "o-", ms=3, label=label)
    ax.axhline(control, color="0.5", ls="--", label="no exosomes")
    if healthy is None and readout is not None and not readout.is_gain:  # a gain: no level
        healthy = _healthy(readout.outcome, *_species_site(model))
    if healthy is not None:
        ax.axhline(healthy, color="0.55", ls=":", lw=1, label="healthy steady state")
    ax.set_xlabel("dose per administration (µg protein)")
    ax.set_ylabel(readout_label(readout) if readout is not None else ylabel or "read-out")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    what = outcome_words(readout.outcome) if readout is not None else "the read-out"
    ax.set_title(f"Dose-response of {what}", fontsize=10)
    return _finish(fig, path)


def _parameter_meanings(result: SensitivityResult) -> dict[str, str]:
    """``{parameter: its description}`` from the model the indices were computed on."""
    from exobone.model.assemble import build_model

    scenario = result.meta.get("scenario")
    if not scenario:
        return {}
    model = build_model(scenario, list(result.meta.get("interventions") or ()))
    return {p.name: p.description for p in model.parameters if p.description}


def _mechanism_words(mech_id: str) -> str:
    """``MECH:0005`` -> ``bone marrow MSC exosomes: increases ... of osteoblast (MECH:0005)``."""
    from exobone.atlas.curation import default_atlas

    atlas = default_atlas()
    if mech_id not in atlas.mechanisms and mech_id not in atlas.alias_of:
        # the bone core tags its terms with its own processes (core:wnt) and ontology terms
        # (GO:0006915): say what they are, not only their id
        if mech_id.startswith("core:"):
            return f"bone core: {mech_id.removeprefix('core:').replace('_', ' ')} ({mech_id})"
        term = next((e.name for e in atlas.entities.values() if e.id == mech_id), None)
        return f"bone core: {term} ({mech_id})" if term else mech_id
    m = atlas.mechanism(mech_id)

    def name(key: str) -> str:
        entity = atlas.entities.get(key)
        return entity.name if entity is not None else key

    verb = {"increase": "raises", "decrease": "lowers"}.get(m.direction.value, "changes")
    words = f"{name(m.source)}: {verb} {name(m.effect)} of {name(m.target)}"
    return f"{textwrap.shorten(words, 60, placeholder='...')} ({mech_id})"


def plot_sensitivity(result: SensitivityResult, path: str | Path | None = None, *,
                     top: int = 20) -> Figure:
    """Bar charts: the top parameters (S1 and ST, or mu* and sigma), named by what they mean,
    and the indices summed by atlas mechanism."""
    order = result.ranking()[:top]
    rows = max(len(order), min(top, len(result.mechanisms)))
    fig = _figure(figsize=(15, max(3.4, 0.32 * rows + 1.4)))
    ax1, ax2 = fig.subplots(1, 2)
    y = np.arange(len(order))
    meaning = _parameter_meanings(result)
    labels = [f"{textwrap.shorten(meaning[n], 60, placeholder='...')} ({n})" if n in meaning
              else n for n in (result.names[i] for i in order)]
    if result.method == "sobol":
        a, b = "first-order S1", "total ST"
        xlabel = "Sobol index (fraction of output variance)"
    else:
        a, b = "mu* (mean |effect|)", "sigma (spread of effect)"
        xlabel = "Morris index (normalised to sum 1)"
    ax1.barh(y - 0.2, result.first[order], 0.4, xerr=result.first_conf[order], label=a)
    ax1.barh(y + 0.2, result.total[order], 0.4,
             xerr=None if result.method == "morris" else result.total_conf[order], label=b)
    ax1.set_yticks(y, labels, fontsize=7)
    ax1.invert_yaxis()
    ax1.set_xlabel(xlabel)
    ax1.set_ylabel("parameter (meaning and model name)")
    ax1.legend(fontsize=7, loc="lower right")
    ax1.set_title("Parameters", fontsize=9)
    mech = sorted(result.mechanisms.items(), key=lambda kv: -kv[1])[:top]
    ax2.barh(np.arange(len(mech)), [v for _, v in mech])
    ax2.set_yticks(np.arange(len(mech)), [_mechanism_words(k) for k, _ in mech], fontsize=7)
    ax2.invert_yaxis()
    ax2.set_xlabel("summed ST (fraction of output variance)" if result.method == "sobol"
                   else "summed mu* (normalised to sum 1)")
    ax2.set_ylabel("atlas mechanism or bone-core process")
    ax2.set_title("Summed by atlas mechanism or bone-core process", fontsize=9)
    outcome = result.meta.get("outcome")
    what = (f"{outcome_words(outcome)} at day {result.meta['day']:g}"
            if outcome and result.meta.get("day") is not None else "the outcome")
    method = "Sobol" if result.method == "sobol" else "Morris"
    fig.suptitle(f"{method} sensitivity of {what}"
                 + (f" ({result.meta['scenario']})" if result.meta.get("scenario") else ""),
                 fontsize=10)
    return _finish(fig, path)


def plot_calibration(result: CalibrationResult, path: str | Path | None = None) -> Figure:
    """Data (points with sigma bars) and the fitted trajectories, one panel per observable.

    Raises
    ------
    InvalidInputError
        If the result carries no problem (:func:`exobone.analysis.calibrate.fit_curves`).
    """
    from exobone.analysis.calibrate import fit_curves

    panels = fit_curves(result)
    problem = result.problem
    assert problem is not None  # fit_curves refused a result without one
    names = _observable_names(problem.observables)
    time_unit = str(problem.model.metadata.get("time_unit", "") or "model time units")
    fig = _figure(figsize=(5 * len(panels), 4.2))
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, (obs, curves) in zip(axes[0], panels.items(), strict=True):
        for c in curves:
            ax.plot(c["times"], c["fit"], label=f"fit, {c['condition']}")
            ax.errorbar(c["data_times"], c["data"], yerr=c["sigma"], fmt="o", ms=4,
                        label=f"data, {c['condition']}")
        ax.set_title(names.get(obs) or f"Observable {obs}", fontsize=9)
        ax.set_xlabel(f"time ({time_unit})")
        ax.set_ylabel("value (units of the measurement table)")
        ax.legend(fontsize=7)
    est = ", ".join(f"{n} = {result.estimates[n]:.3g} [{result.intervals[n][0]:.3g}, "
                    f"{result.intervals[n][1]:.3g}]" for n in result.names)
    fig.suptitle(f"Calibration of {problem.model.name}: fit against the data", fontsize=10)
    # the estimates name the user's parameter ids: a footnote under the panels, not a title
    # (supxlabel, so constrained layout keeps it clear of the time axis labels)
    fig.supxlabel(f"estimates [{result.level:.0%} interval]: {est}", fontsize=7)
    return _finish(fig, path, dpi=120)


def _observable_names(observables: Any) -> dict[str, str]:
    """PEtab's optional ``observableName`` per ``observableId`` (empty names left out)."""
    if observables is None or "observableName" not in getattr(observables, "columns", ()):
        return {}
    return {str(i): str(n) for i, n in zip(observables["observableId"],
                                           observables["observableName"], strict=True)
            if isinstance(n, str) and n.strip()}


#: node colours by entity type (as in the web atlas) and edge colours by sign
NODE_COLORS = {"cell": "#4c78a8", "cell_line": "#4c78a8", "tissue": "#72b7b2", "mirna": "#f58518",
               "gene": "#54a24b", "family": "#54a24b", "pathway": "#b279a2",
               "process": "#9d755d", "chemical": "#e45756", "vesicle": "#eeca3b"}
_NODE_KINDS = {"#4c78a8": "cell", "#72b7b2": "tissue", "#f58518": "miRNA",
               "#54a24b": "gene or protein", "#e45756": "drug or chemical",
               "#b279a2": "pathway", "#9d755d": "process", "#eeca3b": "vesicle",
               "#bab0ac": "disease, context or other"}
_EDGE_SIGNS = ((1, "#1a7f37", "increases (→)"), (-1, "#cf222e", "decreases (⊣)"),
               (0, "#8c959f", "carries in exosomes, mixed or no change"))


def plot_network(graph: Any, path: str | Path | None = None, *, title: str | None = None,
                 bundling: float = 0.85, fontsize: float = 7.5) -> Figure:
    """The signed mechanism network on one circle by kind with bundled edges
    (:func:`exobone.atlas.network_layout.layout_network`); labels read radially outwards and the
    circle is sized so that no two touch at ``fontsize``.

    ``graph`` is :func:`exobone.atlas.export._graph.mechanism_graph` of a selection.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    from exobone.atlas.network_layout import SECTORS, layout_network

    lay = layout_network(graph, bundling=bundling)
    line = 1.3 * fontsize / 72                         # inches between label baselines
    radius = max(2.6, line / max(lay.slot, 1e-9))      # circle radius in inches
    longest = max((len(t) for t in lay.labels.values()), default=1) * 0.55 * fontsize / 72
    side = 2 * (radius + longest + 0.25)
    legend_h, title_h = 0.9, 0.45
    fig = _figure_plain(figsize=(side, side + legend_h + title_h))
    ax = fig.add_axes((0, legend_h / (side + legend_h + title_h), 1,
                       side / (side + legend_h + title_h)))
    half = side / 2 / radius
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)
    ax.set_aspect("equal")
    ax.set_axis_off()
    for sign, color, _ in _EDGE_SIGNS:
        keys = [str(k) for *_, k, d in graph.edges(keys=True, data=True)
                if (d.get("sign") or 0) == sign]
        ax.add_collection(LineCollection([lay.paths[k] for k in keys], colors=color,
                                         linewidths=0.8, alpha=0.45, zorder=1))
        for k in keys:  # the head of each edge: an arrow, a bar for decreases, none unsigned
            p = lay.paths[k]
            if sign:
                ax.annotate("", xy=p[-1], xytext=p[-3], zorder=2, arrowprops={
                    "arrowstyle": "-|>" if sign > 0 else "-[, widthB=0.6, lengthB=0",
                    "color": color, "lw": 0.8, "shrinkA": 0, "shrinkB": 3,
                    "mutation_scale": 7})
    colors = [NODE_COLORS.get(d.get("type", ""), "#bab0ac") for _, d in graph.nodes(data=True)]
    xy = np.array([lay.positions[k] for k in graph.nodes])
    ax.scatter(xy[:, 0], xy[:, 1], s=22, c=colors, zorder=3, edgecolors="white", linewidths=0.5)
    pad = 0.05 / radius * 2.5                          # label starts 0.125 in past the node
    for key in graph.nodes:
        rot, ha = lay.label_rotation(key)
        a = lay.angles[key]
        ax.text((1 + pad) * math.cos(a), (1 + pad) * math.sin(a), lay.labels[key],
                rotation=rot, rotation_mode="anchor", ha=ha, va="center", fontsize=fontsize,
                gid="node-label", zorder=4)
    for sector, words in SECTORS.items():  # each sector's name inside the circle at its middle
        members = [lay.angles[k] for k, s in lay.sectors.items() if s == sector]
        if members:
            a = math.atan2(np.mean(np.sin(members)), np.mean(np.cos(members)))
            ax.text(0.74 * math.cos(a), 0.74 * math.sin(a), words, ha="center", va="center",
                    fontsize=fontsize + 0.5, style="italic", color="#555555", zorder=5,
                    rotation=math.degrees(a) - 90 if math.sin(a) > 0 else math.degrees(a) + 90,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                          "alpha": 0.8})
    used = dict.fromkeys(colors)
    handles = [Line2D([], [], color=c, lw=1.5, label=w) for _, c, w in _EDGE_SIGNS]
    handles += [Line2D([], [], ls="", marker="o", color=c, label=_NODE_KINDS[c]) for c in used]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=fontsize + 0.5,
               frameon=False, title="edges (bundled through each kind's hub) and nodes",
               title_fontsize=fontsize + 0.5)
    fig.suptitle(title or f"Atlas mechanism network: {graph.number_of_nodes()} entities, "
                          f"{graph.number_of_edges()} signed links", fontsize=10, y=0.995)
    return _finish(fig, path)


def _figure_plain(**kwargs: Any) -> Figure:
    """A figure whose axes are placed by hand (the network's circle fills it)."""
    from matplotlib.figure import Figure

    return Figure(**kwargs)
