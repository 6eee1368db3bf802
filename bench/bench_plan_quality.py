"""How good are the plans? Figures over a broad population of realistic runners.

The runners come from the generator the property tests use, ``tests/training/athletes.py``
(this script puts ``tests/training`` on ``sys.path`` to import it, and through it
``plan_helpers``): every goal (5K, 10K, half, marathon) × 3–7 run days, 10–120 km a week, 4–30
weeks to the race, km and mi, half with a recent race, 20 % back from a break, each with 12–16
weeks of Strava-like history and the fitness production estimates from it. Plan day ("today")
cycles through the weekdays from Monday 2 March 2026, so every weekday starts a plan. Each runner
is planned with ``generate_plan`` and the plan is read as written (days, kinds, distances,
durations, phases, cutback flags) by a small checker in this file; it uses nothing of the
planner's internals, only the weekly cap formula of ``ampt_sync.training.load``.

Figures, per goal distance, for runners whose build (base, strength and speed weeks) is 8+ weeks
and for all:

* peak week ÷ first full build week (median, p10, min): running distance of the biggest full
  (7-day) build week over that of the first full non-cutback build week;
* peak long run in km (median, p10, min, max), and the race ÷ the longest planned training run
  before it (median, max);
* runs under 2 km or under 15 minutes (count, and runners with any);
* flat-week streaks: the longest run of consecutive non-cutback full build weeks whose running
  distances are all within 2 % of each other (cutback weeks are skipped: they neither count nor
  break the streak); the longest, and how many runners have one of 6+ weeks;
* rule violations, counted per rule (violations, and runners with any): see ``RULES``. "Quality"
  here means intervals, tempo, fartlek, hills and time trials (a race that is not the goal race);
  a week's volume is what was run before today plus what is planned, the goal race left out (a
  week whose runs before today already pass the weekly cap is not held against the plan);
* with 5+ run days, the share of long runs followed the next day (across week ends too) by a
  recovery run, counting the long runs whose next day is a run day;
* speed sessions too small to be worth doing, of all sessions of their kind from today on (every
  phase, cutbacks, tapers and race weeks included): tempo sessions with under 10 minutes of
  running at T pace (continuous, or cruise reps at the runner's T pace), interval sessions with
  under 3 reps, fartlek sessions with under 3 reps or under 4 minutes of hard running.

A planner that raises is counted as a plan error (shown in the ALL RUNNERS table and below it;
such runners have no build weeks, so they are missing from the 8+ weeks table). It prints
figures and asserts nothing. Run::

    .venv/bin/python bench/bench_plan_quality.py [--size N] [--seed S] [--examples K]

Runner ``i`` of a run is ``population(seed, size)[i]`` planned on ``FIRST_DAY + i % 7`` days;
``--examples`` prints that many offending runners per rule, to reproduce them.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "training"))

from athletes import GOAL_DISTANCES_M, RunnerSpec, build_inputs, population

from ampt_sync.domain import (
    QUALITY_KINDS,
    Activity,
    Phase,
    Plan,
    Repeat,
    Step,
    StepRole,
    Workout,
    WorkoutKind,
)
from ampt_sync.training.load import weekly_build_cap_m
from ampt_sync.training.planner import generate_plan

K = WorkoutKind
FIRST_DAY = date(2026, 3, 2)  # a Monday
DEFAULT_SIZE, DEFAULT_SEED = 400, 20260302
BUILD_PHASES = (Phase.BASE, Phase.STRENGTH, Phase.SPEED)
LONG_BUILD_WEEKS = 8
TOLERANCE_M = 1.0
#: Flat weeks: running distances within this share of each other; a streak this long is counted.
FLAT_SHARE, FLAT_STREAK_WEEKS = 0.02, 6
SHORT_RUN_M, SHORT_RUN_S = 2000.0, 15 * 60
SINGLE_RUN_FACTOR, SINGLE_RUN_WINDOW_DAYS = 1.10, 30
EVE_SHARE_OF_LONG = 0.75
FEW_QUALITY_WEEK_M, MOST_QUALITY_LOW_VOLUME = 50_000.0, 2
MARATHON_BUILD_WEEKS, MARATHON_PEAK_LONG_M = 12, 26_000.0
HALF_BUILD_WEEKS, HALF_PEAK_LONG_M = 10, 14_000.0
LONG_MAX_S, LONG_MAX_M, LONG_MAX_WEEK_SHARE = 3.5 * 3600, 36_000.0, 0.5
#: The smallest speed sessions worth doing: tempo minutes at T, interval and fartlek reps,
#: fartlek hard seconds.
TEMPO_MIN_S, SESSION_MIN_REPS, FARTLEK_MIN_HARD_S = 10 * 60, 3, 4 * 60

RULES: dict[str, str] = {
    "single": "run > 1.10 × longest of 30 days before",
    "weekly": "build week over the weekly cap",
    "long_not_longest": "long run not the week's longest",
    "eve_of_long": "eve of long run: quality or > 75 %",
    "quality_after_quality": "quality the day after quality",
    "quality_count": "> 2 quality in a week < 50 km",
    "marathon_long": "marathon 12+ wk: long < 26 km, unsaid",
    "half_long": "half 10+ wk: long < 14 km, unsaid",
    "below_current": "build week < 90 % of current, unsaid",
    "same_session": "same session 4+ times in a row",
    "flat": "6+ flat build weeks, unsaid",
    "no_growth": "8+ wk build: no growth, unsaid",
    "long_time": "long run > 3.5 h at mid-E pace",
    "long_distance": "long run > 36 km",
    "long_share": "long run > half its week",
}


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# ------------------------------------------------------------------------------------------------
# Reading one plan


@dataclass
class Assessment:
    """What the checker found in one runner's plan. Distances in metres."""

    index: int
    spec: RunnerSpec
    build_weeks: int = 0
    peak_over_first: float | None = None
    peak_long_m: float | None = None
    race_over_longest: float | None = None
    short_runs: int = 0
    flat_streak_weeks: int = 0
    long_runs_with_run_day_after: int = 0
    long_runs_then_recovery: int = 0
    #: speed sessions of each kind, and those too small (see the module docstring)
    sessions: Counter[WorkoutKind] = field(default_factory=Counter)
    too_small: Counter[WorkoutKind] = field(default_factory=Counter)
    floor_warned: bool = False
    level_said: bool = False
    violations: Counter[str] = field(default_factory=Counter)
    first_problem: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def flag(self, rule: str, what: str) -> None:
        self.violations[rule] += 1
        self.first_problem.setdefault(rule, what)


