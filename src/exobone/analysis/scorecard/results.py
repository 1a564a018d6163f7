"""The scorecard's results: one row per experiment, its outcomes, its distinct readouts, the summary.

Statuses of an outcome (and of a readout)
-----------------------------------------
``agrees`` / ``disagrees``
    The model computed a relative change and its direction matches (or not) the published one.
``no data``
    The model has the quantity but no relative change could be computed (the control arm has
    none of it, e.g. a cargo absent without treatment): never counted as an agreement.
``no readout``
    The model has no counterpart for the measure (``note`` says why).
``not scored``
    The published direction is ``mixed``.
``failed``
    The simulation or the readout failed (``note`` says how).
``not representable``
    (held-out predictions) the model rebuilt without the study cannot represent the
    experiment at all, e.g. its exosome source exists only through that study's records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exobone.analysis.scorecard.culture import CULTURE
from exobone.analysis.scorecard.published import MagnitudeCheck, magnitude_figures

__all__ = [
    "AGREES",
    "DISAGREES",
    "FAILED",
    "NOT_REPRESENTABLE",
    "NOT_SCORED",
    "NO_DATA",
    "NO_READOUT",
    "ExperimentResult",
    "OutcomeResult",
    "Prediction",
    "ReadoutResult",
    "Scorecard",
]

AGREES = "agrees"
DISAGREES = "disagrees"
NO_DATA = "no data"
NO_READOUT = "no readout"
NOT_SCORED = "not scored"
FAILED = "failed"
NOT_REPRESENTABLE = "not representable"


@dataclass(frozen=True)
class Prediction:
    """What one model (encoded or held-out) predicts for an outcome."""

    status: str
    predicted: str | None = None
    relative_change: float | None = None

    @property
    def agree(self) -> bool | None:
        """True/False for a computed change compared with a signed expectation, else None."""
        return {AGREES: True, DISAGREES: False}.get(self.status)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"status": self.status, "predicted": self.predicted, "agree": self.agree,
                "relative_change": self.relative_change}


@dataclass(frozen=True)
class OutcomeResult:
    """One published outcome against the model's prediction.

    ``predicted`` is ``increase``/``decrease``/``none``, or None when the measure has no model
    counterpart (then ``agree`` is None and ``note`` says why). ``status`` is one of the module's
    statuses; ``agree`` is True/False only for ``agrees``/``disagrees``. ``held_out`` is the
    prediction of the model rebuilt without the study's records (None until scored).
    ``published_change`` is the relative change the experiment reports (None: not reported);
    ``magnitude_ratio`` is predicted / published relative change.
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
    status: str = ""
    held_out: Prediction | None = None
    published_change: float | None = None
    magnitude_ratio: float | None = None

    @property
    def quantity(self) -> str:
        """The model quantity read (sign dropped), or a per-outcome key when none is read."""
        if self.readout:
            return self.readout.removeprefix("-")
        return f"(no readout) {self.measure}" + (f" {self.entity}" if self.entity else "")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"measure": self.measure, "entity": self.entity, "expected": self.expected,
                "predicted": self.predicted, "agree": self.agree, "status": self.status,
                "time_days": self.time_days, "relative_change": self.relative_change,
                "readout": self.readout, "note": self.note,
                "held_out": self.held_out.to_dict() if self.held_out else None,
                "published_change": self.published_change,
                "magnitude_ratio": self.magnitude_ratio}


def _group_status(statuses: list[str]) -> str:
    """One status for a readout from its outcomes': all compared must agree."""
    compared = [s for s in statuses if s in (AGREES, DISAGREES)]
    if compared:
        return AGREES if all(s == AGREES for s in compared) else DISAGREES
    for s in (NO_DATA, FAILED, NOT_REPRESENTABLE, NOT_SCORED, NO_READOUT):
        if s in statuses:
            return s
    return statuses[0] if statuses else NO_READOUT


