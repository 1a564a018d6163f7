"""Does the numba backend scale from one thread to two? Wall time of the bare kernel, alternating.

Runs the same members (the ``ovx`` model, every parameter x U(0.8, 1.2), one year, daily saves
of every state, ``rtol=1e-6, atol=1e-9``) through the backend's span scheduler with 1 and with
``--threads`` threads, alternately, into output memory touched beforehand, and prints runs/s of
each and the ratio of the medians. On an idle 2-core machine the ratio says how much of the
second core the ensemble gets (page faults of fresh output memory are left out on purpose: see
``ensemble_vs_roadrunner.py`` for the whole path). On a loaded machine with the kernel's
session autogroups (``/proc/sys/kernel/sched_autogroup_enabled``) one process's threads share
one group's CPU share, so the ratio is near 1 there and says nothing about scaling.

    .venv/bin/python benchmarks/thread_scaling.py [--members 400] [--repeats 6] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="ovx")
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import numba

    from exobone.model.assemble import build_model
    from exobone.simulate.backends import numba_backend as nb
    from exobone.simulate.compile import compile_model

    model = build_model(args.scenario)
    cm = compile_model(model)
    mod = nb.load_kernels(cm)
    m = args.members
    base = cm.parameter_vector(model)
    P = base * np.random.default_rng(0).uniform(0.8, 1.2, size=(m, base.size))
    Y0 = np.array([cm.initial_state(model, p) for p in P])
    times = np.linspace(0.0, 365.0, 366)
    n = cm.n_states
    values = np.zeros((m, times.size, n))  # touched once: only the kernel is timed

    def run(threads: int) -> float:
        numba.set_num_threads(threads)
        status = np.zeros(m, dtype=np.int8)
        steps = np.zeros(m, dtype=np.int64)
        start = time.perf_counter()
        nb._solve_spans(mod, P, Y0.copy(), 0.0, 365.0, times, np.empty(0),
                        np.full((0, 1), -1, dtype=np.int64), np.arange(n, dtype=np.int64),
                        1e-6, np.full(n, 1e-9), 100_000, 365.0, nb._uses_time(cm), values,
                        status, steps, len(cm.assignments))
        return time.perf_counter() - start

    counts = (1, args.threads)
    walls: dict[int, list[float]] = {k: [] for k in counts}
    for k in counts:  # warm-up (thread pool, caches)
        run(k)
    for _ in range(args.repeats):
        for k in counts:
            walls[k].append(run(k))
    for k in counts:
        print(f"{k} thread(s): " + ", ".join(f"{m / w:,.0f}" for w in walls[k]) + " runs/s")
    ratio = float(np.median(walls[1]) / np.median(walls[args.threads]))
    print(f"{args.threads} threads / 1 thread (medians): {ratio:.2f}x")


if __name__ == "__main__":
    main()
