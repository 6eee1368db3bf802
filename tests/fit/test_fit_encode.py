"""FIT workout files say what the Garmin JSON says: one plan, two encodings, decoded with the
official SDK and compared step by step (ends, targets, repeats, names, notes, exercises)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from athletes import build_inputs, population, runners
from fit_helpers import decode, differences, from_fit, from_garmin
from garmin_helpers import library_workouts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ampt_sync.domain import (
    End,
    Exercise,
    Repeat,
    Step,
    StepRole,
    Target,
    Workout,
    WorkoutKind,
)
from ampt_sync.fit import encode_workout
from ampt_sync.fit.encode import TEXT_MAX_BYTES, serial_number
from ampt_sync.garmin.encode import MAX_STEPS, EncodeError, encode
from ampt_sync.training import library
from ampt_sync.training.planner import generate_plan

DAY = date(2026, 12, 8)


def assert_same(workout: Workout, day: date = DAY) -> dict:
    fit = from_fit(encode_workout(workout, day=day))
    garmin = from_garmin(encode(workout).payload)
    assert differences(fit, garmin) == []
    return fit


# ------------------------------------------------------------------------------------------------
# every kind the workout library makes


@pytest.mark.parametrize("name", sorted(library_workouts()))
def test_every_library_workout_decodes_cleanly_and_matches_its_garmin_json(name: str) -> None:
    workout = library_workouts()[name]
    fit = assert_same(workout)
    assert fit["steps"], "a workout file with no steps"


def test_the_strength_circuit_names_the_seeds_five_exercises_from_fits_profile() -> None:
    messages = decode(encode_workout(library.strength_circuit("w-s"), day=DAY))
    (workout,) = messages["workout_mesgs"]
    assert (workout["sport"], workout["sub_sport"]) == ("training", "strength_training")
    steps = [s for s in messages["workout_step_mesgs"] if "exercise_category" in s]
    # Numbers from FIT's Profile (squat_exercise_name 29 = dumbbell_squat, and so on), written
    # here so that a wrong lookup cannot agree with itself.
    pairs = [(s["exercise_category"], s["exercise_name"], s.get("notes", "")) for s in steps]
    assert pairs == [
        ("squat", 29, "dumbbells at your sides"),
        ("deadlift", 2, ""),
        ("deadlift", 14, "left leg"),
        ("deadlift", 14, "right leg"),
        ("hip_raise", 12, ""),
        ("hip_raise", 31, "left leg"),
        ("hip_raise", 31, "right leg"),
    ]
    assert all(s["duration_type"] == "reps" and s["duration_reps"] == 10 for s in steps)
    repeat = messages["workout_step_mesgs"][-1]
    assert (repeat["duration_type"], repeat["duration_step"], repeat["repeat_steps"]) == (
        "repeat_until_steps_cmplt",
        0,
        3,
    )
    # FIT has no "skip the last rest": the round's 2-min rest is the repeat's last step.
    rest = messages["workout_step_mesgs"][-2]
    assert (rest["intensity"], rest["duration_time"]) == ("rest", 120.0)


# ------------------------------------------------------------------------------------------------
# raw FIT units, written out by hand


def test_ends_and_targets_are_in_fits_raw_units() -> None:
    workout = Workout(
        key="w-units",
        kind=WorkoutKind.INTERVALS,
        title="Units",
        steps=(
            Step(StepRole.WARMUP, End(duration_s=600), Target(hr_zone=2), note="easy"),
            Repeat(
                times=4,
                steps=(
                    Step(StepRole.WORK, End(distance_m=400), Target(pace_s_per_km=(240, 250))),
                    Step(StepRole.RECOVERY, End(duration_s=90.5), Target(hr_bpm=(120, 140))),
                ),
            ),
            Step(StepRole.COOLDOWN, End(lap_button=True)),
        ),
        notes="Four fast 400s.",
    )
    messages = decode(encode_workout(workout, day=DAY))
    warm, work, rec, repeat, cool = messages["workout_step_mesgs"]
    assert (warm["duration_value"], warm["target_type"], warm["target_value"]) == (
        600_000,
        "heart_rate",
        2,
    )
    assert warm["intensity"] == "warmup"
    assert warm["notes"] == "easy"
    assert work["duration_value"] == 40_000  # cm
    # mm/s: 1e6/250 = 4000 (the slow end, low) and 1e6/240 = 4166.7 (the fast end, high)
    assert (work["custom_target_value_low"], work["custom_target_value_high"]) == (4000, 4167)
    assert work["intensity"] == "active"
    assert rec["duration_value"] == 90_500
    assert (rec["custom_target_value_low"], rec["custom_target_value_high"]) == (220, 240)
    assert (repeat["duration_value"], repeat["target_value"]) == (1, 4)
    assert (cool["duration_type"], cool["target_type"]) == ("open", "open")
    (head,) = messages["workout_mesgs"]
    assert head == {
        "wkt_name": "Units",
        "sport": "running",
        "sub_sport": "generic",
        "num_valid_steps": 5,
        "wkt_description": "Four fast 400s.",
    }
    assert_same(workout)


def test_nested_repeats_and_a_known_weight_survive() -> None:
    squat = Exercise("Squat", "SQUAT", "DUMBBELL_SQUAT", weight_kg=12.5)
    workout = Workout(
        key="w-nest",
        kind=WorkoutKind.STRENGTH,
        title="Nested",
        steps=(
            Repeat(
                times=2,
                steps=(
                    Repeat(times=3, steps=(Step(StepRole.WORK, End(reps=8), exercise=squat),)),
                    Step(StepRole.REST, End(duration_s=60)),
                ),
            ),
        ),
    )
    fit = assert_same(workout)
    assert fit["steps"][0]["repeat"] == 2
    assert fit["steps"][0]["steps"][0]["repeat"] == 3
    assert fit["steps"][0]["steps"][0]["steps"][0]["exercise"] == (
        "squat",
        "dumbbell_squat",
        12.5,
    )


def test_the_file_is_the_same_bytes_for_the_same_workout_and_day() -> None:
    workout = library_workouts()["intervals"]
    first = encode_workout(workout, day=DAY)
    assert encode_workout(workout, day=DAY) == first
    (file_id,) = decode(first)["file_id_mesgs"]
    assert file_id["time_created"] == datetime(2026, 12, 8, tzinfo=UTC)
    assert file_id["serial_number"] == serial_number(workout.key) != 0
    assert encode_workout(workout, day=date(2026, 12, 9)) != first


def test_notes_longer_than_a_fit_string_are_shortened_not_lost_silently() -> None:
    workout = dataclasses.replace(library_workouts()["easy"], notes="Relax. " * 100)
    (head,) = decode(encode_workout(workout, day=DAY))["workout_mesgs"]
    assert TEXT_MAX_BYTES - 3 <= len(head["wkt_description"]) <= TEXT_MAX_BYTES
    assert head["wkt_description"].endswith("...")
    assert_same(workout)  # the FIT text is the start of the Garmin text


def test_what_no_watch_can_take_is_refused_with_the_reason() -> None:
    with pytest.raises(EncodeError, match="rest day"):
        encode_workout(Workout(key="w-r", kind=WorkoutKind.REST, title="Rest"), day=DAY)
    with pytest.raises(EncodeError, match="at least one step"):
        encode_workout(Workout(key="w-e", kind=WorkoutKind.EASY, title="Empty"), day=DAY)
    many = tuple(Step(StepRole.WORK, End(duration_s=60)) for _ in range(MAX_STEPS + 1))
    with pytest.raises(EncodeError, match=f"{MAX_STEPS + 1} steps"):
        encode_workout(Workout(key="w-m", kind=WorkoutKind.EASY, title="M", steps=many), day=DAY)
    odd = Exercise("Odd", "SQUAT", "NO_SUCH_SQUAT")
    strength = Workout(
        key="w-x",
        kind=WorkoutKind.STRENGTH,
        title="X",
        steps=(Step(StepRole.WORK, End(reps=5), exercise=odd),),
    )
    with pytest.raises(EncodeError, match=r"SQUAT/NO_SUCH_SQUAT.*fix the workout library"):
        encode_workout(strength, day=DAY)


# ------------------------------------------------------------------------------------------------
# properties: any workout the domain allows, and every workout of real plans

_ROLES = st.sampled_from(list(StepRole))
_ENDS = st.one_of(
    st.builds(End, distance_m=st.integers(50, 42_195).map(float)),
    st.builds(End, duration_s=st.integers(10, 4 * 3600).map(float)),
    st.just(End(lap_button=True)),
)
_TARGETS = st.one_of(
    st.none(),
    st.builds(
        lambda fast, extra: Target(pace_s_per_km=(fast, fast + extra)),
        st.floats(150, 500),
        st.floats(0, 60),
    ),
    st.builds(Target, hr_zone=st.integers(1, 5)),
    st.builds(
        lambda low, extra: Target(hr_bpm=(low, low + extra)),
        st.integers(60, 190),
        st.integers(0, 30),
    ),
)
# Garmin refuses step notes over 512 characters (the library's are short); FIT keeps 254.
_NOTES = st.sampled_from(["", "relax", "hard effort uphill", "über-steady – 5×1′", "y" * 300])
_STEPS = st.builds(Step, _ROLES, _ENDS, _TARGETS, _NOTES)
_TREES = st.recursive(
    _STEPS,
    lambda inner: st.builds(
        Repeat, st.integers(2, 8), st.lists(inner, min_size=1, max_size=3).map(tuple)
    ),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_TREES, min_size=1, max_size=5),
    st.sampled_from(sorted(set(WorkoutKind) - {WorkoutKind.REST, WorkoutKind.STRENGTH})),
    st.sampled_from(["", "Easy does it.\nLine two – with ½ a dash.", "z " * 400]),
)
def test_any_running_workout_says_in_fit_what_it_says_in_garmin_json(steps, kind, notes) -> None:
    workout = Workout(
        key="w-prop", kind=kind, title="Any – workout", steps=tuple(steps), notes=notes
    )
    try:
        encode(workout)
    except EncodeError:
        with pytest.raises(EncodeError):  # too many steps: both refuse
            encode_workout(workout, day=DAY)
        return
    assert_same(workout)


def _plan_workouts(spec) -> list[tuple[date, Workout]]:
    today = date(2026, 3, 2)
    inputs = build_inputs(spec, today)
    plan = generate_plan(inputs.goal, inputs.athlete, inputs.fitness, inputs.history, today)
    return [(d.day, w) for d in plan.days() for w in d.workouts if w.kind is not WorkoutKind.REST]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runners())
def test_every_workout_of_a_generated_plan_is_the_same_in_both_encodings(spec) -> None:
    for day, workout in _plan_workouts(spec):
        assert_same(workout, day)


def test_a_population_of_plans_covers_every_kind_the_planner_makes() -> None:
    """Twenty stratified runners' plans, encoded both ways: every session kind appears (so the
    property above is not blind to one) and each one agrees."""
    seen: dict[WorkoutKind, int] = {}
    for spec in population(seed=12, size=20):
        for day, workout in _plan_workouts(spec):
            if workout.kind in seen and seen[workout.kind] >= 40:
                continue  # enough of this kind; keeps the test quick
            assert_same(workout, day)
            seen[workout.kind] = seen.get(workout.kind, 0) + 1
    expected = set(WorkoutKind) - {WorkoutKind.REST}
    assert set(seen) == expected, f"kinds never planned: {expected - set(seen)}"
