"""Results round trips: Trajectory -> NetCDF / CSV / Parquet -> Dataset equal to the one saved."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from exobone.errors import InvalidInputError
from exobone.interop.results import load_results, save_results, to_dataset, to_tidy
from exobone.model import Assumed, Event, ModelSpec, Parameter, State, Term
from exobone.simulate import SaveAt, simulate


@pytest.fixture(scope="module")
def traj():
    src = Assumed("toy")
    spec = ModelSpec(
        "toy",
        states=[State("x", 1.0, unit="pM")],
        parameters=[Parameter("k", 0.3, unit="1/day", source=src),
                    Parameter("infusion", 0.0, unit="pM/day", source=src)],
        assignments=[],
        terms=[Term("decay", "k*x", {"x": -1}), Term("feed", "infusion", {"x": 1})],
        events=[Event("on", {"infusion": "1"}, at_times=(2.0,))],
    )
    return simulate(spec, (0.0, 5.0), saveat=SaveAt(times=np.linspace(0, 5, 11)))


@pytest.mark.parametrize("suffix", [".nc", ".csv", ".parquet"])
def test_round_trip_gives_the_same_data_and_provenance(traj, tmp_path: Path, suffix: str):
    path = save_results(traj, tmp_path / f"run{suffix}")
    loaded = load_results(path)
    expected = to_dataset(traj)
    xr.testing.assert_identical(loaded, expected)
    prov = json.loads(loaded.attrs["provenance"])
    assert prov["model_hash"] == traj.provenance.model_hash
    assert prov["solver"]["method"] == "LSODA"
    assert json.loads(loaded.attrs["events"]) == [[2.0, "on"]]
    assert loaded["infusion"].attrs["kind"] == "parameter"


def test_tidy_table_shape(traj):
    df = to_tidy(traj)
    assert list(df.columns) == ["time", "variable", "kind", "value"]
    assert len(df) == 11 * len(traj.values)
    assert set(df["kind"]) == {"state", "parameter"}


def test_bad_paths(traj, tmp_path: Path):
    with pytest.raises(InvalidInputError, match="use one of .nc, .csv, .parquet"):
        save_results(traj, tmp_path / "run.xlsx")
    with pytest.raises(InvalidInputError, match="does not exist"):
        load_results(tmp_path / "nothing.nc")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InvalidInputError, match="missing"):
        load_results(bad)


def test_cli_sbml_run_save(tmp_path: Path):
    import libsbml

    from exobone.cli import main

    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    p = m.createParameter()
    p.setId("x")
    p.setValue(1.0)
    p.setConstant(False)
    rule = m.createRateRule()
    rule.setVariable("x")
    rule.setMath(libsbml.parseL3Formula("-0.5 * x"))
    path = tmp_path / "decay.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    out = tmp_path / "decay.nc"
    assert main(["sbml", "run", str(path), "--days", "2", "--points", "3",
                 "--save", str(out)]) == 0
    ds = load_results(out)
    np.testing.assert_allclose(ds["x"].values, np.exp(-0.5 * np.array([0.0, 1.0, 2.0])),
                               rtol=1e-6)


def test_cli_simulate_save(tmp_path: Path, capsys):
    from exobone.cli import main

    out = tmp_path / "ovx.parquet"
    assert main(["simulate", "ovx", "--days", "30", "--no-exosomes", "--json",
                 "--save", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    ds = load_results(out)
    np.testing.assert_allclose(ds["bv_tv"].values[-1], data["outcomes"]["bv_tv"][-1])
    assert json.loads(ds.attrs["provenance"])["model_name"] == "exobone-bone"


def test_without_the_interop_extra_saving_says_which_extra(traj, tmp_path, monkeypatch):
    """The README install has no pandas: `sbml run --save run.csv` must say so in one line."""
    import sys

    from exobone.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    with pytest.raises(MissingExtraError) as info:
        save_results(traj, tmp_path / "run.csv")
    assert str(info.value) == ("this needs the 'interop' extra (pandas is not installed): "
                               "pip install 'exobone[interop]'")
    assert not (tmp_path / "run.csv").exists()


@pytest.mark.parametrize("suffix", [".csv", ".nc", ".parquet"])
def test_an_unwritable_output_path_is_one_line(traj, tmp_path, suffix):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    for target in (tmp_path / "missing" / f"run{suffix}", blocker / f"run{suffix}"):
        with pytest.raises(InvalidInputError, match="cannot write the results to") as info:
            save_results(traj, target)
        assert "\n" not in str(info.value)


def test_a_full_disk_while_saving_is_one_line(traj, tmp_path, monkeypatch):
    import errno

    import pandas as pd

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(InvalidInputError) as info:
        save_results(traj, tmp_path / "run.csv")
    assert str(info.value) == f"cannot write results to {tmp_path / 'run.csv'}: No space left " \
                              f"on device"
