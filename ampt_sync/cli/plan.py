"""``ampt-sync plan``: the training plan, brought up to date, as a table or as JSON.

The plan shown is the stored plan brought up to date: generated when there is none, adapted to
the stored activities otherwise (the same step the daily cycle runs), and saved as a new version
only when it changed, so running ``plan`` twice on the same day with nothing new stores nothing.
Dates are the runner's local dates; paces and distances in ``athlete.units``. ``--format json``
prints exactly one JSON document in the plan's documented shape
(:func:`ampt_sync.plan_json.plan_to_dict`: SI numbers, no timestamps).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from ampt_sync.cli.base import TRAINING, OutputFormat, app, emit_json, load, out
from ampt_sync.units import Units, format_distance, format_duration, format_pace

if TYPE_CHECKING:
    from rich.console import Console

    from ampt_sync.domain import Plan, Step, Workout
    from ampt_sync.store.plans import PlanUpdate


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STATUS_MARKS = {"done": "✓", "partial": "½", "missed": "✗"}


def shown_weeks(plan: Plan, today: date, weeks: int | None) -> Plan:
    """``plan`` with the weeks from ``today``'s week on: ``weeks`` of them, or by default through
    race week (all of them once the race is past). More weeks than the plan has is fine."""
    monday = today - timedelta(days=today.weekday())
    current = [w for w in plan.weeks if w.days and w.days[-1].day >= monday]
    if weeks is None:
        race_monday = plan.goal.day - timedelta(days=plan.goal.day.weekday())
        through = [w for w in current if w.days[0].day <= race_monday + timedelta(days=6)]
        chosen = through if plan.goal.day >= today and through else current
    else:
        chosen = current[:weeks]
    return replace(plan, weeks=tuple(chosen))


@app.command(rich_help_panel=TRAINING)
def plan(
    ctx: typer.Context,
    weeks: Annotated[
        int | None,
        typer.Option("--weeks", min=1, help="Weeks to show from this one (default: to race day)."),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json")
    ] = OutputFormat.text,
) -> None:
    """Show the training plan, brought up to date with your runs.

    Generates the plan the first time and adapts it to new activities after that; a new plan
    version is stored only when something changed.
    """
    from ampt_sync.service import cycle_lock
    from ampt_sync.store.db import open_store
    from ampt_sync.store.plans import bring_plan_up_to_date

    settings = load(ctx).settings
    today = datetime.now(settings.zone()).date()
    store = open_store(settings.database_url())
    try:
        with cycle_lock(settings), store.transaction() as session:
            update = bring_plan_up_to_date(
                session,
                athlete=settings.athlete_domain(),
                goal=settings.goal_domain(),
                today=today,
                now=datetime.now(UTC),
            )
    finally:
        store.close()
    visible = shown_weeks(update.plan, today, weeks)
    if output is OutputFormat.json:
        from ampt_sync.plan_json import plan_to_dict

        emit_json(plan_to_dict(visible))
        return
    units: Units = "mi" if settings.athlete.units == "mi" else "km"
    render_plan(visible, update, today, units, out())


# ------------------------------------------------------------------------------------------------
# the table


def _day(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def _steps(steps: tuple[Step | object, ...]) -> list[Step]:
    from ampt_sync.domain import Repeat, Step

    found: list[Step] = []
    for s in steps:
        if isinstance(s, Repeat):
            found.extend(_steps(s.steps))
        elif isinstance(s, Step):
            found.append(s)
    return found


def _label(workout: Workout) -> str:
    """What the session is, in words without units (the distance has its own column)."""
    from ampt_sync.domain import Repeat, WorkoutKind

    kind = workout.kind
    if kind is WorkoutKind.EASY:
        return "Easy run"
    if kind is WorkoutKind.RECOVERY:
        return "Recovery run"
    if kind is WorkoutKind.STRIDES:
        reps = next((s.times for s in workout.steps if isinstance(s, Repeat)), 0)
        return f"Easy run + {reps} strides"
    if kind is WorkoutKind.LONG:
        finish = any(s.note == "marathon pace" for s in _steps(workout.steps))
        return "Long run, marathon-pace finish" if finish else "Long run"
    return workout.title


def _pace(workout: Workout, units: Units) -> str:
    """The pace (or effort) of the session's main work."""
    from ampt_sync.domain import StepRole, WorkoutKind

    if not workout.is_run:
        return ""
    work = [s for s in _steps(workout.steps) if s.role is StepRole.WORK]
    if workout.kind is WorkoutKind.LONG and work:
        work = work[:1]
    for step in work:
        target = step.target
        if target is not None and target.pace_s_per_km is not None:
            fast, slow = target.pace_s_per_km
            if workout.kind in (WorkoutKind.STRIDES,):
                continue
            return f"{format_pace(fast, units).split('/')[0]}–{format_pace(slow, units)}"
        if target is not None and target.hr_bpm is not None:
            return f"{target.hr_bpm[0]}–{target.hr_bpm[1]} bpm"
    if workout.kind is WorkoutKind.HILLS:
        return "hard effort uphill"
    if workout.kind is WorkoutKind.RACE and workout.distance_m:
        return f"all out ({format_pace(workout.duration_s / workout.distance_m * 1000, units)})"
    first = next((s for s in _steps(workout.steps) if s.target and s.target.pace_s_per_km), None)
    if first is not None and first.target is not None and first.target.pace_s_per_km:
        fast, slow = first.target.pace_s_per_km
        return f"{format_pace(fast, units).split('/')[0]}–{format_pace(slow, units)}"
    return ""


