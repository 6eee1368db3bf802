"""What kind of run an activity was, and whether its numbers can be trusted.

:func:`classify` looks, in this order, at Strava's ``workout_type`` tag (1 race and 2 long run
decide; 3 "workout" is intervals unless the name or the data say which workout), at words in
the activity's name ("race", "parkrun", "tempo", "intervals", "6x800", "hill", "long",
"recovery", …) and then at the data, with paces from the runner's current
:class:`~ampt_sync.domain.Paces` (science note §5.2). A run read from Garmin Connect carries tag 1
when its event type is "race", and no other tag (:mod:`ampt_sync.garmin.activity_json`):

* race: a standard distance (±2 %) at ≥ 97 % of the speed the current VDOT predicts for it, with
  a race heart rate (average ≥ 88 % of max up to the half, ≥ 80 % for the marathon); without
  heart rate data only the tag or the name make a race;
* intervals: laps with 3+ fast blocks (quicker than T pace) between slow ones (slower than easy
  fast); the same pattern in kilometre splits only is a fartlek;
* hills: 20+ m of climbing per km, with hard efforts (alternating lap heart rates, an average of
  80 %+ of max, or a Strava workout tag);
* tempo: 3+ consecutive km splits, or a lap of 15+ minutes, within ±4 % of T pace; or 20+ minutes
  at an average 85–92 % of max heart rate;
* long: ≥ max(75 min, 1.5 × the median run of the 4 weeks before), or ≥ 25 % of the average
  weekly distance while ≥ 1.25 × the median run distance;
* recovery: ≤ 45 min at E-slow pace or slower (or under 70 % of max heart rate) the day after a
  quality session, long run or race;
* easy: everything else. Anything but a run is cross-training (``kind`` is ``None``).

Guardrails (science note §5.3): manual entries, treadmill/trainer runs, no moving time, an
impossible average speed (faster than a VDOT of 90, or over 36 km/h), GPS speed spikes
(max speed over 1.5 × the 400 m best effort, or over 45 km/h), impossible best efforts, heart
rate above the runner's max (or above 230 bpm), and hilly runs (> 15 m of climbing per km) are
listed in ``problems`` and make ``trusted`` false: such runs stay out of fitness estimates.
"""

from __future__ import annotations

import functools
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from ampt_sync.domain import QUALITY_KINDS, Activity, Paces, WorkoutKind
from ampt_sync.service_names import SOURCE_NAMES
from ampt_sync.training.fitness import (
    race_time,
    vdot_from_performance,
    vdot_from_threshold_pace,
)


@dataclass(frozen=True)
class Classification:
    """``kind`` is ``None`` for anything that is not a run (cross-training). ``reason`` says why,
    in words a runner reads. ``trusted`` is false when the activity must stay out of fitness
    estimates; ``problems`` lists what is wrong with its data."""

    kind: WorkoutKind | None
    reason: str
    trusted: bool
    problems: tuple[str, ...] = ()


#: Strava ``workout_type`` values for runs.
TAG_RACE, TAG_LONG, TAG_WORKOUT = 1, 2, 3

#: Races a runner is likely to run, snapped to within ±2 % for the pace heuristic.
RACE_DISTANCES_M = (5000.0, 10000.0, 21097.5, 42195.0)
_RACE_LABELS = {5000.0: "5K", 10000.0: "10K", 21097.5: "half marathon", 42195.0: "marathon"}

# Words in names. "race pace" is a training target, not a race.
_RACE_PACE = re.compile(r"\brace[- ]?pace\b|\bmarathon[- ]?pace\b")
_WORDS: tuple[tuple[WorkoutKind, re.Pattern[str]], ...] = (
    (WorkoutKind.RACE, re.compile(r"\b(race|racing|parkrun|time[- ]?trial|tt)\b")),
    (WorkoutKind.FARTLEK, re.compile(r"\bfartlek")),
    (WorkoutKind.HILLS, re.compile(r"\bhills?\b|\bhill[- ]?(repeats|reps|sprints)\b|\bincline")),
    (WorkoutKind.STRIDES, re.compile(r"\bstrides\b")),
    (WorkoutKind.TEMPO, re.compile(r"\btempo|\bthreshold|\bcruise|\blt\b")),
    (
        WorkoutKind.INTERVALS,
        re.compile(r"\binterval|\b\d+\s*[x×]\s*\d+|\brepeats\b|\breps\b|\btrack\b|\bvo2"),
    ),
    (WorkoutKind.LONG, re.compile(r"\blong\b|\blsr\b")),
    (WorkoutKind.RECOVERY, re.compile(r"\brecovery\b|\bshake[- ]?out\b")),
    (WorkoutKind.EASY, re.compile(r"\beasy\b")),
)

