"""Standard bone drugs, one module per family, registered as intervention kinds on import.

- :mod:`.denosumab` -- ``denosumab``: anti-RANKL antibody (s.c. depot, linear +
  target-mediated clearance; RANKL neutralisation; precursor build-up and rebound).
- :mod:`.bisphosphonates` -- ``zoledronate`` (i.v.), ``alendronate`` (oral) and
  ``bisphosphonate`` (= zoledronate with the historical µg/kg unit): bone-bound drug released
  by resorption; osteoclast inactivation and apoptosis.
- :mod:`.pth` -- ``teriparatide`` and ``pth-intermittent`` (= teriparatide with the historical
  µg/kg unit): explicit daily pulse exposure driving an anabolic route distinct from the
  core's continuous (catabolic) PTH.
- :mod:`.regimen` -- what they share: dose units, defaults per species, schedule, the record
  of the resolved regimen (``metadata['drug_regimens']``).

Parameters are cited where a PK value was read (records of ``data/calibration/pharmacology.yaml``).
Potencies are fitted with ``exobone calibrate`` to the PEtab problems
``data/calibration/petab/human_pmo_<drug>`` and applied to humans from ``fitted_values.yaml``
(source ``Fitted``, with interval and problem); elsewhere they keep their stated assumption.
``benchmarks/drug_trials.py`` prints predicted against published.
"""

from __future__ import annotations

from exobone.model.scenarios.drugs import (  # noqa: F401  (imported to register their kinds)
    bisphosphonates,
    denosumab,
    pth,
)
from exobone.model.scenarios.drugs.regimen import REGIMENS, Regimen, ResolvedRegimen

__all__ = ["REGIMENS", "Regimen", "ResolvedRegimen"]
