"""Periodisation: the weeks of a plan, their phases and cutbacks, and where the volume starts.

Pure and deterministic. Distances in metres, days as the athlete's local dates.

Phases, in AMPT/RRCA order (science note §4.3): *base* (easy volume and strides) → *strength*
(hills and the dumbbell circuit) → *speed* (intervals, tempo) → *taper* → *race*, then
*recovery* (easy running only) and *maintenance*. More than 30 weeks out, maintenance weeks come
first and the build starts 30 weeks before race day; fewer than 3 weeks out, the plan is a taper
and the race only. A cutback week comes every 4th week (every 3rd from 50 years of age, science
note §3.6), counted back from the taper so that regenerating the plan later keeps the same
cutback weeks. Where the volume starts (:class:`Baseline`): what the runner runs now, or, after a
gap, that load times Daniels' return share, climbing back to it beyond the 10 % convention.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property

from ampt_sync.domain import Athlete, Goal, Phase
from ampt_sync.training.load import NO_HISTORY_LONGEST_SHARE, RunLog, week_start
from ampt_sync.training.load import return_to_load_factor as _return_factor
from ampt_sync.units import Units, format_distance

# ------------------------------------------------------------------------------------------------
# Rule parameters. [H] marks a practitioner heuristic (a default, not a fact); the section numbers
# are those of the science note, ../shared/reference/training-science.md.


class Race(StrEnum):
    """Goal distances as the plan treats them."""

    SHORT = "5k-10k"  # up to 15 km
    HALF = "half"  # up to 30 km
    MARATHON = "marathon"


#: The build (base → taper → race) lasts at most this many weeks; earlier weeks are maintenance
#: (issue 3: "more than 30 weeks out: base and maintenance until the build starts").
MAX_BUILD_WEEKS = 30
#: Fewer days than this to the race: taper and race only, with a warning (issue 3).
MIN_BUILD_DAYS = 21
#: Volume of each taper week and of the race week (before the race) as a share of the peak week
#: (§3.5, §7 ``taper``: marathon 3 weeks 80/60/40 %, half 2 weeks 70/50 %, 5K–10K about 10 days
#: at 60 %; the week before a 5K–10K race week holds the first few taper days).
TAPER_FRACTIONS: dict[Race, tuple[float, ...]] = {
    Race.SHORT: (0.80, 0.60),
    Race.HALF: (0.70, 0.50),
    Race.MARATHON: (0.80, 0.60, 0.40),
}
#: Easy running only for this many days after the race (issue 3).
RECOVERY_DAYS: dict[Race, int] = {Race.SHORT: 7, Race.HALF: 14, Race.MARATHON: 21}
#: Volume during the recovery, as a share of the average of the 4 weeks before race week [H].
RECOVERY_VOLUME_SHARE = 0.50
#: Maintenance volume: the average of this many weeks before race week (issue 3).
MAINTENANCE_AVERAGE_WEEKS = 4
#: The plan reaches this many days past the end of the recovery, and at least this far ahead of
#: today; the adaptation extends it as days pass.
PLAN_DAYS_AFTER_RECOVERY = 28
PLAN_MIN_DAYS_AHEAD = 28
#: Cutback weeks: one every 4th week, every 3rd from 50 years of age (§3.6, §7 ``load.cutback``);
#: their sizes are in :mod:`ampt_sync.training.targets`.
CUTBACK_EVERY_WEEKS = 4
CUTBACK_EVERY_WEEKS_MASTERS, MASTERS_AGE = 3, 50
#: The phases of the build proper, whose full weeks climb to the peak.
BUILD_PHASES = frozenset({Phase.BASE, Phase.STRENGTH, Phase.SPEED})
#: With no history and no ``athlete.weekly_distance``: a cautious start, per run day [H].
BEGINNER_M_PER_RUN_DAY = 3000.0
#: Weeks that start up to this many days after a return from a gap is over may still climb back
#: to the load before the gap, beyond the 10 % convention (Daniels, science note §5.5) [H]; the
#: longest return there is (Daniels' 3-week blocks after 8+ weeks off).
RETURN_ALLOWANCE_DAYS = 14
RETURN_LONGEST_DAYS = 5 * 21
#: A gap longer than this makes the history before it irrelevant: start as if new [H].
STALE_HISTORY_DAYS = 26 * 7


def race_class(distance_m: float) -> Race:
    if distance_m <= 15_000:
        return Race.SHORT
    if distance_m <= 30_000:
        return Race.HALF
    return Race.MARATHON


# ------------------------------------------------------------------------------------------------
# The plan's frame: weeks, phases, cutbacks


@dataclass(frozen=True)
class WeekFrame:
    """One week before any volume is decided. ``first``..``last`` are the plan days in it."""

    monday: date
    first: date
    last: date
    phase: Phase
    cutback: bool
    taper_fraction: float | None = None
    pre_build: bool = False

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def _split_build(weeks: int) -> list[Phase]:
    """Base, strength and speed weeks for a build of ``weeks`` (AMPT order, about 35/35/30 %)."""
    if weeks <= 0:
        return []
    if weeks == 1:
        return [Phase.STRENGTH]
    if weeks == 2:
        return [Phase.STRENGTH, Phase.SPEED]
    speed = max(1, round(weeks * 0.30))
    strength = max(1, round(weeks * 0.35))
    base = weeks - speed - strength
    return [Phase.BASE] * base + [Phase.STRENGTH] * strength + [Phase.SPEED] * speed


def plan_end(goal: Goal, today: date) -> date:
    """The plan's last day: a Sunday at least 28 days past the recovery and past today."""
    recovery_end = goal.day + timedelta(days=RECOVERY_DAYS[race_class(goal.distance_m)])
    last = max(
        recovery_end + timedelta(days=PLAN_DAYS_AFTER_RECOVERY),
        today + timedelta(days=PLAN_MIN_DAYS_AHEAD),
    )
    return week_start(last) + timedelta(days=6)


