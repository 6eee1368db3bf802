"""Reading both encodings back into one neutral shape, so that they can be compared.

:func:`from_fit` decodes a ``.fit`` file with the SDK's Decoder (no errors allowed) and rebuilds
the step tree from FIT's flat list (a ``repeat_until_steps_cmplt`` step closes the steps from its
``duration_value`` on); :func:`from_garmin` reads the Garmin JSON payload. Both give::

    {"name", "notes", "sport": "running" | "strength", "steps": [NODE, ...]}
    NODE = {"role", "end": (kind, value), "target": None | (kind, ...), "note", "exercise"}
         | {"repeat": times, "steps": [NODE, ...]}

Units: distance m, time s, speeds m/s (slow, fast), heart rate bpm; the encoder's units are
undone here independently of the code under test (raw FIT values are read, not the SDK's scaled
copies, except where noted).
"""

from __future__ import annotations

from typing import Any

from garmin_fit_sdk import Decoder, Stream
from garmin_fit_sdk.profile import Profile

from ampt_sync.garmin.encode import MARKER_RE

_GARMIN_ROLES = {
    "warmup": "warmup",
    "cooldown": "cooldown",
    "interval": "work",
    "recovery": "recovery",
    "rest": "rest",
    "other": "other",
}
_FIT_ROLES = {
    "warmup": "warmup",
    "cooldown": "cooldown",
    "active": "work",
    "recovery": "recovery",
    "rest": "rest",
    "other": "other",
}


