"""A simulated Strava, over HTTP on loopback, for tests and the offline demo.

It speaks the parts of Strava's API v3 that ampt-sync uses, as stravalib 2.6 calls them (paths
relative to ``https://www.strava.com``), so the real client library drives it::

    GET  /oauth/authorize            the consent "page": answers 302 to ``redirect_uri`` with
                                     ``code``, ``state`` and the granted ``scope`` (what the
                                     runner "ticks" is :attr:`StravaSim.consent`), or
                                     ``error=access_denied``
    POST /oauth/token                ``authorization_code`` (a code works once, for 10 minutes)
                                     and ``refresh_token`` (rotates: the old refresh token dies
                                     at once; a new access token only when the current one has
                                     an hour or less to live, as Strava documents)
    POST /oauth/deauthorize          revokes every token of the athlete
    GET  /api/v3/athlete             the DetailedAthlete
    GET  /api/v3/athlete/activities  SummaryActivities: ``before``, ``after`` (epoch s),
                                     ``page``, ``per_page`` (default 30, at most 200); oldest
                                     first when ``after`` is given alone, else newest first
    GET  /api/v3/activities/{id}     the DetailedActivity (laps, splits, best efforts), or 404

Errors have Strava's shapes: 400 ``AuthorizationCode``/``RefreshToken`` ``invalid`` (Strava's
form of OAuth's ``invalid_grant``), 400 ``Application client_id invalid``, 401
``Application client_secret invalid``, 401 ``access_token invalid`` for an expired or revoked
token, 401 ``activity:read_permission missing`` without the scope, 403 ``Application Status
Inactive`` for every request while :attr:`StravaSim.app_inactive` (the owner's subscription
lapsed), 429 ``Rate Limit Exceeded``.

Rate limits: every ``/api/`` answer carries ``X-RateLimit-*`` and ``X-ReadRateLimit-*``; usage
counts per 15-minute window (:00, :15, :30, :45) and per UTC day on the sim's clock, and a request
over a limit is answered 429 (and still counted, like Strava).

State is in memory and controllable: activities (:meth:`add_activities`, :meth:`edit_activity`,
:meth:`delete_activity`, :meth:`add_raw`), the clock (:meth:`advance`), tokens
(:meth:`issue_tokens`, :meth:`expire_access_tokens`), usage (:meth:`set_usage`), faults on demand
(:meth:`fail`: an HTTP status, a timeout, a truncated or a non-JSON body). Every request is logged
(:attr:`requests`, :meth:`count`) for request-budget assertions; the log holds paths and query
parameters, never bodies or headers.

Usage::

    with StravaSim() as sim:                     # 127.0.0.1, a free port
        sim.add_activities(synthetic_history(end=date.today(), days=120, seed=7))
        environ["AMPT_SYNC_STRAVA_URL"] = sim.base_url
        # client id SIM_CLIENT_ID, client secret SIM_CLIENT_SECRET
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from ampt_sync.sim.runner import SIM_ATHLETE_ID, summary_view
from ampt_sync.sim.server import LoopbackSim, SimHandler

SIM_CLIENT_ID = 4242
SIM_CLIENT_SECRET = "sim-client-secret-0123456789abcdef01234567"  # noqa: S105 - a fake's fixed secret
ACCESS_TTL_S = 6 * 3600
CODE_TTL_S = 600
FAULT_KINDS = ("status", "timeout", "truncated", "not_json")

_ACTIVITY_PATH = re.compile(r"^/api/v3/activities/(\d+)$")


def _error(message: str, resource: str, field_name: str, code: str) -> dict[str, Any]:
    return {
        "message": message,
        "errors": [{"resource": resource, "field": field_name, "code": code}],
    }


@dataclass
class Fault:
    """An answer to give instead of the real one, ``times`` times, to requests whose path starts
    with ``path`` (and whose method is ``method``, when given)."""

    kind: str
    path: str = "/api/"
    method: str | None = None
    times: int = 1
    status: int = 503
    delay_s: float = 2.0
    after: int = 0  # matching requests to let through first


@dataclass(frozen=True)
class Request:
    """One request as the sim saw it: no body, no headers."""

    method: str
    path: str
    query: Mapping[str, str]
    status: int


@dataclass
class Consent:
    """What the runner does on the consent page: approve with ``scope`` ticked, or decline."""

    approve: bool = True
    scope: str = "read,activity:read_all"


@dataclass
class _Token:
    value: str
    scope: str
    expires_at: float
    revoked: bool = False


@dataclass
class _Usage:
    short: int = 0
    daily: int = 0
    window: int = -1  # index of the 15-minute window the counts belong to
    day: int = -1


@dataclass
class _Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


class StravaSim(LoopbackSim):
    """The simulated Strava. See the module docstring for what it serves."""

    def __init__(
        self,
        *,
        client_id: int = SIM_CLIENT_ID,
        client_secret: str = SIM_CLIENT_SECRET,
        athlete_id: int = SIM_ATHLETE_ID,
        read_limits: tuple[int, int] = (100, 1000),
        overall_limits: tuple[int, int] = (200, 2000),
        rotate_refresh_tokens: bool = True,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.athlete_id = athlete_id
        self.read_limits = read_limits
        self.overall_limits = overall_limits
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.consent = Consent()
        self.app_inactive = False
        #: Seconds every answer waits (a network's round trip), for benchmarks and stop tests.
        self.latency_s = 0.0
        self.requests: list[Request] = []
        self._lock = threading.RLock()
        self._offset_s = 0.0
        self._activities: dict[int, dict[str, Any]] = {}
        self._codes: dict[str, tuple[str, float]] = {}  # code -> (scope, issued_at)
        self._used_codes: set[str] = set()
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}
        self._current_access: str | None = None
        self._read_usage = _Usage()
        self._overall_usage = _Usage()
        self._faults: list[Fault] = []

    # ---- the clock -----------------------------------------------------------------------------

    def now(self) -> float:
        """The sim's time, epoch seconds: real time plus what :meth:`advance` added."""
        return time.time() + self._offset_s

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset_s += seconds

    def set_time_of_day(self, seconds_after_midnight_utc: float) -> None:
        """Move the clock to that time of the current UTC day (forwards or back).

        A test that counts windows pins the clock first, so that stepping a window on does
        not cross UTC midnight and reset the daily count when the suite happens to run at 23:45.
        """
        with self._lock:
            now = time.time() + self._offset_s
            self._offset_s += seconds_after_midnight_utc - now % 86400

    # ---- activities ----------------------------------------------------------------------------

    def add_activities(self, activities: Iterable[Mapping[str, Any]]) -> None:
        """Add (or replace, by id) DetailedActivity JSON, e.g. from ``synthetic_history``."""
        with self._lock:
            for activity in activities:
                self._activities[int(activity["id"])] = copy.deepcopy(dict(activity))

    def add_raw(self, activity_id: int, raw: Any) -> None:
        """Serve ``raw`` verbatim, in the list and at ``/activities/{id}``, malformed or not."""
        with self._lock:
            self._activities[activity_id] = {"__raw__": copy.deepcopy(raw)}

    def edit_activity(self, activity_id: int, **changes: Any) -> dict[str, Any]:
        """Change fields of a stored activity (e.g. ``name=``, ``sport_type=``, ``distance=``)."""
        with self._lock:
            activity = self._activities[activity_id]
            activity.update(changes)
            if "sport_type" in changes and "type" not in changes:
                activity["type"] = changes["sport_type"]
            return copy.deepcopy(activity)

    def delete_activity(self, activity_id: int) -> None:
        with self._lock:
            del self._activities[activity_id]

    def activity(self, activity_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._activities[activity_id])

    @property
    def activity_ids(self) -> list[int]:
        with self._lock:
            return sorted(self._activities)

    # ---- tokens --------------------------------------------------------------------------------

    def authorize(self, scope: str | None = None) -> str:
        """A fresh one-time code, as if the runner approved ``scope`` (default: the consent)."""
        with self._lock:
            code = secrets.token_hex(20)
            self._codes[code] = (scope or self.consent.scope, self.now())
            return code

    def issue_tokens(self, scope: str = "read,activity:read_all") -> dict[str, Any]:
        """Tokens as an exchange would give them, without the browser dance."""
        with self._lock:
            return self._new_grant(scope)

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now (as if six hours had passed for it)."""
        with self._lock:
            for token in self._access.values():
                token.expires_at = min(token.expires_at, self.now() - 1)

    def revoke_all(self) -> None:
        with self._lock:
            for token in (*self._access.values(), *self._refresh.values()):
                token.revoked = True

    def issued_values(self) -> set[str]:
        """Every code, access token and refresh token this sim ever handed out (for tests that
        check none of them leaks into logs or files)."""
        with self._lock:
            return {*self._codes, *self._used_codes, *self._access, *self._refresh}

    @property
    def live_refresh_tokens(self) -> list[str]:
        with self._lock:
            return [t.value for t in self._refresh.values() if not t.revoked]

    def _new_grant(self, scope: str) -> dict[str, Any]:
        now = self.now()
        access = _Token("sim-at-" + secrets.token_hex(20), scope, now + ACCESS_TTL_S)
        refresh = _Token("sim-rt-" + secrets.token_hex(20), scope, float("inf"))
        self._access[access.value] = access
        self._refresh[refresh.value] = refresh
        self._current_access = access.value
        return {
            "token_type": "Bearer",
            "expires_at": int(access.expires_at),
            "expires_in": ACCESS_TTL_S,
            "refresh_token": refresh.value,
            "access_token": access.value,
        }

    # ---- rate limits ---------------------------------------------------------------------------

    def set_usage(self, short: int, daily: int | None = None) -> None:
        """Set the read and overall usage of the current windows (e.g. to the limit minus one)."""
        with self._lock:
            now = self.now()
            for usage in (self._read_usage, self._overall_usage):
                usage.window, usage.day = int(now // 900), int(now // 86400)
                usage.short = short
                usage.daily = short if daily is None else daily

    def _count(self, method: str) -> tuple[bool, dict[str, str]]:
        """Count one API request; (over a limit?, the rate-limit headers)."""
        now = self.now()
        over = False
        pairs = [(self._overall_usage, self.overall_limits)]
        if method == "GET":
            pairs.append((self._read_usage, self.read_limits))
        for usage, (short_limit, daily_limit) in pairs:
            window, day = int(now // 900), int(now // 86400)
            if usage.day != day:
                usage.daily, usage.day = 0, day
            if usage.window != window:
                usage.short, usage.window = 0, window
            usage.short += 1
            usage.daily += 1
            over = over or usage.short > short_limit or usage.daily > daily_limit
        return over, self._rate_headers()

    def _rate_headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": f"{self.overall_limits[0]},{self.overall_limits[1]}",
            "X-RateLimit-Usage": f"{self._overall_usage.short},{self._overall_usage.daily}",
            "X-ReadRateLimit-Limit": f"{self.read_limits[0]},{self.read_limits[1]}",
            "X-ReadRateLimit-Usage": f"{self._read_usage.short},{self._read_usage.daily}",
        }

    # ---- faults and the request log ------------------------------------------------------------

    def fail(
        self,
        kind: str = "status",
        *,
        status: int = 503,
        path: str = "/api/",
        method: str | None = None,
        times: int = 1,
        delay_s: float = 2.0,
        after: int = 0,
    ) -> None:
        """Answer ``times`` matching requests, after letting ``after`` of them through, with a
        fault instead: ``status`` (e.g. 429, 500, 503), ``timeout`` (answer after ``delay_s``),
        ``truncated`` (the JSON cut in half, with a consistent Content-Length), ``not_json``
        (an HTML error page, 200)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {FAULT_KINDS}")
        with self._lock:
            self._faults.append(Fault(kind, path, method, times, status, delay_s, after))

    def count(self, path: str = "/api/", method: str | None = None) -> int:
        """Requests whose path starts with ``path`` (and whose method is ``method``)."""
        with self._lock:
            return sum(
                1
                for r in self.requests
                if r.path.startswith(path) and (method is None or r.method == method)
            )

    def count_exact(self, path: str, method: str = "GET") -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path and r.method == method)

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if path.startswith(fault.path) and fault.method in (None, method):
                if fault.after > 0:
                    fault.after -= 1
                    return None
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ---- handling ------------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: dict[str, str], form: dict[str, str], auth: str
    ) -> tuple[_Reply, Fault | None]:
        if self.latency_s:
            time.sleep(self.latency_s)
        with self._lock:
            fault = self._take_fault(method, path)
            reply = self._dispatch(method, path, query, form, auth, fault)
            self.requests.append(Request(method, path, dict(query), reply.status))
            return reply, fault

    def _dispatch(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        form: dict[str, str],
        auth: str,
        fault: Fault | None,
    ) -> _Reply:
        if self.app_inactive:
            return _Reply(403, _error("Forbidden", "Application", "Status", "Inactive"))
        if path.startswith("/oauth/"):
            if fault is not None and fault.kind == "status":
                return _Reply(fault.status, {"message": "Error"})
            return self._oauth(method, path, query, form, auth)
        if not path.startswith("/api/v3/"):
            return _Reply(404, _error("Record Not Found", "Resource", "path", "invalid"))
        over, headers = self._count(method)
        if fault is not None and fault.kind == "status":
            if fault.status == 429:
                return _Reply(429, self._rate_limited(), headers)
            return _Reply(fault.status, {"message": "Internal Server Error"}, headers)
        if over:
            return _Reply(429, self._rate_limited(), headers)
        reply = self._api(method, path, query, auth)
        reply.headers.update(headers)
        return reply

    @staticmethod
    def _rate_limited() -> dict[str, Any]:
        return _error("Rate Limit Exceeded", "Application", "rate limit", "exceeded")

    def _oauth(
        self, method: str, path: str, query: dict[str, str], form: dict[str, str], auth: str
    ) -> _Reply:
        params = {**query, **form}
        if path == "/oauth/authorize" and method == "GET":
            return self._authorize_page(params)
        if path == "/oauth/token" and method == "POST":
            return self._token(params)
        if path == "/oauth/deauthorize" and method == "POST":
            token = auth or params.get("access_token", "")
            record = self._access.get(token)
            if record is None or record.revoked or record.expires_at <= self.now():
                return _Reply(
                    401, _error("Authorization Error", "Athlete", "access_token", "invalid")
                )
            self.revoke_all()
            return _Reply(200, {"access_token": token})
        return _Reply(404, _error("Record Not Found", "Resource", "path", "invalid"))

    def _authorize_page(self, params: dict[str, str]) -> _Reply:
        if params.get("client_id") != str(self.client_id):
            return _Reply(400, _error("Bad Request", "Application", "client_id", "invalid"))
        redirect = params.get("redirect_uri", "")
        host = urlsplit(redirect).hostname
        if host not in ("localhost", "127.0.0.1"):
            return _Reply(400, _error("Bad Request", "Application", "redirect_uri", "invalid"))
        answer: dict[str, str] = {"state": params.get("state", "")}
        if self.consent.approve:
            answer["code"] = self.authorize(self.consent.scope)
            answer["scope"] = self.consent.scope
        else:
            answer["error"] = "access_denied"
        location = redirect + ("&" if "?" in redirect else "?") + urlencode(answer)
        return _Reply(302, {"message": "Found"}, {"Location": location})

    def _token(self, params: dict[str, str]) -> _Reply:
        if params.get("client_id") != str(self.client_id):
            return _Reply(400, _error("Bad Request", "Application", "client_id", "invalid"))
        if not secrets.compare_digest(params.get("client_secret", ""), self.client_secret):
            return _Reply(
                401, _error("Authorization Error", "Application", "client_secret", "invalid")
            )
        grant = params.get("grant_type")
        if grant == "authorization_code":
            code = params.get("code", "")
            issued = self._codes.pop(code, None)
            if issued is None or code in self._used_codes or self.now() - issued[1] > CODE_TTL_S:
                return _Reply(400, _error("Bad Request", "AuthorizationCode", "code", "invalid"))
            self._used_codes.add(code)
            body = self._new_grant(issued[0])
            body["athlete"] = self._summary_athlete()
            return _Reply(200, body)
        if grant == "refresh_token":
            record = self._refresh.get(params.get("refresh_token", ""))
            if record is None or record.revoked:
                return _Reply(
                    400, _error("Bad Request", "RefreshToken", "refresh_token", "invalid")
                )
            current = self._access.get(self._current_access or "")
            now = self.now()
            if current is not None and not current.revoked and current.expires_at - now > 3600:
                access = current  # Strava returns the same access token until its last hour
            else:
                access = _Token("sim-at-" + secrets.token_hex(20), record.scope, now + ACCESS_TTL_S)
                self._access[access.value] = access
                self._current_access = access.value
            refresh = record
            if self.rotate_refresh_tokens:
                record.revoked = True  # the old refresh token dies at once
                refresh = _Token("sim-rt-" + secrets.token_hex(20), record.scope, float("inf"))
                self._refresh[refresh.value] = refresh
            return _Reply(
                200,
                {
                    "token_type": "Bearer",
                    "access_token": access.value,
                    "expires_at": int(access.expires_at),
                    "expires_in": int(access.expires_at - now),
                    "refresh_token": refresh.value,
                },
            )
        return _Reply(400, _error("Bad Request", "Application", "grant_type", "invalid"))

    def _api(self, method: str, path: str, query: dict[str, str], auth: str) -> _Reply:
        token = self._access.get(auth)
        if token is None or token.revoked or token.expires_at <= self.now():
            return _Reply(401, _error("Authorization Error", "Athlete", "access_token", "invalid"))
        if method != "GET":
            return _Reply(405, {"message": "Method Not Allowed"})
        if path == "/api/v3/athlete":
            return _Reply(200, self._detailed_athlete())
        scopes = set(token.scope.split(","))
        if not scopes & {"activity:read", "activity:read_all"}:
            return _Reply(
                401,
                _error("Authorization Error", "AccessToken", "activity:read_permission", "missing"),
            )
        if path == "/api/v3/athlete/activities":
            return self._list(query)
        match = _ACTIVITY_PATH.match(path)
        if match:
            activity = self._activities.get(int(match.group(1)))
            if activity is None:
                return _Reply(404, _error("Record Not Found", "Activity", "id", "invalid"))
            return _Reply(200, activity.get("__raw__", activity))
        return _Reply(404, _error("Record Not Found", "Resource", "path", "invalid"))

    def _list(self, query: dict[str, str]) -> _Reply:
        try:
            before = int(query["before"]) if "before" in query else None
            after = int(query["after"]) if "after" in query else None
            page = int(query.get("page", "1"))
            per_page = min(200, int(query.get("per_page", "30")))
        except ValueError:
            return _Reply(400, _error("Bad Request", "Application", "query", "invalid"))
        if page < 1 or per_page < 1:
            return _Reply(400, _error("Bad Request", "Application", "page", "invalid"))
        selected: list[tuple[float, int, Any]] = []
        for activity_id, activity in self._activities.items():
            if "__raw__" in activity:
                raw = activity["__raw__"]
                start = _start_epoch(raw) if isinstance(raw, dict) else None
                start = self.now() - 3600 if start is None else start
                item = raw
            else:
                start = _start_epoch(activity) or 0.0
                item = summary_view(activity)
            if (before is None or start < before) and (after is None or start > after):
                selected.append((start, activity_id, item))
        ascending = after is not None and before is None
        selected.sort(key=lambda entry: (entry[0], entry[1]), reverse=not ascending)
        chunk = selected[(page - 1) * per_page : page * per_page]
        return _Reply(200, [copy.deepcopy(item) for _, _, item in chunk])

    def _summary_athlete(self) -> dict[str, Any]:
        return {
            "id": self.athlete_id,
            "username": "sim_runner",
            "resource_state": 2,
            "firstname": "Sam",
            "lastname": "Simulated",
            "city": "New York",
            "state": "NY",
            "country": "United States",
            "sex": "F",
            "premium": True,
            "summit": True,
            "created_at": "2019-03-01T12:00:00Z",
            "updated_at": "2026-10-01T12:00:00Z",
            "badge_type_id": 1,
            "profile_medium": "avatar/athlete/medium.png",
            "profile": "avatar/athlete/large.png",
            "friend": None,
            "follower": None,
        }

    def _detailed_athlete(self) -> dict[str, Any]:
        return {
            **self._summary_athlete(),
            "resource_state": 3,
            "follower_count": 12,
            "friend_count": 10,
            "mutual_friend_count": 0,
            "athlete_type": "runner",
            "date_preference": "%m/%d/%Y",
            "measurement_preference": "meters",
            "clubs": [],
            "ftp": None,
            "weight": 61.0,
            "bikes": [],
            "shoes": [
                {
                    "id": "g12345678",
                    "primary": True,
                    "name": "Pegasus 41",
                    "resource_state": 2,
                    "distance": 812345.0,
                }
            ],
        }


