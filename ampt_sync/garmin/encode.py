"""A planned :class:`~ampt_sync.domain.Workout` as Garmin Connect workout JSON, and back-checks.

:func:`encode` is the only way a workout reaches Garmin. What it produces (see
``../shared/reference/garmin-connect.md`` §3–4 for the sources):

* **Running** workouts (sport 1) with warm-up / interval / recovery / rest / cool-down steps, each
  ending by distance (m), time (s) or the lap button. A :class:`~ampt_sync.domain.Repeat` becomes
  a ``RepeatGroupDTO`` carrying ``numberOfIterations`` **and** the ``iterations`` end condition
  (without it Garmin silently turns the group into a heart-rate step). ``stepOrder`` counts
  depth-first through nested steps (1, group 2, its children 3 and 4, next step 5); each group
  gets an index 1, 2, … in ``childStepId``, repeated on its direct children. A group whose
  last step is a rest skips it after the last round (``skipLastRestStep``).
* **Pace** targets are speeds in m/s with the **faster** bound in ``targetValueOne`` (Garmin's own
  order); heart-rate zones use ``zoneNumber``; a bpm range uses the values without a zone.
* **Strength** workouts (sport 5): exercise steps carry ``category`` / ``exerciseName`` checked
  against garminconnect's exercise catalogue (an unknown pair is an :class:`EncodeError`, never a
  silent blank exercise), reps as the end condition, and ``weightValue`` in grams with the
  kilogram unit when the weight is known.
* The **name** is at most :data:`NAME_MAX_CHARS` characters of plain ASCII, so every watch can show
  it. The **description** holds the coaching notes and ends with the provenance marker
  ``[ampt-sync key=<key> v=<hash>]``: ``key`` is the planned workout's stable key and ``hash`` the
  first 12 hex digits of :attr:`Encoded.payload_hash`. The marker is how ampt-sync recognises its
  own workouts; nothing without it is ever touched.
* At most :data:`MAX_STEPS` steps; ``estimatedDurationInSecs`` always set (estimated from the steps
  when the plan gives no duration, as for strength). Rest days are never encoded.

Every payload passes two validations before it leaves: :func:`validate` (our strict models:
unknown fields forbidden, repeat groups, step numbering, id/key pairs and target values checked)
and garminconnect's own ``RunningWorkout`` / ``StrengthWorkout`` models as a second opinion, which
must accept it and give it back unchanged.

The payload hash covers everything sent to Garmin except the marker, so a change of title, notes,
steps or of this encoder rewrites the workout, and a mere move to another day does not.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ampt_sync.domain import End, Exercise, Repeat, Step, StepRole, Target, Workout, WorkoutKind
from ampt_sync.errors import AmptSyncError
from ampt_sync.plan_json import dumps

#: Longest workout name we send; watch screens show little more.
NAME_MAX_CHARS = 80
#: Longest description we send; notes are shortened to fit, the marker always stays.
DESCRIPTION_MAX_CHARS = 1000
#: Most steps (executable steps and repeat groups together) in one workout.
MAX_STEPS = 50
#: Seconds per repetition of a strength exercise, for the duration estimate.
SECONDS_PER_REP = 4.0
#: Pace assumed for a distance step without a pace target, for the duration estimate (6:00/km).
DEFAULT_PACE_S_PER_KM = 360.0
#: Seconds assumed for a lap-button step, for the duration estimate.
LAP_BUTTON_ESTIMATE_S = 60.0

MARKER_RE = re.compile(r"\[ampt-sync key=(?P<key>[A-Za-z0-9._:-]+) v=(?P<version>[0-9a-f]{12})\]")
_KEY_RE = re.compile(r"^[A-Za-z0-9._:-]{1,40}$")

Payload = dict[str, Any]


class EncodeError(AmptSyncError, ValueError):
    """The workout cannot be put on Garmin as it is (a bug in the plan or the workout library).
    The message names the workout and why."""


# --------------------------------------------------------------------------------------------
# Garmin's id tables (garminconnect.workout, mirroring GET /workout-service/workout/types)

RUNNING = {"sportTypeId": 1, "sportTypeKey": "running", "displayOrder": 1}
STRENGTH = {"sportTypeId": 5, "sportTypeKey": "strength_training", "displayOrder": 5}

_STEP_TYPES = {
    StepRole.WARMUP: (1, "warmup"),
    StepRole.COOLDOWN: (2, "cooldown"),
    StepRole.WORK: (3, "interval"),
    StepRole.RECOVERY: (4, "recovery"),
    StepRole.REST: (5, "rest"),
    StepRole.OTHER: (7, "other"),
}
_REPEAT_TYPE = {"stepTypeId": 6, "stepTypeKey": "repeat", "displayOrder": 6}
_CONDITIONS = {
    "lap.button": 1,
    "time": 2,
    "distance": 3,
    "iterations": 7,
    "reps": 10,
}
_TARGETS = {"no.target": 1, "heart.rate.zone": 4, "pace.zone": 6}
WEIGHT_UNIT_KILOGRAM = {"unitId": 8, "unitKey": "kilogram", "factor": 1000.0}


def _step_type(role: StepRole) -> dict[str, Any]:
    type_id, key = _STEP_TYPES[role]
    return {"stepTypeId": type_id, "stepTypeKey": key, "displayOrder": type_id}


def _condition(key: str) -> dict[str, Any]:
    type_id = _CONDITIONS[key]
    return {
        "conditionTypeId": type_id,
        "conditionTypeKey": key,
        "displayOrder": type_id,
        "displayable": key != "iterations",
    }


def _target_type(key: str) -> dict[str, Any]:
    type_id = _TARGETS[key]
    return {"workoutTargetTypeId": type_id, "workoutTargetTypeKey": key, "displayOrder": type_id}


# --------------------------------------------------------------------------------------------
# Text


_ASCII = {
    "×": "x",
    "–": "-",
    "—": "-",
    "−": "-",
    "′": "'",
    "″": '"',
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "·": "-",
    "•": "-",
    "→": "->",
    "≈": "~",
    "½": "1/2",
    "¼": "1/4",
    "¾": "3/4",
    "\u00a0": " ",
}


def watch_text(text: str) -> str:
    """``text`` in printable ASCII on one line: watch fonts lack most other characters."""
    for char, plain in _ASCII.items():
        text = text.replace(char, plain)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(c if 32 <= ord(c) < 127 else " " for c in text)
    return re.sub(r"\s+", " ", text).strip()


def workout_name(workout: Workout) -> str:
    """The title, readable on a watch, at most :data:`NAME_MAX_CHARS` characters."""
    name = watch_text(workout.title) or workout.kind.value.capitalize()
    if len(name) > NAME_MAX_CHARS:
        name = name[: NAME_MAX_CHARS - 3].rstrip() + "..."
    return name


def marker(key: str, payload_hash: str) -> str:
    return f"[ampt-sync key={key} v={payload_hash[:12]}]"


def parse_marker(description: str | None) -> tuple[str, str] | None:
    """``(key, hash prefix)`` from a description carrying our marker, else None."""
    if not description:
        return None
    match = MARKER_RE.search(description)
    return None if match is None else (match["key"], match["version"])


def _description(notes: str, mark: str) -> str:
    room = DESCRIPTION_MAX_CHARS - len(mark) - 2
    notes = notes.strip()
    if len(notes) > room:
        notes = notes[: room - 3].rstrip() + "..."
    return f"{notes}\n\n{mark}" if notes else mark


# --------------------------------------------------------------------------------------------
# Steps


def _speed_mps(pace_s_per_km: float) -> float:
    return round(1000.0 / pace_s_per_km, 4)


def _end_fields(end: End) -> dict[str, Any]:
    if end.distance_m is not None:
        return {"endCondition": _condition("distance"), "endConditionValue": float(end.distance_m)}
    if end.duration_s is not None:
        return {"endCondition": _condition("time"), "endConditionValue": float(end.duration_s)}
    if end.reps is not None:
        return {"endCondition": _condition("reps"), "endConditionValue": float(end.reps)}
    return {"endCondition": _condition("lap.button")}


def _target_fields(target: Target | None) -> dict[str, Any]:
    if target is None:
        return {"targetType": _target_type("no.target")}
    if target.pace_s_per_km is not None:
        fast, slow = target.pace_s_per_km
        # Garmin's own workouts put the faster bound (higher m/s) first.
        return {
            "targetType": _target_type("pace.zone"),
            "targetValueOne": _speed_mps(fast),
            "targetValueTwo": _speed_mps(slow),
        }
    if target.hr_zone is not None:
        return {"targetType": _target_type("heart.rate.zone"), "zoneNumber": target.hr_zone}
    assert target.hr_bpm is not None  # noqa: S101 - Target guarantees exactly one kind
    low, high = target.hr_bpm
    return {
        "targetType": _target_type("heart.rate.zone"),
        "targetValueOne": float(low),
        "targetValueTwo": float(high),
    }


def _catalogue() -> frozenset[tuple[str, str]]:
    from garminconnect import exercises

    return frozenset((e["category"], e["exercise"]) for e in exercises.EXERCISES)


def _exercise_fields(exercise: Exercise, what: str) -> dict[str, Any]:
    pair = (exercise.garmin_category, exercise.garmin_exercise)
    if pair not in _catalogue():
        raise EncodeError(
            f"{what}: exercise {exercise.name!r} maps to {pair[0]}/{pair[1]}, which is not in "
            "garminconnect's exercise catalogue; fix the workout library"
        )
    fields: dict[str, Any] = {"category": pair[0], "exerciseName": pair[1]}
    if exercise.weight_kg is not None:
        fields["weightValue"] = round(exercise.weight_kg * 1000.0, 1)
        fields["weightUnit"] = dict(WEIGHT_UNIT_KILOGRAM)
    return fields


@dataclass
class _Numbering:
    order: int = 0
    groups: int = 0


def _encode_steps(
    steps: tuple[Step | Repeat, ...],
    numbering: _Numbering,
    parent_group: int | None,
    *,
    strength: bool,
    what: str,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for step in steps:
        numbering.order += 1
        if isinstance(step, Repeat):
            numbering.groups += 1
            group = numbering.groups
            encoded: dict[str, Any] = {
                "type": "RepeatGroupDTO",
                "stepOrder": numbering.order,
                "stepType": dict(_REPEAT_TYPE),
                "childStepId": group,
                "numberOfIterations": step.times,
                "smartRepeat": False,
                "endCondition": _condition("iterations"),
                "endConditionValue": float(step.times),
            }
            last = step.steps[-1]
            if isinstance(last, Step) and last.role is StepRole.REST:
                # A rest closing each round is not needed after the last one (the circuit's).
                encoded["skipLastRestStep"] = True
            encoded["workoutSteps"] = _encode_steps(
                step.steps, numbering, group, strength=strength, what=what
            )
            out.append(encoded)
            continue
        encoded = {
            "type": "ExecutableStepDTO",
            "stepOrder": numbering.order,
            "stepType": _step_type(step.role),
            **_end_fields(step.end),
            **_target_fields(step.target),
        }
        if parent_group is not None:
            encoded["childStepId"] = parent_group
        note = watch_text(step.note)
        if note:
            encoded["description"] = note
        if step.exercise is not None:
            if not strength:
                raise EncodeError(f"{what}: a strength exercise in a running workout")
            encoded.update(_exercise_fields(step.exercise, what))
        out.append(encoded)
    return out


def _flat(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for step in steps:
        out.append(step)
        out.extend(_flat(step.get("workoutSteps", [])))
    return out


def _step_estimate_s(step: Step | Repeat) -> float:
    if isinstance(step, Repeat):
        return step.times * sum(_step_estimate_s(s) for s in step.steps)
    end = step.end
    if end.duration_s is not None:
        return end.duration_s
    if end.reps is not None:
        return end.reps * SECONDS_PER_REP
    if end.distance_m is not None:
        pace = DEFAULT_PACE_S_PER_KM
        if step.target is not None and step.target.pace_s_per_km is not None:
            pace = sum(step.target.pace_s_per_km) / 2
        return end.distance_m / 1000.0 * pace
    return LAP_BUTTON_ESTIMATE_S


def estimated_duration_s(workout: Workout) -> int:
    """The plan's duration when it has one, else an estimate from the steps (at least 60 s)."""
    if workout.duration_s > 0:
        return max(60, round(workout.duration_s))
    return max(60, round(sum(_step_estimate_s(s) for s in workout.steps)))


