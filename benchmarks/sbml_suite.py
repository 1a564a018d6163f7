"""Run the SBML Test Suite's semantic cases through exobone (and optionally libroadrunner).

Usage::

    mkdir -p /tmp/sbml-cases && tar -xJf ../shared/conformance/sbml-test-suite/semantic-cases.tar.xz -C /tmp/sbml-cases
    PYTHONPATH=src python benchmarks/sbml_suite.py /tmp/sbml-cases/semantic [--roadrunner] [--jobs 2]

Each case holds one model (the highest level/version), ``NNNNN-settings.txt`` (start, duration,
steps, variables, absolute, relative, amount, concentration), the expected ``NNNNN-results.csv``
and ``NNNNN-model.m`` (its componentTags/testTags). The suite's pass rule: at every output time
and for every variable, ``|sim - expected| <= absolute + relative * |expected|``.

Outcomes: ``pass``; ``fail`` (numbers outside the rule, or a failed run); ``refused``
(:class:`~exobone.errors.UnsupportedSBMLError`); ``error`` (any other exception, listed);
``timeout``. Counts are printed overall and per tag.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import re
import signal
import sys
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

OUTCOMES = ("pass", "fail", "refused", "error", "timeout")


def read_settings(case: Path) -> dict[str, Any]:
    """Parse ``NNNNN-settings.txt``."""
    text = (case / f"{case.name}-settings.txt").read_text()
    raw = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    raw = {k.strip(): v.strip() for k, v in raw.items()}

    def names(key: str) -> list[str]:
        return [x.strip() for x in raw.get(key, "").split(",") if x.strip()]

    return {"start": float(raw["start"]), "duration": float(raw["duration"]),
            "steps": int(float(raw["steps"])), "variables": names("variables"),
            "absolute": float(raw["absolute"]), "relative": float(raw["relative"]),
            "amount": names("amount"), "concentration": names("concentration")}


def read_tags(case: Path) -> dict[str, Any]:
    """componentTags, testTags and testType from ``NNNNN-model.m``."""
    text = (case / f"{case.name}-model.m").read_text(errors="replace")
    out: dict[str, Any] = {}
    for key in ("componentTags", "testTags", "testType"):
        m = re.search(rf"^{key}:\s*(.*)$", text, re.MULTILINE)
        out[key] = [x.strip() for x in m.group(1).split(",") if x.strip()] if m else []
    return out


def model_file(case: Path) -> Path:
    """The model of the highest level/version in the case."""
    files = sorted(case.glob(f"{case.name}-sbml-l*v*.xml"))
    return max(files, key=lambda f: tuple(int(x) for x in re.findall(r"l(\d)v(\d)", f.name)[0]))


def expected(case: Path) -> tuple[list[str], np.ndarray]:
    with (case / f"{case.name}-results.csv").open() as fh:
        rows = list(csv.reader(fh))
    header = [h.strip() for h in rows[0]]
    data = np.array([[float(x) for x in row] for row in rows[1:] if row], dtype=float)
    return header, data


def column_key(var: str, settings: dict[str, Any]) -> str:
    """The id under which a variable is reported (``[id]`` for a concentration)."""
    return f"[{var}]" if var in settings["concentration"] else var


def compare(header: list[str], want: np.ndarray, got: dict[str, np.ndarray],
            settings: dict[str, Any]) -> str | None:
    """Apply the suite's rule; return None on pass or a one-line reason."""
    atol, rtol = settings["absolute"], settings["relative"]
    for j, var in enumerate(header):
        if j == 0:  # time (spelled "time" or "Time")
            continue
        key = column_key(var, settings)
        if key not in got:
            return f"no output {key!r}"
        sim = np.asarray(got[key], dtype=float)
        exp = want[:, j]
        if sim.shape != exp.shape:
            return f"{key}: {sim.size} points, expected {exp.size}"
        same_nonfinite = (np.isnan(exp) & np.isnan(sim)) | (np.isinf(exp) & (sim == exp))
        with np.errstate(invalid="ignore"):
            ok = same_nonfinite | (np.abs(sim - exp) <= atol + rtol * np.abs(exp))
        if not np.all(ok):
            i = int(np.argmin(ok))
            return f"{key} at t={want[i, 0]:g}: {sim[i]:.6g} vs {exp[i]:.6g}"
    return None


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError


def run_exobone(case: Path, settings: dict[str, Any]) -> dict[str, np.ndarray]:
    from exobone.interop.sbml.run import run_sbml

    run = run_sbml(model_file(case), start=settings["start"], duration=settings["duration"],
                   points=settings["steps"] + 1, rtol=1e-10)
    return run.values


