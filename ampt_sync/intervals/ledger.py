"""The intervals.icu ledger: for each planned workout we put there, its day and the hash of the
event payload last written and confirmed (:attr:`~ampt_sync.intervals.events.DesiredEvent.
content_hash`).

intervals.icu cannot show us back the FIT file we sent, so the hash is how a second push with
nothing changed knows to write nothing. It is kept as one named fact in the store
(:data:`ampt_sync.store.state.INTERVALS_LEDGER`; a few hundred bytes for a horizon of 14 days), so
no table or migration is needed. An entry's hash is ``""`` while what intervals.icu holds for it
is not known to be current: the push clears it *before* a write and sets it only once the write
is confirmed, so a process killed in between leaves a ledger that makes the next push write the
event again (an upsert by external id is idempotent).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ampt_sync.store import state
from ampt_sync.store.db import Store


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    key: str
    day: date
    content_hash: str = ""


def _now() -> datetime:
    return datetime.now(UTC)


class IntervalsLedger:
    """Repository over the ledger fact. Every method is its own committed transaction."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] = _now) -> None:
        self.store = store
        self.clock = clock

    def all(self) -> dict[str, LedgerEntry]:
        with self.store.transaction() as session:
            value = state.get(session, state.INTERVALS_LEDGER) or {}
        return {
            key: LedgerEntry(key, date.fromisoformat(row["day"]), str(row.get("hash") or ""))
            for key, row in (value.get("events") or {}).items()
        }

    def replace(self, entries: Mapping[str, LedgerEntry]) -> None:
        with self.store.transaction() as session:
            if not entries:
                state.remove(session, state.INTERVALS_LEDGER)
                return
            data = {
                key: {"day": e.day.isoformat(), "hash": e.content_hash}
                for key, e in sorted(entries.items())
            }
            state.put(session, state.INTERVALS_LEDGER, {"events": data}, now=self.clock())

    def update(self, changes: Mapping[str, LedgerEntry | None]) -> None:
        """Set (or, for None, forget) these entries, leaving the others."""
        entries = self.all()
        for key, entry in changes.items():
            if entry is None:
                entries.pop(key, None)
            else:
                entries[key] = entry
        self.replace(entries)
