"""release_memory gives freed heap pages back to the system (glibc), as the daemon relies on
after each cycle."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from ampt_sync.memory import _malloc_trim


@pytest.mark.skipif(_malloc_trim() is None, reason="this C library has no malloc_trim")
def test_freed_heap_pages_are_returned_to_the_system() -> None:
    # In a child: RSS is a property of the whole process, and pytest's own heap would blur it.
    # 20 MiB of 4 KiB blocks (above pymalloc's limit, so glibc's heap), every 16th kept alive:
    # the holes are not at the top of the heap, so free() alone returns none of it.
    probe = textwrap.dedent(
        """
        import gc
        from ampt_sync.memory import release_memory

        def rss_kib():
            for line in open("/proc/self/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])

        gc.disable()
        blocks = [bytes(4000) + bytes([i % 256]) for i in range(5_000)]
        kept = blocks[::16]
        del blocks
        before = rss_kib()
        gc.collect()
        collected = rss_kib()
        assert release_memory()
        print(before - collected, collected - rss_kib())
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    by_collect_kib, by_trim_kib = map(int, child.stdout.split())
    assert by_collect_kib < 2_000  # nothing to collect: the pages stay with the process
    assert by_trim_kib > 10_000  # most of the ~18 MiB freed comes back
