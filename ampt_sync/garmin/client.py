"""A garminconnect client built from stored tokens, and the one place Garmin errors are mapped.

:func:`open_garmin` is the only way ampt-sync gets a ``garminconnect.Garmin``:

* Tokens come from the token store (``GARMIN_TOKENS``) through ``client.loads()``: no credential
  login and no profile round trips, ever. The token store's cross-process lock is held for the
  whole session, because a refresh rotates the refresh token and two processes refreshing at once
  would lock each other out.
* Rotated tokens are written back to the store **before they are used**: every request first
  checks whether ``client.dumps()`` changed since the last save and, if so, saves it (a failed
  save raises and the request is not sent). garminconnect's own persistence hook is pointed at the
  store too, and the tokens are saved once more when the session ends.
* ``AMPT_SYNC_GARMIN_URL`` (default :data:`DEFAULT_BASE_URL`) points the API calls **and the token
  refresh** (``<base>/di-oauth2-service/oauth/token``) at another server, such as
  :mod:`ampt_sync.sim.garmin`. This sets two private attributes of garminconnect 0.3.20
  (``_connectapi``, ``_di_token_url``); the version is pinned and :func:`open_garmin` checks that
  they still exist.
* Every HTTP request has a timeout of at most :data:`MAX_TIMEOUT_S` seconds and is counted
  (:class:`ApiCalls`: reads, writes, token refreshes) for the run report.
* **At most one token refresh per session**, made up front by :func:`open_garmin` when the access
  token has less than garminconnect's 15 minutes left (:func:`refresh_once`). garminconnect on its
  own retries a failed refresh before every request (30 times in one push, on an endpoint behind
  Cloudflare); here a refused refresh raises :class:`~ampt_sync.errors.ReloginNeeded` at once,
  while the access token still works, and a failed or lost one
  :class:`~ampt_sync.errors.RemoteUnavailable` (the next cycle tries once more). Any later
  attempt in the same session is refused before it is sent.
* When Garmin refuses the tokens, :class:`~ampt_sync.errors.ReloginNeeded` is raised and the
  "re-login needed" state is recorded in the store (:func:`relogin_needed` reads it); only
  ``ampt-sync auth garmin`` clears it.

:func:`translate` maps every foreign exception (garminconnect's, requests') to our hierarchy, in
this one place: 429 → :class:`~ampt_sync.errors.RateLimited`, 401 →
:class:`~ampt_sync.errors.ReloginNeeded`, 404 → :class:`NotFound`, 5xx / timeout / connection
failure → :class:`~ampt_sync.errors.RemoteUnavailable` (for a write: the outcome is unknown), other
4xx → :class:`~ampt_sync.errors.RemoteError`. Only reads are retried, by garminconnect itself
(``read_retries``); writes never are.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from ampt_sync.errors import (
    AmptSyncError,
    RateLimited,
    ReloginNeeded,
    RemoteError,
    RemoteUnavailable,
)
from ampt_sync.logs import redact, register_secret

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from garminconnect import Garmin

    from ampt_sync.store.db import Store

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://connectapi.garmin.com"
ENV_BASE_URL = "AMPT_SYNC_GARMIN_URL"
#: Longest we wait for any Garmin answer.
MAX_TIMEOUT_S = 8.0
#: When Garmin sends a 429 without Retry-After, the job tries again this much later.
DEFAULT_RETRY_AFTER = timedelta(hours=1)
#: The token refresh path under a base URL other than Garmin's.
REFRESH_PATH = "/di-oauth2-service/oauth/token"


class NotFound(RemoteError):
    """Garmin has no such workout or calendar entry (HTTP 404)."""


class Malformed(RemoteError):
    """Garmin answered, but not with the JSON its API documents (an HTML page, a truncated or
    empty body, the wrong shape). Use :func:`malformed` to make one."""


def malformed(what: str, detail: str) -> Malformed:
    """The one wording for an answer we cannot use: ``what`` names the call, ``detail`` what
    was wrong with it (never the body itself: it may hold account data)."""
    return Malformed(
        f"Garmin answered with something that is not the JSON it documents ({what}: {detail}); "
        "nothing was changed for it, and it is tried again at the next cycle"
    )


class TokenStoreLike(Protocol):
    """What :func:`open_garmin` needs of :class:`ampt_sync.secrets.TokenStore`."""

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def locked(self) -> AbstractContextManager[None]: ...


# --------------------------------------------------------------------------------------------
# Settings


def base_url(environ: Mapping[str, str] = os.environ, override: str | None = None) -> str:
    """The Garmin API base URL: ``override``, else ``$AMPT_SYNC_GARMIN_URL``, else Garmin's."""
    url = (override or environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        from ampt_sync.errors import ConfigError

        raise ConfigError(
            f"${ENV_BASE_URL}: found {url!r}, expected an http(s) URL such as {DEFAULT_BASE_URL}"
        )
    return url


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def write_interval_s(configured_s: float, url: str) -> float:
    """Seconds between writes: ``configured_s`` against Garmin, 0 against a loopback simulator."""
    return 0.0 if is_loopback(url) else configured_s


# --------------------------------------------------------------------------------------------
# Counting


@dataclass
class ApiCalls:
    """HTTP requests made by one session. ``reads`` are GETs; ``writes`` everything else."""

    reads: int = 0
    writes: int = 0
    token_refreshes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def total(self) -> int:
        return self.reads + self.writes + self.token_refreshes

    def as_dict(self) -> dict[str, int]:
        return {
            "reads": self.reads,
            "writes": self.writes,
            "token_refreshes": self.token_refreshes,
            "total": self.total,
        }

    def count(self, method: str) -> None:
        with self._lock:
            if method.upper() in ("GET", "HEAD"):
                self.reads += 1
            else:
                self.writes += 1


#: Called around every API request: ``hook(method, url, "before" | "after")``. A test seam (the
#: fault-injection tests stop a push there as if the process were killed).
RequestHook = Callable[[str, str, str], None]


def _clamp(timeout: Any, limit: float) -> Any:
    if timeout is None:
        return limit
    if isinstance(timeout, tuple):
        return tuple(limit if t is None else min(t, limit) for t in timeout)
    return min(timeout, limit)


def _counting_adapter(session: GarminSession) -> Any:
    from requests.adapters import HTTPAdapter

    class CountingAdapter(HTTPAdapter):
        """Saves rotated tokens before they are used, caps the timeout, counts the request."""

        def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            session.save_tokens()
            method = request.method or "GET"
            if session.on_request is not None:
                session.on_request(method, request.url, "before")
            kwargs["timeout"] = _clamp(kwargs.get("timeout"), session.timeout_s)
            session.calls.count(method)
            response = super().send(request, **kwargs)
            if session.on_request is not None:
                session.on_request(method, request.url, "after")
            return response

    return CountingAdapter()


# --------------------------------------------------------------------------------------------
# The session


@dataclass
class GarminSession:
    """An authenticated garminconnect client plus its bookkeeping. Use :func:`open_garmin`."""

    api: Garmin
    token_store: TokenStoreLike
    base_url: str
    timeout_s: float
    calls: ApiCalls = field(default_factory=ApiCalls)
    on_request: RequestHook | None = None
    _saved: str = ""
    #: Set once a token refresh was sent in this session: no second one is.
    refresh_attempted: bool = False

    def save_tokens(self) -> None:
        """Write the client's tokens to the store if they changed since the last save."""
        from ampt_sync.secrets import GARMIN_TOKENS

        current = self.api.client.dumps()
        if current != self._saved and self.api.client.di_token:
            for value in (self.api.client.di_token, self.api.client.di_refresh_token):
                register_secret(value)
            self.token_store.set(GARMIN_TOKENS, current)
            self._saved = current
            log.info("stored Garmin's rotated tokens")


_PRIVATE_ATTRIBUTES = (
    "_connectapi",
    "_di_token_url",
    "_api_session",
    "_http_post",
    "dumps",
    "_refresh_di_token",
    "_token_expires_soon",
)


def build_api(
    tokens_json: str,
    url: str,
    *,
    read_retries: int = 2,
    retry_wait_s: tuple[float, float] = (1.0, 6.0),
) -> Garmin:
    """A ``garminconnect.Garmin`` loaded from ``tokens_json`` and aimed at ``url``. No I/O."""
    from garminconnect import Garmin, GarminConnectConnectionError

    api = Garmin(
        retry_attempts=read_retries,
        retry_min_wait=retry_wait_s[0],
        retry_max_wait=retry_wait_s[1],
    )
    missing = [name for name in _PRIVATE_ATTRIBUTES if not hasattr(api.client, name)]
    if missing:
        raise RuntimeError(
            f"garminconnect changed: its client lacks {', '.join(missing)}; ampt-sync needs "
            "garminconnect==0.3.20 (reinstall ampt-sync)"
        )
    try:
        api.client.loads(tokens_json)
    except GarminConnectConnectionError:
        raise ReloginNeeded(
            "the stored Garmin tokens are damaged; run `ampt-sync auth garmin` to sign in again"
        ) from None
    for value in (api.client.di_token, api.client.di_refresh_token):
        register_secret(value)
    api.client._connectapi = url
    if url != DEFAULT_BASE_URL:
        api.client._di_token_url = url + REFRESH_PATH
    return api


@contextlib.contextmanager
def open_garmin(
    token_store: TokenStoreLike,
    *,
    store: Store | None = None,
    base_url_override: str | None = None,
    environ: Mapping[str, str] = os.environ,
    timeout_s: float = MAX_TIMEOUT_S,
    read_retries: int = 2,
    retry_wait_s: tuple[float, float] = (1.0, 6.0),
    on_request: RequestHook | None = None,
) -> Iterator[GarminSession]:
    """A :class:`GarminSession` from the stored tokens, for the length of the ``with`` block.

    Holds the token store's lock throughout (never nest it with another holder of that lock).
    Raises :class:`~ampt_sync.errors.ReloginNeeded` when no usable tokens are stored or Garmin
    refuses them; with ``store`` given, that is recorded as the "re-login needed" state.
    ``timeout_s`` is capped at :data:`MAX_TIMEOUT_S`.
    """
    from ampt_sync.secrets import GARMIN_TOKENS

    url = base_url(environ, base_url_override)
    try:
        with token_store.locked():
            text = token_store.get(GARMIN_TOKENS)
            if not text:
                raise ReloginNeeded(
                    "Garmin is not connected; run `ampt-sync auth garmin` to sign in once"
                )
            api = build_api(text, url, read_retries=read_retries, retry_wait_s=retry_wait_s)
            session = GarminSession(
                api=api,
                token_store=token_store,
                base_url=url,
                timeout_s=min(timeout_s, MAX_TIMEOUT_S),
                on_request=on_request,
                _saved=api.client.dumps(),
            )
            _instrument(session)
            if api.client.di_token and api.client._token_expires_soon():
                refresh_once(session)
            try:
                yield session
            finally:
                session.save_tokens()
    except ReloginNeeded as exc:
        if store is not None:
            record_relogin_needed(store, str(exc))
        raise


def _instrument(session: GarminSession) -> None:
    client = session.api.client
    adapter = _counting_adapter(session)
    client._api_session.mount("https://", adapter)
    client._api_session.mount("http://", adapter)
    # garminconnect persists a refresh only when it has a token path; give it one that writes to
    # our store. It swallows errors there, so the check before each request is what guarantees it.
    client._tokenstore_path = "ampt-sync token store"
    client.dump = lambda _path: session.save_tokens()
    original_post = client._http_post

    def refresh_post(url: str, **kwargs: Any) -> Any:
        with session.calls._lock:
            if session.refresh_attempted:
                # garminconnect swallows this and sends the request with the token it has; a
                # refused token then fails that request (401 → re-login needed) once.
                raise RefreshSpent("the token refresh was already tried in this session")
            session.refresh_attempted = True
            session.calls.token_refreshes += 1
        kwargs["timeout"] = min(kwargs.get("timeout") or MAX_TIMEOUT_S, session.timeout_s)
        return original_post(url, **kwargs)

    client._http_post = refresh_post


class RefreshSpent(RuntimeError):
    """A second token refresh in one session, refused before it is sent."""


_REFRESH_STATUS_RE = re.compile(r"refresh failed: (\d{3})")


def refresh_once(session: GarminSession) -> None:
    """Renew the access token now, once, and store the rotated tokens before anything uses them.

    Raises :class:`~ampt_sync.errors.ReloginNeeded` when Garmin refuses the refresh token (the
    access token may work for minutes more, but nothing can renew it: the runner is told now),
    :class:`~ampt_sync.errors.RateLimited` on a 429, and
    :class:`~ampt_sync.errors.RemoteUnavailable` when the refresh failed on Garmin's side or its
    answer was lost (if Garmin rotated the tokens before the answer was lost, the next attempt is
    refused and becomes "re-login needed").
    """
    from garminconnect import GarminConnectAuthenticationError

    try:
        session.api.client._refresh_di_token()
    except GarminConnectAuthenticationError as exc:
        match = _REFRESH_STATUS_RE.search(str(exc))
        status = int(match.group(1)) if match else None
        if status == 429:
            retry_at = datetime.now(UTC) + DEFAULT_RETRY_AFTER
            raise RateLimited(
                "Garmin is rate limiting ampt-sync's sign-in renewal (token refresh); it is "
                f"tried again after {retry_at:%Y-%m-%d %H:%M} UTC",
                retry_at,
            ) from None
        if status is not None and status >= 500:
            raise RemoteUnavailable(
                f"Garmin failed to renew ampt-sync's sign-in (token refresh: HTTP {status}); "
                "tried once, the next cycle tries again"
            ) from None
        raise ReloginNeeded(
            "Garmin refused to renew ampt-sync's sign-in (token refresh"
            + (f": HTTP {status}" if status else "")
            + "); run `ampt-sync auth garmin` to sign in again"
        ) from None
    except Exception as exc:
        # A timeout, a dropped connection or a body that is not JSON: Garmin may or may not have
        # rotated the tokens. Not retried here; the next cycle finds out.
        raise RemoteUnavailable(
            "Garmin's answer to ampt-sync's sign-in renewal (token refresh) was lost "
            f"({type(exc).__name__}); tried once, the next cycle tries again"
        ) from None
    session.save_tokens()
    log.info("renewed Garmin's access token")


# --------------------------------------------------------------------------------------------
# Errors

_STATUS_RE = re.compile(r"\b(?:API Error|HTTP|status=)\s*\(?(\d{3})\b")


def http_status(exc: BaseException) -> int | None:
    """The HTTP status behind ``exc``, if any (response attribute first, then the message)."""
    # Only explicit causes (``raise … from``): an exception raised while handling another one
    # (``__context__``) must not inherit that one's status.
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        response = getattr(cur, "response", None)
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            return status
        match = _STATUS_RE.search(str(cur))
        if match:
            return int(match.group(1))
        cur = cur.__cause__
    return None


def _network_cause(exc: BaseException) -> BaseException | None:
    import requests

    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, requests.Timeout | requests.ConnectionError | TimeoutError):
            return cur
        cur = cur.__cause__
    return None


