"""Adaptation scenarios: each builds a runner and a plan, lets the runner do (or not do) the
plan, adapts, and asserts the resulting plan and the reason a runner reads."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from plan_helpers import describe, make_athlete, run, steady_history, work_steps

from ampt_sync import plan_json
from ampt_sync.domain import Activity, Athlete, Goal, Phase, Plan, Workout, WorkoutKind
from ampt_sync.training.adapt import adapt_plan
from ampt_sync.training.fitness import estimate_fitness
from ampt_sync.training.load import floor_m, single_run_cap_m, week_start
from ampt_sync.training.matching import Status, match_activities
from ampt_sync.training.planner import generate_plan
from ampt_sync.training.wording import WEEKDAY_NAMES, session_name

K = WorkoutKind
MONDAY = date(2026, 3, 2)
SUNDAY = MONDAY + timedelta(days=6)
NEXT_MONDAY = MONDAY + timedelta(weeks=1)


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


def next_long_run(plan: Plan, after: date) -> tuple[date, Workout]:
    return next(
        (d.day, w) for d in plan.days() for w in d.workouts if d.day > after and w.kind is K.LONG
    )


def stays_as_planned(now: tuple[date, Workout], planned: tuple[date, Workout]) -> bool:
    """The same long run on the same day, no longer than planned (the caps may shorten it)."""
    return (now[0], now[1].key) == (planned[0], planned[1].key) and (
        now[1].distance_m <= planned[1].distance_m
    )


def a_recent_race() -> Activity:
    """A 10K raced three weeks before the plan starts: the paces are known, so the plan needs
    no time trial and the scenario is about the adaptation alone."""
    return run(MONDAY - timedelta(days=20), 10000, pace_s_per_km=300, name="10K race",
               workout_type=1)  # fmt: skip


def miss_sunday_long_run(
    run_days: Sequence[int], weeks_to_race: int = 16
) -> tuple[Runner, Workout]:
    """A runner with the long run on Sunday who runs Monday to Saturday as planned and misses
    Sunday's long run."""
    goal = half(MONDAY + timedelta(weeks=weeks_to_race, days=6))
    runner = Runner(make_athlete(run_days, 6), goal, extra=[a_recent_race()])
    long_run = run_on(runner.plan, SUNDAY)
    assert long_run is not None
    assert long_run.kind is K.LONG
    runner.activities += do_as_planned(runner.plan, days(MONDAY, 6))
    return runner, long_run


@pytest.mark.parametrize(
    ("run_days", "target"),
    [
        ((0, 1, 3, 5, 6), NEXT_MONDAY),
        ((0, 1, 2, 3, 5, 6), NEXT_MONDAY),
        ((1, 2, 3, 4, 6), NEXT_MONDAY + timedelta(days=1)),  # Monday is no run day
        ((1, 3, 5, 6), NEXT_MONDAY + timedelta(days=1)),
    ],
)
def test_a_missed_sunday_long_run_moves_into_next_week_onto_an_easy_day(
    run_days: Sequence[int], target: date
) -> None:
    runner, long_run = miss_sunday_long_run(run_days)
    before = runner.plan
    easy = run_on(before, target)
    assert easy is not None
    assert easy.kind in (K.EASY, K.RECOVERY, K.STRIDES), describe(before)
    following = next_long_run(before, SUNDAY)

    plan = runner.adapt(NEXT_MONDAY)

    assert find(plan, long_run.key) == (target, long_run)  # same key, same size, new day
    assert run_on(plan, SUNDAY) is None  # it left its past day
    assert all(w.key != easy.key for d in plan.days() for w in d.workouts)
    name = WEEKDAY_NAMES[target.weekday()]
    assert runner.reasons()[:2] == [
        f"Sunday's long run moved to {name}: it was missed, and {name} has no hard day either "
        "side of it.",
        f"{name}'s {session_name(easy)} makes room for the long run missed on Sunday.",
    ]
    # The next long run stays as planned, at least 5 days later.
    assert stays_as_planned(next_long_run(plan, target), following)
    assert (following[0] - target).days >= 5
    assert runner.adapt(NEXT_MONDAY) is plan


