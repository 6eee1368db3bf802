"""What each page shows, as plain data: the plan as weeks of days, a day in full, the next days
with their place on the road to the watch (Garmin or intervals.icu), the last cycle in words.

Pure: plans, activities, statuses and ledger rows in; frozen view objects out, with every
quantity already text in the runner's units (the templates only lay them out). The words are the
CLI's (:mod:`ampt_sync.plan_text`, :mod:`ampt_sync.units`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ampt_sync.domain import WEEKDAYS, Activity, Plan, PlanWeek, Workout, WorkoutKind
from ampt_sync.plan_text import (
    STATUS_MARKS,
    STATUS_WORDS,
    StepLine,
    day_label,
    session_label,
    session_pace,
    step_tree,
)
from ampt_sync.service_names import ROAD_NAMES, calls_in_words
from ampt_sync.units import Units, format_distance, format_duration, format_pace

if TYPE_CHECKING:
    from ampt_sync.config import Settings


@dataclass(frozen=True)
class SessionView:
    """One planned workout. ``status`` is done | partial | missed | "" (not yet / unknown)."""

    key: str
    kind: str
    label: str
    title: str
    distance: str
    duration: str
    pace: str
    status: str
    mark: str
    status_words: str
    notes: tuple[str, ...] = ()
    steps: tuple[StepLine, ...] = ()


@dataclass(frozen=True)
class RunView:
    """One recorded activity."""

    name: str
    sport: str
    distance: str
    moving_time: str
    pace: str
    heart_rate: str


@dataclass(frozen=True)
class DayView:
    day: date
    label: str
    is_today: bool
    is_past: bool
    sessions: tuple[SessionView, ...]
    runs: tuple[RunView, ...]

    @property
    def href(self) -> str:
        return f"/day/{self.day.isoformat()}"


@dataclass(frozen=True)
class WeekView:
    monday: date
    title: str
    phase: str
    cutback: bool
    planned: str
    done: str
    is_current: bool
    days: tuple[DayView, ...]
    planned_m: float
    done_m: float


def _units(units: str) -> Units:
    return "mi" if units == "mi" else "km"


def session_view(workout: Workout, status: str, units: Units, *, full: bool = False) -> SessionView:
    status = status if status in STATUS_MARKS else ""
    return SessionView(
        key=workout.key,
        kind=workout.kind.value,
        label=session_label(workout),
        title=workout.title,
        distance=format_distance(workout.distance_m, units) if workout.distance_m else "",
        duration=format_duration(workout.duration_s) if workout.duration_s else "",
        pace=session_pace(workout, units),
        status=status,
        mark=STATUS_MARKS.get(status, ""),
        status_words=STATUS_WORDS.get(status, ""),
        notes=tuple(line for line in workout.notes.splitlines() if line.strip()) if full else (),
        steps=step_tree(workout.steps, units) if full else (),
    )


def sport_words(sport: str) -> str:
    """Strava's sport type as words: ``"WeightTraining"`` → ``"weight training"``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", sport).lower()


def run_view(activity: Activity, units: Units) -> RunView:
    pace = ""
    if activity.is_run and activity.distance_m > 0 and activity.moving_time_s > 0:
        pace = format_pace(activity.moving_time_s / activity.distance_m * 1000, units)
    return RunView(
        name=activity.name,
        sport=sport_words(activity.sport),
        distance=format_distance(activity.distance_m, units) if activity.distance_m else "",
        moving_time=format_duration(activity.moving_time_s) if activity.moving_time_s else "",
        pace=pace,
        heart_rate=f"{activity.average_hr_bpm:.0f} bpm" if activity.average_hr_bpm else "",
    )


def activities_by_day(activities: Iterable[Activity]) -> dict[date, list[Activity]]:
    by_day: dict[date, list[Activity]] = {}
    for activity in activities:
        by_day.setdefault(activity.day, []).append(activity)
    return by_day


def week_planned_m(week: PlanWeek) -> float:
    """The running planned in the week: the sum of its runs, as the CLI's week title shows."""
    return sum(w.distance_m for d in week.days for w in d.workouts if w.is_run)


def calendar(
    plan: Plan,
    today: date,
    statuses: Mapping[str, str],
    activities: Sequence[Activity],
    units: str,
) -> tuple[WeekView, ...]:
    """The whole plan, one :class:`WeekView` a week, Monday to Sunday. Days before the plan's
    first day (in its first week) are shown empty but for what was run on them."""
    u = _units(units)
    by_day = activities_by_day(activities)
    weeks: list[WeekView] = []
    for week in plan.weeks:
        if not week.days:
            continue
        monday = week.days[0].day - timedelta(days=week.days[0].day.weekday())
        planned = {d.day: d.workouts for d in week.days}
        days = []
        done_m = 0.0
        for offset in range(7):
            day = monday + timedelta(days=offset)
            runs = by_day.get(day, [])
            done_m += sum(a.distance_m for a in runs if a.is_run)
            days.append(
                DayView(
                    day=day,
                    label=day_label(day),
                    is_today=day == today,
                    is_past=day < today,
                    sessions=tuple(
                        session_view(w, statuses.get(w.key, ""), u)
                        for w in planned.get(day, ())
                        if w.kind is not WorkoutKind.REST
                    ),
                    runs=tuple(run_view(a, u) for a in runs),
                )
            )
        planned_m = week_planned_m(week)
        weeks.append(
            WeekView(
                monday=monday,
                title=f"Week of {day_label(monday)}",
                phase=week.phase.value,
                cutback=week.cutback,
                planned=format_distance(planned_m, u),
                done=format_distance(done_m, u) if monday <= today else "",
                is_current=monday <= today < monday + timedelta(days=7),
                days=tuple(days),
                planned_m=planned_m,
                done_m=done_m,
            )
        )
    return tuple(weeks)


