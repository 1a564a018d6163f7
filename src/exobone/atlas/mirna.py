"""miRNA names: parse them aware of species, arm and stem-loop copy, and relate them.

miRBase names a stem-loop ``hsa-mir-26a-1`` and its mature products ``hsa-miR-26a-5p`` and
``hsa-miR-26a-1-3p``; papers write ``miR-26a``, ``microRNA-26a``, ``miR-26a-5p`` or the HGNC
gene symbol ``MIR26A1``. :func:`parse_mirna` reads all of these into a :class:`MirnaName`;
:func:`mirna_related` and :func:`mirna_matches` compare names for curation and search; and
:func:`mirna_stemloops` finds the stem-loops in the shipped miRBase table. The public names
are re-exported by :mod:`exobone.atlas.vocab`.

References
----------
Kozomara A, Birgaoanu M, Griffiths-Jones S. miRBase: from microRNA sequences to function.
Nucleic Acids Res. 2019;47:D155-D162. doi:10.1093/nar/gky1141
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from exobone.atlas.identifiers import _table, species_key
from exobone.errors import InvalidInputError


@dataclass(frozen=True)
class MirnaName:
    """A parsed miRNA name.

    ``species`` is the miRBase prefix (``hsa``, ``mmu``, ...) or None when the name gives
    none; ``kind`` is ``miR``, ``let`` or ``lin``; ``number`` is the locus number with its
    letter (``214``, ``26a``, ``7a``); ``copy`` the genomic copy of a stem-loop
    (``1`` in ``miR-26a-1``); ``arm`` ``3p``/``5p`` or None; ``star`` marks the old
    ``miR-21*`` notation for the minor arm.
    """

    text: str
    species: str | None
    kind: str
    number: str
    copy: str | None = None
    arm: str | None = None
    star: bool = False

    @property
    def locus(self) -> str:
        """Name of the locus/family without species, copy or arm: ``miR-214``, ``let-7a``."""
        return f"{self.kind}-{self.number}"

    @property
    def canonical(self) -> str:
        """Mature-style name: ``hsa-miR-214-3p`` with species, ``miR-214-3p`` without."""
        parts = [p for p in (self.species, self.locus, self.copy, self.arm) if p]
        return "-".join(parts) + ("*" if self.star else "")


_MIRNA_RE = re.compile(
    r"^(?:(?P<species>[a-z]{3,4})-)?"
    r"(?P<kind>micro-?rna|mirna|mir|let|lin)-?"
    # locus letters never start with "p", so "miR-3p" is not the locus "3p"; "548ap" is fine
    r"(?P<number>\d+(?:[a-oq-z][a-z]?)?)"
    r"(?:-(?P<copy>\d+))?"
    r"(?:-?(?P<arm>[35]p)|(?P<star>\*))?$",
    re.IGNORECASE,
)
# HGNC gene symbols of miRNA genes: MIR214, MIR26A1, MIR218-1, MIRLET7A1
_MIRNA_GENE_RE = re.compile(r"^MIR(?P<let>LET)?(?P<num>\d+)(?P<letter>[A-Z]{0,2}?)(?P<copy>\d*)(?:-(?P<copy2>\d+))?$")


@functools.cache
def _mirbase_species() -> frozenset[str]:
    return frozenset(row[2] for row in _table("mirbase").rows.values())


def get_mirna(name: str) -> MirnaName | None:
    """Parse a miRNA name; return None if ``name`` is not one. See :func:`parse_mirna`."""
    text = "".join(name.split())
    gene = _MIRNA_GENE_RE.match(text)
    if gene:  # the HGNC symbol of a human miRNA gene
        kind = "let" if gene["let"] else "miR"
        number = (gene["num"] + gene["letter"]).lower()
        copy = gene["copy"] or gene["copy2"] or None
        return MirnaName(name, "hsa", kind, number, copy)
    m = _MIRNA_RE.match(text)
    if not m:
        return None
    species = m["species"].lower() if m["species"] else None
    if species is not None and species not in _mirbase_species():
        return None
    raw_kind = m["kind"].lower()
    kind = raw_kind if raw_kind in ("let", "lin") else "miR"
    arm = m["arm"].lower() if m["arm"] else None
    return MirnaName(name, species, kind, m["number"].lower(), m["copy"], arm, bool(m["star"]))


def parse_mirna(name: str) -> MirnaName:
    """Parse a miRNA name, aware of species, arm and stem-loop copy.

    Accepts mature and stem-loop names with or without a species prefix (``miR-214``,
    ``miR-214-3p``, ``mmu-miR-214-3p``, ``hsa-mir-214``), long forms (``microRNA-218``,
    ``miRNA-196a``), ``let-7a``, stray spaces (``miR-30 d-5p``), the old star notation
    (``miR-21*``) and HGNC gene symbols (``MIR214``, ``MIR26A1``, ``MIRLET7A1``; species
    ``hsa``).

    Parameters
    ----------
    name
        The name as written.

    Returns
    -------
    MirnaName

    Raises
    ------
    InvalidInputError
        If ``name`` is not a miRNA name or its species prefix is not a miRBase one.

    Examples
    --------
    >>> p = parse_mirna("mmu-miR-214-3p")
    >>> p.species, p.locus, p.arm, p.canonical
    ('mmu', 'miR-214', '3p', 'mmu-miR-214-3p')
    >>> parse_mirna("miR-30 d-5p").canonical
    'miR-30d-5p'
    """
    parsed = get_mirna(name)
    if parsed is None:
        raise InvalidInputError(
            f"{name!r} is not a miRNA name; write it like 'miR-214-3p', 'mmu-miR-214' or 'let-7a'"
        )
    return parsed


def _as_mirna(name: str | MirnaName) -> MirnaName | None:
    return name if isinstance(name, MirnaName) else get_mirna(name)


def _current_number(p: MirnaName) -> str:
    """Return the locus number miRBase uses today for the name's species (human if none).

    miRBase renames a locus when a second family member appears (hsa-mir-203 became
    hsa-mir-203a when hsa-mir-203b was added), so papers and seeds written before that say
    ``miR-203``. A letterless number that the species lacks, while it has the ``a`` form,
    is read as that ``a`` form.
    """
    if not p.number.isdigit():
        return p.number
    index = _stemloop_index()
    species = p.species or "hsa"
    if (species, p.kind, p.number) not in index and (species, p.kind, p.number + "a") in index:
        return p.number + "a"
    return p.number


def _same_locus(a: MirnaName, b: MirnaName) -> bool:
    return a.kind == b.kind and (a.number == b.number or _current_number(a) == _current_number(b))


def mirna_related(a: str | MirnaName, b: str | MirnaName) -> bool:
    """Return True if ``a`` and ``b`` name the same miRNA locus, whatever arm, species or copy.

    ``miR-214``, ``miR-214-5p``, ``mmu-miR-214-3p`` and ``MIR214`` are related;
    ``miR-26a`` and ``miR-26b`` are not. A name from before miRBase gave the locus a letter
    is related to the ``a`` locus (``miR-203`` and ``miR-203a``, see miRBase's renaming of
    hsa-mir-203). Names that do not parse are related to nothing.
    """
    pa, pb = _as_mirna(a), _as_mirna(b)
    return pa is not None and pb is not None and _same_locus(pa, pb)


def mirna_matches(query: str | MirnaName, name: str | MirnaName, *, unstated_arm: bool = True) -> bool:
    """Return True if a search for ``query`` should find the miRNA ``name``.

    The locus must be the same; every detail the query gives (species, copy, arm) must
    agree with the name where the name gives it too. So ``miR-214`` finds ``miR-214-3p``
    and ``mmu-miR-214-3p``, and ``miR-214-3p`` does not find ``miR-214-5p``.

    Parameters
    ----------
    query, name
        miRNA names (strings or parsed).
    unstated_arm
        Whether a name that states no arm (``miR-214``) matches a query that does
        (``miR-214-3p``); True by default because the source may mean either arm.
    """
    q, n = _as_mirna(query), _as_mirna(name)
    if q is None or n is None or not _same_locus(q, n):
        return False
    if q.species and n.species and q.species != n.species:
        return False
    if q.copy and n.copy and q.copy != n.copy:
        return False
    if q.arm or q.star:
        if n.arm is None and not n.star:
            return unstated_arm
        return (q.arm, q.star) == (n.arm, n.star)
    return True


@functools.cache
def _stemloop_index() -> dict[tuple[str, str, str], list[tuple[str | None, str]]]:
    index: dict[tuple[str, str, str], list[tuple[str | None, str]]] = defaultdict(list)
    for curie, row in _table("mirbase").rows.items():
        p = get_mirna(row[1])
        if p is not None and p.species is not None:
            index[(p.species, p.kind, p.number)].append((p.copy, curie))
    return {k: sorted(v, key=lambda cv: (cv[0] or "", cv[1])) for k, v in index.items()}


def mirna_stemloops(name: str | MirnaName, species: str | None = None) -> list[str]:
    """Return the miRBase stem-loops (``mirbase:MI…``) a miRNA name can come from.

    Parameters
    ----------
    name
        A miRNA name; its own species prefix wins over ``species``.
    species
        Species to use when the name has no prefix (``"mouse"``, ``"mmu"``,
        ``"NCBITaxon:10090"``, ...); human by default.

    Returns
    -------
    list of str
        Every stem-loop of the locus in that species (restricted to the copy if the name
        gives one), e.g. ``miR-26a`` → hsa-mir-26a-1 and hsa-mir-26a-2; a name from before
        miRBase gave the locus a letter finds the ``a`` locus (``miR-203`` →
        hsa-mir-203a); empty if the table has none.

    Raises
    ------
    InvalidInputError
        If ``name`` is not a miRNA name.

    Examples
    --------
    >>> mirna_stemloops("miR-26a")  # hsa-mir-26a-1, hsa-mir-26a-2
    ['mirbase:MI0000083', 'mirbase:MI0000750']
    """
    p = name if isinstance(name, MirnaName) else parse_mirna(name)
    if p.species:
        prefix = p.species
    elif species is None:
        prefix = "hsa"
    elif species.casefold() in _mirbase_species():
        prefix = species.casefold()
    else:
        sp = species_key(species)
        prefix = sp[1] if sp else "hsa"
    number = _current_number(dataclasses.replace(p, species=prefix))
    loops = _stemloop_index().get((prefix, p.kind, number), [])
    return [c for copy, c in loops if p.copy is None or copy == p.copy]


def _mirna_known(p: MirnaName) -> bool:
    species = [p.species] if p.species else sorted(_mirbase_species())
    index = _stemloop_index()
    return any((sp, p.kind, p.number) in index or (sp, p.kind, p.number + "a") in index
               for sp in species)


__all__ = [
    "MirnaName",
    "get_mirna",
    "mirna_matches",
    "mirna_related",
    "mirna_stemloops",
    "parse_mirna",
]