def _flat_streak(volumes_m: Sequence[float]) -> int:
    """The longest run of consecutive volumes all within FLAT_SHARE of each other."""
    best = 0
    window: list[float] = []
    for v in volumes_m:
        window.append(v)
        while window and max(window) > (1 + FLAT_SHARE) * min(window):
            window.pop(0)
        best = max(best, len(window))
    return best


def _work(workout: Workout, times: int = 1) -> list[tuple[Step, int]]:
    """The work steps of ``workout``, each with how many times it runs."""
    found: list[tuple[Step, int]] = []

    def walk(steps: Sequence[Step | Repeat], times: int) -> None:
        for step in steps:
            if isinstance(step, Repeat):
                walk(step.steps, times * step.times)
            elif step.role is StepRole.WORK:
                found.append((step, times))

    walk(workout.steps, times)
    return found


def too_small(workout: Workout, threshold_s_per_km: float) -> bool:
    """A tempo under 10 minutes at T, intervals under 3 reps, a fartlek under 3 reps or 4 min
    hard; steps by distance are timed at ``threshold_s_per_km`` (tempo)."""
    work = _work(workout)
    if workout.kind is K.TEMPO:
        seconds = sum(
            times
            * (
                step.end.duration_s
                if step.end.duration_s is not None
                else (step.end.distance_m or 0.0) / 1000 * threshold_s_per_km
            )
            for step, times in work
        )
        return seconds < TEMPO_MIN_S - 1e-6
    reps = sum(times for _step, times in work)
    if workout.kind is K.INTERVALS:
        return reps < SESSION_MIN_REPS
    hard_s = sum(times * (step.end.duration_s or 0.0) for step, times in work)
    return reps < SESSION_MIN_REPS or hard_s < FARTLEK_MIN_HARD_S - 1e-6


def assess(index: int, spec: RunnerSpec, today: date) -> Assessment:
    """Plan ``spec`` on ``today`` and read the plan; a planner error is recorded, not raised."""
    found = Assessment(index, spec)
    inputs = build_inputs(spec, today)
    try:
        plan = generate_plan(inputs.goal, inputs.athlete, inputs.fitness, inputs.history, today)
    except Exception as exc:  # the bench reports a broken planner, it does not stop
        found.error = f"{type(exc).__name__}: {exc}"
        return found
    try:
        _read(found, plan, inputs.history, inputs.athlete.schedule.run_days, today)
    except Exception as exc:  # a plan this checker cannot read is a finding too
        found.error = f"checker: {type(exc).__name__}: {exc}"
    return found


