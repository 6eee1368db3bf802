"""Pulling activities from the simulated Garmin Connect with the real garminconnect client:
backfill and list paging, laps for races and workouts, edits and deletions inside the overlap,
one request when nothing is new, malformed and absurd items skipped, 429 and refused sign-ins."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from ampt_sync.config import Settings, parse_settings
from ampt_sync.errors import RateLimited, ReloginNeeded, RemoteUnavailable
from ampt_sync.garmin.activities import PAGE_SIZE, GarminActivities, pull
from ampt_sync.garmin.client import Malformed, relogin_needed
from ampt_sync.pulls import PullReport
from ampt_sync.sim.garmin import HTML_PAGE, GarminSim
from ampt_sync.sim.runner import Segment, build_activity, garmin_view, synthetic_history
from ampt_sync.store.activities import load_activities, upsert_activity
from ampt_sync.store.db import Store
from ampt_sync.store.models import ActivityRow, SyncCursorRow

ZONE = "America/New_York"
#: The simulated moment of the pulls (a Monday evening in New York).
NOW = datetime(2026, 12, 7, 23, 0, tzinfo=UTC)
TODAY = NOW.astimezone(ZoneInfo(ZONE)).date()
LIST = "/activitylist-service/activities/search/activities"
CONFIG = f"""
[athlete]
timezone = "{ZONE}"

[goal]
distance = "half"
date = {(TODAY + timedelta(weeks=20)).isoformat()}

