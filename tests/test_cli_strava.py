"""`ampt-sync auth strava`, `pull` and `disconnect strava` end to end: the real CLI and stravalib
against the simulated Strava; exit codes, one-line errors, one JSON document, and no token, code
or secret in any log line, any output, or the token file."""

from __future__ import annotations

import http.client
import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from ampt_sync.sim.runner import synthetic_history
from ampt_sync.sim.strava import SIM_CLIENT_ID, SIM_CLIENT_SECRET, StravaSim

ZONE = "America/New_York"
AUTHORIZE_URL = re.compile(r"(http://127\.0\.0\.1:\d+/oauth/authorize\?\S+)")

GOAL_DATE = (date.today() + timedelta(weeks=30)).isoformat()  # a goal ahead, whenever this runs

CONFIG = """
[athlete]
timezone = "{zone}"

[goal]
distance = "half"
date = {GOAL_DATE}

[strava]
client_id = {client_id}

[storage]
state_dir = "{state_dir}"

[secrets]
backend = "file"
"""


def browser_get(url: str, *, follow: bool) -> tuple[int, str, bytes]:
    """A browser's GET (http.client logs nothing); (status, Location, body)."""
    for _ in range(3):
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request("GET", f"{parts.path}?{parts.query}")
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        location = response.getheader("Location") or ""
        if follow and response.status == 302:
            url = location
            continue
        return response.status, location, body
    raise AssertionError("too many redirects")


