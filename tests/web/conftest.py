"""Fixtures for the runner's page: a store filled by the demo machinery (real cycles through the
real clients against the simulators), a page over it, and a signed-in Starlette TestClient."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ampt_sync.demo import DemoState, demo_state
from ampt_sync.store.db import Store, open_store
from ampt_sync.web import auth
from ampt_sync.web.app import Page, create_app

#: Simulated days the demo lives before the page is looked at: enough for done, cut-short and
#: missed workouts, changes with reasons, and a horizon on Garmin.
DEMO_DAYS = 10
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


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


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match is not None, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, page: Page) -> None:
    """Sign ``client`` in the way a runner does: a link from `web link`, then its button."""
    with page.store.transaction() as session:
        token = auth.new_sign_in_token(session, now=page.now())
    form = client.get(f"/signin?token={token}")
    assert form.status_code == 200
    answer = client.post(
        "/signin",
        data={"csrf": csrf_of(form.text), "token": token, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


@pytest.fixture
def signed_in(client: TestClient, page: Page) -> TestClient:
    sign_in(client, page)
    return client


def demo_path(demo: DemoState) -> Path:
    return demo.config_path
