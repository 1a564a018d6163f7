"""The exosome layer: exosome pools and cargo, with every atlas mechanism compiled into the model.

Modules: :mod:`.sources` (where exosomes come from), :mod:`.report` (the fate of every
mechanism), :mod:`.state` (the layer's typed state: knobs and dose plans), :mod:`.introspect`
(what the layer reads from the model built so far), :mod:`.pools` (pool dynamics, cargo and
signals), :mod:`.binding` (binding rules per mechanism kind), :mod:`.layer`
(:func:`add_exosome_layer`), :mod:`.dosing` (:func:`add_dose_pool`), :mod:`.routes` (where a dose
goes per route and species) and :mod:`.magnitudes` (which magnitudes a dosed model rests on).
"""

from __future__ import annotations

from exobone.model.exosomes.binding import DRUG_CLASSES
from exobone.model.exosomes.dosing import add_dose_pool
from exobone.model.exosomes.layer import add_exosome_layer
from exobone.model.exosomes.report import LayerReport, MechanismStatus, Reason
from exobone.model.exosomes.sources import (
    ENDOGENOUS_CELLS,
    EXOGENOUS_SOURCES,
    SOURCE_PARENTS,
    ExosomeSource,
    exogenous_sources,
    safe_name,
)
from exobone.model.exosomes.state import (
    CargoKnob,
    DosePlan,
    ExosomeLayer,
    LevelKnob,
)

__all__ = [
    "DRUG_CLASSES",
    "ENDOGENOUS_CELLS",
    "EXOGENOUS_SOURCES",
    "SOURCE_PARENTS",
    "CargoKnob",
    "DosePlan",
    "ExosomeLayer",
    "ExosomeSource",
    "LayerReport",
    "LevelKnob",
    "MechanismStatus",
    "Reason",
    "add_dose_pool",
    "add_exosome_layer",
    "exogenous_sources",
    "safe_name",
]