# --------------------------------------------------------------------------------------------
# The workout


@dataclass(frozen=True)
class Encoded:
    """A workout ready for Garmin: ``payload`` to upload, ``payload_hash`` to compare."""

    key: str
    name: str
    payload: Payload
    payload_hash: str

    @property
    def version(self) -> str:
        """The hash prefix carried by the marker."""
        return self.payload_hash[:12]


def encode(workout: Workout) -> Encoded:
    """``workout`` as Garmin JSON, validated twice. Raises :class:`EncodeError`."""
    what = f"workout {workout.key} ({workout.title!r})"
    if workout.kind is WorkoutKind.REST:
        raise EncodeError(f"{what}: rest days are never put on Garmin")
    if not _KEY_RE.match(workout.key):
        raise EncodeError(f"{what}: the key must be 1-40 characters of A-Z a-z 0-9 . _ : -")
    if not workout.steps:
        raise EncodeError(f"{what}: a workout needs at least one step")
    strength = workout.kind is WorkoutKind.STRENGTH
    sport = STRENGTH if strength else RUNNING
    steps = _encode_steps(workout.steps, _Numbering(), None, strength=strength, what=what)
    count = len(_flat(steps))
    if count > MAX_STEPS:
        raise EncodeError(f"{what}: {count} steps, Garmin takes at most {MAX_STEPS}")
    name = workout_name(workout)
    body: Payload = {
        "workoutName": name,
        "sportType": dict(sport),
        "estimatedDurationInSecs": estimated_duration_s(workout),
        "workoutSegments": [{"segmentOrder": 1, "sportType": dict(sport), "workoutSteps": steps}],
    }
    if workout.distance_m > 0 and not strength:
        body["estimatedDistanceInMeters"] = round(workout.distance_m, 1)
    notes = "\n".join(watch_text(line) for line in workout.notes.strip().splitlines())
    digest = hashlib.sha256(dumps({**body, "description": notes}).encode()).hexdigest()
    payload = {**body, "description": _description(notes, marker(workout.key, digest))}
    problems = validate(payload)
    if problems:
        raise EncodeError(f"{what}: the encoded workout is invalid: {problems[0]}")
    return Encoded(key=workout.key, name=name, payload=payload, payload_hash=digest)


