"""The adaptation engine: the plan in force + what the runner actually did → the plan brought up
to date, with a reason for every change.

Pure and deterministic like the planner (no clock: ``today`` comes in). The days before today
are history and stay as they were; only today (when nothing was run yet) and the future change.
One exception: a missed session that moves takes its key with it, so it leaves its past day.

What happens, in this order (each rule is idempotent: adapting the adapted plan again on the
same day with the same activities changes nothing, and the same plan comes back):

1. **A new goal** (distance or date) → the future is planned afresh for it.
2. **Run days changed** in the config → the future is planned afresh on the new days.
3. **A gap** of 6+ days without running, newly seen → the future is planned afresh from the
   history: fitness lowered by the time off (``estimate_fitness`` does the VDOT part), volume
   back in Daniels' return-to-load steps, no quality in the first half of the return period.
4. **New paces** (VDOT up or down by 0.5 or more, e.g. after a race or a best effort) → every
   workout from today on is rendered again with the new paces: same keys, same sizes.
5. **Matching** of the activities to the planned workouts (same day ±1 by kind and volume:
   ≥ 70 % done, 30–70 % partial, else missed; runs left over are extra).
6. **Missed sessions** since the last adaptation: an easy run is let go; a quality session moves
   to an easy day within 3 days when that leaves 48 hours before the next hard day (and it was
   not moved before), else it is dropped; a long run moves within 3 days onto an easy day with no
   hard day beside it, else it is skipped. Nothing is stacked: a session takes the place of an
   easy run, and only on a run day.
7. **Overdoing it**: a run ≥ 25 % longer or ≥ 5 % faster than planned (or a hard run that was not
   planned) makes the next day easy: its quality session or long run swaps with a later easy
   run of the week when the spacing rules allow, else becomes an easy run.
8. **Overreaching** (any two signs: EWMA acute:chronic ratio above 1.5; monotony above 2 with a
   rising load; the efficiency factor of easy runs 5 % below its 4-week median on 3+ runs) →
   next week becomes a recovery week (−30 %, no intervals, hills or fartlek).
9. **Safety caps** on the future: every run within 1.10 × the longest run done or planned in the
   30 days before it, every week outside the taper within the weekly build cap of the three weeks
   before it (done weeks count what was done).

Science note sections: §5.4 (compliance, missed sessions), §5.5 (gaps, overreaching), §3.1
(caps), §3.2–3.3 (ACWR, monotony).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ampt_sync.domain import (
    QUALITY_KINDS,
    Activity,
    Athlete,
    Change,
    Fitness,
    Goal,
    Phase,
    Plan,
    Workout,
    WorkoutKind,
)
from ampt_sync.training.draft import Draft, WeekRecord
from ampt_sync.training.layout import (
    HIGH_VOLUME_RUN_DAYS,
    HIGH_VOLUME_WEEK_M,
    MAX_QUALITY,
    MAX_QUALITY_HIGH_VOLUME,
    quality_days_for,
)
from ampt_sync.training.load import (
    RunLog,
    counts_as_run,
    efficiency_factors,
    ewma_acwr,
    floor_m,
    monotony,
    single_run_cap_m,
    week_start,
    weekly_build_cap_m,
)
from ampt_sync.training.matching import Matching, Status, classify_recent, match_activities
from ampt_sync.training.measure import is_goal_race
from ampt_sync.training.periodise import (
    BEGINNER_M_PER_RUN_DAY,
    RECOVERY_DAYS,
    STALE_HISTORY_DAYS,
    baseline,
    race_class,
)
from ampt_sync.training.planner import SHARPENER_MIN_DAYS_BEFORE_RACE, plan_warnings
from ampt_sync.training.render import Renderer
from ampt_sync.training.replan import extend_plan, replan_from
from ampt_sync.training.wording import KIND_WORDS, day_name, distance_text, percent, session_name
from ampt_sync.units import Units

K = WorkoutKind

# ------------------------------------------------------------------------------------------------
# Rule parameters (science note §5.4, §5.5; issue 3)

#: Missed quality sessions and long runs move at most this many days later (issue 3).
MOVE_WINDOW_DAYS = 3
#: A run this much longer, or this much faster, than planned makes the next day easy (issue 3).
OVERSHOOT_LONGER = 1.25
OVERSHOOT_FASTER = 0.05
#: VDOT must move this much before every workout is rendered again with new paces [H]: small
#: daily drifts of the estimate would otherwise rewrite the watch every day.
VDOT_RERENDER_MIN = 0.5
#: The weekly cap is a convention (Buist 2008 found no protection, §3.1): a planned week is
#: trimmed only when it is this much over, so that a small shortfall does not ripple through
#: every later week of the plan day after day.
WEEKLY_CAP_TOLERANCE = 0.03
#: Overreaching signs (§5.5 [H]): any two insert a recovery week of −30 %, no I/R work.
ACWR_WARN = 1.5
MONOTONY_WARN = 2.0
EF_DROP = 0.05
EF_DROP_RUNS = 3
RECOVERY_WEEK_FACTOR = 0.70
OVERREACH_SIGNS_NEEDED = 2
#: How far back the adaptation reads activities: the planner's half year without running that
#: makes history stale, and the 4 chronic weeks before that.
RECENT_DAYS = STALE_HISTORY_DAYS + 35
#: Weeks of the plan that ended longer ago than this are dropped from it (the store keeps them).
PLAN_HISTORY_DAYS = 12 * 7
#: At most this many rounds of the safety caps in one adaptation (they settle in two or three).
CAP_PASSES = 8

EASY_KINDS = frozenset({K.EASY, K.RECOVERY, K.STRIDES})


# ------------------------------------------------------------------------------------------------
# The adaptation


@dataclass
class _Context:
    athlete: Athlete
    goal: Goal
    today: date
    since: date  # the previous plan's generated_on: days from here on are newly past
    render: Renderer
    matching: Matching
    kinds: dict[int, WorkoutKind | None]
    activities: Sequence[Activity]
    done: RunLog  # runs on or before today
    units: Units
    #: what stands in for the longest recent run with none in the 30 days before today
    longest_floor_m: float = 0.0
    #: the weekly volume assumed before the first run on record (stated, or a beginner's)
    assumed_weekly_m: float = 0.0
    first_recent_run: date | None = None
    _hard_days: frozenset[date] | None = None

    def ran_on(self, day: date) -> bool:
        return self.done.distance_on(day) > 0

    def hard_done(self, day: date) -> bool:
        """A hard run (quality, long, race) was done on ``day``."""
        return day in self.hard_days

    @property
    def hard_days(self) -> frozenset[date]:
        if self._hard_days is None:
            self._hard_days = frozenset(
                a.day
                for a in self.activities
                if counts_as_run(a)
                and (
                    self.kinds.get(a.id) in QUALITY_KINDS
                    or self.kinds.get(a.id) in (K.LONG, K.RACE)
                )
            )
        return self._hard_days


def _hard(workout: Workout | None) -> bool:
    return workout is not None and (workout.is_quality or workout.kind in (K.LONG, K.RACE))


class _Adapter:
    def __init__(self, plan: Plan, ctx: _Context) -> None:
        self.plan = plan
        self.ctx = ctx
        self.draft = Draft(plan)
        self.changes: list[Change] = []
        self.schedule = ctx.athlete.schedule
        self.pattern = set(quality_days_for(self.schedule))

    def note(self, day: date, key: str | None, reason: str) -> None:
        self.changes.append(Change(day, key, reason))

    def name(self, day: date) -> str:
        return day_name(day, self.ctx.today)

    def distance(self, distance_m: float) -> str:
        return distance_text(distance_m, self.ctx.units)

    # -- where a session may go --------------------------------------------------------------

    def is_hard(self, day: date, ignoring: str | None = None) -> bool:
        if day < self.ctx.today and self.ctx.hard_done(day):
            return True
        workout = self.draft.run_on(day)
        if workout is None or workout.key == ignoring:
            return False
        if day < self.ctx.today:
            match = self.ctx.matching.by_key.get(workout.key)
            return _hard(workout) and match is not None and match.status is not Status.MISSED
        return _hard(workout)

    def _quality_room(self, day: date, adding: Workout) -> bool:
        monday = week_start(day)
        count = sum(
            1
            for d, w in self.draft.runs_between(monday, monday + timedelta(days=7))
            if w.is_quality and w.key != adding.key
        )
        if not adding.is_quality:
            return True
        week = self.draft.week_of(day)
        volume = sum(
            w.distance_m
            for d, w in self.draft.runs_between(monday, monday + timedelta(days=7))
            if not is_goal_race(w, d, self.ctx.goal)
        )
        high = (
            len(self.schedule.run_days) >= HIGH_VOLUME_RUN_DAYS
            and volume >= HIGH_VOLUME_WEEK_M
            and week is not None
        )
        return count + 1 <= (MAX_QUALITY_HIGH_VOLUME if high else MAX_QUALITY)

    def _open_easy_day(self, day: date, moving: Workout) -> Workout | None:
        """The easy run on ``day`` that ``moving`` may replace, when the rules allow it there."""
        ctx = self.ctx
        if day < ctx.today or day.weekday() not in self.schedule.run_days:
            return None
        if day == ctx.today and ctx.ran_on(day):
            return None
        if day not in self.draft.days:
            return None
        easy = self.draft.run_on(day)
        if easy is None or easy.kind not in EASY_KINDS:
            return None
        goal_day = ctx.goal.day
        if 0 <= (goal_day - day).days < SHARPENER_MIN_DAYS_BEFORE_RACE + 1:
            return None
        recovery_days = RECOVERY_DAYS[race_class(ctx.goal.distance_m)]
        if goal_day < day <= goal_day + timedelta(days=recovery_days):
            return None
        before, after = day - timedelta(days=1), day + timedelta(days=1)
        if self.is_hard(before, moving.key) or self.is_hard(after, moving.key):
            return None
        if self.draft.has_strength(before):
            return None  # strength never the day before a quality session or long run
        if moving.kind is K.LONG:
            later = self.draft.run_on(day + timedelta(days=2))
            if later is not None and later.kind is K.LONG and later.key != moving.key:
                return None
        if not self._quality_room(day, moving):
            return None
        return easy

    def _cap_on(self, day: date, skip_key: str | None = None) -> float:
        """The single-run cap on ``day`` (≥ today): done runs before it, planned runs from
        today to the day before."""
        ctx = self.ctx
        longest = ctx.done.longest_before(day)
        for d, w in self.draft.runs_between(max(ctx.today, day - timedelta(days=30)), day):
            if w.key == skip_key or is_goal_race(w, d, ctx.goal):
                continue
            if d == ctx.today and ctx.ran_on(d):
                continue
            longest = max(longest, w.distance_m)
        longest = max(longest, ctx.longest_floor_m)
        return floor_m(single_run_cap_m(longest))

    # -- rules -------------------------------------------------------------------------------

    def missed_sessions(self) -> None:
        ctx = self.ctx
        missed = sorted(
            (m for m in ctx.matching.by_key.values() if m.status is Status.MISSED),
            key=lambda m: (m.day, m.key),
        )
        for match in missed:
            if not (ctx.since <= match.day < ctx.today):
                continue
            workout = next(
                (w for w in self.draft.days.get(match.day, ()) if w.key == match.key), None
            )
            if workout is None:
                continue
            is_trial = workout.kind is K.RACE and not is_goal_race(workout, match.day, ctx.goal)
            if workout.is_quality or is_trial:
                self._missed_quality(match.day, workout)
            elif workout.kind is K.LONG:
                self._missed_long(match.day, workout)

    def _move_onto(self, source: date, workout: Workout, target: date, easy: Workout) -> None:
        self.draft.remove(source, workout)
        self.draft.replace(target, easy, workout)

    def _missed_quality(self, day: date, workout: Workout) -> None:
        what = session_name(workout)
        if not self._on_its_day(day, workout):
            self.note(
                day,
                workout.key,
                f"{self.name(day)}'s {what} dropped: missed again after it had been moved. "
                "Missed sessions are not made up by squeezing them in.",
            )
            return
        for offset in range(1, MOVE_WINDOW_DAYS + 1):
            target = day + timedelta(days=offset)
            easy = self._open_easy_day(target, workout)
            if easy is None:
                continue
            self._move_onto(day, workout, target, easy)
            self.note(
                target,
                workout.key,
                f"{self.name(day)}'s {what} moved to {self.name(target)}: it was missed, and "
                f"{self.name(target)} still leaves 48 hours before the next hard day.",
            )
            self.note(
                target,
                easy.key,
                f"{self.name(target)}'s {session_name(easy)} makes room for the {what} missed on "
                f"{self.name(day)}.",
            )
            return
        self.note(
            day,
            workout.key,
            f"{self.name(day)}'s {what} dropped: it was missed, and no easy day in the next "
            f"{MOVE_WINDOW_DAYS} days leaves 48 hours before the next hard day. Missed "
            "sessions are not made up by squeezing them in.",
        )

    def _on_its_day(self, day: date, workout: Workout) -> bool:
        """Whether ``workout`` is where the plan put it: a quality session on a quality day of
        the weekly pattern, a long run on the long-run day. Elsewhere it has been moved."""
        if workout.kind is K.LONG:
            return day.weekday() == self.schedule.long_run_day
        return day.weekday() in self.pattern

    def _missed_long(self, day: date, workout: Workout) -> None:
        if self._on_its_day(day, workout):
            for offset in range(1, MOVE_WINDOW_DAYS + 1):
                target = day + timedelta(days=offset)
                if week_start(target) != week_start(day):
                    break  # never into next week, which has its own long run
                easy = self._open_easy_day(target, workout)
                if easy is None:
                    continue
                self._move_onto(day, workout, target, easy)
                self.note(
                    target,
                    workout.key,
                    f"{self.name(day)}'s long run moved to {self.name(target)}: it was missed, "
                    f"and {self.name(target)} has no hard day either side of it.",
                )
                self.note(
                    target,
                    easy.key,
                    f"{self.name(target)}'s {session_name(easy)} makes room for the long run "
                    f"missed on {self.name(day)}.",
                )
                return
            reason = (
                f"no day in the next {MOVE_WINDOW_DAYS} days can take it without a hard day "
                "beside it"
            )
        else:
            reason = "it had already been moved once"
        self.note(
            day,
            workout.key,
            f"{self.name(day)}'s long run skipped: it was missed, and {reason}. The next long "
            "run stays within 10% of your longest recent run.",
        )

    def overshoot(self) -> None:
        """A run far beyond plan makes the next day easy."""
        ctx = self.ctx
        first = self.draft.order[0] if self.draft.order else ctx.today
        for a in sorted(ctx.activities, key=lambda a: (a.day, a.start, a.id)):
            if not counts_as_run(a) or not (ctx.today - timedelta(days=1) <= a.day <= ctx.today):
                continue
            if a.day < first:
                continue  # run before this plan began: the plan was made knowing it
            why = self._overshoot_reason(a)
            if why is None:
                continue
            following = a.day + timedelta(days=1)
            if following < ctx.today or (following == ctx.today and ctx.ran_on(following)):
                continue
            workout = self.draft.run_on(following)
            if (
                workout is None
                or not (_hard(workout))
                or is_goal_race(workout, following, ctx.goal)
            ):
                continue
            self._make_easy(following, workout, why)

    def _overshoot_reason(self, a: Activity) -> str | None:
        ctx = self.ctx
        name = self.name(a.day)
        key = next((m.key for m in ctx.matching.by_key.values() if m.activity_id == a.id), None)
        if key is None:
            kind = ctx.kinds.get(a.id)
            if kind is K.RACE:
                return f"you raced on {name}"
            if kind in QUALITY_KINDS or kind is K.LONG:
                return f"{name}'s hard {KIND_WORDS[kind]} was not in the plan"
            return None
        planned = next((w for d in self.plan.days() for w in d.workouts if w.key == key), None)
        if planned is None or planned.kind is K.RACE or planned.distance_m <= 0:
            return None
        if ctx.kinds.get(a.id) is K.RACE and planned.kind is not K.RACE:
            return f"you raced on {name}"
        longer = a.distance_m / planned.distance_m
        if longer >= OVERSHOOT_LONGER:
            return f"{name}'s run was {percent(longer - 1)} longer than planned"
        if planned.duration_s > 0 and a.moving_time_s > 0:
            planned_pace = planned.duration_s / planned.distance_m
            pace = a.moving_time_s / a.distance_m
            faster = 1 - pace / planned_pace
            if faster >= OVERSHOOT_FASTER:
                return f"{name}'s run was {percent(faster)} faster than planned"
        return None

    def _make_easy(self, day: date, workout: Workout, why: str) -> None:
        what = session_name(workout)
        monday = week_start(day)
        last = monday + timedelta(days=6)
        if workout.kind is K.LONG:
            last = min(last, day + timedelta(days=MOVE_WINDOW_DAYS))
        if not self._on_its_day(day, workout):
            last = day  # a session moves once; after that it is made easy where it is
        target = day + timedelta(days=1)
        while target <= last:
            easy = self._open_easy_day_for_swap(target, workout, day)
            if easy is not None:
                self.draft.replace(day, workout, easy)
                self.draft.replace(target, easy, workout)
                self.note(
                    target,
                    workout.key,
                    f"{self.name(day)}'s {what} moved to {self.name(target)}: {why}.",
                )
                for strength in [w for w in self.draft.days[day] if w.kind is K.STRENGTH]:
                    self.draft.remove(day, strength)
                    self.draft.days[target].append(strength)
                    self.note(
                        target,
                        strength.key,
                        f"{self.name(day)}'s strength circuit moved to {self.name(target)} "
                        f"with the {what}.",
                    )
                self.note(
                    day,
                    easy.key,
                    f"{self.name(target)}'s {session_name(easy)} moved to {self.name(day)}: it "
                    f"swaps with the {what}.",
                )
                return
            target += timedelta(days=1)
        size = workout.distance_m
        if workout.kind is K.LONG:
            typical = [
                w.distance_m
                for _, w in self.draft.runs_between(monday, monday + timedelta(days=7))
                if w.kind is K.EASY
            ]
            size = statistics.median(typical) if typical else workout.distance_m / 2
        size = floor_m(min(size, self._cap_on(day, workout.key)))
        easy_run = self.ctx.render.easy(workout.key, max(1000.0, size))
        self.draft.replace(day, workout, easy_run)
        self.note(
            day,
            workout.key,
            f"{self.name(day)}'s {what} became an easy {self.distance(easy_run.distance_m)} run: "
            f"{why}, and no later day this week has room for it.",
        )

    def _open_easy_day_for_swap(self, day: date, moving: Workout, leaving: date) -> Workout | None:
        """Like :meth:`_open_easy_day`, with ``leaving`` (which becomes easy) not counted hard.
        A strength session on ``leaving`` goes along with the session (it sits with its quality
        run), so ``day`` must not hold one already."""
        original = list(self.draft.days[leaving])
        strength = [w for w in original if w.kind is K.STRENGTH]
        if strength and self.draft.has_strength(day):
            return None
        # Pretend the leaving day is empty while looking.
        self.draft.days[leaving] = [w for w in original if w is not moving and w not in strength]
        try:
            return self._open_easy_day(day, moving)
        finally:
            self.draft.days[leaving] = original

    def overreaching(self) -> None:
        ctx = self.ctx
        signs = []
        acwr = ewma_acwr(ctx.done, ctx.today)
        if acwr is not None and acwr > ACWR_WARN:
            signs.append(f"your last week's load was {acwr:.1f}× your usual")
        week_now = ctx.done.distance_between(
            ctx.today - timedelta(days=6), ctx.today + timedelta(days=1)
        )
        week_before = ctx.done.distance_between(
            ctx.today - timedelta(days=13), ctx.today - timedelta(days=6)
        )
        if monotony(ctx.done, ctx.today) > MONOTONY_WARN and week_now > week_before:
            signs.append("day after day of the same load while it was rising")
        paces = ctx.render.paces
        recent = efficiency_factors(
            ctx.activities,
            ctx.today - timedelta(days=6),
            ctx.today + timedelta(days=1),
            slower_than_s_per_km=paces.easy[0],
        )
        before = efficiency_factors(
            ctx.activities,
            ctx.today - timedelta(days=34),
            ctx.today - timedelta(days=6),
            slower_than_s_per_km=paces.easy[0],
        )
        if len(before) >= 3 and recent:
            median = statistics.median(ef for _, ef in before)
            low = [ef for _, ef in recent if ef <= (1 - EF_DROP) * median]
            if len(low) >= EF_DROP_RUNS:
                signs.append("your easy runs took more heartbeats than usual")
        if len(signs) < OVERREACH_SIGNS_NEEDED:
            return
        monday = week_start(ctx.today) + timedelta(weeks=1)
        week = self.draft.week_of(monday)
        current = self.draft.week_of(ctx.today)
        if week is None or week.cutback or (current is not None and current.cutback):
            return
        if week.phase not in (Phase.BASE, Phase.STRENGTH, Phase.SPEED, Phase.MAINTENANCE):
            return
        target = floor_m(RECOVERY_WEEK_FACTOR * week.planned_distance_m)
        for d in [x for x in self.draft.order if week_start(x) == monday]:
            for w in list(self.draft.days[d]):
                new = self._resized(w, RECOVERY_WEEK_FACTOR, target, d, no_fast=True)
                if new is not w:
                    self.draft.replace(d, w, new)
        week.cutback = True
        week.planned_distance_m = target
        self.note(
            monday,
            None,
            f"Recovery week from {self.name(monday)}: {' and '.join(signs)}. Volume is down 30% "
            "with no intervals, hills or fartlek; the build resumes after it.",
        )

    def _resized(
        self, w: Workout, factor: float, week_m: float, day: date, *, no_fast: bool = False
    ) -> Workout:
        render = self.ctx.render
        if w.kind is K.STRENGTH:
            return render.strength(w.key, light=True) if no_fast else w
        if not w.is_run or is_goal_race(w, day, self.ctx.goal):
            return w
        if w.kind is K.RACE:
            return w  # a time trial keeps its distance
        if w.is_quality and (no_fast and w.kind is not K.TEMPO):
            return render.easy(w.key, max(1000.0, floor_m(factor * w.distance_m)))
        if w.is_quality:
            return render.rerender(w, week_m)
        if w.kind is K.RECOVERY:
            return render.recovery(w.key, max(20 * 60, 60 * (factor * w.duration_s // 60)))
        size = max(1000.0, floor_m(factor * w.distance_m))
        if w.kind is K.LONG:
            return render.long(w.key, size, week_m)
        if w.kind is K.STRIDES:
            return render.strides(w.key, size, week_m)
        return render.easy(w.key, size)

    def single_run_caps(self) -> None:
        """Shorten every run from today on that is longer than 1.10 × the longest run in the
        30 days before it: done runs up to today, planned runs from today (in date order, so a
        shortened run lowers the caps after it). One pass with a sliding window."""
        ctx = self.ctx
        window: dict[date, float] = {}  # day → longest run done or planned that counts
        first = ctx.today - timedelta(days=30)
        for n in range(31):
            day = first + timedelta(days=n)
            if day < ctx.today or ctx.ran_on(day):
                window[day] = ctx.done.longest_before(day + timedelta(days=1), 1)
        for d in self.draft.order:
            if d < ctx.today:
                continue
            workout = self.draft.run_on(d)
            if d == ctx.today and ctx.ran_on(d):
                workout = None  # today's run is done: it is in the window already
            if workout is not None and is_goal_race(workout, d, ctx.goal):
                window[d] = workout.distance_m  # exempt from the cap, but a longest run after it
            elif workout is not None:
                # the window holds exactly the 30 days before d (older ones are dropped below)
                longest = max(window.values(), default=0.0)
                cap = floor_m(single_run_cap_m(max(longest, ctx.longest_floor_m)))
                if workout.distance_m > cap:
                    week = self.draft.week_of(d)
                    week_m = week.planned_distance_m if week is not None else 0.0
                    new = self._shortened(workout, cap, week_m)
                    self.draft.replace(d, workout, new)
                    self.note(
                        d,
                        workout.key,
                        f"{self.name(d)}'s {session_name(workout)} shortened from "
                        f"{self.distance(workout.distance_m)} to "
                        f"{self.distance(new.distance_m)}: your longest run in the 30 days "
                        f"before it is {self.distance(cap / 1.10)}, and no run goes more than "
                        "10% beyond that.",
                    )
                    workout = new
                window[d] = workout.distance_m
            window.pop(d - timedelta(days=30), None)

    def _shortened(self, w: Workout, cap_m: float, week_m: float) -> Workout:
        render = self.ctx.render
        if w.kind is K.LONG:
            return render.long(w.key, cap_m, week_m)
        if w.kind is K.STRIDES:
            return render.strides(w.key, cap_m, week_m)
        if w.kind is K.RECOVERY:
            minutes = int(cap_m / 1000 * render.recovery_s_per_km // 60)
            return render.recovery(w.key, max(60, minutes * 60))
        if w.is_quality:
            trimmed = render.shortened_quality(w, week_m, cap_m)
            if trimmed is not None:
                return trimmed
        return render.easy(w.key, max(1000.0, cap_m))

    def weekly_caps(self) -> None:
        ctx = self.ctx
        first_trimmed: tuple[WeekRecord, float, float, float] | None = None
        count = 0
        volumes: dict[date, float] = {}  # week volumes, filled in order (a trim updates its own)

        def volume_of(monday: date) -> float:
            if monday not in volumes:
                volumes[monday] = self._week_volume(monday)
            return volumes[monday]

        for week in self.draft.weeks:
            if week.monday <= ctx.today or week.phase in (Phase.TAPER, Phase.RACE):
                continue
            reference = max(volume_of(week.monday - timedelta(weeks=n)) for n in (1, 2, 3))
            if reference <= 0:
                continue
            cap = floor_m(weekly_build_cap_m(reference))
            volume = volume_of(week.monday)
            if volume <= cap * (1 + WEEKLY_CAP_TOLERANCE):
                continue
            factor = cap / volume
            before = volume
            target = floor_m(min(week.planned_distance_m, week.planned_distance_m * factor))
            for d in [x for x in self.draft.order if week_start(x) == week.monday]:
                for w in list(self.draft.days[d]):
                    new = self._resized(w, factor, target, d)
                    if new is not w:
                        self.draft.replace(d, w, new)
            # Rounding up of short runs can leave a little over: trim the longest easy runs.
            self._trim_week(week.monday, cap)
            week.planned_distance_m = target
            count += 1
            volumes[week.monday] = self._week_volume(week.monday)
            if first_trimmed is None:
                first_trimmed = (week, before, volumes[week.monday], reference)
        if first_trimmed is not None:
            week, before, after, reference = first_trimmed
            more = ""
            if count == 2:
                more = " The week after it follows from there."
            elif count > 2:
                more = f" The {count - 1} weeks after it follow from there."
            self.note(
                week.monday,
                None,
                f"Week of {self.name(week.monday)} trimmed from {self.distance(before)} to "
                f"{self.distance(after)}: no week goes more than 10% above your biggest recent "
                f"week ({self.distance(reference)}).{more}",
            )

    def _week_volume(self, monday: date) -> float:
        """Done (to today) and planned (from today) running of the week starting ``monday``,
        the goal race left out. A week before today with no run recorded in it or before it
        (in the last half year) counts as the volume the planner assumed: the runner's stated
        weekly distance (or a beginner's), as :func:`~ampt_sync.training.periodise.baseline`
        does."""
        ctx = self.ctx
        if monday < week_start(ctx.today) and (
            ctx.first_recent_run is None or monday < week_start(ctx.first_recent_run)
        ):
            return ctx.assumed_weekly_m
        end = monday + timedelta(days=7)
        done = ctx.done.distance_between(monday, min(end, ctx.today + timedelta(days=1)))
        planned = sum(
            w.distance_m
            for d, w in self.draft.runs_between(max(monday, ctx.today), end)
            if not is_goal_race(w, d, ctx.goal) and not (d == ctx.today and ctx.ran_on(d))
        )
        return done + planned

    def _trim_week(self, monday: date, cap: float) -> None:
        while self._week_volume(monday) > cap:
            runs = [
                (d, w)
                for d, w in self.draft.runs_between(monday, monday + timedelta(days=7))
                if w.kind in (K.EASY, K.LONG) and w.distance_m > 1000 and d >= self.ctx.today
            ]
            if not runs:
                return
            # Easy runs first: the long run is what the next weeks' single-run caps build on.
            d, w = max(runs, key=lambda item: (item[1].kind is K.EASY, item[1].distance_m, item[0]))
            excess = self._week_volume(monday) - cap
            size = max(1000.0, floor_m(w.distance_m - max(100.0, excess)))
            new = (
                self.ctx.render.long(w.key, size, 0.0)
                if w.kind is K.LONG
                else self.ctx.render.easy(w.key, size)
            )
            self.draft.replace(d, w, new)


# ------------------------------------------------------------------------------------------------
# Public API


def adapt_plan(
    previous: Plan,
    activities: Sequence[Activity],
    athlete: Athlete,
    goal: Goal,
    fitness: Fitness,
    today: date,
) -> Plan:
    """``previous`` brought up to ``today`` with what the runner did. The returned plan's
    ``changes`` are the changes made now, each with its reason; when there is nothing to change,
    ``previous`` itself comes back (same content, same ``generated_on``), so saving it is a
    no-op. ``fitness`` is today's estimate; ``activities`` every activity known (any order)."""
    if today < previous.generated_on:
        return previous
    changes: list[Change] = []
    history = [a for a in activities if a.day < today]  # for the planner, when it plans afresh
    # Every rule here looks back at most half a year (the planner's "stale history" limit and
    # the chronic weeks before it), so the cost does not grow with years of history.
    activities = [a for a in activities if today - timedelta(days=RECENT_DAYS) <= a.day <= today]
    plan = previous
    replanned = False

    # 1–3: a new goal, new run days, a gap: plan the future afresh
    why = _replan_reason(previous, activities, athlete, goal, today)
    if why is not None:
        fresh = replan_from(previous, goal, athlete, fitness, history, today)
        changes.append(Change(today, None, why))
        changes.extend(_diff_changes(previous, fresh, today, why, athlete.units))
        plan, replanned = fresh, True
    else:
        if goal != previous.goal:  # the same race, renamed or with a new target
            plan = replace(plan, goal=goal)
        plan = extend_plan(plan, athlete, plan.fitness, history, today)
        # 4: new paces
        old_vdot = previous.fitness.vdot
        if abs(fitness.vdot - old_vdot) >= VDOT_RERENDER_MIN or (
            previous.fitness.needs_time_trial and not fitness.needs_time_trial
        ):
            plan = _rerender(plan, athlete, goal, fitness, today, activities)
            direction = "faster" if fitness.vdot > old_vdot else "slower"
            changes.append(
                Change(
                    today,
                    None,
                    f"New paces from {fitness.source.split(';')[0]}: VDOT {old_vdot:.1f} → "
                    f"{fitness.vdot:.1f}. Workouts from today use the {direction} paces.",
                )
            )
        elif goal != previous.goal:
            plan = _rerender_race(plan, athlete, goal, today)

    # 5: matching, then 6–9
    past_log = RunLog(a for a in activities if a.day < today)
    start = baseline(athlete, past_log, today)
    first = plan.days()[0].day if plan.weeks else today
    kinds = classify_recent(activities, plan.fitness, athlete, first, today)
    matching = match_activities(plan, activities, today, kinds=kinds)
    ctx = _Context(
        athlete=athlete,
        goal=goal,
        today=today,
        since=previous.generated_on,
        render=Renderer(athlete, goal, plan.fitness.paces, plan.fitness.vdot),
        matching=matching,
        kinds=kinds,
        # what the rules look at: the plan's days and the 5 weeks before today (efficiency)
        activities=[
            a for a in activities if min(first, today - timedelta(days=35)) <= a.day <= today
        ],
        done=RunLog(a for a in activities if a.day <= today),
        units="mi" if athlete.units == "mi" else "km",
        longest_floor_m=start.longest_floor_m,
        assumed_weekly_m=athlete.weekly_distance_m
        or BEGINNER_M_PER_RUN_DAY * len(athlete.schedule.run_days),
        first_recent_run=next(
            (d for d in past_log.run_days if d >= today - timedelta(days=STALE_HISTORY_DAYS)),
            None,
        ),
    )
    adapter = _Adapter(plan, ctx)
    if not replanned:
        adapter.missed_sessions()
        adapter.overshoot()
        adapter.overreaching()
    # The caps only ever shorten, and a shortened run or week can lower a later cap: repeat
    # until nothing moves, so that adapting again on the same day finds nothing to do.
    for _ in range(CAP_PASSES):
        before = len(adapter.changes)
        adapter.single_run_caps()
        adapter.weekly_caps()
        if len(adapter.changes) == before:
            break
    changes.extend(adapter.changes)
    plan = adapter.draft.to_plan(plan)

    plan = replace(plan, warnings=plan_warnings(goal, athlete, plan.fitness, today, start))
    plan = _prune(plan, today)
    if not changes and _same_content(plan, previous):
        return previous
    return replace(plan, generated_on=today, changes=tuple(changes))


def _prune(plan: Plan, today: date) -> Plan:
    """``plan`` without the weeks that ended more than 12 weeks ago: the store keeps them in
    the older versions, and a plan that runs on for years stays small."""
    horizon = today - timedelta(days=PLAN_HISTORY_DAYS)
    kept = tuple(w for w in plan.weeks if not w.days or w.days[-1].day >= horizon)
    return plan if len(kept) == len(plan.weeks) else replace(plan, weeks=kept)


def _same_content(a: Plan, b: Plan) -> bool:
    return (a.weeks, a.fitness, a.goal, a.warnings) == (b.weeks, b.fitness, b.goal, b.warnings)


def _replan_reason(
    previous: Plan, activities: Sequence[Activity], athlete: Athlete, goal: Goal, today: date
) -> str | None:
    schedule = athlete.schedule
    old = previous.goal
    if (old.distance_m, old.day) != (goal.distance_m, goal.day):
        name = goal.race or "your race"
        return f"New goal: {name} on {goal.day.isoformat()}. The plan from today is built for it."
    future = [d for d in previous.days() if d.day >= today]
    # A moved long run lands at most 3 days after its day, so at most in next week.
    settled = week_start(today) + timedelta(weeks=1)
    for d in future:
        runs = [w for w in d.workouts if w.is_run]
        off_day = d.day.weekday() not in schedule.run_days
        if (not runs and not off_day) or any(
            off_day and not is_goal_race(w, d.day, previous.goal) for w in runs
        ):
            return "Your run days changed: the plan from today follows the new ones."
        if week_start(d.day) > settled and any(
            w.kind is K.LONG and d.day.weekday() != schedule.long_run_day for w in runs
        ):
            return "Your long-run day changed: the plan from today follows it."
    log = RunLog(a for a in activities if a.day < today)
    gaps = log.gaps(today - timedelta(weeks=8), today)
    if gaps and gaps[-1].last >= previous.generated_on:
        gap = gaps[-1]
        ongoing = gap.last >= today - timedelta(days=1)
        days = (today - gap.first).days if ongoing else gap.days
        since = "" if ongoing else f" until {day_name(gap.last, today)}"
        return (
            f"{days} days without running{since}: easing back in at about half your usual "
            "volume, then three quarters, with easy running only at first; paces allow for the "
            "time off."
        )
    return None


def _diff_changes(previous: Plan, fresh: Plan, today: date, why: str, units: str) -> list[Change]:
    """One change per workout of the next 7 days that the replan moved, resized, changed or
    removed, with the replan's reason."""
    unit: Units = "mi" if units == "mi" else "km"
    horizon = today + timedelta(days=7)
    old = {
        w.key: (d.day, w) for d in previous.days() if today <= d.day < horizon for w in d.workouts
    }
    new = {w.key: (d.day, w) for d in fresh.days() if d.day >= today for w in d.workouts}
    short = why.split(":")[0]
    changes = []
    for key, (day, w) in sorted(old.items(), key=lambda item: (item[1][0], item[0])):
        if key not in new:
            changes.append(
                Change(day, key, f"{day_name(day, today)}'s {session_name(w)} removed: {short}.")
            )
            continue
        new_day, n = new[key]
        if (new_day, n) == (day, w):
            continue
        if new_day != day:
            text = f"{day_name(day, today)}'s {session_name(w)} moved to {day_name(new_day, today)}"
        elif n.kind is not w.kind:
            text = f"{day_name(day, today)}'s {session_name(w)} is now an {session_name(n)}"
        elif n.distance_m != w.distance_m:
            now, was = distance_text(n.distance_m, unit), distance_text(w.distance_m, unit)
            text = f"{day_name(day, today)}'s {session_name(w)} now {now} instead of {was}"
        else:
            text = f"{day_name(day, today)}'s {session_name(w)} updated"
        changes.append(Change(new_day, key, f"{text}: {short}."))
    for key, (day, n) in sorted(new.items(), key=lambda item: (item[1][0], item[0])):
        if (
            day < horizon
            and key not in old
            and not any(key == w.key for d in previous.days() for w in d.workouts)
        ):
            text = f"{day_name(day, today)}: {session_name(n)} added: {short}."
            changes.append(Change(day, key, text))
    return changes


def _rerender(
    plan: Plan,
    athlete: Athlete,
    goal: Goal,
    fitness: Fitness,
    today: date,
    activities: Sequence[Activity],
) -> Plan:
    """Every workout from today on again with ``fitness``' paces: same keys, same sizes."""
    render = Renderer(athlete, goal, fitness.paces, fitness.vdot)
    ran_today = any(a.day == today and counts_as_run(a) for a in activities)
    weeks = []
    for week in plan.weeks:
        days = []
        for d in week.days:
            if d.day < today or (d.day == today and ran_today):
                days.append(d)
                continue
            days.append(
                replace(
                    d,
                    workouts=tuple(render.rerender(w, week.planned_distance_m) for w in d.workouts),
                )
            )
        weeks.append(replace(week, days=tuple(days)))
    return replace(plan, fitness=fitness, goal=goal, weeks=tuple(weeks))


def _rerender_race(plan: Plan, athlete: Athlete, goal: Goal, today: date) -> Plan:
    render = Renderer(athlete, goal, plan.fitness.paces, plan.fitness.vdot)
    weeks = []
    for week in plan.weeks:
        days = tuple(
            replace(
                d,
                workouts=tuple(
                    render.race(w.key) if d.day >= today and is_goal_race(w, d.day, goal) else w
                    for w in d.workouts
                ),
            )
            for d in week.days
        )
        weeks.append(replace(week, days=days))
    return replace(plan, goal=goal, weeks=tuple(weeks))


__all__ = ["adapt_plan"]
