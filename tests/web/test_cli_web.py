"""`ampt-sync web …`, `run` and `demo --serve` as a runner uses them, through the real entry
point (and, to serve, the installed executable)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from page_helpers import csrf_of, free_port
from starlette.testclient import TestClient

from ampt_sync.config import load_config
from ampt_sync.store.db import open_store

EXECUTABLE = str(Path(sys.executable).with_name("ampt-sync"))


#: tests/conftest.py's minimal config (not importable by name: a dependency ships a `tests`).
MINIMAL_CONFIG = f"""
[athlete]
timezone = "America/New_York"

[goal]
distance = "half"
date = {(date.today() + timedelta(weeks=30)).isoformat()}
"""


@pytest.fixture
def config(write_config, tmp_path: Path) -> Path:
    return write_config(
        MINIMAL_CONFIG + f'\n[storage]\nstate_dir = "{tmp_path / "state"}"\n'
        f'[web]\nlisten = "127.0.0.1:{free_port()}"\n'
    )


def set_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_web_password_stores_only_a_hash_and_never_shows_the_password(
    cli, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ampt_sync.web import auth

    set_stdin(monkeypatch, "a proper passphrase\n")
    result = cli("--config", str(config), "web", "password", "--stdin")
    assert result.code == 0, result.stderr
    assert "password is set" in result.stderr
    assert "a proper passphrase" not in result.stdout + result.stderr
    settings = load_config(config).settings
    store = open_store(settings.database_url())
    try:
        with store.transaction() as session:
            assert auth.check_password(session, "a proper passphrase")
    finally:
        store.close()


def test_web_password_refuses_a_short_one_and_a_missing_terminal(
    cli, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_stdin(monkeypatch, "short\n")
    result = cli("--config", str(config), "web", "password", "--stdin")
    assert result.code == 78
    assert "at least 8 characters" in result.stderr
    assert "short" not in result.stderr.replace("too short", "")
    set_stdin(monkeypatch, "")
    result = cli("--config", str(config), "web", "password")
    assert result.code == 78
    assert "--stdin" in result.stderr


def test_web_link_prints_a_link_that_signs_in_once(cli, config: Path) -> None:
    from ampt_sync.web.app import Page, create_app

    result = cli("--config", str(config), "web", "link")
    assert result.code == 0, result.stderr
    link = result.stdout.strip()
    parts = urlsplit(link)
    assert parts.path == "/signin"
    token = parse_qs(parts.query)["token"][0]
    settings = load_config(config).settings
    store = open_store(settings.database_url())
    try:
        client = TestClient(create_app(Page(settings=settings, store=store)))
        form = client.get(f"/signin?token={token}")
        signed = client.post(
            "/signin",
            data={"csrf": csrf_of(form.text), "token": token},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        assert client.get("/", follow_redirects=False).status_code == 200
    finally:
        store.close()


def test_web_link_calendar_and_a_new_key(cli, config: Path) -> None:
    first = cli("--config", str(config), "web", "link", "--calendar").stdout.strip()
    assert "/calendar.ics?key=" in first
    assert cli("--config", str(config), "web", "link", "--calendar").stdout.strip() == first
    renewed = cli("--config", str(config), "web", "new-calendar-key")
    assert renewed.code == 0
    assert "web link --calendar" in renewed.stderr
    second = cli("--config", str(config), "web", "link", "--calendar").stdout.strip()
    assert second != first


def test_the_page_off_loopback_needs_a_password_first(cli, write_config, tmp_path: Path) -> None:
    path = write_config(
        MINIMAL_CONFIG + f'\n[storage]\nstate_dir = "{tmp_path / "state"}"\n'
        '[web]\nlisten = "0.0.0.0:8765"\n'
    )
    for command in (["web"], ["run"]):
        result = cli("--config", str(path), *command)
        assert result.code == 78, command
        assert "ampt-sync web password" in result.stderr
        assert "0.0.0.0:8765" in result.stderr


def test_a_page_switched_off_is_said_so(cli, write_config, tmp_path: Path) -> None:
    path = write_config(
        MINIMAL_CONFIG + f'\n[storage]\nstate_dir = "{tmp_path / "state"}"\n[web]\nlisten = ""\n'
    )
    result = cli("--config", str(path), "web", "link")
    assert result.code == 78
    assert 'web.listen is ""' in result.stderr


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("listen", "8765", 'expected "host:port"'),
        ("listen", "127.0.0.1:70000", "port 1 to 65535"),
        ("base_url", "run.example.org", "http:// or https:// URL"),
    ],
)
def test_web_config_errors_name_the_key_and_what_is_expected(
    cli, write_config, key: str, value: str, message: str
) -> None:
    path = write_config(MINIMAL_CONFIG + f'\n[web]\n{key} = "{value}"\n')
    result = cli("--config", str(path), "status", "--format", "json")
    document = json.loads(result.stdout)
    assert f"web.{key}" in document["config"]["error"]
    assert message in document["config"]["error"]


def test_web_serves_in_the_foreground_until_sigterm(config: Path) -> None:
    settings = load_config(config).settings
    host, port = settings.web.host_port() or ("", 0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMPT_SYNC_")}
    served = subprocess.Popen(
        [EXECUTABLE, "--config", str(config), "web"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        health = None
        while health is None:
            try:
                urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=2)
            except urllib.error.HTTPError as exc:
                health = exc.code
            except OSError:
                assert time.monotonic() < deadline, "the page did not come up"
                time.sleep(0.2)
        assert health == 503  # no cycle has run in this fresh state
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://{host}:{port}/api/plan", timeout=2)
        assert refused.value.code == 401
    finally:
        served.send_signal(signal.SIGTERM)
        _out, err = served.communicate(timeout=15)
    assert served.returncode == 0, err
    assert "serving the page at" in err


def test_the_access_log_never_holds_a_sign_in_token(config: Path) -> None:
    """uvicorn's access log would print request lines, sign-in tokens included: it is off."""
    from ampt_sync.web.app import Page
    from ampt_sync.web.serve import listen_of, make_server

    settings = load_config(config).settings
    store = open_store(settings.database_url())
    try:
        listen = listen_of(settings)
        assert listen is not None
        server = make_server(Page(settings=settings, store=store), listen)
        assert server.config.access_log is False
    finally:
        store.close()


@pytest.mark.parametrize(
    ("delivery", "road"), [("garmin", "Garmin"), ("intervals", "intervals.icu")]
)
def test_demo_serve_prints_a_sign_in_link_and_serves_until_ctrl_c(delivery: str, road: str) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMPT_SYNC_")}
    listen = f"127.0.0.1:{port}"
    demo = subprocess.Popen(
        [EXECUTABLE, "demo", "--days", "2", "--serve", "--listen", listen, "--delivery", delivery],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert demo.stdout is not None
        link = ""
        for line in demo.stdout:
            if "/signin?token=" in line:
                link = line.strip()
                break
        assert link.startswith(f"http://127.0.0.1:{port}/signin?token=")
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(link, timeout=2) as answer:  # noqa: S310 (http only)
                    form = answer.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "the demo's page did not come up"
                time.sleep(0.2)
        assert "Sign in on this device" in form
    finally:
        demo.send_signal(signal.SIGINT)
        _out, err = demo.communicate(timeout=15)
    assert demo.returncode == 0, err
    assert f"starting the simulated Strava and {road};" in err
