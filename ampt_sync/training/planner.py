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

When rules collide they win in this order: safety caps > the race > run days > the quality
count > strength > session templates. Concretely:

* **safety caps** (:mod:`ampt_sync.training.load`): no training run longer than 1.10 × the
  longest run, done or planned, in the 30 days before it (with no run in the 30 days before
  today, 0.3 × the starting weekly volume stands in for it); a week outside the taper and the
  race at most max(1.10 × M, M + 5 km when M < 20 km), M the largest of the three weeks before
  it, done or planned (with no running at all in those weeks, M is the starting volume). A
  session that would break the single-run cap is shortened (a hill session's warm-up and
  cool-down, never below 10 minutes each) or waits (an easy run takes its place);
* **the race** is on its date, even on a day that is not a run day, and is exempt from the
  single-run cap, the easy share and the quality count (it does count as the longest run of
  the 30 days after it, as any run does, but not in the weekly volume that sets the next
  weeks' cap);
* **run days**: every run day carries a run, runs happen only on run days (the race excepted),
  the long run on the long-run day;
* **quality** (intervals, tempo, fartlek, hills): at most 2 a week (3 with 6+ run days and a
  50+ km week), never on consecutive days nor the day before the long run (across week ends
  too), at most run days − 2 so that the long run keeps an easy day beside it; at least 75 % of
  the week's running time easy, counting only the work steps of quality sessions as hard;
* **strength**: twice a week in base and strength, once in speed and maintenance, once and
  light in the taper, none in the 7 days before the race nor during the recovery; never the day
  before a quality session or the long run, never on the long-run day itself; on
  ``schedule.strength_days`` when given (non-run days are fine);
* **session templates** (:mod:`ampt_sync.training.library`) are sized from the week's volume.

Volume: the first week starts from the runner's chronic load (the average of the last 4 full
weeks), not from a template; build weeks step up to the weekly cap until a peak that depends on
the goal (never below what the runner already runs); a cutback week (−25 %, long run −30 %)
comes every 4th week, counted back from the taper so that regenerating the plan later keeps the
same cutback weeks; the taper cuts volume by distance (marathon 3 weeks, half 2, 5K–10K about
10 days) and keeps one quality session. After a gap of 6+ days without running the volume
returns in Daniels' steps (:func:`ampt_sync.training.load.return_to_load_factor`), with no
quality in the first half of the return period.

Keys: every planned workout gets ``"w-"`` + 10 hex digits of SHA-256 over the goal, its day,
its kind and its ordinal that day, so regenerating the plan for the same goal gives the same key
to the same session; :func:`replan_from` keeps the previous plan's keys for sessions it plans
again, and the adaptation keeps a key when it moves or resizes a session.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from ampt_sync.domain import (
    QUALITY_KINDS,
    Activity,
    Athlete,
    Fitness,
    Goal,
    Paces,
    Phase,
    Plan,
    PlannedDay,
    PlanWeek,
    Repeat,
    Schedule,
    Step,
    StepRole,
    Workout,
    WorkoutKind,
)
from ampt_sync.training import library
from ampt_sync.training.fitness import race_time
from ampt_sync.training.load import (
    NO_HISTORY_LONGEST_SHARE,
    RunLog,
    single_run_cap_m,
    week_start,
    weekly_build_cap_m,
)
from ampt_sync.training.load import return_to_load_factor as _return_factor
from ampt_sync.units import Units, distance_label, format_distance, format_duration

K = WorkoutKind

# ------------------------------------------------------------------------------------------------
# Rule parameters. [H] marks a practitioner heuristic (a default, not a fact); the section numbers
# are those of the science note, ../shared/reference/training-science.md.


class Race(StrEnum):
    """Goal distances as the plan treats them."""

    SHORT = "5k-10k"  # up to 15 km
    HALF = "half"  # up to 30 km
    MARATHON = "marathon"


