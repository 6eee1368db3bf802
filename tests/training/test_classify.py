"""Classification: Strava's tag, then the name, then the data; and the guardrails that keep bad
data out of fitness estimates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ampt_sync.domain import Activity, BestEffort, Lap, Split, WorkoutKind
from ampt_sync.training.classify import classify, data_problems, is_tagged_race
from ampt_sync.training.fitness import race_time, training_paces

PACES = training_paces(45)  # E 5:23–6:03, M 4:58, T 4:38, I 4:16, R 3:56 per km
DAY = date(2026, 11, 22)
_ids = iter(range(1, 10**9))


def _run(
    distance_m: float = 8000,
    seconds: float = 8 * 345,
    *,
    day: date = DAY,
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
        **extra,
    }
    return Activity(**values)  # type: ignore[arg-type]


def _lap(distance_m: float, pace_s_per_km: float, hr: float | None = None) -> Lap:
    seconds = distance_m / 1000 * pace_s_per_km
    return Lap(distance_m, seconds, seconds, distance_m / seconds, average_hr_bpm=hr)


def _split(pace_s_per_km: float, climb_m: float = 0.0) -> Split:
    return Split(1000, pace_s_per_km, pace_s_per_km, 1000 / pace_s_per_km,
                 elevation_difference_m=climb_m)  # fmt: skip


def test_cross_training_has_no_kind_and_stays_out_of_fitness() -> None:
    result = classify(_run(30000, 3600, sport="Ride"), PACES)
    assert result.kind is None
    assert not result.trusted
    assert result.reason == "cross-training (Ride)"


@pytest.mark.parametrize(("workout_type", "kind"), [(1, WorkoutKind.RACE), (2, WorkoutKind.LONG)])
def test_race_and_long_run_tags_beat_the_name(workout_type: int, kind: WorkoutKind) -> None:
    result = classify(_run(name="Tempo", workout_type=workout_type), PACES)
    assert result.kind is kind
    assert "tagged" in result.reason
    assert result.trusted


def test_a_workout_tag_is_intervals_unless_the_name_or_data_say_which_workout() -> None:
    assert classify(_run(workout_type=3), PACES).kind is WorkoutKind.INTERVALS
    assert classify(_run(name="Tempo", workout_type=3), PACES).kind is WorkoutKind.TEMPO


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Saturday parkrun", WorkoutKind.RACE),
        ("5K time trial", WorkoutKind.RACE),
        ("Tempo Tuesday", WorkoutKind.TEMPO),
        ("Cruise intervals", WorkoutKind.TEMPO),
        ("6x800 at the track", WorkoutKind.INTERVALS),
        ("Hill repeats", WorkoutKind.HILLS),
        ("Fartlek fun", WorkoutKind.FARTLEK),
        ("Easy + strides", WorkoutKind.STRIDES),
        ("Sunday long run", WorkoutKind.LONG),
        ("Long run with race pace finish", WorkoutKind.LONG),
        ("Recovery jog", WorkoutKind.RECOVERY),
        ("Easy miles", WorkoutKind.EASY),
    ],
)
def test_words_in_the_name(name: str, kind: WorkoutKind) -> None:
    result = classify(_run(name=name), PACES)
    assert result.kind is kind
    assert result.reason.startswith("the name says")


def test_is_tagged_race_sees_the_tag_and_race_words_only() -> None:
    assert is_tagged_race(_run(workout_type=1))
    assert is_tagged_race(_run(name="Turkey Trot RACE"))
    assert not is_tagged_race(_run(name="Race pace tempo"))
    assert not is_tagged_race(_run(name="Morning Run"))
    assert not is_tagged_race(_run(sport="Ride", workout_type=1))


def test_a_standard_distance_at_predicted_speed_and_high_heart_rate_is_a_race() -> None:
    seconds = race_time(45, 10000) * 1.01
    result = classify(_run(10050, seconds, average_hr_bpm=172.0), PACES, hr_max_bpm=190)
    assert result.kind is WorkoutKind.RACE
    assert "10K" in result.reason


def test_a_fast_standard_distance_with_low_heart_rate_is_not_a_race() -> None:
    seconds = race_time(45, 10000)
    result = classify(_run(10000, seconds, average_hr_bpm=140.0), PACES, hr_max_bpm=190)
    assert result.kind is not WorkoutKind.RACE


def test_pace_alone_never_makes_a_race() -> None:
    # Paces estimated from these very runs would otherwise call every one of them a race.
    seconds = race_time(45, 5000)
    assert classify(_run(5000, seconds), PACES, hr_max_bpm=190).kind is WorkoutKind.EASY
    assert classify(_run(5000, seconds, average_hr_bpm=180.0), PACES).kind is WorkoutKind.EASY


def test_fast_laps_between_slow_ones_are_intervals() -> None:
    laps = (
        _lap(2000, 350),
        *[lap for _ in range(5) for lap in (_lap(1000, 255), _lap(400, 420))],
        _lap(2000, 350),
    )
    result = classify(_run(11000, 4000, laps=laps), PACES)
    assert result.kind is WorkoutKind.INTERVALS
    assert result.reason == "5 fast laps with recoveries between them"


def test_alternating_kilometre_splits_without_laps_are_a_fartlek() -> None:
    splits = tuple(_split(p) for p in (350, 260, 350, 262, 355, 258, 360, 350))
    result = classify(_run(8000, sum(s.moving_time_s for s in splits), splits_km=splits), PACES)
    assert result.kind is WorkoutKind.FARTLEK


def test_three_kilometres_in_a_row_at_threshold_are_a_tempo() -> None:
    splits = tuple(_split(p) for p in (350, 340, 280, 278, 276, 281, 350))
    result = classify(_run(7000, sum(s.moving_time_s for s in splits), splits_km=splits), PACES)
    assert result.kind is WorkoutKind.TEMPO
    assert result.reason == "4 km in a row at threshold pace"


def test_a_steady_hard_heart_rate_is_a_tempo() -> None:
    result = classify(_run(6000, 1800, average_hr_bpm=166.0), PACES, hr_max_bpm=190)
    assert result.kind is WorkoutKind.TEMPO


def test_climbing_hard_is_a_hill_session_but_untrusted_for_fitness() -> None:
    run = _run(6000, 2400, elevation_gain_m=150.0, average_hr_bpm=160.0)
    result = classify(run, PACES, hr_max_bpm=190)
    assert result.kind is WorkoutKind.HILLS
    assert not result.trusted
    assert any(p.startswith("hilly") for p in result.problems)


def test_a_run_of_75_minutes_or_more_is_long() -> None:
    assert classify(_run(14000, 80 * 60), PACES).kind is WorkoutKind.LONG
    assert classify(_run(12000, 70 * 60), PACES).kind is WorkoutKind.EASY


def test_long_is_relative_to_the_weeks_before() -> None:
    before = [_run(5000, 1800, day=DAY - timedelta(days=d)) for d in range(2, 28, 2)]
    result = classify(_run(10000, 3600), PACES, recent=before)
    assert result.kind is WorkoutKind.LONG
    assert result.reason == "10.0 km, 62 % of a typical week"


def test_short_and_slow_the_day_after_a_long_run_is_recovery() -> None:
    long_run = _run(20000, 2 * 3600, day=DAY - timedelta(days=1))
    slow = _run(5000, 5000 / 1000 * 380)
    assert classify(slow, PACES, recent=[long_run]).kind is WorkoutKind.RECOVERY
    assert classify(slow, PACES).kind is WorkoutKind.EASY


def test_an_ordinary_run_is_easy_and_trusted() -> None:
    result = classify(_run(), PACES, hr_max_bpm=190)
    assert result == classify(_run(), PACES, hr_max_bpm=190)
    assert result.kind is WorkoutKind.EASY
    assert result.trusted
    assert result.problems == ()


# ------------------------------------------------------------------------------------------------
# guardrails


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"manual": True}, "manual entry"),
        ({"trainer": True}, "treadmill"),
        ({"moving_time_s": 0.0}, "no moving time"),
        ({"distance_m": 0.0}, "no distance"),
        ({"max_speed_mps": 20.0}, "GPS spike"),
        ({"max_hr_bpm": 205.0}, "heart rate 205 above your max of 190"),
        ({"elevation_gain_m": 200.0}, "hilly"),
    ],
)
def test_guardrails_name_the_problem_and_keep_the_run_out(
    extra: dict[str, object], problem: str
) -> None:
    result = classify(_run(**extra), PACES, hr_max_bpm=190)  # type: ignore[arg-type]
    assert not result.trusted
    assert any(p.startswith(problem) for p in result.problems), result.problems


def test_a_hundred_kilometres_an_hour_is_impossible() -> None:
    result = classify(_run(10000, 360), PACES)
    assert not result.trusted
    assert result.problems == ("impossible average speed of 100 km/h",)


def test_a_speed_spike_is_judged_against_the_400_m_best_effort() -> None:
    effort = (BestEffort("400m", 400, 100),)  # 4 m/s
    assert data_problems(_run(max_speed_mps=5.9, best_efforts=effort)) == ()
    assert data_problems(_run(max_speed_mps=6.1, best_efforts=effort)) == (
        "GPS spike: a top speed of 22 km/h",
    )


def test_an_impossible_best_effort_is_a_problem() -> None:
    efforts = (BestEffort("5K", 5000, 600),)
    assert data_problems(_run(best_efforts=efforts)) == ("impossible best effort '5K' (GPS)",)


def test_heart_rate_without_a_configured_max_is_only_checked_for_the_impossible() -> None:
    assert data_problems(_run(max_hr_bpm=205.0)) == ()
    assert data_problems(_run(max_hr_bpm=250.0)) == ("heart rate 250 bpm is not possible",)


def test_bad_data_still_gets_a_kind_from_its_tag() -> None:
    result = classify(_run(moving_time_s=0.0, workout_type=1), PACES)
    assert result.kind is WorkoutKind.RACE
    assert not result.trusted
    assert classify(_run(moving_time_s=0.0), PACES).kind is WorkoutKind.EASY


def test_a_heart_rate_a_little_above_the_configured_max_keeps_the_run_usable() -> None:
    # Races often show the configured max to be a few beats low; only a glitch-sized excess
    # (more than 5 %) keeps a run out of the fitness estimate.
    assert data_problems(_run(max_hr_bpm=199.0), hr_max_bpm=190) == ()
    assert data_problems(_run(max_hr_bpm=200.0), hr_max_bpm=190) == (
        "heart rate 200 above your max of 190",
    )
