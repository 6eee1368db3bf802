"""Fixtures for the runner's page: a store filled by the demo machinery (real cycles through the
real clients against the simulators), a page over it, and a signed-in Starlette TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from page_helpers import own_copy, sign_in
from starlette.testclient import TestClient

from ampt_sync.demo import DemoState, demo_state
from ampt_sync.store.db import Store, open_store
from ampt_sync.web.app import Page, create_app

#: Simulated days the demo lives before the page is looked at: enough for done, cut-short and
#: missed workouts, changes with reasons, and a horizon on Garmin.
DEMO_DAYS = 10


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoState]:
    folder = tmp_path_factory.mktemp("web-demo")
    with demo_state(DEMO_DAYS, folder=folder) as finished:
        yield finished


@pytest.fixture
def store(demo: DemoState) -> Iterator[Store]:
    opened = open_store(demo.settings.database_url(demo.environ))
    yield opened
    opened.close()


@pytest.fixture
def page(demo: DemoState, store: Store) -> Page:
    return Page(
        settings=demo.settings,
        store=store,
        config_path=demo.config_path,
        environ=demo.environ,
        clock=lambda: demo.now,
    )


@pytest.fixture
def client(page: Page) -> Iterator[TestClient]:
    with TestClient(create_app(page), base_url="http://127.0.0.1:8765") as test_client:
        yield test_client


@pytest.fixture
def signed_in(client: TestClient, page: Page) -> TestClient:
    sign_in(client, page)
    return client


@pytest.fixture
def own_page(demo: DemoState, tmp_path: Path) -> Iterator[Page]:
    """A page over a copy of the demo's store in its own state folder (its own cycle lock), for
    tests that record instructions: the shared demo store stays as the demo left it."""
    page = own_copy(demo, tmp_path)
    yield page
    page.store.close()


@pytest.fixture
def own_client(own_page: Page) -> Iterator[TestClient]:
    with TestClient(create_app(own_page), base_url="http://127.0.0.1:8765") as test_client:
        sign_in(test_client, own_page)
        yield test_client
