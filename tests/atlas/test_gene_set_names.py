"""Gene set names say what their source is: a donor cell's cargo, or a state changing cargo."""

from __future__ import annotations

from exobone.atlas.curation import default_atlas
from exobone.atlas.genesets import DONOR_TYPES, atlas_gene_sets


def test_source_sets_name_only_cells_that_secrete_exosomes() -> None:
    atlas = default_atlas()
    sets = {s.name: s for s in atlas_gene_sets(atlas)}
    for s in sets.values():
        if s.kind == "source":
            key = s.name.split(":", 1)[1]
            assert atlas.entities[key].type in DONOR_TYPES, s.name
    # the curated osteoporosis cargo profiles (MECH:1033 miR-214, MECH:4067 miR-31)
    assert "source:osteoporosis" not in sets
    change = sets["cargo_change:osteoporosis:increase"]
    assert change.kind == "cargo_change"
    assert change.label == "exosome cargo raised by osteoporosis (disease)"
    assert {"miR-214", "miR-31"} <= set(change.members)
