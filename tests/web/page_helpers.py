"""Helpers for the page's tests: signing a TestClient in as a runner does, a free port."""

from __future__ import annotations

import re
import socket
import sqlite3
from pathlib import Path

from starlette.testclient import TestClient

from ampt_sync.demo import DemoState
from ampt_sync.store.db import open_store
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


def own_copy(demo: DemoState, folder: Path) -> Page:
    """A page over a copy of the demo's database (SQLite's backup, so its WAL is included) in
    ``folder``/state, and a copy of its config file (``folder``/config.toml, which the goal and
    run-days forms may change) whose state folder (and so cycle lock) is that one. The caller
    closes ``page.store``."""
    from ampt_sync.config import load_config
    from ampt_sync.config_edit import edited_text

    state_dir = folder / "state"
    state_dir.mkdir(mode=0o700)
    source_url = demo.settings.database_url(demo.environ)
    assert source_url.startswith("sqlite:///"), source_url
    source = sqlite3.connect(source_url.removeprefix("sqlite:///"))
    target = sqlite3.connect(state_dir / "ampt-sync.db")
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    config = folder / "config.toml"
    own_storage = {"storage": {"state_dir": str(state_dir), "database_url": None}}
    config.write_text(edited_text(demo.config_path.read_text(), own_storage, source=str(config)))
    settings = load_config(config, today=demo.now.date(), environ=demo.environ).settings
    assert settings.state_dir(demo.environ) == state_dir
    return Page(
        settings=settings,
        store=open_store(settings.database_url(demo.environ)),
        config_path=config,
        environ=demo.environ,
        clock=lambda: demo.now,
    )
