"""Plans in the store: versions that only grow, the planned workouts of the plan in force by key,
and every change with its reason.

* ``plans``: one row per version. The newest holds the plan as its documented JSON
  (:mod:`ampt_sync.plan_json`); each older one only what changed, as a reverse delta
  (:mod:`ampt_sync.store.deltas`), so a year of daily versions costs kilobytes a day instead of
  a full plan a day, and every version can still be rebuilt exactly (:func:`load_plan`).
  :func:`save_plan` adds a version only when the plan's content differs from the newest one, so
  the same inputs on the same day never add a version.
* ``planned_workouts``: one row per key, kept in step with the newest version: day, kind, title,
  content hash and JSON, the version that last changed its day or content (``plan_version``:
  the calendar feed's SEQUENCE), and a status (``planned``, ``moved``, ``done``, ``partial``,
  ``missed``, ``dropped``) with the activity that did it. A key that leaves the plan is kept as
  ``dropped``.
* ``plan_changes``: the changes of each version, appended, never rewritten.

:func:`bring_plan_up_to_date` is the one step the CLI (``ampt-sync plan``) and the daily cycle
share: estimate fitness from the stored activities, generate a plan if there is none (or the
goal changed beyond adapting), else adapt the stored one, save it if it changed, and record
which planned workouts were done.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ampt_sync import plan_json
from ampt_sync.domain import Activity, Athlete, Change, Fitness, Goal, Plan
from ampt_sync.errors import StoreError
from ampt_sync.store.deltas import rebuild, reverse_delta
from ampt_sync.store.models import PlanChangeRow, PlannedWorkoutRow, PlanRow


@dataclass(frozen=True)
class StoredPlan:
    """A plan version as stored."""

    version: int
    plan: Plan
    created_at: datetime
    inputs_hash: str


@dataclass(frozen=True)
class PlanUpdate:
    """What :func:`bring_plan_up_to_date` did. ``saved`` is true when ``version`` is new;
    ``changes`` are that version's changes (empty when nothing was saved)."""

    plan: Plan
    version: int
    saved: bool
    fitness: Fitness
    changes: tuple[Change, ...]
    #: key → done | partial | missed | planned, for the planned workouts up to today
    statuses: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------
# Reading


def newest_version(session: Session) -> int | None:
    return session.scalar(select(func.max(PlanRow.version)))


def newest_plan(session: Session) -> StoredPlan | None:
    """The plan in force (the newest version), or ``None`` before the first plan."""
    row = session.scalars(select(PlanRow).order_by(PlanRow.version.desc()).limit(1)).first()
    return None if row is None else _stored(row)


def load_plan(session: Session, version: int | None = None) -> Plan | None:
    """The newest plan, or the given ``version``; ``None`` when there is no such plan.

    An older version is rebuilt from the newest by applying the deltas down to it, so its cost
    grows with how far back it is; only diagnosis reads old versions (the CLI, the cycle and the
    page read the newest).
    """
    if version is None:
        stored = newest_plan(session)
        return None if stored is None else stored.plan
    row = session.get(PlanRow, version)
    if row is None:
        return None
    if row.plan_json is not None:
        return plan_json.plan_from_dict(row.plan_json)
    rows = session.scalars(
        select(PlanRow).where(PlanRow.version >= version).order_by(PlanRow.version.desc())
    ).all()
    newest, older = rows[0], rows[1:]
    if newest.plan_json is None:
        raise _damaged(newest.version)
    return plan_json.plan_from_dict(rebuild(newest.plan_json, [r.delta_json or [] for r in older]))


def _damaged(version: int) -> StoreError:
    # The newest version always holds its full JSON (save_plan and migration 0003 see to it).
    return StoreError(
        f"plan version {version} has no full JSON, so the store is damaged; restore a backup "
        "from the backups/ folder beside the database"
    )


def _stored(row: PlanRow) -> StoredPlan:
    if row.plan_json is None:
        raise _damaged(row.version)
    return StoredPlan(
        version=row.version,
        plan=plan_json.plan_from_dict(row.plan_json),
        created_at=row.created_at,
        inputs_hash=row.inputs_hash,
    )


def plan_changes(session: Session, *, limit: int = 50) -> list[tuple[int, Change]]:
    """The most recent changes (newest version first, in the order they were made), with the
    version that made them."""
    rows = session.scalars(
        select(PlanChangeRow)
        .order_by(PlanChangeRow.plan_version.desc(), PlanChangeRow.id)
        .limit(limit)
    ).all()
    return [(r.plan_version, Change(r.day, r.key, r.reason)) for r in rows]


def planned_workouts(session: Session) -> list[PlannedWorkoutRow]:
    """Every planned-workout row, by day then key (dropped ones included: see ``status``)."""
    return list(
        session.scalars(
            select(PlannedWorkoutRow).order_by(PlannedWorkoutRow.day, PlannedWorkoutRow.key)
        ).all()
    )


# ------------------------------------------------------------------------------------------------
# Writing


def plan_content(plan: Plan) -> dict[str, Any]:
    """The plan as stored: its documented JSON."""
    return plan_json.plan_to_dict(plan)


