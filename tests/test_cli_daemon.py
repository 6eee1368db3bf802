"""`sync`, `pause` and `resume` through the real entry point, against both simulators."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from ampt_sync.files import exclusive_lock
from ampt_sync.sim.accounts import SimulatedAccounts, config_for, simulated_accounts

GOAL_DAY = date.today() + timedelta(weeks=16)
RUNNER = f"""
[athlete]
timezone = "Europe/Berlin"
[goal]
distance = "10k"
date = {GOAL_DAY.isoformat()}
"""


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimulatedAccounts]:
    with simulated_accounts(tmp_path / "run", RUNNER, history_days=42) as running:
        for name, value in running.environ.items():
            monkeypatch.setenv(name, value)
        config = tmp_path / "config.toml"
        config.write_text(config_for(tmp_path / "run", RUNNER))
        monkeypatch.setenv("AMPT_SYNC_CONFIG", str(config))
        yield running


def test_sync_runs_one_cycle_and_says_what_it_did(cli, accounts) -> None:
    result = cli("sync")
    assert result.code == 0, result.stderr
    assert "manual cycle for" in result.stdout
    assert "Strava:" in result.stdout
    assert "verified on Garmin: yes" in result.stdout
    assert accounts.garmin.counts()["writes"] > 0


def test_sync_json_is_one_document(cli, accounts) -> None:
    result = cli("sync", "--format", "json")
    document = json.loads(result.stdout)
    assert document["result"] == "ok"
    assert document["verified"]["ok"] is True


def test_sync_dry_run_changes_nothing_on_garmin(cli, accounts) -> None:
    result = cli("sync", "--dry-run")
    assert result.code == 0, result.stderr
    assert "Garmin: would do" in result.stdout
    assert accounts.garmin.counts()["writes"] == 0


def test_sync_exits_78_when_garmin_needs_a_new_sign_in(cli, accounts) -> None:
    accounts.garmin.revoke_tokens()
    result = cli("sync")
    assert result.code == 78
    assert "ampt-sync auth garmin" in result.stderr


def test_pause_then_resume(cli, accounts) -> None:
    until = (date.today() + timedelta(days=5)).isoformat()
    paused = cli("pause", "--until", until)
    assert paused.code == 0
    assert f"paused until {until}" in paused.stderr
    status = json.loads(cli("status", "--format", "json").stdout)
    assert status["paused_until"] == until
    assert cli("resume").stderr.startswith("resumed")
    assert cli("resume").stderr.startswith("not paused")


def test_pause_refuses_a_date_that_is_not_ahead(cli, accounts) -> None:
    result = cli("pause", "--until", "2020-01-01")
    assert result.code == 78
    assert "is not after today" in result.stderr


@pytest.mark.parametrize("command", [["pull"], ["plan"], ["push"], ["sync"]])
def test_commands_that_write_what_a_cycle_writes_wait_for_a_running_cycle(
    cli, accounts, monkeypatch, command
) -> None:
    monkeypatch.setattr("ampt_sync.service.LOCK_WAIT_S", 0.2)
    with exclusive_lock(accounts.settings.state_dir(accounts.environ) / "cycle.lock"):
        result = cli(*command)
    assert result.code == 75
    assert "another cycle is running" in result.stderr
