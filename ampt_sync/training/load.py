"""Training load from what the runner actually ran: weekly volume, the longest recent run, gaps,
and the load signals the adaptation watches. Pure functions over :class:`Activity` history.

Units: distances in metres, days as local dates (an activity's ``day``). Weeks start on Monday
(``date.weekday() == 0``). Only runs count (``Activity.is_run``) and, of those, only plausible ones
(see :func:`counts_as_run`): a GPS glitch must not become the "longest run" that the next long run
may exceed by 10 %.

Every helper is linear in the history it is given, or better: :class:`RunLog` indexes the history
once and then answers per-day and per-week questions from dictionaries, so that a plan over ten
years of activities costs about as much as one over a single year.

Rules and their sources (``docs``: the science note, ``training-science.md``):

* single-session cap: no run longer than 1.10 × the longest run of the 30 days before it
  (Frandsen et al. 2025, §3.1) — :func:`single_run_cap_m`;
* weekly build cap: a build week at most max(1.10 × M, M + 5 km when M < 20 km), M the largest of
  the previous three weeks (§3.1, a convention) — :func:`weekly_build_cap_m`;
* return to load after a gap (Daniels, §5.5) — :func:`return_to_load_factor`;
* EWMA acute:chronic ratio (Williams et al. 2017, §3.2; display and a soft signal only) and
  Foster's monotony (§3.3, §5.5) — :func:`ewma_acwr`, :func:`monotony`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ampt_sync.domain import Activity

# ------------------------------------------------------------------------------------------------
# Rule parameters (science note §3.1, §3.2, §3.3, §5.5, §7)

#: Single-session cap: a run may be at most this × the longest run of the window (§3.1, Frandsen
#: 2025; §7 ``load.single_session_cap``).
SINGLE_RUN_CAP_FACTOR = 1.10
#: The window of that cap, in days before the run (§3.1).
LONGEST_RUN_WINDOW_DAYS = 30
#: With no run in the window, the longest run is taken as this share of the weekly volume
#: (issue 3: "with no history, take 0.3 × weekly_distance").
NO_HISTORY_LONGEST_SHARE = 0.30
#: Weekly build cap: at most this × M … (§3.1 soft weekly cap, §7 ``load.weekly_build_cap``).
WEEKLY_BUILD_CAP_FACTOR = 1.10
#: … or M + this many metres while M is below WEEKLY_SMALL_VOLUME_M (§3.1: "allow larger relative
#: steps when weekly volume < ~20 km (absolute +5 km)").
WEEKLY_SMALL_STEP_M = 5000.0
WEEKLY_SMALL_VOLUME_M = 20000.0
#: M is the largest of this many previous weeks (§3.1).
WEEKLY_CAP_LOOKBACK_WEEKS = 3
#: Chronic load: the average of this many previous full weeks (§3.2, 28 days).
CHRONIC_WEEKS = 4
#: A stretch without running this long or longer is a gap (§5.5: "≥ 6 days → apply FVDOT").
GAP_MIN_DAYS = 6
#: EWMA spans in days (§3.2, Williams et al. 2017; §7 ``load.acwr_ewma``).
ACUTE_SPAN_DAYS = 7
CHRONIC_SPAN_DAYS = 28
#: Runs that cannot be real: faster than this (m/s, about 2:23/km for the whole run) or longer
#: than this are ignored for load (a GPS glitch or a ride logged as a run).
MAX_PLAUSIBLE_SPEED_MPS = 7.0
MAX_PLAUSIBLE_DISTANCE_M = 250_000.0


# ------------------------------------------------------------------------------------------------
# Calendar helpers


#: Distances are planned in whole hundreds of metres, rounded down (never past a cap).
ROUND_M = 100.0


def floor_m(distance_m: float) -> float:
    """``distance_m`` rounded down to the planning grain (100 m)."""
    return math.floor(distance_m / ROUND_M + 1e-9) * ROUND_M


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def days_between(first: date, end: date) -> Iterable[date]:
    """Every day with ``first <= day < end``."""
    for offset in range((end - first).days):
        yield first + timedelta(days=offset)


# ------------------------------------------------------------------------------------------------
# Which activities count


def counts_as_run(activity: Activity) -> bool:
    """A run with a positive, plausible distance and time."""
    if not activity.is_run or activity.distance_m <= 0:
        return False
    if activity.distance_m > MAX_PLAUSIBLE_DISTANCE_M:
        return False
    seconds = activity.moving_time_s or activity.elapsed_time_s
    if seconds <= 0:
        return False
    return activity.distance_m / seconds <= MAX_PLAUSIBLE_SPEED_MPS


# ------------------------------------------------------------------------------------------------
# Caps


def single_run_cap_m(longest_recent_m: float) -> float:
    """The longest a training run may be, given the longest run of the 30 days before it."""
    return SINGLE_RUN_CAP_FACTOR * longest_recent_m


def weekly_build_cap_m(largest_recent_week_m: float) -> float:
    """The most a build week may hold, given M, the largest of the previous three weeks."""
    m = largest_recent_week_m
    if m < WEEKLY_SMALL_VOLUME_M:
        return max(WEEKLY_BUILD_CAP_FACTOR * m, m + WEEKLY_SMALL_STEP_M)
    return WEEKLY_BUILD_CAP_FACTOR * m


#: After more than 8 weeks off: (first day after the block, share of the old load) (§5.5).
RETURN_BLOCKS_LONG = ((21, 0.30), (42, 0.50), (63, 0.70), (84, 0.85))
#: 6–28 days off: (end of the part as a share of the return period, share of the old load).
RETURN_PARTS_SHORT = ((0.5, 0.50), (1.0, 0.75))
#: 29–56 days off: the same, in thirds.
RETURN_PARTS_MEDIUM = ((1 / 3, 0.33), (2 / 3, 0.50), (1.0, 0.75))


def return_to_load_factor(gap_days: int, days_since_return: int) -> float:
    """Share of the pre-gap weekly load to run ``days_since_return`` days after a gap of
    ``gap_days`` days without running (Daniels, science note §5.5).

    Up to 5 days off: 1.0. 6–28 days: the return period is as long as the gap, its first half at
    50 %, the second at 75 %. 29–56 days: thirds at 33 / 50 / 75 %. Longer: three-week blocks at
    30, 50, 70, 85 %. Then 1.0. ``days_since_return`` 0 is the first day back; a negative value
    (still in the gap) gets the first share.
    """
    if gap_days < GAP_MIN_DAYS:
        return 1.0
    day = max(0, days_since_return)
    if gap_days <= 56:
        parts = RETURN_PARTS_SHORT if gap_days <= 28 else RETURN_PARTS_MEDIUM
        for end_share, factor in parts:
            if day < gap_days * end_share:
                return factor
        return 1.0
    for end_day, factor in RETURN_BLOCKS_LONG:
        if day < end_day:
            return factor
    return 1.0


# ------------------------------------------------------------------------------------------------
# The run log: history indexed once


@dataclass(frozen=True)
class Gap:
    """``days`` days without a run, from ``first`` to ``last`` inclusive."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


