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
from dataclasses import dataclass, field
from datetime import date, timedelta

from ampt_sync.domain import (
    Activity,
    Athlete,
    Fitness,
    Goal,
    Phase,
    Plan,
    PlannedDay,
    PlanWeek,
    Workout,
    WorkoutKind,
)
from ampt_sync.training.fitness import race_time
from ampt_sync.training.layout import (
    HIGH_VOLUME_RUN_DAYS,
    HIGH_VOLUME_WEEK_M,
    MAX_QUALITY,
    quality_days_for,
    strength_pattern,
)
from ampt_sync.training.load import (
    ROUND_M,
    RunLog,
    floor_m,
    single_run_cap_m,
    week_start,
    weekly_build_cap_m,
)
from ampt_sync.training.measure import easy_time_share, is_goal_race
from ampt_sync.training.periodise import (
    CUTBACK_LONG_FACTOR,
    CUTBACK_VOLUME_FACTOR,
    MAINTENANCE_AVERAGE_WEEKS,
    MAX_PEAK_GROWTH,
    MIN_BUILD_DAYS,
    PEAK_WEEK_M,
    RECOVERY_DAYS,
    RECOVERY_VOLUME_SHARE,
    Baseline,
    Race,
    WeekFrame,
    baseline,
    race_class,
    week_frames,
)
from ampt_sync.training.render import (
    HILL_REPS_MAX,
    HILL_REPS_START,
    MIN_RUN_S,
    RECOVERY_MAX_S,
    Renderer,
    warmup_m,
)
from ampt_sync.units import Units, distance_label, format_duration

K = WorkoutKind

# ------------------------------------------------------------------------------------------------
# Rule parameters. [H] marks a practitioner heuristic (a default, not a fact); the section numbers
# are those of the science note, ../shared/reference/training-science.md.

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
#: At least this share of weekly running time easy (§3.8).
EASY_TIME_SHARE_MIN = 0.75
#: An easy run is at most this share of the week's long run: the long run stays the long one [H].
EASY_MAX_SHARE_OF_LONG = 0.90  # with 3 run days, as long as the long run
#: The day after the long run is a recovery run (AMPT) with this many run days or more; with
#: fewer every run is needed for volume [H].
RECOVERY_AFTER_LONG_MIN_RUN_DAYS = 5
#: Speed sessions whose warm-up and cool-down may grow to hold the week's easy volume when the
#: easy days cannot (hills keep the seed's mile).
PADDED_KINDS = frozenset({WorkoutKind.INTERVALS, WorkoutKind.TEMPO, WorkoutKind.FARTLEK})
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
#: The whole time-trial session (warm-up, effort, cool-down) takes at most this share of the week.
TIME_TRIAL_MAX_WEEK_SHARE = 0.35
#: The target is "ambitious" when it is this much faster than the prediction (issue 3).
AMBITIOUS_TARGET_SHARE = 0.05


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
        self.quality_days = quality_days_for(self.schedule)
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
            warmup = floor_m(warmup_m(session, self.render.easy_mid_s_per_km) + extra / 2)
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