class Runner(io.StringIO):
    """Stands in for the runner at the terminal: when the CLI waits for the pasted address, it
    reads the consent URL the CLI printed, approves it on the sim and pastes the address the
    browser was sent to."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        super().__init__()
        self.capsys = capsys
        self.out = ""
        self.err = ""
        self.codes: list[str] = []

    def readline(self, *args: Any) -> str:  # type: ignore[override]
        captured = self.capsys.readouterr()
        self.out += captured.out
        self.err += captured.err
        match = AUTHORIZE_URL.search(self.err)
        assert match, self.err
        status, location, _ = browser_get(match.group(1), follow=False)
        assert status == 302
        self.codes.extend(parse_qs(urlsplit(location).query).get("code", []))
        return location + "\n"


@pytest.fixture
def sim() -> Iterator[StravaSim]:
    with StravaSim() as running:
        yield running


@pytest.fixture
def config(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    sim: StravaSim,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    monkeypatch.setenv("AMPT_SYNC_STRAVA_URL", sim.base_url)
    monkeypatch.setenv("AMPT_SYNC_STRAVA_CLIENT_SECRET", SIM_CLIENT_SECRET)
    return write_config(
        CONFIG.format(
            zone=ZONE, client_id=SIM_CLIENT_ID, state_dir=tmp_path / "state", GOAL_DATE=GOAL_DATE
        )
    )


def seed(sim: StravaSim, days: int = 60) -> list[dict[str, Any]]:
    today = datetime.fromtimestamp(sim.now(), ZoneInfo(ZONE)).date()
    activities = synthetic_history(today, days=days, seed=11, zone=ZONE)
    sim.add_activities(activities)
    return activities


def auth_with_code(cli: Callable[..., Any], config: Path, sim: StravaSim) -> Any:
    return cli("--config", str(config), "auth", "strava", "--code", sim.authorize())


# ------------------------------------------------------------------------------------------------
# auth strava


def test_auth_paste_back_checks_the_address_and_stores_the_tokens(
    cli: Callable[..., Any],
    config: Path,
    sim: StravaSim,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner = Runner(capsys)
    monkeypatch.setattr(sys, "stdin", runner)
    result = cli("--config", str(config), "auth", "strava")
    assert result.code == 0, runner.err + result.stderr
    assert "Connected to Strava as athlete 134815 (scope: read,activity:read_all)" in (
        runner.out + result.stdout
    )
    assert "http://localhost/exchange_token" in runner.err
    assert "approval_prompt=force" in runner.err
    assert "next: `ampt-sync pull`" in result.stderr
    assert sim.count("/oauth/token") == 1


def test_auth_paste_back_refuses_an_unticked_box_in_one_line(
    cli: Callable[..., Any],
    config: Path,
    sim: StravaSim,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim.consent.scope = "read"
    monkeypatch.setattr(sys, "stdin", Runner(capsys))
    result = cli("--config", str(config), "auth", "strava")
    assert result.code == 78
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ampt-sync: Strava granted only 'read'")
    assert sim.count("/oauth/token") == 0


def test_auth_listen_takes_one_browser_request_in_a_real_process(
    config: Path, sim: StravaSim
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "ampt_sync", "--config", str(config), "auth", "strava",
         "--listen", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )  # fmt: skip
    try:
        assert process.stderr is not None
        printed = []
        for line in process.stderr:
            printed.append(line)
            match = AUTHORIZE_URL.search(line)
            if match:
                break
        assert match, "".join(printed)
        assert f"ssh -L {port}:127.0.0.1:{port}" in "".join(printed)
        status, _, page = browser_get(match.group(1), follow=True)
        assert status == 200
        assert b"You can close this tab" in page
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Connected to Strava as athlete 134815" in out
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


def test_auth_code_exchanges_without_prompts(
    cli: Callable[..., Any], config: Path, sim: StravaSim
) -> None:
    result = auth_with_code(cli, config, sim)
    assert result.code == 0, result.stderr
    assert "(scope: unknown)" in result.stdout
    assert "give --code the whole redirected address" in result.stderr


def test_auth_code_used_twice_says_it_expired_or_was_used(
    cli: Callable[..., Any], config: Path, sim: StravaSim
) -> None:
    code = sim.authorize()
    assert cli("--config", str(config), "auth", "strava", "--code", code).code == 0
    result = cli("--config", str(config), "auth", "strava", "--code", code)
    assert result.code == 78
    assert result.stderr.strip() == (
        "ampt-sync: Strava refused the authorisation code: it has expired or was already used "
        "(a code works once, within minutes); run `ampt-sync auth strava` again"
    )


def test_auth_without_a_client_secret_says_where_to_put_it(
    cli: Callable[..., Any], config: Path, sim: StravaSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AMPT_SYNC_STRAVA_CLIENT_SECRET")
    result = auth_with_code(cli, config, sim)
    assert result.code == 78
    assert "CREDENTIALS_DIRECTORY/strava-client-secret" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_auth_reads_the_secret_from_systemd_credentials(
    cli: Callable[..., Any],
    config: Path,
    sim: StravaSim,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AMPT_SYNC_STRAVA_CLIENT_SECRET")
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "strava-client-secret").write_text(SIM_CLIENT_SECRET + "\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    assert auth_with_code(cli, config, sim).code == 0


def test_auth_with_a_wrong_secret_or_an_inactive_app_is_one_line(
    cli: Callable[..., Any], config: Path, sim: StravaSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMPT_SYNC_STRAVA_CLIENT_SECRET", "not-the-secret")
    result = auth_with_code(cli, config, sim)
    assert result.code == 78
    assert "refused the client secret" in result.stderr
    sim.app_inactive = True
    result = auth_with_code(cli, config, sim)
    assert result.code == 78
    assert "subscription" in result.stderr


def test_auth_when_strava_is_unreachable_is_temporary(
    cli: Callable[..., Any], config: Path, sim: StravaSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = sim.authorize()
    sim.stop()
    result = cli("--config", str(config), "auth", "strava", "--code", code)
    assert result.code == 75
    assert "cannot reach Strava" in result.stderr


# ------------------------------------------------------------------------------------------------
# pull


def test_pull_json_is_one_document_with_the_report(
    cli: Callable[..., Any], config: Path, sim: StravaSim
) -> None:
    activities = seed(sim)
    auth_with_code(cli, config, sim)
    result = cli("--config", str(config), "pull", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["created"] == len(activities)
    assert document["backfill"] is True
    assert document["error"] is None
    assert document["api_calls"] == sim.count("/api/")
    result = cli("--config", str(config), "pull")
    assert result.code == 0
    assert "0 new, 0 updated, 0 deleted" in result.stdout
    assert "API requests: 1" in result.stdout


def test_pull_stopped_by_the_rate_limit_exits_75_and_says_when(
    cli: Callable[..., Any], config: Path, sim: StravaSim
) -> None:
    seed(sim)
    auth_with_code(cli, config, sim)
    sim.set_usage(short=sim.read_limits[0] - 3)
    result = cli("--config", str(config), "pull", "--format", "json")
    assert result.code == 75
    document = json.loads(result.stdout)
    assert document["retry_at"] is not None
    assert document["created"] > 0
    assert "15-minute read limit" in document["error"]
    assert result.stderr.strip().splitlines()[-1].startswith("ampt-sync: Strava's 15-minute")


def test_pull_after_access_was_revoked_says_reauthorise(
    cli: Callable[..., Any], config: Path, sim: StravaSim
) -> None:
    auth_with_code(cli, config, sim)
    sim.revoke_all()
    result = cli("--config", str(config), "pull")
    assert result.code == 78
    assert result.stderr.strip().endswith("re-authorise with `ampt-sync auth strava`")
    assert "Traceback" not in result.stderr


def test_pull_before_auth_or_with_a_bad_date_is_a_config_problem(
    cli: Callable[..., Any], config: Path
) -> None:
    result = cli("--config", str(config), "pull")
    assert result.code == 78
    assert "ampt-sync auth strava" in result.stderr
    result = cli("--config", str(config), "pull", "--since", "last week")
    assert result.code == 78
    assert "--since: found 'last week'" in result.stderr


def test_pull_since_a_local_date(cli: Callable[..., Any], config: Path, sim: StravaSim) -> None:
    activities = seed(sim)
    auth_with_code(cli, config, sim)
    day = date.fromisoformat(activities[-10]["start_date_local"][:10])
    result = cli("--config", str(config), "pull", "--since", day.isoformat(), "--format", "json")
    assert result.code == 0, result.stderr
    expected = [a for a in activities if a["start_date_local"][:10] >= day.isoformat()]
    assert json.loads(result.stdout)["fetched"] == len(expected)


# ------------------------------------------------------------------------------------------------
# disconnect strava


def test_disconnect_needs_yes_without_a_terminal_then_says_what_it_deleted(
    cli: Callable[..., Any], config: Path, sim: StravaSim
) -> None:
    activities = seed(sim, days=30)
    auth_with_code(cli, config, sim)
    cli("--config", str(config), "pull")
    result = cli("--config", str(config), "disconnect", "strava")
    assert result.code == 78
    assert "--yes" in result.stderr
    result = cli("--config", str(config), "disconnect", "strava", "--yes")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "revoked ampt-sync's access at Strava",
        "deleted the Strava tokens from the token store",
        f"deleted {len(activities)} activities from the database",
        "deleted 1 Strava sync cursor",
    ]
    assert sim.live_refresh_tokens == []
    assert cli("--config", str(config), "pull").code == 78


# ------------------------------------------------------------------------------------------------
# Secrets stay secret


def test_no_token_code_or_secret_in_any_log_output_or_the_token_file(
    cli: Callable[..., Any],
    config: Path,
    sim: StravaSim,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logged = io.StringIO()
    handler = logging.StreamHandler(logged)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))  # unredacted

    def log_everything(**_: Any) -> None:
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.DEBUG)
        for name in ("stravalib", "urllib3", "requests", "ampt_sync"):
            logging.getLogger(name).setLevel(logging.NOTSET)

    monkeypatch.setattr("ampt_sync.logs.setup_logging", log_everything)
    seed(sim, days=30)
    runner = Runner(capsys)
    monkeypatch.setattr(sys, "stdin", runner)
    auth = cli("--verbose", "--config", str(config), "auth", "strava")
    assert auth.code == 0, runner.err + auth.stderr
    sim.expire_access_tokens()  # the pull is refused once, refreshes and goes on
    pulled = cli("--verbose", "--config", str(config), "pull")
    assert pulled.code == 0, pulled.stderr
    assert sim.count("/oauth/token") == 2

    text = "\n".join(
        [logged.getvalue(), runner.out, runner.err, auth.stdout, auth.stderr, pulled.stdout,
         pulled.stderr]
    )  # fmt: skip
    assert "urllib3.connectionpool DEBUG" in text
    assert "stravalib.protocol.ApiV3 INFO" in text
    secrets = {*sim.issued_values(), *runner.codes, SIM_CLIENT_SECRET}
    assert len(secrets) >= 6  # a code, two access tokens, two refresh tokens, the secret
    for secret in secrets:
        assert secret not in text

    state = tmp_path / "state"
    token_file = (state / "tokens.json").read_bytes()
    for secret in secrets:
        assert secret.encode() not in token_file
    assert not list(state.glob("*.key"))  # the key lives elsewhere


# ------------------------------------------------------------------------------------------------
# A real process, killed (SIGKILL) around the moment rotated tokens are saved


def _expire_soon(config: Path) -> None:
    """Make the stored access token due for a refresh (as if 5h55m had passed)."""
    from dataclasses import replace

    from ampt_sync.config import load_config
    from ampt_sync.secrets import open_token_store
    from ampt_sync.strava.client import load_tokens, save_tokens

    settings = load_config(config).settings
    store = open_token_store(settings.secrets.backend, settings.state_dir())
    tokens = load_tokens(store)
    assert tokens is not None
    save_tokens(store, replace(tokens, expires_at=int(time.time()) + 60))


def _pull_until_then_kill(config: Path, sim: StravaSim, path: str) -> None:
    """Run `ampt-sync pull` in a real process and SIGKILL it once the sim has received a
    request to ``path`` (whose answer the sim holds back)."""
    sim.fail("timeout", path=path, delay_s=30)
    seen_before = sim.count(path)
    process = subprocess.Popen(
        [sys.executable, "-m", "ampt_sync", "--config", str(config), "pull"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 30
        while sim.count(path) == seen_before:
            assert process.poll() is None, "the pull ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        process.kill()
        process.wait(10)


def test_killed_after_saving_rotated_tokens_the_next_pull_works(
    cli: Callable[..., Any], config: Path, sim: StravaSim
) -> None:
    seed(sim, days=20)
    auth_with_code(cli, config, sim)
    _expire_soon(config)
    # The refresh went through and was saved; the process dies waiting for the first read.
    _pull_until_then_kill(config, sim, "/api/v3/athlete/activities")
    assert sim.count("/oauth/token") == 2  # the exchange, then the refresh
    result = cli("--config", str(config), "pull")
    assert result.code == 0, result.stderr
    assert sim.count("/oauth/token") == 2  # the saved tokens were used, not refreshed again


def test_killed_before_saving_rotated_tokens_the_next_pull_asks_to_reauthorise(
    cli: Callable[..., Any], config: Path, sim: StravaSim
) -> None:
    auth_with_code(cli, config, sim)
    _expire_soon(config)
    # Strava rotated the refresh token, but the process dies before it reads the answer.
    _pull_until_then_kill(config, sim, "/oauth/token")
    result = cli("--config", str(config), "pull")
    assert result.code == 78
    assert result.stderr.strip().splitlines() == [
        "ampt-sync: Strava rejected the stored refresh token (access revoked, or replaced by a "
        "newer one that was never saved); re-authorise with `ampt-sync auth strava`"
    ]
