"""Encoding a planned workout as Garmin workout JSON: the traps, one test each."""

from __future__ import annotations

import copy
import dataclasses

import pytest
from garmin_helpers import library_workouts

from ampt_sync.domain import End, Exercise, Repeat, Step, StepRole, Target, Workout, WorkoutKind
from ampt_sync.garmin.encode import (
    MAX_STEPS,
    NAME_MAX_CHARS,
    EncodeError,
    encode,
    parse_marker,
    second_opinion,
    stored_as_sent,
    validate,
    watch_text,
)
from ampt_sync.sim.garmin import garmin_validation_problem
from ampt_sync.training import library

MILE = 1609.344


def steps_of(payload: dict) -> list[dict]:
    return payload["workoutSegments"][0]["workoutSteps"]


def flat(steps: list[dict]) -> list[dict]:
    out = []
    for step in steps:
        out.append(step)
        out.extend(flat(step.get("workoutSteps", [])))
    return out


HILLS = Workout(
    key="w-7f3a",
    kind=WorkoutKind.HILLS,
    title="Hills 4 × 2 min",
    distance_m=5500,
    duration_s=1800,
    notes="Lean into the hill.",
    steps=(
        Step(StepRole.WARMUP, End(distance_m=MILE), note="conversational"),
        Repeat(
            times=4,
            steps=(
                Step(StepRole.WORK, End(duration_s=120), Target(hr_zone=4), note="uphill"),
                Step(StepRole.RECOVERY, End(lap_button=True), note="walk or jog down"),
            ),
        ),
        Step(StepRole.COOLDOWN, End(distance_m=MILE), Target(pace_s_per_km=(329, 370))),
    ),
)


def test_a_repeat_group_has_its_iterations_and_the_iterations_end_condition() -> None:
    group = steps_of(encode(HILLS).payload)[1]
    assert group["type"] == "RepeatGroupDTO"
    assert group["numberOfIterations"] == 4
    assert group["endCondition"]["conditionTypeId"] == 7
    assert group["endCondition"]["conditionTypeKey"] == "iterations"
    assert group["endConditionValue"] == 4.0
    assert group["stepType"] == {"stepTypeId": 6, "stepTypeKey": "repeat", "displayOrder": 6}
    assert group["smartRepeat"] is False


def test_step_order_counts_depth_first_and_child_step_id_marks_the_group() -> None:
    steps = flat(steps_of(encode(HILLS).payload))
    assert [s["stepOrder"] for s in steps] == [1, 2, 3, 4, 5]
    assert [s.get("childStepId") for s in steps] == [None, 1, 1, 1, None]


def test_nested_repeats_number_their_groups_in_order() -> None:
    inner = Repeat(times=2, steps=(Step(StepRole.WORK, End(duration_s=30)),))
    outer = Repeat(times=3, steps=(inner, Step(StepRole.RECOVERY, End(duration_s=60))))
    workout = Workout("w-n", WorkoutKind.INTERVALS, "Nested", steps=(outer,))
    steps = flat(steps_of(encode(workout).payload))
    assert [(s["stepOrder"], s.get("childStepId"), s["type"][0]) for s in steps] == [
        (1, 1, "R"),
        (2, 2, "R"),
        (3, 2, "E"),
        (4, 1, "E"),
    ]


def test_pace_targets_are_speeds_with_the_faster_bound_first() -> None:
    cooldown = steps_of(encode(HILLS).payload)[2]
    assert cooldown["targetType"]["workoutTargetTypeId"] == 6
    assert cooldown["targetValueOne"] == pytest.approx(1000 / 329, abs=1e-4)
    assert cooldown["targetValueTwo"] == pytest.approx(1000 / 370, abs=1e-4)
    assert cooldown["targetValueOne"] > cooldown["targetValueTwo"]