def _start_epoch(activity: Mapping[str, Any]) -> float | None:
    try:
        return (
            datetime.fromisoformat(str(activity["start_date"]).replace("Z", "+00:00"))
            .astimezone(UTC)
            .timestamp()
        )
    except (KeyError, ValueError):
        return None


class _Handler(SimHandler):
    sim: StravaSim

    def _serve(self) -> None:
        split = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        form: dict[str, str] = {}
        if raw_body and "json" not in (self.headers.get("Content-Type") or ""):
            form = {
                k: v[0]
                for k, v in parse_qs(
                    raw_body.decode("utf-8", "replace"), keep_blank_values=True
                ).items()
            }
        auth = self.headers.get("Authorization") or ""
        auth = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        reply, fault = self.sim.handle(self.command, split.path, query, form, auth)
        if fault is not None and fault.kind == "timeout":
            time.sleep(fault.delay_s)
        data = b"" if reply.body is None else json.dumps(reply.body).encode()
        content_type = "application/json; charset=utf-8"
        if fault is not None and fault.kind == "truncated" and reply.status == 200:
            data = data[: max(1, len(data) // 2)]
        elif fault is not None and fault.kind == "not_json" and reply.status == 200:
            data = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            content_type = "text/html"
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up (a timeout fault)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


StravaSim.handler = _Handler
