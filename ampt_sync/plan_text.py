"""The plan in a runner's words: day labels, session labels and paces, and a workout's steps.

Pure, standard library and domain only. The CLI's ``plan`` table and the runner's page
(:mod:`ampt_sync.web`) both use these, so that the two say the same thing in the same words.
Quantities arrive SI (``distance_m``, ``duration_s``, ``pace_s_per_km``) and leave as text in
the runner's ``units`` ("km" | "mi").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ampt_sync.domain import End, Fitness, Repeat, Step, StepRole, Target, Workout, WorkoutKind
from ampt_sync.training.wording import dated_name
from ampt_sync.units import (
    Units,
    format_distance,
    format_distance_tenths,
    format_duration,
    format_pace,
    format_pace_range,
)

#: A planned workout's status (``planned_workouts.status``) as one mark.
STATUS_MARKS = {"done": "✓", "partial": "½", "missed": "✗"}
#: The same status in words, for screen readers and the page.
STATUS_WORDS = {"done": "done", "partial": "partly done", "missed": "missed"}


#: ``"Thu 12 Mar"``: the same words as the plan's changes use.
day_label = dated_name


def day_label_with_year(day: date) -> str:
    """``"Sun 25 Apr 2027"``: for dates that may be in another year (a goal race, a first run)."""
    return f"{day_label(day)} {day.year}"


def moment_label(moment: datetime) -> str:
    """``"Fri 4 Dec 19:23"``: an aware moment, to the minute, in the zone it carries (convert it
    to the athlete's zone first)."""
    return f"{day_label(moment.date())} {moment:%H:%M}"


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
# A workout's steps, as the watch shows them (the page and the calendar feed both say them so)

ROLE_WORDS = {
    StepRole.WARMUP: "Warm-up",
    StepRole.WORK: "Run",
    StepRole.RECOVERY: "Recover",
    StepRole.REST: "Rest",
    StepRole.COOLDOWN: "Cool-down",
    StepRole.OTHER: "Then",
}


def end_text(end: End, units: Units) -> str:
    """How a step ends: ``"1.6 km"``, ``"400 m"``, ``"20 s"``, ``"2 min"``, ``"1:05:00"``,
    ``"10 reps"``, ``"until you press lap"``. Track distances under 1 km stay in metres in either
    unit."""
    if end.distance_m is not None:
        if end.distance_m < 1000 and abs(end.distance_m - round(end.distance_m, -1)) < 1:
            return f"{end.distance_m:.0f} m"
        return format_distance_tenths(end.distance_m, units)
    if end.duration_s is not None:
        if end.duration_s < 60:
            return f"{end.duration_s:.0f} s"
        if end.duration_s < 3600 and end.duration_s % 60 == 0:
            return f"{end.duration_s / 60:.0f} min"
        return format_duration(end.duration_s)
    if end.reps is not None:
        return f"{end.reps} reps"
    return "until you press lap"


def target_text(target: Target | None, units: Units) -> str:
    """``"at 4:53–5:30/km"``, ``"in heart-rate zone 2"``, ``"at 140–150 bpm"`` or ``""``."""
    if target is None:
        return ""
    if target.pace_s_per_km is not None:
        fast, slow = target.pace_s_per_km
        if abs(fast - slow) < 0.5:
            return f"at {format_pace(fast, units)}"
        return f"at {format_pace_range(fast, slow, units)}"
    if target.hr_zone is not None:
        return f"in heart-rate zone {target.hr_zone}"
    if target.hr_bpm is not None:
        return f"at {target.hr_bpm[0]}–{target.hr_bpm[1]} bpm"
    return ""


def _what(step: Step, units: Units) -> str:
    if step.exercise is not None:
        load = f", {step.exercise.load}" if step.exercise.load else ""
        return f"{step.exercise.name} {end_text(step.end, units)}{load}"
    return f"{ROLE_WORDS[step.role]} {end_text(step.end, units)}"


def _note(step: Step, said: str) -> str:
    # A note that only repeats the step ("rest 2 min" on a 2-minute rest) adds nothing.
    note = step.note.strip()
    return "" if not note or note.lower() in said.lower() else note


def step_text(step: Step, units: Units) -> str:
    """One step as a line: ``"Warm-up 2 km at 4:53–5:30/km (easy)"``, ``"Dumbbell squat 10
    reps, medium (dumbbells at your sides)"``, ``"Run 2 min (uphill, hard but controlled)"``."""
    text = _what(step, units)
    if step.exercise is None and step.target is not None:
        text += f" {target_text(step.target, units)}"
    note = _note(step, text)
    return f"{text} ({note})" if note else text


@dataclass(frozen=True)
class StepLine:
    """One step in words, split for layout, or a repeat (``times`` > 0) holding its
    ``children``. ``text`` + ``target`` + ``(note)`` read as :func:`step_text` does."""

    text: str
    target: str = ""
    note: str = ""
    times: int = 0
    children: tuple[StepLine, ...] = ()


def step_tree(steps: tuple[Step | Repeat, ...], units: Units) -> tuple[StepLine, ...]:
    """Every step of a workout in order, repeats nested, in the runner's units."""
    lines: list[StepLine] = []
    for s in steps:
        if isinstance(s, Repeat):
            lines.append(
                StepLine(text=f"{s.times} ×", times=s.times, children=step_tree(s.steps, units))
            )
            continue
        text = _what(s, units)
        target = target_text(s.target, units) if s.exercise is None else ""
        lines.append(StepLine(text=text, target=target, note=_note(s, f"{text} {target}")))
    return tuple(lines)


def workout_summary(workout: Workout, units: Units) -> str:
    """The line under a workout's title on the page: ``"Easy run · 4.7 mi · about 41:00 ·
    8:19–9:22/mi"`` (what it is, its distance, its duration, its pace; the parts it has)."""
    parts = [session_label(workout)]
    if workout.distance_m:
        parts.append(format_distance(workout.distance_m, units))
    if workout.duration_s:
        parts.append(f"about {format_duration(workout.duration_s)}")
    pace = session_pace(workout, units)
    if pace:
        parts.append(pace)
    return " · ".join(parts)


def workout_lines(workout: Workout, units: Units, indent: str = "  ") -> list[str]:
    """A workout in full as plain text lines, in the page's words and order: the title, the
    summary (left out when it only repeats the title), every step (repeats nested under
    ``"N ×"``), then the notes. For terminals (the demo); the page lays the same words out in
    HTML."""
    lines = [workout.title]
    summary = workout_summary(workout, units)
    if summary != workout.title:
        lines.append(indent + summary)

    def steps(tree: tuple[StepLine, ...], depth: int) -> None:
        for line in tree:
            if line.times:
                lines.append(f"{indent * depth}- {line.text}")
                steps(line.children, depth + 1)
                continue
            text = " ".join(part for part in (line.text, line.target) if part)
            lines.append(f"{indent * depth}- {text}" + (f" ({line.note})" if line.note else ""))

    steps(step_tree(workout.steps, units), 1)
    lines += [indent + note.strip() for note in workout.notes.splitlines() if note.strip()]
    return lines