@dataclass(frozen=True)
class ReadoutResult:
    """A distinct model quantity read in one experiment, with the outcomes read from it.

    Outcomes that read the same quantity (e.g. ACP5, CTSK and fusion all read as one
    osteoclast process) count once: the readout agrees when every compared outcome does.
    """

    quantity: str
    outcomes: tuple[int, ...]
    status: str
    held_out_status: str | None

    @property
    def agree(self) -> bool | None:
        """True/False for a compared readout, else None."""
        return {AGREES: True, DISAGREES: False}.get(self.status)

    @property
    def held_out_agree(self) -> bool | None:
        """The held-out model's agreement (None: not compared)."""
        return {AGREES: True, DISAGREES: False}.get(self.held_out_status or "")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"quantity": self.quantity, "outcomes": list(self.outcomes),
                "status": self.status, "held_out_status": self.held_out_status}


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
    in_vitro: bool = False
    held_out_mechanisms: tuple[str, ...] = ()
    held_out_reason: str = ""
    #: where the arms ran: ``whole animal``, or the culture context of an in-vitro experiment
    #: (:mod:`exobone.analysis.scorecard.culture`)
    context: str = ""

    @property
    def compared(self) -> list[OutcomeResult]:
        """Outcomes with a prediction and a signed expectation."""
        return [o for o in self.outcomes if o.agree is not None]

    @property
    def readouts(self) -> list[ReadoutResult]:
        """The distinct quantities read, in the order first read, each with its outcomes."""
        groups: dict[str, list[int]] = {}
        for i, o in enumerate(self.outcomes):
            groups.setdefault(o.quantity, []).append(i)
        out = []
        for quantity, idx in groups.items():
            members = [self.outcomes[i] for i in idx]
            held = [o.held_out.status for o in members if o.held_out is not None]
            out.append(ReadoutResult(quantity, tuple(idx),
                                     _group_status([o.status for o in members]),
                                     _group_status(held) if held else None))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"id": self.id, "citation": self.citation, "representable": self.representable,
                "reason": self.reason, "status": self.status, "scenario": self.scenario,
                "species": self.species, "in_vitro": self.in_vitro, "context": self.context,
                "treated": list(self.treated), "control": list(self.control),
                "held_out_mechanisms": list(self.held_out_mechanisms),
                "held_out_reason": self.held_out_reason,
                "outcomes": [o.to_dict() for o in self.outcomes],
                "readouts": [r.to_dict() for r in self.readouts]}


def _figures(experiments: list[ExperimentResult]) -> dict[str, Any]:
    """Encoded and held-out agreement over the distinct readouts of ``experiments``."""
    readouts = [r for e in experiments for r in e.readouts]
    compared = [r for r in readouts if r.agree is not None]
    agree = sum(1 for r in compared if r.agree)
    # the held-out figure is over the same readouts: no held-out prediction is not agreement;
    # None when the held-out models were not run
    ran = any(r.held_out_status is not None for r in compared)
    held = sum(1 for r in compared if r.held_out_agree) if ran else None
    return {"readouts": len(readouts),
            "outcomes_listed": sum(len(e.outcomes) for e in experiments),
            "outcomes_compared": len(compared), "outcomes_agreeing": agree,
            "agreement": agree / len(compared) if compared else 0.0,
            "held_out_agreeing": held,
            "held_out_agreement": (None if held is None
                                   else held / len(compared) if compared else 0.0),
            "no_data": sum(1 for r in readouts if r.status == NO_DATA)}


@dataclass
class Scorecard:
    """All experiments with their results and the thresholds used."""

    experiments: list[ExperimentResult] = field(default_factory=list)
    thresholds: dict[str, Any] = field(default_factory=dict)
    atlas_version: str = ""
    #: published magnitudes against the model (None: not run, e.g. for a selection)
    magnitudes: list[MagnitudeCheck] | None = None

    @property
    def summary(self) -> dict[str, Any]:
        """Counts and agreement figures.

        ``outcomes_compared``/``outcomes_agreeing``/``agreement`` (encoded) and
        ``held_out_agreeing``/``held_out_agreement`` count distinct readouts (one per model
        quantity per experiment) of in-vivo and clinical experiments; ``in_vitro`` gives the
        same figures for experiments in culture, reported separately. ``magnitudes`` counts
        the published magnitudes compared with the model and inside their CI, fitted and held
        out apart (:mod:`exobone.analysis.scorecard.published`; None when not run).
        """
        rep = [e for e in self.experiments if e.representable and e.status == "ok"]
        total = len(self.experiments)
        return {"total": total, "representable": len(rep),
                "representable_fraction": len(rep) / total if total else 0.0,
                **_figures([e for e in rep if not e.in_vitro]),
                "in_vitro": {"experiments": sum(1 for e in rep if e.in_vitro),
                             "context": CULTURE,
                             **_figures([e for e in rep if e.in_vitro])},
                "failed": sum(1 for e in self.experiments
                              if e.status not in ("ok", "not representable")),
                "magnitudes": magnitude_figures(self.magnitudes)}

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``exobone validate --json``."""
        return {"summary": self.summary, "thresholds": dict(self.thresholds),
                "atlas_version": self.atlas_version,
                "experiments": [e.to_dict() for e in self.experiments],
                "magnitudes": (None if self.magnitudes is None
                               else [m.to_dict() for m in self.magnitudes])}
