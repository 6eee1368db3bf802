"""The Garmin ledger: what ampt-sync put on Garmin for each planned workout.

One row per planned workout ``key``: the Garmin workout id, the calendar entry (schedule id and
day), the hash of the payload last sent (:attr:`ampt_sync.garmin.encode.Encoded.payload_hash`) and
``pending``, the write in flight whose outcome may be unknown (``"create"``, ``"update"``,
``"schedule"``, ``"unschedule"``, ``"remove"``). The push writes ``pending`` *before* such a write
and the row's new state right after the write succeeds, each in its own transaction, so that a
process killed at any point leaves a ledger that says what might have happened; the next push
looks on Garmin before it does anything again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import delete, select

from ampt_sync.store import state
from ampt_sync.store.db import Store
from ampt_sync.store.models import GarminLedgerRow


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One row. ``content_hash`` is ``""`` when what Garmin holds is not known to be current."""

    key: str
    garmin_workout_id: int | None = None
    schedule_id: int | None = None
    scheduled_day: date | None = None
    content_hash: str = ""
    pending: str | None = None

    def but(self, **changes: object) -> LedgerEntry:
        return replace(self, **changes)  # type: ignore[arg-type]


def _now() -> datetime:
    return datetime.now(UTC)


class GarminLedger:
    """Repository over ``garmin_ledger``. Every method is its own committed transaction."""

    def __init__(self, store: Store, *, clock: Callable[[], datetime] = _now) -> None:
        self.store = store
        self.clock = clock

    def all(self) -> dict[str, LedgerEntry]:
        with self.store.transaction() as session:
            rows = session.scalars(select(GarminLedgerRow).order_by(GarminLedgerRow.key)).all()
            return {row.key: _to_entry(row) for row in rows}

    def get(self, key: str) -> LedgerEntry | None:
        with self.store.transaction() as session:
            row = session.get(GarminLedgerRow, key)
            return None if row is None else _to_entry(row)

    def put(self, entry: LedgerEntry) -> None:
        with self.store.transaction() as session:
            row = session.get(GarminLedgerRow, entry.key)
            if row is None:
                row = GarminLedgerRow(key=entry.key)
                session.add(row)
            row.garmin_workout_id = entry.garmin_workout_id
            row.schedule_id = entry.schedule_id
            row.scheduled_day = entry.scheduled_day
            row.content_hash = entry.content_hash
            row.pending = entry.pending
            row.updated_at = self.clock()

    def forget(self, key: str) -> None:
        with self.store.transaction() as session:
            session.execute(delete(GarminLedgerRow).where(GarminLedgerRow.key == key))

    def forget_all(self) -> int:
        with self.store.transaction() as session:
            state.remove(session, state.GARMIN_COPIES)
            return session.execute(delete(GarminLedgerRow)).rowcount

    def copies(self) -> dict[str, frozenset[int]]:
        """The runner's copies of our workouts seen so far, by key (never ours to touch)."""
        with self.store.transaction() as session:
            value = state.get(session, state.GARMIN_COPIES) or {}
        return {key: frozenset(ids) for key, ids in (value.get("copies") or {}).items()}

    def set_copies(self, copies: dict[str, frozenset[int]]) -> None:
        with self.store.transaction() as session:
            if not copies:
                state.remove(session, state.GARMIN_COPIES)
                return
            data = {key: sorted(ids) for key, ids in sorted(copies.items()) if ids}
            state.put(session, state.GARMIN_COPIES, {"copies": data}, now=self.clock())


def _to_entry(row: GarminLedgerRow) -> LedgerEntry:
    return LedgerEntry(
        key=row.key,
        garmin_workout_id=row.garmin_workout_id,
        schedule_id=row.schedule_id,
        scheduled_day=row.scheduled_day,
        content_hash=row.content_hash,
        pending=row.pending,
    )
