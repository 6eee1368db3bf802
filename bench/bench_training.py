"""How long fitness, planning and adaptation take as the history grows.

A synthetic runner (seeded, so every run of this script measures the same inputs) runs 4–6
times a week for 1, 2, 5 and 10 years (about 400 runs a year: ~4,000 for ten years), with a
race every couple of months and heart rate on most runs. For each history length it times, best
of several repeats:

* fitness: ``estimate_fitness`` over the whole history;
* plan: ``generate_plan`` for a half marathon 16 weeks out;
* adaptation: ``adapt_plan`` of last week's plan to the week just run.

It prints the figures and the growth against the one-year history; growth should be no worse
than linear in the number of activities (a ratio under the history ratio). Nothing here
asserts a time: machines differ. Run with ``make bench`` or ``python bench/bench_training.py``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from ampt_sync.domain import Activity, Athlete, BestEffort, Goal, Schedule
from ampt_sync.training.adapt import adapt_plan
from ampt_sync.training.fitness import estimate_fitness
from ampt_sync.training.planner import generate_plan

TODAY = date(2026, 3, 2)
SEED = 20260302
YEARS = (1, 2, 5, 10)
REPEATS = 7

ATHLETE = Athlete(
    name="Bench Runner",
    timezone="UTC",
    units="km",
    schedule=Schedule(run_days=(1, 2, 3, 5, 6), long_run_day=6),
    hr_max_bpm=188,
    hr_rest_bpm=50,
    weight_kg=62.0,
)
GOAL = Goal(distance_m=21097.5, day=TODAY + timedelta(weeks=16, days=6), race="Bench Half")


def synthetic_history(years: int, *, until: date = TODAY, seed: int = SEED) -> list[Activity]:
    """About 400 activities a year ending the day before ``until``: runs on six days most
    weeks (easy, a long run on Sunday, a race on some Saturdays), strength sessions twice a week
    and a ride most Mondays; deterministic for a given seed."""
    rng = random.Random(seed)
    activities: list[Activity] = []
    day = until - timedelta(days=365 * years)
    next_id = 1
    while day < until:
        weekday = day.weekday()
        runs_today = weekday != 0 and rng.random() < 0.93
        if runs_today:
            race = weekday == 5 and rng.random() < 0.11
            if race:
                distance = rng.choice([5000.0, 10000.0, 21097.5])
                pace = rng.uniform(255, 290)
                name, workout_type = "Race", 1
            elif weekday == 6:
                distance = rng.uniform(14000, 24000)
                pace = rng.uniform(320, 350)
                name, workout_type = "Long run", 2
            else:
                distance = rng.uniform(6000, 12000)
                pace = rng.uniform(300, 345)
                name, workout_type = "Morning Run", None
            seconds = distance / 1000 * pace
            efforts = ()
            if distance >= 5000 and rng.random() < 0.3:
                efforts = (
                    BestEffort("1K", 1000.0, pace * 0.93),
                    BestEffort("1 mile", 1609.344, 1.609344 * pace * 0.95),
                    BestEffort("5K", 5000.0, 5 * pace * 0.97),
                )
            activities.append(
                Activity(
                    id=next_id,
                    sport="Run",
                    name=name,
                    start=datetime(day.year, day.month, day.day, 6, 30, tzinfo=UTC),
                    day=day,
                    distance_m=round(distance, 1),
                    moving_time_s=round(seconds),
                    elapsed_time_s=round(seconds * 1.02),
                    elevation_gain_m=rng.uniform(10, 80),
                    average_speed_mps=distance / seconds,
                    max_speed_mps=distance / seconds * 1.3,
                    average_hr_bpm=rng.uniform(135, 165) if rng.random() < 0.9 else None,
                    workout_type=workout_type,
                    best_efforts=efforts,
                )
            )
            next_id += 1
        if weekday in (0, 3) and rng.random() < 0.85:
            activities.append(
                Activity(
                    id=next_id,
                    sport="WeightTraining",
                    name="Strength",
                    start=datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC),
                    day=day,
                    distance_m=0.0,
                    moving_time_s=1800,
                    elapsed_time_s=1800,
                )
            )
            next_id += 1
        if weekday == 0 and rng.random() < 0.5:
            activities.append(
                Activity(
                    id=next_id,
                    sport="Ride",
                    name="Easy spin",
                    start=datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC),
                    day=day,
                    distance_m=round(rng.uniform(20000, 40000)),
                    moving_time_s=3600,
                    elapsed_time_s=3700,
                )
            )
            next_id += 1
        day += timedelta(days=1)
    return activities


def best_of(function: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(years: int) -> tuple[int, float, float, float]:
    history = synthetic_history(years)
    week_ago = TODAY - timedelta(days=7)
    before = [a for a in history if a.day < week_ago]
    old_fitness = estimate_fitness(before, ATHLETE, week_ago)
    old_plan = generate_plan(GOAL, ATHLETE, old_fitness, before, week_ago)
    fitness = estimate_fitness(history, ATHLETE, TODAY, old_fitness)

    fitness_s = best_of(lambda: estimate_fitness(history, ATHLETE, TODAY, old_fitness))
    plan_s = best_of(lambda: generate_plan(GOAL, ATHLETE, fitness, history, TODAY))
    adapt_s = best_of(lambda: adapt_plan(old_plan, history, ATHLETE, GOAL, fitness, TODAY))
    return len(history), fitness_s, plan_s, adapt_s


def main() -> None:
    print("Training engine: fitness + plan + adaptation against history length")
    print(f"(synthetic runner, seed {SEED}; best of {REPEATS} runs; times in milliseconds)")
    print()
    header = (
        f"{'history':>8} {'activities':>10} {'fitness':>9} {'plan':>9} {'adapt':>9} "
        f"{'total':>9} {'× 1 year':>9} {'× history':>10}"
    )
    print(header)
    print("-" * len(header))
    first: tuple[int, float] | None = None
    for years in YEARS:
        count, fitness_s, plan_s, adapt_s = measure(years)
        total = fitness_s + plan_s + adapt_s
        if first is None:
            first = (count, total)
        growth = total / first[1]
        history_growth = count / first[0]
        print(
            f"{years:>6} y {count:>10} {fitness_s * 1000:>9.1f} {plan_s * 1000:>9.1f} "
            f"{adapt_s * 1000:>9.1f} {total * 1000:>9.1f} {growth:>8.2f}× {history_growth:>9.2f}×"
        )
    print()
    print(
        "Growth is no worse than linear when the '× 1 year' column stays at or below the "
        "'× history' column: the cost per activity does not rise with the history."
    )


if __name__ == "__main__":
    main()
