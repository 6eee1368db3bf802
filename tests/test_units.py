"""Distances, durations and paces as runners write and read them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ampt_sync import units


@pytest.mark.parametrize(
    ("text", "metres"),
    [
        ("5k", 5000), ("10K", 10000), ("half", 21097.5), ("Marathon", 42195), ("15000", 15000),
        ("Half  Marathon", 21097.5), ("13.1", 21097.5), ("21.1 km", 21097.5), ("26.2", 42195),
        ("42.195", 42195), ("10 km", 10000), ("parkrun", 5000),
    ],
)  # fmt: skip
def test_race_distances(text: str, metres: float) -> None:
    assert units.parse_race_distance_m(text) == metres


@pytest.mark.parametrize("text", ["13", "half a marathon", "5", "200000"])
def test_what_is_not_a_race_distance_says_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        units.parse_race_distance_m(text)


@pytest.mark.parametrize(
    ("text", "unit"),
    [("km", "km"), ("Kilometres", "km"), ("mi", "mi"), ("miles", "mi"), ("Mile", "mi")],
)
def test_units_as_runners_type_them(text: str, unit: str) -> None:
    assert units.parse_units(text) == unit


@pytest.mark.parametrize("text", ["m", "metres", "feet", ""])
def test_a_unit_that_is_not_km_or_miles_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="expected km or mi"):
        units.parse_units(text)


@pytest.mark.parametrize(
    ("text", "seconds"), [("50:00", 3000), ("1:45:00", 6300), ("4:05.5", 245.5)]
)
def test_durations(text: str, seconds: float) -> None:
    assert units.parse_duration_s(text) == seconds


@pytest.mark.parametrize("text", ["50", "1:75:00", "0:00", "5:60", "an hour"])
def test_bad_durations_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected H:MM:SS or MM:SS|below 60|longer than zero"):
        units.parse_duration_s(text)


def test_race_result_grammar_and_plausibility() -> None:
    assert units.parse_race_result("10k 50:00") == (10000, 3000)
    with pytest.raises(ValueError, match="not a plausible running race pace"):
        units.parse_race_result("marathon 30:00")
    with pytest.raises(ValueError, match=r"e\.g\. '10k 50:00'"):
        units.parse_race_result("10k")


def test_paces_and_distances_are_rounded_in_the_runners_units() -> None:
    assert units.format_pace(300, "km") == "5:00/km"
    assert units.format_pace(300, "mi") == "8:03/mi"
    assert units.format_distance(16093.44, "mi") == "10.0 mi"
    assert units.format_distance(21097.5, "mi") == "13.1 mi"
    assert units.format_distance(21097.5, "km") == "21.1 km"
    assert units.format_distance(8046.72, "mi") == "5.0 mi"
    assert units.format_duration(6300) == "1:45:00"
    assert units.format_duration(59.6) == "1:00"


def test_workout_distances_read_to_the_tenth_without_a_trailing_zero() -> None:
    assert units.format_distance_tenths(8000, "km") == "8 km"
    assert units.format_distance_tenths(12600, "km") == "12.6 km"
    assert units.format_distance_tenths(7300, "mi") == "4.5 mi"
    assert units.format_distance_tenths(12600, "mi") == "7.8 mi"
    assert units.format_distance_tenths(16093.44, "mi") == "10 mi"
    assert units.format_distance_tenths(25000, "km") == "25 km"


def test_pace_ranges_convert_both_ends() -> None:
    assert units.format_pace_range(349, 391, "km") == "5:49–6:31/km"
    assert units.format_pace_range(349, 391, "mi") == "9:22–10:29/mi"
    assert units.format_pace_range(300, 300, "mi") == "8:03–8:03/mi"


def test_distance_labels_name_races_and_give_other_distances_in_the_units() -> None:
    assert units.distance_label(21097.5) == "half marathon"
    assert units.distance_label(21097.5, "mi") == "half marathon"
    assert units.distance_label(5000, "mi") == "5K"
    assert units.distance_label(15000) == "15 km"
    assert units.distance_label(15000, "mi") == "9.3 mi"


@given(st.integers(min_value=1, max_value=10 * 3600))
def test_formatting_then_parsing_a_duration_gives_it_back(seconds: int) -> None:
    assert units.parse_duration_s(units.format_duration(seconds)) == seconds
