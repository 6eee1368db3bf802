"""The runner steers the plan: record an instruction, take the last one back, list them.

These are the service functions both the CLI (``ampt-sync move …``) and the runner's page call;
neither does more than parse, call one of them, and render what comes back.

Recording is one transaction: the plan is first brought up to date (as ``ampt-sync plan`` does),
the instruction is checked against it (:func:`~ampt_sync.training.instructions.prepare`) and
stored with the version it was given on, and the plan is adapted again with it and saved. The
callers hold the cycle lock around it (:func:`open_steering`), so that two processes (the page
and the CLI, or the daemon's cycle) never interleave and no instruction is lost. A dry run does
the same in a session that is always rolled back: it stores nothing.

A new goal or new run days (:func:`change_settings`) change the config file in place (the
daemon reads them there), and are recorded as instructions too, with the values before and
after, so that they are listed, shown with their reason and taken back like the others: `undo`
writes the values before back (refused when the file was edited by hand since). The file is
written last, inside the transaction: when it cannot be written, nothing is stored.

New run days from a later day (``days --from``) are recorded **pending**: the values checked as
the config would take them, the file and the plan left alone. The first cycle on or after that
day writes them (:func:`apply_due_settings`, sharing :func:`change_settings`' checking and its
exact-undo text) and marks them applied, then plans on them. A later ``days`` replaces a
pending one (the newest run days are those in force); `undo` takes a pending one back without
touching the file.

Taking back (:func:`undo_last`) marks the newest instruction in force as undone, then makes the
plan again from the version it was given on with the instructions still in force, so the plan
returns to what it would have been without it. Ending an unwell spell early does the same from
the version the spell was given on, so the days after the end are no longer eased.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ampt_sync.domain import (
    CONFIG_INSTRUCTIONS,
    CONFIG_SECTION,
    Athlete,
    Change,
    Goal,
    Instruction,
    InstructionKind,
    Plan,
    Workout,
)
from ampt_sync.errors import AmptSyncError
from ampt_sync.training.instructions import (
    InstructionRefused,
    in_force,
    prepare,
    summary,
    unwell_window,
)
from ampt_sync.training.wording import a_session, day_name, session_name

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ampt_sync.config import Settings
    from ampt_sync.store.db import Store


class InstructionError(AmptSyncError):
    """An instruction that cannot apply (a day in the past, a day without a session, …)."""

    exit_code = 2  # a usage error, as the CLI's own


@dataclass(frozen=True)
class Steered:
    """What recording (or taking back) an instruction did.

    ``before`` and ``after`` are the plan in force before and after; ``changes`` the changes it
    made, each naming the instruction; ``version`` the plan version stored (``None`` when the
    plan did not change, or on a dry run: then nothing was stored).
    """

    instruction: Instruction
    before: Plan
    after: Plan
    changes: tuple[Change, ...]
    version: int | None
    today: date
    undone: bool = False

    def days(self) -> list[date]:
        """The days whose sessions changed, in order."""
        old = {d.day: d.workouts for d in self.before.days()}
        new = {d.day: d.workouts for d in self.after.days()}
        return sorted(d for d in old.keys() | new.keys() if old.get(d) != new.get(d))

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``--format json``: SI numbers, ISO dates, no timestamps."""
        old = {d.day: d.workouts for d in self.before.days()}
        new = {d.day: d.workouts for d in self.after.days()}
        return {
            "instruction": instruction_to_json(self.instruction, self.today),
            "undone": self.undone,
            "stored": self.version is not None,
            "plan_version": self.version,
            "changes": [
                {"date": c.day.isoformat(), "key": c.key, "reason": c.reason} for c in self.changes
            ],
            "days": [
                {
                    "date": d.isoformat(),
                    "before": [_workout_json(w) for w in old.get(d, ())],
                    "after": [_workout_json(w) for w in new.get(d, ())],
                }
                for d in self.days()
            ],
        }


