"""A synthetic runner: deterministic, realistic Strava activities as Strava's own JSON.

Two entry points, both pure (no I/O, no clock):

:func:`synthetic_history`
    Months of training ending on a given local date: easy runs, a weekly long run
    (``workout_type`` 2), intervals and tempo runs tagged as workouts (``workout_type`` 3, with
    laps), a race or two (``workout_type`` 1, with best efforts), cross-training (rides, strength
    sessions), the odd missed day, and a gap of nine days off (a cold) part-way through. The same
    arguments always give the same activities.
:func:`activity_for_workout`
    What the runner did today given a planned :class:`~ampt_sync.domain.Workout`: ``"done"`` runs
    it as planned (paces at the middle of each target range, laps per step), ``"shortened"``
    stops at 60 % of the planned distance, ``"missed"`` returns None.

Both return **DetailedActivity** JSON (``resource_state`` 3: laps, ``splits_metric``,
``best_efforts`` for runs), shaped like Strava's published examples so that stravalib's models
parse it. :func:`summary_view` turns one into the SummaryActivity the list endpoint returns; the
simulated Strava (:mod:`ampt_sync.sim.strava`) serves both. To seed it::

    from ampt_sync.sim.runner import synthetic_history
    from ampt_sync.sim.strava import StravaSim

    with StravaSim() as sim:
        sim.add_activities(synthetic_history(end=date.today(), days=120, seed=7,
                                             zone="America/New_York"))
        ...  # point ampt-sync at sim.base_url through $AMPT_SYNC_STRAVA_URL

Activity ids grow with start time from ``first_id``; pass a larger ``first_id`` for activities
added later (``activity_for_workout`` takes ``activity_id``).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ampt_sync.domain import End, Repeat, Step, StepRole, Workout, WorkoutKind

SIM_ATHLETE_ID = 134815
FIRST_ACTIVITY_ID = 15_000_000_000
DEVICE = "Garmin Forerunner 265"
GEAR_ID = "g12345678"

Outcome = Literal["done", "shortened", "missed"]

#: Strava's best-effort distances for runs (name, metres).
BEST_EFFORTS: tuple[tuple[str, float], ...] = (
    ("400m", 400.0),
    ("1/2 mile", 804.672),
    ("1K", 1000.0),
    ("1 mile", 1609.344),
    ("2 mile", 3218.688),
    ("5K", 5000.0),
    ("10K", 10000.0),
    ("15K", 15000.0),
    ("10 mile", 16093.44),
    ("20K", 20000.0),
    ("Half-Marathon", 21097.5),
    ("30K", 30000.0),
    ("Marathon", 42195.0),
)

#: Keys only the detailed activity has; the summary drops them.
DETAIL_ONLY_KEYS = frozenset(
    {
        "description",
        "calories",
        "segment_efforts",
        "splits_metric",
        "splits_standard",
        "laps",
        "best_efforts",
        "gear",
        "photos",
        "highlighted_kudosers",
        "hide_from_home",
        "embed_token",
        "segment_leaderboard_opt_out",
        "leaderboard_opt_out",
        "perceived_exertion",
        "prefer_perceived_exertion",
        "private_note",
        "available_zones",
    }
)

# The runner's paces, s/km, at the start of the history; fitness improves slowly.
EASY_PACE = 340.0
LONG_PACE = 350.0
TEMPO_PACE = 286.0
INTERVAL_PACE = 262.0
RECOVERY_JOG_PACE = 400.0
RACE_PACE = {5000.0: 258.0, 10000.0: 268.0}
IMPROVEMENT_PER_WEEK = 0.003


@dataclass(frozen=True)
class Segment:
    """A stretch of one activity at one pace: a lap."""

    distance_m: float
    pace_s_per_km: float
    hr_bpm: float
    name: str = ""

    @property
    def seconds(self) -> float:
        return self.distance_m * self.pace_s_per_km / 1000.0


def summary_view(detail: dict[str, Any]) -> dict[str, Any]:
    """The SummaryActivity (``resource_state`` 2) for a DetailedActivity."""
    summary = {key: value for key, value in detail.items() if key not in DETAIL_ONLY_KEYS}
    summary["resource_state"] = 2
    if isinstance(summary.get("map"), dict):
        summary["map"] = {
            "id": summary["map"].get("id"),
            "summary_polyline": summary["map"].get("summary_polyline"),
            "resource_state": 2,
        }
    return summary


# ------------------------------------------------------------------------------------------------
# Building one activity


def _zone_label(zone: ZoneInfo, on: date) -> str:
    # Strava shows the zone's standard offset in the label and the actual one in utc_offset.
    offset = datetime(on.year, 1, 1, 12, tzinfo=zone).utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"(GMT{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}) {zone.key}"


def _iso_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _time_at(segments: Sequence[Segment], distance_m: float) -> float:
    """Seconds from the start until ``distance_m`` is reached."""
    elapsed, covered = 0.0, 0.0
    for segment in segments:
        if covered + segment.distance_m >= distance_m:
            return elapsed + (distance_m - covered) * segment.pace_s_per_km / 1000.0
        elapsed += segment.seconds
        covered += segment.distance_m
    return elapsed


def _best_efforts(
    segments: Sequence[Segment], activity_id: int, athlete_id: int, start: datetime
) -> list[dict[str, Any]]:
    total = sum(s.distance_m for s in segments)
    efforts = []
    for index, (name, distance) in enumerate(BEST_EFFORTS):
        if distance > total:
            break
        best_s, best_from = math.inf, 0.0
        position = 0.0
        while position + distance <= total + 1e-6:
            seconds = _time_at(segments, position + distance) - _time_at(segments, position)
            if seconds < best_s:
                best_s, best_from = seconds, position
            position += 50.0
        offset_s = _time_at(segments, best_from)
        seconds = round(best_s)
        efforts.append(
            {
                "id": activity_id * 100 + index,
                "resource_state": 2,
                "name": name,
                "activity": {"id": activity_id, "resource_state": 1},
                "athlete": {"id": athlete_id, "resource_state": 1},
                "elapsed_time": seconds,
                "moving_time": seconds,
                "start_date": _iso_z(start + timedelta(seconds=offset_s)),
                "start_date_local": None,  # filled by the caller (local wall clock)
                "distance": distance,
                "start_index": int(offset_s),
                "end_index": int(offset_s + best_s),
                "pr_rank": None,
                "achievements": [],
            }
        )
    return efforts


def _splits(segments: Sequence[Segment], elevation_m: float) -> list[dict[str, Any]]:
    total = sum(s.distance_m for s in segments)
    splits = []
    start, number = 0.0, 1
    while start < total - 1.0:
        end = min(start + 1000.0, total)
        seconds = _time_at(segments, end) - _time_at(segments, start)
        distance = end - start
        speed = distance / seconds if seconds > 0 else 0.0
        hr = _hr_at(segments, (start + end) / 2)
        splits.append(
            {
                "distance": round(distance, 1),
                "elapsed_time": round(seconds),
                "elevation_difference": round(
                    elevation_m * math.sin(number) / max(1, total / 1000), 1
                ),
                "moving_time": round(seconds),
                "split": number,
                "average_speed": round(speed, 2),
                "average_grade_adjusted_speed": round(speed * 1.01, 2),
                "average_heartrate": round(hr, 1),
                "pace_zone": 2 if speed < 3.3 else 4,
            }
        )
        start, number = end, number + 1
    return splits


def _hr_at(segments: Sequence[Segment], distance_m: float) -> float:
    covered = 0.0
    for segment in segments:
        covered += segment.distance_m
        if covered >= distance_m:
            return segment.hr_bpm
    return segments[-1].hr_bpm


def _laps(
    segments: Sequence[Segment],
    activity_id: int,
    athlete_id: int,
    start_utc: datetime,
    start_local: datetime,
    auto_km: bool,
) -> list[dict[str, Any]]:
    pieces: list[Segment] = []
    if auto_km:  # the watch's auto-lap every kilometre
        total = sum(s.distance_m for s in segments)
        position = 0.0
        while position < total - 1.0:
            end = min(position + 1000.0, total)
            seconds = _time_at(segments, end) - _time_at(segments, position)
            pace = seconds / (end - position) * 1000.0
            pieces.append(Segment(end - position, pace, _hr_at(segments, (position + end) / 2)))
            position = end
    else:
        pieces = list(segments)
    laps = []
    elapsed, index = 0.0, 0
    for number, piece in enumerate(pieces, start=1):
        seconds = round(piece.seconds)
        speed = 1000.0 / piece.pace_s_per_km
        laps.append(
            {
                "id": activity_id * 1000 + number,
                "resource_state": 2,
                "name": piece.name or f"Lap {number}",
                "activity": {"id": activity_id, "resource_state": 1},
                "athlete": {"id": athlete_id, "resource_state": 1},
                "elapsed_time": seconds,
                "moving_time": seconds,
                "start_date": _iso_z(start_utc + timedelta(seconds=elapsed)),
                "start_date_local": _iso_z(start_local + timedelta(seconds=elapsed)),
                "distance": round(piece.distance_m, 1),
                "start_index": index,
                "end_index": index + seconds,
                "total_elevation_gain": round(piece.distance_m / 1000 * 4, 1),
                "average_speed": round(speed, 3),
                "max_speed": round(speed * 1.12, 3),
                "average_cadence": 86.0 if piece.pace_s_per_km < 300 else 81.0,
                "average_heartrate": round(piece.hr_bpm, 1),
                "max_heartrate": round(piece.hr_bpm + 6, 1),
                "lap_index": number,
                "split": number,
                "pace_zone": 2 if piece.pace_s_per_km > 300 else 4,
            }
        )
        elapsed += seconds
        index += seconds
    return laps


def _polyline(seed: int) -> str:
    # Not a real route; a stable opaque string of the right kind (location data is never kept).
    return "ki{eFvqfiV" + hashlib.sha256(str(seed).encode()).hexdigest()[:24]


def build_activity(
    *,
    activity_id: int,
    name: str,
    sport_type: str,
    start_local: datetime,
    segments: Sequence[Segment] = (),
    duration_s: float | None = None,
    distance_m: float | None = None,
    workout_type: int | None = None,
    athlete_id: int = SIM_ATHLETE_ID,
    trainer: bool = False,
    auto_laps: bool = True,
    average_hr_bpm: float | None = None,
) -> dict[str, Any]:
    """One DetailedActivity. Runs are described by ``segments`` (one per lap); other sports by
    ``duration_s`` and ``distance_m``. ``start_local`` is aware, in the runner's zone."""
    zone = start_local.tzinfo
    if not isinstance(zone, ZoneInfo):
        raise ValueError("start_local must carry a ZoneInfo")
    start_utc = start_local.astimezone(UTC)
    wall = start_local.replace(tzinfo=None)
    is_run = sport_type in ("Run", "TrailRun", "VirtualRun")
    if segments:
        distance = sum(s.distance_m for s in segments)
        moving = sum(s.seconds for s in segments)
        hr = sum(s.hr_bpm * s.seconds for s in segments) / moving
        max_hr = max(s.hr_bpm for s in segments) + 8
    else:
        distance = distance_m or 0.0
        moving = duration_s or 0.0
        hr = average_hr_bpm or 118.0
        max_hr = hr + 20
    elapsed = round(moving * (1.02 if is_run and not trainer else 1.0))
    elevation = 0.0 if trainer else round(distance / 1000 * (9 if sport_type == "TrailRun" else 4))
    speed = distance / moving if moving else 0.0
    offset = start_local.utcoffset() or timedelta()
    local_z = _iso_z(wall.replace(tzinfo=UTC))
    activity: dict[str, Any] = {
        "id": activity_id,
        "resource_state": 3,
        "external_id": f"garmin_ping_{activity_id}",
        "upload_id": activity_id + 1_000_000_000_000,
        "athlete": {"id": athlete_id, "resource_state": 1},
        "name": name,
        "distance": round(distance, 1),
        "moving_time": round(moving),
        "elapsed_time": elapsed,
        "total_elevation_gain": elevation,
        "type": "Run" if is_run else sport_type,
        "sport_type": sport_type,
        "workout_type": workout_type,
        "start_date": _iso_z(start_utc),
        "start_date_local": local_z,
        "timezone": _zone_label(zone, start_local.date()),
        "utc_offset": float(offset.total_seconds()),
        "start_latlng": [] if trainer else [40.78, -73.97],
        "end_latlng": [] if trainer else [40.78, -73.97],
        "location_city": None,
        "location_state": None,
        "location_country": "United States",
        "achievement_count": 0,
        "kudos_count": activity_id % 7,
        "comment_count": 0,
        "athlete_count": 1,
        "photo_count": 0,
        "map": {
            "id": f"a{activity_id}",
            "polyline": None if trainer else _polyline(activity_id),
            "summary_polyline": None if trainer else _polyline(activity_id),
            "resource_state": 3,
        },
        "device_name": DEVICE,
        "trainer": trainer,
        "commute": False,
        "manual": False,
        "private": False,
        "visibility": "everyone",
        "flagged": False,
        "gear_id": GEAR_ID if is_run else None,
        "from_accepted_tag": False,
        "average_speed": round(speed, 3),
        "max_speed": round(speed * 1.25, 3),
        "has_heartrate": True,
        "average_heartrate": round(hr, 1),
        "max_heartrate": round(max_hr),
        "heartrate_opt_out": False,
        "display_hide_heartrate_option": True,
        "elev_high": 40.0 + elevation / 2,
        "elev_low": 12.0,
        "pr_count": 0,
        "total_photo_count": 0,
        "has_kudoed": False,
        "suffer_score": round(moving / 60 * (hr - 100) / 40),
        "description": "",
        "calories": round(moving / 60 * 11),
        "perceived_exertion": None,
        "prefer_perceived_exertion": False,
        "segment_efforts": [],
        "gear": {
            "id": GEAR_ID,
            "primary": True,
            "name": "Pegasus 41",
            "resource_state": 2,
            "distance": 812345.0,
        }
        if is_run
        else None,
        "photos": {"primary": None, "count": 0},
        "hide_from_home": False,
        "embed_token": hashlib.sha256(f"embed{activity_id}".encode()).hexdigest()[:40],
        "available_zones": [],
    }
    if is_run:
        activity["average_cadence"] = 83.0
        if segments:
            activity["splits_metric"] = _splits(segments, elevation)
            activity["laps"] = _laps(
                segments, activity_id, athlete_id, start_utc, wall, auto_km=auto_laps
            )
            efforts = _best_efforts(segments, activity_id, athlete_id, start_utc)
            for effort in efforts:
                moment = datetime.fromisoformat(effort["start_date"].replace("Z", "+00:00"))
                effort["start_date_local"] = _iso_z(moment.astimezone(zone).replace(tzinfo=None))
            activity["best_efforts"] = efforts
    else:
        activity["laps"] = []
    return activity


