"""Private files and cross-process locks in the state dir.

Everything ampt-sync writes that matters (tokens, locks) is owner-only: files 0600 in 0700
folders, created that way rather than tightened afterwards.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path


class LockBusy(Exception):
    """The lock stayed taken for the whole wait."""


def private_dir(folder: Path) -> None:
    """Create ``folder`` (and parents) as 0700, tightening it if it exists more open."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)


def write_private_file(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``, mode 0600 in a 0700 folder. Raises on failure:
    the temp file is opened ``O_EXCL|O_NOFOLLOW``, fsynced, renamed, and the folder fsynced."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait_s: float | None = None) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` across processes.

    ``wait_s=None`` waits as long as it takes; otherwise :class:`LockBusy` is raised when the lock
    is still held by someone else after ``wait_s`` seconds. Two opens of the same file in one
    process exclude each other too, so never nest the same lock.
    """
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if wait_s is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + wait_s
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockBusy(str(path)) from None
                    time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
