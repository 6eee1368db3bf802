"""The page on the intervals.icu road: today's "next days" table and the status page say where
the workouts went (intervals.icu, from its ledger), not Garmin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from page_helpers import sign_in
from starlette.testclient import TestClient

from ampt_sync.demo import DemoState, demo_state
from ampt_sync.store.db import open_store
from ampt_sync.web.app import Page, create_app


@pytest.fixture(scope="module")
def intervals_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoState]:
    folder = Path(tmp_path_factory.mktemp("intervals-demo"))
    with demo_state(3, folder=folder, delivery="intervals") as finished:
        yield finished


def test_the_page_says_what_is_on_intervals_icu(intervals_demo: DemoState) -> None:
    demo = intervals_demo
    store = open_store(demo.settings.database_url(demo.environ))
    page = Page(settings=demo.settings, store=store, config_path=demo.config_path,
                environ=demo.environ, clock=lambda: demo.now)  # fmt: skip
    try:
        with TestClient(create_app(page), base_url="http://127.0.0.1:8765") as client:
            sign_in(client, page)
            today = client.get("/").text
            assert "what is on intervals.icu" in today
            assert "on intervals.icu ✓" in today
            assert "Garmin" not in today.split("<h2>Last cycle</h2>")[0]
            status = client.get("/status").text
            assert "Next days: plan and intervals.icu" in status
            # the cycles' requests name the services called: Strava and intervals.icu, no Garmin
            cycles = status.split("Last cycles")[1]
            assert re.search(r"Strava \d+, intervals\.icu [1-9]\d* calls", cycles)
            assert "Garmin 0" not in cycles
    finally:
        store.close()
