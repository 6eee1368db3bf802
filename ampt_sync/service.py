"""One cycle: pull → fitness → adapt → push → verify → report.

:func:`run_cycle` is what the daemon's jobs, ``ampt-sync sync`` and the demo call. It takes the
cycle lock shared by every process (one cycle at a time), never raises for a service being
unwell (that goes into the report, the alerts and the outcome), and stores its report.

Kinds of cycle:

``push`` / ``catch-up`` / ``retry`` / ``manual``
    The full cycle; a failure of ``push`` or ``catch-up`` (the morning run) raises an alert.
``adapt``
    The full cycle in the evening, so tomorrow already reflects today's run.
``poll``
    A pull; only when it brings something new does the rest of the cycle run.

A Strava problem does not stop the plan from reaching Garmin (the plan is made from what is
stored); a Garmin problem does not lose what was pulled and planned. While a pause is in force,
nothing is adapted and no workout before the pause's end stays on Garmin.

The push goes to ``[delivery] target``: Garmin Connect (:mod:`ampt_sync.garmin.push`),
intervals.icu (:mod:`ampt_sync.intervals.push`, its request count under ``api_calls["intervals"]``)
or nowhere (``none``: the cycle ends after the plan, ``report.delivery`` says so).

New run days given for a later day (`ampt-sync days --from`) are written to the config file
first thing, by the first cycle of any kind on or after their day
(:func:`~ampt_sync.steering.apply_due_settings`); the cycle then runs on the new settings (a
``poll`` runs in full then: the plan is made afresh). It needs the file's path
(``CycleDeps.config_path``); without one (the demo) it leaves them pending and says so in
``report.settings``. A file that cannot be written raises the ``run-days-pending`` alert with
the lines to edit; the cycle carries on with the old days and the next one tries again.

Stopping: ``stop`` (a :class:`threading.Event`) is checked before every HTTP request; once set,
the next request raises :class:`~ampt_sync.errors.Interrupted` and the cycle ends, leaving the
store consistent (each step commits its own transaction, and the Garmin ledger is written per
action).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ampt_sync import alerts
from ampt_sync.config import Settings
from ampt_sync.daemon import CycleOutcome
from ampt_sync.domain import Plan, PlannedDay
from ampt_sync.errors import (
    AmptSyncError,
    AuthError,
    ConfigError,
    Interrupted,
    RateLimited,
    ReloginNeeded,
    TemporaryError,
)
from ampt_sync.files import LockBusy, exclusive_lock
from ampt_sync.secrets import TokenStore, open_token_store
from ampt_sync.store import reports, state
from ampt_sync.store.db import Store, open_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ampt_sync.garmin.calendar import ScheduledItem
    from ampt_sync.store.plans import PlanUpdate

log = logging.getLogger(__name__)

FULL_KINDS = frozenset({"push", "catch-up", "retry", "manual", "adapt"})
MORNING_KINDS = frozenset({"push", "catch-up"})
#: How long a cycle waits for another process's cycle before giving up ("busy").
LOCK_WAIT_S = 30.0
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


class CycleBusy(TemporaryError):
    """Another process holds the cycle lock."""


@contextlib.contextmanager
def cycle_lock(
    settings: Settings, environ: Mapping[str, str] = os.environ, *, wait_s: float | None = None
) -> Iterator[None]:
    """Held by every cycle and by the commands that write what a cycle writes (`pull`, `plan`,
    `push`, `disconnect`), across processes. Raises :class:`CycleBusy` when another holder keeps
    it for ``wait_s`` seconds (default :data:`LOCK_WAIT_S`)."""
    try:
        with exclusive_lock(
            settings.state_dir(environ) / "cycle.lock",
            wait_s=LOCK_WAIT_S if wait_s is None else wait_s,
        ):
            yield
    except LockBusy:
        raise CycleBusy(
            "another cycle is running (the daemon, or `ampt-sync sync`); try again in a minute"
        ) from None


def _guard(stop: threading.Event | None) -> Callable[[], None]:
    def before_request() -> None:
        if stop is not None and stop.is_set():
            raise Interrupted("stopped on request; the next cycle carries on")

    return before_request


def run_cycle(
    deps: CycleDeps,
    kind: str,
    stop: threading.Event | None = None,
    *,
    dry_run: bool = False,
    quiet: bool = False,
) -> CycleReport:
    """Run one cycle of ``kind`` and store its report (unless ``dry_run``).

    The result is logged at the level :data:`LOG_LEVEL_BY_RESULT` gives it (the journal's
    priority), or at INFO with ``quiet`` (a caller that shows the problems itself, `sync`)."""
    settings = deps.settings
    started = deps.now()
    report = CycleReport(
        kind=kind, started_at=started, today=started.astimezone(settings.zone()).date()
    )
    try:
        with cycle_lock(settings, deps.environ):
            own_store = deps.store is None
            store = deps.store or open_store(settings.database_url(deps.environ))
            try:
                _cycle(deps, store, report, stop, dry_run=dry_run)
            finally:
                report.finished_at = deps.now()
                if not dry_run:
                    _finish(deps, store, report)
                if own_store:
                    store.close()
    except CycleBusy as exc:
        report.fail("temporary", str(exc))
        report.result = "busy"
        report.finished_at = deps.now()
    log.log(
        logging.INFO if quiet else LOG_LEVEL_BY_RESULT.get(report.result, logging.ERROR),
        "cycle %s: %s (strava %d calls, garmin %d calls%s)%s",
        kind,
        report.result,
        report.api_calls["strava"],
        report.api_calls["garmin"],
        f", intervals.icu {report.api_calls['intervals']} calls"
        if "intervals" in report.api_calls
        else "",
        f": {'; '.join(report.errors)}" if report.errors else "",
    )
    return report


def daemon_cycle(deps: CycleDeps) -> Callable[[str, threading.Event], CycleOutcome]:
    """The cycle as the daemon calls it."""

    def cycle(kind: str, stop: threading.Event) -> CycleOutcome:
        return run_cycle(deps, kind, stop).outcome()

    return cycle


# ------------------------------------------------------------------------------------------------
# The steps


def _cycle(
    deps: CycleDeps,
    store: Store,
    report: CycleReport,
    stop: threading.Event | None,
    *,
    dry_run: bool,
) -> None:
    settings = deps.settings
    token_store = deps.token_store or open_token_store(
        settings.secrets.backend, settings.state_dir(deps.environ), environ=deps.environ
    )
    with store.transaction() as session:
        report.paused_until = state.paused_until(session, report.today)

    applied = _apply_due_settings(deps, store, report, dry_run=dry_run)
    deps = applied or deps
    if dry_run:
        log.info("dry run: nothing is pulled from Strava or stored")
    elif not _pull(deps, store, token_store, report, stop):
        return
    if report.kind == "poll" and report.new_activities == 0 and applied is None:
        return

    plan = _adapt(deps, store, report, dry_run=dry_run)
    if plan is None:
        return
    _push(deps, store, token_store, report, plan, stop, dry_run=dry_run)


def _apply_due_settings(
    deps: CycleDeps, store: Store, report: CycleReport, *, dry_run: bool
) -> CycleDeps | None:
    """Pending run days whose day has come, written to the config file; the deps with the
    settings the file now gives, or ``None`` when nothing was written (none due, no config
    path, a dry run, or the file cannot be written: then the instruction stays pending)."""
    from ampt_sync.steering import apply_due_settings, due_settings
    from ampt_sync.training.instructions import summary

    with store.transaction() as session:
        due = due_settings(session, report.today)
    if due is None:
        return None
    what = f"instruction #{due.id} ({summary(due, report.today)})"
    if deps.config_path is None or dry_run:
        why = "a dry run" if dry_run else "this cycle has no config file (the demo?)"
        message = f"{what} is due but not applied: {why}; the plan keeps the old days"
        log.info("%s", message)
        report.settings = {"instruction": due.id, "applied": False, "message": message}
        return None
    try:
        with store.transaction() as session:
            applied = apply_due_settings(
                session, config_path=deps.config_path, today=report.today, now=deps.now()
            )
    except ConfigError as exc:  # rolled back: still pending, the next cycle tries again
        message = f"{what} is due but not applied: {exc}"
        log.warning("%s", message)
        report.settings = {"instruction": due.id, "applied": False, "message": message}
        # not a failed cycle (the old days still reach the watch): an error line, and the
        # alert that tells the runner what to edit
        report.errors.append(message)
        report.settings["alert"] = True
        return None
    if applied is None:
        return None
    instruction, settings = applied
    message = f"{what} applied: {deps.config_path} now holds them; the plan follows them"
    log.info("%s", message)
    report.settings = {"instruction": instruction.id, "applied": True, "message": message}
    return dataclasses.replace(deps, settings=settings)


def _pull(
    deps: CycleDeps,
    store: Store,
    token_store: TokenStore,
    report: CycleReport,
    stop: threading.Event | None,
) -> bool:
    """Pull from the configured activity source. False when the cycle must end here
    (interrupted)."""
    if deps.settings.activities.source == "garmin":
        return _pull_garmin(deps, store, token_store, report, stop)
    if deps.settings.activities.source == "intervals":
        return _pull_intervals(deps, store, token_store, report, stop)
    from ampt_sync.strava.client import build_client
    from ampt_sync.strava.sync import PullReport, pull

    pulled = PullReport()
    options: dict[str, Any] = {"before_request": _guard(stop)}
    if deps.epoch is not None:
        options["clock"] = deps.epoch
    client = None
    try:
        client = build_client(deps.settings, token_store, environ=deps.environ, **options)
        pull(client, store, deps.settings, report=pulled)
    except Interrupted as exc:
        report.fail("interrupted", str(exc))
        return False
    except RateLimited as exc:
        report.fail("rate_limited", f"Strava: {exc}")
        report.retry_at = exc.retry_at
    except AuthError as exc:
        report.fail("auth", f"Strava: {exc}")
    except ConfigError as exc:
        report.fail("config", f"Strava: {exc}")
    except TemporaryError as exc:
        report.fail("temporary", f"Strava: {exc}")
    except AmptSyncError as exc:
        report.fail("error", f"Strava: {exc}")
    finally:
        if client is not None:
            report.api_calls["strava"] += client.api_calls + client.oauth_calls
            client.close()
    report.pulled = pulled.to_json()
    report.new_activities = pulled.created + pulled.updated + pulled.deleted
    return True


def _pull_garmin(
    deps: CycleDeps,
    store: Store,
    token_store: TokenStore,
    report: CycleReport,
    stop: threading.Event | None,
) -> bool:
    """Pull from Garmin Connect (``[activities] source = "garmin"``): no Strava involved."""
    from ampt_sync.garmin.activities import run_pull
    from ampt_sync.pulls import PullReport

    pulled = PullReport()
    guard = _guard(stop)

    def on_request(method: str, url: str, when: str) -> None:
        if when == "before":
            guard()

    try:
        run_pull(
            deps.settings,
            store,
            token_store,
            now=deps.now,
            environ=deps.environ,
            on_request=on_request,
            report=pulled,
        )
    except AmptSyncError as exc:
        if stop is not None and stop.is_set():
            # garminconnect wraps what our request hook raises; the stop is what happened.
            report.fail("interrupted", "stopped on request; the next cycle carries on")
            return False
        _pull_failed(report, exc, "Garmin")
    finally:
        report.api_calls["garmin"] += pulled.api_calls + pulled.token_refreshes
    report.pulled = pulled.to_json()
    report.new_activities = pulled.created + pulled.updated + pulled.deleted
    return True


def _pull_intervals(
    deps: CycleDeps,
    store: Store,
    token_store: TokenStore,
    report: CycleReport,
    stop: threading.Event | None,
) -> bool:
    """Pull from intervals.icu (``[activities] source = "intervals"``): no Strava involved. Its
    requests count under ``api_calls["intervals"]``, with the push's when it delivers there."""
    from ampt_sync.intervals.activities import run_pull
    from ampt_sync.pulls import PullReport

    pulled = PullReport()
    guard = _guard(stop)
    try:
        run_pull(
            deps.settings,
            store,
            token_store,
            now=deps.now,
            environ=deps.environ,
            before_request=lambda method, path: guard(),
            report=pulled,
        )
    except Interrupted as exc:
        report.fail("interrupted", str(exc))
        return False
    except AmptSyncError as exc:
        _pull_failed(report, exc, "intervals.icu")
    finally:
        report.api_calls["intervals"] = report.api_calls.get("intervals", 0) + pulled.api_calls
    report.pulled = pulled.to_json()
    report.new_activities = pulled.created + pulled.updated + pulled.deleted
    return True


