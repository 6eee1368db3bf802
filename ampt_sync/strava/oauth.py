"""The one-time Strava authorisation, done from a terminal on a headless server.

Three ways to bring the authorisation code back from the browser:

paste-back (default)
    The redirect goes to ``http://localhost/exchange_token``. On the runner's laptop that page
    fails to load, which is expected: the address bar holds the code. The runner pastes the whole
    address; :func:`parse_redirect` checks ``state`` and the granted scope.
``--listen PORT``
    :class:`CallbackServer`, a one-shot HTTP server bound to 127.0.0.1 only (reach it through
    ``ssh -L PORT:127.0.0.1:PORT server``); it answers exactly one request and closes.
``--code CODE``
    A code obtained by hand; no state to check, and the scope is checked only if the pasted value
    is the full redirected address.

The code works once and only for minutes, so :func:`exchange_code` runs at once. Nothing here logs
or prints a code, a token or the client secret (the callback server's access log is silenced: its
request line holds the code).
"""

from __future__ import annotations

import errno
import html
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ampt_sync.errors import AuthError, ConfigError
from ampt_sync.logs import register_secret
from ampt_sync.strava.client import (
    DEFAULT_BASE_URL,
    STRAVA_ORIGIN,
    StravaSession,
    StravaTokens,
    stravalib_client,
    translate,
)

#: What ampt-sync asks for: the profile, and every activity including private ones.
SCOPE = ("read", "activity:read_all")
PASTE_REDIRECT_URI = "http://localhost/exchange_token"
CALLBACK_PATH = "/callback"
RETRY = "run `ampt-sync auth strava` again"


@dataclass(frozen=True)
class Grant:
    """What the browser brought back: the one-time code and the scope granted ("" if unknown)."""

    code: str
    scope: str

    def __repr__(self) -> str:  # never show the code
        return f"Grant(code=***, scope={self.scope!r})"


def new_state() -> str:
    """A random ``state`` that ties the redirect to this attempt."""
    return secrets.token_urlsafe(24)


def listen_redirect_uri(port: int) -> str:
    return f"http://127.0.0.1:{port}{CALLBACK_PATH}"


def authorization_url(
    client_id: int, redirect_uri: str, state: str, *, base_url: str = DEFAULT_BASE_URL
) -> str:
    """Strava's consent page for ``client_id``: scope ``read,activity:read_all``, always shown
    (``approval_prompt=force``, so unticked boxes can be ticked again)."""
    url = stravalib_client(StravaSession(base_url)).authorization_url(
        client_id=client_id,
        redirect_uri=redirect_uri,
        approval_prompt="force",
        scope=list(SCOPE),  # type: ignore[arg-type]
        state=state,
    )
    return (
        base_url.rstrip("/") + url[len(STRAVA_ORIGIN) :] if url.startswith(STRAVA_ORIGIN) else url
    )


def check_scope(scope: str) -> None:
    """AuthError unless ``scope`` (comma-separated, as Strava returns it) holds all of
    :data:`SCOPE`."""
    granted = {part.strip() for part in scope.split(",") if part.strip()}
    missing = [name for name in SCOPE if name not in granted]
    if missing:
        shown = ",".join(sorted(granted)) or "nothing"
        raise AuthError(
            f"Strava granted only {shown!r}, but ampt-sync needs {','.join(SCOPE)} to see every "
            f"run, private ones included; {RETRY} and leave every box ticked"
        )


def _query(text: str) -> dict[str, str]:
    text = text.strip()
    query = urlsplit(text).query if "?" in text else text
    return {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}


def parse_redirect(text: str, expected_state: str | None) -> Grant:
    """The grant in a redirected address (or its query string). Checks ``state`` when
    ``expected_state`` is given, the outcome, and the granted scope."""
    fields = _query(text)
    if fields.get("error"):
        if fields["error"] == "access_denied":
            raise AuthError(f"access was declined on Strava's page; {RETRY} and click Authorize")
        raise AuthError(f"Strava reported {fields['error'][:40]!r} instead of a code; {RETRY}")
    if "code" not in fields:
        raise AuthError(
            "that is not the address Strava redirected to (it has no code=); paste the whole "
            "address from the browser's address bar, or use `ampt-sync auth strava --code CODE`"
        )
    if expected_state is not None and not secrets.compare_digest(
        fields.get("state", ""), expected_state
    ):
        raise AuthError(
            "the address is from another sign-in attempt (its state does not match); paste the "
            "address from the attempt started by this command"
        )
    code = fields["code"].strip()
    if not code:
        raise AuthError(f"the address holds an empty code; {RETRY}")
    register_secret(code)
    scope = fields.get("scope", "")
    check_scope(scope)
    return Grant(code=code, scope=scope)


