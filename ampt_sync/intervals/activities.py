"""Pulling activities from intervals.icu into the store: the intervals.icu road in.

It does what :mod:`ampt_sync.garmin.activities` does for Garmin Connect, with the same report
(:class:`~ampt_sync.pulls.PullReport`), checks and window, through our
:class:`~ampt_sync.intervals.client.IntervalsClient` and the athlete id and API key
`ampt-sync auth intervals` stored (:func:`~ampt_sync.intervals.credentials.open_intervals`):

* the window: the first pull lists the last ``strava.backfill_days`` local days (the history
  setting is shared by every source); later pulls from :data:`~ampt_sync.pulls.OVERLAP`
  (3 days) before the cursor, the newest start seen, so that late uploads, edits and deletions
  in those days are seen; ``since`` from that local date; a listing that did not complete leaves
  its window start behind and the next pull lists from there;
* the listing: ``GET /api/v1/athlete/{id}/activities?oldest=<day>&newest=<day>``, local dates,
  both included. intervals.icu lists by date range, not by page, so the window is asked for in
  spans of at most :data:`SPAN_DAYS` days, oldest first (a backfill of months stays a few
  answers of bounded size on a small server), up to tomorrow's local date (a run just uploaded
  from a watch whose clock is ahead is not missed). A pull that finds nothing new costs **one
  request**;
* edits: every item is stored with its hash (minus :data:`ICU_VOLATILE_KEYS`, the metrics
  intervals.icu recomputes when *other* activities change); a changed hash is an update (and,
  for a race or a run done from a planned workout, its intervals are fetched again). Deletions:
  a stored intervals.icu activity whose local day is in the window and that a complete listing
  did not return is deleted (rows from Strava or Garmin Connect are never touched);
* details: the intervals (``GET /api/v1/activity/{id}/intervals``) of races and of runs matched
  with a planned workout, one request each, once per summary version (see
  :mod:`ampt_sync.intervals.activity_json` for the mapping and its assumptions);
* errors: the client's mapping (:mod:`ampt_sync.intervals.client`): 429 →
  :class:`~ampt_sync.errors.RateLimited`, a refused key → :class:`~ampt_sync.errors.AuthError`
  naming `ampt-sync auth intervals`, 5xx and network → :class:`~ampt_sync.errors.RemoteUnavailable`;
  an answer that is not a JSON list stops the pull as :class:`~ampt_sync.errors.RemoteError`
  (what was stored stays, the next pull resumes); an activity that cannot be read, that
  intervals.icu got from Strava (a stub, see :class:`~ampt_sync.intervals.activity_json.StravaStub`)
  or that is absurd (:func:`~ampt_sync.pulls.absurd_reason`) is skipped and reported, never stored.

Assumptions not verified against the live service (the simulator answers this way, and the tests
hold it to them): ``oldest`` and ``newest`` are local dates, both included, and a span is
answered whole (no ``limit`` sent, none applied); deleted activities are simply absent.
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
from ampt_sync.intervals.activity_json import (
    SOURCE,
    StravaStub,
    activity_number,
    laps_from_intervals,
    our_id,
    parse_intervals_summary,
    wants_intervals,
)
from ampt_sync.intervals.client import API_PREFIX, NotFound
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
    from ampt_sync.intervals.client import BeforeRequest, IntervalsClient
    from ampt_sync.intervals.credentials import TokenStoreLike
    from ampt_sync.store.db import Store

log = logging.getLogger(__name__)

#: Local days per listing request. Three months of a runner's activities is well under a
#: megabyte of JSON; the steady state (the 3-day overlap) is one span.
SPAN_DAYS = 92
CURSOR_NEWEST = "intervals.newest_start"
CURSOR_PENDING = "intervals.pending_window"
#: intervals.icu's own metrics that change when other activities (or the runner's settings)
#: change, not this one: kept, each change would count as an edit and fetch intervals again.
ICU_VOLATILE_KEYS = frozenset(
    {
        "icu_ctl",
        "icu_atl",
        "icu_sync_date",
        "analyzed",
        "updated",
        "icu_achievements",
        "icu_ftp",
        "icu_w_prime",
        "icu_eftp",
        "icu_rolling_ftp",
        "icu_rolling_w_prime",
        "icu_rolling_p_max",
        "icu_rolling_ftp_delta",
    }
)


class IntervalsActivities:
    """The intervals.icu calls the pull makes, over an open :class:`IntervalsClient`."""

    def __init__(self, client: IntervalsClient) -> None:
        self.client = client

    @property
    def api_calls(self) -> int:
        return self.client.calls.total

    def span(self, oldest: date, newest: date) -> list[Any]:
        """The activities whose local day is in ``oldest..newest`` (both included)."""
        answer = self.client.get_json(
            self.client.athlete_path("/activities"),
            {"oldest": oldest.isoformat(), "newest": newest.isoformat()},
        )
        if not isinstance(answer, list):
            raise RemoteError(
                f"intervals.icu answered the activity list from {oldest.isoformat()} with "
                f"{type(answer).__name__} where a list belongs; what was stored stays, the next "
                "pull resumes"
            )
        return answer

    def intervals(self, number: int) -> Any:
        """intervals.icu's intervals answer for activity ``i<number>``; None when it is gone."""
        with contextlib.suppress(NotFound):
            return self.client.get_json(f"{API_PREFIX}/activity/i{number}/intervals")
        return None


