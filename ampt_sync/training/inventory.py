"""The training inventory: the AMPT seed's first step, computed from what the runner recorded.

"Take inventory on how long you run and at what pace, each day of the week. Reflect on how often
you change your pace, how many times a week you cross train or recover, and how many long runs you
do per month." :func:`take_inventory` answers exactly that for the ``weeks`` weeks ending
``today``, and says plainly when most runs are the same distance at the same pace (the plateau
the seed warns about).

Units: distances in metres, times in seconds, paces in seconds per km; only the sentences in
``flags`` are rendered, in the ``units`` given. Pure: the activities and today's date come in.
"""

from __future__ import annotations

import bisect
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ampt_sync.domain import QUALITY_KINDS, Activity, Paces, WorkoutKind
from ampt_sync.training.classify import classify
from ampt_sync.units import Units, format_distance, format_pace

#: Two runs are "the same run" within these bounds (distance ±10 %, pace ±5 %).
SAME_DISTANCE_SHARE = 0.10
SAME_PACE_SHARE = 0.05
#: The plateau flag needs at least this many runs, and this share of them alike.
PLATEAU_MIN_RUNS = 6
PLATEAU_SHARE = 0.6
#: A run "changes pace" when it is a quality session, strides or a race, or when its pace is at
#: least this far from the runner's typical pace.
PACE_CHANGE_SHARE = 0.05
DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class WeekdaySummary:
    """Runs on one weekday (Monday = 0): how many, and the typical (median) run."""

    weekday: int
    runs: int
    runs_per_week: float
    typical_distance_m: float | None
    typical_duration_s: float | None
    typical_pace_s_per_km: float | None


@dataclass(frozen=True)
class Inventory:
    """What the runner did in the ``weeks`` weeks from ``first_day`` to ``last_day``.

    ``weekdays`` has seven entries, Monday first. ``kinds`` counts runs by
    :class:`~ampt_sync.domain.WorkoutKind` value, most frequent first. ``pace_spread_pct`` is the
    interquartile range of run paces as a percentage of the median. ``same_run_share`` is the
    share of runs within ±10 % distance and ±5 % pace of the most common run; ``plateau`` is true
    when that share is 60 %+ over 6+ runs. ``flags`` are sentences for the runner.
    """

    first_day: date
    last_day: date
    weeks: int
    runs: int
    distance_m: float
    duration_s: float
    weekdays: tuple[WeekdaySummary, ...]
    runs_per_week: float
    distance_per_week_m: float
    typical_pace_s_per_km: float | None
    pace_spread_pct: float | None
    pace_changes: int
    pace_changes_per_week: float
    kinds: tuple[tuple[str, int], ...]
    cross_training: int
    cross_training_per_week: float
    recovery_runs_per_week: float
    rest_days_per_week: float
    long_runs: int
    long_runs_per_month: float
    same_run_share: float
    plateau: bool
    flags: tuple[str, ...]


def _pace(activity: Activity) -> float:
    return activity.moving_time_s / (activity.distance_m / 1000)


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _alike(a: Activity, b: Activity) -> bool:
    return abs(a.distance_m - b.distance_m) <= SAME_DISTANCE_SHARE * b.distance_m and abs(
        _pace(a) - _pace(b)
    ) <= SAME_PACE_SHARE * _pace(b)


def _most_common_run(runs: Sequence[Activity]) -> tuple[Activity | None, int]:
    """The run with the most runs alike (itself included), and how many."""
    by_distance = sorted(runs, key=lambda a: a.distance_m)
    distances = [a.distance_m for a in by_distance]
    best: tuple[Activity | None, int] = (None, 0)
    for run in runs:
        # Only runs within ±10 % of its distance can be alike; bisect finds them.
        low = bisect.bisect_left(distances, run.distance_m * (1 - SAME_DISTANCE_SHARE) - 1e-9)
        high = bisect.bisect_right(distances, run.distance_m * (1 + SAME_DISTANCE_SHARE) + 1e-9)
        alike = sum(1 for other in by_distance[low:high] if _alike(other, run))
        if alike > best[1]:
            best = (run, alike)
    return best


