"""Output memory of the numba backend's batches: anonymous maps, reused once no array reads them.

A batch's outputs (members x save times x outputs, float64) are written in full by the kernel,
so they need no initialisation, only pages. Mapping fresh pages costs system time for every
member of every batch; :func:`output_array` hands out a spare map of an earlier batch instead
when one fits, and :func:`populate` lets each thread fault in its own members' pages. Linux
only; elsewhere numpy's arrays.
"""

from __future__ import annotations

import ctypes
import mmap
import sys
import weakref

import numpy as np

from exobone.simulate.backends import FloatArray

__all__ = ["SPARE", "output_array", "populate"]

#: madvise(2)'s MADV_POPULATE_WRITE (Linux 5.14): fault in a range's pages, writable, in one call
_MADV_POPULATE_WRITE = 23
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
if _LIBC is not None:
    _LIBC.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


def output_array(shape: tuple[int, ...]) -> FloatArray:
    """An uninitialised float array for a batch's outputs: on Linux an anonymous map whose
    pages each thread faults in for its own members (:func:`populate`), or the spare map of
    an earlier batch that no array uses any more (:func:`_spare_map`, pages already mapped);
    elsewhere numpy's.

    The kernel writes every element of it. numpy advises its large arrays to be huge pages,
    faulted in as the kernel first writes them; measured on the 2-core machine through
    ``run_ensemble`` (``ovx``, daily saves of every state, 73 KB a member), that cost 11-181 µs
    of system time a member, next to 258-407 µs of integration (docs/analysis.md). A map of
    small pages has no such stalls.
    """
    nbytes = int(np.prod(shape)) * 8
    if _LIBC is None or nbytes == 0:
        return np.empty(shape)
    buf = _spare_map(nbytes)
    if buf is None:
        buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    base = np.frombuffer(buf, dtype=np.float64, count=nbytes // 8)  # keeps buf alive
    # once no array reads the map any more (views keep ``base`` alive), it is kept for the
    # next batch with its pages still mapped
    weakref.finalize(base, _keep_spare, buf).atexit = False
    return base.reshape(shape)


#: maps of batch outputs that no array uses any more, their pages still mapped, for the next
#: batches (:func:`output_array`): mapping a fresh array's pages cost 24-37 µs of system time
#: a member (73 KB, ``ovx`` with every state saved daily) against ≈150 µs of integration, the
#: same for every batch of a program that runs many (chunks, blocks of a benchmark, fits);
#: a spare map costs nothing to reuse. At most this many bytes are kept.
_SPARE_BYTES = 256 * 2**20
SPARE: list[mmap.mmap] = []


def _spare_map(nbytes: int) -> mmap.mmap | None:
    """The smallest spare map of ``nbytes`` to twice that, taken out of the spares, or None."""
    # no lock: list.remove is atomic, and a finalizer (_keep_spare) may run in any thread,
    # also inside this function (a lock held here could deadlock it)
    fits = sorted((m for m in list(SPARE) if nbytes <= len(m) <= 2 * nbytes), key=len)
    for m in fits:
        try:
            SPARE.remove(m)
        except ValueError:  # another thread took it
            continue
        return m
    return None


def _keep_spare(buf: mmap.mmap) -> None:
    if sum(len(m) for m in list(SPARE)) + len(buf) <= _SPARE_BYTES:
        SPARE.append(buf)


def populate(values: FloatArray, a: int, b: int) -> None:
    """Fault in the pages of members ``a:b`` of ``values`` in one system call, in the calling
    thread (ctypes releases the GIL), so that the threads of a batch each map their own
    members' output pages in parallel rather than one thread mapping them all before the
    kernel starts (``MAP_POPULATE`` did that: 26 µs a member of one thread, measured, while
    the other thread waited). Where the call is not known (a kernel before 5.14) it fails
    harmlessly and the kernel's first writes fault the pages in; the contents are not touched.
    """
    if _LIBC is None or a >= b:
        return
    row = values.strides[0]
    lo = values.ctypes.data + a * row
    hi = values.ctypes.data + b * row
    lo -= lo % mmap.PAGESIZE  # madvise takes whole pages; a page shared by two spans is fine
    _LIBC.madvise(lo, hi - lo, _MADV_POPULATE_WRITE)
