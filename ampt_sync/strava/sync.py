"""Pulling activities from Strava into the store.

:func:`pull` lists the athlete's activities that started inside a window, in pages of 200
(stopping at the first page that is not full), upserts each by id with its raw JSON (minus
location data and the social counters such as ``kudos_count``, which change without the activity
changing), notices deletions, then fetches the detailed activity (laps, splits, best
efforts) of every race or workout run (``workout_type`` 1 or 3) that has none yet or whose summary
changed since.

The window:

* first pull: the last ``strava.backfill_days`` local days, today included (a backfill);
* later pulls: from :data:`OVERLAP` (3 days) before the cursor, the newest start time seen,
  so that late uploads, edits (type, name, distance, workout type) and deletions inside those
  days are seen;
* ``since``: from local midnight of that date;
* a listing that did not complete (rate limit, network) leaves its window start behind, and the
  next pull lists from there again: what was stored stays stored, details already fetched are not
  fetched again, so the next pull resumes.

Costs (requests): a listing of N activities costs ⌊N/200⌋ + 1; each detail costs 1; a pull that
finds nothing new costs exactly 1. Deletions are noticed only for a complete listing, by absence.

Activities that cannot be read (:class:`~ampt_sync.store.activities.MalformedActivity`) or are
absurd (:func:`absurd_reason`) are skipped and reported, never stored and never fatal. Runs
(``Run``, ``TrailRun``, ``VirtualRun``) count as running; other sports are stored and count as
cross-training.
"""

from __future__ import annotations

import logging
import math
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ampt_sync.domain import RUN_SPORTS
from ampt_sync.errors import RemoteError
from ampt_sync.pulls import (
    FUTURE_SLACK,
    OVERLAP,
    VOLATILE_KEYS,
    Progress,
    PullReport,
    absurd_reason,
    drop_cursor,
    local_midnight,
    mark_detail_tried,
    read_cursor,
    write_cursor,
)
from ampt_sync.store.activities import (
    MalformedActivity,
    delete_activities,
    delete_all_activities,
    ids_started_between,
    newest_start,
    parse_summary,
    rows_needing_detail,
    store_detail,
    upsert_activity,
)
from ampt_sync.store.models import ActivityRow, SyncCursorRow

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.store.db import Store
    from ampt_sync.strava.client import StravaClient

log = logging.getLogger(__name__)

PER_PAGE = 200
#: Cursor names in ``sync_cursors``; everything starting with ``strava.`` is Strava's.
CURSOR_PREFIX = "strava."
CURSOR_NEWEST = "strava.newest_start"
CURSOR_PENDING = "strava.pending_window"

# ------------------------------------------------------------------------------------------------
# Cursors


def strava_cursor(session: Session) -> datetime | None:
    """The newest start time seen by a complete listing, or None before the first pull."""
    return read_cursor(session, CURSOR_NEWEST)


def delete_strava_data(session: Session) -> tuple[int, int]:
    """Delete every Strava activity and every Strava cursor; returns (activities, cursors)
    deleted. Activities read from another source stay."""
    activities = delete_all_activities(session, source="strava")
    cursors = session.execute(
        delete(SyncCursorRow).where(SyncCursorRow.name.startswith(CURSOR_PREFIX))
    ).rowcount
    return activities, cursors or 0


# ------------------------------------------------------------------------------------------------
# The pull


