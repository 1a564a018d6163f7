"""Output files written whole or not at all, with one-line errors for a path that cannot be.

Every command that writes a user-named file (a figure, a result table, an SBML model) goes
through :func:`atomic_output`: the path is checked before any work is saved (missing folder,
a folder where the file should be, a file where a folder should be, no write permission), the
writer fills a staging folder next to the target, and only a complete write is moved into
place, so a failure never leaves a half-written file or clobbers the old one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from exobone.errors import InvalidInputError

__all__ = ["atomic_output", "check_output_path"]


def check_output_path(path: str | Path, *, what: str = "output") -> Path:
    """Return ``path`` if a file can be written there; else raise a one-line error saying why.

    Raises
    ------
    InvalidInputError
        If the folder does not exist, a parent is a file, the path is a folder, or the folder
        is not writable.
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InvalidInputError(f"cannot write the {what} to {target}: it is a folder")
    for up in (parent, *parent.parents):
        if up.exists():
            if not up.is_dir():
                raise InvalidInputError(
                    f"cannot write the {what} to {target}: {up} is a file, not a folder")
            break
    if not parent.is_dir():
        raise InvalidInputError(
            f"cannot write the {what} to {target}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InvalidInputError(
            f"cannot write the {what} to {target}: the folder {parent} is not writable")
    return target


@contextmanager
def atomic_output(path: str | Path, *, what: str = "output") -> Iterator[Path]:
    """Yield a staging path with ``path``'s name; move what was written there into place.

    The writer may also write side files next to the staging path (e.g. ``FILE.csv.json``); each
    file is moved into ``path``'s folder by an atomic rename when the block ends without error.
    On an error nothing is moved and the staging folder is removed; an ``OSError`` (disk full,
    permission lost) becomes a one-line :class:`~exobone.errors.InvalidInputError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_output(folder / "a.txt") as staged:
    ...     _ = staged.write_text("hello")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('hello', ['a.txt'])
    """
    target = check_output_path(path, what=what)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=parent))
    except OSError as exc:
        raise InvalidInputError(f"cannot write the {what} to {target}: {exc.strerror}") from None
    staged = staging / target.name
    try:
        yield staged
        for written in sorted(staging.iterdir()):
            os.replace(written, parent / written.name)
    except OSError as exc:
        raise InvalidInputError(
            f"cannot write the {what} to {target}: {exc.strerror or exc}") from None
    except InvalidInputError as exc:  # a writer's own one line names the user's path, not ours
        raise InvalidInputError(str(exc).replace(str(staged), str(target))) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
