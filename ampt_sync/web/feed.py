"""The plan as an RFC 5545 calendar feed (``/calendar.ics``), built with ``icalendar``.

One all-day event per workout of the plan in force, from :data:`RECENT_DAYS` days ago on:

* ``UID`` is ``<workout key>@ampt-sync``: the key (:mod:`ampt_sync.training.keys`) stays the same
  while the workout is the same session, also when the adaptation moves or resizes it, so a
  calendar app updates the event in place instead of adding a second one;
* ``SEQUENCE`` is the plan version that last changed the workout (its day or anything that reaches
  the watch: ``planned_workouts.plan_version``), so it grows exactly when the content changes;
* ``TRANSP:TRANSPARENT``: a training session does not make the runner "busy" all day (the
  complaint about TrainingPeaks' feed);
* the description holds the steps and notes in the words the CLI and the watch use
  (:func:`workout_text`, with :func:`ampt_sync.plan_text.step_text`, the page's words).

Nothing personal goes in: no name, no runs, no heart-rate data beyond the plan's own targets. The
key that protects the URL belongs to the web app, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ampt_sync.config import Settings
from ampt_sync.domain import Repeat, Step, Workout
from ampt_sync.plan_text import step_text
from ampt_sync.units import Units, format_distance_tenths, format_duration

__all__ = ["calendar_feed", "feed_from_plan", "step_lines", "step_text", "workout_text"]

#: Past days still in the feed, so that this week's sessions stay visible in the calendar.
RECENT_DAYS = 7
#: How often a calendar app should fetch the feed again (a hint: Google ignores it).
REFRESH = timedelta(hours=1)
PRODID = "-//ampt-sync//training plan//EN"
UID_DOMAIN = "ampt-sync"


def step_lines(steps: Sequence[Step | Repeat], units: Units, indent: str = "") -> list[str]:
    """The steps, one a line; a repeat is ``"3 ×"`` followed by its steps indented."""
    lines = []
    for step in steps:
        if isinstance(step, Repeat):
            lines.append(f"{indent}{step.times} ×")
            lines.extend(step_lines(step.steps, units, indent + "  "))
        else:
            lines.append(f"{indent}{step_text(step, units)}")
    return lines


def workout_text(workout: Workout, units: Units) -> str:
    """The workout in full for a calendar event: its size, its steps, then its notes."""
    size = []
    if workout.distance_m:
        size.append(format_distance_tenths(workout.distance_m, units))
    if workout.duration_s:
        size.append(f"about {format_duration(workout.duration_s)}")
    parts = []
    if size:
        parts.append(", ".join(size))
    if workout.steps:
        parts.append("\n".join(step_lines(workout.steps, units)))
    if workout.notes:
        parts.append(workout.notes)
    return "\n\n".join(parts)


def feed_from_plan(
    workouts: Sequence[tuple[date, Workout, int]],
    *,
    calendar_name: str,
    units: Units,
    now: datetime,
    base_url: str | None,
) -> bytes:
    """The calendar for ``(day, workout, sequence)`` triples. Pure: the same input, the same
    bytes. ``now`` (aware) is the DTSTAMP of every event."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    # Imported here: icalendar costs 7 MB and 140 ms to import (measured), which a daemon whose
    # runner never subscribes to the feed should not pay.
    from icalendar import Calendar, Event, vDuration, vText

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # vText escapes it as TEXT (an X- property is otherwise written raw: a newline would break it)
    calendar.add("x-wr-calname", vText(calendar_name))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # An X- property is text to icalendar: give it the RFC 5545 duration form ("PT1H").
    calendar.add("x-published-ttl", vDuration(REFRESH).to_ical().decode())
    for day, workout, sequence in workouts:
        event = Event()
        event.add("uid", f"{workout.key}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("sequence", sequence)
        event.add("summary", workout.title)
        event.add("description", workout_text(workout, units))
        event.add("transp", "TRANSPARENT")
        event.add("categories", [workout.kind.value])
        if base_url:
            event.add("url", f"{base_url.rstrip('/')}/day/{day.isoformat()}")
        calendar.add_component(event)
    return calendar.to_ical()


def calendar_feed(
    session: Session, settings: Settings, *, base_url: str | None, now: datetime
) -> bytes:
    """The feed of the plan in force: every workout from :data:`RECENT_DAYS` days before today
    (in the athlete's zone) on. An empty calendar before the first plan."""
    from ampt_sync.store.models import PlannedWorkoutRow
    from ampt_sync.store.plans import load_plan

    units: Units = "mi" if settings.athlete.units == "mi" else "km"
    today = now.astimezone(settings.zone()).date()
    plan = load_plan(session)
    goal = plan.goal if plan is not None else settings.goal_domain()
    name = f"{goal.race or 'Goal race'}: training plan"
    if plan is None:
        return feed_from_plan([], calendar_name=name, units=units, now=now, base_url=base_url)
    first = today - timedelta(days=RECENT_DAYS)
    sequences = dict(
        session.execute(
            select(PlannedWorkoutRow.key, PlannedWorkoutRow.plan_version).where(
                PlannedWorkoutRow.day >= first
            )
        ).all()
    )
    workouts = [
        (day, workout, sequences.get(workout.key, 0))
        for day, workout in plan.workouts_between(first, date.max)
    ]
    return feed_from_plan(workouts, calendar_name=name, units=units, now=now, base_url=base_url)
