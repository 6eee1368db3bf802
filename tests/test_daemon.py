"""The daemon's scheduling: catch-up exactly once, rate-limit retries, the watchdog that a long
cycle cannot starve, readiness and stopping over sd_notify, and config reloads.

The cycle here is a recording function: these tests are about when cycles run, not what they
do (the end-to-end test drives the real cycle against both simulators)."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ampt_sync.config import Settings, parse_settings
from ampt_sync.daemon import CycleOutcome, Daemon, missed_since

GOAL_DATE = (date.today() + timedelta(weeks=30)).isoformat()  # a goal ahead, whenever this runs

CONFIG = f"""
[athlete]
timezone = "America/New_York"
[goal]
distance = "half"
date = {GOAL_DATE}
[sync]
push_at = "04:30"
adapt_at = "20:00"
poll_minutes = 0
"""


def settings(extra: str = "") -> Settings:
    return parse_settings(CONFIG + extra, source="test")


class Recorder:
    def __init__(self, outcomes: list[CycleOutcome] | None = None, busy_s: float = 0.0) -> None:
        self.calls: list[tuple[str, float]] = []
        self.outcomes = outcomes or []
        self.busy_s = busy_s

    def __call__(self, kind: str, stop: threading.Event) -> CycleOutcome:
        self.calls.append((kind, time.monotonic()))
        stop.wait(self.busy_s)
        return self.outcomes.pop(0) if self.outcomes else CycleOutcome("ok")


@pytest.fixture
def notify_socket(tmp_path: Path):
    path = tmp_path / "notify.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(5)
    yield str(path), server
    server.close()


def make_daemon(recorder, *, last_ok, environ=None, load=None) -> Daemon:
    return Daemon(
        load_settings=load or settings,
        make_cycle=lambda _settings: recorder,
        last_ok=lambda: last_ok,
        environ=environ or {},
    )


def wait_for(predicate, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_missed_since_finds_the_latest_missed_daily_time() -> None:
    s = settings()
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 09:00 in New York
    push_today = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert missed_since(None, now, s) == push_today
    assert missed_since(now - timedelta(days=3), now, s) == push_today
    assert missed_since(push_today + timedelta(minutes=5), now, s) is None


def test_after_downtime_exactly_one_catch_up_cycle_runs() -> None:
    recorder = Recorder()
    daemon = make_daemon(recorder, last_ok=datetime.now(UTC) - timedelta(days=3))
    daemon.start()
    try:
        wait_for(lambda: recorder.calls)
        time.sleep(0.5)
    finally:
        daemon.stop.set()
        daemon.shutdown()
    assert [kind for kind, _ in recorder.calls] == ["catch-up"]


def test_no_catch_up_when_the_last_cycle_is_recent() -> None:
    recorder = Recorder()
    daemon = make_daemon(recorder, last_ok=datetime.now(UTC))
    daemon.start()
    try:
        time.sleep(0.5)
        runs = daemon.next_runs()
    finally:
        daemon.stop.set()
        daemon.shutdown()
    assert recorder.calls == []
    assert set(runs) == {"push", "adapt"}  # poll_minutes = 0: no poll job


def test_a_rate_limit_reschedules_the_cycle_at_its_retry_time() -> None:
    retry_at = datetime.now(UTC) + timedelta(seconds=1)
    recorder = Recorder([CycleOutcome("rate_limited", retry_at=retry_at, message="Strava 429")])
    daemon = make_daemon(recorder, last_ok=None)
    daemon.start()
    try:
        wait_for(lambda: len(recorder.calls) == 2)
    finally:
        daemon.stop.set()
        daemon.shutdown()
    (first, t0), (second, t1) = recorder.calls
    assert (first, second) == ("catch-up", "retry")
    assert t1 - t0 >= 0.8


def test_ready_then_watchdog_heartbeats_during_a_long_cycle_then_stopping(notify_socket) -> None:
    address, server = notify_socket
    recorder = Recorder(busy_s=2.5)
    environ = {"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "400000"}
    daemon = make_daemon(recorder, last_ok=None, environ=environ)
    daemon.start()
    messages = []
    try:
        deadline = time.monotonic() + 2.2
        while time.monotonic() < deadline:
            messages.append(server.recv(4096).decode())
    finally:
        daemon.stop.set()
        daemon.shutdown()
    while True:
        try:
            server.settimeout(0.2)
            messages.append(server.recv(4096).decode())
        except TimeoutError:
            break
    assert messages[0].startswith("READY=1\nSTATUS=")
    assert "STATUS=cycle catch-up running" in messages
    # The cycle holds the default executor for 2.5 s; heartbeats keep coming every 0.2 s
    # (about 11 in the 2.2 s watched; a loaded machine may delay a few).
    assert messages.count("WATCHDOG=1") >= 5
    assert any(m.startswith("STOPPING=1") for m in messages)


def test_stop_ends_a_running_cycle_promptly() -> None:
    recorder = Recorder(busy_s=30)
    daemon = make_daemon(recorder, last_ok=None)
    daemon.start()
    wait_for(lambda: recorder.calls)
    started = time.monotonic()
    daemon.stop.set()
    daemon.shutdown()
    assert time.monotonic() - started < 2


def test_sighup_reload_reschedules_and_a_bad_config_keeps_the_old_one() -> None:
    current = {"settings": settings()}
    recorder = Recorder()
    daemon = make_daemon(recorder, last_ok=datetime.now(UTC), load=lambda: current["settings"])
    daemon.start()
    try:
        before = daemon.next_runs()["push"]
        current["settings"] = settings().model_copy(
            update={"sync": settings().sync.model_copy(update={"push_at": "05:15"})}
        )
        daemon.apply_reload()
        after = daemon.next_runs()["push"]
        assert after.strftime("%H:%M") in {"05:15", "05:16"}  # jitter adds up to a minute
        assert before != after

        def broken() -> Settings:
            raise ValueError("bad edit")

        daemon._load_settings = broken
        daemon.apply_reload()
        assert daemon.next_runs()["push"] == after
    finally:
        daemon.stop.set()
        daemon.shutdown()


def test_a_changed_config_file_is_read_again_without_a_sighup(tmp_path) -> None:
    """`ampt-sync goal set` or `days` rewrite the file; the running daemon follows it."""
    from ampt_sync.config import ConfigWatch
    from ampt_sync.config_edit import change_config

    path = tmp_path / "config.toml"
    path.write_text('[goal]\ndistance = "half"\ndate = 2027-04-11\n\n[sync]\npush_at = "04:30"\n')
    watch = ConfigWatch(path)
    assert not watch.changed()
    loads = []

    def load() -> Settings:
        loads.append(1)
        return settings().model_copy(update={"sync": settings().sync.model_copy(
            update={"push_at": "05:15" if len(loads) > 1 else "04:30"})})  # fmt: skip

    recorder = Recorder()
    daemon = Daemon(
        load_settings=load, make_cycle=lambda _s: recorder, last_ok=lambda: datetime.now(UTC),
        environ={}, config_changed=watch.changed,
    )  # fmt: skip
    stopper = threading.Thread(target=lambda: (wait_for(lambda: len(loads) > 1), daemon.stop.set()))
    stopper.start()
    change_config(path, {"sync": {"push_at": "05:15"}}, write=True)
    daemon.run()
    stopper.join()
    assert len(loads) == 2  # once at start, once when the file changed
    assert not watch.changed()  # seen once


def test_retries_after_temporary_failures_back_off() -> None:
    from ampt_sync.daemon import retry_delay

    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=2),
    ]
    assert retry_delay(9) == timedelta(hours=4)
    recorder = Recorder([CycleOutcome("temporary", message="down")] * 2)
    daemon = make_daemon(recorder, last_ok=datetime.now(UTC))
    daemon._scheduler.start(paused=True)
    try:
        before = datetime.now(UTC)
        daemon._run_cycle("push")
        first = daemon._scheduler.get_job("retry").next_run_time
        daemon._run_cycle("retry")
        second = daemon._scheduler.get_job("retry").next_run_time
    finally:
        daemon._scheduler.shutdown(wait=False)
    assert timedelta(minutes=14) < first - before < timedelta(minutes=16)
    assert timedelta(minutes=29) < second - before < timedelta(minutes=31)
