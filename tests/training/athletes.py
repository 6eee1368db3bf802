"""Realistic runners for the planner: a spec, the inputs it makes, a Hypothesis strategy and a
fixed population.

A :class:`RunnerSpec` says who the runner is (goal race, run days, weekly volume, weeks to the
race, units, fitness) and what their recent running looked like (a race or not, a break or not).
:func:`build_inputs` turns it into what production gives the planner on ``today``: an athlete, a
goal, 12–16 weeks of Strava-like runs and the fitness :func:`estimate_fitness` reads from them.
:func:`runners` draws specs for property tests; :func:`population` makes a deterministic,
stratified population for benchmarks (``bench/bench_plan_quality.py``).

Units: distances in metres (``weekly_m``, ``goal_distance_m``, ``race_distance_m``), paces in
seconds per km, days as local dates, weekdays as ``date.weekday()`` numbers (Monday = 0). Names
carry their unit where they hold a quantity (``*_m``, ``*_days``, ``*_bpm``).

What the history looks like (see :func:`build_inputs`):

* one run on each run day, none elsewhere (the race excepted), each week's volume the spec's
  ``weekly_m`` within ±5 %, the long run on the long-run day holding 25–35 % of the week (with 3
  run days at least 37 %, else it would not be the longest run of the week);
* easy runs 0–6 % slower than the slow end of Daniels' E pace for the spec's VDOT, long runs 2–8 %
  slower; heart rate (when ``hr_max_bpm`` is set) consistent with that pace and VDOT by Swain's
  %HRmax ↔ %VO2max relation, so the heart-rate estimate reads the VDOT back (×0.90, production's
  correction without a race);
* optionally one race, 14–55 days ago (inside the 56-day race window of the fitness estimate),
  Strava-tagged (``workout_type=1``), at the pace :func:`race_time` predicts: the fitness then
  comes from it (high confidence), lowered by any break after it;
* optionally a break of 6–21 days without running that ends 0–21 days before today (0: it goes
  on until yesterday); the runs of the 7 days after it are 30 % shorter (easing back in).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from plan_helpers import Inputs, make_athlete, run

from ampt_sync.domain import Activity, Goal
from ampt_sync.training.fitness import estimate_fitness, race_time, training_paces

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

# ------------------------------------------------------------------------------------------------
# The ranges a spec lives in

#: Goal distances, in metres, with the short names the reports use.
GOAL_DISTANCES_M: dict[str, float] = {
    "5K": 5000.0,
    "10K": 10000.0,
    "half": 21097.5,
    "marathon": 42195.0,
}
#: Races a runner may have run recently (a marathon is left out: its recovery would dominate).
HISTORY_RACES_M = (5000.0, 10000.0, 21097.5)
#: A recent race is at most this share of the weekly volume (a 5K is always allowed).
HISTORY_RACE_MAX_WEEK_SHARE = 0.6

MIN_RUN_DAYS, MAX_RUN_DAYS = 3, 7
MIN_WEEKLY_M, MAX_WEEKLY_M = 10_000.0, 120_000.0
#: Realism: the weekly volume per run day stays within these (3 days never 120 km, 7 days
#: never 10 km); the allowed weekly range is the intersection with the one above.
MIN_M_PER_RUN_DAY, MAX_M_PER_RUN_DAY = 3_000.0, 20_000.0
MIN_WEEKS_TO_RACE, MAX_WEEKS_TO_RACE = 4, 30
MIN_VDOT, MAX_VDOT = 30.0, 65.0
MIN_LONG_SHARE, MAX_LONG_SHARE = 0.25, 0.35
MIN_HISTORY_WEEKS, MAX_HISTORY_WEEKS = 12, 16
MIN_RACE_DAYS_AGO, MAX_RACE_DAYS_AGO = 14, 55
MIN_BREAK_DAYS, MAX_BREAK_DAYS = 6, 21
MAX_BREAK_END_DAYS_AGO = 21
#: Week-to-week wobble of the history's volume (± this share).
WEEKLY_JITTER = 0.05
#: After a break the runner eases back in: runs of the first days back at this share.
RETURN_DAYS, RETURN_SHARE = 7, 0.70


def weekly_range_m(run_days: int) -> tuple[float, float]:
    """The weekly volumes (metres, low, high) a runner with ``run_days`` run days may have."""
    return (
        max(MIN_WEEKLY_M, MIN_M_PER_RUN_DAY * run_days),
        min(MAX_WEEKLY_M, MAX_M_PER_RUN_DAY * run_days),
    )


def goal_name(distance_m: float) -> str:
    """ "5K", "10K", "half" or "marathon" for a goal distance in metres."""
    for name, metres in GOAL_DISTANCES_M.items():
        if abs(metres - distance_m) < 1.0:
            return name
    return f"{distance_m / 1000:g} km"


@dataclass(frozen=True)
class RunnerSpec:
    """Who the runner is and what they ran lately. Construction checks every range.

    ``weekly_m`` is the usual weekly running distance (metres); ``long_share`` the long run's
    share of it. ``weeks_to_race``: the goal race is that many Mondays after today's Monday, on
    ``race_weekday``. ``race_distance_m``/``race_days_ago``: a recent race (``None``/0 without
    one). ``break_days``: a stretch without running (0: none) whose last day is
    ``break_end_days_ago`` days before yesterday (0: the break lasts until yesterday).
    ``hr_max_bpm``: set when the runner records heart rate. ``seed`` drives the small random
    wobble of the history (volumes, paces, heart rates).
    """

    goal_distance_m: float
    run_days: tuple[int, ...]
    long_run_day: int
    weekly_m: float
    weeks_to_race: int
    units: str = "km"
    vdot: float = 45.0
    long_share: float = 0.30
    history_weeks: int = 14
    race_distance_m: float | None = None
    race_days_ago: int = 0
    break_days: int = 0
    break_end_days_ago: int = 0
    hr_max_bpm: int | None = 185
    race_weekday: int = 6
    seed: int = 0

    def __post_init__(self) -> None:
        problems = []
        if goal_name(self.goal_distance_m) not in GOAL_DISTANCES_M:
            problems.append(f"goal distance {self.goal_distance_m} m")
        days = self.run_days
        if tuple(sorted(set(days))) != days or not all(0 <= d <= 6 for d in days):
            problems.append(f"run days {days} (sorted distinct weekdays)")
        if not MIN_RUN_DAYS <= len(days) <= MAX_RUN_DAYS:
            problems.append(f"{len(days)} run days")
        if self.long_run_day not in days:
            problems.append("the long-run day is not a run day")
        low, high = weekly_range_m(len(days))
        if not low - 1e-6 <= self.weekly_m <= high + 1e-6:
            problems.append(f"weekly {self.weekly_m:.0f} m outside {low:.0f}–{high:.0f} m")
        if not MIN_WEEKS_TO_RACE <= self.weeks_to_race <= MAX_WEEKS_TO_RACE:
            problems.append(f"{self.weeks_to_race} weeks to the race")
        if self.units not in ("km", "mi"):
            problems.append(f"units {self.units!r}")
        if not MIN_VDOT <= self.vdot <= MAX_VDOT:
            problems.append(f"VDOT {self.vdot}")
        if not MIN_LONG_SHARE - 1e-9 <= self.long_share <= MAX_LONG_SHARE + 1e-9:
            problems.append(f"long share {self.long_share}")
        if not MIN_HISTORY_WEEKS <= self.history_weeks <= MAX_HISTORY_WEEKS:
            problems.append(f"{self.history_weeks} history weeks")
        if self.race_distance_m is not None:
            if self.race_distance_m not in HISTORY_RACES_M:
                problems.append(f"history race {self.race_distance_m} m")
            if not MIN_RACE_DAYS_AGO <= self.race_days_ago <= MAX_RACE_DAYS_AGO:
                problems.append(f"race {self.race_days_ago} days ago")
            if self.break_days and self.race_days_ago in self.break_days_ago():
                problems.append("the race falls in the break")
        if self.break_days and not MIN_BREAK_DAYS <= self.break_days <= MAX_BREAK_DAYS:
            problems.append(f"a break of {self.break_days} days")
        if not 0 <= self.break_end_days_ago <= MAX_BREAK_END_DAYS_AGO:
            problems.append(f"break ending {self.break_end_days_ago} days ago")
        if not 0 <= self.race_weekday <= 6:
            problems.append(f"race weekday {self.race_weekday}")
        if problems:
            raise ValueError("RunnerSpec: " + "; ".join(problems))

    @property
    def goal(self) -> str:
        """The goal's short name: "5K", "10K", "half" or "marathon"."""
        return goal_name(self.goal_distance_m)

    def break_days_ago(self) -> range:
        """The break as days before today (1 = yesterday); empty without a break."""
        if not self.break_days:
            return range(0)
        last = 1 + self.break_end_days_ago
        return range(last, last + self.break_days)

    def label(self) -> str:
        """A short description for reports, e.g. ``half 5d 42km 16w mi race brk``."""
        parts = [
            self.goal,
            f"{len(self.run_days)}d",
            f"{self.weekly_m / 1000:.0f}km",
            f"{self.weeks_to_race}w",
            self.units,
            f"V{self.vdot:.0f}",
        ]
        if self.race_distance_m is not None:
            parts.append(f"race{self.race_distance_m / 1000:.0f}k-{self.race_days_ago}d")
        if self.break_days:
            parts.append(f"break{self.break_days}d-{self.break_end_days_ago}d")
        return " ".join(parts)