def test_heart_rate_zones_use_the_zone_number_and_bpm_ranges_the_values() -> None:
    uphill = flat(steps_of(encode(HILLS).payload))[2]
    assert uphill["targetType"]["workoutTargetTypeKey"] == "heart.rate.zone"
    assert uphill["zoneNumber"] == 4
    assert "targetValueOne" not in uphill
    bpm = Workout(
        "w-b", WorkoutKind.EASY, "HR", steps=(Step(StepRole.WORK, End(duration_s=600), Target(
            hr_bpm=(130, 145))),)
    )  # fmt: skip
    step = steps_of(encode(bpm).payload)[0]
    assert (step["targetValueOne"], step["targetValueTwo"]) == (130.0, 145.0)
    assert "zoneNumber" not in step


def test_steps_end_by_distance_time_or_the_lap_button() -> None:
    steps = flat(steps_of(encode(HILLS).payload))
    assert steps[0]["endCondition"]["conditionTypeKey"] == "distance"
    assert steps[0]["endConditionValue"] == MILE
    assert steps[2]["endCondition"]["conditionTypeKey"] == "time"
    assert steps[3]["endCondition"]["conditionTypeKey"] == "lap.button"
    assert "endConditionValue" not in steps[3]


def test_the_strength_circuit_is_one_group_of_the_seeds_exercises_in_order() -> None:
    payload = encode(library.strength_circuit("w-s")).payload
    assert payload["sportType"]["sportTypeKey"] == "strength_training"
    (group,) = steps_of(payload)
    assert group["numberOfIterations"] == 3
    names = [(s.get("category"), s.get("exerciseName")) for s in group["workoutSteps"]]
    assert names == [
        ("SQUAT", "DUMBBELL_SQUAT"),
        ("DEADLIFT", "DUMBBELL_DEADLIFT"),
        ("DEADLIFT", "SINGLE_LEG_ROMANIAN_DEADLIFT_WITH_DUMBBELL"),
        ("DEADLIFT", "SINGLE_LEG_ROMANIAN_DEADLIFT_WITH_DUMBBELL"),
        ("HIP_RAISE", "WEIGHTED_HIP_RAISE"),
        ("HIP_RAISE", "WEIGHTED_SINGLE_LEG_HIP_RAISE"),
        ("HIP_RAISE", "WEIGHTED_SINGLE_LEG_HIP_RAISE"),
        (None, None),
    ]
    exercises = group["workoutSteps"][:-1]
    assert all(s["endCondition"]["conditionTypeKey"] == "reps" for s in exercises)
    assert all(s["endConditionValue"] == 10.0 for s in exercises)
    rest = group["workoutSteps"][-1]
    assert rest["stepType"]["stepTypeKey"] == "rest"
    assert rest["endConditionValue"] == 120.0
    assert group["skipLastRestStep"] is True
    assert payload["estimatedDurationInSecs"] > 0


def test_a_known_weight_goes_in_grams_with_the_kilogram_unit() -> None:
    squat = Exercise("Dumbbell squat", "SQUAT", "DUMBBELL_SQUAT", weight_kg=12.5)
    workout = Workout(
        "w-k", WorkoutKind.STRENGTH, "Squats", steps=(Step(StepRole.WORK, End(reps=10),
        exercise=squat),)
    )  # fmt: skip
    step = steps_of(encode(workout).payload)[0]
    assert step["weightValue"] == 12500.0
    assert step["weightUnit"] == {"unitId": 8, "unitKey": "kilogram", "factor": 1000.0}


def test_an_exercise_missing_from_garmins_catalogue_fails_loudly() -> None:
    bogus = Exercise("Moon squat", "SQUAT", "MOON_SQUAT")
    workout = Workout(
        "w-m", WorkoutKind.STRENGTH, "Bad", steps=(Step(StepRole.WORK, End(reps=10),
        exercise=bogus),)
    )  # fmt: skip
    with pytest.raises(EncodeError, match=r"SQUAT/MOON_SQUAT.*catalogue"):
        encode(workout)


