"""The model specification between knowledge and numbers: states, sourced parameters, flux terms."""

from __future__ import annotations

from exobone.model.parameters import Assumed, Parameter, Reference, Source
from exobone.model.spec import (
    Assignment,
    Event,
    Function,
    ModelSpec,
    State,
    Term,
    TermExplanation,
    explain,
)

__all__ = [
    "Assignment",
    "Assumed",
    "Event",
    "Function",
    "ModelSpec",
    "Parameter",
    "Reference",
    "Source",
    "State",
    "Term",
    "TermExplanation",
    "explain",
]
