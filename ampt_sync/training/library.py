"""The AMPT workout library: one function per session type, each returning a structured
:class:`~ampt_sync.domain.Workout` ready for the plan and the watch.

Contract shared by every function:

* The first argument is the workout's stable ``key``; the planner assigns it.
* Paces come from :class:`~ampt_sync.domain.Paces` (s/km). Pace targets are ranges
  ``(fast, slow)`` rounded to whole seconds per km: E = (easy fast, easy slow); recovery =
  (middle of E, E slow + 15 s); M, T and I ± 2 %; fartlek I ± 3 %; R ± 2 %.
* ``distance_m`` and ``duration_s`` on the workout are the planned totals, whole metres and
  seconds; time-based steps are converted at the middle of their pace range (or a stated
  estimate for steps without a pace target). Both are 0 for strength. Every run has positive
  totals.
* Titles are at most 80 characters and read on a watch ("Intervals 5 × 1000 m", "Hills 4 × 2 min").
  Titles and notes are in the runner's ``units`` ("km", the default, or "mi"): distances
  ("Easy 8 km" / "Easy 5 mi") and paces ("5:49–6:31/km" / "9:22–10:29/mi"). Rep labels under
  2 km stay in metres in both ("800 m"), a 1609 m rep or warm-up reads "1 mile", and race names
  stay as runners say them ("5K time trial"). Step targets stay in s/km whatever the units.
* Garmin allows 50 steps; counting every repeat as expanded (:func:`step_count`), no workout
  here exceeds it (reps are capped at 10, strides at 10, hills at 5, strength at 6 rounds).
* Session sizes keep to the science note's limits (§1.4, §3.7), as a share of ``weekly_distance_m``
  (the week's planned running distance): T ≤ 10 % per session (and ≤ 20 min continuous);
  I ≤ min(10 km, 8 %) (reps of 3–5 min, 400–1600 m or a mile, jog no longer than the rep);
  R ≤ min(8 km, 5 %); M ≤ min(110 min, 29 km, 20 %). Below about 10 km a week the smallest
  session (two reps, one minute of tempo) is returned even if it is over the share (the
  planner never asks for one that small: :mod:`ampt_sync.training.progression` keeps its own
  minimums and plans another kind instead).

Hills and the strength circuit are exactly as the AMPT seed prescribes (see their docstrings).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ampt_sync.domain import (
    End,
    Exercise,
    Goal,
    Paces,
    Repeat,
    Step,
    StepRole,
    Target,
    Workout,
    WorkoutKind,
)
from ampt_sync.training.fitness import race_time, vdot_from_threshold_pace
from ampt_sync.training.heat import HEAT_LONG_RUN_NOTE, HEAT_RACE_NOTE
from ampt_sync.units import (
    METRES_PER_MILE,
    Units,
    distance_label,
    format_distance_tenths,
    format_duration,
    format_pace,
    format_pace_range,
)

MAX_TITLE_CHARS = 80
MAX_GARMIN_STEPS = 50
MAX_REPS = 10
MILE_M = METRES_PER_MILE

I_MAX_SHARE, I_MAX_M = 0.08, 10_000.0
T_MAX_SHARE, T_MAX_CONTINUOUS_S = 0.10, 20 * 60
R_MAX_SHARE, R_MAX_M = 0.05, 8_000.0
M_MAX_SHARE, M_MAX_M, M_MAX_S = 0.20, 29_000.0, 110 * 60


def interval_budget_m(weekly_distance_m: float) -> float:
    """Most running at I pace in one session: min(10 km, 8 % of the week)."""
    return min(I_MAX_M, I_MAX_SHARE * weekly_distance_m)


def threshold_budget_m(weekly_distance_m: float) -> float:
    """Most running at T pace in one session: 10 % of the week."""
    return T_MAX_SHARE * weekly_distance_m


def repetition_budget_m(weekly_distance_m: float) -> float:
    """Most running at R pace in one session: min(8 km, 5 % of the week)."""
    return min(R_MAX_M, R_MAX_SHARE * weekly_distance_m)


def marathon_budget_m(weekly_distance_m: float | None, marathon_pace_s_per_km: float) -> float:
    """Most running at M pace in one session: min(110 min, 29 km, 20 % of the week)."""
    limit = min(M_MAX_M, M_MAX_S / marathon_pace_s_per_km * 1000)
    if weekly_distance_m is not None:
        limit = min(limit, M_MAX_SHARE * weekly_distance_m)
    return limit


def step_count(steps: Sequence[Step | Repeat]) -> int:
    """Steps as a watch runs them: a repeat counts once plus ``times`` × its content."""
    return sum(1 + s.times * step_count(s.steps) if isinstance(s, Repeat) else 1 for s in steps)


# ------------------------------------------------------------------------------------------------
# building blocks


@dataclass(frozen=True)
class _Part:
    """A step (or repeat) with the distance and time it is expected to take."""

    step: Step | Repeat
    distance_m: float
    duration_s: float


def _range(pace_s_per_km: float, share: float) -> tuple[float, float]:
    return float(round(pace_s_per_km * (1 - share))), float(round(pace_s_per_km * (1 + share)))


def _easy(paces: Paces) -> tuple[float, float]:
    return float(round(paces.easy[0])), float(round(paces.easy[1]))


def _recovery(paces: Paces) -> tuple[float, float]:
    return float(round(sum(paces.easy) / 2)), float(round(paces.easy[1] + 15))


def _middle(pace_range: tuple[float, float]) -> float:
    return sum(pace_range) / 2


def _by_distance(
    role: StepRole, distance_m: float, pace_range: tuple[float, float] | None, note: str = "",
    *, estimate_s_per_km: float | None = None,
) -> _Part:  # fmt: skip
    pace = _middle(pace_range) if pace_range is not None else estimate_s_per_km or 0.0
    target = None if pace_range is None else Target(pace_s_per_km=pace_range)
    step = Step(role, End(distance_m=distance_m), target, note)
    return _Part(step, distance_m, distance_m / 1000 * pace)


def _by_time(
    role: StepRole, duration_s: float, target: Target | None, note: str, *, pace_s_per_km: float
) -> _Part:
    step = Step(role, End(duration_s=duration_s), target, note)
    return _Part(step, duration_s / pace_s_per_km * 1000, duration_s)


def _repeat(times: int, parts: Sequence[_Part]) -> list[_Part]:
    """``times`` × ``parts`` as one Repeat; a single pass is just the parts."""
    if times < 2:
        return list(parts)
    return [
        _Part(
            Repeat(times=times, steps=tuple(p.step for p in parts)),
            times * sum(p.distance_m for p in parts),
            times * sum(p.duration_s for p in parts),
        )
    ]


def _workout(
    key: str, kind: WorkoutKind, title: str, parts: Sequence[_Part], notes: str
) -> Workout:
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return Workout(
        key=key,
        kind=kind,
        title=title,
        steps=tuple(p.step for p in parts),
        notes=notes,
        distance_m=float(round(sum(p.distance_m for p in parts))),
        duration_s=float(round(sum(p.duration_s for p in parts))),
    )


def _distance(distance_m: float, units: Units) -> str:
    """ "8 km", "12.6 km", "4.5 mi": a workout's size in the runner's units."""
    return format_distance_tenths(distance_m, units)


def _is_mile(distance_m: float) -> bool:
    return abs(distance_m - MILE_M) < 1


def _rep_label(distance_m: float, units: Units) -> str:
    """ "400 m" … "1600 m" in either units (track reps), "1 mile", else in the runner's units."""
    if _is_mile(distance_m):
        return "1 mile"
    return f"{distance_m:g} m" if distance_m < 2000 else _distance(distance_m, units)


