"""Read Pathway Figure OCR (PFOCR) figure records into gene sets linked to atlas mechanisms.

A PFOCR record is a Markdown file whose YAML front matter (between two ``---`` lines) describes
one pathway figure of a PubMed Central article: its caption, the paper, and the gene symbols
that OCR and named-entity recognition found in the image, listed under
``schema-jsonld.keywords``. Two published layouts exist and both are read:

* the current layout (the seeds of this project): author keywords as one ``|``-separated string
  under ``keywords``, ``organisms`` a list that may be ``[NA]`` with ``organisms_ner`` beside it;
* the older layout: ``organisms`` a plain string (or ``NA``), author keywords possibly a list,
  and often a ``genes:`` block giving, for each symbol, the word read in the image and whether
  it came from expanding a family name (``source: bioentities_symbol``), plus ``chemicals:``.

Parsing is liberal about the shape of optional fields (string or list) and strict about the
two fields the rest of exobone needs: ``figid`` and the gene list. It never writes anything.

References
----------
Hanspers K, Riutta A, Kutmon M, Pico AR. Pathway information extracted from 25 years
of pathway figures. Genome Biol. 2020;21:273. doi:10.1186/s13059-020-02181-2
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from exobone.atlas.ingest._link import (
    FamilyMembers,
    gene_sets,
    link_figure,
    mechanism_genes,
    shared_genes,
)
from exobone.atlas.ingest._normalize import (
    HUMAN_STYLE,
    HYPHENS,
    MIR_LOCUS,
    RODENTS,
    GeneNormalizer,
    SymbolSetNormalizer,
    caption_tokens,
    default_gene_normalizer,
    family_runs,
    normalize_word,
)
from exobone.errors import IngestError

# Values PFOCR writes where a field has no value.
_MISSING = frozenset({"", "na", "n/a", "none", "null", "nan"})


# --------------------------------------------------------------------------------------------
# records


class GeneFlag(str, enum.Enum):
    """What is notable about one gene word of a figure."""

    FAMILY_EXPANSION = "family_expansion"
    """One of a run of family members (WNT1..WNT16, PIK3CA/PIK3CB/...) the caption does not
    name one by one: PFOCR expanded a family word of the image into all its members."""
    NON_HUMAN_SYMBOL = "non_human_symbol"
    """Written as a non-human symbol: mouse/rat style (``Vegfa``) or fly/fish style (``wg``,
    ``Pi3K92E``, ``vegfaa``). Such a word gets a human symbol only through a mouse/rat
    ortholog when the record's organisms include mouse or rat, or when it is the human
    symbol in another case (``stat3``)."""
    UNKNOWN_SYMBOL = "unknown_symbol"
    """The normaliser maps the word to no HGNC gene; the word is kept as written."""
    CHEMICAL = "chemical"
    """The record's ``chemicals`` block lists this word: it is not a gene."""
    IN_CAPTION = "in_caption"
    """The caption or figure title names this gene itself (``VEGF-A`` for VEGFA)."""


@dataclass(frozen=True)
class GeneMention:
    """One entry of a figure's gene list, as written and as normalised.

    Attributes
    ----------
    word
        The entry exactly as listed under ``schema-jsonld.keywords``.
    symbol
        HGNC approved symbol, or ``None`` when the normaliser does not know the word.
    flags
        :class:`GeneFlag` values that apply.
    family
        Family the entry was expanded from (``"WNT"``, ``"PI3K"``), if flagged as expansion.
    ocr_words
        Words read in the image for this symbol, when the record has a ``genes`` block.
    """

    word: str
    symbol: str | None
    flags: frozenset[GeneFlag] = frozenset()
    family: str | None = None
    ocr_words: tuple[str, ...] = ()

    def has(self, flag: GeneFlag) -> bool:
        """Return True if ``flag`` applies to this mention."""
        return flag in self.flags

    def to_dict(self) -> dict[str, Any]:
        """Return the mention as JSON-ready data (flags sorted by value)."""
        return {
            "word": self.word,
            "symbol": self.symbol,
            "flags": sorted(f.value for f in self.flags),
            "family": self.family,
            "ocr_words": list(self.ocr_words),
        }


