"""Training load: weekly volume by Monday-started week, chronic load, the longest recent run,
gaps, the two caps, return to load, and the overreaching signals."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from plan_helpers import run

from ampt_sync.domain import Activity
from ampt_sync.training import load
from ampt_sync.training.load import RunLog

MONDAY = date(2026, 3, 2)


def ride(day: date, distance_m: float) -> Activity:
    return Activity(
        id=day.toordinal(),
        sport="Ride",
        name="Ride",
        start=datetime(day.year, day.month, day.day, 7, tzinfo=UTC),
        day=day,
        distance_m=distance_m,
        moving_time_s=3600,
        elapsed_time_s=3600,
    )


def test_week_start_is_the_monday_of_the_week() -> None:
    assert load.week_start(date(2026, 3, 8)) == MONDAY  # a Sunday
    assert load.week_start(MONDAY) == MONDAY


def test_weekly_distance_counts_runs_only_by_monday_started_week() -> None:
    activities = [
        run(MONDAY, 5000),
        run(MONDAY + timedelta(days=6), 12000),  # Sunday: same week
        run(MONDAY + timedelta(days=7), 8000),  # next Monday
        ride(MONDAY + timedelta(days=1), 40000),
    ]
    assert load.weekly_distance_m(activities) == {
        MONDAY: 17000.0,
        MONDAY + timedelta(days=7): 8000.0,
    }


def test_implausible_runs_do_not_count_as_load() -> None:
    glitch = run(MONDAY, 50000, pace_s_per_km=60)  # 1:00/km for 50 km
    assert not load.counts_as_run(glitch)
    assert load.weekly_distance_m([glitch]) == {}


def test_chronic_load_is_the_average_of_the_four_full_weeks_before() -> None:
    today = MONDAY + timedelta(weeks=4, days=2)  # a Wednesday
    activities = [run(MONDAY + timedelta(weeks=n), 10000 * (n + 1)) for n in range(4)]
    activities.append(run(today - timedelta(days=1), 99000 / 3))  # this week: not counted
    assert load.chronic_weekly_distance_m(activities, today) == pytest.approx(25000)


def test_chronic_load_leaves_out_weeks_before_the_first_run() -> None:
    today = MONDAY + timedelta(weeks=2)
    activities = [run(MONDAY, 20000), run(MONDAY + timedelta(weeks=1), 30000)]
    assert load.chronic_weekly_distance_m(activities, today) == pytest.approx(25000)


def test_longest_run_looks_at_the_thirty_days_before_the_day_only() -> None:
    day = date(2026, 4, 1)
    activities = [
        run(day - timedelta(days=31), 30000),  # outside the window
        run(day - timedelta(days=30), 14000),
        run(day - timedelta(days=3), 9000),
        run(day, 40000),  # the day itself does not count
    ]
    assert load.longest_run_m(activities, day) == 14000


def test_days_since_last_run() -> None:
    today = date(2026, 4, 10)
    assert load.days_since_last_run([run(today - timedelta(days=7), 5000)], today) == 7
    assert load.days_since_last_run([], today) is None


@pytest.mark.parametrize(
    ("largest_m", "cap_m"),
    [
        (0.0, 5000.0),
        (10000.0, 15000.0),  # small volumes may step up 5 km
        (19000.0, 24000.0),
        (30000.0, 33000.0),  # otherwise 10 %
        (60000.0, 66000.0),
    ],
)
def test_weekly_build_cap(largest_m: float, cap_m: float) -> None:
    assert load.weekly_build_cap_m(largest_m) == pytest.approx(cap_m)


def test_single_run_cap_is_ten_percent_over_the_longest() -> None:
    assert load.single_run_cap_m(20000) == pytest.approx(22000)


@pytest.mark.parametrize(
    ("gap_days", "day", "factor"),
    [
        (5, 0, 1.0),
        (10, 0, 0.50),
        (10, 4, 0.50),
        (10, 5, 0.75),
        (10, 9, 0.75),
        (10, 10, 1.0),
        (42, 0, 0.33),
        (42, 14, 0.50),
        (42, 28, 0.75),
        (42, 42, 1.0),
        (70, 0, 0.30),
        (70, 30, 0.50),
        (70, 80, 0.85),
        (70, 84, 1.0),
        (10, -3, 0.50),  # still in the gap
    ],
)
def test_return_to_load_follows_daniels_steps(gap_days: int, day: int, factor: float) -> None:
    assert load.return_to_load_factor(gap_days, day) == factor


def test_gaps_of_six_days_or_more_are_found_and_an_ongoing_one_counts_to_yesterday() -> None:
    log = RunLog([run(date(2026, 3, 1), 5000), run(date(2026, 3, 4), 5000)])
    today = date(2026, 3, 12)  # no run from the 5th to the 11th: 7 days
    gaps = log.gaps(date(2026, 1, 1), today)
    assert [(g.first, g.last, g.days) for g in gaps] == [(date(2026, 3, 5), date(2026, 3, 11), 7)]
    assert log.gaps(date(2026, 1, 1), date(2026, 3, 10)) == []  # only 5 days so far


def test_an_empty_history_is_not_a_gap() -> None:
    assert RunLog().gaps(date(2026, 1, 1), date(2026, 3, 1)) == []


def test_ewma_acwr_is_about_one_for_steady_running_and_rises_with_a_spike() -> None:
    start = date(2026, 1, 1)
    steady = [run(start + timedelta(days=n), 5000) for n in range(60)]
    today = start + timedelta(days=59)
    assert load.ewma_acwr(RunLog(steady), today) == pytest.approx(1.0, abs=0.05)
    spike = steady + [run(start + timedelta(days=n), 10000) for n in range(53, 60)]
    assert load.ewma_acwr(RunLog(spike), today) > 1.5
    assert load.ewma_acwr(RunLog(steady[:10]), start + timedelta(days=9)) is None


def test_monotony_is_mean_over_spread_of_the_last_seven_days() -> None:
    today = date(2026, 3, 8)
    same = RunLog(run(today - timedelta(days=n), 8000) for n in range(7))
    assert load.monotony(same, today) == math.inf
    varied = RunLog([run(today, 20000), run(today - timedelta(days=2), 5000)])
    assert 0 < load.monotony(varied, today) < 1
    assert load.monotony(RunLog(), today) == 0.0


def test_efficiency_factor_uses_steady_easy_runs_with_heart_rate() -> None:
    day = date(2026, 3, 3)
    activities = [
        run(day, 10000, pace_s_per_km=360, hr=140),
        run(day, 5000, pace_s_per_km=360),  # no heart rate
        run(day, 10000, pace_s_per_km=250, hr=170),  # faster than easy
    ]
    found = load.efficiency_factors(
        activities, day, day + timedelta(days=1), slower_than_s_per_km=300
    )
    assert found == [(day, pytest.approx(1000 / 6 / 140))]


def test_run_log_answers_per_day_and_per_week() -> None:
    log = RunLog([run(MONDAY, 5000), run(MONDAY, 3000), run(MONDAY + timedelta(days=2), 7000)])
    assert log.distance_on(MONDAY) == 8000
    assert log.distance_between(MONDAY, MONDAY + timedelta(days=7)) == 15000
    assert log.week_distance_m(MONDAY + timedelta(days=3)) == 15000
    assert log.longest_before(MONDAY + timedelta(days=3)) == 7000
    log.add(MONDAY + timedelta(days=4), 42195, volume=False)  # a planned race: longest only
    assert log.week_distance_m(MONDAY) == 15000
    assert log.longest_before(MONDAY + timedelta(days=5)) == 42195
    log.add(MONDAY + timedelta(days=5), 30000, longest=False)  # volume only
    assert log.week_distance_m(MONDAY) == 45000
    assert log.longest_before(MONDAY + timedelta(days=6)) == 42195
