"""A simulated Garmin Connect, over HTTP on loopback, for tests and the offline demo.

It speaks the endpoints ampt-sync uses, as garminconnect 0.3.20 calls them (paths relative to
``https://connectapi.garmin.com``), so the real client library drives it::

    GET    /workout-service/workouts?start=&limit=        workout summaries (with description)
    POST   /workout-service/workout                       create -> the stored workout
    GET    /workout-service/workout/{id}                  the stored workout, or 404
    PUT    /workout-service/workout/{id}                  replace in place -> 204, or 404
    DELETE /workout-service/workout/{id}                  204 (its schedules go too), or 404
    POST   /workout-service/schedule/{workoutId}          {"date"} -> a NEW calendar entry each
                                                          time (not idempotent, like Garmin)
    GET    /workout-service/schedule/{scheduleId}         the entry, or 404
    DELETE /workout-service/schedule/{scheduleId}         204, or 404
    PUT    /workout-service/schedule/{scheduleId}         {"calendarDate"} -> the entry, moved
    GET    /calendar-service/year/{Y}/month/{M0}          month view; M0 is 0-based and the view
                                                          spills into the neighbouring months
                                                          (whole weeks, Sunday to Saturday)
    GET    /activitylist-service/activities/search/activities?start=&limit=&startDate=&endDate=
                                                          recorded activities, newest first
                                                          (by startTimeLocal); startDate/endDate
                                                          filter on the local start date
    GET    /activity-service/activity/{id}                one activity (summaryDTO), or 404
    GET    /activity-service/activity/{id}/splits         its laps: {"activityId", "lapDTOs"},
                                                          or 404
    POST   /di-oauth2-service/oauth/token                 token refresh; the refresh token rotates
    POST   /sim-sso/login, /sim-sso/mfa                   a stand-in for Garmin's SSO (see
                                                          :meth:`GarminSim.login_strategy`)

Every API call needs ``Authorization: Bearer <access token>`` issued by this sim and not expired
or revoked, else 401. Like a strict Garmin, it rejects (400) what the real one would silently
corrupt: a repeat group without ``numberOfIterations`` or without the ``iterations`` end
condition, duplicate step numbers, a pace target without values.

State is in memory and inspectable (:meth:`GarminSim.calendar`, :attr:`GarminSim.workouts`).
"The runner's own" workouts and schedules (no marker) can be added with
:meth:`GarminSim.add_own_workout`, and activities with :meth:`GarminSim.add_activity` (a bare
run for the month view) or :meth:`GarminSim.add_recorded_activity` (a summary and its laps, as
:func:`ampt_sync.sim.runner.garmin_view` makes them), edited with
:meth:`GarminSim.edit_activity` and deleted with :meth:`GarminSim.delete_activity`.
Faults on demand (:meth:`GarminSim.fail`): an HTTP status (429, 5xx), a
connection reset, a timeout, a write that succeeds but whose answer is lost, a write that lands
only after the client timed out, a malformed 200 answer (HTML, truncated JSON, an empty body,
the wrong shape), and a library listing that ignores paging (:attr:`GarminSim.ignore_paging`);
the token refresh endpoint takes the same faults. Every request is
logged (:attr:`GarminSim.requests`, :meth:`GarminSim.counts`) for budget assertions.

Usage::

    with GarminSim() as sim:            # starts on 127.0.0.1, a free port
        tokens = sim.token_json()       # what `client.loads()` takes
        base_url = sim.base_url         # for AMPT_SYNC_GARMIN_URL
"""

from __future__ import annotations

import base64
import calendar as calmod
import copy
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

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

#: The kinds of fault :meth:`GarminSim.fail` can inject.
#: ``status``: answer with ``status`` and do nothing; ``reset``: drop the connection without doing
#: anything; ``timeout``: do nothing and answer only after ``delay_s``; ``lost``: do the request,
#: then drop the connection (the answer is lost); ``lost_timeout``: do the request, then answer
#: only after ``delay_s``; ``late``: hold the request for ``delay_s`` (longer than the client's
#: timeout), *then* do it and drop the connection (a write that lands after the client gave up);
#: ``body``: do nothing and answer 200 with the raw ``body`` (HTML, truncated JSON, nothing, JSON
#: of the wrong shape: what a proxy or a broken Garmin sends); ``alter``: store a workout sent by
#: a create or update differently from what was sent (the first timed or distance step 1.5 times
#: as long, as a Garmin that rewrites steps would), and answer as usual.
FAULT_KINDS = ("status", "reset", "timeout", "lost", "lost_timeout", "late", "body", "alter")

