"""Time model compilation (sympy code generation) and `exobone validate` cold and warm.

Prints, for each model, the wall and CPU time of generating its kernels' source with the disk
cache bypassed (:func:`exobone.simulate.model_cache.bypassed`) and of loading it back from the
disk cache; then ``python -m exobone validate --json`` run twice in child processes against one
fresh ``EXOBONE_CACHE`` directory: cold (nothing cached) and warm (the generated source of
every model cached by the first run). CPU time is the user+system time of the process and its
children: on a machine shared with other jobs it is the steadier figure, the wall time depends
on the load (printed). No assertions.

    PYTHONPATH=src .venv/bin/python benchmarks/compile_time.py
        [--sbml ../shared/.../model_Chen_MSB2009.xml ...] [--no-validate] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall s, CPU s of this process, result) of ``fn()``."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w0, time.process_time() - c0, out


def compile_rows(models: list[tuple[str, Callable[[], Any]]]) -> None:
    from exobone.simulate import model_cache
    from exobone.simulate.compile import clear_cache, compile_model

    print(f"{'model':<44}{'states':>7}{'terms':>7}{'generate wall/CPU s':>22}"
          f"{'from disk wall/CPU s':>23}")
    for label, build in models:
        spec = build()
        spec.validate()
        clear_cache()
        with model_cache.bypassed():
            gen_wall, gen_cpu, _ = timed(lambda spec=spec: compile_model(spec))
        clear_cache()
        compile_model(spec)  # stores it
        clear_cache()
        disk_wall, disk_cpu, _ = timed(lambda spec=spec: compile_model(spec))
        print(f"{label:<44}{len(spec.states):>7}{len(spec.terms):>7}"
              f"{gen_wall:>13.2f} / {gen_cpu:<6.2f}{disk_wall:>14.3f} / {disk_cpu:<6.3f}",
              flush=True)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def validate_rows(workers: int | None) -> None:
    cache = Path(tempfile.mkdtemp(prefix="exobone-compile-time-"))
    env = {**os.environ, "EXOBONE_CACHE": str(cache)}
    cmd = [sys.executable, "-m", "exobone", "validate", "--json"]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    print(f"\n`{' '.join(cmd[1:])}` with EXOBONE_CACHE={cache} (fresh)")
    for run in ("cold", "warm"):
        load = os.getloadavg()[0]
        c0, w0 = children_cpu(), time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        wall, cpu = time.perf_counter() - w0, children_cpu() - c0
        status = "ok" if done.returncode == 0 else f"exit {done.returncode}: " + \
            (done.stderr.strip().splitlines() or ["no message"])[-1]
        print(f"  {run:<5} wall {wall:7.1f} s   CPU {cpu:7.1f} s   (load {load:.1f})   {status}",
              flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sbml", nargs="*", type=Path, default=[],
                    help="also time these SBML models (e.g. the PEtab Chen_MSB2009 model)")
    ap.add_argument("--no-validate", action="store_true", help="skip the validate runs")
    ap.add_argument("--workers", type=int, help="validate --workers (default: its own)")
    args = ap.parse_args()

    from exobone.interop.sbml.import_ import import_sbml
    from exobone.model.assemble import build_model

    models: list[tuple[str, Callable[[], Any]]] = [
        ("ovx (bone core only)", lambda: build_model("ovx", exosome_layer=False)),
        ("ovx (core + exosome layer)", lambda: build_model("ovx")),
        ("ovx + exosome:bmsc", lambda: build_model("ovx", ["exosome:bmsc,dose=100,every=7"])),
    ]
    models += [(path.name, lambda path=path: import_sbml(path)) for path in args.sbml]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    compile_rows(models)
    if not args.no_validate:
        validate_rows(args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
