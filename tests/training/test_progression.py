"""Speed sessions that progress through a build: Daniels' limits on every session (science note
§1.4, §3.7, §4.4), work that never goes down, shapes that change, and shapes read back from the
watch workout for re-rendering with new paces."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from plan_helpers import flat_steps

from ampt_sync.domain import Paces, Repeat, Step, StepRole, Workout, WorkoutKind
from ampt_sync.training.fitness import training_paces
from ampt_sync.training.library import (
    MAX_GARMIN_STEPS,
    MILE_M,
    easy_run,
    hills,
    intervals,
    step_count,
    strength_circuit,
)
from ampt_sync.training.progression import (
    MIN_FARTLEK_HARD_S,
    MIN_REPS,
    MIN_TEMPO_MIN,
    SessionShape,
    render_session,
    session_chain,
    session_shape,
    shape_of,
    shape_work_m,
    slot_shape,
)

INTERVALS, TEMPO, FARTLEK = WorkoutKind.INTERVALS, WorkoutKind.TEMPO, WorkoutKind.FARTLEK
RACES_M = (5000.0, 10000.0, 21097.5, 42195.0)
PACES = training_paces(45)  # T 278, I 256 s/km (DRF table: T 4:38, I 4:16 per km)


def _build(
    kind: WorkoutKind, week_km: float, *, paces: Paces = PACES, race_m: float = 5000.0,
    count: int = 6,
) -> list[SessionShape]:  # fmt: skip
    """The build's shapes of ``kind``; empty when the week cannot hold its smallest session
    (then every index says so: the chain depends on the week, not on the index)."""
    shapes = [
        session_shape(
            kind, index=i, count=count, week_m=week_km * 1000, paces=paces, race_distance_m=race_m
        )
        for i in range(count)
    ]
    if shapes[0] is None:
        assert all(shape is None for shape in shapes)
        return []
    return [shape for shape in shapes if shape is not None]


def _slots(
    kind: WorkoutKind, week_km: float, *, paces: Paces = PACES, race_m: float = 5000.0,
    count: int = 6,
) -> list[SessionShape | None]:  # fmt: skip
    return [
        slot_shape(
            kind, index=i, count=count, week_m=week_km * 1000, paces=paces, race_distance_m=race_m
        )
        for i in range(count)
    ]


def _reps(reps: int, rep_m: float | None = None, rep_s: float | None = None) -> SessionShape:
    return SessionShape(INTERVALS, reps=reps, rep_m=rep_m, rep_s=rep_s)


def _cruise(reps: int, rep_m: float) -> SessionShape:
    return SessionShape(TEMPO, reps=reps, rep_m=rep_m, cruise=True)


def _tempo(minutes: int) -> SessionShape:
    return SessionShape(TEMPO, minutes=minutes)


def _fartlek(reps: int, on_s: float, off_s: float) -> SessionShape:
    return SessionShape(FARTLEK, reps=reps, on_s=on_s, off_s=off_s)


def _hard_m(workout: Workout, paces: Paces) -> float:
    """Metres of hard running in a rendered workout: work steps by distance, or by time at T
    (tempo) or I pace (intervals, fartlek)."""
    pace = paces.threshold if workout.kind is TEMPO else paces.interval
    total = 0.0
    for step, times in flat_steps(workout.steps):
        if step.role is StepRole.WORK:
            if step.end.distance_m is not None:
                total += times * step.end.distance_m
            else:
                assert step.end.duration_s is not None
                total += times * step.end.duration_s / pace * 1000
    return total


# ------------------------------------------------------------------------------------------------
# mile repeats in the library


@pytest.mark.parametrize("units", ["km", "mi"])
def test_a_mile_is_an_interval_rep_and_reads_1_mile(units: str) -> None:
    workout = intervals("w", PACES, weekly_distance_m=100_000, rep_m=MILE_M, reps=4, units=units)  # type: ignore[arg-type]
    assert workout.title == "Intervals 4 × 1 mile"
    block = workout.steps[1]
    assert isinstance(block, Repeat)
    assert block.steps[0].end.distance_m == MILE_M  # type: ignore[union-attr]


@pytest.mark.parametrize("rep_m", [1601.0, 1700.0, 2 * MILE_M])
def test_reps_longer_than_1600_m_other_than_the_mile_are_still_refused(rep_m: float) -> None:
    with pytest.raises(ValueError, match="400 to 1600 m or 1 mile"):
        intervals("w", PACES, weekly_distance_m=100_000, rep_m=rep_m)


# ------------------------------------------------------------------------------------------------
# intervals


def test_intervals_at_vdot_45_lengthen_to_five_minute_reps_within_eight_percent() -> None:
    # I 4:16/km: 1200 m takes 5:07 and a mile 6:52, over Daniels' 5 min, so the longer reps
    # are 5 min by time; 6 × 5 min is 7.0 km at I pace, within 8 % of 100 km.
    five_min = 300.0
    assert _build(INTERVALS, 100) == [
        _reps(5, 800.0),
        _reps(4, 1000.0),
        _reps(4, rep_s=five_min),
        _reps(4, rep_s=five_min),
        _reps(5, rep_s=five_min),
        _reps(6, rep_s=five_min),
    ]
    assert shape_work_m(_reps(6, rep_s=five_min), PACES) == pytest.approx(7031, abs=1)


def test_mile_repeats_come_only_when_a_mile_at_i_pace_takes_five_minutes_or_less() -> None:
    fast = training_paces(67)  # I 3:05/km: a mile in 4:58
    slower = training_paces(65)  # I 3:10/km: a mile in 5:06
    assert MILE_M / 1000 * fast.interval <= 300 < MILE_M / 1000 * slower.interval
    assert _build(INTERVALS, 100, paces=fast)[-2:] == [_reps(3, MILE_M), _reps(4, MILE_M)]
    for week_km in (40, 65, 100, 160):
        for count in (1, 6, 12):
            for shape in _build(INTERVALS, week_km, paces=slower, count=count):
                assert shape.rep_m != MILE_M
    assert _build(INTERVALS, 160, paces=slower)[-1] == _reps(6, rep_s=300.0)


def test_a_5k_runner_reaches_the_longer_reps_sooner_than_a_marathoner() -> None:
    # 65 km a week, I limit 5.2 km. The 5K runner lengthens at once; the marathoner adds a rep
    # at each length first and ends on more volume of shorter reps.
    five_k = _build(INTERVALS, 65, race_m=5000)
    marathon = _build(INTERVALS, 65, race_m=42195)
    assert five_k == [
        _reps(3, 800.0), _reps(3, 1000.0), _reps(3, 1000.0),
        _reps(3, rep_s=300.0), _reps(3, rep_s=300.0), _reps(4, rep_s=300.0),
    ]  # fmt: skip
    assert marathon == [
        _reps(3, 800.0), _reps(4, 800.0), _reps(4, 800.0),
        _reps(4, 1000.0), _reps(4, 1000.0), _reps(5, 1000.0),
    ]  # fmt: skip


def test_a_15_km_week_gets_three_by_400_m_which_is_eight_percent() -> None:
    # 8 % of 15 km is 1.2 km: three 400s; three 600s (1.8 km) do not fit.
    assert _build(INTERVALS, 15, count=1) == [_reps(3, 400.0)]


def test_a_week_that_holds_three_600s_starts_from_them_not_from_400s() -> None:
    # 8 % of 25 km is 2.0 km: 3 × 600 m fits, 3 × 800 m does not; a 400 is too short a rep
    # to choose when a longer one gives 3 reps.
    build = _build(INTERVALS, 25)
    assert build[0] == _reps(3, 600.0)
    assert all(shape.rep_m == 600.0 for shape in build)


def test_no_interval_session_has_fewer_than_three_reps_and_a_ten_km_week_has_none() -> None:
    # 8 % of 10 km is 800 m: not three 400s. The old plan gave 2 × 400 m.
    assert _build(INTERVALS, 10, count=1) == []
    for week_km in (12, 15, 20, 26, 30, 35, 40):
        for count in (1, 4, 8, 12):
            assert all((s.reps or 0) >= 3 for s in _build(INTERVALS, week_km, count=count))


def test_no_interval_session_passes_ten_km_however_big_the_week() -> None:
    for vdot in (30, 50, 70):
        paces = training_paces(vdot)
        for shape in _build(INTERVALS, 160, paces=paces, count=12):
            assert shape_work_m(shape, paces) <= 10_000


# ------------------------------------------------------------------------------------------------
# tempo


def test_tempo_goes_from_15_to_20_minutes_then_to_cruise_miles() -> None:
    # T limit 10 km at 100 km a week; 6 × 1 mile = 9.66 km.
    build = _build(TEMPO, 100)
    assert build == [
        _tempo(15), _tempo(20),
        _cruise(3, MILE_M), _cruise(4, MILE_M), _cruise(5, MILE_M), _cruise(6, MILE_M),
    ]  # fmt: skip
    cruise = render_session("w", build[2], PACES, week_m=100_000, warmup_m=None, units="km")
    assert cruise.title == "Cruise intervals 3 × 1 mile"
    block = cruise.steps[1]
    assert isinstance(block, Repeat)
    assert block.steps[1].end.duration_s == 60  # type: ignore[union-attr]  # 1 min per mile


def test_a_marathoners_tempo_goes_on_to_two_mile_cruise_intervals() -> None:
    build = _build(TEMPO, 100, race_m=42195)
    assert build[:4] == [_tempo(15), _tempo(20), _cruise(3, MILE_M), _cruise(4, MILE_M)]
    assert build[4:] == [_cruise(2, 2 * MILE_M), _cruise(3, 2 * MILE_M)]
    top = render_session("w", build[-1], PACES, week_m=100_000, warmup_m=None, units="mi")
    assert top.title == "Cruise intervals 3 × 2 mi"
    block = top.steps[1]
    assert isinstance(block, Repeat)
    assert block.steps[1].end.duration_s == 120  # type: ignore[union-attr]
    assert _hard_m(top, PACES) <= 10_000


def test_a_week_that_cannot_hold_ten_minutes_of_tempo_has_no_tempo() -> None:
    # 15 km a week: T limit 1.5 km, 6.9 min at 4:38/km. The old plan gave "Tempo 3 min" up to
    # "Tempo 6 min"; 10 minutes need about 22 km.
    assert _build(TEMPO, 15) == []
    assert _build(TEMPO, 23, count=1) == [_tempo(10)]


def test_a_small_weeks_tempo_starts_at_ten_minutes() -> None:
    # 30 km a week: T limit 3 km, 13.9 min; the chain used to start at 7 minutes.
    build = _build(TEMPO, 30)
    assert build[0] == _tempo(10)
    assert all(s.cruise or (s.minutes or 0) >= MIN_TEMPO_MIN for s in build)


def test_continuous_tempo_never_passes_twenty_minutes() -> None:
    for week_km in (65, 100, 160):
        for count in (1, 6, 12):
            for shape in _build(TEMPO, week_km, count=count, race_m=42195):
                assert shape.cruise or (shape.minutes or 0) <= 20


# ------------------------------------------------------------------------------------------------
# fartlek


def test_fartlek_grows_in_reps_and_time_on_within_the_i_limit() -> None:
    build = _build(FARTLEK, 65)
    assert build == [
        _fartlek(6, 120, 60), _fartlek(7, 120, 60), _fartlek(5, 180, 120),
        _fartlek(5, 180, 120), _fartlek(6, 180, 120), _fartlek(5, 240, 180),
    ]  # fmt: skip
    assert shape_work_m(build[-1], PACES) <= 0.08 * 65_000  # 20 min at 4:16/km = 4.7 km


def test_a_fartleks_warm_up_is_warmup_m_in_whole_minutes_of_easy_running() -> None:
    shape = _fartlek(5, 180, 120)
    workout = render_session("w", shape, PACES, week_m=65_000, warmup_m=3000, units="km")
    warmup = workout.steps[0]
    assert isinstance(warmup, Step)
    assert warmup.role is StepRole.WARMUP
    assert warmup.end.duration_s == 17 * 60  # 3 km at 5:43/km, the middle of E


# ------------------------------------------------------------------------------------------------
# a quality day too small for its kind


def test_a_tempo_day_too_small_for_ten_minutes_becomes_a_fartlek() -> None:
    # 15 km a week: no 10-minute tempo, but 8 % (1.2 km, 5 min at I pace) holds 4 × 1 min.
    assert _slots(TEMPO, 15, count=1) == [_fartlek(4, 60, 60)]


def test_an_interval_day_too_small_for_three_reps_becomes_a_fartlek() -> None:
    # 14 km a week: 8 % is 1.12 km, not three 400s; it holds 4 × 1 min at I effort.
    assert _build(INTERVALS, 14, count=1) == []
    assert _slots(INTERVALS, 14, count=1) == [_fartlek(4, 60, 60)]


def test_a_week_too_small_for_any_speed_session_gets_none() -> None:
    # 10 km a week: 800 m of I running is 3.4 min, under the fartlek's 4 minutes.
    for kind in (TEMPO, INTERVALS, FARTLEK):
        assert _slots(kind, 10, count=3) == [None, None, None]


def test_a_16_km_week_at_vdot_64_has_no_tempo_and_no_fartlek() -> None:
    # The runner of the issue: T limit 1.6 km is 5.6 min at 3:29/km ("Tempo 3 min" before);
    # I limit 1.28 km is under 4 minutes at I pace, so the day runs easy with strides.
    fast = training_paces(64)
    assert _slots(TEMPO, 16, paces=fast, count=4) == [None] * 4
    assert _slots(INTERVALS, 16, paces=fast, count=4) == [_reps(3, 400.0)] * 4


def test_a_kind_with_too_few_shapes_alternates_with_a_fartlek() -> None:
    # 26 km a week: tempo holds only 10 and 11 minutes; six tempo days would repeat them
    # three times running, so tempo and fartlek take turns, each progressing.
    own = session_chain(TEMPO, count=6, week_m=26_000, paces=PACES, race_distance_m=10_000)
    assert own == [_tempo(10), _tempo(11)]
    assert _slots(TEMPO, 26, count=6, race_m=10_000) == [
        _tempo(10), _fartlek(4, 60, 60), _tempo(11),
        _fartlek(3, 120, 60), _tempo(11), _fartlek(4, 120, 60),
    ]  # fmt: skip


def test_a_kind_with_shapes_enough_keeps_its_own_chain() -> None:
    assert _slots(TEMPO, 100) == _build(TEMPO, 100)
    assert _slots(INTERVALS, 65) == _build(INTERVALS, 65)


# ------------------------------------------------------------------------------------------------
# the build as a whole


def test_a_single_session_is_the_top_of_the_chain_and_later_ones_stay_there() -> None:
    chain = session_chain(INTERVALS, count=6, week_m=100_000, paces=PACES, race_distance_m=5000)
    assert _build(INTERVALS, 100, count=1) == [chain[-1]]
    late = session_shape(
        INTERVALS, index=9, count=6, week_m=100_000, paces=PACES, race_distance_m=5000
    )
    assert late == chain[-1]


def test_the_same_inputs_give_the_same_shapes() -> None:
    assert _build(FARTLEK, 50, count=8) == _build(FARTLEK, 50, count=8)


@pytest.mark.parametrize(
    ("kind", "index", "count", "week_m", "message"),
    [
        (WorkoutKind.EASY, 0, 4, 50_000, "no progression"),
        (INTERVALS, -1, 4, 50_000, "index"),
        (INTERVALS, 0, 0, 50_000, "at least one"),
        (TEMPO, 0, 4, 0, "positive"),
    ],
)
def test_bad_requests_are_refused(
    kind: WorkoutKind, index: int, count: int, week_m: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        session_shape(
            kind, index=index, count=count, week_m=week_m, paces=PACES, race_distance_m=5000
        )


def test_shape_of_refuses_workouts_that_are_not_speed_sessions() -> None:
    for workout in (
        easy_run("w", PACES, distance_m=8000),
        hills("w", PACES, reps=4),
        strength_circuit("w"),
    ):
        with pytest.raises(ValueError, match="not a session"):
            shape_of(workout)


# ------------------------------------------------------------------------------------------------
# properties over generated builds

vdots = st.floats(min_value=30, max_value=70)
weeks_km = st.floats(min_value=10, max_value=160)
counts = st.integers(min_value=1, max_value=12)
kinds = st.sampled_from([INTERVALS, TEMPO, FARTLEK])
races = st.sampled_from(RACES_M)


@settings(deadline=None, max_examples=300)
@given(vdot=vdots, week_km=weeks_km, count=counts, kind=kinds, race_m=races)
def test_daniels_limits_hold_for_every_session_of_every_build(
    vdot: float, week_km: float, count: int, kind: WorkoutKind, race_m: float
) -> None:
    paces = training_paces(vdot)
    week_m = week_km * 1000
    for shape in _build(kind, week_km, paces=paces, race_m=race_m, count=count):
        workout = render_session("k", shape, paces, week_m=week_m, warmup_m=None, units="km")
        hard_m = _hard_m(workout, paces)
        assert step_count(workout.steps) <= MAX_GARMIN_STEPS
        if kind is TEMPO:
            assert hard_m <= 0.10 * week_m + 1e-6
            assert shape.cruise or (shape.minutes or 0) <= 20
            # at least 10 minutes at T pace, continuous or in cruise reps
            assert hard_m / 1000 * paces.threshold >= MIN_TEMPO_MIN * 60 - 1e-6
        else:
            assert hard_m <= min(10_000, 0.08 * week_m) + 1e-6
            assert (shape.reps or 0) >= MIN_REPS
        if kind is INTERVALS:
            block = workout.steps[1]
            assert isinstance(block, Repeat)
            rep, jog = block.steps
            assert isinstance(rep, Step)
            assert isinstance(jog, Step)
            rep_s = rep.end.duration_s or (rep.end.distance_m or 0) / 1000 * paces.interval
            assert rep_s <= 300 + 1e-6  # I reps never over 5 min
            assert rep.end.duration_s is None or rep.end.duration_s >= 180
            assert (jog.end.duration_s or 0) <= rep_s + 1e-6
        if kind is FARTLEK:
            assert shape.off_s is not None
            assert shape.on_s is not None
            assert shape.off_s <= shape.on_s <= 300
            assert (shape.reps or 0) * shape.on_s >= MIN_FARTLEK_HARD_S


@settings(deadline=None, max_examples=300)
@given(vdot=vdots, week_km=weeks_km, count=counts, kind=kinds, race_m=races)
def test_a_kind_is_missing_only_when_the_week_cannot_hold_its_smallest_session(
    vdot: float, week_km: float, count: int, kind: WorkoutKind, race_m: float
) -> None:
    """No chain is empty while the week's limit (at the runner's pace, with the 3 % headroom
    for time-based work) holds the kind's smallest session; a quality day gets ``None`` only
    when no substitute fits either."""
    paces = training_paces(vdot)
    week_m = week_km * 1000
    build = _build(kind, week_km, paces=paces, race_m=race_m, count=count)
    i_pace = paces.interval * 0.95  # faster than any limit pace the chains use
    t_pace = paces.threshold * 0.95
    holds = {
        INTERVALS: 0.08 * week_m >= MIN_REPS * 600.0,  # three 600s always fit then
        TEMPO: 0.10 * week_m / 1000 * t_pace >= (MIN_TEMPO_MIN + 1) * 60,
        FARTLEK: 0.08 * week_m / 1000 * i_pace >= MIN_FARTLEK_HARD_S + 60,
    }
    too_small = {
        INTERVALS: 0.08 * week_m < MIN_REPS * 400.0,
        TEMPO: 0.10 * week_m / 1000 * paces.threshold < MIN_TEMPO_MIN * 60,
        FARTLEK: 0.08 * week_m / 1000 * paces.interval < MIN_FARTLEK_HARD_S,
    }
    if holds[kind]:
        assert build
    if too_small[kind]:
        assert build == []
    slots = _slots(kind, week_km, paces=paces, race_m=race_m, count=count)
    if build or (kind is not FARTLEK and holds[FARTLEK]):
        assert None not in slots
    if too_small[kind] and too_small[FARTLEK]:
        assert slots == [None] * count


@settings(deadline=None, max_examples=300)
@given(vdot=vdots, week_km=weeks_km, count=counts, kind=kinds, race_m=races)
def test_total_work_never_decreases_through_a_build(
    vdot: float, week_km: float, count: int, kind: WorkoutKind, race_m: float
) -> None:
    paces = training_paces(vdot)
    work_m = [
        shape_work_m(s, paces)
        for s in _build(kind, week_km, paces=paces, race_m=race_m, count=count)
    ]
    assert work_m == sorted(work_m)


@settings(deadline=None, max_examples=300)
@given(
    vdot=vdots,
    week_km=st.floats(min_value=30, max_value=160),
    count=st.integers(min_value=4, max_value=12),
    kind=kinds,
    race_m=races,
)
def test_no_session_comes_three_times_in_a_row(
    vdot: float, week_km: float, count: int, kind: WorkoutKind, race_m: float
) -> None:
    """From 30 km a week (36 km from VDOT 60: 8 % of 30 km is under 8 minutes at their I pace,
    too few fartlek shapes of 3+ bouts for 12 sessions), a kind's quality days never hold the
    same session three times running: its own chain, or (a tempo of only a few lengths) turns
    with a fartlek."""
    assume(vdot < 60 or week_km >= 36)
    build = _slots(kind, week_km, paces=training_paces(vdot), race_m=race_m, count=count)
    assert None not in build
    for first, second, third in zip(build, build[1:], build[2:], strict=False):
        assert not first == second == third, build


@settings(deadline=None, max_examples=300)
@given(
    vdot=vdots,
    week_km=weeks_km,
    count=counts,
    kind=kinds,
    race_m=races,
    units=st.sampled_from(["km", "mi"]),
    warmup_m=st.one_of(st.none(), st.floats(min_value=800, max_value=4000)),
)
def test_shape_of_reads_back_what_render_session_made(
    vdot: float, week_km: float, count: int, kind: WorkoutKind, race_m: float, units: str,
    warmup_m: float | None,
) -> None:  # fmt: skip
    paces = training_paces(vdot)
    for shape in _build(kind, week_km, paces=paces, race_m=race_m, count=count):
        workout = render_session(
            "w-1", shape, paces, week_m=week_km * 1000, warmup_m=warmup_m,
            units=units,  # type: ignore[arg-type]
        )  # fmt: skip
        assert workout.kind is kind
        assert shape_of(workout) == shape


@settings(deadline=None, max_examples=300)
@given(vdot=vdots, new_vdot=vdots, week_km=weeks_km, count=counts, kind=kinds, race_m=races)
def test_re_rendering_with_new_paces_keeps_reps_and_lengths(
    vdot: float, new_vdot: float, week_km: float, count: int, kind: WorkoutKind, race_m: float
) -> None:
    paces, new_paces = training_paces(vdot), training_paces(new_vdot)
    # Faster paces are covered up to 3 % (the time-based headroom); slower ones always.
    assume(new_paces.interval - 0.5 >= 0.97 * paces.interval)
    assume(new_paces.threshold - 0.5 >= 0.97 * paces.threshold)
    week_m = week_km * 1000
    for shape in _build(kind, week_km, paces=paces, race_m=race_m, count=count):
        workout = render_session("w-2", shape, paces, week_m=week_m, warmup_m=None, units="km")
        again = render_session(
            workout.key, shape_of(workout), new_paces, week_m=week_m, warmup_m=None, units="km"
        )
        assert again.key == "w-2"
        assert shape_of(again) == shape
        assert again.title == workout.title