MAX_PLAUSIBLE_VDOT = 90.0
MAX_AVERAGE_SPEED_MPS = 10.0  # 36 km/h: no one averages this, even over 100 m
MAX_SPEED_MPS = 12.5  # 45 km/h: above the fastest sprinters
MAX_HR_BPM = 230
#: A reading this far above the configured max is a strap glitch; nearer, the configured max is
#: most likely a little low (a race often shows it), and the run stays usable.
HR_OVER_MAX_TOLERANCE = 0.05
HILLY_M_PER_KM = 15.0
HILL_SESSION_M_PER_KM = 20.0


def _name_kind(name: str) -> tuple[WorkoutKind, str] | None:
    text = _RACE_PACE.sub(" ", name.lower())
    for kind, pattern in _WORDS:
        match = pattern.search(text)
        if match:
            return kind, f"the name says {match.group(0)!r}"
    return None


def is_tagged_race(activity: Activity) -> bool:
    """A run the runner marked as a race: Strava's race tag, or a race word in its name
    ("race", "parkrun", "time trial")."""
    if not activity.is_run:
        return False
    if activity.workout_type == TAG_RACE:
        return True
    named = _name_kind(activity.name)
    return named is not None and named[0] is WorkoutKind.RACE


def _speed_mps(activity: Activity) -> float | None:
    if activity.moving_time_s <= 0 or activity.distance_m <= 0:
        return None
    return activity.distance_m / activity.moving_time_s


def data_problems(activity: Activity, *, hr_max_bpm: int | None = None) -> tuple[str, ...]:
    """Everything that makes an activity's numbers unfit for a fitness estimate (see the module
    docstring); empty when the data look sound."""
    problems: list[str] = []
    if activity.manual:
        problems.append("manual entry: nothing was recorded")
    if activity.trainer:
        problems.append("treadmill or trainer: the pace comes from a belt or a foot pod")
    if activity.moving_time_s <= 0:
        problems.append("no moving time")
    if activity.distance_m <= 0:
        problems.append("no distance")
    speed = _speed_mps(activity)
    if speed is not None:
        absurd = speed > MAX_AVERAGE_SPEED_MPS or (
            activity.moving_time_s >= 180
            and activity.distance_m >= 1000
            and vdot_from_performance(activity.distance_m, activity.moving_time_s)
            > MAX_PLAUSIBLE_VDOT
        )
        if absurd:
            problems.append(f"impossible average speed of {speed * 3.6:.0f} km/h")
    if activity.max_speed_mps is not None:
        quarter = [e for e in activity.best_efforts if 390 <= e.distance_m <= 410]
        limit = MAX_SPEED_MPS
        if quarter and quarter[0].elapsed_time_s > 0:
            limit = min(limit, 1.5 * quarter[0].distance_m / quarter[0].elapsed_time_s)
        if activity.max_speed_mps > limit:
            problems.append(f"GPS spike: a top speed of {activity.max_speed_mps * 3.6:.0f} km/h")
    for effort in activity.best_efforts:
        if effort.elapsed_time_s <= 0 or effort.distance_m <= 0:
            problems.append(f"best effort {effort.name!r} has no time")
            break
        too_fast = effort.distance_m / effort.elapsed_time_s > MAX_AVERAGE_SPEED_MPS or (
            effort.elapsed_time_s >= 180
            and vdot_from_performance(effort.distance_m, effort.elapsed_time_s) > MAX_PLAUSIBLE_VDOT
        )
        if too_fast:
            problems.append(f"impossible best effort {effort.name!r} (GPS)")
            break
    highest = max(
        (hr for hr in (activity.average_hr_bpm, activity.max_hr_bpm) if hr is not None),
        default=None,
    )
    if highest is not None:
        if hr_max_bpm is not None and highest > hr_max_bpm * (1 + HR_OVER_MAX_TOLERANCE):
            problems.append(f"heart rate {highest:.0f} above your max of {hr_max_bpm}")
        elif highest > MAX_HR_BPM:
            problems.append(f"heart rate {highest:.0f} bpm is not possible")
    if activity.distance_m > 0:
        climb = activity.elevation_gain_m / (activity.distance_m / 1000)
        if climb > HILLY_M_PER_KM:
            problems.append(
                f"hilly ({climb:.0f} m of climbing per km): the pace understates fitness"
            )
    return tuple(problems)