def grant_from_code(value: str) -> Grant:
    """The grant for ``--code``: a bare code (scope unknown), or a full redirected address
    (scope checked; there is no state to check it against)."""
    value = value.strip()
    if "code=" in value:
        return parse_redirect(value, expected_state=None)
    if not value:
        raise AuthError("--code is empty; give the code from the redirected address")
    register_secret(value)
    return Grant(code=value, scope="")


# ------------------------------------------------------------------------------------------------
# --listen


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _OneShotServer
    timeout = 30  # a connected browser that sends nothing does not hold us forever

    def do_GET(self) -> None:
        server = self.server
        split = urlsplit(self.path)
        try:
            if split.path != CALLBACK_PATH:
                raise AuthError(
                    f"the browser came back to {split.path!r} instead of {CALLBACK_PATH}; {RETRY}"
                )
            server.grant = parse_redirect(split.query, server.expected_state)
            status, text = 200, "ampt-sync received Strava's answer. You can close this tab."
        except AuthError as error:
            server.error = error
            status, text = 400, f"ampt-sync: {error}"
        body = (
            f"<!doctype html><meta charset=utf-8><title>ampt-sync</title><p>{html.escape(text)}</p>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # The default writes the request line, code included, to stderr.
        return


class _OneShotServer(HTTPServer):
    expected_state: str
    grant: Grant | None = None
    error: AuthError | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a browser that hangs up early is not worth a traceback


class CallbackServer:
    """A one-shot HTTP server on ``127.0.0.1:port`` (never another interface) that takes one
    request at :data:`CALLBACK_PATH`, shows the outcome in the browser and closes.

    Bind on construction, so a busy port is reported before the runner opens the browser."""

    def __init__(self, port: int, expected_state: str) -> None:
        if not 0 <= port <= 65535:  # 0: any free port
            raise ConfigError(f"--listen: found {port}, expected a port from 1024 to 65535")
        try:
            self._server = _OneShotServer(("127.0.0.1", port), _CallbackHandler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"--listen: port {port} on 127.0.0.1 is already in use; choose another port"
                ) from None
            raise ConfigError(
                f"--listen: cannot listen on 127.0.0.1:{port} ({error.strerror}); choose a port "
                "above 1023"
            ) from None
        self._server.expected_state = expected_state
        self.port = self._server.server_address[1]
        self.redirect_uri = listen_redirect_uri(self.port)
        self._lock = threading.Lock()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def wait(self, timeout_s: float = 600.0) -> Grant:
        """Serve one request (or give up after ``timeout_s``), close, and return the grant."""
        with self._lock:
            try:
                self._server.timeout = timeout_s
                self._server.handle_request()
            finally:
                self._server.server_close()
        if self._server.error is not None:
            raise self._server.error
        if self._server.grant is None:
            raise AuthError(
                f"no browser came back to {self.redirect_uri} within {timeout_s / 60:g} min "
                f"(is the ssh -L tunnel for port {self.port} open?); {RETRY}"
            )
        return self._server.grant

    def close(self) -> None:
        self._server.server_close()


# ------------------------------------------------------------------------------------------------
# The exchange


def exchange_code(
    *,
    client_id: int,
    client_secret: str,
    grant: Grant,
    base_url: str = DEFAULT_BASE_URL,
    timeout_s: float = 8.0,
) -> StravaTokens:
    """Trade the one-time code for tokens (``POST /oauth/token``). Not retried: a code works
    once. The caller persists the result."""
    session = StravaSession(base_url, timeout_s=timeout_s)
    client = stravalib_client(session)
    try:
        info, athlete = client.exchange_code_for_token(  # type: ignore[misc]
            client_id=client_id,
            client_secret=client_secret,
            code=grant.code,
            return_athlete=True,
        )
        tokens = StravaTokens(
            access_token=str(info["access_token"]),
            refresh_token=str(info["refresh_token"]),
            expires_at=int(info["expires_at"]),
            athlete_id=None if athlete is None else athlete.id,
            scope=grant.scope,
            client_id=client_id,
        )
    except (KeyError, TypeError):
        raise AuthError(f"Strava's token answer lacks a token or its expiry; {RETRY}") from None
    except Exception as error:
        translated = translate(error, during="code", client_id=client_id, base_url=base_url)
        if translated is None:
            raise
        raise translated from error
    finally:
        session.close()
    register_secret(tokens.access_token)
    register_secret(tokens.refresh_token)
    return tokens
