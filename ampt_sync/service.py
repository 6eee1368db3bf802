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

The steps live in :mod:`ampt_sync.cycle`: what a cycle is given and reports
(:mod:`~ampt_sync.cycle.report`), the pull (:mod:`~ampt_sync.cycle.pull`), the delivery and its
check (:mod:`~ampt_sync.cycle.push`), the alerts and the stored report
(:mod:`~ampt_sync.cycle.finish`), and the run days that come due (:mod:`~ampt_sync.cycle.run_days`);
this module runs them in order, under the lock, and makes the plan between pull and push.

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
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from ampt_sync.config import Settings
from ampt_sync.cycle.finish import finish
from ampt_sync.cycle.pull import pull_activities
from ampt_sync.cycle.push import deliver
from ampt_sync.cycle.report import LOG_LEVEL_BY_RESULT, CycleDeps, CycleReport
from ampt_sync.cycle.run_days import apply_due_run_days
from ampt_sync.daemon import CycleOutcome
from ampt_sync.domain import Plan, PlannedDay
from ampt_sync.errors import ConfigError, TemporaryError
from ampt_sync.files import LockBusy, exclusive_lock
from ampt_sync.secrets import open_token_store
from ampt_sync.service_names import calls_in_words
from ampt_sync.store import state
from ampt_sync.store.db import Store, open_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ampt_sync.store.plans import PlanUpdate

log = logging.getLogger(__name__)

#: How long a cycle waits for another process's cycle before giving up ("busy").
LOCK_WAIT_S = 30.0


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
                    finish(deps, store, report)
                if own_store:
                    store.close()
    except CycleBusy as exc:
        report.fail("temporary", str(exc))
        report.result = "busy"
        report.finished_at = deps.now()
    log.log(
        logging.INFO if quiet else LOG_LEVEL_BY_RESULT.get(report.result, logging.ERROR),
        "cycle %s: %s (%s)%s",
        kind,
        report.result,
        calls_in_words(report.api_calls),
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

    applied = apply_due_run_days(deps, store, report, dry_run=dry_run)
    deps = applied or deps
    if dry_run:
        log.info("dry run: nothing is pulled from Strava or stored")
    elif not pull_activities(deps, store, token_store, report, stop):
        return
    if report.kind == "poll" and report.new_activities == 0 and applied is None:
        return

    plan = _adapt(deps, store, report, dry_run=dry_run)
    if plan is None:
        return
    deliver(deps, store, token_store, report, plan, stop, dry_run=dry_run)


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
