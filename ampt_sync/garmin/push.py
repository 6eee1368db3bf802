"""The push: put the plan's next days on Garmin, exactly once, and check it.

:func:`push_workouts` gathers (one calendar read, two when the window crosses a month; plus one
library listing only when something may exist that the ledger does not record), decides
(:func:`~ampt_sync.garmin.reconcile.reconcile`, pure) and applies, action by action:

* Writes are paced: at least ``write_interval_s`` between two writes (about 1 s against Garmin,
  0 against a loopback simulator).
* The ledger row is written right after each write succeeds; before a write whose outcome may be
  unknown, the row's ``pending`` names it. A process killed anywhere leaves a ledger the next push
  can trust: a pending row makes it look on Garmin (library and calendar) before doing anything.
* An unknown outcome (timeout, 5xx, connection reset, a lost answer) is resolved **by looking it
  up** (the workout by its marker, the calendar entry in the day's month view) before the write
  is tried once more; ``schedule`` is never simply repeated. A second unknown outcome stops the
  push with :class:`~ampt_sync.errors.RemoteUnavailable`.
* Every write is checked, with as few reads as the check allows (issue 14; against a minimum of
  the bare writes plus the one calendar read, a new week costs about 1.1 times it, one rewritten
  workout 1.5 times, and each further rewrite adds its one read-back):

  - a create and a schedule by Garmin's answer, which holds the stored workout and the new
    entry (garminconnect documents both; the simulator answers so; *assumed, not verified on
    live Garmin*: that the create's answer shows the workout as stored, not as sent). An answer
    without them, or one that differs from what was sent, is read back before it is judged;
  - a rewrite in place by reading it back (Garmin answers 204, nothing to look at);
  - the marker before a delete by this push's listing of the library when it has one
    (reconcile only removes workouts that listing showed with our marker), else by a read;
  - and then, in :meth:`~ampt_sync.garmin.apply.Pusher.verify`, every entry put on a day and
    every removal by one final read of the window's calendar (one month more when a removed
    entry lay before it), plus one listing of the library when something was deleted. A removal
    keeps its ledger ``pending`` mark until that read has seen it take, so one that did not is
    redone by the next push, never mistaken for the runner's copy.

  A workout Garmin changed on the way is an error for that workout, and its ledger hash is
  cleared so the next push writes it again; so is an entry the final read does not show, or a
  removal it shows undone. The final calendar read also serves the cycle's check against the
  plan (``PushReport.calendar_after``); a push that only rewrote workouts in place reuses its
  first read for that, *assuming* (as garminconnect documents and the simulator does) that a
  rewrite keeps the workout's calendar entries.
* A 429 stops the push at once with :class:`~ampt_sync.errors.RateLimited`; refused tokens with
  :class:`~ampt_sync.errors.ReloginNeeded`. Other per-workout problems
  (:class:`~ampt_sync.errors.RemoteError`) are recorded in the report and the next action goes
  ahead. When a push stops on an exception, the partial report is on the exception as
  ``push_report``.
* A 404 on unschedule or delete counts as done. A workout is only deleted when this push saw
  it carrying our marker (in its listing of the library, or by reading it).
* **Late writes.** A create or schedule whose outcome was unknown may still land after we looked
  and wrote again (held by a proxy past our timeout). So after the last action, a push that met an
  unknown outcome waits ``settle_wait_s`` (twice the request timeout), reads the window and the
  library once more and applies what that shows (a duplicate workout or entry goes). The rows
  concerned keep ``pending`` (``"unsure-create"``, ``"unsure"``) until a *later* push has listed
  the library, so a write landing later still is found then; ``status`` shows them meanwhile.
* **Copies.** A workout carrying the marker of a key whose ledger row names another workout is
  the runner's copy (see :mod:`ampt_sync.garmin.reconcile`); it is never touched. A removed
  key's row stays as a tombstone until a listing of the library shows no copy of it.

:func:`run_push` is the entry point for the daemon and the CLI: plan in, report out.

This module holds the entry points. The parts: :mod:`~ampt_sync.garmin.apply` (the pusher:
gather, apply the actions, settle, keep the ledger), :mod:`~ampt_sync.garmin.writes` (each write
with its safety checks), :mod:`~ampt_sync.garmin.verify` (the final read) and
:mod:`~ampt_sync.garmin.push_report` (the report).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ampt_sync.domain import Plan, WorkoutKind
from ampt_sync.errors import counting_push
from ampt_sync.garmin.apply import Pusher
from ampt_sync.garmin.calendar import WorkoutCalendar
from ampt_sync.garmin.encode import encode
from ampt_sync.garmin.push_report import PushReport
from ampt_sync.garmin.reconcile import TOMBSTONE, Action, Desired, View, reconcile
from ampt_sync.store.ledger import GarminLedger

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.garmin.client import RequestHook, TokenStoreLike
    from ampt_sync.store.db import Store


def desired_workouts(plan: Plan, today: date, horizon_days: int) -> list[Desired]:
    """The plan's workouts on days ``today <= day < today + horizon_days``, encoded; rest days
    are left out. Raises :class:`~ampt_sync.garmin.encode.EncodeError` for a workout Garmin
    cannot take (before anything is written)."""
    end = today + timedelta(days=horizon_days)
    return [
        Desired(key=workout.key, day=day, encoded=encode(workout))
        for day, workout in plan.workouts_between(today, end)
        if workout.kind is not WorkoutKind.REST
    ]


def push_workouts(
    desired: Sequence[Desired],
    today: date,
    horizon_days: int,
    calendar: WorkoutCalendar,
    ledger: GarminLedger,
    *,
    write_interval_s: float = 0.0,
    dry_run: bool = False,
    force: bool = False,
    settle_wait_s: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_plan: Callable[[list[Action]], None] | None = None,
) -> PushReport:
    """Make Garmin's ``[today, today + horizon_days)`` hold exactly ``desired``.

    ``on_plan`` sees the decided actions before the first write (the CLI shows them). With
    ``dry_run`` only reads happen and the report lists what would be done. On an exception the
    partial report is attached to it as ``push_report``. ``settle_wait_s`` (default: the
    calendar's :attr:`late_write_wait_s`, else 0) is how long a push that met an unknown outcome
    waits for a late write before its final read.
    """
    first, end = today, today + timedelta(days=horizon_days)
    report = PushReport(today=today, first=first, end=end, dry_run=dry_run)
    if settle_wait_s is None:
        settle_wait_s = float(getattr(calendar, "late_write_wait_s", 0.0))
    pusher = Pusher(
        calendar,
        ledger,
        write_interval_s=write_interval_s,
        settle_wait_s=settle_wait_s,
        sleep=sleep,
    )
    with counting_push(report, calendar.api_calls):
        report.actions = pusher.plan(desired, first, end, force=force)
        if on_plan is not None:
            on_plan(report.actions)
        if not dry_run:
            pusher.apply(report.actions, report)
            pusher.settle(desired, first, end, report)
            pusher.verify(report)
    return report


def disconnect(
    calendar: WorkoutCalendar,
    ledger: GarminLedger,
    today: date,
    horizon_days: int,
    *,
    write_interval_s: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> PushReport:
    """Remove every workout of ours (in the ledger or carrying our marker) and every calendar
    entry of it the ledger knows or the window shows; the runner's own are left alone. The
    ledger ends empty when nothing failed."""
    first, end = today, today + timedelta(days=horizon_days)
    report = PushReport(today=today, first=first, end=end, dry_run=False)
    pusher = Pusher(
        calendar, ledger, write_interval_s=write_interval_s, tombstones=False, sleep=sleep
    )
    with counting_push(report, calendar.api_calls):
        view = View(
            first=first,
            end=end,
            scheduled=tuple(calendar.scheduled(first, end)),
            marked=tuple(calendar.marked_workouts()),
        )
        pusher.saw(view)
        # An empty plan: every key of ours is "no longer wanted". No guard: emptying is the point.
        report.actions = reconcile([], ledger.all(), view, force=True, copies=ledger.copies())
        pusher.apply(report.actions, report)
        pusher.verify(report)
        # Disconnected: nothing of ours is tracked any more, tombstones and copies included
        # (the runner's copies stay on Garmin, untouched).
        for key, row in ledger.all().items():
            if row.pending == TOMBSTONE:
                ledger.forget(key)
        if report.ok:
            ledger.set_copies({})
    return report


def push_plan(
    plan: Plan,
    today: date,
    horizon_days: int,
    calendar: WorkoutCalendar,
    ledger: GarminLedger,
    **options: Any,
) -> PushReport:
    """:func:`push_workouts` for the plan's workouts in the window
    (see :func:`desired_workouts`)."""
    desired = desired_workouts(plan, today, horizon_days)
    return push_workouts(desired, today, horizon_days, calendar, ledger, **options)


def run_push(
    plan: Plan,
    today: date,
    settings: Settings,
    store: Store,
    token_store: TokenStoreLike,
    *,
    dry_run: bool = False,
    force: bool = False,
    environ: Mapping[str, str] = os.environ,
    on_request: RequestHook | None = None,
    on_plan: Callable[[list[Action]], None] | None = None,
) -> PushReport:
    """One push for the daemon or the CLI: stored tokens, ``AMPT_SYNC_GARMIN_URL``, the
    configured horizon and write pacing (``on_plan`` as in :func:`push_workouts`). Raises what
    :func:`push_workouts` raises, plus :class:`~ampt_sync.errors.ReloginNeeded` (recorded in the
    store) when Garmin refuses the tokens."""
    from ampt_sync.garmin.calendar import GarminCalendar
    from ampt_sync.garmin.client import open_garmin, write_interval_s

    desired = desired_workouts(plan, today, settings.sync.horizon_days)
    # A dry run stores nothing in the database, not even "re-login needed" (rotated tokens do go
    # to the token store: dropping them would lose the sign-in).
    with open_garmin(
        token_store, store=None if dry_run else store, environ=environ, on_request=on_request
    ) as session:
        return push_workouts(
            desired,
            today,
            settings.sync.horizon_days,
            GarminCalendar(session),
            GarminLedger(store),
            write_interval_s=write_interval_s(
                settings.sync.garmin_write_interval_s, session.base_url
            ),
            dry_run=dry_run,
            force=force,
            on_plan=on_plan,
        )