def pull(
    source: IntervalsActivities,
    store: Store,
    settings: Settings,
    *,
    now: datetime,
    since: date | None = None,
    report: PullReport | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Bring the store's intervals.icu activities up to date; returns the report (``report``,
    when given, filled as it goes so that a pull stopped by an error still tells what it
    stored). ``now`` is aware. Raises what :mod:`ampt_sync.intervals.client` maps to."""
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


def spans(first_day: date, last_day: date, span_days: int = SPAN_DAYS) -> list[tuple[date, date]]:
    """``first_day..last_day`` (both included) cut into spans of at most ``span_days`` days,
    oldest first; one span when the window is short."""
    out = []
    start = first_day
    while start <= last_day:
        end = min(start + timedelta(days=span_days - 1), last_day)
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


def _pull(
    source: IntervalsActivities,
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
    last_day = (now + FUTURE_SLACK).astimezone(zone).date()
    with store.transaction() as session:
        write_cursor(session, CURSOR_PENDING, start, now)

    seen: set[int] = set()
    for oldest, newest in spans(first_day, last_day):
        items = source.span(oldest, newest)
        report.pages += 1
        with store.transaction() as session:
            for raw in items:
                _take(session, raw, now, report, seen)
        if progress is not None:
            progress("list", report.fetched, None)

    with store.transaction() as session:
        gone = ids_on_days(session, first_day, last_day, SOURCE) - seen
        report.deleted = delete_activities(session, gone)
        if gone:
            log.info("deleted %d activities no longer on intervals.icu", report.deleted)
        newest_seen = newest_start(session, SOURCE)
        candidates = [c for c in (cursor, newest_seen) if c is not None]
        write_cursor(session, CURSOR_NEWEST, max(candidates) if candidates else now, now)
        drop_cursor(session, CURSOR_PENDING)
    report.listing_complete = True

    _fetch_intervals(source, store, report, progress)
    report.complete = True


def _take(session: Any, raw: Any, now: datetime, report: PullReport, seen: set[int]) -> None:
    report.fetched += 1
    number = activity_number(raw)
    if number is not None:
        seen.add(our_id(number))  # listed, so not deleted, even when unreadable
    try:
        columns = parse_intervals_summary(raw)
    except StravaStub as error:
        report.skip(None, str(error))
        return
    except MalformedActivity as error:
        report.skip(number, f"intervals.icu {error}" if number is None else str(error))
        return
    reason = absurd_reason(columns, now)
    if reason is not None:
        report.skip(number, f"intervals.icu activity i{number}: {reason}")
        return
    kept = {
        key: value
        for key, value in raw.items()
        if key not in ICU_VOLATILE_KEYS and key not in VOLATILE_KEYS
    }
    outcome = upsert_columns(
        session, columns, kept, fetched_at=now, wants_detail=wants_intervals(raw, columns)
    )
    report.count(outcome, columns.sport_type)


def _fetch_intervals(
    source: IntervalsActivities, store: Store, report: PullReport, progress: Progress | None
) -> None:
    with store.transaction() as session:
        todo = [(row.id, row.source_id) for row in rows_needing_detail(session, SOURCE)]
    report.details_pending = len(todo)
    for done, (row_id, number) in enumerate(todo, start=1):
        what = f"intervals.icu activity i{number}"
        try:
            detail = source.intervals(number)
        except RemoteError as error:
            # Unreadable now (a malformed answer, a refusal): asked again by the next pull.
            report.skip(number, f"{what}: intervals not readable: {error}")
            report.details_pending -= 1
            continue
        with store.transaction() as session:
            row = session.get(ActivityRow, row_id)
            if row is None:
                pass
            elif detail is None:
                mark_detail_tried(session, row_id)
                report.skip(number, f"{what}: intervals.icu has no intervals for it")
            else:
                try:
                    if not isinstance(detail, dict):
                        raise MalformedActivity(f"{what}: the intervals answer is not an object")
                    if detail.get("id") not in (None, f"i{number}"):
                        raise MalformedActivity(f"{what}: the intervals answer is for another id")
                    laps_from_intervals(detail, what)
                    row.detail_json = strip_location(detail)
                    row.detail_summary_hash = row.summary_hash
                    report.details_fetched += 1
                except MalformedActivity as error:
                    mark_detail_tried(session, row_id)
                    report.skip(number, f"intervals skipped: {error}")
        report.details_pending -= 1
        if progress is not None:
            progress("details", done, len(todo))


# ------------------------------------------------------------------------------------------------
# The shell: one pull with its own client


def run_pull(
    settings: Settings,
    store: Store,
    token_store: TokenStoreLike,
    *,
    now: Callable[[], datetime],
    environ: Mapping[str, str] = os.environ,
    before_request: BeforeRequest | None = None,
    since: date | None = None,
    report: PullReport | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Open a client from the stored athlete id and key (`ampt-sync auth intervals`) and pull.
    AuthError naming that command when there is no key or intervals.icu refuses it."""
    from ampt_sync.intervals.credentials import open_intervals

    report = report if report is not None else PullReport()
    with open_intervals(token_store, environ=environ, before_request=before_request) as client:
        return pull(
            IntervalsActivities(client),
            store,
            settings,
            now=now(),
            since=since,
            report=report,
            progress=progress,
        )
