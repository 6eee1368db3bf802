"""Garmin Connect's activity JSON, read into the columns and domain objects Strava's JSON gives.

Pure: no I/O. Field names are those garminconnect 0.3.20 documents and returns (its typed
``Activity`` model and the web app's answers):

* the list, ``GET /activitylist-service/activities/search/activities``: one summary per activity
  with ``activityId``, ``activityName``, ``startTimeGMT`` and ``startTimeLocal`` (both
  ``"YYYY-MM-DD HH:MM:SS"``, without a zone: the first is UTC, the second the wall clock where the
  run was), ``activityType.typeKey``, ``eventType.typeKey``, ``distance`` (m), ``duration``,
  ``elapsedDuration``, ``movingDuration`` (s), ``elevationGain`` (m), ``averageSpeed``,
  ``maxSpeed`` (m/s), ``averageHR``, ``maxHR`` (bpm), ``manualActivity``, ``workoutId``;
* the splits, ``GET /activity-service/activity/{id}/splits``: ``{"activityId", "lapDTOs": [...]}``,
  each lap with ``distance``, ``duration``, ``elapsedDuration``, ``movingDuration``,
  ``averageSpeed``, ``maxSpeed``, ``averageHR``.

How it maps to Strava's shape (so that :func:`~ampt_sync.training.classify.classify` sees the same
run either way):

* sport: :data:`SPORTS` (``running``/``street_running``/``track_running`` → ``Run``,
  ``trail_running`` → ``TrailRun``, ``treadmill_running``/``indoor_running`` → ``Run`` on a trainer,
  as Strava records a treadmill run, ``virtual_run`` → ``VirtualRun``; other sports to Strava's name
  for them, else the type key in CamelCase: they only count as cross-training);
* moving time: ``movingDuration``, else ``duration``; elapsed time: ``elapsedDuration``, else
  ``duration``;
* **a race** is ``eventType.typeKey == "race"`` (what the runner picks as "Event type: Race" in
  Garmin Connect; Garmin's own race detection does not exist): it becomes Strava's race tag
  (``workout_type`` 1). Any other event type leaves the run untagged, and a race is still
  recognised by its name ("race", "parkrun", …) or its data, exactly as for an untagged Strava run;
* **a workout**: Garmin has no "workout" tag. A run recorded while following a structured workout
  on the watch carries that workout's ``workoutId`` (an assumption from the web app's answers, not
  verified against the live service); such runs, and races, get their laps fetched. They are not
  tagged ``workout_type`` 3: ampt-sync puts every planned run on the watch as a workout, easy ones
  included, and tagging would call each of them a workout.
* Garmin gives no best efforts and no kilometre splits in these answers: ``best_efforts`` stay
  empty, so fitness comes from races and hard whole runs. **Kilometre splits** are the laps when
  the watch lapped every kilometre (Garmin's default auto-lap for metric units: every lap but the
  last 1 km within :data:`AUTO_LAP_TOLERANCE_M`, the last at most 1 km; :func:`splits_from_laps`),
  else none: a run lapped per mile or per workout step has no kilometre splits, and a steady tempo
  is then recognised from a lap of 15+ minutes, its name or its heart rate.

Ours: the store keeps Garmin's activity with ``id = -activityId`` (:mod:`ampt_sync.store.models`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from ampt_sync.domain import RUN_SPORTS, Lap, Split
from ampt_sync.store.activities import ActivityColumns, MalformedActivity

if TYPE_CHECKING:
    from ampt_sync.store.models import ActivityRow

SOURCE = "garmin"

#: Garmin ``activityType.typeKey`` → (Strava sport type, indoors on a treadmill or trainer).
SPORTS: dict[str, tuple[str, bool]] = {
    "running": ("Run", False),
    "street_running": ("Run", False),
    "track_running": ("Run", False),
    "ultra_run": ("Run", False),
    "trail_running": ("TrailRun", False),
    "treadmill_running": ("Run", True),
    "indoor_running": ("Run", True),
    "virtual_run": ("VirtualRun", True),
    "cycling": ("Ride", False),
    "road_biking": ("Ride", False),
    "mountain_biking": ("MountainBikeRide", False),
    "gravel_cycling": ("GravelRide", False),
    "indoor_cycling": ("Ride", True),
    "virtual_ride": ("VirtualRide", True),
    "lap_swimming": ("Swim", False),
    "open_water_swimming": ("Swim", False),
    "walking": ("Walk", False),
    "hiking": ("Hike", False),
    "strength_training": ("WeightTraining", False),
    "yoga": ("Yoga", False),
    "elliptical": ("Elliptical", True),
}

#: How far from 1,000 m a lap may be and still be a kilometre auto-lap (GPS rounding).
AUTO_LAP_TOLERANCE_M = 5.0

RACE_EVENT = "race"
#: Strava's ``workout_type`` for a race.
RACE_TAG = 1


def our_id(garmin_id: int) -> int:
    """The store's id for Garmin's activity ``garmin_id`` (negative: never a Strava id)."""
    return -garmin_id


def _number(raw: dict[str, Any], key: str, what: str, *, required: bool = False) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise MalformedActivity(f"{what}: field {key!r} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedActivity(f"{what}: field {key!r} is {value!r}, expected a number")
    return float(value)


def _moment(raw: dict[str, Any], key: str, what: str) -> datetime:
    value = raw.get(key)
    try:
        return datetime.fromisoformat(str(value).replace(" ", "T"))
    except ValueError:
        raise MalformedActivity(
            f"{what}: {key} is {value!r}, expected 'YYYY-MM-DD HH:MM:SS'"
        ) from None


def garmin_id(raw: Any) -> int | None:
    """``activityId`` when it is a positive integer, else None."""
    value = raw.get("activityId") if isinstance(raw, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def sport_of(raw: dict[str, Any]) -> tuple[str, bool] | None:
    """(Strava sport type, indoors) for a summary's ``activityType``, None when it has none."""
    kind = raw.get("activityType")
    key = kind.get("typeKey") if isinstance(kind, dict) else None
    if not isinstance(key, str) or not key:
        return None
    if key in SPORTS:
        return SPORTS[key]
    return "".join(part.capitalize() for part in key.split("_")), False