OrganismSource = Literal["organisms", "organisms_ner", "none"]


@dataclass(frozen=True)
class FigureRecord:
    """A PFOCR pathway figure: where it was published, what it shows, and its genes.

    Attributes
    ----------
    figid
        PFOCR figure id (``PMC9483046__OS-14-1951-g001``).
    pmcid
        PubMed Central id of the article (from ``pmcid``, else the ``figid`` prefix).
    title
        PFOCR figure title (``figtitle``).
    caption
        Figure caption as printed.
    paper_title, doi, year, journal
        The article, as the record states it (``journal`` is the NLM abbreviation if given).
    organisms
        Organisms of the figure: ``organisms`` unless that is ``NA``, then ``organisms_ner``.
    organisms_source
        Which field ``organisms`` came from (``"none"`` if neither has a value).
    author_keywords
        The article's author keywords.
    genes
        Every entry of the gene list, in the record's order.
    source_name
        File name the record was read from (or the name given to :func:`parse_pfocr_text`).
    """

    figid: str
    pmcid: str | None
    title: str | None
    caption: str | None
    paper_title: str | None
    doi: str | None
    year: int | None
    journal: str | None
    organisms: tuple[str, ...]
    organisms_source: OrganismSource
    author_keywords: tuple[str, ...]
    genes: tuple[GeneMention, ...]
    source_name: str = field(default="<string>", compare=False)

    def gene_set(
        self, *, include_expanded: bool = True, include_non_human: bool = True
    ) -> frozenset[str]:
        """Return the HGNC symbols of the figure.

        Parameters
        ----------
        include_expanded
            Keep symbols flagged ``family_expansion`` (members the caption does not name).
        include_non_human
            Keep symbols normalised from mouse/rat or fly/fish spellings.

        Returns
        -------
        frozenset of str
            Normalised symbols; unknown words and chemicals are never included.
        """
        out: set[str] = set()
        for g in self.genes:
            if g.symbol is None or g.has(GeneFlag.CHEMICAL):
                continue
            if not include_expanded and g.has(GeneFlag.FAMILY_EXPANSION):
                continue
            if not include_non_human and g.has(GeneFlag.NON_HUMAN_SYMBOL):
                continue
            out.add(g.symbol)
        return frozenset(out)

    def unknown_words(self) -> tuple[str, ...]:
        """Return the gene-list words no HGNC symbol was found for, in record order."""
        return tuple(g.word for g in self.genes if g.symbol is None)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as JSON-ready data (what the store keeps as the figure's record)."""
        return {
            "figid": self.figid,
            "pmcid": self.pmcid,
            "title": self.title,
            "caption": self.caption,
            "paper_title": self.paper_title,
            "doi": self.doi,
            "year": self.year,
            "journal": self.journal,
            "organisms": list(self.organisms),
            "organisms_source": self.organisms_source,
            "author_keywords": list(self.author_keywords),
            "genes": [g.to_dict() for g in self.genes],
            "source_name": self.source_name,
        }


# --------------------------------------------------------------------------------------------
# parsing


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that reads yes/no/on/off as text: ``NO`` or ``ON`` may be symbols."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _fail(name: str, message: str) -> IngestError:
    return IngestError(f"{name}: {message}")


def _split_front_matter(text: str, name: str) -> tuple[str, int]:
    """Return the front matter text and the file line number of its first line."""
    lines = text.lstrip("\ufeff").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or lines[start].strip() != "---":
        got = lines[start].strip()[:40] if start is not None else "an empty file"
        raise _fail(
            name,
            f"field 'front matter' must open with a '---' line, got {got!r}; "
            "a PFOCR record is YAML between two '---' lines",
        )
    for j in range(start + 1, len(lines)):
        if lines[j].strip() in ("---", "..."):
            return "\n".join(lines[start + 1 : j]), start + 2
    raise _fail(
        name,
        f"field 'front matter' opened with '---' on line {start + 1} is never closed by "
        "another '---' line",
    )


def _load_front_matter(text: str, name: str) -> dict[str, Any]:
    body, first_line = _split_front_matter(text, name)
    try:
        data = yaml.load(body, Loader=_FrontMatterLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + first_line})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise _fail(name, f"field 'front matter' is not valid YAML{where}: {problem}") from exc
    if not isinstance(data, dict):
        raise _fail(
            name, f"field 'front matter' must be a mapping of fields, got {type(data).__name__}"
        )
    return data