def _workout_json(workout: Workout) -> dict[str, Any]:
    return {
        "key": workout.key,
        "kind": workout.kind.value,
        "title": workout.title,
        "distance_m": round(workout.distance_m),
        "duration_s": round(workout.duration_s),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else value


def instruction_to_json(instruction: Instruction, today: date) -> dict[str, Any]:
    ins = instruction
    config = {key: {"before": _plain(old), "after": _plain(new)} for key, old, new in ins.config}
    return {
        "id": ins.id,
        "kind": ins.kind.value,
        "date": ins.day.isoformat(),
        "to_date": None if ins.to_day is None else ins.to_day.isoformat(),
        "keys": list(ins.keys),
        "days": ins.days or None,
        "level": ins.level or None,
        "why": ins.why or None,
        "distance_m": ins.distance_m or None,
        "name": ins.name or None,
        "priority": ins.priority or None,
        "config": config or None,
        "pending": ins.pending,
        "source": ins.source,
        "given_on": ins.given_on.isoformat(),
        "summary": summary(ins, today),
    }


# ------------------------------------------------------------------------------------------------
# Opening: the store under the cycle lock


@contextlib.contextmanager
def open_steering(settings: Settings, *, dry_run: bool) -> Iterator[Session]:
    """A session on the store, under the cycle lock: committed at the end, or on a dry run
    always rolled back."""
    from ampt_sync.service import cycle_lock
    from ampt_sync.store.db import open_store

    store: Store = open_store(settings.database_url())
    try:
        with cycle_lock(settings), store.scratch() if dry_run else store.transaction() as s:
            yield s
    finally:
        store.close()


# ------------------------------------------------------------------------------------------------
# The service functions (the caller owns the transaction)


def give_instruction(
    session: Session,
    instruction: Instruction,
    *,
    athlete: Athlete,
    goal: Goal,
    today: date,
    now: datetime,
) -> Steered:
    """Record ``instruction`` and bring the plan up to date with it. Raises
    :class:`InstructionError` when it cannot apply (nothing is stored then)."""
    from ampt_sync.store.instructions import active_instructions, add_instruction
    from ampt_sync.store.plans import bring_plan_up_to_date

    update = bring_plan_up_to_date(session, athlete=athlete, goal=goal, today=today, now=now)
    before = update.plan
    active = in_force(active_instructions(session), today)
    try:
        prepared = prepare(before, instruction, today, active)
    except InstructionRefused as exc:
        raise InstructionError(str(exc)) from None
    stored = add_instruction(session, prepared, now=now, plan_version_before=update.version or None)
    if prepared.kind is InstructionKind.UNWELL_END:
        spell = _spell_ended(active, stored)
        after, version = _remake(
            session, spell, athlete=athlete, goal=goal, today=today, now=now, why=stored
        )
        changes = after.changes if version is not None else ()
    else:
        update = bring_plan_up_to_date(session, athlete=athlete, goal=goal, today=today, now=now)
        after, version = update.plan, (update.version if update.saved else None)
        # All of this version's changes follow from the instruction (the day's adaptation was
        # saved before it): its own, and what the safety caps or an unwell spell then did.
        changes = update.changes if update.saved else ()
    return Steered(stored, before, after, changes, version, today)


@dataclass(frozen=True)
class _ConfigEdit:
    """A change of one config section, checked: the file's text before and after, the
    settings after, and ``(key, before, after)`` for each key that changes."""

    changes: dict[str, dict[str, Any]]
    text: str
    new_text: str
    new_settings: Settings
    config: tuple[tuple[str, Any, Any], ...]


def _config_edit(
    config_path: Path, kind: InstructionKind, values: Mapping[str, Any]
) -> _ConfigEdit:
    """``values`` for ``kind``'s section of the file at ``config_path``, checked as the config is
    read (:class:`~ampt_sync.errors.ConfigError` naming the key); nothing is written."""
    from ampt_sync.config import parse_settings
    from ampt_sync.config_edit import current_values, edited_text, read_text

    section = CONFIG_SECTION[kind]
    changes = {section: dict(values)}
    text = read_text(config_path)
    new_text = edited_text(text, changes, source=str(config_path))
    was = current_values(text, section, list(values), source=str(config_path))
    config = tuple(
        (key, was[key], tuple(new) if isinstance(new, list) else new)
        for key, new in values.items()
        if was[key] != (tuple(new) if isinstance(new, list) else new)
    )
    new_settings = parse_settings(new_text, source=str(config_path))
    return _ConfigEdit(changes, text, new_text, new_settings, config)


def change_settings(
    session: Session,
    kind: InstructionKind,
    values: Mapping[str, Any],
    *,
    config_path: Path,
    settings: Settings,
    today: date,
    now: datetime,
    source: str = "cli",
    write: bool = True,
    start: date | None = None,
) -> Steered:
    """A new goal (``kind`` GOAL, ``values`` of [goal]) or new run days (DAYS, [schedule]):
    the config file changed in place (when ``write``; else only checked), the change recorded
    as an instruction, and the plan brought up to date with the new settings. Raises
    :class:`~ampt_sync.errors.ConfigError` naming the key for a value the config refuses, and
    :class:`~ampt_sync.config_edit.ConfigReadOnly` saying what to edit when the file cannot be
    written (nothing is stored then).

    New run days from a ``start`` after ``today`` are recorded **pending**: checked as the
    config would take them, but the file and the plan are left as they are until the first
    cycle on or after ``start`` (:func:`apply_due_settings`)."""
    from ampt_sync.config_edit import write_in_place
    from ampt_sync.store.instructions import add_instruction, keep_config_texts
    from ampt_sync.store.plans import bring_plan_up_to_date

    if start is not None and start < today:
        raise InstructionError(
            f"{start.isoformat()} is in the past; give a day from today ({today.isoformat()}) on"
        )
    later = start is not None and start > today
    if later and kind is not InstructionKind.DAYS:
        raise InstructionError("only new run days can start on a later day")
    section = CONFIG_SECTION[kind]
    edit = _config_edit(config_path, kind, values)
    if not edit.config:
        raise InstructionError(f"[{section}] already says that in {config_path}; nothing to change")
    update = bring_plan_up_to_date(
        session, athlete=settings.athlete_domain(), goal=settings.goal_domain(), today=today,
        now=now,
    )  # fmt: skip
    before = update.plan
    version_before = update.version or None
    if later and start is not None:
        given = Instruction(kind, start, today, source=source, config=edit.config, pending=True)
        stored = add_instruction(session, given, now=now, plan_version_before=version_before)
        return Steered(stored, before, before, (), None, today)
    given = Instruction(kind, today, today, source=source, config=edit.config)
    stored = add_instruction(session, given, now=now, plan_version_before=version_before)
    keep_config_texts(session, stored.id or 0, before=edit.text, after=edit.new_text)
    update = bring_plan_up_to_date(
        session, athlete=edit.new_settings.athlete_domain(),
        goal=edit.new_settings.goal_domain(), today=today, now=now,
    )  # fmt: skip
    if write:  # last: a file that cannot be written rolls the rest back
        write_in_place(config_path, edit.new_text, edit.changes)
    version = update.version if update.saved else None
    return Steered(stored, before, update.plan, update.changes if update.saved else (), version,
                   today)  # fmt: skip


def due_settings(session: Session, today: date) -> Instruction | None:
    """The pending run days whose day has come (``day <= today``) and that are still in force
    (no later run days replaced them); ``None`` when there are none."""
    from ampt_sync.store.instructions import active_instructions

    due = [i for i in in_force(active_instructions(session), today) if i.pending and i.day <= today]
    return due[-1] if due else None


def apply_due_settings(
    session: Session, *, config_path: Path, today: date, now: datetime
) -> tuple[Instruction, Settings] | None:
    """Write pending run days to the config file on (or after) their day, as
    :func:`change_settings` writes run days given for today: the file's text before kept for an
    exact `undo`, the values before taken from the file as it is now, the instruction marked
    applied. Returns it and the settings the file now gives; ``None`` when none is due. The
    plan is not touched here: the caller's cycle makes it afresh for the new settings.

    Raises :class:`~ampt_sync.config_edit.ConfigReadOnly` (saying which lines to edit) when the
    file cannot be written, and :class:`~ampt_sync.errors.ConfigError` when the file no longer
    takes the values; the file is written last, so the caller's rollback leaves the
    instruction pending for the next cycle."""
    from ampt_sync.config_edit import write_in_place
    from ampt_sync.store.instructions import keep_config_texts, mark_applied

    pending = due_settings(session, today)
    if pending is None:
        return None
    values = {key: config_value(key, after) for key, _before, after in pending.config}
    edit = _config_edit(config_path, pending.kind, values)
    # the file may say more, or something else, than when the days were given: record its
    # values of now as "before", so that `undo` gives back what it replaces
    config = tuple((key, before, after) for key, before, after in edit.config) or pending.config
    applied = mark_applied(session, pending.id or 0, config=config, applied_on=today)
    if edit.config:  # else the file says so already (edited by hand): nothing to write
        keep_config_texts(session, applied.id or 0, before=edit.text, after=edit.new_text)
        write_in_place(config_path, edit.new_text, edit.changes)
    return applied, edit.new_settings


def undo_last(
    session: Session,
    *,
    athlete: Athlete,
    goal: Goal,
    today: date,
    now: datetime,
    config_path: Path | None = None,
    write: bool = True,
) -> Steered:
    """Take back the newest instruction still in force; the plan is made again without it.
    A new goal or new run days are taken back by writing the values before to the config at
    ``config_path`` (when ``write``)."""
    from ampt_sync.store.instructions import active_instructions

    active = in_force(active_instructions(session), today)
    if not active:
        raise InstructionError("no instruction in force to take back (`ampt-sync instructions`)")
    last = active[-1]
    if last.pending:
        return _take_back_pending(session, last, athlete=athlete, goal=goal, today=today, now=now)
    restored = None
    if last.kind in CONFIG_INSTRUCTIONS:
        restored = _config_back(session, last, config_path, write=write)
    return _take_back(
        session, last, athlete=athlete, goal=goal, today=today, now=now, restored=restored
    )


def _take_back_pending(
    session: Session,
    instruction: Instruction,
    *,
    athlete: Athlete,
    goal: Goal,
    today: date,
    now: datetime,
) -> Steered:
    """Pending run days taken back: the config file was never written, so neither it nor the
    plan changes."""
    from ampt_sync.store.instructions import mark_undone
    from ampt_sync.store.plans import bring_plan_up_to_date

    update = bring_plan_up_to_date(session, athlete=athlete, goal=goal, today=today, now=now)
    mark_undone(session, instruction.id or 0, now=now)
    return Steered(instruction, update.plan, update.plan, (), None, today, undone=True)


def _config_back(
    session: Session, instruction: Instruction, config_path: Path | None, *, write: bool
) -> tuple[Athlete, Goal]:
    """Give the config file back as it was before ``instruction`` (exactly, when nobody edited
    it since; else its values, when the file still holds those the instruction wrote); the
    athlete and goal it gives. Refused when those values were edited by hand since."""
    from ampt_sync.config import parse_settings
    from ampt_sync.config_edit import change_config, current_values, read_text, write_in_place
    from ampt_sync.store.instructions import config_text_before

    section = CONFIG_SECTION[instruction.kind]
    if config_path is None:
        raise InstructionError(
            f"instruction #{instruction.id} changed [{section}] in the config file; take it "
            "back with `ampt-sync undo` on the server"
        )
    changes = {section: {key: config_value(key, before) for key, before, _ in instruction.config}}
    text = read_text(config_path)
    before_text = config_text_before(session, instruction.id or 0, text)
    if before_text is not None:
        settings = parse_settings(before_text, source=str(config_path))
        if write:
            write_in_place(config_path, before_text, changes)
        return settings.athlete_domain(), settings.goal_domain()
    keys = [key for key, _, _ in instruction.config]
    now_there = current_values(text, section, keys, source=str(config_path))
    for key, _before, after in instruction.config:
        if _same(now_there[key], after):
            continue
        raise InstructionError(
            f"[{section}] {key} in {config_path} was changed by hand since instruction "
            f"#{instruction.id}; edit it there instead of `undo`"
        )
    settings = change_config(config_path, changes, write=write)
    return settings.athlete_domain(), settings.goal_domain()


def _same(a: Any, b: Any) -> bool:
    return config_value("", a) == config_value("", b) or str(a) == str(b)


def config_value(key: str, value: Any) -> Any:
    """A recorded config value as the config file takes it (a race day as a TOML date)."""
    if key == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return list(value) if isinstance(value, tuple) else value


def remove_race(
    session: Session, day: date, *, athlete: Athlete, goal: Goal, today: date, now: datetime
) -> Steered:
    """Take back the tune-up race on ``day``; the plan is made again without it."""
    from ampt_sync.store.instructions import active_instructions

    races = [
        i
        for i in in_force(active_instructions(session), today)
        if i.kind is InstructionKind.RACE and i.day == day
    ]
    if not races:
        raise InstructionError(
            f"no tune-up race on {day.isoformat()} (`ampt-sync instructions` lists them)"
        )
    return _take_back(session, races[-1], athlete=athlete, goal=goal, today=today, now=now)


def _take_back(
    session: Session,
    instruction: Instruction,
    *,
    athlete: Athlete,
    goal: Goal,
    today: date,
    now: datetime,
    restored: tuple[Athlete, Goal] | None = None,
) -> Steered:
    """``restored``: the athlete and goal of the config values a new goal or new run days
    replaced, which the plan is made again for (``athlete`` and ``goal`` are those in force)."""
    from ampt_sync.store.instructions import mark_undone
    from ampt_sync.store.plans import bring_plan_up_to_date

    update = bring_plan_up_to_date(session, athlete=athlete, goal=goal, today=today, now=now)
    mark_undone(session, instruction.id or 0, now=now)
    if restored is not None:
        athlete, goal = restored
    after, version = _remake(
        session, instruction, athlete=athlete, goal=goal, today=today, now=now,
        why=instruction, undo=True,
    )  # fmt: skip
    changes = after.changes if version is not None else ()
    return Steered(instruction, update.plan, after, changes, version, today, undone=True)


def instructions_in_force(session: Session, today: date) -> list[Instruction]:
    """The instructions in force on ``today``, oldest first."""
    from ampt_sync.store.instructions import active_instructions

    return in_force(active_instructions(session), today)


# ------------------------------------------------------------------------------------------------
# Making the plan again


def _spell_ended(active: Sequence[Instruction], end: Instruction) -> Instruction:
    """The unwell spell that ``end`` ends: the newest one in force on its day."""
    spells = [
        i
        for i in active
        if i.kind is InstructionKind.UNWELL and unwell_window(i, [*active, end])[0] <= end.day
    ]
    return spells[-1]


def _remake(
    session: Session,
    origin: Instruction,
    *,
    athlete: Athlete,
    goal: Goal,
    today: date,
    now: datetime,
    why: Instruction,
    undo: bool = False,
) -> tuple[Plan, int | None]:
    """The plan made again from the version ``origin`` was given on, with the instructions in
    force now, saved with one change per session that is back (or newly) somewhere; returns
    it and its version (``None`` when it is the plan in force already)."""
    from ampt_sync.store.activities import load_activities
    from ampt_sync.store.instructions import active_instructions, plan_version_before
    from ampt_sync.store.plans import inputs_hash, load_plan, newest_plan, save_plan
    from ampt_sync.training.adapt import adapt_plan
    from ampt_sync.training.fitness import estimate_fitness

    newest = newest_plan(session)
    if newest is None:  # an instruction is only ever given on a plan
        raise InstructionError("there is no plan yet; run `ampt-sync plan` first")
    base_version = plan_version_before(session, origin.id or 0)
    base = (load_plan(session, base_version) if base_version else None) or newest.plan
    activities = load_activities(session)
    fitness = estimate_fitness(activities, athlete, today, base.fitness)
    remaining = in_force(active_instructions(session), today)
    plan = adapt_plan(base, activities, athlete, goal, fitness, today, remaining)
    label = _undo_label(why, today) if undo else _end_label(why, today)
    changes = (
        Change(today, None, label[0].upper() + label[1:] + "."),
        *_back_changes(newest.plan, plan, today, label),
    )
    plan = replace(plan, generated_on=today, changes=changes)
    digest = inputs_hash(goal, athlete, activities, today)
    version = save_plan(session, plan, now=now, inputs_hash=digest)
    return plan, version


def _undo_label(instruction: Instruction, today: date) -> str:
    return f"you took back your instruction #{instruction.id}, {summary(instruction, today)}"


def _end_label(instruction: Instruction, today: date) -> str:
    when = day_name(instruction.day, today)
    return f"your unwell spell ended {when} (instruction #{instruction.id})"


def _back_changes(old: Plan, new: Plan, today: date, label: str) -> list[Change]:
    """One change per session from today on that is elsewhere, different, gone or new."""
    before = {w.key: (d.day, w) for d in old.days() if d.day >= today for w in d.workouts}
    after = {w.key: (d.day, w) for d in new.days() if d.day >= today for w in d.workouts}
    changes = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (after.get(k) or before[k])[0]):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        if now is None and was is not None:
            text = f"{day_name(was[0], today)}'s {session_name(was[1])} is off the plan"
            changes.append(Change(was[0], key, f"{text} ({label})."))
            continue
        if now is None:
            continue
        day, workout = now
        if was is None:
            text = f"{day_name(day, today)}'s {session_name(workout)} is back"
        elif was[0] != day:
            text = (
                f"{day_name(was[0], today)}'s {session_name(was[1])} is back on "
                f"{day_name(day, today)}"
            )
        else:
            name = f"{day_name(day, today)}'s {session_name(was[1])}"
            text = f"{name} is {a_session(workout)} again"
            if workout.kind is was[1].kind:
                text = f"{name} is back to its full size"
        changes.append(Change(day, key, f"{text} ({label})."))
    return changes


__all__ = [
    "InstructionError",
    "Steered",
    "apply_due_settings",
    "change_settings",
    "due_settings",
    "give_instruction",
    "instruction_to_json",
    "instructions_in_force",
    "open_steering",
    "remove_race",
    "undo_last",
]
