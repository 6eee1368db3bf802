"""Is race day hot: the runner's word first, else a rule of thumb by month and time zone; and the
heat notes stay short enough for a watch."""

from __future__ import annotations

from datetime import date
from zoneinfo import available_timezones

import pytest

from ampt_sync.domain import Goal
from ampt_sync.training.heat import (
    HEAT_LONG_RUN_NOTE,
    HEAT_RACE_NOTE,
    MAX_NOTE_CHARS,
    SOUTHERN_ZONES,
    TROPICAL_ZONES,
    is_southern,
    race_is_hot,
)


def goal_in(month: int, hot: bool | None = None) -> Goal:
    return Goal(distance_m=21097.5, day=date(2027, month, 15), race="G", hot=hot)


@pytest.mark.parametrize(
    ("timezone", "month", "hot"),
    [
        ("Europe/Berlin", 7, True),
        ("Europe/Berlin", 6, True),
        ("Europe/Berlin", 8, True),
        ("Europe/Berlin", 10, False),
        ("Europe/Berlin", 1, False),
        ("Europe/Berlin", 5, False),
        ("America/New_York", 7, True),
        ("America/New_York", 12, False),
        ("Australia/Sydney", 1, True),
        ("Australia/Sydney", 12, True),
        ("Australia/Sydney", 7, False),
        ("Australia/Perth", 2, True),
        ("Pacific/Auckland", 1, True),
        ("Pacific/Auckland", 7, False),
        ("America/Argentina/Buenos_Aires", 1, True),
        ("America/Argentina/Buenos_Aires", 7, False),
        ("America/Santiago", 2, True),
        ("America/Sao_Paulo", 12, True),
        ("America/Sao_Paulo", 8, False),
        ("Africa/Johannesburg", 1, True),
        ("Africa/Johannesburg", 7, False),
        ("UTC", 7, True),  # unknown or neutral zones are taken to be northern
        ("UTC", 1, False),
    ],
)
def test_the_rule_of_thumb_by_month_and_hemisphere(timezone: str, month: int, hot: bool) -> None:
    assert race_is_hot(goal_in(month), timezone) is hot


@pytest.mark.parametrize(
    "timezone",
    ["Asia/Singapore", "America/Panama", "Africa/Lagos", "Asia/Kolkata", "America/Bogota",
     "Australia/Darwin", "America/Manaus"],
)  # fmt: skip
@pytest.mark.parametrize("month", range(1, 13))
def test_tropical_zones_are_hot_all_year(timezone: str, month: int) -> None:
    assert race_is_hot(goal_in(month), timezone) is True


@pytest.mark.parametrize("timezone", ["Europe/Berlin", "Australia/Sydney", "Asia/Singapore"])
@pytest.mark.parametrize("month", range(1, 13))
def test_the_runners_word_wins_both_ways(timezone: str, month: int) -> None:
    assert race_is_hot(goal_in(month, hot=True), timezone) is True
    assert race_is_hot(goal_in(month, hot=False), timezone) is False


def test_the_zone_tables_hold_real_zone_names_and_do_not_overlap() -> None:
    known = available_timezones()
    assert known >= TROPICAL_ZONES
    assert known >= SOUTHERN_ZONES
    assert not TROPICAL_ZONES & SOUTHERN_ZONES
    assert is_southern("Australia/Melbourne")
    assert is_southern("America/Argentina/Cordoba")
    assert not is_southern("Europe/Berlin")
    assert not is_southern("America/Argentina")  # only zones under the prefix


@pytest.mark.parametrize("note", [HEAT_LONG_RUN_NOTE, HEAT_RACE_NOTE])
def test_heat_notes_are_short_practical_and_one_line(note: str) -> None:
    assert len(note) <= MAX_NOTE_CHARS == 300
    assert "\n" not in note
    assert note.startswith("Heat: ")
    assert "effort" in note
    assert "drink to thirst" in note


def test_the_long_run_note_says_how_to_acclimatise() -> None:
    assert "10–14 days" in HEAT_LONG_RUN_NOTE
    assert "60–90 min" in HEAT_LONG_RUN_NOTE