# --------------------------------------------------------------------------------------------
# Validation: our strict models, then garminconnect's


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _SportType(_Strict):
    sportTypeId: Literal[1, 5]
    sportTypeKey: Literal["running", "strength_training"]
    displayOrder: int


class _StepType(_Strict):
    stepTypeId: int
    stepTypeKey: str
    displayOrder: int


class _Condition(_Strict):
    conditionTypeId: int
    conditionTypeKey: str
    displayOrder: int
    displayable: bool


class _TargetType(_Strict):
    workoutTargetTypeId: int
    workoutTargetTypeKey: str
    displayOrder: int


class _WeightUnit(_Strict):
    unitId: Literal[8]
    unitKey: Literal["kilogram"]
    factor: float


class _ExecutableStep(_Strict):
    type: Literal["ExecutableStepDTO"]
    stepOrder: int
    stepType: _StepType
    endCondition: _Condition
    endConditionValue: float | None = None
    targetType: _TargetType
    targetValueOne: float | None = None
    targetValueTwo: float | None = None
    zoneNumber: int | None = None
    childStepId: int | None = None
    description: str | None = Field(default=None, max_length=512)
    category: str | None = None
    exerciseName: str | None = None
    weightValue: float | None = None
    weightUnit: _WeightUnit | None = None

    @model_validator(mode="after")
    def _consistent(self) -> _ExecutableStep:
        step_keys = {v[0]: v[1] for v in _STEP_TYPES.values()}
        if step_keys.get(self.stepType.stepTypeId) != self.stepType.stepTypeKey:
            raise ValueError(f"step {self.stepOrder}: unknown step type {self.stepType}")
        cond = self.endCondition
        known = _CONDITIONS.get(cond.conditionTypeKey) == cond.conditionTypeId
        if not known or cond.conditionTypeKey == "iterations":
            raise ValueError(f"step {self.stepOrder}: end condition {cond} is not a step's")
        if cond.conditionTypeKey == "lap.button":
            if self.endConditionValue is not None:
                raise ValueError(f"step {self.stepOrder}: a lap-button step has no end value")
        elif self.endConditionValue is None or not (
            math.isfinite(self.endConditionValue) and self.endConditionValue > 0
        ):
            raise ValueError(f"step {self.stepOrder}: the end value must be positive")
        target = self.targetType
        if _TARGETS.get(target.workoutTargetTypeKey) != target.workoutTargetTypeId:
            raise ValueError(f"step {self.stepOrder}: unknown target {target}")
        one, two, zone = self.targetValueOne, self.targetValueTwo, self.zoneNumber
        if target.workoutTargetTypeKey == "no.target":
            if (one, two, zone) != (None, None, None):
                raise ValueError(f"step {self.stepOrder}: values given without a target")
        elif target.workoutTargetTypeKey == "pace.zone":
            if zone is not None or one is None or two is None or not one >= two > 0:
                raise ValueError(
                    f"step {self.stepOrder}: a pace target needs speeds with the faster first"
                )
        elif zone is not None:
            if not 1 <= zone <= 5 or one is not None or two is not None:
                raise ValueError(f"step {self.stepOrder}: a heart-rate zone is 1 to 5 alone")
        elif one is None or two is None or not 0 < one <= two:
            raise ValueError(f"step {self.stepOrder}: a bpm range is (low, high)")
        if (self.category is None) != (self.exerciseName is None):
            raise ValueError(f"step {self.stepOrder}: category and exerciseName go together")
        if (self.weightValue is None) != (self.weightUnit is None):
            raise ValueError(f"step {self.stepOrder}: weightValue and weightUnit go together")
        return self