def _distance_text(distance_m: float, units: Units) -> str:
    return "1 mile" if _is_mile(distance_m) else _distance(distance_m, units)


def _minutes(duration_s: float) -> str:
    return f"{duration_s / 60:g} min" if duration_s % 60 == 0 else format_duration(duration_s)


def _pace_text(pace_range: tuple[float, float], units: Units) -> str:
    return format_pace_range(pace_range[0], pace_range[1], units)


def _floor_to(value: float, step: float) -> float:
    return math.floor(value / step + 1e-9) * step


def _warmup(distance_m: float, paces: Paces) -> _Part:
    return _by_distance(StepRole.WARMUP, distance_m, _easy(paces), "easy")


def _cooldown(distance_m: float, paces: Paces) -> _Part:
    return _by_distance(StepRole.COOLDOWN, distance_m, _easy(paces), "easy")


# ------------------------------------------------------------------------------------------------
# easy running


def easy_run(key: str, paces: Paces, *, distance_m: float, units: Units = "km") -> Workout:
    """``distance_m`` at easy (E) pace: the conversational running that keeps volume up."""
    easy = _easy(paces)
    part = _by_distance(StepRole.WORK, distance_m, easy, "conversational pace")
    return _workout(
        key,
        WorkoutKind.EASY,
        f"Easy {_distance(distance_m, units)}",
        [part],
        f"Easy running at a conversational pace ({_pace_text(easy, units)}). Slower is fine; "
        "it builds the base without taking anything from the next hard day.",
    )


