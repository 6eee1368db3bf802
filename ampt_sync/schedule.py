"""When the daemon's daily cycles fire: a local wall-clock time, once per local day, DST-safe.

APScheduler's ``CronTrigger`` (3.11.3) fires a wall time that the autumn change repeats twice
(once per offset) and moves one that the spring change skips by a whole hour. A runner's
morning push should do neither, so :class:`DailyTrigger` fires

* at the wall time when it exists once;
* at the first valid instant after it when the spring change skips it
  (02:30 on a 02:00→03:00 night fires at 03:00);
* once, at its first occurrence, when the autumn change repeats it.

All of it is pure arithmetic on ``zoneinfo``; :func:`fire_time` is what the tests pin.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger


def _exists(local: datetime) -> bool:
    """Whether a wall time (fold=0) names a real instant in its zone."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def fire_time(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (aware, UTC) at which the daily time ``at`` fires on local ``day``."""
    wall = datetime.combine(day, at, tzinfo=zone)  # fold=0: the first of a repeated time
    if _exists(wall):
        return wall.astimezone(UTC)
    # Skipped by a spring change: the gap lies between the two readings of the wall time.
    # Search the first instant whose local time is at or after the wanted wall time.
    low = wall.replace(fold=1).astimezone(UTC)  # read with the later (post-change) offset
    high = wall.astimezone(UTC)  # read with the earlier offset; valid and after the gap
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        local = middle.astimezone(zone).replace(tzinfo=None)
        if local >= wall.replace(tzinfo=None):
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def next_fire(after: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first fire instant strictly after ``after`` (aware)."""
    day = after.astimezone(zone).date() - timedelta(days=1)
    while True:
        candidate = fire_time(day, at, zone)
        if candidate > after:
            return candidate
        day += timedelta(days=1)


def previous_fire(before: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The last fire instant at or before ``before`` (aware)."""
    day = before.astimezone(zone).date() + timedelta(days=1)
    while True:
        candidate = fire_time(day, at, zone)
        if candidate <= before:
            return candidate
        day -= timedelta(days=1)


class DailyTrigger(BaseTrigger):
    """An APScheduler trigger firing :func:`fire_time` every local day, plus up to ``jitter_s``
    seconds of positive jitter (spreading load on the services, never firing early)."""

    def __init__(self, at: time, zone: ZoneInfo, *, jitter_s: float = 0.0) -> None:
        self.at = at
        self.zone = zone
        self.jitter_s = jitter_s

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is not None:
            # Jitter moved the previous run off the grid; step from its unjittered instant.
            base = previous_fire(previous_fire_time, self.at, self.zone)
            after = max(base, now - timedelta(microseconds=1))
        else:
            after = now - timedelta(microseconds=1)
        fire = next_fire(after, self.at, self.zone)
        if self.jitter_s:
            fire += timedelta(seconds=random.uniform(0, self.jitter_s))
        return fire.astimezone(self.zone)

    def __str__(self) -> str:
        return f"daily at {self.at.strftime('%H:%M')} {self.zone.key}"

    def __repr__(self) -> str:
        return f"<DailyTrigger at={self.at.strftime('%H:%M')} zone={self.zone.key!r}>"
