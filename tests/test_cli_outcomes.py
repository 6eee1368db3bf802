"""Issue 13, findings 6 and 8: one mapping from outcome to exit code for every command, one line
per problem with no traceback, and dry runs that store nothing.

Exit codes (README, "Exit codes"): 0 ok, 75 temporary (retry later), 78 configuration or
sign-in, 1 anything else. Checked for `sync`, `push`, `pull`, `plan` and `run`, with and without
`--dry-run`, with the config given by `--config` and by `$AMPT_SYNC_CONFIG`, through the real
entry point against the simulators.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from ampt_sync.sim.accounts import SimulatedAccounts, config_for, simulated_accounts
from ampt_sync.sim.garmin import HTML_PAGE

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
    with simulated_accounts(tmp_path / "run", RUNNER, history_days=28) as running:
        for name, value in running.environ.items():
            monkeypatch.setenv(name, value)
        yield running


@pytest.fixture
def config(tmp_path: Path, accounts: SimulatedAccounts) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(config_for(tmp_path / "run", RUNNER))
    return path


def _rows(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table (the schema version aside)."""
    with sqlite3.connect(database) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name != "alembic_version"
        ]
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}  # noqa: S608


def _database(accounts: SimulatedAccounts) -> Path:
    return Path(accounts.settings.database_url().removeprefix("sqlite:///"))


def _one_line(stderr: str) -> None:
    problems = [line for line in stderr.splitlines() if line.startswith("ampt-sync:")]
    assert problems, stderr
    assert "Traceback" not in stderr
    assert "File \"" not in stderr


# ------------------------------------------------------------------------------------------------
# 6. dry runs store nothing


@pytest.mark.parametrize("command", [["push", "--dry-run"], ["sync", "--dry-run"]])
def test_a_dry_run_stores_nothing(cli, config, accounts, command) -> None:
    # Runs pulled and no plan made from them yet: a real push or sync would store a plan now.
    assert cli("--config", str(config), "pull").code == 0
    before = _rows(_database(accounts))
    result = cli("--config", str(config), *command)
    assert result.code == 0, result.stderr
    assert _rows(_database(accounts)) == before
    assert accounts.garmin.counts()["writes"] == 0


# ------------------------------------------------------------------------------------------------
# 8. one mapping from outcome to exit code


def _how(how: str, config: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    if how == "--config":
        return ["--config", str(config)]
    monkeypatch.setenv("AMPT_SYNC_CONFIG", str(config))
    return []


COMMANDS = [["sync"], ["sync", "--dry-run"], ["push"], ["push", "--dry-run"], ["pull"], ["plan"]]


@pytest.mark.parametrize("how", ["--config", "$AMPT_SYNC_CONFIG"])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_everything_well_exits_0(cli, config, accounts, monkeypatch, how, command) -> None:
    result = cli(*_how(how, config, monkeypatch), *command)
    assert result.code == 0, result.stderr


@pytest.mark.parametrize("how", ["--config", "$AMPT_SYNC_CONFIG"])
@pytest.mark.parametrize(
    "command", [["sync"], ["sync", "--dry-run"], ["push"], ["push", "--dry-run"]], ids=" ".join
)
def test_garmin_rate_limiting_exits_75(cli, config, accounts, monkeypatch, how, command) -> None:
    accounts.garmin.fail("status", status=429, times=1000)
    result = cli(*_how(how, config, monkeypatch), *command)
    assert result.code == 75, result.stderr
    assert "rate limiting" in result.stderr


@pytest.mark.parametrize("how", ["--config", "$AMPT_SYNC_CONFIG"])
@pytest.mark.parametrize("command", COMMANDS[:5], ids=" ".join)
def test_no_accounts_connected_exits_78_dry_run_or_not(
    cli, config, accounts, monkeypatch, how, command
) -> None:
    accounts.token_store.forget_all()  # no Strava and no Garmin sign-in
    result = cli(*_how(how, config, monkeypatch), *command)
    assert result.code == 78, (result.code, result.stderr)


@pytest.mark.parametrize("command", [["sync"], ["sync", "--dry-run"]], ids=" ".join)
def test_a_set_up_without_strava_or_garmin_exits_78_dry_run_or_not(
    cli, write_config, tmp_path, command
) -> None:
    config = write_config(
        RUNNER + f'[storage]\nstate_dir = "{tmp_path / "state"}"\n[secrets]\nbackend = "file"\n'
    )
    result = cli("--config", str(config), *command)
    assert result.code == 78, result.stderr
    if "--dry-run" not in command:  # a dry run does not pull
        assert "strava.client_id is not set" in result.stderr


@pytest.mark.parametrize("command", [["sync"], ["push"]], ids=" ".join)
def test_a_malformed_garmin_answer_exits_1_with_one_line_and_no_traceback(
    cli, config, accounts, command
) -> None:
    accounts.garmin.fail("body", method="GET", path="^/calendar-service/", body=HTML_PAGE, times=9)
    result = cli("--config", str(config), *command)
    assert result.code == 1, result.stderr
    assert "not the JSON it documents" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [*COMMANDS, ["run"]], ids=" ".join)
@pytest.mark.parametrize("bad", ["directory", "missing"])
def test_a_bad_config_path_is_one_line_and_78(cli, tmp_path, monkeypatch, command, bad) -> None:
    path = tmp_path if bad == "directory" else tmp_path / "nowhere.toml"
    for args in (["--config", str(path)], []):
        if not args:
            monkeypatch.setenv("AMPT_SYNC_CONFIG", str(path))
        result = cli(*args, *command)
        assert result.code == 78, (args, result.stderr)
        _one_line(result.stderr)
        assert str(path) in result.stderr


def test_status_shows_a_garmin_write_whose_outcome_is_not_known_yet(cli, config, accounts) -> None:
    from ampt_sync.store.db import open_store
    from ampt_sync.store.ledger import GarminLedger, LedgerEntry

    assert cli("--config", str(config), "push").code == 0
    store = open_store(accounts.settings.database_url())
    try:
        ledger = GarminLedger(store)
        key = sorted(ledger.all())[0]
        ledger.put(ledger.get(key).but(pending="unsure-create"))  # as a push leaves it
        ledger.put(LedgerEntry(key="w-old", pending="removed"))  # a tombstone: settled
    finally:
        store.close()
    document = json.loads(cli("--config", str(config), "status", "--format", "json").stdout)
    assert document["unresolved_garmin_writes"] == [{"key": key, "pending": "unsure-create"}]
    text = " ".join(cli("--config", str(config), "status").stdout.split())  # the table wraps
    assert f"1 unresolved (the next push checks them on Garmin): {key} (unsure-create)" in text
