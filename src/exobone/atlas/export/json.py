"""JSON export: an array of mechanism (or experiment) objects, UTF-8, quotes unescaped.

Mechanism objects carry ``id``, ``kind``, ``source``/``vesicle``/``target`` as
``{key, name, id, type}``, ``source_role`` (what the source is for this kind: ``source cell``,
``context`` or ``regulator``, :data:`exobone.atlas.records.SOURCE_ROLES`), ``cargo`` and ``molecular_targets`` as lists of those,
``effect`` (name, with ``effect_key``/``effect_id``), ``direction``
(increase|decrease|mixed|none), ``pathways`` and ``contexts`` (names, ids alongside) and
``evidence`` (``citation`` {first_author, journal, year, title, doi, pmid, ref}, ``read_in``,
``quote``, ``quote_en``, ``species``, ``setting``, ...). Experiment objects carry ``id``,
``intervention``, ``control``, ``context``, ``species``, ``outcomes`` [{measure, direction,
time, ...}], ``citation``, ``read_in`` and ``quote``. See :mod:`exobone.atlas.export._common`.
"""

from __future__ import annotations

import json

from exobone.atlas.export._common import experiment_dict, mechanism_dict
from exobone.atlas.export.registry import Selection, register_exporter


@register_exporter(
    "json",
    suffix=".json",
    media_type="application/json",
    description="array of mechanism or experiment objects with evidence",
    what=("mechanisms", "experiments"),
)
def write_json(selection: Selection, what: str) -> str:
    """Return the selected mechanisms or experiments as a JSON array."""
    atlas = selection.atlas
    if what == "experiments":
        items = [experiment_dict(atlas, x) for x in selection.experiments]
    else:
        items = [mechanism_dict(atlas, m) for m in selection.mechanisms]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