def take_inventory(
    activities: Sequence[Activity],
    *,
    today: date,
    paces: Paces,
    weeks: int = 8,
    hr_max_bpm: int | None = None,
    units: Units = "km",
) -> Inventory:
    """The inventory of the ``weeks`` weeks ending ``today`` (``today`` included).

    ``paces`` (the current training paces) and ``hr_max_bpm`` classify the runs
    (:func:`~ampt_sync.training.classify.classify`); activities before the window only give
    context (what a usual run is, whether the day before was hard). Every run counts, trusted or
    not: this is about habits, not fitness.
    """
    if weeks < 1:
        raise ValueError("an inventory covers at least one week")
    first_day = today - timedelta(days=7 * weeks - 1)
    window = [a for a in activities if first_day <= a.day <= today]
    runs = sorted(
        (a for a in window if a.is_run and a.distance_m > 0 and a.moving_time_s > 0),
        key=lambda a: (a.day, a.start, a.id),
    )
    context = [a for a in activities if a.is_run and a.day <= today]
    cross = [a for a in window if not a.is_run]
    kinds = {a.id: classify(a, paces, hr_max_bpm=hr_max_bpm, recent=context).kind for a in runs}

    weekdays = []
    for weekday in range(7):
        on_day = [a for a in runs if a.day.weekday() == weekday]
        weekdays.append(
            WeekdaySummary(
                weekday=weekday,
                runs=len(on_day),
                runs_per_week=len(on_day) / weeks,
                typical_distance_m=_median([a.distance_m for a in on_day]),
                typical_duration_s=_median([a.moving_time_s for a in on_day]),
                typical_pace_s_per_km=_median([_pace(a) for a in on_day]),
            )
        )

    paces_s = sorted(_pace(a) for a in runs)
    typical_pace = _median(paces_s)
    spread = None
    if len(paces_s) >= 4 and typical_pace:
        quartiles = statistics.quantiles(paces_s, n=4, method="inclusive")
        spread = 100 * (quartiles[2] - quartiles[0]) / typical_pace
    changing = {*QUALITY_KINDS, WorkoutKind.STRIDES, WorkoutKind.RACE}
    pace_changes = sum(
        1
        for a in runs
        if kinds[a.id] in changing
        or (typical_pace and abs(_pace(a) - typical_pace) >= PACE_CHANGE_SHARE * typical_pace)
    )
    counted = Counter(str(kinds[a.id]) for a in runs)
    kind_counts = tuple(sorted(counted.items(), key=lambda item: (-item[1], item[0])))
    long_runs = counted.get(WorkoutKind.LONG.value, 0)
    recovery_runs = counted.get(WorkoutKind.RECOVERY.value, 0)
    active_days = {a.day for a in window}
    days = 7 * weeks

    typical_run, alike = _most_common_run(runs)
    same_share = alike / len(runs) if runs else 0.0
    plateau = len(runs) >= PLATEAU_MIN_RUNS and same_share >= PLATEAU_SHARE
    flags = []
    if plateau and typical_run is not None:
        flags.append(
            f"Most of your runs ({alike} of {len(runs)}) are about "
            f"{format_distance(typical_run.distance_m, units)} at about "
            f"{format_pace(_pace(typical_run), units)}. Running the same distance at the same "
            "pace leads to a plateau: mix in speed (intervals, tempo), hills, a long run and "
            "easy recovery runs."
        )
    if len(runs) >= 4 and long_runs == 0:
        flags.append(
            f"No long run in the last {weeks} week{'s' if weeks != 1 else ''}: one a week builds "
            "the endurance to run further for longer."
        )
    if len(runs) >= 4 and not any(kinds[a.id] in QUALITY_KINDS for a in runs):
        flags.append(
            "No speed or hill sessions: intervals, fartleks, tempo runs and hills train your "
            "legs differently from steady running."
        )

    return Inventory(
        first_day=first_day,
        last_day=today,
        weeks=weeks,
        runs=len(runs),
        distance_m=sum(a.distance_m for a in runs),
        duration_s=sum(a.moving_time_s for a in runs),
        weekdays=tuple(weekdays),
        runs_per_week=len(runs) / weeks,
        distance_per_week_m=sum(a.distance_m for a in runs) / weeks,
        typical_pace_s_per_km=typical_pace,
        pace_spread_pct=spread,
        pace_changes=pace_changes,
        pace_changes_per_week=pace_changes / weeks,
        kinds=kind_counts,
        cross_training=len(cross),
        cross_training_per_week=len(cross) / weeks,
        recovery_runs_per_week=recovery_runs / weeks,
        rest_days_per_week=(days - len(active_days)) / weeks,
        long_runs=long_runs,
        long_runs_per_month=long_runs / (days / DAYS_PER_MONTH),
        same_run_share=same_share,
        plateau=plateau,
        flags=tuple(flags),
    )
