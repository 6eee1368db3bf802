"""Pulling activities from the simulated intervals.icu with the real IntervalsClient over HTTP:
the backfill in date spans, intervals for races and planned workouts, edits and deletions inside
the overlap, one request when nothing is new, malformed, absurd and Strava-stub items skipped,
429, 5xx and a refused key; the key never in a message or a log."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from ampt_sync.config import Settings, parse_settings
from ampt_sync.errors import AuthError, RateLimited, RemoteError, RemoteUnavailable
from ampt_sync.intervals.activities import SPAN_DAYS, IntervalsActivities, pull, run_pull, spans
from ampt_sync.intervals.activity_json import our_id
from ampt_sync.intervals.client import IntervalsClient
from ampt_sync.pulls import PullReport
from ampt_sync.secrets import TokenStore
from ampt_sync.sim.intervals import IntervalsSim
from ampt_sync.sim.runner import Segment, build_activity, intervals_view, synthetic_history
from ampt_sync.store.activities import load_activities, upsert_activity
from ampt_sync.store.db import Store
from ampt_sync.store.models import ActivityRow, SyncCursorRow

ZONE = "America/New_York"
#: The simulated moment of the pulls (a Monday evening in New York).
NOW = datetime(2026, 12, 7, 23, 0, tzinfo=UTC)
TODAY = NOW.astimezone(ZoneInfo(ZONE)).date()
TOMORROW = TODAY + timedelta(days=1)
LIST = "/api/v1/athlete/i424242/activities"
CONFIG = f"""
[athlete]
timezone = "{ZONE}"

[goal]
distance = "half"
date = {(TODAY + timedelta(weeks=20)).isoformat()}

