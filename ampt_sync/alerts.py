"""Telling the runner when something needs them: ntfy and/or a webhook, once per problem.

A problem is a stable name (see the constants below). :meth:`Alerter.raise_alert` sends it to every
configured channel that has not had it yet and remembers that in the store; nothing more is sent
for that problem until :meth:`Alerter.clear` is called when it goes away (the home-assistant
coordinator's "log when it starts failing and when it recovers" rule, applied to messages).

Alert texts are our own words, dates and workout titles only: never Strava data (activity names,
distances, heart rates), which Strava's terms let us show to the runner in the app alone.

A channel that cannot be reached is logged and tried again at the next alert of that problem;
an alert never makes a cycle fail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import requests
from sqlalchemy.orm import Session

from ampt_sync.store import state

log = logging.getLogger(__name__)

CYCLE_FAILED = "cycle-failed"
GARMIN_RELOGIN = "garmin-relogin"
STRAVA_REAUTH = "strava-reauth"
INTERVALS_REAUTH = "intervals-reauth"
NEW_GOAL = "new-goal"
#: new run days are due but the config file cannot be written (see ampt_sync.steering)
RUN_DAYS_PENDING = "run-days-pending"

TIMEOUT_S = 8.0


@dataclass(frozen=True)
class Alert:
    problem: str
    title: str
    message: str
    urgent: bool = False


class Alerter:
    """Sends alerts over the channels configured in ``[alerts]``."""

    def __init__(
        self, *, ntfy_url: str = "", webhook_url: str = "", http: requests.Session | None = None
    ) -> None:
        self.channels = {
            name: url for name, url in (("ntfy", ntfy_url), ("webhook", webhook_url)) if url
        }
        self.http = http or requests.Session()

    def raise_alert(self, session: Session, alert: Alert, *, now: datetime) -> list[str]:
        """Send ``alert`` where it has not been sent yet; returns the channels that got it now."""
        active = state.get(session, state.ACTIVE_ALERTS) or {}
        entry = active.get(
            alert.problem, {"title": alert.title, "since": now.isoformat(), "sent": []}
        )
        sent_now = []
        for channel, url in self.channels.items():
            if channel in entry["sent"]:
                continue
            if self._send(channel, url, alert, now):
                entry["sent"].append(channel)
                sent_now.append(channel)
        active[alert.problem] = entry
        state.put(session, state.ACTIVE_ALERTS, active, now=now)
        return sent_now

    def clear(self, session: Session, problem: str, *, now: datetime) -> bool:
        """The problem went away: the next occurrence alerts again. True if it was active."""
        active = state.get(session, state.ACTIVE_ALERTS) or {}
        if active.pop(problem, None) is None:
            return False
        state.put(session, state.ACTIVE_ALERTS, active, now=now)
        log.info("alert %s cleared", problem)
        return True

    def _send(self, channel: str, url: str, alert: Alert, now: datetime) -> bool:
        try:
            if channel == "ntfy":
                response = self.http.post(
                    url,
                    data=alert.message.encode(),
                    headers={
                        "Title": alert.title,
                        "Tags": "warning" if alert.urgent else "running_shirt_with_sash",
                        "Priority": "high" if alert.urgent else "default",
                    },
                    timeout=TIMEOUT_S,
                )
            else:
                response = self.http.post(
                    url,
                    json={
                        "source": "ampt-sync",
                        "problem": alert.problem,
                        "title": alert.title,
                        "message": alert.message,
                        "urgent": alert.urgent,
                        "at": now.isoformat(),
                    },
                    timeout=TIMEOUT_S,
                )
            response.raise_for_status()
        except requests.RequestException as exc:
            log.warning(
                "could not send the %s alert %r via %s: %s",
                alert.problem,
                alert.title,
                channel,
                exc.__class__.__name__,
            )
            return False
        log.info("sent the %s alert via %s", alert.problem, channel)
        return True


def active_alerts(session: Session) -> dict[str, dict]:
    return state.get(session, state.ACTIVE_ALERTS) or {}
