"""Run reports: one per cycle (or per CLI command that talks to a service), kept for `status`.

A report is a JSON object written by :mod:`ampt_sync.service`; this module only stores and lists
them, and keeps the table from growing without bound.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ampt_sync.store.models import RunReportRow

#: Reports kept; about a month of a daemon's cycles at a few a day.
KEPT = 200


def record(
    session: Session,
    *,
    kind: str,
    started_at: datetime,
    finished_at: datetime | None,
    result: str,
    report: dict[str, Any],
) -> int:
    row = RunReportRow(
        kind=kind, started_at=started_at, finished_at=finished_at, result=result, report_json=report
    )
    session.add(row)
    session.flush()
    stale = select(RunReportRow.id).order_by(RunReportRow.id.desc()).offset(KEPT)
    session.execute(delete(RunReportRow).where(RunReportRow.id.in_(stale.scalar_subquery())))
    return row.id


def recent(session: Session, limit: int = 5) -> list[RunReportRow]:
    return list(session.scalars(select(RunReportRow).order_by(RunReportRow.id.desc()).limit(limit)))