def day_in_full(
    plan: Plan | None,
    day: date,
    today: date,
    statuses: Mapping[str, str],
    activities: Sequence[Activity],
    units: str,
) -> DayView:
    """One day: every planned workout with its steps and notes, and what was recorded."""
    u = _units(units)
    next_day = day + timedelta(days=1)
    workouts = [] if plan is None else [w for _d, w in plan.workouts_between(day, next_day)]
    return DayView(
        day=day,
        label=day_label(day),
        is_today=day == today,
        is_past=day < today,
        sessions=tuple(
            session_view(w, statuses.get(w.key, ""), u, full=True)
            for w in workouts
            if w.kind is not WorkoutKind.REST
        ),
        runs=tuple(run_view(a, u) for a in activities if a.day == day),
    )


# ------------------------------------------------------------------------------------------------
# Garmin and the cycle, in words




@dataclass(frozen=True)
class Place:
    """Where a planned workout stands on the delivery road (Garmin or intervals.icu), in words,
    and whether that is as it should be (``ok``)."""

    words: str
    ok: bool


@dataclass(frozen=True)
class Sent:
    """What a road's ledger says of one workout: the day it is on, the hash of what was sent
    (``""`` while not confirmed), and ``pending`` while a write's outcome is unknown."""

    scheduled_day: date | None
    content_hash: str
    pending: str | None = None


def road_place(
    road: str,
    workout: Workout,
    day: date,
    payload_hash: str | None,
    ledger: Mapping[str, Sent],
) -> Place:
    """``payload_hash`` is the workout as the road would be sent it now (``None`` if it cannot
    be); ``ledger`` maps keys to what was sent."""
    name = ROAD_NAMES[road]
    if payload_hash is None:
        return Place(f"cannot be put on {name} (see `ampt-sync push --dry-run`)", False)
    sent = ledger.get(workout.key)
    if sent is None:
        return Place(f"not on {name} yet: the next cycle sends it", False)
    if sent.pending or not sent.content_hash:
        return Place(f"being sent to {name}: the next cycle checks it", False)
    if sent.scheduled_day == day and sent.content_hash == payload_hash:
        return Place(f"on {name} ✓", True)
    return Place(f"on {name}, out of date: the next cycle updates it", False)


#: A cycle's result (``run_reports.result``) as a runner reads it.
RESULT_WORDS = {
    "ok": "all went well",
    "error": "something went wrong",
    "rate_limited": "Strava or Garmin asked for a pause; it tries again by itself",
    "temporary": "Strava or Garmin could not be reached; it tries again by itself",
    "auth": "a service needs you to sign in again",
    "interrupted": "stopped before it finished; the next cycle picks up",
    "paused": "paused: nothing was sent",
    "busy": "another cycle was running; it tries again by itself",
}
RELOGIN_WORDS = "Garmin needs you to sign in again: run `ampt-sync auth garmin` on the server."


@dataclass(frozen=True)
class CycleView:
    kind: str
    when: str
    result: str
    words: str
    ok: bool
    #: the cycle's requests per service, e.g. "Strava 3, Garmin 1 calls"
    calls: str
    errors: tuple[str, ...]
    verified: str


def cycle_view(row: Any, zone: Any) -> CycleView:
    """A ``run_reports`` row in words; times in the runner's zone."""
    report = row.report_json or {}
    moment = row.finished_at or row.started_at
    local = moment.astimezone(zone)
    verified = report.get("verified")
    verified_words = ""
    if isinstance(verified, dict):
        verified_words = (
            "Garmin's calendar checked: it matches the plan"
            if verified.get("ok")
            else "Garmin's calendar checked: it differs from the plan"
        )
    calls = {key: int(count) for key, count in report.get("api_calls", {}).items()}
    return CycleView(
        kind=row.kind,
        when=f"{day_label(local.date())} {local:%H:%M}",
        result=row.result,
        words=RESULT_WORDS.get(row.result, row.result),
        ok=row.result == "ok",
        calls=calls_in_words(calls),
        errors=tuple(str(e) for e in report.get("errors", [])),
        verified=verified_words,
    )


def problems(
    relogin: Mapping[str, Any] | None,
    alerts: Mapping[str, Mapping[str, Any]],
    paused_until: date | None,
) -> tuple[str, ...]:
    """What the runner should know or do, one sentence each, most urgent first."""
    found: list[str] = []
    if relogin:
        found.append(RELOGIN_WORDS)
    for problem, alert in alerts.items():
        if problem == "garmin_relogin" and relogin:
            continue
        found.append(f"{alert.get('title', problem)} (since {str(alert.get('since', ''))[:10]})")
    if paused_until is not None:
        found.append(
            f"Paused until {day_label(paused_until)}: nothing goes to Garmin before then "
            "(`ampt-sync resume` ends it)."
        )
    return tuple(found)


def local_time(moment: datetime | None, zone: Any) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{day_label(local.date())} {local.year} {local:%H:%M}"


@dataclass(frozen=True)
class SettingsForm:
    """The plan page's goal and run-days forms, filled in with the config in force."""

    distance: str
    race_day: str
    race: str
    target_time: str
    run_days: tuple[str, ...]
    long_run_day: str
    weekdays: tuple[str, ...] = WEEKDAYS


def settings_form(settings: Settings) -> SettingsForm:
    goal, schedule = settings.goal, settings.schedule
    return SettingsForm(
        distance=str(goal.distance),
        race_day=goal.date.isoformat(),
        race=goal.race,
        target_time=goal.target_time or "",
        run_days=tuple(schedule.run_days),
        long_run_day=schedule.long_run_day,
    )
