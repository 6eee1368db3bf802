"""`ampt-sync auth garmin`, `push` and `disconnect garmin`, end to end against the simulated
Garmin Connect (the sign-in through the sim's login strategy, never Garmin's SSO)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import socket
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from ampt_sync.cli import app
from ampt_sync.cli import garmin as garmin_cli
from ampt_sync.domain import (
    Paces,
)
from ampt_sync.garmin import auth
from ampt_sync.garmin.client import relogin_needed
from ampt_sync.secrets import GARMIN_TOKENS, open_token_store
from ampt_sync.sim.garmin import GarminSim
from ampt_sync.store.db import open_store

PACES = Paces(easy=(329, 370), marathon=304, threshold=283, interval=260, repetition=240)


def _today() -> date:
    return datetime.now(ZoneInfo("America/New_York")).date()


@pytest.fixture
def sim() -> Iterator[GarminSim]:
    with GarminSim(mfa_code="424242") as running:
        yield running


GOAL_DATE = (date.today() + timedelta(weeks=30)).isoformat()  # a goal ahead, whenever this runs


@pytest.fixture
def config(write_config: Callable[..., Path], tmp_path: Path, sim, monkeypatch) -> Path:
    monkeypatch.setenv("AMPT_SYNC_GARMIN_URL", sim.base_url)
    monkeypatch.setattr(auth, "default_strategy", sim.login_strategy)
    return write_config(
        f"""
[athlete]
timezone = "America/New_York"

[goal]
distance = "half"
date = {GOAL_DATE}

[storage]
state_dir = "{tmp_path / "state"}"

