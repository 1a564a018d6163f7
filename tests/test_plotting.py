"""``exobone.plotting``: labelled figures, saved whole or not at all; a bad path is one line."""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

import exobone.analysis.calibrate as calibrate_module
from exobone import plotting
from exobone.analysis.calibrate import CalibrationResult
from exobone.analysis.cohorts import CohortResult
from exobone.analysis.doses import OptimizationResult, Plan
from exobone.analysis.readouts import Readout
from exobone.analysis.sensitivity import SensitivityResult
from exobone.errors import InvalidInputError
from exobone.model.assemble import build_model
from exobone.plotting import keep_flat_lines_flat, plot_dose_response, save_figure
from exobone.simulate.scenarios import Arm, ScenarioResult


def _figure() -> Figure:
    fig = Figure()
    fig.subplots().plot([0, 1], [0, 1])
    return fig


def test_save_figure_writes_a_png_and_nothing_else(tmp_path: Path) -> None:
    out = save_figure(_figure(), tmp_path / "a.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]  # no staging left behind


def _read_only(tmp_path: Path) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    return folder / "a.png"


@pytest.mark.parametrize("make, message", [
    (lambda t: t / "missing" / "a.png", "does not exist"),
    (lambda t: (t / "file.txt").write_text("x") and t / "file.txt" / "a.png", "is a file"),
    (lambda t: t, "it is a folder"),
    (_read_only, "is not writable"),
])
def test_save_figure_bad_path_is_one_line(tmp_path: Path, make, message: str) -> None:
    target = make(tmp_path)
    if message == "is not writable" and os.geteuid() == 0:
        pytest.skip("root writes to read-only folders")
    with pytest.raises(InvalidInputError) as err:
        save_figure(_figure(), target)
    text = str(err.value)
    assert message in text and str(target) in text and "\n" not in text


def test_a_failed_save_keeps_the_old_file(tmp_path: Path) -> None:
    old = tmp_path / "a.png"
    old.write_bytes(b"old figure")
    fig = _figure()
    fig.savefig = lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left on device"))
    with pytest.raises(InvalidInputError, match="No space left on device"):
        save_figure(fig, old)
    assert old.read_bytes() == b"old figure"
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_an_unmoving_course_is_drawn_flat_not_as_solver_noise() -> None:
    """fracture's systemic BV/TV varies by ~1e-9 %: autoscaling would draw noise as swings."""
    flat = [17.6, 17.6 + 5e-9, 17.6 - 7e-9]
    moving = [17.6, 12.0, 5.0]
    ax1, ax2 = Figure().subplots(1, 2)
    for ax, course in ((ax1, flat), (ax2, moving)):
        ax.plot([0, 1, 2], course)
        keep_flat_lines_flat(ax, [course])
    lo, hi = ax1.get_ylim()
    assert lo < 17.0 and hi > 18.0          # a visible band around a flat line
    lo, hi = ax2.get_ylim()
    assert lo < 5.0 and 17.6 < hi < 19.0  # a moving course keeps its autoscale


def test_dose_response_has_labelled_axes_and_the_untreated_reference() -> None:
    from exobone.analysis.readouts import Readout

    fig = plot_dose_response(np.array([1.0, 10.0, 100.0]), np.array([10.0, 12.0, 15.0]), 9.0,
                             label="bmsc", readout=Readout("osteoclasts", 180.0))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "dose per administration (µg protein)"
    assert ax.get_ylabel() == ("mean active osteoclasts over days 152-180 "
                               "(relative to healthy = 1)")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "no exosomes" in legend and "healthy steady state" in legend


# --- every figure the package draws, checked the way a reader would look at it -------------

_DAYS = np.linspace(0.0, 180.0, 19)
_UNIT = re.compile(r"\([^()]*\S[^()]*\)\s*$")     # "... (unit)" at the end of the label
_IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")  # bv_tv, vessel_density, ...
_NUMBER = re.compile(r"^[−\-+]?[\d.,]+(e[−\-+]?\d+)?%?$|^\$.*\$$|^$")


def _course(level: float, slope: float) -> np.ndarray:
    return level + slope * _DAYS / 180


def _scenario(_: pytest.MonkeyPatch) -> Figure:
    model = build_model("ovx", ["exosome:bmsc,dose=100,every=30,start=10"])
    outcomes = {n: _course(1.0, 0.3) for n in plotting.SCENARIO_OUTCOMES}
    outcomes["bv_tv"] = _course(17.6, -5.0)
    control = {n: _course(1.0, -0.2) for n in plotting.SCENARIO_OUTCOMES}
    control["bv_tv"] = _course(17.6, -8.0)
    treated = Arm(("exosome:bmsc,dose=100,every=30,start=10",), outcomes, None, model)  # type: ignore[arg-type]
    untreated = Arm((), control, None, model)  # type: ignore[arg-type]
    return plotting.plot_scenario(ScenarioResult("ovx", "rat", _DAYS, treated, untreated))


def _cohort(_: pytest.MonkeyPatch) -> Figure:
    band = np.vstack([_course(0.9, 0.1), _course(1.0, 0.2), _course(1.1, 0.3)])
    bands = {"bv_tv": band * 17.6, "osteoclasts": band}
    result = CohortResult("ovx", ("denosumab,start=28",), _DAYS, 8, 1, bands, bands, bands, {},
                          readout=Readout("bv_tv", 180.0))
    return plotting.plot_cohort(result)


def _optimization(_: pytest.MonkeyPatch) -> Figure:
    every, start = np.array([1.0, 9.0, 17.0]), np.array([0.0, 28.0, 56.0])
    result = OptimizationResult(
        Plan(100.0, 9.0, 0.0, 171.0), 15.0, 12.0, Readout("bv_tv", 180.0), {}, 1, 40,
        dose_curve=(np.geomspace(1, 500, 5), np.linspace(12, 15, 5)),
        schedule_surface=(every, start, np.arange(9.0).reshape(3, 3)),
        course=(_DAYS, _course(17.6, -2.0), _course(17.6, -6.0)))
    return plotting.plot_optimization(result)


def _dose_response(_: pytest.MonkeyPatch) -> Figure:
    return plotting.plot_dose_response(np.geomspace(1, 1000, 5), np.linspace(12, 15, 5), 12.0,
                                       label="bmsc every 7 d", readout=Readout("bv_tv", 180.0),
                                       healthy=17.6)


def _sensitivity(_: pytest.MonkeyPatch) -> Figure:
    names = ("d_B", "k1", "C_s")
    ones = np.array([0.5, 0.3, 0.1])
    result = SensitivityResult("sobol", names, ones, ones / 10, ones, ones / 10,
                               {"MECH:0005": 0.4, "no mechanism": 0.5},
                               meta={"scenario": "ovx", "interventions": [], "outcome": "bv_tv",
                                     "day": 180.0})
    return plotting.plot_sensitivity(result)


def _calibration(monkeypatch: pytest.MonkeyPatch) -> Figure:
    curve = {"condition": "ovx", "times": _DAYS, "fit": _course(1.0, 1.0), "data_times": _DAYS,
             "data": _course(1.0, 1.1), "sigma": np.full(_DAYS.size, 0.1)}
    monkeypatch.setattr(calibrate_module, "fit_curves", lambda result: {"obs_bv": [curve]})
    problem = SimpleNamespace(
        model=SimpleNamespace(name="toy decay model", metadata={"time_unit": "day"}),
        observables=pd.DataFrame({"observableId": ["obs_bv"],
                                  "observableName": ["bone volume fraction"]}))
    result = CalibrationResult(("k_decay",), ("log10",), {"k_decay": 0.2},
                               {"k_decay": (0.1, 0.3)}, 1.0, -1.0, 0.0, (1.0,), "profile", 0.95,
                               1, 19, problem)  # type: ignore[arg-type]
    return plotting.plot_calibration(result)


FIGURES = {"plot_scenario": _scenario, "plot_cohort": _cohort,
           "plot_optimization": _optimization, "plot_dose_response": _dose_response,
           "plot_sensitivity": _sensitivity, "plot_calibration": _calibration}


def test_every_figure_function_is_walked() -> None:
    """A new ``plot_*`` must be added to FIGURES, so it is checked like the others."""
    drawn = {n for n, f in inspect.getmembers(plotting, inspect.isfunction)
             if n.startswith("plot_") and f.__module__ == plotting.__name__}
    assert drawn == set(FIGURES)


def _shows_tick_labels(labels: list) -> bool:
    return any(t.get_visible() and t.get_text() for t in labels)


def _numeric(labels: list) -> bool:
    return all(_NUMBER.match(t.get_text().strip()) for t in labels if t.get_visible())


def figure_problems(fig: Figure) -> list[str]:
    """What a reader would miss: labels, units, legends, titles in words."""
    FigureCanvasAgg(fig).draw()
    problems: list[str] = []
    titles = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    legend_texts = {t.get_text() for leg in fig.legends for t in leg.get_texts()}
    for ax in fig.axes:
        if not ax.axison:
            continue
        colorbar = hasattr(ax, "_colorbar")
        where = f"panel {ax.get_title()!r}"
        if not colorbar:
            if not ax.get_title():
                problems.append(f"a panel has no title (y label {ax.get_ylabel()!r})")
            titles.append(ax.get_title())
        for axis, label, ticks in (("x", ax.get_xlabel(), ax.get_xticklabels()),
                                   ("y", ax.get_ylabel(), ax.get_yticklabels())):
            if not _shows_tick_labels(ticks):
                continue
            if not label:
                problems.append(f"{where}: the {axis} axis has no label")
            elif _numeric(ticks) and not _UNIT.search(label):
                problems.append(f"{where}: the {axis} label {label!r} has no (unit)")
        if colorbar:
            continue
        in_containers = {id(a) for c in ax.containers for a in c.get_children()}
        lines = [ln for ln in ax.get_lines() if id(ln) not in in_containers]
        lines += [c for c in ax.collections if isinstance(c, PolyCollection)]
        drawn = len(lines) + len(ax.containers)
        if drawn >= 2:
            legend = ax.get_legend()
            shown = legend_texts | ({t.get_text() for t in legend.get_texts()} if legend else set())
            for artist in [*lines, *ax.containers]:
                label = artist.get_label()
                if label == "_nolegend_":  # matplotlib's own helper (error bars)
                    continue
                if label.startswith("_") or label not in shown:
                    problems.append(f"{where}: {label!r} is not in a legend")
    for title in titles:
        if _IDENTIFIER.search(title):
            problems.append(f"title {title!r} names a variable, not its meaning")
    return problems


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_is_labelled_for_a_reader(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert figure_problems(FIGURES[name](monkeypatch)) == []


def test_the_figure_check_finds_an_unlabelled_figure() -> None:
    """The checker itself fails a figure with a variable-name title, no units, no legend."""
    fig = Figure()
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.plot([0, 1], [1, 0])
    ax.set_title("bv_tv")
    ax.set_xlabel("time")
    problems = figure_problems(fig)
    assert any("has no (unit)" in p for p in problems)
    assert any("y axis has no label" in p for p in problems)
    assert any("not in a legend" in p for p in problems)
    assert any("names a variable" in p for p in problems)


def test_scenario_marks_the_doses_and_the_healthy_state(monkeypatch: pytest.MonkeyPatch) -> None:
    fig = _scenario(monkeypatch)
    bv = next(ax for ax in fig.axes if ax.get_ylabel() == "BV/TV (%)")
    doses = next(ln for ln in bv.get_lines() if ln.get_label() == "dose")
    assert list(doses.get_xdata())[:3] == [10.0, 40.0, 70.0]
    healthy = next(ln for ln in bv.get_lines() if ln.get_label() == "healthy steady state")
    assert healthy.get_ydata()[0] == 17.6  # rat control BV/TV


def test_schedule_heatmap_has_no_cell_below_the_shortest_interval(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Cells are the evaluated plans only: the axis starts at the 1-day interval, not at 0."""
    fig = _optimization(monkeypatch)
    heat = next(ax for ax in fig.axes if ax.get_ylabel() == "dosing interval (days)")
    assert [t.get_text() for t in heat.get_yticklabels()] == ["1", "9", "17"]
