"""Helpers shared by the Strava tests (importable as ``strava_helpers``)."""

from __future__ import annotations

import http.client
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ampt_sync.sim.strava import SIM_CLIENT_ID, StravaSim

ZONE = "America/New_York"


GOAL_DATE = (date.today() + timedelta(weeks=30)).isoformat()  # a goal ahead, whenever this runs


def config_text(
    state_dir: Path, *, client_id: int = SIM_CLIENT_ID, backfill_days: int = 112
) -> str:
    return f"""
[athlete]
timezone = "{ZONE}"

[goal]
distance = "half"
date = {GOAL_DATE}

[strava]
client_id = {client_id}
backfill_days = {backfill_days}

[storage]
state_dir = "{state_dir}"

[secrets]
backend = "file"
"""


def follow_once(url: str) -> str:
    """What a browser does on the consent page: GET it and read where it redirects (without
    following; the paste-back target does not exist). Uses http.client, which logs nothing."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        response.read()
        assert response.status == 302, response.status
        return response.getheader("Location") or ""
    finally:
        connection.close()


def browser_get(url: str, *, follow: bool = True) -> tuple[int, bytes]:
    """A browser's GET that follows redirects (to the ``--listen`` callback); logs nothing."""
    for _ in range(3):
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        try:
            connection.request("GET", f"{parts.path}?{parts.query}")
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if follow and response.status in (301, 302, 303, 307):
            url = response.getheader("Location") or ""
            continue
        return response.status, body
    raise AssertionError("too many redirects")


def today_local(sim: StravaSim) -> date:
    """Today in the test athlete's zone, on the sim's clock."""
    return datetime.fromtimestamp(sim.now(), ZoneInfo(ZONE)).date()
