"""The incremental pull of a service that lists activities by local date (Garmin Connect,
intervals.icu): the window, the listing, deletions, the cursors and the details, once.

A :class:`ListedService` says how its service lists, reads and details an activity; :func:`pull`
does the rest, with the report, checks and cursors every pull shares (:mod:`ampt_sync.pulls`):

* the window: the first pull lists the last ``strava.backfill_days`` local days (the history
  setting is shared by every source); later pulls from :data:`~ampt_sync.pulls.OVERLAP` (3 days)
  before the cursor, the newest start seen, so that late uploads, edits and deletions in those
  days are seen; ``since`` from that local date; a listing that did not complete leaves its
  window start behind (``<source>.pending_window``) and the next pull lists from there;
* the listing, up to tomorrow's local date, in the chunks the service answers in
  (:meth:`ListedService.listing`: pages, or date spans), each stored in one transaction: every
  summary with its hash (minus the service's volatile keys), a changed hash an update;
* deletions: a stored activity of this source whose local day is in the window and that the
  complete listing did not return is deleted (other sources' rows are never touched);
* details: the laps or intervals of what :meth:`ListedService.wants_detail` names (races,
  workouts), one request each, once per summary version;
* an activity that cannot be read or is absurd (:func:`~ampt_sync.pulls.absurd_reason`) is
  skipped and reported, never stored and never fatal; a detail that cannot be read now is asked
  again by the next pull, one the service does not have is not asked again until the summary
  changes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

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
    ActivityColumns,
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
    from ampt_sync.store.db import Store

log = logging.getLogger(__name__)


class ListedService(Protocol):
    """What :func:`pull` needs of one service. ``number`` is the service's own id of an
    activity (an int); the store keeps it as ``source_id``."""

    #: the store's ``source`` of its rows, and the prefix of its cursors
    source: str
    #: how messages name the service ("Garmin", "intervals.icu")
    name: str
    #: the detail's name in messages ("laps", "intervals")
    detail_word: str
    #: summary keys that change without the activity changing (kept out of the edit hash)
    volatile_keys: frozenset[str]

    @property
    def api_calls(self) -> int:
        """Requests made so far."""
        ...

    def listing(self, first_day: date, last_day: date) -> Iterator[list[Any]]:
        """The activities whose local day is in ``first_day..last_day``, in the chunks the
        service answers in (each one request)."""
        ...

    def number(self, raw: Any) -> int | None:
        """The service's id of a listed item, None when it has none."""
        ...

    def our_id(self, number: int) -> int:
        """The store's id of the service's activity ``number``."""
        ...

    def label(self, number: int | None) -> str:
        """The activity in messages: "Garmin activity 701"."""
        ...

    def parse(self, raw: Any) -> ActivityColumns:
        """The summary's columns; MalformedActivity saying why it cannot be read."""
        ...

    def wants_detail(self, raw: Any, columns: ActivityColumns) -> bool:
        """Whether fitness and adaptation need this activity's laps (races, workouts)."""
        ...

    def detail(self, number: int) -> Any:
        """The detail answer, None when the service has none. RemoteError when unreadable."""
        ...

    def check_detail(self, detail: Any, number: int) -> None:
        """MalformedActivity when the detail answer cannot be used (not an object, another
        activity's, laps that do not read)."""
        ...


def pull(
    service: ListedService,
    store: Store,
    settings: Settings,
    *,
    now: datetime,
    since: date | None = None,
    report: PullReport | None = None,
    progress: Progress | None = None,
) -> PullReport:
    """Bring the store's activities of ``service`` up to date; returns the report (``report``,
    when given, filled as it goes so that a pull stopped by an error still tells what it
    stored). ``now`` is aware. Raises what the service's client maps its errors to."""
    report = report if report is not None else PullReport()
    calls_before = service.api_calls
    try:
        _pull(service, store, settings.zone(), settings.strava.backfill_days, now, since, report,
              progress)  # fmt: skip
    finally:
        report.api_calls += service.api_calls - calls_before
    return report


def _pull(
    service: ListedService,
    store: Store,
    zone: ZoneInfo,
    backfill_days: int,
    now: datetime,
    since: date | None,
    report: PullReport,
    progress: Progress | None,
) -> None:
    newest_cursor = f"{service.source}.newest_start"
    pending_cursor = f"{service.source}.pending_window"
    with store.transaction() as session:
        cursor = read_cursor(session, newest_cursor)
        pending = read_cursor(session, pending_cursor)
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
        write_cursor(session, pending_cursor, start, now)

    seen: set[int] = set()
    for items in service.listing(first_day, last_day):
        report.pages += 1
        with store.transaction() as session:
            for raw in items:
                _take(service, session, raw, now, report, seen)
        if progress is not None:
            progress("list", report.fetched, None)

    with store.transaction() as session:
        gone = ids_on_days(session, first_day, last_day, service.source) - seen
        report.deleted = delete_activities(session, gone)
        if gone:
            log.info("deleted %d activities no longer on %s", report.deleted, service.name)
        newest_seen = newest_start(session, service.source)
        candidates = [c for c in (cursor, newest_seen) if c is not None]
        write_cursor(session, newest_cursor, max(candidates) if candidates else now, now)
        drop_cursor(session, pending_cursor)
    report.listing_complete = True

    _fetch_details(service, store, report, progress)
    report.complete = True


def _take(
    service: ListedService,
    session: Any,
    raw: Any,
    now: datetime,
    report: PullReport,
    seen: set[int],
) -> None:
    report.fetched += 1
    number = service.number(raw)
    if number is not None:
        seen.add(service.our_id(number))  # listed, so not deleted, even when unreadable
    try:
        columns = service.parse(raw)
    except MalformedActivity as error:
        reason = str(error)
        if number is None and not reason.startswith(service.name):
            reason = f"{service.name} {reason}"
        report.skip(number, reason)
        return
    absurd = absurd_reason(columns, now)
    if absurd is not None:
        report.skip(number, f"{service.label(number)}: {absurd}")
        return
    volatile = service.volatile_keys | VOLATILE_KEYS
    kept = {key: value for key, value in raw.items() if key not in volatile}
    wants = service.wants_detail(raw, columns)
    outcome = upsert_columns(session, columns, kept, fetched_at=now, wants_detail=wants)
    report.count(outcome, columns.sport_type)


def _fetch_details(
    service: ListedService, store: Store, report: PullReport, progress: Progress | None
) -> None:
    with store.transaction() as session:
        todo = [(row.id, row.source_id) for row in rows_needing_detail(session, service.source)]
    report.details_pending = len(todo)
    word = service.detail_word
    for done, (row_id, number) in enumerate(todo, start=1):
        what = service.label(number)
        try:
            detail = service.detail(number)
        except RemoteError as error:
            # Unreadable now (a malformed answer, a refusal): asked again by the next pull.
            report.skip(number, f"{what}: {word} not readable: {error}")
            report.details_pending -= 1
            continue
        with store.transaction() as session:
            row = session.get(ActivityRow, row_id)
            if row is None:
                pass
            elif detail is None:
                mark_detail_tried(session, row_id)
                report.skip(number, f"{what}: {service.name} has no {word} for it")
            else:
                try:
                    service.check_detail(detail, number)
                    row.detail_json = strip_location(detail)
                    row.detail_summary_hash = row.summary_hash
                    report.details_fetched += 1
                except MalformedActivity as error:
                    mark_detail_tried(session, row_id)
                    report.skip(number, f"{word} skipped: {error}")
        report.details_pending -= 1
        if progress is not None:
            progress("details", done, len(todo))
