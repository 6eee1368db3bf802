"""Activities in the store: Strava or Garmin JSON in, domain :class:`~ampt_sync.domain.Activity`
out.

The raw JSON is kept as received minus location data (:func:`strip_location`), so that a better
parser later can re-read history without another backfill. The columns are what queries and
training decisions need; they are derived from the JSON here and nowhere else.

Field names follow Strava API v3 (``SummaryActivity`` from the list endpoint, ``DetailedActivity``
from ``/activities/{id}``). Strava writes ``start_date_local`` as the local wall-clock time with a
misleading ``Z`` suffix; its date part is the activity's local day.

Rows from Garmin Connect (``source = "garmin"``) are parsed by
:mod:`ampt_sync.garmin.activity_json` into the same columns; their detail is Garmin's splits answer
(``lapDTOs``). Rows from intervals.icu (``source = "intervals"``) likewise by
:mod:`ampt_sync.intervals.activity_json`; their detail is its intervals answer.
:func:`load_activities` shows one copy of a run stored from two sources
(:func:`ampt_sync.training.duplicates.drop_duplicates`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ampt_sync.domain import RUN_SPORTS, Activity, BestEffort, Lap, Split
from ampt_sync.plan_json import dumps
from ampt_sync.store.models import ActivityRow, strip_location

#: Strava's ``workout_type`` values for runs that are worth a detailed fetch: 1 race, 3 workout.
DETAIL_WORKOUT_TYPES = frozenset({1, 3})


class MalformedActivity(ValueError):
    """Strava sent an activity we cannot read. The message names the activity and the field."""


class UpsertOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ActivityColumns:
    """The queryable part of a summary, parsed and checked."""

    id: int
    sport_type: str
    name: str
    start_utc: datetime
    day: date
    distance_m: float
    moving_time_s: float
    elapsed_time_s: float
    elevation_gain_m: float
    average_speed_mps: float | None
    max_speed_mps: float | None
    average_hr_bpm: float | None
    max_hr_bpm: float | None
    workout_type: int | None
    manual: bool
    trainer: bool
    source: str = "strava"
    #: The source's own id; ``None`` means ``id`` (Strava's ids are ours).
    source_id: int | None = None


def _hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(dumps(data).encode()).hexdigest()


def _number(raw: dict[str, Any], key: str, *, required: bool, what: str) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise MalformedActivity(f"{what}: field {key!r} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedActivity(f"{what}: field {key!r} is {value!r}, expected a number")
    return float(value)


def parse_summary(raw: dict[str, Any]) -> ActivityColumns:
    """Columns from a Strava summary; :class:`MalformedActivity` when a needed field is unusable."""
    if not isinstance(raw, dict):
        raise MalformedActivity(f"activity is {type(raw).__name__}, expected a JSON object")
    activity_id = raw.get("id")
    if isinstance(activity_id, bool) or not isinstance(activity_id, int):
        raise MalformedActivity(f"activity id {activity_id!r} is not an integer")
    what = f"activity {activity_id}"
    sport = raw.get("sport_type") or raw.get("type")
    if not isinstance(sport, str) or not sport:
        raise MalformedActivity(f"{what}: no sport_type or type")
    try:
        start = datetime.fromisoformat(str(raw["start_date"]).replace("Z", "+00:00"))
        local_day = date.fromisoformat(str(raw["start_date_local"])[:10])
    except (KeyError, ValueError):
        raise MalformedActivity(
            f"{what}: start_date or start_date_local is missing or not ISO 8601"
        ) from None
    if start.tzinfo is None:
        raise MalformedActivity(f"{what}: start_date has no time zone")
    workout_type = raw.get("workout_type")
    if workout_type is not None and (
        isinstance(workout_type, bool) or not isinstance(workout_type, int)
    ):
        raise MalformedActivity(f"{what}: workout_type {workout_type!r} is not an integer")
    has_hr = raw.get("has_heartrate", True)
    return ActivityColumns(
        id=activity_id,
        sport_type=sport,
        name=str(raw.get("name") or "")[:255],
        start_utc=start.astimezone(UTC),
        day=local_day,
        distance_m=_number(raw, "distance", required=True, what=what) or 0.0,
        moving_time_s=_number(raw, "moving_time", required=True, what=what) or 0.0,
        elapsed_time_s=_number(raw, "elapsed_time", required=True, what=what) or 0.0,
        elevation_gain_m=_number(raw, "total_elevation_gain", required=False, what=what) or 0.0,
        average_speed_mps=_number(raw, "average_speed", required=False, what=what),
        max_speed_mps=_number(raw, "max_speed", required=False, what=what),
        average_hr_bpm=_number(raw, "average_heartrate", required=False, what=what)
        if has_hr
        else None,
        max_hr_bpm=_number(raw, "max_heartrate", required=False, what=what) if has_hr else None,
        workout_type=workout_type,
        manual=bool(raw.get("manual", False)),
        trainer=bool(raw.get("trainer", False)),
    )


def upsert_activity(
    session: Session, summary: dict[str, Any], *, fetched_at: datetime
) -> UpsertOutcome:
    """Insert or update one Strava activity from its summary JSON (stored without location
    data)."""
    return upsert_columns(session, parse_summary(summary), summary, fetched_at=fetched_at)


def upsert_columns(
    session: Session,
    columns: ActivityColumns,
    summary: dict[str, Any],
    *,
    fetched_at: datetime,
    wants_detail: bool = True,
) -> UpsertOutcome:
    """Insert or update one activity from its parsed ``columns`` and raw ``summary`` (any
    source). ``wants_detail=False`` marks the row as needing no detail (its detail hash follows
    the summary's), so :func:`rows_needing_detail` never lists it."""
    clean = strip_location(summary)
    digest = _hash(clean)
    row = session.get(ActivityRow, columns.id)
    if row is not None and row.summary_hash == digest:
        return UpsertOutcome.UNCHANGED
    values = {
        **columns.__dict__,
        "source_id": columns.id if columns.source_id is None else columns.source_id,
        "summary_json": clean,
        "summary_hash": digest,
    }
    if row is None:
        row = ActivityRow(**values, fetched_at=fetched_at)
        session.add(row)
        outcome = UpsertOutcome.CREATED
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.fetched_at = fetched_at
        outcome = UpsertOutcome.UPDATED
    if not wants_detail:
        row.detail_json = None
        row.detail_summary_hash = digest
    return outcome


def needs_detail(row: ActivityRow) -> bool:
    """A race or workout run whose detail was never fetched, or was fetched for an older summary."""
    return (
        row.source == "strava"
        and row.sport_type in RUN_SPORTS
        and row.workout_type in DETAIL_WORKOUT_TYPES
        and row.detail_summary_hash != row.summary_hash
    )


def rows_needing_detail(session: Session, source: str = "strava") -> list[ActivityRow]:
    """Rows of ``source`` whose detail is to be fetched, oldest first. For Strava: races and
    workouts (:func:`needs_detail`); for other sources: every row not marked as needing none
    by :func:`upsert_columns` whose detail is missing or older than its summary."""
    if source == "strava":
        rows = session.scalars(
            select(ActivityRow)
            .where(
                ActivityRow.source == "strava",
                ActivityRow.workout_type.in_(DETAIL_WORKOUT_TYPES),
            )
            .order_by(ActivityRow.start_utc)
        ).all()
        return [row for row in rows if needs_detail(row)]
    return list(
        session.scalars(
            select(ActivityRow)
            .where(
                ActivityRow.source == source,
                (ActivityRow.detail_summary_hash.is_(None))
                | (ActivityRow.detail_summary_hash != ActivityRow.summary_hash),
            )
            .order_by(ActivityRow.start_utc)
        )
    )


def store_detail(session: Session, activity_id: int, detail: dict[str, Any]) -> None:
    """Keep the detailed JSON for an activity already stored from its summary."""
    row = session.get(ActivityRow, activity_id)
    if row is None:
        raise MalformedActivity(f"activity {activity_id}: detail for an activity not stored")
    if not isinstance(detail, dict) or detail.get("id") != activity_id:
        raise MalformedActivity(f"activity {activity_id}: the detail answer is for another id")
    # Refuse now what load_activities could not read later.
    what = f"activity {activity_id}"
    _best_efforts(detail, what)
    _laps(detail, what)
    _splits(detail, what)
    row.detail_json = strip_location(detail)
    row.detail_summary_hash = row.summary_hash


def ids_started_between(
    session: Session, first: datetime, end: datetime, source: str = "strava"
) -> set[int]:
    """Ids of ``source``'s stored activities with ``first <= start < end`` (for spotting
    deletions: a listing of one source says nothing about another's rows)."""
    return set(
        session.scalars(
            select(ActivityRow.id).where(
                ActivityRow.source == source,
                ActivityRow.start_utc >= first,
                ActivityRow.start_utc < end,
            )
        )
    )


def ids_on_days(session: Session, first: date, last: date, source: str) -> set[int]:
    """Ids of ``source``'s stored activities whose local day is in ``first..last``."""
    return set(
        session.scalars(
            select(ActivityRow.id).where(
                ActivityRow.source == source, ActivityRow.day >= first, ActivityRow.day <= last
            )
        )
    )


def delete_activities(session: Session, ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    result = session.execute(delete(ActivityRow).where(ActivityRow.id.in_(ids)))
    return result.rowcount or 0


def delete_all_activities(session: Session, source: str | None = None) -> int:
    """Delete every activity, or only ``source``'s."""
    query = delete(ActivityRow)
    if source is not None:
        query = query.where(ActivityRow.source == source)
    return session.execute(query).rowcount or 0


def count_activities(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ActivityRow)) or 0


def newest_start(session: Session, source: str = "strava") -> datetime | None:
    return session.scalar(
        select(func.max(ActivityRow.start_utc)).where(ActivityRow.source == source)
    )


def load_activities(session: Session, since: date | None = None) -> list[Activity]:
    """Stored activities (every sport) as domain objects, oldest first; ``since`` is a local day.

    A run stored from two sources (after a switch of ``[activities] source``) is returned once:
    see :func:`ampt_sync.training.duplicates.drop_duplicates` for which copy wins."""
    from ampt_sync.training.duplicates import drop_duplicates

    query = select(ActivityRow).order_by(ActivityRow.start_utc, ActivityRow.id)
    if since is not None:
        query = query.where(ActivityRow.day >= since)
    return drop_duplicates([activity_from_row(row) for row in session.scalars(query)])


# ------------------------------------------------------------------------------------------------
# Row → domain


def activity_from_row(row: ActivityRow) -> Activity:
    """The domain activity of a stored row: its columns, and what its source's detail says
    (Strava's best efforts, laps and km splits; the laps of Garmin Connect or intervals.icu,
    with km splits where they were lapped every kilometre)."""
    if row.source in ("garmin", "intervals"):
        from ampt_sync.garmin.activity_json import garmin_laps, splits_from_laps
        from ampt_sync.intervals.activity_json import intervals_laps

        laps = garmin_laps(row) if row.source == "garmin" else intervals_laps(row)
        best_efforts: tuple[BestEffort, ...] = ()
        splits_km = splits_from_laps(laps)
    else:
        detail = row.detail_json or {}
        what = f"activity {row.id}"
        best_efforts, laps, splits_km = (
            _best_efforts(detail, what),
            _laps(detail, what),
            _splits(detail, what),
        )
    return Activity(
        id=row.id,
        sport=row.sport_type,
        name=row.name,
        start=row.start_utc,
        day=row.day,
        distance_m=row.distance_m,
        moving_time_s=row.moving_time_s,
        elapsed_time_s=row.elapsed_time_s,
        elevation_gain_m=row.elevation_gain_m,
        average_speed_mps=row.average_speed_mps,
        max_speed_mps=row.max_speed_mps,
        average_hr_bpm=row.average_hr_bpm,
        max_hr_bpm=row.max_hr_bpm,
        workout_type=row.workout_type,
        manual=row.manual,
        trainer=row.trainer,
        best_efforts=best_efforts,
        laps=laps,
        splits_km=splits_km,
        source=row.source,
    )


def _items(detail: dict[str, Any], key: str, what: str) -> Sequence[dict[str, Any]]:
    items = detail.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise MalformedActivity(f"{what}: {key} is not a list of objects")
    return items


def _best_efforts(detail: dict[str, Any], what: str) -> tuple[BestEffort, ...]:
    efforts = []
    for item in _items(detail, "best_efforts", what):
        distance = _number(item, "distance", required=True, what=f"{what} best effort")
        elapsed = _number(item, "elapsed_time", required=True, what=f"{what} best effort")
        efforts.append(BestEffort(str(item.get("name", "")), distance or 0.0, elapsed or 0.0))
    return tuple(efforts)


def _laps(detail: dict[str, Any], what: str) -> tuple[Lap, ...]:
    laps = []
    for item in _items(detail, "laps", what):
        w = f"{what} lap"
        laps.append(
            Lap(
                distance_m=_number(item, "distance", required=True, what=w) or 0.0,
                elapsed_time_s=_number(item, "elapsed_time", required=True, what=w) or 0.0,
                moving_time_s=_number(item, "moving_time", required=True, what=w) or 0.0,
                average_speed_mps=_number(item, "average_speed", required=True, what=w) or 0.0,
                max_speed_mps=_number(item, "max_speed", required=False, what=w),
                average_hr_bpm=_number(item, "average_heartrate", required=False, what=w),
            )
        )
    return tuple(laps)


def _splits(detail: dict[str, Any], what: str) -> tuple[Split, ...]:
    splits = []
    for item in _items(detail, "splits_metric", what):
        w = f"{what} split"
        splits.append(
            Split(
                distance_m=_number(item, "distance", required=True, what=w) or 0.0,
                elapsed_time_s=_number(item, "elapsed_time", required=True, what=w) or 0.0,
                moving_time_s=_number(item, "moving_time", required=True, what=w) or 0.0,
                average_speed_mps=_number(item, "average_speed", required=True, what=w) or 0.0,
                average_grade_adjusted_speed_mps=_number(
                    item, "average_grade_adjusted_speed", required=False, what=w
                ),
                average_hr_bpm=_number(item, "average_heartrate", required=False, what=w),
                elevation_difference_m=_number(
                    item, "elevation_difference", required=False, what=w
                ),
            )
        )
    return tuple(splits)