def test_names_are_plain_ascii_of_at_most_80_characters() -> None:
    workout = Workout(
        "w-l", WorkoutKind.EASY, "Très long — " + "x" * 100, steps=(
            Step(StepRole.WORK, End(duration_s=60)),)
    )  # fmt: skip
    name = encode(workout).payload["workoutName"]
    assert len(name) <= NAME_MAX_CHARS
    assert name.startswith("Tres long - x")
    assert name.isascii()
    assert encode(HILLS).payload["workoutName"] == "Hills 4 x 2 min"
    assert watch_text("5 × 1′ – easy…") == "5 x 1' - easy..."


def test_the_description_holds_the_notes_and_a_marker_with_the_key() -> None:
    encoded = encode(HILLS)
    description = encoded.payload["description"]
    assert description.startswith("Lean into the hill.")
    assert parse_marker(description) == ("w-7f3a", encoded.version)
    assert parse_marker("my own workout") is None


def test_the_long_run_description_carries_its_fuelling_notes() -> None:
    description = encode(library_workouts()["long"]).payload["description"]
    assert "carbohydrate" in description.lower() or "fuel" in description.lower()


def test_the_hash_changes_with_what_reaches_the_watch_only() -> None:
    other_key = dataclasses.replace(HILLS, key="w-other")
    assert encode(other_key).payload_hash == encode(HILLS).payload_hash  # days and keys aside
    changed = dataclasses.replace(HILLS, notes="New.")
    assert encode(changed).payload_hash != encode(HILLS).payload_hash


def test_at_most_50_steps() -> None:
    many = tuple(Step(StepRole.WORK, End(duration_s=60)) for _ in range(MAX_STEPS + 1))
    with pytest.raises(EncodeError, match="51 steps"):
        encode(Workout("w-x", WorkoutKind.EASY, "Too many", steps=many))


def test_the_estimated_duration_is_always_set() -> None:
    assert encode(HILLS).payload["estimatedDurationInSecs"] == 1800
    no_duration = Workout(
        "w-d", WorkoutKind.EASY, "Easy", steps=(Step(StepRole.WORK, End(distance_m=5000)),)
    )
    assert encode(no_duration).payload["estimatedDurationInSecs"] == 1800  # 6:00/km


def test_rest_days_are_never_encoded() -> None:
    with pytest.raises(EncodeError, match="rest days"):
        encode(Workout("w-r", WorkoutKind.REST, "Rest"))


def test_our_validation_rejects_what_garminconnect_would_let_through() -> None:
    payload = encode(HILLS).payload
    broken = copy.deepcopy(payload)
    del steps_of(broken)[1]["numberOfIterations"]
    # garminconnect's permissive models take it as a plain step and give it back unchanged...
    assert second_opinion(broken) == []
    # ...ours do not, nor does the simulated Garmin.
    assert validate(broken) != []
    assert garmin_validation_problem(broken) is not None
    for mutate in (
        lambda p: steps_of(p)[1].pop("endCondition"),
        lambda p: steps_of(p)[0].update(unknownField=1),
        lambda p: steps_of(p)[2].update(targetValueOne=1.0),
        lambda p: steps_of(p)[1]["workoutSteps"][0].update(childStepId=9),
        lambda p: steps_of(p)[2].update(stepOrder=9),
        lambda p: p.update(description="no marker"),
        lambda p: p.update(workoutName="Tr\u00e8s"),
    ):
        bad = copy.deepcopy(payload)
        mutate(bad)
        assert validate(bad) != [], mutate


def test_stored_as_sent_ignores_what_the_server_adds_but_not_what_it_changes() -> None:
    payload = encode(HILLS).payload
    stored = copy.deepcopy(payload)
    stored.update(workoutId=1, ownerId=2, createdDate="x", author={})
    for i, step in enumerate(flat(steps_of(stored))):
        step["stepId"] = i
    assert stored_as_sent(payload, stored)
    steps_of(stored)[1]["numberOfIterations"] = 1
    assert not stored_as_sent(payload, stored)


@pytest.mark.parametrize("name", sorted(library_workouts()))
def test_every_library_workout_passes_both_validations(name: str) -> None:
    payload = encode(library_workouts()[name]).payload
    assert validate(payload) == []
    assert second_opinion(payload) == []
    assert garmin_validation_problem(payload) is None
