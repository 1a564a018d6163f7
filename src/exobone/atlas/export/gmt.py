"""GMT export of the atlas-derived gene sets (GSEA / Enrichr / g:Profiler format).

One line per set: ``name<TAB>description<TAB>member<TAB>member...``. Members are HGNC
symbols and canonical miRNA names; set names and contents are described in
:mod:`exobone.atlas.genesets` (pathway, target-cell effect, exosome source, ingested figure).
"""

from __future__ import annotations

from exobone.atlas.export.registry import Selection, register_exporter


def _clean(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ")


@register_exporter(
    "gmt",
    suffix=".gmt",
    media_type="text/tab-separated-values",
    description="gene sets: per pathway, target-cell effect, exosome source, ingested figure",
)
def write_gmt(selection: Selection, what: str) -> str:
    """Return the gene sets of the selection as GMT text."""
    lines = [
        "\t".join(_clean(x) for x in (s.name, s.description or s.label, *s.members))
        for s in selection.gene_sets()
        if s.members
    ]
    return "\n".join(lines) + ("\n" if lines else "")


def parse_gmt(text: str) -> dict[str, tuple[str, list[str]]]:
    """Parse GMT text into ``{name: (description, members)}`` (for tests and round trips)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, desc, *members = line.split("\t")
        out[name] = (desc, members)
    return out
