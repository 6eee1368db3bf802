"""Helpers for the page's tests: signing a TestClient in as a runner does, a free port."""

from __future__ import annotations

import re
import socket

from starlette.testclient import TestClient

from ampt_sync.web import auth
from ampt_sync.web.app import Page

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