# ------------------------------------------------------------------------------------------------
# Months of training


def _jitter(rng: random.Random, value: float, fraction: float) -> float:
    return value * (1.0 + rng.uniform(-fraction, fraction))


def _easy(rng: random.Random, km: float, pace: float) -> list[Segment]:
    return [
        Segment(_jitter(rng, km * 1000, 0.08), _jitter(rng, pace, 0.03), _jitter(rng, 141, 0.03))
    ]


def _intervals(rng: random.Random, reps: int, rep_m: float, fitness: float) -> list[Segment]:
    segments = [Segment(2000, EASY_PACE * fitness, 138, "Warm-up")]
    for number in range(reps):
        segments.append(
            Segment(rep_m, _jitter(rng, INTERVAL_PACE * fitness, 0.02), 168 + number, "Rep")
        )
        if number < reps - 1:
            segments.append(Segment(400, RECOVERY_JOG_PACE, 146, "Recovery"))
    segments.append(Segment(2000, EASY_PACE * fitness, 142, "Cool-down"))
    return segments


def _tempo(rng: random.Random, minutes: float, fitness: float) -> list[Segment]:
    pace = _jitter(rng, TEMPO_PACE * fitness, 0.02)
    return [
        Segment(2000, EASY_PACE * fitness, 138, "Warm-up"),
        Segment(minutes * 60 / pace * 1000, pace, 164, "Tempo"),
        Segment(2000, EASY_PACE * fitness, 144, "Cool-down"),
    ]


