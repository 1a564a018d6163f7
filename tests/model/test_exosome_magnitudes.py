"""Outputs say which exosome magnitudes a dosed model rests on: fitted or assumed (issue 13)."""

from __future__ import annotations

import dataclasses

import pytest

from exobone.model.assemble import build_model
from exobone.model.exosomes.magnitudes import magnitude_basis
from exobone.model.fitted import load_fitted
from exobone.model.parameters import Assumed, Fitted, Reference
from exobone.simulate import SaveAt, simulate


def test_the_kirkham_scale_is_fitted_for_msc_doses_and_the_split_stays_assumed():
    model = build_model("ovx", ["exosome:bmsc,dose=100ug"], species="rat")
    scale = model.require_parameter("exo_emax_scale__msc")
    assert isinstance(scale.source, Fitted) and scale.source.datasets == ("MAG:0001",)
    low, high = scale.source.interval
    assert low < scale.value < high
    basis = magnitude_basis(model)
    assert basis.families == ("msc",)  # BMSC exosomes act through the MSC family's ceilings
    assert basis.calibrated == ("exo_emax_scale__msc",)
    # one effect size fits one number: the per-process ceilings keep their assumed values
    assert "exo_emax__msc__bone_formation" in basis.assumed
    assert model.require_parameter("exo_emax__msc__bone_formation").value == 0.5
    assert not basis.rests_on_assumptions and basis.assumed_families == ()
    assert "msc exosome ceilings scaled as fitted to Kirkham 2022" in basis.line()
    assert basis.to_dict()["fitted_families"]["msc"].startswith("Kirkham 2022")


def test_the_fitted_scale_reaches_every_msc_source_and_no_other_family():
    model = build_model("ovx", ["exosome:hipsc-msc,dose=100ug", "exosome:osteoclast,dose=10ug"],
                        species="rat")
    basis = magnitude_basis(model)
    assert set(basis.families) == {"msc", "osteoclast"}
    assert dict(basis.fitted_families).keys() == {"msc"}
    assert basis.assumed_families == ("osteoclast",) and basis.rests_on_assumptions
    scales = {p.name: p for p in model.parameters if p.name.startswith("exo_emax_scale__")}
    assert isinstance(scales["exo_emax_scale__msc"].source, Fitted)
    others = [p for n, p in scales.items() if n != "exo_emax_scale__msc"]
    assert others and all(isinstance(p.source, Assumed) and p.value == 1.0 for p in others)
    line = basis.line()
    assert line.startswith("magnitudes assumed: ") and "osteoclast exosome ceilings assumed" in line
    assert "msc exosome ceilings scaled as fitted to Kirkham 2022" in line


@pytest.mark.parametrize("species", ["rat", "mouse"])
def test_the_shipped_scale_reproduces_the_kirkham_difference(species):
    """At the write-back, one local 100 µg BMSC dose fills the calvarial defect 22.2 points more
    than no dose at day 56 (benchmarks/calibrate_kirkham2022.py, MAG:0001); the interval's ends
    give the printed CI (15.8-28.5)."""
    entry = next(v for v in load_fitted()
                 if v.parameter == "exo_emax_scale__msc" and v.species == species)
    model = build_model("calvarial-defect", ["exosome:bmsc,dose=100ug,route=local"],
                        species=species)
    assert model.require_parameter("exo_emax_scale__msc").value == entry.estimate

    def difference(scale: float) -> float:
        fill = [simulate(model, (0.0, 56.0), params={"dose_bmsc_ug": dose,
                                                     "exo_emax_scale__msc": scale},
                         saveat=SaveAt([0.0, 56.0]))["defect_fill"][-1] for dose in (100.0, 0.0)]
        return 100.0 * float(fill[0] - fill[1])

    assert difference(entry.estimate) == pytest.approx(22.2, abs=0.05)
    assert difference(entry.interval[0]) == pytest.approx(15.8, abs=0.05)
    assert difference(entry.interval[1]) == pytest.approx(28.5, abs=0.05)


def test_the_human_keeps_the_assumed_scale():
    assert not [v for v in load_fitted()
                if v.parameter.startswith("exo_emax_scale__") and v.species == "human"]


def test_a_family_whose_every_ceiling_is_cited_counts_as_fitted_and_no_dose_no_line():
    model = build_model("ovx", ["exosome:osteoclast,dose=10ug"], species="rat")
    ref = Reference("Kirkham", 2022, note="test: ceilings whose source is a reference")
    params = [dataclasses.replace(p, source=ref) if p.name.startswith("exo_emax__osteoclast__")
              else p for p in model.parameters]
    basis = magnitude_basis(dataclasses.replace(model, parameters=tuple(params)))
    assert "exo_emax__osteoclast__" in " ".join(basis.calibrated)
    assert basis.assumed == ("exo_emax_scale__osteoclast",)
    assert not basis.rests_on_assumptions and basis.line().startswith("magnitudes: ")
    assert magnitude_basis(build_model("ovx")).line() is None
