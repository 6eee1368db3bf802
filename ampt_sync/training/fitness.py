"""Fitness: Daniels' VDOT, race times, training paces, critical speed, time-off decay, and the
runner's current estimate.

Units: distances in metres, times in seconds, paces in seconds per kilometre, speeds in m/s.
Internally the Daniels–Gilbert equations (*Oxygen Power*, 1979) work in metres per minute and
minutes, as published.

What the numbers reproduce (Daniels' Running Formula, 3rd ed.; see the science note §1.5–1.7):

* :func:`race_time` is within max(2 s, 0.2 %) of every cell of the race table, and
  :func:`vdot_from_performance` gives back a row's VDOT from its table time within 0.3.
* :func:`training_paces` uses fractions of VDOT fitted to the pace table (E fast, E slow, M, T, I)
  and Daniels' rule for R (R per 400 m = I per 400 m − 6 to 8 s). Paces are whole seconds per
  km, as a watch shows them; that keeps plans byte-identical across platforms whose ``exp`` differs
  in the last bit. They are strictly ordered: repetition < interval < threshold < marathon <
  easy fast < easy slow.
* :func:`time_off_factor` is Daniels' FVDOT for time off (vdoto2.com, 2018), every printed entry.

:func:`estimate_fitness` is the one that decides. See its docstring for the order of evidence
(only a race or a hard effort is read as a performance, never an easy run), the floor from the
runner's everyday easy pace under weak evidence (:func:`vdot_for_easy_pace`), and the change
control (training-derived estimates rise at most +1.0 per 14 days; races count fully; a gap of 6+
days without running lowers it; an empty history is not a gap).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ampt_sync.domain import (
    QUALITY_KINDS,
    Activity,
    Athlete,
    Confidence,
    Fitness,
    Paces,
    WorkoutKind,
)
from ampt_sync.units import (
    METRES_PER_MILE,
    Units,
    distance_label,
    format_distance,
    format_duration,
    format_pace,
)

# ------------------------------------------------------------------------------------------------
# The Daniels–Gilbert equations


def _vo2_of_speed(speed_m_per_min: float) -> float:
    """Oxygen cost (ml/kg/min) of running at ``speed_m_per_min``."""
    return -4.60 + 0.182258 * speed_m_per_min + 0.000104 * speed_m_per_min**2


def _fraction_sustainable(minutes: float) -> float:
    """Fraction of VO2max sustainable for a race lasting ``minutes``."""
    return (
        0.8 + 0.1894393 * math.exp(-0.012778 * minutes) + 0.2989558 * math.exp(-0.1932605 * minutes)
    )


def _speed_of_vo2(vo2: float) -> float:
    """Inverse of the cost equation: metres per minute at oxygen cost ``vo2``."""
    a, b, c = 0.000104, 0.182258, -4.60 - vo2
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)


def vdot_from_performance(distance_m: float, seconds: float) -> float:
    """VDOT of running ``distance_m`` in ``seconds`` (a race or an all-out effort).

    Meant for efforts of about 3.5 minutes to 5 hours (1500 m to the marathon); outside that the
    sustainable-fraction curve was never fitted. Raises ``ValueError`` unless both are positive.
    """
    if not (distance_m > 0 and seconds > 0):
        raise ValueError("a performance needs a positive distance and time")
    minutes = seconds / 60.0
    return _vo2_of_speed(distance_m / minutes) / _fraction_sustainable(minutes)


def race_time(vdot: float, distance_m: float) -> float:
    """Seconds a runner of ``vdot`` needs for ``distance_m`` (the inverse of
    :func:`vdot_from_performance`, solved by bisection: the VDOT of a fixed distance falls
    strictly as the time grows)."""
    if not (vdot > 0 and distance_m > 0):
        raise ValueError("race_time needs a positive VDOT and distance")
    low_s, high_s = 1.0, 48 * 3600.0
    while high_s - low_s > 1e-4:
        mid_s = (low_s + high_s) / 2
        if vdot_from_performance(distance_m, mid_s) > vdot:
            low_s = mid_s
        else:
            high_s = mid_s
    return (low_s + high_s) / 2


def _pace_at_fraction(vdot: float, fraction: float) -> float:
    """Seconds per km at ``fraction`` of VO2max for a runner of ``vdot``."""
    return 60_000.0 / _speed_of_vo2(fraction * vdot)


def _r_offset_s_per_400(vdot: float) -> float:
    """Daniels: R is 6 s per 400 m faster than I from VDOT 50, "7–8 s" below. Interpolating
    8 s at VDOT 45 to 6 s at 55 keeps R pace from slowing down as VDOT rises past 50, and matches
    the table at 45, 50 and 55."""
    return 8.0 - 2.0 * min(1.0, max(0.0, (vdot - 45.0) / 10.0))


#: Fractions of VDOT for the slow end of E pace and for T pace, fitted to the pace table
#: (science note §1.4). Daniels' E band is 59–74 % of VO2max; the table's slow end sits at 63 %.
E_SLOW_FRACTION = 0.630
THRESHOLD_FRACTION = 0.880


def training_paces(vdot: float) -> Paces:
    """Daniels training paces for ``vdot``, whole seconds per km; ``easy`` is (fast, slow).

    Fractions of VDOT fitted to the 3rd-edition pace table (science note §1.4): E fast
    0.7168 + 0.000275·V, E slow 0.630, M 0.70787 + 0.0029788·V − 0.0000171·V², T 0.880, I 0.975;
    R from I by the 6-second rule. Fitted on VDOT 30–85; outside that range they extrapolate.
    """
    if not vdot > 0:
        raise ValueError("training paces need a positive VDOT")
    interval = _pace_at_fraction(vdot, 0.975)
    return Paces(
        easy=(
            float(round(_pace_at_fraction(vdot, 0.7168 + 0.000275 * vdot))),
            float(round(_pace_at_fraction(vdot, E_SLOW_FRACTION))),
        ),
        marathon=float(
            round(_pace_at_fraction(vdot, 0.70787 + 0.0029788 * vdot - 0.0000171 * vdot**2))
        ),
        threshold=float(round(_pace_at_fraction(vdot, THRESHOLD_FRACTION))),
        interval=float(round(interval)),
        repetition=float(round(interval - _r_offset_s_per_400(vdot) * 2.5)),
    )


def vdot_from_threshold_pace(threshold_s_per_km: float) -> float:
    """The VDOT whose T pace is ``threshold_s_per_km`` (inverse of the T fraction, 0.88)."""
    return _vo2_of_speed(60_000.0 / threshold_s_per_km) / THRESHOLD_FRACTION


def time_off_factor(days_off: int, *, cross_trained: bool = False) -> float:
    """Daniels' FVDOT: multiply VDOT by this after ``days_off`` days without running.

    1.0 for up to 5 days; then 0.3 % a day down to 0.80 (0.15 % a day down to 0.90 with aerobic
    cross-training). Truncated to three decimals, as Daniels printed it, so every table entry
    (6, 7, 10, 14, 21, … 70, 72+ days) comes out exactly.
    """
    if days_off < 0:
        raise ValueError("days_off cannot be negative")
    if days_off <= 5:
        return 1.0
    per_day, floor = (0.0015, 0.90) if cross_trained else (0.003, 0.80)
    # Work in thousandths so the truncation is exact (0.0015 · 9 is not exact in binary).
    thousandths = 1000 - (per_day * 10_000 * (days_off - 5)) / 10
    return max(floor, math.floor(thousandths + 1e-9) / 1000)


# ------------------------------------------------------------------------------------------------
# Critical speed


@dataclass(frozen=True)
class CriticalSpeed:
    """``distance = speed_mps · t + d_prime_m`` fitted to best efforts; ``r_squared`` of the fit
    (1.0 for exactly two efforts)."""

    speed_mps: float
    d_prime_m: float
    r_squared: float


def critical_speed(efforts: Sequence[tuple[float, float]]) -> CriticalSpeed | None:
    """Critical speed and D′ from ``(distance_m, seconds)`` efforts, by least squares of distance
    on time (two efforts: the line through them). ``None`` with fewer than two different
    durations or a non-positive slope. Judging the fit (R², a plausible D′, efforts of 2–20 min)
    is the caller's job; :func:`estimate_fitness` does it."""
    points = [(float(d), float(t)) for d, t in efforts if d > 0 and t > 0]
    if len({t for _, t in points}) < 2:
        return None
    n = len(points)
    mean_t = sum(t for _, t in points) / n
    mean_d = sum(d for d, _ in points) / n
    s_tt = sum((t - mean_t) ** 2 for _, t in points)
    s_td = sum((t - mean_t) * (d - mean_d) for d, t in points)
    s_dd = sum((d - mean_d) ** 2 for d, _ in points)
    speed = s_td / s_tt
    if speed <= 0:
        return None
    d_prime = mean_d - speed * mean_t
    r_squared = 1.0 if s_dd == 0 else min(1.0, (s_td * s_td) / (s_tt * s_dd))
    return CriticalSpeed(speed_mps=speed, d_prime_m=d_prime, r_squared=r_squared)


