"""Signing in to Garmin Connect once, by hand, and keeping only the tokens.

``ampt-sync auth garmin`` asks for the email and password (and an MFA code when Garmin wants one),
runs a **login strategy** and stores what it returns, garminconnect's ``client.dumps()`` JSON, in
the token store under ``GARMIN_TOKENS``. The password is never stored or logged; it is registered
with :func:`ampt_sync.logs.register_secret` so that it is masked even if a library logged it.
``--import-tokens FILE`` stores an existing garminconnect token file (``garmin_tokens.json``, or
the folder holding it) instead.

The strategy is a dependency (:data:`LoginStrategy`): :func:`garminconnect_login` drives
garminconnect's five-strategy SSO chain against Garmin's SSO hosts (or, when
``$AMPT_SYNC_GARMIN_URL`` is set, against that URL, so that a test can aim the real chain at a
closed port and see what a runner without a network sees). The simulator does not speak Garmin's
SSO, so the tests that sign in pass another strategy (``GarminSim.login_strategy()``). The
daemon never calls any of this: when Garmin refuses the stored tokens it records "re-login
needed" and waits for the runner (credential logins from a server trip Cloudflare's blocks, which
re-arm with every attempt).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ampt_sync.errors import AuthError, RateLimited, RemoteUnavailable
from ampt_sync.logs import register_secret

if TYPE_CHECKING:
    from ampt_sync.garmin.client import TokenStoreLike
    from ampt_sync.store.db import Store

#: ``strategy(email, password, prompt_mfa) -> token JSON`` (garminconnect's ``client.dumps()``).
#: ``prompt_mfa()`` returns the code the runner typed. Raises garminconnect's exceptions.
LoginStrategy = Callable[[str, str, Callable[[], str]], str]

#: After a 429 at sign-in, how long to tell the runner to wait.
LOGIN_BLOCK_WAIT = timedelta(hours=6)


def garminconnect_login(email: str, password: str, prompt_mfa: Callable[[], str]) -> str:
    """The real sign-in: garminconnect's SSO strategy chain, then the DI token exchange (with the
    token checked against the API). No profile is loaded and nothing is written to disk."""
    from garminconnect import Garmin

    from ampt_sync.garmin.client import DEFAULT_BASE_URL, REFRESH_PATH, base_url

    api = Garmin(email, password, prompt_mfa=prompt_mfa)
    url = base_url()
    if url != DEFAULT_BASE_URL:
        # The same seam as the API calls (:func:`ampt_sync.garmin.client.build_api`): every host
        # the sign-in talks to (SSO, Connect, the DI token exchange) goes to the one URL.
        api.client._sso = api.client._connect = api.client._connectapi = url
        api.client._di_token_url = url + REFRESH_PATH
    api.client.login(email, password, prompt_mfa=prompt_mfa)
    if not api.client.di_token or not api.client.di_refresh_token:
        raise AuthError(
            "Garmin signed in with a browser session only, which cannot be kept for the daemon; "
            "try `ampt-sync auth garmin` again later"
        )
    return api.client.dumps()


def default_strategy() -> LoginStrategy:
    """The strategy the CLI uses (tests replace this function to sign in against the sim)."""
    return garminconnect_login


def sign_in(
    token_store: TokenStoreLike,
    email: str,
    password: str,
    prompt_mfa: Callable[[], str],
    *,
    strategy: LoginStrategy | None = None,
    store: Store | None = None,
    now: datetime | None = None,
) -> None:
    """Sign in with ``strategy`` and store the tokens; clears "re-login needed" in ``store``.

    Raises :class:`~ampt_sync.errors.RateLimited` when Garmin blocks sign-ins (wait hours, do not
    retry), :class:`~ampt_sync.errors.AuthError` when it refuses the credentials or the MFA code,
    :class:`~ampt_sync.errors.RemoteUnavailable` when it cannot be reached.
    """
    import requests
    from garminconnect import (
        GarminConnectAuthenticationError,
        GarminConnectConnectionError,
        GarminConnectTooManyRequestsError,
    )

    register_secret(password)
    login = strategy or default_strategy()

    def ask_mfa() -> str:
        code = prompt_mfa().strip()
        register_secret(code)
        return code

    try:
        tokens = login(email, password, ask_mfa)
    except GarminConnectTooManyRequestsError:
        retry_at = (now or datetime.now(UTC)) + LOGIN_BLOCK_WAIT
        raise RateLimited(
            "Garmin is blocking sign-ins for this account for now (HTTP 429, too many sign-ins). "
            "Wait a few hours, up to a day, before running `ampt-sync auth garmin` again; do not "
            "retry sooner, every attempt restarts the block",
            retry_at,
        ) from None
    except GarminConnectAuthenticationError:
        raise AuthError(
            "Garmin refused the sign-in; check the email, the password and the MFA code, then "
            "run `ampt-sync auth garmin` again"
        ) from None
    except (GarminConnectConnectionError, requests.RequestException, OSError) as exc:
        raise RemoteUnavailable(
            f"could not sign in to Garmin ({type(exc).__name__}); check the network and try "
            "`ampt-sync auth garmin` again later"
        ) from None
    store_tokens(token_store, tokens, store=store)


def store_tokens(
    token_store: TokenStoreLike, tokens_json: str, *, store: Store | None = None
) -> None:
    """Check ``tokens_json`` (garminconnect's token JSON), then keep it in the token store."""
    from garminconnect import Garmin, GarminConnectConnectionError

    from ampt_sync.garmin.client import clear_relogin_needed
    from ampt_sync.secrets import GARMIN_TOKENS

    api = Garmin()
    try:
        api.client.loads(tokens_json)
    except GarminConnectConnectionError:
        raise AuthError(
            "these are not garminconnect tokens (expected a JSON object with di_token, "
            "di_refresh_token and di_client_id)"
        ) from None
    if not api.client.di_token or not api.client.di_refresh_token:
        raise AuthError(
            "the Garmin tokens lack a refresh token, so they would expire within hours; sign in "
            "with `ampt-sync auth garmin` instead"
        )
    for value in (api.client.di_token, api.client.di_refresh_token):
        register_secret(value)
    with token_store.locked():
        token_store.set(GARMIN_TOKENS, api.client.dumps())
    if store is not None:
        clear_relogin_needed(store)


def import_tokens(token_store: TokenStoreLike, path: Path, *, store: Store | None = None) -> Path:
    """Store the garminconnect token file at ``path`` (or ``path/garmin_tokens.json``); returns
    the file read. The file itself is left where it is."""
    source = path / "garmin_tokens.json" if path.is_dir() else path
    if path.is_dir() and not source.exists():
        if (path / "oauth1_token.json").exists() or (path / "oauth2_token.json").exists():
            raise AuthError(
                f"{path} holds old garth tokens (oauth1/oauth2_token.json), which garminconnect "
                "0.3 cannot use; sign in with `ampt-sync auth garmin` instead"
            )
        raise AuthError(f"{path} holds no garmin_tokens.json")
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuthError(f"cannot read {source}: {exc.strerror or exc}") from None
    try:
        json.loads(text)
    except ValueError:
        raise AuthError(
            f"{source} is not JSON; expected garminconnect's garmin_tokens.json"
        ) from None
    store_tokens(token_store, text, store=store)
    return source