def _read(
    found: Assessment,
    plan: Plan,
    history: Sequence[Activity],
    run_days: Sequence[int],
    today: date,
) -> None:
    goal = plan.goal
    paces = plan.fitness.paces
    easy_mid_s_per_km = sum(paces.easy) / 2

    def is_goal_race(day: date, w: Workout) -> bool:
        return w.kind is K.RACE and day == goal.day

    def is_hard(day: date, w: Workout) -> bool:
        return w.kind in QUALITY_KINDS or (w.kind is K.RACE and not is_goal_race(day, w))

    runs = [(d.day, w) for d in plan.days() if d.day >= today for w in d.workouts if w.is_run]
    runs_on: dict[date, list[Workout]] = {}
    for day, w in runs:
        runs_on.setdefault(day, []).append(w)
    last_day = plan.days()[-1].day if plan.days() else today

    # What was run before today: daily totals and longest runs.
    longest_on: dict[date, float] = {}
    volume_on: dict[date, float] = {}
    for a in history:
        day, distance = a.day, a.distance_m
        if a.is_run and distance > 0 and day < today:
            longest_on[day] = max(longest_on.get(day, 0.0), distance)
            volume_on[day] = volume_on.get(day, 0.0) + distance
    done_on = dict(volume_on)
    for day, w in runs:
        longest_on[day] = max(longest_on.get(day, 0.0), w.distance_m)  # the race counts here
        if not is_goal_race(day, w):
            volume_on[day] = volume_on.get(day, 0.0) + w.distance_m
    week_m: dict[date, float] = {}
    for day, v in volume_on.items():
        week_m[week_start(day)] = week_m.get(week_start(day), 0.0) + v

    # Build weeks, peak ÷ first, flat streaks.
    race_monday = week_start(goal.day)
    build = [w for w in plan.weeks if w.phase in BUILD_PHASES and week_start(w.start) < race_monday]
    found.build_weeks = len(build)
    full = [w for w in build if len(w.days) == 7]
    volumes = {week_start(w.start): week_m.get(week_start(w.start), 0.0) for w in full}
    first = next((w for w in full if not w.cutback), None)
    if first is not None and volumes[week_start(first.start)] > 0:
        found.peak_over_first = max(volumes.values()) / volumes[week_start(first.start)]
    found.flat_streak_weeks = _flat_streak(
        [volumes[week_start(w.start)] for w in full if not w.cutback]
    )
    found.level_said = level_said = any("holds its volume" in w for w in plan.warnings)
    if found.flat_streak_weeks >= FLAT_STREAK_WEEKS and not level_said:
        found.flag("flat", f"{found.flat_streak_weeks} weeks within {FLAT_SHARE:.0%}")

    # Long runs and the race.
    before_race = [(d, w) for d, w in runs if d < goal.day]
    longs = [(d, w) for d, w in runs if w.kind is K.LONG]
    longs_before = [w.distance_m for d, w in longs if d < goal.day]
    if longs_before:
        found.peak_long_m = max(longs_before)
    # Rule: a build of 8+ weeks grows: its peak week 1.10 × its first full week, or its peak
    # long run 1.15 × its first (issue 9).
    build_longs = [
        w.distance_m
        for d, w in longs
        if any(b.days[0].day <= d <= b.days[-1].day for b in full if not b.cutback)
    ]
    if len(build) >= LONG_BUILD_WEEKS and found.peak_over_first is not None and build_longs:
        grew_long = max(build_longs) >= 1.15 * build_longs[0]
        if found.peak_over_first < 1.10 and not grew_long and not level_said:
            found.flag("no_growth", f"peak ÷ first {found.peak_over_first:.2f}, long flat")
    training = [w.distance_m for d, w in before_race]
    if training and today <= goal.day <= last_day:
        found.race_over_longest = goal.distance_m / max(training)

    # Speed sessions too small to be worth doing.
    for _day, w in runs:
        if w.kind in (K.TEMPO, K.INTERVALS, K.FARTLEK):
            found.sessions[w.kind] += 1
            if too_small(w, paces.threshold):
                found.too_small[w.kind] += 1

    # Short runs.
    found.short_runs = sum(
        1
        for d, w in runs
        if not is_goal_race(d, w) and (w.distance_m < SHORT_RUN_M or w.duration_s < SHORT_RUN_S)
    )

    # Rule: single run over 1.10 × the longest of the 30 days before it (done or planned).
    for day, w in runs:
        if is_goal_race(day, w):
            continue
        window = [day - timedelta(days=n) for n in range(1, SINGLE_RUN_WINDOW_DAYS + 1)]
        longest = max(longest_on.get(d, 0.0) for d in window)
        if longest > 0 and w.distance_m > SINGLE_RUN_FACTOR * longest + TOLERANCE_M:
            found.flag(
                "single", f"{day} {w.kind}: {w.distance_m:.0f} m after a longest {longest:.0f} m"
            )

    # A gap of 6+ days in the 8 weeks before today: the weeks back to the load before it follow
    # Daniels' return steps, not the 10 % convention (issue 9), so they are not held to the cap.
    days_run = sorted(d for d in done_on if d >= today - timedelta(weeks=8))
    usual_before_gap = 0.0
    for a, b in zip(days_run, [*days_run[1:], today], strict=False):
        if (b - a).days - 1 >= 6:
            start = week_start(a + timedelta(days=1))
            weeks = [
                sum(v for d, v in done_on.items() if week_start(d) == start - timedelta(weeks=n))
                for n in (1, 2, 3, 4)
            ]
            usual_before_gap = sum(weeks) / 4

    # Rule: a build week over the weekly cap from the biggest of the 3 weeks before it.
    for week in build:
        monday = week_start(week.start)
        reference = max(week_m.get(monday - timedelta(weeks=n), 0.0) for n in (1, 2, 3))
        reference = max(reference, usual_before_gap)
        volume = week_m.get(monday, 0.0)
        cap = weekly_build_cap_m(reference)
        done = sum(v for d, v in done_on.items() if week_start(d) == monday)
        if reference > 0 and done < cap and volume > cap + TOLERANCE_M:
            found.flag("weekly", f"week {monday}: {volume:.0f} m after a biggest {reference:.0f} m")

    # Rules on long runs.
    for day, w in longs:
        monday = week_start(day)
        others = [
            o.distance_m
            for d, o in runs
            if week_start(d) == monday and o is not w and o.kind is not K.RACE  # race efforts
        ]
        if others and max(others) > w.distance_m + TOLERANCE_M:
            found.flag(
                "long_not_longest", f"{day}: long {w.distance_m:.0f} m, a run of {max(others):.0f}"
            )
        eve = runs_on.get(day - timedelta(days=1), [])
        if any(is_hard(day - timedelta(days=1), o) for o in eve) or any(
            o.distance_m > EVE_SHARE_OF_LONG * w.distance_m for o in eve
        ):
            kinds = ",".join(f"{o.kind}:{o.distance_m:.0f}" for o in eve)
            found.flag("eve_of_long", f"{day}: long {w.distance_m:.0f} m, the day before {kinds}")
        hours_s = w.distance_m / 1000 * easy_mid_s_per_km
        if hours_s > LONG_MAX_S:
            found.flag("long_time", f"{day}: {w.distance_m:.0f} m = {hours_s / 3600:.2f} h")
        if w.distance_m > LONG_MAX_M + TOLERANCE_M:
            found.flag("long_distance", f"{day}: {w.distance_m:.0f} m")
        if w.distance_m > LONG_MAX_WEEK_SHARE * week_m.get(monday, 0.0) + TOLERANCE_M:
            found.flag(
                "long_share",
                f"{day}: {w.distance_m:.0f} m of a {week_m.get(monday, 0.0):.0f} m week",
            )
        after = day + timedelta(days=1)
        if len(run_days) >= 5 and after <= last_day and after.weekday() in run_days:
            found.long_runs_with_run_day_after += 1
            if any(o.kind is K.RECOVERY for o in runs_on.get(after, [])):
                found.long_runs_then_recovery += 1

    # Rules on quality sessions.
    hard_days = sorted({d for d, w in runs if is_hard(d, w)})
    hard_set = set(hard_days)
    for d in hard_days:
        if d - timedelta(days=1) in hard_set:
            found.flag("quality_after_quality", f"{d - timedelta(days=1)} and {d}")
    per_week = Counter(week_start(d) for d, w in runs if is_hard(d, w))
    for monday, count in sorted(per_week.items()):
        volume = week_m.get(monday, 0.0)
        if count > MOST_QUALITY_LOW_VOLUME and volume < FEW_QUALITY_WEEK_M:
            found.flag("quality_count", f"week {monday}: {count} in {volume:.0f} m")

    # Rules on the build's longest long run: under the floor only with a warning that says so.
    peak_long = found.peak_long_m or 0.0
    name = found.spec.goal
    found.floor_warned = any("short of the" in w for w in plan.warnings)
    marathon = name == "marathon" and found.build_weeks >= MARATHON_BUILD_WEEKS
    half = name == "half" and found.build_weeks >= HALF_BUILD_WEEKS
    if marathon and peak_long < MARATHON_PEAK_LONG_M and not found.floor_warned:
        found.flag("marathon_long", f"{found.build_weeks} build weeks, peak {peak_long:.0f} m")
    if half and peak_long < HALF_PEAK_LONG_M and not found.floor_warned:
        found.flag("half_long", f"{found.build_weeks} build weeks, peak {peak_long:.0f} m")

    # Rule: no full build week under 90 % of what the runner ran in the 4 weeks before today,
    # unless the plan says why (a return from a break, runs that would be too short).
    done_weeks = [
        sum(
            v for d, v in done_on.items() if week_start(d) == week_start(today) - timedelta(weeks=n)
        )
        for n in (1, 2, 3, 4)
    ]
    current = sum(done_weeks) / 4
    said = any(
        phrase in w
        for w in plan.warnings
        for phrase in ("without running", "run day free", "less than the")
    )
    for week in full:
        monday = week_start(week.start)
        if not week.cutback and not said and week_m.get(monday, 0.0) < 0.9 * current:
            found.flag(
                "below_current", f"week {monday}: {week_m.get(monday, 0.0):.0f} m of {current:.0f}"
            )

    # Rule: the same speed session (by its title) at most 3 times in a row (hills are exempt:
    # the seed's 3 → 4 → 5 reps, then 5).
    titles = [w.title for d, w in runs if w.kind in QUALITY_KINDS - {K.HILLS} and d < goal.day]
    streak = 1
    for a, b in pairwise(titles):
        streak = streak + 1 if a == b else 1
        if streak == 4:
            found.flag("same_session", f"{b} four times in a row")


