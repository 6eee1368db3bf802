"""The plan in a runner's words: day labels, session labels and paces, and a workout's steps.

Pure, standard library and domain only. The CLI's ``plan`` table and the runner's page
(:mod:`ampt_sync.web`) both use these, so that the two say the same thing in the same words.
Quantities arrive SI (``distance_m``, ``duration_s``, ``pace_s_per_km``) and leave as text in
the runner's ``units`` ("km" | "mi").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ampt_sync.domain import End, Fitness, Repeat, Step, StepRole, Target, Workout, WorkoutKind
from ampt_sync.units import Units, format_distance, format_duration, format_pace

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: A planned workout's status (``planned_workouts.status``) as one mark.
STATUS_MARKS = {"done": "✓", "partial": "½", "missed": "✗"}
#: The same status in words, for screen readers and the page.
STATUS_WORDS = {"done": "done", "partial": "partly done", "missed": "missed"}

ROLE_WORDS = {
    StepRole.WARMUP: "Warm up",
    StepRole.WORK: "Run",
    StepRole.RECOVERY: "Recover",
    StepRole.REST: "Rest",
    StepRole.COOLDOWN: "Cool down",
    StepRole.OTHER: "Then",
}


def day_label(day: date) -> str:
    """``"Thu 12 Mar"``."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def flat_steps(steps: tuple[Step | Repeat | object, ...]) -> list[Step]:
    """Every single step, repeats opened (each repeated step once)."""
    found: list[Step] = []
    for s in steps:
        if isinstance(s, Repeat):
            found.extend(flat_steps(s.steps))
        elif isinstance(s, Step):
            found.append(s)
    return found


def session_label(workout: Workout) -> str:
    """What the session is, in words without units (the distance is shown beside it)."""
    kind = workout.kind
    if kind is WorkoutKind.EASY:
        return "Easy run"
    if kind is WorkoutKind.RECOVERY:
        return "Recovery run"
    if kind is WorkoutKind.STRIDES:
        reps = next((s.times for s in workout.steps if isinstance(s, Repeat)), 0)
        return f"Easy run + {reps} strides"
    if kind is WorkoutKind.LONG:
        finish = any(s.note == "marathon pace" for s in flat_steps(workout.steps))
        return "Long run, marathon-pace finish" if finish else "Long run"
    return workout.title


def session_pace(workout: Workout, units: Units) -> str:
    """The pace (or effort) of the session's main work; ``""`` for strength and rest."""
    if not workout.is_run:
        return ""
    work = [s for s in flat_steps(workout.steps) if s.role is StepRole.WORK]
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
    first = next(
        (s for s in flat_steps(workout.steps) if s.target and s.target.pace_s_per_km), None
    )
    if first is not None and first.target is not None and first.target.pace_s_per_km:
        fast, slow = first.target.pace_s_per_km
        return f"{format_pace(fast, units).split('/')[0]}–{format_pace(slow, units)}"
    return ""


def fitness_line(fitness: Fitness, units: Units) -> str:
    """``"VDOT 45.2 (race 2026-10-04 10K); easy 8:19–9:22/mi, threshold 7:01/mi"``."""
    return (
        f"VDOT {fitness.vdot:.1f} ({fitness.source.split(';')[0]}); easy "
        f"{format_pace(fitness.paces.easy[0], units).split('/')[0]}–"
        f"{format_pace(fitness.paces.easy[1], units)}, threshold "
        f"{format_pace(fitness.paces.threshold, units)}"
    )


# ------------------------------------------------------------------------------------------------
# A workout's steps, as the watch shows them


@dataclass(frozen=True)
class StepLine:
    """One step in words, or a repeat (``times`` > 0) holding its ``children``.

    ``text`` is what to do and for how long ("Run 1.0 mi", "Rest 2:00", "Dumbbell squat 10
    reps"); ``target`` the pace or heart rate to hold, ``""`` when there is none; ``note`` the
    step's own note as sent to the watch.
    """

    text: str
    target: str = ""
    note: str = ""
    times: int = 0
    children: tuple[StepLine, ...] = ()


def end_text(end: End, units: Units) -> str:
    """How a step ends: ``"1.0 mi"``, ``"400 m"``, ``"20 s"``, ``"41:00"``, ``"10 reps"``,
    ``"until you press lap"``. Distances under 1 km are in metres in either unit, as track
    repeats are."""
    if end.distance_m is not None:
        if end.distance_m < 1000:
            return f"{end.distance_m:.0f} m"
        return format_distance(end.distance_m, units)
    if end.duration_s is not None:
        if end.duration_s < 60:
            return f"{end.duration_s:.0f} s"
        return format_duration(end.duration_s)
    if end.reps is not None:
        return f"{end.reps} reps"
    return "until you press lap"


def target_text(target: Target | None, units: Units) -> str:
    """``"8:19–9:22/mi"``, ``"heart-rate zone 2"``, ``"140–150 bpm"`` or ``""``."""
    if target is None:
        return ""
    if target.pace_s_per_km is not None:
        fast, slow = target.pace_s_per_km
        return f"{format_pace(fast, units).split('/')[0]}–{format_pace(slow, units)}"
    if target.hr_zone is not None:
        return f"heart-rate zone {target.hr_zone}"
    if target.hr_bpm is not None:
        return f"{target.hr_bpm[0]}–{target.hr_bpm[1]} bpm"
    return ""


def step_lines(steps: tuple[Step | Repeat, ...], units: Units) -> tuple[StepLine, ...]:
    """Every step of a workout in order, repeats nested, in the runner's units."""
    lines: list[StepLine] = []
    for s in steps:
        if isinstance(s, Repeat):
            lines.append(
                StepLine(text=f"{s.times} ×", times=s.times, children=step_lines(s.steps, units))
            )
            continue
        what = s.exercise.name if s.exercise is not None else ROLE_WORDS[s.role]
        load = f" ({s.exercise.load})" if s.exercise is not None and s.exercise.load else ""
        lines.append(
            StepLine(
                text=f"{what} {end_text(s.end, units)}{load}",
                target=target_text(s.target, units),
                note=s.note,
            )
        )
    return tuple(lines)
