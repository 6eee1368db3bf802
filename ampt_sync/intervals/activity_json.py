"""intervals.icu's activity JSON, read into the columns and domain objects Strava's JSON gives.

Pure: no I/O. Field names are those of intervals.icu's public API (intervals.icu/api-docs.html,
its OpenAPI ``Activity`` and ``Interval`` schemas, and the answers open-source clients show):

* the list, ``GET /api/v1/athlete/{id}/activities?oldest=&newest=``: one activity per item with
  ``id`` (a string: ``"i"`` and digits for what reached intervals.icu from a watch, a file or
  Garmin Connect), ``name``, ``start_date`` (UTC, ``"YYYY-MM-DDTHH:MM:SSZ"``) and
  ``start_date_local`` (the wall clock where the run was, without a zone; with ``timezone``, an
  IANA name, it gives the start when ``start_date`` is missing), ``type`` (Strava's
  sport names: ``Run``, ``TrailRun``, ``VirtualRun``, ``Ride``, ``WeightTraining``, …),
  ``distance`` (m), ``moving_time``, ``elapsed_time`` (s), ``total_elevation_gain`` (m),
  ``average_speed``, ``max_speed`` (m/s), ``average_heartrate``, ``max_heartrate`` (bpm),
  ``trainer``, ``sub_type`` (``NONE``, ``COMMUTE``, ``WARMUP``, ``COOLDOWN``, ``RACE``),
  ``source`` (``GARMIN_CONNECT``, ``UPLOAD``, ``MANUAL``, ``STRAVA``, …), ``paired_event_id``
  (the planned calendar event the activity was matched with) and intervals.icu's own metrics
  (``icu_training_load``, ``icu_ctl``, …), which ampt-sync does not use;
* the intervals, ``GET /api/v1/activity/{id}/intervals``: ``{"id", "icu_intervals": [...],
  "icu_groups": [...]}``, each interval with ``type`` (``WORK``, ``RECOVERY``, …), ``distance``,
  ``moving_time``, ``elapsed_time``, ``average_speed``, ``max_speed``, ``average_heartrate``.

**Activities that came from Strava** are not readable through intervals.icu's API (Strava's API
terms, since November 2024): the list gives a stub with the Strava id (digits, no ``i``),
``source: "STRAVA"``, ``start_date_local`` and a ``_note``, and nothing else.
:func:`parse_intervals_summary` refuses it with :class:`StravaStub`, whose message tells the
runner to connect the watch to intervals.icu directly; such runs are skipped and reported.

How it maps to Strava's shape (so that :func:`~ampt_sync.training.classify.classify` sees the same
run either way):

* sport: ``type`` as it is (it already uses Strava's names); moving and elapsed time: the
  fields, each standing in for the other when one is missing;
* **a race** is ``sub_type == "RACE"`` (what the runner sets as "Race" on the activity in
  intervals.icu; a ``race: true`` field, should the service send one, counts the same): it
  becomes Strava's race tag (``workout_type`` 1). Otherwise the run is untagged, and a race is
  still recognised by its name or data, exactly as for an untagged Strava run;
* **a workout**: intervals.icu has no workout tag. A run matched with a planned workout on the
  calendar carries ``paired_event_id``; such runs, and races, get their intervals fetched
  (:func:`wants_intervals`). They are not tagged ``workout_type`` 3, for the reason the Garmin
  road gives: every planned run reaches the watch as a workout, easy ones included;
* laps are intervals.icu's intervals (the device's laps, or what intervals.icu detected);
  **kilometre splits** are those laps when the watch lapped every kilometre
  (:func:`~ampt_sync.garmin.activity_json.splits_from_laps`, the Garmin road's rule), else none;
  ``best_efforts`` stay empty.

Ours: the store keeps intervals.icu's activity ``i<n>`` with ``source_id = n`` and
``id = -(ID_OFFSET + n)`` (:func:`our_id`): negative like Garmin's ``-activityId`` so that it is
never a Strava id, and beyond any Garmin id (they are about 2·10¹⁰ today), while staying below
2⁵³ so the id is exact in JSON and JavaScript.

Assumptions not verified against the live service: ``sub_type`` is where the race mark is;
``paired_event_id`` marks a run done from a planned workout; the intervals answer has the fields
above with these units.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ampt_sync.domain import RUN_SPORTS, Lap
from ampt_sync.store.activities import ActivityColumns, MalformedActivity

if TYPE_CHECKING:
    from ampt_sync.store.models import ActivityRow

SOURCE = "intervals"
#: Our ids for intervals.icu's activities start below ``-ID_OFFSET`` (see the module docstring).
ID_OFFSET = 10**15
#: The largest activity number kept exact: ``ID_OFFSET + n`` stays below 2⁵³.
MAX_NUMBER = 2**53 - 1 - ID_OFFSET
ID_RE = re.compile(r"^i(\d{1,16})$")
RACE_SUB_TYPE = "RACE"
#: intervals.icu's ``source`` for activities it got from Strava (not readable through the API).
STRAVA_SOURCE = "STRAVA"
#: Strava's ``workout_type`` for a race.
RACE_TAG = 1


class StravaStub(MalformedActivity):
    """An activity intervals.icu got from Strava: the API shows only a stub of it."""


def our_id(number: int) -> int:
    """The store's id for intervals.icu's activity ``i<number>``."""
    return -(ID_OFFSET + number)


def activity_number(raw: Any) -> int | None:
    """``n`` of an ``"i<n>"`` id (within :data:`MAX_NUMBER`), else None."""
    value = raw.get("id") if isinstance(raw, dict) else None
    match = ID_RE.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    number = int(match[1])
    return number if 0 < number <= MAX_NUMBER else None


def _number(raw: dict[str, Any], key: str, what: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedActivity(f"{what}: field {key!r} is {value!r}, expected a number")
    return float(value)


def _moment(raw: dict[str, Any], key: str, what: str) -> datetime:
    value = raw.get(key)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise MalformedActivity(
            f"{what}: {key} is {value!r}, expected 'YYYY-MM-DDTHH:MM:SS'"
        ) from None


def _start_utc(raw: dict[str, Any], local: datetime, what: str) -> datetime:
    """``start_date`` (UTC; a time without a zone counts as UTC); when it is absent, the local
    start in the item's ``timezone`` (an IANA name), so no run is lost for want of it."""
    if raw.get("start_date") is None and isinstance(raw.get("timezone"), str):
        try:
            zone = ZoneInfo(raw["timezone"])
        except (ValueError, ZoneInfoNotFoundError):
            raise MalformedActivity(
                f"{what}: no start_date, and timezone {raw['timezone']!r} is not a zone name"
            ) from None
        return local.replace(tzinfo=zone).astimezone(UTC)
    start = _moment(raw, "start_date", what)
    return start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)