def test_a_missed_long_run_is_let_go_when_the_next_long_run_comes_too_soon() -> None:
    # Run days Wednesday, Thursday, Saturday and Sunday: the first easy day after the missed
    # Sunday is Wednesday, 4 days before the next long run.
    runner, long_run = miss_sunday_long_run((2, 3, 5, 6))
    following = next_long_run(runner.plan, SUNDAY)

    plan = runner.adapt(NEXT_MONDAY)

    assert runner.reasons()[0] == (
        "Sunday's long run skipped: it was missed; Monday and Tuesday are not run days and "
        "Wednesday is only 4 days before the next long run."
    )
    assert find(plan, long_run.key) == (SUNDAY, long_run)  # left on its day, as history
    assert stays_as_planned(next_long_run(plan, SUNDAY), following)  # not replaced
    assert runner.adapt(NEXT_MONDAY) is plan


def test_a_missed_long_run_is_skipped_naming_the_hard_day_in_the_way() -> None:
    # Next week is a strength week: hill repeats on Tuesday, a tempo run on Thursday.
    runner, long_run = miss_sunday_long_run((0, 1, 3, 5, 6), weeks_to_race=4)
    tuesday = NEXT_MONDAY + timedelta(days=1)
    assert run_on(runner.plan, tuesday).kind is K.HILLS, describe(runner.plan)
    following = next_long_run(runner.plan, SUNDAY)

    plan = runner.adapt(NEXT_MONDAY)

    assert runner.reasons()[0] == (
        "Sunday's long run skipped: it was missed; Monday is the day before Tuesday's hill "
        "repeats, Tuesday holds hill repeats and Wednesday is not a run day. The next long run "
        "is on Sunday, as planned."
    )
    assert find(plan, long_run.key) == (SUNDAY, long_run)
    assert stays_as_planned(next_long_run(plan, SUNDAY), following)
    assert runner.adapt(NEXT_MONDAY) is plan


def test_a_missed_quality_session_is_dropped_naming_what_stands_in_the_way() -> None:
    # A strength week of six run days: hill repeats on Tuesday, a tempo run on Thursday (50 km
    # a week, so that every run day holds a run).
    goal = half(MONDAY + timedelta(weeks=3, days=6))
    athlete = make_athlete((0, 1, 2, 3, 5, 6), 6)
    runner = Runner(athlete, goal, weekly_m=50000, extra=[a_recent_race()])
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    hills = run_on(runner.plan, tuesday)
    assert hills.kind is K.HILLS, describe(runner.plan)
    assert run_on(runner.plan, tuesday + timedelta(days=2)).kind is K.TEMPO
    runner.activities += do_as_planned(runner.plan, [MONDAY])  # Tuesday missed

    plan = runner.adapt(wednesday)

    assert runner.reasons()[0] == (
        "Tuesday's hill repeats dropped: it was missed; Wednesday is the day before Thursday's "
        "tempo run, Thursday holds a tempo run and Friday is not a run day. Missed sessions are "
        "not made up by squeezing them in."
    )
    assert find(plan, hills.key) == (tuesday, hills)  # left on its day, as history
    assert runner.adapt(wednesday) is plan


