"""Check curated quotes against the seed documents they name.

A quote is verbatim when each of its segments occurs in the seed file, in order, with
whitespace ignored (the seeds break sentences across lines and pages). Segments are separated
by the elision mark ``…`` (U+2026), used where a page header interrupts a sentence or where
the curator skipped part of it. ``is_verbatim()`` answers, ``check_quotes()`` raises.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from exobone.atlas.curation import Atlas
from exobone.errors import CurationError

ELLIPSIS = "…"
_WS = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _WS.sub("", text)


def find_seed_dir(start: Path | None = None) -> Path | None:
    """Locate the seed documents: ``$EXOBONE_SEEDS``, else a ``shared/seeds`` beside a parent."""
    env = os.environ.get("EXOBONE_SEEDS")
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for parent in [here, *here.parents, *Path(__file__).resolve().parents]:
        cand = parent / "shared" / "seeds"
        if cand.is_dir():
            return cand
        cand = parent.parent / "shared" / "seeds"
        if cand.is_dir():
            return cand
    return None


def is_verbatim(quote: str, seed_text: str) -> bool:
    """Return True if every ``…``-separated segment of ``quote`` occurs in order in the seed."""
    hay = _squash(seed_text)
    pos = 0
    for seg in (s for s in quote.split(ELLIPSIS)):
        needle = _squash(seg)
        if not needle:
            continue
        found = hay.find(needle, pos)
        if found < 0:
            return False
        pos = found + len(needle)
    return True


def _quotes(atlas: Atlas) -> Iterator[tuple[str, str, str]]:
    for m in atlas.mechanisms.values():
        for ev in m.evidence:
            yield m.id, ev.read_in, ev.quote
    for e in atlas.experiments.values():
        yield e.id, e.read_in, e.quote
    for f in atlas.facts.values():
        for ev in f.evidence:
            yield f.id, ev.read_in, ev.quote


def quote_problems(atlas: Atlas, seed_dir: Path) -> list[str]:
    """List every quote that is not verbatim in its seed and every seed whose checksum differs."""
    problems: list[str] = []
    texts: dict[str, str] = {}
    for name, seed in atlas.seeds.items():
        path = seed_dir / name
        if not path.exists():
            problems.append(f"seed file {name} not found in {seed_dir}")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != seed.sha256:
            problems.append(f"seed file {name} differs from the version curated (sha256 mismatch)")
        texts[name] = data.decode("utf-8")
    for owner, read_in, quote in _quotes(atlas):
        text = texts.get(read_in)
        if text is None:
            continue
        if not is_verbatim(quote, text):
            short = quote if len(quote) <= 60 else quote[:57] + "..."
            problems.append(f"{owner}: quote not found verbatim in {read_in}: {short!r}")
    return problems


def check_quotes(atlas: Atlas, seed_dir: Path) -> None:
    """Raise :class:`CurationError` listing every quote that is not verbatim in its seed."""
    problems = quote_problems(atlas, seed_dir)
    if problems:
        raise CurationError(problems)