# ------------------------------------------------------------------------------------------------
# From a spec to the planner's inputs


def _swain_hr_bpm(speed_mps: float, vdot: float, hr_max_bpm: int) -> float:
    """The average heart rate at which the heart-rate estimate reads ``vdot`` back from a run at
    ``speed_mps`` (Swain 1994: %HRmax = 0.6463 × %VO2max + 37.182)."""
    speed_m_per_min = speed_mps * 60
    vo2 = -4.60 + 0.182258 * speed_m_per_min + 0.000104 * speed_m_per_min**2
    pct_vo2max = 100 * vo2 / vdot
    return hr_max_bpm * (0.6463 * pct_vo2max + 37.182) / 100


def goal_day(spec: RunnerSpec, today: date) -> date:
    """The goal race's day: ``weeks_to_race`` Mondays after today's, on ``race_weekday``."""
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=spec.weeks_to_race, days=spec.race_weekday)


def build_inputs(spec: RunnerSpec, today: date) -> Inputs:
    """The planner's inputs for ``spec`` on ``today``: athlete, goal, history, fitness.

    The history starts ``history_weeks`` Mondays before today's Monday and ends yesterday. Every
    week holds ``weekly_m`` × (1 ± 5 %) on the run days (a week cut by the break or by today
    holds only its remaining days' runs, and the 7 days after a break run 30 % less); in the
    week of the recent race the race takes the long run's place and the other runs share what is
    left. The fitness is what production computes
    from this history (:func:`estimate_fitness`), not the spec's VDOT: a race reads it back
    exactly; without one, the everyday easy pace sets a low-confidence floor (the easy runs are
    no maximal effort), whether or not heart rate is known.
    Deterministic: the same spec and day give the same inputs (activity ids from 1).
    """
    rng = random.Random(f"{spec.seed}|{today.isoformat()}")
    paces = training_paces(spec.vdot)
    easy_slow_s_per_km = paces.easy[1]
    athlete = make_athlete(
        spec.run_days, spec.long_run_day, units=spec.units, hr_max_bpm=spec.hr_max_bpm
    )
    goal = Goal(
        distance_m=spec.goal_distance_m,
        day=goal_day(spec, today),
        race=f"Goal {spec.goal}",
    )
    off = {today - timedelta(days=n) for n in spec.break_days_ago()}
    easing = (
        {min(off) + timedelta(days=spec.break_days + n) for n in range(RETURN_DAYS)}
        if off
        else set()
    )
    race_day = (
        today - timedelta(days=spec.race_days_ago) if spec.race_distance_m is not None else None
    )
    others = [d for d in spec.run_days if d != spec.long_run_day]
    floor_share = 1.1 / len(spec.run_days)  # the long run stays the week's longest
    history: list[Activity] = []
    ids = iter(range(1, 10**6))

    def add(day: date, distance_m: float, pace_s_per_km: float, **kwargs: object) -> None:
        hr = None
        share = kwargs.pop("hr_share", None)
        if spec.hr_max_bpm is not None:
            speed = 1000 / pace_s_per_km
            base = (
                spec.hr_max_bpm * float(share)  # type: ignore[arg-type]
                if share is not None
                else _swain_hr_bpm(speed, spec.vdot, spec.hr_max_bpm)
            )
            hr = round(min(spec.hr_max_bpm - 2, base + rng.gauss(0, 1.0)), 1)
        history.append(
            run(
                day,
                round(distance_m, 1),
                pace_s_per_km=pace_s_per_km,
                hr=hr,
                activity_id=next(ids),
                **kwargs,  # type: ignore[arg-type]
            )
        )

    monday = today - timedelta(days=today.weekday(), weeks=spec.history_weeks)
    while monday < today:
        week_m = spec.weekly_m * (1 + rng.uniform(-WEEKLY_JITTER, WEEKLY_JITTER))
        share = min(MAX_LONG_SHARE, max(MIN_LONG_SHARE, spec.long_share + rng.uniform(-0.02, 0.02)))
        share = max(share, floor_share)
        days = [monday + timedelta(days=n) for n in range(7)]
        race_here = race_day is not None and race_day in days
        if race_here:
            assert race_day is not None
            assert spec.race_distance_m is not None
            easy_days = [d for d in days if d.weekday() in spec.run_days and d != race_day]
            rest_m = max(0.0, week_m - spec.race_distance_m)
            sizes = {d: rest_m / max(1, len(easy_days)) for d in easy_days}
        else:
            long_m = share * week_m
            easy_m = (week_m - long_m) / max(1, len(others))
            sizes = {d: easy_m for d in days if d.weekday() in others}
            sizes.update({d: long_m for d in days if d.weekday() == spec.long_run_day})
        long_size = max(sizes.values(), default=0.0)
        for d in days:
            if d >= today or d in off:
                continue
            if race_here and d == race_day:
                assert spec.race_distance_m is not None
                seconds = race_time(spec.vdot, spec.race_distance_m)
                distance = spec.race_distance_m * rng.uniform(1.003, 1.012)  # GPS runs long
                name = {5000.0: "5K", 10000.0: "10K", 21097.5: "Half marathon"}
                add(
                    d,
                    distance,
                    seconds / distance * 1000,
                    name=f"{name[spec.race_distance_m]} race",
                    workout_type=1,
                    hr_share=0.86 if spec.race_distance_m > 15_000 else 0.91,
                )
                continue
            if d not in sizes:
                continue
            size = sizes[d] * (1 + rng.uniform(-0.04, 0.04))
            if d in easing:
                size *= RETURN_SHARE
            is_long = d.weekday() == spec.long_run_day and not race_here
            if not is_long and not race_here:
                size = min(size, 0.98 * long_size)  # the long run stays the week's longest
            pace = easy_slow_s_per_km * (
                rng.uniform(1.02, 1.08) if is_long else rng.uniform(1.0, 1.06)
            )
            add(d, size, pace, name="Long Run" if is_long else "Morning Run")
        monday += timedelta(weeks=1)

    fitness = estimate_fitness(history, athlete, today)
    return Inputs(goal=goal, athlete=athlete, fitness=fitness, history=history, today=today)