def _race(rng: random.Random, distance_m: float, fitness: float) -> list[Segment]:
    pace = RACE_PACE[distance_m] * fitness
    halves = [_jitter(rng, pace * 1.01, 0.005), _jitter(rng, pace * 0.99, 0.005)]
    return [
        Segment(distance_m / 2, halves[0], 174, "First half"),
        Segment(distance_m / 2, halves[1], 181, "Second half"),
    ]


def synthetic_history(
    end: date,
    days: int = 120,
    seed: int = 1,
    zone: str = "America/New_York",
    *,
    athlete_id: int = SIM_ATHLETE_ID,
    first_id: int = FIRST_ACTIVITY_ID,
) -> list[dict[str, Any]]:
    """``days`` days of training ending on ``end`` (local dates in ``zone``, both included), as
    DetailedActivity JSON, oldest first. Deterministic in all arguments.

    The week: Monday rest; Tuesday intervals (``workout_type`` 3); Wednesday easy, or a ride
    every third week; Thursday tempo (3); Friday strength (WeightTraining); Saturday easy, every
    fifth one on trails; Sunday long (2), growing 1 km a week with an easier fourth week. A 5K
    race replaces a Saturday about two thirds in and a 10K race a Sunday near the end (when the
    history is long enough), nine days off sit about 40 % in, and about one run in twelve is
    skipped at random.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    tz = ZoneInfo(zone)
    rng = random.Random(f"{seed}:{zone}:{end.isoformat()}:{days}")
    first_day = end - timedelta(days=days - 1)
    gap_start = first_day + timedelta(days=int(days * 0.4)) if days >= 28 else None
    five_k = _nearest(first_day + timedelta(days=int(days * 0.66)), 5) if days >= 42 else None
    ten_k = _nearest(end - timedelta(days=10), 6) if days >= 70 else None

    activities: list[dict[str, Any]] = []
    next_id = first_id
    day = first_day
    while day <= end:
        week = (day - first_day).days // 7
        fitness = (1.0 - IMPROVEMENT_PER_WEEK) ** week
        cutback = week % 4 == 3
        plan = _plan_for(day, week, cutback, fitness, rng, five_k, ten_k)
        in_gap = gap_start is not None and gap_start <= day < gap_start + timedelta(days=9)
        if plan is not None and not in_gap:
            sport, name, segments, workout_type, extra = plan
            skippable = workout_type in (0, None) and sport in ("Run", "TrailRun")
            if not (skippable and rng.random() < 1 / 12):
                start_time = time(6, 20) if day.weekday() < 5 else time(7, 45)
                minute_shift = rng.randrange(0, 40)
                start = datetime.combine(day, start_time, tz) + timedelta(minutes=minute_shift)
                activities.append(
                    build_activity(
                        activity_id=next_id,
                        name=name,
                        sport_type=sport,
                        start_local=start,
                        segments=segments,
                        workout_type=workout_type,
                        athlete_id=athlete_id,
                        auto_laps=workout_type not in (1, 3),
                        **extra,
                    )
                )
                next_id += 1 + rng.randrange(0, 3)
        day += timedelta(days=1)
    return activities


def _nearest(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _plan_for(
    day: date,
    week: int,
    cutback: bool,
    fitness: float,
    rng: random.Random,
    five_k: date | None,
    ten_k: date | None,
) -> tuple[str, str, list[Segment], int | None, dict[str, Any]] | None:
    weekday = day.weekday()
    scale = 0.8 if cutback else 1.0
    if day == five_k:
        return "Run", "Parkrun 5K", _race(rng, 5000.0, fitness), 1, {}
    if day == ten_k:
        return "Run", "City 10K", _race(rng, 10000.0, fitness), 1, {}
    if ten_k is not None and ten_k - timedelta(days=2) <= day < ten_k:
        return "Run", "Shakeout", _easy(rng, 4, EASY_PACE * fitness), 0, {}
    if weekday == 0:
        return None
    if weekday == 1:
        reps = 5 + (week % 3) if not cutback else 4
        return "Run", f"{reps} × 800 m", _intervals(rng, reps, 800, fitness), 3, {}
    if weekday == 2:
        if week % 3 == 2:
            return "Ride", "Easy spin", [], None, {"duration_s": 3600.0, "distance_m": 24500.0}
        return "Run", "Easy run", _easy(rng, 7 * scale, EASY_PACE * fitness), 0, {}
    if weekday == 3:
        minutes = (20 + 2 * (week % 4)) * scale
        return "Run", f"Tempo {minutes:.0f} min", _tempo(rng, minutes, fitness), 3, {}
    if weekday == 4:
        return "WeightTraining", "Strength circuit", [], None, {"duration_s": 2400.0}
    if weekday == 5:
        if day - timedelta(days=1) == five_k:
            return None
        sport = "TrailRun" if week % 5 == 4 else "Run"
        name = "Trail run" if sport == "TrailRun" else "Easy run"
        return sport, name, _easy(rng, 6 * scale, EASY_PACE * 1.02 * fitness), 0, {}
    long_km = min(24.0, 14.0 + week) * scale
    return "Run", "Long run", _easy(rng, long_km, LONG_PACE * fitness), 2, {}


# ------------------------------------------------------------------------------------------------
# What the runner did today


_KIND_PACE = {
    WorkoutKind.EASY: EASY_PACE,
    WorkoutKind.RECOVERY: EASY_PACE * 1.05,
    WorkoutKind.LONG: LONG_PACE,
    WorkoutKind.TEMPO: TEMPO_PACE,
    WorkoutKind.INTERVALS: INTERVAL_PACE,
    WorkoutKind.FARTLEK: TEMPO_PACE,
    WorkoutKind.HILLS: EASY_PACE,
    WorkoutKind.STRIDES: EASY_PACE,
    WorkoutKind.RACE: RACE_PACE[10000.0],
}
_ROLE_HR = {
    StepRole.WARMUP: 138.0,
    StepRole.WORK: 166.0,
    StepRole.RECOVERY: 146.0,
    StepRole.REST: 120.0,
    StepRole.COOLDOWN: 142.0,
    StepRole.OTHER: 145.0,
}
_ROLE_NAME = {
    StepRole.WARMUP: "Warm-up",
    StepRole.WORK: "Rep",
    StepRole.RECOVERY: "Recovery",
    StepRole.REST: "Rest",
    StepRole.COOLDOWN: "Cool-down",
    StepRole.OTHER: "Run",
}


def _step_segments(steps: Iterable[Step | Repeat], default_pace: float) -> list[Segment]:
    segments: list[Segment] = []
    for step in steps:
        if isinstance(step, Repeat):
            inner = _step_segments(step.steps, default_pace)
            segments.extend(inner * step.times)
            continue
        pace = default_pace
        if step.role in (StepRole.WARMUP, StepRole.COOLDOWN, StepRole.RECOVERY):
            pace = EASY_PACE if step.role is not StepRole.RECOVERY else RECOVERY_JOG_PACE
        if step.target is not None and step.target.pace_s_per_km is not None:
            pace = sum(step.target.pace_s_per_km) / 2
        end: End = step.end
        if end.distance_m is not None:
            distance = end.distance_m
        elif end.duration_s is not None:
            distance = end.duration_s / pace * 1000
        elif end.lap_button:
            distance = 1600.0
        else:
            continue
        segments.append(Segment(distance, pace, _ROLE_HR[step.role], _ROLE_NAME[step.role]))
    return segments


def _cut(segments: Sequence[Segment], distance_m: float) -> list[Segment]:
    kept, covered = [], 0.0
    for segment in segments:
        if covered + segment.distance_m >= distance_m:
            if distance_m - covered > 50:
                kept.append(
                    Segment(
                        distance_m - covered, segment.pace_s_per_km, segment.hr_bpm, segment.name
                    )
                )
            break
        kept.append(segment)
        covered += segment.distance_m
    return kept


def activity_for_workout(
    workout: Workout,
    day: date,
    outcome: Outcome = "done",
    *,
    zone: str = "America/New_York",
    activity_id: int,
    athlete_id: int = SIM_ATHLETE_ID,
    start: time = time(6, 30),
) -> dict[str, Any] | None:
    """The activity the runner records on ``day`` for the planned ``workout``.

    ``"done"``: every step at the middle of its pace target (steps without one at the kind's
    usual pace), a lap per step; ``"shortened"``: the same, stopped at 60 % of the distance;
    ``"missed"``: None. Rest gives None; strength gives a 40-minute WeightTraining activity.
    ``workout_type`` follows Strava: 1 race, 2 long run, 3 workout (intervals, tempo, fartlek,
    hills), 0 otherwise.
    """
    if outcome == "missed" or workout.kind is WorkoutKind.REST:
        return None
    start_local = datetime.combine(day, start, ZoneInfo(zone))
    if workout.kind is WorkoutKind.STRENGTH:
        minutes = (workout.duration_s or 2400.0) / 60 * (0.6 if outcome == "shortened" else 1.0)
        return build_activity(
            activity_id=activity_id,
            name=workout.title or "Strength",
            sport_type="WeightTraining",
            start_local=start_local,
            duration_s=minutes * 60,
            athlete_id=athlete_id,
        )
    pace = _KIND_PACE.get(workout.kind, EASY_PACE)
    segments = _step_segments(workout.steps, pace)
    if not segments:
        distance = workout.distance_m or (workout.duration_s / pace * 1000 if pace else 0.0)
        segments = [Segment(distance or 5000.0, pace, 145.0)]
    if outcome == "shortened":
        segments = _cut(segments, 0.6 * sum(s.distance_m for s in segments))
    workout_type = {
        WorkoutKind.RACE: 1,
        WorkoutKind.LONG: 2,
        WorkoutKind.INTERVALS: 3,
        WorkoutKind.TEMPO: 3,
        WorkoutKind.FARTLEK: 3,
        WorkoutKind.HILLS: 3,
    }.get(workout.kind, 0)
    return build_activity(
        activity_id=activity_id,
        name=workout.title or workout.kind.value.capitalize(),
        sport_type="Run",
        start_local=start_local,
        segments=segments,
        workout_type=workout_type,
        athlete_id=athlete_id,
        auto_laps=workout_type not in (1, 3),
    )


# ------------------------------------------------------------------------------------------------
# The same runs as Garmin Connect shows them

#: Strava sport type → Garmin ``activityType.typeKey`` (the inverse of
#: :data:`ampt_sync.garmin.activity_json.SPORTS` for what the simulated runner does).
GARMIN_TYPE_KEYS = {
    "Run": "running",
    "TrailRun": "trail_running",
    "VirtualRun": "virtual_run",
    "Ride": "cycling",
    "Swim": "lap_swimming",
    "Walk": "walking",
    "Hike": "hiking",
    "WeightTraining": "strength_training",
    "Yoga": "yoga",
}
#: The structured workout a run was recorded from (any id: only its presence matters).
SIM_WORKOUT_ID = 700_001


def garmin_view(
    activity: dict[str, Any], *, structured: bool | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Strava-shaped ``activity`` (from :func:`build_activity`) as Garmin Connect lists it, and
    its laps (``lapDTOs``): the same run, seen through the other service. ``structured`` (default:
    a Strava workout tag, ``workout_type`` 3) marks a run recorded while following a structured
    workout on the watch (it carries ``workoutId``). Strava's race tag becomes the race event
    type; its long-run tag has no Garmin counterpart."""
    sport = activity["sport_type"]
    key = GARMIN_TYPE_KEYS.get(sport, sport.lower())
    if sport == "Run" and activity.get("trainer"):
        key = "treadmill_running"
    if structured is None:
        structured = activity.get("workout_type") == 3
    start_utc = datetime.fromisoformat(activity["start_date"].replace("Z", "+00:00"))
    local = activity["start_date_local"].replace("Z", "").replace("T", " ")
    moving = float(activity["moving_time"])
    summary: dict[str, Any] = {
        "activityId": activity["id"],
        "activityName": activity["name"],
        "startTimeLocal": local,
        "startTimeGMT": start_utc.strftime("%Y-%m-%d %H:%M:%S"),
        "activityType": {"typeId": 1, "typeKey": key, "parentTypeId": 17, "isHidden": False},
        "eventType": {
            "typeId": 1 if activity.get("workout_type") == 1 else 9,
            "typeKey": "race" if activity.get("workout_type") == 1 else "uncategorized",
        },
        "distance": activity["distance"],
        "duration": moving,
        "elapsedDuration": float(activity["elapsed_time"]),
        "movingDuration": moving,
        "elevationGain": activity.get("total_elevation_gain"),
        "averageSpeed": activity.get("average_speed"),
        "maxSpeed": activity.get("max_speed"),
        "averageHR": activity.get("average_heartrate"),
        "maxHR": activity.get("max_heartrate"),
        "calories": activity.get("calories"),
        "manualActivity": bool(activity.get("manual")),
        "workoutId": SIM_WORKOUT_ID if structured else None,
        "lapCount": len(activity.get("laps") or []),
        "hasSplits": bool(activity.get("laps")),
        "deviceId": 3_456_789_012,
        "ownerId": SIM_ATHLETE_ID,
        "kudosCount": activity.get("kudos_count", 0),
        "favorite": False,
        "startLatitude": None if activity.get("trainer") else 40.78,
        "startLongitude": None if activity.get("trainer") else -73.97,
    }
    laps = [
        {
            "lapIndex": index,
            "startTimeGMT": summary["startTimeGMT"],
            "distance": lap["distance"],
            "duration": float(lap["moving_time"]),
            "movingDuration": float(lap["moving_time"]),
            "elapsedDuration": float(lap["elapsed_time"]),
            "averageSpeed": lap["average_speed"],
            "maxSpeed": lap.get("max_speed"),
            "averageHR": lap.get("average_heartrate"),
        }
        for index, lap in enumerate(activity.get("laps") or [], start=1)
    ]
    return summary, laps


