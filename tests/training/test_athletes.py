"""The runner generator itself (``athletes.py``): its histories say what the spec says, so that
property tests and the plan-quality bench built on it can be trusted."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from athletes import (
    GOAL_DISTANCES_M,
    MAX_RUN_DAYS,
    MIN_RUN_DAYS,
    RETURN_DAYS,
    RunnerSpec,
    build_inputs,
    goal_day,
    population,
    runners,
    weekly_range_m,
)
from hypothesis import given, settings
from plan_helpers import Inputs

from ampt_sync.domain import Confidence
from ampt_sync.training.load import week_start

TODAY = date(2026, 3, 4)  # a Wednesday: the current week is partial

BASE = RunnerSpec(
    goal_distance_m=21097.5,
    run_days=(1, 3, 5, 6),
    long_run_day=6,
    weekly_m=40_000.0,
    weeks_to_race=16,
    vdot=45.0,
    seed=7,
)


def _clean_full_weeks(spec: RunnerSpec, inputs: Inputs) -> dict[date, float]:
    """Running distance (m) of each full week before today's that neither the break nor the
    easing back after it touches."""
    today = inputs.today
    touched: set[date] = set()
    for n in spec.break_days_ago():
        touched.add(week_start(today - timedelta(days=n)))
    if spec.break_days:
        back = today - timedelta(days=1 + spec.break_end_days_ago) + timedelta(days=1)
        touched |= {week_start(back + timedelta(days=k)) for k in range(RETURN_DAYS)}
    weeks: dict[date, float] = {}
    for a in inputs.history:
        monday = week_start(a.day)
        if monday < week_start(today) and monday not in touched:
            weeks[monday] = weeks.get(monday, 0.0) + a.distance_m
    return weeks


def check_history(spec: RunnerSpec, inputs: Inputs) -> None:
    today, history = inputs.today, inputs.history
    assert history, "no history"
    assert all(a.day < today for a in history)
    assert len({a.id for a in history}) == len(history)
    # 12–16 weeks of it.
    first_monday = week_start(today) - timedelta(weeks=spec.history_weeks)
    assert min(a.day for a in history) < first_monday + timedelta(days=7)
    assert min(a.day for a in history) >= first_monday
    # Runs on run days only (the race may be elsewhere), one a day.
    days = Counter(a.day for a in history)
    assert max(days.values()) == 1
    for a in history:
        if a.workout_type != 1:
            assert a.day.weekday() in spec.run_days, a
    # The weekly volume of untouched full weeks is the spec's, within 10 %.
    weeks = _clean_full_weeks(spec, inputs)
    assert weeks, "no untouched full week"
    for monday, volume in weeks.items():
        assert abs(volume - spec.weekly_m) <= 0.10 * spec.weekly_m, (monday, volume)
    # The long run is the longest run of its week and 25–35 % of it (more with 3 run days).
    for monday in weeks:
        week = [a for a in history if week_start(a.day) == monday]
        if any(a.workout_type == 1 for a in week):
            continue
        longest = max(week, key=lambda a: a.distance_m)
        assert longest.day.weekday() == spec.long_run_day
        share = longest.distance_m / sum(a.distance_m for a in week)
        floor = max(0.25, 1.1 / len(spec.run_days))
        assert floor - 0.03 <= share <= max(0.35, floor) + 0.03, (monday, share)
    # A run in the last 30 days.
    assert any(a.day >= today - timedelta(days=30) for a in history)
    # The break holds no run.
    for n in spec.break_days_ago():
        assert today - timedelta(days=n) not in days
    # The race: tagged, on its day, at its distance.
    races = [a for a in history if a.workout_type == 1]
    if spec.race_distance_m is None:
        assert races == []
    else:
        assert len(races) == 1
        race = races[0]
        assert race.day == today - timedelta(days=spec.race_days_ago)
        assert spec.race_distance_m <= race.distance_m <= 1.02 * spec.race_distance_m
        assert "race" in race.name.lower()
    # The goal and the athlete.
    assert inputs.goal.distance_m == spec.goal_distance_m
    assert inputs.goal.day == goal_day(spec, today)
    assert week_start(inputs.goal.day) == week_start(today) + timedelta(weeks=spec.weeks_to_race)
    assert inputs.athlete.schedule.run_days == spec.run_days
    assert inputs.athlete.schedule.long_run_day == spec.long_run_day
    assert inputs.athlete.units == spec.units


@pytest.mark.parametrize("offset_days", range(7))
def test_a_plain_runner_gets_the_history_the_spec_describes(offset_days: int) -> None:
    today = TODAY + timedelta(days=offset_days)
    check_history(BASE, build_inputs(BASE, today))


def test_a_break_leaves_no_run_in_its_days_and_the_runner_eases_back() -> None:
    spec = replace(BASE, break_days=10, break_end_days_ago=5)
    inputs = build_inputs(spec, TODAY)
    check_history(spec, inputs)
    off = {TODAY - timedelta(days=n) for n in range(6, 16)}
    by_day = {a.day: a.distance_m for a in inputs.history}
    assert set(by_day) & off == set()
    assert max(by_day) == TODAY - timedelta(days=1) or TODAY.weekday() - 1 not in spec.run_days
    # Easing back: each run of the 5 days since is shorter than the same weekday's run 5 weeks
    # earlier.
    back = [TODAY - timedelta(days=n) for n in range(1, 6)]
    compared = 0
    for d in back:
        if d in by_day:
            earlier = d - timedelta(weeks=5)
            assert by_day[d] < 0.85 * by_day[earlier], (d, by_day[d], by_day[earlier])
            compared += 1
    assert compared >= 2


def test_a_break_until_yesterday_leaves_the_last_days_empty() -> None:
    spec = replace(BASE, break_days=8, break_end_days_ago=0)
    inputs = build_inputs(spec, TODAY)
    assert max(a.day for a in inputs.history) < TODAY - timedelta(days=8)


def test_the_race_is_tagged_and_sets_the_fitness() -> None:
    spec = replace(BASE, race_distance_m=10000.0, race_days_ago=20)
    inputs = build_inputs(spec, TODAY)
    check_history(spec, inputs)
    assert inputs.fitness.confidence is Confidence.HIGH
    assert "race" in inputs.fitness.source
    assert inputs.fitness.vdot == pytest.approx(spec.vdot, abs=0.1)


def test_easy_runs_alone_give_a_low_confidence_estimate_near_the_true_vdot() -> None:
    # Without a race or a hard effort, the everyday easy pace sets a floor (issue 9): the
    # runner's easy runs sit a little slower than the slow end of Daniels' E pace.
    inputs = build_inputs(BASE, TODAY)
    assert inputs.fitness.confidence is Confidence.LOW
    assert inputs.fitness.needs_time_trial
    assert 0.85 * BASE.vdot <= inputs.fitness.vdot <= BASE.vdot


def test_build_inputs_is_deterministic() -> None:
    spec = replace(BASE, race_distance_m=5000.0, race_days_ago=30, break_days=7)
    first, again = build_inputs(spec, TODAY), build_inputs(spec, TODAY)
    assert first == again


def test_a_spec_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="weekly"):
        replace(BASE, run_days=(0, 3, 6), weekly_m=120_000.0, long_run_day=6)
    with pytest.raises(ValueError, match="weeks to the race"):
        replace(BASE, weeks_to_race=3)
    with pytest.raises(ValueError, match="break"):
        replace(BASE, race_distance_m=5000.0, race_days_ago=14, break_days=10, break_end_days_ago=8)


def test_population_is_deterministic_and_broad() -> None:
    specs = population(11, 200)
    assert specs == population(11, 200)
    assert specs != population(12, 200)
    assert len(specs) == 200
    cells = Counter((s.goal, len(s.run_days)) for s in specs)
    assert set(cells) == {
        (g, n) for g in GOAL_DISTANCES_M for n in range(MIN_RUN_DAYS, MAX_RUN_DAYS + 1)
    }
    assert min(cells.values()) >= 200 // 20
    volumes_km = [s.weekly_m / 1000 for s in specs]
    assert min(volumes_km) < 15
    assert max(volumes_km) > 110
    weeks = {s.weeks_to_race for s in specs}
    assert min(weeks) == 4
    assert max(weeks) == 30
    assert {s.units for s in specs} == {"km", "mi"}
    assert 0.4 <= sum(s.race_distance_m is not None for s in specs) / 200 <= 0.6
    assert sum(bool(s.break_days) for s in specs) == 40  # 20 %


@pytest.mark.parametrize("index", range(0, 400, 23))
def test_population_histories_match_their_specs(index: int) -> None:
    spec = population(5, 400)[index]
    check_history(spec, build_inputs(spec, TODAY + timedelta(days=index % 7)))


@settings(max_examples=40, deadline=None)
@given(runners())
def test_every_drawn_runner_gets_a_history_that_matches_its_spec(spec: RunnerSpec) -> None:
    low, high = weekly_range_m(len(spec.run_days))
    assert low <= spec.weekly_m <= high
    check_history(spec, build_inputs(spec, TODAY))
