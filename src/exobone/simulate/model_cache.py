"""The on-disk cache of generated kernel source, so a model's sympy work is done once per machine.

:func:`exobone.simulate.compile.compile_model` spends nearly all its time in sympy (parsing
aside): differentiating the right-hand side and eliminating common sub-expressions. The result
is plain text (the kernels' Python source and a few facts about it), so it is kept in
``$EXOBONE_CACHE/models`` (default ``~/.cache/exobone/models``), one JSON file per model, and a
second process that builds the same model (a second ``exobone validate``, a scenario's control
arm, a Dask worker) reads it instead of redoing the work.

The key hashes the model's name and structure (:meth:`ModelSpec.structure_hash`), the exobone
and sympy versions and the source text of the modules that shape the generated code, so a
changed generator never reads an old entry. Files are written atomically (a temporary file in
the same directory, then ``os.replace``). A file that cannot be read back as written (truncated,
edited, another format) is reported in one line and regenerated; a directory that cannot be
created or written is reported once in one line and the process compiles without the cache.
Nothing here raises.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from exobone.errors import warn

__all__ = ["FORMAT", "bypassed", "cache_key", "directory", "load", "store"]

#: bumped when the record's fields change
FORMAT = 1
#: fields of a record and their types (a file with anything else is treated as corrupt)
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "format": int, "key": str, "source": str, "source_sha256": str, "has_jacobian": bool,
    "jacobian_note": str, "atoms": list, "atom_inclusive": list, "delays": list,
    "n_switches": int, "seconds": (int, float)}
_SAID: set[str] = set()  # problems already reported (one line each per process)
_BYPASSED = [0]  # depth of open bypassed() blocks


@contextmanager
def bypassed() -> Iterator[None]:
    """Neither read nor write the cache inside this block (to time the code generator)."""
    _BYPASSED[0] += 1
    try:
        yield
    finally:
        _BYPASSED[0] -= 1


def _say_once(what: str, message: str) -> None:
    if what not in _SAID:
        _SAID.add(what)
        warn(message)


@cache
def _generator_digest() -> str:
    """SHA-256 of the source of every module whose code shapes the generated kernels."""
    import sympy

    import exobone
    from exobone.model import expressions, spec

    # the generator's own files are read by path: importing simulate.compile here would make
    # an import cycle (compile imports this cache)
    here = Path(__file__).parent
    sources = [here / "compile.py", here / "delays.py", here / "switches.py",
               Path(str(expressions.__file__)), Path(str(spec.__file__))]
    h = hashlib.sha256(f"{exobone.__version__} sympy {sympy.__version__} {FORMAT}".encode())
    for path in sources:
        h.update(path.read_bytes())
    return h.hexdigest()


def cache_key(name: str, structure_hash: str) -> str:
    """The cache key of a model: its name and structure under this version of the generator."""
    text = json.dumps([_generator_digest(), name, structure_hash])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def directory() -> Path | None:
    """The cache directory (created on demand), or None (said once) if it is not writable."""
    if _BYPASSED[0]:
        return None
    root = Path(os.environ.get("EXOBONE_CACHE", Path.home() / ".cache" / "exobone"))
    path = root / "models"
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".probe-"):
            pass
    except OSError as exc:
        _say_once(f"dir {path}", f"cannot write the compiled-model cache to {path} "
                                 f"({exc.strerror or type(exc).__name__}); compiling without it "
                                 f"(set EXOBONE_CACHE to a writable directory)")
        return None
    return path


def load(key: str) -> dict[str, Any] | None:
    """The record stored under ``key``, or None if there is none or it is unreadable (said)."""
    folder = directory()
    if folder is None:
        return None
    path = folder / f"{key}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        _say_once(f"read {path}", f"cannot read the compiled-model cache file {path} "
                                  f"({getattr(exc, 'strerror', None) or type(exc).__name__}); "
                                  f"compiling the model again")
        return None
    why = _invalid(text, key)
    if why is not None:
        _say_once(f"read {path}", f"ignoring the corrupt compiled-model cache file {path} "
                                  f"({why}); compiling the model again")
        return None
    record: dict[str, Any] = json.loads(text)
    return record


def _invalid(text: str, key: str) -> str | None:
    """Why ``text`` is not a record written by :func:`store` under ``key`` (None if it is)."""
    try:
        record = json.loads(text)
    except ValueError as exc:
        return f"not JSON: {exc}"
    if not isinstance(record, dict):
        return "not a JSON object"
    for field, kind in _FIELDS.items():
        if not isinstance(record.get(field), kind):
            return f"field {field!r} missing or of the wrong type"
    if record["format"] != FORMAT or record["key"] != key:
        return "written for another format or model"
    if hashlib.sha256(record["source"].encode()).hexdigest() != record["source_sha256"]:
        return "the source does not match its checksum"
    return None


def store(key: str, record: dict[str, Any]) -> None:
    """Write ``record`` under ``key`` atomically; a failure is said once and otherwise ignored."""
    folder = directory()
    if folder is None:
        return
    full = {**record, "format": FORMAT, "key": key,
            "source_sha256": hashlib.sha256(record["source"].encode()).hexdigest()}
    path = folder / f"{key}.json"
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(full, f)
        os.replace(tmp, path)
    except OSError as exc:
        _say_once(f"write {path}", f"cannot write the compiled-model cache file {path} "
                                   f"({exc.strerror or type(exc).__name__}); the model will be "
                                   f"compiled again next time")
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
