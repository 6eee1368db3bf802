"""The plan's documented JSON shape, both ways, and the content hash of a workout.

This is the stable contract of ``ampt-sync plan --format json`` and of plans kept in the store::

    {"generated_on": "2026-11-22",
     "athlete": {"vdot": 44.0, "vdot_source": "race 2026-10-04 10K", "vdot_confidence": "high",
                 "paces_s_per_km": {"easy": [329, 370], "marathon": 304, "threshold": 283,
                                    "interval": 260, "repetition": 240}, ...},
     "goal": {"race": "AMPT Half", "distance_m": 21097.5, "date": "2027-04-18", "target_s": 6300
              [, "hot": true | false]},
     "weeks": [{"start": "2026-11-23", "phase": "base", "cutback": false,
                "planned_distance_m": 32000,
                "days": [{"date": "2026-11-24", "workouts": [WORKOUT, ...]}]}],
     "changes": [{"date": "2026-11-26", "key": "w-81c2", "reason": "..."}],
     "warnings": ["..."]}

    WORKOUT = {"key", "kind", "title", "distance_m", "duration_s", "notes", "steps": [STEP, ...]}
    STEP    = {"type": "step", "role", "end", "target", "note"[, "exercise"]}
            | {"type": "repeat", "times", "steps": [STEP, ...]}
    end     = {"distance_m": x} | {"duration_s": x} | {"lap_button": true} | {"reps": n}
    target  = {"pace_s_per_km": [fast, slow]} | {"hr_zone": n} | {"hr_bpm": [low, high]} | null

Numbers are written exactly as the plan holds them (Python's ``json`` round-trips floats), so a
plan read back from the store hashes exactly as it did when it was made. No timestamps: the same
plan gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from ampt_sync.domain import (
    Change,
    Confidence,
    End,
    Exercise,
    Fitness,
    Goal,
    Paces,
    Phase,
    Plan,
    PlannedDay,
    PlanWeek,
    Repeat,
    Step,
    StepRole,
    Target,
    Workout,
    WorkoutKind,
)

JsonDict = dict[str, Any]


def _number(value: float) -> float | int:
    """Whole numbers are written without ``.0`` so that the JSON reads naturally."""
    return int(value) if float(value).is_integer() else value


# --------------------------------------------------------------------------------------------
# to JSON


def end_to_dict(end: End) -> JsonDict:
    if end.distance_m is not None:
        return {"distance_m": _number(end.distance_m)}
    if end.duration_s is not None:
        return {"duration_s": _number(end.duration_s)}
    if end.reps is not None:
        return {"reps": end.reps}
    return {"lap_button": True}


def target_to_dict(target: Target | None) -> JsonDict | None:
    if target is None:
        return None
    if target.pace_s_per_km is not None:
        return {"pace_s_per_km": [_number(v) for v in target.pace_s_per_km]}
    if target.hr_zone is not None:
        return {"hr_zone": target.hr_zone}
    if target.hr_bpm is not None:
        return {"hr_bpm": list(target.hr_bpm)}
    raise ValueError(f"empty target {target!r}")


def step_to_dict(step: Step | Repeat) -> JsonDict:
    if isinstance(step, Repeat):
        return {
            "type": "repeat",
            "times": step.times,
            "steps": [step_to_dict(s) for s in step.steps],
        }
    out: JsonDict = {
        "type": "step",
        "role": step.role.value,
        "end": end_to_dict(step.end),
        "target": target_to_dict(step.target),
        "note": step.note,
    }
    if step.exercise is not None:
        exercise: JsonDict = {
            "name": step.exercise.name,
            "garmin_category": step.exercise.garmin_category,
            "garmin_exercise": step.exercise.garmin_exercise,
        }
        if step.exercise.load:
            exercise["load"] = step.exercise.load
        if step.exercise.weight_kg is not None:
            exercise["weight_kg"] = _number(step.exercise.weight_kg)
        out["exercise"] = exercise
    return out


def workout_to_dict(workout: Workout) -> JsonDict:
    return {
        "key": workout.key,
        "kind": workout.kind.value,
        "title": workout.title,
        "distance_m": _number(workout.distance_m),
        "duration_s": _number(workout.duration_s),
        "notes": workout.notes,
        "steps": [step_to_dict(s) for s in workout.steps],
    }


def fitness_to_dict(fitness: Fitness) -> JsonDict:
    paces = fitness.paces
    out: JsonDict = {
        "vdot": fitness.vdot,
        "vdot_source": fitness.source,
        "vdot_confidence": fitness.confidence.value,
        "as_of": fitness.as_of.isoformat(),
        "paces_s_per_km": {
            "easy": [_number(v) for v in paces.easy],
            "marathon": _number(paces.marathon),
            "threshold": _number(paces.threshold),
            "interval": _number(paces.interval),
            "repetition": _number(paces.repetition),
        },
        "needs_time_trial": fitness.needs_time_trial,
    }
    if fitness.critical_speed_mps is not None:
        out["critical_speed_mps"] = fitness.critical_speed_mps
    if fitness.d_prime_m is not None:
        out["d_prime_m"] = fitness.d_prime_m
    return out


def goal_to_dict(goal: Goal) -> JsonDict:
    out: JsonDict = {
        "race": goal.race,
        "distance_m": _number(goal.distance_m),
        "date": goal.day.isoformat(),
        "target_s": None if goal.target_s is None else _number(goal.target_s),
    }
    # Written only when the runner said: plans made before the key existed keep their bytes.
    if goal.hot is not None:
        out["hot"] = goal.hot
    return out


def change_to_dict(change: Change) -> JsonDict:
    return {"date": change.day.isoformat(), "key": change.key, "reason": change.reason}


def plan_to_dict(plan: Plan) -> JsonDict:
    return {
        "generated_on": plan.generated_on.isoformat(),
        "athlete": fitness_to_dict(plan.fitness),
        "goal": goal_to_dict(plan.goal),
        "weeks": [
            {
                "start": week.start.isoformat(),
                "phase": week.phase.value,
                "cutback": week.cutback,
                "planned_distance_m": _number(week.planned_distance_m),
                "days": [
                    {
                        "date": day.day.isoformat(),
                        "workouts": [workout_to_dict(w) for w in day.workouts],
                    }
                    for day in week.days
                ],
            }
            for week in plan.weeks
        ],
        "changes": [change_to_dict(c) for c in plan.changes],
        "warnings": list(plan.warnings),
    }


def dumps(data: JsonDict) -> str:
    """Canonical text: sorted keys, no spaces, UTF-8 kept. Equal data gives equal bytes."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(workout: Workout) -> str:
    """SHA-256 of everything about ``workout`` that reaches the watch (all but its key)."""
    data = workout_to_dict(workout)
    del data["key"]
    return hashlib.sha256(dumps(data).encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# from JSON


def end_from_dict(data: JsonDict) -> End:
    if "distance_m" in data:
        return End(distance_m=float(data["distance_m"]))
    if "duration_s" in data:
        return End(duration_s=float(data["duration_s"]))
    if "reps" in data:
        return End(reps=int(data["reps"]))
    if data.get("lap_button") is True:
        return End(lap_button=True)
    raise ValueError(f"unknown step end {data!r}")


def target_from_dict(data: JsonDict | None) -> Target | None:
    if data is None:
        return None
    if "pace_s_per_km" in data:
        fast, slow = data["pace_s_per_km"]
        return Target(pace_s_per_km=(float(fast), float(slow)))
    if "hr_zone" in data:
        return Target(hr_zone=int(data["hr_zone"]))
    if "hr_bpm" in data:
        low, high = data["hr_bpm"]
        return Target(hr_bpm=(int(low), int(high)))
    raise ValueError(f"unknown step target {data!r}")


def step_from_dict(data: JsonDict) -> Step | Repeat:
    if data["type"] == "repeat":
        return Repeat(
            times=int(data["times"]), steps=tuple(step_from_dict(s) for s in data["steps"])
        )
    exercise = None
    if "exercise" in data:
        ex = data["exercise"]
        exercise = Exercise(
            name=ex["name"],
            garmin_category=ex["garmin_category"],
            garmin_exercise=ex["garmin_exercise"],
            load=ex.get("load", ""),
            weight_kg=None if ex.get("weight_kg") is None else float(ex["weight_kg"]),
        )
    return Step(
        role=StepRole(data["role"]),
        end=end_from_dict(data["end"]),
        target=target_from_dict(data["target"]),
        note=data.get("note", ""),
        exercise=exercise,
    )


def workout_from_dict(data: JsonDict) -> Workout:
    return Workout(
        key=data["key"],
        kind=WorkoutKind(data["kind"]),
        title=data["title"],
        steps=tuple(step_from_dict(s) for s in data["steps"]),
        notes=data.get("notes", ""),
        distance_m=float(data["distance_m"]),
        duration_s=float(data["duration_s"]),
    )


def fitness_from_dict(data: JsonDict) -> Fitness:
    paces = data["paces_s_per_km"]
    return Fitness(
        vdot=float(data["vdot"]),
        paces=Paces(
            easy=(float(paces["easy"][0]), float(paces["easy"][1])),
            marathon=float(paces["marathon"]),
            threshold=float(paces["threshold"]),
            interval=float(paces["interval"]),
            repetition=float(paces["repetition"]),
        ),
        source=data["vdot_source"],
        confidence=Confidence(data["vdot_confidence"]),
        as_of=date.fromisoformat(data["as_of"]),
        critical_speed_mps=data.get("critical_speed_mps"),
        d_prime_m=data.get("d_prime_m"),
        needs_time_trial=bool(data.get("needs_time_trial", False)),
    )


def goal_from_dict(data: JsonDict) -> Goal:
    return Goal(
        distance_m=float(data["distance_m"]),
        day=date.fromisoformat(data["date"]),
        race=data.get("race", ""),
        target_s=None if data.get("target_s") is None else float(data["target_s"]),
        hot=None if data.get("hot") is None else bool(data["hot"]),
    )


def change_from_dict(data: JsonDict) -> Change:
    return Change(day=date.fromisoformat(data["date"]), key=data["key"], reason=data["reason"])


def plan_from_dict(data: JsonDict) -> Plan:
    return Plan(
        generated_on=date.fromisoformat(data["generated_on"]),
        fitness=fitness_from_dict(data["athlete"]),
        goal=goal_from_dict(data["goal"]),
        weeks=tuple(
            PlanWeek(
                start=date.fromisoformat(week["start"]),
                phase=Phase(week["phase"]),
                cutback=bool(week["cutback"]),
                planned_distance_m=float(week["planned_distance_m"]),
                days=tuple(
                    PlannedDay(
                        day=date.fromisoformat(day["date"]),
                        workouts=tuple(workout_from_dict(w) for w in day["workouts"]),
                    )
                    for day in week["days"]
                ),
            )
            for week in data["weeks"]
        ),
        changes=tuple(change_from_dict(c) for c in data.get("changes", ())),
        warnings=tuple(data.get("warnings", ())),
    )
