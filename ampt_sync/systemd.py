"""Talking to systemd: ``sd_notify`` readiness, status, stopping and the watchdog.

A Type=notify service tells systemd over the datagram socket in ``$NOTIFY_SOCKET``. The protocol
is one datagram of ``KEY=value`` lines; the implementation is the dozen lines of
``sd_notify(3)``'s reference example. We do not depend on ``sdnotify`` (unmaintained since 2017,
swallows every error) or ``systemd-python`` (needs libsystemd headers to build in a venv).
Outside systemd (no ``$NOTIFY_SOCKET``) every call is a no-op.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def notify(state: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Send ``state`` (e.g. ``"READY=1\\nSTATUS=idle"``); True when a socket was there."""
    address = environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # abstract namespace
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        # Losing a STATUS line must not stop a cycle; a lost WATCHDOG=1 shows up in systemd.
        log.warning("could not notify systemd (%s): %s", address.lstrip("\0"), exc.strerror)
        return False
    return True


def watchdog_interval_s(environ: Mapping[str, str] = os.environ) -> float | None:
    """Half the watchdog period systemd expects, or None when no watchdog is armed for us."""
    usec = environ.get("WATCHDOG_USEC")
    if not usec:
        return None
    pid = environ.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return None
    try:
        period_s = int(usec) / 1_000_000
    except ValueError:
        return None
    return period_s / 2 if period_s > 0 else None
