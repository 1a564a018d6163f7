"""Over-representation analysis of a gene/miRNA list against atlas-derived sets.

Each input name is **one observation**, named by one item: its HGNC symbol, or its miRNA name
without species (``hsa-miR-214-3p`` and ``mmu-miR-214-3p`` are the same observation). It counts
at most once per set, however many of the set's members it matches: ``miR-214-3p`` against a
set holding both ``miR-214`` and ``miR-214-3p`` is one hit, not two.

For each set S the p-value is the hypergeometric upper tail P(X >= k), X ~ Hypergeom(N, K, n)
(:func:`scipy.stats.hypergeom.sf` at ``k - 1``), where all four count universe items:

- the **universe** U has N items: by default the union of the members of all sets and the
  items of the matched input names (so an input that the atlas does not know still counts
  towards n instead of vanishing); a custom ``universe`` replaces it, and inputs and members
  outside it are then left out (inputs so dropped are reported);
- the set's **region** is the universe items that count as a hit on one of its members (a
  gene: itself; a miRNA: every universe miRNA that matches it arm-aware, see below);
  K = |region|, n = the number of universe items the input list names, k = |region ∩ input|.

P-values are corrected for the number of sets tested with Benjamini–Hochberg
(:func:`scipy.stats.false_discovery_control`).

Input names are resolved with :func:`exobone.atlas.vocab.normalize_list`: gene symbols,
aliases and mouse/rat symbols become HGNC symbols; miRNA names are matched arm- and
species-aware against the miRNA members (``hsa-miR-214-3p`` counts as a hit on the member
``miR-214-3p`` and on an arm-less ``miR-214``, never on ``miR-214-5p``). Names that resolve to
nothing, or to several genes, are reported back, never dropped silently.

References
----------
Benjamini Y, Hochberg Y. Controlling the false discovery rate: a practical and powerful
approach to multiple testing. J R Stat Soc B. 1995;57:289-300.
doi:10.1111/j.2517-6161.1995.tb02031.x
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import false_discovery_control, hypergeom

from exobone.atlas.genesets import GeneSet
from exobone.atlas.vocab import MirnaName, get_mirna, mirna_matches, normalize_list
from exobone.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]

UNIVERSE_RULE = "union of all set members and your matched names"
# How the input is counted, said with every result (one name, one observation).
COUNTING_RULE = "each name counts once per set, however many of its members it matches"

# A chosen bound (an assumption, not a measured quantity): every request is bounded before work
# starts. It fits a whole-genome list: the shipped HGNC table has 19,281 protein-coding genes
# and 1,912 miRNA genes. A 25,000-name list enriches in about 2 s once the vocabulary is loaded
# (docs/atlas.md); a longer one is refused with one line, never left to run.
MAX_LIST_NAMES = 25_000
# The list file is bounded too, so reading it cannot take the memory: 16 MiB holds 25,000
# names hundreds of times over (a chosen bound, like the one above).
MAX_LIST_BYTES = 16 * 2**20


@dataclass(frozen=True)
class SetEnrichment:
    """The test of one set: sizes, overlap, p-value and BH q-value."""

    name: str
    kind: str
    label: str
    size: int  # K: universe items that count as a hit on the set (module docstring)
    overlap: int  # k: your names that hit it, each once
    hits: tuple[str, ...]
    p_value: float
    q_value: float
    fold: float

    def to_dict(self) -> dict[str, object]:
        """Return the row as JSON-ready data."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class EnrichmentResult:
    """All sets tested, sorted by p-value, with how the input list was read.

    Attributes
    ----------
    sets
        One :class:`SetEnrichment` per set with at least one member in the universe.
    query
        Universe items named by the input list (n = ``len(query)``).
    mapped
        Each matched input name and the universe items it counts as.
    unmatched
        Input names that name no gene or miRNA.
    ambiguous
        Input names shared by several genes, with the candidate symbols.
    outside_universe
        Matched input names left out because a custom universe does not hold them.
    universe_size
        N.
    universe_rule
        How the universe was defined.
    counting_rule
        How an input name counts (:data:`COUNTING_RULE`).
    """

    sets: tuple[SetEnrichment, ...]
    query: tuple[str, ...]
    mapped: Mapping[str, tuple[str, ...]]
    unmatched: tuple[str, ...]
    ambiguous: Mapping[str, tuple[str, ...]]
    outside_universe: tuple[str, ...]
    universe_size: int
    universe_rule: str
    counting_rule: str = COUNTING_RULE

    def significant(self, q_max: float = 0.05) -> list[SetEnrichment]:
        """Return the sets with ``q_value <= q_max`` and at least one hit."""
        return [s for s in self.sets if s.overlap and s.q_value <= q_max]

    def to_dict(self) -> dict[str, object]:
        """Return the result as JSON-ready data."""
        return {
            "sets": [s.to_dict() for s in self.sets],
            "query": list(self.query),
            "mapped": {k: list(v) for k, v in self.mapped.items()},
            "unmatched": list(self.unmatched),
            "ambiguous": {k: list(v) for k, v in self.ambiguous.items()},
            "outside_universe": list(self.outside_universe),
            "universe_size": self.universe_size,
            "universe_rule": self.universe_rule,
            "counting_rule": self.counting_rule,
        }


