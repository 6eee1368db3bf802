"""A planned workout as an intervals.icu calendar event: the payload we upsert, its external id
and the hash that tells whether what is there is current.

Every event we write is a ``WORKOUT`` on the workout's local day (``start_date_local`` is
``YYYY-MM-DDT00:00:00``: intervals.icu's planned workouts carry no time of day) and carries:

* ``external_id`` = :data:`EXTERNAL_ID_PREFIX` + the workout's stable key: it is how we find and
  update our events, and how we know an event is ours (an event without it is the runner's);
* our FIT workout file (:func:`ampt_sync.fit.encode.encode_workout`) as ``file_contents_base64``
  with ``filename`` :func:`ampt_sync.fit.files.fit_file_name`: intervals.icu builds the workout
  from it and sends it to the watch;
* ``name`` (the title as the watch shows it), ``type`` (``Run``, or ``WeightTraining`` for the
  strength circuit) and ``description``: the steps and notes as plain text, each step starting
  with ``·`` rather than ``-``, because intervals.icu reads lines starting with ``-`` in a
  description as workout steps of its own text syntax.

*Assumed, not verified on the live service*: that an event keeps the ``name`` and
``description`` we send next to a file (the forum guide shows files with and without them; the
simulator keeps them). Nothing depends on it for safety: a read-back that differs only makes us
write the event once more (an upsert by ``external_id`` is idempotent).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ampt_sync.domain import Plan, Workout, WorkoutKind
from ampt_sync.fit.encode import encode_workout
from ampt_sync.fit.files import fit_file_name
from ampt_sync.garmin.encode import workout_name
from ampt_sync.plan_text import workout_lines
from ampt_sync.units import Units

#: Every event we write has an ``external_id`` starting with this; no other event is ours.
EXTERNAL_ID_PREFIX = "ampt-sync:"
WORKOUT = "WORKOUT"
#: intervals.icu's activity type for each kind of ours (everything else runs).
STRENGTH_TYPE = "WeightTraining"
RUN_TYPE = "Run"
#: intervals.icu keeps long descriptions, but a watch shows little; keep it readable.
DESCRIPTION_MAX_CHARS = 2000


def external_id(key: str) -> str:
    return EXTERNAL_ID_PREFIX + key


def key_of(external: str | None) -> str | None:
    """Our workout key when ``external`` is one of our external ids, else None."""
    if (
        external
        and external.startswith(EXTERNAL_ID_PREFIX)
        and len(external) > len(EXTERNAL_ID_PREFIX)
    ):
        return external[len(EXTERNAL_ID_PREFIX) :]
    return None


def start_date_local(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


@dataclass(frozen=True)
class DesiredEvent:
    """One workout of the plan as the event it should be. ``content_hash`` covers the whole
    payload (the day and the file included): equal hashes mean nothing to write."""

    key: str
    day: date
    payload: dict[str, Any]
    content_hash: str

    @property
    def external_id(self) -> str:
        return str(self.payload["external_id"])

    @property
    def name(self) -> str:
        return str(self.payload["name"])

    @property
    def description(self) -> str:
        return str(self.payload["description"])


def description(workout: Workout, units: Units) -> str:
    """The steps and notes as plain text (the title is the event's name)."""
    lines = []
    for line in workout_lines(workout, units)[1:]:
        bare = line.lstrip()
        indent = line[: len(line) - len(bare)]
        lines.append(indent + "· " + bare[2:] if bare.startswith("- ") else line)
    text = "\n".join(lines).strip("\n")
    if len(text) > DESCRIPTION_MAX_CHARS:
        text = text[: DESCRIPTION_MAX_CHARS - 3].rstrip() + "..."
    return text


def desired_event(workout: Workout, day: date, units: Units) -> DesiredEvent:
    """``workout`` on ``day`` as an event. Raises EncodeError for a workout FIT cannot hold."""
    data = encode_workout(workout, day=day)
    payload: dict[str, Any] = {
        "category": WORKOUT,
        "start_date_local": start_date_local(day),
        "type": STRENGTH_TYPE if workout.kind is WorkoutKind.STRENGTH else RUN_TYPE,
        "name": workout_name(workout),
        "description": description(workout, units),
        "external_id": external_id(workout.key),
        "filename": fit_file_name(day, workout),
        "file_contents_base64": base64.b64encode(data).decode("ascii"),
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return DesiredEvent(key=workout.key, day=day, payload=payload, content_hash=digest)


def desired_events(plan: Plan, today: date, horizon_days: int, units: Units) -> list[DesiredEvent]:
    """The plan's workouts on ``today <= day < today + horizon_days`` as events (rest days have
    none). Encodes everything before anything is written."""
    end = today + timedelta(days=horizon_days)
    return [
        desired_event(workout, day, units)
        for day, workout in plan.workouts_between(today, end)
        if workout.kind is not WorkoutKind.REST
    ]
