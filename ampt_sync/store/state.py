"""Small named facts that outlive a process, in the ``service_state`` table.

Each fact is a JSON object under a name. The names in use are constants here, so that the CLI,
the daemon and `status` read the same thing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ampt_sync.store.models import ServiceStateRow

#: {"until": "YYYY-MM-DD", "since": "YYYY-MM-DD"}: the plan and Garmin stay quiet until then.
PAUSE = "pause"
#: {"at": ISO datetime}: the end of the last cycle that completed without error.
LAST_CYCLE_OK = "last_cycle_ok"
#: {"<problem>": {"title", "since", "sent"}}: alerts raised and not cleared yet.
ACTIVE_ALERTS = "active_alerts"
#: {"since", "reason"}: Garmin refused our tokens; `ampt-sync auth garmin` clears it.
GARMIN_RELOGIN = "garmin_relogin_needed"
#: ``{"copies": {key: [workout id, ...]}}``: the runner's copies of our workouts in Garmin
#: Connect (they carry our marker but are not ours; see ampt_sync.garmin.reconcile).
GARMIN_COPIES = "garmin_copies"
#: ``{"events": {key: {"day": "YYYY-MM-DD", "hash": str}}}``: what ampt-sync put on intervals.icu
#: (see ampt_sync.intervals.ledger).
INTERVALS_LEDGER = "intervals_ledger"


def get(session: Session, name: str) -> dict[str, Any] | None:
    row = session.get(ServiceStateRow, name)
    return None if row is None else dict(row.value)


def put(session: Session, name: str, value: dict[str, Any], *, now: datetime) -> None:
    row = session.get(ServiceStateRow, name)
    if row is None:
        session.add(ServiceStateRow(name=name, value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now


def remove(session: Session, name: str) -> bool:
    return bool(
        session.execute(delete(ServiceStateRow).where(ServiceStateRow.name == name)).rowcount
    )


def names(session: Session) -> list[str]:
    return list(session.scalars(select(ServiceStateRow.name).order_by(ServiceStateRow.name)))


def paused_until(session: Session, today: date) -> date | None:
    """The pause end date while a pause is in force on ``today``, else None."""
    value = get(session, PAUSE)
    if value is None:
        return None
    until = date.fromisoformat(value["until"])
    return until if until > today else None
