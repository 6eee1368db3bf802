"""Fitness: Daniels' published numbers, the algebra that must hold for every VDOT, and how the
current estimate picks its evidence and changes over time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ampt_sync.domain import (
    Activity,
    Athlete,
    BestEffort,
    Confidence,
    Fitness,
    RaceResult,
    Schedule,
)
from ampt_sync.training.fitness import (
    MAX_RISE_PER_14_DAYS,
    critical_speed,
    estimate_fitness,
    race_time,
    time_off_factor,
    training_paces,
    vdot_from_performance,
)

MILE = 1609.344
DISTANCES = (1500.0, MILE, 3000.0, 2 * MILE, 5000.0, 10000.0, 15000.0, 21097.5, 42195.0)


def _s(text: str) -> int:
    seconds = 0
    for part in text.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


# Daniels' Running Formula, 3rd ed., race table rows (science note §1.6): a handful of rows as
# test vectors, in the order of DISTANCES.
RACE_ROWS = {
    35: "7:25 8:01 15:45 16:58 27:00 56:03 1:26:22 2:04:13 4:16:03",
    45: "5:56 6:25 12:40 13:40 21:50 45:16 1:09:40 1:40:20 3:28:26",
    50: "5:24 5:50 11:33 12:28 19:57 41:21 1:03:36 1:31:35 3:10:49",
    55: "4:57 5:21 10:37 11:28 18:22 38:06 58:33 1:24:18 2:56:01",
    65: "4:16 4:37 9:09 9:53 15:54 33:01 50:40 1:12:53 2:32:35",
    75: "3:46 4:04 8:04 8:43 14:03 29:14 44:48 1:04:23 2:14:55",
    85: "3:23 3:39 7:14 7:48 12:37 26:19 40:17 57:50 2:01:10",
}
RACE_CELLS = [
    (vdot, distance, _s(cell))
    for vdot, row in RACE_ROWS.items()
    for distance, cell in zip(DISTANCES, row.split(), strict=True)
]

# Pace table rows (science note §1.7): E fast, E slow, M, T per km; I per 400 m; R per 400 m and
# per 200 m.
PACE_ROWS = {
    35: ("6:36", "7:21", "6:10", "5:40", 125, 117, 58),
    45: ("5:23", "6:03", "4:57", "4:38", 102, 94, 47),
    50: ("4:56", "5:34", "4:31", "4:15", 93, 87, 43),
    55: ("4:34", "5:10", "4:10", "3:56", 87, 81, 40),
    65: ("3:59", "4:31", "3:37", "3:26", 76, 70, 35),
    75: ("3:32", "4:01", "3:12", "3:04", 67, 61, 30),
    85: ("3:11", "3:38", "2:52", "2:46", 61, 55, 27),
}
# Float noise in "x · 0.4" must not fail a cell that is exactly at the tolerance.
EPS = 1e-9


@pytest.mark.parametrize(("vdot", "distance_m", "table_s"), RACE_CELLS)
def test_race_time_matches_daniels_table(vdot: int, distance_m: float, table_s: int) -> None:
    assert abs(race_time(vdot, distance_m) - table_s) <= max(2.0, 0.002 * table_s)


@pytest.mark.parametrize(("vdot", "distance_m", "table_s"), RACE_CELLS)
def test_vdot_back_computed_from_a_table_time(vdot: int, distance_m: float, table_s: int) -> None:
    assert abs(vdot_from_performance(distance_m, table_s) - vdot) <= 0.3


def test_published_worked_examples() -> None:
    assert vdot_from_performance(5000, _s("24:34")) == pytest.approx(39.11, abs=0.01)
    assert vdot_from_performance(5000, _s("20:00")) == pytest.approx(VDOT_20_MIN_5K, abs=0.01)
    # Runner's World (Daniels): a 50-minute 10K corresponds to a VDOT of 40.
    assert vdot_from_performance(10000, _s("50:00")) == pytest.approx(40.0, abs=0.3)


@pytest.mark.parametrize("vdot", sorted(PACE_ROWS))
def test_training_paces_match_daniels_table(vdot: int) -> None:
    e_fast, e_slow, marathon, threshold, i_400, r_400, r_200 = PACE_ROWS[vdot]
    paces = training_paces(vdot)
    assert abs(paces.easy[0] - _s(e_fast)) <= 2 + EPS
    assert abs(paces.easy[1] - _s(e_slow)) <= 4 + EPS
    assert abs(paces.marathon - _s(marathon)) <= 2.5 + EPS
    assert abs(paces.threshold - _s(threshold)) <= 2 + EPS
    assert abs(paces.interval * 0.4 - i_400) <= 1 + EPS
    assert abs(paces.repetition * 0.4 - r_400) <= 1 + EPS
    # The printed 200 m column is rounded to whole seconds on its own (VDOT 35: 117 s per 400 m
    # but 58 s per 200 m), so it gets a whole second too.
    assert abs(paces.repetition * 0.2 - r_200) <= 1 + EPS


def test_interval_pace_per_km_matches_the_table() -> None:
    per_km = {45: "4:16", 50: "3:55", 55: "3:37", 65: "3:10", 75: "2:49", 85: "2:33"}
    for vdot, table in per_km.items():
        assert abs(training_paces(vdot).interval - _s(table)) <= 1


def test_paces_are_whole_seconds() -> None:
    paces = training_paces(47.3)
    values = [*paces.easy, paces.marathon, paces.threshold, paces.interval, paces.repetition]
    assert all(float(v).is_integer() for v in values)


@settings(deadline=None)
@given(
    vdot=st.floats(min_value=20, max_value=90),
    distance_m=st.floats(min_value=1500, max_value=42195),
)
def test_race_time_and_vdot_are_inverses(vdot: float, distance_m: float) -> None:
    seconds = race_time(vdot, distance_m)
    assert vdot_from_performance(distance_m, seconds) == pytest.approx(vdot, abs=1e-3)


@settings(deadline=None)
@given(vdot=st.floats(min_value=20, max_value=90))
def test_paces_are_ordered_fastest_to_slowest(vdot: float) -> None:
    p = training_paces(vdot)
    assert p.repetition < p.interval < p.threshold < p.marathon < p.easy[0] < p.easy[1]


@settings(deadline=None)
@given(
    low=st.floats(min_value=20, max_value=89),
    step=st.floats(min_value=0.01, max_value=10),
)
def test_a_higher_vdot_never_gives_a_slower_pace(low: float, step: float) -> None:
    slow, fast = training_paces(low), training_paces(min(90.0, low + step))
    assert fast.repetition <= slow.repetition
    assert fast.interval <= slow.interval
    assert fast.threshold <= slow.threshold
    assert fast.marathon <= slow.marathon
    assert fast.easy[0] <= slow.easy[0]
    assert fast.easy[1] <= slow.easy[1]


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        vdot_from_performance(0, 100)
    with pytest.raises(ValueError, match="positive"):
        race_time(-1, 5000)
    with pytest.raises(ValueError, match="positive"):
        training_paces(0)
    with pytest.raises(ValueError, match="negative"):
        time_off_factor(-1)


# ------------------------------------------------------------------------------------------------
# time off (Daniels' FVDOT, vdoto2.com 2018; science note §5.5)

FVDOT = {  # days: (no cross-training, cross-trained)
    5: (1.0, 1.0), 6: (0.997, 0.998), 7: (0.994, 0.997), 10: (0.985, 0.992),
    14: (0.973, 0.986), 21: (0.952, 0.976), 28: (0.931, 0.965), 35: (0.910, 0.955),
    42: (0.889, 0.944), 49: (0.868, 0.934), 56: (0.847, 0.923), 63: (0.826, 0.913),
    70: (0.805, 0.902), 72: (0.800, 0.900), 120: (0.800, 0.900),
}  # fmt: skip


@pytest.mark.parametrize("days", sorted(FVDOT))
def test_time_off_factor_reproduces_every_printed_entry(days: int) -> None:
    plain, crossed = FVDOT[days]
    assert time_off_factor(days) == pytest.approx(plain, abs=1e-12)
    assert time_off_factor(days, cross_trained=True) == pytest.approx(crossed, abs=1e-12)


def test_up_to_five_days_off_changes_nothing() -> None:
    assert [time_off_factor(d) for d in range(6)] == [1.0] * 6


@given(days=st.integers(min_value=0, max_value=400))
def test_time_off_never_helps_and_cross_training_softens_it(days: int) -> None:
    assert 0.8 <= time_off_factor(days) <= time_off_factor(days, cross_trained=True) <= 1.0
    assert time_off_factor(days + 1) <= time_off_factor(days)


# ------------------------------------------------------------------------------------------------
# critical speed (science note §2.5)


def test_critical_speed_from_the_vdot_50_row() -> None:
    fit = critical_speed([(1500, _s("5:24")), (3000, _s("11:33")), (5000, _s("19:57"))])
    assert fit is not None
    assert fit.speed_mps == pytest.approx(4.007, abs=0.001)
    assert fit.d_prime_m == pytest.approx(210, abs=1)
    assert fit.r_squared > 0.9999


@pytest.mark.parametrize(
    ("vdot", "cs_pace_s_per_km", "d_prime_m"), [(40, _s("5:01"), 192), (60, _s("3:34"), 224)]
)
def test_critical_speed_is_consistent_with_daniels(
    vdot: int, cs_pace_s_per_km: int, d_prime_m: float
) -> None:
    fit = critical_speed([(d, race_time(vdot, d)) for d in (1500.0, 3000.0, 5000.0)])
    assert fit is not None
    assert abs(1000 / fit.speed_mps - cs_pace_s_per_km) <= 1.5
    assert abs(fit.d_prime_m - d_prime_m) <= 5


def test_critical_speed_needs_two_durations() -> None:
    assert critical_speed([(1000, 200)]) is None
    assert critical_speed([(1000, 200), (1200, 200)]) is None
    two = critical_speed([(1000, 200), (3000, 700)])
    assert two is not None
    assert two.speed_mps == pytest.approx(4.0)
    assert two.r_squared == 1.0


@given(
    speed=st.floats(min_value=2.0, max_value=6.5),
    d_prime=st.floats(min_value=50, max_value=400),
    times=st.lists(st.floats(min_value=60, max_value=1800), min_size=3, max_size=6, unique=True),
)
def test_critical_speed_recovers_an_exact_line(
    speed: float, d_prime: float, times: list[float]
) -> None:
    fit = critical_speed([(speed * t + d_prime, t) for t in times])
    assert fit is not None
    assert fit.speed_mps == pytest.approx(speed, rel=1e-6)
    assert fit.d_prime_m == pytest.approx(d_prime, abs=1e-3)


# ------------------------------------------------------------------------------------------------
# estimate_fitness

TODAY = date(2026, 11, 22)
ATHLETE = Athlete(
    name="Test",
    timezone="UTC",
    units="km",
    schedule=Schedule(run_days=(1, 3, 6), long_run_day=6),
    hr_max_bpm=190,
)
_ids = iter(range(1, 10**9))
VDOT_20_MIN_5K = vdot_from_performance(5000, 1200)  # 49.81


def _run(
    day: date,
    distance_m: float = 8000,
    seconds: float = 2800,
    *,
    name: str = "Morning Run",
    sport: str = "Run",
    **extra: object,
) -> Activity:
    values: dict[str, object] = {
        "id": next(_ids),
        "sport": sport,
        "name": name,
        "start": datetime(day.year, day.month, day.day, 7, tzinfo=UTC),
        "day": day,
        "distance_m": distance_m,
        "moving_time_s": seconds,
        "elapsed_time_s": seconds,
        "average_speed_mps": distance_m / seconds if seconds else None,
        **extra,
    }
    return Activity(**values)  # type: ignore[arg-type]


def _easy_weeks(first: date, last: date, every_days: int = 2) -> list[Activity]:
    """Plain easy runs (no evidence beyond a slow lower bound) every ``every_days`` days."""
    runs, day = [], first
    while day <= last:
        runs.append(_run(day, 8000, 8 * 420))
        day += timedelta(days=every_days)
    return runs


def _with_effort(day: date, distance_m: float, seconds: float) -> Activity:
    name = {5000.0: "5K", 10000.0: "10K", MILE: "1 mile", 3000.0: "3K"}.get(distance_m, "x")
    return _run(
        day,
        distance_m * 1.6,
        seconds * 1.8,
        best_efforts=(BestEffort(name, distance_m, seconds),),
    )


def test_a_race_beats_better_best_efforts() -> None:
    race_day = TODAY - timedelta(days=21)
    history = [
        *_easy_weeks(TODAY - timedelta(days=60), TODAY),
        _run(race_day, 10000, _s("45:00"), workout_type=1, name="Turkey Trot"),
        _with_effort(TODAY - timedelta(days=10), 5000, _s("20:00")),
        _with_effort(TODAY - timedelta(days=5), 5000, _s("20:05")),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source == f"race {race_day.isoformat()} 10K"
    assert fitness.confidence is Confidence.HIGH
    assert fitness.vdot == pytest.approx(vdot_from_performance(10000, _s("45:00")), abs=0.01)
    assert fitness.paces == training_paces(fitness.vdot)
    assert not fitness.needs_time_trial


def test_best_efforts_take_the_second_best_activity() -> None:
    history = [
        *_easy_weeks(TODAY - timedelta(days=40), TODAY),
        _with_effort(TODAY - timedelta(days=20), 5000, _s("19:00")),  # the glitch, maybe
        _with_effort(TODAY - timedelta(days=10), 5000, _s("20:00")),
        _with_effort(TODAY - timedelta(days=3), 5000, _s("21:00")),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source == f"best effort {(TODAY - timedelta(days=10)).isoformat()} 5K"
    assert fitness.confidence is Confidence.MEDIUM
    assert fitness.vdot == pytest.approx(VDOT_20_MIN_5K, abs=0.01)


def test_no_history_uses_the_recent_race_from_the_config() -> None:
    athlete = replace(ATHLETE, recent_race=RaceResult(10000, _s("50:00")))
    fitness = estimate_fitness([], athlete, TODAY)
    assert fitness.vdot == pytest.approx(40.0, abs=0.3)
    assert fitness.source == "recent race in the config: 10K in 50:00"
    assert fitness.confidence is Confidence.MEDIUM
    assert not fitness.needs_time_trial


def test_nothing_at_all_gives_a_cautious_estimate_and_asks_for_a_time_trial() -> None:
    fitness = estimate_fitness([], ATHLETE, TODAY)
    assert fitness.vdot == 30.0
    assert fitness.confidence is Confidence.LOW
    assert fitness.needs_time_trial
    assert "beginner" in fitness.source
    assert fitness.as_of == TODAY


def test_weekly_distance_alone_is_a_guess_that_still_asks_for_a_time_trial() -> None:
    athlete = replace(ATHLETE, weekly_distance_m=40_000.0)
    fitness = estimate_fitness([], athlete, TODAY)
    assert fitness.vdot == pytest.approx(36.0)
    assert fitness.needs_time_trial
    assert fitness.confidence is Confidence.LOW
    assert "weekly distance" in fitness.source


def test_a_fourteen_day_gap_lowers_fitness_by_daniels_factor() -> None:
    race_day = TODAY - timedelta(days=40)
    last_before_gap = race_day + timedelta(days=4)
    back = last_before_gap + timedelta(days=15)  # 14 days without a run in between
    history = [
        _run(race_day, 5000, _s("20:00"), workout_type=1),
        *_easy_weeks(race_day + timedelta(days=2), last_before_gap),
        *_easy_weeks(back, TODAY),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    expected = vdot_from_performance(5000, _s("20:00")) * 0.973
    assert fitness.vdot == pytest.approx(expected, abs=0.01)
    assert "14 days without running" in fitness.source


def test_cross_training_in_the_gap_softens_the_decay() -> None:
    race_day = TODAY - timedelta(days=40)
    history = [
        _run(race_day, 5000, _s("20:00"), workout_type=1),
        *[_run(race_day + timedelta(days=d), 20000, 3600, sport="Ride") for d in (3, 8, 12)],
        *_easy_weeks(race_day + timedelta(days=15), TODAY),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.vdot == pytest.approx(
        vdot_from_performance(5000, _s("20:00")) * time_off_factor(14, cross_trained=True),
        abs=0.01,
    )


def test_the_gap_since_the_last_run_counts_up_to_yesterday() -> None:
    race_day = TODAY - timedelta(days=20)
    history = [_run(race_day, 5000, _s("20:00"), workout_type=1)]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.vdot == pytest.approx(
        vdot_from_performance(5000, _s("20:00")) * time_off_factor(19), abs=0.01
    )


def test_an_empty_history_is_not_a_gap() -> None:
    previous = estimate_fitness([], ATHLETE, TODAY - timedelta(days=30))
    previous = replace(previous, vdot=45.0, needs_time_trial=False)
    fitness = estimate_fitness([], ATHLETE, TODAY, previous)
    assert fitness.vdot == 45.0


def test_an_absurd_activity_is_ignored() -> None:
    history = [
        *_easy_weeks(TODAY - timedelta(days=30), TODAY),
        # 10 km in 6 minutes: 100 km/h, tagged as a race
        _run(TODAY - timedelta(days=3), 10000, 360, workout_type=1, name="Car ride"),
        _with_effort(TODAY - timedelta(days=8), 5000, _s("22:00")),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source.startswith("best effort")
    assert fitness.vdot == pytest.approx(vdot_from_performance(5000, _s("22:00")), abs=0.01)


def test_manual_treadmill_and_heart_rate_glitches_are_kept_out() -> None:
    day = TODAY - timedelta(days=4)
    history = [
        *_easy_weeks(TODAY - timedelta(days=30), TODAY),
        _run(day, 5000, _s("17:00"), workout_type=1, manual=True),
        _run(day, 5000, _s("17:30"), workout_type=1, trainer=True),
        _run(day, 5000, _s("18:00"), workout_type=1, max_hr_bpm=215.0),
        _run(day, 5000, _s("23:00"), workout_type=1),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.vdot == pytest.approx(vdot_from_performance(5000, _s("23:00")), abs=0.01)


def test_training_evidence_rises_at_most_one_point_per_two_weeks() -> None:
    previous = Fitness(
        vdot=40.0,
        paces=training_paces(40.0),
        source="race 2026-09-01 10K",
        confidence=Confidence.HIGH,
        as_of=TODAY - timedelta(days=14),
    )
    history = [
        *_easy_weeks(TODAY - timedelta(days=40), TODAY),
        _with_effort(TODAY - timedelta(days=6), 5000, _s("20:00")),
        _with_effort(TODAY - timedelta(days=2), 5000, _s("20:00")),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY, previous)
    assert fitness.vdot == pytest.approx(40.0 + MAX_RISE_PER_14_DAYS)
    assert "rise held" in fitness.source
    week_later = replace(previous, as_of=TODAY - timedelta(days=7))
    assert estimate_fitness(history, ATHLETE, TODAY, week_later).vdot == pytest.approx(40.5)


def test_a_new_race_counts_fully() -> None:
    previous = Fitness(
        vdot=40.0,
        paces=training_paces(40.0),
        source="best effort",
        confidence=Confidence.MEDIUM,
        as_of=TODAY - timedelta(days=3),
    )
    history = [
        *_easy_weeks(TODAY - timedelta(days=30), TODAY),
        _run(TODAY - timedelta(days=1), 5000, _s("20:00"), name="Parkrun"),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY, previous)
    assert fitness.vdot == pytest.approx(VDOT_20_MIN_5K, abs=0.01)
    assert fitness.source.startswith("race")


def test_weaker_evidence_does_not_lower_fitness_without_a_gap() -> None:
    previous = Fitness(
        vdot=50.0,
        paces=training_paces(50.0),
        source="race 2026-09-01 5K",
        confidence=Confidence.HIGH,
        as_of=TODAY - timedelta(days=7),
    )
    history = [
        *_easy_weeks(TODAY - timedelta(days=30), TODAY),
        _with_effort(TODAY - timedelta(days=2), 5000, _s("23:00")),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY, previous)
    assert fitness.vdot == 50.0
    assert fitness.source.startswith("race 2026-09-01 5K; kept from")
    assert fitness.confidence is Confidence.HIGH


def test_a_guess_is_replaced_by_the_first_real_evidence() -> None:
    guess = estimate_fitness([], ATHLETE, TODAY - timedelta(days=1))
    history = [
        *_easy_weeks(TODAY - timedelta(days=30), TODAY),
        _with_effort(TODAY - timedelta(days=2), 5000, _s("20:00")),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY, guess)
    assert fitness.vdot == pytest.approx(VDOT_20_MIN_5K, abs=0.01)
    assert not fitness.needs_time_trial


def test_daily_estimates_through_a_gap_decay_like_one_estimate() -> None:
    race_day = TODAY - timedelta(days=30)
    history = [*_easy_weeks(race_day - timedelta(days=20), race_day)]
    history.append(_run(race_day, 5000, _s("20:00"), workout_type=1))
    day = race_day + timedelta(days=1)
    fitness = estimate_fitness(history, ATHLETE, day)
    while day < TODAY:
        day += timedelta(days=1)
        fitness = estimate_fitness(history, ATHLETE, day, fitness)
    once = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.vdot == pytest.approx(once.vdot, abs=0.15)
    assert fitness.vdot < VDOT_20_MIN_5K * 0.95


def test_critical_speed_is_reported_and_used_when_it_is_the_best_evidence() -> None:
    day = TODAY - timedelta(days=100)  # past the 84-day best-effort window, inside 112
    efforts = (
        BestEffort("400m", 400, 80),
        BestEffort("1k", 1000, 222),
        BestEffort("1 mile", MILE, _s("6:10")),
        BestEffort("5K", 5000, _s("20:30")),
    )
    history = [
        *_easy_weeks(day, TODAY),
        _run(day, 9000, _s("45:00"), best_efforts=efforts),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    fit = critical_speed([(e.distance_m, e.elapsed_time_s) for e in efforts])
    assert fit is not None
    assert fitness.critical_speed_mps == pytest.approx(fit.speed_mps, abs=0.001)
    assert fitness.source.startswith("critical speed")
    assert fitness.vdot == pytest.approx(
        vdot_from_performance(10000, 10000 / fit.speed_mps), abs=0.01
    )


def test_heart_rate_and_pace_when_there_is_nothing_faster() -> None:
    history = [
        _run(TODAY - timedelta(days=d), 10000, _s("55:00"), average_hr_bpm=150.0)
        for d in range(1, 29, 3)
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source.startswith("heart rate and pace of 10 runs")
    assert fitness.confidence is Confidence.LOW
    # Science note §5.3: raw 49.5, × 0.90 without a race to calibrate it.
    assert fitness.vdot == pytest.approx(49.5 * 0.9, abs=0.1)


def test_plain_runs_give_a_lower_bound() -> None:
    history = _easy_weeks(TODAY - timedelta(days=30), TODAY)
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source.startswith("fastest run")
    assert fitness.vdot == pytest.approx(vdot_from_performance(8000, 8 * 420), abs=0.01)
    assert fitness.confidence is Confidence.LOW


def test_future_activities_are_not_seen() -> None:
    history = [_run(TODAY + timedelta(days=1), 5000, _s("18:00"), workout_type=1)]
    assert estimate_fitness(history, ATHLETE, TODAY).needs_time_trial


@settings(deadline=None, max_examples=60)
@given(
    previous_vdot=st.floats(min_value=30, max_value=60),
    days=st.integers(min_value=0, max_value=60),
    effort_s=st.floats(min_value=_s("16:00"), max_value=_s("30:00")),
)
def test_training_derived_estimates_never_rise_more_than_allowed(
    previous_vdot: float, days: int, effort_s: float
) -> None:
    previous = Fitness(
        vdot=previous_vdot,
        paces=training_paces(previous_vdot),
        source="earlier",
        confidence=Confidence.MEDIUM,
        as_of=TODAY - timedelta(days=days),
    )
    history = [
        *_easy_weeks(TODAY - timedelta(days=20), TODAY),
        _with_effort(TODAY - timedelta(days=1), 5000, effort_s),
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY, previous)
    assert fitness.vdot <= previous_vdot + MAX_RISE_PER_14_DAYS * days / 14 + 1e-9
    assert fitness.vdot >= previous_vdot - 0.01  # no gap: never lower (only rounded down)


def test_a_race_over_an_odd_distance_is_named_in_km() -> None:
    day = TODAY - timedelta(days=5)
    history = [
        *_easy_weeks(TODAY - timedelta(days=20), TODAY),
        _run(day, 8046, 2400, workout_type=1),
    ]
    assert estimate_fitness(history, ATHLETE, TODAY).source == f"race {day.isoformat()} 8.0 km"
