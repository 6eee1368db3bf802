"""Issue 13, finding 8: the journal tells the truth, systemd's STATUS names the last problem, and
``[alerts] ping_url`` is a dead-man's switch (tested against a local HTTP server)."""

from __future__ import annotations

import io
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ampt_sync.config import parse_settings
from ampt_sync.cycle.report import LOG_LEVEL_BY_RESULT, RESULTS
from ampt_sync.daemon import CycleOutcome, Daemon
from ampt_sync.deadman import Pinger, ping_target
from ampt_sync.logs import setup_logging
from ampt_sync.service import CycleDeps, run_cycle

GOAL_DATE = (date.today() + timedelta(weeks=30)).isoformat()


class CheckServer:
    """A healthchecks.io stand-in: records the paths pinged; answers ``status``."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.status = 200
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.paths.append(self.path)
                self.send_response(owner.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ping/5f0c-uuid"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def check() -> Iterator[CheckServer]:
    server = CheckServer()
    yield server
    server.close()


def _settings(ping_url: str = ""):
    return parse_settings(
        f"""
[athlete]
timezone = "America/New_York"
[goal]
distance = "half"
date = {GOAL_DATE}
[sync]
poll_minutes = 0
[alerts]
ping_url = "{ping_url}"
""",
        source="test",
    )


def _run_one(kind: str, outcome: CycleOutcome, ping_url: str, environ=None) -> Daemon:
    daemon = Daemon(
        load_settings=lambda: _settings(ping_url),
        make_cycle=lambda _s: lambda _kind, _stop: outcome,
        last_ok=lambda: datetime.now(UTC),
        environ=environ or {},
    )
    daemon._run_cycle(kind)
    return daemon


def test_ping_targets_follow_healthchecks_io() -> None:
    url = "https://hc-ping.com/abc/"
    assert ping_target(url, "start") == "https://hc-ping.com/abc/start"
    assert ping_target(url, "success") == "https://hc-ping.com/abc"
    assert ping_target(url, "fail") == "https://hc-ping.com/abc/fail"


def test_a_morning_push_pings_start_then_success(check) -> None:
    _run_one("push", CycleOutcome("ok"), check.url)
    assert check.paths == ["/ping/5f0c-uuid/start", "/ping/5f0c-uuid"]


@pytest.mark.parametrize("result", ["error", "auth", "config", "temporary", "rate_limited"])
def test_a_failed_morning_push_pings_fail(check, result) -> None:
    _run_one("catch-up", CycleOutcome(result, message="Garmin: down"), check.url)
    assert check.paths == ["/ping/5f0c-uuid/start", "/ping/5f0c-uuid/fail"]


def test_an_evening_adapt_or_a_poll_does_not_ping(check) -> None:
    _run_one("adapt", CycleOutcome("ok"), check.url)
    _run_one("poll", CycleOutcome("error", message="x"), check.url)
    assert check.paths == []


def test_an_unreachable_check_service_never_fails_the_cycle_nor_shows_the_url() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/ping/secret-uuid-123"
    stream = io.StringIO()
    setup_logging(stream=stream, environ={})
    assert Pinger(dead).ping("start") is False
    assert "the start ping failed" in stream.getvalue()
    assert "secret-uuid-123" not in stream.getvalue()


def test_a_refused_ping_is_a_warning(check) -> None:
    check.status = 404
    stream = io.StringIO()
    setup_logging(stream=stream, environ={})
    assert Pinger(check.url).ping("success") is False
    assert "refused (HTTP 404)" in stream.getvalue()


def test_the_status_line_names_the_last_problem(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(5)
    try:
        problem = "Garmin: Garmin refused the stored sign-in; run `ampt-sync auth garmin`"
        _run_one("push", CycleOutcome("auth", message=problem), "", {"NOTIFY_SOCKET": str(path)})
        messages = [server.recv(4096).decode(), server.recv(4096).decode()]
    finally:
        server.close()
    assert messages[0] == "STATUS=cycle push running"
    assert messages[1].startswith(f"STATUS=last push: auth ({problem}); next push ")


# ------------------------------------------------------------------------------------------------
# journald priorities


def test_every_result_has_a_level_and_problems_are_warning_or_error() -> None:
    assert set(LOG_LEVEL_BY_RESULT) == set(RESULTS)
    assert LOG_LEVEL_BY_RESULT["ok"] == logging.INFO
    assert LOG_LEVEL_BY_RESULT["interrupted"] == logging.INFO
    for result in ("temporary", "rate_limited", "busy"):
        assert LOG_LEVEL_BY_RESULT[result] == logging.WARNING
    for result in ("auth", "config", "error"):
        assert LOG_LEVEL_BY_RESULT[result] == logging.ERROR


def test_a_failed_cycle_reaches_journalctl_p_warning_and_a_good_one_does_not(
    tmp_path: Path,
) -> None:
    stream = io.StringIO()
    setup_logging(stream=stream, environ={"JOURNAL_STREAM": "8:123"})
    settings = parse_settings(
        f"""
[athlete]
timezone = "America/New_York"
[goal]
distance = "half"
date = {GOAL_DATE}
[storage]
state_dir = "{tmp_path / "state"}"
[secrets]
backend = "file"
""",
        source="test",
    )
    # No Strava client id and no Garmin sign-in: a config problem and a sign-in problem.
    report = run_cycle(CycleDeps(settings=settings, environ={}), "push")
    assert report.result == "config"
    lines = [line for line in stream.getvalue().splitlines() if "cycle push:" in line]
    assert len(lines) == 1
    assert lines[0].startswith("<3>")  # journald's "err": shown by journalctl -p warning
    assert "Traceback" not in stream.getvalue()
