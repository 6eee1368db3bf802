"""The week builder: one week of the plan at a time, from its frame (phase, cutback, taper
share) to dated workouts: the race, each run day's kind, the fixed sessions, the easy days, the
week's own limits and strength. The order in which rules win is in
:mod:`ampt_sync.training.planner`'s docstring.

Pure and deterministic. Distances in metres, durations in seconds, days as local dates.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from ampt_sync.domain import (
    Activity,
    Athlete,
    Fitness,
    Goal,
    Phase,
    PlannedDay,
    PlanWeek,
    Workout,
    WorkoutKind,
)
from ampt_sync.training.heat import race_is_hot
from ampt_sync.training.keys import workout_key
from ampt_sync.training.layout import (
    HIGH_VOLUME_RUN_DAYS,
    HIGH_VOLUME_WEEK_M,
    MAX_QUALITY,
    RECOVERY_AFTER_LONG_MIN_RUN_DAYS,
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
from ampt_sync.training.measure import EASY_KINDS, easy_time_share, is_goal_race
from ampt_sync.training.periodise import (
    BUILD_PHASES,
    MAINTENANCE_AVERAGE_WEEKS,
    RECOVERY_DAYS,
    RECOVERY_VOLUME_SHARE,
    Race,
    WeekFrame,
    baseline,
    race_class,
)
from ampt_sync.training.progression import SessionShape, shape_of, slot_shape
from ampt_sync.training.render import (
    HILL_REPS_MAX,
    HILL_REPS_START,
    MIN_RUN_S,
    Renderer,
    warmup_m,
)
from ampt_sync.training.targets import (
    CUTBACK_LONG_FACTOR,
    CUTBACK_VOLUME_FACTOR,
    PEAK_WEEK_RANGE_M,
    WeekShape,
    build_targets,
    goal_class,
    long_run_limit_m,
    long_run_limit_s,
    long_run_max_week_share,
)
from ampt_sync.training.wording import MONTH_NAMES
from ampt_sync.units import Units, distance_label, format_distance

K = WorkoutKind

# ------------------------------------------------------------------------------------------------
# Rule parameters. [H] marks a practitioner heuristic (a default, not a fact); the section numbers
# are those of the science note, ../shared/reference/training-science.md.

#: Outside a build (maintenance), the long run is Daniels' share of the week (§3.7): 30 % under
#: 64 km a week, else 25 %; with 3 run days 40 % (issue 3).
LONG_SHARE_LOW, LONG_SHARE_HIGH, LONG_SHARE_HIGH_FROM_M = 0.30, 0.25, 64_000.0
LONG_SHARE_THREE_DAYS = 0.40
#: A taper week never holds more than this share of the biggest build week (§3.5: volume down).
TAPER_CEILING_SHARE_OF_PEAK = 0.90
#: In the taper the long run is the peak long run times the week's taper fraction less this:
#: 70 % of it in the first week of a marathon taper (§3.5), 50 % in the second.
TAPER_LONG_LESS = 0.10
#: Marathon builds put the end of their long runs at M pace, a share that grows from the
#: strength phase to the peak (Pfitzinger's M-pace long runs; §4.4) [H].
MARATHON_FINISH_SHARE_START, MARATHON_FINISH_SHARE_PEAK = 0.10, 0.40
#: Heat notes go on the long runs of this many weeks before a hot race (heat acclimatisation
#: takes 1–2 weeks, Racinais 2015; the last long runs rehearse race day).
HEAT_NOTES_WEEKS = 6
#: At least this share of weekly running time easy (§3.8).
EASY_TIME_SHARE_MIN = 0.75
#: An easy run is at most this share of the week's long run, and the day before the long run at
#: most the second: the long run stays clearly the long one (issue 9) [H].
EASY_MAX_SHARE_OF_LONG = 0.85
EVE_OF_LONG_MAX_SHARE = 0.75
#: A cutback week holds at most this share of the week before it as planned (issue 3: at least
#: 15 % less; 20 % leaves room for fixed-size sessions and runs rounded to 100 m).
CUTBACK_MAX_SHARE_OF_WEEK_BEFORE = 0.80
#: With the long run on a Monday, a week's last day is the eve of the next week's long run: the
#: weeks built on trial to learn that long run (the next week, and the ones after it, whose long
#: runs can shorten the next week's through their own eves; WeekBuilder.build). Measured: 2 left
#: a 3-run-day week an eve over 75 % about once in 200 generated runners, 3 none in 900.
EVE_LOOKAHEAD_WEEKS = 3
#: Words that mark the warnings about the build itself (not about today's fitness or goal):
#: run days left free, a long run short of the goal's floor, weeks under the current load. The
#: adaptation keeps them from one day to the next; a replan makes them afresh.
FREE_DAY_WARNING = "leave a run day free"
LONG_SHORTFALL_WARNING = "a build for it should reach"
BELOW_USUAL_WARNING = "Some build weeks hold less than"
LEVEL_BUILD_WARNING = "Your build holds its volume"
#: Issue 9: a build of 8+ weeks ends with its peak week 1.10 × its first full week, or its peak
#: long run 1.15 × its first; a build that cannot says why.
BUILD_GROWTH_WEEK, BUILD_GROWTH_LONG = 1.10, 1.15
BUILD_RECORD_MIN_WEEKS = 6  # full build weeks: a build of 8+ weeks, its cutbacks aside
FLAT_SHARE = 1.02  # six full build weeks within 2 % of each other sit flat (issue 9)
BUILD_WARNINGS = (
    FREE_DAY_WARNING,
    LONG_SHORTFALL_WARNING,
    BELOW_USUAL_WARNING,
    LEVEL_BUILD_WARNING,
)


def build_warnings(warnings: Iterable[str]) -> tuple[str, ...]:
    """The warnings among ``warnings`` that are about the build itself."""
    return tuple(w for w in warnings if any(mark in w for mark in BUILD_WARNINGS))


#: A full build week under this share of what the runner runs now gets a warning saying why.
BELOW_USUAL_SHARE = 0.90
#: Rounds of "the long run at most half of its week" (each shortens the runs beside it) [H].
LONG_HALF_PASSES = 40
TOLERANCE_M = 1.0  # what a comparison of distances may miss by (rounding)
#: Speed sessions whose warm-up and cool-down may grow, to Daniels' customary 2 miles each, when
#: the easy days cannot hold the week's volume (hills keep the seed's mile).
WARMUP_GROWS_KINDS = frozenset({WorkoutKind.INTERVALS, WorkoutKind.TEMPO, WorkoutKind.FARTLEK})
QUALITY_WARMUP_MAX_M = 3200.0
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

# ------------------------------------------------------------------------------------------------
# The week builder


@dataclass(frozen=True)
class KeptWeek:
    """What the plan in force holds for one week, kept when the plan is made afresh for the same
    race with new run days (or a new long-run day): ``volume_m`` is its running from the new
    plan's first day on (the goal race left out), ``long_m`` its long run from then on (0 for
    none), ``phase`` and ``cutback`` the frame it was planned in. Metres."""

    volume_m: float
    long_m: float
    phase: Phase
    cutback: bool


#: The weeks whose volume a plan made afresh for new run days keeps: the build and maintenance
#: weeks. The taper, race week and recovery follow from the build's peak and the race.
KEPT_PHASES = frozenset({*BUILD_PHASES, Phase.MAINTENANCE})


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


@dataclass
class _Layout:
    """A week's run days and their kinds before any session is sized."""

    kinds: dict[date, WorkoutKind]
    long_day: date | None
    has_long: bool
    quality_slots: list[date]
    trial_day: date | None


