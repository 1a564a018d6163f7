"""Held-out rule: which mechanism records an experiment must be scored without.

An experiment restates a study; the mechanisms compiled from that same study would let the model
"predict" the result it was built from. The held-out model of an experiment is rebuilt from the
atlas without:

* the mechanisms the experiment links (its own restatements, ``Experiment.mechanisms``);
* every mechanism with an evidence from the same study (:func:`same_study`: same DOI, same
  PMID, or, since the curated citations carry neither today, the same first author, year and
  journal);
* every mechanism with an evidence quoting the experiment's seed sentence (one quote contains the
  other, whitespace normalised).

A mechanism is dropped whole even when it has evidence from other studies too (its compiled
factor would still encode the held-out finding).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas
    from exobone.atlas.records import Citation, Experiment

__all__ = ["held_out_atlas", "held_out_mechanisms", "same_quote", "same_study"]


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "")).strip().casefold()


def same_study(a: Citation, b: Citation) -> bool:
    """True when two citations name the same paper (DOI, PMID, or author + year + journal)."""
    if a.doi and b.doi and a.doi.casefold() == b.doi.casefold():
        return True
    if a.pmid and b.pmid and a.pmid == b.pmid:
        return True
    return (_norm(a.first_author) == _norm(b.first_author) and a.year == b.year
            and _norm(a.journal or a.title) == _norm(b.journal or b.title))


def same_quote(a: str, b: str) -> bool:
    """True when one seed quote contains the other (whitespace and case normalised)."""
    x, y = _norm(a), _norm(b)
    return bool(x and y) and (x in y or y in x)


def held_out_mechanisms(exp: Experiment, atlas: Atlas) -> tuple[str, ...]:
    """Ids of the mechanisms the held-out model of ``exp`` is built without (sorted)."""
    drop = {atlas.alias_of.get(m, m) for m in exp.mechanisms}
    for m in atlas.mechanisms.values():
        if any(same_study(ev.citation, exp.citation) or same_quote(ev.quote, exp.quote)
               for ev in m.evidence):
            drop.add(m.id)
    return tuple(sorted(d for d in drop if d in atlas.mechanisms))


def held_out_atlas(atlas: Atlas, drop: tuple[str, ...]) -> Atlas:
    """The atlas without the mechanisms ``drop`` (everything else shared, not copied)."""
    gone = set(drop)
    return dataclasses.replace(
        atlas, mechanisms={k: v for k, v in atlas.mechanisms.items() if k not in gone},
        alias_of={k: v for k, v in atlas.alias_of.items() if v not in gone},
        version=f"{atlas.version}-without-{len(gone)}")
