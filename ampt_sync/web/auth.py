"""Who may see the runner's page: password, one-time sign-in links, the session secret, CSRF,
sign-in throttling and the calendar feed's key.

Everything persistent lives in the store's ``service_state`` table (no migration needed), under
the names below; nothing here is ever logged or printed except by the command that exists to show
it (``ampt-sync web link`` prints a link, ``web link --calendar`` the feed's address).

- The password is kept as a salted scrypt hash (stdlib ``hashlib.scrypt``, n=2**14, r=8, p=1:
  16 MiB and about 0.1 s per check on a Raspberry Pi 4, which also slows guessing).
- A sign-in token is 32 random bytes, valid :data:`SIGN_IN_TOKEN_TTL` and good for one use; only
  its SHA-256 is stored, so a copy of the database holds no usable token.
- The session secret signs the session cookie; it is made once, on first use, and kept.
- The calendar key is stored as it is: /status must show it (calendar apps cannot sign in).

The throttle is in memory: a restart clears it, which costs an attacker a restart per few
guesses, not a way round it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from collections import deque
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ampt_sync.store import state

#: service_state names
PASSWORD = "web_password"  # noqa: S105 (the name of a row, not a password)
SESSION_SECRET = "web_session_secret"  # noqa: S105 (likewise)
SIGN_IN_TOKENS = "web_sign_in_tokens"
CALENDAR_KEY = "web_calendar_key"

SIGN_IN_TOKEN_TTL = timedelta(minutes=10)
SESSION_MAX_AGE = timedelta(days=30)
MIN_PASSWORD_CHARS = 8

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 2**14, 8, 1, 32


# ------------------------------------------------------------------------------------------------
# Password


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, in one line, or ``None`` when it can."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"the password is too short: use at least {MIN_PASSWORD_CHARS} characters"
    if password != password.strip():
        return "the password starts or ends with a space; leave those out"
    return None


def hash_password(password: str, *, salt: bytes | None = None) -> dict[str, Any]:
    """A storable record of ``password``: scrypt parameters, salt and hash (base64)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_DKLEN
    )
    return {
        "scheme": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": base64.b64encode(salt).decode(),
        "hash": base64.b64encode(digest).decode(),
    }


def verify_password(password: str, record: dict[str, Any]) -> bool:
    """Whether ``password`` is the one ``record`` was made from (constant-time compare)."""
    if record.get("scheme") != "scrypt":
        return False
    salt = base64.b64decode(record["salt"])
    expected = base64.b64decode(record["hash"])
    digest = hashlib.scrypt(
        password.encode(),
        salt=salt,
        n=int(record["n"]),
        r=int(record["r"]),
        p=int(record["p"]),
        dklen=len(expected),
    )
    return hmac.compare_digest(digest, expected)


def set_password(session: Session, password: str, *, now: datetime) -> None:
    """Store ``password``'s hash; ``ValueError`` (one line) when it is unusable."""
    problem = password_problem(password)
    if problem is not None:
        raise ValueError(problem)
    state.put(session, PASSWORD, hash_password(password), now=now)


def password_is_set(session: Session) -> bool:
    return state.get(session, PASSWORD) is not None


def check_password(session: Session, password: str) -> bool:
    record = state.get(session, PASSWORD)
    return record is not None and verify_password(password, record)


# ------------------------------------------------------------------------------------------------
# Session secret


def session_secret(session: Session, *, now: datetime) -> str:
    """The secret that signs session cookies, made on first use and kept from then on."""
    value = state.get(session, SESSION_SECRET)
    if value is None:
        value = {"secret": secrets.token_urlsafe(48)}
        state.put(session, SESSION_SECRET, value, now=now)
    return str(value["secret"])


