"""Plans across versions: the future planned afresh (keeping the keys of sessions planned
again), and a plan extended with the weeks it lacks.

Pure and deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from ampt_sync.domain import Activity, Athlete, Fitness, Goal, Plan, Workout, WorkoutKind
from ampt_sync.training.keys import workout_key
from ampt_sync.training.load import week_start
from ampt_sync.training.measure import is_goal_race
from ampt_sync.training.periodise import plan_end
from ampt_sync.training.planner import generate_from
from ampt_sync.training.weeks import KeptWeek


def plan_keys(plan: Plan) -> set[str]:
    return {w.key for day in plan.days() for w in day.workouts}


def kept_weeks(previous: Plan, today: date) -> dict[date, KeptWeek]:
    """By Monday, what ``previous`` holds for each week from ``today``'s on: its running from
    ``today`` on (the goal race left out) and its long run from then on, with the week's phase
    and cutback. The floors of a plan made afresh for new run days (:class:`KeptWeek`)."""
    kept: dict[date, KeptWeek] = {}
    for week in previous.weeks:
        runs = [
            (d.day, w)
            for d in week.days
            if d.day >= today
            for w in d.workouts
            if w.is_run and not is_goal_race(w, d.day, previous.goal)
        ]
        if not runs:
            continue
        kept[week_start(week.start)] = KeptWeek(
            volume_m=sum(w.distance_m for _, w in runs),
            long_m=max((w.distance_m for _, w in runs if w.kind is WorkoutKind.LONG), default=0.0),
            phase=week.phase,
            cutback=week.cutback,
        )
    return kept


def replan_from(
    previous: Plan,
    goal: Goal,
    athlete: Athlete,
    fitness: Fitness,
    history: Sequence[Activity],
    today: date,
    *,
    keep_volume: bool = False,
) -> Plan:
    """``previous`` with everything from ``today`` on planned afresh; the days before today are
    kept as they were. A session planned again (same kind, same day; else same kind in the same
    week) keeps its key; new sessions get keys unique across the whole plan.

    ``keep_volume`` (new run days or a new long-run day, same race): the build goes on where
    ``previous`` stood, each build or maintenance week holding no less running and no shorter a
    long run than it held there, laid out on the new days (:func:`kept_weeks`)."""
    past_keys = {w.key for d in previous.days() if d.day < today for w in d.workouts}
    same_race = (goal.distance_m, goal.day) == (previous.goal.distance_m, previous.goal.day)
    kept = kept_weeks(previous, today) if keep_volume and same_race else None
    fresh = generate_from(
        goal, athlete, fitness, history, today, end=None, used_keys=past_keys, kept=kept
    )
    if goal == previous.goal:
        fresh = _keep_keys(previous, fresh, today, past_keys)
    return _join(previous, fresh, today)


def extend_plan(
    previous: Plan,
    athlete: Athlete,
    fitness: Fitness,
    history: Sequence[Activity],
    today: date,
) -> Plan:
    """``previous`` with the weeks it lacks so that it reaches :func:`plan_end` from
    ``today``; the weeks it has are kept as they are."""
    end = plan_end(previous.goal, today)
    if not previous.weeks or previous.days()[-1].day >= end:
        return previous
    fresh = generate_from(
        previous.goal,
        athlete,
        previous.fitness,
        history,
        today,
        end=end,
        used_keys=plan_keys(previous),
    )
    last = previous.days()[-1].day
    extra = tuple(w for w in fresh.weeks if w.start > last)
    return replace(previous, weeks=previous.weeks + extra)


def _keep_keys(previous: Plan, fresh: Plan, today: date, past_keys: set[str]) -> Plan:
    old: list[tuple[date, Workout]] = [
        (d.day, w) for d in previous.days() if d.day >= today for w in d.workouts
    ]
    taken: set[str] = set()
    mapping: dict[tuple[date, str], str] = {}
    new_items = [(d.day, w) for d in fresh.days() for w in d.workouts]
    # same day and kind first, then same kind in the same week
    for day, w in new_items:
        for old_day, o in old:
            if o.key not in taken and old_day == day and o.kind is w.kind:
                mapping[(day, w.key)] = o.key
                taken.add(o.key)
                break
    for day, w in new_items:
        if (day, w.key) in mapping:
            continue
        for old_day, o in old:
            if o.key not in taken and o.kind is w.kind and week_start(old_day) == week_start(day):
                mapping[(day, w.key)] = o.key
                taken.add(o.key)
                break
    kept = set(mapping.values()) | past_keys
    # A fresh key may collide with an old key now given to another session: re-key those.
    used = set(kept) | {w.key for _, w in new_items}
    rekeyed: dict[tuple[date, str], str] = {}
    for day, w in new_items:
        if (day, w.key) not in mapping and w.key in kept:
            rekeyed[(day, w.key)] = workout_key(fresh.goal, day, w.kind, used)

    def new_key(day: date, w: Workout) -> str:
        return mapping.get((day, w.key)) or rekeyed.get((day, w.key)) or w.key

    weeks = tuple(
        replace(
            week,
            days=tuple(
                replace(d, workouts=tuple(replace(w, key=new_key(d.day, w)) for w in d.workouts))
                for d in week.days
            ),
        )
        for week in fresh.weeks
    )
    return replace(fresh, weeks=weeks)


def _join(previous: Plan, fresh: Plan, today: date) -> Plan:
    """The weeks of ``previous`` before ``today``, then ``fresh`` (which starts today); a week
    split by today gets the past days of the old and the rest of the new."""
    monday = week_start(today)
    weeks = [w for w in previous.weeks if week_start(w.start) < monday]
    old_current = next((w for w in previous.weeks if week_start(w.start) == monday), None)
    for i, week in enumerate(fresh.weeks):
        if i == 0 and old_current is not None:
            past = tuple(d for d in old_current.days if d.day < today)
            week = replace(week, start=old_current.start, days=past + week.days)
        weeks.append(week)
    return replace(fresh, weeks=tuple(weeks))
