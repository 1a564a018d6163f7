"""CX2 export (NDEx / Cytoscape Exchange format version 2) of the signed mechanism network.

Nodes are entities (``name`` is the symbol for genes and miRNAs, else the entity name;
``represents`` is the CURIE); edges are those of
:func:`exobone.atlas.export._graph.mechanism_graph`, with the signed ``interaction``,
``sign`` (+1/-1/0) and the mechanism's attributes (direction, effect, pathways, contexts,
citations, DOIs, PMIDs, species...). Attribute types are declared in
``attributeDeclarations`` as the CX2 specification requires; list attributes are
``list_of_string``. The document loads with ``ndex2.cx2.RawCX2NetworkFactory``.

Reference: https://cytoscape.org/cx/cx2/specification/cytoscape-exchange-format-specification-(version-2)/
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from exobone.atlas.export._graph import mechanism_graph
from exobone.atlas.export.registry import Selection, register_exporter


def _cx2_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list_of_string"
    return None


def _values(attrs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            v = [str(x) for x in v]
        out[k] = v
    return out


def _declare(items: Iterable[dict[str, Any]]) -> dict[str, dict[str, str]]:
    decl: dict[str, dict[str, str]] = {}
    for v in items:
        for k, x in v.items():
            t = _cx2_type(x)
            if t is not None:
                decl.setdefault(k, {"d": t})
    return decl


@register_exporter(
    "cx2",
    suffix=".cx2",
    media_type="application/json",
    description="CX2 network for NDEx and Cytoscape",
)
def write_cx2(selection: Selection, what: str) -> str:
    """Return the mechanism network as a CX2 JSON document."""
    atlas = selection.atlas
    g = mechanism_graph(atlas, selection.mechanisms)
    index = {n: i for i, n in enumerate(g.nodes)}
    nodes: list[dict[str, Any]] = [{"id": index[n], "v": _values(d)} for n, d in g.nodes(data=True)]
    edges: list[dict[str, Any]] = [
        {"id": i, "s": index[s], "t": index[t], "v": _values(d)}
        for i, (s, t, d) in enumerate(g.edges(data=True))
    ]
    network = {
        "name": "exobone atlas: exosome-mediated bone remodeling",
        "description": (
            f"{len(selection.mechanisms)} mechanisms; edges signed by direction "
            "(interaction increases_*/decreases_*, sign +1/-1/0)"
        ),
        "version": atlas.version or "",
    }
    declarations = {
        "networkAttributes": _declare([network]),
        "nodes": _declare(n["v"] for n in nodes),
        "edges": _declare(e["v"] for e in edges),
    }
    doc: list[dict[str, Any]] = [
        {"CXVersion": "2.0", "hasFragments": False},
        {
            "metaData": [
                {"name": "attributeDeclarations", "elementCount": 1},
                {"name": "networkAttributes", "elementCount": 1},
                {"name": "nodes", "elementCount": len(nodes)},
                {"name": "edges", "elementCount": len(edges)},
            ]
        },
        {"attributeDeclarations": [declarations]},
        {"networkAttributes": [network]},
        {"nodes": nodes},
        {"edges": edges},
        {"status": [{"error": "", "success": True}]},
    ]
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
