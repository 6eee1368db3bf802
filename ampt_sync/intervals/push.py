"""The intervals.icu push: make the calendar's next days hold exactly the plan's workouts, with
the promises of the Garmin push (:mod:`ampt_sync.garmin.push`), and check it.

:func:`push_events`:

1. **Reads** the window once (``GET events``; from today to the end of the horizon, or to the
   last day the ledger knows if that is later) and decides with the pure
   :func:`~ampt_sync.intervals.reconcile.reconcile`. Nothing changed → no write at all: the one
   read is the whole push, and it also serves as the check.
2. **Deletes** in one request (``PUT events/bulk-delete``): ours that the plan no longer has in
   the window by external id, duplicates of ours by event id. Never an event that is not ours.
3. **Upserts** every new or changed event in one request (``POST events/bulk?upsert=true``),
   each carrying our FIT file; the ledger entries concerned are marked unknown first.
4. **Reads** the window once more and checks it (:func:`~ampt_sync.intervals.reconcile.check`):
   every desired event there once, on its day, nothing else of ours. Only what that read
   confirms gets its hash in the ledger; anything else is an error of this push and is written
   again by the next one.

**Unknown outcomes.** A write that times out, meets a 5xx or loses its answer
(:class:`~ampt_sync.errors.RemoteUnavailable`) is resolved by reading the window before anything
is sent again: only the events the read does not show in place as sent (by external id, day,
name and description) are upserted once more, only the deleted ones still there are deleted
once more. A second unknown outcome stops the push (the next cycle goes on from the ledger). A
write that lands later than our second one cannot make a duplicate, as both upsert the same
external id; if intervals.icu ever shows two, the next push deletes the extra by its event id.

A 429 stops the push at once (:class:`~ampt_sync.errors.RateLimited`, with its retry time); a
refused key raises :class:`~ampt_sync.errors.AuthError`. On any of our errors the partial report
is attached to the exception as ``push_report``, as the Garmin push does.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ampt_sync.domain import Plan
from ampt_sync.errors import RemoteUnavailable, counting_push
from ampt_sync.intervals.calendar import CalendarEvent, EventCalendar
from ampt_sync.intervals.events import DesiredEvent, desired_events, key_of
from ampt_sync.intervals.ledger import IntervalsLedger, LedgerEntry
from ampt_sync.intervals.reconcile import Changes, check, is_ours, reconcile, shows_as_sent

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.intervals.client import BeforeRequest
    from ampt_sync.intervals.credentials import TokenStoreLike
    from ampt_sync.store.db import Store

log = logging.getLogger(__name__)


@dataclass
class IntervalsPushReport:
    """What one push decided and did. ``api_calls``: requests (``reads``, ``writes``,
    ``total``); ``errors``: problems that did not stop the push; ``verified``: the final check
    (:meth:`~ampt_sync.intervals.reconcile.Check.as_dict`), None when the push stopped first."""

    today: date
    first: date
    end: date
    dry_run: bool
    changes: Changes = field(default_factory=Changes)
    #: (what, day, workout, detail) of each change, as planned and as done.
    planned: list[tuple[str, str, str, str]] = field(default_factory=list)
    applied: list[tuple[str, str, str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)
    stopped_by: str | None = None
    verified: dict[str, Any] | None = None
    #: The window as last read (after our last write). Not part of :meth:`as_dict`.
    calendar_after: tuple[CalendarEvent, ...] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.stopped_by is None

    @property
    def writes(self) -> int:
        return self.api_calls.get("writes", 0)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the run report (the same keys as the Garmin push's, plus
        ``target`` and ``verified``)."""
        return {
            "target": "intervals",
            "today": self.today.isoformat(),
            "window": [self.first.isoformat(), self.end.isoformat()],
            "dry_run": self.dry_run,
            "planned": [list(row) for row in self.planned],
            "applied": [list(row) for row in self.applied],
            "unchanged": len(self.changes.unchanged),
            "errors": list(self.errors),
            "api_calls": dict(self.api_calls),
            "stopped_by": self.stopped_by,
            "verified": self.verified,
        }


def describe(changes: Changes, events: Sequence[CalendarEvent]) -> list[tuple[str, str, str, str]]:
    """(what, day, workout, detail) rows for a table or the report."""
    by_external = {e.external_id: e for e in events if is_ours(e)}
    rows: list[tuple[str, str, str, str]] = []
    for external in changes.delete_external_ids:
        event = by_external.get(external)
        day = event.day.isoformat() if event else ""
        rows.append(("delete", day, event.name if event else external, "no longer planned here"))
    for event_id in changes.delete_event_ids:
        rows.append(("delete", "", f"event {event_id}", "a duplicate of ours"))
    for want in changes.upserts:
        there = by_external.get(want.external_id)
        if there is None:
            rows.append(("create", want.day.isoformat(), want.name, "new workout with its FIT"))
        elif there.day != want.day:
            rows.append(("move", want.day.isoformat(), want.name, f"from {there.day}"))
        else:
            rows.append(("update", want.day.isoformat(), want.name, "rewritten in place"))
    return rows


def _read_end(end: date, first: date, ledger: Mapping[str, LedgerEntry]) -> date:
    """The end of the read: the window's, or just after the latest day the ledger knows (a
    shorter horizon than last time leaves events of ours further out, to be deleted)."""
    later = [e.day for e in ledger.values() if e.day >= first]
    return max([end, *(d + timedelta(days=1) for d in later)])


