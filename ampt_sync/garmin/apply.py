"""Applying reconcile's actions to Garmin, keeping the ledger true: :class:`Pusher`.

The pusher gathers (:meth:`Pusher.plan`: one calendar read, a listing of the library only when
reconcile needs it), applies the actions one by one (:meth:`Pusher.apply`), looks for late writes
(:meth:`Pusher.settle`) and finishes with the final read (:meth:`Pusher.verify`). Each write and
its safety checks are :class:`~ampt_sync.garmin.writes.GarminWrites`'; what is kept here is the
ledger around them:

* a row's ``pending`` names the write under way before a write whose outcome may be unknown, and
  the row is written right after the write succeeds, so a process killed anywhere leaves a
  ledger the next push can trust;
* a per-workout problem (:class:`~ampt_sync.errors.RemoteError`) is an error in the report, and
  that key's further actions are skipped; other errors stop the push;
* rows whose create or schedule met an unknown outcome keep ``"unsure-create"`` / ``"unsure"``,
  and removals keep their mark until the final read has seen them take;
* a removed key's row stays as a tombstone until a listing of the library shows no copy of it.

The promises these add up to are in :mod:`ampt_sync.garmin.push`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from ampt_sync.errors import RemoteError
from ampt_sync.garmin.calendar import ScheduledItem, WorkoutCalendar
from ampt_sync.garmin.client import NotFound
from ampt_sync.garmin.encode import Encoded, Payload
from ampt_sync.garmin.push_report import PushReport, describe
from ampt_sync.garmin.reconcile import (
    TOMBSTONE,
    Action,
    Adopt,
    Create,
    Desired,
    Move,
    Remove,
    Update,
    View,
    copies_seen,
    needs_library,
    reconcile,
)
from ampt_sync.garmin.verify import check_final_read
from ampt_sync.garmin.writes import GarminWrites
from ampt_sync.store.ledger import GarminLedger, LedgerEntry

log = logging.getLogger(__name__)

#: Most final reads after unknown outcomes in one push (each may meet one more).
SETTLE_ROUNDS = 3


class Pusher:
    """Applies reconcile's actions to a :class:`WorkoutCalendar`, keeping the ledger true."""

    def __init__(
        self,
        calendar: WorkoutCalendar,
        ledger: GarminLedger,
        *,
        write_interval_s: float = 0.0,
        settle_wait_s: float = 0.0,
        tombstones: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.calendar = calendar
        self.ledger = ledger
        self.writes = GarminWrites(
            calendar, write_interval_s=write_interval_s, sleep=sleep, clock=clock
        )
        self.settle_wait_s = settle_wait_s
        self.tombstones = tombstones
        self.sleep = sleep
        self._view: View | None = None
        self._copies: dict[str, frozenset[int]] = {}
        #: key → the ``pending`` mark its row keeps until :meth:`verify` has seen its removals
        #: take.
        self._awaiting: dict[str, str] = {}
        #: key → whether its removal forgets it (else only duplicates went), for :meth:`verify`.
        self._removals: dict[str, bool] = {}
        #: The window's calendar entries as last read (whether a write of ours has changed the
        #: calendar since is :attr:`GarminWrites.calendar_dirty`).
        self._last_scheduled: tuple[ScheduledItem, ...] | None = None

    # ---- gather and decide ------------------------------------------------------------------

    def plan(
        self, desired: Sequence[Desired], first: date, end: date, *, force: bool = False
    ) -> list[Action]:
        """Read Garmin (as little as possible) and decide; writes nothing."""
        ledger = self.ledger.all()
        scheduled = tuple(self.calendar.scheduled(first, end))
        self._last_scheduled, self.writes.calendar_dirty = scheduled, False
        marked = None
        if needs_library(desired, ledger):
            marked = tuple(self.calendar.marked_workouts())
        view = View(
            first=first,
            end=end,
            scheduled=scheduled + self._lost_schedules(ledger, first),
            marked=marked,
        )
        self.saw(view)
        known_copies = self.ledger.copies()
        self._copies = copies_seen(ledger, view, known_copies)
        return reconcile(desired, ledger, view, force=force, copies=known_copies)

    def saw(self, view: View) -> None:
        """Take in what a read of Garmin showed (the deletes and the final read go by it)."""
        self._view = view
        self.writes.saw(view)

    def _lost_schedules(
        self, ledger: Mapping[str, LedgerEntry], first: date
    ) -> tuple[ScheduledItem, ...]:
        """Entries before the window of workouts whose schedule call never had its answer
        stored (the process was killed after Garmin took it): they are ours, and unseen they
        would leave the workout on two days once it is scheduled again. One calendar read,
        made only after such a loss."""
        lost = [
            row
            for row in ledger.values()
            if row.pending == "schedule"
            and row.schedule_id is None
            and row.garmin_workout_id is not None
            and row.scheduled_day is not None
            and row.scheduled_day < first
        ]
        if not lost:
            return ()
        ids = {row.garmin_workout_id for row in lost}
        since = min(row.scheduled_day for row in lost if row.scheduled_day is not None)
        return tuple(i for i in self.calendar.scheduled(since, first) if i.workout_id in ids)

    def settle(
        self, desired: Sequence[Desired], first: date, end: date, report: PushReport
    ) -> None:
        """After the last action: when a create or schedule met an unknown outcome, wait for a
        late copy of it to land, read once more and apply what that shows; then mark those rows
        ``pending`` so that the next push lists the library too (see "Late writes" in
        :mod:`ampt_sync.garmin.push`)."""
        for _ in range(SETTLE_ROUNDS):
            if self.writes.unknown_outcomes == 0:
                break
            self.writes.unknown_outcomes = 0
            self.sleep(self.settle_wait_s)
            for key, mark in self.writes.unsure.items():
                row = self.ledger.get(key)
                if row is not None and row.pending is None:
                    self.ledger.put(row.but(pending=mark))
            # force: the guard judges Garmin against the ledger; we have just written both.
            actions = self.plan(desired, first, end, force=True)
            report.actions.extend(a for a in actions if not isinstance(a, Adopt))
            # A write of this round may meet an unknown outcome too: then one more round.
            self.apply(actions, report)
        for key, mark in self.writes.unsure.items():
            row = self.ledger.get(key)
            if row is not None and row.pending is None:
                self.ledger.put(row.but(pending=mark))

    def _prune_tombstones(self) -> None:
        """Remember the runner's copies seen; forget removed keys of which the library, just
        read, shows no copy."""
        if self._view is None or self._view.marked is None:
            return
        self.ledger.set_copies(self._copies)
        copied = {m.key for m in self._view.marked}
        for key, row in self.ledger.all().items():
            if row.pending == TOMBSTONE and key not in copied:
                self.ledger.forget(key)

    # ---- apply ------------------------------------------------------------------------------

    def apply(self, actions: Sequence[Action], report: PushReport) -> None:
        """Apply ``actions`` in order; see the module docstring for what stops it."""
        self._prune_tombstones()
        failed: set[str] = set()
        for action in actions:
            if action.key in failed:
                continue  # the ledger row is not what the next action was decided on
            try:
                self._apply(action)
            except RemoteError as exc:
                # One workout's problem (Garmin refused or changed it); the others go ahead.
                failed.add(action.key)
                report.errors.append(str(exc))
                log.error("%s", exc)
                continue
            report.applied.append(action)
            if not isinstance(action, Adopt):
                log.info("garmin: %s", " ".join(p for p in describe(action) if p))

    def _apply(self, action: Action) -> None:
        if isinstance(action, Adopt):
            self.ledger.put(action.entry)
        elif isinstance(action, Create):
            self._create(action.desired)
        elif isinstance(action, Update):
            self._update(action)
        elif isinstance(action, Move):
            self._move(action)
        else:
            self._remove(action)

    def _row(self, key: str) -> LedgerEntry:
        return self.ledger.get(key) or LedgerEntry(key=key)

    def _settled(self, key: str) -> str | None:
        """``pending`` for a row whose writes are done: None, or the unknown-outcome mark it keeps
        until a later push has looked (see :meth:`settle`), or the mark it keeps until the final
        read has seen its removals take (see :meth:`verify`)."""
        return self.writes.unsure.get(key) or self._awaiting.get(key)

    # ---- actions ----------------------------------------------------------------------------

    def _create(self, desired: Desired) -> None:
        key, encoded = desired.key, desired.encoded
        self.ledger.put(LedgerEntry(key=key, content_hash="", pending="create"))
        workout_id, answer = self.writes.create_workout(key, encoded)
        self.ledger.put(
            LedgerEntry(key=key, garmin_workout_id=workout_id, pending=self._settled(key))
        )
        self._check_content(key, workout_id, encoded, answer=answer)
        row = self._row(key).but(content_hash=encoded.payload_hash)
        self.ledger.put(row)
        self._schedule_into_ledger(row, desired.day)

    def _update(self, action: Update) -> None:
        key, encoded = action.key, action.desired.encoded
        row = self._row(key)
        self.ledger.put(row.but(pending="update"))
        try:
            answer = self.writes.update_workout(action.workout_id, encoded)
        except NotFound:
            # Deleted in Garmin Connect since we looked: start again from nothing.
            self._forget_gone_workout(row)
            self._create(action.desired)
            return
        self._check_content(key, action.workout_id, encoded, written=True, answer=answer)
        self.ledger.put(
            self._row(key).but(content_hash=encoded.payload_hash, pending=self._settled(key))
        )

    def _move(self, action: Move) -> None:
        if action.to_day is not None and action.unschedule and self._reschedule(action):
            return
        for schedule_id in action.unschedule:
            row = self._row(action.key)
            self.ledger.put(row.but(pending="unschedule"))
            self.writes.unschedule(schedule_id)
            row = self._row(action.key)
            if row.schedule_id == schedule_id:
                row = row.but(schedule_id=None, scheduled_day=None)
            self.ledger.put(row.but(pending=self._settled(action.key)))
        if action.to_day is not None:
            row = self._row(action.key)
            if row.schedule_id is not None and row.scheduled_day == action.to_day:
                return  # an earlier action of this push (a re-create) already put it there
            try:
                self._schedule_into_ledger(row, action.to_day)
            except NotFound:
                # Deleted in Garmin Connect since we looked: start again from nothing.
                self._forget_gone_workout(self._row(action.key))
                if action.desired is None:
                    raise
                self._create(action.desired)

    def _reschedule(self, action: Move) -> bool:
        """Move the workout's calendar entry to ``action.to_day`` in one write (Garmin's
        reschedule), and take off any duplicate entries. False when the entry is gone: the
        caller then unschedules and schedules as before."""
        assert action.to_day is not None  # noqa: S101 - the caller checks it
        to_day = action.to_day
        row = self._row(action.key)
        # The ledger's entry moves; the others are duplicates (schedule is not idempotent).
        first = row.schedule_id if row.schedule_id in action.unschedule else action.unschedule[0]
        self.ledger.put(row.but(pending="reschedule"))
        entry = self.writes.reschedule(first, to_day)
        if entry is None:
            self.ledger.put(self._row(action.key).but(pending=None))
            return False
        if entry.workout_id != action.workout_id or entry.day != to_day:
            raise RemoteError(
                f"Garmin did not move calendar entry {first} to {to_day} "
                f"(it shows workout {entry.workout_id} on {entry.day})"
            )
        self.ledger.put(
            self._row(action.key).but(schedule_id=first, scheduled_day=to_day, pending=None)
        )
        for extra in action.unschedule:
            if extra != first:
                self.writes.unschedule(extra)
        return True

    def _forget_gone_workout(self, row: LedgerEntry) -> None:
        # Garmin's calendar can keep an entry of a deleted workout for a while; take ours off.
        if row.schedule_id is not None:
            self.writes.unschedule(row.schedule_id)
        self.ledger.put(LedgerEntry(key=row.key))

    def _remove(self, action: Remove) -> None:
        row = self.ledger.get(action.key)
        # Pending makes the next push list the library, so nothing half-removed is lost.
        # Duplicates of ours come from a create: while they go, other workouts with the key's
        # marker are ours too (not the runner's copies).
        mark = "remove" if action.forget else "unsure-create"
        if action.forget or row is not None:
            base = row or LedgerEntry(
                key=action.key,
                garmin_workout_id=action.workout_ids[0] if action.workout_ids else None,
            )
            self.ledger.put(base.but(pending=mark))
        deferred = False
        for schedule_id in action.schedule_ids:
            day = self._day_of(schedule_id, row)
            deferred |= self.writes.unschedule(schedule_id, key=action.key, day=day)
        for workout_id in action.workout_ids:
            deferred |= self.writes.delete_workout(workout_id, key=action.key)
        if deferred:
            # The row keeps its mark until the final read has seen the removals take.
            self._awaiting[action.key] = mark
            self._removals[action.key] = action.forget
        else:
            self._finish_removal(action.key, forget=action.forget)

    def _finish_removal(self, key: str, *, forget: bool) -> None:
        if forget and self.tombstones:
            # Kept while the runner may hold copies of it (see the module docstring).
            self.ledger.put(LedgerEntry(key=key, pending=TOMBSTONE))
        elif forget:
            self.ledger.forget(key)
        else:
            self.ledger.put(self._row(key).but(pending=self._settled(key)))

    def _day_of(self, schedule_id: int, row: LedgerEntry | None) -> date | None:
        """The day of a calendar entry of ours, as this push's view or the ledger knows it."""
        for item in self._view.scheduled if self._view is not None else ():
            if item.schedule_id == schedule_id:
                return item.day
        if row is not None and row.schedule_id == schedule_id:
            return row.scheduled_day
        return None

    # ---- the final read ---------------------------------------------------------------------

    def verify(self, report: PushReport) -> None:
        """Check with one final read what the writes since the last read did, instead of a read
        after each (:func:`~ampt_sync.garmin.verify.check_final_read`). A removal that did not
        take is an error, and its ledger row keeps its ``pending`` mark so that the next push
        removes it again; one that did is finished (tombstone, forgotten or settled).

        Sets ``report.calendar_after``: the window as this read shows it, or, when no write of
        ours touched the calendar since the push's first read (only workouts rewritten in
        place), as that first read showed it. This assumes what garminconnect documents and the
        simulator does, not verified on live Garmin: rewriting a workout in place keeps its
        calendar entries (``update_workout``).
        """
        if self.writes.window is None:
            return
        read = check_final_read(
            self.calendar,
            self.writes.window,
            self.writes.expected,
            report,
            calendar_dirty=self.writes.calendar_dirty,
        )
        if read.scheduled is not None:
            self._last_scheduled, self.writes.calendar_dirty = read.scheduled, False
        for key, forget in self._removals.items():
            if key not in read.failed:
                self._awaiting.pop(key, None)
                self._finish_removal(key, forget=forget)
        self.writes.expected.clear()
        self._removals.clear()
        report.calendar_after = self._last_scheduled

    # ---- writes and their ledger rows -------------------------------------------------------

    def _check_content(
        self,
        key: str,
        workout_id: int,
        encoded: Encoded,
        *,
        written: bool = False,
        answer: Payload | None = None,
    ) -> None:
        """That Garmin holds ``encoded`` as sent (see :meth:`GarminWrites.holds_as_sent`); else
        the row's hash is cleared, so that the next push writes it again, and this is an error."""
        if self.writes.holds_as_sent(workout_id, encoded, written=written, answer=answer):
            return
        self.ledger.put(self._row(key).but(content_hash="", pending=None))
        raise RemoteError(
            f"Garmin stored workout {key} ({encoded.name!r}) differently from what was sent; "
            "it will be written again at the next push"
        )

    def _schedule_into_ledger(self, row: LedgerEntry, day: date) -> None:
        assert row.garmin_workout_id is not None  # noqa: S101 - callers guarantee it
        workout_id = row.garmin_workout_id
        # The day is kept with the mark: should the answer be lost for good (the process
        # killed), the next push looks for the entry there, even once that day has passed.
        self.ledger.put(row.but(pending="schedule", schedule_id=None, scheduled_day=day))
        schedule_id = self.writes.schedule(workout_id, day, row.key)
        self.ledger.put(
            row.but(schedule_id=schedule_id, scheduled_day=day, pending=self._settled(row.key))
        )