class _RepeatGroup(_Strict):
    type: Literal["RepeatGroupDTO"]
    stepOrder: int
    stepType: _StepType
    childStepId: int
    numberOfIterations: int = Field(ge=2)
    smartRepeat: Literal[False]
    endCondition: _Condition
    endConditionValue: float
    skipLastRestStep: bool | None = None
    workoutSteps: list[Annotated[_ExecutableStep | _RepeatGroup, Field(discriminator="type")]] = (
        Field(min_length=1)
    )

    @model_validator(mode="after")
    def _consistent(self) -> _RepeatGroup:
        if self.stepType.model_dump() != _REPEAT_TYPE:
            raise ValueError(f"group {self.stepOrder}: step type must be repeat")
        if self.endCondition.model_dump() != _condition("iterations"):
            raise ValueError(f"group {self.stepOrder}: needs the iterations end condition")
        if self.endConditionValue != self.numberOfIterations:
            raise ValueError(f"group {self.stepOrder}: end value must equal the iterations")
        for child in self.workoutSteps:
            if isinstance(child, _ExecutableStep) and child.childStepId != self.childStepId:
                raise ValueError(f"group {self.stepOrder}: child {child.stepOrder} childStepId")
        return self


class _Segment(_Strict):
    segmentOrder: Literal[1]
    sportType: _SportType
    workoutSteps: list[Annotated[_ExecutableStep | _RepeatGroup, Field(discriminator="type")]] = (
        Field(min_length=1)
    )