def test_a_moved_long_run_is_shortened_to_the_single_run_cap_and_the_reason_says_so() -> None:
    # A 16 km race a month before Sunday lets the plan's first long runs grow past the usual
    # 8 km; on Monday that race is more than 30 days back, and the long run must shrink.
    athlete = make_athlete((0, 1, 3, 5, 6), 6)
    month_ago = run(SUNDAY - timedelta(days=30), 16000, pace_s_per_km=300)
    runner = Runner(athlete, half(MONDAY + timedelta(weeks=16, days=6)), extra=[month_ago])
    runner.activities = [*steady_history(athlete, MONDAY, 40000, long_share=0.2), month_ago,
                         a_recent_race()]  # fmt: skip
    runner.fitness = estimate_fitness(runner.activities, athlete, MONDAY)
    runner.plan = generate_plan(runner.goal, athlete, runner.fitness, runner.activities, MONDAY)
    long_run = run_on(runner.plan, SUNDAY)
    assert long_run.kind is K.LONG
    runner.activities += do_as_planned(runner.plan, days(MONDAY, 6))
    longest = max(a.distance_m for a in runner.activities
                  if NEXT_MONDAY - timedelta(days=30) <= a.day < NEXT_MONDAY)  # fmt: skip
    cap = floor_m(single_run_cap_m(longest))
    assert long_run.distance_m > cap, describe(runner.plan)

    plan = runner.adapt(NEXT_MONDAY)

    moved_day, moved = find(plan, long_run.key)
    assert (moved_day, moved.kind, moved.distance_m) == (NEXT_MONDAY, K.LONG, cap)
    assert runner.reasons()[0] == (
        f"Sunday's long run moved to Monday, shortened from {long_run.distance_m / 1000:.1f} km "
        f"to {cap / 1000:.1f} km: it was missed, and no run goes more than 10% beyond your "
        f"longest run of the 30 days before it ({longest / 1000:.1f} km)."
    )
    assert runner.adapt(NEXT_MONDAY) is plan


# ------------------------------------------------------------------------------------------------
# a long run far beyond plan


def test_a_long_run_half_again_as_long_as_planned_makes_the_next_day_a_recovery_run() -> None:
    goal = half(MONDAY + timedelta(weeks=16, days=6))
    runner = Runner(make_athlete((0, 1, 3, 5, 6), 6), goal, extra=[a_recent_race()])
    before = runner.plan
    long_run, easy = run_on(before, SUNDAY), run_on(before, NEXT_MONDAY)
    assert long_run.kind is K.LONG
    assert easy.kind in (K.EASY, K.RECOVERY, K.STRIDES)
    assert easy.duration_s > 30 * 60, describe(before)  # else it is a recovery day already
    following = next_long_run(before, SUNDAY)
    runner.activities += do_as_planned(before, days(MONDAY, 6))
    runner.activities += do_as_planned(before, [SUNDAY], stretch=1.52)
    ran = runner.activities[-1].distance_m

    plan = runner.adapt(SUNDAY)  # the evening adaptation

    assert runner.reasons() == [
        f"Sunday's long run was 52% longer than planned ({ran / 1000:.1f} km for "
        f"{long_run.distance_m / 1000:.1f} km): Monday's {session_name(easy)} becomes a "
        "30-minute recovery run."
    ]
    recovery = run_on(plan, NEXT_MONDAY)
    assert (recovery.key, recovery.kind, recovery.duration_s) == (easy.key, K.RECOVERY, 1800)
    assert recovery.distance_m < easy.distance_m
    # The longest recent run went up, but nothing grows with it: the caps only shorten.
    assert next_long_run(plan, SUNDAY) == following
    later = {w.key: w.distance_m for d in plan.days() if d.day > NEXT_MONDAY for w in d.workouts}
    planned = {w.key: w.distance_m for d in before.days() if d.day > NEXT_MONDAY
               for w in d.workouts}  # fmt: skip
    assert later == planned
    assert runner.adapt(SUNDAY) is plan
    assert runner.adapt(NEXT_MONDAY) is plan  # acknowledged once: the next morning adds nothing


