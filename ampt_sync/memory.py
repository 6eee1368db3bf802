"""Giving a long-lived process's free memory back to the system, after each cycle.

A cycle allocates and frees a few MiB at a time (the plan, its JSON, the clients' answers).
CPython hands freed blocks back to the C allocator, but glibc's ``malloc`` keeps freed pages
inside its arenas for reuse, so a daemon's resident memory stays at the peak of its last
cycle. :func:`release_memory` runs a full garbage collection (reference cycles, such as
tracebacks and ORM sessions, wait for it) and then glibc's ``malloc_trim(0)``, which returns the
free pages of every arena. On a C library without ``malloc_trim`` (musl, macOS) it only
collects. About 1 MiB on this daemon, measured by ``bench/bench_cycle.py``; it costs a few
milliseconds once per cycle.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None when the C library has none."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_memory() -> bool:
    """Collect garbage, then return free heap pages to the system. True when ``malloc_trim``
    ran (and gave some back, or had nothing to give: it reports only the former)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
