"""Joint fits of several PEtab problems: the same optimum as one problem holding all their
data, the union of their parameters with each problem reading its own, and a refusal (one line)
of what would make the sum differ from that."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_calibrate import TRUE, write_problem

from exobone.analysis.calibrate import calibrate, calibrate_joint, load_petab
from exobone.analysis.calibrate.objective import Objective
from exobone.errors import InvalidInputError


def _problem(folder: Path, **kw: int) -> Path:
    folder.mkdir(parents=True)
    return write_problem(folder, **kw)


def _split(path: Path, tmp: Path) -> tuple[Path, Path]:
    """Two copies of the problem at ``path``, each with every other measurement."""
    meas = pd.read_csv(path.parent / "measurements.tsv", sep="\t")
    out = []
    for half in (0, 1):
        folder = tmp / f"half{half}"
        shutil.copytree(path.parent, folder)
        meas.iloc[half::2].to_csv(folder / "measurements.tsv", sep="\t", index=False)
        out.append(folder / "problem.yaml")
    return out[0], out[1]


def _rename(path: Path, old: str, new: str) -> Path:
    """The problem at ``path`` with parameter ``old`` called ``new`` in model and table."""
    for name in ("model.xml", "parameters.tsv"):
        f = path.parent / name
        f.write_text(f.read_text().replace(old, new))
    return path


def test_split_data_fit_jointly_give_the_whole_problems_fit(tmp_path: Path):
    whole = _problem(tmp_path / "whole")
    a, b = _split(whole, tmp_path)
    one = calibrate(whole, starts=3, rng=5, ensemble=False)
    two = calibrate_joint([a, b], starts=3, rng=5, ensemble=False)
    assert two.problem is None and two.names == one.names and two.n_data == one.n_data == 20
    assert two.cost == pytest.approx(one.cost, rel=1e-7)
    assert two.llh == pytest.approx(one.llh, rel=1e-7)
    for name in TRUE:
        assert two.estimates[name] == pytest.approx(one.estimates[name], rel=1e-4)
        for x, y in zip(two.intervals[name], one.intervals[name], strict=True):
            assert x == pytest.approx(y, rel=1e-2)


def test_shared_and_own_parameters(tmp_path: Path):
    a = _problem(tmp_path / "a", seed=3)
    b = _rename(_problem(tmp_path / "b", seed=4), "k_supply", "k_supply_b")
    res = calibrate_joint([a, b], starts=3, rng=2, ensemble=False)
    assert res.names == ("k_loss", "k_supply", "k_supply_b")
    assert res.estimates["k_loss"] == pytest.approx(TRUE["k_loss"], rel=0.1)
    for name in ("k_supply", "k_supply_b"):
        assert res.estimates[name] == pytest.approx(TRUE["k_supply"], rel=0.15)
    # the joint objective is the sum of each problem's at its own parameters
    theta = np.asarray(res.theta)
    parts = [Objective(load_petab(a)), Objective(load_petab(b))]
    own = [theta[[0, 1]], theta[[0, 2]]]
    assert -res.llh == pytest.approx(sum(-o.log_likelihood(t) for o, t in zip(parts, own)))
    assert res.n_data == 40


def test_what_would_not_add_up_is_refused(tmp_path: Path):
    a = _problem(tmp_path / "a")
    with pytest.raises(InvalidInputError, match="at least two problems"):
        calibrate_joint([a])
    b = _problem(tmp_path / "b")
    with pytest.raises(InvalidInputError, match="not a bootstrap"):
        calibrate_joint([a, b], ci="bootstrap")
    par = pd.read_csv(b.parent / "parameters.tsv", sep="\t")
    par.loc[par["parameterId"] == "k_loss", "upperBound"] = 5.0
    par.to_csv(b.parent / "parameters.tsv", sep="\t", index=False)
    with pytest.raises(InvalidInputError, match="'k_loss' has a different scale or bounds"):
        calibrate_joint([a, b], starts=1, ci=None, ensemble=False)
    c = _problem(tmp_path / "c")
    par = pd.read_csv(c.parent / "parameters.tsv", sep="\t")
    par.loc[par["parameterId"] == "k_supply", "estimate"] = 0
    par.to_csv(c.parent / "parameters.tsv", sep="\t", index=False)
    with pytest.raises(InvalidInputError, match="fixes 'k_supply', which another problem "
                                                "estimates"):
        calibrate_joint([a, c], starts=1, ci=None, ensemble=False)
