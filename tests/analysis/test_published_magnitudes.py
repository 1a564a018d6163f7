"""The scorecard's magnitude figure: published effect sizes against the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from exobone.analysis.calibrate.contrast import ContrastModel, load_contrast
from exobone.analysis.scorecard import Scorecard, compare_magnitudes, run_scorecard
from exobone.cli.validate import _markdown
from exobone.errors import InvalidInputError

CAL = Path(__file__).resolve().parents[2] / "data" / "calibration"


def test_every_shipped_magnitude_is_compared_held_out_ones_marked():
    checks = {c.record: c for c in compare_magnitudes()}
    assert set(checks) == {"MAG:0001", "MAG:0002"}
    assert not checks["MAG:0001"].held_out and checks["MAG:0002"].held_out
    model = ContrastModel(load_contrast(CAL / "contrasts" / "kirkham2022.yaml"))()
    for c in checks.values():
        assert c.model == pytest.approx(model, rel=1e-12)
        assert c.status == ("inside CI" if c.ci95[0] <= model <= c.ci95[1] else "outside CI")
    figures = Scorecard(magnitudes=list(checks.values())).summary["magnitudes"]
    assert figures["held_out"]["compared"] == 1 and figures["fitted"]["compared"] == 1


def test_outside_the_ci_and_unmapped_records_are_reported(tmp_path):
    mags = yaml.safe_load((CAL / "exosome-magnitudes.yaml").read_text(encoding="utf-8"))
    recs = {r["id"]: r for r in mags["records"]}
    recs["MAG:0002"]["effect"].update(value=55.0, ci95=[50.0, 60.0])
    recs["MAG:0003"] = {**recs["MAG:0002"], "id": "MAG:0003", "outcome": "bmd"}
    (tmp_path / "exosome-magnitudes.yaml").write_text(
        yaml.safe_dump({"records": list(recs.values())}), encoding="utf-8")
    study = yaml.safe_load((CAL / "contrasts" / "kirkham2022.yaml").read_text(encoding="utf-8"))
    study["data"][1].update(value=55.0, ci95=[50.0, 60.0])
    (tmp_path / "contrasts").mkdir()
    (tmp_path / "contrasts" / "k.yaml").write_text(yaml.safe_dump(study), encoding="utf-8")
    checks = {c.record: c for c in compare_magnitudes(tmp_path)}
    assert checks["MAG:0001"].status == "inside CI"
    assert checks["MAG:0002"].status == "outside CI" and checks["MAG:0002"].model < 50
    assert checks["MAG:0003"].status == "no model quantity" and checks["MAG:0003"].model is None
    card = Scorecard(magnitudes=list(checks.values()))
    assert card.summary["magnitudes"] == {
        "records": 3, "compared": 2, "inside_ci": 1,
        "fitted": {"records": 1, "compared": 1, "inside_ci": 1},
        "held_out": {"records": 2, "compared": 1, "inside_ci": 0}}
    md = _markdown(card)
    assert "#### Published magnitudes" in md and "MAG:0002 (held out" in md
    assert "1/2 compared inside their 95 % CI (fitted 1/1, held out 0/1)" in md


def test_no_magnitudes_file_is_one_clear_error(tmp_path):
    with pytest.raises(InvalidInputError, match="exosome-magnitudes.yaml"):
        compare_magnitudes(tmp_path)


def test_magnitudes_by_default_only_for_the_whole_shipped_atlas_with_its_data(monkeypatch,
                                                                            tmp_path):
    from exobone.analysis.scorecard import runner

    assert runner.magnitudes_by_default(True, False)
    assert not runner.magnitudes_by_default(True, True)
    assert not runner.magnitudes_by_default(False, False)
    monkeypatch.setattr(runner, "CALIBRATION_DIR", tmp_path)  # an installed package
    assert not runner.magnitudes_by_default(True, False)


def test_a_selection_leaves_magnitudes_out_unless_asked():
    card = run_scorecard(experiments=["EXP:1025"], held_out=False)
    assert card.magnitudes is None and card.summary["magnitudes"] is None
    assert card.to_dict()["magnitudes"] is None
    card = run_scorecard(experiments=["EXP:1025"], held_out=False, magnitudes=True)
    assert [m["record"] for m in card.to_dict()["magnitudes"]] == ["MAG:0001", "MAG:0002"]
