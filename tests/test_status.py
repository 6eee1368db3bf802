"""`ampt-sync status` in a runner's words: moments in the athlete's zone to the minute in text,
ISO 8601 with the offset in JSON, dates with their weekday, the horizon's marks with a legend,
and "not connected" instead of a list of what would be pushed when Garmin is not connected.

Over the state a short demo leaves (the real cycles through the real clients), read by the real
CLI; the pure row functions are checked on hand-made reports too."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from ampt_sync.demo import DemoState, demo_state
from ampt_sync.secrets import GARMIN_TOKENS, open_token_store
from ampt_sync.status import horizon_legend, horizon_rows, status_rows
from ampt_sync.store import state
from ampt_sync.store.db import open_store

#: The demo's runner lives in New York; the demo's days are in December, so EST.
ISO_IN_NEW_YORK = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00$")
MOMENT_TEXT = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d\d:\d\d$")
DAY_TEXT = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoState]:
    with demo_state(2, folder=tmp_path_factory.mktemp("status-demo")) as finished:
        yield finished


@pytest.fixture
def status(demo: DemoState, cli, monkeypatch: pytest.MonkeyPatch):
    """Run the real `ampt-sync status` over the demo's state (its token key and sims' URLs)."""
    for name, value in demo.environ.items():
        monkeypatch.setenv(name, value)

    def run(*args: str):
        result = cli("--config", str(demo.config_path), "status", *args)
        assert result.code == 0, result.stderr
        return result.stdout

    return run


def _rows(text: str) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        label, _, value = line.partition("  ")
        if label and value.strip():
            rows.setdefault(label.strip(), []).append(value.strip())
    return rows


def test_every_moment_in_the_json_has_the_athletes_offset_to_the_second(demo, status) -> None:
    moment = datetime(2026, 12, 8, 9, 41, 7, 123456, tzinfo=UTC)
    store = open_store(demo.settings.database_url(demo.environ))
    try:
        with store.transaction() as session:
            state.put(
                session,
                state.ACTIVE_ALERTS,
                {"cycle_failed": {"title": "The cycle failed", "since": moment.isoformat()}},
                now=moment,
            )
            state.put(
                session,
                state.GARMIN_RELOGIN,
                {"since": moment.isoformat(), "reason": "401"},
                now=moment,
            )
        document = json.loads(status("--format", "json"))
        text = status()
    finally:
        with store.transaction() as session:
            state.remove(session, state.ACTIVE_ALERTS)
            state.remove(session, state.GARMIN_RELOGIN)
        store.close()
    moments = [document["next_jobs"]["push"], document["next_jobs"]["adapt"]]
    moments.append(document["tokens"]["strava"]["access_expires_at"])
    moments += [c[key] for c in document["cycles"] for key in ("started_at", "finished_at")]
    moments.append(document["alerts"]["cycle_failed"]["since"])
    moments.append(document["garmin_relogin_needed"]["since"])
    assert len(document["cycles"]) == 4
    assert all(ISO_IN_NEW_YORK.match(m) for m in moments), moments
    # the alert's moment, written in UTC with microseconds, now reads in New York
    assert document["alerts"]["cycle_failed"]["since"] == "2026-12-08T04:41:07-05:00"
    assert "since Tue 8 Dec 04:41)" in text
    assert "+00:00" not in text
    assert not re.search(r"\d\d:\d\d:\d\d", text)


def test_the_text_says_moments_to_the_minute_and_dates_with_their_weekday(status) -> None:
    rows = _rows(status())
    assert MOMENT_TEXT.match(rows["next push"][0]), rows["next push"]
    assert MOMENT_TEXT.match(rows["next adapt"][0])
    assert rows["next push"][0].endswith("04:30")  # the demo's sync.push_at, in New York
    assert all(MOMENT_TEXT.match(c.split(" push:")[0].split(" adapt:")[0]) for c in rows["cycle"])
    assert re.search(r"until (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d", rows["Strava"][0])
    assert re.fullmatch(r"AMPT Half on \w{3} \d{1,2} \w{3} \d{4}", rows["goal"][0])


def test_the_horizon_marks_what_is_on_garmin_and_explains_the_marks(status) -> None:
    text = status()
    days = [line for line in text.splitlines() if line.startswith("│")]
    assert len(days) >= 7
    assert all(DAY_TEXT.match(line.split("│")[1].strip()) for line in days if line[2] != " ")
    assert "✓" in text  # the demo's pushes put the week on Garmin
    assert "✓ on Garmin · … waiting for the next push" in text


def test_without_garmin_the_horizon_says_not_connected(demo, status) -> None:
    tokens = open_token_store("file", demo.settings.state_dir(demo.environ), environ=demo.environ)
    saved = tokens.get(GARMIN_TOKENS)
    assert saved is not None
    tokens.delete(GARMIN_TOKENS)
    try:
        text = status()
        document = json.loads(status("--format", "json"))
    finally:
        tokens.set(GARMIN_TOKENS, saved)
    days = [line for line in text.splitlines() if line.startswith("│") and line[2] != " "]
    assert days
    assert all(line.rstrip("│ ").endswith("not connected") for line in days), days
    assert not any("✓" in line or "…" in line for line in days)
    assert "on Garmin: not connected, so nothing is pushed" in text
    assert _rows(text)["Garmin"] == ["not connected: run `ampt-sync auth garmin`"]
    # the JSON keeps what the ledger says; only the words change
    assert any(day["garmin"] for day in document["horizon"])


# ------------------------------------------------------------------------------------------------
# the pure rows, on hand-made reports


def _report(**changes: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "version": "0",
        "config": {
            "path": "/c.toml",
            "error": None,
            "warnings": [],
            "athlete": "Sam",
            "timezone": "Europe/Paris",
            "goal": {"race": "Paris Half", "date": "2027-03-07"},
        },
        "state_dir": "/s",
        "database": {"url": "sqlite:///s/db", "exists": False},
        "tokens": {"strava": {"connected": False}, "garmin": {"connected": True}},
        "activities": {"count": 0, "runs": 0, "first_day": None, "last_day": None},
        "paused_until": "2026-12-10",
        "next_jobs": {"push": "2026-12-08T04:30:00+01:00", "adapt": "2026-12-08T20:00:00+01:00"},
        "cycles": [],
        "alerts": {},
        "horizon": [
            {
                "date": "2026-12-07",
                "plan": [{"key": "a", "kind": "easy", "title": "Easy 5 km"}],
                "garmin": [{"key": "a", "workout_id": 1, "pending": None}],
            },
            {
                "date": "2026-12-08",
                "plan": [
                    {"key": "b", "kind": "tempo", "title": "Tempo"},
                    {"key": "c", "kind": "strength", "title": "Strength"},
                ],
                "garmin": [
                    {"key": "b", "workout_id": 2, "pending": "unsure-update"},
                    {"key": "old", "workout_id": 3, "pending": None},
                ],
            },
            {
                "date": "2026-12-09",
                "plan": [{"key": "r", "kind": "rest", "title": "Rest"}],
                "garmin": [],
            },
        ],
    }
    report.update(changes)
    return report


def test_horizon_rows_mark_each_workout_and_keep_the_iso_date_for_the_pages_links() -> None:
    assert horizon_rows(_report()) == [
        ("2026-12-07", "Easy 5 km", "Easy 5 km ✓"),
        ("2026-12-08", "Tempo, Strength", "Tempo ?, Strength … (+1 to remove)"),
        ("2026-12-09", "rest", "nothing"),
    ]
    assert horizon_legend(_report()).startswith("✓ on Garmin · … waiting for the next push")


def test_horizon_rows_say_not_connected_without_garmin_tokens() -> None:
    report = _report(tokens={"strava": {"connected": False}, "garmin": {"connected": False}})
    assert [row[2] for row in horizon_rows(report)] == ["not connected"] * 3
    assert "not connected" in horizon_legend(report)
    # a token store that could not be read says nothing about Garmin: the ledger's marks stay
    unknown = _report(tokens={"error": "no token key here"})
    assert horizon_rows(unknown)[0][2] == "Easy 5 km ✓"


def test_status_rows_write_dates_with_weekdays_and_moments_to_the_minute() -> None:
    rows = dict(status_rows(_report()))
    assert rows["goal"] == "Paris Half on Sun 7 Mar 2027"
    assert rows["paused"] == "until Thu 10 Dec (`ampt-sync resume` ends it)"
    assert rows["next push"] == "Tue 8 Dec 04:30"
    without_config = _report(config={"error": "no config", "warnings": []})
    assert dict(status_rows(without_config))["next push"] == "Tue 8 Dec 04:30 UTC"


def test_the_status_text_has_no_utc_microseconds_anywhere(status) -> None:
    text = status()
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", text)
    assert not re.search(r"\d{4}-\d\d-\d\dT", text)
