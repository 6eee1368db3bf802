"""What every adaptation rule shares: the context of one adaptation (today, the runner, the
activities and how they matched the plan), the plan being edited, the changes noted so far,
and the one question most rules ask: may this session go on that day, and if not, why not?

Pure. Distances in metres, durations in seconds, days as local dates.

Where a session may go (science note §5.4: "never make up missed sessions by stacking"; §4.2
for strength): a quality session or long run may take the place of an easy run (easy, recovery
or strides) on a later day when

* the day is today or later (and today only while nothing has been run yet), inside the plan,
  and one of the runner's run days;
* it is not within 3 days before the race, nor in the easy days after it;
* neither the day before nor the day after holds a hard session (quality, long run, race; done
  or still planned), so that 48 hours separate hard days;
* the day before holds no strength circuit, planned or done (strength is never the day before
  a quality session or long run);
* a long run keeps :data:`MIN_DAYS_BETWEEN_LONG_RUNS` (5) days before the next long run and
  :data:`LONG_RUN_MIN_DAYS_BEFORE_RACE` (7) before the race;
* a quality session finds room in its week (2 a week, 3 in a high-volume week).

When a day fails, :meth:`Adapter.placement` says which of these stands in the way, naming the
session ("Monday is the day before Tuesday's hill repeats"), so that a reason never blames the
wrong thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ampt_sync.domain import (
    QUALITY_KINDS,
    Activity,
    Athlete,
    Change,
    Goal,
    Plan,
    Workout,
    WorkoutKind,
)
from ampt_sync.training.draft import Draft
from ampt_sync.training.layout import (
    HIGH_VOLUME_RUN_DAYS,
    HIGH_VOLUME_WEEK_M,
    MAX_QUALITY,
    MAX_QUALITY_HIGH_VOLUME,
    quality_days_for,
)
from ampt_sync.training.load import RunLog, counts_as_run, week_start
from ampt_sync.training.matching import Matching, Status
from ampt_sync.training.measure import EASY_KINDS, is_goal_race
from ampt_sync.training.periodise import RECOVERY_DAYS, Baseline, race_class
from ampt_sync.training.render import Renderer
from ampt_sync.training.weeks import SHARPENER_MIN_DAYS_BEFORE_RACE
from ampt_sync.training.wording import (
    KIND_WORDS,
    a_session,
    day_name,
    joined,
    session_name,
)
from ampt_sync.units import Units, format_distance

K = WorkoutKind

#: Missed quality sessions and long runs move at most this many days later (§5.4, issue 3).
MOVE_WINDOW_DAYS = 3
#: A moved long run comes at least this many days before the next long run [H]: a coach does
#: not put two long runs closer together. A Sunday long run that was missed may go to Monday
#: (6 days before the next one) or Tuesday (5), not to Wednesday (4).
MIN_DAYS_BETWEEN_LONG_RUNS = 5
#: A long run never moves closer than this many days to the race [H]: the plan's own last long
#: run is a week before it, and race week has none.
LONG_RUN_MIN_DAYS_BEFORE_RACE = 7


def is_hard(workout: Workout | None) -> bool:
    """A quality session, a long run or a race (a time trial too)."""
    return workout is not None and (workout.is_quality or workout.kind in (K.LONG, K.RACE))


@dataclass
class Context:
    """The inputs of one adaptation, fixed while its rules run."""

    athlete: Athlete
    goal: Goal
    today: date
    since: date  # the previous plan's generated_on: days from here on are newly past
    render: Renderer
    matching: Matching
    kinds: dict[int, WorkoutKind | None]  # activity id → classified kind
    activities: Sequence[Activity]
    done: RunLog  # runs on or before today
    units: Units
    #: where the volume starts today: what stands in for the longest recent run with none in
    #: the 30 days before today, and a return from a gap that lets weeks climb back to the usual
    #: load as the planner does (:meth:`~ampt_sync.training.periodise.Baseline.return_allowance_m`)
    baseline: Baseline

    #: the weekly volume assumed before the first run on record (stated, or a beginner's)
    assumed_weekly_m: float = 0.0
    first_recent_run: date | None = None
    _hard_kinds: dict[date, WorkoutKind] | None = field(default=None, repr=False)

    def ran_on(self, day: date) -> bool:
        return self.done.distance_on(day) > 0

    def hard_done(self, day: date) -> WorkoutKind | None:
        """The kind of the hard run (quality, long, race) done on ``day``, if any."""
        if self._hard_kinds is None:
            found: dict[date, WorkoutKind] = {}
            for a in sorted(self.activities, key=lambda a: (a.day, a.start, a.id)):
                kind = self.kinds.get(a.id)
                if counts_as_run(a) and kind is not None and _hard_kind(kind):
                    found.setdefault(a.day, kind)
            self._hard_kinds = found
        return self._hard_kinds.get(day)


def _hard_kind(kind: WorkoutKind) -> bool:
    return kind in QUALITY_KINDS or kind in (K.LONG, K.RACE)


@dataclass(frozen=True)
class Refusal:
    """Why ``day`` cannot take a session: ``text`` is a clause that names the day and what is in
    the way, e.g. "Monday is the day before Tuesday's hill repeats". ``plural`` is the clause's
    predicate for several days at once ("are not run days"), when it names no other day."""

    day: date
    text: str
    plural: str | None = None


def obstacles(refusals: Sequence[Refusal], today: date) -> str:
    """The refusals as one clause: "Monday and Tuesday are not run days and Wednesday holds a
    tempo run". Consecutive refusals that share a plural predicate are said once."""
    groups: list[list[Refusal]] = []
    for refusal in refusals:
        if groups and refusal.plural is not None and groups[-1][-1].plural == refusal.plural:
            groups[-1].append(refusal)
        else:
            groups.append([refusal])
    parts = []
    for group in groups:
        if len(group) == 1:
            parts.append(group[0].text)
        else:
            names = joined([day_name(r.day, today) for r in group])
            parts.append(f"{names} {group[0].plural}")
    return joined(parts)