def is_race(raw: dict[str, Any]) -> bool:
    event = raw.get("eventType")
    return isinstance(event, dict) and event.get("typeKey") == RACE_EVENT


def parse_garmin_summary(raw: Any) -> ActivityColumns:
    """Columns from one summary of Garmin's activity list; :class:`MalformedActivity` (naming
    the activity and the field) when a needed field is unusable."""
    if not isinstance(raw, dict):
        raise MalformedActivity(f"activity is {type(raw).__name__}, expected a JSON object")
    activity_id = garmin_id(raw)
    if activity_id is None:
        raise MalformedActivity(f"activityId {raw.get('activityId')!r} is not a positive integer")
    what = f"Garmin activity {activity_id}"
    sport = sport_of(raw)
    if sport is None:
        raise MalformedActivity(f"{what}: no activityType.typeKey")
    sport_type, indoors = sport
    start = _moment(raw, "startTimeGMT", what).replace(tzinfo=UTC)
    local_day: date = _moment(raw, "startTimeLocal", what).date()
    duration = _number(raw, "duration", what, required=True) or 0.0
    moving = _number(raw, "movingDuration", what)
    elapsed = _number(raw, "elapsedDuration", what)
    return ActivityColumns(
        id=our_id(activity_id),
        sport_type=sport_type,
        name=str(raw.get("activityName") or "")[:255],
        start_utc=start,
        day=local_day,
        distance_m=_number(raw, "distance", what) or 0.0,
        moving_time_s=duration if moving is None else moving,
        elapsed_time_s=duration if elapsed is None else elapsed,
        elevation_gain_m=_number(raw, "elevationGain", what) or 0.0,
        average_speed_mps=_number(raw, "averageSpeed", what),
        max_speed_mps=_number(raw, "maxSpeed", what),
        average_hr_bpm=_number(raw, "averageHR", what),
        max_hr_bpm=_number(raw, "maxHR", what),
        workout_type=RACE_TAG if is_race(raw) else None,
        manual=bool(raw.get("manualActivity", False)),
        trainer=indoors,
        source=SOURCE,
        source_id=activity_id,
    )


def wants_laps(raw: dict[str, Any], columns: ActivityColumns) -> bool:
    """A race, or a run recorded while following a structured workout: worth one request for
    its laps (what :func:`~ampt_sync.training.classify.classify` reads intervals from)."""
    if columns.sport_type not in RUN_SPORTS:
        return False
    return columns.workout_type == RACE_TAG or raw.get("workoutId") is not None


def laps_from_splits(detail: Any, what: str) -> tuple[Lap, ...]:
    """The laps of Garmin's splits answer (``lapDTOs``); :class:`MalformedActivity` when it is
    not that shape."""
    if not isinstance(detail, dict):
        raise MalformedActivity(f"{what}: the splits answer is not a JSON object")
    items = detail.get("lapDTOs") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise MalformedActivity(f"{what}: lapDTOs is not a list of objects")
    laps = []
    for item in items:
        w = f"{what} lap"
        duration = _number(item, "duration", w, required=True) or 0.0
        distance = _number(item, "distance", w, required=True) or 0.0
        moving = _number(item, "movingDuration", w)
        elapsed = _number(item, "elapsedDuration", w)
        speed = _number(item, "averageSpeed", w)
        laps.append(
            Lap(
                distance_m=distance,
                elapsed_time_s=duration if elapsed is None else elapsed,
                moving_time_s=duration if moving is None else moving,
                average_speed_mps=(distance / duration if duration else 0.0)
                if speed is None
                else speed,
                max_speed_mps=_number(item, "maxSpeed", w),
                average_hr_bpm=_number(item, "averageHR", w),
            )
        )
    return tuple(laps)


def splits_from_laps(laps: tuple[Lap, ...]) -> tuple[Split, ...]:
    """Kilometre splits from laps that are kilometre auto-laps (two or more, every one but the
    last 1 km within :data:`AUTO_LAP_TOLERANCE_M`, the last no longer), else none."""
    if len(laps) < 2:
        return ()
    if any(abs(lap.distance_m - 1000.0) > AUTO_LAP_TOLERANCE_M for lap in laps[:-1]):
        return ()
    if laps[-1].distance_m > 1000.0 + AUTO_LAP_TOLERANCE_M:
        return ()
    return tuple(
        Split(
            distance_m=lap.distance_m,
            elapsed_time_s=lap.elapsed_time_s,
            moving_time_s=lap.moving_time_s,
            average_speed_mps=lap.average_speed_mps,
            average_hr_bpm=lap.average_hr_bpm,
        )
        for lap in laps
    )


def garmin_laps(row: ActivityRow) -> tuple[Lap, ...]:
    """The laps of a row stored from Garmin Connect (none before they are fetched)."""
    if not row.detail_json:
        return ()
    return laps_from_splits(row.detail_json, f"Garmin activity {row.source_id}")
