"""The SBML Test Suite's semantic cases: reading a case, running it, the suite's pass rule.

A case directory ``NNNNN/`` holds the model (one or more ``NNNNN-sbml-lXvY.xml``; the highest
level/version is used), ``NNNNN-settings.txt`` (start, duration, steps, variables, absolute,
relative, amount, concentration), the expected ``NNNNN-results.csv`` and ``NNNNN-model.m``
(componentTags, testTags, testType). A case passes when at every output time and for every
variable ``|actual - expected| <= absolute + relative * |expected|``.
Used by ``benchmarks/sbml_suite.py`` and the conformance test.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from exobone.errors import SimulationError, UnsupportedSBMLError

FloatArray = npt.NDArray[np.float64]

__all__ = ["Case", "Outcome", "compare", "run_case"]


@dataclass(frozen=True)
class Case:
    """One semantic case of the suite."""

    path: Path

    @property
    def name(self) -> str:
        """The case number, e.g. ``"00001"``."""
        return self.path.name

    def settings(self) -> dict[str, object]:
        """``NNNNN-settings.txt`` parsed (numbers as floats, lists of ids)."""
        text = (self.path / f"{self.name}-settings.txt").read_text()
        raw = {k.strip(): v.strip() for k, v in
               (line.split(":", 1) for line in text.splitlines() if ":" in line)}

        def ids(key: str) -> list[str]:
            return [x.strip() for x in raw.get(key, "").split(",") if x.strip()]

        return {"start": float(raw["start"]), "duration": float(raw["duration"]),
                "steps": int(float(raw["steps"])), "variables": ids("variables"),
                "absolute": float(raw["absolute"]), "relative": float(raw["relative"]),
                "amount": ids("amount"), "concentration": ids("concentration")}

    def tags(self) -> dict[str, list[str]]:
        """componentTags, testTags and testType from ``NNNNN-model.m``."""
        text = (self.path / f"{self.name}-model.m").read_text(errors="replace")
        out: dict[str, list[str]] = {}
        for key in ("componentTags", "testTags", "testType"):
            m = re.search(rf"^{key}:\s*(.*)$", text, re.MULTILINE)
            out[key] = [x.strip() for x in m.group(1).split(",") if x.strip()] if m else []
        return out

    @property
    def time_course(self) -> bool:
        """False for the suite's flux-balance (steady-state) cases."""
        return "TimeCourse" in self.tags()["testType"]

    def model_file(self) -> Path:
        """The model of the highest level/version."""
        files = list(self.path.glob(f"{self.name}-sbml-l*v*.xml"))
        return max(files, key=lambda f: tuple(
            int(x) for x in re.findall(r"l(\d)v(\d)", f.name)[0]))

    def expected(self) -> tuple[list[str], FloatArray]:
        """Header and rows of ``NNNNN-results.csv`` (the first column is time)."""
        with (self.path / f"{self.name}-results.csv").open() as fh:
            rows = [row for row in csv.reader(fh) if row]
        data = np.array([[float(x) for x in row] for row in rows[1:]], dtype=float)
        return [h.strip() for h in rows[0]], data


def column_key(var: str, settings: dict[str, object]) -> str:
    """The id a variable is reported under (``[id]`` for a concentration)."""
    return f"[{var}]" if var in settings["concentration"] else var  # type: ignore[operator]


def compare(case: Case, got: dict[str, FloatArray]) -> str | None:
    """The suite's pass rule; None on a pass, else the first miss in one line."""
    settings = case.settings()
    header, want = case.expected()
    atol, rtol = float(settings["absolute"]), float(settings["relative"])  # type: ignore[arg-type]
    for j, var in enumerate(header[1:], start=1):
        key = column_key(var, settings)
        if key not in got:
            return f"no output {key!r}"
        sim, exp = np.asarray(got[key], dtype=float), want[:, j]
        if sim.shape != exp.shape:
            return f"{key}: {sim.size} points, expected {exp.size}"
        same = (np.isnan(exp) & np.isnan(sim)) | (np.isinf(exp) & (sim == exp))
        with np.errstate(invalid="ignore"):
            ok = same | (np.abs(sim - exp) <= atol + rtol * np.abs(exp))
        if not np.all(ok):
            i = int(np.argmin(ok))
            return f"{key} at t={want[i, 0]:g}: {sim[i]:.6g} vs {exp[i]:.6g}"
    return None


@dataclass(frozen=True)
class Outcome:
    """``pass``, ``fail`` (numbers or a failed run), ``refused`` (UnsupportedSBMLError)."""

    case: str
    outcome: str
    detail: str = ""


def run_case(case: Case, rtol: float = 1e-10) -> Outcome:
    """Run ``case`` with exobone (safe default absolute tolerances) and apply the rule.

    Other exceptions propagate: the suite counts them as errors.
    """
    from exobone.interop.sbml.run import run_sbml

    settings = case.settings()
    try:
        run = run_sbml(case.model_file(), start=float(settings["start"]),  # type: ignore[arg-type]
                       duration=float(settings["duration"]),  # type: ignore[arg-type]
                       points=int(settings["steps"]) + 1, rtol=rtol)  # type: ignore[call-overload]
    except UnsupportedSBMLError as exc:
        return Outcome(case.name, "refused", str(exc))
    except SimulationError as exc:
        return Outcome(case.name, "fail", str(exc).splitlines()[0])
    reason = compare(case, run.values)
    return Outcome(case.name, "pass" if reason is None else "fail", reason or "")