class _Workout(_Strict):
    workoutName: str = Field(min_length=1, max_length=NAME_MAX_CHARS)
    description: str = Field(max_length=DESCRIPTION_MAX_CHARS)
    sportType: _SportType
    estimatedDurationInSecs: int = Field(gt=0)
    estimatedDistanceInMeters: float | None = None
    workoutSegments: list[_Segment] = Field(min_length=1, max_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> _Workout:
        sport = self.sportType.model_dump()
        if sport not in (RUNNING, STRENGTH):
            raise ValueError(f"unknown sport {sport}")
        segment = self.workoutSegments[0]
        if segment.sportType.model_dump() != sport:
            raise ValueError("the segment's sport differs from the workout's")
        if parse_marker(self.description) is None:
            raise ValueError("the description lacks the ampt-sync marker")
        if watch_text(self.workoutName) != self.workoutName:
            raise ValueError("the name is not plain one-line ASCII")
        return self


def _walk(steps: list[Any]) -> list[Any]:
    out = []
    for step in steps:
        out.append(step)
        if isinstance(step, _RepeatGroup):
            out.extend(_walk(step.workoutSteps))
    return out


def validate(payload: Payload) -> list[str]:
    """Everything wrong with ``payload`` (empty when it is fit to upload).

    First our strict models; then structure that needs the whole workout (``stepOrder`` 1…N
    depth-first, group indexes 1…G, at most :data:`MAX_STEPS` steps, exercises only in strength
    workouts and only from the catalogue); then garminconnect's models, which must accept the
    payload and give it back unchanged.
    """
    try:
        model = _Workout.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        return [f"{where}: {first['msg']}"]
    problems: list[str] = []
    steps = _walk(model.workoutSegments[0].workoutSteps)
    orders = [s.stepOrder for s in steps]
    if orders != list(range(1, len(steps) + 1)):
        problems.append(f"stepOrder must count 1..N depth-first, found {orders}")
    groups = [s.childStepId for s in steps if isinstance(s, _RepeatGroup)]
    if groups != list(range(1, len(groups) + 1)):
        problems.append(f"repeat groups must be numbered 1..G in childStepId, found {groups}")
    if len(steps) > MAX_STEPS:
        problems.append(f"{len(steps)} steps, at most {MAX_STEPS}")
    top = model.workoutSegments[0].workoutSteps
    if any(isinstance(s, _ExecutableStep) and s.childStepId is not None for s in top):
        problems.append("a top-level step carries a childStepId")
    strength = model.sportType.sportTypeId == STRENGTH["sportTypeId"]
    catalogue = _catalogue()
    for step in steps:
        if isinstance(step, _ExecutableStep) and step.category is not None:
            if not strength:
                problems.append(f"step {step.stepOrder}: an exercise in a running workout")
            elif (step.category, step.exerciseName) not in catalogue:
                problems.append(
                    f"step {step.stepOrder}: {step.category}/{step.exerciseName} is not in the "
                    "exercise catalogue"
                )
    problems.extend(second_opinion(payload))
    return problems


def second_opinion(payload: Payload) -> list[str]:
    """garminconnect's ``RunningWorkout`` / ``StrengthWorkout`` must accept ``payload`` and give
    it back unchanged."""
    from garminconnect.workout import RunningWorkout, StrengthWorkout

    sport = payload.get("sportType", {}).get("sportTypeId")
    model_class = StrengthWorkout if sport == STRENGTH["sportTypeId"] else RunningWorkout
    try:
        model = model_class.model_validate(payload)
    except ValidationError as exc:
        return [f"garminconnect rejects it: {exc.errors(include_url=False)[0]['msg']}"]
    again = model.to_dict()
    again.pop("author", None)
    if again != payload:
        return ["garminconnect's model changes the workout on the way out"]
    return []


# --------------------------------------------------------------------------------------------
# Read-back: is what Garmin stored what we sent?

_COMPARED_STEP_FIELDS = (
    "type",
    "stepOrder",
    "childStepId",
    "numberOfIterations",
    "endConditionValue",
    "targetValueOne",
    "targetValueTwo",
    "zoneNumber",
    "category",
    "exerciseName",
    "weightValue",
    "description",
    "skipLastRestStep",
)


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return round(float(value), 3)


def _essence_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for step in steps:
        item = {name: _number(step.get(name)) for name in _COMPARED_STEP_FIELDS}
        item["stepTypeId"] = (step.get("stepType") or {}).get("stepTypeId")
        item["conditionTypeId"] = (step.get("endCondition") or {}).get("conditionTypeId")
        item["targetTypeId"] = (step.get("targetType") or {}).get("workoutTargetTypeId")
        item["workoutSteps"] = _essence_steps(step.get("workoutSteps") or [])
        out.append(item)
    return out


def essence(workout: Payload) -> dict[str, Any]:
    """What must survive a round trip through Garmin: names, sport, and every step's meaning,
    without the ids and dates the server adds."""
    segments = workout.get("workoutSegments") or []
    return {
        "workoutName": workout.get("workoutName"),
        "description": workout.get("description"),
        "sportTypeId": (workout.get("sportType") or {}).get("sportTypeId"),
        "segments": [_essence_steps(s.get("workoutSteps") or []) for s in segments],
    }


def stored_as_sent(sent: Payload, stored: Payload) -> bool:
    """True when Garmin kept everything :func:`essence` covers. A stored workout of another
    shape than Garmin documents (a list where an object belongs, ...) was not kept as sent."""
    try:
        return essence(sent) == essence(stored)
    except (AttributeError, TypeError):
        return False
