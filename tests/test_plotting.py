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


def _optimization_result() -> OptimizationResult:
    every, start = np.array([1.0, 9.0, 17.0]), np.array([0.0, 28.0, 56.0])
    return OptimizationResult(
        Plan(100.0, 9.0, 0.0, 171.0), 15.0, 12.0, Readout("bv_tv", 180.0), {}, 1, 40,
        dose_curve=(np.geomspace(1, 500, 5), np.linspace(12, 15, 5)),
        schedule_surface=(every, start, np.arange(9.0).reshape(3, 3)),
        course=(_DAYS, _course(17.6, -2.0), _course(17.6, -6.0)))


def _optimization(_: pytest.MonkeyPatch) -> Figure:
    result = _optimization_result()
    return plotting.plot_optimization(  # titled as the CLI titles it
        result, model=build_model("ovx"),
        title=plotting.optimization_title("ovx", "bmsc", Readout("bv_tv", 180.0, "min-gain")))


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


def _atlas_graph():
    from exobone.atlas.curation import default_atlas
    from exobone.atlas.export._graph import mechanism_graph

    atlas = default_atlas()
    return mechanism_graph(atlas, list(atlas.mechanisms.values()))


def _network(_: pytest.MonkeyPatch) -> Figure:
    return plotting.plot_network(_atlas_graph())


FIGURES = {"plot_scenario": _scenario, "plot_cohort": _cohort,
           "plot_optimization": _optimization, "plot_dose_response": _dose_response,
           "plot_sensitivity": _sensitivity, "plot_calibration": _calibration,
           "plot_network": _network}


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


# --- the atlas network: readable at its default size ---------------------------------------

def _label_box(text, renderer) -> np.ndarray:
    """The four corners (display pixels) of a text as drawn: its unrotated extent turned about
    its anchor (``rotation_mode="anchor"``)."""
    angle = text.get_rotation()
    text.set_rotation(0)
    box = text.get_window_extent(renderer)
    text.set_rotation(angle)
    ax, ay = text.get_transform().transform(text.get_position())
    corners = np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])
    c, s_ = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    return (corners - [ax, ay]) @ np.array([[c, s_], [-s_, c]]) + [ax, ay]


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """Two convex quadrilaterals overlap unless an edge normal separates them (SAT)."""
    for poly in (a, b):
        for i in range(4):
            edge = poly[(i + 1) % 4] - poly[i]
            normal = np.array([-edge[1], edge[0]])
            pa, pb = a @ normal, b @ normal
            if pa.max() <= pb.min() or pb.max() <= pa.min():
                return False
    return True


