"""The exobone web app: atlas browser, scenario runner and scorecard over a JSON API.

``create_app()`` is the factory (``exobone serve`` runs it under uvicorn). FastAPI is imported
only when the app is created, so ``import exobone`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exobone.web.app import Limits, create_app

__all__ = ["Limits", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from exobone.web import app

        return getattr(app, name)
    raise AttributeError(f"module 'exobone.web' has no attribute {name!r}")