#: The build (base → taper → race) lasts at most this many weeks; earlier weeks are maintenance
#: (issue 3: "more than 30 weeks out: base and maintenance until the build starts").
MAX_BUILD_WEEKS = 30
#: Fewer days than this to the race: taper and race only, with a warning (issue 3).
MIN_BUILD_DAYS = 21
#: Volume of each taper week and of the race week (before the race) as a share of the peak week
#: (§3.5, §7 ``taper``: marathon 3 weeks 80/60/40 %, half 2 weeks 70/50 %, 5K–10K about 10 days
#: at 60 %; the week before a 5K–10K race week holds the first few taper days).
TAPER_FRACTIONS: dict[Race, tuple[float, ...]] = {
    Race.SHORT: (0.80, 0.60),
    Race.HALF: (0.70, 0.50),
    Race.MARATHON: (0.80, 0.60, 0.40),
}
#: Easy running only for this many days after the race (issue 3).
RECOVERY_DAYS: dict[Race, int] = {Race.SHORT: 7, Race.HALF: 14, Race.MARATHON: 21}
#: Volume during the recovery, as a share of the average of the 4 weeks before race week [H].
RECOVERY_VOLUME_SHARE = 0.50
#: Maintenance volume: the average of this many weeks before race week (issue 3).
MAINTENANCE_AVERAGE_WEEKS = 4
#: The plan reaches this many days past the end of the recovery, and at least this far ahead of
#: today; the adaptation extends it as days pass.
PLAN_DAYS_AFTER_RECOVERY = 28
PLAN_MIN_DAYS_AHEAD = 28
#: A peak week the build aims for, by race [H; recreational plans], never below what the runner
#: already runs and at most MAX_PEAK_GROWTH × the starting volume.
PEAK_WEEK_M: dict[Race, float] = {
    Race.SHORT: 40_000.0,
    Race.HALF: 55_000.0,
    Race.MARATHON: 70_000.0,
}
MAX_PEAK_GROWTH = 1.5
#: Cutback weeks: one every 4th week, volume −25 %, long run −30 % (§3.6, §7 ``load.cutback``).
CUTBACK_EVERY_WEEKS = 4
CUTBACK_VOLUME_FACTOR = 0.75
CUTBACK_LONG_FACTOR = 0.70
#: With no history and no ``athlete.weekly_distance``: a cautious start, per run day [H].
BEGINNER_M_PER_RUN_DAY = 3000.0
#: A gap longer than this makes the history before it irrelevant: start as if new [H].
STALE_HISTORY_DAYS = 26 * 7
#: Long run as a share of the week (§3.7, Daniels): 30 % under 64 km a week, else 25 %; with 3 run
#: days up to 40 % (issue 3); marathon builds may go 5 points higher [H, §3.7 "novices exceed
#: this"], never past 40 %.
LONG_SHARE_LOW, LONG_SHARE_HIGH, LONG_SHARE_HIGH_FROM_M = 0.30, 0.25, 64_000.0
LONG_SHARE_THREE_DAYS = 0.40
LONG_SHARE_MARATHON_BONUS = 0.05
#: Long runs last at most 150 min (180 in marathon builds) at the middle of easy pace (§3.7, §7).
LONG_MAX_S = 150 * 60
LONG_MAX_S_MARATHON = 180 * 60
#: A taper week never holds more than this share of the biggest build week (§3.5: volume down).
TAPER_CEILING_SHARE_OF_PEAK = 0.90
#: In the taper the long run is at most this share of the longest planned long run (§3.5).
TAPER_LONG_SHARE_OF_PEAK = 0.70
#: Marathon builds finish speed-phase long runs with this share at M pace (§4.4) [H].
MARATHON_FINISH_SHARE = 0.25
#: Quality sessions a week (§3.8, §7 ``sessions.quality_sessions_per_week``).
MAX_QUALITY = 2
MAX_QUALITY_HIGH_VOLUME = 3
HIGH_VOLUME_RUN_DAYS, HIGH_VOLUME_WEEK_M = 6, 50_000.0
#: At least this share of weekly running time easy (§3.8).
EASY_TIME_SHARE_MIN = 0.75
#: Hill reps: start at 3, one more each hill week, at most 5 (§4.2, the AMPT seed).
HILL_REPS_START, HILL_REPS_MAX = 3, 5
#: An easy run is at most this share of the week's long run: the long run stays the long one [H].
EASY_MAX_SHARE_OF_LONG = 0.90  # with 3 run days, as long as the long run
#: The day after the long run is a recovery run (AMPT) with this many run days or more; with
#: fewer every run is needed for volume [H].
RECOVERY_AFTER_LONG_MIN_RUN_DAYS = 5
#: Speed sessions whose warm-up and cool-down may grow to hold the week's easy volume when the
#: easy days cannot (hills keep the seed's mile).
PADDED_KINDS = frozenset({WorkoutKind.INTERVALS, WorkoutKind.TEMPO, WorkoutKind.FARTLEK})
#: A warm-up or cool-down is never cut below this (issue 3).
MIN_WARMUP_S = 10 * 60
#: Shortest and longest easy-day runs (§4.3: recovery runs 20–45 min) [H].
MIN_RUN_S = 20 * 60
RECOVERY_MAX_S = 45 * 60
#: Strength sessions a week by phase (§4.2); taper ones are light; none in the last days before
#: the race (issue 3: "none in the last 7 days").
STRENGTH_PER_WEEK: dict[Phase, int] = {
    Phase.BASE: 2,
    Phase.STRENGTH: 2,
    Phase.SPEED: 1,
    Phase.TAPER: 1,
    Phase.RACE: 0,
    Phase.RECOVERY: 0,
    Phase.MAINTENANCE: 1,
}
NO_STRENGTH_DAYS_BEFORE_RACE = 7
#: Quality sessions by phase, in the order they are given out (the first on the earliest
#: quality day of the week).
PHASE_QUALITY: dict[Phase, tuple[WorkoutKind, ...]] = {
    Phase.BASE: (),
    Phase.STRENGTH: (K.HILLS, K.TEMPO, K.FARTLEK),
    Phase.SPEED: (K.INTERVALS, K.TEMPO, K.FARTLEK),
    Phase.TAPER: (K.TEMPO,),  # intervals for 5K–10K, see _phase_quality
    Phase.RACE: (K.TEMPO,),
    Phase.RECOVERY: (),
    Phase.MAINTENANCE: (K.FARTLEK,),
}
#: A race-week sharpener only this many days or more before the race [H].
SHARPENER_MIN_DAYS_BEFORE_RACE = 3
#: The time trial: on a quality day at least this many days after today, within the first weeks,
#: and at least this long before the race [H].
TIME_TRIAL_MIN_DAYS_AHEAD = 2
TIME_TRIAL_LATEST_DAYS_AHEAD = 28
TIME_TRIAL_MIN_DAYS_BEFORE_RACE = 14
TIME_TRIAL_DISTANCES_M = (5000.0, 3000.0, 1609.344)
#: The whole time-trial session (warm-up, effort, cool-down) takes at most this share of the week.
TIME_TRIAL_MAX_WEEK_SHARE = 0.35
#: The target is "ambitious" when it is this much faster than the prediction (issue 3).
AMBITIOUS_TARGET_SHARE = 0.05
#: Distances are planned in whole hundreds of metres, rounded down (never past a cap).
ROUND_M = 100.0


def race_class(distance_m: float) -> Race:
    if distance_m <= 15_000:
        return Race.SHORT
    if distance_m <= 30_000:
        return Race.HALF
    return Race.MARATHON


def floor_m(distance_m: float) -> float:
    """``distance_m`` rounded down to the planning grain (100 m)."""
    return math.floor(distance_m / ROUND_M + 1e-9) * ROUND_M


# ------------------------------------------------------------------------------------------------
# Keys


def workout_key(goal: Goal, day: date, kind: WorkoutKind, used: set[str]) -> str:
    """A new key for a ``kind`` session on ``day``, unique within ``used`` (which it joins).

    Derived from stable inputs only (the goal, the day, the kind, an ordinal), never from paces
    or sizes, so the same session planned again gets the same key.
    """
    for ordinal in itertools.count():
        seed = f"{goal.distance_m:g}|{goal.day.isoformat()}|{day.isoformat()}|{kind}|{ordinal}"
        key = "w-" + hashlib.sha256(seed.encode()).hexdigest()[:10]
        if key not in used:
            used.add(key)
            return key
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------------------------
# Weekly patterns: which weekdays hold quality and strength


def _cyclic_gap(a: int, b: int) -> int:
    return min((a - b) % 7, (b - a) % 7)


def quality_pattern(schedule: Schedule, sessions: int) -> tuple[int, ...]:
    """The weekdays that may hold quality sessions, best first, at most ``sessions`` of them.

    Only run days other than the long-run day and the day before it; no two adjacent, counting
    Sunday next to Monday, so any subset of the pattern is valid in every week and across week
    ends. Preference: hard days spread out (the largest smallest gap between any two of them and
    the long run), then configured strength days left usable, then not the day after the long
    run, then earlier weekdays. A smaller count takes the first days of the returned order.
    """
    long_day = schedule.long_run_day
    allowed = [d for d in sorted(schedule.run_days) if d not in (long_day, (long_day - 1) % 7)]
    for count in range(sessions, 0, -1):
        best: tuple[tuple[int, ...], tuple[int, ...]] | None = None
        for combo in itertools.combinations(allowed, count):
            if any(_cyclic_gap(a, b) < 2 for a, b in itertools.combinations(combo, 2)):
                continue
            hard = (*combo, long_day)
            spread = min(_cyclic_gap(a, b) for a, b in itertools.combinations(hard, 2))
            eves = {(d - 1) % 7 for d in combo}
            strength_ok = (
                sum(1 for d in schedule.strength_days if d not in eves)
                if schedule.strength_days
                else 0
            )
            after_long = int((long_day + 1) % 7 in combo)
            score = (spread, strength_ok, -after_long, tuple(-d for d in combo))
            if best is None or score > best[0]:
                best = (score, combo)
        if best is not None:
            combo = best[1]
            return tuple(sorted(combo, key=lambda d: (-_cyclic_gap(d, long_day), d)))
    return ()