# ------------------------------------------------------------------------------------------------
# Hypothesis: runners for property tests


def runners() -> SearchStrategy[RunnerSpec]:
    """A Hypothesis strategy drawing :class:`RunnerSpec` over the full ranges: any goal, 3–7 run
    days (any weekdays) with the long run on one of them, a weekly volume in
    :func:`weekly_range_m` (10–120 km overall), 4–30 weeks to the race, km or mi, VDOT 30–65,
    a recent race or none, a break or none."""
    from hypothesis import strategies as st

    @st.composite
    def draw_runner(draw: st.DrawFn) -> RunnerSpec:
        run_days = tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=3, max_size=7))))
        low, high = weekly_range_m(len(run_days))
        weekly_m = float(draw(st.integers(round(low / 100), round(high / 100))) * 100)
        break_days = draw(st.sampled_from([0, 0, 0, *range(MIN_BREAK_DAYS, MAX_BREAK_DAYS + 1)]))
        break_end = draw(st.integers(0, MAX_BREAK_END_DAYS_AGO)) if break_days else 0
        race_distance_m = None
        race_days_ago = 0
        if draw(st.booleans()):
            allowed = [
                d
                for d in HISTORY_RACES_M
                if d <= max(5000.0, HISTORY_RACE_MAX_WEEK_SHARE * weekly_m)
            ]
            race_distance_m = draw(st.sampled_from(allowed))
            blocked = set(range(1 + break_end, 1 + break_end + break_days)) if break_days else set()
            race_days_ago = draw(
                st.sampled_from(
                    [n for n in range(MIN_RACE_DAYS_AGO, MAX_RACE_DAYS_AGO + 1) if n not in blocked]
                )
            )
        return RunnerSpec(
            goal_distance_m=draw(st.sampled_from(list(GOAL_DISTANCES_M.values()))),
            run_days=run_days,
            long_run_day=draw(st.sampled_from(run_days)),
            weekly_m=weekly_m,
            weeks_to_race=draw(st.integers(MIN_WEEKS_TO_RACE, MAX_WEEKS_TO_RACE)),
            units=draw(st.sampled_from(["km", "mi"])),
            vdot=round(draw(st.floats(MIN_VDOT, MAX_VDOT)), 1),
            long_share=round(draw(st.floats(MIN_LONG_SHARE, MAX_LONG_SHARE)), 3),
            history_weeks=draw(st.integers(MIN_HISTORY_WEEKS, MAX_HISTORY_WEEKS)),
            race_distance_m=race_distance_m,
            race_days_ago=race_days_ago,
            break_days=break_days,
            break_end_days_ago=break_end,
            hr_max_bpm=draw(st.sampled_from([None, 178, 185, 192])),
            race_weekday=draw(st.sampled_from([5, 6, 6])),
            seed=draw(st.integers(0, 2**31 - 1)),
        )

    return draw_runner()


