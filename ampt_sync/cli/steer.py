"""The runner steers the plan: ``move``, ``swap``, ``skip``, ``unwell``, ``race add/remove``,
``undo``, ``instructions``, and the config's goal and run days: ``goal set``, ``days``.

Thin: each command parses, calls one service function of :mod:`ampt_sync.steering` (the same
the runner's page calls), and prints the days before and after and every change with its
reason. ``--dry-run`` stores nothing; ``--push`` puts the plan on Garmin right away (else the
next cycle does); ``--format json`` prints one JSON document
(:meth:`~ampt_sync.steering.Steered.to_json`).

Dates are ``YYYY-MM-DD``, ``today``, ``tomorrow`` or a weekday name (``thu`` or ``thursday``:
the first such day from today on, today included), in the runner's time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ampt_sync.cli.base import (
    TRAINING,
    OutputFormat,
    app,
    command_group,
    emit_json,
    err,
    load,
    out,
)
from ampt_sync.instruction_bounds import UNWELL_MAX_DAYS
from ampt_sync.units import Units, format_duration

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ampt_sync.config import Settings
    from ampt_sync.domain import Instruction, InstructionKind, Workout
    from ampt_sync.steering import Steered

DAY_HELP = "YYYY-MM-DD, today, tomorrow, or a weekday (thu: the first Thursday from today on)."
FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: A new goal or new run days change the whole plan; the output shows this many days of it.
SHOWN_DAYS = 14


class Level(StrEnum):
    tired = "tired"
    ill = "ill"


def parse_day(text: str, today: date) -> date:
    """``text`` as a local date; raises :class:`typer.BadParameter` naming what is accepted."""
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    from ampt_sync.domain import WEEKDAYS

    for names in (WEEKDAYS, FULL_WEEKDAYS):
        if word in names:
            return today + timedelta(days=(names.index(word) - today.weekday()) % 7)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a day; use {DAY_HELP}") from None


def _today(settings: Settings) -> date:
    return datetime.now(settings.zone()).date()


# ------------------------------------------------------------------------------------------------
# shared options

DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; store nothing.")]
Push = Annotated[
    bool, typer.Option("--push", help="Put the plan on Garmin now (else the next cycle does).")
]
Format = Annotated[OutputFormat, typer.Option("--format", help="text or json")]


def _give(
    ctx: typer.Context,
    make: Callable[[date], Instruction],
    *,
    dry_run: bool,
    push: bool,
    output: OutputFormat,
) -> None:
    """Record the instruction ``make(today)`` builds, print what changed, push if asked."""
    from ampt_sync.steering import give_instruction

    settings = load(ctx).settings
    instruction = make(_today(settings))  # a bad day is refused before the store is opened
    _steer(
        ctx,
        lambda session, settings, today: give_instruction(
            session, instruction, **_inputs(settings, today)
        ),
        dry_run=dry_run,
        push=push,
        output=output,
    )


def _inputs(settings: Settings, today: date) -> dict[str, Any]:
    """What every service function of :mod:`ampt_sync.steering` takes beside the session."""
    return {
        "athlete": settings.athlete_domain(),
        "goal": settings.goal_domain(),
        "today": today,
        "now": datetime.now(UTC),
    }


def _steer(
    ctx: typer.Context,
    call: Callable[[Session, Settings, date], Steered],
    *,
    dry_run: bool,
    push: bool,
    output: OutputFormat,
) -> None:
    """Run ``call`` on the store under the cycle lock, print what it did, push if asked."""
    from ampt_sync.steering import open_steering

    settings = load(ctx).settings
    today = _today(settings)
    with open_steering(settings, dry_run=dry_run) as session:
        steered = call(session, settings, today)
    _show(steered, settings, output=output, dry_run=dry_run)
    if push and not dry_run:
        _push(settings, today)


def _show(steered: Steered, settings: Settings, *, output: OutputFormat, dry_run: bool) -> None:
    if output is OutputFormat.json:
        document = steered.to_json()
        document["dry_run"] = dry_run
        emit_json(document)
        return
    from ampt_sync.domain import CONFIG_SECTION
    from ampt_sync.steering import config_value
    from ampt_sync.training.instructions import summary

    units: Units = "mi" if settings.athlete.units == "mi" else "km"
    console = out()
    ins = steered.instruction
    number = f" #{ins.id}" if ins.id is not None and not dry_run else ""
    verb = "Taken back" if steered.undone else "Instruction"
    console.print(f"{verb}{number}: {summary(ins, steered.today)}")
    for key, before, after in ins.config:
        was, now = (before, after) if not steered.undone else (after, before)
        was, now = config_value(key, was), config_value(key, now)
        console.print(f"  [{CONFIG_SECTION[ins.kind]}] {key}: {_toml(was)} → {_toml(now)}")
    old = {d.day: d.workouts for d in steered.before.days()}
    new = {d.day: d.workouts for d in steered.after.days()}
    days = steered.days()
    if ins.pending and not steered.undone:
        console.print(
            f"  The plan follows them from {_day(ins.day)}, when the config file is changed "
            "(by the first sync that day); until then nothing changes."
        )
    elif ins.pending:
        console.print("  They were still waiting for their day: the config file is unchanged.")
    elif not days:
        console.print("  The plan already holds this; nothing changed.")
    # a new goal or new run days change the whole plan: the next two weeks show what it means
    shown = [d for d in days if d < steered.today + timedelta(days=SHOWN_DAYS)]
    if len(shown) < len(days):
        rest = len(days) - len(shown)
        console.print(f"  (the next {SHOWN_DAYS} days; {rest} more days changed: `ampt-sync plan`)")
    for day in shown:
        console.print(f"  {_day(day)}: {_sessions(old.get(day, ()), units)}")
        console.print(f"  {' ' * len(_day(day))}→ {_sessions(new.get(day, ()), units)}")
    if steered.changes:
        console.print("Changes:")
        for change in steered.changes:
            console.print(f"  • {change.reason}")
    if dry_run:
        err().print(
            "dry run: nothing stored" + (", the config file unchanged" if ins.config else "")
        )
    elif steered.version is not None:
        err().print(
            f"stored as plan version {steered.version}; Garmin gets it at the next sync "
            "(or now with --push)"
        )


def _toml(value: object) -> str:
    """A config value as the file writes it ("absent" for none)."""
    import tomlkit

    if value is None:
        return "absent"
    return tomlkit.item(list(value) if isinstance(value, tuple) else value).as_string()


def _day(day: date) -> str:
    return day.strftime("%a %d %b").replace(" 0", " ")


def _sessions(workouts: tuple[Workout, ...] | list[Workout], units: Units) -> str:
    if not workouts:
        return "rest"
    parts = []
    for w in workouts:
        # Titles name the distance in the runner's units already; the time completes them.
        size = f" ({format_duration(w.duration_s)})" if w.duration_s else ""
        parts.append(f"{w.title}{size}")
    return "; ".join(parts)


def _push(settings: Settings, today: date) -> None:
    """The push of ``ampt-sync push``: the plan in force to Garmin, now."""
    from ampt_sync.errors import RemoteError
    from ampt_sync.garmin.push import run_push
    from ampt_sync.secrets import open_token_store
    from ampt_sync.service import cycle_lock, plan_to_push
    from ampt_sync.store.db import open_store

    store = open_store(settings.database_url())
    token_store = open_token_store(settings.secrets.backend, settings.state_dir())
    try:
        with cycle_lock(settings):
            plan = plan_to_push(store, settings, today, now=datetime.now(UTC))
            report = run_push(plan, today, settings, store, token_store)
    finally:
        store.close()
    calls = report.api_calls
    err().print(
        f"pushed to Garmin: {calls.get('total', 0)} request(s) ({calls.get('reads', 0)} read, "
        f"{calls.get('writes', 0)} write)"
    )
    if report.errors:
        raise RemoteError(report.errors[0])


# ------------------------------------------------------------------------------------------------
# the commands


@app.command(rich_help_panel=TRAINING)
def move(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help=f"The session's day: {DAY_HELP}")],
    to: Annotated[str, typer.Option("--to", help=f"Its new day: {DAY_HELP}")],
    dry_run: DryRun = False,
    push: Push = False,
    output: Format = OutputFormat.text,
) -> None:
    """Move a session to another day; the run that stood there takes its old day.

    On Garmin the workout is moved, not deleted and made again. When the new day would break a
    safety rule (two hard days in a row, quality the day before the long run, a run beyond the
    single-run cap), the plan does the nearest safe thing and says what and why.
    """
    from ampt_sync.domain import Instruction, InstructionKind

    def make(today: date) -> Instruction:
        return Instruction(
            InstructionKind.MOVE, parse_day(day, today), today, to_day=_other(to, day, today)
        )

    _give(ctx, make, dry_run=dry_run, push=push, output=output)


@app.command(rich_help_panel=TRAINING)
def swap(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help=f"One day: {DAY_HELP}")],
    other: Annotated[str, typer.Argument(help="The other day, in the same forms.")],
    dry_run: DryRun = False,
    push: Push = False,
    output: Format = OutputFormat.text,
) -> None:
    """Swap the sessions of two days (strength circuits stay where they are), with the same
    safety rules as `move`."""
    from ampt_sync.domain import Instruction, InstructionKind

    def make(today: date) -> Instruction:
        return Instruction(
            InstructionKind.SWAP, parse_day(day, today), today, to_day=_other(other, day, today)
        )

    _give(ctx, make, dry_run=dry_run, push=push, output=output)


def _other(text: str, first: str, today: date) -> date:
    when = parse_day(text, today)
    if when == parse_day(first, today):
        raise typer.BadParameter(f"{text!r} is the same day as {first!r}; give another day")
    return when


@app.command(rich_help_panel=TRAINING)
def skip(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help=f"The session's day: {DAY_HELP}")],
    why: Annotated[str, typer.Option("--why", help="Your reason, kept with it.")] = "",
    dry_run: DryRun = False,
    push: Push = False,
    output: Format = OutputFormat.text,
) -> None:
    """Drop a session; it is not made up later, and nothing else is stacked to replace it."""
    from ampt_sync.domain import Instruction, InstructionKind

    def make(today: date) -> Instruction:
        return Instruction(InstructionKind.SKIP, parse_day(day, today), today, why=why.strip())

    _give(ctx, make, dry_run=dry_run, push=push, output=output)


@app.command(rich_help_panel=TRAINING)
def unwell(
    ctx: typer.Context,
    days: Annotated[
        int,
        typer.Option("--days", min=1, max=UNWELL_MAX_DAYS, help="How many days, from today."),
    ] = 3,
    level: Annotated[
        Level, typer.Option("--level", help="tired: easy and shorter; ill: rest days.")
    ] = Level.tired,
    end: Annotated[
        bool, typer.Option("--end", help="You feel fine again: end the spell today.")
    ] = False,
    dry_run: DryRun = False,
    push: Push = False,
    output: Format = OutputFormat.text,
) -> None:
    """Not feeling 100 %: ease the next days; afterwards a return as after a break.

    `tired`: no quality, every run easy and at most 30 minutes, the long run at most an hour.
    `ill`: rest days. Then as many days (at most 7) of easing back in: no quality, runs at most
    45 minutes, the long run at most 75. Unlike `pause`, your watch still gets the eased days.
    """
    from ampt_sync.domain import Instruction, InstructionKind

    def make(today: date) -> Instruction:
        if end:
            return Instruction(InstructionKind.UNWELL_END, today, today)
        return Instruction(InstructionKind.UNWELL, today, today, days=days, level=level.value)

    _give(ctx, make, dry_run=dry_run, push=push, output=output)


@app.command(rich_help_panel=TRAINING)
def undo(
    ctx: typer.Context,
    dry_run: DryRun = False,
    push: Push = False,
    output: Format = OutputFormat.text,
) -> None:
    """Take back your last instruction still in force (each once); the plan returns to what it
    would have been without it."""
    from ampt_sync.steering import undo_last

    path = load(ctx).path

    def call(session: Session, settings: Settings, today: date) -> Steered:
        return undo_last(session, **_inputs(settings, today), config_path=path, write=not dry_run)

    _steer(ctx, call, dry_run=dry_run, push=push, output=output)


@app.command(rich_help_panel=TRAINING)
def instructions(ctx: typer.Context, output: Format = OutputFormat.text) -> None:
    """List your instructions in force (move, swap, skip, unwell, tune-up race, new goal, new run
    days), oldest first."""
    from ampt_sync.steering import instruction_to_json, instructions_in_force
    from ampt_sync.store.db import open_store

    settings = load(ctx).settings
    today = _today(settings)
    store = open_store(settings.database_url())
    try:
        with store.transaction() as session:
            found = instructions_in_force(session, today)
    finally:
        store.close()
    if output is OutputFormat.json:
        emit_json({"instructions": [instruction_to_json(i, today) for i in found]})
        return
    console = out()
    if not found:
        console.print("No instructions in force.")
        return
    for ins in found:
        console.print(_line(ins, today))


def _line(ins: Instruction, today: date) -> str:
    from ampt_sync.training.instructions import summary

    given = ins.given_on.isoformat()
    return f"#{ins.id}  {summary(ins, today)}  (given {given} from the {ins.source})"


# ------------------------------------------------------------------------------------------------
# tune-up races

race_app = command_group(help="Tune-up races: `race add`, `race remove`.", no_args_is_help=True)
app.add_typer(race_app, name="race", rich_help_panel=TRAINING)


class Priority(StrEnum):
    b = "b"
    c = "c"


@race_app.command("add")
def race_add(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help=f"Race day: {DAY_HELP}")],
    distance: Annotated[str, typer.Argument(help='5k, 10k, half, marathon, or metres ("8000").')],
    name: Annotated[str, typer.Option("--name", help="The race's name.")] = "",
    priority: Annotated[
        Priority,
        typer.Option("--priority", help="b: three easy days before it; c: two."),
    ] = Priority.b,
    dry_run: DryRun = False,
    push: Push = False,
    output: Format = OutputFormat.text,
) -> None:
    """A tune-up race in the plan: easy days before it, a recovery run after, and it counts as
    the week's hard session. Its result, once on Strava (tagged as a race), sets your paces like
    any race."""
    from ampt_sync.domain import Instruction, InstructionKind
    from ampt_sync.units import parse_race_distance_m

    try:
        distance_m = parse_race_distance_m(distance)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None

    def make(today: date) -> Instruction:
        return Instruction(
            InstructionKind.RACE, parse_day(day, today), today, distance_m=distance_m,
            name=name.strip(), priority=priority.value,
        )  # fmt: skip

    _give(ctx, make, dry_run=dry_run, push=push, output=output)


@race_app.command("remove")
def race_remove(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help=f"Race day: {DAY_HELP}")],
    dry_run: DryRun = False,
    push: Push = False,
    output: Format = OutputFormat.text,
) -> None:
    """Take a tune-up race out: the plan returns to what it would have been without it."""
    from ampt_sync.steering import remove_race

    when = parse_day(day, _today(load(ctx).settings))
    _steer(
        ctx,
        lambda session, settings, today: remove_race(session, when, **_inputs(settings, today)),
        dry_run=dry_run,
        push=push,
        output=output,
    )


# ------------------------------------------------------------------------------------------------
# the goal and the run days: in the config file, changed in place


goal_app = command_group(help="Set a new goal race: `goal set`.", no_args_is_help=True)
app.add_typer(goal_app, name="goal", rich_help_panel=TRAINING)


@goal_app.command("set")
def goal_set(
    ctx: typer.Context,
    distance: Annotated[
        str, typer.Option("--distance", help='5k, 10k, half, marathon, or metres ("15000").')
    ],
    day: Annotated[str, typer.Option("--date", help=f"Race day: {DAY_HELP}")],
    race: Annotated[str | None, typer.Option("--race", help="The race's name.")] = None,
    target_time: Annotated[
        str | None,
        typer.Option("--target-time", help='A wish, "1:45:00"; it never sets training paces.'),
    ] = None,
    dry_run: DryRun = False,
    push: Push = False,
    output: Format = OutputFormat.text,
) -> None:
    """Set a new goal race: the plan is periodised again from today with the same history.

    The config file's [goal] is updated in place, keeping its comments (a race name or target
    time not given is removed: it was the old goal's). It is recorded as an instruction:
    `ampt-sync undo` gives the old goal back. When the file is read-only (the systemd layout),
    the command says what to edit there instead.
    """
    loaded = load(ctx)
    today = _today(loaded.settings)
    when = parse_day(day, today)
    if when < today:
        raise typer.BadParameter(f"{when.isoformat()} is in the past; give a race day from today")
    number = distance.strip()
    values: dict[str, object] = {
        "distance": float(number) if number.replace(".", "", 1).isdigit() else number,
        "date": when,
        "race": race,
        "target_time": target_time,
    }
    from ampt_sync.domain import InstructionKind

    _change(ctx, InstructionKind.GOAL, values, dry_run=dry_run, push=push, output=output)


@app.command(rich_help_panel=TRAINING)
def days(
    ctx: typer.Context,
    run: Annotated[
        str, typer.Option("--run", help="Your run days (from --from on): mon,wed,fri,sat,sun.")
    ],
    long: Annotated[
        str | None, typer.Option("--long", help="The long-run day (one of them).")
    ] = None,
    start: Annotated[
        str,
        typer.Option(
            "--from",
            help=f"From which day: {DAY_HELP} A later day waits: the config file is changed by "
            "the first sync on that day.",
        ),
    ] = "today",
    dry_run: DryRun = False,
    push: Push = False,
    output: Format = OutputFormat.text,
) -> None:
    """New run days: the plan from today (or from --from) follows them.

    The config file's [schedule] is updated in place, keeping its comments; it is recorded as
    an instruction (`ampt-sync undo` gives the old days back). When the file is read-only (the
    systemd layout), the command says what to edit there instead.

    With --from a later day the instruction waits (pending; `ampt-sync instructions` lists it,
    `ampt-sync undo` takes it back): the config file and the plan stay as they are until the
    first cycle on that day (the daemon's or `ampt-sync sync`) writes the file and makes the
    plan afresh on the new days.
    """
    loaded = load(ctx)
    today = _today(loaded.settings)
    first_day = parse_day(start, today)
    if first_day < today:
        raise typer.BadParameter(
            f"{first_day.isoformat()} is in the past; give a day from today on: {DAY_HELP}"
        )
    chosen = [d.strip().lower()[:3] for d in run.split(",") if d.strip()]
    values: dict[str, object] = {"run_days": chosen}
    if long is not None:
        values["long_run_day"] = long.strip().lower()[:3]
    from ampt_sync.domain import InstructionKind

    _change(
        ctx, InstructionKind.DAYS, values, dry_run=dry_run, push=push, output=output,
        start=first_day,
    )  # fmt: skip


def _change(
    ctx: typer.Context,
    kind: InstructionKind,
    values: dict[str, object],
    *,
    dry_run: bool,
    push: bool,
    output: OutputFormat,
    start: date | None = None,
) -> None:
    """A new goal or new run days: the config file changed in place (only checked on a dry
    run), recorded as an instruction, and the plan brought up to date with it; run days from a
    later ``start`` are recorded pending (see :func:`ampt_sync.steering.change_settings`)."""
    from ampt_sync.errors import ConfigError
    from ampt_sync.steering import change_settings

    path = load(ctx).path
    if path is None:
        raise ConfigError("no config file to change; create one with `ampt-sync init`")

    def call(session: Session, settings: Settings, today: date) -> Steered:
        now = datetime.now(UTC)
        return change_settings(
            session, kind, values, config_path=path, settings=settings, today=today, now=now,
            write=not dry_run, start=start,
        )  # fmt: skip

    _steer(ctx, call, dry_run=dry_run, push=push, output=output)
