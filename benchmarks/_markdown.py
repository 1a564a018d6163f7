"""Replace a generated block of a Markdown file (between its begin and end markers)."""

from __future__ import annotations

from pathlib import Path


def replace_block(path: Path, tag: str, body: str) -> None:
    """Put ``body`` between ``<!-- begin: tag -->`` and ``<!-- end: tag -->`` (appended when the
    markers are absent)."""
    begin, end = f"<!-- begin: {tag} -->", f"<!-- end: {tag} -->"
    text = path.read_text(encoding="utf-8")
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