# ------------------------------------------------------------------------------------------------
# The current estimate

#: Evidence windows, in days before today (science note §5.3, §2.5).
RACE_WINDOW_DAYS = 56
BEST_EFFORT_WINDOW_DAYS = 84
CRITICAL_SPEED_WINDOW_DAYS = 112
HEART_RATE_WINDOW_DAYS = 30
#: The everyday easy pace is the median of the steady runs of this many days before today, given
#: at least ``EVERYDAY_MIN_RUNS`` of them.
EVERYDAY_WINDOW_DAYS = 30
EVERYDAY_MIN_RUNS = 3
#: An average heart rate of this share of max or more makes a run a hard effort (science note
#: §5.3: best efforts "whose HR ≥ 90 %HRmax").
HARD_HR_SHARE = 0.90
#: Training-derived estimates rise at most this much per 14 days (science note §5.3).
MAX_RISE_PER_14_DAYS = 1.0
#: A cautious estimate for a runner we know nothing about (the bottom of Daniels' tables).
BEGINNER_VDOT = 30.0
#: Runalyze's correction of the heart-rate estimate when no race calibrates it (typically
#: 0.85–0.95).
DEFAULT_HR_CORRECTION = 0.90
#: Standard race distances a GPS distance is snapped to when it is within 3 %.
STANDARD_DISTANCES_M = (1500.0, 1609.344, 3000.0, 3218.688, 5000.0, 10000.0, 15000.0,
                        16093.44, 21097.5, 42195.0)  # fmt: skip
