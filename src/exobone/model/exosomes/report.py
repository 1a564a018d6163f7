"""What became of every atlas mechanism in the exosome layer: :class:`LayerReport`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LayerReport", "MechanismStatus", "Reason"]


# ============================================================================ report
class Reason:
    """Why a mechanism was not compiled (the categories of :meth:`LayerReport.by_reason`)."""

    NO_POOL = "no exosome pool for the source"
    NO_PROCESS = "no model process for the target/effect"
    NO_RATE_EFFECT = "kind without rate effect"
    NO_SIGN = "direction without sign"
    REGULATOR_NOT_IN_MODEL = "regulator not in the model"
    SCENARIO = "condition represented by scenarios"
    CORE_STRUCTURE = "claim is the core's own structure"
    CONDITION_INACTIVE = "condition not active in this scenario"
    INTERVENTION = "represented by an intervention kind"


@dataclass(frozen=True)
class MechanismStatus:
    """What became of one mechanism.

    Attributes
    ----------
    id, kind
        Mechanism id and kind.
    compiled
        Whether it contributes at least one factor.
    reason
        A :class:`Reason` category when not compiled ('' when compiled).
    detail
        Specifics (which pool, which regulator, which process).
    sinks
        ``"process:bone_formation"``, ``"secretion:exo_osteoclast"``, ``"cargo:..."``.
    parameters
        Names of the parameters the mechanism owns.
    """

    id: str
    kind: str
    compiled: bool
    reason: str = ""
    detail: str = ""
    sinks: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"id": self.id, "kind": self.kind, "compiled": self.compiled,
                "reason": self.reason, "detail": self.detail, "sinks": list(self.sinks),
                "parameters": list(self.parameters)}


@dataclass
class LayerReport:
    """Every mechanism of the atlas with its fate, and the pools of the layer.

    Attributes
    ----------
    mechanisms
        One :class:`MechanismStatus` per atlas mechanism, in id order.
    pools
        ``{state: {"cell":..., "kind": "endogenous"|"dose", "source":...}}``.
    scenario, species
        What the layer was compiled for.
    """

    mechanisms: list[MechanismStatus] = field(default_factory=list)
    pools: dict[str, dict[str, str]] = field(default_factory=dict)
    scenario: str = ""
    species: str = ""

    @property
    def compiled(self) -> list[MechanismStatus]:
        """Mechanisms that contribute factors."""
        return [m for m in self.mechanisms if m.compiled]

    @property
    def not_compiled(self) -> list[MechanismStatus]:
        """Mechanisms that do not, each with its reason."""
        return [m for m in self.mechanisms if not m.compiled]

    def by_reason(self) -> dict[str, list[str]]:
        """Return ``{reason: [mechanism ids]}`` of the mechanisms not compiled."""
        out: dict[str, list[str]] = defaultdict(list)
        for m in self.not_compiled:
            out[m.reason].append(m.id)
        return dict(out)

    def status(self, mechanism_id: str) -> MechanismStatus | None:
        """Return the status of one mechanism, or None."""
        return next((m for m in self.mechanisms if m.id == mechanism_id), None)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the provenance part of the model metadata)."""
        return {"scenario": self.scenario, "species": self.species,
                "summary": {"total": len(self.mechanisms), "compiled": len(self.compiled),
                            "not_compiled": {k: len(v) for k, v in self.by_reason().items()}},
                "mechanisms": [m.to_dict() for m in self.mechanisms],
                "pools": self.pools}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LayerReport:
        """Rebuild a report from :meth:`to_dict` output (e.g. a model's metadata)."""
        mechs = [MechanismStatus(m["id"], m["kind"], m["compiled"], m["reason"], m["detail"],
                                 tuple(m["sinks"]), tuple(m["parameters"]))
                 for m in data.get("mechanisms", ())]
        return cls(mechs, dict(data.get("pools", {})), str(data.get("scenario", "")),
                   str(data.get("species", "")))