def benjamini_hochberg(p_values: Sequence[float] | FloatArray) -> FloatArray:
    """Return Benjamini–Hochberg adjusted p-values (q-values), in input order.

    q_(i) = min over j >= i of p_(j) * m / j, capped at 1, for p sorted ascending
    (:func:`scipy.stats.false_discovery_control` with ``method="bh"``).

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:  # SciPy refuses an empty array; no test, no correction
        return p.copy()
    return np.asarray(false_discovery_control(p, method="bh"), dtype=float)


def hypergeometric_p(k: int, population: int, successes: int, draws: int) -> float:
    """Return P(X >= k) for X ~ Hypergeom(population, successes, draws); 1.0 if k <= 0."""
    if k <= 0:
        return 1.0
    return float(hypergeom.sf(k - 1, population, successes, draws))


def check_list_length(names: Sequence[str]) -> None:
    """Refuse a list of more than :data:`MAX_LIST_NAMES` names before any work on it."""
    if len(names) > MAX_LIST_NAMES:
        raise InvalidInputError(
            f"the gene/miRNA list has {len(names):,} names; at most {MAX_LIST_NAMES:,} are "
            "accepted (a whole genome fits): give the hits, not every measured gene"
        )


def _strip_species(m: MirnaName) -> str:
    return dataclasses.replace(m, species=None).canonical


def _hit_regions(universe: set[str]) -> Callable[[str], frozenset[str]]:
    """Return, for a set member, the universe items that count as a hit on it.

    A gene member is hit by itself only. A miRNA member is hit by every universe miRNA that
    :func:`~exobone.atlas.vocab.mirna_matches` it, species ignored: the member ``miR-214``
    by ``miR-214``, ``miR-214-3p`` and ``miR-214-5p``; the member ``miR-214-3p`` by
    ``miR-214-3p`` and ``miR-214`` (arm not stated), never by ``miR-214-5p``. A set's region
    is the union over its members, so an item counts once per set however many of the set's
    members it matches: K, k, n and N all count universe items, as the hypergeometric
    model needs (k <= K, n <= N).
    """
    mirnas = [(u, dataclasses.replace(p, species=None)) for u in universe if (p := get_mirna(u))]

    @functools.cache
    def counts_on(member: str) -> frozenset[str]:
        parsed = get_mirna(member)
        if parsed is None:
            return frozenset({member} & universe)
        bare = dataclasses.replace(parsed, species=None)
        region = {u for u, pu in mirnas if mirna_matches(pu, bare)}
        return frozenset(region | ({member} & universe))

    return counts_on


def _as_sets(sets: Sequence[GeneSet] | Mapping[str, Iterable[str]]) -> list[GeneSet]:
    if isinstance(sets, Mapping):
        return [
            GeneSet(name=k, kind="custom", label=k, members=tuple(sorted(set(v))))
            for k, v in sets.items()
        ]
    return list(sets)


def enrich(
    words: Iterable[str],
    sets: Sequence[GeneSet] | Mapping[str, Iterable[str]],
    *,
    universe: Iterable[str] | None = None,
) -> EnrichmentResult:
    """Test a gene/miRNA list for over-representation in each set.

    Parameters
    ----------
    words
        The user's names (gene symbols, aliases, mouse/rat symbols, miRNA names).
    sets
        :class:`~exobone.atlas.genesets.GeneSet` objects (``Store.gene_sets()``,
        ``atlas_gene_sets(atlas)``) or a mapping of set name to members.
    universe
        Background names; by default the union of all set members plus the matched inputs
        that are in no set (see the module docstring).

    Returns
    -------
    EnrichmentResult
        Every set with a member in the universe, sorted by p-value then name.

    Raises
    ------
    InvalidInputError
        If ``words`` holds no name or more than :data:`MAX_LIST_NAMES`, or there are no sets
        to test.

    Examples
    --------
    >>> sets = {"osteoclast cargo": ["miR-214-3p", "miR-31"], "wnt": ["SOST", "DKK1", "CTNNB1"]}
    >>> result = enrich(["Sost", "Dkk1", "NOTAGENE"], sets)
    >>> result.sets[0].name, result.sets[0].overlap, result.unmatched
    ('wnt', 2, ('NOTAGENE',))
    """
    names = [w.strip() for w in words if w and w.strip()]
    if not names:
        raise InvalidInputError(
            "empty gene/miRNA list: give at least one name (one per line, or comma/space separated)"
        )
    check_list_length(names)
    gene_sets = [s for s in _as_sets(sets)]
    if not gene_sets:
        raise InvalidInputError("no gene sets to test against; build the atlas store first")

    members: set[str] = {m for s in gene_sets for m in s.members}
    normalized = normalize_list(names)

    # Each input is one observation, named by one item: its HGNC symbol, or its miRNA name
    # without species (hsa-miR-214-3p and mmu-miR-214-3p are the same observation).
    mapped: dict[str, tuple[str, ...]] = {w: (ref.symbol,) for w, ref in normalized.genes.items()}
    mapped.update({w: (_strip_species(mir),) for w, mir in normalized.mirnas.items()})

    if universe is None:
        universe_set = members | {items[0] for items in mapped.values()}
        rule = UNIVERSE_RULE
        outside: tuple[str, ...] = ()
    else:
        universe_set = {u.strip() for u in universe if u and u.strip()}
        if not universe_set:
            raise InvalidInputError("the custom universe is empty; give at least one name")
        rule = f"custom universe of {len(universe_set)} names"
        outside = tuple(w for w, items in mapped.items() if items[0] not in universe_set)
        mapped = {w: items for w, items in mapped.items() if w not in outside}
    query = tuple(sorted({items[0] for items in mapped.values()}))
    query_set = set(query)
    n_universe, n_query = len(universe_set), len(query)
    counts_on = _hit_regions(universe_set)

    tested: list[tuple[GeneSet, int, tuple[str, ...], float]] = []
    for s in gene_sets:
        region = set().union(*(counts_on(m) for m in s.members))
        if not region:
            continue
        hits = tuple(sorted(region & query_set))
        p = hypergeometric_p(len(hits), n_universe, len(region), n_query)
        tested.append((s, len(region), hits, p))
    q_values = benjamini_hochberg(np.array([t[3] for t in tested], dtype=float))
    rows = [
        SetEnrichment(
            name=s.name,
            kind=s.kind,
            label=s.label,
            size=size,
            overlap=len(hits),
            hits=hits,
            p_value=p,
            q_value=float(q),
            fold=(len(hits) / n_query) / (size / n_universe) if n_query and size else 0.0,
        )
        for (s, size, hits, p), q in zip(tested, q_values, strict=True)
    ]
    rows.sort(key=lambda r: (r.p_value, -r.overlap, r.name))
    return EnrichmentResult(
        sets=tuple(rows),
        query=query,
        mapped=mapped,
        unmatched=normalized.unmatched,
        ambiguous={w: tuple(g.symbol for g in refs) for w, refs in normalized.ambiguous.items()},
        outside_universe=outside,
        universe_size=n_universe,
        universe_rule=rule,
    )


def read_names(text: str) -> list[str]:
    """Split a gene/miRNA list file: one name per line, or separated by commas, tabs or spaces.

    Lines starting with ``#`` are comments.
    """
    out: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        out.extend(w for w in line.replace(",", " ").replace(";", " ").split() if w)
    return out


__all__ = [
    "COUNTING_RULE",
    "MAX_LIST_BYTES",
    "MAX_LIST_NAMES",
    "UNIVERSE_RULE",
    "EnrichmentResult",
    "SetEnrichment",
    "benjamini_hochberg",
    "check_list_length",
    "enrich",
    "hypergeometric_p",
    "read_names",
]