#: Malformed 200 answers for ``fail("body", body=...)``.
HTML_PAGE = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>"
TRUNCATED_JSON = '[{"workoutId": 100001, "workoutName": "Ea'


ACCESS_TTL_S = 4 * 3600
CLIENT_ID = "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def fake_jwt(exp: float, *, client_id: str = CLIENT_ID) -> str:
    """A JWT shaped like Garmin's DI access token (unsigned; garminconnect never verifies)."""
    header = {"alg": "RS256", "typ": "JWT"}
    body = {"exp": int(exp), "client_id": client_id, "jti": secrets.token_hex(8)}
    return f"{_b64(header)}.{_b64(body)}.{secrets.token_urlsafe(16)}"


@dataclass
class _Account:
    email: str
    password: str
    mfa_code: str | None


@dataclass
class _State:
    workouts: dict[int, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[int, dict[str, Any]] = field(default_factory=dict)
    activities: dict[int, dict[str, Any]] = field(default_factory=dict)


class GarminSim(LoopbackSim):
    """Simulated Garmin Connect. Thread-safe; start it with :meth:`start` or ``with``."""

    def __init__(
        self,
        *,
        email: str = "runner@example.com",
        password: str = "correct horse battery staple",  # noqa: S107 - a simulated account
        mfa_code: str | None = None,
        owner_id: int = 90210,
    ) -> None:
        super().__init__()
        self.owner_id = owner_id
        self.account = _Account(email, password, mfa_code)
        self._lock = threading.RLock()
        self._state = _State()
        self._ids = itertools.count(100_001)
        self._schedule_ids = itertools.count(500_001)
        self._faults: list[Fault] = []
        self.requests: list[Request] = []
        self._access: dict[str, float] = {}
        self._refresh: set[str] = set()
        self._ever_issued: set[str] = set()
        self._mfa_sessions: dict[str, str] = {}
        self.login_rate_limited = False
        #: When set, the library listing ignores ``start=`` and always answers the first page
        #: (a server that ignores paging).
        self.ignore_paging = False
        #: When set, a workout's update answers 200 with the stored workout instead of Garmin's
        #: documented 204 (a Garmin that shows what it stored; nothing confirms either way).
        self.update_answers_body = False
        self._late_in_flight = 0
        #: Seconds every answer waits (a network's round trip), for benchmarks and stop tests.
        self.latency_s = 0.0
        self._stopping = threading.Event()

    # ---- lifecycle --------------------------------------------------------------------------

    def stop(self) -> None:
        self._stopping.set()  # wakes injected delays, so the server can shut down
        super().stop()

    # ---- tokens -----------------------------------------------------------------------------

    def token_json(self, *, ttl_s: float = ACCESS_TTL_S) -> str:
        """A fresh token pair, as garminconnect's ``client.dumps()`` writes it."""
        with self._lock:
            access = fake_jwt(time.time() + ttl_s)
            refresh = secrets.token_urlsafe(24)
            self._access[access] = time.time() + ttl_s
            self._refresh.add(refresh)
            self._ever_issued.update((access, refresh))
        return json.dumps(
            {"di_token": access, "di_refresh_token": refresh, "di_client_id": CLIENT_ID}
        )

    def revoke_tokens(self, *, access: bool = True, refresh: bool = True) -> None:
        """Refuse every token issued so far (as Garmin does after a password change)."""
        with self._lock:
            if access:
                self._access.clear()
            if refresh:
                self._refresh.clear()

    def tokens_usable(self, token_json: str) -> bool:
        """Whether ``token_json`` (as ``client.dumps()`` writes it) would be accepted now: its
        access token unexpired and not revoked, and its refresh token not spent or revoked."""
        data = json.loads(token_json)
        with self._lock:
            expires = self._access.get(data.get("di_token", ""))
            refresh_ok = data.get("di_refresh_token") in self._refresh
        return expires is not None and expires > time.time() and refresh_ok

    def issued_secrets(self) -> set[str]:
        """Every access and refresh token this sim has ever issued (for leak checks)."""
        with self._lock:
            return set(self._ever_issued)

    def login_strategy(self) -> Callable[[str, str, Callable[[], str]], str]:
        """A login strategy for :mod:`ampt_sync.garmin.auth` that signs in against this sim
        (email, password, MFA code when configured) and returns the token JSON."""
        import requests

        base = self.base_url

        def login(email: str, password: str, prompt_mfa: Callable[[], str]) -> str:
            from garminconnect import (
                GarminConnectAuthenticationError,
                GarminConnectTooManyRequestsError,
            )

            with requests.Session() as http:
                resp = http.post(
                    f"{base}/sim-sso/login", json={"email": email, "password": password}, timeout=8
                )
                if resp.status_code == 429:
                    raise GarminConnectTooManyRequestsError("Too many login attempts")
                if resp.status_code == 401:
                    raise GarminConnectAuthenticationError("Authentication failed")
                resp.raise_for_status()
                data = resp.json()
                if data.get("mfa_required"):
                    code = prompt_mfa()
                    resp = http.post(
                        f"{base}/sim-sso/mfa",
                        json={"session": data["session"], "code": code},
                        timeout=8,
                    )
                    if resp.status_code == 401:
                        raise GarminConnectAuthenticationError("MFA code rejected")
                    resp.raise_for_status()
                    data = resp.json()
                return json.dumps(data["tokens"])

        return login

    # ---- test controls ----------------------------------------------------------------------

    def fail(self, kind: str, **kwargs: Any) -> Fault:
        """Inject a fault (see :data:`FAULT_KINDS` and :class:`Fault`); returns it."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(kind=kind, **kwargs)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def reset(self) -> None:
        """Forget all workouts, schedules, activities, faults and the request log."""
        with self._lock:
            self._state = _State()
            self._faults.clear()
            self.requests.clear()

    def snapshot(self) -> Any:
        """The workouts, calendar and activities, to :meth:`restore` later (ids keep counting)."""
        with self._lock:
            return copy.deepcopy(self._state)

    def restore(self, snapshot: Any) -> None:
        with self._lock:
            self._state = copy.deepcopy(snapshot)

    def counts(self) -> dict[str, int]:
        """Requests seen so far: ``reads``, ``writes``, ``total`` (auth traffic not included)."""
        with self._lock:
            api = [r for r in self.requests if not r.path.startswith(("/sim-sso", "/di-oauth"))]
            writes = sum(1 for r in api if r.is_write)
        return {"reads": len(api) - writes, "writes": writes, "total": len(api)}

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def add_own_workout(self, name: str, day: date | None = None) -> tuple[int, int | None]:
        """A workout the runner made in Garmin Connect (no marker), optionally scheduled."""
        payload = {
            "workoutName": name,
            "description": "my own session",
            "sportType": {"sportTypeId": 1, "sportTypeKey": "running", "displayOrder": 1},
            "estimatedDurationInSecs": 1800,
            "workoutSegments": [
                {
                    "segmentOrder": 1,
                    "sportType": {"sportTypeId": 1, "sportTypeKey": "running"},
                    "workoutSteps": [
                        {
                            "type": "ExecutableStepDTO",
                            "stepOrder": 1,
                            "stepType": {"stepTypeId": 3, "stepTypeKey": "interval"},
                            "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time"},
                            "endConditionValue": 1800.0,
                            "targetType": {
                                "workoutTargetTypeId": 1,
                                "workoutTargetTypeKey": "no.target",
                            },
                        }
                    ],
                }
            ],
        }
        with self._lock:
            workout_id = self._store_workout(payload)
            schedule_id = None if day is None else self._schedule(workout_id, day)
        return workout_id, schedule_id

    def add_activity(self, day: date, title: str = "Morning Run") -> int:
        """A recorded run (5 km in 30 minutes at 07:00): shows in the month view as an
        ``activity`` item and in the activity list."""
        moment = f"{day.isoformat()} 07:00:00"
        summary = {
            "activityName": title,
            "startTimeLocal": moment,
            "startTimeGMT": moment,
            "activityType": {"typeId": 1, "typeKey": "running", "parentTypeId": 17},
            "eventType": {"typeId": 9, "typeKey": "uncategorized"},
            "distance": 5000.0,
            "duration": 1800.0,
            "movingDuration": 1800.0,
            "elapsedDuration": 1800.0,
            "averageSpeed": 5000.0 / 1800.0,
        }
        return self.add_recorded_activity(summary)

    def add_recorded_activity(
        self, summary: dict[str, Any], laps: list[dict[str, Any]] | None = None
    ) -> int:
        """A recorded activity as Garmin lists it (``summary``; its ``activityId`` is kept, or
        one is given) with its ``laps`` (``lapDTOs``); returns its id."""
        with self._lock:
            summary = copy.deepcopy(summary)
            activity_id = summary.get("activityId") or next(self._ids)
            summary["activityId"] = activity_id
            self._state.activities[activity_id] = {
                "summary": summary,
                "laps": copy.deepcopy(laps or []),
            }
        return activity_id

    def edit_activity(self, activity_id: int, **fields: Any) -> None:
        """What the runner does when editing an activity in Garmin Connect (name, event type,
        distance, ...): the summary's ``fields`` replaced."""
        with self._lock:
            self._state.activities[activity_id]["summary"].update(copy.deepcopy(fields))

    def delete_activity(self, activity_id: int) -> None:
        """What the runner does when deleting an activity in Garmin Connect."""
        with self._lock:
            del self._state.activities[activity_id]

    @property
    def activities(self) -> dict[int, dict[str, Any]]:
        """A copy of the recorded activities' summaries by id."""
        with self._lock:
            return {i: copy.deepcopy(a["summary"]) for i, a in self._state.activities.items()}

    @property
    def workouts(self) -> dict[int, dict[str, Any]]:
        """A copy of the stored workouts by id."""
        with self._lock:
            return copy.deepcopy(self._state.workouts)

    def schedules(self) -> list[tuple[int, int, date]]:
        """Every calendar entry as ``(schedule_id, workout_id, day)``, sorted."""
        with self._lock:
            return sorted(
                (sid, s["workoutId"], date.fromisoformat(s["date"]))
                for sid, s in self._state.schedules.items()
            )

    def calendar(self, first: date, end: date) -> list[tuple[date, int, str, str]]:
        """Scheduled workouts with ``first <= day < end``: ``(day, workout_id, name,
        description)``, sorted."""
        with self._lock:
            out = []
            for s in self._state.schedules.values():
                day = date.fromisoformat(s["date"])
                if first <= day < end:
                    w = self._state.workouts[s["workoutId"]]
                    out.append((day, s["workoutId"], w["workoutName"], w.get("description") or ""))
            return sorted(out)

    def unschedule_directly(self, schedule_id: int) -> None:
        """What the runner does when removing an entry in the Garmin Connect app."""
        with self._lock:
            del self._state.schedules[schedule_id]

    def copy_directly(self, workout_id: int, day: date | None = None) -> tuple[int, int | None]:
        """What the runner does with "Duplicate" in Garmin Connect: a new workout, same content
        and description (our marker included), optionally scheduled."""
        with self._lock:
            payload = copy.deepcopy(self._state.workouts[workout_id])
            payload["workoutName"] = f"{payload['workoutName']} (copy)"
            new_id = self._store_workout(payload)
            schedule_id = None if day is None else self._schedule(new_id, day)
        return new_id, schedule_id

    def delete_directly(self, workout_id: int) -> None:
        """What the runner does when deleting a workout in the Garmin Connect app."""
        with self._lock:
            self._delete_workout(workout_id)

    # ---- request handling (called by the HTTP handler) --------------------------------------

    def _take_fault(self, method: str, path: str) -> Fault | None:
        if path.startswith("/sim-sso"):
            return None
        with self._lock:
            return take_fault(self._faults, method, path)

    def _log(self, method: str, path: str, status: int | None, fault: str | None) -> None:
        with self._lock:
            self.requests.append(Request(method, path, status, fault))

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> tuple[int, Any, dict]:
        """Route one request; returns (status, JSON body or None, headers). May raise Abort."""
        if self.latency_s:
            time.sleep(self.latency_s)
        split = urlsplit(target)
        path, query = split.path, parse_qs(split.query)
        fault = self._take_fault(method, path)
        if fault is not None and fault.kind == "status":
            self._log(method, path, fault.status, "status")
            extra = {}
            if fault.retry_after_s is not None:
                extra["Retry-After"] = str(fault.retry_after_s)
            return fault.status, {"message": HTTPStatus(fault.status).phrase}, extra
        if fault is not None and fault.kind in ("reset", "timeout"):
            self._log(method, path, None, fault.kind)
            if fault.kind == "timeout":
                self._sleep(fault.delay_s)
            raise Abort
        if fault is not None and fault.kind == "body":
            self._log(method, path, 200, "body")
            return 200, Raw(fault.body, fault.content_type), {}
        if fault is not None and fault.kind == "alter":
            body = _altered(body)
            fault = None  # done and answered as usual
        if fault is not None and fault.kind == "late":
            with self._lock:
                self._late_in_flight += 1
            try:
                self._sleep(fault.delay_s)  # the client has given up by now
                return self._late(method, path, query, headers, body)
            finally:
                with self._lock:
                    self._late_in_flight -= 1
        try:
            status, payload, extra = self._route(method, path, query, headers, body)
        except Reply as reply:
            status, payload, extra = reply.status, reply.body, reply.headers
        if fault is not None:  # lost / lost_timeout / late: done, but the answer never arrives
            self._log(method, path, status, fault.kind)
            if fault.kind == "lost_timeout":
                self._sleep(fault.delay_s)
            raise Abort
        self._log(method, path, status, None)
        return status, payload, extra

    def _late(
        self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes
    ) -> tuple[int, Any, dict]:
        try:
            status, _payload, _extra = self._route(method, path, query, headers, body)
        except Reply as reply:
            status = reply.status
        self._log(method, path, status, "late")
        raise Abort

    def late_in_flight(self) -> int:
        """Late writes held right now (they land when their delay is over)."""
        with self._lock:
            return self._late_in_flight

    def _authorise(self, headers: Any) -> None:
        auth = headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        with self._lock:
            expires = self._access.get(token)
        if expires is None or expires < time.time():
            raise Reply(401, {"message": "Unauthorized"})

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes
    ) -> tuple[int, Any, dict]:
        if path == "/sim-sso/login" and method == "POST":
            return self._sso_login(_json(body))
        if path == "/sim-sso/mfa" and method == "POST":
            return self._sso_mfa(_json(body))
        if path == "/di-oauth2-service/oauth/token" and method == "POST":
            return self._refresh_tokens(parse_qs(body.decode()))
        self._authorise(headers)
        with self._lock:
            if path == "/workout-service/workouts" and method == "GET":
                return 200, self._list(query), {}
            if path == "/workout-service/workout" and method == "POST":
                payload = _json(body)
                self._validate(payload)
                workout_id = self._store_workout(payload)
                return 200, copy.deepcopy(self._state.workouts[workout_id]), {}
            match = re.fullmatch(r"/workout-service/workout/(\d+)", path)
            if match:
                return self._workout(method, int(match[1]), body)
            match = re.fullmatch(r"/workout-service/schedule/(\d+)", path)
            if match:
                return self._schedule_route(method, int(match[1]), body)
            match = re.fullmatch(r"/calendar-service/year/(\d+)/month/(\d+)", path)
            if match and method == "GET":
                return 200, self._month(int(match[1]), int(match[2])), {}
            if path == "/activitylist-service/activities/search/activities" and method == "GET":
                return 200, self._activity_list(query), {}
            match = re.fullmatch(r"/activity-service/activity/(\d+)(/splits)?", path)
            if match and method == "GET":
                return 200, self._activity(int(match[1]), splits=bool(match[2])), {}
        raise Reply(404, {"message": f"no route for {method} {path}"})

    # ---- SSO and tokens ---------------------------------------------------------------------

    def _issue(self) -> dict[str, str]:
        return json.loads(self.token_json())

    def _sso_login(self, data: dict[str, Any]) -> tuple[int, Any, dict]:
        if self.login_rate_limited:
            return 429, {"message": "Too Many Requests"}, {}
        if (data.get("email"), data.get("password")) != (
            self.account.email,
            self.account.password,
        ):
            return 401, {"message": "Invalid username or password"}, {}
        if self.account.mfa_code is not None:
            session = secrets.token_hex(8)
            with self._lock:
                self._mfa_sessions[session] = self.account.email
            return 200, {"mfa_required": True, "session": session}, {}
        return 200, {"tokens": self._issue()}, {}

    def _sso_mfa(self, data: dict[str, Any]) -> tuple[int, Any, dict]:
        with self._lock:
            known = data.get("session") in self._mfa_sessions
        if not known or data.get("code") != self.account.mfa_code:
            return 401, {"message": "Invalid MFA code"}, {}
        with self._lock:
            del self._mfa_sessions[data["session"]]
        return 200, {"tokens": self._issue()}, {}

    def _refresh_tokens(self, form: dict[str, list[str]]) -> tuple[int, Any, dict]:
        grant = (form.get("grant_type") or [""])[0]
        token = (form.get("refresh_token") or [""])[0]
        with self._lock:
            if grant != "refresh_token" or token not in self._refresh:
                return 400, {"error": "invalid_grant"}, {}
            self._refresh.discard(token)  # rotates: the old refresh token is spent
        issued = self._issue()
        return (
            200,
            {
                "access_token": issued["di_token"],
                "refresh_token": issued["di_refresh_token"],
                "token_type": "Bearer",
                "expires_in": ACCESS_TTL_S,
            },
            {},
        )

    # ---- workouts ---------------------------------------------------------------------------

    def _now(self) -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.0")

    def _store_workout(self, payload: dict[str, Any], workout_id: int | None = None) -> int:
        stored = copy.deepcopy(payload)
        stored.pop("author", None)
        now = self._now()
        if workout_id is None:
            workout_id = next(self._ids)
            stored["createdDate"] = now
        else:
            stored["createdDate"] = self._state.workouts[workout_id]["createdDate"]
        stored["workoutId"] = workout_id
        stored["ownerId"] = self.owner_id
        stored["updatedDate"] = now
        step_ids = itertools.count(workout_id * 100)
        for segment in stored.get("workoutSegments", []):
            _stamp_steps(segment.get("workoutSteps", []), step_ids)
        self._state.workouts[workout_id] = stored
        return workout_id

    def _list(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        start = 0 if self.ignore_paging else int((query.get("start") or ["0"])[0])
        limit = int((query.get("limit") or ["100"])[0])
        summaries = [
            {
                "workoutId": w["workoutId"],
                "ownerId": w["ownerId"],
                "workoutName": w["workoutName"],
                "description": w.get("description"),
                "sportType": w.get("sportType"),
                "createdDate": w["createdDate"],
                "updateDate": w["updatedDate"],
                "estimatedDurationInSecs": w.get("estimatedDurationInSecs"),
            }
            for w in sorted(self._state.workouts.values(), key=lambda w: w["workoutId"])
        ]
        return summaries[start : start + limit]

    def _workout(self, method: str, workout_id: int, body: bytes) -> tuple[int, Any, dict]:
        if workout_id not in self._state.workouts:
            raise Reply(404, {"message": "Workout not found"})
        if method == "GET":
            return 200, copy.deepcopy(self._state.workouts[workout_id]), {}
        if method == "PUT":
            payload = _json(body)
            self._validate(payload)
            self._store_workout(payload, workout_id)
            if self.update_answers_body:
                return 200, copy.deepcopy(self._state.workouts[workout_id]), {}
            return 204, None, {}
        if method == "DELETE":
            self._delete_workout(workout_id)
            return 204, None, {}
        raise Reply(405, {"message": "Method not allowed"})

    def _delete_workout(self, workout_id: int) -> None:
        del self._state.workouts[workout_id]
        for sid in [s for s, v in self._state.schedules.items() if v["workoutId"] == workout_id]:
            del self._state.schedules[sid]

    def _validate(self, payload: Any) -> None:
        problem = garmin_validation_problem(payload)
        if problem:
            raise Reply(400, {"message": f"Invalid workout: {problem}"})

    # ---- calendar ---------------------------------------------------------------------------

    def _schedule(self, workout_id: int, day: date) -> int:
        schedule_id = next(self._schedule_ids)
        self._state.schedules[schedule_id] = {"workoutId": workout_id, "date": day.isoformat()}
        return schedule_id

    def _schedule_entry(self, schedule_id: int) -> dict[str, Any]:
        entry = self._state.schedules[schedule_id]
        workout = self._state.workouts[entry["workoutId"]]
        return {
            "workoutScheduleId": schedule_id,
            "calendarDate": entry["date"],
            "ownerId": self.owner_id,
            "workout": copy.deepcopy(workout),
        }

    def _schedule_route(self, method: str, some_id: int, body: bytes) -> tuple[int, Any, dict]:
        if method == "POST":  # some_id is a workout id
            if some_id not in self._state.workouts:
                raise Reply(404, {"message": "Workout not found"})
            try:
                day = date.fromisoformat(_json(body)["date"])
            except (KeyError, TypeError, ValueError):
                raise Reply(400, {"message": "Invalid date"}) from None
            schedule_id = self._schedule(some_id, day)
            return 200, self._schedule_entry(schedule_id), {}
        if some_id not in self._state.schedules:
            raise Reply(404, {"message": "Scheduled workout not found"})
        if method == "GET":
            return 200, self._schedule_entry(some_id), {}
        if method == "DELETE":
            del self._state.schedules[some_id]
            return 204, None, {}
        if method == "PUT":  # reschedule: the same entry on another day
            try:
                day = date.fromisoformat(_json(body)["calendarDate"])
            except (KeyError, TypeError, ValueError):
                raise Reply(400, {"message": "Invalid calendarDate"}) from None
            self._state.schedules[some_id]["date"] = day.isoformat()
            return 200, self._schedule_entry(some_id), {}
        raise Reply(405, {"message": "Method not allowed"})

    def _month(self, year: int, month0: int) -> dict[str, Any]:
        if not 0 <= month0 <= 11:
            raise Reply(400, {"message": "month must be 0-11"})
        month = month0 + 1
        first = date(year, month, 1)
        last = date(year, month, calmod.monthrange(year, month)[1])
        # The grid runs Sunday to Saturday, so it shows the ends of the neighbouring months.
        grid_start = first - timedelta(days=(first.weekday() + 1) % 7)
        grid_end = last + timedelta(days=(5 - last.weekday()) % 7)
        items: list[dict[str, Any]] = []
        for sid, entry in sorted(self._state.schedules.items()):
            day = date.fromisoformat(entry["date"])
            if grid_start <= day <= grid_end:
                workout = self._state.workouts[entry["workoutId"]]
                items.append(
                    {
                        "id": sid,
                        "itemType": "workout",
                        "workoutId": entry["workoutId"],
                        "date": entry["date"],
                        "title": workout["workoutName"],
                        "sportTypeKey": workout["sportType"]["sportTypeKey"],
                    }
                )
        for aid, activity in sorted(self._state.activities.items()):
            summary = activity["summary"]
            day = date.fromisoformat(str(summary.get("startTimeLocal"))[:10])
            if grid_start <= day <= grid_end:
                items.append(
                    {
                        "id": aid,
                        "itemType": "activity",
                        "activityId": aid,
                        "date": day.isoformat(),
                        "title": summary.get("activityName"),
                        "sportTypeKey": (summary.get("activityType") or {}).get("typeKey"),
                    }
                )
        return {
            "startDayOfMonth": grid_start.isoformat(),
            "numOfDaysInMonth": last.day,
            "year": year,
            "month": month0,
            "calendarItems": items,
        }

    def _activity_list(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        try:
            start = int(query.get("start", ["0"])[0])
            limit = int(query.get("limit", ["20"])[0])
            first = query.get("startDate", [None])[0]
            last = query.get("endDate", [None])[0]
            first_day = None if first is None else date.fromisoformat(first)
            last_day = None if last is None else date.fromisoformat(last)
        except ValueError:
            raise Reply(400, {"message": "Invalid start, limit, startDate or endDate"}) from None
        if start < 0 or not 1 <= limit <= 1000:
            raise Reply(400, {"message": "start must be >= 0 and limit 1..1000"})
        chosen = []
        for activity in self._state.activities.values():
            summary = activity["summary"]
            day = date.fromisoformat(str(summary.get("startTimeLocal"))[:10])
            if (first_day is None or day >= first_day) and (last_day is None or day <= last_day):
                chosen.append(summary)
        chosen.sort(key=lambda s: (str(s.get("startTimeLocal")), s["activityId"]), reverse=True)
        return copy.deepcopy(chosen[start : start + limit])

    def _activity(self, activity_id: int, *, splits: bool) -> dict[str, Any]:
        activity = self._state.activities.get(activity_id)
        if activity is None:
            raise Reply(404, {"message": "Activity not found"})
        summary = activity["summary"]
        if splits:
            return {"activityId": activity_id, "lapDTOs": copy.deepcopy(activity["laps"])}
        keys = (
            "startTimeLocal",
            "startTimeGMT",
            "distance",
            "duration",
            "movingDuration",
            "elapsedDuration",
            "elevationGain",
            "averageSpeed",
            "maxSpeed",
            "averageHR",
            "maxHR",
        )
        return {
            "activityId": activity_id,
            "activityName": summary.get("activityName"),
            "activityTypeDTO": copy.deepcopy(summary.get("activityType")),
            "eventTypeDTO": copy.deepcopy(summary.get("eventType")),
            "summaryDTO": {key: summary.get(key) for key in keys},
        }


def _stamp_steps(steps: list[dict[str, Any]], ids: itertools.count) -> None:
    for step in steps:
        step["stepId"] = next(ids)
        _stamp_steps(step.get("workoutSteps", []), ids)


def _altered(body: bytes) -> bytes:
    """``body`` (a workout) with its first step that has an end value 1.5 times as long."""
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        return body

    def stretch(steps: Any) -> bool:
        for step in steps if isinstance(steps, list) else ():
            if not isinstance(step, dict):
                continue
            if isinstance(step.get("endConditionValue"), int | float):
                step["endConditionValue"] = step["endConditionValue"] * 1.5
                return True
            if stretch(step.get("workoutSteps")):
                return True
        return False

    segments = payload.get("workoutSegments") if isinstance(payload, dict) else None
    for segment in segments if isinstance(segments, list) else ():
        if isinstance(segment, dict) and stretch(segment.get("workoutSteps")):
            break
    return json.dumps(payload).encode()


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise Reply(400, {"message": "Malformed JSON"}) from None


def garmin_validation_problem(payload: Any) -> str | None:
    """What a strict Garmin would refuse in ``payload`` (None when acceptable)."""
    if not isinstance(payload, dict):
        return "not a JSON object"
    if not str(payload.get("workoutName") or "").strip():
        return "workoutName is required"
    if len(payload["workoutName"]) > 256:
        return "workoutName longer than 256 characters"
    sport = (payload.get("sportType") or {}).get("sportTypeId")
    if sport not in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11):
        return "unknown sportTypeId"
    segments = payload.get("workoutSegments")
    if not isinstance(segments, list) or not segments:
        return "workoutSegments is required"
    orders: list[int] = []

    def check(steps: Any) -> str | None:
        if not isinstance(steps, list) or not steps:
            return "empty workoutSteps"
        for step in steps:
            if not isinstance(step, dict):
                return "a step is not an object"
            orders.append(step.get("stepOrder"))
            if step.get("type") == "RepeatGroupDTO":
                # Garmin silently turns such a group into a heart-rate step; refuse it instead.
                if not isinstance(step.get("numberOfIterations"), int):
                    return "repeat group without numberOfIterations"
                if (step.get("endCondition") or {}).get("conditionTypeId") != 7:
                    return "repeat group without the iterations end condition"
                problem = check(step.get("workoutSteps"))
                if problem:
                    return problem
            elif step.get("type") == "ExecutableStepDTO":
                if not (step.get("stepType") or {}).get("stepTypeId"):
                    return "step without stepType"
                condition = (step.get("endCondition") or {}).get("conditionTypeId")
                if not condition:
                    return "step without endCondition"
                if condition != 1 and not step.get("endConditionValue"):
                    return "step without endConditionValue"
                target = (step.get("targetType") or {}).get("workoutTargetTypeId")
                if target == 6 and not (step.get("targetValueOne") and step.get("targetValueTwo")):
                    return "pace target without values"
            else:
                return f"unknown step type {step.get('type')!r}"
        return None

    for segment in segments:
        problem = check(segment.get("workoutSteps") if isinstance(segment, dict) else None)
        if problem:
            return problem
    if len(set(orders)) != len(orders):
        return "duplicate stepOrder"
    return None


GarminSim.handler = JsonHandler