# ------------------------------------------------------------------------------------------------
# Figures


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0–1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _stat(values: Sequence[float], how: Callable[[Sequence[float]], float], fmt: str) -> str:
    return format(how(values), fmt) if values else "-"


def rows_for(group: Sequence[Assessment]) -> list[tuple[str, str]]:
    """(row label, cell) for one group of runners."""
    ok = [a for a in group if a.error is None]
    ratios = [a.peak_over_first for a in ok if a.peak_over_first is not None]
    longs_km = [a.peak_long_m / 1000 for a in ok if a.peak_long_m is not None]
    race_ratio = [a.race_over_longest for a in ok if a.race_over_longest is not None]
    builds = [float(a.build_weeks) for a in ok]
    short_runners = sum(1 for a in ok if a.short_runs)
    streaks = [a.flat_streak_weeks for a in ok]
    with_after = sum(a.long_runs_with_run_day_after for a in ok)
    then_recovery = sum(a.long_runs_then_recovery for a in ok)
    med, p10 = statistics.median, (lambda v: percentile(v, 0.10))
    rows = [
        ("runners (plan errors)", f"{len(group)} ({len(group) - len(ok)})"),
        (
            "build weeks median (min–max)",
            f"{_stat(builds, med, '.0f')} ({_stat(builds, min, '.0f')}–"
            f"{_stat(builds, max, '.0f')})",
        ),
        ("peak ÷ first build week: median", _stat(ratios, med, ".2f")),
        ("  p10", _stat(ratios, p10, ".2f")),
        ("  min", _stat(ratios, min, ".2f")),
        ("peak long run km: median", _stat(longs_km, med, ".1f")),
        ("  p10", _stat(longs_km, p10, ".1f")),
        ("  min", _stat(longs_km, min, ".1f")),
        ("  max", _stat(longs_km, max, ".1f")),
        ("race ÷ longest training run: median", _stat(race_ratio, med, ".2f")),
        ("  max", _stat(race_ratio, max, ".2f")),
        ("runs < 2 km or < 15 min (runners)", f"{sum(a.short_runs for a in ok)} ({short_runners})"),
        ("flat-week streak: longest (weeks)", str(max(streaks, default=0))),
        (
            f"  runners with {FLAT_STREAK_WEEKS}+ flat weeks",
            str(sum(1 for s in streaks if s >= FLAT_STREAK_WEEKS)),
        ),
        (
            "builds that hold their volume (said)",
            str(sum(1 for a in ok if a.level_said)),
        ),
        (
            "long run → recovery next day (5+ d)",
            f"{then_recovery / with_after:.0%} of {with_after}" if with_after else "-",
        ),
        *(
            (label, f"{sum(a.too_small[kind] for a in ok)} of {sum(a.sessions[kind] for a in ok)}")
            for label, kind in (
                ("tempo < 10 min at T (of all tempo)", K.TEMPO),
                ("intervals < 3 reps (of all intervals)", K.INTERVALS),
                ("fartlek < 3 reps or < 4 min hard", K.FARTLEK),
            )
        ),
        ("rule violations (runners):", ""),
    ]
    for rule, label in RULES.items():
        count = sum(a.violations[rule] for a in ok)
        runners = sum(1 for a in ok if a.violations[rule])
        rows.append((f"  {label}", f"{count} ({runners})"))
    total = sum(sum(a.violations.values()) for a in ok)
    rows.append(("  all rules", f"{total} ({sum(1 for a in ok if a.violations)})"))
    return rows


