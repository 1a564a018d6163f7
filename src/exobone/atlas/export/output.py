"""Write an exported document to a file atomically, with one-line errors for bad paths.

The document goes to a temporary file in the destination folder, is flushed to disk and then
moved over the destination with :func:`os.replace`: a failure (no space left, a read-only
folder) leaves the previous file as it was and no partial file behind. A destination that
exists and is not a regular file (``/dev/stdout``, a named pipe, a device) is written in
place: replacing it would put a file where the device was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from exobone.errors import InvalidInputError

_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENAMETOOLONG: "the file name is too long",
}


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def check_output_path(path: Path) -> None:
    """Refuse, before any work, a path whose folder is missing or is not a folder, or a folder.

    Raises
    ------
    InvalidInputError
        One line naming the path and what is wrong with it.
    """
    try:
        _check_folder(path)
    except OSError as exc:  # a name too long, a folder that cannot be searched
        raise InvalidInputError(f"cannot write {path}: {_reason(exc)}") from exc


def _check_folder(path: Path) -> None:
    parent = path.parent
    if path.is_dir():
        raise InvalidInputError(f"cannot write {path}: it is a folder; give a file name")
    for folder in (parent, *parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise InvalidInputError(f"cannot write {path}: {folder} is a file, not a folder")
            break
    if not parent.is_dir():
        raise InvalidInputError(f"cannot write {path}: the folder {parent} does not exist; create it first")


def write_output(path: Path, document: str | bytes) -> None:
    """Write ``document`` (text as UTF-8) to ``path`` atomically.

    Raises
    ------
    InvalidInputError
        If the path is unusable or the write fails; nothing is left half-written.
    """
    check_output_path(path)
    data = document.encode("utf-8") if isinstance(document, str) else document
    if path.exists() and not path.is_file():
        _write_in_place(path, data)
        return
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InvalidInputError(f"cannot write {path}: {_reason(exc)}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), _mode_for(path))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # a full disk shows here at the latest, before the rename
        os.replace(tmp, path)
    except OSError as exc:
        raise InvalidInputError(f"cannot write {path}: {_reason(exc)}; nothing was written") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_in_place(path: Path, data: bytes) -> None:
    try:
        with path.open("wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise InvalidInputError(f"cannot write {path}: {_reason(exc)}") from exc


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ``0o666 & ~umask``."""
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


__all__ = ["check_output_path", "write_output"]
