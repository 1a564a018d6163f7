"""Run one model over many parameter vectors: chunked, streamed to disk, resumable, scalable.

:func:`run_ensemble` splits the members into chunks, runs each chunk through a backend
(:mod:`exobone.simulate.backends`), locally or on a Dask distributed cluster, and keeps the
outputs in memory or streams each finished chunk to a directory (one ``.npz`` per chunk plus a
``manifest.json``). With ``resume=True`` a rerun into the same directory loads the chunks that are
already there instead of recomputing them. Every member carries a
:class:`~exobone.simulate.results.Status`; a failed member (or a chunk whose backend raised) is
data, never an exception, unless the caller asks with :meth:`EnsembleResult.raise_if_failed`.

Results do not depend on the chunk size, the number of workers or which worker ran a chunk: each
member is integrated independently with its own step-size sequence.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from exobone.errors import (
    CompileError,
    InvalidInputError,
    SimulationError,
    require_extra,
    warn,
)
from exobone.simulate.backends import STATUS_NAMES, Backend, BatchResult, resolve_backend
from exobone.simulate.results import Status
from exobone.simulate.solve import SaveAt, Tolerances

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[int, int], None]

__all__ = ["ChunkStore", "EnsembleResult", "run_ensemble"]

_FORMAT = "exobone-ensemble-1"


@dataclass
class ChunkStore:
    """A directory of finished chunks: ``manifest.json`` and ``chunk_NNNNNN.npz``."""

    path: Path

    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def chunk_path(self, i: int) -> Path:
        return self.path / f"chunk_{i:06d}.npz"

    def has(self, i: int) -> bool:
        return self.chunk_path(i).exists()

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.manifest_path().with_suffix(".json.tmp")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(manifest, indent=1))
            os.replace(tmp, self.manifest_path())
        except OSError as exc:
            with contextlib.suppress(OSError):  # the directory may not exist at all
                tmp.unlink(missing_ok=True)
            raise InvalidInputError(f"cannot write the ensemble to {self.path}: "
                                    f"{exc.strerror or exc}") from exc

    def read_manifest(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.manifest_path().read_text())
        except (OSError, ValueError):
            return None
        return data

    def write(self, i: int, batch: BatchResult) -> None:
        # write-then-rename so an interrupted run never leaves a half chunk behind
        tmp = self.path / f".chunk_{i:06d}.{os.getpid()}.tmp.npz"
        try:
            np.savez(tmp, values=batch.values, status=batch.status, steps=batch.steps,
                     messages=np.array(batch.messages, dtype=str))
            os.replace(tmp, self.chunk_path(i))
        except OSError as exc:  # disk full, directory removed or made read-only meanwhile
            tmp.unlink(missing_ok=True)
            raise InvalidInputError(f"cannot write {self.chunk_path(i).name} to {self.path}: "
                                    f"{exc.strerror or exc}; the chunks written so far are "
                                    f"kept (rerun with resume / --resume)") from exc

    def damaged(self, i: int, shape: tuple[int, ...]) -> str | None:
        """Return why chunk ``i`` cannot be used (truncated, not a chunk, wrong shape)."""
        try:
            with np.load(self.chunk_path(i)) as z:
                values, status = z["values"], z["status"]
                z["steps"], z["messages"]  # noqa: B018  (read to check they are whole)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            return f"{type(exc).__name__}: {exc}"
        if values.shape != shape or status.shape != shape[:1]:
            return f"shape {values.shape}, expected {shape}"
        return None

    def read(self, i: int) -> BatchResult:
        with np.load(self.chunk_path(i)) as z:
            return BatchResult(z["values"], z["status"].astype(np.int8),
                               tuple(str(s) for s in z["messages"]),
                               z["steps"].astype(np.int64))


@dataclass(frozen=True, eq=False)
class EnsembleResult:
    """Outputs and per-member status of an ensemble.

    Attributes
    ----------
    times
        Save times, shape ``(n_times,)``.
    outputs
        Output names (states or assignments), in the order of the last axis of the values.
    status
        Member status codes, shape ``(n_members,)`` (see :meth:`member_status`).
    messages
        Per-member text: ``"ok"`` or why the member failed.
    bounds
        ``(start, stop)`` member indices of each chunk.
    store
        Where the chunks are on disk (``None``: kept in memory).
    provenance
        Model hash, backend, tolerances, seed, chunking.
    """

    times: FloatArray
    outputs: tuple[str, ...]
    status: npt.NDArray[np.int8]
    messages: tuple[str, ...]
    bounds: tuple[tuple[int, int], ...]
    store: ChunkStore | None
    provenance: dict[str, Any]
    _chunks: list[FloatArray] | None = field(default=None, repr=False)

    @property
    def n_members(self) -> int:
        """Number of members."""
        return int(self.status.size)

    @property
    def ok(self) -> npt.NDArray[np.bool_]:
        """Boolean mask of the members that succeeded."""
        mask: npt.NDArray[np.bool_] = self.status == 0
        return mask

    @property
    def n_failed(self) -> int:
        """Number of failed members."""
        return int(np.count_nonzero(self.status))

    def member_status(self, i: int) -> Status:
        """Return the :class:`Status` of member ``i``."""
        return Status[STATUS_NAMES[int(self.status[i])]]

    def iter_chunks(self) -> Iterator[tuple[int, int, FloatArray]]:
        """Yield ``(start, stop, values)`` per chunk; values ``(members, times, outputs)``."""
        for i, (a, b) in enumerate(self.bounds):
            if self._chunks is not None:
                yield a, b, self._chunks[i]
            else:
                assert self.store is not None
                yield a, b, self.store.read(i).values

    def values(self, name: str) -> FloatArray:
        """Return output ``name`` for every member, shape ``(n_members, n_times)``."""
        if name not in self.outputs:
            from exobone.errors import unknown_name
            raise unknown_name("output of this ensemble", name, self.outputs)
        j = self.outputs.index(name)
        out = np.empty((self.n_members, self.times.size))
        for a, b, vals in self.iter_chunks():
            out[a:b] = vals[:, :, j]
        return out

    def raise_if_failed(self) -> EnsembleResult:
        """Return ``self``, or raise :class:`SimulationError` naming the failed members."""
        if self.n_failed:
            bad = np.flatnonzero(self.status)[:5].tolist()
            raise SimulationError(f"{self.n_failed} of {self.n_members} members failed; e.g. "
                                  f"member {bad[0]}: {self.messages[bad[0]]} (members {bad})")
        return self


def _digest(*arrays: npt.ArrayLike, text: str = "") -> str:
    h = hashlib.sha256(text.encode())
    for arr in arrays:
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()[:24]


def _run_chunk(model: ModelSpec, backend: str | Backend, params: FloatArray, times: FloatArray,
               outputs: Sequence[str], tolerances: Tolerances, max_steps: int) -> BatchResult:
    """Run one chunk; a backend error marks every member of the chunk as failed (data)."""
    try:
        be = resolve_backend(backend, model)
        return be.run_batch(model, params, times=times, outputs=outputs,
                            tolerances=tolerances, max_steps=max_steps)
    except (ArithmeticError, ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
        if isinstance(exc, (InvalidInputError, CompileError)):  # the run's fault, not a member's
            raise
        m = params.shape[0]
        return BatchResult(np.full((m, times.size, len(outputs)), np.nan),
                           np.full(m, STATUS_NAMES.index("SOLVER_FAILED"), dtype=np.int8),
                           tuple([f"{Status.SOLVER_FAILED.value} ({exc})"] * m),
                           np.zeros(m, dtype=np.int64))


def run_ensemble(
    model: ModelSpec,
    param_matrix: npt.ArrayLike,
    *,
    backend: str | Backend = "auto",
    saveat: SaveAt | None = None,
    outputs: Sequence[str] | None = None,
    tolerances: Tolerances | None = None,
    max_steps: int = 100_000,
    chunk_size: int = 1000,
    out: str | Path | None = None,
    rng: np.random.Generator | int | None = None,
    scheduler: str | Any | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> EnsembleResult:
    """Simulate ``model`` once per row of ``param_matrix``.

    Parameters
    ----------
    model
        The model (all members share its structure, events and initial-value expressions).
    param_matrix
        Full parameter vectors in model order, shape ``(n_members, n_parameters)``.
    backend
        ``"auto"`` (the fastest installed backend that supports the model), ``"numba"``,
        ``"reference"``, or a :class:`~exobone.simulate.backends.Backend`.
    saveat
        Save times (required; the first is the start of the run).
    outputs
        State or assignment names to keep (default: every state).
    tolerances
        Relative/absolute tolerances (default ``rtol=1e-6, atol=1e-9``).
    max_steps
        Step budget per member.
    chunk_size
        Members per chunk (the unit of work, of disk writes and of resumption).
    out
        Directory to stream finished chunks to; ``None`` keeps everything in memory.
    rng
        Recorded in the provenance (the parameters are given; samplers take the rng).
    scheduler
        Address of a Dask distributed scheduler (or a ``distributed.Client``); ``None`` runs
        in this process without Dask.
    resume
        With ``out``: keep the chunks already written by an identical earlier run.
    progress
        ``progress(done_chunks, total_chunks)`` after each chunk.

    Returns
    -------
    EnsembleResult

    Raises
    ------
    InvalidInputError
        For a bad parameter matrix, missing save times, an unknown output, a ``resume`` into a
        directory written by a different run, or a backend that cannot run the model.
    """
    from exobone.simulate.compile import compile_model

    cm = compile_model(model)
    P = np.asarray(param_matrix, dtype=float)
    if P.ndim != 2 or P.shape[1] != len(cm.parameters):
        raise InvalidInputError(f"param_matrix must have shape (n_members, {len(cm.parameters)})"
                                f"; got {P.shape}")
    if P.shape[0] == 0:
        raise InvalidInputError("param_matrix has no members")
    if saveat is None or saveat.times is None:
        raise InvalidInputError("run_ensemble needs saveat=SaveAt(times=...)")
    times = np.asarray(saveat.times, dtype=float)
    if times.size < 2:
        raise InvalidInputError("run_ensemble needs at least two save times")
    names = list(cm.states) + list(cm.assignments)
    outputs = tuple(outputs) if outputs is not None else tuple(cm.states)
    for o in outputs:
        if o not in names:
            from exobone.errors import unknown_name
            raise unknown_name("output (state or assignment)", o, names)
    if chunk_size < 1:
        raise InvalidInputError(f"chunk_size must be at least 1, got {chunk_size}")
    tolerances = tolerances or Tolerances()
    seed = rng if isinstance(rng, int) else None
    if not isinstance(backend, str):
        backend_name = backend.name
    else:
        backend_name = resolve_backend(backend, model).name
    n = P.shape[0]
    bounds = tuple((a, min(a + chunk_size, n)) for a in range(0, n, chunk_size))
    provenance: dict[str, Any] = {
        "format": _FORMAT, "model_name": model.name, "model_hash": model.hash(),
        "structure_hash": cm.structure_hash, "backend": backend_name,
        "tolerances": tolerances.to_dict(), "max_steps": max_steps, "seed": seed,
        "n_members": n, "chunk_size": chunk_size, "outputs": list(outputs),
        "times": times.tolist(),
        "inputs": _digest(P, times, text=f"{model.hash()}|{outputs}|{tolerances.to_dict()}|"
                                         f"{max_steps}|{chunk_size}|{backend_name}"),
    }
    store = None
    if out is not None:
        store = ChunkStore(Path(out))
        old = store.read_manifest()
        if resume and old is not None and old.get("inputs") != provenance["inputs"]:
            raise InvalidInputError(f"cannot resume into {out}: it holds a different run "
                                    f"(model, parameters, grid, tolerances or chunking differ)")
        if not resume and store.path.exists():
            for stale in store.path.glob("chunk_*.npz"):
                stale.unlink()
        store.write_manifest(provenance)
    run_backend: str | Backend = backend_name if isinstance(backend, str) else backend

    results: dict[int, BatchResult] = {}
    todo = []
    for i, (a, b) in enumerate(bounds):
        if resume and store is not None and store.has(i):
            why = store.damaged(i, (b - a, times.size, len(outputs)))
            if why is None:
                continue
            warn(f"{store.chunk_path(i)} is damaged ({why}); recomputing it")
            store.chunk_path(i).unlink()
        todo.append(i)
    done = len(bounds) - len(todo)
    if progress is not None:
        progress(done, len(bounds))

    def finish(i: int, batch: BatchResult) -> None:
        nonlocal done
        if store is not None:
            store.write(i, batch)
            results[i] = BatchResult(np.empty((0,)), batch.status, batch.messages, batch.steps)
        else:
            results[i] = batch
        done += 1
        if progress is not None:
            progress(done, len(bounds))

    if scheduler is None:
        for i in todo:
            a, b = bounds[i]
            finish(i, _run_chunk(model, run_backend, P[a:b], times, outputs, tolerances,
                                 max_steps))
    else:
        _run_distributed(scheduler, model, run_backend, P, bounds, todo, times, outputs,
                         tolerances, max_steps, provenance["inputs"], finish)

    status = np.empty(n, dtype=np.int8)
    messages: list[str] = [""] * n
    chunks: list[FloatArray] | None = None if store is not None else []
    for i, (a, b) in enumerate(bounds):
        batch = results[i] if i in results else store.read(i)  # type: ignore[union-attr]
        status[a:b] = batch.status
        messages[a:b] = batch.messages
        if chunks is not None:
            chunks.append(batch.values)
    if store is not None:
        store.write_manifest({**provenance, "complete": True,
                              "n_failed": int(np.count_nonzero(status))})
    return EnsembleResult(times, outputs, status, tuple(messages), bounds, store, provenance,
                          chunks)


def _run_distributed(scheduler: str | Any, model: ModelSpec, backend: str | Backend,
                     P: FloatArray, bounds: Sequence[tuple[int, int]], todo: Sequence[int],
                     times: FloatArray, outputs: Sequence[str], tolerances: Tolerances,
                     max_steps: int, key: str, finish: Callable[[int, BatchResult], None]
                     ) -> None:
    """Submit chunks to a Dask cluster; write each as it completes (lost workers are retried
    by the scheduler, which recomputes their tasks elsewhere)."""
    distributed = require_extra("distributed", "cluster")
    own = isinstance(scheduler, str)
    client: Any = distributed.Client(scheduler) if own else scheduler
    try:
        # the model travels inside each task (not scattered once): a scattered key that lived
        # on a killed worker can leave later runs waiting for data that no longer exists
        futures = {}
        for i in todo:
            a, b = bounds[i]
            fut = client.submit(_run_chunk, model, backend, P[a:b], times, outputs,
                                tolerances, max_steps, key=f"exobone-chunk-{key}-{i}",
                                retries=3, pure=False)
            futures[fut] = i
        for fut in distributed.as_completed(futures):
            finish(futures[fut], fut.result())
    finally:
        if own:
            client.close()
