"""A run read from intervals.icu and the same run read from Strava are the same
:class:`~ampt_sync.domain.Activity` for fitness and adaptation: same start, day, distance, times,
heart rate, race tag, laps, classification and VDOT. The differences, named here: intervals.icu
gives no best efforts; it has kilometre splits only when the watch lapped every kilometre (then
they are Strava's); an untagged Strava run's ``workout_type`` 0 is intervals.icu's ``None``; ids
are ``-(10**15 + n)`` for ``"i<n>"``. Also: what the Strava stub, bad ids and bad fields give."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ampt_sync.domain import Activity, Athlete, Paces, Schedule
from ampt_sync.intervals.activity_json import (
    ID_OFFSET,
    MAX_NUMBER,
    StravaStub,
    activity_number,
    laps_from_intervals,
    our_id,
    parse_intervals_summary,
    wants_intervals,
)
from ampt_sync.sim.runner import Segment, build_activity, intervals_view
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


def from_intervals(summary: dict[str, Any], intervals: list[dict[str, Any]]) -> Activity:
    columns = parse_intervals_summary(summary)
    detail = {"id": summary["id"], "icu_intervals": intervals, "icu_groups": []}
    return activity_from_row(
        _row(columns, summary, detail if wants_intervals(summary, columns) else None)
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
    sport = draw(st.sampled_from(["Run", "TrailRun", "VirtualRun"]))
    return build_activity(
        activity_id=draw(st.integers(1, 2**40)),
        name=draw(st.sampled_from(["Morning Run", "6x800 intervals", "Tempo", "Parkrun", "Long"])),
        sport_type=sport,
        start_local=start,
        segments=draw(segments),
        workout_type=draw(st.sampled_from([0, 1])),
        trainer=sport != "TrailRun" and draw(st.booleans()),
        auto_laps=draw(st.booleans()),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs(), st.booleans())
def test_an_intervals_run_is_the_same_activity_as_the_strava_run_for_fitness(
    raw: dict[str, Any], without_utc_start: bool
) -> None:
    strava = from_strava(raw)
    summary, intervals = intervals_view(raw, structured=True)
    if without_utc_start:  # the start from start_date_local and the item's time zone
        del summary["start_date"]
    icu = from_intervals(summary, intervals)
    assert for_fitness(icu) == for_fitness(strava)
    assert icu.id == -(ID_OFFSET + strava.id)
    assert (icu.source, strava.source) == ("intervals", "strava")
    if icu.splits_km:  # lapped every kilometre: Strava's kilometre splits, from the laps
        assert len(icu.splits_km) == len(strava.splits_km)
        for mine_km, theirs_km in zip(icu.splits_km, strava.splits_km, strict=True):
            assert mine_km.distance_m == pytest.approx(theirs_km.distance_m, abs=0.2)
            assert mine_km.average_speed_mps == pytest.approx(theirs_km.average_speed_mps, abs=0.01)
    # Classified as the same run with what intervals.icu gives (no best efforts; splits when
    # lapped every kilometre, equal to Strava's within rounding as checked above).
    seen_by_icu = dataclasses.replace(strava, best_efforts=(), splits_km=icu.splits_km)
    mine = classify(icu, PACES, hr_max_bpm=190)
    theirs = classify(seen_by_icu, PACES, hr_max_bpm=190)
    assert (mine.kind, mine.trusted, mine.problems) == (
        theirs.kind,
        theirs.trusted,
        theirs.problems,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(runs(), min_size=1, max_size=6))
def test_fitness_from_intervals_copies_equals_fitness_from_strava_without_best_efforts(
    raws: list[dict[str, Any]],
) -> None:
    icu = [from_intervals(*intervals_view(r, structured=True)) for r in raws]
    strava = [
        dataclasses.replace(from_strava(r), best_efforts=(), splits_km=i.splits_km)
        for r, i in zip(raws, icu, strict=True)
    ]
    athlete = Athlete(
        name="t", timezone="UTC", units="km", schedule=Schedule((1, 3, 5, 6), 6), hr_max_bpm=190
    )
    today = FETCHED.date()
    assert (
        estimate_fitness(icu, athlete, today).vdot == estimate_fitness(strava, athlete, today).vdot
    )


START = datetime(2026, 12, 1, 7, tzinfo=ZoneInfo("America/New_York"))


def easy_run(activity_id: int = 1) -> dict[str, Any]:
    return build_activity(
        activity_id=activity_id,
        name="Easy",
        sport_type="Run",
        start_local=START,
        segments=[Segment(8000, 330, 140)],
        workout_type=0,
    )


def test_only_races_and_runs_paired_with_a_planned_workout_want_intervals() -> None:
    easy = easy_run()
    race = {**easy, "workout_type": 1}
    ride = build_activity(
        activity_id=2,
        name="Ride",
        sport_type="Ride",
        start_local=START,
        duration_s=3600,
        distance_m=30000,
    )
    for raw, structured, wanted in [
        (easy, False, False),
        (easy, True, True),
        (race, False, True),
        (ride, True, False),
    ]:
        summary, _intervals = intervals_view(raw, structured=structured)
        assert wants_intervals(summary, parse_intervals_summary(summary)) is wanted


def test_the_race_mark_is_sub_type_race_or_a_race_flag() -> None:
    summary, _ = intervals_view(easy_run())
    assert parse_intervals_summary(summary).workout_type is None
    assert parse_intervals_summary({**summary, "sub_type": "RACE"}).workout_type == 1
    assert parse_intervals_summary({**summary, "race": True}).workout_type == 1
    assert parse_intervals_summary({**summary, "sub_type": "COMMUTE"}).workout_type is None


def test_a_strava_stub_is_refused_with_the_fix() -> None:
    stub = {
        "id": "16358453283",
        "source": "STRAVA",
        "_note": "STRAVA activities are not available via the API",
        "start_date_local": "2025-11-04T19:21:15",
    }
    with pytest.raises(StravaStub, match=r"connect your watch .* to intervals\.icu directly"):
        parse_intervals_summary(stub)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "12345"}, "id '12345' is not 'i' and digits"),
        ({"id": 12345}, "id 12345 is not 'i' and digits"),
        ({"id": f"i{MAX_NUMBER + 1}"}, "is not 'i' and digits"),
        ({"type": None}, "intervals.icu activity i1: no type"),
        ({"start_date": "yesterday"}, "start_date is 'yesterday'"),
        ({"distance": "8 km"}, "field 'distance' is '8 km', expected a number"),
        ({"moving_time": None, "elapsed_time": None}, "neither moving_time nor elapsed_time"),
    ],
)
def test_unusable_items_name_the_activity_and_the_field(
    change: dict[str, Any], message: str
) -> None:
    summary, _ = intervals_view(easy_run())
    summary["id"] = "i1"
    with pytest.raises(MalformedActivity, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_intervals_summary({**summary, **change})


def test_without_start_date_the_local_start_in_the_items_time_zone_is_used() -> None:
    summary, _ = intervals_view(easy_run())
    expected = parse_intervals_summary(summary).start_utc
    del summary["start_date"]
    summary["timezone"] = "America/New_York"
    assert parse_intervals_summary(summary).start_utc == expected == START.astimezone(UTC)
    summary["timezone"] = "Mars/Olympus"
    with pytest.raises(MalformedActivity, match="timezone 'Mars/Olympus' is not a zone name"):
        parse_intervals_summary(summary)


def test_ids_never_collide_with_strava_or_garmin_and_stay_exact_in_json() -> None:
    assert activity_number({"id": "i1"}) == 1
    assert activity_number({"id": "i0"}) is None
    assert our_id(1) == -(10**15 + 1)
    assert our_id(MAX_NUMBER) == -(2**53 - 1)
    # Garmin's ids are -activityId (about -2e10 today); Strava's are positive.
    assert our_id(1) < -(10**14)


def test_intervals_that_are_not_a_list_of_objects_are_malformed() -> None:
    with pytest.raises(MalformedActivity, match="icu_intervals is not a list of objects"):
        laps_from_intervals({"id": "i1", "icu_intervals": "none"}, "x")
    with pytest.raises(MalformedActivity, match="interval 1: needs distance"):
        laps_from_intervals({"icu_intervals": [{"moving_time": 60}]}, "x")
    laps = laps_from_intervals(
        {"icu_intervals": [{"distance": 400.0, "elapsed_time": 80}]}, "intervals.icu activity i1"
    )
    assert (laps[0].moving_time_s, laps[0].average_speed_mps) == (80, 5.0)