def recovery_run(key: str, paces: Paces, *, duration_s: float, units: Units = "km") -> Workout:
    """``duration_s`` of very easy running, at the slow end of E (middle of E to E slow + 15 s)."""
    pace_range = _recovery(paces)
    part = _by_time(
        StepRole.WORK,
        duration_s,
        Target(pace_s_per_km=pace_range),
        "very easy",
        pace_s_per_km=_middle(pace_range),
    )
    return _workout(
        key,
        WorkoutKind.RECOVERY,
        f"Recovery {_minutes(duration_s)}",
        [part],
        f"Recovery run: short and slow ({_pace_text(pace_range, units)}). Miles at low impact "
        "so the muscles can repair; if in doubt, go slower.",
    )


def strides(
    key: str,
    paces: Paces,
    *,
    distance_m: float,
    reps: int = 6,
    weekly_distance_m: float | None = None,
    units: Units = "km",
) -> Workout:
    """An easy run finished with ``reps`` strides: 20 s quick and relaxed at R pace, 60 s easy
    jog between. ``distance_m`` is the whole session; the easy part is what the strides leave
    (at least 1 km). Reps are kept to 2–10 and within the R limit when ``weekly_distance_m``
    is given."""
    r_range = _range(paces.repetition, 0.02)
    stride_m = 20 / _middle(r_range) * 1000
    reps = max(2, min(MAX_REPS, reps))
    if weekly_distance_m is not None:
        reps = max(2, min(reps, int(repetition_budget_m(weekly_distance_m) // stride_m)))
    stride = _by_time(
        StepRole.WORK,
        20,
        Target(pace_s_per_km=r_range),
        "stride: quick and relaxed, not a sprint",
        pace_s_per_km=_middle(r_range),
    )
    jog = _by_time(StepRole.RECOVERY, 60, None, "easy jog", pace_s_per_km=paces.easy[1])
    block = _repeat(reps, [stride, jog])
    easy = _easy(paces)
    easy_m = max(1000.0, float(round(distance_m - block[0].distance_m)))
    run = _by_distance(StepRole.WORK, easy_m, easy, "conversational pace")
    return _workout(
        key,
        WorkoutKind.STRIDES,
        f"Easy {_distance(distance_m, units)} + {reps} strides",
        [run, *block],
        f"Easy running ({_pace_text(easy, units)}), then {reps} strides of 20 s at about "
        f"{format_pace(paces.repetition, units)} with a 60 s jog between: fast, tall and "
        "relaxed, never a sprint.",
    )


# ------------------------------------------------------------------------------------------------
# long run and fuelling


def _grams(low_g_per_kg: float, high_g_per_kg: float, weight_kg: float | None) -> str:
    if weight_kg is None:
        return ""
    if low_g_per_kg == high_g_per_kg:
        return f" (about {low_g_per_kg * weight_kg:.0f} g for you)"
    return f" (about {low_g_per_kg * weight_kg:.0f}–{high_g_per_kg * weight_kg:.0f} g for you)"


def fuelling_notes(
    duration_s: float, *, weight_kg: float | None = None, race_pace: bool = False
) -> str:
    """Before, during and after text for a run of ``duration_s`` (science note §6: ACSM/AND/DC
    2016; 30–60 g/h from 75 min, 60–90 g/h beyond 150 min). Grams per kg become grams when
    ``weight_kg`` is known. ``race_pace`` adds the advice to rehearse race-day fuelling."""
    hours = duration_s / 3600
    before = (
        "Before: 2–4 h before, a familiar, low-fat, low-fibre carb meal (about 1–2 g carbs "
        f"per kg{_grams(1, 2, weight_kg)}; e.g. oats + banana + honey, toast + jam). If you eat "
        f"within an hour of the start, keep it small (about 1 g/kg{_grams(1, 1, weight_kg)}, "
        "e.g. a banana). Drink 400–600 mL of water 2–4 h before."
    )
    if duration_s < 60 * 60:
        during = "During: no fuel needed; drink if it is hot."
    elif duration_s < 75 * 60:
        during = (
            "During: no fuel needed; in the last third a sip of sports drink or a mouth rinse "
            "is fine."
        )
    elif duration_s <= 150 * 60:
        during = (
            "During: 30–60 g carbohydrate per hour from 30–45 min in "
            f"(about {30 * hours:.0f}–{60 * hours:.0f} g for this run), split every 15–20 min "
            "(1 gel ≈ 20–25 g; 500 mL sports drink ≈ 30 g). Drink to thirst; don't finish "
            "heavier than you started."
        )
    else:
        during = (
            "During: 60–90 g carbohydrate per hour from glucose + fructose products, starting "
            f"early (about {60 * hours:.0f}–{90 * hours:.0f} g for this run). Use exactly the "
            "gels, drinks and timing planned for race day to train the gut. Add sodium if you "
            "sweat heavily or it is hot."
        )
    if race_pace and duration_s > 150 * 60:
        during += " Take them at marathon pace, as on race day."
    elif race_pace:
        during += " Practise your race-day gels and drinks during the marathon-pace part."
    after = (
        f"After (within about an hour): carbs + protein, about 1 g carbs per kg"
        f"{_grams(1, 1, weight_kg)} plus 20–40 g protein (milk or yogurt + fruit, a sandwich); "
        "drink about 1.5× the fluid you lost (weigh yourself before and after). If you train "
        "hard again within 8 h, keep carbs at about 1 g/kg per hour for up to 4 h."
    )
    return "\n".join((before, during, after))


def long_run(
    key: str,
    paces: Paces,
    *,
    distance_m: float,
    weight_kg: float | None = None,
    marathon_finish_m: float = 0.0,
    weekly_distance_m: float | None = None,
    units: Units = "km",
    hot: bool = False,
) -> Workout:
    """``distance_m`` at easy pace, optionally with the last ``marathon_finish_m`` at M pace
    (marathon builds). The M part is clipped to the M limit (min(110 min, 29 km, and 20 % of
    ``weekly_distance_m`` when given)) and to half the run. Notes carry fuelling before, during
    and after by the run's expected duration; grams when ``weight_kg`` is known. ``hot`` (race
    day is expected hot) adds :data:`~ampt_sync.training.heat.HEAT_LONG_RUN_NOTE` after the
    run's own line, ahead of the fuelling, so that it is not the part a watch cuts off."""
    easy = _easy(paces)
    finish_m = min(
        max(0.0, marathon_finish_m),
        marathon_budget_m(weekly_distance_m, paces.marathon),
        distance_m / 2,
    )
    finish_m = _floor_to(finish_m, 100)
    parts = [_by_distance(StepRole.WORK, distance_m - finish_m, easy, "easy, conversational")]
    title = f"Long run {_distance(distance_m, units)}"
    if finish_m > 0:
        m_range = _range(paces.marathon, 0.02)
        parts.append(_by_distance(StepRole.WORK, finish_m, m_range, "marathon pace"))
        title += f", last {_distance(finish_m, units)} at M"
    duration_s = sum(p.duration_s for p in parts)
    text = f"Long run at an easy, conversational pace ({_pace_text(easy, units)})."
    if finish_m > 0:
        text += (
            f" Finish the last {_distance(finish_m, units)} at marathon pace "
            f"({_pace_text(_range(paces.marathon, 0.02), units)})."
        )
    if hot:
        text += "\n" + HEAT_LONG_RUN_NOTE
    notes = text + "\n" + fuelling_notes(duration_s, weight_kg=weight_kg, race_pace=finish_m > 0)
    return _workout(key, WorkoutKind.LONG, title, parts, notes)


# ------------------------------------------------------------------------------------------------
# speed: intervals, fartlek, tempo


def _jog_s(rep_s: float) -> float:
    # Daniels: jog recoveries no longer than the rep; three quarters of it, in 15 s steps.
    return max(15.0, _floor_to(min(rep_s, max(60.0, 0.75 * rep_s)), 15))


def intervals(
    key: str,
    paces: Paces,
    *,
    weekly_distance_m: float,
    rep_m: float | None = None,
    rep_s: float | None = None,
    reps: int | None = None,
    warmup_m: float = 2000.0,
    cooldown_m: float = 2000.0,
    units: Units = "km",
) -> Workout:
    """Intervals at I pace (VO2max): reps of 400–1600 m or exactly 1 mile (``rep_m``, the mile
    labelled "1 mile") or 3–5 min (``rep_s``) with an easy jog no longer than the rep, between
    an easy warm-up and cool-down.

    Total I running stays within min(10 km, 8 % of ``weekly_distance_m``). Without ``rep_m`` or
    ``rep_s`` the rep is the standard distance (400, 800, 1000, 1200, 1600 m; never over 5 min)
    closest to 3.5 min that still gives 3 reps; ``reps`` (default: as many as fit, at most 10) is
    clipped to the limit. Raises ``ValueError`` for reps outside 400–1600 m (other than
    ``MILE_M``) or 3–5 min. Whether a mile at I pace stays within 5 min is the caller's choice
    (:mod:`ampt_sync.training.progression` offers mile reps only when it does).
    """
    i_range = _range(paces.interval, 0.02)
    i_pace = _middle(i_range)
    budget_m = interval_budget_m(weekly_distance_m)
    if rep_m is not None and not (400 <= rep_m <= 1600 or _is_mile(rep_m)):
        raise ValueError("interval reps are 400 to 1600 m or 1 mile")
    if rep_s is not None and not 180 <= rep_s <= 300:
        raise ValueError("interval reps last 3 to 5 minutes")
    if rep_s is None and rep_m is None:
        options = [d for d in (400.0, 800.0, 1000.0, 1200.0, 1600.0) if d / 1000 * i_pace <= 300]
        fitting = [d for d in options if budget_m // d >= 3] or [400.0]
        rep_m = min(fitting, key=lambda d: (abs(d / 1000 * i_pace - 210), d))
    one_rep_m = rep_m if rep_m is not None else (rep_s or 0.0) / i_pace * 1000
    most = max(2, min(MAX_REPS, int(budget_m // one_rep_m)))
    count = most if reps is None else max(2, min(reps, most))
    target = Target(pace_s_per_km=i_range)
    if rep_m is not None:
        work = _by_distance(StepRole.WORK, rep_m, i_range, "I pace, hard")
        label = _rep_label(rep_m, units)
    else:
        rep_s = rep_s or 0.0
        work = _by_time(StepRole.WORK, rep_s, target, "I pace, hard", pace_s_per_km=i_pace)
        label = _minutes(rep_s)
    jog_s = _jog_s(work.duration_s)
    jog = _by_time(StepRole.RECOVERY, jog_s, None, "easy jog", pace_s_per_km=paces.easy[1])
    parts = [_warmup(warmup_m, paces), *_repeat(count, [work, jog]), _cooldown(cooldown_m, paces)]
    return _workout(
        key,
        WorkoutKind.INTERVALS,
        f"Intervals {count} × {label}",
        parts,
        f"{count} × {label} at I pace ({_pace_text(i_range, units)}): hard, about your 3K–5K race "
        f"effort, the same pace on every rep. Jog {_minutes(jog_s)} easy between reps. "
        "Warm up and cool down at an easy pace.",
    )


#: Fartlek shapes (on, off, fewest reps, most reps), after Daniels' 2–4 min "hard" bouts.
_FARTLEK_SHAPES = ((240, 180, 3, 5), (180, 120, 4, 6), (120, 60, 5, 8), (60, 60, 2, 10))


def fartlek(
    key: str,
    paces: Paces,
    *,
    weekly_distance_m: float,
    reps: int | None = None,
    on_s: float | None = None,
    off_s: float | None = None,
    warmup_s: float = 900.0,
    cooldown_s: float = 600.0,
    units: Units = "km",
) -> Workout:
    """Fartlek by time: ``reps`` × (``on_s`` hard at about I effort, ``off_s`` easy jog), with
    warm-up and cool-down by time. The hard running counts against the I limit
    (min(10 km, 8 % of ``weekly_distance_m``)); without ``on_s`` the longest of 4/3, 3/2, 2/1
    and 1/1 min that fits a sensible number of reps is chosen."""
    i_range = _range(paces.interval, 0.03)
    i_pace = _middle(i_range)
    budget_s = interval_budget_m(weekly_distance_m) / 1000 * i_pace
    if on_s is None:
        for shape_on, shape_off, fewest, _most in _FARTLEK_SHAPES:
            if budget_s // shape_on >= fewest or shape_on == 60:
                on_s, off_s = float(shape_on), float(off_s or shape_off)
                break
        limit = next(s[3] for s in _FARTLEK_SHAPES if s[0] == on_s)
    else:
        limit = MAX_REPS
    on_s = on_s or 60.0
    off_s = off_s if off_s is not None else max(60.0, _floor_to(0.75 * on_s, 15))
    most = max(2, min(limit, int(budget_s // on_s)))
    count = most if reps is None else max(2, min(reps, most))
    easy_pace = _middle(_easy(paces))
    hard = _by_time(
        StepRole.WORK, on_s, Target(pace_s_per_km=i_range), "hard", pace_s_per_km=i_pace
    )
    jog = _by_time(StepRole.RECOVERY, off_s, None, "easy jog", pace_s_per_km=paces.easy[1])
    parts = [
        _by_time(StepRole.WARMUP, warmup_s, Target(pace_s_per_km=_easy(paces)), "easy",
                 pace_s_per_km=easy_pace),
        *_repeat(count, [hard, jog]),
        _by_time(StepRole.COOLDOWN, cooldown_s, Target(pace_s_per_km=_easy(paces)), "easy",
                 pace_s_per_km=easy_pace),
    ]  # fmt: skip
    return _workout(
        key,
        WorkoutKind.FARTLEK,
        f"Fartlek {count} × {_minutes(on_s)}",
        parts,
        f"Fartlek: {count} × {_minutes(on_s)} hard (about I pace, {_pace_text(i_range, units)}; by "
        f"feel is fine) with {_minutes(off_s)} easy jogging between. Play with the pace: "
        "this is speed without a track.",
    )


def tempo(
    key: str,
    paces: Paces,
    *,
    weekly_distance_m: float,
    cruise: bool = False,
    minutes: int | None = None,
    reps: int | None = None,
    rep_m: float | None = None,
    warmup_m: float = 2000.0,
    cooldown_m: float = 2000.0,
    units: Units = "km",
) -> Workout:
    """Tempo at T pace ("comfortably hard"), between an easy warm-up and cool-down.

    Continuous: ``minutes`` (default and most: 20 min, and no more than 10 % of
    ``weekly_distance_m``, in whole minutes). ``cruise``: ``reps`` × ``rep_m`` (default 1 mile,
    or 1000 m when fewer than 3 miles fit; at most 6) with 1 min rest per mile, T running within
    10 % of the week.
    """
    t_range = _range(paces.threshold, 0.02)
    t_pace = _middle(t_range)
    budget_m = threshold_budget_m(weekly_distance_m)
    target = Target(pace_s_per_km=t_range)
    if not cruise:
        most = max(1, int(min(T_MAX_CONTINUOUS_S, budget_m / 1000 * t_pace) // 60))
        length = most if minutes is None else max(1, min(minutes, most))
        work = _by_time(
            StepRole.WORK, length * 60, target, "T pace, comfortably hard", pace_s_per_km=t_pace
        )
        parts = [_warmup(warmup_m, paces), work, _cooldown(cooldown_m, paces)]
        title = f"Tempo {length} min"
        text = f"{length} min continuous at T pace ({_pace_text(t_range, units)})"
    else:
        if rep_m is None:
            if budget_m >= 3 * MILE_M:
                rep_m = MILE_M
            elif budget_m >= 2000:
                rep_m = 1000.0
            else:
                rep_m = max(400.0, _floor_to(budget_m / 2, 100))
        most = max(2, min(6, int(budget_m // rep_m)))
        count = most if reps is None else max(2, min(reps, most))
        rest_s = max(30.0, float(round(60 * rep_m / MILE_M / 5) * 5))
        work = _by_distance(StepRole.WORK, rep_m, t_range, "T pace, comfortably hard")
        rest = _by_time(StepRole.RECOVERY, rest_s, None, "easy jog", pace_s_per_km=paces.easy[1])
        parts = [_warmup(warmup_m, paces), *_repeat(count, [work, rest]),
                 _cooldown(cooldown_m, paces)]  # fmt: skip
        title = f"Cruise intervals {count} × {_rep_label(rep_m, units)}"
        text = (
            f"{count} × {_rep_label(rep_m, units)} at T pace ({_pace_text(t_range, units)}) with "
            f"{_minutes(rest_s)} easy jog between"
        )
    return _workout(
        key,
        WorkoutKind.TEMPO,
        title,
        parts,
        f"Tempo: {text}. Comfortably hard, a pace you could hold for about an hour; steady, "
        "not a race. Warm up and cool down at an easy pace.",
    )


# ------------------------------------------------------------------------------------------------
# strength: hills and the dumbbell circuit

HILL_FORM_CUES = (
    "Uphill: hinge forward slightly, take quick, short steps, drive your knees up and pump your "
    "arms. At the top, take a few strides on the flat before you recover. Don't sprint downhill: "
    "it wastes energy and puts undue pressure on your body and joints."
)
_HILL_SETTINGS = {
    "outdoor": (
        "",
        "uphill, hard but controlled",
        "walk or slow jog back down",
        "Find a hill that takes about 2 minutes to run up (a 4–8 % grade is ideal).",
    ),
    "treadmill": (
        " (treadmill)",
        "incline 4–8 %, hard but controlled",
        "walk or slow jog at a low incline",
        "Treadmill: raise the incline to 4–8 % for each 2-minute climb and lower it to 1 % to "
        "recover.",
    ),
    "garage": (
        " (parking garage)",
        "up the ramp, hard but controlled",
        "walk or slow jog back down the ramp",
        "Parking garage: run up the ramps for 2 minutes and walk or jog back down; pick a quiet, "
        "safe time and watch for cars.",
    ),
}


def hills(
    key: str,
    paces: Paces,
    *,
    reps: int,
    setting: str = "outdoor",
    hr_max_bpm: int | None = None,
    warmup_m: float = MILE_M,
    cooldown_m: float = MILE_M,
    units: Units = "km",
) -> Workout:
    """Hill repeats exactly as the AMPT seed prescribes: 1 mile warm-up at conversational pace,
    ``reps`` × [2 min uphill hard + 1 min walk or slow jog back], 1 mile cool-down.

    ``reps`` is kept to the seed's 3–5. Uphill there is no pace target: a heart-rate range of
    80–92 % of ``hr_max_bpm`` when it is known, else none (effort by feel, RPE 7–8 of 10, about
    5K effort). ``setting`` is ``"outdoor"``, ``"treadmill"`` (incline) or ``"garage"`` (a
    parking-garage ramp). The planner may shorten ``warmup_m``/``cooldown_m`` for its
    single-session cap. The notes carry the seed's form cues. Distances for the totals are
    estimates: uphill at T pace + 15 %, the recovery at E slow + 50 %.
    """
    if setting not in _HILL_SETTINGS:
        raise ValueError(f"hill setting {setting!r}: expected outdoor, treadmill or garage")
    reps = max(3, min(5, reps))
    suffix, up_note, down_note, where = _HILL_SETTINGS[setting]
    target = None
    if hr_max_bpm is not None:
        target = Target(hr_bpm=(round(0.80 * hr_max_bpm), round(0.92 * hr_max_bpm)))
    easy = _easy(paces)
    up = _by_time(StepRole.WORK, 120, target, up_note, pace_s_per_km=paces.threshold * 1.15)
    down = _by_time(StepRole.RECOVERY, 60, None, down_note, pace_s_per_km=paces.easy[1] * 1.5)
    parts = [
        _by_distance(StepRole.WARMUP, warmup_m, easy, "conversational pace"),
        *_repeat(reps, [up, down]),
        _by_distance(StepRole.COOLDOWN, cooldown_m, easy, "conversational pace"),
    ]
    effort = (
        f"heart rate {target.hr_bpm[0]}–{target.hr_bpm[1]} bpm"
        if target is not None and target.hr_bpm is not None
        else "about 5K effort"
    )
    return _workout(
        key,
        WorkoutKind.HILLS,
        f"Hills {reps} × 2 min{suffix}",
        parts,
        f"Warm up {_distance_text(warmup_m, units)} at a conversational pace. Then {reps} × 2 min "
        f"uphill, hard but controlled (RPE 7–8 of 10, {effort}; no pace target), each followed "
        f"by 1 min walking or slow jogging. Cool down {_distance_text(cooldown_m, units)} easy. "
        f"{where} {HILL_FORM_CUES}",
    )


#: The seed's circuit, in its order: (name, Garmin category, Garmin exercise, load, sides).
CIRCUIT = (
    ("Dumbbell squat", "SQUAT", "DUMBBELL_SQUAT", "medium", ("",)),
    ("Dumbbell deadlift", "DEADLIFT", "DUMBBELL_DEADLIFT", "medium", ("",)),
    ("Single-leg dumbbell deadlift", "DEADLIFT", "SINGLE_LEG_ROMANIAN_DEADLIFT_WITH_DUMBBELL",
     "medium", ("left leg", "right leg")),
    ("Dumbbell hip bridge", "HIP_RAISE", "WEIGHTED_HIP_RAISE", "heavy", ("",)),
    ("Single-leg hip bridge", "HIP_RAISE", "WEIGHTED_SINGLE_LEG_HIP_RAISE", "heavy",
     ("left leg", "right leg")),
)  # fmt: skip
CIRCUIT_REPS = 10
CIRCUIT_REST_S = 120
#: 6 rounds of 8 steps plus the repeat is 49 steps, the most a watch's 50 allows.
MAX_CIRCUIT_ROUNDS = 6


def strength_circuit(key: str, *, rounds: int = 3, light: bool = False) -> Workout:
    """The seed's dumbbell circuit: 10 squats holding dumbbells at the sides (medium), 10
    dumbbell deadlifts (medium), 10 single-leg dumbbell deadlifts each side (medium), 10
    dumbbell hip bridges (heavy), 10 single-leg hip bridges each side (heavy), then 2 min rest;
    ``rounds`` rounds (3 in the seed; at most 6, to stay within a watch's 50 steps).

    Structure: ONE ``Repeat(times=rounds)`` holding the seven exercise steps (single-leg
    exercises get one step per side, left first) followed by the 120 s rest step. The rest sits
    inside the repeat because the seed rests after every round ("Rest for 2 min, repeat 3X");
    a rest only after the group would run the three rounds back to back. The Garmin encoder may
    set ``skipLastRestStep`` to drop the rest after the final round. Each exercise step ends
    after 10 reps and carries its Garmin category and exercise name. ``light`` (taper) marks
    every load "light". Distance and duration are 0, as for every strength workout.
    """
    if rounds < 1:
        raise ValueError("a circuit has at least one round")
    rounds = min(rounds, MAX_CIRCUIT_ROUNDS)
    steps: list[Step] = []
    for name, category, exercise, load, sides in CIRCUIT:
        for side in sides:
            steps.append(
                Step(
                    StepRole.WORK,
                    End(reps=CIRCUIT_REPS),
                    note=side if side else ("dumbbells at your sides" if "squat" in name else ""),
                    exercise=Exercise(name, category, exercise, load="light" if light else load),
                )
            )
    rest = Step(StepRole.REST, End(duration_s=CIRCUIT_REST_S), note="rest 2 min")
    body: tuple[Step | Repeat, ...]
    body = (Repeat(times=rounds, steps=(*steps, rest)),) if rounds >= 2 else tuple(steps)
    loads = (
        "Light weights throughout: keep the movement, drop the load as race day nears."
        if light
        else "Medium dumbbells for squats and deadlifts, heavy for the hip bridges."
    )
    return Workout(
        key=key,
        kind=WorkoutKind.STRENGTH,
        title=f"Strength circuit {rounds} round{'s' if rounds != 1 else ''}"
        + (" (light)" if light else ""),
        steps=body,
        notes=(
            f"Dumbbell circuit, {rounds} round{'s' if rounds != 1 else ''}: 10 squats holding "
            "the dumbbells at your sides, 10 deadlifts, 10 single-leg deadlifts each side, "
            "10 hip bridges, 10 single-leg hip bridges each side, then rest 2 min. "
            f"{loads} Move with control; stop a set short of failure."
        ),
    )


# ------------------------------------------------------------------------------------------------
# race day and the time trial


def race(
    key: str, goal: Goal, predicted_s: float, *, units: Units = "km", hot: bool = False
) -> Workout:
    """The goal race: one step over ``goal.distance_m`` with a pace range of ±1 % around the
    predicted pace (``predicted_s`` for the whole race, from current fitness, never from
    ``goal.target_s``). Notes give the prediction, the target when set, and fuelling for races
    over an hour. Without ``goal.race`` the race is named by its distance in ``units``.
    ``hot`` adds :data:`~ampt_sync.training.heat.HEAT_RACE_NOTE` after the race-day line, ahead
    of the fuelling (the caller decides, e.g. by :func:`~ampt_sync.training.heat.race_is_hot`)."""
    pace = predicted_s / (goal.distance_m / 1000)
    pace_range = _range(pace, 0.01)
    part = _by_distance(StepRole.WORK, goal.distance_m, pace_range, "race pace")
    name = goal.race or distance_label(goal.distance_m, units).capitalize()
    text = (
        f"Race day: {name}. Your current fitness predicts {format_duration(predicted_s)} "
        f"({format_pace(pace, units)}); start no faster than that and finish strong."
    )
    if goal.target_s is not None:
        text += f" Your target: {format_duration(goal.target_s)}."
    if predicted_s <= 45 * 60:
        text += " Warm up with 10–15 min of easy jogging and a few strides."
    if hot:
        text += "\n" + HEAT_RACE_NOTE
    if predicted_s >= 60 * 60:
        text += "\n" + fuelling_notes(predicted_s)
    workout = _workout(key, WorkoutKind.RACE, f"Race: {name}", [part], text)
    # The plan shows the prediction itself, not the pace range's middle.
    return Workout(
        key=workout.key,
        kind=workout.kind,
        title=workout.title,
        steps=workout.steps,
        notes=workout.notes,
        distance_m=float(goal.distance_m),
        duration_s=float(round(predicted_s)),
    )


def _trial_name(distance_m: float, units: Units) -> str:
    """ "5K", "3K": whole kilometres as runners in either units name them; otherwise "1.6K"
    for a km runner and "1 mile" (or miles to the tenth) for a miles runner."""
    kilometres = distance_m / 1000
    if units == "mi" and abs(kilometres - round(kilometres)) >= 0.05:
        return _distance_text(distance_m, units)
    return _distance(distance_m, "km").replace(" km", "K")


def time_trial(
    key: str, paces: Paces, *, distance_m: float = 5000.0, units: Units = "km"
) -> Workout:
    """A time trial to measure fitness when there is no race to go by: 2 km easy warm-up, then
    ``distance_m`` (5 km) all-out but even, then 1.5 km easy. No pace target on the effort
    (the point is to find out); it is ``kind`` race so that, named "time trial", it feeds the
    next fitness estimate. The effort's time is estimated from the current paces."""
    vdot = vdot_from_threshold_pace(paces.threshold)
    effort_s = race_time(vdot, distance_m)
    effort = _by_distance(
        StepRole.WORK,
        distance_m,
        None,
        "all out, but even: a hard, steady effort",
        estimate_s_per_km=effort_s / (distance_m / 1000),
    )
    parts = [_warmup(2000.0, paces), effort, _cooldown(1500.0, paces)]
    return _workout(
        key,
        WorkoutKind.RACE,
        f"{_trial_name(distance_m, units)} time trial",
        parts,
        f"Time trial: warm up {_distance(2000.0, units)} easy, then run "
        f"{_distance(distance_m, units)} as fast as you can hold evenly (no pace target: this "
        f"measures your fitness), then {_distance(1500.0, units)} easy. Keep the name "
        "'time trial' on Strava so it updates your paces.",
    )
