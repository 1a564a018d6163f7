"""Outputs say which exosome magnitudes a dosed model rests on: fitted or assumed (issue 13)."""

from __future__ import annotations

import dataclasses

from exobone.model.assemble import assemble_model, build_model
from exobone.model.exosomes.magnitudes import magnitude_basis
from exobone.model.parameters import Assumed, Fitted, Reference

KIRKHAM = Fitted("Kirkham 2022 meta-analysis by benchmarks/calibrate_kirkham2022.py",
                 ("MAG:0001",), (3.85, 6.62))


def _with_fitted_scale(model):
    params = [dataclasses.replace(p, value=5.27, source=KIRKHAM)
              if p.name == "exo_dose_emax_scale__msc" else p for p in model.parameters]
    return dataclasses.replace(model, parameters=tuple(params))


def test_a_dose_rests_on_its_family_s_assumed_ceilings_and_scale():
    model = build_model("ovx", ["exosome:bmsc,dose=100ug"], species="rat")
    basis = magnitude_basis(model)
    assert basis.families == ("msc",)  # BMSC exosomes act through the MSC family's ceilings
    assert "exo_emax__msc__bone_formation" in basis.assumed and basis.calibrated == ()
    assert "exo_dose_emax_scale__msc" in basis.assumed  # not written back (README-exosomes.md)
    scale = model.require_parameter("exo_dose_emax_scale__msc")
    assert scale.value == 1.0 and isinstance(scale.source, Assumed)
    assert basis.line().startswith("magnitudes assumed: msc exosome ceilings assumed")
    assert basis.to_dict()["rests_on_assumptions"] is True


def test_a_fitted_msc_scale_is_named_and_other_families_stay_assumed():
    model = _with_fitted_scale(build_model(
        "ovx", ["exosome:hipsc-msc,dose=100ug", "exosome:osteoclast,dose=10ug"], species="rat"))
    basis = magnitude_basis(model)
    assert set(basis.families) == {"msc", "osteoclast"}  # hiPSC-MSC exosomes are MSC-type
    assert dict(basis.fitted_families).keys() == {"msc"}
    assert basis.calibrated == ("exo_dose_emax_scale__msc",)
    # one effect size fits one number: the per-process ceilings keep their assumed values
    assert "exo_emax__msc__bone_formation" in basis.assumed
    assert basis.assumed_families == ("osteoclast",) and basis.rests_on_assumptions
    line = basis.line()
    assert line.startswith("magnitudes assumed: ") and "osteoclast exosome ceilings assumed" in line
    assert "msc exosome ceilings scaled as fitted to Kirkham 2022" in line
    assert "3.85-6.62" in basis.to_dict()["fitted_families"]["msc"]
    only_msc = _with_fitted_scale(build_model("ovx", ["exosome:bmsc,dose=100ug"], species="rat"))
    assert not magnitude_basis(only_msc).rests_on_assumptions
    assert magnitude_basis(only_msc).line().startswith("magnitudes: msc exosome ceilings scaled")


def test_the_dose_scale_multiplies_every_dosed_ceiling_of_its_family_only():
    b = assemble_model("ovx", ["exosome:bmsc,dose=100ug", "exosome:osteoclast,dose=10ug"],
                       species="rat")
    exprs = [f.expr for f in b.factors()]
    dosed = [e for e in exprs if "exo_dose_drive__msc__" in e]
    assert dosed and all("exo_dose_emax_scale__msc*exo_emax__msc__" in e for e in dosed)
    # the animal's own MSC-family exosomes respond with the unscaled ceiling
    own = [e for e in exprs if "exo_drive__msc__" in e]
    assert own and all("exo_dose_emax_scale__" not in e for e in own)
    osteoclast = [e for e in exprs if "exo_dose_drive__osteoclast__" in e]
    assert osteoclast and all("exo_dose_emax_scale__msc" not in e for e in osteoclast)
    assert all("exo_dose_emax_scale__osteoclast*exo_emax__osteoclast__" in e
               for e in osteoclast)


def test_a_family_whose_every_ceiling_is_cited_counts_as_fitted_and_no_dose_no_line():
    model = build_model("ovx", ["exosome:osteoclast,dose=10ug"], species="rat")
    ref = Reference("Kirkham", 2022, note="test: ceilings whose source is a reference")
    params = [dataclasses.replace(p, source=ref) if p.name.startswith("exo_emax__osteoclast__")
              else p for p in model.parameters]
    basis = magnitude_basis(dataclasses.replace(model, parameters=tuple(params)))
    assert "exo_emax__osteoclast__" in " ".join(basis.calibrated)
    assert basis.assumed == ("exo_dose_emax_scale__osteoclast",)
    assert not basis.rests_on_assumptions and basis.line().startswith("magnitudes: ")
    assert magnitude_basis(build_model("ovx")).line() is None
