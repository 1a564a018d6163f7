"""Published magnitudes against the model: the scorecard's magnitude figure.

No curated experiment of the atlas states a number (:mod:`exobone.analysis.scorecard.magnitude`
compares one when an outcome's note does); the published magnitudes are the records of
``data/calibration/exosome-magnitudes.yaml`` (each with its quote and address). A record is
compared when a contrast study (``data/calibration/contrasts/*.yaml``,
:mod:`exobone.analysis.calibrate.contrast`) says which model quantity it is: the model as
shipped (fitted values applied) runs both arms of every pooled species and its value is set
against the published 95 % CI. ``use: fit`` records were fitted (agreement there shows the fit
holds on the current model, not a prediction); ``use: validate`` records are held out: the
model never saw them. A record no contrast study maps is listed as ``no model quantity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from exobone.errors import InvalidInputError

__all__ = ["CALIBRATION_DIR", "MagnitudeCheck", "compare_magnitudes", "magnitude_figures"]

#: the published figures of a source checkout (data/ is not installed with the package)
CALIBRATION_DIR = Path(__file__).resolve().parents[4] / "data" / "calibration"
INSIDE, OUTSIDE, NO_QUANTITY = "inside CI", "outside CI", "no model quantity"


@dataclass(frozen=True)
class MagnitudeCheck:
    """One published magnitude and the model's value of the same quantity."""

    record: str
    outcome: str
    published: float
    ci95: tuple[float, float]
    unit: str
    citation: str
    use: str
    status: str
    model: float | None = None
    contrast: str = ""
    readout: str = ""

    @property
    def held_out(self) -> bool:
        return self.use == "validate"

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.record, "outcome": self.outcome, "published": self.published,
                "ci95": list(self.ci95), "unit": self.unit, "citation": self.citation,
                "use": self.use, "held_out": self.held_out, "status": self.status,
                "model": self.model, "contrast": self.contrast, "readout": self.readout}


def _citation(c: dict[str, Any]) -> str:
    return f"{c.get('first_author')} {c.get('year')}" + (f", PMID {c['pmid']}" if c.get("pmid")
                                                         else "")


def compare_magnitudes(calibration_dir: str | Path | None = None) -> list[MagnitudeCheck]:
    """Every record with an effect size, compared where a contrast study maps it.

    Raises
    ------
    InvalidInputError
        When the folder has no ``exosome-magnitudes.yaml`` (an installed package without the
        checkout's data/), or a contrast file is malformed.
    """
    from exobone.analysis.calibrate.contrast import ContrastModel, load_contrast

    root = Path(calibration_dir) if calibration_dir is not None else CALIBRATION_DIR
    mag = root / "exosome-magnitudes.yaml"
    if not mag.is_file():
        raise InvalidInputError(f"no {mag}: the published magnitudes are in a source checkout's "
                                f"data/calibration")
    records = [r for r in yaml.safe_load(mag.read_text(encoding="utf-8"))["records"]
               if r.get("effect") and r["effect"].get("value") is not None]
    studies = [load_contrast(p) for p in sorted((root / "contrasts").glob("*.yaml"))]
    values: dict[Path, tuple[float, str]] = {}
    out = []
    for r in records:
        eff = r["effect"]
        common = (str(r["id"]), str(r["outcome"]), float(eff["value"]),
                  (float(eff["ci95"][0]), float(eff["ci95"][1])), str(eff.get("unit", "")),
                  _citation(r["citation"]), str(r["use"]))
        study = next((s for s in studies if any(d.record == r["id"] for d in s.data)), None)
        if study is None:
            out.append(MagnitudeCheck(*common, NO_QUANTITY))
            continue
        if study.path not in values:  # the model as built: shipped and fitted values
            values[study.path] = (ContrastModel(study)(), study.readout_text())
        model, readout = values[study.path]
        low, high = common[3]
        out.append(MagnitudeCheck(*common, INSIDE if low <= model <= high else OUTSIDE, model,
                                  f"contrasts/{study.path.name}", readout))
    return out


def magnitude_figures(checks: list[MagnitudeCheck] | None) -> dict[str, Any] | None:
    """Counts of the summary: compared and inside the CI, fitted and held out apart."""
    if checks is None:
        return None

    def part(rows: list[MagnitudeCheck]) -> dict[str, int]:
        compared = [c for c in rows if c.status != NO_QUANTITY]
        return {"records": len(rows), "compared": len(compared),
                "inside_ci": sum(1 for c in compared if c.status == INSIDE)}

    return {**part(checks), "fitted": part([c for c in checks if not c.held_out]),
            "held_out": part([c for c in checks if c.held_out])}
