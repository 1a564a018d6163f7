"""Export the atlas: one module per format, all registered in :data:`EXPORTERS`.

==========  ==========================  =======================================
format      what                        module
==========  ==========================  =======================================
``json``    mechanisms, experiments     :mod:`exobone.atlas.export.json`
``csv``     mechanisms, experiments     :mod:`exobone.atlas.export.csv`
``cx2``     mechanisms                  :mod:`exobone.atlas.export.cx2`
``graphml`` mechanisms                  :mod:`exobone.atlas.export.graphml`
``sif``     mechanisms                  :mod:`exobone.atlas.export.sif`
``gmt``     mechanisms (gene sets)      :mod:`exobone.atlas.export.gmt`
==========  ==========================  =======================================
"""

from __future__ import annotations

# Importing a format module registers it; the list is explicit (no package walking).
from exobone.atlas.export import csv as _csv  # noqa: F401
from exobone.atlas.export import cx2 as _cx2  # noqa: F401
from exobone.atlas.export import gmt as _gmt  # noqa: F401
from exobone.atlas.export import graphml as _graphml  # noqa: F401
from exobone.atlas.export import json as _json  # noqa: F401
from exobone.atlas.export import sif as _sif  # noqa: F401
from exobone.atlas.export.registry import (
    EXPORTERS,
    WHATS,
    Exporter,
    Selection,
    export,
    get_exporter,
    register_exporter,
    require_exporter,
)

__all__ = [
    "EXPORTERS",
    "WHATS",
    "Exporter",
    "Selection",
    "export",
    "get_exporter",
    "register_exporter",
    "require_exporter",
]