@functools.lru_cache(maxsize=512)
def _predicted_s(vdot_hundredths: int, distance_m: float) -> float:
    return race_time(vdot_hundredths / 100, distance_m)


def _blocks(labels: Sequence[str]) -> int:
    """How many separate runs of "F" there are with an "S" between each pair."""
    count, seen_slow_since_fast, in_fast = 0, True, False
    for label in labels:
        if label == "F":
            if not in_fast and seen_slow_since_fast:
                count += 1
                seen_slow_since_fast = False
            in_fast = True
        elif label == "S":
            in_fast = False
            seen_slow_since_fast = True
    return count


def _speed_labels(speeds: Sequence[float], paces: Paces) -> list[str]:
    fast_mps = 1000 / (paces.threshold * 0.98)
    slow_mps = 1000 / paces.easy[0]
    return ["F" if s >= fast_mps else "S" if s <= slow_mps else "M" for s in speeds]


def _alternating_hr(activity: Activity) -> bool:
    rates = [lap.average_hr_bpm for lap in activity.laps if lap.average_hr_bpm]
    if len(rates) < 5:
        return False
    middle = statistics.median(rates)
    labels = ["F" if r >= middle * 1.04 else "S" if r <= middle * 0.97 else "M" for r in rates]
    return _blocks(labels) >= 3


def _race_by_pace(
    activity: Activity, speed: float, paces: Paces, hr_max_bpm: int | None
) -> str | None:
    for standard in RACE_DISTANCES_M:
        if abs(activity.distance_m - standard) > 0.02 * standard:
            continue
        vdot = vdot_from_threshold_pace(paces.threshold)
        predicted_mps = standard / _predicted_s(round(vdot * 100), standard)
        if speed < 0.97 * predicted_mps:
            return None
        # Pace alone is circular when the paces came from these very runs (a runner who runs
        # the same 5K every day would "race" every day): a race needs a race heart rate too.
        if activity.average_hr_bpm is None or hr_max_bpm is None:
            return None
        needed = 0.80 if standard > 30000 else 0.88
        if activity.average_hr_bpm < needed * hr_max_bpm:
            return None
        return (
            f"a {_RACE_LABELS[standard]} at {100 * speed / predicted_mps:.0f} % of the speed "
            "your fitness predicts for it"
        )
    return None


def _tempo_by_data(activity: Activity, paces: Paces) -> str | None:
    low, high = paces.threshold * 0.96, paces.threshold * 1.04
    streak = best = 0
    for split in activity.splits_km:
        speed = split.average_grade_adjusted_speed_mps or split.average_speed_mps
        pace = 1000 / speed if speed > 0 else 0
        streak = streak + 1 if low <= pace <= high else 0
        best = max(best, streak)
    if best >= 3:
        return f"{best} km in a row at threshold pace"
    for lap in activity.laps:
        steady = lap.moving_time_s >= 900 and lap.average_speed_mps > 0
        if steady and low <= 1000 / lap.average_speed_mps <= high:
            return f"a {lap.moving_time_s / 60:.0f}-minute lap at threshold pace"
    return None


def _recent_runs(activity: Activity, recent: Sequence[Activity]) -> list[Activity]:
    first = activity.day - timedelta(days=28)
    return [
        a
        for a in recent
        if a.is_run
        and first <= a.day < activity.day
        and a.moving_time_s > 0
        and a.id != activity.id
    ]


def _long_by_data(activity: Activity, before: Sequence[Activity]) -> str | None:
    minutes = activity.moving_time_s / 60
    typical_s = statistics.median(a.moving_time_s for a in before) if before else 0.0
    if activity.moving_time_s >= max(75 * 60, 1.5 * typical_s):
        return f"{minutes:.0f} min, longer than your usual runs"
    if len(before) >= 4:
        weekly_m = sum(a.distance_m for a in before) / 4
        typical_m = statistics.median(a.distance_m for a in before)
        if activity.distance_m >= 0.25 * weekly_m and activity.distance_m >= 1.25 * typical_m:
            share = 100 * activity.distance_m / weekly_m
            return f"{activity.distance_m / 1000:.1f} km, {share:.0f} % of a typical week"
    return None


