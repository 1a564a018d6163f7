"""Magnitudes: the relative change an experiment reports, against the model's.

The curated outcome records carry directions, not numbers (no outcome field or note of the
shipped atlas states a measured change). An outcome whose ``note`` states one in the form
``reported change: +45%`` (relative change) or ``reported change: 2.1-fold`` (treated /
control) is compared: :func:`magnitude_ratio` is predicted / published relative change, and
:data:`MAGNITUDE_FACTOR` bounds what counts as the same magnitude.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from exobone.errors import InvalidInputError

if TYPE_CHECKING:
    from exobone.atlas.records import Outcome

__all__ = ["MAGNITUDE_FACTOR", "magnitude_ratio", "published_change"]

#: predicted and published relative changes within this factor are "the same magnitude" (assumed)
MAGNITUDE_FACTOR = 2.0

_CHANGE = re.compile(r"reported change:\s*([+-]?\d+(?:\.\d+)?)\s*(%|-fold)", re.IGNORECASE)


def published_change(outcome: Outcome) -> float | None:
    """The relative change stated in the outcome's note (None: none stated).

    Raises
    ------
    InvalidInputError
        For a fold change that is not positive.
    """
    m = _CHANGE.search(outcome.note or "")
    if m is None:
        return None
    value = float(m.group(1))
    if m.group(2) == "%":
        return value / 100.0
    if value <= 0:
        raise InvalidInputError(f"reported change {m.group(0)!r}: a fold change must be positive")
    return value - 1.0


def magnitude_ratio(predicted: float | None, published: float | None) -> float | None:
    """Predicted / published relative change (None when either is missing or published is 0)."""
    if predicted is None or published is None or published == 0:
        return None
    return predicted / published
