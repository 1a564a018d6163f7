"""Fit the dose scale of the MSC-exosome ceilings to Kirkham 2022 (MAG:0001); check MAG:0002.

    python benchmarks/calibrate_kirkham2022.py [--write-fitted] [--json]

A thin caller of ``exobone calibrate data/calibration/contrasts/kirkham2022.yaml``: the contrast
file holds the study (scenario, both arms, species pooled with weights, read-out, data with
their CIs and citation, the parameter with its bounds; every choice marked assumed there) and
:mod:`exobone.analysis.calibrate.contrast` fits it (docs/exosomes.md, "The MSC dose scale").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONTRAST = Path(__file__).resolve().parents[1] / "data" / "calibration" / "contrasts" / "kirkham2022.yaml"

if __name__ == "__main__":
    sys.exit(subprocess.call([sys.executable, "-m", "exobone", "calibrate", str(CONTRAST),
                              *sys.argv[1:]]))