def _hard_day_before(
    activity: Activity, before: Sequence[Activity], paces: Paces, hr_max_bpm: int | None
) -> bool:
    eve = activity.day - timedelta(days=1)
    for a in before:
        if a.day == eve:
            kind = classify(a, paces, hr_max_bpm=hr_max_bpm).kind
            if kind in QUALITY_KINDS or kind in (WorkoutKind.LONG, WorkoutKind.RACE):
                return True
    return False


def classify(
    activity: Activity,
    paces: Paces,
    *,
    hr_max_bpm: int | None = None,
    recent: Sequence[Activity] = (),
) -> Classification:
    """The kind of ``activity`` judged against the runner's current ``paces`` (s/km).

    ``recent`` are other activities (any order; only runs in the 28 days before this one count):
    they tell what a usual run is, for long runs, and whether yesterday was hard, for recovery
    runs. ``hr_max_bpm`` enables the heart-rate rules and the heart-rate guardrail.
    """
    if not activity.is_run:
        return Classification(None, f"cross-training ({activity.sport})", trusted=False)
    problems = data_problems(activity, hr_max_bpm=hr_max_bpm)
    kind, reason = _kind(activity, paces, hr_max_bpm, recent)
    return Classification(kind, reason, trusted=not problems, problems=problems)


def _service(activity: Activity) -> str:
    """Where the activity's tags were set, for the reason's wording."""
    return SOURCE_NAMES.get(activity.source, "Strava")


def _kind(
    activity: Activity, paces: Paces, hr_max_bpm: int | None, recent: Sequence[Activity]
) -> tuple[WorkoutKind, str]:
    if activity.workout_type == TAG_RACE:
        return WorkoutKind.RACE, f"tagged as a race on {_service(activity)}"
    if activity.workout_type == TAG_LONG:
        return WorkoutKind.LONG, "tagged as a long run on Strava"
    named = _name_kind(activity.name)
    if named is not None:
        return named

    speed = _speed_mps(activity)
    if speed is None or speed > MAX_AVERAGE_SPEED_MPS:
        if activity.workout_type == TAG_WORKOUT:
            return WorkoutKind.INTERVALS, "tagged as a workout on Strava"
        return WorkoutKind.EASY, "no usable pace; counted as an easy run"

    climb = activity.elevation_gain_m / (activity.distance_m / 1000)
    hr_share = (
        activity.average_hr_bpm / hr_max_bpm
        if activity.average_hr_bpm is not None and hr_max_bpm
        else None
    )
    race = _race_by_pace(activity, speed, paces, hr_max_bpm)
    if race is not None and activity.workout_type != TAG_WORKOUT:
        return WorkoutKind.RACE, race
    if climb >= HILL_SESSION_M_PER_KM and (
        _alternating_hr(activity)
        or (hr_share is not None and hr_share >= 0.80)
        or activity.workout_type == TAG_WORKOUT
    ):
        return WorkoutKind.HILLS, f"{climb:.0f} m of climbing per km, run hard"
    lap_blocks = _blocks(_speed_labels([lap.average_speed_mps for lap in activity.laps], paces))
    if lap_blocks >= 3:
        return WorkoutKind.INTERVALS, f"{lap_blocks} fast laps with recoveries between them"
    split_blocks = _blocks(
        _speed_labels([split.average_speed_mps for split in activity.splits_km], paces)
    )
    if split_blocks >= 3:
        return WorkoutKind.FARTLEK, f"{split_blocks} fast kilometres with easy ones between them"
    tempo = _tempo_by_data(activity, paces)
    if tempo is not None:
        return WorkoutKind.TEMPO, tempo
    if activity.workout_type == TAG_WORKOUT:
        return WorkoutKind.INTERVALS, "tagged as a workout on Strava"

    before = _recent_runs(activity, recent)
    long = _long_by_data(activity, before)
    if long is not None:
        return WorkoutKind.LONG, long
    if hr_share is not None and activity.moving_time_s >= 20 * 60 and 0.85 <= hr_share <= 0.92:
        return (
            WorkoutKind.TEMPO,
            f"{activity.moving_time_s / 60:.0f} min at {hr_share:.0%} of max heart rate",
        )
    pace = 1000 / speed
    gentle = pace >= paces.easy[1] or (hr_share is not None and hr_share < 0.70)
    if (
        activity.moving_time_s <= 45 * 60
        and gentle
        and _hard_day_before(activity, before, paces, hr_max_bpm)
    ):
        return WorkoutKind.RECOVERY, "short and gentle, the day after a hard session"
    return WorkoutKind.EASY, "a steady run"
