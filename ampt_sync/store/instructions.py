"""The runner's instructions in the store: added, listed, taken back. Rows are never deleted.

Each instruction is one row of ``instructions``; what its kind needs beyond the day goes into
``params`` as JSON (``to_day``, ``keys``, ``days``, ``level``, ``why``, ``distance_m``,
``name``, ``priority``, ``pending``; ``applied_on`` once pending run days were written to the
config on their day). The caller owns the
transaction (see :mod:`ampt_sync.steering`, which records an instruction and the plan it makes
in one).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ampt_sync.domain import Instruction, InstructionKind
from ampt_sync.store.models import InstructionRow


def add_instruction(
    session: Session, instruction: Instruction, *, now: datetime, plan_version_before: int | None
) -> Instruction:
    """Store ``instruction`` (given at ``now``, aware); returns it with its ``id``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    params: dict[str, Any] = {}
    if instruction.to_day is not None:
        params["to_day"] = instruction.to_day.isoformat()
    if instruction.keys:
        params["keys"] = list(instruction.keys)
    if instruction.days:
        params["days"] = instruction.days
    if instruction.level:
        params["level"] = instruction.level
    if instruction.why:
        params["why"] = instruction.why
    if instruction.distance_m:
        params["distance_m"] = instruction.distance_m
    if instruction.name:
        params["name"] = instruction.name
    if instruction.priority:
        params["priority"] = instruction.priority
    if instruction.config:
        params["config"] = [[key, _json(before), _json(after)] for key, before, after in
                            instruction.config]  # fmt: skip
    if instruction.pending:
        params["pending"] = True
    row = InstructionRow(
        kind=instruction.kind.value,
        day=instruction.day,
        given_on=instruction.given_on,
        given_at=now,
        source=instruction.source,
        params=params,
        plan_version_before=plan_version_before,
    )
    session.add(row)
    session.flush()
    return _instruction(row)


def _instruction(row: InstructionRow) -> Instruction:
    params = row.params
    to_day = params.get("to_day")
    return Instruction(
        kind=InstructionKind(row.kind),
        day=row.day,
        given_on=row.given_on,
        source=row.source,
        to_day=None if to_day is None else date.fromisoformat(to_day),
        keys=tuple(params.get("keys", ())),
        days=int(params.get("days", 0)),
        level=str(params.get("level", "")),
        why=str(params.get("why", "")),
        distance_m=float(params.get("distance_m", 0.0)),
        name=str(params.get("name", "")),
        priority=str(params.get("priority", "")),
        config=tuple(
            (str(key), _value(before), _value(after))
            for key, before, after in params.get("config", ())
        ),
        pending=bool(params.get("pending", False)),
        id=row.id,
        given_at=row.given_at,
    )


def _json(value: Any) -> Any:
    """A config value as JSON holds it: dates as ISO text, tuples as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value


def _value(value: Any) -> Any:
    """A config value from JSON, hashable (lists as tuples); dates stay ISO text, which the
    config reads as well."""
    return tuple(value) if isinstance(value, list) else value


def active_instructions(session: Session) -> list[Instruction]:
    """Every instruction not taken back, oldest first (the order they apply in)."""
    rows = session.scalars(
        select(InstructionRow)
        .where(InstructionRow.undone_at.is_(None))
        .order_by(InstructionRow.given_at, InstructionRow.id)
    ).all()
    return [_instruction(r) for r in rows]


def plan_version_before(session: Session, instruction_id: int) -> int | None:
    row = session.get(InstructionRow, instruction_id)
    return None if row is None else row.plan_version_before


def mark_undone(session: Session, instruction_id: int, *, now: datetime) -> bool:
    """Take back an instruction; False when it is unknown or was taken back already."""
    row = session.get(InstructionRow, instruction_id)
    if row is None or row.undone_at is not None:
        return False
    row.undone_at = now
    session.flush()
    return True


def mark_applied(
    session: Session,
    instruction_id: int,
    *,
    config: tuple[tuple[str, Any, Any], ...],
    applied_on: date,
) -> Instruction:
    """Pending run days written to the config file on ``applied_on``: no longer pending, with
    ``config`` the values before and after as the file held them then (what `undo` gives
    back). Returns the instruction as now stored."""
    row = session.get(InstructionRow, instruction_id)
    if row is None or not row.params.get("pending"):
        raise ValueError(f"instruction #{instruction_id} is not pending")
    params = {key: value for key, value in row.params.items() if key != "pending"}
    params["config"] = [[key, _json(before), _json(after)] for key, before, after in config]
    params["applied_on"] = applied_on.isoformat()
    row.params = params
    session.flush()
    return _instruction(row)


def keep_config_texts(session: Session, instruction_id: int, *, before: str, after: str) -> None:
    """Keep the config file's text before a new goal or new run days, and the hash of the text
    written, so that `undo` can give the file back exactly (comments, order and all) when
    nobody edited it since."""
    row = session.get(InstructionRow, instruction_id)
    if row is None:
        raise ValueError(f"no instruction #{instruction_id}")
    digest = hashlib.sha256(after.encode()).hexdigest()
    row.params = {**row.params, "config_text": {"before": before, "after_sha256": digest}}
    session.flush()


def config_text_before(session: Session, instruction_id: int, current: str) -> str | None:
    """The config file's text before the instruction, when ``current`` is still exactly the
    text it wrote; else None (the file was edited since, or the text was not kept)."""
    row = session.get(InstructionRow, instruction_id)
    kept = None if row is None else row.params.get("config_text")
    if not kept or hashlib.sha256(current.encode()).hexdigest() != kept.get("after_sha256"):
        return None
    return str(kept["before"])
