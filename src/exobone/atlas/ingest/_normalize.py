"""Gene-word normalisation for figure ingestion: HGNC lookup, spelling styles, family runs.

Shared by the ingest formats; the public names are re-exported by
:mod:`exobone.atlas.ingest.pfocr`. No gene table lives here: symbols are resolved by the
vocabulary (:func:`exobone.atlas.vocab.normalize_gene`) or by a set the caller provides.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from exobone.atlas.vocab import normalize_gene
from exobone.errors import UnknownIdentifierError

# Hyphen-like characters captions use inside names (VEGF-A, miR‐26a): ASCII, U+2010, U+2011, U+2013.
HYPHENS = re.compile(r"[-\u2010\u2011\u2013]")
_CAPTION_TOKEN = re.compile(
    r"[A-Za-z0-9\u03b1-\u03c9]+(?:[-\u2010\u2011\u2013][A-Za-z0-9\u03b1-\u03c9]+)*"
)
# HGNC symbols are upper case, digits and hyphens, except the "C1orf112" open reading frames.
HUMAN_STYLE = re.compile(r"^(?:[A-Z0-9][A-Z0-9\-_.@]*|C\d+orf\d+[A-Z0-9\-]*)$")
# Mouse and rat (MGI/RGD) symbols: one capital, then lower case and digits ("Vegfa", "Mir141").
RODENT_STYLE = re.compile(r"^[A-Z][a-z0-9]*[a-z][a-z0-9\-]*$")
# HGNC miRNA loci: MIR26A1 (stem MIR26A + copy number), MIR9-1 (stem MIR9 + "-" copy number).
MIR_LOCUS = re.compile(r"^(MIR\d+[A-Z]+)\d+$|^(MIR[0-9A-Z]+)-\d+$")
RODENTS = frozenset({"Mus musculus", "Rattus norvegicus"})
_MIN_FAMILY_RUN = 3
_MIN_FAMILY_PREFIX = 3


# --------------------------------------------------------------------------------------------
# gene normalisation


class GeneNormalizer(Protocol):
    """Map a gene word to its HGNC approved symbol, or ``None`` if it is not a known gene.

    Implementations must accept HGNC symbols and may accept aliases, previous symbols and
    mouse/rat symbols (mapped to the human ortholog).
    """

    def __call__(self, word: str, /) -> str | None:
        """Return the HGNC approved symbol for ``word``, or ``None``."""
        ...


@dataclass(frozen=True)
class SymbolSetNormalizer:
    """A normaliser over a given set of symbols: upper-case the word and look it up.

    Parameters
    ----------
    known
        HGNC symbols to accept. ``None`` accepts every word already written in HGNC style
        (upper case, digits, hyphens), which cannot tell a real symbol from OCR noise and maps
        no mouse, rat, fly or fish symbol: the vocabulary (the default) does both.

    Examples
    --------
    >>> norm = SymbolSetNormalizer(frozenset({"VEGFA", "STAT3"}))
    >>> norm("Vegfa"), norm("VEGF-A"), norm("wg")
    ('VEGFA', 'VEGFA', None)
    """

    known: frozenset[str] | None = None

    def __call__(self, word: str, /) -> str | None:
        """Return the upper-cased word (hyphens dropped if needed) if it is a known symbol."""
        word = word.strip()
        if not word:
            return None
        if self.known is None:
            return word if HUMAN_STYLE.match(word) else None
        for candidate in (word.upper(), HYPHENS.sub("", word).upper()):
            if candidate in self.known:
                return candidate
        return None


def vocabulary_gene_symbol(word: str, /) -> str | None:
    """The HGNC symbol the vocabulary gives a gene word (alias, mouse/rat symbol), or ``None``.

    ``None`` also for a word shared by several genes: an ambiguous word names no gene here.
    """
    try:
        ref = normalize_gene(word)
    except (UnknownIdentifierError, ValueError):
        return None
    return ref.symbol if ref is not None else None


def default_gene_normalizer() -> GeneNormalizer:
    """Return the vocabulary's gene normaliser (:func:`exobone.atlas.vocab.normalize_gene`).

    It maps HGNC symbols, aliases, previous symbols and mouse/rat symbols to HGNC.
    """
    return vocabulary_gene_symbol


def caption_tokens(*texts: str | None) -> set[str]:
    """Upper-cased name tokens of caption text, whole and split at hyphens, hyphens removed."""
    tokens: set[str] = set()
    for text in texts:
        for tok in _CAPTION_TOKEN.findall(text or ""):
            parts = [p.upper() for p in HYPHENS.split(tok)]
            # every run of consecutive parts: miR-26a-CD34 gives MIR26A, CD34, MIR26ACD34, ...
            for a in range(len(parts)):
                for b in range(a + 1, len(parts) + 1):
                    tokens.add("".join(parts[a:b]))
    return tokens


def _family_label(prefix: str, keys: Sequence[str]) -> str:
    """Drop a trailing number the members continue (MAPK1 of MAPK1/MAPK11 -> MAPK)."""
    if (
        prefix
        and prefix[-1].isdigit()
        and any(len(k) == len(prefix) or k[len(prefix)].isdigit() for k in keys)
    ):
        return prefix.rstrip("0123456789")
    return prefix


def family_runs(keys: Sequence[str | None]) -> dict[int, str]:
    """Index -> family label for entries in runs of >= 3 consecutive keys sharing a prefix."""
    found: dict[int, str] = {}
    i = 0
    while i < len(keys):
        if keys[i] is None:
            i += 1
            continue
        j = i + 1
        prefix = keys[i] or ""
        while j < len(keys) and keys[j] is not None:
            nxt = os.path.commonprefix([prefix, keys[j] or ""])
            if len(nxt) < _MIN_FAMILY_PREFIX:
                break
            prefix = nxt
            j += 1
        run = [k for k in keys[i:j] if k is not None]
        label = _family_label(prefix, run)
        if j - i >= _MIN_FAMILY_RUN and len(label) >= _MIN_FAMILY_PREFIX - 1:
            found.update({k: label for k in range(i, j)})
            i = j
        else:
            i += 1
    return found


def fold(word: str) -> str:
    return HYPHENS.sub("", word).casefold()


def normalize_word(word: str, normalizer: GeneNormalizer, rodents: bool) -> str | None:
    """Normalise one word, refusing ortholog mappings a non-mammal spelling cannot carry.

    A word in HGNC style is normalised as it is. A mouse/rat-style word (``Vegfa``) is
    mapped through the normaliser's orthologs only when the record's organisms include mouse
    or rat (or name none). Any other non-human word -- a fly or fish symbol such as ``Scr``
    or ``phm`` in a Drosophila figure -- keeps a symbol only if it is the same letters as the
    HGNC symbol (``stat3`` -> STAT3, ``Wnt4`` -> WNT4): a mouse synonym that happens to equal
    a fly gene name (fly ``Scr`` vs mouse ``Scr`` = FBXL20) must not become a human gene.
    """
    symbol = normalizer(word)
    if symbol is None or HUMAN_STYLE.match(word):
        return symbol
    if rodents and RODENT_STYLE.match(word):
        return symbol
    return symbol if fold(symbol) == fold(word) else None
