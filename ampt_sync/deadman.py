"""A dead-man's switch: ``[alerts] ping_url``, pinged in the healthchecks.io style.

ntfy and webhooks can only tell the runner about a problem the daemon sees; a daemon that is not
running sees nothing. A check service (healthchecks.io, or a self-hosted one) expects a ping every
morning and alerts when none comes. Around each morning push the daemon sends::

    GET <ping_url>/start    the push begins (the service measures how long it runs)
    GET <ping_url>          it succeeded
    GET <ping_url>/fail     it failed (the service alerts at once instead of at the deadline)

A ping never makes a cycle fail: it has a short timeout, is not retried, and a failure is logged
at WARNING without the URL (a check URL holds its secret id, so it is registered as a secret).
"""

from __future__ import annotations

import logging
from typing import Literal

import requests

from ampt_sync.logs import register_secret

log = logging.getLogger(__name__)

#: Longest a ping may take, in seconds.
TIMEOUT_S = 10.0

Signal = Literal["start", "success", "fail"]


def ping_target(ping_url: str, signal: Signal) -> str:
    """The URL to request for ``signal``: ``<url>/start``, ``<url>`` or ``<url>/fail``."""
    base = ping_url.rstrip("/")
    return base if signal == "success" else f"{base}/{signal}"


class Pinger:
    """Pings ``ping_url`` (nothing at all when it is empty)."""

    def __init__(self, ping_url: str, *, http: requests.Session | None = None) -> None:
        self.ping_url = ping_url
        self.http = http or requests.Session()
        register_secret(ping_url.rstrip("/"))

    def ping(self, signal: Signal) -> bool:
        """Send ``signal``; True when the check service answered 2xx. Never raises."""
        if not self.ping_url:
            return False
        try:
            response = self.http.get(ping_target(self.ping_url, signal), timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            log.warning("dead-man's switch: the %s ping failed (%s)", signal, type(exc).__name__)
            return False
        if not 200 <= response.status_code < 300:
            log.warning(
                "dead-man's switch: the %s ping was refused (HTTP %s); check [alerts] ping_url",
                signal,
                response.status_code,
            )
            return False
        return True
