"""The scorecard: every curated experiment run as a simulation and compared with its published result.

For each experiment of the atlas, :func:`run_scorecard` maps the intervention, the control and
the contexts to a scenario and interventions of the model (by generic rules keyed on the
intervention kind, the contexts and the measure; never on an experiment's id or paper),
simulates the treated and the control arm to the experiment's time point, reads each outcome
(:func:`exobone.model.outcomes.outcome_for_measure`, or the exosome layer's cargo totals for
exosomal miRNA/protein levels) and calls its direction. An experiment the model cannot represent
is listed with the reason; a failed simulation is a row with its status. Nothing is skipped.

Mapping rules
-------------
Setting
    ``in_vitro`` experiments (or context ``in_vitro_culture``) run in a culture context
    (:mod:`exobone.analysis.scorecard.culture`): the ``healthy`` model with every state but the
    exosome pools held (no systemic feedback), the treatment added to the medium, the cells'
    per-cell rates read out directly. In vivo and clinical
    experiments use the scenario of their contexts (:data:`CONTEXT_SCENARIOS`; a defect or
    fracture wins over a systemic disease).
Contexts that are interventions
    ``cd9_knockout`` is ``knockout:CD9`` in both arms (unless the experiment's own intervention
    is that knockout, which then distinguishes the arms).
Time point
    The outcome's ``time_days`` when the paper gives one; otherwise
    :data:`DEFAULT_DAYS` (28 days in vitro, 8 weeks in vivo).
Exosome dosing
    Dose from the text when it states µg; otherwise :data:`DEFAULT_DOSE_UG` (``higher`` and
    ``lower`` dose arms double / halve it against the default). Route: as stated; in culture
    ``local``; otherwise the scenario's default route, the one ``simulate`` uses
    (:func:`exobone.model.exosomes.scenario_routes.default_route`). Schedule: every
    3 days in culture (medium changes), weekly in vivo, from day 0 to the time point. The
    control arm gets the same schedule at dose 0 (same model structure, so one compilation).
    Conditioned medium carries :data:`CONDITIONED_MEDIUM_FRACTION` of an isolated-exosome dose;
    exosome-depleted medium carries none; a cell transplant acts through the exosomes of the
    transplanted cells (their paracrine effect) and is dosed like them.
Direction
    ``(treated - control) / |control|`` at the time point; below :data:`NO_CHANGE` in
    magnitude is "none". A control of 0 gives no relative change: status ``no data``, never an
    agreement (statuses: :mod:`exobone.analysis.scorecard.results`).
Distinct readouts
    Outcomes of one experiment that read the same model quantity count once
    (:attr:`ExperimentResult.readouts`); the summary counts readouts, in vivo and in vitro
    apart.
Magnitudes
    Published effect sizes (data/calibration/exosome-magnitudes.yaml) against the shipped model,
    fitted and held out apart (:mod:`exobone.analysis.scorecard.published`).
Held out
    Each experiment is also scored by the model rebuilt without its study's records
    (:mod:`exobone.analysis.scorecard.heldout`).
"""

from __future__ import annotations

from exobone.analysis.scorecard.heldout import held_out_atlas, held_out_mechanisms, same_study
from exobone.analysis.scorecard.magnitude import (
    MAGNITUDE_FACTOR,
    magnitude_ratio,
    published_change,
)
from exobone.analysis.scorecard.mapping import (
    CONDITIONED_MEDIUM_FRACTION,
    CONTEXT_SCENARIOS,
    DEFAULT_DAYS,
    DEFAULT_DOSE_UG,
    DRUG_CLASSES,
    NO_CHANGE,
    NotRepresentable,
    map_experiment,
)
from exobone.analysis.scorecard.published import MagnitudeCheck, compare_magnitudes
from exobone.analysis.scorecard.results import (
    ExperimentResult,
    OutcomeResult,
    Prediction,
    ReadoutResult,
    Scorecard,
)
from exobone.analysis.scorecard.runner import run_scorecard

__all__ = [
    "CONDITIONED_MEDIUM_FRACTION",
    "CONTEXT_SCENARIOS",
    "DEFAULT_DAYS",
    "DEFAULT_DOSE_UG",
    "DRUG_CLASSES",
    "MAGNITUDE_FACTOR",
    "NO_CHANGE",
    "ExperimentResult",
    "MagnitudeCheck",
    "NotRepresentable",
    "OutcomeResult",
    "Prediction",
    "ReadoutResult",
    "Scorecard",
    "compare_magnitudes",
    "held_out_atlas",
    "held_out_mechanisms",
    "magnitude_ratio",
    "map_experiment",
    "published_change",
    "run_scorecard",
    "same_study",
]