class WeekBuilder:
    def __init__(
        self,
        goal: Goal,
        athlete: Athlete,
        fitness: Fitness,
        history: Sequence[Activity],
        today: date,
        frames: Sequence[WeekFrame],
        *,
        used_keys: Iterable[str] = (),
        kept: Mapping[date, KeptWeek] | None = None,
    ) -> None:
        """``kept``: by Monday, what the plan in force holds for its weeks, when the plan is made
        afresh for the same race with new run days (see :meth:`_with_kept`)."""
        self.goal, self.athlete, self.fitness, self.today = goal, athlete, fitness, today
        self.kept = dict(kept or {})
        self.schedule = athlete.schedule
        self.cls = race_class(goal.distance_m)
        self.render = Renderer(athlete, goal, fitness.paces, fitness.vdot)
        self.history = RunLog(a for a in history if a.day < today)
        self.log = self.history.copy()  # done, then planned as weeks are built
        self.base = baseline(athlete, self.history, today)
        self.quality_days = quality_days_for(self.schedule)
        self.strength_days = strength_pattern(self.schedule, self.quality_days)
        build = [f for f in frames if f.phase in BUILD_PHASES]
        #: Each week's next week, by Monday: a Monday long run's eve closes the week before it.
        self.next_frame = {a.monday: b for a, b in pairwise(frames)}
        run_days = len(self.schedule.run_days)
        self.targets = build_targets(
            goal_distance_m=goal.distance_m,
            current_week_m=self.base.usual_m,
            current_long_m=max(self.history.longest_before(today), self.base.longest_floor_m),
            build_weeks=len(build),
            steps=sum(1 for f in build if not f.cutback and len(f.days()) == 7),
            easy_mid_s_per_km=self.render.easy_mid_s_per_km,
            layout=WeekShape(
                run_days=run_days,
                quality_days=len(self.quality_days),
                recovery_m=(
                    self.render.max_recovery_m()
                    if run_days >= RECOVERY_AFTER_LONG_MIN_RUN_DAYS
                    and (self.schedule.long_run_day + 1) % 7 in self.schedule.run_days
                    else 0.0
                ),
                easy_share_of_long=EASY_MAX_SHARE_OF_LONG,
            ),
        )
        self.step = 0  # full build weeks planned so far: the staircase's next step
        self.long_share_max = long_run_max_week_share(goal.distance_m)
        self.heat_from = goal.day - timedelta(weeks=HEAT_NOTES_WEEKS)
        self.hot = race_is_hot(goal, athlete.timezone)
        self.used = set(used_keys)
        self.prev_long_day: date | None = None
        self.last_full_m = 0.0  # the last non-cutback week's volume (a cutback cuts from it)
        #: and what it held before its last day was held for a Monday long run after it (build)
        self.cut_from_m = 0.0
        self.last_full_long_m = 0.0  # and its long run
        self.thinned = False  # some run days were left free for a small volume
        self.below_usual: tuple[date, float] | None = None  # the smallest such build week
        self.build_record: list[tuple[float, float]] = []  # full build weeks: volume, long run
        self.peak_week_m = 0.0  # the most planned in a full build week so far (taper reference)
        self.peak_long_m = 0.0
        self.last_long_m = 0.0
        self.hill_sessions = 0
        # Speed sessions progress through the build: how many of each kind it holds, and how
        # many are planned so far (progression.py sizes the next one from its place).
        self.sessions_in_build = self._sessions_in_build(build)
        self.sessions_done: dict[WorkoutKind, int] = {}
        self.time_trial_done = not fitness.needs_time_trial
        self.pre_race_average_m: float | None = None

    # -- volume --------------------------------------------------------------------------------

    def _cap_reference_m(self, monday: date) -> float:
        """M for the week starting ``monday``: the largest of the 3 weeks before it, done or
        planned. Without history, the full weeks before today count as the runner's stated
        volume; with nothing at all, the starting volume."""
        largest = max(self._weeks_before(monday, 3), default=0.0)
        return largest if largest > 0 else self.base.weekly_m

    def _weeks_before(self, day: date, count: int) -> list[float]:
        """The ``count`` weeks before ``day``'s week, done or planned, oldest first; without a
        history, the weeks before today count as the runner's stated volume."""
        weeks = self.log.weeks_before(day, count)
        if not self.base.no_history:
            return weeks
        first, this_week = week_start(day) - timedelta(weeks=count), week_start(self.today)
        return [
            max(v, self.base.weekly_m) if first + timedelta(weeks=i) < this_week else v
            for i, v in enumerate(weeks)
        ]

    def _weekly_cap_m(self, monday: date) -> float:
        """The most the week starting ``monday`` may hold outside the taper: 10 % over M (or
        M + 5 km under 20 km), or, while returning from a gap and for two weeks after, the
        runner's usual load times Daniels' return share: returning to a load the runner held
        is not new load (science note §5.5)."""
        cap = weekly_build_cap_m(self._cap_reference_m(monday))
        return max(cap, self.base.return_allowance_m(monday))

    def _done_before(self, frame: WeekFrame) -> float:
        """Running in ``frame``'s week before the plan starts: from the history, or, with none,
        the stated weekly volume pro rata (so a plan that starts on a Friday does not fit a whole
        week into the weekend)."""
        if self.base.no_history:
            return self.base.weekly_m * (frame.first - frame.monday).days / 7
        return self.history.distance_between(frame.monday, frame.first)

    def _pre_race_average(self) -> float:
        if self.pre_race_average_m is None:
            weeks = self._weeks_before(self.goal.day, MAINTENANCE_AVERAGE_WEEKS)
            average = sum(weeks) / len(weeks) if weeks else 0.0
            self.pre_race_average_m = average or self.base.usual_m
        return self.pre_race_average_m

    def _target_m(self, frame: WeekFrame) -> tuple[float, float]:
        """The week's planned volume and its long run (0 for none), both before the caps of
        single days. Build weeks climb the staircase of :attr:`targets`; a cutback holds 75 % of
        the step it interrupts and 70 % of its long run, cut once; during a return from a gap,
        Daniels' share of the usual load is the most."""
        cap = self._weekly_cap_m(frame.monday)
        phase = frame.phase
        targets = self.targets
        days = frame.days()
        factor = sum(self.base.factor(d) for d in days) / len(days)
        usual = self.base.usual_m
        if phase in (Phase.TAPER, Phase.RACE):
            # From the planned peak, never above 90 % of the biggest week actually planned.
            fraction = frame.taper_fraction or 1.0
            volume = fraction * (targets.peak_week_m if targets.steps else usual)
            if self.peak_week_m:
                volume = min(volume, TAPER_CEILING_SHARE_OF_PEAK * self.peak_week_m)
            volume = min(volume, max(cap, fraction * usual)) if factor < 1.0 else volume
            if self.peak_long_m or targets.steps:
                peak_long = self.peak_long_m or targets.peak_long_m
                long_m = peak_long * max(0.0, fraction - TAPER_LONG_LESS)
            else:  # no build before the taper: Daniels' share of the week
                long_m = self._long_share(volume) * volume
            return floor_m(volume), min(long_m, self.long_share_max * volume)
        if phase is Phase.RECOVERY:
            return floor_m(min(cap, RECOVERY_VOLUME_SHARE * self._pre_race_average())), 0.0
        if phase in BUILD_PHASES:
            step = self.step if not frame.cutback else max(0, self.step - 1)
            volume, long_m = targets.week_m(step), targets.long_m(step)
            if frame.cutback:
                volume *= CUTBACK_VOLUME_FACTOR
                long_m *= CUTBACK_LONG_FACTOR
            elif len(days) == 7:  # a first week cut by today holds step 0 and does not climb
                self.step += 1
        else:  # maintenance, before the build or after the race
            volume = self._pre_race_average() if not frame.pre_build else usual
            if frame.cutback:
                volume *= CUTBACK_VOLUME_FACTOR
            long_m = -1.0  # Daniels' share of the week, once the caps have sized it
        if factor < 1.0:
            volume = min(volume, factor * usual)
        if frame.cutback and self.last_full_m:
            # a cutback cuts once, from what the week before it holds (caps included)
            # (and well under the week before as planned, even when that week's last day was
            # shortened for the cutback's long run: see build)
            held_m = max(self.last_full_m, self.cut_from_m)
            volume = min(
                volume,
                CUTBACK_VOLUME_FACTOR * held_m,
                CUTBACK_MAX_SHARE_OF_WEEK_BEFORE * self.last_full_m,
            )
            if self.last_full_long_m:
                long_m = min(long_m, CUTBACK_LONG_FACTOR * self.last_full_long_m)
        volume = min(volume, cap)
        if long_m < 0:
            long_m = self._long_share(volume) * volume
        long_m = min(long_m, self.long_share_max * volume)
        return floor_m(volume), long_m

    def _with_kept(
        self, frame: WeekFrame, target: float, long_m: float, done_this_week: float
    ) -> tuple[float, float]:
        """The week's volume and long run, no less than the plan in force held for the week
        (:attr:`kept`) when the plan is made afresh for new run days: new run days re-lay the
        build, they do not restart it. A fresh start would size the build from the average of
        the last four full weeks, which a cutback week or a long run moved past Sunday pulls
        down (the demo's runner: 48.1 → 38.5 km, a Sunday long run of 19.2 → 15.4 km). Build and
        maintenance weeks only, planned in the same frame (phase, cutback); never during a
        return from a gap (Daniels' return shares rule then) nor past the weekly cap."""
        kept = self.kept.get(frame.monday)
        if (
            kept is None
            or frame.phase not in KEPT_PHASES
            or (kept.phase, kept.cutback) != (frame.phase, frame.cutback)
            or self.base.return_day is not None
        ):
            return target, long_m
        volume = max(target, min(done_this_week + kept.volume_m, self._weekly_cap_m(frame.monday)))
        # (the long run the plan in force held stands, even a little over the week's share)
        return volume, max(long_m, kept.long_m)

    # -- caps ----------------------------------------------------------------------------------

    def cap_m(self, day: date) -> float:
        """The single-run cap on ``day`` from runs done or planned before it."""
        longest = max(self.log.longest_before(day), self.base.longest_floor_m)
        return floor_m(single_run_cap_m(longest))

    def _long_share(self, week_m: float) -> float:
        if len(self.schedule.run_days) <= 3:
            return LONG_SHARE_THREE_DAYS
        return LONG_SHARE_LOW if week_m < LONG_SHARE_HIGH_FROM_M else LONG_SHARE_HIGH

    def _long_max_m(self) -> float:
        return long_run_limit_m(self.goal.distance_m, self.render.easy_mid_s_per_km)

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
        """One week: the race, each run day's kind, the fixed sessions, the easy days, then the
        week's own limits, strength, and what the caps of the weeks to come need to know.

        A long run on a Monday has its eve in the week before, which is sized before that long
        run is: a cutback, a taper or a maintenance week holds a shorter long run than the week
        before it, so the eve could hold more than 75 % of it. When this week's last day is such
        an eve, the next week is built on trial (and forgotten) to learn its long run, and this
        week is built again with its last day held to 75 % of it (never under the shortest run:
        see :meth:`_fill_easy`). The next week's long run can shorten with this week (its weekly
        cap is 10 % over this week; with 3 run days this week's long run is at most the rest of
        its week): when the eve still does not fit, the third and last build holds it to 75 % of
        the long run the next week holds after the least this week can hold (its eve the
        shortest run), which it does not shorten again.

        A cutback after it cuts from what this week held before its last day was shortened (that
        serves the cutback's long run and is no reason to cut the cutback again), and stays 20 %
        under this week as planned; the taper comes from the biggest week as planned. The week
        on trial has its own eve held the same way, looking :data:`EVE_LOOKAHEAD_WEEKS` weeks
        ahead in all."""
        return self._build_to_eve(frame, EVE_LOOKAHEAD_WEEKS)

    def _build_to_eve(self, frame: WeekFrame, lookahead: int) -> PlanWeek:
        """:meth:`build`, the weeks after ``frame`` built on trial up to ``lookahead`` weeks."""
        eve_closes_week = (frame.last.weekday() + 1) % 7 == self.schedule.long_run_day
        following = self.next_frame.get(frame.monday)
        if not eve_closes_week or following is None or lookahead <= 0:
            return self._build(frame)
        before = self._saved()
        cut_from: float | None = None

        def attempt(eve_long_m: float | None) -> tuple[PlanWeek, float | None]:
            """This week with its eve held to 75 % of ``eve_long_m``, and the next week's long
            run after it (``None``: none the day after this week)."""
            nonlocal cut_from
            week = self._build(frame, eve_long_m=eve_long_m)
            if cut_from is None:
                cut_from = self.last_full_m
            self.cut_from_m = cut_from
            after = self._saved()
            next_long_m = self._long_on(self._build_to_eve(following, lookahead - 1), frame)
            self._restore(after)
            return week, next_long_m

        def fits(week: PlanWeek, next_long_m: float | None) -> bool:
            eve_m = max((w.distance_m for d, w in _runs(week) if d == frame.last), default=0.0)
            return next_long_m is None or eve_m <= EVE_OF_LONG_MAX_SHARE * next_long_m + TOLERANCE_M

        week, next_long_m = attempt(None)
        if fits(week, next_long_m):
            return week
        bound = next_long_m
        self._restore(before)
        week, next_long_m = attempt(bound)
        if fits(week, next_long_m):
            return week
        self._restore(before)
        _, least_m = attempt(0.0)
        bound = min(m for m in (bound, next_long_m, least_m) if m is not None)
        self._restore(before)
        return attempt(bound)[0]

    def _saved(self) -> dict[str, object]:
        """The builder's state (what the weeks built so far have changed), to build on trial."""
        return {name: _copied(value) for name, value in vars(self).items()}

    def _restore(self, state: dict[str, object]) -> None:
        vars(self).update({name: _copied(value) for name, value in state.items()})

    @staticmethod
    def _long_on(week: PlanWeek, before: WeekFrame) -> float | None:
        """The distance of ``week``'s long run the day after ``before`` ends, ``None`` when
        there is none."""
        day = before.last + timedelta(days=1)
        return next((w.distance_m for d, w in _runs(week) if d == day and w.kind is K.LONG), None)

    def _build(self, frame: WeekFrame, *, eve_long_m: float | None = None) -> PlanWeek:
        """:meth:`build` for one pass; ``eve_long_m``: the next week's long run, which the
        week's last day (its eve) holds at most 75 % of."""
        done_this_week = self._done_before(frame)
        target, planned_long_m = self._with_kept(frame, *self._target_m(frame), done_this_week)
        week = _Week(frame, target)
        goal_day = self.goal.day
        if frame.first <= goal_day <= frame.last:
            week.put(goal_day, self.render.race(self.key(goal_day, K.RACE)))
        lay = self._lay_out(frame, target)
        caps = {d: self.cap_m(d) for d in lay.kinds}
        sized = self._fixed_sessions(frame, target, lay, caps)
        long_m = self._long_run(frame, target, planned_long_m, lay, caps, sized, done_this_week)
        self._fill_easy(frame, target, lay, caps, sized, done_this_week, long_m, eve_long_m)
        return self._finish(frame, week, sized, done_this_week)

    def _lay_out(self, frame: WeekFrame, target: float) -> _Layout:
        """Each run day's kind: the long run, the quality days, a time trial, recovery runs,
        strides; the rest easy."""
        days = frame.days()
        run_days = set(self.schedule.run_days)
        goal_day = self.goal.day
        recovery_last = goal_day + timedelta(days=RECOVERY_DAYS[self.cls])
        after_race = [d for d in days if goal_day < d <= recovery_last]
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
        count = 0 if easy_only else self._quality_count(frame, target)
        if not easy_only:
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
                    and self.base.factor(d) >= 1.0  # not while returning from a gap
                    and (goal_day - d).days >= TIME_TRIAL_MIN_DAYS_BEFORE_RACE
                ):
                    trial_day = d
                    break
            if trial_day is None and (frame.last - self.today).days > TIME_TRIAL_LATEST_DAYS_AHEAD:
                self.time_trial_done = True  # too late in the plan now; fitness will tell
        if (
            trial_day is not None
            and trial_day not in quality_slots
            and quality_slots
            and len(quality_slots) >= count
        ):
            # The time trial is a hard effort of its own: it takes the place of the quality
            # session nearest it, so that the week holds no more hard days than it may (one in
            # a cutback week, whose volume a second would keep from falling 25 %).
            nearest = min(quality_slots, key=lambda d: abs((d - trial_day).days))
            quality_slots.remove(nearest)
            kinds[nearest] = K.EASY
        # recovery runs: the day after the long run (last week's too) or the race
        long_days = {self.prev_long_day} | ({long_day} if has_long else set())
        for d in kinds:
            before = d - timedelta(days=1)
            after_long = before in long_days and len(run_days) >= RECOVERY_AFTER_LONG_MIN_RUN_DAYS
            if kinds[d] is K.EASY and (before == goal_day or after_long):
                kinds[d] = K.RECOVERY
        if easy_only or frame.phase is Phase.RACE:
            for d in after_race:
                if d in kinds:
                    kinds[d] = K.RECOVERY if d - timedelta(days=1) == goal_day else K.EASY
        # strides on one easy day (not in the recovery after a race, nor while returning from a
        # gap: Daniels' first runs back are plain easy running)
        returning = min(self.base.factor(d) for d in days) < 1.0
        if not returning and frame.phase in (
            Phase.BASE,
            Phase.MAINTENANCE,
            Phase.TAPER,
            Phase.RACE,
        ):
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

        return _Layout(kinds, long_day, has_long, quality_slots, trial_day)

    def _fixed_sessions(
        self, frame: WeekFrame, target: float, lay: _Layout, caps: dict[date, float]
    ) -> dict[date, Workout]:
        """The time trial and the quality sessions, sized for the week and their caps."""
        kinds, quality_slots, trial_day = lay.kinds, lay.quality_slots, lay.trial_day
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
            shape = self._session_shape(kind, target, frame)
            session_kind = kind if shape is None else shape.kind  # a fartlek may stand in
            workout = None
            if shape is not None or kind is K.HILLS:
                workout = self.render.quality_within(
                    self.key(d, session_kind), session_kind, target, caps[d], reps=reps,
                    shape=shape,
                )  # fmt: skip
            if workout is None:
                # The session waits for a week whose limits and caps hold it; a speed day
                # meanwhile runs easy with strides (one strides day a week is enough).
                speed = kind is not K.HILLS and K.STRIDES not in kinds.values()
                kinds[d] = K.STRIDES if speed else K.EASY
                continue
            if kind is K.HILLS:
                self.hill_sessions += 1
            elif frame.phase in BUILD_PHASES and not frame.cutback:
                # the day's place in the build moves on, whatever kind stood in for it
                self.sessions_done[kind] = self.sessions_done.get(kind, 0) + 1
            kinds[d] = session_kind
            sized[d] = workout
        return sized

    def _long_run(
        self,
        frame: WeekFrame,
        target: float,
        planned_long_m: float,
        lay: _Layout,
        caps: dict[date, float],
        sized: dict[date, Workout],
        done_this_week: float,
    ) -> float:
        """The long run (its distance, or 0 for none), and no quality session longer than it."""
        kinds, long_day, has_long, quality_slots = (
            lay.kinds, lay.long_day, lay.has_long, lay.quality_slots
        )  # fmt: skip
        long_m = 0.0
        if has_long and long_day is not None:
            # Long enough that the runs beside it, at most 75 % of it, can still be the shortest
            # run (2 km, 15 minutes), when the week holds that much; never past its cap.
            shortest = self.render.min_run_m()
            others = sum(1 for d in kinds if d != long_day and kinds[d] in EASY_KINDS)
            floor_long = shortest / EVE_OF_LONG_MAX_SHARE
            if target - done_this_week < floor_long + others * shortest:
                floor_long = shortest
            # and no shorter than a time trial the same week (the long run is the longest run)
            trials = [
                math.ceil(w.distance_m / ROUND_M) * ROUND_M
                for w in sized.values()
                if w.kind is K.RACE
            ]
            long_m = max(planned_long_m, floor_long, *trials)
            long_m = floor_m(min(long_m, self._long_max_m(), caps[long_day]))
            long_m = max(long_m, min(shortest, caps[long_day]))
            finish = self._marathon_finish_m(frame, long_m)
            hot = self.hot and long_day >= self.heat_from
            key = self.key(long_day, K.LONG)
            sized[long_day] = self.render.long(key, long_m, target, finish, hot=hot)
            if frame.phase in BUILD_PHASES:
                self.peak_long_m = max(self.peak_long_m, long_m)
            if not frame.cutback:
                self.last_full_long_m = long_m
            self.last_long_m = long_m
            self.prev_long_day = long_day
        # The long run is the longest run of the week: a quality session is no longer (a time
        # trial, a race effort, is exempt like the race).
        for d in quality_slots:
            if (
                d in sized
                and long_m
                and sized[d].kind is not K.RACE
                and sized[d].distance_m > long_m
            ):
                shorter = self.render.shortened_quality(sized[d], target, long_m)
                if shorter is None:
                    kinds[d] = K.EASY
                    self._not_held(sized.pop(d))
                else:
                    sized[d] = shorter

        return long_m

    def _fill_easy(
        self,
        frame: WeekFrame,
        target: float,
        lay: _Layout,
        caps: dict[date, float],
        sized: dict[date, Workout],
        done_this_week: float,
        long_m: float,
        eve_long_m: float | None = None,
    ) -> None:
        """The easy days share what is left of the week, the long run kept the longest; with
        ``eve_long_m``, the week's last day, the eve of the next week's long run, at most 75 %
        of it."""
        kinds, quality_slots = lay.kinds, lay.quality_slots
        goal_day = self.goal.day
        fill = [d for d in sorted(kinds) if d not in sized]
        # Around the race: a 20-minute shake-out the day before, recovery runs after it.
        short = [
            d
            for d in fill
            if frame.phase is Phase.RACE and (goal_day < d or d + timedelta(days=1) == goal_day)
        ]
        fill = [d for d in fill if d not in short]
        for d in short:
            # 20 minutes, less when the single-run cap says so (never under 15)
            capped_s = caps[d] / 1000 * self.render.recovery_s_per_km // 60 * 60
            duration_s = max(self.render.min_recovery_s(), min(MIN_RUN_S, capped_s))
            sized[d] = self.render.recovery(self.key(d, K.RECOVERY), duration_s)
        used_m = sum(w.distance_m for d, w in sized.items() if d != goal_day)
        remaining = max(0.0, target - done_this_week - used_m)
        if not (self.base.no_history and frame.first > frame.monday):
            # (a first week's running before today is only a guess without history)
            fill = self._thin_out(fill, kinds, remaining, sized)
        # Without a long run this week (race week, recovery), the last one sets the limit.
        reference_long = long_m or self.last_long_m
        upper = EASY_MAX_SHARE_OF_LONG * reference_long if reference_long > 0 else math.inf
        # The day before the long run (next week's too, when the long run is on a Monday): no
        # quality (the pattern) and at most 75 % of it; when that is under the shortest run,
        # the day is left free (the long run stays: it holds the week).
        eve = next((d for d in fill if (d.weekday() + 1) % 7 == self.schedule.long_run_day), None)
        # Across the week end (the eve of next week's long run, held to ``eve_long_m``), a long
        # run too short for that (under 4/3 of the shortest run) leaves its eve the shortest
        # run: left free, the eve would leave a 3-run-day week two runs, which the long run's
        # limits shrink to the shortest, and so the week before it, and so on.
        eve_long = reference_long or None
        eve_floor_m = self.render.min_run_m() if eve is not None and eve == frame.last else 0.0
        if eve_long_m is not None and eve == frame.last:
            eve_long = eve_long_m if eve_long is None else min(eve_long, eve_long_m)
        eve_max_m = (
            math.inf
            if eve_long is None
            else max(eve_floor_m, floor_m(EVE_OF_LONG_MAX_SHARE * eve_long))
        )
        if eve is not None and eve_max_m < self.render.min_run_m() and (len(fill) > 1 or long_m):
            fill.remove(eve)
            del kinds[eve]
            self.thinned = True
        elif eve is not None and kinds[eve] is K.STRIDES:
            kinds[eve] = K.EASY  # strides belong on a day with room after them, not the eve
        bounds = {
            d: self._bounds(d, kinds[d], caps, min(upper, eve_max_m) if d == eve else upper)
            for d in fill
        }
        # The shortest run wins over the long run's margin (it may come as close as the long
        # run itself); a day whose cap leaves less than the shortest run is left free, unless it
        # holds the week's only run.
        shortest = self.render.min_run_m()
        for d in [d for d in fill if bounds[d][1] < shortest]:
            if caps[d] >= shortest and (not reference_long or shortest <= reference_long):
                bounds[d] = (shortest, shortest)
            elif len(fill) > 1 or long_m:
                fill.remove(d)
                del kinds[d], bounds[d]
                self.thinned = True
            else:
                bounds[d] = (min(shortest, caps[d]), min(shortest, caps[d]))
        sizes = self._water_fill(bounds, remaining)
        # What the easy days cannot hold may lengthen a speed session's warm-up and cool-down to
        # Daniels' customary 2 miles each, never past three quarters of the long run: a session
        # stays a session, not a second long run (issue 9). Hills keep the seed's mile.
        left = remaining - sum(sizes.values())
        upper_quality = EVE_OF_LONG_MAX_SHARE * reference_long if reference_long else math.inf
        for d in quality_slots:
            session = sized.get(d)
            if left < 2 * ROUND_M or session is None or session.kind not in WARMUP_GROWS_KINDS:
                continue
            current = warmup_m(session, self.render.easy_mid_s_per_km)
            warmup = floor_m(min(QUALITY_WARMUP_MAX_M, current + left / 2))
            if warmup <= current:
                continue
            shape = shape_of(session)
            key, kind = session.key, session.kind
            longer = self.render.quality(key, kind, target, warmup_m=warmup, shape=shape)
            while longer.distance_m > min(caps[d], upper_quality) and warmup - ROUND_M > current:
                warmup -= ROUND_M
                longer = self.render.quality(key, kind, target, warmup_m=warmup, shape=shape)
            if session.distance_m < longer.distance_m <= min(caps[d], upper_quality):
                left -= longer.distance_m - session.distance_m
                sized[d] = longer
        for d in fill:
            kind = kinds[d]
            if kind is K.RECOVERY:
                sized[d] = self.render.recovery_for_distance(self.key(d, K.RECOVERY), sizes[d])
                if sized[d].distance_m > caps[d]:
                    sized[d] = self.render.easy(sized[d].key, sizes[d])
                    kinds[d] = K.EASY
            elif kind is K.STRIDES:
                workout = self.render.strides(self.key(d, K.STRIDES), sizes[d], target)
                if workout.distance_m > min(caps[d], bounds[d][1]):  # no room: plain easy
                    workout = self.render.easy(workout.key, sizes[d])
                sized[d] = workout
            else:
                sized[d] = self.render.easy(self.key(d, K.EASY), sizes[d])

    def _finish(
        self, frame: WeekFrame, week: _Week, sized: dict[date, Workout], done_this_week: float
    ) -> PlanWeek:
        """The week's own limits, strength, and what the weeks to come need to know."""
        goal_day, target = self.goal.day, week.target_m
        days = frame.days()
        for d in sorted(sized):
            if d != goal_day:
                week.put(d, sized[d])

        # 5. the week's own limits: the weekly cap over the floors of short runs, the easy share,
        # and a third quality session's volume
        if frame.phase not in (Phase.TAPER, Phase.RACE):
            allowed = self._weekly_cap_m(frame.monday)
            if frame.phase is Phase.MAINTENANCE and not frame.pre_build:
                allowed = min(allowed, max(target, self._pre_race_average()))
            self._trim_to(week, allowed - done_this_week)
        elif frame.phase is Phase.TAPER and self.peak_week_m > 0:
            # The floors of short runs must not undo the taper: stay under the peak week.
            allowed = max(target, TAPER_CEILING_SHARE_OF_PEAK * self.peak_week_m)
            self._trim_to(week, allowed - done_this_week)
        self._keep_limits(week, done_this_week)
        self._long_at_most_half(week, frame, done_this_week)

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
        planned_m = sum(w.distance_m for d, w in week.runs() if not is_goal_race(w, d, self.goal))
        full = not frame.cutback and len(days) == 7
        if frame.phase in (*BUILD_PHASES, Phase.MAINTENANCE) and not frame.cutback:
            self.last_full_m = self.cut_from_m = done_this_week + planned_m
        if frame.phase in (*BUILD_PHASES, Phase.MAINTENANCE) and full:
            self.peak_week_m = max(self.peak_week_m, planned_m)
        if frame.phase in BUILD_PHASES and full:
            longs = [w.distance_m for d, w in week.runs() if w.kind is K.LONG]
            self.build_record.append((planned_m, max(longs, default=0.0)))
            below = planned_m < BELOW_USUAL_SHARE * self.base.usual_m
            if (
                below
                and self.base.return_day is None
                and (self.below_usual is None or planned_m < self.below_usual[1])
            ):
                self.below_usual = (frame.monday, planned_m)
        return PlanWeek(
            start=frame.first,
            phase=frame.phase,
            cutback=frame.cutback,
            planned_distance_m=planned_m,
            days=tuple(
                PlannedDay(d, tuple(sorted(week.days.get(d, []), key=_order))) for d in days
            ),
        )

    def _thin_out(
        self,
        fill: list[date],
        kinds: dict[date, WorkoutKind],
        remaining_m: float,
        sized: dict[date, Workout],
    ) -> list[date]:
        """The easy days to fill, fewer than ``fill`` when what is left of the week's volume
        cannot give each a run of the shortest length (2 km, 15 minutes): no run under 2 km wins
        over "every run day carries a run" (issue 9). The easy days beside a hard session go
        first, so that the hard days get rest around them; a week keeps at least one easy
        run."""
        shortest = self.render.min_run_m()
        most = max(1, int(remaining_m // shortest))
        if len(fill) <= most:
            return fill
        hard = [d for d, w in sized.items() if w.kind not in EASY_KINDS]
        dropped = set(_beside_hard_first(fill, hard)[: len(fill) - most])
        for d in dropped:
            del kinds[d]
        self.thinned = True
        return [d for d in fill if d not in dropped]

    def _long_at_most_half(self, week: _Week, frame: WeekFrame, done_this_week: float) -> None:
        """The long run is at most half of its week: what the other days could not hold does
        not make it longer than the rest of the week together (never under the shortest run).
        Runs done this week count, not the guess made without a history."""
        done_m = 0.0 if self.base.no_history else done_this_week
        shortest = self.render.min_run_m()
        for _ in range(LONG_HALF_PASSES):  # a shorter long run shortens the runs beside it
            runs = week.runs()
            longs = [(d, w) for d, w in runs if w.kind is K.LONG]
            if not longs:
                return
            day, long_run = longs[0]
            rest = done_m + sum(
                w.distance_m
                for d, w in runs
                if w is not long_run and not is_goal_race(w, d, self.goal)
            )
            # (and never under another run of the week: the long run stays the longest; that
            # run is part of the rest, so the long run stays at most half of the week)
            longest_other = max(
                (w.distance_m for d, w in runs if w is not long_run and w.kind is not K.RACE),
                default=0.0,
            )
            half_m = max(floor_m(rest), shortest, longest_other)
            if long_run.distance_m <= half_m:
                return
            finish = self._marathon_finish_m(frame, half_m)
            hot = self.hot and day >= self.heat_from
            shorter = self.render.long(long_run.key, half_m, week.target_m, finish, hot=hot)
            self._replace(week, day, long_run, shorter)
            self.last_long_m = half_m
            for d, w in runs:
                if w.kind not in EASY_KINDS or d == day - timedelta(days=1):
                    continue  # (the eve of this long run: below)
                eve = (d.weekday() + 1) % 7 == self.schedule.long_run_day
                share = EVE_OF_LONG_MAX_SHARE if eve else EASY_MAX_SHARE_OF_LONG
                limit = max(shortest, floor_m(share * half_m))
                if w.distance_m > limit:
                    self._replace(week, d, w, self._easy_kind(w, limit, week.target_m))
            self._hold_eve(week, day, half_m)

    def _hold_eve(self, week: _Week, long_day: date, long_m: float) -> None:
        """After the long run on ``long_day`` was shortened to ``long_m``: the easy run the day
        before it at most 75 % of it, or, when that is under the shortest run, the day left free
        (the rule that a run is never under 2 km or 15 minutes wins over the run day)."""
        eve = long_day - timedelta(days=1)
        limit = floor_m(EVE_OF_LONG_MAX_SHARE * long_m)
        for w in [w for w in week.days.get(eve, []) if w.kind in EASY_KINDS]:
            if w.distance_m <= limit + TOLERANCE_M:
                continue
            if limit >= self.render.min_run_m():
                self._replace(week, eve, w, self._easy_kind(w, limit, week.target_m))
            else:
                week.days[eve].remove(w)
                self.thinned = True

    def _easy_kind(self, workout: Workout, distance_m: float, week_m: float) -> Workout:
        """``workout`` (an easy, recovery or strides run) again at ``distance_m``."""
        if workout.kind is K.RECOVERY:
            return self.render.recovery_for_distance(workout.key, distance_m)
        if workout.kind is K.STRIDES:
            strides = self.render.strides(workout.key, distance_m, week_m)
            if strides.distance_m <= distance_m + TOLERANCE_M:
                return strides
        return self.render.easy(workout.key, distance_m)

    def _sessions_in_build(self, build: Sequence[WeekFrame]) -> dict[WorkoutKind, int]:
        """How many sessions of each speed kind the build's full weeks hold."""
        count: dict[WorkoutKind, int] = {}
        for frame in build:
            if frame.cutback:
                continue
            for kind in PHASE_QUALITY[frame.phase][: len(self.quality_days)]:
                count[kind] = count.get(kind, 0) + 1
        return count

    def _session_shape(
        self, kind: WorkoutKind, week_m: float, frame: WeekFrame
    ) -> SessionShape | None:
        """The shape of a speed session at its place in the build (a cutback repeats the last
        one; the taper and maintenance take the top, which the smaller week's limits trim),
        or of the smaller kind that stands in for it (:func:`~ampt_sync.training.progression.
        slot_shape`); ``None`` for hills, which follow the seed, and for a week that holds no
        speed session worth doing."""
        if kind is K.HILLS or week_m <= 0:
            return None
        count = max(1, self.sessions_in_build.get(kind, 0))
        done = self.sessions_done.get(kind, 0)
        if frame.phase in BUILD_PHASES:
            index = max(0, done - 1) if frame.cutback else done
        else:
            index = count - 1
        return slot_shape(
            kind,
            index=min(index, count - 1),
            count=count,
            week_m=week_m,
            paces=self.render.paces,
            race_distance_m=self.goal.distance_m,
        )

    def _marathon_finish_m(self, frame: WeekFrame, long_m: float) -> float:
        """The M-pace finish of a marathon build's long run: none in base weeks, cutbacks and
        the taper; from 10 % of the run in the first strength week to 40 % at the peak."""
        steps = self.targets.steps
        if (
            self.cls is not Race.MARATHON
            or frame.cutback
            or frame.phase not in (Phase.STRENGTH, Phase.SPEED)
            or steps == 0
        ):
            return 0.0
        progress = min(1.0, max(0, self.step - 1) / max(1, steps - 1))
        start, peak = MARATHON_FINISH_SHARE_START, MARATHON_FINISH_SHARE_PEAK
        return floor_m((start + (peak - start) * progress) * long_m)

    def volume_warnings(self) -> tuple[str, ...]:
        """Why some weeks hold less than the runner runs now: run days left free because the
        volume is small, or build weeks that the run days cannot fill under the long-run rules
        (issue 9: the build never plans less than the runner does without saying why)."""
        units = self.render.units
        found = []
        if self.thinned:
            shortest = format_distance(self.render.min_run_m(), units)
            found.append(
                f"Some weeks {FREE_DAY_WARNING}: at your volume, running every day of the "
                f"schedule would mean runs shorter than {shortest}. The days fill as the volume "
                "grows."
            )
        if self.below_usual is not None:
            monday, planned_m = self.below_usual
            days = len(self.schedule.run_days)
            found.append(
                f"{BELOW_USUAL_WARNING} the {format_distance(self.base.usual_m, units)}"
                f" a week you run now (the least: {format_distance(planned_m, units)}, the week "
                f"of {monday.day} {MONTH_NAMES[monday.month - 1]}): on {days} run days, the "
                f"long run stays the longest run and at most {self.long_share_max:.0%} of its "
                "week, the day before it at most three quarters of it, and hill and speed "
                "sessions are short by design. More run days would hold more."
            )
        found.extend(self._level_build_warning(units))
        return tuple(found)

    def _level_build_warning(self, units: Units) -> list[str]:
        """A build of 8+ weeks whose weeks grow less than 10 % and whose long run grows less
        than 15 % (issue 9 asks for one or the other), or whose weeks sit within 2 % of each
        other for 6 weeks, says why: the run days are full around a long run at its limit, or
        the runner already runs what the goal needs."""
        record = self.build_record
        if len(record) < BUILD_RECORD_MIN_WEEKS or not record[0][0] or not record[0][1]:
            return []
        weeks_grow = max(v for v, _ in record) >= BUILD_GROWTH_WEEK * record[0][0]
        long_grows = max(m for _, m in record) >= BUILD_GROWTH_LONG * record[0][1]
        volumes = [v for v, _ in record]
        n = BUILD_RECORD_MIN_WEEKS
        flat = any(
            max(volumes[i : i + n]) <= FLAT_SHARE * min(volumes[i : i + n])
            for i in range(len(volumes) - n + 1)
        )
        if (weeks_grow or long_grows) and not flat:
            return []
        cls = goal_class(self.goal.distance_m)
        days = len(self.schedule.run_days)
        more = " More run days would let the volume grow." if days < 7 else ""
        if self.base.usual_m >= PEAK_WEEK_RANGE_M[cls][1]:
            why = "you already run more than a build for this race needs"
            more = ""
        elif max(m for _, m in record) >= self._long_max_m() - ROUND_M:
            hours = long_run_limit_s(self.goal.distance_m) / 3600
            why = (
                f"your long run is at its limit ({hours:g} hours at easy pace) and, on {days} run "
                "days, the other runs stay shorter than it"
            )
        else:
            why = (
                f"on {days} run days the long run and the runs beside it are as long as the "
                "rules let them be"
            )
        return [
            f"{LEVEL_BUILD_WARNING} near {format_distance(record[0][0], units)} a week rather "
            f"than climbing: {why}. The sessions still progress through the build.{more}"
        ]

    def long_run_warnings(self) -> tuple[str, ...]:
        """A warning when the build's longest long run stays under the goal's floor (a marathon
        build under 26 km, a half under 14 km), with the numbers and the options, instead of
        silently planning a race far beyond the longest run."""
        floor = self.targets.floor_long_m
        if not floor or self.peak_long_m >= floor - ROUND_M / 2:
            return ()
        units = self.render.units
        name = self.goal.race or distance_label(self.goal.distance_m, units)
        longest = format_distance(self.peak_long_m, units)
        needed = format_distance(floor, units)
        if self.peak_long_m >= self.long_share_max * self.targets.peak_week_m - ROUND_M:
            why = (
                f"a long run is at most {self.long_share_max:.0%} of its week, and the build "
                "peaks at "
                f"{format_distance(self.targets.peak_week_m, units)} a week"
            )
        else:
            why = "each long run may be at most 10% longer than your longest of the 30 days before"
        more = 0
        while self.peak_long_m * 1.10**more < floor and more < 52:
            more += 1
        return (
            f"The longest run before {name} is {longest}, short of the {needed} "
            f"{LONG_SHORTFALL_WARNING}: {why}. Options: a later race (about {more} more "
            "weeks), a shorter goal, or more running each week before the build.",
        )

    def _bounds(
        self, day: date, kind: WorkoutKind, caps: dict[date, float], upper_m: float
    ) -> tuple[float, float]:
        """The shortest and longest an easy-day run may be: at least the shortest easy run
        (unless a cap is lower), at most its cap, the week's limit for easy runs, and 45 minutes
        for a recovery run."""
        top = min(caps[day], upper_m)
        if kind is K.RECOVERY:
            top = min(top, self.render.max_recovery_m())
        minimum = self.render.min_run_m()
        if kind is K.STRIDES:
            # strides are run faster than easy: a little more distance keeps 15 minutes
            minimum = max(minimum + 2 * ROUND_M, 2000.0)
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
        many short runs can), shorten the easy runs to the shortest run, then make quality
        sessions easy, then shorten the long run, then leave easy days free, until it fits."""

        def total() -> float:
            return sum(w.distance_m for d, w in week.runs() if not is_goal_race(w, d, self.goal))

        excess = total() - allowed_m
        if excess <= 0:
            return
        shortest = self.render.min_run_m()
        fill = [(d, w) for d, w in week.runs() if w.kind in EASY_KINDS and w.distance_m > shortest]
        spare = sum(w.distance_m - shortest for _, w in fill)
        if spare > 0:
            share = min(1.0, excess / spare)
            for d, w in fill:
                size = floor_m(w.distance_m - share * (w.distance_m - shortest) - ROUND_M / 2)
                self._replace(week, d, w, self._easy_kind(w, max(shortest, size), week.target_m))
        for d, w in reversed(week.runs()):
            excess = total() - allowed_m
            if excess <= 0:
                return
            if w.is_quality:
                self._not_held(w)
                size = max(shortest, floor_m(w.distance_m - excess))
                self._replace(week, d, w, self.render.easy(w.key, min(size, w.distance_m)))
        for d, w in week.runs():
            excess = total() - allowed_m
            if excess > 0 and w.kind is K.LONG:
                size = max(shortest, floor_m(w.distance_m - excess))
                self._replace(week, d, w, self.render.long(w.key, size, week.target_m))
                self._hold_eve(week, d, size)
        # Runs of the shortest length that still break the cap: the safety cap wins, the
        # easy days beside the week's hardest session are left free (never the last run).
        while total() > allowed_m + TOLERANCE_M:
            easy = [(d, w) for d, w in week.runs() if w.kind in EASY_KINDS]
            if not easy or len(week.runs()) <= 1:
                return
            hard = [d for d, w in week.runs() if w.kind not in EASY_KINDS]
            first = _beside_hard_first([d for d, _ in easy], hard)[0]
            d, w = next(item for item in easy if item[0] == first)
            week.days[d].remove(w)
            self.thinned = True

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
                self._not_held(w)
                workouts[i] = self.render.easy(w.key, floor_m(w.distance_m))

    def _not_held(self, session: Workout) -> None:
        """A quality session that became easy (or left the week) does not count: a hill session
        gives back its step of the seed's 3 → 4 → 5 reps."""
        if session.kind is K.HILLS:
            self.hill_sessions = max(0, self.hill_sessions - 1)

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


def _copied(value: object) -> object:
    """``value`` copied as far as the builder changes it: the run log and the containers it adds
    to (their items, and everything else it holds, are immutable)."""
    if isinstance(value, RunLog):
        return value.copy()
    if isinstance(value, (set, dict, list)):
        return copy.copy(value)
    return value


def _runs(week: PlanWeek) -> list[tuple[date, Workout]]:
    return [(d.day, w) for d in week.days for w in d.workouts if w.is_run]


def _beside_hard_first(days: Sequence[date], hard: Sequence[date]) -> list[date]:
    """``days`` the nearest to a hard session first (then by date): the easy days a week leaves
    free first, so that the hard days get rest around them. Without a hard session, by the
    distance from the first of ``days``."""
    around = hard or days[:1]
    return sorted(days, key=lambda d: (min(abs((d - h).days) for h in around), d))


def _order(workout: Workout) -> tuple[int, str]:
    """Runs before strength on a shared day."""
    return (1 if workout.kind is K.STRENGTH else 0, workout.key)
