"""How messages name the services and a cycle's requests to them."""

from __future__ import annotations

from ampt_sync.service_names import ROAD_NAMES, SOURCE_NAMES, calls_in_words


def test_calls_name_each_service_called_in_the_reports_order() -> None:
    calls = {"strava": 3, "garmin": 0, "intervals": 2}
    assert calls_in_words(calls) == "Strava 3, intervals.icu 2 calls"
    assert calls_in_words({"strava": 1, "garmin": 4}) == "Strava 1, Garmin 4 calls"


def test_a_cycle_that_called_nothing_says_so() -> None:
    assert calls_in_words({"strava": 0, "garmin": 0}) == "no calls"
    assert calls_in_words({}) == "no calls"


def test_roads_are_the_delivery_targets_and_sources_name_garmins_activity_list() -> None:
    assert set(ROAD_NAMES) == {"garmin", "intervals"}
    assert SOURCE_NAMES["garmin"] == "Garmin Connect"
    assert ROAD_NAMES["garmin"] == "Garmin"
    assert set(SOURCE_NAMES) == {"strava", "garmin", "intervals"}