def _undecodable(exc: BaseException) -> BaseException | None:
    """The JSON decoding failure behind ``exc``, if any (garminconnect wraps it as a
    "Connection error")."""
    import json

    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, json.JSONDecodeError | UnicodeDecodeError):
            return cur
        cur = cur.__cause__ or cur.__context__
    return None


def _retry_at(exc: BaseException, now: datetime) -> datetime:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    if value and str(value).isdigit():
        return now + timedelta(seconds=int(value))
    return now + DEFAULT_RETRY_AFTER


def translate(
    exc: BaseException, what: str, *, now: datetime | None = None
) -> AmptSyncError | None:
    """``exc`` as one of ours (None when it is not a Garmin or network failure).

    ``what`` names the operation for the message, e.g. ``"create workout w-7f3a"``.
    """
    import requests
    from garminconnect import (
        GarminConnectAuthenticationError,
        GarminConnectConnectionError,
        GarminConnectTooManyRequestsError,
    )

    if isinstance(exc, AmptSyncError):
        return exc
    ours = (
        GarminConnectConnectionError,
        GarminConnectAuthenticationError,
        GarminConnectTooManyRequestsError,
        requests.RequestException,
        TimeoutError,
        ConnectionError,
    )
    if not isinstance(exc, ours):
        return None
    now = now or datetime.now(UTC)
    status = http_status(exc)
    if isinstance(exc, GarminConnectTooManyRequestsError) or status == 429:
        retry_at = _retry_at(exc, now)
        return RateLimited(
            f"Garmin is rate limiting ampt-sync ({what}); the push stops here and tries again "
            f"after {retry_at:%Y-%m-%d %H:%M} UTC",
            retry_at,
        )
    if isinstance(exc, GarminConnectAuthenticationError) or status == 401:
        return ReloginNeeded(
            f"Garmin refused the stored sign-in ({what}); run `ampt-sync auth garmin` to sign "
            "in again"
        )
    if status == 404:
        return NotFound(f"{what}: not found on Garmin")
    if status is None and _undecodable(exc) is not None:
        return malformed(what, "the body is not JSON")
    if status is not None and status >= 500:
        return RemoteUnavailable(
            f"Garmin failed on its side ({what}: HTTP {status}); it will be tried again later"
        )
    network = _network_cause(exc)
    if network is not None:
        if isinstance(network, requests.Timeout | TimeoutError):
            return RemoteUnavailable(
                f"Garmin did not answer in time ({what}); it will be tried again later"
            )
        return RemoteUnavailable(
            f"cannot reach Garmin ({what}): {type(network).__name__}; check the network"
        )
    detail = redact(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__
    if status is not None:
        return RemoteError(f"Garmin refused {what} (HTTP {status}): {detail}")
    return RemoteError(f"Garmin failed on {what}: {detail}")


@contextlib.contextmanager
def garmin_errors(what: str) -> Iterator[None]:
    """Translate anything Garmin- or network-shaped raised inside the block (see
    :func:`translate`); everything else passes through untouched."""
    try:
        yield
    except Exception as exc:
        mapped = translate(exc, what)
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc


# --------------------------------------------------------------------------------------------
# The "re-login needed" state


def record_relogin_needed(store: Store, reason: str, *, now: datetime | None = None) -> None:
    from ampt_sync.store import state

    now = now or datetime.now(UTC)
    with store.transaction() as session:
        if state.get(session, state.GARMIN_RELOGIN) is None:
            state.put(
                session, state.GARMIN_RELOGIN, {"since": now.isoformat(), "reason": reason}, now=now
            )


def clear_relogin_needed(store: Store) -> bool:
    from ampt_sync.store import state

    with store.transaction() as session:
        return state.remove(session, state.GARMIN_RELOGIN)


def relogin_needed(store: Store) -> dict[str, Any] | None:
    """``{"since": ISO datetime, "reason": str}`` while Garmin needs a new sign-in, else None."""
    from ampt_sync.store import state

    with store.transaction() as session:
        return state.get(session, state.GARMIN_RELOGIN)