def strength_pattern(schedule: Schedule, quality_days: Sequence[int]) -> tuple[int, ...]:
    """The weekdays for strength sessions, best first (two at most).

    Never the day before a quality day or the long run, never the long-run day. From
    ``schedule.strength_days`` when given; otherwise the pair furthest apart (48 h at least),
    preferring quality days (hard days hard, easy days easy), then run days, then earlier days.
    """
    long_day = schedule.long_run_day
    forbidden = {(q - 1) % 7 for q in quality_days} | {(long_day - 1) % 7, long_day}
    if schedule.strength_days:
        candidates = [d for d in schedule.strength_days if d not in forbidden]
    else:
        candidates = [d for d in range(7) if d not in forbidden]
    if len(candidates) <= 1:
        return tuple(candidates)

    def day_score(d: int) -> tuple[int, int]:
        return (int(d in quality_days), int(d in schedule.run_days))

    best: tuple[tuple[int, ...], tuple[int, int]] | None = None
    for a, b in itertools.combinations(candidates, 2):
        gap = _cyclic_gap(a, b)
        sa, sb = day_score(a), day_score(b)
        score = (
            int(gap >= 2),
            sa[0] + sb[0],
            min(gap, 3),
            sa[1] + sb[1],
            -a,
            -b,
        )
        if best is None or score > best[0]:
            best = (score, (a, b))
    pair = best[1] if best is not None else tuple(candidates[:2])
    return tuple(sorted(pair, key=lambda d: (tuple(-x for x in day_score(d)), d)))


# ------------------------------------------------------------------------------------------------
# Session rendering: from a few numbers to a library workout, and back


