"""The final read of a Garmin push: what the push's writes left to check, checked at once.

Instead of a read after each write, the writes (:class:`~ampt_sync.garmin.writes.GarminWrites`)
record in :class:`Expected` what one final read must show: every calendar entry put on a day,
every entry taken off, every workout deleted. :func:`check_final_read` then reads the window's
calendar once (one read a month; one month more when a removed entry lay in the month before)
and, when something was deleted, lists the library once, and reports what did not take. Finishing
the removals that did take is the pusher's (:meth:`ampt_sync.garmin.apply.Pusher.verify`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from ampt_sync.garmin.calendar import ScheduledItem, WorkoutCalendar
from ampt_sync.garmin.push_report import PushReport

log = logging.getLogger(__name__)

#: How far before the window a removed calendar entry may lie and still be checked by the final
#: calendar read (one more month read at most); an older one is read back on its own.
VERIFY_BEFORE_DAYS = 31


@dataclass
class Expected:
    """The checks left to the final read by the writes since the last read of Garmin."""

    #: Calendar entries we put on a day: schedule id → (key, workout id, day).
    on: dict[int, tuple[str, int, date]] = field(default_factory=dict)
    #: Calendar entries we took off: schedule id → (key, day).
    off: dict[int, tuple[str, date]] = field(default_factory=dict)
    #: Workouts we deleted: workout id → key.
    gone: dict[int, str] = field(default_factory=dict)

    def clear(self) -> None:
        self.on.clear()
        self.off.clear()
        self.gone.clear()


@dataclass(frozen=True)
class FinalRead:
    """What :func:`check_final_read` found."""

    #: Keys with a removal the read shows undone: their ledger rows keep their ``pending`` mark,
    #: so the next push removes them again.
    failed: frozenset[str]
    #: The window's calendar entries as this read showed them; None when the calendar was not
    #: read (nothing of ours on it to check, and no write of ours touched it).
    scheduled: tuple[ScheduledItem, ...] | None


def check_final_read(
    calendar: WorkoutCalendar,
    window: tuple[date, date],
    expected: Expected,
    report: PushReport,
    *,
    calendar_dirty: bool,
) -> FinalRead:
    """Check ``expected`` with one final read of ``window`` ``[first, end)``: the calendar shows
    every entry we put on a day there, and none we took off; a listing of the library shows none
    of the workouts we deleted. The calendar is read when a check needs it or ``calendar_dirty``
    (a write of ours may have changed it since the last read). Every mismatch is an error in
    ``report`` (and the log); ``expected`` is left as it was."""
    first, end = window
    failed: set[str] = set()
    scheduled = None
    if calendar_dirty or expected.on or expected.off:
        start = min([first, *(day for _, day in expected.off.values())])
        items = calendar.scheduled(start, end)
        scheduled = tuple(i for i in items if first <= i.day < end)
        by_id = {item.schedule_id: item for item in items}
        for schedule_id, (_key, workout_id, day) in expected.on.items():
            item = by_id.get(schedule_id)
            if item is None or item.workout_id != workout_id or item.day != day:
                _problem(
                    report,
                    f"Garmin does not show workout {workout_id} on {day} (calendar entry "
                    f"{schedule_id}) after scheduling it; it will be scheduled again at the "
                    "next push",
                )
        for schedule_id, (key, _day) in expected.off.items():
            if schedule_id in by_id:
                failed.add(key)
                _problem(
                    report, f"Garmin still shows calendar entry {schedule_id} after removing it"
                )
    if expected.gone:
        present = {m.workout_id for m in calendar.marked_workouts()}
        for workout_id, key in expected.gone.items():
            if workout_id in present:
                failed.add(key)
                _problem(report, f"Garmin still holds workout {workout_id} after deleting it")
    return FinalRead(failed=frozenset(failed), scheduled=scheduled)


def _problem(report: PushReport, message: str) -> None:
    report.errors.append(message)
    log.error("%s", message)