def _pull_failed(report: CycleReport, exc: AmptSyncError, service: str) -> None:
    if isinstance(exc, RateLimited):
        report.fail("rate_limited", f"{service}: {exc}")
        report.retry_at = exc.retry_at
    elif isinstance(exc, AuthError):
        report.fail("auth", f"{service}: {exc}")
    elif isinstance(exc, ConfigError):
        report.fail("config", f"{service}: {exc}")
    elif isinstance(exc, TemporaryError):
        report.fail("temporary", f"{service}: {exc}")
    else:
        report.fail("error", f"{service}: {exc}")


def _adapt(deps: CycleDeps, store: Store, report: CycleReport, *, dry_run: bool) -> Plan | None:
    """The plan to push, recorded in the report; None when there is none (the report says why)."""
    with store.scratch() if dry_run else store.transaction() as session:
        try:
            plan, update = _plan_for_today(
                session, deps.settings, report.today, deps.now(), report.paused_until
            )
        except ConfigError as exc:
            report.fail("config", str(exc))
            return None
    if update is None:
        report.plan = {"paused": True, "version": None}
    else:
        report.plan = {
            "version": update.version,
            "saved": update.saved and not dry_run,
            "vdot": update.fitness.vdot,
            "vdot_source": update.fitness.source,
            "changes": [
                {"date": c.day.isoformat(), "key": c.key, "reason": c.reason}
                for c in update.changes
            ],
            "warnings": list(update.plan.warnings),
        }
    return plan


