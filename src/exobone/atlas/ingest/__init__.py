"""Registry of the input formats exobone can ingest, one module per format.

Every format registers one parse function under its name. Parsing never writes anything: it
returns records, and the store decides what to keep. To add a format, write a module with a
parse function ``parse(path, *, normalizer=None) -> record`` and register it here with
:func:`register_format`, as ``pfocr`` is below.

Examples
--------
>>> from exobone.atlas.ingest import FORMATS, require_format
>>> sorted(FORMATS)
['pfocr']
>>> require_format("pfocr").suffixes
('.md', '.txt', '.yaml', '.yml')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exobone.atlas.ingest import pfocr as _pfocr
from exobone.errors import DuplicateRegistrationError, unknown_name

Parser = Callable[..., Any]


@dataclass(frozen=True)
class IngestFormat:
    """An input format: its name, what it is, the file suffixes it reads and its parser."""

    name: str
    summary: str
    suffixes: tuple[str, ...]
    parse: Parser


FORMATS: dict[str, IngestFormat] = {}


def register_format(
    name: str, *, summary: str, suffixes: tuple[str, ...]
) -> Callable[[Parser], Parser]:
    """Register ``parse`` as the parser of the input format ``name``.

    Parameters
    ----------
    name
        Format name used on the command line and in :func:`parse_file` (``"pfocr"``).
    summary
        One line saying what the format is.
    suffixes
        File suffixes the format is usually stored with, lower case, with the dot.

    Returns
    -------
    Callable
        A decorator that registers the parse function and returns it unchanged.

    Raises
    ------
    DuplicateRegistrationError
        If another parser already holds ``name``.
    """

    def add(parse: Parser) -> Parser:
        if name in FORMATS:
            owner = FORMATS[name].parse.__module__
            raise DuplicateRegistrationError(
                f"ingest format {name!r} is already registered by {owner}"
            )
        FORMATS[name] = IngestFormat(name=name, summary=summary, suffixes=suffixes, parse=parse)
        return parse

    return add


def get_format(name: str) -> IngestFormat | None:
    """Return the registered format ``name``, or ``None`` if there is none."""
    return FORMATS.get(name)


def require_format(name: str) -> IngestFormat:
    """Return the registered format ``name``.

    Raises
    ------
    UnknownNameError
        Naming the known formats and the closest match.
    """
    found = FORMATS.get(name)
    if found is None:
        raise unknown_name("ingest format", name, FORMATS)
    return found


def parse_file(path: str | Path, *, fmt: str = "pfocr", **options: Any) -> Any:
    """Parse one input file with the parser of format ``fmt``; nothing is written.

    Parameters
    ----------
    path
        The file to read.
    fmt
        A registered format name (see :data:`FORMATS`).
    **options
        Passed to the format's parser (for ``pfocr``: ``normalizer``).

    Returns
    -------
    Any
        The format's record type (for ``pfocr``: :class:`~exobone.atlas.ingest.pfocr.FigureRecord`).

    Raises
    ------
    UnknownNameError
        If ``fmt`` is not registered.
    IngestError
        If the file is malformed; the message names the file and the field.
    """
    return require_format(fmt).parse(Path(path), **options)


# Registration happens here, explicitly, rather than by walking the package.
register_format(
    "pfocr",
    summary="Pathway Figure OCR figure record (Markdown with YAML front matter)",
    suffixes=(".md", ".txt", ".yaml", ".yml"),
)(_pfocr.parse_pfocr)

__all__ = [
    "FORMATS",
    "IngestFormat",
    "Parser",
    "get_format",
    "parse_file",
    "register_format",
    "require_format",
]
