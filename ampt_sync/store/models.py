"""The tables, as SQLAlchemy 2 typed ORM classes.

The schema is owned by the Alembic migrations in ``migrations/versions``; these classes must match
them (``tests/test_store.py`` checks that autogenerate finds no difference).

Every datetime column holds an aware UTC datetime (:class:`UTCDateTime`); every ``*_day`` or ``day``
column is the athlete's local date. We keep no location data: the activity's raw JSON is stored
without its map polyline and its start/end coordinates (see :func:`strip_location`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so that migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC (SQLite has no time zones) and returns them aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy's documented class attribute
        datetime: UTCDateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
    }


class ActivityRow(Base):
    """An activity as its source sent it (summary, and detail when fetched).

    ``source`` is ``"strava"``, ``"garmin"`` or ``"intervals"``; ``source_id`` is the id that
    service gave it (for intervals.icu's ``"i<n>"``: ``n``). ``id`` is ours and unique across
    sources: a Strava activity keeps Strava's id (every row before revision 0004 was Strava's), a
    Garmin Connect activity gets ``-source_id``, an intervals.icu one ``-(10**15 + source_id)``
    (:func:`ampt_sync.intervals.activity_json.our_id`), so the services' ids can never collide.
    ``summary_json`` and ``detail_json`` are in the source's own shape (Strava API v3, Garmin
    Connect's activity list and splits, intervals.icu's activity list and intervals)."""

    __tablename__ = "activities"
    __table_args__ = (Index(None, "source", "source_id", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(10), server_default="strava", default="strava")
    source_id: Mapped[int] = mapped_column(BigInteger)
    sport_type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(255))
    start_utc: Mapped[datetime] = mapped_column(index=True)
    day: Mapped[date] = mapped_column(index=True)
    distance_m: Mapped[float] = mapped_column(Float)
    moving_time_s: Mapped[float] = mapped_column(Float)
    elapsed_time_s: Mapped[float] = mapped_column(Float)
    elevation_gain_m: Mapped[float] = mapped_column(Float, default=0.0)
    average_speed_mps: Mapped[float | None] = mapped_column(Float)
    max_speed_mps: Mapped[float | None] = mapped_column(Float)
    average_hr_bpm: Mapped[float | None] = mapped_column(Float)
    max_hr_bpm: Mapped[float | None] = mapped_column(Float)
    workout_type: Mapped[int | None] = mapped_column(Integer)
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    trainer: Mapped[bool] = mapped_column(Boolean, default=False)
    summary_json: Mapped[dict[str, Any]]
    summary_hash: Mapped[str] = mapped_column(String(64))
    detail_json: Mapped[dict[str, Any] | None]
    # The summary hash when the detail was fetched: a new summary hash means fetch it again.
    detail_summary_hash: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime]


class PlanRow(Base):
    """One version of the plan. Versions only grow; the newest is the plan in force.

    Only the newest version holds its JSON in full (``plan_json``); every older one holds
    ``delta_json``, the RFC 6902 patch from the next newer version's JSON back to its own (see
    :mod:`ampt_sync.store.deltas`). Exactly one of the two is set. ``vdot`` is the fitness the
    version was made with, kept as a column so the page's fitness chart reads it directly.
    """

    __tablename__ = "plans"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime]
    generated_on: Mapped[date]
    inputs_hash: Mapped[str] = mapped_column(String(64))
    # none_as_null: an empty column is SQL NULL, not the JSON text "null"
    plan_json: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    delta_json: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    vdot: Mapped[float] = mapped_column(Float)


class PlannedWorkoutRow(Base):
    """A workout of the plan in force, by its stable key."""

    __tablename__ = "planned_workouts"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    content_hash: Mapped[str] = mapped_column(String(64))
    workout_json: Mapped[dict[str, Any]]
    # The version that last changed this workout's day or content (or dropped/restored it).
    plan_version: Mapped[int] = mapped_column(Integer)
    # planned | done | partial | missed | dropped | moved
    status: Mapped[str] = mapped_column(String(20), default="planned")
    activity_id: Mapped[int | None] = mapped_column(BigInteger)


class GarminLedgerRow(Base):
    """What we put on Garmin for a planned workout: its ids, date and content hash."""

    __tablename__ = "garmin_ledger"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    garmin_workout_id: Mapped[int | None] = mapped_column(BigInteger)
    schedule_id: Mapped[int | None] = mapped_column(BigInteger)
    scheduled_day: Mapped[date | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    # A write whose outcome is unknown (timeout, 5xx, lost answer): resolved by lookup first.
    pending: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime]


class PlanChangeRow(Base):
    """Every adaptation with its reason, kept for `status` and the run reports."""

    __tablename__ = "plan_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_version: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date]
    key: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class SyncCursorRow(Base):
    """Where an incremental sync got to (e.g. the newest Strava start time seen)."""

    __tablename__ = "sync_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime]


class RunReportRow(Base):
    """The report of one cycle (pull, adapt, push, verify) or one CLI command."""

    __tablename__ = "run_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    # ok | error | rate_limited | interrupted
    result: Mapped[str] = mapped_column(String(20))
    report_json: Mapped[dict[str, Any]]


class ServiceStateRow(Base):
    """Small named facts that outlive a process: pause, "Garmin re-login needed", alerts sent."""

    __tablename__ = "service_state"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class InstructionRow(Base):
    """A runner's instruction (move, swap, skip, unwell, tune-up race), kept apart from the
    plan's versions so that every later plan honours it. Rows are never deleted: ``undone_at``
    marks one taken back. ``params`` holds what its kind needs (``to_day``, ``keys``,
    ``days``, ``level``, ``why``, ``distance_m``, ``name``, ``priority``)."""

    __tablename__ = "instructions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    day: Mapped[date]
    given_on: Mapped[date]
    given_at: Mapped[datetime] = mapped_column(index=True)
    # cli | web
    source: Mapped[str] = mapped_column(String(10))
    params: Mapped[dict[str, Any]]
    # The plan version in force just before it was given: `undo` starts again from there.
    plan_version_before: Mapped[int | None] = mapped_column(Integer)
    undone_at: Mapped[datetime | None]


#: Keys of the raw Strava JSON that locate the runner; never stored.
LOCATION_KEYS = frozenset(
    {"map", "start_latlng", "end_latlng", "start_latitude", "start_longitude"}
)


def strip_location(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` without location data, recursively (laps and segment efforts carry some too)."""
    clean: dict[str, Any] = {}
    for key, value in raw.items():
        if key in LOCATION_KEYS:
            continue
        if isinstance(value, dict):
            value = strip_location(value)
        elif isinstance(value, list):
            value = [strip_location(v) if isinstance(v, dict) else v for v in value]
        clean[key] = value
    return clean