def label_collisions(fig: Figure, gid: str = "node-label") -> list[tuple[str, str]]:
    """Pairs of labels (texts with ``gid``) whose drawn boxes overlap."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = [t for ax in fig.axes for t in ax.texts if t.get_gid() == gid]
    boxes = [_label_box(t, renderer) for t in texts]
    return [(texts[i].get_text(), texts[j].get_text())
            for i in range(len(texts)) for j in range(i + 1, len(texts))
            if _overlap(boxes[i], boxes[j])]


def test_the_network_labels_do_not_touch_at_default_size() -> None:
    fig = _network(None)  # type: ignore[arg-type]
    labels = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "node-label"]
    assert len(labels) == _atlas_graph().number_of_nodes() > 100
    assert label_collisions(fig) == []
    # readable at 100 %: no label smaller than 7 pt
    assert min(t.get_fontsize() for t in labels) >= 7


def test_the_label_check_finds_crowded_labels() -> None:
    """The checker itself: radial labels 1 degree apart on a small circle collide."""
    fig = Figure(figsize=(4, 4))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    for deg in (10, 11, 40):
        a = np.radians(deg)
        ax.text(np.cos(a), np.sin(a), f"label at {deg} degrees", rotation=deg,
                rotation_mode="anchor", va="center", gid="node-label")
    assert label_collisions(fig) == [("label at 10 degrees", "label at 11 degrees")]


def test_network_layout_sectors_bundles_and_crowding() -> None:
    from exobone.atlas.network_layout import SECTORS, layout_network

    graph = _atlas_graph()
    lay = layout_network(graph)
    # every node in a sector of its kind, sectors contiguous around the circle
    order = sorted(lay.angles, key=lambda k: -lay.angles[k])
    runs = [lay.sectors[k] for k in order]
    changes = sum(a != b for a, b in zip(runs, runs[1:] + runs[:1], strict=True))
    assert changes == len(set(runs)) and set(runs) <= set(SECTORS)
    assert lay.sectors["osteoclast"] == "target_cells" and lay.sectors["miR-214-3p"] == "mirnas"
    # bundled: an edge between sectors passes near the centre; straight (0) it would not
    u, v, key = next((u, v, k) for u, v, k in graph.edges(keys=True)
                     if lay.sectors[u] == "source_cells" and lay.sectors[v] == "target_cells")
    straight = layout_network(graph, bundling=0.0).paths[key]
    (x0, y0), (x1, y1) = lay.positions[u], lay.positions[v]
    chord = abs(x0 * y1 - x1 * y0) / np.hypot(x1 - x0, y1 - y0)  # its distance from the centre
    assert np.linalg.norm(lay.paths[key], axis=1).min() < 0.8 * chord
    assert np.linalg.norm(straight, axis=1).min() == pytest.approx(chord, abs=0.02)
    # crowding is measured: on a circle too small for the labels every neighbour pair touches
    assert lay.crowded_pairs(radius=300, line_height=10) == []
    assert len(lay.crowded_pairs(radius=30, line_height=10)) == graph.number_of_nodes()


def test_web_network_segments_reproduce_the_bundled_paths() -> None:
    """Cytoscape draws a segment point at source + w (target - source) + d n, n the normal to
    the right of source -> target: the weights and distances sent must give the path back."""
    from exobone.web.routes_atlas import _segments

    path = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 5.0], [4.0, 1.0], [6.0, -1.0], [7.0, 0.5],
                     [8.0, 0.0], [9.0, 0.2], [10.0, 0.0]])
    weights, distances = _segments((0.0, 0.0), (10.0, 0.0), path)
    d = np.array([10.0, 0.0])
    normal = np.array([-d[1], d[0]]) / np.linalg.norm(d)
    rebuilt = [w * d + dist * normal for w, dist in zip(weights, distances, strict=True)]
    assert np.allclose(rebuilt, path[2:-2:3], atol=0.01)


def test_sobol_bars_name_core_processes_in_words() -> None:
    """Core terms are tagged with core processes and ontology ids: the bars say what they are."""
    ones = np.array([0.5, 0.3])
    result = SensitivityResult("sobol", ("k1", "k2"), ones, ones / 10, ones, ones / 10,
                               {"core:osteoclast_lineage": 0.4, "GO:0006915": 0.3,
                                "MECH:0005": 0.2},
                               meta={"scenario": "ovx", "interventions": [], "outcome": "bv_tv",
                                     "day": 180.0})
    fig = plotting.plot_sensitivity(result)
    bars = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert bars[:2] == ["bone core: osteoclast lineage (core:osteoclast_lineage)",
                        "bone core: apoptosis (GO:0006915)"]
    assert bars[2].endswith("(MECH:0005)") and ":" in bars[2].removesuffix(" (MECH:0005)")


def test_dose_response_and_optimum_draw_the_healthy_bv_tv_of_the_models_species() -> None:
    """The CLI gives the model it ran: the healthy BV/TV is that species' (rat tibia 17.6 %)."""
    model = build_model("ovx")
    healthy = {
        "dose-response": plot_dose_response(np.geomspace(1, 1000, 5), np.linspace(5, 9, 5),
                                            4.9, label="bmsc", readout=Readout("bv_tv", 180.0),
                                            model=model).axes[0],
        "optimize": plotting.plot_optimization(_optimization_result(), model=model).axes[2],
    }
    for ax in healthy.values():
        lines = {ln.get_label(): ln.get_ydata()[0] for ln in ax.get_lines()}
        assert lines["healthy steady state"] == pytest.approx(17.6)


def test_a_gain_read_out_has_no_healthy_level() -> None:
    """min-gain is a difference from untreated: a healthy BV/TV of 17.6 % is not on its scale
    (the course under the best plan, a level, keeps it)."""
    model, gain = build_model("ovx"), Readout("bv_tv", 180.0, "min-gain")

    def labels(ax) -> set[str]:
        return {ln.get_label() for ln in ax.get_lines()}

    fig = plot_dose_response(np.geomspace(1, 1000, 5), np.linspace(0, 4, 5), 0.0, label="bmsc",
                             readout=gain, model=model)
    assert "healthy steady state" not in labels(fig.axes[0])
    result = _optimization_result()
    result = OptimizationResult(result.plan, 3.9, 0.0, gain, {}, 1, 40,
                                dose_curve=result.dose_curve, course=result.course)
    axes = plotting.plot_optimization(result, model=model).axes
    assert "healthy steady state" not in labels(axes[0])
    assert "healthy steady state" in labels(axes[2])