def decode(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """The SDK's decoding of ``data``; asserts it is FIT, intact, and decodes without errors."""
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    assert decoder.is_fit()
    assert decoder.check_integrity()
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read()
    assert errors == []
    return messages


def _exercise_name(category: str, number: int) -> str:
    return Profile["types"][f"{category}_exercise_name"][number]


def _fit_node(step: dict[str, Any]) -> dict[str, Any]:
    duration = step["duration_type"]
    raw = step.get("duration_value")
    end: tuple[str, Any]
    if duration == "time":
        end = ("duration_s", raw / 1000)
    elif duration == "distance":
        end = ("distance_m", raw / 100)
    elif duration == "reps":
        end = ("reps", raw)
    else:
        assert duration == "open", duration
        end = ("lap_button", None)
    target_type = step["target_type"]
    target: tuple[Any, ...] | None
    if target_type == "open":
        target = None
    elif target_type == "speed":
        assert step["target_value"] == 0
        target = (
            "speed_mps",
            step["custom_target_value_low"] / 1000,
            step["custom_target_value_high"] / 1000,
        )
    else:
        assert target_type == "heart_rate", target_type
        if step["target_value"]:
            target = ("hr_zone", step["target_value"])
        else:
            target = (
                "hr_bpm",
                step["custom_target_value_low"] - 100,
                step["custom_target_value_high"] - 100,
            )
    exercise = None
    if "exercise_category" in step:
        category = step["exercise_category"]
        exercise = (category, _exercise_name(category, step["exercise_name"]))
        if "exercise_weight" in step:
            exercise = (*exercise, round(step["exercise_weight"], 2))  # SDK-scaled: kg
    return {
        "role": _FIT_ROLES[step["intensity"]],
        "end": end,
        "target": target,
        "note": step.get("notes", ""),
        "exercise": exercise,
    }


def fit_tree(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """FIT's flat step list as a tree: each repeat step wraps the nodes from its
    ``duration_value`` (a ``message_index``) up to itself."""
    built: list[tuple[int, dict[str, Any]]] = []
    for position, step in enumerate(steps):
        assert step["message_index"] == position
        if step["duration_type"] == "repeat_until_steps_cmplt":
            first = step["duration_value"]
            assert 0 <= first < position
            children = [node for start, node in built if start >= first]
            assert children
            assert built[-len(children)][0] == first
            del built[-len(children) :]
            built.append((first, {"repeat": step["target_value"], "steps": children}))
        else:
            built.append((position, _fit_node(step)))
    return [node for _, node in built]


def from_fit(data: bytes) -> dict[str, Any]:
    messages = decode(data)
    (file_id,) = messages["file_id_mesgs"]
    assert file_id["type"] == "workout"
    (workout,) = messages["workout_mesgs"]
    steps = messages["workout_step_mesgs"]
    assert workout["num_valid_steps"] == len(steps)
    sport = {("running", "generic"): "running", ("training", "strength_training"): "strength"}[
        (workout["sport"], workout["sub_sport"])
    ]
    return {
        "name": workout["wkt_name"],
        "notes": workout.get("wkt_description", ""),
        "sport": sport,
        "steps": fit_tree(steps),
    }


def _garmin_node(step: dict[str, Any]) -> dict[str, Any]:
    if step["type"] == "RepeatGroupDTO":
        return {
            "repeat": step["numberOfIterations"],
            "steps": [_garmin_node(s) for s in step["workoutSteps"]],
        }
    condition = step["endCondition"]["conditionTypeKey"]
    value = step.get("endConditionValue")
    end = {
        "distance": ("distance_m", value),
        "time": ("duration_s", value),
        "reps": ("reps", value),
        "lap.button": ("lap_button", None),
    }[condition]
    target_key = step["targetType"]["workoutTargetTypeKey"]
    target: tuple[Any, ...] | None
    if target_key == "no.target":
        target = None
    elif target_key == "pace.zone":
        # Garmin puts the faster speed first.
        target = ("speed_mps", step["targetValueTwo"], step["targetValueOne"])
    elif step.get("zoneNumber") is not None:
        target = ("hr_zone", step["zoneNumber"])
    else:
        target = ("hr_bpm", step["targetValueOne"], step["targetValueTwo"])
    exercise = None
    if step.get("category"):
        exercise = (step["category"].lower(), step["exerciseName"].lower())
        if step.get("weightValue") is not None:
            exercise = (*exercise, round(step["weightValue"] / 1000, 2))  # grams
    return {
        "role": _GARMIN_ROLES[step["stepType"]["stepTypeKey"]],
        "end": end,
        "target": target,
        "note": step.get("description", ""),
        "exercise": exercise,
    }


def from_garmin(payload: dict[str, Any]) -> dict[str, Any]:
    notes = MARKER_RE.sub("", payload["description"]).strip()
    return {
        "name": payload["workoutName"],
        "notes": notes,
        "sport": {1: "running", 5: "strength"}[payload["sportType"]["sportTypeId"]],
        "steps": [_garmin_node(s) for s in payload["workoutSegments"][0]["workoutSteps"]],
    }


def differences(fit: Any, garmin: Any, where: str = "") -> list[str]:
    """Where the two shapes differ. Numbers agree when FIT's rounding explains the gap (half a
    cm, ms or mm/s). FIT text is the Garmin text, or its start and ``...`` when longer than a
    FIT string holds (254 bytes)."""
    if isinstance(fit, dict) and isinstance(garmin, dict):
        if set(fit) != set(garmin):
            return [f"{where}: keys {sorted(fit)} != {sorted(garmin)}"]
        return [d for k in fit for d in differences(fit[k], garmin[k], f"{where}.{k}")]
    if isinstance(fit, list | tuple) and isinstance(garmin, list | tuple):
        if len(fit) != len(garmin):
            return [f"{where}: {len(fit)} items != {len(garmin)}"]
        return [
            d for i, (a, b) in enumerate(zip(fit, garmin, strict=True))
            for d in differences(a, b, f"{where}[{i}]")
        ]  # fmt: skip
    if isinstance(fit, str) and isinstance(garmin, str):
        if fit == garmin:
            return []
        cut = len(fit) <= 254 < len(garmin) and fit.endswith("...")
        if cut and garmin.startswith(fit[:-3]):
            return []
        return [f"{where}: {fit!r} != {garmin!r}"]
    if isinstance(fit, int | float) and isinstance(garmin, int | float):
        if abs(fit - garmin) <= 0.0006:  # mm/s against m/s to 4 decimals (speeds)
            return []
        if abs(fit - garmin) <= 0.006 and where.endswith("end[1]"):  # whole cm and ms
            return []
        return [f"{where}: {fit} != {garmin}"]
    if fit != garmin:
        return [f"{where}: {fit!r} != {garmin!r}"]
    return []
