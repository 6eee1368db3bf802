"""The one door to Strava: the real stravalib client, built from the token store.

:class:`StravaClient` wraps a stravalib ``Client`` and adds what a daemon needs and stravalib
2.6 lacks:

* **Refresh before expiry, persisted before use.** :meth:`StravaClient.ensure_fresh` runs before
  every request. When the access token expires within :data:`REFRESH_MARGIN_S` it takes the token
  store's cross-process lock, re-reads the stored tokens (another process may have refreshed
  already), refreshes, and writes the rotated tokens to the store *before* any request uses
  them: Strava invalidates the old refresh token at once, so tokens that are only in memory are
  an account link waiting to be lost. stravalib's own refresh is switched off (it reads its
  credentials from environment variables, refreshes only after expiry and persists nothing).
* **A budget that raises instead of sleeping** (:mod:`ampt_sync.strava.ratelimit`).
* **Short timeouts** (at most 8 s per connect and per read) and retries for reads only
  (timeouts, 5xx, truncated answers), with a short backoff. Token calls are never retried: a
  refresh that reached Strava has already rotated the token.
* **One translation of foreign exceptions**, here, into :mod:`ampt_sync.errors`, with one-line
  messages that name the cause and the fix and never contain a token, a code or a secret.
* **A count of requests made** (``api_calls`` count against Strava's rate limits, ``oauth_calls``
  do not), for the run reports.
* ``$AMPT_SYNC_STRAVA_URL`` (default ``https://www.strava.com``) redirects every call, the OAuth
  endpoints included, e.g. to the simulator in :mod:`ampt_sync.sim.strava`.

Build one with :func:`build_client` from the settings; the client secret comes from
:func:`read_client_secret` and is needed only when a refresh is due.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from ampt_sync.errors import (
    AmptSyncError,
    AuthError,
    ConfigError,
    RemoteError,
    RemoteUnavailable,
)
from ampt_sync.logs import register_secret
from ampt_sync.secrets import STRAVA_CLIENT_SECRET, STRAVA_TOKENS, TokenStore
from ampt_sync.strava.ratelimit import RateBudget

if TYPE_CHECKING:
    from stravalib import Client

    from ampt_sync.config import Settings

log = logging.getLogger(__name__)

STRAVA_ORIGIN = "https://www.strava.com"
DEFAULT_BASE_URL = STRAVA_ORIGIN
ENV_BASE_URL = "AMPT_SYNC_STRAVA_URL"
ENV_CLIENT_SECRET = "AMPT_SYNC_STRAVA_CLIENT_SECRET"  # noqa: S105 - a variable name
CREDENTIAL_CLIENT_SECRET = "strava-client-secret"  # noqa: S105 - a credential name

#: Refresh when the access token expires within this many seconds.
REFRESH_MARGIN_S = 600
#: Per-connect and per-read timeouts; the read timeout is also the ceiling for both.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 8.0

REAUTHORISE = "re-authorise with `ampt-sync auth strava`"
SETTINGS_PAGE = "https://www.strava.com/settings/api"


class StravaNotFound(RemoteError):
    """Strava answered 404 for a resource (e.g. an activity deleted since it was listed)."""


# ------------------------------------------------------------------------------------------------
# Where Strava is


def base_url_from_env(environ: Mapping[str, str] = os.environ) -> str:
    """``$AMPT_SYNC_STRAVA_URL`` without a trailing slash, else ``https://www.strava.com``."""
    value = environ.get(ENV_BASE_URL, "").strip()
    if not value:
        return DEFAULT_BASE_URL
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ConfigError(
            f"${ENV_BASE_URL}: found {value!r}, expected a base URL such as "
            "'http://127.0.0.1:8099' (or unset it to use https://www.strava.com)"
        )
    base = value.rstrip("/")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        log.warning(
            "$%s sends Strava tokens unencrypted to %s; use https or a loopback address",
            ENV_BASE_URL,
            parts.netloc,
        )
    return base


