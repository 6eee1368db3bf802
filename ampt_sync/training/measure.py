"""Reading plans: what the rules count (hard seconds, the easy share, the goal race).

Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from ampt_sync.domain import Goal, Repeat, Step, StepRole, Workout, WorkoutKind

#: The easy kinds of run: what fills a week around its sessions.
EASY_KINDS = frozenset({WorkoutKind.EASY, WorkoutKind.RECOVERY, WorkoutKind.STRIDES})


def work_seconds(workout: Workout) -> float:
    """Seconds of the work steps of ``workout`` (repeats expanded). Steps that end by distance
    are timed at the middle of their pace target, or at the workout's average pace."""
    average = workout.duration_s / workout.distance_m * 1000 if workout.distance_m else 0.0

    def walk(steps: Sequence[Step | Repeat]) -> float:
        total = 0.0
        for s in steps:
            if isinstance(s, Repeat):
                total += s.times * walk(s.steps)
            elif s.role is StepRole.WORK:
                if s.end.duration_s is not None:
                    total += s.end.duration_s
                elif s.end.distance_m is not None:
                    pace = average
                    if s.target is not None and s.target.pace_s_per_km is not None:
                        pace = sum(s.target.pace_s_per_km) / 2
                    total += s.end.distance_m / 1000 * pace
        return total

    return walk(workout.steps)


def is_goal_race(workout: Workout, day: date, goal: Goal) -> bool:
    return workout.kind is WorkoutKind.RACE and day == goal.day


#: Key prefix of a tune-up race the runner added (:mod:`~ampt_sync.training.instructions`).
TUNE_UP_PREFIX = "t-"


def is_fixed_race(workout: Workout, day: date, goal: Goal) -> bool:
    """The goal race or a tune-up race: they stay on their dates, at their distances (exempt
    from the single-run cap, as races are), and are never made up when missed."""
    return is_goal_race(workout, day, goal) or (
        workout.kind is WorkoutKind.RACE and workout.key.startswith(TUNE_UP_PREFIX)
    )


def easy_time_share(workouts: Iterable[tuple[date, Workout]], goal: Goal) -> float:
    """Share of running time that is easy: only the work steps of quality sessions are hard;
    the goal race is left out. 1.0 for no running."""
    total = hard = 0.0
    for day, w in workouts:
        if not w.is_run or is_goal_race(w, day, goal):
            continue
        total += w.duration_s
        if w.is_quality:
            hard += work_seconds(w)
    return 1.0 if total == 0 else 1 - hard / total
