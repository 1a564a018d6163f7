"""Shared models for the ensemble tests: built and compiled once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def ovx_model():
    from exobone.model.assemble import build_model
    from exobone.simulate.compile import compile_model

    model = build_model("ovx")
    compile_model(model)
    return model


@pytest.fixture(scope="session")
def numba_ready(ovx_model):
    """The numba kernels of the ovx model, compiled (or loaded from the on-disk cache)."""
    from exobone.simulate.backends.numba_backend import warm_up

    warm_up(ovx_model)
    return ovx_model