class StravaSession(requests.Session):
    """A ``requests`` session that sends stravalib's ``https://www.strava.com/...`` URLs to
    ``base_url``, applies the timeouts, and counts the requests it sends."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout_s: float = READ_TIMEOUT_S,
        before_request: Callable[[], None] | None = None,
    ):
        super().__init__()
        self.base_url = base_url.rstrip("/")
        # Called before every request; raising there (e.g. Interrupted on SIGTERM) sends nothing.
        self.before_request = before_request
        self.timeout_s = (min(CONNECT_TIMEOUT_S, timeout_s), min(READ_TIMEOUT_S, timeout_s))
        self.api_calls = 0
        self.oauth_calls = 0
        self._count_lock = threading.Lock()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if isinstance(url, str) and url.startswith(STRAVA_ORIGIN):
            url = self.base_url + url[len(STRAVA_ORIGIN) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout_s
        if self.before_request is not None:
            self.before_request()
        with self._count_lock:
            if "/oauth/" in str(url):
                self.oauth_calls += 1
            else:
                self.api_calls += 1
        return super().request(method, url, *args, **kwargs)


def stravalib_client(
    session: StravaSession,
    *,
    tokens: StravaTokens | None = None,
    rate_limiter: Callable[[Mapping[str, str], str], None] | None = None,
) -> Client:
    """A stravalib ``Client`` on ``session`` with its own (environment-driven) refresh off."""
    # stravalib warns on the root logger at construction unless its credentials are in the
    # environment; we never put them there (they would show in /proc/PID/environ).
    os.environ.setdefault("SILENCE_TOKEN_WARNINGS", "true")
    from stravalib import Client

    client = Client(
        access_token=None if tokens is None else tokens.access_token,
        refresh_token=None if tokens is None else tokens.refresh_token,
        token_expires=None if tokens is None else tokens.expires_at,
        rate_limit_requests=rate_limiter is not None,
        rate_limiter=rate_limiter,  # type: ignore[arg-type]
        requests_session=session,
    )
    # With no credentials stravalib never refreshes by itself; ensure_fresh does it, and saves.
    client.protocol.client_id = None
    client.protocol.client_secret = None
    return client


# ------------------------------------------------------------------------------------------------
# Tokens and the client secret


@dataclass(frozen=True)
class StravaTokens:
    """What one authorisation gave us. ``expires_at`` is the access token's expiry (epoch s);
    ``scope`` is what the runner granted ("" when not known, after ``auth strava --code``)."""

    access_token: str
    refresh_token: str
    expires_at: int
    athlete_id: int | None = None
    scope: str = ""
    client_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StravaTokens:
        try:
            access, refresh, expires = (
                data["access_token"],
                data["refresh_token"],
                data["expires_at"],
            )
            if not (isinstance(access, str) and isinstance(refresh, str)) or isinstance(
                expires, bool
            ):
                raise TypeError
            return cls(
                access_token=access,
                refresh_token=refresh,
                expires_at=int(expires),
                athlete_id=None if data.get("athlete_id") is None else int(data["athlete_id"]),
                scope=str(data.get("scope") or ""),
                client_id=None if data.get("client_id") is None else int(data["client_id"]),
            )
        except (KeyError, TypeError, ValueError):
            raise AuthError(f"the stored Strava tokens are damaged; {REAUTHORISE}") from None


def load_tokens(token_store: TokenStore) -> StravaTokens | None:
    data = token_store.get_json(STRAVA_TOKENS)
    return None if data is None else StravaTokens.from_json(data)


def save_tokens(token_store: TokenStore, tokens: StravaTokens) -> None:
    """Persist ``tokens`` (atomically, by the token store). Hold ``token_store.locked()``."""
    token_store.set_json(STRAVA_TOKENS, tokens.to_json())


def read_client_secret(
    token_store: TokenStore | None, environ: Mapping[str, str] = os.environ
) -> tuple[str, str] | None:
    """The Strava client secret and where it came from, first found of:
    ``$CREDENTIALS_DIRECTORY/strava-client-secret`` (systemd ``LoadCredentialEncrypted=``),
    ``$AMPT_SYNC_STRAVA_CLIENT_SECRET``, the token store. Never the config file."""
    credentials = environ.get("CREDENTIALS_DIRECTORY")
    if credentials:
        path = Path(credentials) / CREDENTIAL_CLIENT_SECRET
        if path.is_file():
            secret = path.read_text(encoding="utf-8").strip()
            if secret:
                register_secret(secret)
                return secret, f"the systemd credential {CREDENTIAL_CLIENT_SECRET}"
    secret = environ.get(ENV_CLIENT_SECRET, "").strip()
    if secret:
        register_secret(secret)
        return secret, f"${ENV_CLIENT_SECRET}"
    if token_store is not None:
        stored = (token_store.get(STRAVA_CLIENT_SECRET) or "").strip()
        if stored:
            return stored, token_store.description
    return None


MISSING_SECRET = (
    "no Strava client secret found; put it in $CREDENTIALS_DIRECTORY/"
    f"{CREDENTIAL_CLIENT_SECRET} (systemd) or ${ENV_CLIENT_SECRET}, or run `ampt-sync auth strava` "
    "in a terminal to store it"
)


# ------------------------------------------------------------------------------------------------
# Foreign exceptions → ours, once


def _error_entries(response: requests.Response | None) -> list[dict[str, Any]]:
    if response is None:
        return []
    try:
        body = response.json()
    except ValueError:
        return []
    entries = body.get("errors") if isinstance(body, dict) else None
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return []
    return [entry for entry in entries if isinstance(entry, dict)]


def _mentions(entries: list[dict[str, Any]], resource: str, field: str | None = None) -> bool:
    return any(
        entry.get("resource") == resource and (field is None or entry.get("field") == field)
        for entry in entries
    )


def _permission_missing(entries: list[dict[str, Any]]) -> bool:
    return any(
        entry.get("resource") == "AccessToken"
        and str(entry.get("field", "")).endswith("permission")
        for entry in entries
    )


def translate(
    error: BaseException,
    *,
    during: str,
    client_id: int | None = None,
    budget: RateBudget | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> AmptSyncError | None:
    """Our error for a stravalib/requests exception raised while ``during`` ("code", "refresh",
    "api" or "revoke"); None for anything else (a bug should surface as itself)."""
    from stravalib import exc

    if isinstance(error, AmptSyncError):
        return error
    host = urlsplit(base_url).netloc
    if isinstance(error, exc.ApplicationInactive):
        return AuthError(
            "Strava refuses every request: the Strava API application is inactive because the "
            "account that owns it has no active Strava subscription; renew it, then reactivate "
            f"the app at {SETTINGS_PAGE}"
        )
    if isinstance(error, requests.HTTPError) and error.response is not None:
        response = error.response
        status = response.status_code
        entries = _error_entries(response)
        if status == 429:
            return (budget or RateBudget()).after_429(response.headers)
        if status >= 500:
            return RemoteUnavailable(
                f"Strava answered {status} {response.reason}; it is having trouble, the next "
                "attempt will retry"
            )
        if _mentions(entries, "Application", "client_id"):
            return AuthError(
                f"Strava does not know the client id {client_id}; copy the Client ID shown at "
                f"{SETTINGS_PAGE} into strava.client_id"
            )
        if _mentions(entries, "Application", "client_secret") or (
            during in ("code", "refresh") and status == 401
        ):
            return AuthError(
                f"Strava refused the client secret for client id {client_id}; copy the Client "
                f"Secret shown at {SETTINGS_PAGE} and provide it again (see `ampt-sync auth "
                "strava --help`)"
            )
        if during == "code":
            if _mentions(entries, "AuthorizationCode"):
                return AuthError(
                    "Strava refused the authorisation code: it has expired or was already used "
                    "(a code works once, within minutes); run `ampt-sync auth strava` again"
                )
            if _mentions(entries, "Application", "redirect_uri"):
                return AuthError(
                    "Strava refused the redirect address; set the Authorization Callback Domain "
                    f"of your app to 'localhost' at {SETTINGS_PAGE}"
                )
        if during == "refresh":
            return AuthError(
                "Strava rejected the stored refresh token (access revoked, or replaced by a "
                f"newer one that was never saved); {REAUTHORISE}"
            )
        if status == 401 and _permission_missing(entries):
            return AuthError(
                "the Strava authorisation lacks the activity:read_all permission; "
                f"{REAUTHORISE} and leave every box ticked"
            )
        if status == 401:
            return AuthError(
                f"Strava rejected the access token (revoked or expired); {REAUTHORISE}"
            )
        if status == 404:
            return StravaNotFound(f"Strava has no such resource ({response.reason})")
        return RemoteError(
            f"Strava refused the request with {status} {response.reason}; if it persists, "
            "check for an ampt-sync update"
        )
    if isinstance(error, ValueError):  # requests' JSONDecodeError included
        return RemoteError(
            "Strava answered with something that is not the JSON it documents (truncated or an "
            "error page); the next attempt will retry"
        )
    if isinstance(error, requests.Timeout):
        return RemoteUnavailable(
            f"Strava ({host}) did not answer within {READ_TIMEOUT_S:g} s; the next attempt "
            "will retry"
        )
    if isinstance(error, requests.ConnectionError):
        return RemoteUnavailable(
            f"cannot reach Strava at {host} (network down or DNS failing?); the next attempt "
            "will retry"
        )
    if isinstance(error, requests.RequestException):
        return RemoteUnavailable(
            f"the connection to Strava ({host}) broke ({error.__class__.__name__}); the next "
            "attempt will retry"
        )
    return None


def _retryable(error: BaseException) -> bool:
    """Worth repeating a read for: transport failures, 5xx, and answers cut short."""
    if isinstance(error, requests.HTTPError):
        return error.response is not None and error.response.status_code >= 500
    return isinstance(error, requests.RequestException | ValueError)


# ------------------------------------------------------------------------------------------------
# The client


class StravaClient:
    """Reads from Strava for one connected athlete. Not shared between threads.

    ``clock`` (epoch seconds) drives token expiry and the rate budget; ``sleep`` the backoff
    between attempts of a read. Both are injectable for tests and the offline demo.
    """

    def __init__(
        self,
        *,
        client_id: int,
        client_secret: str | None,
        token_store: TokenStore,
        tokens: StravaTokens,
        base_url: str = DEFAULT_BASE_URL,
        timeout_s: float = READ_TIMEOUT_S,
        read_attempts: int = 3,
        backoff_s: float = 1.0,
        refresh_margin_s: float = REFRESH_MARGIN_S,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        before_request: Callable[[], None] | None = None,
    ) -> None:
        self.client_id = client_id
        self.token_store = token_store
        self.base_url = base_url
        self.read_attempts = max(1, read_attempts)
        self.backoff_s = backoff_s
        self.refresh_margin_s = refresh_margin_s
        self.clock = clock
        self._sleep = sleep
        self._client_secret = client_secret
        self._tokens = tokens
        self.session = StravaSession(base_url, timeout_s=timeout_s, before_request=before_request)
        self.budget = RateBudget(clock=clock)
        self.lib = stravalib_client(self.session, tokens=tokens, rate_limiter=self.budget)
        self.refreshes = 0

    # ---- bookkeeping ---------------------------------------------------------------------------

    @property
    def api_calls(self) -> int:
        """Requests sent to the API (they count against Strava's rate limits)."""
        return self.session.api_calls

    @property
    def oauth_calls(self) -> int:
        """Requests sent to ``/oauth/`` (token refreshes, revocation); not rate-limited."""
        return self.session.oauth_calls

    @property
    def tokens(self) -> StravaTokens:
        return self._tokens

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def close(self) -> None:
        self.session.close()

    def _adopt(self, tokens: StravaTokens) -> None:
        self._tokens = tokens
        self.lib.access_token = tokens.access_token
        self.lib.refresh_token = tokens.refresh_token
        self.lib.token_expires = tokens.expires_at

    def _translate(self, error: BaseException, during: str) -> BaseException:
        translated = translate(
            error,
            during=during,
            client_id=self.client_id,
            budget=self.budget,
            base_url=self.base_url,
        )
        return error if translated is None else translated

    # ---- tokens --------------------------------------------------------------------------------

    def ensure_fresh(self, *, force: bool = False) -> bool:
        """Make sure the access token lives at least ``refresh_margin_s`` more; with ``force``,
        replace it whatever its expiry (after Strava refused it). Returns True when tokens were
        fetched from Strava; they are in the token store before this returns."""
        if not force and self._tokens.expires_at - self.clock() > self.refresh_margin_s:
            return False
        with self.token_store.locked():
            stored = load_tokens(self.token_store)
            if stored is None:
                raise AuthError(f"Strava is not connected (no stored tokens); {REAUTHORISE}")
            if stored != self._tokens:
                # Another process refreshed (or re-authorised) meanwhile: its tokens are newer.
                self._adopt(stored)
                if stored.expires_at - self.clock() > self.refresh_margin_s:
                    return False
            if self._client_secret is None:
                raise AuthError(MISSING_SECRET)
            try:
                info = self.lib.refresh_access_token(
                    client_id=self.client_id,
                    client_secret=self._client_secret,
                    refresh_token=stored.refresh_token,
                )
                fresh = replace(
                    stored,
                    access_token=str(info["access_token"]),
                    refresh_token=str(info["refresh_token"]),
                    expires_at=int(info["expires_at"]),
                    client_id=self.client_id,
                )
            except (KeyError, TypeError):
                self._adopt(stored)
                raise RemoteError(
                    f"Strava's token answer lacks a token or its expiry; {REAUTHORISE}"
                ) from None
            except Exception as error:
                self._adopt(stored)
                raise self._translate(error, "refresh") from error
            register_secret(fresh.access_token)
            register_secret(fresh.refresh_token)
            # Persist first: the old refresh token is already dead at Strava.
            save_tokens(self.token_store, fresh)
            self._adopt(fresh)
            self.refreshes += 1
            log.info("refreshed the Strava access token (valid until %s)", fresh.expires_at)
            return True

    # ---- reads ---------------------------------------------------------------------------------

    def get(self, path: str, **params: Any) -> Any:
        """GET an API path such as ``/athlete/activities`` or ``/activities/{id}`` (``{id}``
        filled from ``params``; the rest become the query). Returns the decoded JSON.

        Checks the rate budget first (raises :class:`RateLimited` without a request when it is
        spent), refreshes the token when due, retries timeouts, 5xx and truncated answers up to
        ``read_attempts`` in all, and after a 401 refreshes once and tries again."""
        refreshed_after_401 = False
        attempt = 0
        while True:
            attempt += 1
            self.budget.check("GET")
            self.ensure_fresh()
            try:
                return self.lib.protocol.get(path, **params)
            except Exception as error:
                from stravalib import exc

                if (
                    isinstance(error, exc.AccessUnauthorized)
                    and not refreshed_after_401
                    and not _permission_missing(_error_entries(error.response))
                ):
                    # Revoked, or expired early: one forced refresh tells which.
                    refreshed_after_401 = True
                    self.ensure_fresh(force=True)
                    attempt -= 1
                    continue
                if _retryable(error) and attempt < self.read_attempts:
                    log.info(
                        "Strava read failed (%s); attempt %d of %d",
                        error.__class__.__name__,
                        attempt + 1,
                        self.read_attempts,
                    )
                    self._sleep(self.backoff_s * 2 ** (attempt - 1))
                    continue
                raise self._translate(error, "api") from error

    def athlete(self) -> dict[str, Any]:
        body = self.get("/athlete")
        if not isinstance(body, dict):
            raise RemoteError("Strava's athlete answer is not a JSON object")
        return body

    def activities_page(self, *, after_epoch: int, page: int, per_page: int = 200) -> list[Any]:
        """One page of ``GET /athlete/activities`` (summaries started after ``after_epoch``)."""
        body = self.get("/athlete/activities", after=after_epoch, page=page, per_page=per_page)
        if not isinstance(body, list):
            raise RemoteError(
                f"Strava's activity list (page {page}) is not a JSON list; the next pull retries"
            )
        return body

    def activity(self, activity_id: int) -> Any | None:
        """``GET /activities/{id}`` (the detailed activity), or None when Strava has no such
        activity any more."""
        try:
            return self.get("/activities/{id}", id=activity_id, include_all_efforts=False)
        except StravaNotFound:
            return None

    # ---- revocation ----------------------------------------------------------------------------

    def deauthorize(self) -> None:
        """Revoke ampt-sync's access at Strava (``POST /oauth/deauthorize``). Not retried."""
        self.ensure_fresh()
        try:
            self.lib.protocol.post(f"https://{self.lib.protocol.server}/oauth/deauthorize")
        except Exception as error:
            raise self._translate(error, "revoke") from error


def build_client(
    settings: Settings,
    token_store: TokenStore,
    *,
    environ: Mapping[str, str] = os.environ,
    **options: Any,
) -> StravaClient:
    """A :class:`StravaClient` for the connected athlete. ``options`` go to its constructor
    (``timeout_s``, ``clock``, ...). Raises ConfigError without ``strava.client_id`` and
    AuthError when Strava was never connected."""
    client_id = settings.strava.client_id
    if client_id is None:
        raise ConfigError(
            f"strava.client_id is not set; add the Client ID shown at {SETTINGS_PAGE} to the "
            "[strava] table of the config file"
        )
    tokens = load_tokens(token_store)
    if tokens is None:
        raise AuthError("Strava is not connected yet; connect it with `ampt-sync auth strava`")
    secret = read_client_secret(token_store, environ)
    return StravaClient(
        client_id=client_id,
        client_secret=None if secret is None else secret[0],
        token_store=token_store,
        tokens=tokens,
        base_url=base_url_from_env(environ),
        **options,
    )
