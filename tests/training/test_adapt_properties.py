"""Property tests of the adaptation: a simulated runner follows, shortens, stretches, skips or
adds runs for three weeks, the plan is adapted every day, and after every adaptation the plan
keeps the rules that the adaptation owns: the past is kept, keys stay unique, nothing is
stacked, sessions sit only on run days, quality sessions keep their spacing, the single-run cap
holds from today on, and adapting again changes nothing. Every reason is non-empty, and none
blames a hard session on a day that holds none (a cheap truth check of the words)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_helpers import describe, make_athlete, run, steady_history

from ampt_sync.domain import Goal, Plan, WorkoutKind
from ampt_sync.training.adapt import adapt_plan
from ampt_sync.training.fitness import estimate_fitness
from ampt_sync.training.load import RunLog, counts_as_run, single_run_cap_m
from ampt_sync.training.measure import is_goal_race
from ampt_sync.training.periodise import baseline
from ampt_sync.training.planner import generate_plan
from ampt_sync.training.wording import MONTH_NAMES, WEEKDAY_NAMES, session_name

K = WorkoutKind
START = date(2026, 3, 2)

#: What the runner does on a day: (what, how much of the planned run)
BEHAVIOUR = st.sampled_from(
    [("as planned", 1.0)] * 5
    + [("skip", 0.0)] * 2
    + [("short", 0.5), ("long", 1.4), ("far", 1.8), ("extra", 1.0), ("race", 1.0)]
)


def check_adapted(plan: Plan, before: Plan, today: date, athlete, goal, activities) -> list[str]:
    problems = []
    schedule = athlete.schedule
    past_now = [d for d in plan.days() if d.day < today]
    past_before = [d for d in before.days() if d.day < today]
    kept = {w.key for d in past_now for w in d.workouts}
    # the past is kept, except a missed session that moved (it leaves its day)
    for d in past_before:
        for w in d.workouts:
            if w.key not in kept and not any(
                x.key == w.key for e in plan.days() if e.day >= today for x in e.workouts
            ):
                problems.append(f"{d.day}: {w.key} vanished from the past")
    keys = [w.key for d in plan.days() for w in d.workouts]
    if len(keys) != len(set(keys)):
        problems.append("duplicate keys")
    future = [d for d in plan.days() if d.day >= today]
    quality = {d.day for d in future for w in d.workouts if w.is_quality}
    longs = {d.day for d in future for w in d.workouts if w.kind is K.LONG}
    done = RunLog(a for a in activities if a.day <= today)
    floor = baseline(athlete, RunLog(a for a in activities if a.day < today), today).longest_floor_m
    for d in future:
        runs = [w for w in d.workouts if w.is_run]
        if len(runs) > 1:
            problems.append(f"{d.day}: stacked runs")
        for w in runs:
            if d.day.weekday() not in schedule.run_days and not is_goal_race(w, d.day, goal):
                problems.append(f"{d.day}: a run on a day that is not a run day")
        # (a volume too small for 2 km runs on every run day leaves some free, and says so)
        leaves_days_free = any("leave a run day free" in w for w in plan.warnings)
        run_day = d.day.weekday() in schedule.run_days
        if d.day > today and run_day and not runs and not leaves_days_free:
            problems.append(f"{d.day}: a run day without a run")
        if d.day in quality and d.day + timedelta(days=1) in quality:
            problems.append(f"{d.day}: quality on consecutive days")
        if d.day in quality and d.day + timedelta(days=1) in longs:
            problems.append(f"{d.day}: quality the day before a long run")
        for w in runs:
            if is_goal_race(w, d.day, goal) or (d.day == today and done.distance_on(today)):
                continue
            longest = max(done.longest_before(d.day), floor)
            for e in plan.days():
                if today <= e.day < d.day and (d.day - e.day).days <= 30:
                    longest = max(
                        [longest]
                        + [x.distance_m for x in e.workouts if x.is_run
                           and not (e.day == today and done.distance_on(today))]
                    )  # fmt: skip
            if w.distance_m > single_run_cap_m(longest) + 1:
                problems.append(f"{d.day}: {w.kind} over the single-run cap")
    return problems


#: A day as a reason names it: "Tuesday" within 6 days of today, else "Tue 10 Mar".
DAY = r"(?:[A-Z][a-z]+day|[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2})"
#: The claims a reason makes about another day's session: "the day before Tuesday's intervals",
#: "the day after Sunday's long run", "Thursday holds a tempo run".
CLAIMS = (
    re.compile(rf"the day (?:before|after) ({DAY})'s ([a-z ]+?)(?=[,.;]| and |$)"),
    re.compile(rf"({DAY}) holds (?:an? )?([a-z ]+?)(?=[,.;]| and |$)"),
)
HARD_WORDS = {"intervals", "tempo run", "fartlek", "hill repeats", "long run", "race", "time trial"}


def days_named(label: str, today: date) -> list[date]:
    """The days a reason written on ``today`` may mean by ``label``."""
    if label in WEEKDAY_NAMES:
        weekday = WEEKDAY_NAMES.index(label)
        near = (today + timedelta(days=n) for n in range(-6, 7))
        return [d for d in near if d.weekday() == weekday]
    _, day, month = label.split()
    found = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            found.append(date(year, MONTH_NAMES.index(month) + 1, int(day)))
        except ValueError:  # 29 Feb of a year that has none
            continue
    return found


def check_reasons(plan: Plan, before: Plan, today: date, activities) -> list[str]:
    """Every change's reason is non-empty, and each session it names on another day is there:
    planned on that day (before or after this adaptation), or a run done that day."""
    problems = []
    held: dict[date, set[str]] = {}
    for p in (before, plan):
        for d in p.days():
            for w in d.workouts:
                held.setdefault(d.day, set()).add(session_name(w))
    ran = {a.day for a in activities if counts_as_run(a) and a.day <= today}
    for change in plan.changes:
        if not change.reason.strip():
            problems.append(f"{change.day}: an empty reason")
        for claim in CLAIMS:
            for label, words in claim.findall(change.reason):
                if words not in HARD_WORDS | {"strength circuit"}:
                    problems.append(f"names {label}'s {words!r} as in the way: {change.reason}")
                    continue
                if not any(
                    words in held.get(d, ()) or (d in ran and words in HARD_WORDS)
                    for d in days_named(label, today)
                ):
                    problems.append(f"no {words} on {label}: {change.reason}")
    return problems


@st.composite
def stories(draw: st.DrawFn):
    run_days = sorted(draw(st.sets(st.integers(0, 6), min_size=3, max_size=7)))
    long_day = draw(st.sampled_from(run_days))
    weekly_m = draw(st.integers(4, 14)) * 1000.0 * len(run_days)
    weeks_out = draw(st.integers(3, 20))
    distance = draw(st.sampled_from([5000.0, 10000.0, 21097.5, 42195.0]))
    behaviour = draw(st.lists(BEHAVIOUR, min_size=21, max_size=21))
    return run_days, long_day, weekly_m, weeks_out, distance, behaviour


@settings(max_examples=12, deadline=None)
@given(stories())
def test_every_daily_adaptation_keeps_the_rules_and_is_idempotent(story) -> None:
    run_days, long_day, weekly_m, weeks_out, distance, behaviour = story
    athlete = make_athlete(run_days, long_day)
    goal = Goal(distance_m=distance, day=START + timedelta(weeks=weeks_out, days=6), race="G")
    activities = steady_history(athlete, START, weekly_m)
    fitness = estimate_fitness(activities, athlete, START)
    plan = generate_plan(goal, athlete, fitness, activities, START)
    for n, (what, share) in enumerate(behaviour):
        today = START + timedelta(days=n)
        # morning: the plan for today
        fitness = estimate_fitness(activities, athlete, today, fitness)
        before = plan
        plan = adapt_plan(plan, activities, athlete, goal, fitness, today)
        problems = check_adapted(plan, before, today, athlete, goal, activities)
        if plan is not before:
            problems += check_reasons(plan, before, today, activities)
        assert problems == [], f"{today} {problems}\n{describe(plan)}"
        assert adapt_plan(plan, activities, athlete, goal, fitness, today) is plan
        # the day: what the runner does
        planned = next((w for d in plan.days() if d.day == today for w in d.workouts
                        if w.is_run), None)  # fmt: skip
        if what == "extra" or (planned is None and what != "skip" and what != "race"):
            continue
        if what == "race":
            activities.append(run(today, 10000, pace_s_per_km=270, name="Race", workout_type=1))
        elif planned is not None and share > 0:
            pace = planned.duration_s / planned.distance_m * 1000 if planned.distance_m else 330
            activities.append(run(today, round(planned.distance_m * share), pace_s_per_km=pace))
        # evening: adapt again with today's run
        fitness = estimate_fitness(activities, athlete, today, fitness)
        before = plan
        plan = adapt_plan(plan, activities, athlete, goal, fitness, today)
        problems = check_adapted(plan, before, today, athlete, goal, activities)
        if plan is not before:
            problems += check_reasons(plan, before, today, activities)
        assert problems == [], f"{today} evening {problems}\n{describe(plan)}"
        assert all(counts_as_run(a) for a in activities[-1:])


@pytest.mark.soak
@settings(max_examples=300, deadline=None)
@given(stories())
def test_soak_every_daily_adaptation_keeps_the_rules(story) -> None:
    test_every_daily_adaptation_keeps_the_rules_and_is_idempotent.hypothesis.inner_test(story)
