"""The periodised planner: goal + athlete + fitness + history → a dated plan from today through
race day, the recovery after it, and maintenance until a new goal is set.

Pure and deterministic: the same inputs on the same day give a byte-identical plan (no clock,
no randomness, no set or dict order that depends on hashing). Distances in metres, durations in
seconds, paces in seconds per km, days as the athlete's local dates, weekdays as
``date.weekday()`` numbers (Monday = 0).

Phases, in AMPT/RRCA order (science note §4.3): *base* (easy volume and strides) → *strength*
(hills and the dumbbell circuit) → *speed* (intervals, tempo) → *taper* → *race*, then
*recovery* (easy running only) and *maintenance*. More than 30 weeks out, maintenance weeks come
first and the build starts 30 weeks before race day; fewer than 3 weeks out, the plan is a taper
and the race only.

When rules collide they win in this order: safety caps > the race > no run under 2 km or 15
minutes > run days > the long run's limits > the quality count and spacing > strength > the
targets (the climb to the peak). Concretely:

* **safety caps** (:mod:`ampt_sync.training.load`): no training run longer than 1.10 × the
  longest run, done or planned, in the 30 days before it (with no run in the 30 days before
  today, 0.3 × the starting weekly volume stands in for it); a week outside the taper and the
  race at most max(1.10 × M, M + 5 km when M < 20 km), M the largest of the three weeks before
  it, done or planned; while returning from a gap, and two weeks after, up to the usual load
  times Daniels' return share (:meth:`~ampt_sync.training.periodise.Baseline.return_allowance_m`).
  A session that would break the single-run cap is shortened (a warm-up and cool-down, never
  below 10 minutes each) or waits (an easy run takes its place); runs of the shortest length
  that still break the weekly cap leave their day free;
* **the race** is on its date, even on a day that is not a run day, and is exempt from the
  single-run cap, the easy share and the quality count (it does count as the longest run of
  the 30 days after it, as any run does, but not in the weekly volume that sets the next
  weeks' cap); a time trial is a race effort, exempt from "the long run is the longest";
* **no run under 2 km or 15 minutes**: a week too small for such a run on every run day leaves
  some run days free (those beside a hard session first) and says so;
* **run days**: otherwise every run day carries a run, runs happen only on run days (the race
  excepted), the long run on the long-run day, and with 5+ run days the day after it (next
  week's Monday too) is a recovery run of at most 45 minutes;
* **the long run's limits**: at most half of its week in a marathon build (40 % for shorter
  goals), 36 km, 3.5 h (2.5 h for shorter goals) at the middle of easy pace; the longest run
  of its week; the day before it easy and at most 75 % of it (a Monday long run's too, the
  Sunday of the week before: see :meth:`~ampt_sync.training.weeks.WeekBuilder.build`), other
  easy runs at most 85 %;
* **quality** (intervals, tempo, fartlek, hills): at most 2 a week (3 with 6+ run days and a
  50+ km week), never on consecutive days nor the day before the long run nor, with 5+ run
  days, the day after it (across week ends too), at most run days − 2; at least 75 % of the
  week's running time easy, counting only the work steps of quality sessions as hard;
* **strength**: twice a week in base and strength, once in speed and maintenance, once and
  light in the taper, none in the 7 days before the race nor during the recovery; never the day
  before a quality session or the long run, never on the long-run day itself; on
  ``schedule.strength_days`` when given (non-run days are fine);
* **the targets** (:mod:`ampt_sync.training.targets`): the build's full weeks climb in equal
  steps from what the runner runs now to a peak week and a peak long run sized to the goal; a
  cutback week (75 % of the week before it, long run 70 %, cut once) comes every 4th week (3rd
  from 50 years of age), counted back from the taper so that regenerating the plan later keeps
  the same cutback weeks; the taper comes from the planned peak (marathon 3 weeks, half 2,
  5K–10K about 10 days) and keeps one quality session; speed sessions take their shape from
  their place in the build (:mod:`ampt_sync.training.progression`), never under the smallest
  session worth doing (a tempo of 10 minutes at T, 3 reps; a week too small for one gets a
  fartlek, else an easy run with strides). What the rules above leave
  of a target is what the week holds; weeks that hold less than the runner runs now say why.

After a gap of 6+ days without running the volume returns in Daniels' steps
(:func:`ampt_sync.training.load.return_to_load_factor`), plain easy running first: no strides and
no quality in the first half of the return, no time trial until it is over.

Keys: every planned workout gets ``"w-"`` + 10 hex digits of SHA-256 over the goal, its day,
its kind and its ordinal that day, so regenerating the plan for the same goal gives the same key
to the same session; :func:`replan_from` keeps the previous plan's keys for sessions it plans
again, and the adaptation keeps a key when it moves or resizes a session.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from ampt_sync.domain import Activity, Athlete, Fitness, Goal, Plan
from ampt_sync.training.fitness import race_time
from ampt_sync.training.periodise import (
    CUTBACK_EVERY_WEEKS_MASTERS,
    MASTERS_AGE,
    MIN_BUILD_DAYS,
    Baseline,
    week_frames,
)
from ampt_sync.training.weeks import KeptWeek, WeekBuilder
from ampt_sync.units import Units, distance_label, format_duration

#: The target is "ambitious" when it is this much faster than the prediction (issue 3).
AMBITIOUS_TARGET_SHARE = 0.05


# ------------------------------------------------------------------------------------------------
# Warnings


def plan_warnings(
    goal: Goal, athlete: Athlete, fitness: Fitness, today: date, base: Baseline
) -> tuple[str, ...]:
    """What the runner should know about the plan as a whole, in plain words."""
    units: Units = "mi" if athlete.units == "mi" else "km"
    name = goal.race or distance_label(goal.distance_m, units).capitalize()
    warnings = []
    days_to_race = (goal.day - today).days
    if days_to_race < 0:
        warnings.append(
            f"{name} on {goal.day.isoformat()} is over: easy running, then maintenance at your "
            "usual volume. Set a new goal in the config file ([goal]) to start a new build."
        )
    elif days_to_race < MIN_BUILD_DAYS:
        warnings.append(
            f"Only {days_to_race} days to {name}: too little time to build fitness, so the plan "
            "is a taper to race day."
        )
    if days_to_race >= 0 and goal.target_s is not None:
        predicted = race_time(fitness.vdot, goal.distance_m)
        if goal.target_s < (1 - AMBITIOUS_TARGET_SHARE) * predicted:
            percent = math.ceil((1 - goal.target_s / predicted) * 100 - 1e-9)
            warnings.append(
                f"Your target {format_duration(goal.target_s)} is {percent}% faster than the "
                f"{format_duration(predicted)} your current fitness predicts. Paces follow your "
                "current fitness, not the target; they will speed up as races and workouts show "
                "progress."
            )
    if fitness.needs_time_trial:
        warnings.append(
            "Your paces are a guess, with no race or hard effort to go by: the plan puts a time "
            "trial early in the build, once there is room for it, and its result sets your paces."
        )
    if base.note and (base.no_history or base.return_day is not None):
        warnings.append(base.note[0].upper() + base.note[1:] + ".")
    return tuple(warnings)


# ------------------------------------------------------------------------------------------------
# Public API


def generate_plan(
    goal: Goal,
    athlete: Athlete,
    fitness: Fitness,
    history: Sequence[Activity],
    today: date,
) -> Plan:
    """A new plan from ``today`` for ``goal``. ``history`` is every activity known (only runs
    before today count); ``fitness`` sets the paces. Deterministic."""
    return generate_from(goal, athlete, fitness, history, today, end=None, used_keys=())


def generate_from(
    goal: Goal,
    athlete: Athlete,
    fitness: Fitness,
    history: Sequence[Activity],
    today: date,
    *,
    end: date | None,
    used_keys: Iterable[str],
    kept: Mapping[date, KeptWeek] | None = None,
) -> Plan:
    """The plan from ``today`` to ``end`` (``None``: :func:`plan_end`), its keys not among
    ``used_keys``; ``kept``, by Monday, what the plan in force holds for its weeks when the plan
    is made afresh for the same race with new run days: no build or maintenance week holds
    less than it did there (within the caps)."""
    age = athlete.age_on(today)
    every = CUTBACK_EVERY_WEEKS_MASTERS if age is not None and age >= MASTERS_AGE else None
    frames = week_frames(goal, today, end, cutback_every=every)
    builder = WeekBuilder(
        goal, athlete, fitness, history, today, frames, used_keys=used_keys, kept=kept
    )
    weeks = tuple(builder.build(frame) for frame in frames)
    warnings = plan_warnings(goal, athlete, fitness, today, builder.base)
    return Plan(
        generated_on=today,
        fitness=fitness,
        goal=goal,
        weeks=weeks,
        warnings=warnings + builder.long_run_warnings() + builder.volume_warnings(),
    )