def _text(value: Any) -> str | None:
    """Scalar to stripped text; ``None`` for PFOCR's missing-value markers."""
    if value is None or isinstance(value, (list, dict)):
        return None
    s = " ".join(str(value).split())
    return None if s.lower() in _MISSING else s


def _optional_text(data: Mapping[str, Any], key: str, name: str) -> str | None:
    value = data.get(key)
    if isinstance(value, (list, dict)):
        raise _fail(name, f"field {key!r} must be text, got {type(value).__name__}")
    return _text(value)


def _text_list(value: Any, key: str, name: str, *, sep: str | None) -> tuple[str, ...]:
    """Accept a string (split on ``sep``), a list of scalars or nothing; drop NA markers."""
    if value is None:
        return ()
    if isinstance(value, dict):
        raise _fail(name, f"field {key!r} must be a list or a string, got dict")
    items: list[Any] = list(value) if isinstance(value, list) else [value]
    out: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, (list, dict)):
            raise _fail(name, f"field '{key}[{i}]' must be text, got {type(item).__name__}")
        parts = str(item).split(sep) if sep and item is not None else [item]
        for part in parts:
            s = _text(part)
            if s is not None and s not in out:
                out.append(s)
    return tuple(out)


def _organisms(data: Mapping[str, Any], name: str) -> tuple[tuple[str, ...], OrganismSource]:
    listed = _text_list(data.get("organisms"), "organisms", name, sep=None)
    if listed:
        return listed, "organisms"
    ner = _text_list(data.get("organisms_ner"), "organisms_ner", name, sep=None)
    if ner:
        return ner, "organisms_ner"
    return (), "none"


def _year(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get("year")
    s = _text(value)
    if s is None:
        return None
    m = re.match(r"^(\d{4})\b", s)
    if not m:
        raise _fail(name, f"field 'year' must be a four-digit year, got {value!r}")
    return int(m.group(1))


def _journal(data: Mapping[str, Any], name: str) -> str | None:
    for key in ("journal_nlm_ta", "journal_title"):
        found = _optional_text(data, key, name)
        if found:
            return found
    reftext = _text(data.get("reftext"))
    if reftext:  # "Xiuzhi Liu, et al. Orthop Surg. 2022 Sep;14(9):1951-1957."
        m = re.search(r"et al\.\s+(.+?)\.\s+\d{4}", reftext)
        if m:
            return m.group(1)
    return None


def _gene_words(data: Mapping[str, Any], name: str) -> list[str]:
    key = "schema-jsonld.keywords"
    block = data.get("schema-jsonld")
    if not isinstance(block, dict):
        got = "nothing" if block is None else type(block).__name__
        raise _fail(
            name,
            f"field 'schema-jsonld' must be a mapping holding the gene list 'keywords', got {got}",
        )
    if "keywords" not in block:
        raise _fail(name, f"field {key!r} is missing: a PFOCR record lists its genes there")
    value = block["keywords"]
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(
            name, f"field {key!r} must be a list of gene symbols, got {type(value).__name__}"
        )
    words: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, (list, dict)) or item is None:
            got = "nothing" if item is None else type(item).__name__
            raise _fail(name, f"field '{key}[{i}]' must be a gene symbol, got {got}")
        words.append(str(item).strip())
    return words


@dataclass(frozen=True)
class _GenesBlockEntry:
    word: str
    symbol: str | None
    source: str | None
    hgnc_symbol: str | None


