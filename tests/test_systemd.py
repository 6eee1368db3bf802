"""sd_notify over a real datagram socket, in both the path and the abstract form."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from ampt_sync.systemd import notify, watchdog_interval_s


@pytest.fixture
def notify_socket(tmp_path: Path):
    path = tmp_path / "notify.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(2)
    yield str(path), server
    server.close()


def test_notify_sends_one_datagram(notify_socket) -> None:
    address, server = notify_socket
    assert notify("READY=1\nSTATUS=idle", {"NOTIFY_SOCKET": address})
    assert server.recv(4096) == b"READY=1\nSTATUS=idle"


def test_abstract_socket_addresses_work() -> None:
    name = f"ampt-sync-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind("\0" + name)
        server.settimeout(2)
        assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + name})
        assert server.recv(4096) == b"WATCHDOG=1"


def test_outside_systemd_notify_is_a_no_op() -> None:
    assert notify("READY=1", {}) is False


def test_a_vanished_socket_is_logged_not_raised(tmp_path: Path, caplog) -> None:
    assert notify("STATUS=x", {"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}) is False
    assert "could not notify systemd" in caplog.text


def test_watchdog_pings_at_half_the_period_and_only_for_our_pid() -> None:
    assert watchdog_interval_s({"WATCHDOG_USEC": "2000000"}) == 1.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_s({}) is None