def _push(
    deps: CycleDeps,
    store: Store,
    token_store: TokenStore,
    report: CycleReport,
    plan: Plan,
    stop: threading.Event | None,
    *,
    dry_run: bool,
) -> None:
    target = deps.settings.delivery.target
    report.delivery = target
    if target == "none":
        log.info("delivery.target = 'none': no push (FIT files and the calendar feed only)")
        return
    if target == "intervals":
        _push_intervals(deps, store, token_store, report, plan, stop, dry_run=dry_run)
        return
    from ampt_sync.garmin.push import run_push

    guard = _guard(stop)

    def on_request(method: str, url: str, when: str) -> None:
        if when == "before":
            guard()

    try:
        pushed = run_push(
            plan,
            report.today,
            deps.settings,
            store,
            token_store,
            dry_run=dry_run,
            environ=deps.environ,
            on_request=on_request,
        )
    except AmptSyncError as exc:
        if stop is not None and stop.is_set():
            # garminconnect wraps what our request hook raises; the stop is what happened.
            _record_partial_push(report, exc)
            report.fail("interrupted", "stopped on request; the next cycle carries on")
            return
        _push_failed(report, exc)
        if report.kind in MORNING_KINDS and not dry_run:
            _fit_fallback(deps, report, plan, exc)
        return
    report.pushed = pushed.as_dict()
    report.api_calls["garmin"] += pushed.api_calls.get("total", 0)
    for problem in pushed.errors:
        report.fail("error", f"Garmin: {problem}")
    if not pushed.errors and not dry_run:
        _clear_fit_fallback(deps)
    if pushed.writes and not dry_run:
        _verify(deps, store, token_store, report, plan, on_request, pushed.calendar_after)


