"""The pure diff: the plan's events for the window against the window's events and the ledger.

An event is **ours** when it is a ``WORKOUT`` whose ``external_id`` starts with
:data:`~ampt_sync.intervals.events.EXTERNAL_ID_PREFIX`; every other event (the runner's own
workouts, notes, races, another app's events) is never written or deleted.

For each desired event:

* exactly one of ours with its external id, on its day, and the ledger's hash equal to the
  desired one → nothing to do;
* else → **upsert** it (created when missing; updated in place, or moved to its new day, when
  there): intervals.icu matches the external id;
* more than one of ours with its external id (a duplicate we did not make, or one left by an
  unknown outcome) → the extra ones are **deleted by event id**, the lowest id is kept.

Each of ours in the window whose external id no desired event has → **deleted by external id**
(a workout the plan no longer has, or has moved beyond the window). Ledger entries of keys that
are neither desired nor on the calendar are **forgotten** (days gone by, or removed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ampt_sync.intervals.calendar import CalendarEvent
from ampt_sync.intervals.events import WORKOUT, DesiredEvent, key_of
from ampt_sync.intervals.ledger import LedgerEntry


def is_ours(event: CalendarEvent) -> bool:
    return event.category == WORKOUT and key_of(event.external_id) is not None


@dataclass(frozen=True)
class Changes:
    """What to write, in the order it is applied: deletes first (so a moved workout never shows
    twice), then one upsert of every new or changed event."""

    upserts: tuple[DesiredEvent, ...] = ()
    delete_external_ids: tuple[str, ...] = ()
    delete_event_ids: tuple[int, ...] = ()
    unchanged: tuple[str, ...] = ()
    forget: tuple[str, ...] = field(default=())

    @property
    def writes(self) -> int:
        """Requests the changes cost: one bulk upsert, one bulk delete, each when needed."""
        return int(bool(self.upserts)) + int(
            bool(self.delete_external_ids or self.delete_event_ids)
        )


def reconcile(
    desired: Sequence[DesiredEvent],
    events: Sequence[CalendarEvent],
    ledger: Mapping[str, LedgerEntry],
) -> Changes:
    """The changes that make the window hold exactly ``desired`` (see the module docstring)."""
    ours: dict[str, list[CalendarEvent]] = {}
    for event in events:
        if is_ours(event):
            assert event.external_id is not None  # noqa: S101 - is_ours says so
            ours.setdefault(event.external_id, []).append(event)
    upserts: list[DesiredEvent] = []
    unchanged: list[str] = []
    extra_ids: list[int] = []
    wanted = {d.external_id for d in desired}
    for want in desired:
        found = sorted(ours.get(want.external_id, []), key=lambda e: e.event_id)
        extra_ids += [e.event_id for e in found[1:]]
        entry = ledger.get(want.key)
        if (
            len(found) == 1
            and found[0].day == want.day
            and entry is not None
            and entry.content_hash == want.content_hash
        ):
            unchanged.append(want.key)
        else:
            upserts.append(want)
    stale = sorted(external for external in ours if external not in wanted)
    on_calendar = {key_of(external) for external in ours}
    desired_keys = {d.key for d in desired}
    forget = sorted(k for k in ledger if k not in desired_keys and k not in on_calendar)
    return Changes(
        upserts=tuple(upserts),
        delete_external_ids=tuple(stale),
        delete_event_ids=tuple(sorted(extra_ids)),
        unchanged=tuple(unchanged),
        forget=tuple(forget),
    )


@dataclass(frozen=True)
class Check:
    """The window as read, judged against the desired events (ours only)."""

    missing: tuple[str, ...] = ()
    wrong_day: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.missing or self.wrong_day or self.unexpected or self.duplicates)

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "missing": list(self.missing),
            "wrong_day": list(self.wrong_day),
            "unexpected": list(self.unexpected),
            "duplicates": list(self.duplicates),
        }


def check(desired: Sequence[DesiredEvent], events: Sequence[CalendarEvent]) -> Check:
    """Whether the window holds each desired event once, on its day, and nothing else of ours
    (keys are named)."""
    ours: dict[str, list[CalendarEvent]] = {}
    for event in events:
        if is_ours(event):
            ours.setdefault(str(key_of(event.external_id)), []).append(event)
    missing, wrong_day, duplicates = [], [], []
    for want in desired:
        found = ours.get(want.key, [])
        if not found:
            missing.append(want.key)
        elif len(found) > 1:
            duplicates.append(want.key)
        elif found[0].day != want.day:
            wrong_day.append(want.key)
    desired_keys = {d.key for d in desired}
    unexpected = sorted(k for k in ours if k not in desired_keys)
    return Check(tuple(missing), tuple(wrong_day), tuple(unexpected), tuple(duplicates))


def shows_as_sent(want: DesiredEvent, events: Sequence[CalendarEvent]) -> bool:
    """Whether a read shows ``want`` in place as sent, as far as a read can tell: one event of
    ours with its external id, on its day, with its name and description."""
    found = [e for e in events if is_ours(e) and e.external_id == want.external_id]
    return (
        len(found) == 1
        and found[0].day == want.day
        and found[0].name == want.name
        and found[0].description == want.description
    )