[activities]
source = "intervals"
"""


@pytest.fixture
def settings() -> Settings:
    return parse_settings(CONFIG, source="test config")


@pytest.fixture
def pull_now(
    client: Callable[..., IntervalsClient], store: Store, settings: Settings
) -> Callable[..., PullReport]:
    """``pull_now(now=NOW, **options)``: one pull through the real client."""

    def run(now: datetime = NOW, **options: Any) -> PullReport:
        with client() as c:
            return pull(IntervalsActivities(c), store, settings, now=now, **options)

    return run


def seed(sim: IntervalsSim, activities: list[dict[str, Any]]) -> list[str]:
    return [sim.add_activity(*intervals_view(a)) for a in activities]


def history(days: int = 120) -> list[dict[str, Any]]:
    return synthetic_history(TODAY - timedelta(days=1), days=days, seed=3, zone=ZONE)


def run_on(
    day: date, activity_id: int, *, name: str = "Easy run", km: float = 8.0, hour: int = 7
) -> dict[str, Any]:
    start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZoneInfo(ZONE))
    return build_activity(
        activity_id=activity_id,
        name=name,
        sport_type="Run",
        start_local=start,
        segments=[Segment(km * 1000, 330.0, 140.0)],
        workout_type=0,
    )


def workout_on(day: date, activity_id: int) -> dict[str, Any]:
    start = datetime(day.year, day.month, day.day, 6, 30, tzinfo=ZoneInfo(ZONE))
    segments = [Segment(2000, 330, 140)]
    for _ in range(5):
        segments += [Segment(800, 240, 172), Segment(400, 400, 150)]
    segments.append(Segment(2000, 330, 145))
    return build_activity(
        activity_id=activity_id,
        name="Intervals 5x800",
        sport_type="Run",
        start_local=start,
        segments=segments,
        workout_type=3,
        auto_laps=False,
    )


def in_window(seeded: list[dict[str, Any]], first_day: date) -> list[dict[str, Any]]:
    return [a for a in seeded if date.fromisoformat(a["start_date_local"][:10]) >= first_day]


def wants_intervals(activity: dict[str, Any]) -> bool:
    return activity["sport_type"] == "Run" and activity["workout_type"] in (1, 3)


def stored(store: Store) -> dict[int, ActivityRow]:
    with store.transaction() as session:
        rows = session.scalars(select(ActivityRow)).all()
        session.expunge_all()
        return {row.id: row for row in rows}


def mine(activity_id: int) -> int:
    """Our id for the simulated runner's activity ``activity_id`` (intervals.icu's ``i<id>``)."""
    return our_id(activity_id)


# ------------------------------------------------------------------------------------------------
# Backfill, spans, intervals


def test_backfill_lists_the_window_in_date_spans_and_fetches_intervals_of_races_and_workouts(
    sim: IntervalsSim, store: Store, settings: Settings, pull_now: Callable[..., PullReport]
) -> None:
    seeded = history(150)
    seed(sim, seeded)
    first_day = TODAY - timedelta(days=settings.strava.backfill_days - 1)
    expected = in_window(seeded, first_day)
    with_intervals = [a for a in expected if wants_intervals(a)]
    assert len(expected) < len(seeded)  # the history reaches beyond the backfill window
    assert {a["workout_type"] for a in with_intervals} == {1, 3}
    sim.clear_log()

    report = pull_now()

    days = (TOMORROW - first_day).days + 1
    assert report.pages == math.ceil(days / SPAN_DAYS) == len(sim.activity_queries) == 2
    # Oldest first, contiguous, from the first backfill day to tomorrow, local dates.
    assert sim.activity_queries[0][0] == first_day.isoformat()
    assert sim.activity_queries[-1][1] == TOMORROW.isoformat()
    for (_o1, n1), (o2, _n2) in zip(sim.activity_queries, sim.activity_queries[1:], strict=False):
        assert date.fromisoformat(o2) == date.fromisoformat(n1) + timedelta(days=1)
    interval_requests = [r for r in sim.requests if r.path.endswith("/intervals")]
    assert len(interval_requests) == len(with_intervals)
    assert report.api_calls == report.pages + len(with_intervals) == sim.counts()["total"]
    assert sim.counts()["writes"] == 0
    assert report.backfill
    assert report.complete
    assert not report.skipped
    n = len(expected)
    assert (report.fetched, report.created, report.details_fetched) == (n, n, len(with_intervals))
    rows = stored(store)
    assert {row.source_id for row in rows.values()} == {a["id"] for a in expected}
    assert {row.source for row in rows.values()} == {"intervals"}
    assert all(row.id == our_id(row.source_id) < 0 for row in rows.values())
    with store.transaction() as session:
        activities = {a.id: a for a in load_activities(session)}
    for activity in with_intervals:
        got = activities[mine(activity["id"])]
        assert len(got.laps) == len(activity["laps"]) > 1
        assert got.laps[0].distance_m == pytest.approx(activity["laps"][0]["distance"])
        assert got.workout_type == (1 if activity["workout_type"] == 1 else None)
    assert report.runs == sum(1 for a in activities.values() if a.is_run)
    assert report.cross_training == sum(1 for a in activities.values() if not a.is_run) > 0


def test_spans_cover_the_window_exactly_oldest_first() -> None:
    first = date(2026, 1, 1)
    assert spans(first, first) == [(first, first)]
    cut = spans(first, date(2026, 12, 31))
    assert cut[0][0] == first
    assert cut[-1][1] == date(2026, 12, 31)
    assert all((end - start).days + 1 <= SPAN_DAYS for start, end in cut)
    assert sum((end - start).days + 1 for start, end in cut) == 365
    assert spans(first, first - timedelta(days=1)) == []


def test_a_pull_with_nothing_new_costs_exactly_one_request_over_the_overlap(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(30))
    pull_now()
    with store.transaction() as session:
        newest = session.get(SyncCursorRow, "intervals.newest_start")
        assert newest is not None
        cursor = datetime.fromisoformat(newest.value)
    sim.clear_log()
    later = NOW + timedelta(hours=6)  # just after local midnight: "tomorrow" moved on too
    report = pull_now(now=later)
    assert report.api_calls == 1 == sim.counts()["total"]
    assert (report.created, report.updated, report.deleted, report.details_fetched) == (0, 0, 0, 0)
    assert report.unchanged == report.fetched > 0  # the overlap was listed again
    assert not report.backfill
    oldest = (cursor - timedelta(days=3)).astimezone(ZoneInfo(ZONE)).date()
    newest = (later + timedelta(days=1)).astimezone(ZoneInfo(ZONE)).date()
    assert newest == TODAY + timedelta(days=2)
    assert sim.activity_queries == [(oldest.isoformat(), newest.isoformat())]


def test_a_new_workout_is_stored_with_its_intervals_in_two_requests(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(30))
    pull_now()
    sim.clear_log()
    workout = workout_on(TODAY, 50_000_000)
    seed(sim, [workout])
    report = pull_now()
    assert report.api_calls == 2 == sim.counts()["total"]
    assert [r.path for r in sim.requests] == [LIST, "/api/v1/activity/i50000000/intervals"]
    assert (report.created, report.details_fetched) == (1, 1)
    with store.transaction() as session:
        got = next(a for a in load_activities(session) if a.id == mine(50_000_000))
    assert [round(lap.distance_m) for lap in got.laps] == [
        round(lap["distance"]) for lap in workout["laps"]
    ]
    assert (got.source, got.name) == ("intervals", "Intervals 5x800")


def test_metrics_intervals_icu_recomputes_are_not_edits(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    (one,) = seed(sim, [run_on(TODAY - timedelta(days=1), 901)])
    pull_now()
    sim.edit_activity(one, icu_ctl=55.0, icu_atl=61.0, analyzed="2026-12-07T22:00:00Z")
    report = pull_now(now=NOW + timedelta(hours=1))
    assert (report.unchanged, report.updated) == (1, 0)


# ------------------------------------------------------------------------------------------------
# Edits and deletions


def test_edits_and_deletions_inside_the_overlap_are_seen_and_older_ones_are_not(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    days = [TODAY - timedelta(days=n) for n in (10, 2, 1)]
    old, edited, deleted = (
        sim.add_activity(*intervals_view(run_on(day, 900 + n))) for n, day in enumerate(days)
    )
    pull_now()
    sim.delete_activity(old)  # outside the 3-day overlap: not seen, kept
    sim.delete_activity(deleted)
    sim.edit_activity(edited, name="Parkrun", sub_type="RACE")
    sim.clear_log()

    report = pull_now(now=NOW + timedelta(hours=1))

    assert (report.updated, report.deleted) == (1, 1)
    rows = stored(store)
    assert set(rows) == {mine(900), mine(901)}
    assert rows[mine(901)].name == "Parkrun"
    assert rows[mine(901)].workout_type == 1
    # A summary edited into a race has its intervals fetched, once.
    assert report.details_fetched == 1
    assert sim.counts()["total"] == 2
    sim.clear_log()
    assert pull_now(now=NOW + timedelta(hours=2)).api_calls == 1


def test_an_intervals_listing_never_deletes_strava_or_garmin_rows(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    from ampt_sync.garmin.activity_json import parse_garmin_summary
    from ampt_sync.sim.runner import garmin_view
    from ampt_sync.store.activities import upsert_columns

    strava_run = run_on(TODAY - timedelta(days=1), 12_345)
    summary, _laps = garmin_view(run_on(TODAY - timedelta(days=1), 23_456, hour=9))
    with store.transaction() as session:
        upsert_activity(session, strava_run, fetched_at=NOW)
        upsert_columns(session, parse_garmin_summary(summary), summary, fetched_at=NOW)
    report = pull_now()  # intervals.icu has nothing at all
    assert report.deleted == 0
    assert set(stored(store)) == {12_345, -23_456}


def test_since_lists_from_that_local_date_and_the_cursor_is_intervals_own(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(30))
    pull_now()
    sim.clear_log()
    pull_now(since=TODAY - timedelta(days=20))
    assert sim.activity_queries == [
        ((TODAY - timedelta(days=20)).isoformat(), TOMORROW.isoformat())
    ]
    with store.transaction() as session:
        names = set(session.scalars(select(SyncCursorRow.name)))
    assert names == {"intervals.newest_start"}


# ------------------------------------------------------------------------------------------------
# Bad data and errors


def test_malformed_absurd_and_strava_stub_items_are_reported_skipped_and_never_fatal(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    yesterday = TODAY - timedelta(days=1)
    (good,) = seed(sim, [run_on(yesterday, 700)])
    no_start, _ = intervals_view(run_on(yesterday, 701, hour=9))
    no_start["start_date"] = "yesterday"
    sim.add_activity(no_start)
    no_type, _ = intervals_view(run_on(yesterday, 702, hour=10))
    no_type["type"] = None
    sim.add_activity(no_type)
    bolt, _ = intervals_view(run_on(yesterday, 703, hour=11))
    bolt["moving_time"] = 60  # 8 km in a minute
    sim.add_activity(bolt)
    text_distance, _ = intervals_view(run_on(yesterday, 704, hour=12))
    text_distance["distance"] = "8 km"
    sim.add_activity(text_distance)
    sim.add_strava_stub(16_358_453_283, datetime.combine(yesterday, datetime.min.time()))

    report = pull_now()

    assert report.complete
    assert set(stored(store)) == {mine(700)}
    assert good == "i700"
    reasons = " | ".join(s.reason for s in report.skipped)
    assert len(report.skipped) == 5
    assert "intervals.icu activity i701: start_date is 'yesterday'" in reasons
    assert "intervals.icu activity i702: no type" in reasons
    assert "intervals.icu activity i703: Run at 480 km/h" in reasons
    assert "intervals.icu activity i704: field 'distance' is '8 km', expected a number" in reasons
    assert "'16358453283' came from Strava" in reasons
    assert "connect your watch" in reasons


def test_unreadable_intervals_are_skipped_and_asked_again_only_when_the_summary_changes(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    (workout,) = seed(sim, [workout_on(TODAY, 800)])
    sim.fail("body", path=r"/intervals$", body='{"id": "i800", "icu_intervals": "none"}')
    report = pull_now()
    assert report.details_fetched == 0
    assert "icu_intervals is not a list of objects" in report.skipped[0].reason
    sim.clear_log()
    assert pull_now().api_calls == 1  # not asked again for the same summary
    sim.edit_activity(workout, name="Intervals 5x800 (windy)")
    again = pull_now()
    assert again.details_fetched == 1
    assert stored(store)[mine(800)].detail_json["icu_intervals"]


def test_intervals_gone_since_the_listing_are_asked_once(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    (_workout,) = seed(sim, [workout_on(TODAY, 810)])
    sim.fail("status", status=404, path=r"/intervals$")
    report = pull_now()
    assert "intervals.icu has no intervals for it" in report.skipped[0].reason
    assert mine(810) in stored(store)
    sim.clear_log()
    assert pull_now().api_calls == 1


def test_a_list_answer_that_is_not_a_list_stops_the_pull_and_the_next_pull_resumes(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(20))
    sim.fail("body", path=LIST, body='{"error": "maintenance"}')
    report = PullReport()
    with pytest.raises(RemoteError, match="dict where a list belongs"):
        pull_now(report=report)
    assert not report.listing_complete
    assert not stored(store)
    assert pull_now().complete
    assert stored(store)


def test_a_429_raises_rate_limited_keeps_what_was_stored_and_the_next_pull_resumes(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seeded = history(150)
    seed(sim, seeded)
    sim.fail("status", status=429, path=LIST, after=1, retry_after_s=900)
    report = PullReport()
    with pytest.raises(RateLimited, match="rate limit") as caught:
        pull_now(report=report)
    assert caught.value.retry_at is not None
    assert report.created > 0  # the first span was stored
    assert not report.listing_complete
    with store.transaction() as session:
        assert session.get(SyncCursorRow, "intervals.pending_window") is not None
    resumed = pull_now(now=NOW + timedelta(minutes=20))
    assert resumed.complete  # still a backfill: no listing completed before
    assert resumed.window_start == report.window_start  # listed from the same start again
    first_day = TODAY - timedelta(days=111)
    assert len(stored(store)) == len(in_window(seeded, first_day))


def test_an_intervals_icu_failing_on_its_side_is_temporary_and_nothing_is_lost(
    sim: IntervalsSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(20))
    pull_now()
    before = stored(store)
    sim.fail("status", status=503, path=LIST)
    with pytest.raises(RemoteUnavailable, match="failed on its side"):
        pull_now(now=NOW + timedelta(hours=1))
    assert set(stored(store)) == set(before)


def test_a_refused_key_is_an_auth_error_naming_auth_intervals_and_never_shows_the_key(
    sim: IntervalsSim,
    store: Store,
    settings: Settings,
    client: Callable[..., IntervalsClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed(sim, history(10))
    wrong_key = "0123456789abcdef-wrong"
    caplog.set_level(logging.DEBUG)
    with (
        client(api_key=wrong_key) as c,
        pytest.raises(AuthError, match="ampt-sync auth intervals") as caught,
    ):
        pull(IntervalsActivities(c), store, settings, now=NOW)
    assert not stored(store)
    assert wrong_key not in str(caught.value)
    assert wrong_key not in caplog.text
    assert sim.api_key not in caplog.text


def test_run_pull_needs_the_stored_key_and_uses_it(
    sim: IntervalsSim,
    store: Store,
    settings: Settings,
    token_store: TokenStore,
    connected: TokenStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from ampt_sync.secrets import INTERVALS_KEY

    seed(sim, history(10))
    environ = {"AMPT_SYNC_INTERVALS_URL": sim.base_url}
    caplog.set_level(logging.DEBUG)
    report = run_pull(settings, store, connected, now=lambda: NOW, environ=environ)
    assert report.complete
    assert report.created > 0
    assert sim.api_key not in caplog.text
    connected.delete(INTERVALS_KEY)
    with pytest.raises(
        AuthError, match=r"intervals\.icu is not connected; run `ampt-sync auth intervals`"
    ):
        run_pull(settings, store, connected, now=lambda: NOW, environ=environ)
