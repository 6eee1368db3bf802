"""Shared test data for the Garmin tests: library workouts, plans, and the end-state checks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from ampt_sync.domain import (
    Confidence,
    Fitness,
    Goal,
    Paces,
    Phase,
    Plan,
    PlannedDay,
    PlanWeek,
    Workout,
)
from ampt_sync.garmin.encode import encode, parse_marker
from ampt_sync.garmin.reconcile import Desired
from ampt_sync.sim.garmin import GarminSim
from ampt_sync.training import library

#: The client timeout of the fast test sessions (see conftest's ``FAST``).
FAST_TIMEOUT_S = 0.25

PACES = Paces(easy=(329, 370), marathon=304, threshold=283, interval=260, repetition=240)
GOAL = Goal(distance_m=21097.5, day=date(2027, 4, 18), race="AMPT Half", target_s=6300)
WEEKLY_M = 40_000.0


def library_workouts() -> dict[str, Workout]:
    """One workout of every kind the library makes, by a stable name (the golden file's)."""
    return {
        "easy": library.easy_run("w-easy", PACES, distance_m=8000),
        "recovery": library.recovery_run("w-recovery", PACES, duration_s=1800),
        "long": library.long_run("w-long", PACES, distance_m=21000, weight_kg=61),
        "long_marathon_finish": library.long_run(
            "w-long-mp", PACES, distance_m=26000, weight_kg=61, marathon_finish_m=6000
        ),
        "tempo": library.tempo("w-tempo", PACES, weekly_distance_m=WEEKLY_M),
        "tempo_cruise": library.tempo("w-cruise", PACES, weekly_distance_m=WEEKLY_M, cruise=True),
        "intervals": library.intervals("w-intervals", PACES, weekly_distance_m=WEEKLY_M),
        "fartlek": library.fartlek("w-fartlek", PACES, weekly_distance_m=WEEKLY_M),
        "strides": library.strides("w-strides", PACES, distance_m=6000),
        "hills_outdoor": library.hills("w-hills", PACES, reps=4, hr_max_bpm=188),
        "hills_treadmill": library.hills("w-hills-tm", PACES, reps=5, setting="treadmill"),
        "hills_garage": library.hills("w-hills-garage", PACES, reps=3, setting="garage"),
        "strength": library.strength_circuit("w-strength"),
        "strength_light": library.strength_circuit("w-strength-light", rounds=2, light=True),
        "race": library.race("w-race", GOAL, 6400),
        "time_trial": library.time_trial("w-tt", PACES),
    }


def easy(key: str, km: float) -> Workout:
    return library.easy_run(key, PACES, distance_m=km * 1000)


def plan_of(days: Iterable[tuple[date, Workout]]) -> Plan:
    """A plan holding exactly these (day, workout) pairs, in one week per Monday."""
    by_day: dict[date, list[Workout]] = {}
    for day, workout in days:
        by_day.setdefault(day, []).append(workout)
    weeks: dict[date, list[PlannedDay]] = {}
    for day in sorted(by_day):
        monday = day - timedelta(days=day.weekday())
        weeks.setdefault(monday, []).append(PlannedDay(day, tuple(by_day[day])))
    first = min(by_day) if by_day else date(2026, 11, 23)
    return Plan(
        generated_on=first,
        fitness=Fitness(
            vdot=44.0,
            paces=PACES,
            source="test",
            confidence=Confidence.HIGH,
            as_of=first,
        ),
        goal=GOAL,
        weeks=tuple(
            PlanWeek(start=monday, phase=Phase.BASE, cutback=False, planned_distance_m=0, days=d)
            for monday, d in sorted(weeks.items())
        ),
    )


def desired(days: Iterable[tuple[date, Workout]]) -> list[Desired]:
    return [Desired(key=w.key, day=d, encoded=encode(w)) for d, w in days]


def window(days: Iterable[tuple[date, Workout]], first: date, end: date) -> list[Desired]:
    return desired((d, w) for d, w in days if first <= d < end)


def check_garmin_matches(
    sim: GarminSim, want: Sequence[Desired], first: date, end: date, *, own: int = 0
) -> list[str]:
    """Problems with Garmin's window against the plan: ours must be exactly ``want`` (right day,
    right content, once each), no workout of ours may exist outside it (no orphan), and the
    runner's ``own`` calendar entries must still be there."""
    problems: list[str] = []
    ours = []
    theirs = 0
    for day, workout_id, _name, description in sim.calendar(first, end):
        mark = parse_marker(description)
        if mark is None:
            theirs += 1
        else:
            ours.append((mark[0], day, mark[1], workout_id))
    expected = sorted((d.key, d.day, d.encoded.version) for d in want)
    found = sorted((key, day, version) for key, day, version, _ in ours)
    if found != expected:
        problems.append(f"calendar holds {found}, the plan says {expected}")
    counts = Counter(key for key, *_ in ours)
    problems += [f"{key} is on the calendar {n} times" for key, n in counts.items() if n > 1]
    marked = [(wid, parse_marker(w.get("description"))) for wid, w in sim.workouts.items()]
    mine = Counter(m[0] for _, m in marked if m is not None)
    wanted_keys = {d.key for d in want}
    problems += [f"workout {key} exists {n} times" for key, n in mine.items() if n > 1]
    problems += [f"orphan workout {key}" for key in mine if key not in wanted_keys]
    scheduled_ids = {workout_id for _, workout_id, _ in sim.schedules()}
    for workout_id, mark in marked:
        if mark is not None and mark[0] in wanted_keys and workout_id not in scheduled_ids:
            problems.append(f"workout {mark[0]} ({workout_id}) is not on the calendar")
    if theirs != own:
        problems.append(f"the runner's own entries: {theirs}, expected {own}")
    return problems
