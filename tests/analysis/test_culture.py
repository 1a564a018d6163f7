"""The culture context of in-vitro experiments: cells held, no systemic feedback (issue 13 5.4)."""

from __future__ import annotations

import numpy as np

from exobone.analysis.scorecard.culture import culture_model, held_states
from exobone.model.assemble import assemble_model
from exobone.simulate import SaveAt, simulate

DOSE = "exosome:bmsc,dose={},route=local,start=0,every=3,stop=28"


def _run(dose: float, culture: bool):  # type: ignore[no-untyped-def]
    builder = assemble_model("healthy", [DOSE.format(dose)])
    spec = builder.build()
    if culture:
        spec = culture_model(spec, builder.exosome_layer)
    return spec, simulate(spec, (0.0, 28.0), saveat=SaveAt(times=[0.0, 14.0, 28.0]))


def test_every_state_but_the_exosome_pools_is_held() -> None:
    builder = assemble_model("healthy", [DOSE.format(100)])
    held = held_states(builder.build(), builder.exosome_layer)
    assert {"osteoblasts", "osteoclasts", "bmsc", "bone_volume", "estrogen"} <= set(held)
    assert not any(s.startswith("exo_") for s in held)
    spec, traj = _run(100, culture=True)
    assert spec.metadata["context"] == "culture"
    for name in held:
        np.testing.assert_array_equal(traj[name], traj[name][0], err_msg=name)
    assert traj["exo_dose_bmsc"][-1] > 0  # the dose is in the medium


def test_the_dose_acts_on_the_cells_without_the_body() -> None:
    _, treated = _run(100, culture=True)
    _, control = _run(0, culture=True)
    assert treated["m_ob_maturation"][-1] > 1.5 * control["m_ob_maturation"][-1]
    # in the whole animal the same dose moves the cell populations (the systemic paths the
    # culture removes); in culture they stay where they were
    _, animal = _run(100, culture=False)
    assert abs(animal["osteoblasts"][-1] - animal["osteoblasts"][0]) > 1e-3
    assert treated["osteoblasts"][-1] == treated["osteoblasts"][0]