class RunLog:
    """Running distance per day and per week, and the longest single run per day.

    Built once from activities (linear); queries touch only the days they ask about. A planner
    may :meth:`add` planned runs to the same log so that "done or planned" rules read one source.
    """

    def __init__(self, activities: Iterable[Activity] = ()) -> None:
        self._total_m: dict[date, float] = {}
        self._longest_m: dict[date, float] = {}
        self._week_m: dict[date, float] = {}
        for activity in activities:
            if counts_as_run(activity):
                self.add(activity.day, activity.distance_m)

    def copy(self) -> RunLog:
        clone = RunLog()
        clone._total_m = dict(self._total_m)
        clone._longest_m = dict(self._longest_m)
        clone._week_m = dict(self._week_m)
        return clone

    def add(
        self, day: date, distance_m: float, *, longest: bool = True, volume: bool = True
    ) -> None:
        """Record one run of ``distance_m`` on ``day``. ``longest=False`` leaves it out of the
        longest runs, ``volume=False`` out of the daily and weekly distance (a planner records
        the goal race as a longest run only: it must not lift the weekly cap after it)."""
        if distance_m <= 0:
            return
        if longest:
            self._longest_m[day] = max(self._longest_m.get(day, 0.0), distance_m)
        if volume:
            self._total_m[day] = self._total_m.get(day, 0.0) + distance_m
            monday = week_start(day)
            self._week_m[monday] = self._week_m.get(monday, 0.0) + distance_m

    # -- queries -----------------------------------------------------------------------------

    @property
    def run_days(self) -> list[date]:
        """Every day with a run, in order."""
        return sorted(self._total_m)

    def weeks(self) -> dict[date, float]:
        """Running distance per Monday-started week with any running, keyed by Monday, in order."""
        return {monday: self._week_m[monday] for monday in sorted(self._week_m)}

    def is_empty(self) -> bool:
        return not self._total_m

    def distance_on(self, day: date) -> float:
        return self._total_m.get(day, 0.0)

    def distance_between(self, first: date, end: date) -> float:
        """Running distance with ``first <= day < end``."""
        if (end - first).days > len(self._total_m):
            return sum(v for d, v in self._total_m.items() if first <= d < end)
        return sum(self._total_m.get(d, 0.0) for d in days_between(first, end))

    def week_distance_m(self, monday: date) -> float:
        """Running distance of the Monday-started week beginning ``monday``."""
        return self._week_m.get(week_start(monday), 0.0)

    def weeks_before(self, day: date, count: int) -> list[float]:
        """The running distance of the ``count`` full weeks before ``day``'s week, oldest first."""
        monday = week_start(day)
        return [self.week_distance_m(monday - timedelta(weeks=n)) for n in range(count, 0, -1)]

    def largest_recent_week_m(self, day: date, weeks: int = WEEKLY_CAP_LOOKBACK_WEEKS) -> float:
        """M: the largest of the ``weeks`` full weeks before ``day``'s week."""
        return max(self.weeks_before(day, weeks), default=0.0)

    def chronic_weekly_m(self, day: date, weeks: int = CHRONIC_WEEKS) -> float:
        """Average weekly distance of the ``weeks`` full weeks before ``day``'s week.

        Weeks before the first run ever recorded are left out of the average, so that a runner
        who joined Strava two weeks ago is not diluted by empty weeks; 0.0 with no run at all in
        those weeks.
        """
        monday = week_start(day)
        first_run = min(self._total_m, default=None)
        if first_run is None:
            return 0.0
        values = [
            self.week_distance_m(monday - timedelta(weeks=n))
            for n in range(weeks, 0, -1)
            if monday - timedelta(weeks=n) >= week_start(first_run)
        ]
        return sum(values) / len(values) if values else 0.0

    def longest_before(self, day: date, window_days: int = LONGEST_RUN_WINDOW_DAYS) -> float:
        """The longest single run in the ``window_days`` days before ``day`` (not ``day``)."""
        return max(
            (self._longest_m.get(day - timedelta(days=n), 0.0) for n in range(1, window_days + 1)),
            default=0.0,
        )

    def last_run_on_or_before(self, day: date) -> date | None:
        """The latest day with a run on or before ``day``."""
        days = [d for d in self._total_m if d <= day]
        return max(days) if days else None

    def gaps(self, since: date, today: date, min_days: int = GAP_MIN_DAYS) -> list[Gap]:
        """Stretches of ``min_days``+ days without a run that end on or after ``since``.

        The stretch since the last run counts up to yesterday (today is not over) and is a gap
        only when it is long enough already. No run at all is not a gap: an empty history says
        nothing about time off.
        """
        days = sorted(d for d in self._total_m if d < today)
        if not days:
            return []
        found = []
        for previous, following in zip(days, [*days[1:], today], strict=True):
            length = (following - previous).days - 1
            if length >= min_days:
                gap = Gap(previous + timedelta(days=1), following - timedelta(days=1))
                if gap.last >= since:
                    found.append(gap)
        return found

    def daily_series(self, first: date, end: date) -> list[float]:
        """Running distance of each day with ``first <= day < end`` (zeros included)."""
        return [self._total_m.get(d, 0.0) for d in days_between(first, end)]


