"""An imported SBML core extended with the exosome layer (Komarova 2003, BIOMD0000000148)."""

from __future__ import annotations

import numpy as np
import pytest
from shared_files import find_biomodels

from exobone.errors import UnknownNameError
from exobone.interop.extend import (
    KOMAROVA2003_CELLS,
    KOMAROVA2003_PROCESSES,
    KOMAROVA2003_REFERENCES,
    attach_exosome_layer,
)
from exobone.interop.sbml import import_sbml
from exobone.model.exosomes import LayerReport
from exobone.simulate import SaveAt, simulate

FILE = "BIOMD0000000148_Komarova2003_BoneRemodeling.xml"
GRID = np.linspace(0.0, 400.0, 41)


@pytest.fixture(scope="module")
def komarova():
    found = find_biomodels()
    if found is None:
        pytest.skip("BioModels SBML files not available; set EXOBONE_SHARED")
    return import_sbml(found / FILE, overrides={"flag_resorption": 1.0})


def extend(spec, interventions=()):
    return attach_exosome_layer(spec, KOMAROVA2003_CELLS, processes=KOMAROVA2003_PROCESSES,
                                references=KOMAROVA2003_REFERENCES,
                                interventions=list(interventions))


def test_layer_attaches_to_imported_core(komarova):
    ext = extend(komarova)
    report = LayerReport.from_dict(ext.metadata["exosome_layer_report"])
    assert report.compiled  # atlas mechanisms compiled onto the imported reactions
    assert {"exo_osteoclast", "exo_osteoblast"} <= set(ext.state_names)
    assert "m_bone_resorption" in ext.assignment_names
    rate = next(t.rate for t in ext.terms if t.name == "R5")
    assert "m_bone_resorption" in rate
    traj = simulate(ext, (0.0, 400.0), saveat=SaveAt(times=GRID))
    assert traj.ok and np.all(np.isfinite(traj["z"]))


def test_exosome_dosing_on_imported_core_changes_bone(komarova):
    base = simulate(extend(komarova), (0.0, 400.0), saveat=SaveAt(times=GRID))
    dosed = simulate(extend(komarova, ["exosome:bmsc,dose=100,start=10,every=7"]),
                     (0.0, 400.0), saveat=SaveAt(times=GRID))
    assert dosed["z"][-1] > base["z"][-1]  # BMSC exosomes are anabolic in the atlas


def test_bad_maps_are_named(komarova):
    with pytest.raises(UnknownNameError, match="did you mean 'x1'"):
        attach_exosome_layer(komarova, {"x11": "osteoclast"})
    with pytest.raises(UnknownNameError, match="R9"):
        attach_exosome_layer(komarova, KOMAROVA2003_CELLS, processes={"R9": "oc_apoptosis"})
