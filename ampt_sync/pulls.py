"""What every activity source's pull shares: its report, the checks that skip absurd
activities, the window's overlap and the cursors that remember where a pull got to.

:mod:`ampt_sync.strava.sync` and :mod:`ampt_sync.garmin.activities` both fill a
:class:`PullReport`, skip what :func:`absurd_reason` names, list from :data:`OVERLAP` before their
own cursor (``strava.*`` and ``garmin.*`` names in ``sync_cursors``), so that the cycle, the CLI
and the run reports read either the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ampt_sync.domain import RUN_SPORTS
from ampt_sync.store.activities import ActivityColumns, UpsertOutcome
from ampt_sync.store.models import ActivityRow, SyncCursorRow

log = logging.getLogger(__name__)

#: Later pulls list from this long before the newest start seen: late uploads, edits and
#: deletions in those days are seen.
OVERLAP = timedelta(days=3)

# What no real activity does. A run faster than this over any distance beats Usain Bolt's
# 100 m average (10.4 m/s).
MAX_RUN_SPEED_MPS = 12.5
MAX_SPEED_MPS = 100.0
MAX_RUN_DISTANCE_M = 500_000.0
MAX_DURATION_S = 5 * 86_400.0
EARLIEST_START = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
HR_RANGE_BPM = (20.0, 250.0)
#: Social counters change without the activity changing; kept, each change would count as an
#: edit and fetch a workout's detail again.
VOLATILE_KEYS = frozenset(
    {
        "kudos_count",
        "comment_count",
        "achievement_count",
        "athlete_count",
        "photo_count",
        "total_photo_count",
        "has_kudoed",
    }
)

#: ``progress(phase, done, total)``: phase "list" (activities so far, total unknown) or
#: "details" (details fetched, of how many).
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Skipped:
    """An activity (or detail) left out, and why. ``activity_id`` is None when unreadable."""

    activity_id: int | None
    reason: str


@dataclass
class PullReport:
    """What one pull did. Filled as it goes, so that a pull stopped by an error (pass your own
    ``report``) still tells what it stored. ``api_calls`` are requests counted against the
    source's rate limits (Strava's, or Garmin Connect's); ``token_refreshes`` went to the
    service's token endpoint."""

    window_start: datetime | None = None
    backfill: bool = False
    pages: int = 0
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    runs: int = 0
    cross_training: int = 0
    details_fetched: int = 0
    details_pending: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    api_calls: int = 0
    token_refreshes: int = 0
    listing_complete: bool = False
    complete: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["window_start"] = None if self.window_start is None else self.window_start.isoformat()
        return data

    def count(self, outcome: UpsertOutcome, sport_type: str) -> None:
        """One activity stored: created, updated or unchanged; a run or cross-training."""
        if outcome is UpsertOutcome.CREATED:
            self.created += 1
        elif outcome is UpsertOutcome.UPDATED:
            self.updated += 1
        else:
            self.unchanged += 1
        if sport_type in RUN_SPORTS:
            self.runs += 1
        else:
            self.cross_training += 1

    def skip(self, activity_id: int | None, reason: str) -> None:
        """Leave an activity (or its detail) out, logged and reported with ``reason``."""
        log.warning("skipped: %s", reason)
        self.skipped.append(Skipped(activity_id, reason))


def mark_detail_tried(session: Session, row_id: int) -> None:
    """Not asked again until the summary changes: a detail (laps, splits) the service cannot
    give is not worth a request on every pull."""
    row = session.get(ActivityRow, row_id)
    if row is not None:
        row.detail_summary_hash = row.summary_hash


# ------------------------------------------------------------------------------------------------
# Checks


def absurd_reason(columns: ActivityColumns, now: datetime) -> str | None:
    """Why an activity cannot be real, or None. Absurd activities are skipped, not stored."""
    if min(columns.distance_m, columns.moving_time_s, columns.elapsed_time_s) < 0:
        return "negative distance or time"
    if columns.start_utc > now + FUTURE_SLACK:
        return f"starts in the future ({columns.start_utc:%Y-%m-%d %H:%M} UTC)"
    if columns.start_utc < EARLIEST_START:
        return f"starts before {EARLIEST_START.year} ({columns.start_utc:%Y-%m-%d})"
    if max(columns.moving_time_s, columns.elapsed_time_s) > MAX_DURATION_S:
        return f"lasts {columns.elapsed_time_s / 3600:.0f} h"
    is_run = columns.sport_type in RUN_SPORTS
    if columns.distance_m > 0 and columns.moving_time_s == 0:
        return f"{columns.distance_m / 1000:.1f} km in no time"
    speed = columns.distance_m / columns.moving_time_s if columns.moving_time_s else 0.0
    if is_run and columns.distance_m > MAX_RUN_DISTANCE_M:
        return f"a run of {columns.distance_m / 1000:.0f} km"
    if speed > (MAX_RUN_SPEED_MPS if is_run else MAX_SPEED_MPS):
        return f"{columns.sport_type} at {speed * 3.6:.0f} km/h"
    for hr in (columns.average_hr_bpm, columns.max_hr_bpm):
        if hr is not None and not HR_RANGE_BPM[0] <= hr <= HR_RANGE_BPM[1]:
            return f"heart rate {hr:.0f} bpm"
    return None


# ------------------------------------------------------------------------------------------------
# Cursors


def read_cursor(session: Session, name: str) -> datetime | None:
    """The instant stored under ``name`` in ``sync_cursors`` (aware), or None."""
    row = session.get(SyncCursorRow, name)
    if row is None:
        return None
    try:
        value = datetime.fromisoformat(row.value)
    except ValueError:
        log.warning("ignoring the unreadable sync cursor %s=%r", name, row.value)
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def write_cursor(session: Session, name: str, value: datetime, now: datetime) -> None:
    row = session.get(SyncCursorRow, name)
    text = value.astimezone(UTC).isoformat()
    if row is None:
        session.add(SyncCursorRow(name=name, value=text, updated_at=now))
    else:
        row.value, row.updated_at = text, now


def drop_cursor(session: Session, name: str) -> None:
    row = session.get(SyncCursorRow, name)
    if row is not None:
        session.delete(row)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of local ``day`` in ``zone``, in UTC."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)
