"""Activities in the store: upsert by id without location data, detail bookkeeping, and the
mapping from Strava JSON to domain activities."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ampt_sync.store import activities as repo
from ampt_sync.store.db import open_store
from ampt_sync.store.models import ActivityRow

FETCHED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

SUMMARY = {
    "id": 154504250376823,
    "name": "Tuesday intervals",
    "distance": 10012.3,
    "moving_time": 2950,
    "elapsed_time": 3100,
    "total_elevation_gain": 42.0,
    "type": "Run",
    "sport_type": "Run",
    "workout_type": 3,
    "start_date": "2026-11-18T00:30:00Z",
    "start_date_local": "2026-11-17T19:30:00Z",
    "timezone": "(GMT-05:00) America/New_York",
    "start_latlng": [40.7, -74.0],
    "end_latlng": [40.7, -74.0],
    "map": {
        "id": "a1",
        "summary_polyline": "ki{eFvqfiVqAWQIGEEKAYJgBVqDJ{BHa@jAkNJw@Pw@V{APs@",
    },
    "average_speed": 3.394,
    "max_speed": 5.1,
    "has_heartrate": True,
    "average_heartrate": 158.2,
    "max_heartrate": 181.0,
    "manual": False,
    "trainer": False,
}

DETAIL = {
    **SUMMARY,
    "best_efforts": [
        {"name": "1k", "distance": 1000, "elapsed_time": 232, "moving_time": 232},
        {"name": "5K", "distance": 5000, "elapsed_time": 1290, "moving_time": 1290},
    ],
    "laps": [
        {"distance": 1000, "elapsed_time": 232, "moving_time": 232, "average_speed": 4.31,
         "max_speed": 4.6, "average_heartrate": 172, "start_latlng": [40.7, -74.0]},
        {"distance": 400, "elapsed_time": 180, "moving_time": 175, "average_speed": 2.28},
    ],
    "splits_metric": [
        {"distance": 1000.5, "elapsed_time": 300, "moving_time": 298, "average_speed": 3.35,
         "average_grade_adjusted_speed": 3.4, "average_heartrate": 150, "elevation_difference": 2},
    ],
}  # fmt: skip


@pytest.fixture
def store(tmp_path: Path):
    opened = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    yield opened
    opened.close()


def test_upsert_keeps_no_location_and_reports_created_updated_unchanged(store) -> None:
    with store.transaction() as session:
        assert repo.upsert_activity(session, SUMMARY, fetched_at=FETCHED) == "created"
    with store.transaction() as session:
        assert repo.upsert_activity(session, SUMMARY, fetched_at=FETCHED) == "unchanged"
        renamed = {**SUMMARY, "name": "Tuesday intervals (6 × 800 m)", "sport_type": "TrailRun"}
        assert repo.upsert_activity(session, renamed, fetched_at=FETCHED) == "updated"
    with store.transaction() as session:
        row = session.get(ActivityRow, SUMMARY["id"])
        assert row.name == "Tuesday intervals (6 × 800 m)"
        assert row.sport_type == "TrailRun"
        for key in ("map", "start_latlng", "end_latlng"):
            assert key not in row.summary_json
        assert row.summary_json["average_heartrate"] == 158.2


def test_the_local_day_comes_from_start_date_local(store) -> None:
    with store.transaction() as session:
        repo.upsert_activity(session, SUMMARY, fetched_at=FETCHED)
        [activity] = repo.load_activities(session)
    assert activity.start == datetime(2026, 11, 18, 0, 30, tzinfo=UTC)
    assert activity.day == date(2026, 11, 17)  # still Tuesday evening in New York


def test_detail_is_needed_once_per_summary_version_for_races_and_workouts(store) -> None:
    easy = {**SUMMARY, "id": 2, "workout_type": 0}
    ride = {**SUMMARY, "id": 3, "sport_type": "Ride", "type": "Ride", "workout_type": 3}
    with store.transaction() as session:
        for raw in (SUMMARY, easy, ride):
            repo.upsert_activity(session, raw, fetched_at=FETCHED)
        assert [r.id for r in repo.rows_needing_detail(session)] == [SUMMARY["id"]]
        repo.store_detail(session, SUMMARY["id"], DETAIL)
        assert repo.rows_needing_detail(session) == []
        repo.upsert_activity(session, {**SUMMARY, "distance": 10500.0}, fetched_at=FETCHED)
        assert [r.id for r in repo.rows_needing_detail(session)] == [SUMMARY["id"]]


def test_detail_maps_to_best_efforts_laps_and_splits_without_location(store) -> None:
    with store.transaction() as session:
        repo.upsert_activity(session, SUMMARY, fetched_at=FETCHED)
        repo.store_detail(session, SUMMARY["id"], DETAIL)
        row = session.get(ActivityRow, SUMMARY["id"])
        assert "start_latlng" not in row.detail_json["laps"][0]
        [activity] = repo.load_activities(session)
    assert [(e.name, e.distance_m, e.elapsed_time_s) for e in activity.best_efforts] == [
        ("1k", 1000, 232),
        ("5K", 5000, 1290),
    ]
    assert activity.laps[0].average_hr_bpm == 172
    assert activity.laps[1].max_speed_mps is None
    assert activity.splits_km[0].average_grade_adjusted_speed_mps == 3.4
    assert activity.workout_type == 3
    assert activity.is_run


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "abc"}, "activity id 'abc' is not an integer"),
        ({"distance": "far"}, "field 'distance' is 'far', expected a number"),
        ({"moving_time": None}, "field 'moving_time' is missing"),
        ({"start_date": "yesterday"}, "start_date or start_date_local is missing or not ISO"),
        ({"sport_type": None, "type": None}, "no sport_type or type"),
        ({"workout_type": "race"}, "workout_type 'race' is not an integer"),
    ],
)
def test_malformed_summaries_are_refused_with_the_field_named(store, change, message) -> None:
    raw = {**copy.deepcopy(SUMMARY), **change}
    with store.transaction() as session, pytest.raises(repo.MalformedActivity, match=message):
        repo.upsert_activity(session, raw, fetched_at=FETCHED)


def test_malformed_detail_is_refused_and_the_summary_kept(store) -> None:
    with store.transaction() as session:
        repo.upsert_activity(session, SUMMARY, fetched_at=FETCHED)
    with store.transaction() as session:
        with pytest.raises(repo.MalformedActivity, match="laps is not a list"):
            repo.store_detail(session, SUMMARY["id"], {**DETAIL, "laps": "oops"})
        with pytest.raises(repo.MalformedActivity, match="for another id"):
            repo.store_detail(session, SUMMARY["id"], {**DETAIL, "id": 5})
        assert repo.count_activities(session) == 1
        assert session.get(ActivityRow, SUMMARY["id"]).detail_json is None


def test_heart_rate_is_ignored_when_strava_says_there_is_none(store) -> None:
    raw = {**SUMMARY, "has_heartrate": False, "average_heartrate": 0.0}
    with store.transaction() as session:
        repo.upsert_activity(session, raw, fetched_at=FETCHED)
        [activity] = repo.load_activities(session)
    assert activity.average_hr_bpm is None


def test_loading_since_a_day_and_deleting_by_id(store) -> None:
    with store.transaction() as session:
        for i, day in enumerate(("2026-11-01", "2026-11-10", "2026-11-20"), start=1):
            raw = {**SUMMARY, "id": i, "start_date": f"{day}T12:00:00Z",
                   "start_date_local": f"{day}T07:00:00Z"}  # fmt: skip
            repo.upsert_activity(session, raw, fetched_at=FETCHED)
        assert [a.id for a in repo.load_activities(session, since=date(2026, 11, 10))] == [2, 3]
        window = repo.ids_started_between(
            session, datetime(2026, 11, 5, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC)
        )
        assert window == {2, 3}
        assert repo.newest_start(session) == datetime(2026, 11, 20, 12, tzinfo=UTC)
        assert repo.delete_activities(session, [2]) == 1
        assert repo.delete_all_activities(session) == 2
