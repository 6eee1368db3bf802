"""A run read from Garmin Connect and the same run read from Strava are the same
:class:`~ampt_sync.domain.Activity` for fitness and adaptation: same start, day, distance, times,
heart rate, race tag, laps, classification and load. The differences, named here: Garmin has no
best efforts; it has kilometre splits only when the watch lapped every kilometre (then they are
Strava's); an untagged Strava run's ``workout_type`` 0 is Garmin's ``None``."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ampt_sync.domain import Activity, Athlete, Paces, Schedule
from ampt_sync.garmin.activity_json import (
    laps_from_splits,
    parse_garmin_summary,
    sport_of,
    wants_laps,
)
from ampt_sync.sim.runner import Segment, build_activity, garmin_view
from ampt_sync.store.activities import MalformedActivity, activity_from_row, parse_summary
from ampt_sync.store.models import ActivityRow
from ampt_sync.training.classify import classify
from ampt_sync.training.fitness import estimate_fitness

FETCHED = datetime(2026, 12, 7, tzinfo=UTC)
PACES = Paces(easy=(329, 370), marathon=304, threshold=283, interval=260, repetition=240)


def _row(columns: Any, summary: dict[str, Any], detail: dict[str, Any] | None) -> ActivityRow:
    values = {**columns.__dict__}
    values["source_id"] = values["source_id"] or values["id"]
    return ActivityRow(
        **values,
        summary_json=summary,
        summary_hash="",
        detail_json=detail,
        detail_summary_hash=None,
        fetched_at=FETCHED,
    )


def from_strava(raw: dict[str, Any]) -> Activity:
    return activity_from_row(_row(parse_summary(raw), raw, raw))


def from_garmin(summary: dict[str, Any], laps: list[dict[str, Any]]) -> Activity:
    columns = parse_garmin_summary(summary)
    detail = {"activityId": summary["activityId"], "lapDTOs": laps}
    return activity_from_row(
        _row(columns, summary, detail if wants_laps(summary, columns) else None)
    )


def for_fitness(activity: Activity) -> Activity:
    """What may differ between the two copies, made equal."""
    return dataclasses.replace(
        activity,
        id=0,
        source="",
        best_efforts=(),
        splits_km=(),
        workout_type=activity.workout_type or None,
    )


segments = st.lists(
    st.builds(
        Segment,
        distance_m=st.floats(200, 8000).map(round),
        pace_s_per_km=st.floats(200, 480),
        hr_bpm=st.floats(110, 185),
    ),
    min_size=1,
    max_size=12,
)


@st.composite
def runs(draw: st.DrawFn) -> dict[str, Any]:
    zone = draw(st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Sydney"]))
    day = draw(st.dates(min_value=FETCHED.date() - timedelta(days=400), max_value=FETCHED.date()))
    start = datetime(
        day.year,
        day.month,
        day.day,
        draw(st.integers(0, 23)),
        draw(st.integers(0, 59)),
        tzinfo=ZoneInfo(zone),
    )
    sport = draw(st.sampled_from(["Run", "TrailRun"]))
    return build_activity(
        activity_id=draw(st.integers(1, 2**40)),
        name=draw(st.sampled_from(["Morning Run", "6x800 intervals", "Tempo", "Parkrun", "Long"])),
        sport_type=sport,
        start_local=start,
        segments=draw(segments),
        workout_type=draw(st.sampled_from([0, 1])),
        trainer=sport == "Run" and draw(st.booleans()),
        auto_laps=draw(st.booleans()),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_a_garmin_run_is_the_same_activity_as_the_strava_run_for_fitness(
    raw: dict[str, Any],
) -> None:
    strava = from_strava(raw)
    garmin = from_garmin(*garmin_view(raw, structured=True))
    assert for_fitness(garmin) == for_fitness(strava)
    assert garmin.id == -strava.id
    assert (garmin.source, strava.source) == ("garmin", "strava")
    if garmin.splits_km:  # lapped every kilometre: Strava's kilometre splits, from the laps
        assert len(garmin.splits_km) == len(strava.splits_km)
        for mine_km, theirs_km in zip(garmin.splits_km, strava.splits_km, strict=True):
            assert mine_km.distance_m == pytest.approx(theirs_km.distance_m, abs=0.2)
            assert mine_km.average_speed_mps == pytest.approx(theirs_km.average_speed_mps, abs=0.01)
    # Classified as the same run with what Garmin gives (no best efforts; splits when lapped
    # every kilometre, equal to Strava's within rounding as checked above).
    seen_by_garmin = dataclasses.replace(strava, best_efforts=(), splits_km=garmin.splits_km)
    mine = classify(garmin, PACES, hr_max_bpm=190)
    theirs = classify(seen_by_garmin, PACES, hr_max_bpm=190)
    assert (mine.kind, mine.trusted, mine.problems) == (
        theirs.kind,
        theirs.trusted,
        theirs.problems,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(runs(), min_size=1, max_size=6))
def test_fitness_from_garmin_copies_equals_fitness_from_strava_without_best_efforts(
    raws: list[dict[str, Any]],
) -> None:
    garmin = [from_garmin(*garmin_view(r, structured=True)) for r in raws]
    strava = [
        dataclasses.replace(from_strava(r), best_efforts=(), splits_km=g.splits_km)
        for r, g in zip(raws, garmin, strict=True)
    ]
    athlete = Athlete(
        name="t", timezone="UTC", units="km", schedule=Schedule((1, 3, 5, 6), 6), hr_max_bpm=190
    )
    today = FETCHED.date()
    assert (
        estimate_fitness(garmin, athlete, today).vdot
        == estimate_fitness(strava, athlete, today).vdot
    )


def test_only_races_and_structured_runs_want_laps() -> None:
    start = datetime(2026, 12, 1, 7, tzinfo=ZoneInfo("America/New_York"))
    easy = build_activity(
        activity_id=1,
        name="Easy",
        sport_type="Run",
        start_local=start,
        segments=[Segment(8000, 330, 140)],
        workout_type=0,
    )
    race = {**easy, "workout_type": 1}
    ride = build_activity(
        activity_id=2,
        name="Ride",
        sport_type="Ride",
        start_local=start,
        duration_s=3600,
        distance_m=30000,
    )
    for raw, structured, wanted in [
        (easy, False, False),
        (easy, True, True),
        (race, False, True),
        (ride, True, False),
    ]:
        summary, _laps = garmin_view(raw, structured=structured)
        assert wants_laps(summary, parse_garmin_summary(summary)) is wanted


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("running", ("Run", False)),
        ("trail_running", ("TrailRun", False)),
        ("treadmill_running", ("Run", True)),
        ("virtual_run", ("VirtualRun", True)),
        ("strength_training", ("WeightTraining", False)),
        ("pickleball", ("Pickleball", False)),
        ("backcountry_skiing", ("BackcountrySkiing", False)),
    ],
)
def test_garmin_type_keys_map_to_stravas_sport_names(key: str, expected: tuple[str, bool]) -> None:
    assert sport_of({"activityType": {"typeKey": key}}) == expected


def test_kilometre_auto_laps_are_the_kilometre_splits_and_other_laps_are_not() -> None:
    start = datetime(2026, 12, 1, 7, tzinfo=ZoneInfo("America/New_York"))
    segments = [Segment(3000, 330, 140), Segment(5000, 280, 165), Segment(2500, 330, 145)]
    lapped = build_activity(
        activity_id=1, name="Run", sport_type="Run", start_local=start, segments=segments,
        workout_type=0, auto_laps=True,
    )  # fmt: skip
    by_step = {**lapped, "laps": build_activity(
        activity_id=1, name="Run", sport_type="Run", start_local=start, segments=segments,
        workout_type=0, auto_laps=False,
    )["laps"]}  # fmt: skip
    garmin = from_garmin(*garmin_view(lapped, structured=True))
    assert len(garmin.splits_km) == 11
    assert [round(s.distance_m) for s in garmin.splits_km] == [1000] * 10 + [500]
    assert from_garmin(*garmin_view(by_step, structured=True)).splits_km == ()
    # The tempo in the middle is seen in the kilometre splits, as on Strava.
    assert classify(garmin, PACES).kind == classify(from_strava(lapped), PACES).kind


def test_a_lap_without_average_speed_gets_distance_over_time_and_a_bad_one_is_named() -> None:
    (lap,) = laps_from_splits({"lapDTOs": [{"distance": 1000.0, "duration": 250.0}]}, "a")
    assert lap.average_speed_mps == 4.0
    assert lap.elapsed_time_s == lap.moving_time_s == 250.0
    with pytest.raises(MalformedActivity, match="a lap: field 'duration' is missing"):
        laps_from_splits({"lapDTOs": [{"distance": 1000.0}]}, "a")