# ------------------------------------------------------------------------------------------------
# One-time sign-in tokens


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_sign_in_token(session: Session, *, now: datetime) -> str:
    """A fresh token, valid :data:`SIGN_IN_TOKEN_TTL` from ``now`` and for one sign-in.

    Expired tokens are dropped here, so the stored list stays short."""
    token = secrets.token_urlsafe(32)
    tokens = {
        digest: expires
        for digest, expires in (state.get(session, SIGN_IN_TOKENS) or {}).items()
        if datetime.fromisoformat(expires) > now
    }
    tokens[_digest(token)] = (now + SIGN_IN_TOKEN_TTL).isoformat()
    state.put(session, SIGN_IN_TOKENS, tokens, now=now)
    return token


def redeem_sign_in_token(session: Session, token: str, *, now: datetime) -> bool:
    """True when ``token`` is known and unexpired; either way it can never be used again."""
    tokens = state.get(session, SIGN_IN_TOKENS) or {}
    expires = tokens.pop(_digest(token), None)
    if expires is None:
        return False
    state.put(session, SIGN_IN_TOKENS, tokens, now=now)
    return datetime.fromisoformat(expires) > now


# ------------------------------------------------------------------------------------------------
# Calendar feed key


def calendar_key(session: Session, *, now: datetime) -> str:
    """The feed's key, made on first use."""
    value = state.get(session, CALENDAR_KEY)
    if value is None:
        return new_calendar_key(session, now=now)
    return str(value["key"])


def new_calendar_key(session: Session, *, now: datetime) -> str:
    """Replace the feed's key: subscriptions with the old one stop working."""
    key = secrets.token_urlsafe(32)
    state.put(session, CALENDAR_KEY, {"key": key, "created_at": now.isoformat()}, now=now)
    return key


def calendar_key_matches(session: Session, candidate: str | None) -> bool:
    value = state.get(session, CALENDAR_KEY)
    if value is None or not candidate:
        return False
    return hmac.compare_digest(str(value["key"]).encode(), candidate.encode())


# ------------------------------------------------------------------------------------------------
# CSRF, sessions, addresses


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """The form's token matches the session's (both present; constant-time compare)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def session_valid(signed_in_at: str | None, now: datetime) -> bool:
    """A session signed in at ``signed_in_at`` (ISO) is still good at ``now``: at most
    :data:`SESSION_MAX_AGE` old, and not from the future."""
    if not signed_in_at:
        return False
    try:
        when = datetime.fromisoformat(signed_in_at)
    except ValueError:
        return False
    return when.tzinfo is not None and timedelta(0) <= now - when <= SESSION_MAX_AGE


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


# ------------------------------------------------------------------------------------------------
# Throttle


class Throttle:
    """At most ``per_client`` failed sign-ins per client and ``overall`` in all per ``window``.

    Behind a reverse proxy every client looks like the proxy, so the overall limit is what
    protects the page there. Pure apart from its own memory: the caller passes the time.
    """

    def __init__(
        self,
        *,
        per_client: int = 5,
        overall: int = 20,
        window: timedelta = timedelta(minutes=15),
    ) -> None:
        self.per_client = per_client
        self.overall = overall
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}
        self._all: deque[datetime] = deque()

    def _trim(self, times: deque[datetime], now: datetime) -> None:
        while times and now - times[0] >= self.window:
            times.popleft()

    def retry_after_s(self, client: str, now: datetime) -> float | None:
        """Seconds until ``client`` may try again, or ``None`` when it may try now."""
        mine = self._failures.get(client, deque())
        self._trim(mine, now)
        self._trim(self._all, now)
        waits = [
            (times[0] + self.window - now).total_seconds()
            for times, limit in ((mine, self.per_client), (self._all, self.overall))
            if len(times) >= limit
        ]
        return max(waits) if waits else None

    def failed(self, client: str, now: datetime) -> None:
        self._failures.setdefault(client, deque()).append(now)
        self._all.append(now)
        if len(self._failures) > 1000:  # bound the memory a flood of addresses can take
            for key in [k for k, v in self._failures.items() if not v or k != client][:500]:
                del self._failures[key]

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
