"""A simulated intervals.icu, over HTTP on loopback, for tests and the offline demo.

It answers the endpoints ampt-sync calls as intervals.icu's public documentation describes them
(intervals.icu/api-docs.html; the forum guides "API access to Intervals.icu" and "Uploading
planned workouts to Intervals.icu")::

    GET  /api/v1/athlete/{id}                           the athlete's profile
    GET  /api/v1/athlete/{id}/events?oldest=&newest=    events with oldest <= local day <= newest
         [&category=WORKOUT,NOTE]                       (both required, yyyy-MM-dd)
    POST /api/v1/athlete/{id}/events/bulk?upsert=true   create, or update by external_id (matched
                                                        only against events made through the
                                                        API), -> the stored events
    PUT  /api/v1/athlete/{id}/events/bulk-delete        [{"id"} | {"external_id"}] ->
                                                        {"eventsDeleted": n}
    GET  /api/v1/athlete/{id}/activities?oldest=        activities with oldest <= local day
         [&newest=]                                     <= newest (yyyy-MM-dd; newest optional),
                                                        newest first
    GET  /api/v1/activity/{activity id}/intervals       {"id", "icu_intervals", "icu_groups"}

The activities are what :meth:`IntervalsSim.add_activity` recorded (the simulated runner's runs
as :func:`ampt_sync.sim.runner.intervals_view` shows them), edited or deleted on demand
(:meth:`IntervalsSim.edit_activity`, :meth:`IntervalsSim.delete_activity`). An activity
intervals.icu got from Strava (:meth:`IntervalsSim.add_strava_stub`) is listed as the service
lists it, a stub with ``source: "STRAVA"`` and a ``_note``, and its intervals are refused (422),
as Strava's API terms make the service do.

Auth is HTTP basic with the user ``API_KEY`` and the key (:attr:`IntervalsSim.api_key`): anything
else is a 401. An athlete id other than the key's own (or ``0``) is a 403. Like the service's
Cloudflare front, a request whose User-Agent is Python's default (``Python-urllib/…``, or
``python-requests/…``, which we assume is refused the same way) gets a 403 HTML page.

A ``WORKOUT`` sent with ``file_contents_base64`` must name a ``.fit``/``.zwo``/``.mrc``/``.erg``
``filename``; a ``.fit`` is decoded with Garmin's FIT SDK, and one that is not a FIT file, fails
its integrity check or decodes with errors is refused (422), as is a workout with neither a file
nor a description. The decoded file is kept (:meth:`IntervalsSim.fit_messages`) so tests can
compare it with the plan. The stored event keeps the ``name`` and ``description`` sent (the
assumption :mod:`ampt_sync.intervals.events` documents) and gains ``workout_doc.steps`` (the
number of workout steps decoded).

"The runner's own" events (:meth:`IntervalsSim.add_own_event`) have no external id or one made
outside the API, so tests can show they are never touched. Faults on demand
(:meth:`IntervalsSim.fail`, the kinds and :class:`~ampt_sync.sim.server.Fault` of the Garmin
simulator): an HTTP status (429 with ``Retry-After``, 5xx), a reset, a timeout, a write done but
its answer lost, a malformed 200 body. Every request is logged (:attr:`IntervalsSim.requests`:
method, path, status, fault; never a header, a key or a body) for budget assertions.
"""

from __future__ import annotations

import base64
import binascii
import copy
import itertools
import json
import secrets
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

# The fault, log and answer types and the HTTP handler every simulator shares.
from ampt_sync.sim.server import (
    Abort,
    Fault,
    JsonHandler,
    LoopbackSim,
    Raw,
    Reply,
    Request,
    take_fault,
)

#: The kinds of fault :meth:`IntervalsSim.fail` can inject (see ampt_sync.sim.garmin).
FAULT_KINDS = ("status", "reset", "timeout", "lost", "body")
CLOUDFLARE_PAGE = "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title>"
DEFAULT_USER_AGENTS = ("python-urllib/", "python-requests/")
WORKOUT_FILE_TYPES = (".fit", ".zwo", ".mrc", ".erg")


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"status": status, "error": message})


