"""The AMPT workout library: the seed's hills and circuit exactly, speed sessions within Daniels'
limits, fuelling notes, and what every workout must be for the watch."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_helpers import flat_steps

from ampt_sync import plan_json
from ampt_sync.domain import (
    End,
    Goal,
    Paces,
    Repeat,
    Step,
    StepRole,
    Target,
    Workout,
    WorkoutKind,
)
from ampt_sync.training import library
from ampt_sync.training.fitness import training_paces
from ampt_sync.training.heat import HEAT_LONG_RUN_NOTE, HEAT_RACE_NOTE
from ampt_sync.training.library import (
    MAX_GARMIN_STEPS,
    MAX_TITLE_CHARS,
    easy_run,
    fartlek,
    hills,
    intervals,
    long_run,
    race,
    recovery_run,
    step_count,
    strength_circuit,
    strides,
    tempo,
    time_trial,
)
from ampt_sync.units import Units

MILE = 1609.344
PACES = training_paces(44)  # E 329–370, M 304, T 283, I 260, R 240 s/km


def _at_pace(workout: Workout, pace: float) -> float:
    """Metres of work steps whose target range holds ``pace``."""
    total = 0.0
    for step, times in flat_steps(workout.steps):
        target = step.target
        if step.role is not StepRole.WORK or target is None or target.pace_s_per_km is None:
            continue
        fast, slow = target.pace_s_per_km
        if not fast <= pace <= slow:
            continue
        if step.end.distance_m is not None:
            total += times * step.end.distance_m
        elif step.end.duration_s is not None:
            total += times * step.end.duration_s / ((fast + slow) / 2) * 1000
    return total


# ------------------------------------------------------------------------------------------------
# hills, as the seed prescribes


def test_hills_are_the_seeds_workout() -> None:
    workout = hills("w-1", PACES, reps=4)
    assert workout.kind is WorkoutKind.HILLS
    assert workout.title == "Hills 4 × 2 min"
    warmup, block, cooldown = workout.steps
    assert warmup == Step(
        StepRole.WARMUP, End(distance_m=MILE), Target(pace_s_per_km=(329, 370)),
        "conversational pace",
    )  # fmt: skip
    assert cooldown.role is StepRole.COOLDOWN
    assert cooldown.end == End(distance_m=MILE)
    assert isinstance(block, Repeat)
    assert block.times == 4
    up, down = block.steps
    assert isinstance(up, Step)
    assert isinstance(down, Step)
    assert (up.role, up.end, up.target) == (StepRole.WORK, End(duration_s=120), None)
    assert (down.role, down.end, down.target) == (StepRole.RECOVERY, End(duration_s=60), None)
    assert down.note == "walk or slow jog back down"


def test_hills_notes_carry_the_seeds_form_cues() -> None:
    notes = hills("w-1", PACES, reps=3).notes
    for cue in (
        "hinge forward slightly",
        "quick, short steps",
        "drive your knees up",
        "pump your arms",
        "a few strides on the flat",
        "Don't sprint downhill",
        "Warm up 1 mile at a conversational pace",
        "no pace target",
    ):
        assert cue in notes


def test_hills_use_a_heart_rate_range_never_a_pace_when_max_is_known() -> None:
    up = hills("w-1", PACES, reps=5, hr_max_bpm=190).steps[1].steps[0]  # type: ignore[union-attr]
    assert up.target == Target(hr_bpm=(152, 175))


@pytest.mark.parametrize(("asked", "given_reps"), [(1, 3), (3, 3), (5, 5), (8, 5)])
def test_hill_reps_stay_within_the_seeds_three_to_five(asked: int, given_reps: int) -> None:
    block = hills("w-1", PACES, reps=asked).steps[1]
    assert isinstance(block, Repeat)
    assert block.times == given_reps


@pytest.mark.parametrize(
    ("setting", "title", "words"),
    [
        ("treadmill", "Hills 4 × 2 min (treadmill)", "incline to 4–8 %"),
        ("garage", "Hills 4 × 2 min (parking garage)", "Parking garage"),
    ],
)
def test_hill_variants_for_treadmill_and_parking_garage(
    setting: str, title: str, words: str
) -> None:
    workout = hills("w-1", PACES, reps=4, setting=setting)
    assert workout.title == title
    assert words in workout.notes
    with pytest.raises(ValueError, match="outdoor, treadmill or garage"):
        hills("w-1", PACES, reps=4, setting="beach")


def test_hills_warm_up_may_be_shortened_by_the_planner() -> None:
    workout = hills("w-1", PACES, reps=3, warmup_m=1200, cooldown_m=1200)
    assert workout.steps[0].end == End(distance_m=1200)  # type: ignore[union-attr]
    assert workout.distance_m < hills("w-2", PACES, reps=3).distance_m


def test_hills_in_the_plan_json_match_the_documented_shape() -> None:
    data = plan_json.workout_to_dict(hills("w-7f3a", PACES, reps=4))
    assert data["steps"][1] == {
        "type": "repeat", "times": 4, "steps": [
            {"type": "step", "role": "work", "end": {"duration_s": 120}, "target": None,
             "note": "uphill, hard but controlled"},
            {"type": "step", "role": "recovery", "end": {"duration_s": 60}, "target": None,
             "note": "walk or slow jog back down"},
        ],
    }  # fmt: skip


# ------------------------------------------------------------------------------------------------
# the strength circuit, as the seed prescribes


def test_strength_circuit_is_one_repeat_of_the_seeds_exercises_then_rest() -> None:
    workout = strength_circuit("w-2")
    assert workout.kind is WorkoutKind.STRENGTH
    assert (workout.distance_m, workout.duration_s) == (0, 0)
    (block,) = workout.steps
    assert isinstance(block, Repeat)
    assert block.times == 3
    *exercises, rest = block.steps
    assert rest == Step(StepRole.REST, End(duration_s=120), note="rest 2 min")
    seen = [
        (s.exercise.garmin_category, s.exercise.garmin_exercise, s.exercise.load, s.note)  # type: ignore[union-attr]
        for s in exercises
    ]
    assert seen == [
        ("SQUAT", "DUMBBELL_SQUAT", "medium", "dumbbells at your sides"),
        ("DEADLIFT", "DUMBBELL_DEADLIFT", "medium", ""),
        ("DEADLIFT", "SINGLE_LEG_ROMANIAN_DEADLIFT_WITH_DUMBBELL", "medium", "left leg"),
        ("DEADLIFT", "SINGLE_LEG_ROMANIAN_DEADLIFT_WITH_DUMBBELL", "medium", "right leg"),
        ("HIP_RAISE", "WEIGHTED_HIP_RAISE", "heavy", ""),
        ("HIP_RAISE", "WEIGHTED_SINGLE_LEG_HIP_RAISE", "heavy", "left leg"),
        ("HIP_RAISE", "WEIGHTED_SINGLE_LEG_HIP_RAISE", "heavy", "right leg"),
    ]
    assert all(s.end == End(reps=10) for s in exercises)  # type: ignore[union-attr]


def test_strength_exercises_in_the_plan_json() -> None:
    data = plan_json.workout_to_dict(strength_circuit("w-2"))
    first = data["steps"][0]["steps"][0]
    assert first["end"] == {"reps": 10}
    assert first["exercise"] == {
        "name": "Dumbbell squat",
        "garmin_category": "SQUAT",
        "garmin_exercise": "DUMBBELL_SQUAT",
        "load": "medium",
    }
    assert plan_json.workout_from_dict(json.loads(json.dumps(data))) == strength_circuit("w-2")


def test_a_light_circuit_for_the_taper() -> None:
    workout = strength_circuit("w-3", rounds=2, light=True)
    assert workout.title == "Strength circuit 2 rounds (light)"
    block = workout.steps[0]
    assert isinstance(block, Repeat)
    assert block.times == 2
    assert {s.exercise.load for s in block.steps if s.exercise} == {"light"}  # type: ignore[union-attr]
    single = strength_circuit("w-4", rounds=1)
    assert len(single.steps) == 7
    assert not any(isinstance(s, Repeat) for s in single.steps)


# ------------------------------------------------------------------------------------------------
# speed


def test_intervals_default_to_standard_reps_of_about_three_and_a_half_minutes() -> None:
    workout = intervals("w-5", PACES, weekly_distance_m=40_000)
    assert workout.title == "Intervals 4 × 800 m"
    warmup, block, cooldown = workout.steps
    assert isinstance(block, Repeat)
    work, jog = block.steps
    assert work.target == Target(pace_s_per_km=(255, 265))  # type: ignore[union-attr]
    assert jog.end == End(duration_s=150)  # type: ignore[union-attr]
    assert (warmup.role, cooldown.role) == (StepRole.WARMUP, StepRole.COOLDOWN)  # type: ignore[union-attr]


def test_intervals_by_time_and_the_jog_is_never_longer_than_the_rep() -> None:
    workout = intervals("w-5", PACES, weekly_distance_m=60_000, rep_s=240)
    assert workout.title.startswith("Intervals ")
    assert workout.title.endswith(" × 4 min")
    block = workout.steps[1]
    assert isinstance(block, Repeat)
    work, jog = block.steps
    assert work.end == End(duration_s=240)  # type: ignore[union-attr]
    assert jog.end.duration_s <= 240  # type: ignore[union-attr, operator]


def test_interval_reps_outside_daniels_ranges_are_refused() -> None:
    with pytest.raises(ValueError, match="400 to 1600 m"):
        intervals("w", PACES, weekly_distance_m=40_000, rep_m=2000)
    with pytest.raises(ValueError, match="3 to 5 minutes"):
        intervals("w", PACES, weekly_distance_m=40_000, rep_s=400)


def test_tempo_is_twenty_minutes_at_most_and_cruise_intervals_rest_a_minute_a_mile() -> None:
    assert tempo("w", PACES, weekly_distance_m=100_000).title == "Tempo 20 min"
    assert tempo("w", PACES, weekly_distance_m=30_000).title == "Tempo 14 min"  # 3 km at T
    cruise = tempo("w", PACES, weekly_distance_m=60_000, cruise=True)
    assert cruise.title == "Cruise intervals 3 × 1 mile"
    block = cruise.steps[1]
    assert isinstance(block, Repeat)
    assert block.steps[1].end == End(duration_s=60)  # type: ignore[union-attr]


def test_fartlek_is_by_time() -> None:
    workout = fartlek("w", PACES, weekly_distance_m=30_000)
    assert workout.title == "Fartlek 5 × 2 min"
    assert all(step.end.duration_s for step, _ in flat_steps(workout.steps))


def test_strides_finish_an_easy_run_at_r_pace() -> None:
    workout = strides("w", PACES, distance_m=8000)
    assert workout.title == "Easy 8 km + 6 strides"
    assert workout.distance_m == pytest.approx(8000, abs=1)
    block = workout.steps[1]
    assert isinstance(block, Repeat)
    assert block.times == 6
    assert block.steps[0].target == Target(pace_s_per_km=(235, 245))  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------------
# long, easy and recovery runs


def test_long_run_at_easy_pace_with_fuelling_before_during_and_after() -> None:
    workout = long_run("w", PACES, distance_m=18_000, weight_kg=60)
    assert workout.title == "Long run 18 km"
    (step,) = workout.steps
    assert step.target == Target(pace_s_per_km=(329, 370))  # type: ignore[union-attr]
    assert workout.duration_s == pytest.approx(18 * 349.5, abs=1)  # 105 min
    lines = workout.notes.splitlines()
    assert [line.split(":")[0] for line in lines[1:]] == [
        "Before",
        "During",
        "After (within about an hour)",
    ]
    assert "30–60 g carbohydrate per hour" in workout.notes
    assert "(about 60–120 g for you)" in workout.notes


@pytest.mark.parametrize(
    ("distance_m", "words"),
    [
        (11_000, "no fuel needed; in the last third"),
        (18_000, "30–60 g carbohydrate per hour"),
        (30_000, "60–90 g carbohydrate per hour"),
    ],
)
def test_fuelling_depends_on_how_long_the_run_lasts(distance_m: float, words: str) -> None:
    assert words in long_run("w", PACES, distance_m=distance_m).notes


def test_without_a_weight_fuelling_stays_in_grams_per_kg() -> None:
    notes = long_run("w", PACES, distance_m=18_000).notes
    assert "for you" not in notes
    assert "1–2 g carbs per kg" in notes


def test_marathon_finish_is_capped_by_daniels_limits() -> None:
    workout = long_run("w", PACES, distance_m=30_000, marathon_finish_m=20_000,
                       weekly_distance_m=60_000)  # fmt: skip
    _easy, finish = workout.steps
    assert finish.end == End(distance_m=12_000)  # type: ignore[union-attr]  # 20 % of 60 km
    assert finish.target == Target(pace_s_per_km=(298, 310))  # type: ignore[union-attr]
    assert workout.title == "Long run 30 km, last 12 km at M"
    assert "at marathon pace" in workout.notes


def test_easy_and_recovery_runs() -> None:
    easy = easy_run("w", PACES, distance_m=8000)
    assert easy.title == "Easy 8 km"
    assert easy.steps[0].target == Target(pace_s_per_km=(329, 370))  # type: ignore[union-attr]
    recovery = recovery_run("w", PACES, duration_s=1800)
    assert recovery.title == "Recovery 30 min"
    assert recovery.duration_s == 1800
    assert recovery.steps[0].target == Target(pace_s_per_km=(350, 385))  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------------
# race and time trial


def test_race_day_is_the_goal_distance_at_the_predicted_pace() -> None:
    goal = Goal(21097.5, date(2027, 4, 18), "AMPT Half", target_s=6300)
    workout = race("w", goal, 6500)
    assert workout.kind is WorkoutKind.RACE
    assert workout.title == "Race: AMPT Half"
    assert (workout.distance_m, workout.duration_s) == (21097.5, 6500)
    assert "predicts 1:48:20" in workout.notes
    assert "Your target: 1:45:00." in workout.notes


@pytest.mark.parametrize("distance_m", [8_000, 18_000, 30_000])
def test_a_hot_race_puts_heat_advice_on_the_long_run_before_the_fuelling(
    distance_m: float,
) -> None:
    cool = long_run("w", PACES, distance_m=distance_m, weight_kg=60, marathon_finish_m=4000)
    hot = long_run("w", PACES, distance_m=distance_m, weight_kg=60, marathon_finish_m=4000,
                   hot=True)  # fmt: skip
    assert HEAT_LONG_RUN_NOTE not in cool.notes
    cool_lines = cool.notes.splitlines()
    # the run's own line, then the heat advice (a watch cuts descriptions at the end), then fuelling
    assert hot.notes.splitlines() == [cool_lines[0], HEAT_LONG_RUN_NOTE, *cool_lines[1:]]
    assert dataclasses.replace(hot, notes=cool.notes) == cool  # nothing else changes
    assert long_run("w", PACES, distance_m=distance_m, hot=False) == long_run(
        "w", PACES, distance_m=distance_m
    )


@pytest.mark.parametrize("predicted_s", [1300, 6500, 4 * 3600])
def test_a_hot_race_day_carries_heat_advice(predicted_s: float) -> None:
    goal = Goal(21097.5, date(2027, 7, 18), "AMPT Half", target_s=6300)
    cool = race("w", goal, predicted_s)
    hot = race("w", goal, predicted_s, hot=True)
    assert HEAT_RACE_NOTE not in cool.notes
    cool_lines = cool.notes.splitlines()
    assert hot.notes.splitlines() == [cool_lines[0], HEAT_RACE_NOTE, *cool_lines[1:]]
    assert dataclasses.replace(hot, notes=cool.notes) == cool
    assert race("w", goal, predicted_s, hot=False) == cool


def test_time_trial_measures_fitness_without_a_pace_target() -> None:
    workout = time_trial("w", PACES)
    assert workout.kind is WorkoutKind.RACE
    assert workout.title == "5K time trial"
    assert workout.steps[1].target is None  # type: ignore[union-attr]
    assert workout.steps[1].end == End(distance_m=5000)  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------------
# the runner's units: titles and notes in miles, targets in s/km


def _in_miles(workout: Workout) -> None:
    text = workout.title + "\n" + workout.notes
    assert "km" not in text, text
    assert "/mi" in workout.notes or workout.kind is WorkoutKind.HILLS, workout.notes


def test_a_miles_runners_easy_long_and_strides_read_in_miles() -> None:
    easy = easy_run("w", PACES, distance_m=7300, units="mi")
    assert easy.title == "Easy 4.5 mi"
    assert "(8:49–9:55/mi)" in easy.notes
    # only the words change: the watch still gets s/km targets and SI totals
    assert easy.steps == easy_run("w", PACES, distance_m=7300).steps
    assert easy.distance_m == 7300
    long = long_run("w", PACES, distance_m=12600, units="mi")
    assert long.title == "Long run 7.8 mi"
    finish = long_run(
        "w", PACES, distance_m=26000, weight_kg=61, marathon_finish_m=6000, units="mi"
    )
    assert finish.title == "Long run 16.2 mi, last 3.7 mi at M"
    assert "Finish the last 3.7 mi at marathon pace (8:00–8:19/mi)." in finish.notes
    assert "(about 61–122 g for you)" in finish.notes  # grams and kilograms stay metric
    stride = strides("w", PACES, distance_m=8000, units="mi")
    assert stride.title == "Easy 5 mi + 6 strides"
    assert "20 s at about 6:26/mi" in stride.notes
    recovery = recovery_run("w", PACES, duration_s=1800, units="mi")
    assert recovery.title == "Recovery 30 min"
    assert "(9:23–10:20/mi)" in recovery.notes
    for workout in (easy, long, finish, stride, recovery):
        _in_miles(workout)


def test_a_miles_runners_speed_sessions_keep_track_reps_in_metres_and_a_mile_as_a_mile() -> None:
    continuous = tempo("w", PACES, weekly_distance_m=40000, units="mi")
    assert continuous.title == "Tempo 18 min"
    assert "18 min continuous at T pace (7:26–7:45/mi)" in continuous.notes
    cruise = tempo("w", PACES, weekly_distance_m=60000, cruise=True, units="mi")
    assert cruise.title == "Cruise intervals 3 × 1 mile"
    assert "3 × 1 mile at T pace (7:26–7:45/mi)" in cruise.notes
    long_reps = tempo("w", PACES, weekly_distance_m=80000, cruise=True, rep_m=2 * MILE, units="mi")
    assert long_reps.title == "Cruise intervals 2 × 2 mi"
    metres = intervals("w", PACES, weekly_distance_m=40000, units="mi")
    assert metres.title == "Intervals 4 × 800 m"
    assert "4 × 800 m at I pace (6:50–7:06/mi)" in metres.notes
    timed = intervals("w", PACES, weekly_distance_m=40000, rep_s=180, units="mi")
    assert timed.title == "Intervals 4 × 3 min"
    play = fartlek("w", PACES, weekly_distance_m=40000, units="mi")
    assert play.title == "Fartlek 3 × 4 min"
    assert "(about I pace, 6:46–7:11/mi;" in play.notes
    for workout in (continuous, cruise, long_reps, metres, timed, play):
        _in_miles(workout)
        km_runner = {
            WorkoutKind.TEMPO: tempo,
            WorkoutKind.INTERVALS: intervals,
            WorkoutKind.FARTLEK: fartlek,
        }[workout.kind]
        assert workout.steps[0] == km_runner("w", PACES, weekly_distance_m=40000).steps[0]


def test_a_miles_runners_hills_warm_up_a_mile_or_a_shortened_distance_in_miles() -> None:
    seed = hills("w", PACES, reps=4, units="mi")
    assert seed.title == "Hills 4 × 2 min"
    assert "Warm up 1 mile at a conversational pace." in seed.notes
    assert "Cool down 1 mile easy." in seed.notes
    shortened = hills("w", PACES, reps=4, warmup_m=1400, cooldown_m=1400, units="mi")
    assert "Warm up 0.9 mi at a conversational pace." in shortened.notes
    for workout in (seed, shortened):
        _in_miles(workout)


def test_a_miles_runners_race_and_time_trial() -> None:
    named = race("w", Goal(21097.5, date(2027, 4, 18), "AMPT Half", target_s=6300), 6500,
                 units="mi")  # fmt: skip
    assert named.title == "Race: AMPT Half"
    assert "predicts 1:48:20 (8:16/mi)" in named.notes
    unnamed = race("w", Goal(15000, date(2027, 4, 18), None), 4000, units="mi")
    assert unnamed.title == "Race: 9.3 mi"
    assert race("w", Goal(15000, date(2027, 4, 18), None), 4000).title == "Race: 15 km"
    trial = time_trial("w", PACES, units="mi")
    assert trial.title == "5K time trial"  # race distances keep their names
    assert "warm up 1.2 mi easy, then run 3.1 mi as fast" in trial.notes
    assert "then 0.9 mi easy" in trial.notes
    mile = time_trial("w", PACES, distance_m=MILE, units="mi")
    assert mile.title == "1 mile time trial"
    assert time_trial("w", PACES, distance_m=MILE).title == "1.6K time trial"
    for workout in (named, unnamed, trial, mile):
        assert "km" not in workout.title + workout.notes
    assert "/mi" in named.notes


@pytest.mark.parametrize(
    ("workout", "title"),
    [
        (easy_run("w", PACES, distance_m=7300), "Easy 7.3 km"),
        (long_run("w", PACES, distance_m=12600), "Long run 12.6 km"),
        (long_run("w", PACES, distance_m=26000, marathon_finish_m=6000),
         "Long run 26 km, last 6 km at M"),
        (strides("w", PACES, distance_m=8000), "Easy 8 km + 6 strides"),
        (tempo("w", PACES, weekly_distance_m=40000), "Tempo 18 min"),
        (tempo("w", PACES, weekly_distance_m=60000, cruise=True), "Cruise intervals 3 × 1 mile"),
        (tempo("w", PACES, weekly_distance_m=80000, cruise=True, rep_m=2 * MILE),
         "Cruise intervals 2 × 3.2 km"),
        (intervals("w", PACES, weekly_distance_m=40000), "Intervals 4 × 800 m"),
        (fartlek("w", PACES, weekly_distance_m=40000), "Fartlek 3 × 4 min"),
        (hills("w", PACES, reps=4), "Hills 4 × 2 min"),
        (race("w", Goal(15000, date(2027, 4, 18), None), 4000), "Race: 15 km"),
        (time_trial("w", PACES), "5K time trial"),
        (time_trial("w", PACES, distance_m=MILE), "1.6K time trial"),
    ],
)  # fmt: skip
def test_a_km_runners_titles_are_as_they_were(workout: Workout, title: str) -> None:
    assert workout.title == title
    assert not re.search(r"\d mi\b|/mi\b", workout.title + workout.notes)


def test_km_is_the_default_and_the_same_as_asking_for_km() -> None:
    default = easy_run("w", PACES, distance_m=7300)
    assert easy_run("w", PACES, distance_m=7300, units="km") == default
    assert "(5:29–6:10/km)" in default.notes


# ------------------------------------------------------------------------------------------------
# what holds for every workout and every volume


def _all_workouts(paces: Paces, weekly_m: float, units: Units = "km") -> list[Workout]:
    run_m = max(3000.0, weekly_m / 5)
    return [
        easy_run("k", paces, distance_m=run_m, units=units),
        recovery_run("k", paces, duration_s=1800, units=units),
        long_run("k", paces, distance_m=0.3 * weekly_m, weight_kg=70, marathon_finish_m=6000,
                 weekly_distance_m=weekly_m, units=units),
        intervals("k", paces, weekly_distance_m=weekly_m, units=units),
        intervals("k", paces, weekly_distance_m=weekly_m, rep_m=400, units=units),
        intervals("k", paces, weekly_distance_m=weekly_m, rep_s=180, units=units),
        fartlek("k", paces, weekly_distance_m=weekly_m, units=units),
        tempo("k", paces, weekly_distance_m=weekly_m, units=units),
        tempo("k", paces, weekly_distance_m=weekly_m, cruise=True, units=units),
        strides("k", paces, distance_m=run_m, reps=10, weekly_distance_m=weekly_m, units=units),
        hills("k", paces, reps=5, hr_max_bpm=190, units=units),
        hills("k", paces, reps=3, setting="garage", units=units),
        strength_circuit("k"),
        race("k", Goal(42195.0, date(2027, 4, 18), "A marathon with a long name " * 4), 4 * 3600,
             units=units),
        race("k", Goal(15000.0, date(2027, 4, 18), None), 3600, units=units),
        time_trial("k", paces, units=units),
        time_trial("k", paces, distance_m=MILE, units=units),
    ]  # fmt: skip


@settings(deadline=None, max_examples=60)
@given(
    vdot=st.floats(min_value=30, max_value=80),
    weekly_km=st.floats(min_value=15, max_value=120),
    units=st.sampled_from(["km", "mi"]),
)
def test_every_workout_fits_a_watch_and_keeps_daniels_limits(
    vdot: float, weekly_km: float, units: Units
) -> None:
    paces = training_paces(vdot)
    weekly_m = weekly_km * 1000
    for workout in _all_workouts(paces, weekly_m, units):
        assert step_count(workout.steps) <= MAX_GARMIN_STEPS
        assert 0 < len(workout.title) <= MAX_TITLE_CHARS
        if units == "mi":
            assert "km" not in workout.title + workout.notes
        if workout.is_run:
            assert workout.distance_m > 0
            assert workout.duration_s > 0
        for step, _ in flat_steps(workout.steps):
            if step.target is not None and step.target.pace_s_per_km is not None:
                assert all(float(v).is_integer() for v in step.target.pace_s_per_km)
        assert plan_json.workout_from_dict(plan_json.workout_to_dict(workout)) == workout

    i_limit = min(10_000, 0.08 * weekly_m)
    assert _at_pace(intervals("k", paces, weekly_distance_m=weekly_m), paces.interval) <= i_limit
    assert _at_pace(fartlek("k", paces, weekly_distance_m=weekly_m), paces.interval) <= i_limit + 1
    for cruise in (False, True):
        session = tempo("k", paces, weekly_distance_m=weekly_m, cruise=cruise)
        assert _at_pace(session, paces.threshold) <= 0.10 * weekly_m + 1
    r_limit = min(8000, 0.05 * weekly_m)
    session = strides("k", paces, distance_m=8000, reps=10, weekly_distance_m=weekly_m)
    assert _at_pace(session, paces.repetition) <= r_limit
    finish = long_run("k", paces, distance_m=0.3 * weekly_m, marathon_finish_m=40_000,
                      weekly_distance_m=weekly_m)  # fmt: skip
    m_m = _at_pace(finish, paces.marathon)
    assert m_m <= min(29_000, 0.20 * weekly_m, 110 * 60 / paces.marathon * 1000)


@settings(deadline=None, max_examples=40)
@given(
    vdot=st.floats(min_value=30, max_value=80),
    weekly_km=st.floats(min_value=15, max_value=120),
    rep_m=st.sampled_from([400.0, 800.0, 1000.0, 1200.0, 1600.0]),
)
def test_interval_reps_are_daniels_reps(vdot: float, weekly_km: float, rep_m: float) -> None:
    paces = training_paces(vdot)
    for workout in (
        intervals("k", paces, weekly_distance_m=weekly_km * 1000),
        intervals("k", paces, weekly_distance_m=weekly_km * 1000, rep_m=rep_m),
    ):
        block = workout.steps[1]
        assert isinstance(block, Repeat)
        work, jog = block.steps
        assert isinstance(work, Step)
        assert isinstance(jog, Step)
        assert work.end.distance_m is not None
        assert 400 <= work.end.distance_m <= 1600
        work_s = work.end.distance_m / 1000 * paces.interval
        assert jog.end.duration_s is not None
        assert jog.end.duration_s <= work_s + 1


def test_fuelling_text_is_reusable() -> None:
    text = library.fuelling_notes(3 * 3600, weight_kg=50, race_pace=True)
    assert "(about 180–270 g for this run)" in text
    assert "at marathon pace" in text


def test_keys_are_kept_as_given() -> None:
    assert {w.key for w in _all_workouts(PACES, 40_000)} == {"k"}
    assert hills("w-abc", PACES, reps=3).key == "w-abc"


def test_a_circuit_never_outgrows_a_watch() -> None:
    workout = strength_circuit("k", rounds=20)
    assert step_count(workout.steps) <= MAX_GARMIN_STEPS
    with pytest.raises(ValueError, match="at least one round"):
        strength_circuit("k", rounds=0)
