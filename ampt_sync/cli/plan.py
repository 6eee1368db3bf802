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
from ampt_sync.units import Units, format_distance, format_duration

if TYPE_CHECKING:
    from rich.console import Console

    from ampt_sync.domain import Plan
    from ampt_sync.store.plans import PlanUpdate


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


def render_plan(
    plan: Plan, update: PlanUpdate, today: date, units: Units, console: Console
) -> None:
    from rich.table import Table

    # imported here: plan_text pulls in the domain model, which `ampt-sync --help` never needs
    from ampt_sync.plan_text import (
        STATUS_MARKS,
        day_label,
        fitness_line,
        session_label,
        session_pace,
    )

    goal = plan.goal
    fitness = plan.fitness
    days_left = (goal.day - today).days
    when = f"in {days_left} days" if days_left > 1 else ("tomorrow" if days_left == 1 else "today")
    heading = f"{goal.race or 'Goal race'} on {day_label(goal.day)} {goal.day.year}"
    if days_left >= 0:
        heading += f" ({when})"
    console.print(heading)
    console.print(f"Fitness: {fitness_line(fitness, units)}")
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
            f"Week of {day_label(monday)}: {week.phase.value}"
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
            label = day_label(day.day) + (" ←" if day.day == today else "")
            if not day.workouts:
                table.add_row(label, "rest", "", "", "", "", style="dim")
                continue
            for i, workout in enumerate(day.workouts):
                mark = STATUS_MARKS.get(update.statuses.get(workout.key, ""), "")
                table.add_row(
                    label if i == 0 else "",
                    session_label(workout),
                    format_distance(workout.distance_m, units) if workout.distance_m else "",
                    format_duration(workout.duration_s) if workout.duration_s else "",
                    session_pace(workout, units),
                    mark,
                    style="dim" if day.day < today else None,
                )
        console.print()
        console.print(table)
