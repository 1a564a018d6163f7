"""The exporter registry and the :class:`Selection` every exporter writes.

An exporter is a function ``(selection, what) -> str | bytes`` registered under a format
name with :func:`register_exporter`; :func:`export` looks the name up in :data:`EXPORTERS`.
To add a format: one module in this folder with one registered function, imported in
``export/__init__.py``, plus a round-trip test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exobone.atlas.curation import Atlas
from exobone.atlas.genesets import GeneSet, atlas_gene_sets
from exobone.atlas.records import Experiment, Mechanism
from exobone.atlas.store import Store
from exobone.errors import DuplicateRegistrationError, ExportError, suggest

if TYPE_CHECKING:
    from exobone.atlas.query import ExperimentHit, MechanismHit
    from exobone.atlas.store_schema import StoredFigure

WHATS = ("mechanisms", "experiments")


@dataclass(frozen=True)
class Selection:
    """The records to export: some mechanisms and experiments of an atlas, plus figures.

    Build one with :meth:`of` (everything in an atlas or store) or :meth:`from_hits`.
    """

    atlas: Atlas
    mechanisms: tuple[Mechanism, ...]
    experiments: tuple[Experiment, ...]
    figures: tuple[StoredFigure, ...] = ()

    @classmethod
    def of(cls, source: Atlas | Store | Selection) -> Selection:
        """Select everything in an atlas or store (a selection is returned unchanged)."""
        if isinstance(source, Selection):
            return source
        if isinstance(source, Atlas):
            return cls(source, tuple(source.mechanisms.values()), tuple(source.experiments.values()))
        if isinstance(source, Store):
            atlas = source.atlas()
            return cls(
                atlas,
                tuple(atlas.mechanisms.values()),
                tuple(atlas.experiments.values()),
                tuple(source.figures()),
            )
        raise ExportError(f"cannot export a {type(source).__name__}; give an Atlas, Store or Selection")

    @classmethod
    def from_hits(
        cls,
        atlas: Atlas,
        hits: Iterable[MechanismHit | ExperimentHit],
        figures: Sequence[StoredFigure] = (),
    ) -> Selection:
        """Select the mechanisms and experiments of search hits."""
        mechs: list[Mechanism] = []
        exps: list[Experiment] = []
        for h in hits:
            record = getattr(h, "mechanism", None) or getattr(h, "experiment", None)
            if isinstance(record, Mechanism):
                mechs.append(record)
            elif isinstance(record, Experiment):
                exps.append(record)
        return cls(atlas, tuple(mechs), tuple(exps), tuple(figures))

    def gene_sets(self) -> list[GeneSet]:
        """Atlas-derived sets of the selected mechanisms, then one set per figure."""
        sub = dataclasses.replace(self.atlas, mechanisms={m.id: m for m in self.mechanisms})
        return [*atlas_gene_sets(sub), *(f.gene_set for f in self.figures if f.genes)]


WriteFn = Callable[[Selection, str], "str | bytes"]


@dataclass(frozen=True)
class Exporter:
    """A registered export format."""

    name: str
    write: WriteFn
    what: tuple[str, ...]
    suffix: str
    media_type: str
    description: str

    def __call__(self, selection: Selection, what: str) -> str | bytes:
        return self.write(selection, what)


EXPORTERS: dict[str, Exporter] = {}


def register_exporter(
    name: str,
    *,
    suffix: str,
    media_type: str,
    description: str,
    what: tuple[str, ...] = ("mechanisms",),
) -> Callable[[WriteFn], WriteFn]:
    """Register ``fn(selection, what) -> str | bytes`` as the exporter of format ``name``.

    Raises
    ------
    DuplicateRegistrationError
        If another module already registered ``name``.
    """

    def add(fn: WriteFn) -> WriteFn:
        if name in EXPORTERS:
            owner = EXPORTERS[name].write.__module__
            raise DuplicateRegistrationError(f"export format {name!r} is already registered by {owner}")
        EXPORTERS[name] = Exporter(name, fn, what, suffix, media_type, description)
        return fn

    return add


def get_exporter(name: str) -> Exporter | None:
    """Return the exporter registered as ``name``, or ``None``."""
    return EXPORTERS.get(name.lower())


def require_exporter(name: str) -> Exporter:
    """Return the exporter registered as ``name``; raise :class:`ExportError` if there is none."""
    found = get_exporter(name)
    if found is None:
        raise ExportError(
            f"unknown export format {name!r}{suggest(name, EXPORTERS)} "
            f"(known: {', '.join(sorted(EXPORTERS))})"
        )
    return found


def export(
    source: Atlas | Store | Selection, fmt: str, what: str = "mechanisms"
) -> str | bytes:
    """Export mechanisms or experiments in a registered format.

    Parameters
    ----------
    source
        An atlas or store (everything in it) or a :class:`Selection`.
    fmt
        Format name: a key of :data:`EXPORTERS` (``json``, ``csv``, ``cx2``, ``graphml``,
        ``sif``, ``gmt``).
    what
        ``mechanisms`` or ``experiments``; network and gene-set formats export mechanisms only.

    Returns
    -------
    str or bytes
        The document.

    Raises
    ------
    ExportError
        For an unknown format, an unknown ``what``, or a format that cannot hold ``what``.

    Examples
    --------
    >>> import json
    >>> from exobone.atlas.curation import load_atlas
    >>> records = json.loads(export(load_atlas(), "json"))
    >>> isinstance(records, list)
    True
    """
    exporter = require_exporter(fmt)
    if what not in WHATS:
        raise ExportError(f"unknown selection {what!r}{suggest(what, WHATS)} (known: {', '.join(WHATS)})")
    if what not in exporter.what:
        other = sorted(n for n, e in EXPORTERS.items() if what in e.what)
        raise ExportError(
            f"format {exporter.name!r} exports {' and '.join(exporter.what)} only, not {what}; "
            f"use {' or '.join(other)} for {what}"
        )
    return exporter(Selection.of(source), what)


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