@pytest.mark.parametrize("stretch", [1.3, 1.45])
def test_a_long_run_less_than_half_again_as_long_leaves_the_next_day_as_planned(
    stretch: float,
) -> None:
    goal = half(MONDAY + timedelta(weeks=16, days=6))
    runner = Runner(make_athlete((0, 1, 3, 5, 6), 6), goal, extra=[a_recent_race()])
    before = runner.plan
    runner.activities += do_as_planned(before, days(MONDAY, 6))
    runner.activities += do_as_planned(before, [SUNDAY], stretch=stretch)
    plan = runner.adapt(SUNDAY)
    assert run_on(plan, NEXT_MONDAY) == run_on(before, NEXT_MONDAY)
    assert not any("longer than planned" in c.reason for c in plan.changes), plan.changes


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
    # The plan still says why (11 days by now: Saturday the 14th, the eve of a 3.1 km long run,
    # cannot hold a run of the shortest length within 75 % of it, so it stays free)
    assert any("days without running: easing back in" in w for w in plan.warnings)


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
    assert runner.reasons()[1] == (
        "Sunday's long run becomes a 30-minute recovery run: you raced on Saturday, and it does "
        "not move into next week."
    )
    assert run_on(plan, sunday).kind is K.RECOVERY
    # Future sessions keep their keys and days, and are faster.
    old = {w.key: (d.day, w) for d in before.days() if d.day > sunday for w in d.workouts}
    new = {w.key: (d.day, w) for d in plan.days() if d.day > sunday for w in d.workouts}
    assert set(old) == set(new)
    tempos = [(old[k][1], new[k][1]) for k in old if new[k][1].kind is K.TEMPO]
    assert tempos
    for was, now in tempos:
        assert old[now.key][0] == new[now.key][0]
        pace_was = work_steps(was)[0].target.pace_s_per_km  # type: ignore[union-attr]
        pace_now = work_steps(now)[0].target.pace_s_per_km  # type: ignore[union-attr]
        assert pace_now[0] < pace_was[0]
    # The race itself is not on the plan as a session; the goal race stays put.
    assert runner.adapt(saturday) is plan


def test_a_miles_runners_plan_stays_in_miles_when_new_paces_rewrite_it() -> None:
    athlete = make_athlete((1, 3, 5, 6), 6, units="mi")
    runner = Runner(athlete, half(MONDAY + timedelta(weeks=10, days=6)))
    saturday = MONDAY + timedelta(days=5)
    runner.activities += do_as_planned(runner.plan, days(MONDAY, 5))
    runner.activities.append(
        run(saturday, 10000, pace_s_per_km=240, name="Parkrun 10K PB", workout_type=1)
    )
    before = runner.plan
    plan = runner.adapt(saturday)
    assert plan.fitness.vdot > before.fitness.vdot
    assert any("becomes a 30-minute recovery run" in r for r in runner.reasons())
    assert not any(" km" in r for r in runner.reasons()), runner.reasons()
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

    planned_wednesday = run_on(runner.plan, wednesday)
    ran = runner.activities[-1].distance_m
    eased = run_on(plan, thursday)
    minutes = f"{int(eased.duration_s // 60)}-minute"
    assert runner.reasons()[:2] == [
        "Thursday's intervals moved to Friday: Wednesday's "
        f"{'easy run' if planned_wednesday.kind is K.EASY else 'easy run with strides'} was 40% "
        f"longer than planned ({ran / 1000:.1f} km for {planned_wednesday.distance_m / 1000:.1f} "
        "km).",
        f"Friday's {'easy run' if easy.kind is K.EASY else 'easy run with strides'} moved to "
        f"Thursday as a {minutes} recovery run: it swaps with the intervals.",
    ]
    assert (eased.key, eased.kind) == (easy.key, K.RECOVERY)
    assert eased.duration_s == min(30 * 60, max(20 * 60, easy.duration_s)) // 60 * 60
    assert run_on(plan, friday) == intervals
    assert runner.adapt(wednesday) is plan


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


@pytest.mark.parametrize("stretch", [0.8, 0.5])
def test_weeks_trimmed_to_the_weekly_cap_say_how_many_follow_in_plain_words(stretch: float) -> None:
    runner = Runner(make_athlete((1, 3, 5, 6), 6), half(MONDAY + timedelta(weeks=16, days=6)))
    runner.activities += do_as_planned(runner.plan, days(MONDAY, 21), stretch=stretch)
    runner.adapt(MONDAY + timedelta(days=21))
    trimmed = [r for r in runner.reasons() if "trimmed from" in r]
    assert trimmed
    plain = re.compile(
        r"\(\d+\.\d km\)\.( The week after it follows from there\.| The ([2-9]|\d\d+) weeks "
        r"after it follow from there\.)?$"
    )
    assert all(plain.search(r) for r in trimmed), trimmed
    assert not any("The 1 week" in r for r in trimmed), trimmed
    # the week is named by its date, not only by "Monday"
    dated = re.compile(r"^Week of Mon \d{1,2} [A-Z][a-z]{2} trimmed")
    assert all(dated.search(r) for r in trimmed), trimmed


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
