"""Pulling activities from Garmin Connect into the store: the Garmin road in.

It does what :mod:`ampt_sync.strava.sync` does for Strava, with the same report
(:class:`~ampt_sync.pulls.PullReport`), checks and window, through garminconnect and the
session the push uses (:func:`~ampt_sync.garmin.client.open_garmin`: the same token store, no
second sign-in):

* the window: the first pull lists the last ``strava.backfill_days`` local days (the history
  setting is shared by both sources); later pulls from :data:`~ampt_sync.pulls.OVERLAP`
  (3 days) before the cursor, the newest start seen, so that late uploads, edits and deletions
  in those days are seen; ``since`` from that local date; a listing that did not complete leaves
  its window start behind and the next pull lists from there;
* the listing: ``search_activities(start, limit=PAGE_SIZE, startDate=<first local day>)``, which
  is ``GET /activitylist-service/activities/search/activities``, newest first, in pages of
  :data:`PAGE_SIZE`, stopping at the first page that is not full. So a pull that finds nothing
  new costs **one request** (while the 3-day overlap holds fewer than 100 activities);
* edits: every summary is stored with its hash; a changed hash is an update (and, for a race or
  workout, its laps are fetched again). Deletions: a stored Garmin activity whose local day is in
  the window and that a complete listing did not return is deleted (Strava's rows are never
  touched by a Garmin listing);
* details: the laps (``get_activity_splits``: ``GET /activity-service/activity/{id}/splits``) of
  races and of runs recorded from a structured workout, one request each, once per summary
  version (see :mod:`ampt_sync.garmin.activity_json` for the mapping and its assumptions);
* errors map to our hierarchy in :func:`~ampt_sync.garmin.client.translate`: 429 →
  :class:`~ampt_sync.errors.RateLimited`, refused sign-in → :class:`~ampt_sync.errors.ReloginNeeded`
  (recorded as "re-login needed"), 5xx and network → :class:`~ampt_sync.errors.RemoteUnavailable`;
  a page that is not a JSON list stops the pull as :class:`~ampt_sync.garmin.client.Malformed`
  (what was stored stays, the next pull resumes); an activity that cannot be read or is absurd
  (:func:`~ampt_sync.pulls.absurd_reason`) is skipped and reported, never stored.

Assumptions not verified against the live service (the simulator answers this way, and the tests
hold it to them): ``startDate`` filters on the activity's local start date and, without
``endDate``, lists up to now; the list is sorted newest first; ``start``/``limit`` page through it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ampt_sync.errors import RemoteError
from ampt_sync.garmin.activity_json import (
    garmin_id,
    laps_from_splits,
    our_id,
    parse_garmin_summary,
    wants_laps,
)
from ampt_sync.garmin.client import NotFound, garmin_errors, malformed
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
    ids_on_days,
    newest_start,
    rows_needing_detail,
    upsert_columns,
)
from ampt_sync.store.models import ActivityRow, strip_location

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.garmin.client import GarminSession, RequestHook, TokenStoreLike
    from ampt_sync.store.db import Store

log = logging.getLogger(__name__)

#: Activities per listing request. The web app asks for 20; 100 keeps a backfill of four months
#: at 1–2 requests while staying far below garminconnect's cap of 1,000.
PAGE_SIZE = 100
CURSOR_NEWEST = "garmin.newest_start"
CURSOR_PENDING = "garmin.pending_window"
SOURCE = "garmin"
#: Garmin's social and bookkeeping fields that change without the activity changing.
GARMIN_VOLATILE_KEYS = frozenset(
    {
        "likedByUser",
        "kudosCount",
        "commentCount",
        "favorite",
        "userPro",
        "ownerProfileImageUrlSmall",
    }
)


class GarminActivities:
    """The Garmin Connect calls the pull makes, over an open :class:`GarminSession`."""

    def __init__(self, session: GarminSession) -> None:
        self.session = session

    @property
    def api_calls(self) -> int:
        return self.session.calls.total

    def page(self, first_day: date, offset: int, limit: int) -> list[Any]:
        """One page of the activity list from local day ``first_day``, newest first."""
        what = f"list activities from {first_day.isoformat()}"
        with garmin_errors(what):
            answer = self.session.api.search_activities(
                start=offset, limit=limit, startDate=first_day.isoformat()
            )
        if not isinstance(answer, list):
            raise malformed(what, f"a {type(answer).__name__}, not a list")
        return answer

    def splits(self, activity_id: int) -> Any:
        """Garmin's splits answer (``lapDTOs``) for ``activity_id``; None when it is gone."""
        with contextlib.suppress(NotFound), garmin_errors(f"laps of activity {activity_id}"):
            return self.session.api.get_activity_splits(str(activity_id))
        return None