# ------------------------------------------------------------------------------------------------
# Functions over plain activity lists (each builds a RunLog once)


def weekly_distance_m(activities: Iterable[Activity]) -> dict[date, float]:
    """Running distance per Monday-started week, keyed by the Monday, in date order."""
    return RunLog(activities).weeks()


def chronic_weekly_distance_m(
    activities: Iterable[Activity], today: date, weeks: int = CHRONIC_WEEKS
) -> float:
    """Average weekly running distance of the ``weeks`` full weeks before ``today``'s week."""
    return RunLog(activities).chronic_weekly_m(today, weeks)


def longest_run_m(
    activities: Iterable[Activity], day: date, window_days: int = LONGEST_RUN_WINDOW_DAYS
) -> float:
    """The longest single run in the ``window_days`` days before ``day``."""
    return RunLog(a for a in activities if a.day < day).longest_before(day, window_days)


def days_since_last_run(activities: Iterable[Activity], today: date) -> int | None:
    """Days from the last run before ``today`` to ``today`` (1 = ran yesterday); ``None`` with no
    run before today."""
    last = RunLog(a for a in activities if a.day < today).last_run_on_or_before(today)
    return None if last is None else (today - last).days


# ------------------------------------------------------------------------------------------------
# Load signals (science note §3.2, §3.3, §5.5)


