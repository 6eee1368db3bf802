"""Logging: readable on a terminal, levelled in the journal, and never a secret.

Under systemd (``$JOURNAL_STREAM`` is set) each line starts with a syslog priority prefix such as
``<3>`` so that journald keeps the level (``journalctl -u ampt-sync -p warning`` works);
journald adds its own timestamps, so none are printed there.

Secrets are kept out of logs at their source (we never format a token into a message). As a second
line of defence every formatted line, tracebacks included, passes :func:`redact`, which masks
values registered with :func:`register_secret` and anything shaped like a bearer token, a JWT or a
``token=``/``secret=``/``password=``/``code=`` pair.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Mapping
from typing import TextIO

_SYSLOG_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}

_PATTERNS = (
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|password|passwd|secret|code|ticket)"
        r"[\"']?\s*[=:]\s*[\"']?)([^\s&\"',}]+)"
    ),
)
_MASK = "***"
_secrets: set[str] = set()
_secrets_lock = threading.Lock()

#: Libraries whose INFO lines are noise (or, in old versions, carried secrets).
_QUIET = ("stravalib", "urllib3", "requests", "apscheduler.executors", "alembic", "garminconnect")
#: Libraries whose every failure reaches us as an exception that we translate into one line of
#: our own; what they log themselves (garminconnect: a traceback per failed read, a warning per
#: retry) is shown only with ``--verbose``.
_TRANSLATED = ("garminconnect",)


class NoTraceback(logging.Filter):
    """Drops the traceback (and stack) from a record: one line per problem without --verbose."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def register_secret(value: str | None) -> None:
    """Mask ``value`` wherever it would appear in a log line from now on (short values ignored)."""
    if value and len(value) >= 6:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, _MASK)
    text = _PATTERNS[0].sub(f"Bearer {_MASK}", text)
    text = _PATTERNS[1].sub(_MASK, text)
    return _PATTERNS[2].sub(lambda m: m.group(1) + _MASK, text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JournaldFormatter(RedactingFormatter):
    """Prefixes every line (a traceback has many) with its syslog priority."""

    def format(self, record: logging.LogRecord) -> str:
        priority = _SYSLOG_PRIORITY.get(record.levelno, 6)
        return "\n".join(f"<{priority}>{line}" for line in super().format(record).splitlines())


def under_journald(environ: Mapping[str, str] = os.environ) -> bool:
    return bool(environ.get("JOURNAL_STREAM"))


def setup_logging(
    *,
    verbose: bool = False,
    stream: TextIO | None = None,
    environ: Mapping[str, str] = os.environ,
) -> None:
    """Send log records to stderr. INFO and up under systemd; WARNING and up on a terminal
    (commands print their own output); DEBUG with ``--verbose``. Without ``--verbose`` the
    libraries in :data:`_TRANSLATED` are silent, and on a terminal no record carries a
    traceback."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if under_journald(environ):
        handler.setFormatter(JournaldFormatter("%(name)s: %(message)s"))
        level = logging.INFO
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        level = logging.WARNING
    if verbose:
        level = logging.DEBUG
    elif not under_journald(environ):
        # A terminal gets one line per problem. The journal keeps the traceback of an error we
        # did not expect (a daemon cannot simply be rerun with --verbose); each of its lines
        # carries the error's priority.
        handler.addFilter(NoTraceback())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    for name in _TRANSLATED:
        logging.getLogger(name).setLevel(level if verbose else logging.CRITICAL)