def is_strava_stub(raw: Any) -> bool:
    return isinstance(raw, dict) and raw.get("source") == STRAVA_SOURCE


def is_race(raw: dict[str, Any]) -> bool:
    return raw.get("sub_type") == RACE_SUB_TYPE or raw.get("race") is True


def parse_intervals_summary(raw: Any) -> ActivityColumns:
    """Columns from one item of intervals.icu's activity list; :class:`StravaStub` for an
    activity it got from Strava, :class:`MalformedActivity` (naming the activity and the field)
    when a needed field is unusable."""
    if not isinstance(raw, dict):
        raise MalformedActivity(f"activity is {type(raw).__name__}, expected a JSON object")
    if is_strava_stub(raw):
        raise StravaStub(
            f"intervals.icu activity {raw.get('id')!r} came from Strava, and intervals.icu may "
            "not pass Strava's activities on through its API; connect your watch (Garmin "
            "Connect, COROS, …) to intervals.icu directly so that your runs reach it from there"
        )
    number = activity_number(raw)
    if number is None:
        raise MalformedActivity(f"id {raw.get('id')!r} is not 'i' and digits")
    what = f"intervals.icu activity i{number}"
    sport = raw.get("type")
    if not isinstance(sport, str) or not sport.strip():
        raise MalformedActivity(f"{what}: no type")
    local = _moment(raw, "start_date_local", what)
    start = _start_utc(raw, local, what)
    local_day: date = local.date()
    moving = _number(raw, "moving_time", what)
    elapsed = _number(raw, "elapsed_time", what)
    if moving is None and elapsed is None:
        raise MalformedActivity(f"{what}: neither moving_time nor elapsed_time")
    return ActivityColumns(
        id=our_id(number),
        sport_type=sport.strip()[:40],
        name=str(raw.get("name") or "")[:255],
        start_utc=start,
        day=local_day,
        distance_m=_number(raw, "distance", what) or 0.0,
        moving_time_s=elapsed if moving is None else moving,  # type: ignore[arg-type]
        elapsed_time_s=moving if elapsed is None else elapsed,  # type: ignore[arg-type]
        elevation_gain_m=_number(raw, "total_elevation_gain", what) or 0.0,
        average_speed_mps=_number(raw, "average_speed", what),
        max_speed_mps=_number(raw, "max_speed", what),
        average_hr_bpm=_number(raw, "average_heartrate", what),
        max_hr_bpm=_number(raw, "max_heartrate", what),
        workout_type=RACE_TAG if is_race(raw) else None,
        manual=raw.get("source") == "MANUAL",
        trainer=bool(raw.get("trainer", False)),
        source=SOURCE,
        source_id=number,
    )


