"""Adaptation scenarios: each builds a runner and a plan, lets the runner do (or not do) the
plan, adapts, and asserts the resulting plan and the reason a runner reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from plan_helpers import describe, make_athlete, run, steady_history

from ampt_sync import plan_json
from ampt_sync.domain import Activity, Athlete, Goal, Phase, Plan, Workout, WorkoutKind
from ampt_sync.training.adapt import adapt_plan
from ampt_sync.training.fitness import estimate_fitness
from ampt_sync.training.load import week_start
from ampt_sync.training.matching import Status, match_activities
from ampt_sync.training.planner import generate_plan

K = WorkoutKind
MONDAY = date(2026, 3, 2)


def workouts_on(plan: Plan, day: date) -> list[Workout]:
    return next((list(d.workouts) for d in plan.days() if d.day == day), [])


def run_on(plan: Plan, day: date) -> Workout | None:
    return next((w for w in workouts_on(plan, day) if w.is_run), None)


def find(plan: Plan, key: str) -> tuple[date, Workout]:
    return next((d.day, w) for d in plan.days() for w in d.workouts if w.key == key)


def do_as_planned(
    plan: Plan, days: Sequence[date], *, stretch: float = 1.0, pace_s_per_km: float | None = None
) -> list[Activity]:
    """The planned run of each of ``days``, ``stretch`` × as long, at the planned average pace
    (or ``pace_s_per_km``)."""
    done = []
    for day in days:
        w = run_on(plan, day)
        if w is not None and w.distance_m > 0:
            pace = pace_s_per_km or w.duration_s / w.distance_m * 1000
            done.append(run(day, round(w.distance_m * stretch), pace_s_per_km=pace))
    return done


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(count)]


class Runner:
    """A runner with 8 weeks of steady history, a plan made on ``today``, and fitness from the
    real estimate; ``adapt`` moves the story on."""

    def __init__(
        self,
        athlete: Athlete,
        goal: Goal,
        *,
        weekly_m: float = 40000,
        today: date = MONDAY,
        extra: Sequence[Activity] = (),
    ) -> None:
        self.athlete, self.goal = athlete, goal
        self.activities = [*steady_history(athlete, today, weekly_m), *extra]
        self.fitness = estimate_fitness(self.activities, athlete, today)
        self.plan = generate_plan(goal, athlete, self.fitness, self.activities, today)

    def adapt(self, today: date) -> Plan:
        self.fitness = estimate_fitness(self.activities, self.athlete, today, self.fitness)
        self.plan = adapt_plan(
            self.plan, self.activities, self.athlete, self.goal, self.fitness, today
        )
        return self.plan

    def reasons(self) -> list[str]:
        return [c.reason for c in self.plan.changes]


def half(day: date) -> Goal:
    return Goal(distance_m=21097.5, day=day, race="Spring Half")


# ------------------------------------------------------------------------------------------------
# matching


def test_matching_marks_done_partial_missed_and_extra_within_a_day_either_side() -> None:
    runner = Runner(make_athlete((1, 3, 5, 6), 6), half(MONDAY + timedelta(weeks=16, days=6)))
    plan = runner.plan
    tue, thu, sat = MONDAY + timedelta(days=1), MONDAY + timedelta(days=3), MONDAY + timedelta(5)
    planned = {d: run_on(plan, d) for d in (tue, thu, sat)}
    activities = [
        run(tue, planned[tue].distance_m * 0.9),  # done
        run(thu + timedelta(days=1), planned[thu].distance_m * 0.5),  # a day late, half: partial
        run(MONDAY, 3000),  # Monday is no run day: extra
    ]
    matching = match_activities(plan, activities, sat)
    by_key = matching.by_key
    assert by_key[planned[tue].key].status is Status.DONE
    assert by_key[planned[thu].key].status is Status.PARTIAL
    assert by_key[planned[sat].key].status is Status.PLANNED  # today: not missed yet
    assert [a.distance_m for a in matching.extra] == [3000]
    later = match_activities(plan, activities, sat + timedelta(days=1))
    assert later.by_key[planned[sat].key].status is Status.MISSED


# ------------------------------------------------------------------------------------------------
# a missed long run


def test_a_missed_long_run_moves_within_three_days_onto_an_easy_day() -> None:
    # Long run on Saturday, the recovery run on Sunday: the base phase has no quality days.
    runner = Runner(make_athlete((0, 1, 3, 5, 6), 5), half(MONDAY + timedelta(weeks=16, days=6)))
    saturday, sunday = MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)
    long_run = run_on(runner.plan, saturday)
    recovery = run_on(runner.plan, sunday)
    assert long_run is not None
    assert long_run.kind is K.LONG
    assert recovery is not None
    runner.activities += do_as_planned(runner.plan, days(MONDAY, 5))  # Mon–Fri, not Saturday

    plan = runner.adapt(sunday)

    assert find(plan, long_run.key) == (sunday, long_run)  # same key, same run, new day
    assert run_on(plan, saturday) is None
    assert all(w.key != recovery.key for d in plan.days() for w in d.workouts)
    assert runner.reasons() == [
        "Saturday's long run moved to Sunday: it was missed, and Sunday has no hard day either "
        "side of it.",
        "Sunday's recovery run makes room for the long run missed on Saturday.",
    ]
    assert plan.generated_on == sunday
    # Adapting again with nothing new changes nothing.
    assert runner.adapt(sunday) is plan


def test_a_missed_long_run_is_skipped_when_no_day_in_three_can_take_it() -> None:
    # Long run on Sunday: the next days are in the next week, which has its own long run.
    runner = Runner(make_athlete((1, 3, 5, 6), 6), half(MONDAY + timedelta(weeks=16, days=6)))
    sunday = MONDAY + timedelta(days=6)
    long_run = run_on(runner.plan, sunday)
    assert long_run is not None
    runner.activities += do_as_planned(runner.plan, days(MONDAY, 6))
    before = runner.plan

    plan = runner.adapt(sunday + timedelta(days=1))

    assert find(plan, long_run.key)[0] == sunday  # left on its day, as history
    assert runner.reasons()[0] == (
        "Sunday's long run skipped: it was missed, and no day in the next 3 days can take it "
        "without a hard day beside it. The next long run stays within 10% of your longest "
        "recent run."
    )
    next_long = next(w for d, w in [(d.day, w) for d in plan.days() for w in d.workouts]
                     if d > sunday and w.kind is K.LONG)  # fmt: skip
    old_next = next(w for d in before.days() for w in d.workouts
                    if d.day > sunday and w.kind is K.LONG)  # fmt: skip
    assert next_long.key == old_next.key
    assert next_long.distance_m <= old_next.distance_m


# ------------------------------------------------------------------------------------------------
# a 10-day illness gap


def test_a_ten_day_illness_gap_lowers_fitness_and_eases_back_in() -> None:
    runner = Runner(make_athlete((1, 3, 5, 6), 6), half(MONDAY + timedelta(weeks=12, days=6)))
    usual_week = runner.plan.weeks[1].planned_distance_m
    runner.activities += do_as_planned(runner.plan, [MONDAY + timedelta(days=1)])
    vdot_before = runner.fitness.vdot
    # Ill from Wednesday the 4th: no run for 10 days, back on Saturday the 14th. The plan is
    # adapted every morning; the runner does what it says once back.
    back = MONDAY + timedelta(days=12)
    reasons: dict[date, list[str]] = {}
    for day in days(MONDAY + timedelta(days=2), 12):
        plan = runner.adapt(day)
        if plan.generated_on == day:
            reasons[day] = runner.reasons()
        if day >= back:
            runner.activities += do_as_planned(plan, [day])

    assert reasons[back][0] == (
        "10 days without running: easing back in at about half your usual volume, then three "
        "quarters, with easy running only at first; paces allow for the time off."
    )
    plan = runner.plan
    assert runner.fitness.vdot < vdot_before  # time off lowers fitness …
    assert plan.fitness.vdot < vdot_before  # … and the plan's paces with it
    # Easy-paced running only in the first half of the return period (5 days from the 14th)
    for day in days(back, 5):
        workout = run_on(plan, day)
        assert workout is None or not workout.is_quality, describe(plan)
    # Volume back in steps: next week well under the usual
    next_week = next(w for w in plan.weeks if w.start == week_start(back) + timedelta(weeks=1))
    assert next_week.planned_distance_m < 0.8 * usual_week
    assert any("10 days without running" in w for w in plan.warnings)


# ------------------------------------------------------------------------------------------------
# a surprise race PR


def test_a_surprise_race_pr_updates_paces_with_the_same_keys_and_eases_the_next_day() -> None:
    athlete = make_athlete((1, 3, 5, 6), 6, hr_max_bpm=188)
    race_before = run(MONDAY - timedelta(days=20), 10000, pace_s_per_km=300, name="10K race",
                      workout_type=1)  # fmt: skip
    runner = Runner(athlete, half(MONDAY + timedelta(weeks=10, days=6)), extra=[race_before])
    before = runner.plan
    assert before.fitness.vdot == 40.01
    saturday, sunday = MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)
    runner.activities += do_as_planned(before, days(MONDAY, 5))
    runner.activities.append(
        run(saturday, 10000, pace_s_per_km=282, name="Parkrun 10K PB", workout_type=1)
    )

    plan = runner.adapt(saturday)

    assert plan.fitness.vdot == 43.01
    assert runner.reasons()[0] == (
        "New paces from race 2026-03-07 10K: VDOT 40.0 → 43.0. Workouts from today use the "
        "faster paces."
    )
    assert (
        "Sunday's long run became an easy 9.9 km run: you raced on Saturday" in runner.reasons()[1]
    )
    assert run_on(plan, sunday).kind is K.EASY
    # Future sessions keep their keys and days, and are faster.
    old = {w.key: (d.day, w) for d in before.days() if d.day > sunday for w in d.workouts}
    new = {w.key: (d.day, w) for d in plan.days() if d.day > sunday for w in d.workouts}
    assert set(old) == set(new)
    tempos = [(old[k][1], new[k][1]) for k in old if new[k][1].kind is K.TEMPO]
    assert tempos
    for was, now in tempos:
        assert old[now.key][0] == new[now.key][0]
        pace_was = was.steps[1].target.pace_s_per_km  # type: ignore[union-attr]
        pace_now = now.steps[1].target.pace_s_per_km  # type: ignore[union-attr]
        assert pace_now[0] < pace_was[0]
    # The race itself is not on the plan as a session; the goal race stays put.
    assert runner.adapt(saturday) is plan


def test_a_miles_runners_plan_stays_in_miles_when_new_paces_rewrite_it() -> None:
    athlete = make_athlete((1, 3, 5, 6), 6, units="mi")
    runner = Runner(athlete, half(MONDAY + timedelta(weeks=10, days=6)))
    saturday = MONDAY + timedelta(days=5)
    runner.activities += do_as_planned(runner.plan, days(MONDAY, 5))
    runner.activities.append(
        run(saturday, 10000, pace_s_per_km=270, name="Parkrun 10K PB", workout_type=1)
    )
    before = runner.plan
    plan = runner.adapt(saturday)
    assert plan.fitness.vdot > before.fitness.vdot
    assert any("became an easy" in r and " mi run" in r for r in runner.reasons())
    notes_before = {w.key: w.notes for d in before.days() for w in d.workouts}
    future = [w for d in plan.days() if d.day >= saturday for w in d.workouts]
    assert any(w.notes != notes_before[w.key] for w in future)  # rewritten with the new paces
    for workout in future:
        assert " km" not in workout.title
        assert "km" not in workout.notes


# ------------------------------------------------------------------------------------------------
# runs beyond plan


def test_a_run_forty_percent_longer_than_planned_moves_the_next_days_intervals() -> None:
    # A 5K in 13 days: this week is a taper week with intervals on Thursday.
    athlete = make_athlete((1, 2, 3, 4, 6), 6)
    goal = Goal(distance_m=5000.0, day=MONDAY + timedelta(days=13), race="Town 5K")
    runner = Runner(athlete, goal)
    wednesday, thursday, friday = (MONDAY + timedelta(days=n) for n in (2, 3, 4))
    intervals, easy = run_on(runner.plan, thursday), run_on(runner.plan, friday)
    assert intervals.kind is K.INTERVALS
    assert easy.kind in (K.EASY, K.STRIDES)
    runner.activities += do_as_planned(runner.plan, days(MONDAY, 2))
    runner.activities += do_as_planned(runner.plan, [wednesday], stretch=1.4)

    plan = runner.adapt(wednesday)  # the evening adaptation

    assert runner.reasons()[:2] == [
        "Thursday's intervals moved to Friday: Wednesday's run was 40% longer than planned.",
        f"Friday's {'easy run' if easy.kind is K.EASY else 'easy run with strides'} moved to "
        "Thursday: it swaps with the intervals.",
    ]
    assert run_on(plan, thursday) == easy
    assert run_on(plan, friday) == intervals


def test_a_week_of_runs_far_beyond_plan_eases_the_next_days_and_inserts_a_recovery_week() -> None:
    athlete = make_athlete((1, 3, 5, 6), 6)
    goal = half(MONDAY + timedelta(weeks=12, days=6))
    runner = Runner(athlete, goal, weekly_m=30000)
    next_monday = MONDAY + timedelta(weeks=1)
    planned_next = next(w for w in runner.plan.weeks if w.start == next_monday)
    assert not planned_next.cutback
    # Every day this week, 14 km (about 100 km in the week against 30 usually).
    seen: list[str] = []
    for day in days(MONDAY, 7):
        runner.activities.append(run(day, 14000, pace_s_per_km=320))
        runner.adapt(day)
        seen += runner.reasons() if runner.plan.generated_on == day else []
    plan = runner.plan
    week = next(w for w in plan.weeks if w.start == next_monday)
    assert week.cutback
    assert week.planned_distance_m < 0.75 * planned_next.planned_distance_m
    kinds = {w.kind for d in week.days for w in d.workouts}
    assert not kinds & {K.INTERVALS, K.HILLS, K.FARTLEK}
    assert any(
        r.startswith("Recovery week from Monday: your last week's load was")
        and "day after day of the same load while it was rising" in r
        and r.endswith(
            "Volume is down 30% with no intervals, hills or fartlek; the build resumes after it."
        )
        for r in seen
    ), seen
    # each day's long run or quality session after a big day was made easy
    assert any("longer than planned" in r or "was not in the plan" in r for r in seen), seen
    assert plan.weeks[2].phase is not Phase.RECOVERY


@pytest.mark.parametrize(
    ("stretch", "after"),
    [
        (0.8, " The week after it follows from there."),
        (0.5, " The 2 weeks after it follow from there."),
    ],
)
def test_weeks_trimmed_to_the_weekly_cap_say_how_many_follow_in_plain_words(
    stretch: float, after: str
) -> None:
    runner = Runner(make_athlete((1, 3, 5, 6), 6), half(MONDAY + timedelta(weeks=16, days=6)))
    runner.activities += do_as_planned(runner.plan, days(MONDAY, 21), stretch=stretch)
    runner.adapt(MONDAY + timedelta(days=21))
    trimmed = [r for r in runner.reasons() if "trimmed from" in r]
    assert any(r.endswith(after) for r in trimmed), trimmed
    assert not any("The 1 week" in r for r in trimmed), trimmed


# ------------------------------------------------------------------------------------------------
# the race and after


def test_after_the_race_the_plan_goes_on_with_easy_days_and_asks_for_a_new_goal() -> None:
    goal = Goal(distance_m=10000.0, day=MONDAY + timedelta(weeks=5, days=6), race="River 10K")
    runner = Runner(make_athlete((1, 3, 5, 6), 6), goal)
    race_day = goal.day
    runner.activities += do_as_planned(runner.plan, [d.day for d in runner.plan.days()
                                                     if d.day < race_day])  # fmt: skip
    runner.activities.append(run(race_day, 10000, pace_s_per_km=290, name="River 10K",
                                 workout_type=1))  # fmt: skip
    plan = runner.adapt(race_day + timedelta(days=1))
    assert any("River 10K on" in w and "is over" in w and "new goal" in w for w in plan.warnings)
    week_after = [run_on(plan, d) for d in days(race_day + timedelta(days=1), 7)]
    assert {w.kind for w in week_after if w is not None} <= {K.EASY, K.RECOVERY}
    assert plan.days()[-1].day >= race_day + timedelta(days=7 + 28)
    # Days later the plan reaches on: maintenance weeks are added as time passes.
    later = runner.adapt(race_day + timedelta(days=40))
    assert later.days()[-1].day >= race_day + timedelta(days=40 + 28)
    assert later.weeks[-1].phase is Phase.MAINTENANCE


# ------------------------------------------------------------------------------------------------
# contract


def test_adapting_keeps_the_past_as_it_was_and_the_plan_serialises_identically() -> None:
    runner = Runner(make_athlete((1, 3, 5, 6), 6), half(MONDAY + timedelta(weeks=16, days=6)))
    before = runner.plan
    runner.activities += do_as_planned(before, days(MONDAY, 3), stretch=1.3)
    thursday = MONDAY + timedelta(days=3)
    plan = runner.adapt(thursday)
    assert [d for d in plan.days() if d.day < thursday] == [
        d for d in before.days() if d.day < thursday
    ], describe(plan)
    text = plan_json.dumps(plan_json.plan_to_dict(plan))
    assert plan_json.dumps(plan_json.plan_to_dict(plan_json.plan_from_dict(
        plan_json.plan_to_dict(plan)))) == text  # fmt: skip


# ------------------------------------------------------------------------------------------------
# new goal, new run days


def test_a_new_goal_plans_the_future_afresh_and_keeps_the_past() -> None:
    runner = Runner(make_athlete((1, 3, 5, 6), 6), half(MONDAY + timedelta(weeks=16, days=6)))
    before = runner.plan
    runner.activities += do_as_planned(before, days(MONDAY, 3))
    runner.goal = Goal(distance_m=10000.0, day=MONDAY + timedelta(weeks=8, days=5), race="Park 10K")
    thursday = MONDAY + timedelta(days=3)
    plan = runner.adapt(thursday)
    assert runner.reasons()[0] == (
        f"New goal: Park 10K on {runner.goal.day.isoformat()}. The plan from today is built for it."
    )
    assert plan.goal == runner.goal
    assert [d for d in plan.days() if d.day < thursday] == [
        d for d in before.days() if d.day < thursday
    ]
    races = [(d.day, w.distance_m) for d in plan.days() for w in d.workouts if w.kind is K.RACE]
    assert (runner.goal.day, 10000.0) in races


def test_new_run_days_move_the_future_onto_them() -> None:
    runner = Runner(make_athlete((1, 3, 5, 6), 6), half(MONDAY + timedelta(weeks=16, days=6)))
    runner.athlete = make_athlete((0, 2, 4, 6), 6)
    plan = runner.adapt(MONDAY + timedelta(days=1))
    assert runner.reasons()[0] == (
        "Your run days changed: the plan from today follows the new ones."
    )
    for d in plan.days():
        if d.day > MONDAY:
            runs = [w for w in d.workouts if w.is_run]
            assert bool(runs) == (d.day.weekday() in (0, 2, 4, 6)), d.day