@dataclass(frozen=True)
class Renderer:
    """Turns session sizes into library workouts for one athlete, goal and set of paces; every
    workout's title and notes are in the athlete's units."""

    athlete: Athlete
    goal: Goal
    paces: Paces
    vdot: float

    @property
    def units(self) -> Units:
        """How the athlete reads distances and paces: ``"mi"`` or ``"km"``."""
        return "mi" if self.athlete.units == "mi" else "km"

    @property
    def easy_mid_s_per_km(self) -> float:
        return sum(self.paces.easy) / 2

    @property
    def recovery_s_per_km(self) -> float:
        # The library's recovery range is (middle of E, E slow + 15 s); it plans at its middle.
        return (round(sum(self.paces.easy) / 2) + round(self.paces.easy[1] + 15)) / 2

    def min_run_m(self) -> float:
        """The shortest easy run: 20 minutes at the slow end of easy pace, at least 1 km."""
        return max(1000.0, floor_m(MIN_RUN_S / self.paces.easy[1] * 1000))

    def min_warmup_m(self) -> float:
        """A warm-up that takes 10 minutes even at the fast end of easy pace."""
        return math.ceil(MIN_WARMUP_S / self.paces.easy[0] * 1000 / ROUND_M) * ROUND_M

    def predicted_race_s(self) -> float:
        return race_time(self.vdot, self.goal.distance_m)

    def easy(self, key: str, distance_m: float) -> Workout:
        return library.easy_run(key, self.paces, distance_m=distance_m, units=self.units)

    def recovery(self, key: str, duration_s: float) -> Workout:
        return library.recovery_run(key, self.paces, duration_s=duration_s, units=self.units)

    def recovery_for_distance(self, key: str, distance_m: float) -> Workout:
        minutes = max(MIN_RUN_S // 60, int(distance_m / 1000 * self.recovery_s_per_km // 60))
        return self.recovery(key, min(RECOVERY_MAX_S, minutes * 60))

    def strides(self, key: str, distance_m: float, week_m: float) -> Workout:
        return library.strides(
            key,
            self.paces,
            distance_m=distance_m,
            reps=6,
            weekly_distance_m=week_m,
            units=self.units,
        )

    def long(self, key: str, distance_m: float, week_m: float, finish_m: float = 0.0) -> Workout:
        return library.long_run(
            key,
            self.paces,
            distance_m=distance_m,
            weight_kg=self.athlete.weight_kg,
            marathon_finish_m=finish_m,
            weekly_distance_m=week_m,
            units=self.units,
        )

    def quality(
        self,
        key: str,
        kind: WorkoutKind,
        week_m: float,
        *,
        reps: int = HILL_REPS_START,
        warmup_m: float | None = None,
    ) -> Workout:
        """A quality session of ``kind`` sized for a ``week_m`` week; ``warmup_m`` (also the
        cool-down) shortens the easy running around the work."""
        if kind is K.HILLS:
            wu = library.MILE_M if warmup_m is None else warmup_m
            return library.hills(
                key,
                self.paces,
                reps=reps,
                setting=self.athlete.schedule.hills,
                hr_max_bpm=self.athlete.hr_max_bpm,
                warmup_m=wu,
                cooldown_m=wu,
                units=self.units,
            )
        if kind is K.INTERVALS:
            wu = 2000.0 if warmup_m is None else warmup_m
            return library.intervals(
                key,
                self.paces,
                weekly_distance_m=week_m,
                warmup_m=wu,
                cooldown_m=wu,
                units=self.units,
            )
        if kind is K.TEMPO:
            wu = 2000.0 if warmup_m is None else warmup_m
            return library.tempo(
                key,
                self.paces,
                weekly_distance_m=week_m,
                warmup_m=wu,
                cooldown_m=wu,
                units=self.units,
            )
        if kind is K.FARTLEK:
            wu_s = 900.0 if warmup_m is None else warmup_m / 1000 * self.easy_mid_s_per_km
            return library.fartlek(
                key,
                self.paces,
                weekly_distance_m=week_m,
                warmup_s=float(round(wu_s)),
                # the library's 15/10 min shape, growing with the warm-up, never under 10 min
                cooldown_s=float(round(max(min(600.0, wu_s), wu_s * 2 / 3))),
                units=self.units,
            )
        raise ValueError(f"{kind} is not a quality session")

    def quality_within(
        self, key: str, kind: WorkoutKind, week_m: float, cap_m: float, *, reps: int
    ) -> Workout | None:
        """The session, shortened to ``cap_m`` by trimming its warm-up and cool-down (never
        under 10 minutes each); ``None`` when even that is too long: the session waits."""
        workout = self.quality(key, kind, week_m, reps=reps)
        if workout.distance_m <= cap_m:
            return workout
        shortest = self.min_warmup_m()
        full = library.MILE_M if kind is K.HILLS else 2000.0
        if kind is K.FARTLEK:
            full = 900.0 / self.easy_mid_s_per_km * 1000
        excess = workout.distance_m - cap_m
        warmup = floor_m(full - excess / 2)
        if warmup < shortest:
            return None
        trimmed = self.quality(key, kind, week_m, reps=reps, warmup_m=warmup)
        while trimmed.distance_m > cap_m and warmup - ROUND_M >= shortest:
            warmup -= ROUND_M
            trimmed = self.quality(key, kind, week_m, reps=reps, warmup_m=warmup)
        return trimmed if trimmed.distance_m <= cap_m else None

    def shortened_quality(self, workout: Workout, week_m: float, cap_m: float) -> Workout | None:
        """``workout`` (a quality session) with its warm-up and cool-down cut until it fits
        ``cap_m``, never under 10 minutes each; its work stays. ``None`` if it cannot fit."""
        if workout.distance_m <= cap_m:
            return workout
        reps = next((s.times for s in workout.steps if isinstance(s, Repeat)), HILL_REPS_START)
        warmup = floor_m(
            _warmup_m(workout, self.easy_mid_s_per_km) - (workout.distance_m - cap_m) / 2
        )
        shortest = self.min_warmup_m()
        while warmup >= shortest:
            shorter = self.quality(workout.key, workout.kind, week_m, reps=reps, warmup_m=warmup)
            if shorter.distance_m <= cap_m:
                return shorter
            warmup -= ROUND_M
        return None

    def strength(self, key: str, *, light: bool) -> Workout:
        return library.strength_circuit(key, rounds=3, light=light)

    def race(self, key: str) -> Workout:
        return library.race(key, self.goal, self.predicted_race_s(), units=self.units)

    def time_trial(self, key: str, cap_m: float) -> Workout | None:
        for distance_m in TIME_TRIAL_DISTANCES_M:
            workout = library.time_trial(key, self.paces, distance_m=distance_m, units=self.units)
            if workout.distance_m <= cap_m:
                return workout
        return None

    # -- re-rendering: the same session with other paces or another week's volume --------------

    def rerender(self, workout: Workout, week_m: float) -> Workout:
        """``workout`` again with these paces (and ``week_m`` sizing for quality sessions):
        same key, same kind, same size parameters read from its structure."""
        kind, key = workout.kind, workout.key
        if kind is K.EASY:
            return self.easy(key, workout.distance_m)
        if kind is K.RECOVERY:
            return self.recovery(key, _total_duration_by_time(workout.steps) or workout.duration_s)
        if kind is K.STRIDES:
            reps = next((s.times for s in workout.steps if isinstance(s, Repeat)), 6)
            return library.strides(
                key,
                self.paces,
                distance_m=workout.distance_m,
                reps=reps,
                weekly_distance_m=week_m,
                units=self.units,
            )
        if kind is K.LONG:
            finish = sum(
                s.end.distance_m or 0.0
                for s in workout.steps
                if isinstance(s, Step) and s.note == "marathon pace"
            )
            return self.long(key, workout.distance_m, week_m, finish)
        if kind is K.HILLS:
            reps = next((s.times for s in workout.steps if isinstance(s, Repeat)), HILL_REPS_START)
            first = workout.steps[0]
            warmup = first.end.distance_m if isinstance(first, Step) else None
            return self.quality(key, kind, week_m, reps=reps, warmup_m=warmup)
        if kind in QUALITY_KINDS:
            warmup = _warmup_m(workout, self.easy_mid_s_per_km) or None
            return self.quality(key, kind, week_m, warmup_m=warmup)
        if kind is K.STRENGTH:
            light = "(light)" in workout.title
            return self.strength(key, light=light)
        if kind is K.RACE:
            if "time trial" in workout.title:
                work = next(
                    s for s in workout.steps if isinstance(s, Step) and s.role is StepRole.WORK
                )
                return library.time_trial(
                    key, self.paces, distance_m=work.end.distance_m or 5000.0, units=self.units
                )
            return self.race(key)
        return workout


def _warmup_m(workout: Workout, easy_s_per_km: float) -> float:
    """The warm-up of a speed session in metres (a timed one converted at ``easy_s_per_km``)."""
    first = workout.steps[0] if workout.steps else None
    if isinstance(first, Step) and first.role is StepRole.WARMUP:
        if first.end.distance_m is not None:
            return first.end.distance_m
        if first.end.duration_s is not None:
            return first.end.duration_s / easy_s_per_km * 1000
    return 0.0


def _total_duration_by_time(steps: Sequence[Step | Repeat]) -> float:
    total = 0.0
    for s in steps:
        if isinstance(s, Repeat):
            total += s.times * _total_duration_by_time(s.steps)
        elif s.end.duration_s is not None:
            total += s.end.duration_s
    return total


# ------------------------------------------------------------------------------------------------
# Reading plans: what the rules count


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
    return workout.kind is K.RACE and day == goal.day


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


# ------------------------------------------------------------------------------------------------
# The plan's frame: weeks, phases, cutbacks


@dataclass(frozen=True)
class WeekFrame:
    """One week before any volume is decided. ``first``..``last`` are the plan days in it."""

    monday: date
    first: date
    last: date
    phase: Phase
    cutback: bool
    taper_fraction: float | None = None
    pre_build: bool = False

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def _split_build(weeks: int) -> list[Phase]:
    """Base, strength and speed weeks for a build of ``weeks`` (AMPT order, about 35/35/30 %)."""
    if weeks <= 0:
        return []
    if weeks == 1:
        return [Phase.STRENGTH]
    if weeks == 2:
        return [Phase.STRENGTH, Phase.SPEED]
    speed = max(1, round(weeks * 0.30))
    strength = max(1, round(weeks * 0.35))
    base = weeks - speed - strength
    return [Phase.BASE] * base + [Phase.STRENGTH] * strength + [Phase.SPEED] * speed


def plan_end(goal: Goal, today: date) -> date:
    """The plan's last day: a Sunday at least 28 days past the recovery and past today."""
    recovery_end = goal.day + timedelta(days=RECOVERY_DAYS[race_class(goal.distance_m)])
    last = max(
        recovery_end + timedelta(days=PLAN_DAYS_AFTER_RECOVERY),
        today + timedelta(days=PLAN_MIN_DAYS_AHEAD),
    )
    return week_start(last) + timedelta(days=6)


def week_frames(goal: Goal, today: date, end: date | None = None) -> list[WeekFrame]:
    """The weeks from ``today``'s week to ``end`` (default :func:`plan_end`) with their phases
    and cutback flags. Cutbacks are counted back from the taper (forward from the recovery
    after the race), so they fall on the same weeks whenever the plan is made."""
    end = end or plan_end(goal, today)
    cls = race_class(goal.distance_m)
    race_monday = week_start(goal.day)
    recovery_last = goal.day + timedelta(days=RECOVERY_DAYS[cls])
    mondays = []
    monday = week_start(today)
    while monday <= end:
        mondays.append(monday)
        monday += timedelta(weeks=1)

    fractions = TAPER_FRACTIONS[cls]
    pre_race = [m for m in mondays if m < race_monday]
    short = (goal.day - today).days < MIN_BUILD_DAYS
    phases: dict[date, tuple[Phase, float | None, bool]] = {}
    if goal.day >= today:
        taper_weeks = len(fractions) - 1
        if short:
            taper = pre_race
            build: list[date] = []
        else:
            taper = pre_race[-taper_weeks:] if taper_weeks else []
            build = pre_race[: len(pre_race) - len(taper)]
        for i, m in enumerate(taper):
            index = len(fractions) - 1 - len(taper) + i
            phases[m] = (Phase.TAPER, fractions[max(0, index)], False)
        weeks_to_race = len(pre_race) + 1
        pre_build = max(0, weeks_to_race - MAX_BUILD_WEEKS)
        for m in build[:pre_build]:
            phases[m] = (Phase.MAINTENANCE, None, True)
        for m, phase in zip(build[pre_build:], _split_build(len(build) - pre_build), strict=True):
            phases[m] = (phase, None, False)
    frames = []
    first_taper = min((m for m, v in phases.items() if v[0] is Phase.TAPER), default=race_monday)
    first_maintenance_after = week_start(recovery_last) + timedelta(weeks=1)
    for m in mondays:
        first = max(m, today)
        last = min(m + timedelta(days=6), end)
        if m in phases:
            phase, fraction, pre_build_week = phases[m]
            cutback = (
                phase in (Phase.BASE, Phase.STRENGTH, Phase.SPEED, Phase.MAINTENANCE)
                and (first_taper - m).days // 7 % CUTBACK_EVERY_WEEKS == 0
            )
            frames.append(WeekFrame(m, first, last, phase, cutback, fraction, pre_build_week))
        elif m == race_monday and goal.day >= today:
            frames.append(WeekFrame(m, first, last, Phase.RACE, False, fractions[-1]))
        elif m <= week_start(recovery_last):
            frames.append(WeekFrame(m, first, last, Phase.RECOVERY, False))
        else:
            since = (m - first_maintenance_after).days // 7
            cutback = since % CUTBACK_EVERY_WEEKS == CUTBACK_EVERY_WEEKS - 1
            frames.append(WeekFrame(m, first, last, Phase.MAINTENANCE, cutback))
    return frames


# ------------------------------------------------------------------------------------------------
# The starting point: what the runner actually runs


@dataclass(frozen=True)
class Baseline:
    """Where the volume starts. ``weekly_m`` is the first week's level; ``usual_m`` the level
    before any gap (the same without one); ``return_day``/``gap_days`` describe the return to
    load after a gap; ``longest_floor_m`` stands in for the longest recent run when there is
    none in the 30 days before today; ``note`` explains it in words."""

    weekly_m: float
    usual_m: float
    longest_floor_m: float
    return_day: date | None = None
    gap_days: int = 0
    note: str = ""
    no_history: bool = False

    def factor(self, day: date) -> float:
        """Share of the usual load on ``day`` while returning from a gap."""
        if self.return_day is None:
            return 1.0
        return _return_factor(self.gap_days, (day - self.return_day).days)


def baseline(athlete: Athlete, log: RunLog, today: date) -> Baseline:
    """The starting volume from the history (``log`` holds runs before ``today``).

    No run in the last half year: ``athlete.weekly_distance_m``, else a cautious 3 km per run
    day. Otherwise the chronic load (the average of the last 4 full weeks); after a gap of 6+
    days that ended less than a return period ago (or is still going on), that load before the
    gap times Daniels' return-to-load share. With no run in the 30 days before today, 0.3 × the
    starting volume stands in for the longest recent run.
    """
    stated = athlete.weekly_distance_m
    fallback = stated or BEGINNER_M_PER_RUN_DAY * len(athlete.schedule.run_days)
    last = log.last_run_on_or_before(today - timedelta(days=1))
    if last is None or (today - last).days > STALE_HISTORY_DAYS:
        units: Units = "mi" if athlete.units == "mi" else "km"
        if stated:
            note = (
                "no recent running history: starting from your stated "
                f"{format_distance(stated, units)} a week"
            )
        else:
            note = (
                "no running history and no athlete.weekly_distance: starting cautiously at "
                f"{format_distance(fallback, units)} a week"
            )
        return Baseline(
            fallback, fallback, NO_HISTORY_LONGEST_SHARE * fallback, note=note, no_history=True
        )
    chronic = log.chronic_weekly_m(today) or log.week_distance_m(today) or fallback
    start, usual, return_day, gap_days, note = chronic, chronic, None, 0, ""
    gaps = log.gaps(today - timedelta(weeks=8), today)
    if gaps:
        gap = gaps[-1]
        ongoing = gap.last >= today - timedelta(days=1)
        day_back = today if ongoing else gap.last + timedelta(days=1)
        length = (today - gap.first).days if ongoing else gap.days
        factor = _return_factor(length, (today - day_back).days)
        if factor < 1.0:
            usual = log.chronic_weekly_m(gap.first) or chronic
            start, return_day, gap_days = usual * factor, day_back, length
            units = "mi" if athlete.units == "mi" else "km"
            note = (
                f"{length} days without running: easing back in from about "
                f"{format_distance(start, units)} a week"
            )
    floor = NO_HISTORY_LONGEST_SHARE * start if log.longest_before(today) <= 0 else 0.0
    return Baseline(start, usual, floor, return_day, gap_days, note)


# ------------------------------------------------------------------------------------------------
# The week builder


@dataclass
class _Week:
    """A week being built: workouts by day, in the order they are made."""

    frame: WeekFrame
    target_m: float
    days: dict[date, list[Workout]] = field(default_factory=dict)

    def put(self, day: date, workout: Workout) -> None:
        self.days.setdefault(day, []).append(workout)

    def runs(self) -> list[tuple[date, Workout]]:
        return [(d, w) for d in sorted(self.days) for w in self.days[d] if w.is_run]


class _Builder:
    def __init__(
        self,
        goal: Goal,
        athlete: Athlete,
        fitness: Fitness,
        history: Sequence[Activity],
        today: date,
        *,
        used_keys: Iterable[str] = (),
    ) -> None:
        self.goal, self.athlete, self.fitness, self.today = goal, athlete, fitness, today
        self.schedule = athlete.schedule
        self.cls = race_class(goal.distance_m)
        self.render = Renderer(athlete, goal, fitness.paces, fitness.vdot)
        self.history = RunLog(a for a in history if a.day < today)
        self.log = self.history.copy()  # done, then planned as weeks are built
        self.base = baseline(athlete, self.history, today)
        run_days = len(self.schedule.run_days)
        most = MAX_QUALITY_HIGH_VOLUME if run_days >= HIGH_VOLUME_RUN_DAYS else MAX_QUALITY
        most = min(most, max(1, run_days - 2))
        self.quality_days = quality_pattern(self.schedule, most)
        self.strength_days = strength_pattern(self.schedule, self.quality_days)
        usual = self.base.usual_m
        self.peak_m = max(usual, min(PEAK_WEEK_M[self.cls], usual * MAX_PEAK_GROWTH))
        self.used = set(used_keys)
        self.level_m = 0.0  # the last non-cutback build level
        self.peak_week_m = 0.0  # the most planned in a full build week so far (taper reference)
        self.peak_long_m = 0.0
        self.last_long_m = 0.0
        self.hill_sessions = 0
        self.time_trial_done = not fitness.needs_time_trial
        self.pre_race_average_m: float | None = None

    # -- volume --------------------------------------------------------------------------------

    def _cap_reference_m(self, monday: date) -> float:
        """M for the week starting ``monday``: the largest of the 3 weeks before it, done or
        planned. Without history, the full weeks before today count as the runner's stated
        volume; with nothing at all, the starting volume."""
        weeks = self.log.weeks_before(monday, 3)
        if self.base.no_history:
            this_week = week_start(self.today)
            weeks = [
                max(v, self.base.weekly_m) if monday - timedelta(weeks=3 - i) < this_week else v
                for i, v in enumerate(weeks)
            ]
        largest = max(weeks, default=0.0)
        return largest if largest > 0 else self.base.weekly_m

    def _done_before(self, frame: WeekFrame) -> float:
        """Running in ``frame``'s week before the plan starts: from the history, or, with none,
        the stated weekly volume pro rata (so a plan that starts on a Friday does not fit a whole
        week into the weekend)."""
        if self.base.no_history:
            return self.base.weekly_m * (frame.first - frame.monday).days / 7
        return self.history.distance_between(frame.monday, frame.first)

    def _pre_race_average(self) -> float:
        if self.pre_race_average_m is None:
            weeks = self.log.weeks_before(self.goal.day, MAINTENANCE_AVERAGE_WEEKS)
            average = sum(weeks) / len(weeks) if weeks else 0.0
            self.pre_race_average_m = average or self.base.usual_m
        return self.pre_race_average_m

    def _target_m(self, frame: WeekFrame) -> float:
        cap = weekly_build_cap_m(self._cap_reference_m(frame.monday))
        phase = frame.phase
        if phase in (Phase.TAPER, Phase.RACE):
            reference = self.peak_week_m or min(self.base.weekly_m, cap)
            return floor_m((frame.taper_fraction or 1.0) * reference)
        if phase is Phase.RECOVERY:
            return floor_m(min(cap, RECOVERY_VOLUME_SHARE * self._pre_race_average()))
        if phase is Phase.MAINTENANCE and not frame.pre_build:
            level = min(cap, self._pre_race_average())
        elif phase is Phase.MAINTENANCE:
            level = min(cap, self.base.usual_m)
        else:
            level = min(cap, self.peak_m)
        factor = sum(self.base.factor(d) for d in frame.days()) / len(frame.days())
        if factor < 1.0:
            level = min(level, factor * self.base.usual_m)
        if self.level_m == 0.0:
            # The first week starts from what the runner runs now, not from the cap.
            level = min(level, max(self.base.weekly_m, factor * self.base.usual_m))
        if frame.cutback:
            reference = self.level_m or level
            return floor_m(min(cap, CUTBACK_VOLUME_FACTOR * reference))
        self.level_m = level
        return floor_m(level)

    # -- caps ----------------------------------------------------------------------------------

    def cap_m(self, day: date) -> float:
        """The single-run cap on ``day`` from runs done or planned before it."""
        longest = max(self.log.longest_before(day), self.base.longest_floor_m)
        return floor_m(single_run_cap_m(longest))

    def _long_share(self, week_m: float) -> float:
        if len(self.schedule.run_days) <= 3:
            share = LONG_SHARE_THREE_DAYS
        else:
            share = LONG_SHARE_LOW if week_m < LONG_SHARE_HIGH_FROM_M else LONG_SHARE_HIGH
        if self.cls is Race.MARATHON:
            share += LONG_SHARE_MARATHON_BONUS
        return min(LONG_SHARE_THREE_DAYS, share)

    def _long_max_m(self) -> float:
        limit_s = LONG_MAX_S_MARATHON if self.cls is Race.MARATHON else LONG_MAX_S
        return floor_m(limit_s / self.render.easy_mid_s_per_km * 1000)

    # -- the week ------------------------------------------------------------------------------

    def key(self, day: date, kind: WorkoutKind) -> str:
        return workout_key(self.goal, day, kind, self.used)

    def _quality_kinds(self, frame: WeekFrame) -> tuple[WorkoutKind, ...]:
        kinds = PHASE_QUALITY[frame.phase]
        if frame.phase in (Phase.TAPER, Phase.RACE) and self.cls is Race.SHORT:
            kinds = (K.INTERVALS,)
        return kinds

    def _quality_count(self, frame: WeekFrame, target_m: float) -> int:
        count = len(self._quality_kinds(frame))
        if frame.cutback:
            count = min(count, 1)
        if target_m < HIGH_VOLUME_WEEK_M:
            count = min(count, MAX_QUALITY)
        factors = [self.base.factor(d) for d in frame.days()]
        if min(factors) <= 0.5:
            count = 0  # first half of a return to load: easy running only
        elif min(factors) < 1.0:
            count = min(count, 1)
        return min(count, len(self.quality_days))

    def build(self, frame: WeekFrame) -> PlanWeek:
        target = self._target_m(frame)
        week = _Week(frame, target)
        days = frame.days()
        run_days = set(self.schedule.run_days)
        goal_day = self.goal.day
        recovery_last = goal_day + timedelta(days=RECOVERY_DAYS[self.cls])
        after_race = [d for d in days if goal_day < d <= recovery_last]

        # 1. the race
        if frame.first <= goal_day <= frame.last:
            week.put(goal_day, self.render.race(self.key(goal_day, K.RACE)))

        # 2. decide each run day's kind
        kinds: dict[date, WorkoutKind] = {}
        for d in days:
            if d.weekday() in run_days and d != goal_day:
                kinds[d] = K.EASY
        easy_only = frame.phase is Phase.RECOVERY
        pre_race = [d for d in days if d < goal_day] if frame.phase is Phase.RACE else days
        long_day = next(
            (d for d in days if d.weekday() == self.schedule.long_run_day and d in kinds), None
        )
        has_long = long_day is not None and frame.phase is not Phase.RACE and not easy_only
        if long_day is not None and (
            goal_day < long_day <= recovery_last
            or 0 < (goal_day - long_day).days < SHARPENER_MIN_DAYS_BEFORE_RACE + 1
        ):
            has_long = False
        if has_long and long_day is not None:
            kinds[long_day] = K.LONG
        quality_slots: list[date] = []
        if not easy_only:
            count = self._quality_count(frame, target)
            ordered = [q for q in self.quality_days]
            candidates = []
            for weekday in ordered:
                d = next((x for x in pre_race if x.weekday() == weekday and x in kinds), None)
                if d is None:
                    continue
                if 0 <= (goal_day - d).days < SHARPENER_MIN_DAYS_BEFORE_RACE:
                    continue
                candidates.append(d)
            quality_slots = sorted(candidates[:count])
            for d, kind in zip(quality_slots, self._quality_kinds(frame), strict=False):
                kinds[d] = kind
        # time trial: the first quality day in reach, early in the plan
        trial_day = None
        if not self.time_trial_done and frame.phase not in (
            Phase.TAPER,
            Phase.RACE,
            Phase.RECOVERY,
        ):
            for weekday in sorted(self.quality_days):
                d = next((x for x in days if x.weekday() == weekday and x in kinds), None)
                if (
                    d is not None
                    and (d - self.today).days >= TIME_TRIAL_MIN_DAYS_AHEAD
                    and (goal_day - d).days >= TIME_TRIAL_MIN_DAYS_BEFORE_RACE
                ):
                    trial_day = d
                    break
            if trial_day is None and (frame.last - self.today).days > TIME_TRIAL_LATEST_DAYS_AHEAD:
                self.time_trial_done = True  # too late in the plan now; fitness will tell
        # recovery runs: the day after the long run or the race
        for d in kinds:
            before = d - timedelta(days=1)
            after_long = (
                has_long
                and before == long_day
                and len(run_days) >= RECOVERY_AFTER_LONG_MIN_RUN_DAYS
            )
            if kinds[d] is K.EASY and (before == goal_day or after_long):
                kinds[d] = K.RECOVERY
        if easy_only or frame.phase is Phase.RACE:
            for d in after_race:
                if d in kinds:
                    kinds[d] = K.RECOVERY if d - timedelta(days=1) == goal_day else K.EASY
        # strides on one easy day (not in the recovery after a race)
        if frame.phase in (Phase.BASE, Phase.MAINTENANCE, Phase.TAPER, Phase.RACE):
            hard = {d for d, k in kinds.items() if k is not K.EASY and k is not K.RECOVERY}
            hard |= {goal_day}
            options = [
                d
                for d in pre_race
                if kinds.get(d) is K.EASY
                and d + timedelta(days=1) != goal_day
                and d not in after_race
            ]
            if options:
                pick = max(
                    options,
                    key=lambda d: (
                        min((abs((d - h).days) for h in hard), default=7),
                        -d.toordinal(),
                    ),
                )
                kinds[pick] = K.STRIDES

        # 3. fixed sessions: time trial, quality, long
        caps = {d: self.cap_m(d) for d in kinds}
        done_this_week = self._done_before(frame)
        sized: dict[date, Workout] = {}
        if trial_day is not None:
            room = min(caps[trial_day], TIME_TRIAL_MAX_WEEK_SHARE * target)
            trial = self.render.time_trial(self.key(trial_day, K.RACE), room)
            if trial is not None:
                sized[trial_day] = trial
                kinds[trial_day] = K.RACE
                self.time_trial_done = True
        for d in quality_slots:
            if d in sized:
                continue
            kind = kinds[d]
            reps = min(HILL_REPS_MAX, HILL_REPS_START + self.hill_sessions)
            workout = self.render.quality_within(
                self.key(d, kind), kind, target, caps[d], reps=reps
            )
            if workout is None:
                kinds[d] = K.EASY  # the session waits for a week the cap allows it
                continue
            if kind is K.HILLS:
                self.hill_sessions += 1
            sized[d] = workout
        long_m = 0.0
        if has_long and long_day is not None:
            share = self._long_share(target)
            long_m = share * target
            if frame.cutback:
                long_m = share * (self.level_m or target) * CUTBACK_LONG_FACTOR
            if frame.phase is Phase.TAPER and self.peak_long_m:
                long_m = min(long_m, TAPER_LONG_SHARE_OF_PEAK * self.peak_long_m)
            long_m = floor_m(min(long_m, self._long_max_m(), caps[long_day]))
            long_m = max(long_m, min(self.render.min_run_m(), caps[long_day]))
            finish = 0.0
            if self.cls is Race.MARATHON and frame.phase is Phase.SPEED and not frame.cutback:
                finish = MARATHON_FINISH_SHARE * long_m
            sized[long_day] = self.render.long(self.key(long_day, K.LONG), long_m, target, finish)
            if frame.phase not in (Phase.TAPER, Phase.RACE):
                self.peak_long_m = max(self.peak_long_m, long_m)
            self.last_long_m = long_m

        # 4. fill the easy days with what is left of the week
        fill = [d for d in sorted(kinds) if d not in sized]
        # Around the race: a 20-minute shake-out the day before, recovery runs after it.
        short = [
            d
            for d in fill
            if frame.phase is Phase.RACE and (goal_day < d or d + timedelta(days=1) == goal_day)
        ]
        fill = [d for d in fill if d not in short]
        for d in short:
            sized[d] = self.render.recovery(self.key(d, K.RECOVERY), MIN_RUN_S)
        used_m = sum(w.distance_m for d, w in sized.items() if d != goal_day)
        remaining = max(0.0, target - done_this_week - used_m)
        share = EASY_MAX_SHARE_OF_LONG if len(run_days) > 3 else 1.0
        # Without a long run this week (race week, recovery), the last one sets the limit.
        reference_long = long_m or self.last_long_m
        upper = share * reference_long if reference_long > 0 else math.inf
        # Speed sessions (not hills, which keep the seed's mile) share in the easy volume through
        # longer warm-ups and cool-downs, so that easy days do not swell while they stay short.
        padded = [d for d in quality_slots if d in sized and sized[d].kind in PADDED_KINDS]
        bounds = {d: self._bounds(d, kinds[d], caps, upper) for d in fill}
        for d in padded:
            base = sized[d].distance_m
            bounds[d] = (base, max(base, min(caps[d], upper)))
        sizes = self._water_fill(bounds, remaining + sum(sized[d].distance_m for d in padded))
        for d in fill:
            kind = kinds[d]
            if kind is K.RECOVERY:
                sized[d] = self.render.recovery_for_distance(self.key(d, K.RECOVERY), sizes[d])
                if sized[d].distance_m > caps[d]:
                    sized[d] = self.render.easy(sized[d].key, sizes[d])
                    kinds[d] = K.EASY
            elif kind is K.STRIDES:
                workout = self.render.strides(self.key(d, K.STRIDES), sizes[d], target)
                if workout.distance_m > caps[d]:
                    workout = self.render.easy(workout.key, sizes[d])
                sized[d] = workout
            else:
                sized[d] = self.render.easy(self.key(d, K.EASY), sizes[d])
        for d in padded:
            session = sized[d]
            extra = sizes[d] - session.distance_m
            if extra < 2 * ROUND_M:
                continue
            warmup = floor_m(_warmup_m(session, self.render.easy_mid_s_per_km) + extra / 2)
            longer = self.render.quality(session.key, session.kind, target, warmup_m=warmup)
            if session.distance_m < longer.distance_m <= min(caps[d], upper):
                sized[d] = longer

        for d in sorted(sized):
            if d != goal_day:
                week.put(d, sized[d])

        # 5. the week's own limits: the weekly cap over the floors of short runs, the easy share,
        # and a third quality session's volume
        if frame.phase not in (Phase.TAPER, Phase.RACE):
            allowed = weekly_build_cap_m(self._cap_reference_m(frame.monday))
            self._trim_to(week, allowed - done_this_week)
        elif frame.phase is Phase.TAPER and self.peak_week_m > 0:
            # The floors of short runs must not undo the taper: stay under the peak week.
            allowed = max(target, TAPER_CEILING_SHARE_OF_PEAK * self.peak_week_m)
            self._trim_to(week, allowed - done_this_week)
        self._keep_limits(week, done_this_week)

        # 6. strength
        self._add_strength(week, frame)

        # 7. record what is planned, for the caps of the weeks to come
        for d, w in week.runs():
            # The race is exempt from the caps (no cap limits it), and its distance does not lift
            # the weekly cap of the weeks after it; like any run, it is a longest run after it.
            self.log.add(d, w.distance_m, volume=not is_goal_race(w, d, self.goal))
        if frame.phase is Phase.RACE:
            self.pre_race_average_m = None
            self._pre_race_average()
        if (
            frame.phase in (Phase.BASE, Phase.STRENGTH, Phase.SPEED, Phase.MAINTENANCE)
            and not frame.cutback
            and len(days) == 7
        ):
            self.peak_week_m = max(
                self.peak_week_m,
                sum(w.distance_m for d, w in week.runs() if not is_goal_race(w, d, self.goal)),
            )
        return PlanWeek(
            start=frame.first,
            phase=frame.phase,
            cutback=frame.cutback,
            planned_distance_m=target,
            days=tuple(
                PlannedDay(d, tuple(sorted(week.days.get(d, []), key=_order))) for d in days
            ),
        )

    def _bounds(
        self, day: date, kind: WorkoutKind, caps: dict[date, float], upper_m: float
    ) -> tuple[float, float]:
        """The shortest and longest an easy-day run may be: at least the shortest easy run
        (unless a cap is lower), at most its cap, the week's limit for easy runs, and 45 minutes
        for a recovery run."""
        top = min(caps[day], upper_m)
        if kind is K.RECOVERY:
            top = min(top, floor_m(RECOVERY_MAX_S / self.render.recovery_s_per_km * 1000))
        minimum = self.render.min_run_m()
        if kind is K.STRIDES:
            minimum = max(minimum, 2000.0)
        low = min(minimum, top)
        return low, max(low, top)

    @staticmethod
    def _water_fill(bounds: dict[date, tuple[float, float]], total_m: float) -> dict[date, float]:
        """Share ``total_m`` so that every day gets the same level, clamped to its (low, high)
        bounds: the runs come out as even as their limits allow. When even the lows add up to
        more, the lows (the weekly cap trims them afterwards)."""
        if not bounds:
            return {}

        def fill(level: float) -> float:
            return sum(min(high, max(low, level)) for low, high in bounds.values())

        lo, hi = 0.0, max(high for _, high in bounds.values())
        if fill(hi) <= total_m:
            lo = hi
        else:
            for _ in range(60):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if fill(mid) <= total_m else (lo, mid)
        return {
            d: max(ROUND_M, floor_m(min(high, max(low, lo)))) for d, (low, high) in bounds.items()
        }

    def _trim_to(self, week: _Week, allowed_m: float) -> None:
        """Safety first: when the week's runs add up to more than ``allowed_m`` (the floors of
        many short runs can), shorten the easy runs, then make quality sessions easy, then
        shorten the long run, until it fits. Every run day keeps a run of at least 1 km."""

        def total() -> float:
            return sum(w.distance_m for d, w in week.runs() if not is_goal_race(w, d, self.goal))

        excess = total() - allowed_m
        if excess <= 0:
            return
        shortest = 1000.0
        fill = [
            (d, w)
            for d, w in week.runs()
            if w.kind in (K.EASY, K.RECOVERY, K.STRIDES) and w.distance_m > shortest
        ]
        spare = sum(w.distance_m - shortest for _, w in fill)
        if spare > 0:
            share = min(1.0, excess / spare)
            for d, w in fill:
                size = floor_m(w.distance_m - share * (w.distance_m - shortest) - ROUND_M / 2)
                self._replace(week, d, w, self.render.easy(w.key, max(shortest, size)))
        for d, w in reversed(week.runs()):
            excess = total() - allowed_m
            if excess <= 0:
                return
            if w.is_quality:
                if w.kind is K.HILLS:
                    self.hill_sessions = max(0, self.hill_sessions - 1)
                size = max(shortest, floor_m(w.distance_m - excess))
                self._replace(week, d, w, self.render.easy(w.key, min(size, w.distance_m)))
        for d, w in week.runs():
            excess = total() - allowed_m
            if excess > 0 and w.kind is K.LONG:
                size = max(shortest, floor_m(w.distance_m - excess))
                shorter = (
                    self.render.long(w.key, size, week.target_m)
                    if size >= self.render.min_run_m()
                    else self.render.easy(w.key, size)  # too short to call a long run
                )
                self._replace(week, d, w, shorter)

    @staticmethod
    def _replace(week: _Week, day: date, old: Workout, new: Workout) -> None:
        workouts = week.days[day]
        workouts[workouts.index(old)] = new

    def _keep_limits(self, week: _Week, done_this_week: float) -> None:
        def quality_days() -> list[date]:
            return [d for d, w in week.runs() if w.is_quality]

        volume = done_this_week + sum(
            w.distance_m for d, w in week.runs() if not is_goal_race(w, d, self.goal)
        )
        while len(quality_days()) > MAX_QUALITY and (
            volume < HIGH_VOLUME_WEEK_M or len(self.schedule.run_days) < HIGH_VOLUME_RUN_DAYS
        ):
            self._soften(week, quality_days()[-1])
        while quality_days() and easy_time_share(week.runs(), self.goal) < EASY_TIME_SHARE_MIN:
            self._soften(week, quality_days()[-1])

    def _soften(self, week: _Week, day: date) -> None:
        """Replace the quality session on ``day`` with an easy run of the same length."""
        workouts = week.days[day]
        for i, w in enumerate(workouts):
            if w.is_quality:
                if w.kind is K.HILLS:
                    self.hill_sessions = max(0, self.hill_sessions - 1)
                workouts[i] = self.render.easy(w.key, floor_m(w.distance_m))

    def _add_strength(self, week: _Week, frame: WeekFrame) -> None:
        count = STRENGTH_PER_WEEK[frame.phase]
        if frame.pre_build:
            count = STRENGTH_PER_WEEK[Phase.MAINTENANCE]
        if count == 0 or not self.strength_days:
            return
        light = frame.phase is Phase.TAPER or frame.cutback
        latest = self.goal.day - timedelta(days=NO_STRENGTH_DAYS_BEFORE_RACE + 1)
        recovery_last = self.goal.day + timedelta(days=RECOVERY_DAYS[self.cls])
        hard = {d for d, ws in week.days.items() for w in ws if w.is_quality or w.kind is K.LONG}
        placed = 0
        for weekday in self.strength_days:
            if placed >= count:
                break
            d = next((x for x in frame.days() if x.weekday() == weekday), None)
            if d is None:
                continue
            if latest < d <= recovery_last:
                continue
            if d + timedelta(days=1) in hard:
                continue
            week.put(d, self.render.strength(self.key(d, K.STRENGTH), light=light))
            placed += 1


def _order(workout: Workout) -> tuple[int, str]:
    """Runs before strength on a shared day."""
    return (1 if workout.kind is K.STRENGTH else 0, workout.key)


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
            "Your paces are a guess: the plan starts with a time trial to measure your fitness."
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
    return _generate(goal, athlete, fitness, history, today, end=None, used_keys=())


def _generate(
    goal: Goal,
    athlete: Athlete,
    fitness: Fitness,
    history: Sequence[Activity],
    today: date,
    *,
    end: date | None,
    used_keys: Iterable[str],
) -> Plan:
    builder = _Builder(goal, athlete, fitness, history, today, used_keys=used_keys)
    weeks = tuple(builder.build(frame) for frame in week_frames(goal, today, end))
    return Plan(
        generated_on=today,
        fitness=fitness,
        goal=goal,
        weeks=weeks,
        warnings=plan_warnings(goal, athlete, fitness, today, builder.base),
    )


def plan_keys(plan: Plan) -> set[str]:
    return {w.key for day in plan.days() for w in day.workouts}


def replan_from(
    previous: Plan,
    goal: Goal,
    athlete: Athlete,
    fitness: Fitness,
    history: Sequence[Activity],
    today: date,
) -> Plan:
    """``previous`` with everything from ``today`` on planned afresh; the days before today are
    kept as they were. A session planned again (same kind, same day; else same kind in the same
    week) keeps its key; new sessions get keys unique across the whole plan."""
    past_keys = {w.key for d in previous.days() if d.day < today for w in d.workouts}
    fresh = _generate(goal, athlete, fitness, history, today, end=None, used_keys=past_keys)
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
    fresh = _generate(
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