def _push_intervals(
    deps: CycleDeps,
    store: Store,
    token_store: TokenStore,
    report: CycleReport,
    plan: Plan,
    stop: threading.Event | None,
    *,
    dry_run: bool,
) -> None:
    """The push to intervals.icu; its final read is the cycle's check (``report.verified``)."""
    from ampt_sync.intervals.push import push_plan

    guard = _guard(stop)
    try:
        pushed = push_plan(
            plan,
            report.today,
            deps.settings,
            store,
            token_store,
            dry_run=dry_run,
            environ=deps.environ,
            before_request=lambda method, path: guard(),
        )
    except Interrupted as exc:
        _record_partial_push(report, exc, service="intervals")
        report.fail("interrupted", str(exc))
        return
    except AmptSyncError as exc:
        _push_failed(report, exc, service="intervals")
        if report.kind in MORNING_KINDS and not dry_run:
            _fit_fallback(deps, report, plan, exc)
        return
    report.pushed = pushed.as_dict()
    report.api_calls["intervals"] = report.api_calls.get("intervals", 0) + pushed.api_calls.get(
        "total", 0
    )
    for problem in pushed.errors:
        report.fail("error", f"intervals.icu: {problem}")
    if not pushed.errors and not dry_run:
        _clear_fit_fallback(deps)
    if pushed.writes and not dry_run:
        report.verified = pushed.verified