def _ewma(series: Sequence[float], span_days: int) -> float:
    weight = 2 / (span_days + 1)
    value = 0.0
    for load in series:
        value = weight * load + (1 - weight) * value
    return value


def ewma_loads(log: RunLog, today: date) -> tuple[float, float] | None:
    """(acute, chronic) EWMA of daily running distance up to and including ``today``, in metres
    per day (spans of 7 and 28 days, Williams et al. 2017). ``None`` with under 28 days of
    history or no chronic load. The page charts these (× 7 for a weekly rate); their ratio is
    :func:`ewma_acwr`.
    """
    days = log.run_days
    if not days or (today - days[0]).days < CHRONIC_SPAN_DAYS:
        return None
    first = max(days[0], today - timedelta(days=4 * CHRONIC_SPAN_DAYS))
    series = log.daily_series(first, today + timedelta(days=1))
    chronic = _ewma(series, CHRONIC_SPAN_DAYS)
    if chronic <= 0:
        return None
    return _ewma(series, ACUTE_SPAN_DAYS), chronic


def ewma_acwr(log: RunLog, today: date) -> float | None:
    """Uncoupled EWMA acute:chronic ratio of daily running distance up to and including
    ``today`` (Williams et al. 2017). ``None`` with under 28 days of history or no chronic load.

    For display and as one soft overreaching signal; never a gate on its own (§3.2).
    """
    loads = ewma_loads(log, today)
    return None if loads is None else loads[0] / loads[1]


def monotony(log: RunLog, today: date, days: int = 7) -> float:
    """Foster's monotony of the ``days`` days ending ``today``: mean daily distance ÷ its
    standard deviation. ``math.inf`` when every day was the same non-zero load, 0 with none."""
    series = log.daily_series(today - timedelta(days=days - 1), today + timedelta(days=1))
    mean = sum(series) / len(series)
    if mean == 0:
        return 0.0
    sd = statistics.pstdev(series)
    return math.inf if sd == 0 else mean / sd


def efficiency_factors(
    activities: Iterable[Activity], first: date, end: date, *, slower_than_s_per_km: float
) -> list[tuple[date, float]]:
    """Efficiency factor (metres per minute per heartbeat: speed ÷ average heart rate) of the
    steady, easy runs with heart rate between ``first`` and ``end`` (excluded). "Easy" is an
    average pace slower than ``slower_than_s_per_km`` (the fast end of easy pace)."""
    found = []
    for a in activities:
        if not (first <= a.day < end) or not counts_as_run(a) or not a.average_hr_bpm:
            continue
        if a.trainer or a.manual or a.moving_time_s < 20 * 60:
            continue
        pace_s_per_km = a.moving_time_s / (a.distance_m / 1000)
        if pace_s_per_km < slower_than_s_per_km:
            continue
        speed_m_per_min = a.distance_m / (a.moving_time_s / 60)
        found.append((a.day, speed_m_per_min / a.average_hr_bpm))
    return sorted(found)
