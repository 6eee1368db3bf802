"""The cycle's first step: pull the runner's activities from the configured source
(``[activities] source``: Strava, Garmin Connect or intervals.icu) into the store. A service
that is unwell goes into the report; only a stop ends the cycle here."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ampt_sync.cycle.report import CycleDeps, CycleReport, guard
from ampt_sync.errors import (
    AmptSyncError,
    Interrupted,
)
from ampt_sync.secrets import TokenStore
from ampt_sync.store.db import Store

if TYPE_CHECKING:
    from ampt_sync.pulls import PullReport


def pull_activities(
    deps: CycleDeps,
    store: Store,
    token_store: TokenStore,
    report: CycleReport,
    stop: threading.Event | None,
) -> bool:
    """Pull from the configured activity source. False when the cycle must end here
    (interrupted)."""
    if deps.settings.activities.source == "garmin":
        return _pull_garmin(deps, store, token_store, report, stop)
    if deps.settings.activities.source == "intervals":
        return _pull_intervals(deps, store, token_store, report, stop)
    from ampt_sync.pulls import PullReport
    from ampt_sync.strava.client import build_client
    from ampt_sync.strava.sync import pull

    pulled = PullReport()
    options: dict[str, Any] = {"before_request": guard(stop)}
    if deps.epoch is not None:
        options["clock"] = deps.epoch
    client = None
    try:
        client = build_client(deps.settings, token_store, environ=deps.environ, **options)
        pull(client, store, deps.settings, report=pulled)
    except Interrupted as exc:
        report.fail("interrupted", str(exc))
        return False
    except AmptSyncError as exc:
        report.failed_with(exc, "Strava")
    finally:
        if client is not None:
            report.api_calls["strava"] += client.api_calls + client.oauth_calls
            client.close()
    _record(report, pulled)
    return True


def _pull_garmin(
    deps: CycleDeps,
    store: Store,
    token_store: TokenStore,
    report: CycleReport,
    stop: threading.Event | None,
) -> bool:
    """Pull from Garmin Connect (``[activities] source = "garmin"``): no Strava involved."""
    from ampt_sync.garmin.activities import run_pull
    from ampt_sync.pulls import PullReport

    pulled = PullReport()
    check = guard(stop)

    def on_request(method: str, url: str, when: str) -> None:
        if when == "before":
            check()

    try:
        run_pull(
            deps.settings,
            store,
            token_store,
            now=deps.now,
            environ=deps.environ,
            on_request=on_request,
            report=pulled,
        )
    except AmptSyncError as exc:
        if stop is not None and stop.is_set():
            # garminconnect wraps what our request hook raises; the stop is what happened.
            report.fail("interrupted", "stopped on request; the next cycle carries on")
            return False
        report.failed_with(exc, "Garmin")
    finally:
        report.api_calls["garmin"] += pulled.api_calls + pulled.token_refreshes
    _record(report, pulled)
    return True


def _pull_intervals(
    deps: CycleDeps,
    store: Store,
    token_store: TokenStore,
    report: CycleReport,
    stop: threading.Event | None,
) -> bool:
    """Pull from intervals.icu (``[activities] source = "intervals"``): no Strava involved. Its
    requests count under ``api_calls["intervals"]``, with the push's when it delivers there."""
    from ampt_sync.intervals.activities import run_pull
    from ampt_sync.pulls import PullReport

    pulled = PullReport()
    check = guard(stop)
    try:
        run_pull(
            deps.settings,
            store,
            token_store,
            now=deps.now,
            environ=deps.environ,
            before_request=lambda method, path: check(),
            report=pulled,
        )
    except Interrupted as exc:
        report.fail("interrupted", str(exc))
        return False
    except AmptSyncError as exc:
        report.failed_with(exc, "intervals.icu")
    finally:
        report.api_calls["intervals"] = report.api_calls.get("intervals", 0) + pulled.api_calls
    _record(report, pulled)
    return True


def _record(report: CycleReport, pulled: PullReport) -> None:
    report.pulled = pulled.to_json()
    report.new_activities = pulled.created + pulled.updated + pulled.deleted