def run_roadrunner(case: Path, settings: dict[str, Any]) -> dict[str, np.ndarray]:
    import roadrunner

    rr = roadrunner.RoadRunner(str(model_file(case)))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14
    keys = [column_key(v, settings) for v in settings["variables"]]
    res = rr.simulate(settings["start"], settings["start"] + settings["duration"],
                      settings["steps"] + 1, selections=["time", *keys])
    return {k: np.asarray(res[:, i + 1], dtype=float) for i, k in enumerate(keys)}


def run_case(args: tuple[str, str, float]) -> tuple[str, str, str]:
    """Run one case in a worker; return (case, outcome, detail)."""
    path, engine, timeout = args
    case = Path(path)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(timeout))
    try:
        settings = read_settings(case)
        header, want = expected(case)
        header = [h for h in header]
        runner = run_roadrunner if engine == "roadrunner" else run_exobone
        got = runner(case, settings)
        reason = compare(header, want, got, settings)
        return case.name, ("pass" if reason is None else "fail"), reason or ""
    except TimeoutError:
        return case.name, "timeout", f"over {timeout:g} s"
    except Exception as exc:  # noqa: BLE001 - the benchmark classifies every outcome
        from exobone.errors import ExoboneError, SimulationError, UnsupportedSBMLError

        if isinstance(exc, UnsupportedSBMLError):
            return case.name, "refused", str(exc)
        if isinstance(exc, SimulationError):
            return case.name, "fail", str(exc).splitlines()[0]
        if engine == "roadrunner":
            return case.name, "refused", str(exc).splitlines()[0] if str(exc) else repr(exc)
        kind = "" if isinstance(exc, ExoboneError) else f"{type(exc).__name__}: "
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        where = "" if isinstance(exc, ExoboneError) else f" ({Path(tb.filename).name}:{tb.lineno})"
        return case.name, "error", f"{kind}{str(exc).splitlines()[0] if str(exc) else ''}{where}"
    finally:
        signal.alarm(0)


def time_course_cases(root: Path, only: list[str] | None) -> list[Path]:
    cases = sorted(p for p in root.iterdir() if p.is_dir() and re.fullmatch(r"\d{5}", p.name))
    if only:
        cases = [c for c in cases if c.name in set(only)]
    return [c for c in cases if "TimeCourse" in read_tags(c)["testType"]]


def table(results: list[tuple[str, str, str]], root: Path) -> str:
    counts = Counter(o for _, o, _ in results)
    lines = [f"{len(results)} time-course cases: " + ", ".join(
        f"{o} {counts[o]}" for o in OUTCOMES)]
    by_tag: dict[str, Counter[str]] = defaultdict(Counter)
    for name, outcome, _ in results:
        tags = read_tags(root / name)
        for tag in {*tags["componentTags"], *tags["testTags"]}:
            by_tag[tag][outcome] += 1
    lines.append("")
    lines.append(f"| {'tag':<28} | " + " | ".join(f"{o:>7}" for o in OUTCOMES) + " |")
    lines.append(f"|{'-' * 30}|" + "|".join("-" * 9 for _ in OUTCOMES) + "|")
    for tag in sorted(by_tag, key=lambda t: (-sum(by_tag[t].values()), t)):
        lines.append(f"| {tag:<28} | " + " | ".join(f"{by_tag[tag][o]:>7}" for o in OUTCOMES)
                     + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", type=Path, help="the extracted semantic/ directory")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per case")
    ap.add_argument("--only", nargs="*", help="case numbers (e.g. 00009 00974)")
    ap.add_argument("--roadrunner", action="store_true",
                    help="run libroadrunner with the same rule instead of exobone")
    ap.add_argument("--list", choices=OUTCOMES, nargs="*", default=["error", "timeout"],
                    help="outcomes whose cases are listed (default: error timeout)")
    ns = ap.parse_args(argv)
    cases = time_course_cases(ns.cases, ns.only)
    engine = "roadrunner" if ns.roadrunner else "exobone"
    started = time.perf_counter()
    work = [(str(c), engine, ns.timeout) for c in cases]
    with mp.get_context("fork").Pool(ns.jobs, maxtasksperchild=50) as pool:
        results = sorted(pool.imap_unordered(run_case, work, chunksize=4))
    print(f"engine: {engine}; {time.perf_counter() - started:.0f} s")
    print(table(results, ns.cases))
    for outcome in ns.list:
        listed = [(n, d) for n, o, d in results if o == outcome]
        if listed:
            print(f"\n{outcome} ({len(listed)}):")
            for name, detail in listed:
                print(f"  {name}: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