_VDOT_RANGE = (15.0, 90.0)
#: Separates the evidence from what changed it in ``Fitness.source``.
NOTE = ";"
#: Said of every estimate that rests on weak evidence only.
_WEAK = "no race or hard effort: a low-confidence estimate"
#: Kinds of run that are steady running, never a maximal effort.
_STEADY_KINDS = frozenset({WorkoutKind.EASY, WorkoutKind.LONG, WorkoutKind.RECOVERY})


def vdot_for_easy_pace(pace_s_per_km: float) -> float:
    """The lowest VDOT (to 0.01, within 15–90) whose slow end of E pace,
    ``training_paces(vdot).easy[1]``, is not slower than ``pace_s_per_km``.

    The floor under a weak estimate (see :func:`estimate_fitness`). Daniels' E pace spans
    59–74 % of VO2max and the slow end of his table sits at 63 % (science note §1.4); a runner's
    habitual jog sits at or slower than that slow end, so a fitness whose slowest easy pace is
    slower than the runner's own jog is too low, and this is the least VDOT that is not.
    Rounded up to 0.01, so the whole-second ``easy[1]`` is at most ``pace_s_per_km`` rounded to
    the second (unless the pace is slower than VDOT 15's, about 11:40/km, or faster than
    VDOT 90's).
    """
    if not pace_s_per_km > 0:
        raise ValueError("an easy pace must be positive")
    vdot = _vo2_of_speed(60_000.0 / pace_s_per_km) / E_SLOW_FRACTION
    low, high = _VDOT_RANGE
    return min(high, max(low, math.ceil(vdot * 100) / 100))


def hard_pace_s_per_km(everyday_pace_s_per_km: float) -> float:
    """The pace (s/km, whole seconds) at or faster than which a run is a hard effort for a
    runner whose everyday easy pace is ``everyday_pace_s_per_km``: T pace at
    :func:`vdot_for_easy_pace` of it.

    Why T: with the jog at the slow end of E (63 % of VO2max), T pace (88 %) costs 1.4 times the
    jog's oxygen, a pace no jog reaches. And a maximal effort of about 8 to 60 minutes at that
    pace gives a VDOT at which the jog sits inside Daniels' E band (59–74 %): taking such a run
    as a performance never contradicts the everyday pace.
    """
    return training_paces(vdot_for_easy_pace(everyday_pace_s_per_km)).threshold


@dataclass(frozen=True)
class EverydayPace:
    """The median pace (s/km) of ``runs`` steady runs, from ``first_day`` to ``last_day``."""

    pace_s_per_km: float
    runs: int
    last_day: date
    first_day: date


def everyday_easy_pace(steady_runs: Sequence[Activity], today: date) -> EverydayPace | None:
    """The runner's everyday easy pace: the median pace of ``steady_runs`` in the 30 days up to
    ``today``; ``None`` with fewer than 3 of them.

    ``steady_runs`` are runs the caller judged trusted and steady (easy, long or recovery, and
    no hard effort by heart rate). A run at or faster than the hard pace that the first median
    implies (:func:`hard_pace_s_per_km`) is no jog, whatever it was judged against paces that may
    be a guess: such runs are left out and the median taken again.
    """
    first_day = _since(today, EVERYDAY_WINDOW_DAYS)
    recent = [
        (a.moving_time_s / a.distance_m * 1000.0, a.day)
        for a in steady_runs
        if first_day <= a.day <= today and a.distance_m > 0 and a.moving_time_s > 0
    ]
    if len(recent) < EVERYDAY_MIN_RUNS:
        return None
    hard_s_per_km = hard_pace_s_per_km(statistics.median(pace for pace, _ in recent))
    jogs = [(pace, day) for pace, day in recent if pace > hard_s_per_km]
    if len(jogs) < EVERYDAY_MIN_RUNS:
        return None
    return EverydayPace(
        pace_s_per_km=statistics.median(pace for pace, _ in jogs),
        runs=len(jogs),
        last_day=max(day for _, day in jogs),
        first_day=min(day for _, day in jogs),
    )