def pull(
    source: GarminActivities,
    store: Store,
    settings: Settings,
    *,
    now: datetime,
    since: date | None = None,
    report: PullReport | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Bring the store's Garmin activities up to date; returns the report (``report``, when
    given, filled as it goes so that a pull stopped by an error still tells what it stored).
    ``now`` is aware. Raises what :func:`~ampt_sync.garmin.client.translate` maps to."""
    report = report if report is not None else PullReport()
    calls_before = source.api_calls
    try:
        _pull(
            source,
            store,
            settings.zone(),
            settings.strava.backfill_days,
            now,
            since,
            report,
            progress,
        )
    finally:
        report.api_calls += source.api_calls - calls_before
    return report


def _pull(
    source: GarminActivities,
    store: Store,
    zone: ZoneInfo,
    backfill_days: int,
    now: datetime,
    since: date | None,
    report: PullReport,
    progress: Progress | None,
) -> None:
    with store.transaction() as session:
        cursor = read_cursor(session, CURSOR_NEWEST)
        pending = read_cursor(session, CURSOR_PENDING)
    today = now.astimezone(zone).date()
    if since is not None:
        start = local_midnight(since, zone)
    elif cursor is not None:
        start = cursor - OVERLAP
    else:
        start = local_midnight(today - timedelta(days=backfill_days - 1), zone)
        report.backfill = True
    if pending is not None and pending < start:
        start = pending
    report.window_start = start
    first_day = start.astimezone(zone).date()
    with store.transaction() as session:
        write_cursor(session, CURSOR_PENDING, start, now)

    seen: set[int] = set()
    offset = 0
    while True:
        items = source.page(first_day, offset, PAGE_SIZE)
        report.pages += 1
        with store.transaction() as session:
            for raw in items:
                _take(session, raw, now, report, seen)
        if progress is not None:
            progress("list", report.fetched, None)
        if len(items) < PAGE_SIZE:
            break
        offset += PAGE_SIZE

    with store.transaction() as session:
        last_day = (now + FUTURE_SLACK).astimezone(zone).date()
        gone = ids_on_days(session, first_day, last_day, SOURCE) - seen
        report.deleted = delete_activities(session, gone)
        if gone:
            log.info("deleted %d activities no longer on Garmin Connect", report.deleted)
        newest = newest_start(session, SOURCE)
        candidates = [c for c in (cursor, newest) if c is not None]
        write_cursor(session, CURSOR_NEWEST, max(candidates) if candidates else now, now)
        drop_cursor(session, CURSOR_PENDING)
    report.listing_complete = True

    _fetch_laps(source, store, report, progress)
    report.complete = True


def _take(session: Any, raw: Any, now: datetime, report: PullReport, seen: set[int]) -> None:
    report.fetched += 1
    activity_id = garmin_id(raw)
    if activity_id is not None:
        seen.add(our_id(activity_id))  # listed, so not deleted, even when unreadable
    try:
        columns = parse_garmin_summary(raw)
    except MalformedActivity as error:
        report.skip(activity_id, f"Garmin {error}" if activity_id is None else str(error))
        return
    reason = absurd_reason(columns, now)
    if reason is not None:
        report.skip(activity_id, f"Garmin activity {activity_id}: {reason}")
        return
    kept = {
        key: value
        for key, value in raw.items()
        if key not in GARMIN_VOLATILE_KEYS and key not in VOLATILE_KEYS
    }
    outcome = upsert_columns(
        session, columns, kept, fetched_at=now, wants_detail=wants_laps(raw, columns)
    )
    report.count(outcome, columns.sport_type)


def _fetch_laps(
    source: GarminActivities, store: Store, report: PullReport, progress: Progress | None
) -> None:
    with store.transaction() as session:
        todo = [(row.id, row.source_id) for row in rows_needing_detail(session, SOURCE)]
    report.details_pending = len(todo)
    for done, (row_id, activity_id) in enumerate(todo, start=1):
        try:
            detail = source.splits(activity_id)
        except RemoteError as error:
            # Unreadable now (a malformed answer, a refusal): asked again by the next pull.
            report.skip(activity_id, f"Garmin activity {activity_id}: laps not readable: {error}")
            report.details_pending -= 1
            continue
        with store.transaction() as session:
            row = session.get(ActivityRow, row_id)
            if row is None:
                pass
            elif detail is None:
                mark_detail_tried(session, row_id)
                report.skip(activity_id, f"Garmin activity {activity_id}: Garmin has no laps")
            else:
                try:
                    if detail.get("activityId") not in (None, activity_id):
                        raise MalformedActivity(
                            f"Garmin activity {activity_id}: the splits answer is for another id"
                        )
                    laps_from_splits(detail, f"Garmin activity {activity_id}")
                    row.detail_json = strip_location(detail)
                    row.detail_summary_hash = row.summary_hash
                    report.details_fetched += 1
                except (MalformedActivity, AttributeError) as error:
                    mark_detail_tried(session, row_id)
                    reason = (
                        str(error)
                        if isinstance(error, MalformedActivity)
                        else (
                            f"Garmin activity {activity_id}: the splits answer is not a JSON object"
                        )
                    )
                    report.skip(activity_id, f"laps skipped: {reason}")
        report.details_pending -= 1
        if progress is not None:
            progress("details", done, len(todo))


# ------------------------------------------------------------------------------------------------
# The shell: one pull with its own Garmin session


def run_pull(
    settings: Settings,
    store: Store,
    token_store: TokenStoreLike,
    *,
    now: Callable[[], datetime],
    environ: Mapping[str, str] = os.environ,
    on_request: RequestHook | None = None,
    since: date | None = None,
    report: PullReport | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Open a Garmin session from the stored tokens (the push's, no second sign-in) and pull.
    A refused sign-in is recorded as "re-login needed" in ``store``, as for the push."""
    from ampt_sync.garmin.client import open_garmin

    report = report if report is not None else PullReport()
    with open_garmin(token_store, store=store, environ=environ, on_request=on_request) as session:
        source = GarminActivities(session)
        try:
            return pull(
                source, store, settings, now=now(), since=since, report=report, progress=progress
            )
        finally:
            # The token refresh made when the session opened counts against the budget too.
            report.token_refreshes = session.calls.token_refreshes
