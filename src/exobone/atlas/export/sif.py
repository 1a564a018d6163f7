"""Signed extended SIF: ``source<TAB>interaction<TAB>target`` plus annotation columns.

The first line is a header. The first three columns are SIF; the sign of every edge is in the
interaction itself (``increases_osteogenic_differentiation_of``, ``downregulates``, ...; the
whole vocabulary is in :mod:`exobone.atlas.export._graph`), and repeated in the ``sign``
column as +1/-1/0. Participants are entity curation keys (HGNC symbols for genes, mature
names for miRNAs, e.g. ``osteoclast``, ``miR-214-3p``, ``SPP1``). Lines with the same
source, interaction and target are merged; their mechanism ids are listed together.
"""

from __future__ import annotations

from exobone.atlas.export._graph import mechanism_graph
from exobone.atlas.export.registry import Selection, register_exporter

COLUMNS = ("source", "interaction", "target", "sign", "mechanisms", "pathways", "citations", "pmids")


def _clean(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ")


@register_exporter(
    "sif",
    suffix=".sif",
    media_type="text/tab-separated-values",
    description="signed extended SIF (sign in the interaction column)",
)
def write_sif(selection: Selection, what: str) -> str:
    """Return the mechanism network as signed extended SIF text."""
    g = mechanism_graph(selection.atlas, selection.mechanisms)
    lines: dict[tuple[str, str, str], dict[str, list[str]]] = {}
    signs: dict[tuple[str, str, str], int] = {}
    for s, t, d in g.edges(data=True):
        k = (s, d["interaction"], t)
        signs[k] = d["sign"]
        acc = lines.setdefault(k, {"mechanisms": [], "pathways": [], "citations": [], "pmids": []})
        for col in acc:
            for v in d.get(col, []):
                if v not in acc[col]:
                    acc[col].append(v)
    out = ["\t".join(COLUMNS)]
    for k in sorted(lines):
        acc = lines[k]
        cells = [*k, str(signs[k]), *("; ".join(acc[c]) for c in COLUMNS[4:])]
        out.append("\t".join(_clean(c) for c in cells))
    return "\n".join(out) + "\n"
