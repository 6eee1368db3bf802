"""The intervals.icu HTTP client: basic auth with the API key, a normal User-Agent, timeouts,
request counting, and the one place its answers are mapped to our errors.

intervals.icu's public API (``https://intervals.icu/api/v1``, documented at
intervals.icu/api-docs.html and in the forum threads "API access to Intervals.icu" and
"Uploading planned workouts to Intervals.icu"):

* **Auth**: HTTP basic auth with the user name ``API_KEY`` and the runner's personal API key
  (Settings → Developer Settings) as the password. The athlete id is ``i`` and digits (``0``
  means "the key's owner").
* **User-Agent**: its Cloudflare front refuses Python's default User-Agents with a 403, so every
  request says :data:`USER_AGENT`.

Errors, for every call: 401 and 403 → :class:`~ampt_sync.errors.AuthError` (a wrong key, or a
refused request: only the runner can fix it), 404 → :class:`NotFound` (an athlete id the key may
not see), 429 → :class:`~ampt_sync.errors.RateLimited` with the time ``Retry-After`` names (else
:data:`DEFAULT_RETRY_AFTER_S`), 5xx, timeouts and connection failures →
:class:`~ampt_sync.errors.RemoteUnavailable` (for a write: the outcome is unknown), any other
answer we cannot use (another 4xx, a body that is not the JSON documented) →
:class:`~ampt_sync.errors.RemoteError`. No call is retried here: the push decides, after reading.

The key is registered with :func:`ampt_sync.logs.register_secret` as soon as the client holds it,
and no message here ever contains it or the ``Authorization`` header.

The client knows nothing of workouts or plans: :meth:`IntervalsClient.get_json` reads any
documented path, which is how the activity source (:mod:`ampt_sync.intervals.activities`) uses it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from ampt_sync import __version__
from ampt_sync.errors import AuthError, ConfigError, RateLimited, RemoteError, RemoteUnavailable
from ampt_sync.logs import register_secret

#: The service's address; ``AMPT_SYNC_INTERVALS_URL`` overrides it (the simulator, tests).
DEFAULT_BASE_URL = "https://intervals.icu"
BASE_URL_ENV = "AMPT_SYNC_INTERVALS_URL"
API_PREFIX = "/api/v1"
#: What every request says it is (intervals.icu's front refuses Python's default User-Agents).
USER_AGENT = f"ampt-sync/{__version__} (+https://github.com/ampt-sync/ampt-sync)"
#: Seconds to connect and to wait for an answer.
TIMEOUT_S = 20.0
#: When a 429 names no ``Retry-After``: try again after this many seconds.
DEFAULT_RETRY_AFTER_S = 60
#: The basic-auth user name intervals.icu expects with a personal API key.
API_KEY_USER = "API_KEY"
#: An athlete id: ``i`` and digits as intervals.icu shows it, or digits (``0``: the key's owner).
ATHLETE_ID_RE = re.compile(r"^i?\d{1,12}$")

#: Called before every request with (method, path); may raise to stop (the cycle's stop guard).
BeforeRequest = Callable[[str, str], None]


class NotFound(RemoteError):
    """intervals.icu answered 404."""


def check_athlete_id(value: str) -> str:
    """``value`` stripped when it is an athlete id (``i12345``, or ``0``), else ConfigError."""
    athlete_id = value.strip()
    if not ATHLETE_ID_RE.match(athlete_id):
        raise ConfigError(
            f"intervals.icu athlete id: found {athlete_id!r}, expected 'i' and digits as shown "
            "on intervals.icu under Settings (e.g. i12345), or 0 for the key's owner"
        )
    return athlete_id


def check_api_key(value: str) -> str:
    """``value`` stripped when it looks like an API key (no spaces, 8 to 200 characters)."""
    key = value.strip()
    if not 8 <= len(key) <= 200 or any(c.isspace() for c in key):
        raise ConfigError(
            "intervals.icu API key: expected the key shown under Settings → Developer Settings "
            "(one word, at least 8 characters); paste it again"
        )
    return key


@dataclass
class ApiCalls:
    """Requests made by one client: ``reads`` are GETs; ``writes`` everything else."""

    reads: int = 0
    writes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def total(self) -> int:
        return self.reads + self.writes

    def count(self, method: str) -> None:
        with self._lock:
            if method == "GET":
                self.reads += 1
            else:
                self.writes += 1

    def as_dict(self) -> dict[str, int]:
        return {"reads": self.reads, "writes": self.writes, "total": self.total}


def base_url_from(environ: Mapping[str, str]) -> str:
    """``AMPT_SYNC_INTERVALS_URL`` when set (without a trailing slash), else the service."""
    url = (environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", url):
        raise ConfigError(f"{BASE_URL_ENV}: found {url!r}, expected an http:// or https:// URL")
    return url


class IntervalsClient:
    """One runner's intervals.icu API, over one ``requests.Session``. Close it (or use ``with``)."""

    def __init__(
        self,
        athlete_id: str,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout_s: float = TIMEOUT_S,
        before_request: BeforeRequest | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        register_secret(api_key)
        self.athlete_id = check_athlete_id(athlete_id)
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.before_request = before_request
        self.clock = clock
        self.calls = ApiCalls()
        self._http = requests.Session()
        self._http.auth = (API_KEY_USER, api_key)
        self._http.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> IntervalsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- the calls --------------------------------------------------------------------------

    def athlete_path(self, tail: str = "") -> str:
        return f"{API_PREFIX}/athlete/{self.athlete_id}{tail}"

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET ``path`` (below the base URL) and its JSON answer."""
        return self._request("GET", path, params=params)

    def athlete(self) -> dict[str, Any]:
        """The athlete's profile (``id``, ``name``, …): the cheapest read that proves the key."""
        answer = self.get_json(self.athlete_path())
        if not isinstance(answer, dict):
            raise RemoteError(_shape("read the athlete", answer, "an object"))
        return answer

    def events(
        self, oldest: str, newest: str, *, category: str | None = None
    ) -> list[dict[str, Any]]:
        """Calendar events with local dates ``oldest <= day <= newest`` (``YYYY-MM-DD``, both
        ends included, as documented), optionally of one ``category`` only."""
        params = {"oldest": oldest, "newest": newest}
        if category is not None:
            params["category"] = category
        answer = self.get_json(self.athlete_path("/events"), params)
        return _objects(answer, "read the calendar")

    def upsert_events(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``POST events/bulk?upsert=true``: create the events whose ``external_id`` is new,
        update the others in place. The answer: the events as stored."""
        answer = self._request(
            "POST",
            self.athlete_path("/events/bulk"),
            params={"upsert": "true"},
            json_body=events,
        )
        return _objects(answer, "write calendar events")

    def delete_events(self, refs: list[dict[str, Any]]) -> int:
        """``PUT events/bulk-delete`` with ``[{"external_id": …} | {"id": …}]``; how many went
        (the answer's ``eventsDeleted``; the count of refs when the answer does not say)."""
        answer = self._request("PUT", self.athlete_path("/events/bulk-delete"), json_body=refs)
        if isinstance(answer, dict) and isinstance(answer.get("eventsDeleted"), int):
            return int(answer["eventsDeleted"])
        return len(refs)

    # ---- one request ------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Any:
        what = f"{method} {path}"
        if self.before_request is not None:
            self.before_request(method, path)
        self.calls.count(method)
        try:
            response = self._http.request(
                method,
                self.base_url + path,
                params=params,
                json=json_body,
                timeout=self.timeout_s,
            )
        except requests.Timeout:
            raise RemoteUnavailable(
                f"intervals.icu did not answer {what} within {self.timeout_s:.0f} s; it is "
                "tried again later"
            ) from None
        except requests.RequestException as exc:
            raise RemoteUnavailable(
                f"cannot reach intervals.icu ({type(exc).__name__}) for {what}; check the "
                "network, it is tried again later"
            ) from None
        self._raise_for(response, what)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            raise RemoteError(
                f"intervals.icu answered {what} with something that is not JSON ({kind}); "
                "nothing more was sent, it is tried again at the next cycle"
            ) from None

    def _raise_for(self, response: requests.Response, what: str) -> None:
        status = response.status_code
        if status < 400:
            return
        if status == 401:
            raise AuthError(
                "intervals.icu refused the API key (401); copy it again from Settings → "
                "Developer Settings and run `ampt-sync auth intervals`"
            )
        if status == 403:
            raise AuthError(
                f"intervals.icu refused {what} (403): the key may not reach athlete "
                f"{self.athlete_id}, or its front refused the request; check the athlete id and "
                "key with `ampt-sync auth intervals`"
            )
        if status == 404:
            raise NotFound(
                f"intervals.icu has no {what} (404); is athlete id {self.athlete_id} right? "
                "Run `ampt-sync auth intervals` to check"
            )
        if status == 429:
            seconds = _retry_after_s(response.headers.get("Retry-After"))
            retry_at = self.clock() + timedelta(seconds=seconds)
            raise RateLimited(
                f"intervals.icu's rate limit was reached ({what}); next try after "
                f"{retry_at:%H:%M:%S} UTC",
                retry_at,
            )
        if status >= 500:
            raise RemoteUnavailable(
                f"intervals.icu failed on its side ({status}) for {what}; it is tried again later"
            )
        raise RemoteError(
            f"intervals.icu refused {what} ({status} {response.reason}); nothing more was sent"
        )


def _retry_after_s(value: str | None) -> int:
    """Seconds from a ``Retry-After`` header given in seconds (an HTTP date or nonsense counts
    as absent)."""
    if value is not None and value.strip().isdigit():
        return max(1, int(value.strip()))
    return DEFAULT_RETRY_AFTER_S


def _shape(what: str, answer: Any, expected: str) -> str:
    return (
        f"intervals.icu answered '{what}' with {type(answer).__name__} where {expected} belongs; "
        "nothing more was sent, it is tried again at the next cycle"
    )


def _objects(answer: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(answer, list):
        raise RemoteError(_shape(what, answer, "a list"))
    if not all(isinstance(item, dict) for item in answer):
        raise RemoteError(_shape(what, answer, "a list of objects"))
    return answer