def official_distance_m(distance_m: float) -> float:
    """The standard race distance within 3 % of a GPS ``distance_m``, else ``distance_m``."""
    for standard in STANDARD_DISTANCES_M:
        if abs(distance_m - standard) <= 0.03 * standard:
            return standard
    return distance_m


def _label(distance_m: float) -> str:
    names = {1500.0: "1500 m", 1609.344: "mile", 3000.0: "3000 m", 3218.688: "2 miles",
             15000.0: "15K", 16093.44: "10 miles"}  # fmt: skip
    if distance_m in names:
        return names[distance_m]
    if distance_m in (5000.0, 10000.0, 21097.5, 42195.0):
        return distance_label(distance_m)
    return f"{distance_m / 1000:.1f} km"


@dataclass(frozen=True)
class _Evidence:
    vdot: float
    source: str
    confidence: Confidence
    day: date | None
    is_race: bool = False
    needs_time_trial: bool = False


@dataclass(frozen=True)
class _Efforts:
    """Which trusted runs may be taken as performances (see :func:`estimate_fitness`).

    ``races``: tagged races. ``hard``: hard efforts, whose best efforts count. ``whole``: hard
    all the way, so the whole run counts too. ``hard_pace_s_per_km``: a best effort at this pace
    or faster counts whatever its run was; ``None`` without an everyday pace to go by.
    """

    races: frozenset[int]
    hard: frozenset[int]
    whole: frozenset[int]
    hard_pace_s_per_km: float | None

    def at_hard_pace(self, distance_m: float, seconds: float) -> bool:
        return (
            self.hard_pace_s_per_km is not None
            and distance_m > 0
            and seconds / distance_m * 1000.0 <= self.hard_pace_s_per_km
        )


@dataclass(frozen=True)
class _Gaps:
    """Stretches of 6+ days without a run: (first day off, days off, cross-trained)."""

    spans: tuple[tuple[date, int, bool], ...] = field(default=())

    def decay_since(self, since: date) -> tuple[float, int]:
        """FVDOT for what the gaps added from ``since`` on, and those days off.

        A gap already partly seen before ``since`` only adds the difference, so that applying
        this repeatedly (day after day) decays exactly as once over the whole gap.
        """
        factor, days = 1.0, 0
        for first, length, crossed in self.spans:
            before = max(0, min(length, (since - first).days))
            if before >= length:
                continue
            factor *= time_off_factor(length, cross_trained=crossed) / time_off_factor(
                before, cross_trained=crossed
            )
            days += length - before
        return factor, days


