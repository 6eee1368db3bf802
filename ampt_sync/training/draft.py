"""A plan being edited by the adaptation: mutable days and weeks, turned back into a
:class:`~ampt_sync.domain.Plan` at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from ampt_sync.domain import Phase, Plan, PlannedDay, PlanWeek, Workout, WorkoutKind
from ampt_sync.training.load import week_start

K = WorkoutKind


@dataclass
class WeekRecord:
    start: date
    phase: Phase
    cutback: bool
    planned_distance_m: float

    @property
    def monday(self) -> date:
        return week_start(self.start)


class Draft:
    """The plan as mutable days and weeks; turned back into a :class:`Plan` at the end."""

    def __init__(self, plan: Plan) -> None:
        self.weeks = [
            WeekRecord(w.start, w.phase, w.cutback, w.planned_distance_m) for w in plan.weeks
        ]
        self.order = [d.day for d in plan.days()]
        self.days = {d.day: list(d.workouts) for d in plan.days()}

    def week_of(self, day: date) -> WeekRecord | None:
        monday = week_start(day)
        return next((w for w in self.weeks if w.monday == monday), None)

    def run_on(self, day: date) -> Workout | None:
        return next((w for w in self.days.get(day, ()) if w.is_run), None)

    def has_strength(self, day: date) -> bool:
        return any(w.kind is K.STRENGTH for w in self.days.get(day, ()))

    def replace(self, day: date, old: Workout, new: Workout) -> None:
        workouts = self.days[day]
        workouts[workouts.index(old)] = new

    def remove(self, day: date, workout: Workout) -> None:
        self.days[day].remove(workout)

    def put(self, day: date, workout: Workout) -> None:
        self.days[day].insert(0, workout)

    def runs_between(self, first: date, end: date) -> list[tuple[date, Workout]]:
        found = []
        day = max(first, self.order[0]) if self.order else end
        while day < end:
            found.extend((day, w) for w in self.days.get(day, ()) if w.is_run)
            day += timedelta(days=1)
        return found

    def to_plan(self, base: Plan) -> Plan:
        by_week: dict[date, list[date]] = {}
        for d in self.order:
            by_week.setdefault(week_start(d), []).append(d)
        weeks = []
        for record in self.weeks:
            days = tuple(PlannedDay(d, tuple(self.days[d])) for d in by_week.get(record.monday, ()))
            weeks.append(
                PlanWeek(
                    record.start, record.phase, record.cutback, record.planned_distance_m, days
                )
            )
        return replace(base, weeks=tuple(weeks))
