"""The runner's instructions in the pure core (:mod:`ampt_sync.training.instructions`), applied
through the adaptation as every cycle applies them: what each kind does to the plan, the reasons
it gives, the nearest safe thing when a move would break a safety rule, idempotency; and, for
generated runners and random sequences of instructions, that no safety rule is newly broken, no
session is duplicated or lost except by skip (or an ill spell's rest days), and that taking the
last instruction back gives the plan without it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from athletes import RunnerSpec, build_inputs, runners
from hypothesis import example, given, settings
from hypothesis import strategies as st
from plan_helpers import Inputs, check_plan, describe, make_athlete, steady_history

from ampt_sync.domain import Goal, Instruction, InstructionKind, Plan, Workout, WorkoutKind
from ampt_sync.training.adapt import adapt_plan
from ampt_sync.training.fitness import estimate_fitness
from ampt_sync.training.instructions import (
    TIRED_LONG_MAX_S,
    TIRED_RUN_MAX_S,
    InstructionRefused,
    apply_instructions,
    in_force,
    prepare,
    summary,
    unwell_window,
)
from ampt_sync.training.measure import is_goal_race
from ampt_sync.training.planner import generate_plan
from ampt_sync.training.wording import dated_name

K = WorkoutKind
I = InstructionKind  # noqa: E741
TODAY = date(2026, 3, 2)  # a Monday


# ------------------------------------------------------------------------------------------------
# A runner in the speed phase: 5 run days, long run on Sunday, quality twice a week


@pytest.fixture(scope="module")
def setting():
    athlete = make_athlete((0, 1, 3, 5, 6), 6)
    goal = Goal(21097.5, TODAY + timedelta(weeks=6, days=6), "Spring Half")
    history = steady_history(athlete, TODAY, 40000)
    fitness = estimate_fitness(history, athlete, TODAY)
    plan = generate_plan(goal, athlete, fitness, history, TODAY)
    plan = adapt_plan(plan, history, athlete, goal, fitness, TODAY)
    return athlete, goal, history, fitness, plan


def steer(setting, plan: Plan, *instructions: Instruction) -> Plan:
    athlete, goal, history, fitness, _ = setting
    given: list[Instruction] = []
    for n, ins in enumerate(instructions, 1):
        given.append(prepare(plan, ins if ins.id else _with_id(ins, n), TODAY, given))
    return adapt_plan(plan, history, athlete, goal, fitness, TODAY, given)


def _with_id(ins: Instruction, n: int) -> Instruction:
    return replace(ins, id=n)


def run_on(plan: Plan, day: date) -> Workout | None:
    return next((w for d in plan.days() if d.day == day for w in d.workouts if w.is_run), None)


def day_of(plan: Plan, key: str) -> date | None:
    return next((d.day for d in plan.days() for w in d.workouts if w.key == key), None)


def first_day(plan: Plan, test, after: date = TODAY) -> date:
    return next(
        d.day for d in plan.days() if d.day >= after for w in d.workouts if w.is_run and test(w)
    )


# ------------------------------------------------------------------------------------------------
# move and swap


def test_a_move_keeps_the_key_and_trades_days_with_the_run_that_stood_there(setting) -> None:
    plan = setting[4]
    tue = first_day(plan, lambda w: w.kind is K.EASY)
    moving = run_on(plan, tue)
    target = next(
        d.day
        for d in plan.days()
        if d.day > tue + timedelta(days=1)
        and (r := run_on(plan, d.day)) is not None
        and r.kind is K.EASY
    )
    staying = run_on(plan, target)
    steered = steer(setting, plan, Instruction(I.MOVE, tue, TODAY, to_day=target))
    assert run_on(steered, target) == moving  # same key, same content
    assert run_on(steered, tue) == staying
    reasons = [c.reason for c in steered.changes]
    assert any("moved to" in r and "your instruction #1, move" in r for r in reasons), reasons
    assert any("to make room" in r for r in reasons), reasons
    # the rest of the plan is as it was
    others = {d.day: d.workouts for d in plan.days() if d.day not in (tue, target)}
    assert {d.day: d.workouts for d in steered.days() if d.day not in (tue, target)} == others


def test_adapting_again_with_the_same_instructions_changes_nothing(setting) -> None:
    athlete, goal, history, fitness, plan = setting
    tue = first_day(plan, lambda w: w.kind is K.EASY)
    ins = prepare(
        plan, Instruction(I.MOVE, tue, TODAY, to_day=tue + timedelta(days=2), id=1), TODAY
    )
    steered = adapt_plan(plan, history, athlete, goal, fitness, TODAY, [ins])
    assert steered is not plan
    assert adapt_plan(steered, history, athlete, goal, fitness, TODAY, [ins]) is steered
    assert apply_instructions(steered, [ins], athlete=athlete, goal=goal, today=TODAY) == (
        steered,
        (),
    )


def test_quality_moved_to_the_day_before_the_long_run_becomes_an_easy_run_and_says_why(
    setting,
) -> None:
    plan = setting[4]
    quality = first_day(plan, lambda w: w.is_quality)
    long_day = first_day(plan, lambda w: w.kind is K.LONG, after=quality)
    session = run_on(plan, quality)
    assert session is not None
    steered = steer(
        setting, plan, Instruction(I.MOVE, quality, TODAY, to_day=long_day - timedelta(days=1))
    )
    eased = run_on(steered, long_day - timedelta(days=1))
    assert eased is not None
    assert eased.key == session.key
    assert eased.kind is K.EASY
    assert run_on(steered, long_day) == run_on(plan, long_day)  # the long run keeps its place
    reason = next(c.reason for c in steered.changes if "instead" in c.reason)
    assert "the day before" in reason
    assert "long run would make two hard days in a row" in reason
    assert "your instruction #1" in reason


def test_a_long_run_moved_beside_a_quality_session_eases_that_session(setting) -> None:
    plan = setting[4]
    # the day before a quality session, with no hard day before it
    quality = next(
        d.day
        for d in plan.days()
        if d.day > TODAY + timedelta(days=1)
        and (r := run_on(plan, d.day)) is not None
        and r.is_quality
        and not hard(run_on(plan, d.day - timedelta(days=2)))
        and not hard(run_on(plan, d.day - timedelta(days=1)))
    )
    target = quality - timedelta(days=1)
    long_day = first_day(plan, lambda w: w.kind is K.LONG, after=quality)
    steered = steer(setting, plan, Instruction(I.MOVE, long_day, TODAY, to_day=target))
    moved = run_on(steered, target)
    assert moved is not None
    assert moved.kind is K.LONG
    eased = run_on(steered, quality)
    assert eased is not None
    assert eased.kind is K.EASY
    reason = next(c.reason for c in steered.changes if c.day == quality)
    assert "would make two hard days in a row" in reason, reason


def test_a_swap_trades_two_days_and_leaves_strength_in_place(setting) -> None:
    plan = setting[4]
    a = first_day(plan, lambda w: w.kind is K.EASY)
    b = first_day(plan, lambda w: w.kind is K.EASY, after=a + timedelta(days=2))
    steered = steer(setting, plan, Instruction(I.SWAP, a, TODAY, to_day=b))
    assert run_on(steered, a) == run_on(plan, b)
    assert run_on(steered, b) == run_on(plan, a)
    for day in (a, b):
        old = [w for d in plan.days() if d.day == day for w in d.workouts if not w.is_run]
        new = [w for d in steered.days() if d.day == day for w in d.workouts if not w.is_run]
        assert new == old


# ------------------------------------------------------------------------------------------------
# skip


def test_a_skip_drops_the_session_and_stacks_nothing(setting) -> None:
    plan = setting[4]
    quality = first_day(plan, lambda w: w.is_quality)
    session = run_on(plan, quality)
    assert session is not None
    steered = steer(setting, plan, Instruction(I.SKIP, quality, TODAY, why="late meeting"))
    assert day_of(steered, session.key) is None
    assert run_on(steered, quality) is None
    # nothing else changed: no session grew or moved to make up for it
    rest = {d.day: d.workouts for d in plan.days() if d.day != quality}
    assert {d.day: d.workouts for d in steered.days() if d.day != quality} == rest
    (change,) = steered.changes
    assert change.key == session.key
    assert "skipped, not made up later" in change.reason
    assert "(late meeting)" in change.reason


# ------------------------------------------------------------------------------------------------
# unwell


def test_tired_makes_the_days_easy_and_shorter_then_eases_back_in(setting) -> None:
    plan = setting[4]
    athlete = setting[0]
    steered = steer(setting, plan, Instruction(I.UNWELL, TODAY, TODAY, days=7, level="tired"))
    easy_mid = sum(plan.fitness.paces.easy) / 2
    for d in steered.days():
        if not TODAY <= d.day < TODAY + timedelta(days=7):
            continue
        for w in d.workouts:
            assert not w.is_quality, describe(steered)
            if w.kind is K.LONG:
                assert w.distance_m <= TIRED_LONG_MAX_S / easy_mid * 1000 + 1
            elif w.is_run:
                assert w.distance_m <= max(2000, TIRED_RUN_MAX_S / easy_mid * 1000) + 1
    # the return: no quality in the 7 days after
    after = [
        w
        for d in steered.days()
        if TODAY + timedelta(days=7) <= d.day < TODAY + timedelta(days=14)
        for w in d.workouts
    ]
    assert not any(w.is_quality for w in after)
    assert all("tired, 7 days from Monday" in c.reason for c in steered.changes)
    assert athlete.schedule.run_days  # (the run days themselves are untouched)
    assert {w.key for d in steered.days() for w in d.workouts} == {
        w.key for d in plan.days() for w in d.workouts
    }


def test_ill_makes_rest_days_but_keeps_the_race(setting) -> None:
    athlete, goal, _, _, plan = setting
    first = goal.day - timedelta(days=2)
    ins = Instruction(I.UNWELL, first, first, days=3, level="ill", id=1)
    steered, changes = apply_instructions(plan, [ins], athlete=athlete, goal=goal, today=first)
    for d in steered.days():
        if first <= d.day < first + timedelta(days=3):
            assert all(is_goal_race(w, d.day, goal) for w in d.workouts)
    assert any(is_goal_race(w, goal.day, goal) for d in steered.days() for w in d.workouts)
    assert any("race stays" in c.reason for c in changes)


def test_an_unwell_spell_ended_early_eases_no_day_after_its_end(setting) -> None:
    spell = Instruction(I.UNWELL, TODAY, TODAY, days=10, level="tired", id=1)
    end = Instruction(I.UNWELL_END, TODAY + timedelta(days=2), TODAY + timedelta(days=2), id=2)
    assert unwell_window(spell, [spell, end]) == (
        TODAY,
        TODAY + timedelta(days=2),
        TODAY + timedelta(days=4),
    )
    assert in_force([spell, end], TODAY + timedelta(days=3)) == [spell, end]
    assert in_force([spell, end], TODAY + timedelta(days=4)) == []


# ------------------------------------------------------------------------------------------------
# refusals


@pytest.mark.parametrize(
    ("ins", "words"),
    [
        (Instruction(I.SKIP, TODAY - timedelta(days=1), TODAY), "is in the past"),
        (Instruction(I.SKIP, TODAY + timedelta(days=400), TODAY), "outside the plan"),
    ],
)
def test_instructions_that_cannot_apply_say_why_and_what_to_do(setting, ins, words) -> None:
    with pytest.raises(InstructionRefused, match=words):
        prepare(setting[4], ins, TODAY)


def test_the_goal_race_cannot_be_moved_or_skipped(setting) -> None:
    goal = setting[1]
    with pytest.raises(InstructionRefused, match=r"goal race.*edit \[goal\]"):
        prepare(setting[4], Instruction(I.SKIP, goal.day, TODAY), TODAY)


def test_a_day_without_a_session_cannot_be_moved(setting) -> None:
    plan = setting[4]
    free = next(d.day for d in plan.days() if d.day > TODAY and not d.workouts)
    with pytest.raises(InstructionRefused, match="holds no session"):
        prepare(plan, Instruction(I.MOVE, free, TODAY, to_day=free + timedelta(days=1)), TODAY)


def test_ending_a_spell_needs_one(setting) -> None:
    with pytest.raises(InstructionRefused, match="not marked unwell"):
        prepare(setting[4], Instruction(I.UNWELL_END, TODAY, TODAY), TODAY, [])


# ------------------------------------------------------------------------------------------------
# Properties


def hard(w: Workout | None) -> bool:
    return w is not None and (w.is_quality or w.kind in (K.LONG, K.RACE))


SAFETY_WORDS = (
    "duplicate keys",
    "runs on one day",
    "over 1.1 ×",
    "quality on consecutive days",
    "quality the day before the long run",
)


def safety_problems(plan: Plan, inputs: Inputs) -> set[str]:
    """The plan's broken safety rules from today on: check_plan's (no duplicate keys, one run
    a day, the single-run cap, quality spacing) and two hard days in a row."""
    tune_ups = {
        d.day.isoformat() for d in plan.days() for w in d.workouts if w.key.startswith("t-")
    }
    problems = {
        p
        for p in check_plan(plan, inputs)
        if any(w in p for w in SAFETY_WORDS)
        # a race, like the goal race, is exempt from the single-run cap
        and not (p.split(":")[0] in tune_ups and "race" in p and "1.1 ×" in p)
        # with no run done or planned in the 30 days before (a break, then rest days), the
        # adaptation caps at the shortest run; check_plan has no floor there to measure by
        and not p.endswith("longest recent run 0 m")
    }
    runs = {
        d.day: next((w for w in d.workouts if w.is_run), None)
        for d in plan.days()
        if d.day >= inputs.today
    }
    for day, w in runs.items():
        nxt = runs.get(day + timedelta(days=1))
        if hard(w) and hard(nxt) and w is not None and nxt is not None:
            problems.add(f"{day}: two hard days in a row ({w.kind}, {nxt.kind})")
    return problems


def future_keys(plan: Plan, today: date) -> dict[str, date]:
    return {w.key: d.day for d in plan.days() if d.day >= today for w in d.workouts}


ORDERS = st.tuples(
    st.sampled_from([I.MOVE, I.SWAP, I.SKIP, I.UNWELL, I.UNWELL_END, I.RACE]),
    st.integers(0, 20),
    st.integers(0, 20),
    st.integers(1, 14),
    st.sampled_from(["tired", "ill"]),
)


#: A break of 18 days, then 8 days ill: nothing run or planned in the 30 days before the
#: return (the caps once made a run of 0 m there, then one over the cap).
AFTER_A_BREAK = RunnerSpec(
    goal_distance_m=5000.0, run_days=(0, 1, 2, 3, 4, 5, 6), long_run_day=0, weekly_m=21000.0,
    weeks_to_race=4, vdot=37.0, break_days=18, break_end_days_ago=1, hr_max_bpm=178,
    race_weekday=5,
)  # fmt: skip

ILL_AFTER_A_GAP = RunnerSpec(
    goal_distance_m=5000.0, run_days=(0, 1, 2), long_run_day=0, weekly_m=10000.0,
    weeks_to_race=4, vdot=30.0, long_share=0.25, break_days=10, break_end_days_ago=4,
    race_weekday=5,
)  # fmt: skip


@settings(max_examples=20, deadline=None)
@example(spec=AFTER_A_BREAK, orders=[(I.UNWELL, 0, 0, 8, "ill")])
@example(spec=replace(AFTER_A_BREAK, break_days=0), orders=[(I.UNWELL, 0, 0, 3, "ill")])
# A beginner's ill spell after a gap leaves 30 days without a run: the caps started again
# from 1 km runs, and a run with strides could not be shortened and was noted over and over.
@example(spec=ILL_AFTER_A_GAP, orders=[(I.UNWELL, 0, 0, 10, "ill")])
# Two moves of strength circuits that trade places: the second supersedes the first only if
# the first recorded the circuit it displaced.
@example(
    spec=replace(ILL_AFTER_A_GAP, run_days=(2, 3, 4), long_run_day=4, weeks_to_race=5,
                 break_days=0, break_end_days_ago=0),
    orders=[(I.MOVE, 19, 2, 1, "tired"), (I.MOVE, 19, 2, 1, "tired")],
)  # fmt: skip
# A time trial moved onto the day before a tune-up race: it gives way like quality.
@example(
    spec=replace(AFTER_A_BREAK, run_days=(0, 1, 2, 3, 4, 5, 6), long_run_day=6, weekly_m=21000.0,
                 vdot=30.0, break_days=6, break_end_days_ago=0, hr_max_bpm=None),
    orders=[(I.MOVE, 0, 0, 1, "tired"), (I.MOVE, 0, 0, 1, "tired"), (I.RACE, 1, 0, 1, "tired"),
            (I.MOVE, 0, 8, 1, "tired")],
)  # fmt: skip
# A strength circuit moved onto today, then today swapped with a day that holds only a strength
# circuit: the swap trades the two circuits and supersedes the move (it named today's long run).
@example(
    spec=RunnerSpec(5000.0, (2, 4, 6), 2, 10_000.0, 5, vdot=30.0, long_share=0.25,
                    history_weeks=12, hr_max_bpm=None, race_weekday=5),
    orders=[(I.MOVE, 0, 0, 1, "tired"), (I.MOVE, 10, 2, 1, "tired"), (I.SWAP, 17, 2, 1, "tired")],
)  # fmt: skip
@given(spec=runners(), orders=st.lists(ORDERS, min_size=1, max_size=4))
def test_random_instructions_keep_the_safety_rules_lose_nothing_and_undo_cleanly(
    spec, orders
) -> None:
    inputs = build_inputs(spec, TODAY)
    athlete, goal, fitness, history = inputs.athlete, inputs.goal, inputs.fitness, inputs.history
    plan = generate_plan(goal, athlete, fitness, history, TODAY)
    plan = adapt_plan(plan, history, athlete, goal, fitness, TODAY)
    known = safety_problems(plan, inputs)
    given_so_far: list[Instruction] = []
    for n, (kind, a, b, days, level) in enumerate(orders, 1):
        first, other = TODAY + timedelta(days=a), TODAY + timedelta(days=b)
        if kind in (I.MOVE, I.SWAP) and first == other:
            continue
        if kind is I.UNWELL_END:
            first = other = TODAY
        ins = Instruction(
            kind, first if kind is not I.UNWELL else TODAY, TODAY,
            to_day=other if kind in (I.MOVE, I.SWAP) else None,
            days=days if kind is I.UNWELL else 0, level=level if kind is I.UNWELL else "", id=n,
            distance_m=5000.0 if kind is I.RACE else 0.0,
            priority=("b" if level == "tired" else "c") if kind is I.RACE else "",
        )  # fmt: skip
        try:
            ins = prepare(plan, ins, TODAY, given_so_far)
        except InstructionRefused:
            continue
        before = plan
        given_so_far.append(ins)
        plan = adapt_plan(before, history, athlete, goal, fitness, TODAY, given_so_far)
        where = f"after #{n} {ins}\n{describe(plan)}"
        # no safety rule newly broken (the runner's choices may break the layout rules:
        # a run on another day than the plan's run days is theirs to make)
        assert safety_problems(plan, inputs) <= known, where
        known = safety_problems(plan, inputs) | known
        # no session duplicated, none new, none lost but by skip or an ill spell's rest days
        old, new = future_keys(before, TODAY), future_keys(plan, TODAY)
        assert {k for k in new if not k.startswith("t-")} <= set(old), where
        lost = set(old) - set(new)
        allowed = set(ins.keys) if ins.kind is I.SKIP else set()
        if ins.kind is I.RACE:  # race day's sessions give way, and the day before's strength
            eve = ins.day - timedelta(days=1)
            strength = {w.key for d in before.days() if d.day == eve for w in d.workouts
                        if w.kind is K.STRENGTH}  # fmt: skip
            allowed = {k for k, d in old.items() if d == ins.day} | strength
        for spell in given_so_far:  # an ill spell's days are rest days, whatever moves there
            if spell.kind is I.UNWELL and spell.level == "ill":
                start, end, _ = unwell_window(spell, given_so_far)
                allowed |= {k for k, d in old.items() if start <= d < end}
                if any(start <= d < end for d in (ins.day, ins.to_day) if d is not None):
                    allowed |= set(ins.keys)
        assert lost <= allowed, where
        # every change names an instruction (this one, or an unwell spell easing what this one
        # brought onto its days), but the safety caps' that follow (a long run eased lowers
        # the longest recent run that caps the next ones; rest days leave nothing to measure by)
        made = plan.changes if plan is not before else ()  # the same plan keeps its own
        assert all(
            re.search(r"your instruction #\d+,", c.reason)
            or "more than 10%" in c.reason
            or "nothing was run or planned in the 30 days before it" in c.reason
            for c in made
        ), where
        assert any(f"your instruction #{n}," in c.reason for c in made) or plan is before
        # idempotent: the plan already honours them
        assert adapt_plan(plan, history, athlete, goal, fitness, TODAY, given_so_far) is plan
        # undo (as the service does it): from the plan it was given on, without it
        undone = adapt_plan(before, history, athlete, goal, fitness, TODAY, given_so_far[:-1])
        assert undone.weeks == before.weeks, where


@pytest.mark.soak
@settings(max_examples=300, deadline=None)
@given(spec=runners(), orders=st.lists(ORDERS, min_size=1, max_size=6))
def test_soak_random_instructions_keep_the_safety_rules(spec, orders) -> None:
    inner = test_random_instructions_keep_the_safety_rules_lose_nothing_and_undo_cleanly
    inner.hypothesis.inner_test(spec, orders)


# ------------------------------------------------------------------------------------------------
# tune-up races


def test_a_tune_up_race_has_easy_days_before_recovery_after_and_counts_as_quality(
    setting,
) -> None:
    plan = setting[4]
    # a Saturday two weeks on: a parkrun before the Sunday long run
    saturday = TODAY + timedelta(days=12)
    assert saturday.weekday() == 5
    ins = Instruction(I.RACE, saturday, TODAY, distance_m=5000.0, name="Parkrun", priority="b")
    steered = steer(setting, plan, ins)
    (race,) = [w for d in steered.days() if d.day == saturday for w in d.workouts]
    assert race.kind is K.RACE
    assert race.key.startswith("t-")
    assert race.distance_m == 5000.0
    assert race.title == "Race: Parkrun"
    for n in (1, 2, 3):
        before = run_on(steered, saturday - timedelta(days=n))
        assert not hard(before)
    assert not any(
        w.kind is K.STRENGTH
        for d in steered.days()
        if d.day == saturday - timedelta(days=1)
        for w in d.workouts
    )
    after = run_on(steered, saturday + timedelta(days=1))
    assert after is not None
    assert after.kind is K.RECOVERY
    week = [
        w for d in steered.days() if 0 <= (d.day - (saturday - timedelta(days=5))).days < 7
        for w in d.workouts if w.is_quality
    ]  # fmt: skip
    assert len(week) <= 1  # the race is the week's other hard session
    assert all("Parkrun on Sat 14 Mar (B race)" in c.reason for c in steered.changes)
    # and it stays on its date: a move of its day is refused
    with pytest.raises(InstructionRefused, match="tune-up race"):
        prepare(
            steered, Instruction(I.MOVE, saturday, TODAY, to_day=saturday - timedelta(1)), TODAY
        )


def test_a_tune_up_race_on_the_goal_race_day_is_refused(setting) -> None:
    goal = setting[1]
    ins = Instruction(I.RACE, goal.day, TODAY, distance_m=5000.0, priority="c")
    with pytest.raises(InstructionRefused, match="goal race's day"):
        prepare(setting[4], ins, TODAY)


def test_after_an_ill_spell_with_nothing_run_for_30_days_the_first_run_back_is_the_shortest_run():
    inputs = build_inputs(ILL_AFTER_A_GAP, TODAY)
    athlete, goal, fitness, history = inputs.athlete, inputs.goal, inputs.fitness, inputs.history
    plan = adapt_plan(
        generate_plan(goal, athlete, fitness, history, TODAY), history, athlete, goal, fitness,
        TODAY,
    )  # fmt: skip
    ill = prepare(plan, Instruction(I.UNWELL, TODAY, TODAY, days=10, level="ill", id=1), TODAY, [])
    steered = adapt_plan(plan, history, athlete, goal, fitness, TODAY, [ill])
    runs = [(d.day, w) for d in steered.days() if d.day >= TODAY for w in d.workouts if w.is_run]
    first_day, first = runs[0]
    assert first_day >= TODAY + timedelta(days=10)
    # 15 minutes and 2 km (issue 9), not a 1 km run, and 10 % more at most after it
    assert first.distance_m == pytest.approx(2000.0, abs=100.0)
    assert all(w.distance_m >= 2000.0 - 1 for _, w in runs if w.kind is not K.RACE)
    (why,) = [c.reason for c in steered.changes if c.day == first_day and "shortened" in c.reason]
    assert "nothing was run or planned in the 30 days before it" in why
    # every change says something: no "shortened from 1.8 km to 1.8 km"
    for change in steered.changes:
        sizes = re.findall(r"shortened from ([\d.]+ km) to ([\d.]+ km)", change.reason)
        assert all(a != b for a, b in sizes), change.reason


# ------------------------------------------------------------------------------------------------
# a plan made afresh


def test_a_new_goal_keeps_a_move_on_its_days_though_every_key_changed(setting) -> None:
    athlete, goal, history, fitness, plan = setting
    tuesday = TODAY + timedelta(days=8)  # week 2: Tuesday is a run day, Wednesday is not
    ins = prepare(plan, Instruction(I.MOVE, tuesday, TODAY, to_day=tuesday + timedelta(days=1),
                                    id=1), TODAY)  # fmt: skip
    later_goal = replace(goal, day=goal.day + timedelta(weeks=2))  # every key hashes the goal
    fresh = adapt_plan(plan, history, athlete, later_goal, fitness, TODAY, [ins])
    assert fresh.changes[0].reason.startswith("New goal")
    assert day_of(fresh, ins.keys[0]) is None  # the key the runner's move named is gone
    wednesday_run = run_on(fresh, tuesday + timedelta(days=1))
    assert wednesday_run is not None
    assert run_on(fresh, tuesday) is None or run_on(fresh, tuesday) != wednesday_run
    (moved,) = [c for c in fresh.changes if c.key == wednesday_run.key and "moved to" in c.reason]
    assert "your instruction #1, move" in moved.reason
    # the next adaptation finds the plan honouring it: no second replan, nothing changes
    again = adapt_plan(fresh, history, athlete, later_goal, fitness, TODAY, [ins])
    assert again is fresh


def test_a_skip_after_a_new_goal_takes_the_session_now_on_its_day_or_says_there_is_none(
    setting,
) -> None:
    athlete, goal, history, fitness, plan = setting
    thursday = TODAY + timedelta(days=10)
    ins = prepare(plan, Instruction(I.SKIP, thursday, TODAY, id=1), TODAY)
    later_goal = replace(goal, day=goal.day + timedelta(weeks=2))  # every key hashes the goal
    fresh = adapt_plan(plan, history, athlete, later_goal, fitness, TODAY, [ins])
    assert day_of(fresh, ins.keys[0]) is None
    assert not any(d.workouts for d in fresh.days() if d.day == thursday and
                   any(w.is_run for w in d.workouts))  # fmt: skip
    (skipped,) = [c.reason for c in fresh.changes if c.day == thursday and "skipped" in c.reason]
    assert skipped.endswith("(your instruction #1, skip Thu 12 Mar's session).")
    # new run days without Thursday as well: Thursday holds nothing, and the change says so
    off_thursday = replace(
        athlete, schedule=replace(athlete.schedule, run_days=(0, 1, 2, 5, 6), strength_days=(0,))
    )
    fresh = adapt_plan(plan, history, off_thursday, later_goal, fitness, TODAY, [ins])
    assert not any(d.workouts for d in fresh.days() if d.day == thursday)
    said = [c.reason for c in fresh.changes if c.day == thursday and c.key is None]
    assert said == [
        "The plan made afresh has no session on Thu 12 Mar: nothing to skip there any more "
        "(your instruction #1, skip Thu 12 Mar's session)."
    ]


def test_a_new_goal_is_in_force_until_its_race_day_and_new_run_days_until_replaced() -> None:
    def config(kind: InstructionKind, n: int, after: object) -> Instruction:
        key = "date" if kind is I.GOAL else "run_days"
        return Instruction(kind, TODAY, TODAY, config=((key, None, after),), id=n)

    goal = config(I.GOAL, 1, (TODAY + timedelta(days=30)).isoformat())
    days = config(I.DAYS, 2, ("mon", "wed", "sat"))
    later_days = config(I.DAYS, 3, ("tue", "thu", "sun"))
    assert in_force([goal, days], TODAY) == [goal, days]
    assert in_force([goal, days, later_days], TODAY) == [goal, later_days]
    assert in_force([goal, days], TODAY + timedelta(days=31)) == [days]
    # a newer goal replaces an older one even once its own race day has passed
    newer = config(I.GOAL, 4, (TODAY + timedelta(days=5)).isoformat())
    assert in_force([goal, newer], TODAY + timedelta(days=10)) == []


def test_run_days_for_a_later_day_are_pending_replaced_by_later_ones_and_say_from_when() -> None:
    start = TODAY + timedelta(days=5)

    def days(n: int, after: tuple[str, ...], day: date, *, pending: bool) -> Instruction:
        config = (("run_days", ("tue", "thu", "sun"), after),)
        return Instruction(I.DAYS, day, TODAY, config=config, pending=pending, id=n)

    now = days(1, ("mon", "wed", "sat"), TODAY, pending=False)
    waiting = days(2, ("mon", "wed", "fri", "sun"), start, pending=True)
    # the newest run days count, pending or not: a pending one replaces those of before ...
    assert in_force([now, waiting], TODAY) == [waiting]
    # ... and a later one, given now or for another day, replaces a pending one
    later = days(3, ("tue", "sat"), TODAY, pending=False)
    assert in_force([now, waiting, later], TODAY) == [later]
    assert in_force([waiting, days(4, ("fri",), start, pending=True)], TODAY)[0].id == 4
    assert summary(waiting, TODAY) == f"run days Mon, Wed, Fri, Sun from {dated_name(start)}"
    assert summary(now, TODAY) == "run days Mon, Wed, Sat"
    # only run days wait for a day
    with pytest.raises(ValueError, match="only new run days"):
        Instruction(I.SKIP, start, TODAY, pending=True)
