"""The calendar feed: valid RFC 5545 that icalendar parses back, one all-day transparent event per
workout, UIDs that survive a re-plan, SEQUENCE that moves only with the content, and the steps in
the description."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from web_helpers import MONDAY, add_runs, history, plan_on, settings

from ampt_sync.config import settings_from_dict
from ampt_sync.domain import (
    End,
    Plan,
    PlannedDay,
    Repeat,
    Step,
    StepRole,
    Target,
    Workout,
    WorkoutKind,
)
from ampt_sync.store.db import Store, open_store
from ampt_sync.store.plans import load_plan, save_plan
from ampt_sync.training import library
from ampt_sync.web.feed import RECENT_DAYS, calendar_feed, feed_from_plan, step_text, workout_text

NOW = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)  # Wednesday of the plan's first week
TODAY = NOW.date()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path}/state.db")
    add_runs(opened, history())
    plan_on(opened, settings(), MONDAY)
    yield opened
    opened.close()


def feed(store: Store, *, now: datetime = NOW, base_url: str | None = None, units: str = "km"):
    with store.transaction() as session:
        raw = calendar_feed(session, settings(units), base_url=base_url, now=now)
    return Calendar.from_ical(raw)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def newest(store: Store) -> Plan:
    with store.transaction() as session:
        plan = load_plan(session)
    assert plan is not None
    return plan


def with_workout(plan: Plan, day: date, key: str, new: Workout | None, *, to: date | None = None):
    """``plan`` with workout ``key`` replaced by ``new`` (on ``to`` if given, else ``day``)."""
    weeks = []
    for week in plan.weeks:
        days = []
        for planned in week.days:
            kept = tuple(w for w in planned.workouts if w.key != key)
            if new is not None and planned.day == (to or day):
                kept = (*kept, new)
            days.append(PlannedDay(planned.day, kept))
        weeks.append(replace(week, days=tuple(days)))
    return replace(plan, weeks=tuple(weeks), changes=())


def save(store: Store, plan: Plan, hours: int) -> int:
    with store.transaction() as session:
        version = save_plan(session, plan, now=NOW + timedelta(hours=hours))
    assert version is not None
    return version


def test_one_all_day_transparent_event_per_workout_from_recent_days_on(store: Store) -> None:
    calendar = feed(store, base_url="https://pi.home/ampt/")
    plan = newest(store)
    expected = plan.workouts_between(TODAY - timedelta(days=RECENT_DAYS), date.max)
    found = events(calendar)
    assert set(found) == {f"{w.key}@ampt-sync" for _, w in expected}
    assert str(calendar["X-WR-CALNAME"]) == "Spring Half: training plan"
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT1H"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    for day, workout in expected:
        event = found[f"{workout.key}@ampt-sync"]
        assert event.decoded("DTSTART") == day  # a date: an all-day event
        assert event.decoded("DTEND") == day + timedelta(days=1)
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert str(event["SUMMARY"]) == workout.title
        assert str(event["URL"]) == f"https://pi.home/ampt/day/{day.isoformat()}"
        assert event.decoded("SEQUENCE") == 1


def test_the_description_holds_the_steps_in_the_runners_words(store: Store) -> None:
    calendar = feed(store)
    plan = newest(store)
    long_run = next(w for d, w in plan.workouts_between(TODAY, date.max) if w.kind == "long")
    description = str(events(calendar)[f"{long_run.key}@ampt-sync"]["DESCRIPTION"])
    assert description == workout_text(long_run, "km")
    distance_km = long_run.distance_m / 1000
    assert description.startswith(f"{distance_km:g} km, about ")
    assert f"Run {distance_km:g} km at 4:53–5:30/km (easy, conversational)" in description
    assert long_run.notes in description


def test_feed_has_nothing_personal(store: Store, tmp_path: Path) -> None:
    cfg = settings_from_dict(
        {
            "athlete": {"timezone": "UTC", "name": "Alexandra Quayle-Runner"},
            "goal": {"distance": "half", "date": MONDAY + timedelta(weeks=12, days=6)},
        },
        source="t.toml",
    )
    with store.transaction() as session:
        raw = calendar_feed(session, cfg, base_url=None, now=NOW)
    assert b"Alexandra" not in raw
    assert b"Morning Run" not in raw  # the runs' names stay out, only the plan is in


def test_uids_stay_and_only_the_changed_sessions_sequence_bumps(store: Store) -> None:
    plan = newest(store)
    before = events(feed(store))
    upcoming = [(d, w) for d, w in plan.workouts_between(TODAY + timedelta(days=1), date.max)]
    day, easy = next((d, w) for d, w in upcoming if w.kind == "easy")
    bigger = library.easy_run(easy.key, plan.fitness.paces, distance_m=easy.distance_m + 1600)
    assert save(store, with_workout(plan, day, easy.key, bigger), 1) == 2

    after = events(feed(store))
    assert set(after) == set(before)  # the re-plan kept every session: same UIDs
    uid = f"{easy.key}@ampt-sync"
    assert after[uid].decoded("SEQUENCE") == 2
    assert str(after[uid]["SUMMARY"]) == bigger.title != easy.title
    unchanged = set(after) - {uid}
    assert {after[u].decoded("SEQUENCE") for u in unchanged} == {1}

    # a move keeps the UID too: new day, new SEQUENCE
    moved_plan = with_workout(newest(store), day, easy.key, bigger, to=day + timedelta(days=1))
    assert save(store, moved_plan, 2) == 3
    moved = events(feed(store))[uid]
    assert moved.decoded("DTSTART") == day + timedelta(days=1)
    assert moved.decoded("SEQUENCE") == 3


def test_a_session_dropped_from_the_plan_leaves_the_feed(store: Store) -> None:
    plan = newest(store)
    day, workout = plan.workouts_between(TODAY + timedelta(days=1), date.max)[0]
    save(store, with_workout(plan, day, workout.key, None), 1)
    assert f"{workout.key}@ampt-sync" not in events(feed(store))


def test_past_days_older_than_a_week_are_left_out(store: Store) -> None:
    later = NOW + timedelta(weeks=3)
    found = events(feed(store, now=later))
    plan = newest(store)
    old = plan.workouts_between(MONDAY, later.date() - timedelta(days=RECENT_DAYS))
    assert old
    assert not {f"{w.key}@ampt-sync" for _, w in old} & set(found)


def test_before_the_first_plan_the_feed_is_an_empty_calendar(tmp_path: Path) -> None:
    empty = open_store(f"sqlite:///{tmp_path}/empty.db")
    try:
        with empty.transaction() as session:
            raw = calendar_feed(session, settings(), base_url=None, now=NOW)
    finally:
        empty.close()
    calendar = Calendar.from_ical(raw)
    assert not calendar.walk("VEVENT")
    assert str(calendar["X-WR-CALNAME"]) == "Spring Half: training plan"


def test_steps_read_like_the_watch_in_miles() -> None:
    pace = Target(pace_s_per_km=(250.0, 260.0))
    assert step_text(Step(StepRole.WARMUP, End(distance_m=1609.344), pace), "mi") == (
        "Warm-up 1 mi at 6:42–6:58/mi"
    )
    assert step_text(Step(StepRole.WORK, End(distance_m=400.0), pace, "hard"), "mi") == (
        "Run 400 m at 6:42–6:58/mi (hard)"
    )
    assert step_text(Step(StepRole.REST, End(duration_s=120), note="rest 2 min"), "km") == (
        "Rest 2 min"
    )
    assert step_text(Step(StepRole.WORK, End(lap_button=True), Target(hr_zone=2)), "km") == (
        "Run until you press lap in heart-rate zone 2"
    )


def unescape_text(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT unescaping (``\\\\``, ``\\;``, ``\\,``, ``\\n``)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


_notes = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"),
    max_size=200,
) | st.sampled_from(["a, b; c\\d", "line one\nline two", "ünïcödé — 5:00/km × 3"])


@given(
    notes=_notes,
    reps=st.integers(min_value=2, max_value=12),
    work_m=st.floats(min_value=100, max_value=5000),
    units=st.sampled_from(["km", "mi"]),
)
def test_any_workout_text_survives_the_round_trip(
    notes: str, reps: int, work_m: float, units: str
) -> None:
    steps = (
        Step(StepRole.WARMUP, End(duration_s=600), Target(pace_s_per_km=(300.0, 330.0))),
        Repeat(reps, (Step(StepRole.WORK, End(distance_m=work_m), Target(hr_bpm=(150, 165))),
                      Step(StepRole.RECOVERY, End(duration_s=90), note="jog"))),
    )  # fmt: skip
    workout = Workout(
        "w-0123456789", WorkoutKind.INTERVALS, f"Intervals {notes[:20]}", steps, notes
    )
    raw = feed_from_plan(
        [(MONDAY, workout, 4)], calendar_name=notes or "x", units=units, now=NOW, base_url=None
    )
    calendar = Calendar.from_ical(raw)
    # icalendar's reader leaves an X- property raw: unfold the line and unescape it as TEXT
    lines = raw.decode().replace("\r\n ", "").split("\r\n")
    name = next(line for line in lines if line.startswith("X-WR-CALNAME:"))
    assert unescape_text(name.removeprefix("X-WR-CALNAME:")) == (notes or "x")
    event = calendar.walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]) == workout_text(workout, units)
    assert str(event["SUMMARY"]) == workout.title
    assert event.decoded("SEQUENCE") == 4
    assert f"{reps} ×\n  Run " in workout_text(workout, units)