class IntervalsSim(LoopbackSim):
    """Simulated intervals.icu for one athlete. Thread-safe; start with :meth:`start` or
    ``with``."""

    def __init__(self, *, athlete_id: str = "i424242", api_key: str | None = None) -> None:
        super().__init__()
        self.athlete_id = athlete_id
        #: The athlete's personal API key (random per sim, like a real one).
        self.api_key = api_key or secrets.token_hex(16)
        self._lock = threading.RLock()
        self._events: dict[int, dict[str, Any]] = {}
        self._activities: dict[str, dict[str, Any]] = {}
        self._intervals: dict[str, list[dict[str, Any]]] = {}
        #: The (oldest, newest) of every activity-list request, as sent (dates, no secrets).
        self.activity_queries: list[tuple[str, str | None]] = []
        self._fit: dict[int, bytes] = {}
        self._ids = itertools.count(70_000_001)
        self._faults: list[Fault] = []
        self.requests: list[Request] = []
        self._stopping = threading.Event()
        #: Called with (method, path) as each request arrives (a test seam: stop a cycle there).
        self.on_request: Callable[[str, str], None] | None = None

    def stop(self) -> None:
        self._stopping.set()
        super().stop()

    # ---- test controls ----------------------------------------------------------------------

    def fail(self, kind: str, **kwargs: Any) -> Fault:
        """Inject a fault (see :data:`FAULT_KINDS` and :class:`~ampt_sync.sim.server.Fault`)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(kind=kind, **kwargs)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def counts(self) -> dict[str, int]:
        """Requests seen so far: ``reads`` (GET), ``writes``, ``total``."""
        with self._lock:
            writes = sum(1 for r in self.requests if r.method != "GET")
            return {
                "reads": len(self.requests) - writes,
                "writes": writes,
                "total": len(self.requests),
            }

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.activity_queries.clear()

    def add_own_event(
        self,
        day: date,
        name: str,
        *,
        category: str = "WORKOUT",
        external_id: str | None = None,
        description: str = "my own session",
    ) -> int:
        """An event the runner (or another app) made: not through our API use, so an upsert
        never matches it by external id."""
        with self._lock:
            event_id = next(self._ids)
            self._events[event_id] = {
                **self._fields(day, category, name, description, "Run", external_id),
                "id": event_id,
                "_by_api": False,
            }
        return event_id

    def move_directly(self, event_id: int, day: date) -> None:
        """What the runner does when dragging an event to another day in the calendar."""
        with self._lock:
            event = self._events[event_id]
            event["start_date_local"] = f"{day.isoformat()}T00:00:00"
            event["end_date_local"] = f"{(day + timedelta(days=1)).isoformat()}T00:00:00"

    def delete_directly(self, event_id: int) -> None:
        with self._lock:
            del self._events[event_id]

    def events(self) -> list[dict[str, Any]]:
        """Every stored event (without internal fields), by day then id."""
        with self._lock:
            out = [_public(e) for e in self._events.values()]
        return sorted(out, key=lambda e: (e["start_date_local"], e["id"]))

    def calendar(self, first: date, end: date) -> list[tuple[date, int, str, str]]:
        """Events with ``first <= day < end`` as ``(day, event_id, name, description)``."""
        return [
            (date.fromisoformat(e["start_date_local"][:10]), e["id"], e["name"], e["description"])
            for e in self.events()
            if first <= date.fromisoformat(e["start_date_local"][:10]) < end
        ]

    def add_activity(
        self, summary: dict[str, Any], intervals: list[dict[str, Any]] | None = None
    ) -> str:
        """Record an activity (an item of the activity list, with its ``"i…"`` id) and its
        intervals; replaces one with the same id. Returns the id."""
        activity_id = str(summary["id"])
        with self._lock:
            self._activities[activity_id] = copy.deepcopy(summary)
            self._intervals[activity_id] = copy.deepcopy(list(intervals or []))
        return activity_id

    def add_strava_stub(self, strava_id: int, start_local: datetime) -> str:
        """An activity intervals.icu got from Strava: the API shows only this stub of it."""
        activity_id = str(strava_id)
        with self._lock:
            self._activities[activity_id] = {
                "id": activity_id,
                "start_date_local": start_local.replace(tzinfo=None).isoformat(),
                "source": "STRAVA",
                "_note": "STRAVA activities are not available via the API",
            }
        return activity_id

    def edit_activity(self, activity_id: str, **fields: Any) -> None:
        """What the runner changes on intervals.icu (a name, the race mark, …)."""
        with self._lock:
            self._activities[activity_id].update(fields)

    def delete_activity(self, activity_id: str) -> None:
        with self._lock:
            del self._activities[activity_id]
            self._intervals.pop(activity_id, None)

    def activities(self) -> list[dict[str, Any]]:
        """Every recorded activity, newest first."""
        with self._lock:
            out = [copy.deepcopy(a) for a in self._activities.values()]
        return sorted(out, key=lambda a: a["start_date_local"], reverse=True)

    def fit_file(self, event_id: int) -> bytes | None:
        """The FIT file the event was last written with (None: none)."""
        with self._lock:
            return self._fit.get(event_id)

    def fit_messages(self, event_id: int) -> dict[str, list[dict[str, Any]]]:
        """The event's FIT file as the SDK's decoder reads it."""
        data = self.fit_file(event_id)
        if data is None:
            raise KeyError(event_id)
        messages, errors = _decode_fit(data)
        assert not errors  # noqa: S101 - it was checked when stored
        return messages

    # ---- request handling -------------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            return take_fault(self._faults, method, path)

    def _log(self, method: str, path: str, status: int | None, fault: str | None) -> None:
        with self._lock:
            self.requests.append(Request(method, path, status, fault))

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> tuple[int, Any, dict]:
        split = urlsplit(target)
        path, query = split.path, parse_qs(split.query)
        if self.on_request is not None:
            self.on_request(method, path)
        fault = self._take_fault(method, path)
        if fault is not None and fault.kind == "status":
            self._log(method, path, fault.status, "status")
            extra = {}
            if fault.retry_after_s is not None:
                extra["Retry-After"] = str(fault.retry_after_s)
            return (
                fault.status,
                {"status": fault.status, "error": HTTPStatus(fault.status).phrase},
                extra,
            )
        if fault is not None and fault.kind in ("reset", "timeout"):
            self._log(method, path, None, fault.kind)
            if fault.kind == "timeout":
                self._stopping.wait(fault.delay_s)
            raise Abort
        if fault is not None and fault.kind == "body":
            self._log(method, path, 200, "body")
            return 200, Raw(fault.body, fault.content_type), {}
        try:
            status, payload = self._route(method, path, query, headers, body)
            extra: dict[str, str] = {}
        except Reply as reply:
            status, payload, extra = reply.status, reply.body, reply.headers
        if fault is not None:  # "lost": done, but the answer never arrives
            self._log(method, path, status, fault.kind)
            raise Abort
        self._log(method, path, status, None)
        return status, payload, extra

    def _authorise(self, headers: Any) -> None:
        agent = (headers.get("User-Agent") or "").lower()
        if not agent or agent.startswith(DEFAULT_USER_AGENTS):
            raise Reply(403, Raw(CLOUDFLARE_PAGE, "text/html"))
        auth = headers.get("Authorization") or ""
        expected = base64.b64encode(f"API_KEY:{self.api_key}".encode()).decode()
        if not secrets.compare_digest(auth.encode(), f"Basic {expected}".encode()):
            raise _error(401, "Unauthorized")

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes
    ) -> tuple[int, Any]:
        self._authorise(headers)
        parts = path.strip("/").split("/")
        if (
            method == "GET"
            and parts[:3] == ["api", "v1", "activity"]
            and parts[4:] == ["intervals"]
        ):
            with self._lock:
                return 200, self._activity_intervals(parts[3])
        if parts[:3] != ["api", "v1", "athlete"] or len(parts) < 4:
            raise _error(404, "Not Found")
        if parts[3] not in (self.athlete_id, "0"):
            raise _error(403, "Access denied")
        tail = "/".join(parts[4:])
        with self._lock:
            if tail == "" and method == "GET":
                return 200, {"id": self.athlete_id, "name": "Sam (simulated)", "timezone": "UTC"}
            if tail == "events" and method == "GET":
                return 200, self._list(query)
            if tail == "activities" and method == "GET":
                return 200, self._list_activities(query)
            if tail == "events/bulk" and method == "POST":
                return 200, self._bulk(query, _json(body))
            if tail == "events/bulk-delete" and method == "PUT":
                return 200, {"eventsDeleted": self._bulk_delete(_json(body))}
        raise _error(404, "Not Found")

    def _list(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        try:
            oldest = date.fromisoformat(query["oldest"][0])
            newest = date.fromisoformat(query["newest"][0])
        except (KeyError, ValueError):
            raise _error(400, "oldest and newest are required (yyyy-MM-dd)") from None
        categories = set(query.get("category", [""])[0].split(",")) - {""}
        out = []
        for event in self._events.values():
            day = date.fromisoformat(event["start_date_local"][:10])
            if oldest <= day <= newest and (not categories or event["category"] in categories):
                out.append(_public(event))
        return sorted(out, key=lambda e: (e["start_date_local"], e["id"]))

    def _list_activities(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        self.activity_queries.append((query.get("oldest", [""])[0], query.get("newest", [None])[0]))
        try:
            oldest = date.fromisoformat(query["oldest"][0][:10])
            newest = date.fromisoformat(query.get("newest", ["9999-12-31"])[0][:10])
        except (KeyError, ValueError):
            raise _error(422, "oldest is required (yyyy-MM-dd); newest is optional") from None
        out = [
            copy.deepcopy(activity)
            for activity in self._activities.values()
            if oldest <= date.fromisoformat(activity["start_date_local"][:10]) <= newest
        ]
        return sorted(out, key=lambda a: a["start_date_local"], reverse=True)

    def _activity_intervals(self, activity_id: str) -> dict[str, Any]:
        activity = self._activities.get(activity_id)
        if activity is None:
            raise _error(404, "Not Found")
        if activity.get("source") == "STRAVA":
            raise _error(422, "Cannot read Strava activities via the API")
        return {
            "id": activity_id,
            "analyzed": activity.get("analyzed"),
            "icu_intervals": copy.deepcopy(self._intervals.get(activity_id, [])),
            "icu_groups": [],
        }

    def _bulk(self, query: dict[str, list[str]], items: Any) -> list[dict[str, Any]]:
        upsert = query.get("upsert", ["false"])[0] == "true"
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise _error(422, "expected a JSON array of events")
        checked = [self._checked(item) for item in items]  # all or nothing
        stored = []
        for item, fit in checked:
            external = item.get("external_id")
            match = None
            if upsert and external:
                match = next(
                    (
                        e
                        for e in self._events.values()
                        if e["_by_api"] and e.get("external_id") == external
                    ),
                    None,
                )
            event_id = match["id"] if match is not None else next(self._ids)
            self._events[event_id] = {**item, "id": event_id, "_by_api": True}
            if fit is not None:
                self._fit[event_id] = fit
            else:
                self._fit.pop(event_id, None)
            stored.append(_public(self._events[event_id]))
        return stored

    def _checked(self, item: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
        category = item.get("category")
        if category not in ("WORKOUT", "NOTE", "RACE_A", "RACE_B", "RACE_C", "HOLIDAY", "SICK"):
            raise _error(422, f"unknown category {category!r}")
        try:
            start = datetime.fromisoformat(str(item.get("start_date_local")))
        except ValueError:
            raise _error(422, "start_date_local must be yyyy-MM-ddT00:00:00") from None
        fit = None
        steps = 0
        data = item.get("file_contents_base64")
        if data is not None:
            filename = str(item.get("filename") or "")
            if not filename.lower().endswith(WORKOUT_FILE_TYPES):
                raise _error(422, f"unsupported workout file {filename!r}")
            try:
                raw = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                raise _error(422, "file_contents_base64 is not base 64") from None
            if filename.lower().endswith(".fit"):
                messages, errors = _decode_fit(raw)
                if errors:
                    raise _error(422, f"{filename}: not a valid FIT workout file")
                steps = len(messages.get("workout_step_mesgs", []))
                fit = raw
        elif category == "WORKOUT" and not item.get("description"):
            raise _error(422, "a workout needs a file or a description")
        day = start.date()
        event = self._fields(
            day,
            str(category),
            str(item.get("name") or "Workout"),
            str(item.get("description") or ""),
            str(item.get("type") or "Run"),
            item.get("external_id"),
        )
        if fit is not None:
            event["filename"] = item.get("filename")
            event["workout_doc"] = {"steps": steps}
        return event, fit

    @staticmethod
    def _fields(
        day: date, category: str, name: str, description: str, kind: str, external: str | None
    ) -> dict[str, Any]:
        return {
            "category": category,
            "start_date_local": f"{day.isoformat()}T00:00:00",
            "end_date_local": f"{(day + timedelta(days=1)).isoformat()}T00:00:00",
            "name": name,
            "description": description,
            "type": kind,
            "external_id": external,
            "updated": datetime.now().astimezone().isoformat(timespec="seconds"),
        }

    def _bulk_delete(self, refs: Any) -> int:
        if not isinstance(refs, list) or not all(isinstance(r, dict) for r in refs):
            raise _error(422, "expected a JSON array of {id} or {external_id}")
        gone = 0
        for ref in refs:
            if ref.get("id") is not None:
                ids = [int(ref["id"])] if int(ref["id"]) in self._events else []
            else:
                ids = [
                    i
                    for i, e in self._events.items()
                    if e["_by_api"] and e.get("external_id") == ref.get("external_id")
                ]
            for event_id in ids:
                del self._events[event_id]
                self._fit.pop(event_id, None)
                gone += 1
        return gone


def _public(event: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in event.items() if not k.startswith("_")}


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise _error(400, "malformed JSON") from None


def _decode_fit(data: bytes) -> tuple[dict[str, list[dict[str, Any]]], list[Any]]:
    from garmin_fit_sdk import Decoder, Stream

    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    if not decoder.is_fit() or not decoder.check_integrity():
        return {}, ["not a FIT file, or its integrity check fails"]
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read()
    return messages, list(errors)


IntervalsSim.handler = JsonHandler

__all__ = ["FAULT_KINDS", "IntervalsSim"]
