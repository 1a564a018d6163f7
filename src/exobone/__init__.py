"""exobone: an executable atlas of exosome-mediated bone remodeling.

The public API is re-exported here; the CLI and web app are thin shells over it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
