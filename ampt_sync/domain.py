"""The vocabulary of ampt-sync: plain, frozen data. Standard library only.

Quantities carry their unit in their name (``distance_m``, ``duration_s``, ``pace_s_per_km``,
``speed_mps``, ``hr_bpm``). The one exception is :class:`Paces`, whose field names are fixed by the
plan's JSON contract; all of them are seconds per kilometre.

Words used throughout:

*key*
    The stable identity of a planned workout (``"w-7f3a…"``). Assigned when the workout is first
    planned and kept when it is moved or resized; the Garmin push matches on it.
*day*
    A local calendar date in the athlete's time zone (``datetime.date``). Never a datetime.
*content hash*
    A digest of everything about a workout that reaches the watch (see :mod:`ampt_sync.plan_json`);
    the push rewrites a Garmin workout only when it changes.

Constructors validate what a wrong value would silently corrupt downstream and raise
``ValueError`` with the reason; they do not re-check what the config layer already guarantees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from ampt_sync.instruction_bounds import (
    INSTRUCTION_SOURCES,
    RACE_PRIORITIES,
    UNWELL_LEVELS,
    UNWELL_MAX_DAYS,
)

#: Strava sport types that count as running. Everything else is cross-training.
RUN_SPORTS = frozenset({"Run", "TrailRun", "VirtualRun"})

#: Monday = 0 … Sunday = 6, as ``date.weekday()``; the config's three-letter names in that order.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class WorkoutKind(StrEnum):
    EASY = "easy"
    RECOVERY = "recovery"
    LONG = "long"
    TEMPO = "tempo"
    INTERVALS = "intervals"
    FARTLEK = "fartlek"
    HILLS = "hills"
    STRIDES = "strides"
    STRENGTH = "strength"
    RACE = "race"
    REST = "rest"


#: Kinds that count as "quality" (hard) sessions for the weekly limits.
QUALITY_KINDS = frozenset(
    {WorkoutKind.INTERVALS, WorkoutKind.TEMPO, WorkoutKind.FARTLEK, WorkoutKind.HILLS}
)
#: Kinds that are runs (everything but strength and rest).
RUN_KINDS = frozenset(WorkoutKind) - {WorkoutKind.STRENGTH, WorkoutKind.REST}


class StepRole(StrEnum):
    WARMUP = "warmup"
    WORK = "work"
    RECOVERY = "recovery"
    REST = "rest"
    COOLDOWN = "cooldown"
    OTHER = "other"


class Phase(StrEnum):
    """Training phases, in AMPT/RRCA order, then what follows the race."""

    BASE = "base"
    STRENGTH = "strength"
    SPEED = "speed"
    TAPER = "taper"
    RACE = "race"
    RECOVERY = "recovery"
    MAINTENANCE = "maintenance"


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


# --------------------------------------------------------------------------------------------
# What the runner did (from Strava)


@dataclass(frozen=True, slots=True)
class BestEffort:
    """A fastest segment inside an activity, as Strava computes it (e.g. ``"5K"``)."""

    name: str
    distance_m: float
    elapsed_time_s: float


@dataclass(frozen=True, slots=True)
class Lap:
    """A watch lap (manual or auto); intervals show up as alternating fast and slow laps."""

    distance_m: float
    elapsed_time_s: float
    moving_time_s: float
    average_speed_mps: float
    max_speed_mps: float | None = None
    average_hr_bpm: float | None = None


@dataclass(frozen=True, slots=True)
class Split:
    """One kilometre of an activity (Strava's ``splits_metric``)."""

    distance_m: float
    elapsed_time_s: float
    moving_time_s: float
    average_speed_mps: float
    average_grade_adjusted_speed_mps: float | None = None
    average_hr_bpm: float | None = None
    elevation_difference_m: float | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    """One recorded activity, reduced to what training decisions need.

    ``start`` is aware (UTC); ``day`` is the local date of Strava's ``start_date_local``.
    ``best_efforts``, ``laps`` and ``splits_km`` are empty unless the detailed activity was fetched.
    ``source`` is where it was read from (``"strava"``, ``"garmin"`` or ``"intervals"``); ``id``
    is unique across sources (Garmin Connect's and intervals.icu's activities have negative ids,
    see the store). Garmin Connect and intervals.icu give laps but no best efforts; their
    kilometre splits are their laps when they are kilometre auto-laps.
    """

    id: int
    sport: str
    name: str
    start: datetime
    day: date
    distance_m: float
    moving_time_s: float
    elapsed_time_s: float
    elevation_gain_m: float = 0.0
    average_speed_mps: float | None = None
    max_speed_mps: float | None = None
    average_hr_bpm: float | None = None
    max_hr_bpm: float | None = None
    workout_type: int | None = None
    manual: bool = False
    trainer: bool = False
    best_efforts: tuple[BestEffort, ...] = ()
    laps: tuple[Lap, ...] = ()
    splits_km: tuple[Split, ...] = ()
    source: str = "strava"

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError(f"activity {self.id}: start must be timezone-aware")

    @property
    def is_run(self) -> bool:
        return self.sport in RUN_SPORTS


# --------------------------------------------------------------------------------------------
# Who the runner is and what they aim for


@dataclass(frozen=True, slots=True)
class RaceResult:
    """A race (or time trial) result: ``distance_m`` in ``duration_s``; ``day`` when known."""

    distance_m: float
    duration_s: float
    day: date | None = None

    def __post_init__(self) -> None:
        if self.distance_m <= 0 or self.duration_s <= 0:
            raise ValueError("a race result needs a positive distance and time")


@dataclass(frozen=True, slots=True)
class Goal:
    """The goal race. ``target_s`` is a wish; it never sets training paces.

    ``hot`` says whether race day is expected hot: ``True`` or ``False`` as the runner said, or
    ``None`` to leave it to a rule of thumb (:func:`ampt_sync.training.heat.race_is_hot`).
    """

    distance_m: float
    day: date
    race: str = ""
    target_s: float | None = None
    hot: bool | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """When the runner can train. Weekdays are ``date.weekday()`` numbers (Monday = 0).

    ``strength_days`` is ``None`` when the planner may choose.
    ``hills`` is where hill repeats happen: ``"outdoor"``, ``"treadmill"`` or ``"garage"``.
    """

    run_days: tuple[int, ...]
    long_run_day: int
    strength_days: tuple[int, ...] | None = None
    hills: str = "outdoor"

    def __post_init__(self) -> None:
        if self.long_run_day not in self.run_days:
            raise ValueError("the long-run day must be one of the run days")


@dataclass(frozen=True, slots=True)
class Athlete:
    """The runner. ``units`` ("km" | "mi") is only how things are shown; data stays SI.

    ``birth_year`` is all that is known of the runner's age (see :meth:`age_on`).
    """

    name: str
    timezone: str
    units: str
    schedule: Schedule
    hr_max_bpm: int | None = None
    hr_rest_bpm: int | None = None
    weight_kg: float | None = None
    recent_race: RaceResult | None = None
    weekly_distance_m: float | None = None
    birth_year: int | None = None

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day``, or ``None`` without a ``birth_year``.

        Only the year of birth is known, so the birthday is taken to be 1 July: the age is right
        for half the runners and at most one year off for the others (an age rule then starts
        at most half a year early or late).
        """
        if self.birth_year is None:
            return None
        return day.year - self.birth_year - (1 if (day.month, day.day) < (7, 1) else 0)


# --------------------------------------------------------------------------------------------
# Current fitness


@dataclass(frozen=True, slots=True)
class Paces:
    """Daniels training paces in seconds per km. ``easy`` is (fast end, slow end)."""

    easy: tuple[float, float]
    marathon: float
    threshold: float
    interval: float
    repetition: float


@dataclass(frozen=True, slots=True)
class Fitness:
    """What the runner can do today, and how we know.

    ``source`` is human-readable ("race 2026-10-04 10K"). ``needs_time_trial`` asks the planner
    to schedule a time trial early because there was no race or hard effort to go by (the
    estimate is a guess or a floor from the everyday easy pace).
    """

    vdot: float
    paces: Paces
    source: str
    confidence: Confidence
    as_of: date
    critical_speed_mps: float | None = None
    d_prime_m: float | None = None
    needs_time_trial: bool = False


# --------------------------------------------------------------------------------------------
# Structured workouts


@dataclass(frozen=True, slots=True)
class End:
    """How a step ends: exactly one of distance, duration, the lap button, or a number of reps."""

    distance_m: float | None = None
    duration_s: float | None = None
    lap_button: bool = False
    reps: int | None = None

    def __post_init__(self) -> None:
        given = [
            self.distance_m is not None,
            self.duration_s is not None,
            self.lap_button,
            self.reps is not None,
        ]
        if sum(given) != 1:
            raise ValueError(
                "a step ends by exactly one of distance_m, duration_s, lap_button, reps"
            )
        for value in (self.distance_m, self.duration_s, self.reps):
            if value is not None and value <= 0:
                raise ValueError("a step's end must be positive")


@dataclass(frozen=True, slots=True)
class Target:
    """Exactly one of: a pace range (fast, slow) in s/km, a heart-rate zone 1–5, a bpm range."""

    pace_s_per_km: tuple[float, float] | None = None
    hr_zone: int | None = None
    hr_bpm: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        given = [self.pace_s_per_km is not None, self.hr_zone is not None, self.hr_bpm is not None]
        if sum(given) != 1:
            raise ValueError("a target is exactly one of pace_s_per_km, hr_zone, hr_bpm")
        if self.pace_s_per_km is not None:
            fast, slow = self.pace_s_per_km
            if not 0 < fast <= slow:
                raise ValueError("a pace range is (fast, slow) with 0 < fast <= slow")
        if self.hr_zone is not None and not 1 <= self.hr_zone <= 5:
            raise ValueError("a heart-rate zone is 1 to 5")
        if self.hr_bpm is not None:
            low, high = self.hr_bpm
            if not 0 < low <= high:
                raise ValueError("a heart-rate range is (low, high) with 0 < low <= high")


@dataclass(frozen=True, slots=True)
class Exercise:
    """A strength exercise, with its Garmin exercise-catalogue category and name.

    ``load`` is the seed's guidance ("medium", "heavy"); ``weight_kg`` is set only when known.
    """

    name: str
    garmin_category: str
    garmin_exercise: str
    load: str = ""
    weight_kg: float | None = None


@dataclass(frozen=True, slots=True)
class Step:
    role: StepRole
    end: End
    target: Target | None = None
    note: str = ""
    exercise: Exercise | None = None


@dataclass(frozen=True, slots=True)
class Repeat:
    """``times`` repetitions of ``steps``; at least two repetitions and one step."""

    times: int
    steps: tuple[Step | Repeat, ...]

    def __post_init__(self) -> None:
        if self.times < 2:
            raise ValueError("a repeat runs at least twice")
        if not self.steps:
            raise ValueError("a repeat holds at least one step")


@dataclass(frozen=True, slots=True)
class Workout:
    """One session on one day. ``distance_m`` and ``duration_s`` are the planned totals
    (estimates for open-ended steps); both are 0 for strength and rest."""

    key: str
    kind: WorkoutKind
    title: str
    steps: tuple[Step | Repeat, ...] = ()
    notes: str = ""
    distance_m: float = 0.0
    duration_s: float = 0.0

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("a workout needs a key")
        if self.distance_m < 0 or self.duration_s < 0:
            raise ValueError("a workout's distance and duration cannot be negative")

    @property
    def is_quality(self) -> bool:
        return self.kind in QUALITY_KINDS

    @property
    def is_run(self) -> bool:
        return self.kind in RUN_KINDS


# --------------------------------------------------------------------------------------------
# The plan


@dataclass(frozen=True, slots=True)
class PlannedDay:
    day: date
    workouts: tuple[Workout, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanWeek:
    """A Monday-to-Sunday week. ``start`` is its Monday (or the plan's first day).

    ``planned_distance_m`` is the running the planner put on the week's plan days, the goal race
    left out; when the adaptation trims a week (a weekly cap, a recovery week), the volume it
    trimmed to.
    """

    start: date
    phase: Phase
    cutback: bool
    planned_distance_m: float
    days: tuple[PlannedDay, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """One adaptation, with a reason the runner understands.

    ``key`` is the planned workout it concerns (``None`` for plan-wide changes such as an inserted
    recovery week).
    """

    day: date
    key: str | None
    reason: str


# --------------------------------------------------------------------------------------------
# What the runner tells the plan beforehand


class InstructionKind(StrEnum):
    """What a runner's instruction asks (issue 11)."""

    MOVE = "move"  # the session of ``day`` to ``to_day``
    SWAP = "swap"  # the sessions of ``day`` and ``to_day`` trade days
    SKIP = "skip"  # the session of ``day`` is dropped, not made up later
    UNWELL = "unwell"  # ``days`` days from ``day`` eased (``level`` tired) or rest (ill)
    UNWELL_END = "unwell_end"  # an unwell spell ends on ``day``
    RACE = "race"  # a tune-up race of ``distance_m`` on ``day``
    GOAL = "goal"  # a new goal race: ``config`` holds [goal]'s keys before and after
    DAYS = "days"  # new run days: ``config`` holds [schedule]'s keys before and after


#: Instructions that change the config file (the goal, the run days) rather than days of the
#: plan: the adaptation sees them through the config; the store keeps them for the record and
#: for `undo`, which writes the values before back.
CONFIG_INSTRUCTIONS = frozenset({InstructionKind.GOAL, InstructionKind.DAYS})
#: The config section each of them changes.
CONFIG_SECTION = {InstructionKind.GOAL: "goal", InstructionKind.DAYS: "schedule"}


@dataclass(frozen=True, slots=True)
class Instruction:
    """A runner's instruction: data, an input to the adaptation like the runs are.

    ``day`` is the local date it concerns (the session moved, swapped or skipped; the first
    unwell day; a tune-up race's day); ``to_day`` the destination of a move or the other day of
    a swap. ``distance_m``, ``name`` and ``priority`` describe a tune-up race. ``keys`` are
    the sessions concerned as the plan held them when it was given: ``keys[0]`` is the session
    of ``day`` and ``keys[1]``, when there is one, the run that stood on ``to_day`` (a move
    trades it to ``day``). The key follows a session wherever the plan puts it, so the
    instruction keeps meaning the same session after the plan is made again. ``given_on`` is the
    runner's local date when it was given; ``id`` and ``given_at`` (aware) are set by the store.
    ``config`` (a new goal, new run days) holds ``(key, before, after)`` for each key of the
    config section it changed; ``None`` is a key that was (or is now) absent, and lists are
    tuples. ``pending``: new run days given for a later ``day`` whose config file is not
    written yet (the first cycle on or after ``day`` writes it and clears the flag); only a
    DAYS instruction is ever pending.
    """

    kind: InstructionKind
    day: date
    given_on: date
    source: str = "cli"
    to_day: date | None = None
    keys: tuple[str, ...] = ()
    days: int = 0
    level: str = ""
    why: str = ""
    distance_m: float = 0.0
    name: str = ""
    priority: str = ""
    config: tuple[tuple[str, Any, Any], ...] = ()
    pending: bool = False
    id: int | None = None
    given_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.source not in INSTRUCTION_SOURCES:
            raise ValueError(f"an instruction comes from {' or '.join(INSTRUCTION_SOURCES)}")
        two_days = self.kind in (InstructionKind.MOVE, InstructionKind.SWAP)
        if two_days and (self.to_day is None or self.to_day == self.day):
            raise ValueError(f"a {self.kind} needs another day than {self.day}")
        if self.kind is InstructionKind.UNWELL:
            if not 1 <= self.days <= UNWELL_MAX_DAYS:
                raise ValueError(f"unwell lasts 1 to {UNWELL_MAX_DAYS} days")
            if self.level not in UNWELL_LEVELS:
                raise ValueError(f"unwell is {' or '.join(UNWELL_LEVELS)}")
        if self.kind is InstructionKind.RACE:
            if self.distance_m <= 0:
                raise ValueError("a race needs a positive distance")
            if self.priority not in RACE_PRIORITIES:
                raise ValueError(f"a tune-up race's priority is {' or '.join(RACE_PRIORITIES)}")
        if (self.kind in CONFIG_INSTRUCTIONS) != bool(self.config):
            raise ValueError("a new goal or new run days, and only they, carry config values")
        if self.pending and self.kind is not InstructionKind.DAYS:
            raise ValueError("only new run days can wait for a later day")
        if self.given_at is not None and self.given_at.tzinfo is None:
            raise ValueError("an instruction's given_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Plan:
    """A dated plan from ``generated_on`` through race day and beyond."""

    generated_on: date
    fitness: Fitness
    goal: Goal
    weeks: tuple[PlanWeek, ...] = ()
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def days(self) -> tuple[PlannedDay, ...]:
        """Every planned day, in date order."""
        return tuple(day for week in self.weeks for day in week.days)

    def workouts_between(self, first: date, end: date) -> tuple[tuple[date, Workout], ...]:
        """(day, workout) for every workout with ``first <= day < end``."""
        return tuple(
            (planned.day, workout)
            for planned in self.days()
            if first <= planned.day < end
            for workout in planned.workouts
        )
