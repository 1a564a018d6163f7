"""Shared models for the analysis tests (built once per session)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def ovx_model():
    from exobone.model.assemble import build_model
    from exobone.simulate.compile import compile_model

    model = build_model("ovx")
    compile_model(model)
    return model
