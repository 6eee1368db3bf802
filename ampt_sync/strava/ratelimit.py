"""Strava's rate limits, read from its response headers; raises instead of sleeping.

Strava counts requests per application in two windows: 15 minutes (resetting at :00, :15, :30 and
:45) and one day (resetting at midnight UTC). Every API response carries the state of both:

``X-RateLimit-Limit: 200,2000`` / ``X-RateLimit-Usage: 79,222``
    all requests: 15-minute limit, daily limit / usage
``X-ReadRateLimit-Limit: 100,1000`` / ``X-ReadRateLimit-Usage: 78,221``
    "non-upload" requests (every GET we make)

The numbers differ between apps and change over time, so they are read, never hard-coded.

:class:`RateBudget` is handed to stravalib as its ``rate_limiter``: stravalib calls it with the
headers of every API response. It only records them. Raising there would throw away a response
already paid for, and stravalib's own limiter sleeps for up to a day, which a daemon cannot afford.
Instead the client calls :meth:`RateBudget.check` *before* each request; it raises
:class:`~ampt_sync.errors.RateLimited` with the moment the exhausted window resets when the
request would cross a limit. Observations from an earlier window count as zero usage.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ampt_sync.errors import RateLimited

log = logging.getLogger(__name__)

WINDOW_S = 15 * 60


def window_start(now: datetime) -> datetime:
    """The start of the 15-minute window holding ``now`` (aware, UTC)."""
    now = now.astimezone(UTC)
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)


def next_window(now: datetime) -> datetime:
    """When the 15-minute window holding ``now`` ends (the next :00, :15, :30 or :45, UTC)."""
    return window_start(now) + timedelta(seconds=WINDOW_S)


def next_utc_midnight(now: datetime) -> datetime:
    """When the daily window holding ``now`` ends."""
    now = now.astimezone(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)


@dataclass(frozen=True)
class Usage:
    """One header pair at one moment: requests used and allowed, per 15 minutes and per day."""

    short_used: int
    short_limit: int
    daily_used: int
    daily_limit: int
    observed_at: datetime

    def current(self, now: datetime) -> tuple[int, int]:
        """(15-minute, daily) usage as it stands at ``now``: zero for windows that reset since."""
        if next_utc_midnight(self.observed_at) <= now:
            return 0, 0
        if next_window(self.observed_at) <= now:
            return 0, self.daily_used
        return self.short_used, self.daily_used


def _pair(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        first, second = (int(part.strip()) for part in value.split(","))
    except ValueError:
        return None
    return first, second


def parse_usage(headers: Mapping[str, str], prefix: str, observed_at: datetime) -> Usage | None:
    """The ``{prefix}-Usage``/``{prefix}-Limit`` pair of ``headers`` (case-insensitive), or None
    when absent or unreadable."""
    folded = {key.casefold(): value for key, value in headers.items()}
    used = _pair(folded.get(f"{prefix}-usage".casefold()))
    limit = _pair(folded.get(f"{prefix}-limit".casefold()))
    if used is None or limit is None or min(limit) <= 0:
        return None
    return Usage(used[0], limit[0], used[1], limit[1], observed_at)


class RateBudget:
    """What is left of Strava's budget, as the last response said.

    ``reserve`` requests per window are left unused (for another process sharing the app).
    ``clock`` returns epoch seconds. Thread-safe.
    """

    def __init__(self, *, reserve: int = 0, clock: Callable[[], float] = time.time) -> None:
        self.reserve = reserve
        self._clock = clock
        self._lock = threading.Lock()
        self._overall: Usage | None = None
        self._read: Usage | None = None

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    # stravalib calls this after every API response (never for /oauth/).
    def __call__(self, headers: Mapping[str, str], method: str) -> None:
        self.record(headers)

    def record(self, headers: Mapping[str, str]) -> None:
        now = self._now()
        overall = parse_usage(headers, "X-RateLimit", now)
        read = parse_usage(headers, "X-ReadRateLimit", now)
        with self._lock:
            if overall is not None:
                self._overall = overall
            if read is not None:
                self._read = read
        if overall is None and read is None:
            log.debug("a Strava response carried no rate-limit headers")

    def _watched(self, method: str) -> list[tuple[str, Usage]]:
        with self._lock:
            pairs = [("request", self._overall)]
            if method.upper() == "GET":
                pairs.append(("read", self._read))
        return [(name, usage) for name, usage in pairs if usage is not None]

    def check(self, method: str = "GET") -> None:
        """Raise :class:`RateLimited` if one more ``method`` request would cross a limit."""
        now = self._now()
        for name, usage in self._watched(method):
            short_used, daily_used = usage.current(now)
            if daily_used + 1 + self.reserve > usage.daily_limit:
                retry_at = next_utc_midnight(now)
                raise RateLimited(
                    f"Strava's daily {name} limit is used up ({daily_used} of "
                    f"{usage.daily_limit}); nothing is lost, the next pull after "
                    f"{retry_at:%Y-%m-%d %H:%M} UTC resumes",
                    retry_at,
                )
            if short_used + 1 + self.reserve > usage.short_limit:
                retry_at = next_window(now)
                raise RateLimited(
                    f"Strava's 15-minute {name} limit is used up ({short_used} of "
                    f"{usage.short_limit}); nothing is lost, the next pull after "
                    f"{retry_at:%H:%M} UTC resumes",
                    retry_at,
                )

    def after_429(self, headers: Mapping[str, str]) -> RateLimited:
        """The error for a 429 answer: retry when the window it exhausted resets."""
        self.record(headers)
        now = self._now()
        daily_full = any(
            usage.current(now)[1] >= usage.daily_limit for _, usage in self._watched("GET")
        )
        retry_at = next_utc_midnight(now) if daily_full else next_window(now)
        which = "daily" if daily_full else "15-minute"
        return RateLimited(
            f"Strava refused a request: its {which} rate limit is reached (429); nothing is "
            f"lost, the next pull after {retry_at:%Y-%m-%d %H:%M} UTC resumes",
            retry_at,
        )

    def remaining(self, method: str = "GET") -> int | None:
        """Requests left in the tighter window now, or None before the first response."""
        now = self._now()
        left = [
            min(
                usage.short_limit - usage.current(now)[0], usage.daily_limit - usage.current(now)[1]
            )
            for _, usage in self._watched(method)
        ]
        return max(0, min(left) - self.reserve) if left else None
