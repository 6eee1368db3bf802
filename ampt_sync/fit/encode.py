"""A planned :class:`~ampt_sync.domain.Workout` as a FIT workout file, with Garmin's official
``garmin-fit-sdk`` Encoder.

The file says what the Garmin Connect JSON of :mod:`ampt_sync.garmin.encode` says, field for
field (the tests decode both and compare them):

* **Messages**: ``file_id`` (type ``workout``), one ``workout`` (name, description, sport), then
  one ``workout_step`` per executable step and per repeat, numbered 0… by ``message_index``.
* **Sport**: running workouts are ``running``/``generic``; strength workouts are
  ``training``/``strength_training`` (what Garmin's own strength workouts use).
* **Names and notes**: ``wkt_name`` is :func:`~ampt_sync.garmin.encode.workout_name` (plain
  ASCII, at most 80 characters); ``wkt_description`` is the workout's notes and each step's
  ``notes`` its note, as :func:`~ampt_sync.garmin.encode.watch_text` makes them. A FIT string
  holds at most 255 bytes, so a longer text is cut at :data:`TEXT_MAX_BYTES` with ``...`` (the
  Garmin JSON allows 1,000; its provenance marker is left out, as nothing reads a file back).
* **End conditions** in FIT's raw units: time in milliseconds, distance in centimetres, reps as
  a count, the lap button as ``open``.
* **Targets**: a pace range is a ``speed`` target with custom values in mm/s (low = the slower
  end, high = the faster); a heart-rate zone is ``heart_rate`` with ``target_value`` 1–5; a bpm
  range is ``heart_rate`` with custom values offset by +100 (FIT's ``workout_hr`` convention,
  where values up to 100 are % of max). No target is ``open``.
* **Repeats** follow their steps: a ``repeat_until_steps_cmplt`` step whose ``duration_value``
  is the ``message_index`` of the first repeated step and whose ``target_value`` is the number of
  rounds (nested repeats nest the same way).
* **Strength** steps carry ``exercise_category`` and ``exercise_name`` from FIT's Profile (the
  Garmin JSON's category and exercise, lower-cased: they are the same catalogue), and
  ``exercise_weight`` in kg when the weight is known.
* **Step intensity**: warm-up, cool-down, recovery, rest and other map to FIT's intensities of
  the same names; a work step is ``active``, the value every FIT watch knows (FIT's newer
  ``interval`` is not understood by older models).

Two differences from the Garmin JSON that FIT cannot express, both harmless on a watch:
FIT has no "skip the last rest of a repeat" (Garmin's ``skipLastRestStep``), so the strength
circuit's final 2-min rest is there and the runner ends it with the lap key; and FIT has no
estimated duration or distance for the workout.

The bytes depend only on the workout and its day (``time_created`` is that day, 00:00 UTC, and
the serial number is derived from the workout's key), so the same plan gives the same file.
Not verified on a physical watch here: how a given model treats a second file with the same
serial number (see ``docs/fit.md``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time
from typing import Any

from ampt_sync.domain import End, Exercise, Repeat, Step, StepRole, Target, Workout, WorkoutKind
from ampt_sync.garmin.encode import MAX_STEPS, EncodeError, watch_text, workout_name

#: Longest text we put in one FIT string field: 255 bytes including the terminating zero.
TEXT_MAX_BYTES = 254
#: FIT's offset for heart-rate values in bpm (values up to 100 mean % of max heart rate).
HR_BPM_OFFSET = 100

_INTENSITY = {
    StepRole.WARMUP: "warmup",
    StepRole.COOLDOWN: "cooldown",
    StepRole.WORK: "active",
    StepRole.RECOVERY: "recovery",
    StepRole.REST: "rest",
    StepRole.OTHER: "other",
}

Message = dict[str, Any]


def fit_text(text: str) -> str:
    """``text`` as a watch shows it, at most :data:`TEXT_MAX_BYTES` (ASCII: bytes = chars).

    Each line is made plain ASCII on its own and the line breaks kept, as the Garmin JSON's
    description does."""
    text = "\n".join(watch_text(line) for line in text.strip().splitlines())
    if len(text) > TEXT_MAX_BYTES:
        text = text[: TEXT_MAX_BYTES - 3].rstrip() + "..."
    return text


def exercise_ids(exercise: Exercise) -> tuple[str, int]:
    """``(exercise_category, exercise_name number)`` in FIT's Profile for ``exercise``.

    The Garmin JSON's ``SQUAT`` / ``DUMBBELL_SQUAT`` is FIT's category ``squat`` and name
    ``dumbbell_squat`` of the ``squat_exercise_name`` table. Raises :class:`EncodeError` for a
    pair the Profile does not have (never a silently blank exercise)."""
    from garmin_fit_sdk.profile import Profile

    types = Profile["types"]
    category = exercise.garmin_category.lower()
    name = exercise.garmin_exercise.lower()
    categories = set(types["exercise_category"].values())
    names = types.get(f"{category}_exercise_name", {})
    number = next((int(k) for k, v in names.items() if v == name), None)
    if category not in categories or number is None:
        raise EncodeError(
            f"exercise {exercise.name!r} maps to {exercise.garmin_category}/"
            f"{exercise.garmin_exercise}, which FIT's exercise profile lacks; fix the workout "
            "library"
        )
    return category, number


def _end_fields(end: End) -> Message:
    if end.distance_m is not None:
        return {"duration_type": "distance", "duration_value": round(end.distance_m * 100)}
    if end.duration_s is not None:
        return {"duration_type": "time", "duration_value": round(end.duration_s * 1000)}
    if end.reps is not None:
        return {"duration_type": "reps", "duration_value": end.reps}
    return {"duration_type": "open"}


def _target_fields(target: Target | None) -> Message:
    if target is None:
        return {"target_type": "open"}
    if target.pace_s_per_km is not None:
        fast, slow = target.pace_s_per_km
        return {
            "target_type": "speed",
            "target_value": 0,
            "custom_target_value_low": round(1_000_000 / slow),  # mm/s
            "custom_target_value_high": round(1_000_000 / fast),
        }
    if target.hr_zone is not None:
        return {"target_type": "heart_rate", "target_value": target.hr_zone}
    assert target.hr_bpm is not None  # noqa: S101 - Target guarantees exactly one kind
    low, high = target.hr_bpm
    return {
        "target_type": "heart_rate",
        "target_value": 0,
        "custom_target_value_low": low + HR_BPM_OFFSET,
        "custom_target_value_high": high + HR_BPM_OFFSET,
    }


def _steps(steps: tuple[Step | Repeat, ...], out: list[Message], *, strength: bool) -> None:
    """Append FIT step messages for ``steps`` to ``out`` (depth first, repeats after their
    steps); ``message_index`` is the position in ``out``."""
    for step in steps:
        if isinstance(step, Repeat):
            first = len(out)
            _steps(step.steps, out, strength=strength)
            out.append(
                {
                    "message_index": len(out),
                    "duration_type": "repeat_until_steps_cmplt",
                    "duration_value": first,
                    "target_value": step.times,
                }
            )
            continue
        message: Message = {
            "message_index": len(out),
            **_end_fields(step.end),
            **_target_fields(step.target),
            "intensity": _INTENSITY[step.role],
        }
        note = fit_text(step.note)
        if note:
            message["notes"] = note
        if step.exercise is not None:
            if not strength:
                raise EncodeError("a strength exercise in a running workout")
            category, number = exercise_ids(step.exercise)
            message["exercise_category"] = category
            message["exercise_name"] = number
            if step.exercise.weight_kg is not None:
                # The SDK scales this field itself (kg → 1/100 kg on the wire).
                message["exercise_weight"] = round(step.exercise.weight_kg, 2)
                message["weight_display_unit"] = "kilogram"
        out.append(message)


def serial_number(key: str) -> int:
    """A stable non-zero 32-bit number for a workout key (FIT's ``serial_number`` is uint32z)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") or 1


def workout_messages(workout: Workout, *, day: date) -> list[Message]:
    """The FIT messages for ``workout`` on ``day``, in file order (pure; no SDK needed).

    Raises :class:`EncodeError` for a rest day, a workout without steps, more than
    :data:`~ampt_sync.garmin.encode.MAX_STEPS` steps, or an exercise FIT does not know."""
    what = f"workout {workout.key} ({workout.title!r})"
    if workout.kind is WorkoutKind.REST:
        raise EncodeError(f"{what}: a rest day has no workout file")
    if not workout.steps:
        raise EncodeError(f"{what}: a workout needs at least one step")
    strength = workout.kind is WorkoutKind.STRENGTH
    steps: list[Message] = []
    try:
        _steps(workout.steps, steps, strength=strength)
    except EncodeError as exc:
        raise EncodeError(f"{what}: {exc}") from None
    if len(steps) > MAX_STEPS:
        raise EncodeError(f"{what}: {len(steps)} steps, watches take at most {MAX_STEPS}")
    header: Message = {
        "wkt_name": workout_name(workout),
        "sport": "training" if strength else "running",
        "sub_sport": "strength_training" if strength else "generic",
        "num_valid_steps": len(steps),
    }
    notes = fit_text(workout.notes)
    if notes:
        header["wkt_description"] = notes
    file_id: Message = {
        "type": "workout",
        "manufacturer": "development",
        "product": 0,
        "serial_number": serial_number(workout.key),
        "time_created": datetime.combine(day, time(0), tzinfo=UTC),
    }
    return [
        {"mesg": "FILE_ID", **file_id},
        {"mesg": "WORKOUT", **header},
        *({"mesg": "WORKOUT_STEP", **step} for step in steps),
    ]


def encode_workout(workout: Workout, *, day: date) -> bytes:
    """``workout`` planned on ``day`` as the bytes of a ``.fit`` workout file.

    Deterministic: the same workout and day give the same bytes. Raises :class:`EncodeError`
    (see :func:`workout_messages`)."""
    from garmin_fit_sdk import Encoder
    from garmin_fit_sdk.profile import Profile

    numbers = Profile["mesg_num"]
    encoder = Encoder()
    for message in workout_messages(workout, day=day):
        fields = {k: v for k, v in message.items() if k != "mesg"}
        encoder.write_mesg({"mesg_num": numbers[message["mesg"]], **fields})
    return bytes(encoder.close())
