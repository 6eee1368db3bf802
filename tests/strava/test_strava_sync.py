"""Pulling from the simulated Strava with the real stravalib: backfill, incremental pulls with
their overlap, edits and deletions, details only for races and workouts, request budgets, rate
limits that stop and resume, and bad data that is reported and skipped."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from strava_helpers import ZONE, today_local

from ampt_sync.config import Settings
from ampt_sync.domain import End, Repeat, Step, StepRole, Target, Workout, WorkoutKind
from ampt_sync.errors import RateLimited
from ampt_sync.sim.runner import activity_for_workout, build_activity
from ampt_sync.sim.strava import StravaSim
from ampt_sync.store.activities import load_activities
from ampt_sync.store.db import Store
from ampt_sync.store.models import ActivityRow, SyncCursorRow
from ampt_sync.strava.client import StravaClient, StravaTokens
from ampt_sync.strava.sync import PullReport, pull


@pytest.fixture
def connected(connect: Callable[..., StravaTokens]) -> StravaTokens:
    return connect()


def in_window(activities: list[dict[str, Any]], first_day: date) -> list[dict[str, Any]]:
    return [a for a in activities if date.fromisoformat(a["start_date_local"][:10]) >= first_day]


def needs_detail(activity: dict[str, Any]) -> bool:
    return activity["sport_type"] in ("Run", "TrailRun", "VirtualRun") and activity[
        "workout_type"
    ] in (1, 3)


def stored_ids(store: Store) -> set[int]:
    with store.transaction() as session:
        return set(session.scalars(select(ActivityRow.id)))


def easy_runs(
    sim: StravaSim, count: int, *, first_id: int = 30_000_000_000
) -> list[dict[str, Any]]:
    """``count`` plain runs, one every 5 hours back from now (cheap to build: no laps)."""
    zone = ZoneInfo(ZONE)
    now = datetime.fromtimestamp(sim.now(), zone)
    return [
        build_activity(
            activity_id=first_id + n,
            name=f"Easy {n}",
            sport_type="Run",
            start_local=(now - timedelta(hours=5 * (n + 1))).replace(microsecond=0),
            distance_m=8000.0,
            duration_s=2700.0,
            workout_type=0,
        )
        for n in range(count)
    ]


# ------------------------------------------------------------------------------------------------
# Backfill and incremental pulls


def test_backfill_costs_list_pages_plus_one_detail_per_race_or_workout_run(
    sim: StravaSim,
    long_history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    first_day = today_local(sim) - timedelta(days=settings.strava.backfill_days - 1)
    expected = in_window(long_history, first_day)
    details = [a for a in expected if needs_detail(a)]
    assert len(expected) < len(long_history)  # the long_history reaches beyond the backfill window
    assert {a["workout_type"] for a in details} == {1, 3}

    report = pull(make_client(), store, settings)

    n = len(expected)
    list_requests = sim.count_exact("/api/v3/athlete/activities")
    assert list_requests <= math.ceil(n / 200) + 1
    assert sim.count("/api/v3/activities/") == len(details)
    assert report.api_calls == list_requests + len(details) == sim.count("/api/")
    assert report.backfill
    assert (report.fetched, report.created, report.details_fetched) == (n, n, len(details))
    assert report.complete
    assert not report.skipped
    assert stored_ids(store) == {a["id"] for a in expected}
    with store.transaction() as session:
        activities = load_activities(session)
    by_id = {a.id: a for a in activities}
    for activity in details:
        stored = by_id[activity["id"]]
        assert stored.laps
        assert stored.splits_km
        assert stored.best_efforts
    assert report.runs == sum(1 for a in activities if a.is_run)
    assert report.cross_training == sum(1 for a in activities if not a.is_run) > 0


@pytest.mark.parametrize(("count", "pages"), [(199, 1), (200, 2), (450, 3)])
def test_pages_of_200_stop_at_the_first_short_page(
    sim: StravaSim,
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
    count: int,
    pages: int,
) -> None:
    sim.add_activities(easy_runs(sim, count))
    report = pull(make_client(), store, settings)
    assert report.pages == pages == sim.count_exact("/api/v3/athlete/activities")
    assert pages <= math.ceil(count / 200) + 1
    assert {r.query["per_page"] for r in sim.requests} == {"200"}
    assert len(stored_ids(store)) == count


def test_a_pull_with_nothing_new_costs_exactly_one_request(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    pull(make_client(), store, settings)
    sim.clear_log()
    report = pull(make_client(), store, settings)
    assert len(sim.requests) == 1
    assert report.api_calls == 1
    assert (report.created, report.updated, report.deleted, report.details_fetched) == (0, 0, 0, 0)
    assert not report.backfill
    assert report.fetched == report.unchanged > 0  # the 3-day overlap was listed again


def test_a_new_workout_is_stored_with_its_detail_in_two_requests(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    pull(make_client(), store, settings)
    sim.clear_log()
    workout = Workout(
        key="w-1",
        kind=WorkoutKind.INTERVALS,
        title="6 × 800 m",
        steps=(
            Step(StepRole.WARMUP, End(distance_m=2000)),
            Repeat(
                6,
                (
                    Step(StepRole.WORK, End(distance_m=800), Target(pace_s_per_km=(250, 260))),
                    Step(StepRole.RECOVERY, End(duration_s=120)),
                ),
            ),
            Step(StepRole.COOLDOWN, End(distance_m=2000)),
        ),
    )
    done = activity_for_workout(
        workout, today_local(sim), "done", zone=ZONE, activity_id=40_000_000_000, start=time(0, 5)
    )
    assert done is not None
    sim.add_activities([done])
    report = pull(make_client(), store, settings)
    assert (report.created, report.details_fetched, report.api_calls) == (1, 1, 2)
    with store.transaction() as session:
        new = next(a for a in load_activities(session) if a.id == done["id"])
    assert len(new.laps) == 2 + 6 * 2


def test_edits_and_deletions_inside_the_overlap_are_seen(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    recent = easy_runs(sim, 3, first_id=41_000_000_000)  # 5, 10 and 15 hours ago
    sim.add_activities(recent)
    pull(make_client(), store, settings)
    edited, retyped, deleted = recent
    sim.edit_activity(edited["id"], name="Renamed", distance=edited["distance"] + 1000)
    sim.edit_activity(retyped["id"], sport_type="Hike")
    sim.delete_activity(deleted["id"])
    sim.clear_log()

    report = pull(make_client(), store, settings)

    assert (report.updated, report.deleted) == (2, 1)
    assert deleted["id"] not in stored_ids(store)
    with store.transaction() as session:
        assert session.get(ActivityRow, edited["id"]).name == "Renamed"
        assert session.get(ActivityRow, retyped["id"]).sport_type == "Hike"
    assert sim.count("/api/v3/activities/") == 0
    assert report.api_calls == 1


def test_an_edited_workout_has_its_detail_fetched_again_once(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    pull(make_client(), store, settings)
    newest_workout = max((a for a in history if needs_detail(a)), key=lambda a: a["start_date"])
    # List from the workout's day so that the edit is inside the window whatever today is.
    day = date.fromisoformat(newest_workout["start_date_local"][:10])
    sim.edit_activity(newest_workout["id"], kudos_count=99, comment_count=3)
    sim.clear_log()
    report = pull(make_client(), store, settings, since=day)
    assert (report.updated, report.details_fetched, report.api_calls) == (0, 0, 1)

    sim.edit_activity(newest_workout["id"], name="Intervals, felt strong")
    sim.clear_log()
    report = pull(make_client(), store, settings, since=day)
    assert (report.updated, report.details_fetched) == (1, 1)
    assert sim.count_exact(f"/api/v3/activities/{newest_workout['id']}") == 1
    sim.clear_log()
    report = pull(make_client(), store, settings, since=day)
    assert report.details_fetched == 0
    assert sim.count("/api/v3/activities/") == 0


def test_since_lists_from_local_midnight_of_that_date(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    pull(make_client(), store, settings)
    day = today_local(sim) - timedelta(days=20)
    sim.clear_log()
    report = pull(make_client(), store, settings, since=day)
    midnight = datetime.combine(day, time(0), ZoneInfo(ZONE))
    assert report.window_start == midnight
    assert sim.requests[0].query["after"] == str(int(midnight.timestamp()) - 1)
    assert report.fetched == len(in_window(history, day))


def test_the_cursor_is_kept_in_sync_cursors(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    pull(make_client(), store, settings)
    newest = max(history, key=lambda a: a["start_date"])["start_date"]
    with store.transaction() as session:
        cursors = {row.name: row.value for row in session.scalars(select(SyncCursorRow))}
    assert set(cursors) == {"strava.newest_start"}
    assert cursors["strava.newest_start"].startswith(newest.replace("Z", "")[:19])


def test_stored_json_keeps_no_location(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    pull(make_client(), store, settings)
    with store.transaction() as session:
        rows = list(session.scalars(select(ActivityRow)))
    for row in rows:
        for document in (row.summary_json, row.detail_json or {}):
            text = str(document)
            assert "latlng" not in text
            assert "polyline" not in text


# ------------------------------------------------------------------------------------------------
# Rate limits


def test_a_429_raises_rate_limited_keeps_what_was_fetched_and_the_next_pull_resumes(
    sim: StravaSim,
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    sim.add_activities(easy_runs(sim, 450))
    sim.fail("status", status=429, path="/api/v3/athlete/activities", after=1)  # page 2
    client = make_client()
    report = PullReport()
    with pytest.raises(RateLimited) as raised:
        pull(client, store, settings, report=report)
    quarter = datetime.fromtimestamp((sim.now() // 900 + 1) * 900, ZoneInfo("UTC"))
    assert raised.value.retry_at == quarter
    assert "nothing is lost" in str(raised.value)
    assert (report.pages, report.created, report.listing_complete) == (1, 200, False)
    assert len(stored_ids(store)) == 200

    sim.clear_log()
    report = pull(make_client(), store, settings)
    assert report.backfill  # the same window again, from where the budget ran out
    assert (report.created, report.unchanged, report.complete) == (250, 200, True)
    assert len(stored_ids(store)) == 450
    assert sim.count("/api/") == 3


def test_an_exhausted_budget_stops_before_the_limit_and_the_next_window_resumes(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    sim.set_time_of_day(12 * 3600 + 60)  # so that the next window is on the same UTC day
    sim.set_usage(short=sim.read_limits[0] - 6)  # six reads left in this window
    report = PullReport()
    with pytest.raises(RateLimited) as raised:
        pull(make_client(), store, settings, report=report)
    quarter = datetime.fromtimestamp((sim.now() // 900 + 1) * 900, ZoneInfo("UTC"))
    assert raised.value.retry_at == quarter
    assert all(r.status == 200 for r in sim.requests)  # stopped before Strava said 429
    assert sim.count("/api/") == 6
    assert report.listing_complete
    assert report.details_fetched == 5
    assert report.details_pending > 0
    stored_before = stored_ids(store)
    assert stored_before

    sim.advance(900)  # the next window: the same client, on the sim's clock, goes on
    sim.clear_log()
    report = pull(make_client(), store, settings)
    assert report.complete
    assert stored_ids(store) == stored_before
    detail_requests = sim.count("/api/v3/activities/")
    assert detail_requests == report.details_fetched > 0
    assert report.api_calls == 1 + detail_requests


def test_a_daily_limit_retries_after_utc_midnight(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    sim.set_usage(short=0, daily=sim.read_limits[1] - 1)
    with pytest.raises(RateLimited) as raised:
        pull(make_client(), store, settings)
    midnight = datetime.fromtimestamp((sim.now() // 86400 + 1) * 86400, ZoneInfo("UTC"))
    assert raised.value.retry_at == midnight
    assert sim.count("/api/") == 1


# ------------------------------------------------------------------------------------------------
# Bad data


def test_malformed_and_absurd_activities_are_reported_skipped_and_never_fatal(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    good = max(history, key=lambda a: a["start_date"])
    now_iso = good["start_date"]
    base = {k: good[k] for k in ("start_date", "start_date_local", "timezone", "type")}
    sim.add_raw(1, {**base, "id": 1, "sport_type": "Run", "distance": 5000})  # no times
    sim.add_raw(2, "not an object")
    sim.add_raw(
        3,
        {
            **base,
            "id": 3,
            "sport_type": "Run",
            "distance": 42195.0,
            "moving_time": 600,
            "elapsed_time": 600,
        },
    )  # a marathon in ten minutes
    sim.add_raw(
        4,
        {
            **base,
            "id": 4,
            "sport_type": "Run",
            "distance": 5000.0,
            "moving_time": 1500,
            "elapsed_time": 1500,
            "start_date": "2099-01-01T06:00:00Z",
            "start_date_local": "2099-01-01T01:00:00Z",
        },
    )
    sim.add_raw(
        5,
        {
            **base,
            "id": 5,
            "sport_type": "Run",
            "distance": 5000.0,
            "moving_time": 1500,
            "elapsed_time": 1500,
            "average_heartrate": 400.0,
        },
    )
    sim.add_raw(
        6,
        {
            **base,
            "id": 6,
            "sport_type": "Run",
            "distance": 5000.0,
            "moving_time": 1500,
            "elapsed_time": 1500,
            "start_date": "yesterday",
        },
    )
    assert now_iso

    report = pull(make_client(), store, settings)

    assert report.complete
    reasons = {s.activity_id: s.reason for s in report.skipped}
    assert set(reasons) == {1, None, 3, 4, 5, 6}
    assert "moving_time" in reasons[1]
    assert "km/h" in reasons[3]
    assert "future" in reasons[4]
    assert "heart rate" in reasons[5]
    assert "ISO 8601" in reasons[6]
    assert stored_ids(store).isdisjoint({1, 3, 4, 5, 6})
    assert good["id"] in stored_ids(store)


def test_a_truncated_detail_is_retried_and_a_persistently_broken_one_waits_for_the_next_pull(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    sim.fail("truncated", path="/api/v3/activities/", times=1)
    sim.fail("not_json", path="/api/v3/activities/", times=3)
    report = pull(make_client(read_attempts=3), store, settings)
    assert report.complete
    assert len(report.skipped) == 1
    assert "not readable" in report.skipped[0].reason
    broken = report.skipped[0].activity_id
    sim.clear_log()
    report = pull(make_client(), store, settings)
    assert report.details_fetched == 1
    assert sim.count("/api/v3/activities/") == 1
    assert sim.requests[-1].path == f"/api/v3/activities/{broken}"


def test_a_detail_strava_cannot_give_is_not_asked_for_on_every_pull(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    workout = max((a for a in history if needs_detail(a)), key=lambda a: a["start_date"])
    detail = sim.activity(workout["id"])
    detail["laps"] = "not a list"
    sim.add_activities([detail])
    report = pull(make_client(), store, settings)
    assert [s.activity_id for s in report.skipped] == [workout["id"]]
    sim.clear_log()
    pull(make_client(), store, settings)
    assert len(sim.requests) == 1


def test_a_list_page_that_is_not_a_list_stops_the_pull_with_a_remote_error(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connected: StravaTokens,
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
) -> None:
    from ampt_sync.errors import RemoteError

    sim.fail("not_json", path="/api/v3/athlete/activities", times=3)
    with pytest.raises(RemoteError):
        pull(make_client(read_attempts=3), store, settings)
    report = pull(make_client(), store, settings)
    assert report.backfill  # the interrupted backfill is done again, in full
    assert report.complete


def test_the_report_is_plain_json() -> None:
    import json

    report = PullReport(window_start=datetime(2026, 11, 1, tzinfo=ZoneInfo("UTC")))
    document = json.loads(json.dumps(report.to_json()))
    assert document["window_start"] == "2026-11-01T00:00:00+00:00"
    assert {
        "fetched",
        "created",
        "updated",
        "deleted",
        "skipped",
        "details_fetched",
        "api_calls",
    } <= set(document)