#: How each delivery target is named in a cycle's errors.
SERVICE_NAMES = {"garmin": "Garmin", "intervals": "intervals.icu"}


def _push_failed(report: CycleReport, exc: AmptSyncError, *, service: str = "garmin") -> None:
    name = SERVICE_NAMES[service]
    if isinstance(exc, ReloginNeeded | AuthError):
        report.fail("auth", f"{name}: {exc}")
        return
    if isinstance(exc, ConfigError):
        report.fail("config", f"{name}: {exc}")
        return
    _record_partial_push(report, exc, service=service)
    if isinstance(exc, RateLimited):
        report.fail("rate_limited", f"{name}: {exc}")
        report.retry_at = min(filter(None, (report.retry_at, exc.retry_at)))
    elif isinstance(exc, TemporaryError):
        report.fail("temporary", f"{name}: {exc}")
    else:
        report.fail("error", f"{name}: {exc}")


def _clear_fit_fallback(deps: CycleDeps) -> None:
    """The push works again: the fallback's FIT files would only be stale."""
    from ampt_sync.fit.fallback import clear_fallback

    try:
        clear_fallback(deps.settings.state_dir(deps.environ))
    except OSError as exc:  # a folder we cannot tidy must not fail a good push
        log.warning("could not remove the FIT fallback files: %s", exc)


def _fit_fallback(deps: CycleDeps, report: CycleReport, plan: Plan, exc: AmptSyncError) -> None:
    """The morning guarantee: a push that will not succeed by retrying leaves FIT files."""
    from ampt_sync.fit.fallback import needs_fallback, write_fallback

    if not needs_fallback(exc):
        return
    settings = deps.settings
    try:
        report.fit_fallback = write_fallback(
            plan, report.today, settings.sync.horizon_days, settings.state_dir(deps.environ)
        )
    except (OSError, AmptSyncError) as problem:
        report.fail("error", f"FIT fallback: {problem}")


def _record_partial_push(
    report: CycleReport, exc: BaseException, *, service: str = "garmin"
) -> None:
    partial = getattr(exc, "push_report", None)
    if partial is not None:
        report.pushed = partial.as_dict()
        calls = partial.api_calls.get("total", 0)
        report.api_calls[service] = report.api_calls.get(service, 0) + calls


