"""Outputs say when a dosed model rests on assumed exosome magnitudes (issue 13)."""

from __future__ import annotations

import dataclasses

from exobone.model.assemble import build_model
from exobone.model.exosomes.magnitudes import magnitude_basis
from exobone.model.parameters import Reference


def test_a_dose_rests_on_its_family_s_assumed_ceilings():
    model = build_model("ovx", ["exosome:bmsc,dose=100ug"])
    basis = magnitude_basis(model)
    assert basis.families == ("msc",)  # BMSC exosomes act through the MSC family's ceilings
    assert "exo_emax__msc__bone_formation" in basis.assumed and basis.calibrated == ()
    assert all(name.startswith("exo_emax__msc__") for name in basis.assumed)
    assert basis.line().startswith(f"magnitudes assumed: {len(basis.assumed)} of")
    assert basis.to_dict()["rests_on_assumptions"] is True


def test_a_calibrated_ceiling_is_named_and_no_dose_no_line():
    model = build_model("ovx", ["exosome:bmsc,dose=100ug"])
    ref = Reference("Kirkham", 2022, note="test: a ceiling whose source is a reference")
    params = [dataclasses.replace(p, source=ref) if p.name.startswith("exo_emax__msc__") else p
              for p in model.parameters]
    basis = magnitude_basis(dataclasses.replace(model, parameters=tuple(params)))
    assert basis.assumed == () and "exo_emax__msc__bone_formation" in basis.calibrated
    assert basis.line().endswith("are calibrated") and not basis.rests_on_assumptions
    assert magnitude_basis(build_model("ovx")).line() is None
