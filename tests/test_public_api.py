"""The public API re-exported by ``exobone``: every name imports, and it runs end to end."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import exobone


@pytest.mark.parametrize("name", exobone.__all__)
def test_every_public_name_imports(name: str) -> None:
    value = getattr(exobone, name)
    assert value is not None
    if name != "__version__":
        home = exobone._HOMES[name]
        assert value is getattr(importlib.import_module(home), name)


def test_all_lists_exactly_the_lazy_names() -> None:
    assert sorted(exobone.__all__) == sorted(["__version__", *exobone._HOMES])


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        exobone.nope  # noqa: B018


def test_import_exobone_stays_light() -> None:
    """The names load on first use: a bare import pulls neither SciPy nor matplotlib."""
    code = ("import sys, exobone; "
            "print(sorted(m for m in ('scipy', 'matplotlib', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_build_simulate_and_plot_ovx_for_30_days(tmp_path: Path) -> None:
    spec = exobone.build_model("ovx", exosome_layer=False)
    assert isinstance(spec, exobone.ModelSpec)
    res = exobone.run_scenario("ovx", ["denosumab,start=7"], days=30, points=31, compare=True,
                               exosome_layer=False)
    assert isinstance(res, exobone.ScenarioResult)
    traj = res.treated.trajectory
    assert isinstance(traj, exobone.Trajectory)
    assert isinstance(traj.provenance, exobone.Provenance)
    assert traj.times[-1] == 30 and len(res.times) == 31
    # OVX loses bone; denosumab from day 7 keeps more of it than the untreated control
    assert res.at("bv_tv", 30) > res.at("bv_tv", 30, control=True)
    assert res.at("bv_tv", 30, control=True) < res.at("bv_tv", 0, control=True)
    fig = exobone.plot_scenario(res, tmp_path / "ovx.png")
    assert (tmp_path / "ovx.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert "Trabecular bone volume fraction BV/TV" in titles  # in words; its unit on the axis
    assert "BV/TV (%)" in [ax.get_ylabel() for ax in fig.axes]
    shown = [ax for ax in fig.axes if ax.axison]
    assert len(shown) == len(titles)
    # the lowest panel of each column is labelled in days, with its tick labels shown
    lowest = {}
    for ax in shown:
        col = ax.get_subplotspec().colspan.start
        lowest[col] = max(lowest.get(col, ax), ax, key=lambda a: a.get_subplotspec().rowspan.start)
    for ax in lowest.values():
        assert ax.get_xlabel() == "time (days)"
        assert any(t.get_visible() and t.get_text() for t in ax.get_xticklabels())


def test_module_docstring_example_runs() -> None:
    failures, tried = doctest.testmod(exobone, verbose=False)
    assert tried >= 3 and failures == 0