# ------------------------------------------------------------------------------------------------
# A fixed population for benchmarks

#: Share of the population with a break, with a recent race, without heart-rate data.
BREAK_SHARE, RACE_SHARE, NO_HR_SHARE = 0.20, 0.50, 0.10


def _strata(rng: random.Random, size: int) -> list[float]:
    """``size`` numbers in [0, 1), one in each of ``size`` equal strata, in random order."""
    values = [(k + rng.random()) / size for k in range(size)]
    rng.shuffle(values)
    return values


def _pick_run_days(rng: random.Random, count: int) -> tuple[tuple[int, ...], int]:
    """``count`` run days and the long-run day: mostly Saturday or Sunday, sometimes another."""
    long_day = rng.choices([6, 5, rng.randrange(5)], weights=[6, 3, 1])[0]
    others = sorted(rng.sample([d for d in range(7) if d != long_day], count - 1))
    return tuple(sorted([long_day, *others])), long_day


def population(seed: int, size: int) -> list[RunnerSpec]:
    """A deterministic, broad population of ``size`` runners (the same list for the same
    arguments).

    Stratified: every goal distance × run-day count (3–7) appears once in each block of 20
    runners (so all 20 combinations appear when ``size`` ≥ 20); weekly volumes, weeks to race and
    VDOT noise are each spread over equal strata of their range (Latin hypercube), volumes over
    the run-day count's :func:`weekly_range_m` (10–120 km overall); half in km, half in mi; half
    with a recent race; 20 % with a break; 10 % without heart rate. VDOT grows with volume
    (about 33 at 10 km a week, 60 at 120 km, ± 4).
    """
    if size <= 0:
        return []
    rng = random.Random(seed)
    cells = [
        (g, n) for g in GOAL_DISTANCES_M.values() for n in range(MIN_RUN_DAYS, MAX_RUN_DAYS + 1)
    ]
    order: list[tuple[float, int]] = []
    while len(order) < size:
        block = list(cells)
        rng.shuffle(block)
        order.extend(block)
    volume_u, weeks_u, vdot_u = _strata(rng, size), _strata(rng, size), _strata(rng, size)
    units = ["km", "mi"] * (size // 2 + 1)
    rng.shuffle(units)
    with_race = set(rng.sample(range(size), round(RACE_SHARE * size)))
    with_break = set(rng.sample(range(size), round(BREAK_SHARE * size)))
    without_hr = set(rng.sample(range(size), round(NO_HR_SHARE * size)))
    specs = []
    for i in range(size):
        goal_m, count = order[i]
        run_days, long_day = _pick_run_days(rng, count)
        low, high = weekly_range_m(count)
        weekly_m = round((low + volume_u[i] * (high - low)) / 100) * 100
        weeks = MIN_WEEKS_TO_RACE + math.floor(
            weeks_u[i] * (MAX_WEEKS_TO_RACE - MIN_WEEKS_TO_RACE + 1)
        )
        noise = 4.0 * (2 * vdot_u[i] - 1)
        vdot = round(min(MAX_VDOT, max(MIN_VDOT, 30.5 + 0.25 * weekly_m / 1000 + noise)), 1)
        break_days = break_end = 0
        if i in with_break:
            break_days = rng.randint(MIN_BREAK_DAYS, MAX_BREAK_DAYS)
            break_end = rng.randint(0, MAX_BREAK_END_DAYS_AGO)
        race_m, race_ago = None, 0
        if i in with_race:
            allowed = [
                d
                for d in HISTORY_RACES_M
                if d <= max(5000.0, HISTORY_RACE_MAX_WEEK_SHARE * weekly_m)
            ]
            race_m = rng.choice(allowed)
            blocked = set(range(1 + break_end, 1 + break_end + break_days))
            race_ago = rng.choice(
                [n for n in range(MIN_RACE_DAYS_AGO, MAX_RACE_DAYS_AGO + 1) if n not in blocked]
            )
        specs.append(
            RunnerSpec(
                goal_distance_m=goal_m,
                run_days=run_days,
                long_run_day=long_day,
                weekly_m=float(weekly_m),
                weeks_to_race=weeks,
                units=units[i],
                vdot=vdot,
                long_share=round(rng.uniform(MIN_LONG_SHARE, MAX_LONG_SHARE), 3),
                history_weeks=rng.randint(MIN_HISTORY_WEEKS, MAX_HISTORY_WEEKS),
                race_distance_m=race_m,
                race_days_ago=race_ago,
                break_days=break_days,
                break_end_days_ago=break_end,
                hr_max_bpm=None if i in without_hr else rng.randint(172, 198),
                race_weekday=rng.choice([6, 6, 6, 5]),
                seed=rng.randrange(2**31),
            )
        )
    return specs


def specs_by_goal(specs: Sequence[RunnerSpec]) -> dict[str, list[RunnerSpec]]:
    """``specs`` grouped by goal short name, in the order of :data:`GOAL_DISTANCES_M`."""
    return {name: [s for s in specs if s.goal == name] for name in GOAL_DISTANCES_M}