def render_plan(
    plan: Plan, update: PlanUpdate, today: date, units: Units, console: Console
) -> None:
    from rich.table import Table

    goal = plan.goal
    fitness = plan.fitness
    days_left = (goal.day - today).days
    when = f"in {days_left} days" if days_left > 1 else ("tomorrow" if days_left == 1 else "today")
    heading = f"{goal.race or 'Goal race'} on {_day(goal.day)} {goal.day.year}"
    if days_left >= 0:
        heading += f" ({when})"
    console.print(heading)
    console.print(
        f"Fitness: VDOT {fitness.vdot:.1f} ({fitness.source.split(';')[0]}); easy "
        f"{format_pace(fitness.paces.easy[0], units).split('/')[0]}–"
        f"{format_pace(fitness.paces.easy[1], units)}, threshold "
        f"{format_pace(fitness.paces.threshold, units)}"
    )
    for warning in plan.warnings:
        console.print(f"Note: {warning}")
    if update.changes:
        console.print("Changes just made:")
        for change in update.changes:
            console.print(f"  • {change.reason}")

    for week in plan.weeks:
        monday = week.days[0].day - timedelta(days=week.days[0].day.weekday())
        runs = [w for d in week.days for w in d.workouts if w.is_run]
        total = sum(w.distance_m for w in runs)
        title = (
            f"Week of {_day(monday)}: {week.phase.value}"
            + (" (cutback)" if week.cutback else "")
            + f", {format_distance(total, units)}"
        )
        table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("Day", no_wrap=True)
        table.add_column("Session")
        table.add_column("Distance", justify="right", no_wrap=True)
        table.add_column("Time", justify="right", no_wrap=True)
        table.add_column("Pace", no_wrap=True)
        table.add_column("", no_wrap=True)
        for day in week.days:
            label = _day(day.day) + (" ←" if day.day == today else "")
            if not day.workouts:
                table.add_row(label, "rest", "", "", "", "", style="dim")
                continue
            for i, workout in enumerate(day.workouts):
                mark = STATUS_MARKS.get(update.statuses.get(workout.key, ""), "")
                table.add_row(
                    label if i == 0 else "",
                    _label(workout),
                    format_distance(workout.distance_m, units) if workout.distance_m else "",
                    format_duration(workout.duration_s) if workout.duration_s else "",
                    _pace(workout, units),
                    mark,
                    style="dim" if day.day < today else None,
                )
        console.print()
        console.print(table)