def _verify(
    deps: CycleDeps,
    store: Store,
    token_store: TokenStore,
    report: CycleReport,
    plan: Plan,
    on_request: Callable[[str, str, str], None],
    calendar_after: Sequence[ScheduledItem] | None = None,
) -> None:
    """Compare Garmin's calendar with what the plan wants there: as the push's final read showed
    it (``calendar_after``, see :meth:`ampt_sync.garmin.push.Pusher.verify`), else read once."""
    from ampt_sync.garmin.calendar import GarminCalendar
    from ampt_sync.garmin.client import open_garmin
    from ampt_sync.garmin.push import desired_workouts
    from ampt_sync.store.ledger import GarminLedger

    horizon = deps.settings.sync.horizon_days
    first, end = report.today, report.today + timedelta(days=horizon)
    wanted = {(d.key, d.day) for d in desired_workouts(plan, report.today, horizon)}
    if calendar_after is not None:
        items = list(calendar_after)
    else:
        try:
            with open_garmin(
                token_store, store=store, environ=deps.environ, on_request=on_request
            ) as session:
                items = GarminCalendar(session).scheduled(first, end)
                report.api_calls["garmin"] += session.calls.total
        except AmptSyncError as exc:
            kind = "temporary" if isinstance(exc, TemporaryError) else "error"
            report.fail(kind, f"verify: {exc}")
            return
    by_workout = {e.garmin_workout_id: key for key, e in GarminLedger(store).all().items()}
    ours = [(by_workout[i.workout_id], i.day) for i in items if i.workout_id in by_workout]
    actual = set(ours)
    missing = sorted(wanted - actual, key=lambda kd: (kd[1], kd[0]))
    unexpected = sorted(actual - wanted, key=lambda kd: (kd[1], kd[0]))
    duplicates = len(ours) - len(actual)
    report.verified = {
        "ok": not missing and not unexpected and not duplicates,
        "missing": [[k, d.isoformat()] for k, d in missing],
        "unexpected": [[k, d.isoformat()] for k, d in unexpected],
        "duplicates": duplicates,
    }
    if not report.verified["ok"]:
        report.fail("error", f"verify: Garmin's calendar differs from the plan: {report.verified}")


def plan_to_push(
    store: Store, settings: Settings, today: date, *, now: datetime, dry_run: bool = False
) -> Plan:
    """The plan as a cycle would push it today (see :func:`_plan_for_today`). With ``dry_run``
    a plan version it makes is not stored."""
    with store.scratch() if dry_run else store.transaction() as session:
        plan, _update = _plan_for_today(
            session, settings, today, now, state.paused_until(session, today)
        )
    return plan


def _plan_for_today(
    session: Session, settings: Settings, today: date, now: datetime, paused_until: date | None
) -> tuple[Plan, PlanUpdate | None]:
    """The stored plan brought up to date with the stored activities (generated the first time),
    with what the update did; during a pause, the stored plan without the paused days and no
    update (nothing adapts)."""
    from ampt_sync.store.plans import bring_plan_up_to_date, load_plan

    if paused_until is not None:
        plan = load_plan(session)
        if plan is None:
            raise ConfigError("paused before any plan was made; run `ampt-sync resume` first")
        return _without_days_before(plan, paused_until), None
    update = bring_plan_up_to_date(
        session,
        athlete=settings.athlete_domain(),
        goal=settings.goal_domain(),
        today=today,
        now=now,
    )
    return update.plan, update


def _without_days_before(plan: Plan, first_day: date) -> Plan:
    """The plan with every workout before ``first_day`` taken out (a pause)."""
    weeks = tuple(
        dataclasses.replace(
            week,
            days=tuple(
                day if day.day >= first_day else PlannedDay(day=day.day) for day in week.days
            ),
        )
        for week in plan.weeks
    )
    return dataclasses.replace(plan, weeks=weeks)


# ------------------------------------------------------------------------------------------------
# After the cycle: state, alerts, report