def _genes_block(data: Mapping[str, Any], name: str) -> list[_GenesBlockEntry]:
    """The older layout's ``genes:`` list of {word, symbol, source, hgnc_symbol}; optional."""
    value = data.get("genes")
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(
            name, f"field 'genes' must be a list of gene entries, got {type(value).__name__}"
        )
    out: list[_GenesBlockEntry] = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise _fail(
                name,
                f"field 'genes[{i}]' must be a mapping with 'word' and 'hgnc_symbol', got {type(item).__name__}",
            )
        out.append(
            _GenesBlockEntry(
                word=str(item.get("word", "")).strip(),
                symbol=_text(item.get("symbol")),
                source=_text(item.get("source")),
                hgnc_symbol=_text(item.get("hgnc_symbol")),
            )
        )
    return out


def _chemical_words(data: Mapping[str, Any], name: str) -> set[str]:
    value = data.get("chemicals")
    if not isinstance(value, list):
        return set()
    return {str(c.get("word", "")).strip().lower() for c in value if isinstance(c, dict)}


def _case_flags(word: str) -> set[GeneFlag]:
    if HUMAN_STYLE.match(word):
        return set()
    return {GeneFlag.NON_HUMAN_SYMBOL}


def _mentions(
    words: Sequence[str],
    block: Sequence[_GenesBlockEntry],
    chemicals: set[str],
    caption_tokens: set[str],
    normalizer: GeneNormalizer,
    rodents: bool,
) -> tuple[GeneMention, ...]:
    by_hgnc: dict[str, list[_GenesBlockEntry]] = {}
    for entry in block:
        if entry.hgnc_symbol:
            by_hgnc.setdefault(entry.hgnc_symbol.upper(), []).append(entry)
    symbols = [normalize_word(w, normalizer, rodents) for w in words]
    keys = [(s or HYPHENS.sub("", w).upper()) or None for w, s in zip(words, symbols, strict=True)]
    runs = family_runs(keys)
    out: list[GeneMention] = []
    for i, (word, symbol) in enumerate(zip(words, symbols, strict=True)):
        flags = _case_flags(word)
        if symbol is None:
            flags.add(GeneFlag.UNKNOWN_SYMBOL)
        if word.lower() in chemicals:
            flags.add(GeneFlag.CHEMICAL)
        key = keys[i] or ""
        named = key in caption_tokens or word.upper() in caption_tokens
        locus = MIR_LOCUS.match(key)
        if not named and locus:  # caption miR-26a names locus MIR26A1, miR-9 names MIR9-1
            named = (locus.group(1) or locus.group(2)) in caption_tokens
        if named:
            flags.add(GeneFlag.IN_CAPTION)
        entries = by_hgnc.get(word.upper(), []) if not flags & {GeneFlag.NON_HUMAN_SYMBOL} else []
        family: str | None = None
        # The older layout says outright which symbols came from expanding a family word.
        for e in entries:
            if (
                e.source
                and "bioentities" in e.source
                and e.symbol
                and e.symbol.upper() != word.upper()
            ):
                family = e.symbol
        if family is None and i in runs:
            family = runs[i]
        if family is not None and not named:
            flags.add(GeneFlag.FAMILY_EXPANSION)
        else:
            family = None
        ocr = tuple(dict.fromkeys(e.word for e in entries if e.word))
        out.append(GeneMention(word, symbol, frozenset(flags), family, ocr))
    return tuple(out)


