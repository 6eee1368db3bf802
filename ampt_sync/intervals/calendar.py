"""The events port the intervals.icu push needs, and its adapter over :class:`IntervalsClient`.

:class:`EventCalendar` speaks our terms (local dates, external ids); :class:`IntervalsCalendar`
checks every event intervals.icu answers at the edge (an id that is not a number, a date that is
not ``YYYY-MM-DD…``) and raises :class:`~ampt_sync.errors.RemoteError` for what it cannot use,
never an ``AttributeError`` further in.

intervals.icu's ``GET events`` takes ``oldest`` and ``newest`` as local dates, both included;
the port takes ``[first, end)`` like the Garmin one and asks for ``end - 1 day``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from ampt_sync.errors import RemoteError
from ampt_sync.intervals.client import IntervalsClient


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event as read: its intervals.icu ``event_id``, ``external_id`` (None: not set),
    ``category`` (``WORKOUT``, ``NOTE``, ``RACE_A``, …), local ``day``, ``name`` and
    ``description``."""

    event_id: int
    external_id: str | None
    category: str
    day: date
    name: str = ""
    description: str = ""


class EventCalendar(Protocol):
    """What the intervals.icu push needs."""

    def events(self, first: date, end: date) -> list[CalendarEvent]:
        """Every event on a day ``first <= day < end`` (ours and the runner's)."""
        ...

    def upsert(self, payloads: list[dict[str, Any]]) -> list[CalendarEvent]:
        """Create or update, by ``external_id``, in one request; the events as stored."""
        ...

    def delete(self, *, external_ids: list[str], event_ids: list[int]) -> int:
        """Delete these events in one request; how many went."""
        ...

    def api_calls(self) -> dict[str, int]:
        """Requests so far: ``reads``, ``writes``, ``total``."""
        ...


def parse_event(item: dict[str, Any], what: str) -> CalendarEvent:
    """An event as intervals.icu shows it, checked."""
    raw_id = item.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int | str) or not str(raw_id).isdigit():
        raise RemoteError(f"intervals.icu answered '{what}' with an event whose id is {raw_id!r}")
    start = item.get("start_date_local")
    try:
        day = date.fromisoformat(str(start)[:10])
    except ValueError:
        raise RemoteError(
            f"intervals.icu answered '{what}' with an event dated {start!r} (expected YYYY-MM-DD)"
        ) from None
    external = item.get("external_id")
    return CalendarEvent(
        event_id=int(raw_id),
        external_id=str(external) if external not in (None, "") else None,
        category=str(item.get("category") or ""),
        day=day,
        name=str(item.get("name") or ""),
        description=str(item.get("description") or ""),
    )


class IntervalsCalendar:
    """:class:`EventCalendar` over an :class:`IntervalsClient`."""

    def __init__(self, client: IntervalsClient) -> None:
        self.client = client

    def api_calls(self) -> dict[str, int]:
        return self.client.calls.as_dict()

    def events(self, first: date, end: date) -> list[CalendarEvent]:
        if end <= first:
            return []
        what = "read the calendar"
        items = self.client.events(first.isoformat(), (end - timedelta(days=1)).isoformat())
        # The documented range may grow to hold a multi-day event whole: keep the days asked for.
        found = [parse_event(item, what) for item in items]
        return sorted((e for e in found if first <= e.day < end), key=lambda e: (e.day, e.event_id))

    def upsert(self, payloads: list[dict[str, Any]]) -> list[CalendarEvent]:
        what = "write calendar events"
        return [parse_event(item, what) for item in self.client.upsert_events(payloads)]

    def delete(self, *, external_ids: list[str], event_ids: list[int]) -> int:
        refs: list[dict[str, Any]] = [{"external_id": e} for e in external_ids]
        refs += [{"id": i} for i in event_ids]
        if not refs:
            return 0
        return self.client.delete_events(refs)