def print_table(title: str, results: Sequence[Assessment]) -> None:
    groups = {name: [a for a in results if a.spec.goal == name] for name in GOAL_DISTANCES_M}
    groups["all goals"] = list(results)
    columns = {name: rows_for(group) for name, group in groups.items()}
    labels = [label for label, _ in next(iter(columns.values()))]
    label_width = max(len(label) for label in labels) + 2
    cell_width = max(11, *(len(cell) + 2 for rows in columns.values() for _, cell in rows))
    header = f"{title:<{label_width}}" + "".join(f"{name:>{cell_width}}" for name in columns)
    print(header)
    print("-" * len(header))
    for i, label in enumerate(labels):
        print(
            f"{label:<{label_width}}"
            + "".join(f"{rows[i][1]:>{cell_width}}" for rows in columns.values())
        )
    print()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="runners (default 400)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="population seed")
    parser.add_argument(
        "--examples", type=int, default=1, help="offending runners printed per rule (default 1)"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    specs = population(args.seed, args.size)
    results = [assess(i, spec, FIRST_DAY + timedelta(days=i % 7)) for i, spec in enumerate(specs)]
    elapsed_s = time.perf_counter() - started

    print("Plan quality over a population of realistic runners")
    print(
        f"(population seed {args.seed}, {len(specs)} runners, plans made on "
        f"{FIRST_DAY} + 0–6 days; {elapsed_s:.1f} s including history and fitness)"
    )
    print()
    long_build = [a for a in results if a.build_weeks >= LONG_BUILD_WEEKS]
    print_table(f"BUILD {LONG_BUILD_WEEKS}+ WEEKS", long_build)
    print_table("ALL RUNNERS", results)

    errors = [a for a in results if a.error]
    if errors:
        print(
            f"Plan errors: {len(errors)}; first: runner {errors[0].index} "
            f"({errors[0].spec.label()}): {errors[0].error}"
        )
        print()
    if args.examples > 0:
        print("Examples (runner index, spec, plan day: first offence):")
        for rule, label in RULES.items():
            offenders = [a for a in results if a.violations[rule]][: args.examples]
            for a in offenders:
                day = FIRST_DAY + timedelta(days=a.index % 7)
                print(f"  [{label}] #{a.index} {a.spec.label()} on {day}: {a.first_problem[rule]}")
        print()

    ok = [a for a in results if a.error is None]
    ratios = [a.peak_over_first for a in ok if a.peak_over_first is not None]
    print(
        f"SUMMARY {len(results)} runners (seed {args.seed}) in {elapsed_s:.1f} s: "
        f"errors {len(errors)}; violations {sum(sum(a.violations.values()) for a in ok)} "
        f"in {sum(1 for a in ok if a.violations)} runners; "
        f"short runs {sum(a.short_runs for a in ok)}; "
        f"too-small sessions {sum(sum(a.too_small.values()) for a in ok)}; "
        f"flat streaks ≥{FLAT_STREAK_WEEKS} wk in "
        f"{sum(1 for a in ok if a.flat_streak_weeks >= FLAT_STREAK_WEEKS)} runners; "
        f"median peak÷first {statistics.median(ratios) if ratios else float('nan'):.2f}"
    )


if __name__ == "__main__":
    main()
