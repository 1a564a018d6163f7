"""Validate every curated record and quote; print all problems at once (exit 1 if any)."""

from __future__ import annotations

import sys

from exobone.atlas.curation import load_atlas
from exobone.atlas.validate import find_seed_dir, quote_problems
from exobone.errors import CurationError


def main() -> int:
    try:
        atlas = load_atlas()
    except CurationError as exc:
        print(exc)
        return 1
    seed_dir = find_seed_dir()
    if seed_dir is None:
        print("seed documents not found; set EXOBONE_SEEDS")
        return 1
    problems = quote_problems(atlas, seed_dir)
    for p in problems:
        print(p)
    print(
        f"{len(atlas.entities)} entities, {len(atlas.mechanisms)} mechanisms "
        f"({len(atlas.alias_of)} merged), {len(atlas.experiments)} experiments, "
        f"{len(atlas.facts)} facts; {len(problems)} quote problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
