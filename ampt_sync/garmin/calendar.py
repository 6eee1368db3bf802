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
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from ampt_sync.errors import RemoteError
from ampt_sync.garmin.client import GarminSession, NotFound, garmin_errors
from ampt_sync.garmin.encode import Payload, parse_marker

#: Workouts per page when listing the library.
PAGE_SIZE = 100


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

    def create(self, payload: Payload) -> int:
        """Upload a new workout; its id."""
        ...

    def get(self, workout_id: int) -> Payload | None:
        """The stored workout, or None when there is none."""
        ...

    def update(self, workout_id: int, payload: Payload) -> None:
        """Replace the workout in place (its id and schedules stay). NotFound when gone."""
        ...

    def delete(self, workout_id: int) -> bool:
        """Delete the workout; False when it was already gone."""
        ...

    def schedule(self, workout_id: int, day: date) -> int:
        """Put the workout on the calendar (NOT idempotent); the new entry's id."""
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
        raise RemoteError(f"Garmin sent {what} {value!r}, expected an id")
    try:
        return int(value)
    except ValueError:
        raise RemoteError(f"Garmin sent {what} {value!r}, expected an id") from None


def _day(value: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RemoteError(f"Garmin sent {what} {value!r}, expected a date") from None


class GarminCalendar:
    """:class:`WorkoutCalendar` over an authenticated :class:`GarminSession`."""

    def __init__(self, session: GarminSession) -> None:
        self.session = session
        self.api = session.api

    def api_calls(self) -> dict[str, int]:
        return self.session.calls.as_dict()

    def scheduled(self, first: date, end: date) -> list[ScheduledItem]:
        found: dict[int, ScheduledItem] = {}
        for year, month in months_covering(first, end):
            with garmin_errors(f"read the calendar for {year}-{month:02d}"):
                view = self.api.get_scheduled_workouts(year, month) or {}
            for item in view.get("calendarItems") or []:
                if item.get("itemType") != "workout" or item.get("workoutId") is None:
                    continue
                entry = ScheduledItem(
                    schedule_id=_int(item.get("id"), "a calendar entry id"),
                    workout_id=_int(item.get("workoutId"), "a workout id"),
                    day=_day(item.get("date"), "a calendar date"),
                    title=str(item.get("title") or ""),
                )
                if first <= entry.day < end:
                    found[entry.schedule_id] = entry
        return sorted(found.values(), key=lambda i: (i.day, i.schedule_id))

    def _pages(self) -> Iterator[dict[str, Any]]:
        start = 0
        while True:
            with garmin_errors("list the workout library"):
                page = self.api.get_workouts(start, PAGE_SIZE) or []
            yield from page
            if len(page) < PAGE_SIZE:
                return
            start += PAGE_SIZE

    def marked_workouts(self) -> list[MarkedWorkout]:
        out = []
        for summary in self._pages():
            mark = parse_marker(summary.get("description"))
            if mark is None:
                continue
            out.append(
                MarkedWorkout(
                    workout_id=_int(summary.get("workoutId"), "a workout id"),
                    key=mark[0],
                    version=mark[1],
                    name=str(summary.get("workoutName") or ""),
                )
            )
        return out

    def create(self, payload: Payload) -> int:
        with garmin_errors(f"create workout {payload.get('workoutName')!r}"):
            stored = self.api.upload_workout(payload)
        return _int((stored or {}).get("workoutId"), "the new workout's id")

    def get(self, workout_id: int) -> Payload | None:
        try:
            with garmin_errors(f"read workout {workout_id}"):
                return self.api.get_workout_by_id(workout_id)
        except NotFound:
            return None

    def update(self, workout_id: int, payload: Payload) -> None:
        with garmin_errors(f"update workout {workout_id}"):
            self.api.update_workout(workout_id, payload)

    def delete(self, workout_id: int) -> bool:
        try:
            with garmin_errors(f"delete workout {workout_id}"):
                self.api.delete_workout(workout_id)
        except NotFound:
            return False
        return True

    def schedule(self, workout_id: int, day: date) -> int:
        with garmin_errors(f"schedule workout {workout_id} on {day}"):
            entry = self.api.schedule_workout(workout_id, day.isoformat()) or {}
        value = entry.get("workoutScheduleId", entry.get("id"))
        return _int(value, "the new calendar entry's id")

    def get_schedule(self, schedule_id: int) -> ScheduledItem | None:
        try:
            with garmin_errors(f"read calendar entry {schedule_id}"):
                entry = self.api.get_scheduled_workout_by_id(schedule_id) or {}
        except NotFound:
            return None
        workout = entry.get("workout") or {}
        return ScheduledItem(
            schedule_id=schedule_id,
            workout_id=_int(workout.get("workoutId"), "a workout id"),
            day=_day(entry.get("calendarDate"), "a calendar date"),
            title=str(workout.get("workoutName") or ""),
        )

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