def parse_pfocr_text(
    text: str, *, name: str = "<string>", normalizer: GeneNormalizer | None = None
) -> FigureRecord:
    """Parse the text of one PFOCR figure record.

    Parameters
    ----------
    text
        The whole record: YAML front matter between ``---`` lines, optionally a Markdown body.
    name
        Name used in error messages and kept as ``source_name``.
    normalizer
        Maps gene words to HGNC symbols; defaults to :func:`default_gene_normalizer`.

    Returns
    -------
    FigureRecord

    Raises
    ------
    IngestError
        If the front matter is missing or not YAML, ``figid`` is missing, or the gene list
        (``schema-jsonld.keywords``) is missing or not a list; the message names the field.

    Examples
    --------
    >>> rec = parse_pfocr_text('''---
    ... figid: PMC1__F1
    ... organisms: NA
    ... organisms_ner: [Homo sapiens]
    ... caption: Wnt signalling
    ... schema-jsonld:
    ...   keywords: [WNT1, WNT2, WNT3A, CTNNB1]
    ... ---''', normalizer=SymbolSetNormalizer(frozenset({"WNT1", "WNT2", "WNT3A", "CTNNB1"})))
    >>> rec.organisms, rec.organisms_source
    (('Homo sapiens',), 'organisms_ner')
    >>> [g.family for g in rec.genes]
    ['WNT', 'WNT', 'WNT', None]
    """
    data = _load_front_matter(text, name)
    figid = _text(data.get("figid"))
    if figid is None:
        raise _fail(name, "field 'figid' is missing or empty: every PFOCR record has a figure id")
    words = _gene_words(data, name)
    norm = normalizer if normalizer is not None else default_gene_normalizer()
    pmcid = _optional_text(data, "pmcid", name)
    if pmcid is None:
        m = re.match(r"^(PMC\d+)__", figid)
        pmcid = m.group(1) if m else None
    title = _optional_text(data, "figtitle", name)
    caption = _optional_text(data, "caption", name)
    organisms, organisms_source = _organisms(data, name)
    rodents = organisms_source == "none" or bool(set(organisms) & RODENTS)
    return FigureRecord(
        figid=figid,
        pmcid=pmcid,
        title=title,
        caption=caption,
        paper_title=_optional_text(data, "papertitle", name),
        doi=_optional_text(data, "doi", name),
        year=_year(data, name),
        journal=_journal(data, name),
        organisms=organisms,
        organisms_source=organisms_source,
        author_keywords=_text_list(data.get("keywords"), "keywords", name, sep="|"),
        genes=_mentions(
            words,
            _genes_block(data, name),
            _chemical_words(data, name),
            caption_tokens(caption, title),
            norm,
            rodents,
        ),
        source_name=name,
    )


def parse_pfocr(path: str | Path, *, normalizer: GeneNormalizer | None = None) -> FigureRecord:
    """Read one PFOCR figure record file; nothing is written.

    Parameters
    ----------
    path
        A ``.md`` (or ``.txt``) file whose YAML front matter is a PFOCR record.
    normalizer
        Maps gene words to HGNC symbols; defaults to :func:`default_gene_normalizer`.

    Returns
    -------
    FigureRecord

    Raises
    ------
    IngestError
        If the file cannot be read or is malformed; the message names the file and the field,
        e.g. ``broken.md: field 'schema-jsonld.keywords' must be a list of gene symbols, got int``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path.name, f"cannot be read as UTF-8 text ({exc})") from exc
    return parse_pfocr_text(text, name=path.name, normalizer=normalizer)


def parse_pfocr_many(
    paths: Iterable[str | Path], *, normalizer: GeneNormalizer | None = None
) -> list[FigureRecord]:
    """Read several PFOCR records, reporting every malformed file at once.

    Raises
    ------
    IngestError
        Listing one line per malformed file; no record is returned if any file is malformed.
    """
    norm = normalizer if normalizer is not None else default_gene_normalizer()
    records: list[FigureRecord] = []
    problems: list[str] = []
    for p in paths:
        try:
            records.append(parse_pfocr(p, normalizer=norm))
        except IngestError as exc:
            problems.append(str(exc))
    if problems:
        raise IngestError(
            f"{len(problems)} malformed PFOCR record(s):\n  - " + "\n  - ".join(problems)
        )
    return records


__all__ = [
    "FamilyMembers",
    "FigureRecord",
    "GeneFlag",
    "GeneMention",
    "GeneNormalizer",
    "SymbolSetNormalizer",
    "default_gene_normalizer",
    "gene_sets",
    "link_figure",
    "mechanism_genes",
    "parse_pfocr",
    "parse_pfocr_many",
    "parse_pfocr_text",
    "shared_genes",
]
