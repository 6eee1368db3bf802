"""The one exception hierarchy of ampt-sync.

::

    AmptSyncError                  exit 1   anything we understood but cannot classify further
    ├── ConfigError                exit 78  the config file, or a command-line value, is wrong
    ├── AuthError                  exit 78  a service refused our credentials; re-authorise
    │   └── ReloginNeeded                   Garmin tokens refused: run `ampt-sync auth garmin`
    ├── TemporaryError             exit 75  try again later; nothing is lost
    │   ├── RateLimited                     carries ``retry_at`` (aware datetime)
    │   ├── RemoteUnavailable               network down, timeout, 5xx
    │   └── Interrupted                     a stop was requested; no further request was sent
    ├── RemoteError                exit 1   the remote answered something we cannot use (malformed)
    └── StoreError                 exit 1   the local database cannot be used

Exit codes follow sysexits(3): 78 is EX_CONFIG (systemd's ``RestartPreventExitStatus=78`` stops a
restart loop that cannot succeed), 75 is EX_TEMPFAIL. Every message is one line that names the cause
and the fix, and never contains a token, a code, a secret or a password.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

EX_SOFTWARE = 1
EX_TEMPFAIL = 75
EX_CONFIG = 78


class AmptSyncError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code: int = EX_SOFTWARE


class ConfigError(AmptSyncError):
    """The configuration is invalid. The message names the file, the key, what was found and
    what is expected."""

    exit_code = EX_CONFIG


class AuthError(AmptSyncError):
    """A service refused our credentials; only the runner can fix it."""

    exit_code = EX_CONFIG


class ReloginNeeded(AuthError):
    """Garmin refused the stored tokens. The daemon never logs in with credentials by itself."""


class TemporaryError(AmptSyncError):
    """Worth retrying later without any change."""

    exit_code = EX_TEMPFAIL


class RateLimited(TemporaryError):
    """A rate limit was reached (or would be by the next request).

    ``retry_at`` is the earliest aware datetime at which the call may be retried.
    """

    def __init__(self, message: str, retry_at: datetime) -> None:
        if retry_at.tzinfo is None:
            raise ValueError("retry_at must be timezone-aware")
        super().__init__(message)
        self.retry_at = retry_at


class RemoteUnavailable(TemporaryError):
    """The remote service could not be reached or failed on its side (timeout, 5xx)."""


class Interrupted(TemporaryError):
    """Raised before a request once a stop was requested (SIGTERM), so a cycle ends promptly."""


class RemoteError(AmptSyncError):
    """The remote service answered with something we cannot use."""


class StoreError(AmptSyncError):
    """The local database cannot be opened or migrated."""


@contextlib.contextmanager
def counting_push(report: Any, api_calls: Callable[[], dict[str, int]]) -> Iterator[None]:
    """Around a push to either road: fill in ``report.api_calls`` however the block ends; on one
    of our errors, set ``report.stopped_by`` and attach the partial report to the error as
    ``push_report`` (the cycle stores what was done before it)."""
    try:
        yield
    except AmptSyncError as exc:
        report.stopped_by = type(exc).__name__
        report.api_calls = api_calls()
        exc.push_report = report  # type: ignore[attr-defined]
        raise
    report.api_calls = api_calls()