def week_frames(
    goal: Goal, today: date, end: date | None = None, *, cutback_every: int | None = None
) -> list[WeekFrame]:
    """The weeks from ``today``'s week to ``end`` (default :func:`plan_end`) with their phases
    and cutback flags. Cutbacks are counted back from the taper (forward from the recovery
    after the race), so they fall on the same weeks whenever the plan is made."""
    end = end or plan_end(goal, today)
    every = cutback_every or CUTBACK_EVERY_WEEKS
    cls = race_class(goal.distance_m)
    race_monday = week_start(goal.day)
    recovery_last = goal.day + timedelta(days=RECOVERY_DAYS[cls])
    mondays = []
    monday = week_start(today)
    while monday <= end:
        mondays.append(monday)
        monday += timedelta(weeks=1)

    fractions = TAPER_FRACTIONS[cls]
    pre_race = [m for m in mondays if m < race_monday]
    short = (goal.day - today).days < MIN_BUILD_DAYS
    phases: dict[date, tuple[Phase, float | None, bool]] = {}
    if goal.day >= today:
        taper_weeks = len(fractions) - 1
        if short:
            taper = pre_race
            build: list[date] = []
        else:
            taper = pre_race[-taper_weeks:] if taper_weeks else []
            build = pre_race[: len(pre_race) - len(taper)]
        for i, m in enumerate(taper):
            index = len(fractions) - 1 - len(taper) + i
            phases[m] = (Phase.TAPER, fractions[max(0, index)], False)
        weeks_to_race = len(pre_race) + 1
        pre_build = max(0, weeks_to_race - MAX_BUILD_WEEKS)
        for m in build[:pre_build]:
            phases[m] = (Phase.MAINTENANCE, None, True)
        for m, phase in zip(build[pre_build:], _split_build(len(build) - pre_build), strict=True):
            phases[m] = (phase, None, False)
    frames = []
    first_taper = min((m for m, v in phases.items() if v[0] is Phase.TAPER), default=race_monday)
    first_maintenance_after = week_start(recovery_last) + timedelta(weeks=1)
    for m in mondays:
        first = max(m, today)
        last = min(m + timedelta(days=6), end)
        if m in phases:
            phase, fraction, pre_build_week = phases[m]
            cutback = (
                phase in (Phase.BASE, Phase.STRENGTH, Phase.SPEED, Phase.MAINTENANCE)
                and (first_taper - m).days // 7 % every == 0
            )
            frames.append(WeekFrame(m, first, last, phase, cutback, fraction, pre_build_week))
        elif m == race_monday and goal.day >= today:
            frames.append(WeekFrame(m, first, last, Phase.RACE, False, fractions[-1]))
        elif m <= week_start(recovery_last):
            frames.append(WeekFrame(m, first, last, Phase.RECOVERY, False))
        else:
            since = (m - first_maintenance_after).days // 7
            cutback = since % every == every - 1
            frames.append(WeekFrame(m, first, last, Phase.MAINTENANCE, cutback))
    return frames


