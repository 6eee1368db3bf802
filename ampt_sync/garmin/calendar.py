"""The ``WorkoutCalendar`` port and its garminconnect adapter.

The port is what the push needs of Garmin Connect, in our terms (dates, ids, payloads); the
adapter is a thin layer over ``garminconnect.Garmin`` whose every call goes through
:func:`ampt_sync.garmin.client.garmin_errors`, so callers only ever see our exceptions:
:class:`~ampt_sync.garmin.client.NotFound` is turned into ``None`` / ``False`` where "already gone"
is an answer (get, delete, unschedule), and raised where it is not (update, schedule).

Garmin's month view (``GET /calendar-service/year/{Y}/month/{M0}``) numbers months from 0 and
shows the ends of the neighbouring months; :meth:`GarminCalendar.scheduled` reads every month the
range touches (one read, two when it crosses a month boundary), keeps ``itemType == "workout"``,
drops duplicates by calendar-entry id and returns only the days asked for.

Everything Garmin answers is checked here, at the edge, before the rest of ampt-sync sees it: a
body of the wrong shape (an object where a list is documented, an item that is not an object, an
id that is not a number, a description that is not a string) raises
:class:`~ampt_sync.garmin.client.Malformed`, never an ``AttributeError`` or ``TypeError`` further
in. Listing the library is bounded (:data:`MAX_PAGES`), and a page that repeats one already seen
(a server ignoring ``start=``) ends it with an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from ampt_sync.errors import RemoteError
from ampt_sync.garmin.client import GarminSession, NotFound, garmin_errors, malformed
from ampt_sync.garmin.encode import Payload, parse_marker

#: Workouts per page when listing the library.
PAGE_SIZE = 100
#: Most pages read when listing the library (10,000 workouts; Garmin's watches cope with ~200).
MAX_PAGES = 100


@dataclass(frozen=True, slots=True)
class ScheduledItem:
    """One calendar entry of a workout: ``schedule_id`` (Garmin's ``workoutScheduleId``, the
    month view's ``id``), the ``workout_id`` it shows, its ``day`` and its ``title``."""

    schedule_id: int
    workout_id: int
    day: date
    title: str = ""


@dataclass(frozen=True, slots=True)
class MarkedWorkout:
    """A workout in the Garmin library that carries our marker: its planned-workout ``key`` and
    ``version`` (the payload-hash prefix it was written with)."""

    workout_id: int
    key: str
    version: str
    name: str = ""


class WorkoutCalendar(Protocol):
    """What the push needs of Garmin Connect."""

    def scheduled(self, first: date, end: date) -> list[ScheduledItem]:
        """Every scheduled workout on a day ``first <= day < end`` (ours and the runner's)."""
        ...

    def marked_workouts(self) -> list[MarkedWorkout]:
        """Every workout of the library that carries our marker."""
        ...

    def create(self, payload: Payload) -> tuple[int, Payload | None]:
        """Upload a new workout: its id, and the workout as Garmin's answer shows it stored
        (None when the answer does not hold its steps; then only a read can tell)."""
        ...

    def get(self, workout_id: int) -> Payload | None:
        """The stored workout, or None when there is none."""
        ...

    def update(self, workout_id: int, payload: Payload) -> Payload | None:
        """Replace the workout in place (its id and schedules stay). NotFound when gone. The
        workout as the answer shows it stored, or None (Garmin answers 204, without a body)."""
        ...

    def delete(self, workout_id: int) -> bool:
        """Delete the workout; False when it was already gone."""
        ...

    def schedule(self, workout_id: int, day: date) -> tuple[int, ScheduledItem | None]:
        """Put the workout on the calendar (NOT idempotent): the new entry's id, and the entry
        as Garmin's answer shows it (None when the answer does not say its day and workout)."""
        ...

    def get_schedule(self, schedule_id: int) -> ScheduledItem | None:
        """The calendar entry, or None when there is none."""
        ...

    def unschedule(self, schedule_id: int) -> bool:
        """Take the entry off the calendar; False when it was already gone."""
        ...

    def reschedule(self, schedule_id: int, day: date) -> bool:
        """Move the entry to ``day`` (one write; idempotent); False when it was gone."""
        ...

    def api_calls(self) -> dict[str, int]:
        """Requests made so far (``reads``, ``writes``, ``token_refreshes``, ``total``)."""
        ...


def months_covering(first: date, end: date) -> list[tuple[int, int]]:
    """(year, month 1–12) of every month holding a day ``first <= day < end``."""
    if end <= first:
        return []
    months: list[tuple[int, int]] = []
    day = first.replace(day=1)
    last = end - timedelta(days=1)
    while day <= last:
        months.append((day.year, day.month))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise malformed(what, f"{type(value).__name__} where an id belongs")
    try:
        return int(value)
    except ValueError:
        raise malformed(what, "an id that is not a number") from None


def _day(value: Any, what: str) -> date:
    if not isinstance(value, str):
        raise malformed(what, f"{type(value).__name__} where a date belongs")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise malformed(what, "a date that is not YYYY-MM-DD") from None


def _object(value: Any, what: str) -> dict[str, Any]:
    """``value`` when it is a JSON object (None, as Garmin's empty answer, is an empty one)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise malformed(what, f"{type(value).__name__} where an object belongs")
    return value


def _objects(value: Any, what: str) -> list[dict[str, Any]]:
    """``value`` when it is a JSON list of objects (None counts as empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise malformed(what, f"{type(value).__name__} where a list belongs")
    if not all(isinstance(item, dict) for item in value):
        raise malformed(what, "a list item that is not an object")
    return value


def _text(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise malformed(what, f"{type(value).__name__} where text belongs")


def _entry(schedule_id: int, entry: dict[str, Any], what: str) -> ScheduledItem | None:
    """A calendar entry as Garmin shows it (``calendarDate``, ``workout.workoutId``); None when
    either is missing."""
    workout = _object(entry.get("workout"), what)
    if entry.get("calendarDate") is None or workout.get("workoutId") is None:
        return None
    return ScheduledItem(
        schedule_id=schedule_id,
        workout_id=_int(workout.get("workoutId"), what),
        day=_day(entry.get("calendarDate"), what),
        title=str(workout.get("workoutName") or ""),
    )


class GarminCalendar:
    """:class:`WorkoutCalendar` over an authenticated :class:`GarminSession`."""

    def __init__(self, session: GarminSession) -> None:
        self.session = session
        self.api = session.api
        #: How long a write held past our timeout may still take to land, as far as we wait for
        #: it (see :meth:`ampt_sync.garmin.apply.Pusher.settle`): twice the request timeout.
        self.late_write_wait_s = 2 * session.timeout_s

    def api_calls(self) -> dict[str, int]:
        return self.session.calls.as_dict()

    def scheduled(self, first: date, end: date) -> list[ScheduledItem]:
        found: dict[int, ScheduledItem] = {}
        for year, month in months_covering(first, end):
            what = f"read the calendar for {year}-{month:02d}"
            with garmin_errors(what):
                view = _object(self.api.get_scheduled_workouts(year, month), what)
            for item in _objects(view.get("calendarItems"), what):
                if item.get("itemType") != "workout" or item.get("workoutId") is None:
                    continue
                entry = ScheduledItem(
                    schedule_id=_int(item.get("id"), what),
                    workout_id=_int(item.get("workoutId"), what),
                    day=_day(item.get("date"), what),
                    title=str(item.get("title") or ""),
                )
                if first <= entry.day < end:
                    found[entry.schedule_id] = entry
        return sorted(found.values(), key=lambda i: (i.day, i.schedule_id))

    def _pages(self) -> Iterator[dict[str, Any]]:
        """Every workout summary, page by page: at most :data:`MAX_PAGES` pages, and a page
        holding a workout already listed (a server that ignores ``start=``) is an error."""
        what = "list the workout library"
        seen: set[int] = set()
        for number in range(MAX_PAGES):
            with garmin_errors(what):
                page = _objects(self.api.get_workouts(number * PAGE_SIZE, PAGE_SIZE), what)
            ids = [_int(summary.get("workoutId"), what) for summary in page]
            if seen.intersection(ids):
                raise RemoteError(
                    f"Garmin repeated a page while listing the workout library (it ignores "
                    f"paging); stopped after {number + 1} pages, nothing was changed, it is tried "
                    "again at the next cycle"
                )
            seen.update(ids)
            yield from page
            if len(page) < PAGE_SIZE:
                return
        raise RemoteError(
            f"Garmin's workout library did not end after {MAX_PAGES} pages of {PAGE_SIZE} "
            "(paging is broken, or the library is far larger than a watch can hold); nothing "
            "was changed. Delete old workouts in Garmin Connect if the library is really that big"
        )

    def marked_workouts(self) -> list[MarkedWorkout]:
        what = "list the workout library"
        out = []
        for summary in self._pages():
            mark = parse_marker(_text(summary.get("description"), what))
            if mark is None:
                continue
            out.append(
                MarkedWorkout(
                    workout_id=_int(summary.get("workoutId"), what),
                    key=mark[0],
                    version=mark[1],
                    name=str(summary.get("workoutName") or ""),
                )
            )
        return out

    def create(self, payload: Payload) -> tuple[int, Payload | None]:
        # Garmin answers the create with the stored workout (reference §2.1; the sim does the
        # same); an answer without its steps cannot show what was stored.
        what = f"create workout {payload.get('workoutName')!r}"
        with garmin_errors(what):
            stored = _object(self.api.upload_workout(payload), what)
        workout_id = _int(stored.get("workoutId"), what)
        if not stored.get("workoutSegments"):
            return workout_id, None
        _text(stored.get("description"), what)
        return workout_id, stored

    def get(self, workout_id: int) -> Payload | None:
        what = f"read workout {workout_id}"
        try:
            with garmin_errors(what):
                stored = _object(self.api.get_workout_by_id(workout_id), what)
        except NotFound:
            return None
        _text(stored.get("description"), what)
        return stored

    def update(self, workout_id: int, payload: Payload) -> Payload | None:
        # Garmin is documented to answer 204 (garminconnect gives {}), which shows nothing; should
        # it answer with the stored workout, as a create does, that answer is used.
        what = f"update workout {workout_id}"
        with garmin_errors(what):
            stored = _object(self.api.update_workout(workout_id, payload), what)
        if not stored.get("workoutSegments"):
            return None
        _text(stored.get("description"), what)
        return stored

    def delete(self, workout_id: int) -> bool:
        try:
            with garmin_errors(f"delete workout {workout_id}"):
                self.api.delete_workout(workout_id)
        except NotFound:
            return False
        return True

    def schedule(self, workout_id: int, day: date) -> tuple[int, ScheduledItem | None]:
        # Garmin answers with the new entry: workoutScheduleId, calendarDate and the workout
        # (reference §2.2; the sim does the same). Without the last two, only a read can tell.
        what = f"schedule workout {workout_id} on {day}"
        with garmin_errors(what):
            entry = _object(self.api.schedule_workout(workout_id, day.isoformat()), what)
        schedule_id = _int(entry.get("workoutScheduleId", entry.get("id")), what)
        return schedule_id, _entry(schedule_id, entry, what)

    def get_schedule(self, schedule_id: int) -> ScheduledItem | None:
        what = f"read calendar entry {schedule_id}"
        try:
            with garmin_errors(what):
                entry = _object(self.api.get_scheduled_workout_by_id(schedule_id), what)
        except NotFound:
            return None
        item = _entry(schedule_id, entry, what)
        if item is None:
            raise malformed(what, "an entry without its day or workout")
        return item

    def unschedule(self, schedule_id: int) -> bool:
        try:
            with garmin_errors(f"unschedule calendar entry {schedule_id}"):
                self.api.unschedule_workout(schedule_id)
        except NotFound:
            return False
        return True

    def reschedule(self, schedule_id: int, day: date) -> bool:
        # garminconnect reads the entry, then PUTs it back with the new calendarDate.
        try:
            with garmin_errors(f"move calendar entry {schedule_id} to {day}"):
                self.api.reschedule_workout(schedule_id, day.isoformat())
        except NotFound:
            return False
        return True
