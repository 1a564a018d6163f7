"""``exobone.plotting``: labelled figures, saved whole or not at all; a bad path is one line."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from exobone.errors import InvalidInputError
from exobone.plotting import keep_flat_lines_flat, plot_dose_response, save_figure


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
    assert lo < 5.0 < 17.6 < hi and hi < 19.0  # a moving course keeps its autoscale


def test_dose_response_has_labelled_axes_and_the_untreated_reference() -> None:
    fig = plot_dose_response(np.array([1.0, 10.0, 100.0]), np.array([10.0, 12.0, 15.0]), 9.0,
                             label="bmsc", ylabel="bv_tv at day 180")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "dose per administration (µg)"
    assert ax.get_ylabel() == "bv_tv at day 180"
    assert "no exosomes" in [t.get_text() for t in ax.get_legend().get_texts()]
