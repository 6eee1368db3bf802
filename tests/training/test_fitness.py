"""Fitness: Daniels' published numbers, the algebra that must hold for every VDOT, and how the
current estimate picks its evidence and changes over time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_helpers import make_athlete, run

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
    everyday_easy_pace,
    hard_pace_s_per_km,
    race_time,
    time_off_factor,
    training_paces,
    vdot_for_easy_pace,
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


def _swain_raw_vdot(pace_s_per_km: float, hr_bpm: float, hr_max_bpm: float) -> float:
    """The uncorrected heart-rate VDOT of a steady run (Swain 1994, science note §5.3)."""
    speed_m_per_min = 60_000 / pace_s_per_km
    vo2 = -4.60 + 0.182258 * speed_m_per_min + 0.000104 * speed_m_per_min**2
    return vo2 / ((100 * hr_bpm / hr_max_bpm - 37.182) / 0.6463 / 100)


def test_heart_rate_and_pace_when_there_is_nothing_faster() -> None:
    # 10 km in 55:00 at 135 of 190 bpm: the heart-rate estimate is above the everyday-pace floor.
    history = [
        _run(TODAY - timedelta(days=d), 10000, _s("55:00"), average_hr_bpm=135.0)
        for d in range(1, 29, 3)
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source.startswith("heart rate and pace of 10 runs")
    assert "no race or hard effort: a low-confidence estimate" in fitness.source
    assert fitness.confidence is Confidence.LOW
    assert fitness.needs_time_trial
    raw = _swain_raw_vdot(330, 135, 190)
    assert fitness.vdot == pytest.approx(raw * 0.9, abs=0.01)  # no race to calibrate it
    assert fitness.vdot > vdot_for_easy_pace(330)


def test_the_everyday_pace_lifts_a_heart_rate_estimate_whose_easy_pace_is_slower_than_the_jog() -> (
    None
):
    # Science note §5.3: 10 km in 55:00 at HR 150/190 reads raw 49.5, × 0.90 = 44.6, whose slow
    # end of E (about 6:05/km) is slower than the runner's own 5:30/km: the floor lifts it.
    assert _swain_raw_vdot(330, 150, 190) == pytest.approx(49.5, abs=0.1)
    history = [
        _run(TODAY - timedelta(days=d), 10000, _s("55:00"), average_hr_bpm=150.0)
        for d in range(1, 29, 3)
    ]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.vdot == vdot_for_easy_pace(330) > 49.5 * 0.9
    assert fitness.paces.easy[1] == 330
    assert fitness.source.startswith("your everyday easy pace (5:30/km over 10 runs)")
    assert fitness.confidence is Confidence.LOW
    assert fitness.needs_time_trial


def test_plain_easy_runs_are_no_performance_but_set_a_floor_at_the_everyday_pace() -> None:
    # Was test_plain_runs_give_a_lower_bound: the fastest easy run was read as an all-out effort.
    history = _easy_weeks(TODAY - timedelta(days=30), TODAY)
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source == (
        "your everyday easy pace (7:00/km over 15 runs), no race or hard effort: "
        "a low-confidence estimate"
    )
    assert fitness.vdot == vdot_for_easy_pace(420)
    assert fitness.paces.easy[1] == 420
    assert fitness.confidence is Confidence.LOW
    assert fitness.needs_time_trial


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


# ------------------------------------------------------------------------------------------------
# weak evidence: the everyday-pace floor, hard efforts, the time trial (science note §1.4, §5.3)


@pytest.mark.parametrize("vdot", sorted(PACE_ROWS))
def test_the_floor_reads_daniels_table_back_from_the_slow_end_of_e(vdot: int) -> None:
    e_slow = _s(PACE_ROWS[vdot][1])
    # The slow end of E is fitted within 3.4 s/km (science note §1.4): about 0.5 VDOT.
    assert vdot_for_easy_pace(e_slow) == pytest.approx(vdot, abs=0.5)


@given(pace_s_per_km=st.floats(min_value=210, max_value=800))
def test_the_floor_is_the_least_vdot_whose_easy_pace_is_not_slower_than_the_jog(
    pace_s_per_km: float,
) -> None:
    vdot = vdot_for_easy_pace(pace_s_per_km)
    assert vdot == round(vdot, 2)
    assert training_paces(vdot).easy[1] <= round(pace_s_per_km)
    # ... and no faster than it needs to be (paces are whole seconds).
    assert training_paces(vdot).easy[1] >= round(pace_s_per_km) - 1
    assert training_paces(vdot - 0.05).easy[1] >= round(pace_s_per_km) - 1


def test_the_hard_pace_is_t_pace_at_the_floor() -> None:
    assert hard_pace_s_per_km(443) == training_paces(vdot_for_easy_pace(443)).threshold == 341


def test_the_everyday_pace_is_the_median_of_the_last_30_days_with_3_runs_or_more() -> None:
    jogs = [
        run(TODAY - timedelta(days=2), 5000, pace_s_per_km=430),
        run(TODAY - timedelta(days=9), 5000, pace_s_per_km=443),
        run(TODAY - timedelta(days=29), 8000, pace_s_per_km=460),
    ]
    old = run(TODAY - timedelta(days=30), 5000, pace_s_per_km=300)  # outside the 30 days
    everyday = everyday_easy_pace([*jogs, old], TODAY)
    assert everyday is not None
    assert everyday.pace_s_per_km == pytest.approx(443)
    assert everyday.runs == 3
    assert everyday.last_day == TODAY - timedelta(days=2)
    assert everyday_easy_pace(jogs[:2], TODAY) is None


def test_a_run_at_the_hard_pace_is_left_out_of_the_everyday_pace() -> None:
    jogs = [
        run(TODAY - timedelta(days=d), 5000, pace_s_per_km=pace)
        for d, pace in ((1, 430), (3, 443), (5, 450))
    ]
    # Median of all four: 436.5 s/km; the 5:30/km run is at its hard pace and must not count.
    trial = run(TODAY - timedelta(days=2), 5000, pace_s_per_km=330)  # judged "easy" elsewhere
    everyday = everyday_easy_pace([*jogs, trial], TODAY)
    assert everyday is not None
    assert everyday.pace_s_per_km == pytest.approx(443)
    assert everyday.runs == 3


def _jogger_history(today: date, weeks: int = 8) -> list[Activity]:
    """The reported runner: 15 km a week in three jogs at about 7:23/km, the 4.5 km one a little
    quicker (7:12/km) on Tuesdays."""
    history = []
    monday = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    while monday <= today:
        for offset, distance_m, pace in ((1, 4500, 432), (3, 5000, 443), (6, 5500, 443)):
            if monday + timedelta(days=offset) <= today:
                history.append(run(monday + timedelta(days=offset), distance_m, pace_s_per_km=pace))
        monday += timedelta(weeks=1)
    return history


JOGGER = make_athlete((1, 3, 6), 6, weekly_distance_m=15_000.0)


def test_a_15_km_a_week_jogger_gets_paces_no_slower_than_their_jog_and_a_time_trial() -> None:
    # The reported case: the 4.5 km jog read as all-out gave VDOT 24.5, T 7:29/km and E
    # 8:41–9:37/km, all slower than the runner's everyday 7:23/km.
    history = _jogger_history(TODAY)
    fitness = estimate_fitness(history, JOGGER, TODAY)
    assert fitness.paces.threshold < 443
    assert fitness.paces.easy[1] <= 443
    assert fitness.confidence is Confidence.LOW
    assert fitness.needs_time_trial
    assert fitness.source.startswith("your everyday easy pace (7:23/km over 13 runs)")
    assert "no race or hard effort: a low-confidence estimate" in fitness.source
    assert fitness.vdot == vdot_for_easy_pace(443)
    assert (fitness.paces.threshold, fitness.paces.easy) == (341, (397, 443))


def test_an_easy_run_is_never_taken_as_a_maximal_effort_nor_its_best_efforts() -> None:
    day = TODAY - timedelta(days=3)
    jog_with_efforts = _run(
        day,
        8000,
        8 * 400,  # 6:40/km, a little quicker than the usual 7:00/km
        best_efforts=(BestEffort("1 mile", MILE, 0.99 * MILE * 0.4), BestEffort("5K", 5000, 1990)),
    )
    history = [*_easy_weeks(TODAY - timedelta(days=40), TODAY), jog_with_efforts]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source.startswith("your everyday easy pace (7:00/km")
    assert fitness.needs_time_trial


def test_best_efforts_of_a_hard_session_count_even_below_the_hard_pace() -> None:
    # A tempo by name: its 5K best effort (5:30/km) is slower than the hard pace (5:22/km for a
    # 7:00/km jogger) but the run was hard.
    tempo = _run(
        TODAY - timedelta(days=4),
        9000,
        9 * 360,
        name="Tempo Tuesday",
        best_efforts=(BestEffort("5K", 5000, 5 * 330),),
    )
    history = [*_easy_weeks(TODAY - timedelta(days=40), TODAY), tempo]
    assert hard_pace_s_per_km(420) < 330
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source == f"best effort {tempo.day.isoformat()} 5K"
    assert fitness.vdot == pytest.approx(vdot_from_performance(5000, 5 * 330), abs=0.01)
    assert fitness.confidence is Confidence.MEDIUM
    assert not fitness.needs_time_trial


def test_a_run_at_90_percent_of_max_heart_rate_is_a_hard_effort() -> None:
    # 5 km at 5:45/km, slower than the hard pace, but at 172 of 190 bpm: all out, by heart rate.
    effort = run(TODAY - timedelta(days=2), 5000, pace_s_per_km=345, hr=172)
    history = [*_easy_weeks(TODAY - timedelta(days=40), TODAY), effort]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source == f"hard run {effort.day.isoformat()} (5.0 km in 28:45)"
    assert fitness.vdot == pytest.approx(vdot_from_performance(5000, 5 * 345), abs=0.01)
    assert fitness.confidence is Confidence.MEDIUM
    without_hr = replace(ATHLETE, hr_max_bpm=None)
    assert estimate_fitness(history, without_hr, TODAY).needs_time_trial


def test_a_brisk_run_slower_than_the_hard_pace_is_not_taken_as_maximal() -> None:
    # 5 km at 6:00/km for a 7:00/km jogger, no heart rate: quicker, not all-out as far as we know.
    brisk = run(TODAY - timedelta(days=2), 5000, pace_s_per_km=360)
    history = [*_easy_weeks(TODAY - timedelta(days=40), TODAY), brisk]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.source.startswith("your everyday easy pace")
    assert fitness.needs_time_trial


def test_the_everyday_pace_replaces_a_guess_from_the_weekly_distance() -> None:
    athlete = replace(ATHLETE, weekly_distance_m=80_000.0)  # a guess of VDOT 44
    fitness = estimate_fitness(_easy_weeks(TODAY - timedelta(days=30), TODAY), athlete, TODAY)
    assert fitness.vdot == vdot_for_easy_pace(420)
    assert fitness.needs_time_trial


def test_a_race_in_the_config_stays_when_there_are_only_easy_runs() -> None:
    athlete = replace(ATHLETE, recent_race=RaceResult(10000, _s("50:00")))
    fitness = estimate_fitness(_easy_weeks(TODAY - timedelta(days=30), TODAY), athlete, TODAY)
    assert fitness.source == "recent race in the config: 10K in 50:00"
    assert fitness.confidence is Confidence.MEDIUM
    assert not fitness.needs_time_trial


def test_too_few_recent_runs_for_a_floor_leave_an_honest_guess() -> None:
    history = [_run(TODAY - timedelta(days=d), 8000, 8 * 420) for d in (3, 10)]
    fitness = estimate_fitness(history, ATHLETE, TODAY)
    assert fitness.vdot == 30.0
    assert fitness.source == (
        "no race, hard effort or 3 easy runs in the last 30 days: a cautious beginner's estimate"
    )
    assert fitness.needs_time_trial


def test_a_weak_floor_above_a_real_estimate_rises_at_most_one_point_per_two_weeks() -> None:
    previous = Fitness(
        vdot=33.0,
        paces=training_paces(33.0),
        source="race 2026-08-01 10K",
        confidence=Confidence.HIGH,
        as_of=TODAY - timedelta(days=14),
    )
    fitness = estimate_fitness(
        _easy_weeks(TODAY - timedelta(days=30), TODAY), ATHLETE, TODAY, previous
    )
    assert fitness.vdot == pytest.approx(34.0)
    assert fitness.source.startswith("your everyday easy pace")
    assert "rise held" in fitness.source
    assert fitness.needs_time_trial


def _trial_day_inputs(name: str, pace_of: str) -> tuple[Fitness, list[Activity], date, float]:
    """The jogger's weak estimate on day 0, then a hard 5 km on day 3 at the estimate's T pace,
    5K race pace or I pace, with jogs going on: (weak estimate, history, day 4, trial pace)."""
    start = TODAY - timedelta(days=4)
    history = _jogger_history(start)
    weak = estimate_fitness(history, JOGGER, start)
    assert weak.needs_time_trial
    pace = {
        "T": weak.paces.threshold,
        "5K": race_time(weak.vdot, 5000) / 5,
        "I": weak.paces.interval,
    }[pace_of]
    history += [
        run(start + timedelta(days=1), 5000, pace_s_per_km=443),
        run(start + timedelta(days=3), 5000, pace_s_per_km=pace, name=name),
    ]
    return weak, history, start + timedelta(days=4), pace


@pytest.mark.parametrize("name", ["Time trial", "Morning Run"])
@pytest.mark.parametrize("pace_of", ["T", "5K", "I"])
def test_the_time_trial_sets_the_paces_after_a_weak_estimate(name: str, pace_of: str) -> None:
    weak, history, day, pace = _trial_day_inputs(name, pace_of)
    fitness = estimate_fitness(history, JOGGER, day, weak)
    assert fitness.confidence is not Confidence.LOW
    assert not fitness.needs_time_trial
    trial_day = (day - timedelta(days=1)).isoformat()
    if name == "Time trial":
        assert fitness.source == f"race {trial_day} 5K"
        assert fitness.confidence is Confidence.HIGH
    else:
        assert fitness.source.startswith(f"hard run {trial_day} (5.0 km in ")
    # The weak estimate is replaced outright, up or down (no +1 per 2 weeks from a guess).
    assert fitness.vdot == pytest.approx(vdot_from_performance(5000, 5 * pace), abs=0.01)
    # ... and it holds the days after, with the trial's estimate as ``previous``.
    later = estimate_fitness(history, JOGGER, day + timedelta(days=3), fitness)
    assert later.vdot == fitness.vdot
    assert not later.needs_time_trial


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@st.composite
def _easy_histories(draw: st.DrawFn) -> tuple[list[Activity], date]:
    """Only easy runs: a usual pace of 4:30–8:30/km (each run within ±6 % of it), 2–7 runs a
    week on fixed weekdays, 2–12 weeks ending yesterday, with or without an easy heart rate."""
    usual_s_per_km = draw(st.floats(min_value=270, max_value=510))
    weekdays = sorted(draw(st.sets(st.integers(0, 6), min_size=2, max_size=7)))
    weeks = draw(st.integers(min_value=2, max_value=12))
    with_hr = draw(st.booleans())
    monday = TODAY - timedelta(days=TODAY.weekday(), weeks=weeks)
    history = []
    for week in range(weeks):
        for weekday in weekdays:
            pace = usual_s_per_km * draw(st.floats(min_value=0.94, max_value=1.06))
            distance_m = draw(st.sampled_from([3000, 4500, 6000, 8000, 10000, 14000]))
            hr = draw(st.floats(min_value=120, max_value=150)) if with_hr else None
            day = monday + timedelta(weeks=week, days=weekday)
            history.append(run(day, distance_m, pace_s_per_km=pace, hr=hr))
    today = max(a.day for a in history) + timedelta(days=1)
    return history, today


@settings(deadline=None, max_examples=80)
@given(_easy_histories())
def test_easy_runs_alone_never_give_paces_slower_than_the_runners_jog(
    drawn: tuple[list[Activity], date],
) -> None:
    history, today = drawn
    fitness = estimate_fitness(history, ATHLETE, today)
    recent = [a for a in history if a.day > today - timedelta(days=30)]
    median_s_per_km = _median([a.moving_time_s / a.distance_m * 1000 for a in recent])
    assert fitness.paces.easy[1] <= median_s_per_km + 1
    assert fitness.needs_time_trial
    assert fitness.confidence is Confidence.LOW
