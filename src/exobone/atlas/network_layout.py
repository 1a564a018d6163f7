"""A readable layout of the signed mechanism network: one circle by kind, bundled edges.

The atlas network (:func:`exobone.atlas.export._graph.mechanism_graph`) has a hundred-odd nodes
and three hundred edges; rings by kind crowded the inner rings and a force layout made one knot.
This is the radial layout with hierarchical edge bundling of Holten (2006, "Hierarchical Edge
Bundles", IEEE Trans. Vis. Comput. Graph. 12(5)):

- every node sits on one circle, in a **sector of its kind** (exosome source cells, miRNAs,
  genes and proteins, target cells, other), ordered within the sector by the mean angle of its
  neighbours (a few barycentre sweeps) so that linked nodes sit near each other;
- labels point **radially outwards**, so two labels can only meet if their nodes are closer on
  the circle than a line of text is high: :func:`layout_network` sizes the circle so they are
  not, and :meth:`NetworkLayout.crowded_pairs` says which pairs would be;
- each edge is a B-spline through the hierarchy node -> its sector's hub -> centre -> the other
  sector's hub -> node, straightened by ``bundling`` (0: straight lines, 1: fully bundled), so
  edges between the same sectors run together and the middle stays readable.

The same layout feeds :func:`exobone.plotting.plot_network` (PNG) and the web atlas
(``/api/atlas/network`` sends positions and edge bends to Cytoscape.js).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.interpolate import BSpline

from exobone.errors import InvalidInputError

__all__ = ["SECTORS", "NetworkLayout", "layout_network", "node_sector", "short_label"]

#: sectors in order around the circle (clockwise from the top), with the node types they hold;
#: cells are split by role: a cell that any mechanism acts on is a target cell
SECTORS: dict[str, str] = {
    "source_cells": "exosome source cells",
    "mirnas": "miRNAs",
    "molecules": "genes and proteins",
    "target_cells": "target cells",
    "other": "tissues, drugs and other",
}
_CELL_TYPES = frozenset({"cell", "cell_line"})
_MOLECULE_TYPES = frozenset({"gene", "family"})
#: radii (circle = 1): where an edge leaves a node, and the sector hubs it bundles through
_STUB, _HUB = 0.82, 0.42
#: longest label drawn (the full name stays in the data and the evidence panel)
MAX_LABEL = 30
#: empty slots between two sectors
_GAP = 2


def node_sector(node_type: str, is_target: bool) -> str:
    """The sector of a node of ``node_type``; ``is_target``: some mechanism acts on it."""
    if node_type in _CELL_TYPES:
        return "target_cells" if is_target else "source_cells"
    if node_type == "mirna":
        return "mirnas"
    if node_type in _MOLECULE_TYPES:
        return "molecules"
    return "other"


def short_label(name: str, limit: int = MAX_LABEL) -> str:
    """``name`` cut to ``limit`` characters at a word where possible, marked with an ellipsis."""
    if len(name) <= limit:
        return name
    cut = name[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,(-") + "…"


@dataclass
class NetworkLayout:
    """Positions on the unit circle, label angles and bundled edge paths of one network."""

    #: node key -> (x, y) on the unit circle (y up)
    positions: dict[str, tuple[float, float]]
    #: node key -> angle in radians (counter-clockwise from +x)
    angles: dict[str, float]
    #: node key -> sector name (a key of SECTORS)
    sectors: dict[str, str]
    #: node key -> label to draw
    labels: dict[str, str]
    #: edge key -> sampled path from source to target, shape (m, 2)
    paths: dict[str, np.ndarray] = field(repr=False)
    #: angle between neighbouring slots on the circle (radians)
    slot: float = 0.0

    def label_rotation(self, key: str) -> tuple[float, str]:
        """Rotation (degrees) and horizontal alignment that make ``key``'s label read outwards
        and upright: right of the centre it starts at the node, left of it it ends there."""
        deg = math.degrees(self.angles[key]) % 360
        if 90 < deg < 270:
            return deg - 180, "right"
        return (deg if deg <= 90 else deg - 360), "left"

    def crowded_pairs(self, radius: float, line_height: float) -> list[tuple[str, str]]:
        """Neighbouring nodes whose radial labels would touch: at circle radius ``radius`` their
        arc distance is below ``line_height`` (both in the same unit, e.g. pixels)."""
        order = sorted(self.angles, key=self.angles.__getitem__)
        out = []
        for a, b in zip(order, order[1:] + order[:1], strict=True):
            gap = (self.angles[b] - self.angles[a]) % (2 * math.pi)
            if len(order) > 1 and radius * gap < line_height:
                out.append((a, b))
        return out


def _is_target(graph: Any) -> set[str]:
    return {v for _, v, d in graph.edges(data=True) if d.get("role") in ("effect", "cargo_effect")}


def _order(graph: Any, groups: dict[str, list[str]], sweeps: int = 6) -> dict[str, float]:
    """Angles of every node: sectors in order, nodes within a sector sorted by the circular
    mean angle of their neighbours (barycentre heuristic against crossings)."""
    live = [s for s in SECTORS if groups.get(s)]
    total = sum(len(groups[s]) for s in live) + _GAP * len(live)
    slot = 2 * math.pi / max(total, 1)

    def place() -> dict[str, float]:
        angles, i = {}, 0
        for s in live:
            for key in groups[s]:
                angles[key] = math.pi / 2 - (i + 0.5) * slot  # clockwise from the top
                i += 1
            i += _GAP
        return angles

    angles = place()
    neighbours = {k: set(graph.predecessors(k)) | set(graph.successors(k)) for k in angles}
    for _ in range(sweeps):
        for s in live:
            mid = float(np.mean([angles[k] for k in groups[s]]))
            wanted = {k: _wanted_angle(angles, neighbours[k] - {k}, mid, angles[k])
                      for k in groups[s]}
            groups[s] = sorted(groups[s], key=lambda k: (-wanted[k], k))  # clockwise
        angles = place()
    return angles


def _wanted_angle(angles: dict[str, float], near: set[str], mid: float, now: float) -> float:
    """Circular mean angle of the ``near`` nodes relative to the sector's middle ``mid``
    (wrapped to (-pi, pi]); a node without neighbours keeps its place ``now``."""
    if not near:
        return now - mid
    c = float(np.mean([math.cos(angles[n]) for n in near]))
    s = float(np.mean([math.sin(angles[n]) for n in near]))
    return (math.atan2(s, c) - mid + math.pi) % (2 * math.pi) - math.pi


def _spline(points: np.ndarray, bundling: float, samples: int) -> np.ndarray:
    """Clamped cubic B-spline through ``points`` straightened towards the chord (Holten's
    beta): the control polygon is ``beta * P + (1 - beta) * straight line``."""
    n = len(points)
    t = np.linspace(0.0, 1.0, n)[:, None]
    control = bundling * points + (1 - bundling) * (points[0] + t * (points[-1] - points[0]))
    k = min(3, n - 1)
    knots = np.concatenate([np.zeros(k), np.linspace(0, 1, n - k + 1), np.ones(k)])
    return np.asarray(BSpline(knots, control, k)(np.linspace(0, 1, samples)))


def layout_network(graph: Any, *, bundling: float = 0.85, samples: int = 24,
                   max_nodes: int = 400) -> NetworkLayout:
    """Lay out ``graph`` (a networkx multigraph as built by
    :func:`~exobone.atlas.export._graph.mechanism_graph`) on one circle with bundled edges.

    Raises
    ------
    InvalidInputError
        For a ``bundling`` outside [0, 1], or more than ``max_nodes`` nodes (their labels could
        not be read on one circle: filter the selection first).
    """
    if not 0 <= bundling <= 1:
        raise InvalidInputError(f"bundling must be in [0, 1], got {bundling}")
    n = graph.number_of_nodes()
    if n > max_nodes:
        raise InvalidInputError(f"the network has {n} nodes; at most {max_nodes} can be labelled "
                                f"legibly on one circle: narrow the selection (filters)")
    targets = _is_target(graph)
    sectors = {k: node_sector(d.get("type", ""), k in targets) for k, d in graph.nodes(data=True)}
    groups: dict[str, list[str]] = {s: [] for s in SECTORS}
    for key in sorted(sectors):
        groups[sectors[key]].append(key)
    angles = _order(graph, groups)
    live = [s for s in SECTORS if groups[s]]
    total = sum(len(groups[s]) for s in live) + _GAP * len(live)
    unit = {k: np.array([math.cos(a), math.sin(a)]) for k, a in angles.items()}
    hubs = {}
    for s in live:
        c = np.mean([unit[k] for k in groups[s]], axis=0)
        hubs[s] = _HUB * c / max(float(np.linalg.norm(c)), 1e-9)
    paths = {}
    for u, v, key, _ in graph.edges(keys=True, data=True):
        chain = [unit[u], _STUB * unit[u], hubs[sectors[u]]]
        if sectors[u] != sectors[v]:
            chain += [np.zeros(2), hubs[sectors[v]]]
        chain += [_STUB * unit[v], unit[v]]
        paths[str(key)] = _spline(np.array(chain), bundling, samples)
    return NetworkLayout(
        positions={k: (float(p[0]), float(p[1])) for k, p in unit.items()}, angles=angles,
        sectors=sectors,
        labels={k: short_label(str(d.get("name", k))) for k, d in graph.nodes(data=True)},
        paths=paths, slot=2 * math.pi / max(total, 1))