# ------------------------------------------------------------------------------------------------
# The starting point: what the runner actually runs


@dataclass(frozen=True)
class Baseline:
    """Where the volume starts. ``weekly_m`` is the first week's level; ``usual_m`` the level
    before any gap (the same without one); ``return_day``/``gap_days`` describe the return to
    load after a gap; ``longest_floor_m`` stands in for the longest recent run when there is
    none in the 30 days before today; ``note`` explains it in words."""

    weekly_m: float
    usual_m: float
    longest_floor_m: float
    return_day: date | None = None
    gap_days: int = 0
    note: str = ""
    no_history: bool = False

    def factor(self, day: date) -> float:
        """Share of the usual load on ``day`` while returning from a gap."""
        if self.return_day is None:
            return 1.0
        return _return_factor(self.gap_days, (day - self.return_day).days)

    @cached_property
    def back_to_usual(self) -> date | None:
        """The first day the return from a gap reaches the usual load (None without one)."""
        start = self.return_day
        if start is None:
            return None
        days = (start + timedelta(days=n) for n in range(RETURN_LONGEST_DAYS))
        return next((d for d in days if self.factor(d) >= 1.0), start)

    def return_allowance_m(self, monday: date) -> float:
        """What the week starting ``monday`` may hold whatever the 10 % convention says:
        returning to a load the runner held before a gap is not new load (Daniels, science
        note §5.5), so while returning, and for two weeks after, the usual load times the
        return share of the week's last day. 0 without a return."""
        back = self.back_to_usual
        if back is None or monday > back + timedelta(days=RETURN_ALLOWANCE_DAYS):
            return 0.0
        return self.factor(monday + timedelta(days=6)) * self.usual_m


def baseline(athlete: Athlete, log: RunLog, today: date) -> Baseline:
    """The starting volume from the history (``log`` holds runs before ``today``).

    No run in the last half year: ``athlete.weekly_distance_m``, else a cautious 3 km per run
    day. Otherwise the chronic load (the average of the last 4 full weeks); after a gap of 6+
    days that ended less than a return period ago (or is still going on), that load before the
    gap times Daniels' return-to-load share. With no run in the 30 days before today, 0.3 × the
    starting volume stands in for the longest recent run.
    """
    stated = athlete.weekly_distance_m
    fallback = stated or BEGINNER_M_PER_RUN_DAY * len(athlete.schedule.run_days)
    last = log.last_run_on_or_before(today - timedelta(days=1))
    if last is None or (today - last).days > STALE_HISTORY_DAYS:
        units: Units = "mi" if athlete.units == "mi" else "km"
        if stated:
            note = (
                "no recent running history: starting from your stated "
                f"{format_distance(stated, units)} a week"
            )
        else:
            note = (
                "no running history and no athlete.weekly_distance: starting cautiously at "
                f"{format_distance(fallback, units)} a week"
            )
        return Baseline(
            fallback, fallback, NO_HISTORY_LONGEST_SHARE * fallback, note=note, no_history=True
        )
    chronic = log.chronic_weekly_m(today) or log.week_distance_m(today) or fallback
    start, usual, return_day, gap_days, note = chronic, chronic, None, 0, ""
    gaps = log.gaps(today - timedelta(weeks=8), today)
    if gaps:
        gap = gaps[-1]
        ongoing = gap.last >= today - timedelta(days=1)
        day_back = today if ongoing else gap.last + timedelta(days=1)
        length = (today - gap.first).days if ongoing else gap.days
        factor = _return_factor(length, (today - day_back).days)
        if factor < 1.0:
            usual = log.chronic_weekly_m(gap.first) or chronic
            start, return_day, gap_days = usual * factor, day_back, length
            units = "mi" if athlete.units == "mi" else "km"
            note = (
                f"{length} days without running: easing back in from about "
                f"{format_distance(start, units)} a week"
            )
    floor = NO_HISTORY_LONGEST_SHARE * start if log.longest_before(today) <= 0 else 0.0
    return Baseline(start, usual, floor, return_day, gap_days, note)
