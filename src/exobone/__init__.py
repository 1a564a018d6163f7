"""exobone: an executable atlas of exosome-mediated bone remodeling.

The public API is re-exported here; the CLI and web app are thin shells over it::

    >>> import exobone
    >>> res = exobone.run_scenario("ovx", ["denosumab,start=7"], days=30, compare=True,
    ...                            exosome_layer=False)
    >>> res.at("bv_tv", 30) > res.at("bv_tv", 30, control=True)
    True
    >>> fig = exobone.plot_scenario(res)  # or plot_scenario(res, "ovx.png") to save it

The names are imported on first use (module ``__getattr__``): importing them eagerly pulls
SciPy and the model compiler in, which makes ``import exobone`` (and every CLI command,
``exobone --help`` included) take over a second instead of a few milliseconds. The solver
itself is :func:`exobone.simulate.simulate` (not re-exported: ``exobone.simulate`` is the
subpackage).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from exobone.atlas.curation import Atlas, load_atlas
    from exobone.atlas.store import Store, ensure_store, open_store
    from exobone.errors import ExoboneError
    from exobone.model.assemble import build_model
    from exobone.model.spec import ModelSpec
    from exobone.plotting import (
        plot_calibration,
        plot_cohort,
        plot_dose_response,
        plot_network,
        plot_optimization,
        plot_scenario,
        plot_sensitivity,
        save_figure,
    )
    from exobone.simulate.ensemble import EnsembleResult, run_ensemble
    from exobone.simulate.results import Provenance, Status, Trajectory
    from exobone.simulate.scenarios import Arm, ScenarioResult, run_scenario
    from exobone.simulate.solve import Tolerances

#: public name -> the module that defines it
_HOMES: dict[str, str] = {
    # build and run a scenario
    "build_model": "exobone.model.assemble",
    "ModelSpec": "exobone.model.spec",
    "run_scenario": "exobone.simulate.scenarios",
    "ScenarioResult": "exobone.simulate.scenarios",
    "Arm": "exobone.simulate.scenarios",
    "Tolerances": "exobone.simulate.solve",
    # ensembles
    "run_ensemble": "exobone.simulate.ensemble",
    "EnsembleResult": "exobone.simulate.ensemble",
    # results
    "Trajectory": "exobone.simulate.results",
    "Provenance": "exobone.simulate.results",
    "Status": "exobone.simulate.results",
    # the atlas
    "Atlas": "exobone.atlas.curation",
    "load_atlas": "exobone.atlas.curation",
    "Store": "exobone.atlas.store",
    "open_store": "exobone.atlas.store",
    "ensure_store": "exobone.atlas.store",
    # figures
    "plot_scenario": "exobone.plotting",
    "plot_cohort": "exobone.plotting",
    "plot_dose_response": "exobone.plotting",
    "plot_optimization": "exobone.plotting",
    "plot_sensitivity": "exobone.plotting",
    "plot_calibration": "exobone.plotting",
    "plot_network": "exobone.plotting",
    "save_figure": "exobone.plotting",
    # errors
    "ExoboneError": "exobone.errors",
}

__all__ = [
    "__version__",
    "Arm",
    "Atlas",
    "EnsembleResult",
    "ExoboneError",
    "ModelSpec",
    "Provenance",
    "ScenarioResult",
    "Status",
    "Store",
    "Tolerances",
    "Trajectory",
    "build_model",
    "ensure_store",
    "load_atlas",
    "open_store",
    "plot_calibration",
    "plot_cohort",
    "plot_dose_response",
    "plot_network",
    "plot_optimization",
    "plot_scenario",
    "plot_sensitivity",
    "run_ensemble",
    "run_scenario",
    "save_figure",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'exobone' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
