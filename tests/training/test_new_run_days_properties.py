"""Property tests of new run days mid-plan (:func:`ampt_sync.training.replan.replan_from` with
``keep_volume``), over generated runners (``athletes.runners``): the runner follows the plan for
up to two weeks (skipping a few runs, sometimes the long run), the plan adapted every morning;
then the runner adds a run day, and the plan made afresh re-lays the build on the new days.

With more run days the days can hold what they held: every later build week keeps the plan in
force's volume and long run, unless the weekly build cap (10 % over the biggest of the three
weeks before, done or planned) or the single-run cap (1.1 × the longest run of the 30 days
before) holds it lower. (A plan made afresh from scratch restarts from the average of the last
four full weeks, which skipped runs pull down.)

Not compared with a plan from scratch week by week: the two may put a time trial in different
weeks, and a week with one holds less.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from athletes import RunnerSpec, build_inputs, runners
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from plan_helpers import describe, make_athlete, run

from ampt_sync.domain import Activity, Athlete, Phase, Plan, WorkoutKind
from ampt_sync.training.adapt import adapt_plan
from ampt_sync.training.fitness import estimate_fitness
from ampt_sync.training.load import RunLog, single_run_cap_m, week_start, weekly_build_cap_m
from ampt_sync.training.measure import is_goal_race
from ampt_sync.training.periodise import baseline
from ampt_sync.training.planner import generate_plan

K = WorkoutKind
START = date(2026, 3, 2)  # a Monday
#: The build's weeks, which new run days keep (maintenance is kept too, but after the race it is
#: sized from the weeks before, where the weekly cap's "+5 km under 20 km" lets a smaller taper
#: allow more: not a promise of this change).
BUILD = {Phase.BASE, Phase.STRENGTH, Phase.SPEED}
#: The days (offsets from START) whose planned run the runner skips: none, or a few, the
#: first week's long run among them sometimes (the demo's story).
SKIPS = st.frozensets(st.integers(0, 13), max_size=4)


def tolerance_m(plan: Plan, monday: date) -> float:
    """Planned runs come in 100 m steps (each easy run of a week rounds down) and a recovery
    run in whole minutes; a cutback is 75 % of the week before it, rounded so too."""
    return 100.0 * (len(week_runs(plan, monday)) + 1) + 0.01 * volume_m(plan, monday)


def week_runs(plan: Plan, monday: date) -> list[tuple[date, float, WorkoutKind]]:
    return [
        (d, w.distance_m, w.kind)
        for d, w in plan.workouts_between(monday, monday + timedelta(days=7))
        if w.is_run and not is_goal_race(w, d, plan.goal)
    ]


def volume_m(plan: Plan, monday: date) -> float:
    return sum(m for _, m, _ in week_runs(plan, monday))


def long_m(plan: Plan, monday: date) -> float:
    return max((m for _, m, kind in week_runs(plan, monday) if kind is K.LONG), default=0.0)


def frame(plan: Plan, monday: date) -> tuple[Phase, bool] | None:
    week = next((w for w in plan.weeks if week_start(w.start) == monday), None)
    return None if week is None else (week.phase, week.cutback)


def with_days(athlete: Athlete, run_days: set[int]) -> Athlete:
    s = athlete.schedule
    return make_athlete(sorted(run_days), s.long_run_day, units=athlete.units,
                        hr_max_bpm=athlete.hr_max_bpm)  # fmt: skip


def story(spec: RunnerSpec, ran_days: int, new_days: set[int], skipped: frozenset[int]):
    """The plan of ``spec`` made on START, run as planned for ``ran_days`` days but the runs
    on the days ``skipped`` (offsets from START), the plan adapted each morning; then the plan
    in force on the day after, the plan made afresh for ``new_days``, the day and what was
    run."""
    inputs = build_inputs(spec, START)
    goal, athlete = inputs.goal, inputs.athlete
    activities: list[Activity] = list(inputs.history)
    plan = generate_plan(goal, athlete, inputs.fitness, activities, START)
    fitness = inputs.fitness
    for n in range(ran_days + 1):
        today = START + timedelta(days=n)
        fitness = estimate_fitness(activities, athlete, today, fitness)
        plan = adapt_plan(plan, activities, athlete, goal, fitness, today)
        if n == ran_days or n in skipped:
            continue
        for w in (w for d, w in plan.workouts_between(today, today + timedelta(days=1))):
            if w.is_run and w.distance_m > 0 and not is_goal_race(w, today, goal):
                pace_s_per_km = w.duration_s / w.distance_m * 1000
                activities.append(run(today, w.distance_m, pace_s_per_km=pace_s_per_km))
    in_force = plan
    new = with_days(athlete, new_days)
    fitness = estimate_fitness(activities, new, today, fitness)
    relaid = adapt_plan(in_force, activities, new, goal, fitness, today)
    return in_force, relaid, today, activities


def returning(spec: RunnerSpec, activities: list[Activity], today: date) -> bool:
    """Skipped runs left a gap of 6+ days the runner is still returning from: Daniels' return
    shares size the weeks then, not the plan in force (and the property does not apply)."""
    athlete = make_athlete(spec.run_days, spec.long_run_day)
    log = RunLog(a for a in activities if a.day < today)
    return baseline(athlete, log, today).return_day is not None


def later_mondays(today: date, plan: Plan) -> list[date]:
    last = plan.days()[-1].day
    first = week_start(today) + timedelta(weeks=1)
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7)]


def week_cap_m(plan: Plan, activities: list[Activity], monday: date, today: date) -> float:
    """The weekly build cap of the week of ``monday``: done before today, planned after."""

    def held(m: date) -> float:
        done = sum(a.distance_m for a in activities if m <= a.day < min(today, m + timedelta(7)))
        return done + volume_m(plan, max(m, today)) if m >= week_start(today) else done

    return weekly_build_cap_m(max(held(monday - timedelta(weeks=n)) for n in (1, 2, 3)))


def run_cap_m(plan: Plan, activities: list[Activity], day: date, today: date) -> float:
    """The single-run cap on ``day``: 1.1 × the longest run of the 30 days before, done before
    today, planned from today."""
    first = day - timedelta(days=30)
    done = [a.distance_m for a in activities if first <= a.day < min(day, today)]
    planned = [w.distance_m for d, w in plan.workouts_between(max(first, today), day) if w.is_run]
    return single_run_cap_m(max([0.0, *done, *planned]))


def held_back(
    plan: Plan, reference: Plan, activities: list[Activity], today: date, label: str
) -> list[str]:
    """The build weeks after today's (planned in the same frame in both) in which ``plan``
    holds less running than ``reference``, or a shorter long run, where neither the weekly cap
    nor the single-run cap holds it there."""
    problems = []
    for monday in later_mondays(today, plan):
        if frame(plan, monday) != frame(reference, monday) or frame(plan, monday)[0] not in BUILD:
            continue
        cap_m = week_cap_m(plan, activities, monday, today)
        wanted_m = min(volume_m(reference, monday), cap_m) - tolerance_m(reference, monday)
        held_m, was_m = volume_m(plan, monday), volume_m(reference, monday)
        if held_m < wanted_m:
            problems.append(f"{monday}: {held_m:.0f} m, {label} {was_m:.0f} m, cap {cap_m:.0f} m")
        longs = [d for d, _, kind in week_runs(plan, monday) if kind is K.LONG]
        if longs:
            allowed_m = run_cap_m(plan, activities, longs[0], today)
            wanted_m = min(long_m(reference, monday), allowed_m) - 100.0
            if long_m(plan, monday) < wanted_m:
                problems.append(
                    f"{monday}: long run {long_m(plan, monday):.0f} m, {label} "
                    f"{long_m(reference, monday):.0f} m, single-run cap {allowed_m:.0f} m"
                )
    return problems


@settings(max_examples=20, deadline=None)
@given(runners(), st.integers(0, 13), SKIPS, st.data())
def test_one_more_run_day_keeps_every_later_weeks_volume_and_long_run(
    spec, ran_days, skipped, data
) -> None:
    spec = replace(spec, break_days=0, break_end_days_ago=0)  # a gap: Daniels' shares rule
    assume(len(spec.run_days) < 7)
    added = data.draw(st.sampled_from([d for d in range(7) if d not in spec.run_days]))
    new_days = {*spec.run_days, added}
    in_force, relaid, today, activities = story(spec, ran_days, new_days, skipped)
    assume(relaid.changes and relaid.changes[0].reason.startswith("Your run days changed"))
    assume(not returning(spec, activities, today))
    problems = held_back(relaid, in_force, activities, today, "in force")
    assert problems == [], f"{problems}\n{describe(in_force)}\n--- re-laid\n{describe(relaid)}"
