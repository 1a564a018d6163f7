"""Reference sub-models written by hand as ModelSpecs (Komarova 2003, Lemaire 2004, toy models).

``REFERENCE_MODELS`` maps a name to a zero-argument factory; register more with
:func:`register_reference_model`. Each model is checked against libroadrunner on the BioModels
SBML file it encodes (``tests/model/test_reference_models.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from exobone.errors import DuplicateRegistrationError, unknown_name
from exobone.model.reference.analytic import decay_with_bolus, linear_decay, logistic_growth
from exobone.model.reference.komarova2003 import komarova2003
from exobone.model.reference.lemaire2004 import lemaire2004
from exobone.model.spec import ModelSpec

ModelFactory = Callable[[], ModelSpec]

REFERENCE_MODELS: dict[str, ModelFactory] = {}


def register_reference_model(name: str) -> Callable[[ModelFactory], ModelFactory]:
    """Register a zero-argument factory under ``name`` (decorator).

    Raises
    ------
    DuplicateRegistrationError
        If ``name`` is already registered.
    """
    def add(factory: ModelFactory) -> ModelFactory:
        if name in REFERENCE_MODELS:
            owner = REFERENCE_MODELS[name].__module__
            raise DuplicateRegistrationError(
                f"reference model {name!r} is already registered by {owner}")
        REFERENCE_MODELS[name] = factory
        return factory
    return add


def get_reference_model(name: str) -> ModelSpec | None:
    """Return a fresh copy of the reference model ``name``, or ``None``."""
    factory = REFERENCE_MODELS.get(name)
    return factory() if factory is not None else None


def require_reference_model(name: str) -> ModelSpec:
    """Return the reference model ``name``; raise :class:`UnknownNameError` if unknown."""
    found = get_reference_model(name)
    if found is None:
        raise unknown_name("reference model", name, REFERENCE_MODELS)
    return found


register_reference_model("komarova2003-single-cycle")(lambda: komarova2003("single_cycle"))
register_reference_model("komarova2003-oscillating")(lambda: komarova2003("oscillating"))
register_reference_model("lemaire2004-steady-state")(lambda: lemaire2004("steady_state"))
register_reference_model("lemaire2004-pth-infusion")(lambda: lemaire2004("pth_infusion"))
register_reference_model("lemaire2004-opg-infusion")(lambda: lemaire2004("opg_infusion"))
register_reference_model("linear-decay")(linear_decay)
register_reference_model("decay-with-bolus")(decay_with_bolus)
register_reference_model("logistic-growth")(logistic_growth)

__all__ = [
    "REFERENCE_MODELS",
    "decay_with_bolus",
    "get_reference_model",
    "komarova2003",
    "lemaire2004",
    "linear_decay",
    "logistic_growth",
    "register_reference_model",
    "require_reference_model",
]
