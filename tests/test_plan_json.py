"""The plan's JSON contract: its documented shape, an exact round trip, and the content hash."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from ampt_sync import plan_json
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

HILLS = Workout(
    key="w-7f3a",
    kind=WorkoutKind.HILLS,
    title="Hills 4 × 2 min",
    distance_m=5500,
    duration_s=1800,
    steps=(
        Step(StepRole.WARMUP, End(distance_m=1609.344), note="conversational"),
        Repeat(
            times=4,
            steps=(
                Step(StepRole.WORK, End(duration_s=120), Target(hr_zone=4), note="uphill"),
                Step(StepRole.RECOVERY, End(duration_s=60), note="walk or jog down"),
            ),
        ),
        Step(StepRole.COOLDOWN, End(distance_m=1609.344)),
    ),
)
STRENGTH = Workout(
    key="w-81c2",
    kind=WorkoutKind.STRENGTH,
    title="Strength circuit",
    steps=(
        Repeat(
            times=3,
            steps=(
                Step(
                    StepRole.WORK,
                    End(reps=10),
                    exercise=Exercise("Squat", "SQUAT", "DUMBBELL_SQUAT", load="medium"),
                ),
                Step(StepRole.WORK, End(lap_button=True), Target(pace_s_per_km=(250.5, 260))),
                Step(StepRole.REST, End(duration_s=120), Target(hr_bpm=(100, 130))),
            ),
        ),
    ),
)
PLAN = Plan(
    generated_on=date(2026, 11, 22),
    fitness=Fitness(
        vdot=44.0,
        paces=Paces(easy=(329, 370), marathon=304, threshold=283, interval=260, repetition=240),
        source="race 2026-10-04 10K",
        confidence=Confidence.HIGH,
        as_of=date(2026, 11, 22),
    ),
    goal=Goal(distance_m=21097.5, day=date(2027, 4, 18), race="AMPT Half", target_s=6300),
    weeks=(
        PlanWeek(
            start=date(2026, 11, 23),
            phase=Phase.BASE,
            cutback=False,
            planned_distance_m=32000,
            days=(
                PlannedDay(date(2026, 11, 24), (HILLS, STRENGTH)),
                PlannedDay(date(2026, 11, 25), ()),
            ),
        ),
    ),
    changes=(Change(date(2026, 11, 26), "w-81c2", "Thursday's intervals moved to Friday."),),
    warnings=("goal looks ambitious",),
)


def test_the_documented_shape_of_a_hill_workout() -> None:
    assert plan_json.workout_to_dict(HILLS) == {
        "key": "w-7f3a",
        "kind": "hills",
        "title": "Hills 4 × 2 min",
        "distance_m": 5500,
        "duration_s": 1800,
        "notes": "",
        "steps": [
            {"type": "step", "role": "warmup", "end": {"distance_m": 1609.344}, "target": None,
             "note": "conversational"},
            {"type": "repeat", "times": 4, "steps": [
                {"type": "step", "role": "work", "end": {"duration_s": 120},
                 "target": {"hr_zone": 4}, "note": "uphill"},
                {"type": "step", "role": "recovery", "end": {"duration_s": 60}, "target": None,
                 "note": "walk or jog down"}]},
            {"type": "step", "role": "cooldown", "end": {"distance_m": 1609.344}, "target": None,
             "note": ""},
        ],
    }  # fmt: skip


def test_plan_survives_a_round_trip_through_json_text_exactly() -> None:
    text = plan_json.dumps(plan_json.plan_to_dict(PLAN))
    again = plan_json.plan_from_dict(json.loads(text))
    assert again == PLAN
    assert plan_json.dumps(plan_json.plan_to_dict(again)) == text


def test_top_level_keys_of_the_contract() -> None:
    data = plan_json.plan_to_dict(PLAN)
    assert set(data) == {"generated_on", "athlete", "goal", "weeks", "changes", "warnings"}
    assert data["athlete"]["paces_s_per_km"] == {
        "easy": [329, 370], "marathon": 304, "threshold": 283, "interval": 260, "repetition": 240
    }  # fmt: skip
    assert data["goal"] == {
        "race": "AMPT Half", "distance_m": 21097.5, "date": "2027-04-18", "target_s": 6300
    }  # fmt: skip
    assert data["changes"] == [
        {"date": "2026-11-26", "key": "w-81c2", "reason": "Thursday's intervals moved to Friday."}
    ]


@pytest.mark.parametrize("hot", [True, False])
def test_a_goal_said_hot_or_not_survives_a_round_trip(hot: bool) -> None:
    plan = dataclasses.replace(PLAN, goal=dataclasses.replace(PLAN.goal, hot=hot))
    data = plan_json.plan_to_dict(plan)
    assert data["goal"]["hot"] is hot
    text = plan_json.dumps(data)
    again = plan_json.plan_from_dict(json.loads(text))
    assert again == plan
    assert again.goal.hot is hot
    assert plan_json.dumps(plan_json.plan_to_dict(again)) == text


def test_a_goal_left_to_the_rule_of_thumb_keeps_the_old_bytes() -> None:
    # Plans stored before goal.hot existed have no "hot" key; they load as None and, written
    # again, give exactly the bytes they had (no key, no null).
    old_text = '{"date":"2027-04-18","distance_m":21097.5,"race":"AMPT Half","target_s":6300}'
    assert "hot" not in plan_json.goal_to_dict(PLAN.goal)
    assert plan_json.dumps(plan_json.goal_to_dict(PLAN.goal)) == old_text
    old = plan_json.plan_to_dict(PLAN)
    assert "hot" not in old["goal"]
    again = plan_json.plan_from_dict(json.loads(plan_json.dumps(old)))
    assert again.goal.hot is None
    assert again == PLAN


def test_content_hash_ignores_the_key_and_sees_every_visible_change() -> None:
    base = plan_json.content_hash(HILLS)
    assert plan_json.content_hash(dataclasses.replace(HILLS, key="w-other")) == base
    for changed in (
        dataclasses.replace(HILLS, title="Hills 5 × 2 min"),
        dataclasses.replace(HILLS, notes="hinge forward"),
        dataclasses.replace(HILLS, steps=HILLS.steps[:2]),
        dataclasses.replace(HILLS, distance_m=5600),
    ):
        assert plan_json.content_hash(changed) != base


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"distance_m": 100, "duration_s": 60}, "exactly one"),
        ({"duration_s": 0}, "positive"),
    ],
)
def test_a_step_end_is_exactly_one_positive_condition(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        End(**kwargs)


def test_targets_and_repeats_reject_what_garmin_would_misread() -> None:
    with pytest.raises(ValueError, match="fast, slow"):
        Target(pace_s_per_km=(300, 250))
    with pytest.raises(ValueError, match="1 to 5"):
        Target(hr_zone=6)
    with pytest.raises(ValueError, match="at least twice"):
        Repeat(times=1, steps=(Step(StepRole.WORK, End(duration_s=60)),))
    with pytest.raises(ValueError, match="at least one step"):
        Repeat(times=3, steps=())
