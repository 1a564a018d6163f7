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


# The seed documents are not in the git repository: they live in the project's `shared/`
# folder (seeds/ beside reference/), kept next to the checkout. These point at them.
SEEDS_ENV = "EXOBONE_SEEDS"  # the seeds folder itself
SHARED_ENV = "EXOBONE_SHARED"  # the shared/ folder holding seeds/ and reference/
_PACKAGE_DIR = Path(__file__).resolve().parent


def seed_dir_candidates(start: Path | None = None) -> list[Path]:
    """Where the seeds are looked for without a variable: ``shared/seeds`` in ``start`` (the
    working directory by default) or a folder above it, then beside the package or above it."""
    here = (start or Path.cwd()).resolve()
    out: list[Path] = []
    for parent in [here, *here.parents, _PACKAGE_DIR, *_PACKAGE_DIR.parents]:
        cand = parent / "shared" / "seeds"
        if cand not in out:
            out.append(cand)
    return out


def find_seed_dir(start: Path | None = None) -> Path | None:
    """Locate the seed documents: ``$EXOBONE_SEEDS``, else ``$EXOBONE_SHARED/seeds``, else the
    first of :func:`seed_dir_candidates` that exists; None if none is a folder."""
    if env := os.environ.get(SEEDS_ENV):
        return Path(env) if Path(env).is_dir() else None
    if shared := os.environ.get(SHARED_ENV):
        return Path(shared) / "seeds" if (Path(shared) / "seeds").is_dir() else None
    return next((c for c in seed_dir_candidates(start) if c.is_dir()), None)


def missing_seeds_message(start: Path | None = None) -> str:
    """One line: where the seeds were looked for and how to point at them."""
    if env := os.environ.get(SEEDS_ENV):
        where = f"${SEEDS_ENV}={env} is not a folder"
    elif shared := os.environ.get(SHARED_ENV):
        where = f"${SHARED_ENV}={shared} holds no seeds/ folder"
    else:
        here = (start or Path.cwd()).resolve()
        where = (
            f"${SEEDS_ENV} and ${SHARED_ENV} are unset and no shared/seeds folder is in {here} "
            f"or a folder above it, nor in {_PACKAGE_DIR} or above"
        )
    return (
        f"seed documents not found: {where}; they are the five source texts listed in "
        "src/exobone/atlas/data/seeds.yaml, kept in the project's shared/ folder, not in git: "
        f"set {SEEDS_ENV}=/path/to/shared/seeds (or {SHARED_ENV}=/path/to/shared)"
    )


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
