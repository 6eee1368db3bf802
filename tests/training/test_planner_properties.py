"""Property tests: every planner rule of issue 3 holds on every generated plan.

Random athletes and goals: 3–7 run days, 4–20 km per run day, 5K to marathon, 2–40 weeks out,
with and without history, with and without configured strength days, an ambitious target or
none, a time trial wanted or not. The rules are restated independently in
``plan_helpers.check_plan``; collisions between rules (a race on a non-run day, 3 run days,
strength days that sit before quality days, tiny volumes against the caps) come up by
construction, so the precedence is exercised too.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_helpers import Inputs, check_plan, describe, make_athlete, make_fitness, steady_history

from ampt_sync import plan_json
from ampt_sync.domain import Goal
from ampt_sync.training.adapt import adapt_plan
from ampt_sync.training.fitness import race_time
from ampt_sync.training.planner import generate_plan

DISTANCES_M = (5000.0, 10000.0, 21097.5, 42195.0)


@st.composite
def scenarios(draw: st.DrawFn) -> Inputs:
    run_days = sorted(draw(st.sets(st.integers(0, 6), min_size=3, max_size=7)))
    long_day = draw(st.sampled_from(run_days))
    strength_days = None
    if draw(st.booleans()):
        eve = (long_day - 1) % 7
        options = [d for d in range(7) if d != eve]
        strength_days = sorted(draw(st.sets(st.sampled_from(options), min_size=1, max_size=3)))
    km_per_day = draw(st.integers(4, 20))
    weekly_m = km_per_day * 1000.0 * len(run_days)
    with_history = draw(st.booleans())
    today = date(2026, 1, 5) + timedelta(days=draw(st.integers(0, 400)))
    athlete = make_athlete(
        run_days,
        long_day,
        strength_days=strength_days,
        weekly_distance_m=None if with_history else weekly_m,
        hills=draw(st.sampled_from(["outdoor", "treadmill", "garage"])),
        hr_max_bpm=draw(st.sampled_from([None, 188])),
    )
    history = []
    if with_history:
        history = steady_history(
            athlete,
            today,
            weekly_m * draw(st.sampled_from([0.8, 1.0, 1.2])),
            weeks=draw(st.integers(3, 10)),
        )
    distance = draw(st.sampled_from(DISTANCES_M))
    goal_day = today + timedelta(days=draw(st.integers(14, 40 * 7)))
    vdot = draw(st.floats(30, 60)).__round__(1)
    fitness = make_fitness(vdot, today, needs_time_trial=draw(st.booleans()))
    target = None
    if draw(st.booleans()):
        target = race_time(vdot, distance) * draw(st.sampled_from([0.85, 0.97, 1.05]))
    goal = Goal(distance_m=distance, day=goal_day, race="Goal race", target_s=target)
    return Inputs(goal, athlete, fitness, history, today)


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_every_planner_rule_holds_on_every_generated_plan(inputs: Inputs) -> None:
    plan = generate_plan(inputs.goal, inputs.athlete, inputs.fitness, inputs.history, inputs.today)
    assert check_plan(plan, inputs) == [], describe(plan)


@settings(max_examples=25, deadline=None)
@given(scenarios())
def test_adapting_a_fresh_plan_on_the_same_day_changes_nothing(inputs: Inputs) -> None:
    """The planner and the adaptation agree: nothing the adaptation checks is broken by a plan
    just made (so the first daily cycle after ``plan`` stores no new version)."""
    plan = generate_plan(inputs.goal, inputs.athlete, inputs.fitness, inputs.history, inputs.today)
    again = adapt_plan(
        plan, inputs.history, inputs.athlete, inputs.goal, inputs.fitness, inputs.today
    )
    assert again is plan, [c.reason for c in again.changes]


@settings(max_examples=15, deadline=None)
@given(scenarios())
def test_the_same_inputs_on_the_same_day_give_a_byte_identical_plan(inputs: Inputs) -> None:
    first = generate_plan(inputs.goal, inputs.athlete, inputs.fitness, inputs.history, inputs.today)
    again = generate_plan(
        inputs.goal, inputs.athlete, inputs.fitness, list(reversed(inputs.history)), inputs.today
    )
    dump = plan_json.dumps
    assert dump(plan_json.plan_to_dict(first)) == dump(plan_json.plan_to_dict(again))


@pytest.mark.soak
@settings(max_examples=2000, deadline=None)
@given(scenarios())
def test_soak_every_planner_rule_holds(inputs: Inputs) -> None:
    plan = generate_plan(inputs.goal, inputs.athlete, inputs.fitness, inputs.history, inputs.today)
    assert check_plan(plan, inputs) == [], describe(plan)
