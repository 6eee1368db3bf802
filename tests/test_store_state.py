"""Service state and run reports in the store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ampt_sync.store import reports, state
from ampt_sync.store.db import open_store

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path):
    opened = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    yield opened
    opened.close()


def test_named_facts_are_put_read_and_removed(store) -> None:
    with store.transaction() as session:
        state.put(session, state.PAUSE, {"until": "2026-11-30"}, now=NOW)
        state.put(session, state.PAUSE, {"until": "2026-12-01"}, now=NOW)
    with store.transaction() as session:
        assert state.get(session, state.PAUSE) == {"until": "2026-12-01"}
        assert state.names(session) == ["pause"]
        assert state.remove(session, state.PAUSE)
        assert state.get(session, state.PAUSE) is None
        assert not state.remove(session, state.PAUSE)


def test_a_pause_is_in_force_until_its_end_date(store) -> None:
    with store.transaction() as session:
        state.put(session, state.PAUSE, {"until": "2026-11-30"}, now=NOW)
        assert state.paused_until(session, date(2026, 11, 29)) == date(2026, 11, 30)
        assert state.paused_until(session, date(2026, 11, 30)) is None


def test_reports_are_listed_newest_first_and_pruned(store, monkeypatch) -> None:
    monkeypatch.setattr(reports, "KEPT", 3)
    with store.transaction() as session:
        for i in range(5):
            reports.record(
                session,
                kind="push",
                started_at=NOW + timedelta(hours=i),
                finished_at=NOW + timedelta(hours=i, minutes=1),
                result="ok",
                report={"n": i},
            )
    with store.transaction() as session:
        assert [r.report_json["n"] for r in reports.recent(session, limit=10)] == [4, 3, 2]
