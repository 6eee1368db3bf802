"""What a cycle is given (:class:`CycleDeps`) and what it did (:class:`CycleReport`): the data
the steps of :mod:`ampt_sync.service` share, with the results a cycle can end in."""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ampt_sync import alerts
from ampt_sync.config import Settings
from ampt_sync.daemon import CycleOutcome
from ampt_sync.errors import (
    AmptSyncError,
    AuthError,
    ConfigError,
    Interrupted,
    RateLimited,
    TemporaryError,
)
from ampt_sync.secrets import TokenStore
from ampt_sync.store.db import Store

MORNING_KINDS = frozenset({"push", "catch-up"})


#: A cycle's results, mildest first: "temporary", "rate_limited" and "busy" are retried later
#: (exit 75); "auth" (a service refused our sign-in) and "config" (the config or the set-up is
#: incomplete) need the runner (exit 78); "error" is anything else (exit 1).
RESULTS = ("ok", "temporary", "rate_limited", "busy", "auth", "config", "error", "interrupted")

#: The log level of a finished cycle by result: ``journalctl -p warning`` shows every problem.
LOG_LEVEL_BY_RESULT = {
    "ok": logging.INFO,
    "interrupted": logging.INFO,
    "temporary": logging.WARNING,
    "rate_limited": logging.WARNING,
    "busy": logging.WARNING,
    "auth": logging.ERROR,
    "config": logging.ERROR,
    "error": logging.ERROR,
}


@dataclass
class CycleReport:
    """What one cycle did; stored as JSON in ``run_reports`` and shown by `status`."""

    kind: str
    started_at: datetime
    today: date
    result: str = "ok"
    finished_at: datetime | None = None
    paused_until: date | None = None
    pulled: dict[str, Any] | None = None
    new_activities: int = 0
    plan: dict[str, Any] | None = None
    pushed: dict[str, Any] | None = None
    verified: dict[str, Any] | None = None
    api_calls: dict[str, int] = field(default_factory=lambda: {"strava": 0, "garmin": 0})
    errors: list[str] = field(default_factory=list)
    retry_at: datetime | None = None
    #: the FIT files written when the morning push failed for good (see ampt_sync.fit.fallback)
    fit_fallback: dict[str, Any] | None = None
    #: where the workouts went: ``[delivery] target`` ("garmin", "intervals" or "none")
    delivery: str = "garmin"
    #: pending run days that came due: ``{"instruction", "applied", "message"}``
    settings: dict[str, Any] | None = None

    def fail(self, result: str, message: str) -> None:
        """Record a problem; the worst result wins (interrupted > error > config > auth >
        rate_limited > temporary > ok). See :data:`RESULTS`."""
        self.errors.append(message)
        if RESULTS.index(result) > RESULTS.index(self.result):
            self.result = result

    def failed_with(self, exc: AmptSyncError, service: str) -> None:
        """Record what ``service`` (as the runner knows it: "Strava", "Garmin") failed with, by
        its kind: rate-limited (the earliest retry time wins), auth, config, temporary, else
        error."""
        if isinstance(exc, RateLimited):
            result = "rate_limited"
            self.retry_at = min(filter(None, (self.retry_at, exc.retry_at)))
        elif isinstance(exc, AuthError):
            result = "auth"
        elif isinstance(exc, ConfigError):
            result = "config"
        elif isinstance(exc, TemporaryError):
            result = "temporary"
        else:
            result = "error"
        self.fail(result, f"{service}: {exc}")

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("started_at", "finished_at", "retry_at", "today", "paused_until"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data

    def outcome(self) -> CycleOutcome:
        return CycleOutcome(
            result=self.result,
            new_activities=self.new_activities,
            retry_at=self.retry_at,
            message="; ".join(self.errors),
        )


@dataclass
class CycleDeps:
    """What a cycle talks to. The defaults are the real ones; the demo passes its own clock and
    environment (pointing the clients at the simulators)."""

    settings: Settings
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    #: seconds since the epoch, for the Strava client's token expiry and rate windows
    epoch: Callable[[], float] | None = None
    store: Store | None = None
    token_store: TokenStore | None = None
    alerter: alerts.Alerter | None = None
    #: the config file, where pending run days are written on their day; ``None``: not applied
    config_path: Path | None = None


def guard(stop: threading.Event | None) -> Callable[[], None]:
    """A check to run before every request: it raises Interrupted once ``stop`` is set."""

    def before_request() -> None:
        if stop is not None and stop.is_set():
            raise Interrupted("stopped on request; the next cycle carries on")

    return before_request
