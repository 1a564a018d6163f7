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

from exobone.interop.sbml.suite import Case, Outcome, column_key, compare, run_case

OUTCOMES = ("pass", "fail", "refused", "error", "timeout")


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError


def run_roadrunner(case: Case) -> Outcome:
    """The same rule for libroadrunner (CVODE at rtol 1e-10, atol 1e-14); a load or run error
    counts as refused."""
    import roadrunner

    settings = case.settings()
    try:
        rr = roadrunner.RoadRunner(str(case.model_file()))
        rr.integrator.relative_tolerance = 1e-10
        rr.integrator.absolute_tolerance = 1e-14
        keys = [column_key(v, settings) for v in settings["variables"]]
        res = rr.simulate(settings["start"], settings["start"] + settings["duration"],
                          settings["steps"] + 1, selections=["time", *keys])
    except Exception as exc:  # noqa: BLE001 - libroadrunner raises RuntimeError and others
        return Outcome(case.name, "refused", str(exc).splitlines()[0] if str(exc) else repr(exc))
    got = {k: np.asarray(res[:, i + 1], dtype=float) for i, k in enumerate(keys)}
    reason = compare(case, got)
    return Outcome(case.name, "pass" if reason is None else "fail", reason or "")


def work(args: tuple[str, str, float]) -> tuple[str, str, str]:
    """Run one case in a worker; return (case, outcome, detail)."""
    path, engine, timeout = args
    case = Case(Path(path))
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(timeout))
    try:
        out = run_roadrunner(case) if engine == "roadrunner" else run_case(case)
        return out.case, out.outcome, out.detail
    except TimeoutError:
        return case.name, "timeout", f"over {timeout:g} s"
    except Exception as exc:  # noqa: BLE001 - any other exception is an error, listed
        from exobone.errors import ExoboneError

        plain = isinstance(exc, ExoboneError)
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        where = "" if plain else f" ({Path(tb.filename).name}:{tb.lineno})"
        text = str(exc).splitlines()[0] if str(exc) else ""
        return case.name, "error", f"{'' if plain else type(exc).__name__ + ': '}{text}{where}"
    finally:
        signal.alarm(0)


def time_course_cases(root: Path, only: list[str] | None) -> list[Case]:
    cases = [Case(p) for p in sorted(root.iterdir())
             if p.is_dir() and re.fullmatch(r"\d{5}", p.name)]
    if only:
        cases = [c for c in cases if c.name in set(only)]
    return [c for c in cases if c.time_course]


def table(results: list[tuple[str, str, str]], root: Path) -> str:
    counts = Counter(o for _, o, _ in results)
    lines = [f"{len(results)} time-course cases: " + ", ".join(
        f"{o} {counts[o]}" for o in OUTCOMES)]
    by_tag: dict[str, Counter[str]] = defaultdict(Counter)
    for name, outcome, _ in results:
        tags = Case(root / name).tags()
        for tag in {*tags["componentTags"], *tags["testTags"]}:
            by_tag[tag][outcome] += 1
    lines.append("")
    lines.append(f"| {'tag':<30} | " + " | ".join(f"{o:>7}" for o in OUTCOMES) + " |")
    lines.append(f"|{'-' * 32}|" + "|".join("-" * 9 for _ in OUTCOMES) + "|")
    for tag in sorted(by_tag, key=lambda t: (-sum(by_tag[t].values()), t)):
        lines.append(f"| {tag:<30} | " + " | ".join(f"{by_tag[tag][o]:>7}" for o in OUTCOMES)
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
    jobs = [(str(c.path), engine, ns.timeout) for c in cases]
    with mp.get_context("fork").Pool(ns.jobs, maxtasksperchild=50) as pool:
        results = sorted(pool.imap_unordered(work, jobs, chunksize=4))
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