class Adapter:
    """The plan being edited by the rules (a :class:`Draft`), the changes noted so far, and the
    placement questions the rules share."""

    def __init__(self, plan: Plan, ctx: Context) -> None:
        self.plan = plan  # the plan as it was before the rules: what was planned
        self.ctx = ctx
        self.draft = Draft(plan)
        self.changes: list[Change] = []
        self.schedule = ctx.athlete.schedule
        self.pattern = set(quality_days_for(self.schedule))

    # -- words -------------------------------------------------------------------------------

    def note(self, day: date, key: str | None, reason: str) -> None:
        self.changes.append(Change(day, key, reason))

    def name(self, day: date) -> str:
        return day_name(day, self.ctx.today)

    def distance(self, distance_m: float) -> str:
        return format_distance(distance_m, self.ctx.units)

    # -- hard days ---------------------------------------------------------------------------

    def hard_session(self, day: date, ignoring: str | None = None) -> str | None:
        """The hard session on ``day`` in words ("Tuesday's intervals"), or ``None``. Before
        today a hard run done counts, and a planned one unless it was missed; from today the
        plan counts. ``ignoring`` is the key of the session being moved."""
        ctx = self.ctx
        if day < ctx.today:
            done = ctx.hard_done(day)
            if done is not None:
                return f"{self.name(day)}'s {KIND_WORDS[done]}"
        workout = self.draft.run_on(day)
        if workout is None or workout.key == ignoring or not is_hard(workout):
            return None
        if day < ctx.today:
            match = ctx.matching.by_key.get(workout.key)
            if match is None or match.status is Status.MISSED:
                return None
        return f"{self.name(day)}'s {session_name(workout)}"

    def strength_on(self, day: date) -> bool:
        """A strength circuit on ``day``: done (before today: a missed one tires nobody) or
        planned (from today)."""
        sessions = [w for w in self.draft.days.get(day, ()) if w.kind is K.STRENGTH]
        if day >= self.ctx.today:
            return bool(sessions)
        by_key = self.ctx.matching.by_key
        return any(w.key in by_key and by_key[w.key].status is Status.DONE for w in sessions)

    def on_its_day(self, day: date, workout: Workout) -> bool:
        """Whether ``workout`` is where the plan put it: a quality session on a quality day of
        the weekly pattern, a long run on the long-run day. Elsewhere it has been moved."""
        if workout.kind is K.LONG:
            return day.weekday() == self.schedule.long_run_day
        return day.weekday() in self.pattern

    def next_long_run(self, day: date, ignoring: str | None = None) -> date | None:
        """The first day after ``day`` that holds a long run (other than ``ignoring``), within
        the plan."""
        for d in self.draft.order:
            if d <= day:
                continue
            workout = self.draft.run_on(d)
            if workout is not None and workout.kind is K.LONG and workout.key != ignoring:
                return d
        return None

    # -- where a session may go --------------------------------------------------------------

    def _quality_count(self, day: date, adding: Workout) -> tuple[int, int]:
        """Quality sessions already in ``day``'s week (``adding`` not counted), and how many
        the week may hold."""
        monday = week_start(day)
        runs = self.draft.runs_between(monday, monday + timedelta(days=7))
        count = sum(1 for _, w in runs if w.is_quality and w.key != adding.key)
        volume = sum(w.distance_m for d, w in runs if not is_goal_race(w, d, self.ctx.goal))
        high = (
            len(self.schedule.run_days) >= HIGH_VOLUME_RUN_DAYS
            and volume >= HIGH_VOLUME_WEEK_M
            and self.draft.week_of(day) is not None
        )
        return count, MAX_QUALITY_HIGH_VOLUME if high else MAX_QUALITY

    def placement(self, day: date, moving: Workout) -> Workout | Refusal:
        """The easy run on ``day`` that ``moving`` (a quality session or long run) may replace,
        or what stands in the way (the first rule of the module docstring that fails)."""
        ctx = self.ctx
        name = self.name(day)

        def refuse(text: str, plural: str | None = None) -> Refusal:
            return Refusal(day, f"{name} {text}", plural)

        if day < ctx.today:
            return refuse("is already past", "are already past")
        if day not in self.draft.days:
            return refuse("is beyond the end of the plan", "are beyond the end of the plan")
        if day.weekday() not in self.schedule.run_days:
            return refuse("is not a run day", "are not run days")
        if day == ctx.today and ctx.ran_on(day):
            return Refusal(day, f"{name}'s run is already done")
        goal_day = ctx.goal.day
        to_race = (goal_day - day).days
        if 0 <= to_race <= SHARPENER_MIN_DAYS_BEFORE_RACE:
            return refuse(_before_race(to_race))
        recovery_days = RECOVERY_DAYS[race_class(ctx.goal.distance_m)]
        if goal_day < day <= goal_day + timedelta(days=recovery_days):
            return refuse(
                "is in the easy days after the race", "are in the easy days after the race"
            )
        easy = self.draft.run_on(day)
        if easy is None:
            return refuse("has no run planned", "have no run planned")
        if easy.kind not in EASY_KINDS:
            return refuse(f"holds {a_session(easy)}")
        before, after = day - timedelta(days=1), day + timedelta(days=1)
        hard = self.hard_session(before, moving.key)
        if hard is not None:
            return refuse(f"is the day after {hard}")
        hard = self.hard_session(after, moving.key)
        if hard is not None:
            return refuse(f"is the day before {hard}")
        if self.strength_on(before):
            # strength is never the day before a quality session or long run (§4.2)
            return refuse(f"is the day after {self.name(before)}'s strength circuit")
        if moving.kind is K.LONG:
            spacing = self._long_run_spacing(day, moving)
            if spacing is not None:
                return refuse(spacing)
        if moving.is_quality:
            count, most = self._quality_count(day, moving)
            if count + 1 > most:
                return Refusal(day, f"{name}'s week already has {count} quality sessions")
        return easy

    def _long_run_spacing(self, day: date, moving: Workout) -> str | None:
        """Why a long run cannot go on ``day`` for the next long run or the race being too
        close, or ``None``."""
        ctx = self.ctx
        nearest = self.next_long_run(day, moving.key)
        if nearest is not None and (nearest - day).days < MIN_DAYS_BETWEEN_LONG_RUNS:
            n = (nearest - day).days
            return f"is only {_days(n)} before the next long run"
        to_race = (ctx.goal.day - day).days
        if 0 <= to_race < LONG_RUN_MIN_DAYS_BEFORE_RACE:
            return f"is only {_days(to_race)} before the race"
        return None

    def first_open_day(
        self, day: date, moving: Workout, last: date
    ) -> tuple[date, Workout] | list[Refusal]:
        """The first day after ``day`` up to ``last`` whose easy run ``moving`` may replace,
        with that run; else why each of those days cannot take it."""
        refusals = []
        target = day + timedelta(days=1)
        while target <= last:
            found = self.placement(target, moving)
            if isinstance(found, Workout):
                return target, found
            refusals.append(found)
            target += timedelta(days=1)
        return refusals


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _before_race(days_to_race: int) -> str:
    if days_to_race == 0:
        return "is race day"
    if days_to_race == 1:
        return "is the day before the race"
    return f"is {_days(days_to_race)} before the race"
