"""`ampt-sync run`: the scheduler, signals and systemd around the daily cycle.

Jobs (APScheduler 3, a ``BackgroundScheduler`` with an in-memory job store: no pickles):

``push``      daily at ``sync.push_at`` local time: workouts are on Garmin before the watch syncs
``adapt``     daily at ``sync.adapt_at``: tomorrow adapts to today's run
``poll``      every ``sync.poll_minutes`` (unless 0): a pull; a new activity runs adapt and push
``catch-up``  once at start when a scheduled cycle was missed while the server was off (or no
              cycle ever succeeded): exactly one run, however many were missed
``retry``     once, at the time a rate limit names (or after a network failure: 15 min, doubling
              with each failure in a row up to 4 h)
``watchdog``  ``WATCHDOG=1`` at half of systemd's ``WatchdogSec``, on its own executor so that a
              long cycle cannot starve it; a stalled scheduler stops it and systemd restarts us

What the runner and systemd see: the cycle logs its own result (INFO when ok, WARNING when
temporary or rate-limited, ERROR for sign-in, config and other errors; see
:func:`ampt_sync.service.run_cycle`); the ``STATUS=`` line shown by ``systemctl status`` names the
last cycle's result and, when it failed, its problem; and with ``[alerts] ping_url`` the morning
push (and a retry after it) pings a dead-man's switch (:mod:`ampt_sync.deadman`): ``/start``,
then success or ``/fail``.

Cycles run one at a time (one worker thread; the cycle itself also takes the lock shared with the
CLI). The main thread only waits for signals: SIGTERM and SIGINT set the stop event, which the
cycle checks before every request, so the process ends within seconds even mid-cycle; SIGHUP
reloads the config and reschedules. Daily times use :class:`~ampt_sync.schedule.DailyTrigger`
(DST-safe) in the runner's zone.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ampt_sync.config import Settings
from ampt_sync.deadman import Pinger
from ampt_sync.memory import release_memory
from ampt_sync.schedule import DailyTrigger, next_fire, previous_fire
from ampt_sync.systemd import notify, watchdog_interval_s

log = logging.getLogger(__name__)

#: A missed daily run (scheduler busy, clock jump) still runs within this window.
MISFIRE_GRACE_S = 6 * 3600
JITTER_DAILY_S = 60.0
JITTER_POLL_S = 30.0
RETRY_AFTER_FAILURE = timedelta(minutes=15)
#: Longest wait before a retry: the delay doubles with each temporary failure in a row.
RETRY_AFTER_FAILURE_MAX = timedelta(hours=4)


def retry_delay(failures_in_a_row: int) -> timedelta:
    """How long after the ``failures_in_a_row``-th temporary failure (1, 2, ...) the cycle is
    tried again: 15 min, 30 min, 1 h, ... at most 4 h (a service that is down, or a token
    renewal that keeps failing, is not hammered)."""
    doubled = RETRY_AFTER_FAILURE * (2 ** max(0, min(failures_in_a_row - 1, 10)))
    return min(doubled, RETRY_AFTER_FAILURE_MAX)


#: Cycles that ping the dead-man's switch: the morning push, its catch-up, and a retry.
PINGED_KINDS = frozenset({"push", "catch-up", "retry"})
#: Longest problem text in the systemd STATUS line.
STATUS_PROBLEM_CHARS = 160


@dataclass(frozen=True)
class CycleOutcome:
    """What a cycle came to. ``result``: ok | temporary | rate_limited | busy | auth | config |
    error | interrupted. ``retry_at`` is set for rate_limited and temporary; ``message`` holds
    the problems, one line each joined by "; " (never a secret)."""

    result: str
    new_activities: int = 0
    retry_at: datetime | None = None
    message: str = ""


#: ``cycle(kind, stop) -> CycleOutcome``; ``kind`` is push | adapt | poll | catch-up | retry.
Cycle = Callable[[str, threading.Event], CycleOutcome]


def missed_since(last_ok: datetime | None, now: datetime, settings: Settings) -> datetime | None:
    """The latest scheduled push or adapt time in ``(last_ok, now]``, if one was missed.

    ``None`` when nothing was missed. Without any successful cycle yet, everything was missed:
    a fresh install puts the plan on the watch at once instead of waiting for tomorrow.
    """
    zone = settings.zone()
    due = max(
        previous_fire(now, settings.sync.push_time(), zone),
        previous_fire(now, settings.sync.adapt_time(), zone),
    )
    if last_ok is None or last_ok < due:
        return due
    return None


class Daemon:
    """Owns the scheduler. ``make_cycle(settings)`` builds the cycle for a config; ``last_ok()``
    reads when a cycle last succeeded (for the catch-up)."""

    def __init__(
        self,
        *,
        load_settings: Callable[[], Settings],
        make_cycle: Callable[[Settings], Cycle],
        last_ok: Callable[[], datetime | None],
        environ: Mapping[str, str] = os.environ,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        config_changed: Callable[[], bool] = lambda: False,
    ) -> None:
        self._load_settings = load_settings
        self._config_changed = config_changed
        self._make_cycle = make_cycle
        self._last_ok = last_ok
        self._environ = environ
        self._clock = clock
        self.stop = threading.Event()
        self.reload = threading.Event()
        # Held while a cycle runs. Shutdown waits on it rather than on the scheduler, whose
        # shutdown(wait=True) holds the job-store lock that a finishing job may still need.
        self._running = threading.Lock()
        #: Temporary failures in a row (network, 5xx, a busy lock), for the retry's backoff.
        self._temporary_failures = 0
        self._settings = load_settings()
        self._cycle = make_cycle(self._settings)
        self._scheduler = BackgroundScheduler(
            timezone=self._settings.zone(),
            executors={"default": ThreadPoolExecutor(1), "watchdog": ThreadPoolExecutor(1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_S,
            },
        )
        self._scheduler.add_listener(self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED)

    # ---- lifecycle --------------------------------------------------------------------------

    def run(self) -> int:
        """Run until SIGTERM/SIGINT. Returns the process exit code."""
        self.install_signal_handlers()
        self.start()
        try:
            while not self.stop.is_set():
                self.stop.wait(0.5)
                # SIGHUP, or the file changed (`goal set`, `days`, an edit): read it again.
                if self.reload.is_set() or self._config_changed():
                    self.reload.clear()
                    self.apply_reload()
        finally:
            self.shutdown()
        return 0

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.stop.set())
        signal.signal(signal.SIGINT, lambda *_: self.stop.set())
        signal.signal(signal.SIGHUP, lambda *_: self.reload.set())

    def start(self) -> None:
        self._scheduler.start(paused=True)
        self._schedule(self._settings)
        interval = watchdog_interval_s(self._environ)
        if interval:
            self._scheduler.add_job(
                self._heartbeat,
                IntervalTrigger(seconds=interval),
                id="watchdog",
                executor="watchdog",
                next_run_time=self._clock(),
            )
        missed = missed_since(self._last_ok(), self._clock(), self._settings)
        if missed is not None:
            log.info("a cycle due at %s was missed; catching up once now", missed.isoformat())
            self._add_once("catch-up", self._clock())
        # READY first: the jobs (the watchdog's heartbeat among them) start once systemd knows.
        notify(f"READY=1\nSTATUS={self._status_line()}", self._environ)
        self._scheduler.resume()
        log.info("ampt-sync daemon started: %s", self._status_line())

    def shutdown(self, timeout_s: float = 30.0) -> None:
        """Stop scheduling, then wait for a running cycle (which sees ``stop``) to end."""
        self.stop.set()
        notify("STOPPING=1\nSTATUS=stopping", self._environ)
        log.info("stopping; waiting for a running cycle to end")
        self._scheduler.shutdown(wait=False)
        if self._running.acquire(timeout=timeout_s):
            self._running.release()
            log.info("stopped")
        else:
            log.error("a cycle did not end within %.0f s of the stop request", timeout_s)

    def apply_reload(self) -> None:
        """SIGHUP or a changed file: read the config again; keep running on the old one if the
        new one is bad."""
        try:
            settings = self._load_settings()
            cycle = self._make_cycle(settings)
        except Exception as exc:  # a bad edit must not stop a working daemon
            log.error("config reload failed, keeping the previous config: %s", exc)
            return
        self._settings, self._cycle = settings, cycle
        self._schedule(settings)
        notify(f"STATUS={self._status_line()}", self._environ)
        log.info("config reloaded: %s", self._status_line())

    # ---- jobs -------------------------------------------------------------------------------

    def _schedule(self, settings: Settings) -> None:
        zone = settings.zone()
        sync = settings.sync
        jobs: dict[str, Any] = {
            "push": DailyTrigger(sync.push_time(), zone, jitter_s=JITTER_DAILY_S),
            "adapt": DailyTrigger(sync.adapt_time(), zone, jitter_s=JITTER_DAILY_S),
        }
        if sync.poll_minutes:
            jobs["poll"] = IntervalTrigger(minutes=sync.poll_minutes, jitter=JITTER_POLL_S)
        for job_id in ("push", "adapt", "poll"):
            if self._scheduler.get_job(job_id) is not None:
                self._scheduler.remove_job(job_id)
        for job_id, trigger in jobs.items():
            self._scheduler.add_job(self._run_cycle, trigger, args=[job_id], id=job_id)

    def _add_once(self, kind: str, when: datetime) -> None:
        job_id = "retry" if kind == "retry" else kind
        self._scheduler.add_job(
            self._run_cycle,
            DateTrigger(run_date=when),
            args=[kind],
            id=job_id,
            replace_existing=True,
        )

    def _run_cycle(self, kind: str) -> CycleOutcome | None:
        with self._running:
            if self.stop.is_set():
                return None
            notify(f"STATUS=cycle {kind} running", self._environ)
            ping_url = self._settings.alerts.ping_url
            pinger = Pinger(ping_url) if ping_url and kind in PINGED_KINDS else None
            if pinger is not None:
                pinger.ping("start")
            try:
                outcome = self._cycle(kind, self.stop)
            finally:
                # The idle daemon's memory is then its imports, not its last cycle's peak.
                release_memory()
            if pinger is not None and outcome.result != "interrupted":
                pinger.ping("success" if outcome.result == "ok" else "fail")
            temporary = outcome.result in ("rate_limited", "temporary", "busy")
            self._temporary_failures = self._temporary_failures + 1 if temporary else 0
            if temporary and not self.stop.is_set():
                retry_at = outcome.retry_at or (
                    self._clock() + retry_delay(self._temporary_failures)
                )
                # The cycle has logged its problem at WARNING already; this is what happens next.
                log.info("cycle %s: retrying at %s", kind, retry_at.isoformat())
                self._add_once("retry", retry_at)
            notify(f"STATUS={self._status_line(outcome, kind)}", self._environ)
            return outcome

    def _heartbeat(self) -> None:
        notify("WATCHDOG=1", self._environ)

    def _on_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run time %s", event.job_id, event.scheduled_run_time)
        elif event.exception is not None:
            log.error("job %s failed: %s", event.job_id, event.exception)

    # ---- introspection ----------------------------------------------------------------------

    def next_runs(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def _status_line(self, outcome: CycleOutcome | None = None, kind: str = "") -> str:
        # Computed, not read from the scheduler: job threads must not take its locks.
        zone = self._settings.zone()
        push = next_fire(self._clock(), self._settings.sync.push_time(), zone).astimezone(zone)
        upcoming = f"next push {push.strftime('%a %H:%M')}"
        if outcome is None:
            return upcoming
        if outcome.result in ("ok", "interrupted") or not outcome.message:
            return f"last {kind}: {outcome.result}; {upcoming}"
        problem = " ".join(outcome.message.split())
        if len(problem) > STATUS_PROBLEM_CHARS:
            problem = problem[: STATUS_PROBLEM_CHARS - 3] + "..."
        return f"last {kind}: {outcome.result} ({problem}); {upcoming}"