[activities]
source = "garmin"
"""


@pytest.fixture
def settings() -> Settings:
    return parse_settings(CONFIG, source="test config")


@pytest.fixture
def pull_now(
    session: Callable[..., Any], store: Store, settings: Settings
) -> Callable[..., PullReport]:
    """``pull_now(now=NOW, **options)``: one pull through the real client, in its own session."""

    def run(now: datetime = NOW, **options: Any) -> PullReport:
        with session() as s:
            return pull(GarminActivities(s), store, settings, now=now, **options)

    return run


def seed(sim: GarminSim, activities: list[dict[str, Any]]) -> list[int]:
    return [sim.add_recorded_activity(*garmin_view(a)) for a in activities]


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


def wants_laps(activity: dict[str, Any]) -> bool:
    return activity["sport_type"] == "Run" and activity["workout_type"] in (1, 3)


def stored(store: Store) -> dict[int, ActivityRow]:
    with store.transaction() as session:
        rows = session.scalars(select(ActivityRow)).all()
        session.expunge_all()
        return {row.id: row for row in rows}


# ------------------------------------------------------------------------------------------------
# Backfill, paging, laps


def test_backfill_costs_list_pages_plus_one_laps_request_per_race_or_workout(
    sim: GarminSim, store: Store, settings: Settings, pull_now: Callable[..., PullReport]
) -> None:
    seeded = history(150)
    seed(sim, seeded)
    first_day = TODAY - timedelta(days=settings.strava.backfill_days - 1)
    expected = in_window(seeded, first_day)
    laps = [a for a in expected if wants_laps(a)]
    assert len(expected) < len(seeded)  # the history reaches beyond the backfill window
    assert {a["workout_type"] for a in laps} == {1, 3}
    sim.clear_log()

    report = pull_now()

    n = len(expected)
    list_requests = sum(1 for r in sim.requests if r.path == LIST)
    assert report.pages == list_requests <= math.ceil(n / PAGE_SIZE) + 1
    assert sum(1 for r in sim.requests if r.path.endswith("/splits")) == len(laps)
    assert report.api_calls == list_requests + len(laps) == sim.counts()["total"]
    assert report.backfill
    assert report.complete
    assert not report.skipped
    assert (report.fetched, report.created, report.details_fetched) == (n, n, len(laps))
    rows = stored(store)
    assert {row.source_id for row in rows.values()} == {a["id"] for a in expected}
    assert {row.source for row in rows.values()} == {"garmin"}
    assert all(row.id == -row.source_id for row in rows.values())
    with store.transaction() as session:
        activities = {a.id: a for a in load_activities(session)}
    for activity in laps:
        mine = activities[-activity["id"]]
        assert len(mine.laps) == len(activity["laps"]) > 1
        assert mine.laps[0].distance_m == pytest.approx(activity["laps"][0]["distance"])
        assert mine.workout_type == (1 if activity["workout_type"] == 1 else None)
    assert report.runs == sum(1 for a in activities.values() if a.is_run)
    assert report.cross_training == sum(1 for a in activities.values() if not a.is_run) > 0


@pytest.mark.parametrize(("count", "pages"), [(99, 1), (100, 2), (250, 3)])
def test_pages_of_100_stop_at_the_first_short_page(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport], count: int, pages: int
) -> None:
    seed(
        sim, [run_on(TODAY - timedelta(days=n % 60), 10_000 + n, hour=n % 20) for n in range(count)]
    )
    report = pull_now()
    assert report.pages == pages == sum(1 for r in sim.requests if r.path == LIST)
    assert len(stored(store)) == count


def test_a_pull_with_nothing_new_costs_exactly_one_request(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(30))
    pull_now()
    sim.clear_log()
    report = pull_now(now=NOW + timedelta(hours=6))
    assert report.api_calls == 1 == sim.counts()["total"]
    assert (report.created, report.updated, report.deleted, report.details_fetched) == (0, 0, 0, 0)
    assert report.unchanged == report.fetched > 0  # the overlap was listed again
    assert not report.backfill


def test_a_new_workout_is_stored_with_its_laps_in_two_requests(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(30))
    pull_now()
    sim.clear_log()
    intervals = workout_on(TODAY, 50_000_000)
    seed(sim, [intervals])
    report = pull_now()
    assert report.api_calls == 2 == sim.counts()["total"]
    assert (report.created, report.details_fetched) == (1, 1)
    with store.transaction() as session:
        mine = next(a for a in load_activities(session) if a.id == -50_000_000)
    assert [round(lap.distance_m) for lap in mine.laps] == [
        round(lap["distance"]) for lap in intervals["laps"]
    ]
    assert mine.source == "garmin"
    assert mine.name == "Intervals 5x800"


# ------------------------------------------------------------------------------------------------
# Edits and deletions


def test_edits_and_deletions_inside_the_overlap_are_seen_and_older_ones_are_not(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    days = [TODAY - timedelta(days=n) for n in (10, 2, 1)]
    old, edited, deleted = (
        sim.add_recorded_activity(*garmin_view(run_on(day, 900 + n))) for n, day in enumerate(days)
    )
    pull_now()
    sim.delete_activity(old)  # outside the 3-day overlap: not seen, kept
    sim.delete_activity(deleted)
    sim.edit_activity(edited, activityName="Parkrun", eventType={"typeId": 1, "typeKey": "race"})
    sim.clear_log()

    report = pull_now(now=NOW + timedelta(hours=1))

    assert (report.updated, report.deleted) == (1, 1)
    rows = stored(store)
    assert set(rows) == {-old, -edited}
    assert rows[-edited].name == "Parkrun"
    assert rows[-edited].workout_type == 1
    # A summary edited into a race has its laps fetched, once.
    assert report.details_fetched == 1
    assert sim.counts()["total"] == 2
    sim.clear_log()
    assert pull_now(now=NOW + timedelta(hours=2)).api_calls == 1


def test_a_garmin_listing_never_deletes_strava_rows(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    strava_run = run_on(TODAY - timedelta(days=1), 12_345)
    with store.transaction() as session:
        upsert_activity(session, strava_run, fetched_at=NOW)
    report = pull_now()  # Garmin has nothing at all
    assert report.deleted == 0
    assert set(stored(store)) == {12_345}


def test_since_lists_from_that_local_date_and_the_cursor_is_garmins_own(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(30))
    pull_now()
    sim.clear_log()
    pull_now(since=TODAY - timedelta(days=20))
    assert next(r.path for r in sim.requests) == LIST
    with store.transaction() as session:
        names = set(session.scalars(select(SyncCursorRow.name)))
    assert names == {"garmin.newest_start"}


# ------------------------------------------------------------------------------------------------
# Bad data and errors


def test_malformed_and_absurd_activities_are_reported_skipped_and_never_fatal(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    good = sim.add_recorded_activity(*garmin_view(run_on(TODAY - timedelta(days=1), 700)))
    no_start, _ = garmin_view(run_on(TODAY - timedelta(days=1), 701, hour=9))
    no_start["startTimeGMT"] = "yesterday"
    sim.add_recorded_activity(no_start)
    no_type, _ = garmin_view(run_on(TODAY - timedelta(days=1), 702, hour=10))
    no_type["activityType"] = None
    sim.add_recorded_activity(no_type)
    bolt, _ = garmin_view(run_on(TODAY - timedelta(days=1), 703, hour=11))
    bolt["movingDuration"] = bolt["duration"] = 60.0  # 8 km in a minute
    sim.add_recorded_activity(bolt)
    text_distance, _ = garmin_view(run_on(TODAY - timedelta(days=1), 704, hour=12))
    text_distance["distance"] = "8 km"
    sim.add_recorded_activity(text_distance)

    report = pull_now()

    assert report.complete
    assert set(stored(store)) == {-good}
    reasons = " | ".join(s.reason for s in report.skipped)
    assert len(report.skipped) == 4
    assert "Garmin activity 701: startTimeGMT is 'yesterday'" in reasons
    assert "Garmin activity 702: no activityType.typeKey" in reasons
    assert "Garmin activity 703: Run at 480 km/h" in reasons
    assert "Garmin activity 704: field 'distance' is '8 km', expected a number" in reasons


def test_unreadable_laps_are_skipped_and_asked_again_only_when_the_summary_changes(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    workout = sim.add_recorded_activity(*garmin_view(workout_on(TODAY, 800)))
    sim.fail("body", path=r"/splits$", body='{"activityId": 800, "lapDTOs": "none"}')
    report = pull_now()
    assert report.details_fetched == 0
    assert "lapDTOs is not a list of objects" in report.skipped[0].reason
    sim.clear_log()
    assert pull_now().api_calls == 1  # not asked again for the same summary
    sim.edit_activity(workout, activityName="Intervals 5x800 (windy)")
    again = pull_now()
    assert again.details_fetched == 1
    assert stored(store)[-workout].detail_json["lapDTOs"]


def test_a_list_page_that_is_not_a_list_stops_the_pull_and_the_next_pull_resumes(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(20))
    sim.fail("body", path=LIST, body=HTML_PAGE, content_type="text/html")
    report = PullReport()
    with pytest.raises(Malformed, match="not the JSON it documents"):
        pull_now(report=report)
    assert not report.listing_complete
    assert pull_now().complete
    assert stored(store)


def test_a_429_raises_rate_limited_keeps_what_was_stored_and_the_next_pull_resumes(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, [run_on(TODAY - timedelta(days=n % 50), 20_000 + n, hour=n % 20) for n in range(150)])
    sim.fail("status", status=429, path=LIST, after=1, retry_after_s=900)
    report = PullReport()
    with pytest.raises(RateLimited) as caught:
        pull_now(report=report)
    assert caught.value.retry_at is not None
    assert report.created == PAGE_SIZE
    assert not report.listing_complete
    with store.transaction() as session:
        assert session.get(SyncCursorRow, "garmin.pending_window") is not None
    resumed = pull_now(now=NOW + timedelta(minutes=20))
    assert resumed.complete  # still a backfill: no listing completed before
    assert resumed.window_start == report.window_start  # listed from the same start again
    assert len(stored(store)) == 150


def test_refused_tokens_raise_relogin_needed_and_record_it(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(10))
    sim.revoke_tokens()
    with pytest.raises(ReloginNeeded, match="ampt-sync auth garmin"):
        pull_now()
    assert relogin_needed(store) is not None
    assert not stored(store)


def test_a_garmin_failing_on_its_side_is_temporary_and_nothing_is_lost(
    sim: GarminSim, store: Store, pull_now: Callable[..., PullReport]
) -> None:
    seed(sim, history(20))
    pull_now()
    before = stored(store)
    sim.fail("status", status=503, path=LIST, times=5)
    with pytest.raises(RemoteUnavailable, match="HTTP 503"):
        pull_now(now=NOW + timedelta(hours=1))
    assert set(stored(store)) == set(before)
