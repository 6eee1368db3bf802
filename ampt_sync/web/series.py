"""The charts' series, from the store: the plan in force, the runs, and the fitness of each plan
version.

:func:`build_charts` is the imperative shell (it reads the store); the ``*_series`` functions are
pure and reuse the training core's own measures: weekly distance and plausible runs from
:mod:`ampt_sync.training.load` (:class:`~ampt_sync.training.load.RunLog`,
:func:`~ampt_sync.training.load.counts_as_run`), the load from
:func:`~ampt_sync.training.load.ewma_loads` (the same EWMA the adaptation's ratio uses), and the
predicted race time from :func:`~ampt_sync.training.fitness.race_time` over the VDOT each plan
version was made with. Nothing here estimates fitness or load another way.

Distances are metres and times seconds in the series; the charts label them in the runner's
units (``settings.athlete.units``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ampt_sync.config import Settings
from ampt_sync.domain import Activity, Plan, WorkoutKind
from ampt_sync.training.fitness import race_time
from ampt_sync.training.load import (
    CHRONIC_SPAN_DAYS,
    RunLog,
    counts_as_run,
    ewma_loads,
    week_start,
)
from ampt_sync.units import Units
from ampt_sync.web.charts import (
    Chart,
    FitnessPoint,
    LoadPoint,
    WeekBars,
    fitness_chart,
    load_chart,
    long_run_chart,
    weekly_distance_chart,
)

_WEEK = timedelta(days=7)
#: The load's EWMA looks back this far (``ewma_loads`` reads 4 × 28 days), so the runs loaded
#: start this long before the plan's first week.
LOAD_LOOKBACK = timedelta(days=4 * CHRONIC_SPAN_DAYS)


def _mondays(plan: Plan) -> list[date]:
    return [week_start(week.days[0].day if week.days else week.start) for week in plan.weeks]


def weekly_distance_series(
    plan: Plan, activities: Iterable[Activity], today: date
) -> list[WeekBars]:
    """Per plan week: the running planned (every run of the week, the race included, as the
    ``plan`` command totals it) and the running done (weeks that have started only)."""
    log = RunLog(activities)
    bars = []
    for monday, week in zip(_mondays(plan), plan.weeks, strict=True):
        planned_m = sum(w.distance_m for d in week.days for w in d.workouts if w.is_run)
        done_m = log.week_distance_m(monday) if monday <= today else None
        bars.append(WeekBars(monday, planned_m, done_m))
    return bars


def long_run_series(plan: Plan, activities: Iterable[Activity], today: date) -> list[WeekBars]:
    """Per plan week: the planned long run (0 when the week has none) and the longest plausible
    run done that week (weeks that have started only)."""
    longest_m: dict[date, float] = {}
    for activity in activities:
        if counts_as_run(activity):
            monday = week_start(activity.day)
            longest_m[monday] = max(longest_m.get(monday, 0.0), activity.distance_m)
    bars = []
    for monday, week in zip(_mondays(plan), plan.weeks, strict=True):
        planned_m = max(
            (w.distance_m for d in week.days for w in d.workouts if w.kind is WorkoutKind.LONG),
            default=0.0,
        )
        done_m = longest_m.get(monday, 0.0) if monday <= today else None
        bars.append(WeekBars(monday, planned_m, done_m))
    return bars


def fitness_series(
    versions: Sequence[tuple[date, float]], goal_distance_m: float
) -> list[FitnessPoint]:
    """One point per week from ``(day, vdot)`` of each plan version, oldest first: the last
    version of each week (so a year of daily versions is about 52 points), and always the
    newest one. The predicted time is the training core's :func:`race_time`."""
    by_week: dict[date, tuple[date, float]] = {}
    for day, vdot in versions:
        by_week[week_start(day)] = (day, vdot)  # later versions of a week replace earlier ones
    return [
        FitnessPoint(day, vdot, race_time(vdot, goal_distance_m))
        for day, vdot in sorted(by_week.values())
    ]


def load_series(activities: Iterable[Activity], first: date, today: date) -> list[LoadPoint]:
    """Acute and chronic load (per week) each Sunday from ``first``'s week to ``today``, and on
    ``today``; days without 28 days of running history are left out."""
    log = RunLog(activities)
    days = []
    day = week_start(first) + timedelta(days=6)
    while day < today:
        days.append(day)
        day += _WEEK
    days.append(today)
    points = []
    for day in days:
        loads = ewma_loads(log, day)
        if loads is not None:
            acute, chronic = loads
            points.append(LoadPoint(day, acute * 7, chronic * 7))
    return points


def _plan_vdots(session: Session) -> list[tuple[date, float]]:
    """(generated_on, VDOT) of every stored plan version, oldest first, read from the JSON
    column without loading whole plans."""
    from ampt_sync.store.models import PlanRow

    vdot = PlanRow.plan_json[("athlete", "vdot")].as_float()
    rows = session.execute(select(PlanRow.generated_on, vdot).order_by(PlanRow.version)).all()
    return [(day, float(value)) for day, value in rows if value is not None]


def build_charts(session: Session, settings: Settings, today: date) -> list[Chart]:
    """The page's four charts from the store: weekly distance planned vs done, long runs, fitness
    (VDOT and predicted goal time) and training load. With no plan yet, each chart says so."""
    from ampt_sync.store.activities import load_activities
    from ampt_sync.store.plans import load_plan

    units: Units = "mi" if settings.athlete.units == "mi" else "km"
    plan = load_plan(session)
    if plan is None or not plan.weeks:
        goal = settings.goal_domain()
        return [
            weekly_distance_chart([], units, today),
            long_run_chart([], units, today),
            fitness_chart([], race=goal.race, goal_s=goal.target_s),
            load_chart([], units),
        ]
    first = _mondays(plan)[0]
    activities = [
        a for a in load_activities(session, since=first - LOAD_LOOKBACK) if a.day <= today
    ]
    goal = plan.goal
    return [
        weekly_distance_chart(weekly_distance_series(plan, activities, today), units, today),
        long_run_chart(long_run_series(plan, activities, today), units, today),
        fitness_chart(
            fitness_series(_plan_vdots(session), goal.distance_m),
            race=goal.race or "goal race",
            goal_s=goal.target_s,
        ),
        load_chart(load_series(activities, first, today), units),
    ]
