"""The scorecard's results: one row per experiment, its outcomes, and the summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ExperimentResult", "OutcomeResult", "Scorecard"]


@dataclass(frozen=True)
class OutcomeResult:
    """One published outcome against the model's prediction.

    ``predicted`` is ``increase``/``decrease``/``none``, or None when the measure has no model
    counterpart (then ``agree`` is None and ``note`` says why).
    """

    measure: str
    entity: str | None
    expected: str
    predicted: str | None
    agree: bool | None
    time_days: float
    relative_change: float | None = None
    readout: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"measure": self.measure, "entity": self.entity, "expected": self.expected,
                "predicted": self.predicted, "agree": self.agree, "time_days": self.time_days,
                "relative_change": self.relative_change, "readout": self.readout,
                "note": self.note}


@dataclass(frozen=True)
class ExperimentResult:
    """One experiment: how it was mapped, whether it ran, and its outcomes."""

    id: str
    citation: str
    representable: bool
    reason: str = ""
    status: str = "ok"
    scenario: str = ""
    species: str = ""
    treated: tuple[str, ...] = ()
    control: tuple[str, ...] = ()
    outcomes: tuple[OutcomeResult, ...] = ()

    @property
    def compared(self) -> list[OutcomeResult]:
        """Outcomes with a prediction and a signed expectation."""
        return [o for o in self.outcomes if o.agree is not None]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"id": self.id, "citation": self.citation, "representable": self.representable,
                "reason": self.reason, "status": self.status, "scenario": self.scenario,
                "species": self.species, "treated": list(self.treated),
                "control": list(self.control),
                "outcomes": [o.to_dict() for o in self.outcomes]}


@dataclass
class Scorecard:
    """All experiments with their results and the thresholds used."""

    experiments: list[ExperimentResult] = field(default_factory=list)
    thresholds: dict[str, Any] = field(default_factory=dict)
    atlas_version: str = ""

    @property
    def summary(self) -> dict[str, Any]:
        """``total``, ``representable``, ``agreement`` (share of compared outcomes) and counts."""
        rep = [e for e in self.experiments if e.representable and e.status == "ok"]
        compared = [o for e in rep for o in e.compared]
        agree = sum(1 for o in compared if o.agree)
        total = len(self.experiments)
        return {"total": total, "representable": len(rep),
                "representable_fraction": len(rep) / total if total else 0.0,
                "outcomes_compared": len(compared), "outcomes_agreeing": agree,
                "agreement": agree / len(compared) if compared else 0.0,
                "failed": sum(1 for e in self.experiments
                              if e.status not in ("ok", "not representable"))}

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``exobone validate --json``."""
        return {"summary": self.summary, "thresholds": dict(self.thresholds),
                "atlas_version": self.atlas_version,
                "experiments": [e.to_dict() for e in self.experiments]}