[secrets]
backend = "file"
"""
    )


def _token_store(tmp_path: Path):
    return open_token_store("file", tmp_path / "state")


def _connect(tmp_path: Path, sim: GarminSim) -> None:
    _token_store(tmp_path).set(GARMIN_TOKENS, sim.token_json())


def _planned_on_garmin(tmp_path: Path) -> int:
    """Workouts of the stored plan in the 7-day horizon that go to Garmin (rest days do not)."""
    from ampt_sync.store.plans import load_plan

    today = _today()
    store = open_store(f"sqlite:///{tmp_path / 'state' / 'ampt-sync.db'}")
    try:
        with store.transaction() as session:
            plan = load_plan(session)
    finally:
        store.close()
    return sum(
        1 for _d, w in plan.workouts_between(today, today + timedelta(days=7)) if w.kind != "rest"
    )


# ------------------------------------------------------------------------------------------------
# auth garmin


def test_auth_garmin_asks_for_password_and_mfa_and_keeps_only_the_tokens(
    config, sim, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(garmin_cli, "stdin_is_a_terminal", lambda: True)  # the runner types
    result = CliRunner().invoke(
        app,
        ["--config", str(config), "auth", "garmin"],
        input=f"{sim.account.email}\n{sim.account.password}\n424242\n",
    )
    assert result.exit_code == 0, result.output
    assert "Garmin connected" in result.output
    assert sim.account.password not in result.output.replace("Garmin password (not stored)", "")
    stored = json.loads(_token_store(tmp_path).get(GARMIN_TOKENS))
    assert stored["di_token"] in sim.issued_secrets()


def test_auth_garmin_when_garmin_blocks_sign_ins_says_to_wait_hours(
    cli, config, sim, monkeypatch
) -> None:
    monkeypatch.setattr(garmin_cli, "stdin_is_a_terminal", lambda: True)
    sim.login_rate_limited = True
    result = CliRunner().invoke(
        app,
        ["--config", str(config), "auth", "garmin", "--email", sim.account.email],
        input=f"{sim.account.password}\n",
    )
    assert result.exit_code != 0
    assert "Wait a few hours" in str(result.exception)


def test_auth_garmin_imports_a_token_file(cli, config, sim, tmp_path) -> None:
    source = tmp_path / "garmin_tokens.json"
    source.write_text(sim.token_json())
    result = cli("--config", str(config), "auth", "garmin", "--import-tokens", str(source))
    assert result.code == 0, result.stderr
    assert "imported" in result.stderr
    assert _token_store(tmp_path).get(GARMIN_TOKENS) is not None


def _closed_port_url() -> str:
    """An http URL on loopback where nothing listens (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _console_env(config: Path, garmin_url: str) -> dict[str, str]:
    return {**os.environ, "AMPT_SYNC_CONFIG": str(config), "AMPT_SYNC_GARMIN_URL": garmin_url}


def _in_a_terminal(args: list[str], answers: dict[bytes, bytes], env: dict[str, str]):
    """Run the real console script with a pseudo-terminal as its controlling terminal (as over
    ssh), typing each answer once its prompt shows. Click writes a prompt's text, then the input
    function writes its trailing space, after getpass has turned echo off: a prompt is ready
    once that space shows (text typed earlier is echoed, then flushed). Returns (exit code,
    everything the terminal showed)."""
    script = Path(sys.executable).with_name("ampt-sync")
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [str(script), *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
    )
    os.close(secondary)
    output = b""
    waiting = dict(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        output += chunk
        for prompt in [p for p in waiting if p in output]:
            os.write(primary, waiting.pop(prompt) + b"\n")
    else:
        process.kill()
    code = process.wait(timeout=30)
    os.close(primary)
    return code, output.decode(errors="replace").replace("\r\n", "\n")


def test_auth_garmin_without_a_terminal_says_to_run_it_in_one(config, sim) -> None:
    script = Path(sys.executable).with_name("ampt-sync")
    done = subprocess.run(
        [str(script), "auth", "garmin"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=_console_env(config, _closed_port_url()),
        timeout=60,
    )
    assert done.returncode == 78
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "needs a terminal: run it in one" in done.stderr
    assert "--import-tokens" in done.stderr
    assert "Aborted" not in done.stderr


@pytest.mark.parametrize("verbose", [False, True])
def test_auth_garmin_without_a_network_says_so_in_one_line(config, sim, verbose) -> None:
    """The real sign-in (garminconnect's SSO chain) aimed at a closed port: one line and exit
    75; the library's warnings, one per strategy it tried, only with --verbose."""
    password = "not-the-real-one-7"
    code, shown = _in_a_terminal(
        (["--verbose"] if verbose else []) + ["auth", "garmin"],
        {b"Garmin email: ": b"runner@example.com", b"(not stored): ": password.encode()},
        _console_env(config, _closed_port_url()),
    )
    assert code == 75, shown
    after_prompts = shown.split("(not stored):", 1)[1].strip().splitlines()
    problem = "ampt-sync: could not sign in to Garmin"
    assert password not in shown
    if verbose:
        assert any("garminconnect" in line for line in after_prompts), shown
        assert after_prompts[-1].startswith(problem)
    else:
        assert len(after_prompts) == 1, shown
        assert after_prompts[0].startswith(problem)
        assert "check the network" in after_prompts[0]


# ------------------------------------------------------------------------------------------------
# push


def test_push_brings_the_plan_up_to_date_shows_the_changes_then_makes_them(
    cli, config, sim, tmp_path
) -> None:
    _connect(tmp_path, sim)
    result = cli("--config", str(config), "push")
    assert result.code == 0, result.stderr
    expected = _planned_on_garmin(tmp_path)  # the plan push made from the config
    assert expected >= 3
    assert "Garmin changes" in result.stdout
    assert result.stdout.count("create") == expected
    assert len(sim.schedules()) == expected
    assert f"{expected} change(s) made" in result.stderr


def test_a_second_push_changes_nothing_and_says_so(cli, config, sim, tmp_path) -> None:
    _connect(tmp_path, sim)
    assert cli("--config", str(config), "push").code == 0
    sim.clear_log()
    result = cli("--config", str(config), "push")
    assert result.code == 0, result.stderr
    assert "already holds the plan" in result.stdout
    assert sim.counts() == {"reads": 1, "writes": 0, "total": 1}


def test_push_dry_run_writes_nothing(cli, config, sim, tmp_path) -> None:
    _connect(tmp_path, sim)
    assert cli("--config", str(config), "plan").code == 0  # a dry run stores no plan (issue 13)
    result = cli("--config", str(config), "push", "--dry-run")
    assert result.code == 0, result.stderr
    assert result.stdout.count("create") == _planned_on_garmin(tmp_path)
    assert "would be made (dry run)" in result.stderr
    assert sim.counts()["writes"] == 0
    assert sim.workouts == {}


def test_push_json_is_one_document_with_the_api_calls(cli, config, sim, tmp_path) -> None:
    _connect(tmp_path, sim)
    result = cli("--config", str(config), "push", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    expected = _planned_on_garmin(tmp_path)
    assert [row[0] for row in document["applied"]] == ["create"] * expected
    assert document["api_calls"]["writes"] == 2 * expected  # upload + schedule each
    assert document["errors"] == []


def test_push_with_refused_tokens_asks_for_a_relogin(cli, config, sim, tmp_path) -> None:
    _connect(tmp_path, sim)
    sim.revoke_tokens()
    result = cli("--config", str(config), "push")
    assert result.code == 78
    assert "ampt-sync auth garmin" in result.stderr
    store = open_store(f"sqlite:///{tmp_path / 'state' / 'ampt-sync.db'}")
    try:
        assert relogin_needed(store) is not None
    finally:
        store.close()


def test_push_before_any_sign_in_says_to_connect_garmin(cli, config, tmp_path) -> None:
    result = cli("--config", str(config), "push")
    assert result.code == 78
    assert "ampt-sync auth garmin" in result.stderr


def test_push_while_paused_before_any_plan_says_to_resume(cli, config, sim, tmp_path) -> None:
    _connect(tmp_path, sim)
    until = (_today() + timedelta(days=3)).isoformat()
    assert cli("--config", str(config), "pause", "--until", until).code == 0
    result = cli("--config", str(config), "push")
    assert result.code == 78
    assert "ampt-sync resume" in result.stderr


# ------------------------------------------------------------------------------------------------
# disconnect garmin


def test_disconnect_garmin_removes_ours_then_the_tokens(cli, config, sim, tmp_path) -> None:
    _connect(tmp_path, sim)
    own, _ = sim.add_own_workout("My own long run", _today() + timedelta(days=2))
    assert cli("--config", str(config), "push").code == 0
    result = cli("--config", str(config), "disconnect", "garmin", "--yes")
    assert result.code == 0, result.stderr
    assert f"removed {_planned_on_garmin(tmp_path)} workout(s)" in result.stderr
    assert set(sim.workouts) == {own}
    assert len(sim.schedules()) == 1
    assert _token_store(tmp_path).get(GARMIN_TOKENS) is None


def test_disconnect_garmin_asks_first(cli, config, sim, tmp_path) -> None:
    _connect(tmp_path, sim)
    result = cli("--config", str(config), "disconnect", "garmin")
    assert result.code == 78
    assert "--yes" in result.stderr
    assert _token_store(tmp_path).get(GARMIN_TOKENS) is not None
