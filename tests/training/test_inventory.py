"""The training inventory: the seed's questions answered from the record, and the plateau said
plainly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ampt_sync.domain import Activity, Lap
from ampt_sync.training.fitness import training_paces
from ampt_sync.training.inventory import take_inventory

PACES = training_paces(42)
TODAY = date(2026, 11, 22)  # a Sunday
_ids = iter(range(1, 10**9))


def _activity(
    day: date, distance_m: float, seconds: float, *, sport: str = "Run", **extra: object
) -> Activity:
    values: dict[str, object] = {
        "id": next(_ids),
        "sport": sport,
        "name": "Morning Run",
        "start": datetime(day.year, day.month, day.day, 7, tzinfo=UTC),
        "day": day,
        "distance_m": distance_m,
        "moving_time_s": seconds,
        "elapsed_time_s": seconds,
        **extra,
    }
    return Activity(**values)  # type: ignore[arg-type]


def _same_5k_every_other_day(weeks: int = 8) -> list[Activity]:
    first = TODAY - timedelta(days=7 * weeks - 1)
    return [_activity(first + timedelta(days=d), 5000, 5 * 330) for d in range(0, 7 * weeks, 2)]


def _varied_weeks(weeks: int = 8) -> list[Activity]:
    history = []
    for week in range(weeks):
        monday = TODAY - timedelta(days=6 + 7 * week)
        rep, jog, easy = (
            Lap(1000, 250, 250, 4.0),
            Lap(400, 170, 170, 2.35),
            Lap(2000, 700, 700, 2.86),
        )
        laps = (easy, *[rep, jog] * 5, easy)
        history += [
            _activity(monday + timedelta(days=1), 11000, 4100, laps=laps),  # Tue intervals
            _activity(monday + timedelta(days=2), 6000, 6 * 390),  # Wed recovery
            _activity(monday + timedelta(days=3), 8000, 8 * 340, name="Tempo"),  # Thu tempo
            _activity(monday + timedelta(days=4), 25000, 3600, sport="Ride"),  # Fri bike
            _activity(monday + timedelta(days=6), 16000 + 1000 * (week % 3), 100 * 60),  # Sun
        ]
    return history


def test_the_same_5k_at_the_same_pace_is_called_a_plateau() -> None:
    inventory = take_inventory(_same_5k_every_other_day(), today=TODAY, paces=PACES)
    assert inventory.runs == 28
    assert inventory.plateau
    assert inventory.same_run_share == 1.0
    assert inventory.flags[0] == (
        "Most of your runs (28 of 28) are about 5.0 km at about 5:30/km. Running the same "
        "distance at the same pace leads to a plateau: mix in speed (intervals, tempo), hills, "
        "a long run and easy recovery runs."
    )
    assert "No long run in the last 8 weeks" in inventory.flags[1]
    assert "No speed or hill sessions" in inventory.flags[2]
    assert inventory.pace_changes == 0
    assert inventory.pace_spread_pct == 0
    assert inventory.long_runs_per_month == 0
    assert inventory.kinds == (("easy", 28),)


def test_the_plateau_sentence_uses_the_runners_units() -> None:
    inventory = take_inventory(_same_5k_every_other_day(), today=TODAY, paces=PACES, units="mi")
    assert "about 3.1 mi at about 8:51/mi" in inventory.flags[0]


def test_a_varied_week_is_no_plateau() -> None:
    inventory = take_inventory(_varied_weeks(), today=TODAY, paces=PACES)
    assert not inventory.plateau
    assert inventory.flags == ()
    assert inventory.runs == 32
    assert inventory.runs_per_week == 4
    assert inventory.cross_training_per_week == 1
    assert inventory.recovery_runs_per_week == 1
    assert inventory.long_runs == 8
    assert inventory.long_runs_per_month == pytest.approx(8 / (56 / 30.44))
    assert inventory.rest_days_per_week == 2
    assert dict(inventory.kinds) == {"intervals": 8, "recovery": 8, "tempo": 8, "long": 8}
    assert inventory.pace_changes_per_week >= 2


def test_each_weekday_says_how_long_and_how_fast() -> None:
    inventory = take_inventory(_varied_weeks(), today=TODAY, paces=PACES)
    monday, tuesday, wednesday, *_, sunday = inventory.weekdays
    assert (monday.runs, monday.typical_distance_m, monday.typical_pace_s_per_km) == (0, None, None)
    assert tuesday.runs_per_week == 1
    assert wednesday.typical_distance_m == 6000
    assert wednesday.typical_duration_s == 6 * 390
    assert wednesday.typical_pace_s_per_km == pytest.approx(390)
    assert sunday.typical_duration_s == 100 * 60
    assert [d.weekday for d in inventory.weekdays] == list(range(7))


def test_only_the_chosen_weeks_count() -> None:
    inventory = take_inventory(_varied_weeks(8), today=TODAY, paces=PACES, weeks=2)
    assert inventory.first_day == TODAY - timedelta(days=13)
    assert inventory.runs == 8
    assert inventory.weeks == 2


def test_an_empty_record_gives_an_empty_inventory() -> None:
    inventory = take_inventory([], today=TODAY, paces=PACES)
    assert inventory.runs == 0
    assert not inventory.plateau
    assert inventory.flags == ()
    assert inventory.rest_days_per_week == 7
    assert inventory.typical_pace_s_per_km is None
    with pytest.raises(ValueError, match="at least one week"):
        take_inventory([], today=TODAY, paces=PACES, weeks=0)
