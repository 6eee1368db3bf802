"""`ampt-sync run` as systemd runs it, against both simulators: READY, watchdog heartbeats, a
scheduled cycle that puts the plan on Garmin, and a clean exit on SIGTERM in the middle of a
cycle, with the store and Garmin consistent afterwards."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from ampt_sync.garmin.encode import parse_marker
from ampt_sync.sim.accounts import SimulatedAccounts, config_for, simulated_accounts
from ampt_sync.store import reports
from ampt_sync.store.db import open_store
from ampt_sync.store.ledger import GarminLedger
from ampt_sync.store.plans import load_plan

GOAL_DAY = date.today() + timedelta(weeks=18)
RUNNER = f"""
[athlete]
timezone = "America/Chicago"
[goal]
distance = "half"
date = {GOAL_DAY.isoformat()}
[schedule]
run_days = ["mon", "wed", "fri", "sat", "sun"]
long_run_day = "sat"
[sync]
poll_minutes = 0
"""
EXECUTABLE = str(Path(sys.executable).with_name("ampt-sync"))


class Notifications:
    """A fake $NOTIFY_SOCKET that records every datagram."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.messages: list[str] = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def count(self, text: str) -> int:
        return sum(text in m for m in self.messages)


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[SimulatedAccounts]:
    with simulated_accounts(tmp_path / "run", RUNNER, history_days=42) as running:
        yield running


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_daemon(
    accounts: SimulatedAccounts, tmp_path: Path, notify: Path, *, page_port: int | None = None
) -> subprocess.Popen:
    config = tmp_path / "config.toml"
    # The runner's page on a port of its own, so that parallel runs on one machine never meet.
    port = page_port or free_port()
    config.write_text(
        config_for(tmp_path / "run", RUNNER) + f'\n[web]\nlisten = "127.0.0.1:{port}"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMPT_SYNC_")}
    env.update(accounts.environ)
    env.update(
        {
            "AMPT_SYNC_CONFIG": str(config),
            "NOTIFY_SOCKET": str(notify),
            "WATCHDOG_USEC": "1000000",
            "JOURNAL_STREAM": "8:1",  # log as under systemd, with priority prefixes
        }
    )
    return subprocess.Popen(
        [EXECUTABLE, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(predicate, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def garmin_matches_plan(accounts: SimulatedAccounts) -> bool:
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            plan = load_plan(session)
    finally:
        store.close()
    if plan is None:
        return False
    today = accounts.local_today()
    end = today + timedelta(days=accounts.settings.sync.horizon_days)
    wanted = sorted(
        (day, w.key) for day, w in plan.workouts_between(today, end) if w.kind != "rest"
    )
    shown = sorted(
        (day, parse_marker(description)[0])
        for day, _id, _title, description in accounts.garmin.calendar(today, end)
        if parse_marker(description)
    )
    return shown == wanted


def test_daemon_readies_heartbeats_pushes_and_stops_cleanly_mid_cycle(accounts, tmp_path) -> None:
    notify = Notifications(tmp_path / "notify.sock")
    try:
        # 1. A slow Garmin: the catch-up cycle is still pushing when SIGTERM arrives.
        accounts.garmin.latency_s = 0.4
        port = free_port()
        daemon = start_daemon(accounts, tmp_path, notify.path, page_port=port)
        wait_for(lambda: notify.count("READY=1"), 30, "READY=1")
        wait_for(lambda: accounts.garmin.counts()["writes"] >= 2, 60, "the push to start")
        # The runner's page answers at once while the slow cycle runs beside it (503: no cycle
        # has succeeded yet).
        asked_at = time.monotonic()
        with pytest.raises(urllib.error.HTTPError) as health:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert time.monotonic() - asked_at < 2
        assert health.value.code == 503
        assert json.loads(health.value.read())["daemon"] is True
        stopped_at = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=10)
        assert time.monotonic() - stopped_at < 10
        assert daemon.returncode == 0, err
        assert notify.count("STOPPING=1") == 1
        assert notify.count("WATCHDOG=1") >= 2
        assert notify.count("STATUS=cycle catch-up running") == 1
        assert "<6>ampt_sync.daemon: stopping" in err

        # The store is consistent: the interrupted cycle is reported, and every ledger row
        # that names a Garmin workout names one that exists.
        store = open_store(accounts.settings.database_url(accounts.environ))
        try:
            with store.transaction() as session:
                [report] = reports.recent(session)
                assert (report.kind, report.result) == ("catch-up", "interrupted")
            workouts = accounts.garmin.workouts
            for entry in GarminLedger(store).all().values():
                if entry.garmin_workout_id is not None and entry.pending is None:
                    assert entry.garmin_workout_id in workouts
        finally:
            store.close()

        # 2. A fresh start catches up the interrupted cycle and the watch gets the plan.
        accounts.garmin.latency_s = 0.0
        daemon = start_daemon(accounts, tmp_path, notify.path)
        wait_for(lambda: notify.count("READY=1") == 2, 30, "the second READY=1")
        wait_for(lambda: garmin_matches_plan(accounts), 60, "Garmin to show the plan")
        wait_for(lambda: any("last catch-up: ok" in m for m in notify.messages), 30, "the cycle")
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=10)
        assert daemon.returncode == 0, err
        schedules = accounts.garmin.schedules()
        assert len(schedules) == len({(w, d) for _s, w, d in schedules})  # no duplicates
    finally:
        notify.close()