def pull(
    client: StravaClient,
    store: Store,
    settings: Settings,
    *,
    since: date | None = None,
    report: PullReport | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Bring the store up to date with Strava; returns the report (``report``, when given).

    Raises :class:`~ampt_sync.errors.RateLimited` (with ``retry_at``) when the budget runs out or
    Strava answers 429, and the other :mod:`ampt_sync.errors` for auth and network trouble;
    everything stored before that stays stored, and ``report`` tells what it was."""
    report = report if report is not None else PullReport()
    calls_before, refreshes_before = client.api_calls, client.refreshes
    try:
        _pull(
            client, store, settings.zone(), settings.strava.backfill_days, since, report, progress
        )
    finally:
        report.api_calls += client.api_calls - calls_before
        report.token_refreshes += client.refreshes - refreshes_before
    return report


def _pull(
    client: StravaClient,
    store: Store,
    zone: ZoneInfo,
    backfill_days: int,
    since: date | None,
    report: PullReport,
    progress: Progress | None,
) -> None:
    now = client.now()
    with store.transaction() as session:
        cursor = read_cursor(session, CURSOR_NEWEST)
        pending = read_cursor(session, CURSOR_PENDING)
    if since is not None:
        start = local_midnight(since, zone)
    elif cursor is not None:
        start = cursor - OVERLAP
    else:
        today = now.astimezone(zone).date()
        start = local_midnight(today - timedelta(days=backfill_days - 1), zone)
        report.backfill = True
    if pending is not None and pending < start:
        start = pending
    report.window_start = start
    with store.transaction() as session:
        write_cursor(session, CURSOR_PENDING, start, now)

    # Strava's `after` is exclusive, in whole seconds.
    after_epoch = math.ceil(start.timestamp()) - 1
    seen: set[int] = set()
    page = 1
    while True:
        items = client.activities_page(after_epoch=after_epoch, page=page, per_page=PER_PAGE)
        report.pages += 1
        with store.transaction() as session:
            for raw in items:
                _take(session, raw, now, report, seen)
        if progress is not None:
            progress("list", report.fetched, None)
        if len(items) < PER_PAGE:
            break
        page += 1

    with store.transaction() as session:
        gone = ids_started_between(session, start, now + FUTURE_SLACK) - seen
        report.deleted = delete_activities(session, gone)
        if gone:
            log.info("deleted %d activities no longer on Strava", report.deleted)
        newest = newest_start(session)
        candidates = [c for c in (cursor, newest) if c is not None]
        write_cursor(session, CURSOR_NEWEST, max(candidates) if candidates else now, now)
        drop_cursor(session, CURSOR_PENDING)
    report.listing_complete = True

    _fetch_details(client, store, now, report, progress)
    report.complete = True


def _take(session: Session, raw: Any, now: datetime, report: PullReport, seen: set[int]) -> None:
    report.fetched += 1
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    activity_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
    if activity_id is not None:
        seen.add(activity_id)  # listed, so not deleted, even when unreadable
    try:
        columns = parse_summary(raw)
    except MalformedActivity as error:
        report.skip(activity_id, str(error))
        return
    reason = absurd_reason(columns, now)
    if reason is not None:
        report.skip(activity_id, f"activity {activity_id}: {reason}")
        return
    kept = {key: value for key, value in raw.items() if key not in VOLATILE_KEYS}
    outcome = upsert_activity(session, kept, fetched_at=now)
    report.count(outcome, columns.sport_type)


def _fetch_details(
    client: StravaClient,
    store: Store,
    now: datetime,
    report: PullReport,
    progress: Progress | None,
) -> None:
    with store.transaction() as session:
        todo = [row.id for row in rows_needing_detail(session)]
    report.details_pending = len(todo)
    for done, activity_id in enumerate(todo, start=1):
        try:
            detail = client.activity(activity_id)
        except RemoteError as error:
            # Unreadable after retries: skipped now, asked again by the next pull.
            report.skip(activity_id, f"activity {activity_id}: detail not readable: {error}")
            report.details_pending -= 1
            continue
        with store.transaction() as session:
            if detail is None:
                mark_detail_tried(session, activity_id)
                report.skip(activity_id, f"activity {activity_id}: Strava has no detail for it")
            else:
                try:
                    store_detail(session, activity_id, detail)
                    report.details_fetched += 1
                except MalformedActivity as error:
                    mark_detail_tried(session, activity_id)
                    report.skip(activity_id, f"detail skipped: {error}")
        report.details_pending -= 1
        if progress is not None:
            progress("details", done, len(todo))


def stored_counts(store: Store) -> dict[str, int]:
    """Activities stored, split into runs and cross-training (for status lines)."""
    with store.transaction() as session:
        sports = list(session.scalars(select(ActivityRow.sport_type)))
    runs = sum(1 for sport in sports if sport in RUN_SPORTS)
    return {"activities": len(sports), "runs": runs, "cross_training": len(sports) - runs}
