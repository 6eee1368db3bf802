"""Alerts reach ntfy and a webhook once per problem, until the problem clears."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ampt_sync.alerts import CYCLE_FAILED, GARMIN_RELOGIN, Alert, Alerter, active_alerts
from ampt_sync.store.db import open_store

NOW = datetime(2026, 11, 23, 9, 31, tzinfo=UTC)
FAILED = Alert(CYCLE_FAILED, "Morning sync failed", "Garmin did not answer; retrying at 05:30.")


class Receiver:
    """A local HTTP server that records what it is sent and can be told to fail."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                self.send_response(500 if receiver.fail else 200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture
def store(tmp_path: Path):
    opened = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    yield opened
    opened.close()


def test_one_alert_per_problem_until_it_clears(receiver: Receiver, store) -> None:
    alerter = Alerter(ntfy_url=f"{receiver.url}/topic", webhook_url=f"{receiver.url}/hook")
    with store.transaction() as session:
        assert alerter.raise_alert(session, FAILED, now=NOW) == ["ntfy", "webhook"]
        assert alerter.raise_alert(session, FAILED, now=NOW) == []
    with store.transaction() as session:
        assert alerter.raise_alert(session, FAILED, now=NOW) == []
        assert alerter.clear(session, CYCLE_FAILED, now=NOW)
        assert alerter.raise_alert(session, FAILED, now=NOW) == ["ntfy", "webhook"]
    assert receiver.paths() == ["/topic", "/hook", "/topic", "/hook"]


def test_ntfy_gets_a_titled_text_and_the_webhook_json(receiver: Receiver, store) -> None:
    alerter = Alerter(ntfy_url=f"{receiver.url}/topic", webhook_url=f"{receiver.url}/hook")
    relogin = Alert(GARMIN_RELOGIN, "Garmin needs you", "Run `ampt-sync auth garmin`.", urgent=True)
    with store.transaction() as session:
        alerter.raise_alert(session, relogin, now=NOW)
    ntfy, hook = receiver.requests
    assert ntfy["headers"]["Title"] == "Garmin needs you"
    assert ntfy["headers"]["Priority"] == "high"
    assert ntfy["body"] == b"Run `ampt-sync auth garmin`."
    assert json.loads(hook["body"]) == {
        "source": "ampt-sync",
        "problem": "garmin-relogin",
        "title": "Garmin needs you",
        "message": "Run `ampt-sync auth garmin`.",
        "urgent": True,
        "at": "2026-11-23T09:31:00+00:00",
    }


def test_a_channel_that_failed_is_tried_again_and_the_other_is_not_repeated(
    receiver: Receiver, store
) -> None:
    alerter = Alerter(ntfy_url=f"{receiver.url}/topic", webhook_url="http://127.0.0.1:9/closed")
    with store.transaction() as session:
        assert alerter.raise_alert(session, FAILED, now=NOW) == ["ntfy"]
    alerter.channels["webhook"] = f"{receiver.url}/hook"
    with store.transaction() as session:
        assert alerter.raise_alert(session, FAILED, now=NOW) == ["webhook"]
    assert receiver.paths() == ["/topic", "/hook"]


def test_a_server_error_counts_as_not_sent(receiver: Receiver, store) -> None:
    receiver.fail = True
    alerter = Alerter(ntfy_url=f"{receiver.url}/topic")
    with store.transaction() as session:
        assert alerter.raise_alert(session, FAILED, now=NOW) == []
    receiver.fail = False
    with store.transaction() as session:
        assert alerter.raise_alert(session, FAILED, now=NOW) == ["ntfy"]


def test_without_channels_the_problem_is_still_remembered_for_status(store) -> None:
    with store.transaction() as session:
        assert Alerter().raise_alert(session, FAILED, now=NOW) == []
        assert active_alerts(session)[CYCLE_FAILED]["title"] == "Morning sync failed"
