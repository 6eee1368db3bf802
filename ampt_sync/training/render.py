"""Session rendering: from a few numbers (a distance, a duration, reps) to a library workout in
the athlete's units and paces, and back (re-rendering a session with new paces).

Pure. Distances in metres, durations in seconds, paces in seconds per km.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ampt_sync.domain import (
    QUALITY_KINDS,
    Athlete,
    Goal,
    Paces,
    Repeat,
    Step,
    StepRole,
    Workout,
    WorkoutKind,
)
from ampt_sync.training import library
from ampt_sync.training.fitness import race_time
from ampt_sync.training.heat import HEAT_LONG_RUN_NOTE, race_is_hot
from ampt_sync.training.load import ROUND_M, floor_m
from ampt_sync.training.progression import SessionShape, render_session, shape_of
from ampt_sync.units import Units

K = WorkoutKind

#: Hill reps: start at 3, one more each hill week, at most 5 (§4.2, the AMPT seed).
HILL_REPS_START, HILL_REPS_MAX = 3, 5
#: A warm-up or cool-down is never cut below this (issue 3).
MIN_WARMUP_S = 10 * 60
#: Shortest and longest recovery runs (§4.3: recovery runs 20–45 min) [H]; the shortest run of
#: all: 15 minutes and 2 km (issue 9).
MIN_RUN_S = 20 * 60
RECOVERY_MAX_S = 45 * 60
MIN_EASY_RUN_S = 15 * 60
MIN_RUN_M = 2000.0
TIME_TRIAL_DISTANCES_M = (5000.0, 3000.0, 1609.344)


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
        """The shortest run: 15 minutes even at the fast end of easy pace (a run's duration is
        reckoned at a pace within the range), at least 2 km (issue 9: no run under 2 km or 15
        minutes)."""
        return max(MIN_RUN_M, math.ceil(MIN_EASY_RUN_S / self.paces.easy[0] * 10) * ROUND_M)

    def min_warmup_m(self) -> float:
        """A warm-up that takes 10 minutes even at the fast end of easy pace."""
        return math.ceil(MIN_WARMUP_S / self.paces.easy[0] * 1000 / ROUND_M) * ROUND_M

    def predicted_race_s(self) -> float:
        return race_time(self.vdot, self.goal.distance_m)

    def easy(self, key: str, distance_m: float) -> Workout:
        return library.easy_run(key, self.paces, distance_m=distance_m, units=self.units)

    def recovery(self, key: str, duration_s: float) -> Workout:
        return library.recovery_run(key, self.paces, duration_s=duration_s, units=self.units)

    def max_recovery_m(self) -> float:
        """The longest recovery run in metres: 45 minutes at recovery pace."""
        return floor_m(RECOVERY_MAX_S / self.recovery_s_per_km * 1000)

    def min_recovery_s(self) -> float:
        """The shortest recovery run: 15 minutes and 2 km at recovery pace (issue 9)."""
        two_km_s = math.ceil(MIN_RUN_M / 1000 * self.recovery_s_per_km / 60) * 60
        return float(max(MIN_EASY_RUN_S, two_km_s))

    def recovery_for_distance(self, key: str, distance_m: float) -> Workout:
        minutes = int(distance_m / 1000 * self.recovery_s_per_km // 60)
        duration_s = max(self.min_recovery_s(), minutes * 60)
        return self.recovery(key, min(RECOVERY_MAX_S, duration_s))

    def strides(self, key: str, distance_m: float, week_m: float) -> Workout:
        """An easy run with 6 strides; the strides are quick, so a run at the shortest distance
        gets the 100 m steps it needs to last 15 minutes still."""

        def make(size_m: float) -> Workout:
            return library.strides(
                key, self.paces, distance_m=size_m, reps=6, weekly_distance_m=week_m,
                units=self.units,
            )  # fmt: skip

        workout = make(distance_m)
        while workout.duration_s < MIN_EASY_RUN_S and distance_m < self.min_run_m() + 5 * ROUND_M:
            distance_m += ROUND_M
            workout = make(distance_m)
        return workout

    def long(
        self,
        key: str,
        distance_m: float,
        week_m: float,
        finish_m: float = 0.0,
        *,
        hot: bool = False,
    ) -> Workout:
        """A long run; ``hot`` adds the heat note (a hot race ahead)."""
        return library.long_run(
            key,
            self.paces,
            distance_m=distance_m,
            weight_kg=self.athlete.weight_kg,
            marathon_finish_m=finish_m,
            weekly_distance_m=week_m,
            units=self.units,
            hot=hot,
        )

    def quality(
        self,
        key: str,
        kind: WorkoutKind,
        week_m: float,
        *,
        reps: int = HILL_REPS_START,
        warmup_m: float | None = None,
        shape: SessionShape | None = None,
    ) -> Workout:
        """A quality session of ``kind`` sized for a ``week_m`` week; ``warmup_m`` (also the
        cool-down) shortens the easy running around the work. A speed session takes its
        ``shape`` (its place in the build, :mod:`~ampt_sync.training.progression`); without one,
        the library sizes it from the week."""
        if shape is not None and kind is not K.HILLS:
            return render_session(
                key, shape, self.paces, week_m=week_m, warmup_m=warmup_m, units=self.units
            )
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
        if kind in (K.INTERVALS, K.TEMPO):
            make = library.intervals if kind is K.INTERVALS else library.tempo
            wu = 2000.0 if warmup_m is None else warmup_m
            return make(
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
        self,
        key: str,
        kind: WorkoutKind,
        week_m: float,
        cap_m: float,
        *,
        reps: int,
        shape: SessionShape | None = None,
    ) -> Workout | None:
        """The session, shortened to ``cap_m`` by trimming its warm-up and cool-down (never
        under 10 minutes each); ``None`` when even that is too long: the session waits."""
        workout = self.quality(key, kind, week_m, reps=reps, shape=shape)
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
        trimmed = self.quality(key, kind, week_m, reps=reps, warmup_m=warmup, shape=shape)
        while trimmed.distance_m > cap_m and warmup - ROUND_M >= shortest:
            warmup -= ROUND_M
            trimmed = self.quality(key, kind, week_m, reps=reps, warmup_m=warmup, shape=shape)
        return trimmed if trimmed.distance_m <= cap_m else None

    def shortened_quality(self, workout: Workout, week_m: float, cap_m: float) -> Workout | None:
        """``workout`` (a quality session) with its warm-up and cool-down cut until it fits
        ``cap_m``, never under 10 minutes each; its work stays. ``None`` if it cannot fit."""
        if workout.distance_m <= cap_m:
            return workout
        reps = next((s.times for s in workout.steps if isinstance(s, Repeat)), HILL_REPS_START)
        try:
            shape = None if workout.kind is K.HILLS else shape_of(workout)
        except ValueError:  # a session the library sized by itself (an older plan)
            shape = None
        warmup = floor_m(
            warmup_m(workout, self.easy_mid_s_per_km) - (workout.distance_m - cap_m) / 2
        )
        shortest = self.min_warmup_m()
        while warmup >= shortest:
            shorter = self.quality(
                workout.key, workout.kind, week_m, reps=reps, warmup_m=warmup, shape=shape
            )
            if shorter.distance_m <= cap_m:
                return shorter
            warmup -= ROUND_M
        return None

    def strength(self, key: str, *, light: bool) -> Workout:
        return library.strength_circuit(key, rounds=3, light=light)

    def race(self, key: str) -> Workout:
        hot = race_is_hot(self.goal, self.athlete.timezone)
        return library.race(key, self.goal, self.predicted_race_s(), units=self.units, hot=hot)

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
            hot = HEAT_LONG_RUN_NOTE in workout.notes
            return self.long(key, workout.distance_m, week_m, finish, hot=hot)
        if kind is K.HILLS:
            reps = next((s.times for s in workout.steps if isinstance(s, Repeat)), HILL_REPS_START)
            first = workout.steps[0]
            warmup = first.end.distance_m if isinstance(first, Step) else None
            return self.quality(key, kind, week_m, reps=reps, warmup_m=warmup)
        if kind in QUALITY_KINDS:
            warmup = warmup_m(workout, self.easy_mid_s_per_km) or None
            try:
                shape: SessionShape | None = shape_of(workout)
            except ValueError:  # a session the library sized by itself (an older plan)
                shape = None
            return self.quality(key, kind, week_m, warmup_m=warmup, shape=shape)
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


def warmup_m(workout: Workout, easy_s_per_km: float) -> float:
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
