"""Every user-facing error of exobone: one tree, each also the matching builtin.

The CLI turns an :class:`ExoboneError` into one line and exit code 1; the web app into a
4xx response with the same text. Messages say what was received and what to do.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Iterable
from types import ModuleType


class ExoboneError(Exception):
    """Base class of every error exobone raises on purpose."""


class CurationError(ExoboneError, ValueError):
    """Curated data (YAML) is malformed or violates the schema.

    Carries every problem found, so a curator sees them all at once.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in the curated data:"
        super().__init__("\n".join([head, *("  - " + p for p in self.problems)]))


class UnknownIdentifierError(ExoboneError, KeyError):
    """A name or identifier is not in any vocabulary table exobone ships."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownNameError(ExoboneError, KeyError):
    """A scenario, intervention, source, parameter or state name is not known."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidInputError(ExoboneError, ValueError):
    """A value given by the user is impossible (negative dose, empty list, bad schedule...)."""


class IngestError(ExoboneError, ValueError):
    """An input file to ingest is malformed; the store is left unchanged."""


class StoreError(ExoboneError, RuntimeError):
    """The atlas database is missing, stale or could not be written."""


class ExportError(ExoboneError, ValueError):
    """An export format or selection is not supported."""


class ModelError(ExoboneError, ValueError):
    """A model specification is inconsistent (unknown symbol, duplicate name...)."""


class UnsupportedSBMLError(ExoboneError, ValueError):
    """An SBML construct exobone does not simulate; names the construct and element id."""


class SimulationError(ExoboneError, RuntimeError):
    """The solver failed on a single run."""


class DuplicateRegistrationError(ExoboneError, ValueError):
    """Two modules tried to register the same name in a registry."""


class CompileError(ExoboneError, RuntimeError):
    """The numba kernels of a model could not be compiled or cached (names the cause)."""


class NotRepresentable(ExoboneError, ValueError):
    """An atlas claim cannot be expressed as a model scenario or intervention (says why)."""


class MissingExtraError(ExoboneError, ImportError):
    """A feature needs an optional extra of exobone that is not installed."""


def require_extra(module: str, extra: str) -> ModuleType:
    """Import ``module``, part of the optional ``extra``; fail with one line naming the extra.

    Examples
    --------
    >>> require_extra("json", "interop").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or module
        raise MissingExtraError(f"this needs the {extra!r} extra ({missing} is not installed): "
                                f"pip install 'exobone[{extra}]'") from exc


def warn(message: str) -> None:
    """Write ``warning: message`` as one line on stderr (something was done in another way)."""
    sys.stderr.write(f"warning: {message}\n")


def suggest(name: str, choices: Iterable[str]) -> str:
    """Return a ``"; did you mean 'x'?"`` suffix for the closest choice, or ``""``."""
    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.5)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def unknown_name(kind: str, name: str, choices: Iterable[str]) -> UnknownNameError:
    """Build an :class:`UnknownNameError` that lists the choices and suggests the closest."""
    options = sorted(choices)
    listing = ", ".join(options) if len(options) <= 20 else ", ".join(options[:20]) + ", ..."
    return UnknownNameError(
        f"unknown {kind} {name!r}{suggest(name, options)} (known: {listing})"
    )