def save_plan(session: Session, plan: Plan, *, now: datetime, inputs_hash: str = "") -> int | None:
    """Store ``plan`` as a new version when its content differs from the newest version.

    Returns the new version number, or ``None`` when nothing was stored (same content). Keeps
    ``planned_workouts`` in step (new keys added, changed ones updated, keys that left the plan
    marked ``dropped``) and appends the plan's changes to ``plan_changes``. ``now`` is the
    aware time the version is recorded at.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    content = plan_content(plan)
    newest = session.scalars(select(PlanRow).order_by(PlanRow.version.desc()).limit(1)).first()
    if newest is not None and newest.plan_json is None:
        raise _damaged(newest.version)
    if newest is not None and _canonical(newest.plan_json) == _canonical(content):
        return None
    version = 1 if newest is None else newest.version + 1
    if newest is not None:
        # The version being replaced keeps only what it takes to get back to it.
        newest.delta_json = reverse_delta(content, newest.plan_json)
        newest.plan_json = None
    session.add(
        PlanRow(
            version=version,
            created_at=now,
            generated_on=plan.generated_on,
            inputs_hash=inputs_hash,
            plan_json=content,
            delta_json=None,
            vdot=plan.fitness.vdot,
        )
    )
    _sync_workouts(session, plan, version)
    for change in plan.changes:
        session.add(
            PlanChangeRow(
                plan_version=version,
                day=change.day,
                key=change.key,
                reason=change.reason,
                created_at=now,
            )
        )
    session.flush()
    return version


def _canonical(data: dict[str, Any]) -> str:
    return plan_json.dumps(data)


def _sync_workouts(session: Session, plan: Plan, version: int) -> None:
    rows = {r.key: r for r in session.scalars(select(PlannedWorkoutRow)).all()}
    seen: set[str] = set()
    for day in plan.days():
        for workout in day.workouts:
            seen.add(workout.key)
            digest = plan_json.content_hash(workout)
            data = plan_json.workout_to_dict(workout)
            row = rows.get(workout.key)
            if row is None:
                session.add(
                    PlannedWorkoutRow(
                        key=workout.key,
                        day=day.day,
                        kind=workout.kind.value,
                        title=workout.title[:120],
                        content_hash=digest,
                        workout_json=data,
                        plan_version=version,
                        status="planned",
                    )
                )
                continue
            if (row.day, row.content_hash) != (day.day, digest) or row.status == "dropped":
                # the version that last changed the workout: the calendar feed's SEQUENCE
                row.plan_version = version
            if row.day != day.day and day.day >= plan.generated_on:
                row.status = "moved"
            elif row.status == "dropped":
                row.status = "planned"
            row.day = day.day
            row.kind = workout.kind.value
            row.title = workout.title[:120]
            row.content_hash = digest
            row.workout_json = data
    for key, row in rows.items():
        if key not in seen and row.day >= plan.generated_on and row.status != "dropped":
            row.status = "dropped"
            row.plan_version = version


def record_statuses(session: Session, statuses: Sequence[tuple[str, str, int | None]]) -> int:
    """Set ``(key, status, activity_id)`` on the planned workouts that exist; returns how many
    rows changed. ``status`` is what the matching found (done, partial, missed, planned)."""
    changed = 0
    for key, status, activity_id in statuses:
        row = session.get(PlannedWorkoutRow, key)
        if row is None or row.status == "dropped":
            continue
        if status == "planned" and row.status == "moved":
            continue  # still to come, on its new day
        if (row.status, row.activity_id) != (status, activity_id):
            row.status, row.activity_id = status, activity_id
            changed += 1
    return changed


# ------------------------------------------------------------------------------------------------
# The shared step: bring the stored plan up to date


def inputs_hash(goal: Goal, athlete: Athlete, activities: Sequence[Activity], today: date) -> str:
    """A digest of what a plan was made from: the goal, the athlete, the day and the activities
    (id, day, distance, time). Stored beside each version for diagnosis."""
    data = {
        "goal": asdict(goal),
        "athlete": asdict(athlete),
        "today": today.isoformat(),
        "activities": sorted(
            (a.id, a.day.isoformat(), a.distance_m, a.moving_time_s, a.sport) for a in activities
        ),
    }
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def bring_plan_up_to_date(
    session: Session,
    *,
    athlete: Athlete,
    goal: Goal,
    today: date,
    now: datetime,
    activities: Sequence[Activity] | None = None,
) -> PlanUpdate:
    """Estimate fitness, then generate (no plan yet) or adapt (otherwise) the plan for
    ``today`` with the runner's instructions in force, save it when its content changed, and
    record which planned workouts were done.

    ``activities`` default to every stored activity. Same inputs on the same day: no new
    version. The caller owns the transaction.
    """
    from ampt_sync.store.activities import load_activities
    from ampt_sync.store.instructions import active_instructions
    from ampt_sync.training.adapt import adapt_plan
    from ampt_sync.training.fitness import estimate_fitness
    from ampt_sync.training.instructions import in_force
    from ampt_sync.training.matching import classify_recent, match_activities
    from ampt_sync.training.planner import generate_plan

    if activities is None:
        activities = load_activities(session)
    stored = newest_plan(session)
    previous_fitness = None if stored is None else stored.plan.fitness
    fitness = estimate_fitness(activities, athlete, today, previous_fitness)
    if stored is None:
        plan = generate_plan(goal, athlete, fitness, activities, today)
    else:
        instructions = in_force(active_instructions(session), today)
        plan = adapt_plan(stored.plan, activities, athlete, goal, fitness, today, instructions)
    digest = inputs_hash(goal, athlete, activities, today)
    version = save_plan(session, plan, now=now, inputs_hash=digest)
    first = plan.days()[0].day if plan.weeks else today
    kinds = classify_recent(activities, plan.fitness, athlete, first, today)
    matching = match_activities(plan, activities, today, kinds=kinds)
    record_statuses(
        session,
        [(m.key, m.status.value, m.activity_id) for m in matching.by_key.values()],
    )
    statuses = {m.key: m.status.value for m in matching.by_key.values()}
    if version is None:  # unchanged: the stored version stays in force (a first plan saves)
        return PlanUpdate(plan, stored.version if stored else 0, False, fitness, (), statuses)
    return PlanUpdate(plan, version, True, fitness, plan.changes, statuses)