def wants_intervals(raw: dict[str, Any], columns: ActivityColumns) -> bool:
    """A race, or a run matched with a planned workout: worth one request for its intervals
    (what :func:`~ampt_sync.training.classify.classify` reads repetitions from)."""
    if columns.sport_type not in RUN_SPORTS:
        return False
    return columns.workout_type == RACE_TAG or raw.get("paired_event_id") is not None


def laps_from_intervals(detail: Any, what: str) -> tuple[Lap, ...]:
    """The laps of intervals.icu's intervals answer (``icu_intervals``);
    :class:`MalformedActivity` when it is not that shape."""
    if not isinstance(detail, dict):
        raise MalformedActivity(f"{what}: the intervals answer is not a JSON object")
    items = detail.get("icu_intervals") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise MalformedActivity(f"{what}: icu_intervals is not a list of objects")
    laps = []
    for index, item in enumerate(items, start=1):
        w = f"{what} interval {index}"
        distance = _number(item, "distance", w)
        moving = _number(item, "moving_time", w)
        elapsed = _number(item, "elapsed_time", w)
        if distance is None or (moving is None and elapsed is None):
            raise MalformedActivity(f"{w}: needs distance and moving_time or elapsed_time")
        moving = elapsed if moving is None else moving
        elapsed = moving if elapsed is None else elapsed
        speed = _number(item, "average_speed", w)
        laps.append(
            Lap(
                distance_m=distance,
                elapsed_time_s=elapsed,  # type: ignore[arg-type]
                moving_time_s=moving,  # type: ignore[arg-type]
                average_speed_mps=(distance / moving if moving else 0.0)
                if speed is None
                else speed,
                max_speed_mps=_number(item, "max_speed", w),
                average_hr_bpm=_number(item, "average_heartrate", w),
            )
        )
    return tuple(laps)


def intervals_laps(row: ActivityRow) -> tuple[Lap, ...]:
    """The laps of a row stored from intervals.icu (none before they are fetched)."""
    if not row.detail_json:
        return ()
    return laps_from_intervals(row.detail_json, f"intervals.icu activity i{row.source_id}")
