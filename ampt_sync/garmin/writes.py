"""The single writes of one Garmin push, each with its safety checks.

:class:`GarminWrites` makes every write the push needs (create, rewrite, schedule, reschedule,
unschedule, delete) and answers only once it knows what the write did:

* Writes are paced: at least ``write_interval_s`` between two writes.
* An unknown outcome (timeout, 5xx, connection reset, a lost answer) is resolved **by looking it
  up** before the write is tried once more: a create by the workout's marker in the library, a
  schedule in the day's calendar (``schedule`` is not idempotent), a rewrite, unschedule or delete
  by reading the workout or entry. A second unknown outcome propagates
  (:class:`~ampt_sync.errors.RemoteUnavailable`). Creates and schedules that met one are counted
  (:attr:`GarminWrites.unknown_outcomes`) and their keys kept (:attr:`GarminWrites.unsure`):
  such a write may still land late, which the pusher looks for after its last action.
* What Garmin stored is checked against what was sent (:meth:`GarminWrites.holds_as_sent`): by the
  write's answer when it shows it, else read back.
* A workout is only deleted while it carries our marker: by this push's listing of the library
  when it has one, else read.
* Checks that one final read can make for all writes at once (an entry on its day, an entry or
  workout gone) are left to it in :attr:`GarminWrites.expected`
  (see :mod:`ampt_sync.garmin.verify`); others are read back at once.

The ledger is not kept here: that is the pusher's (:mod:`ampt_sync.garmin.apply`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ampt_sync.errors import RemoteError, RemoteUnavailable
from ampt_sync.garmin.calendar import ScheduledItem, WorkoutCalendar
from ampt_sync.garmin.client import NotFound
from ampt_sync.garmin.encode import Encoded, Payload, parse_marker, stored_as_sent
from ampt_sync.garmin.reconcile import View
from ampt_sync.garmin.verify import VERIFY_BEFORE_DAYS, Expected

log = logging.getLogger(__name__)


class GarminWrites:
    """One push's writes to a :class:`WorkoutCalendar`, paced and resolved (see the module
    docstring). ``write_interval_s``: the least time between two writes, in seconds."""

    def __init__(
        self,
        calendar: WorkoutCalendar,
        *,
        write_interval_s: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.calendar = calendar
        self.write_interval_s = write_interval_s
        self.sleep = sleep
        self.clock = clock
        self._last_write: float | None = None
        #: key → the ``pending`` mark it keeps: a create or schedule of it met an unknown outcome.
        self.unsure: dict[str, str] = {}
        #: Unknown outcomes of creates and schedules since the last read of Garmin (the pusher
        #: resets it when it reads again).
        self.unknown_outcomes = 0
        #: Checks left to the final read.
        self.expected = Expected()
        #: Whether a write since the last read of the calendar may have changed it (schedule,
        #: unschedule, move, delete); the pusher resets it when it reads the calendar.
        self.calendar_dirty = False
        #: The push's window ``[first, end)``, once read.
        self.window: tuple[date, date] | None = None
        #: The workouts with our marker in this push's latest listing of the library (None: that
        #: read did not list it).
        self._listed: frozenset[int] | None = None
        #: Workouts that carried our marker before this push wrote anything (never "ours, just
        #: created" when a create's outcome is looked up).
        self._known: set[int] = set()

    def saw(self, view: View) -> None:
        """Take in what a read of Garmin showed: its window and its listing of the library."""
        self.window = (view.first, view.end)
        listed = None if view.marked is None else frozenset(m.workout_id for m in view.marked)
        self._listed = listed
        self._known |= listed or frozenset()

    # ---- pacing -----------------------------------------------------------------------------

    def _pace(self) -> None:
        if self._last_write is not None and self.write_interval_s > 0:
            wait = self._last_write + self.write_interval_s - self.clock()
            if wait > 0:
                self.sleep(wait)

    def _write(self, call: Callable[[], Any], *, calendar: bool = True) -> Any:
        """Make one paced write; ``calendar``: it may change calendar entries."""
        self._pace()
        self.calendar_dirty |= calendar
        try:
            return call()
        finally:
            self._last_write = self.clock()

    # ---- workouts ---------------------------------------------------------------------------

    def _find_marked(self, key: str) -> list[int]:
        """Workouts with ``key``'s marker that did not exist before this push (the runner's
        copies did)."""
        return [
            w.workout_id
            for w in self.calendar.marked_workouts()
            if w.key == key and w.workout_id not in self._known
        ]

    def create_workout(self, key: str, encoded: Encoded) -> tuple[int, Payload | None]:
        """The new workout's id, and what the create's answer shows stored (None when there is
        no answer to look at)."""
        try:
            return self._write(lambda: self.calendar.create(encoded.payload), calendar=False)
        except RemoteUnavailable:
            # It may have happened, or may still happen (held past our timeout).
            self.unsure[key] = "unsure-create"
            self.unknown_outcomes += 1
            found = self._find_marked(key)
            if found:
                log.info("garmin: the create of %s went through after all", key)
                return found[0], None
            log.info("garmin: the create of %s did not happen; once more", key)
            return self._write(lambda: self.calendar.create(encoded.payload), calendar=False)

    def update_workout(self, workout_id: int, encoded: Encoded) -> Payload | None:
        """Rewrite the workout; what the answer shows stored (None: nothing to look at). Raises
        :class:`~ampt_sync.garmin.client.NotFound` when the workout is gone."""
        try:
            return self._write(
                lambda: self.calendar.update(workout_id, encoded.payload), calendar=False
            )
        except RemoteUnavailable:
            stored = self.calendar.get(workout_id)
            if stored is None:
                raise NotFound(f"workout {workout_id}: not found on Garmin") from None
            if stored_as_sent(encoded.payload, stored):
                return stored
            return self._write(
                lambda: self.calendar.update(workout_id, encoded.payload), calendar=False
            )

    def holds_as_sent(
        self,
        workout_id: int,
        encoded: Encoded,
        *,
        written: bool = False,
        answer: Payload | None = None,
    ) -> bool:
        """Whether Garmin holds ``encoded`` as sent. ``answer``: the workout as the write's answer
        showed it stored; when it matches, no read is needed (an answer that does not match is
        read back before anything is judged: its shape may differ from a read's). ``written``:
        ``encoded`` was just written to it; else a workout that differs is rewritten once."""
        if answer is not None and stored_as_sent(encoded.payload, answer):
            return True
        stored = self.calendar.get(workout_id)
        if stored is not None and stored_as_sent(encoded.payload, stored):
            return True
        if stored is not None and not written:
            # An older copy (found by its marker after a lost answer): bring it up to date.
            self.update_workout(workout_id, encoded)
            stored = self.calendar.get(workout_id)
            if stored is not None and stored_as_sent(encoded.payload, stored):
                return True
        return False

    def delete_workout(self, workout_id: int, *, key: str | None = None) -> bool:
        """Delete the workout if it still carries our marker; True when checking it went is
        left to the final read (a removal of ``key``'s), else it is read back now."""
        if not self._marked_now(workout_id):
            return False
        # Garmin takes a deleted workout's calendar entries off with it.
        self.expected.on = {sid: on for sid, on in self.expected.on.items() if on[1] != workout_id}
        try:
            if not self._write(lambda: self.calendar.delete(workout_id)):
                return False  # already gone
        except RemoteUnavailable:
            if self.calendar.get(workout_id) is None:
                return False
            self._write(lambda: self.calendar.delete(workout_id))
        if key is not None:
            self.expected.gone[workout_id] = key
            return True
        if self.calendar.get(workout_id) is not None:
            raise RemoteError(f"Garmin still holds workout {workout_id} after deleting it")
        return False

    def _marked_now(self, workout_id: int) -> bool:
        """Whether the workout exists and carries our marker (checked before every delete): from
        this push's listing of the library when there is one (reconcile only ever removes a
        workout that listing showed with our marker, and no write of ours takes a marker off),
        else read."""
        if self._listed is not None:
            if workout_id in self._listed:
                return True
            log.warning("garmin: workout %s is gone or no longer carries our marker", workout_id)
            return False
        stored = self.calendar.get(workout_id)
        if stored is None:
            return False
        if parse_marker(stored.get("description")) is None:
            log.warning("garmin: workout %s no longer carries our marker; left alone", workout_id)
            return False
        return True

    # ---- calendar entries -------------------------------------------------------------------

    def schedule(self, workout_id: int, day: date, key: str) -> int:
        """Put the workout on ``day``; the new calendar entry's id. Raises
        :class:`~ampt_sync.errors.RemoteError` when Garmin's answer (or a read of the entry)
        shows it elsewhere or not at all."""
        try:
            schedule_id, entry = self._write(lambda: self.calendar.schedule(workout_id, day))
        except RemoteUnavailable:
            self.unsure.setdefault(key, "unsure")
            self.unknown_outcomes += 1
            # schedule is not idempotent: look before anything is sent again.
            existing = [
                item.schedule_id
                for item in self.calendar.scheduled(day, day + timedelta(days=1))
                if item.workout_id == workout_id
            ]
            if existing:
                for extra in existing[1:]:
                    self.unschedule(extra)
                self.expected.on[existing[0]] = (key, workout_id, day)
                return existing[0]
            schedule_id, entry = self._write(lambda: self.calendar.schedule(workout_id, day))
        if entry is None:  # the answer does not show the entry: read it
            entry = self.calendar.get_schedule(schedule_id)
        if entry is None or entry.workout_id != workout_id or entry.day != day:
            raise RemoteError(
                f"Garmin did not keep workout {workout_id} on {day} (calendar entry "
                f"{schedule_id}); it will be scheduled again at the next push"
            )
        # The final read checks it is still there.
        self.expected.on[schedule_id] = (key, workout_id, day)
        return schedule_id

    def reschedule(self, schedule_id: int, day: date) -> ScheduledItem | None:
        """Move the calendar entry to ``day`` in one write (Garmin's reschedule); the entry as
        read back after it (once more when it shows another day), None when it is gone."""
        try:
            moved = self._write(lambda: self.calendar.reschedule(schedule_id, day))
        except RemoteUnavailable:
            moved = True  # a PUT: the read-back below says whether it took
        entry = self.calendar.get_schedule(schedule_id) if moved else None
        if entry is not None and entry.day != day:
            moved = self._write(lambda: self.calendar.reschedule(schedule_id, day))
            entry = self.calendar.get_schedule(schedule_id) if moved else None
        return entry

    def unschedule(
        self, schedule_id: int, *, key: str | None = None, day: date | None = None
    ) -> bool:
        """Take the entry off; True when checking it went is left to the final read (a removal
        of ``key``'s, on a ``day`` the final calendar read covers), else it is read back now."""
        self.expected.on.pop(schedule_id, None)
        try:
            if not self._write(lambda: self.calendar.unschedule(schedule_id)):
                return False  # already gone
        except RemoteUnavailable:
            if self.calendar.get_schedule(schedule_id) is None:
                return False
            self._write(lambda: self.calendar.unschedule(schedule_id))
        if key is not None and day is not None and self.window is not None:
            first, end = self.window
            if first - timedelta(days=VERIFY_BEFORE_DAYS) <= day < end:
                self.expected.off[schedule_id] = (key, day)
                return True
        if self.calendar.get_schedule(schedule_id) is not None:
            raise RemoteError(f"Garmin still shows calendar entry {schedule_id} after removing it")
        return False