def _find_gaps(activities: Sequence[Activity], today: date) -> _Gaps:
    run_days = sorted({a.day for a in activities if a.is_run and a.day <= today})
    if not run_days:
        return _Gaps()  # an empty history is not a gap
    other_days = sorted(a.day for a in activities if not a.is_run and a.day <= today)
    spans = []
    # The stretch after the last run counts up to yesterday: today is not over.
    for previous, following in zip(run_days, [*run_days[1:], today], strict=True):
        length = (following - previous).days - 1
        if length >= 6:
            first = previous + timedelta(days=1)
            sessions = sum(1 for d in other_days if first <= d < following)
            spans.append((first, length, sessions >= max(1, length // 7)))
    return _Gaps(tuple(spans))


def _round_vdot(vdot: float) -> float:
    # Down to 0.01: never past a cap, and the same number on every platform.
    low, high = _VDOT_RANGE
    return math.floor(min(high, max(low, vdot)) * 100 + 1e-9) / 100


def _race_seconds(activity: Activity) -> float:
    # Races count elapsed time, unless the watch was plainly left running after the finish.
    if activity.moving_time_s > 0 and activity.elapsed_time_s > 1.2 * activity.moving_time_s:
        return activity.moving_time_s
    return activity.elapsed_time_s or activity.moving_time_s


def _plausible(distance_m: float, seconds: float) -> bool:
    return 3.5 * 60 <= seconds <= 5 * 3600 and distance_m >= 1000


def _since(today: date, days: int) -> date:
    return today - timedelta(days=days - 1)


def _race_evidence(
    trusted: Sequence[Activity], races: frozenset[int], today: date
) -> _Evidence | None:
    best: _Evidence | None = None
    for a in trusted:
        if a.day < _since(today, RACE_WINDOW_DAYS) or a.id not in races:
            continue
        distance_m, seconds = official_distance_m(a.distance_m), _race_seconds(a)
        if not _plausible(distance_m, seconds):
            continue
        vdot = vdot_from_performance(distance_m, seconds)
        if best is None or vdot >= best.vdot:
            best = _Evidence(
                vdot, f"race {a.day.isoformat()} {_label(distance_m)}", Confidence.HIGH, a.day, True
            )
    return best


@dataclass(frozen=True)
class _Candidate:
    """A performance: ``distance_m`` in ``seconds`` within ``activity``, described by ``what``."""

    activity: Activity
    what: str
    distance_m: float
    seconds: float


def _effort_candidates(
    trusted: Sequence[Activity],
    efforts: _Efforts,
    today: date,
    window_days: int,
    low_m: float,
    high_m: float,
    *,
    whole_runs: bool,
) -> list[_Candidate]:
    """Best efforts of hard efforts (or at the hard pace), tagged races and, with
    ``whole_runs``, runs that were hard all the way, from ``low_m`` to ``high_m``."""

    def fits(distance_m: float) -> bool:
        return low_m * 0.99 <= distance_m <= high_m * 1.01

    found = []
    for a in trusted:
        if a.day < _since(today, window_days):
            continue
        day = a.day.isoformat()
        for effort in a.best_efforts:
            if not (fits(effort.distance_m) and effort.elapsed_time_s > 0):
                continue
            # A best effort inside an easy run is the jog itself, not an effort.
            if a.id in efforts.hard or efforts.at_hard_pace(
                effort.distance_m, effort.elapsed_time_s
            ):
                name = effort.name or _label(effort.distance_m)
                found.append(
                    _Candidate(
                        a, f"best effort {day} {name}", effort.distance_m, effort.elapsed_time_s
                    )
                )
        if a.id in efforts.races:
            distance_m = official_distance_m(a.distance_m)
            if fits(distance_m):
                found.append(
                    _Candidate(
                        a, f"best effort {day} {_label(distance_m)}", distance_m, _race_seconds(a)
                    )
                )
        elif whole_runs and a.id in efforts.whole and fits(a.distance_m):
            what = (
                f"hard run {day} ({a.distance_m / 1000:.1f} km in "
                f"{format_duration(a.moving_time_s)})"
            )
            found.append(_Candidate(a, what, a.distance_m, a.moving_time_s))
    return found


def _best_effort_evidence(
    trusted: Sequence[Activity], efforts: _Efforts, today: date
) -> _Evidence | None:
    per_activity: dict[int, tuple[float, _Candidate]] = {}
    for candidate in _effort_candidates(
        trusted,
        efforts,
        today,
        BEST_EFFORT_WINDOW_DAYS,
        METRES_PER_MILE,
        10000.0,
        whole_runs=True,
    ):
        if not _plausible(candidate.distance_m, candidate.seconds):
            continue
        vdot = vdot_from_performance(candidate.distance_m, candidate.seconds)
        if vdot > _VDOT_RANGE[1]:
            continue
        key = candidate.activity.id
        if key not in per_activity or vdot > per_activity[key][0]:
            per_activity[key] = (vdot, candidate)
    if not per_activity:
        return None
    ranked = sorted(
        per_activity.values(),
        key=lambda item: (-item[0], item[1].activity.day, item[1].activity.id),
    )
    # The second-best activity guards against one GPS glitch; with one activity, take it.
    vdot, candidate = ranked[1] if len(ranked) > 1 else ranked[0]
    return _Evidence(vdot, candidate.what, Confidence.MEDIUM, candidate.activity.day)


def _critical_speed_fit(
    trusted: Sequence[Activity], efforts: _Efforts, today: date
) -> tuple[CriticalSpeed, date] | None:
    fastest: dict[int, tuple[float, float, date]] = {}
    for candidate in _effort_candidates(
        trusted, efforts, today, CRITICAL_SPEED_WINDOW_DAYS, 400.0, 5000.0, whole_runs=False
    ):
        distance_m, seconds, day = candidate.distance_m, candidate.seconds, candidate.activity.day
        key = round(distance_m)
        if key not in fastest or seconds < fastest[key][1]:
            fastest[key] = (distance_m, seconds, day)
    if len(fastest) < 3:
        return None
    times = [t for _, t, _ in fastest.values()]
    if max(times) < 3 * min(times) or max(times) < 600:
        return None
    fit = critical_speed([(d, t) for d, t, _ in fastest.values()])
    if fit is None or fit.r_squared < 0.995 or not 50 <= fit.d_prime_m <= 400:
        return None
    return fit, max(day for _, _, day in fastest.values())


def _heart_rate_evidence(
    trusted: Sequence[Activity],
    races: frozenset[int],
    steady: frozenset[int],
    today: date,
    hr_max_bpm: int | None,
) -> _Evidence | None:
    if hr_max_bpm is None:
        return None

    def raw_vdot(a: Activity) -> float | None:
        if a.id not in steady or a.average_hr_bpm is None or a.moving_time_s < 20 * 60:
            return None
        pct_hr_max = 100.0 * a.average_hr_bpm / hr_max_bpm
        if not 65.0 <= pct_hr_max <= 92.0:
            return None
        # Swain et al. 1994: %VO2max from %HRmax.
        pct_vo2max = (pct_hr_max - 37.182) / 0.6463
        speed = a.distance_m / (a.moving_time_s / 60.0)
        return _vo2_of_speed(speed) / (pct_vo2max / 100.0)

    recent = [
        (a, v)
        for a in trusted
        if a.day >= _since(today, HEART_RATE_WINDOW_DAYS) and (v := raw_vdot(a)) is not None
    ]
    if not recent:
        return None
    correction = _heart_rate_correction([a for a in trusted if a.id in races], trusted, raw_vdot)
    vdot = correction * statistics.median(v for _, v in recent)
    return _Evidence(
        vdot,
        f"heart rate and pace of {len(recent)} run{'s' if len(recent) != 1 else ''} "
        f"in the last {HEART_RATE_WINDOW_DAYS} days, {_WEAK}",
        Confidence.LOW,
        max(a.day for a, _ in recent),
        needs_time_trial=True,
    )


def _heart_rate_correction(
    races: Sequence[Activity],
    trusted: Sequence[Activity],
    raw_vdot: Callable[[Activity], float | None],
) -> float:
    """Runalyze's per-runner factor: the last race's VDOT over the heart-rate estimate of the
    steady runs in the 30 days before it; the default when there is no such race."""
    for race in reversed(races):
        distance_m, seconds = official_distance_m(race.distance_m), _race_seconds(race)
        if not _plausible(distance_m, seconds):
            continue
        before = [
            v
            for a in trusted
            if race.day - timedelta(days=30) <= a.day < race.day and (v := raw_vdot(a)) is not None
        ]
        if before:
            factor = vdot_from_performance(distance_m, seconds) / statistics.median(before)
            return min(1.0, max(0.8, factor))
    return DEFAULT_HR_CORRECTION


def _everyday_evidence(everyday: EverydayPace, units: str) -> _Evidence:
    pace = format_pace(everyday.pace_s_per_km, "mi" if units == "mi" else "km")
    return _Evidence(
        vdot_for_easy_pace(everyday.pace_s_per_km),
        f"your everyday easy pace ({pace} over {everyday.runs} runs), {_WEAK}",
        Confidence.LOW,
        # the pace is as old as its oldest run: a gap since then lowers it (Daniels' time off)
        everyday.first_day,
        needs_time_trial=True,
    )


def _units(athlete: Athlete) -> Units:
    return "mi" if athlete.units == "mi" else "km"


def _config_evidence(athlete: Athlete, *, has_runs: bool = False) -> _Evidence:
    """The config's race, else a guess; ``has_runs``: there are trusted runs, too few to go by."""
    race = athlete.recent_race
    if race is not None:
        return _Evidence(
            vdot_from_performance(race.distance_m, race.duration_s),
            f"recent race in the config: {_label(official_distance_m(race.distance_m))} in "
            f"{format_duration(race.duration_s)}",
            Confidence.MEDIUM,
            race.day,
            is_race=race.day is not None,
        )
    missing = (
        f"no race, hard effort or {EVERYDAY_MIN_RUNS} easy runs in the last "
        f"{EVERYDAY_WINDOW_DAYS} days"
        if has_runs
        else "no race or run data"
    )
    if athlete.weekly_distance_m:
        weekly_km = athlete.weekly_distance_m / 1000
        # No performance at all: a cautious guess that grows with volume (VDOT 30 at 10 km a
        # week, 36 at 40 km, capped at 45), to be replaced by a time trial.
        vdot = min(45.0, max(BEGINNER_VDOT, BEGINNER_VDOT + 0.2 * (weekly_km - 10)))
        return _Evidence(
            vdot,
            "weekly distance in the config "
            f"({format_distance(athlete.weekly_distance_m, _units(athlete))}), {missing}: a guess",
            Confidence.LOW,
            None,
            needs_time_trial=True,
        )
    return _Evidence(
        BEGINNER_VDOT,
        "no race, run or config data: a cautious beginner's estimate"
        if not has_runs
        else f"{missing}: a cautious beginner's estimate",
        Confidence.LOW,
        None,
        needs_time_trial=True,
    )


def estimate_fitness(
    activities: Sequence[Activity],
    athlete: Athlete,
    today: date,
    previous: Fitness | None = None,
) -> Fitness:
    """The runner's current VDOT and paces, from the best evidence available on ``today``.

    Only runs on or before ``today`` that :func:`~ampt_sync.training.classify.classify` trusts
    count (no manual entries, treadmill runs, GPS spikes, absurd values, heart rate above max).

    **Only a race or a hard effort is a performance** (science note §5.3): an easy jog read as
    an all-out effort gives paces slower than the jog itself. A trusted run is a *hard effort*
    when

    * it is a race: Strava's race tag or "race", "parkrun", "time trial" in its name, or a race
      by :func:`~ampt_sync.training.classify.classify` (a standard distance at race pace with a
      race heart rate);
    * classify makes it a quality session (tempo, intervals, fartlek or hills);
    * its average heart rate is ≥ 90 % of ``athlete.hr_max_bpm``; or
    * its average pace is at or faster than the *hard pace*, the T pace of the everyday-pace
      floor (:func:`hard_pace_s_per_km`): classify judges against the current paces, which may be
      a guess, and would call a plain-named 5 km time trial without heart rate or laps "easy".

    Best efforts count only inside hard efforts, or when the best effort itself is at the hard
    pace or faster. A whole run counts as a performance when it was hard all the way (a race,
    ≥ 90 % heart rate, or the hard pace), never a quality session's average with its recoveries.
    So easy, long, recovery and strides runs are never taken as maximal, nor their best efforts.

    Evidence, best first:

    1. races in the last 56 days: the best, from the official distance and elapsed time
       (confidence high);
    2. in the last 84 days, best efforts (1 mile to 10K) and runs hard all the way of that
       length (moving time): the second-best activity, which guards against one GPS glitch
       (medium);
    3. critical speed from best efforts of 400 m to 5K in the last 112 days, taken as 10K race
       speed; only a clean fit (3+ distances spanning 3× in time, one of 10+ minutes,
       R² ≥ 0.995, D′ 50–400 m) (medium);
    4. without any of these, weak evidence, always low confidence and asking for a time trial
       (``needs_time_trial``; the planner schedules one early), its source saying so:
       heart rate against pace on steady runs of 20+ minutes in the last 30 days (Swain's
       %HRmax → %VO2max, corrected by the last race, else × 0.90; needs
       ``athlete.hr_max_bpm``), else the everyday-pace floor alone, else ``athlete.recent_race``
       (a race: medium, no time trial), else a guess from ``athlete.weekly_distance_m``, else a
       beginner's VDOT 30.

    **The everyday-pace floor** (science note §1.4): with weak evidence only, the paces are never
    slower than the runner's own jog. The everyday easy pace is the median pace of the trusted
    steady runs (easy, long, recovery; no hard effort) of the last 30 days, given 3 or more
    (:func:`everyday_easy_pace`); Daniels' E pace is 59–74 % of VO2max and a habitual jog sits at
    or slower than its slow end, so the VDOT is raised to at least the one whose slow end of E is
    that pace (:func:`vdot_for_easy_pace`). It lifts a lower heart-rate estimate and replaces the
    config's guesses (the runner's own runs say more than a guess from volume); a race in the
    config is a race and stays as it is. The time trial's result, a race by name or a hard
    effort by pace or heart rate, then sets the paces, lower than the floor or not.

    Every stretch of 6+ days without a run after the evidence lowers it by Daniels' FVDOT
    (gentler with cross-training in the gap); the stretch since the last run counts up to
    yesterday. An empty history is not a gap.

    Change control against ``previous`` (the last estimate, ``as_of`` its day): a race newer
    than ``previous`` raises the estimate fully; any other evidence raises it by at most
    +1.0 VDOT per 14 days since ``previous.as_of``; it never falls below ``previous`` except by
    the time-off decay of gaps since then. A ``previous`` that was only a guess
    (``needs_time_trial``) is replaced by the first real evidence. VDOT is rounded down to 0.01.
    """
    # classify judges trust with fitness' own equations, hence the import here.
    from ampt_sync.training.classify import classify, is_tagged_race

    past = sorted((a for a in activities if a.day <= today), key=lambda a: (a.day, a.start, a.id))
    gaps = _find_gaps(past, today)
    reference = (
        previous.paces if previous is not None else training_paces(_config_evidence(athlete).vdot)
    )
    window_start = _since(today, CRITICAL_SPEED_WINDOW_DAYS + 365)
    hr_max_bpm = athlete.hr_max_bpm
    trusted: list[Activity] = []
    kinds: dict[int, WorkoutKind | None] = {}
    races: set[int] = set()
    for a in past:
        if not a.is_run or a.day < window_start:
            continue
        judged = classify(a, reference, hr_max_bpm=hr_max_bpm)
        if judged.trusted:
            trusted.append(a)
            kinds[a.id] = judged.kind
            if is_tagged_race(a):
                races.add(a.id)

    hard_hr = {
        a.id
        for a in trusted
        if hr_max_bpm is not None
        and a.average_hr_bpm is not None
        and a.average_hr_bpm >= HARD_HR_SHARE * hr_max_bpm
    }
    steady_runs = [
        a
        for a in trusted
        if kinds[a.id] in _STEADY_KINDS and a.id not in races and a.id not in hard_hr
    ]
    everyday = everyday_easy_pace(steady_runs, today)
    hard_pace = None if everyday is None else hard_pace_s_per_km(everyday.pace_s_per_km)

    def at_hard_pace(a: Activity) -> bool:
        return hard_pace is not None and a.moving_time_s / a.distance_m * 1000.0 <= hard_pace

    whole = {
        a.id
        for a in trusted
        if kinds[a.id] is WorkoutKind.RACE or a.id in hard_hr or at_hard_pace(a)
    }
    quality = {a.id for a in trusted if kinds[a.id] in QUALITY_KINDS}
    efforts = _Efforts(
        races=frozenset(races),
        hard=frozenset(races | whole | quality),
        whole=frozenset(whole),
        hard_pace_s_per_km=hard_pace,
    )
    steady = frozenset(a.id for a in steady_runs if a.id not in efforts.hard)

    cs_fit = _critical_speed_fit(trusted, efforts, today)
    cs_evidence = None
    if cs_fit is not None:
        fit, day = cs_fit
        cs_evidence = _Evidence(
            vdot_from_performance(10000.0, 10000.0 / fit.speed_mps),
            f"critical speed {fit.speed_mps:.2f} m/s from best efforts (last "
            f"{CRITICAL_SPEED_WINDOW_DAYS // 7} weeks)",
            Confidence.MEDIUM,
            day,
        )
    evidence = (
        _race_evidence(trusted, efforts.races, today)
        or _best_effort_evidence(trusted, efforts, today)
        or cs_evidence
    )
    if evidence is None:
        heart = _heart_rate_evidence(trusted, efforts.races, steady, today, hr_max_bpm)
        floor = None if everyday is None else _everyday_evidence(everyday, athlete.units)
        config = _config_evidence(athlete, has_runs=bool(trusted))
        if heart is not None:
            evidence = heart if floor is None or heart.vdot >= floor.vdot else floor
        elif floor is not None and config.needs_time_trial:
            evidence = floor
        else:
            evidence = config

    vdot, source = evidence.vdot, evidence.source
    if evidence.day is not None:
        factor, days_off = gaps.decay_since(evidence.day)
        if factor < 1.0:
            vdot *= factor
            source += f"{NOTE} lowered for {days_off} days without running (×{factor:.3f})"
    confidence, needs_time_trial = evidence.confidence, evidence.needs_time_trial

    if previous is not None and not previous.needs_time_trial:
        factor, days_off = gaps.decay_since(previous.as_of)
        held = previous.vdot * factor
        days = max(0, (today - previous.as_of).days)
        new_race = evidence.is_race and evidence.day is not None and evidence.day > previous.as_of
        if vdot > held and not new_race:
            ceiling = held + MAX_RISE_PER_14_DAYS * days / 14
            if vdot > ceiling:
                vdot = ceiling
                source += f"{NOTE} rise held to +{MAX_RISE_PER_14_DAYS:g} per 2 weeks"
        elif vdot < held:
            # Evidence that aged out of its window, or a weaker run, is no reason to slow down.
            vdot, source = held, previous.source.split(NOTE)[0]
            confidence, needs_time_trial = previous.confidence, previous.needs_time_trial
            source += f"{NOTE} kept from {previous.as_of.isoformat()}"
            if factor < 1.0:
                source += f"{NOTE} lowered for time off"

    vdot = _round_vdot(vdot)
    cs = cs_fit[0] if cs_fit is not None else None
    return Fitness(
        vdot=vdot,
        paces=training_paces(vdot),
        source=source,
        confidence=confidence,
        as_of=today,
        critical_speed_mps=None if cs is None else round(cs.speed_mps, 3),
        d_prime_m=None if cs is None else round(cs.d_prime_m, 1),
        needs_time_trial=needs_time_trial,
    )