class _Pusher:
    def __init__(
        self, calendar: EventCalendar, ledger: IntervalsLedger, report: IntervalsPushReport
    ) -> None:
        self.calendar = calendar
        self.ledger = ledger
        self.report = report

    def read(self, end: date) -> list[CalendarEvent]:
        return self.calendar.events(self.report.first, end)

    def delete(self, changes: Changes, end: date) -> None:
        externals, ids = list(changes.delete_external_ids), list(changes.delete_event_ids)
        try:
            self.calendar.delete(external_ids=externals, event_ids=ids)
        except RemoteUnavailable:
            log.info("intervals.icu: a delete's outcome is unknown; reading before anything else")
            there = self.read(end)
            externals = sorted({e.external_id for e in there if e.external_id in externals})
            present = {e.event_id for e in there}
            ids = [i for i in ids if i in present]
            if externals or ids:
                self.calendar.delete(external_ids=externals, event_ids=ids)

    def upsert(self, upserts: Sequence[DesiredEvent], end: date) -> None:
        self.ledger.update({d.key: LedgerEntry(d.key, d.day, "") for d in upserts})
        try:
            self.calendar.upsert([d.payload for d in upserts])
        except RemoteUnavailable:
            log.info("intervals.icu: an upsert's outcome is unknown; reading before a retry")
            there = self.read(end)
            again = [d for d in upserts if not shows_as_sent(d, there)]
            log.info(
                "intervals.icu: %d of %d events in place after all; sending %d once more",
                len(upserts) - len(again),
                len(upserts),
                len(again),
            )
            if again:
                self.calendar.upsert([d.payload for d in again])

    def confirm(
        self, desired: Sequence[DesiredEvent], changes: Changes, final: list[CalendarEvent]
    ) -> None:
        """Judge the final read; record the hashes it confirms and forget the deleted events
        it no longer shows."""
        result = check(desired, final)
        self.report.verified = result.as_dict()
        bad = set(result.missing) | set(result.wrong_day) | set(result.duplicates)
        update: dict[str, LedgerEntry | None] = {
            d.key: LedgerEntry(d.key, d.day, d.content_hash)
            for d in changes.upserts
            if d.key not in bad
        }
        still_there = {e.external_id for e in final if is_ours(e)}
        for external in changes.delete_external_ids:
            key = key_of(external)
            if key is not None and external not in still_there:
                update[key] = None
        self.ledger.update(update)
        if not result.ok:
            self.report.errors.append(
                "intervals.icu's calendar differs from the plan after the push "
                f"({_summary(result.as_dict())}); it is written again at the next push"
            )


def _summary(verified: Mapping[str, Any]) -> str:
    parts = [
        f"{name.replace('_', ' ')}: {', '.join(verified[name])}"
        for name in ("missing", "wrong_day", "duplicates", "unexpected")
        if verified.get(name)
    ]
    return "; ".join(parts)


def push_events(
    desired: Sequence[DesiredEvent],
    today: date,
    horizon_days: int,
    calendar: EventCalendar,
    ledger: IntervalsLedger,
    *,
    dry_run: bool = False,
    on_plan: Callable[[list[tuple[str, str, str, str]]], None] | None = None,
) -> IntervalsPushReport:
    """Make intervals.icu's ``[today, today + horizon_days)`` hold exactly ``desired`` (see the
    module docstring). ``on_plan`` sees the decided changes before the first write."""
    first, end = today, today + timedelta(days=horizon_days)
    report = IntervalsPushReport(today=today, first=first, end=end, dry_run=dry_run)
    pusher = _Pusher(calendar, ledger, report)
    with counting_push(report, calendar.api_calls):
        rows = ledger.all()
        read_end = _read_end(end, first, rows)
        events = pusher.read(read_end)
        changes = reconcile(desired, events, rows)
        report.changes = changes
        report.planned = describe(changes, events)
        if on_plan is not None:
            on_plan(report.planned)
        if dry_run:
            return report
        if changes.forget:
            ledger.update(dict.fromkeys(changes.forget))
        if not changes.writes:
            report.verified = check(desired, events).as_dict()
            report.calendar_after = tuple(events)
            return report
        if changes.delete_external_ids or changes.delete_event_ids:
            pusher.delete(changes, read_end)
            report.applied += [row for row in report.planned if row[0] == "delete"]
        if changes.upserts:
            pusher.upsert(changes.upserts, read_end)
            report.applied += [row for row in report.planned if row[0] != "delete"]
        final = pusher.read(read_end)
        report.calendar_after = tuple(final)
        pusher.confirm(desired, changes, final)
    return report


def push_plan(
    plan: Plan,
    today: date,
    settings: Settings,
    store: Store,
    token_store: TokenStoreLike,
    *,
    dry_run: bool = False,
    environ: Mapping[str, str] = os.environ,
    before_request: BeforeRequest | None = None,
    on_plan: Callable[[list[tuple[str, str, str, str]]], None] | None = None,
) -> IntervalsPushReport:
    """One push for the daemon or the CLI: the stored key, ``AMPT_SYNC_INTERVALS_URL``, the
    configured horizon and units. Raises what :func:`push_events` raises, and
    :class:`~ampt_sync.errors.AuthError` when intervals.icu is not connected."""
    from ampt_sync.intervals.calendar import IntervalsCalendar
    from ampt_sync.intervals.credentials import open_intervals

    horizon = settings.sync.horizon_days
    desired = desired_events(plan, today, horizon, settings.athlete.units)
    with open_intervals(token_store, environ=environ, before_request=before_request) as client:
        return push_events(
            desired,
            today,
            horizon,
            IntervalsCalendar(client),
            IntervalsLedger(store),
            dry_run=dry_run,
            on_plan=on_plan,
        )