# ------------------------------------------------------------------------------------------------
# The same runs as intervals.icu shows them

#: The planned calendar event a run done from a workout is paired with (any id: only its
#: presence matters).
SIM_PAIRED_EVENT_ID = 70_500_001


def intervals_view(
    activity: dict[str, Any], *, structured: bool | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Strava-shaped ``activity`` (from :func:`build_activity`) as intervals.icu lists it when
    the watch uploads there directly (``source: "GARMIN_CONNECT"``, id ``"i"`` + Strava's), and
    its intervals (``icu_intervals``, one per lap): the same run, seen through the other
    service. ``structured`` (default: a Strava workout tag, ``workout_type`` 3) marks a run
    matched with a planned workout (it carries ``paired_event_id``). Strava's race tag becomes
    ``sub_type: "RACE"``; its long-run tag has no intervals.icu counterpart."""
    if structured is None:
        structured = activity.get("workout_type") == 3
    activity_id = f"i{activity['id']}"
    local = activity["start_date_local"].replace("Z", "")
    summary: dict[str, Any] = {
        "id": activity_id,
        "icu_athlete_id": "i424242",
        "name": activity["name"],
        "type": activity["sport_type"],
        "start_date_local": local,
        "start_date": activity["start_date"],
        # intervals.icu names the zone (IANA); Strava's label is "(GMT-05:00) America/New_York".
        "timezone": str(activity.get("timezone") or "").rpartition(" ")[2] or None,
        "source": "GARMIN_CONNECT",
        "sub_type": "RACE" if activity.get("workout_type") == 1 else "NONE",
        "distance": activity["distance"],
        "moving_time": activity["moving_time"],
        "elapsed_time": activity["elapsed_time"],
        "total_elevation_gain": activity.get("total_elevation_gain"),
        "average_speed": activity.get("average_speed"),
        "max_speed": activity.get("max_speed"),
        "average_heartrate": activity.get("average_heartrate"),
        "max_heartrate": activity.get("max_heartrate"),
        "average_cadence": activity.get("average_cadence"),
        "calories": activity.get("calories"),
        "trainer": bool(activity.get("trainer")),
        "commute": False,
        "paired_event_id": SIM_PAIRED_EVENT_ID if structured else None,
        "icu_training_load": round(float(activity["moving_time"]) / 60),
        "icu_ctl": 41.5,
        "icu_atl": 44.0,
        "device_name": activity.get("device_name"),
        "icu_lap_count": len(activity.get("laps") or []),
    }
    intervals = [
        {
            "id": index,
            "type": "WORK" if (lap.get("pace_zone") or 0) >= 4 else "RECOVERY",
            "label": lap.get("name"),
            "start_index": lap.get("start_index"),
            "end_index": lap.get("end_index"),
            "distance": lap["distance"],
            "moving_time": lap["moving_time"],
            "elapsed_time": lap["elapsed_time"],
            "average_speed": lap["average_speed"],
            "max_speed": lap.get("max_speed"),
            "average_heartrate": lap.get("average_heartrate"),
            "max_heartrate": lap.get("max_heartrate"),
        }
        for index, lap in enumerate(activity.get("laps") or [], start=1)
    ]
    return summary, intervals
