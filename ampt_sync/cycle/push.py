"""The cycle's delivery step: the plan's next days to ``[delivery] target`` (Garmin Connect,
intervals.icu, or nowhere), the check of what the service then holds, and the morning FIT
fallback when the push will not get through by retrying."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from ampt_sync.cycle.report import MORNING_KINDS, CycleDeps, CycleReport, guard
from ampt_sync.domain import Plan
from ampt_sync.errors import (
    AmptSyncError,
    AuthError,
    ConfigError,
    Interrupted,
    TemporaryError,
)
from ampt_sync.secrets import TokenStore
from ampt_sync.service_names import SERVICE_NAMES
from ampt_sync.store.db import Store

if TYPE_CHECKING:
    from ampt_sync.garmin.calendar import ScheduledItem

log = logging.getLogger(__name__)


def deliver(
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

    check = guard(stop)

    def on_request(method: str, url: str, when: str) -> None:
        if when == "before":
            check()

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

    check = guard(stop)
    try:
        pushed = push_plan(
            plan,
            report.today,
            deps.settings,
            store,
            token_store,
            dry_run=dry_run,
            environ=deps.environ,
            before_request=lambda method, path: check(),
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


def _push_failed(report: CycleReport, exc: AmptSyncError, *, service: str = "garmin") -> None:
    if not isinstance(exc, AuthError | ConfigError):
        _record_partial_push(report, exc, service=service)
    report.failed_with(exc, SERVICE_NAMES[service])


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
    it (``calendar_after``, see :meth:`ampt_sync.garmin.apply.Pusher.verify`), else read once."""
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
