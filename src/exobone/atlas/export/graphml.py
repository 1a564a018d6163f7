"""GraphML export of the signed mechanism network (written and read by networkx).

Nodes are entities keyed by curation key; edges are those of
:func:`exobone.atlas.export._graph.mechanism_graph`. GraphML has no list type, so list
attributes (pathways, citations, mechanisms, ...) are joined with ``"; "``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from exobone.atlas.export._graph import mechanism_graph
from exobone.atlas.export.registry import Selection, register_exporter


def _flat(attrs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if v is None:
            continue
        out[k] = "; ".join(str(x) for x in v) if isinstance(v, (list, tuple)) else v
    return out


@register_exporter(
    "graphml",
    suffix=".graphml",
    media_type="application/graphml+xml",
    description="GraphML network (networkx, yEd, Gephi, Cytoscape)",
)
def write_graphml(selection: Selection, what: str) -> str:
    """Return the mechanism network as GraphML text."""
    g = mechanism_graph(selection.atlas, selection.mechanisms)
    flat = nx.MultiDiGraph(**_flat(dict(g.graph)))
    for n, d in g.nodes(data=True):
        flat.add_node(n, **_flat(d))
    for s, t, k, d in g.edges(keys=True, data=True):
        flat.add_edge(s, t, key=k, **_flat(d))
    return "\n".join(nx.generate_graphml(flat, encoding="utf-8", prettyprint=True)) + "\n"