def _finish(deps: CycleDeps, store: Store, report: CycleReport) -> None:
    from ampt_sync.garmin.client import relogin_needed

    settings = deps.settings
    now = report.finished_at or deps.now()
    alerter = deps.alerter or alerts.Alerter(
        ntfy_url=settings.alerts.ntfy_url, webhook_url=settings.alerts.webhook_url
    )
    garmin_refused = relogin_needed(store)
    with store.transaction() as session:
        if report.result == "ok":
            state.put(session, state.LAST_CYCLE_OK, {"at": now.isoformat()}, now=now)
        if report.kind in MORNING_KINDS:
            if report.result in ("ok", "interrupted"):
                alerter.clear(session, alerts.CYCLE_FAILED, now=now)
            else:
                alerter.raise_alert(
                    session,
                    alerts.Alert(
                        alerts.CYCLE_FAILED,
                        f"ampt-sync: the morning sync of {report.today} failed",
                        "Today's workouts may not be on your watch. "
                        + " ".join(_plain(e) for e in report.errors)
                        + _fallback_text(report),
                        urgent=True,
                    ),
                    now=now,
                )
        if garmin_refused is not None:
            alerter.raise_alert(
                session,
                alerts.Alert(
                    alerts.GARMIN_RELOGIN,
                    "ampt-sync: sign in to Garmin again",
                    "Garmin no longer accepts ampt-sync's sign-in, so no new workouts reach your "
                    "watch. Run `ampt-sync auth garmin` on the server (as the service user).",
                    urgent=True,
                ),
                now=now,
            )
        else:
            alerter.clear(session, alerts.GARMIN_RELOGIN, now=now)
        strava_auth = (
            any(e.startswith("Strava: ") for e in report.errors) and report.result == "auth"
        )
        if strava_auth:
            alerter.raise_alert(
                session,
                alerts.Alert(
                    alerts.STRAVA_REAUTH,
                    "ampt-sync: connect Strava again",
                    "Strava refused ampt-sync's access, so new runs are not seen. Run "
                    "`ampt-sync auth strava` on the server (as the service user).",
                ),
                now=now,
            )
        elif report.pulled is not None and report.pulled.get("api_calls", 0):
            alerter.clear(session, alerts.STRAVA_REAUTH, now=now)
        intervals_auth = report.result == "auth" and any(
            e.startswith("intervals.icu: ") for e in report.errors
        )
        if intervals_auth:
            # The key serves the push, the pull, or both: say what stopped.
            stopped = [
                what
                for what, used in (
                    ("new runs are not seen", settings.activities.source == "intervals"),
                    ("no new workouts reach your watch", settings.delivery.target == "intervals"),
                )
                if used
            ] or ["no new workouts reach your watch"]
            alerter.raise_alert(
                session,
                alerts.Alert(
                    alerts.INTERVALS_REAUTH,
                    "ampt-sync: connect intervals.icu again",
                    f"intervals.icu refused ampt-sync's API key, so {' and '.join(stopped)}. Run "
                    "`ampt-sync auth intervals` on the server (as the service user).",
                    urgent=True,
                ),
                now=now,
            )
        elif (report.pushed is not None and report.pushed.get("target") == "intervals") or (
            settings.activities.source == "intervals"
            and report.pulled is not None
            and report.pulled.get("listing_complete")
        ):
            alerter.clear(session, alerts.INTERVALS_REAUTH, now=now)
        if report.settings is not None and report.settings.get("alert"):
            alerter.raise_alert(
                session,
                alerts.Alert(
                    alerts.RUN_DAYS_PENDING,
                    "ampt-sync: your new run days are not in the config yet",
                    # whole: it names the lines to edit
                    report.settings["message"],
                ),
                now=now,
            )
        elif report.settings is None or report.settings.get("applied"):
            # applied, or none due any more (taken back, or replaced by later run days)
            alerter.clear(session, alerts.RUN_DAYS_PENDING, now=now)
        if settings.goal.date < report.today:
            alerter.raise_alert(
                session,
                alerts.Alert(
                    alerts.NEW_GOAL,
                    "ampt-sync: set your next goal",
                    f"Your goal race ({settings.goal_domain().race}, {settings.goal.date}) is "
                    "behind you; the plan keeps you running easily until you set a new goal in "
                    "the config file.",
                ),
                now=now,
            )
        else:
            alerter.clear(session, alerts.NEW_GOAL, now=now)
        reports.record(
            session,
            kind=report.kind,
            started_at=report.started_at,
            finished_at=report.finished_at,
            result=report.result,
            report=report.to_json(),
        )


def _fallback_text(report: CycleReport) -> str:
    from ampt_sync.fit.fallback import alert_text

    text = alert_text(report.fit_fallback) if report.fit_fallback else ""
    return f" {text}" if text else ""


def _plain(error: str) -> str:
    """An error line as alert text: ours already, but never longer than a sentence or two."""
    return error if len(error) <= 200 else error[:197] + "..."
