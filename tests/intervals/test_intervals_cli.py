"""`ampt-sync auth intervals`, `push` with `[delivery] target = "intervals"`, and
`disconnect intervals`, end to end against the intervals.icu simulator; the key never shows."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ampt_sync.cli import app
from ampt_sync.cli import intervals as intervals_cli
from ampt_sync.intervals.events import EXTERNAL_ID_PREFIX
from ampt_sync.secrets import INTERVALS_KEY, open_token_store
from ampt_sync.sim.intervals import IntervalsSim

GOAL_DATE = (date.today() + timedelta(weeks=30)).isoformat()


def config_text(tmp_path: Path, target: str) -> str:
    return f"""
[athlete]
timezone = "America/New_York"

[goal]
distance = "half"
date = {GOAL_DATE}

[delivery]
target = "{target}"

[storage]
state_dir = "{tmp_path / "state"}"

[secrets]
backend = "file"
"""


@pytest.fixture
def config(tmp_path: Path, sim: IntervalsSim, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AMPT_SYNC_INTERVALS_URL", sim.base_url)
    path = tmp_path / "config.toml"
    path.write_text(config_text(tmp_path, "intervals"), encoding="utf-8")
    return path


def stored(tmp_path: Path) -> dict | None:
    return open_token_store("file", tmp_path / "state").get_json(INTERVALS_KEY)


def ours(sim: IntervalsSim) -> list[dict[str, Any]]:
    return [e for e in sim.events() if (e.get("external_id") or "").startswith(EXTERNAL_ID_PREFIX)]


def test_auth_asks_for_the_id_and_the_hidden_key_checks_them_and_stores_them(
    config: Path, sim: IntervalsSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intervals_cli, "stdin_is_a_terminal", lambda: True)
    result = CliRunner().invoke(
        app,
        ["--config", str(config), "auth", "intervals"],
        input=f"{sim.athlete_id}\n{sim.api_key}\n",
    )
    assert result.exit_code == 0, result.output
    assert f"intervals.icu connected for athlete {sim.athlete_id}" in result.output
    assert sim.api_key not in result.output
    assert stored(tmp_path) == {"athlete_id": sim.athlete_id, "api_key": sim.api_key}
    assert sim.counts() == {"reads": 1, "writes": 0, "total": 1}
    assert sim.api_key not in config.read_text()


def test_auth_with_stdin_needs_the_athlete_id_and_takes_the_key_from_it(
    cli: Callable[..., Any],
    config: Path,
    sim: IntervalsSim,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{sim.api_key}\n"))
    missing = cli("--config", str(config), "auth", "intervals", "--stdin")
    assert missing.code == 78
    assert "--athlete-id" in missing.stderr
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{sim.api_key}\n"))
    done = cli(
        "--config", str(config), "auth", "intervals", "--stdin", "--athlete-id", sim.athlete_id
    )
    assert done.code == 0, done.stderr
    assert stored(tmp_path)["api_key"] == sim.api_key


def test_auth_with_a_wrong_key_stores_nothing_and_exits_78_in_one_line(
    cli: Callable[..., Any],
    config: Path,
    sim: IntervalsSim,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = "wrong-key-0123456789"
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{wrong}\n"))
    result = cli(
        "--config", str(config), "auth", "intervals", "--stdin", "--athlete-id", sim.athlete_id
    )
    assert result.code == 78
    assert result.stderr.count("\n") == 1, result.stderr
    assert "refused the API key" in result.stderr
    assert wrong not in result.stderr + result.stdout
    assert stored(tmp_path) is None


def test_auth_without_a_terminal_says_to_run_it_in_one(config: Path, sim: IntervalsSim) -> None:
    script = Path(sys.executable).with_name("ampt-sync")
    done = subprocess.run(
        [str(script), "auth", "intervals"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**os.environ, "AMPT_SYNC_CONFIG": str(config)},
        timeout=60,
    )
    assert done.returncode == 78
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "needs a terminal" in done.stderr
    assert "--stdin" in done.stderr
    assert sim.counts()["total"] == 0


def test_push_goes_to_intervals_and_disconnect_removes_only_ours_and_the_key(
    cli: Callable[..., Any],
    config: Path,
    sim: IntervalsSim,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    open_token_store("file", tmp_path / "state").set_json(
        INTERVALS_KEY, {"athlete_id": sim.athlete_id, "api_key": sim.api_key}
    )
    own = sim.add_own_event(date.today() + timedelta(days=1), "Club run")
    dry = cli("--config", str(config), "push", "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "would be made (dry run)" in dry.stderr
    assert ours(sim) == []
    pushed = cli("--config", str(config), "push")
    assert pushed.code == 0, pushed.stderr
    assert "intervals.icu changes" in pushed.stdout
    assert len(ours(sim)) >= 3
    again = cli("--config", str(config), "push")
    assert again.code == 0
    assert "already holds the plan" in again.stdout
    assert "1 intervals.icu request(s) (1 read, 0 write)" in again.stderr
    gone = cli("--config", str(config), "disconnect", "intervals", "--yes")
    assert gone.code == 0, gone.stderr
    assert ours(sim) == []
    assert [e["id"] for e in sim.events()] == [own]
    assert stored(tmp_path) is None


def test_push_with_delivery_none_says_there_is_nothing_to_push(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "none.toml"
    path.write_text(config_text(tmp_path, "none"), encoding="utf-8")
    result = cli("--config", str(path), "push")
    assert result.code == 78
    assert 'delivery.target = "none"' in result.stderr


def test_a_wrong_target_names_the_key_and_the_choices(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(config_text(tmp_path, "strava"), encoding="utf-8")
    result = cli("--config", str(path), "status", "--format", "json")
    problem = json.loads(result.stdout)["config"]["error"]
    assert "delivery.target: found 'strava', expected 'garmin', 'intervals' or 'none'" in problem


def test_the_key_is_in_no_log_output_and_not_in_the_token_file(
    cli: Callable[..., Any],
    config: Path,
    sim: IntervalsSim,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logged = io.StringIO()
    handler = logging.StreamHandler(logged)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))  # unredacted

    def log_everything(**_: Any) -> None:
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.DEBUG)
        for name in ("urllib3", "requests", "ampt_sync"):
            logging.getLogger(name).setLevel(logging.NOTSET)

    monkeypatch.setattr("ampt_sync.logs.setup_logging", log_everything)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{sim.api_key}\n"))
    auth = cli(
        "--verbose", "--config", str(config), "auth", "intervals", "--stdin",
        "--athlete-id", sim.athlete_id,
    )  # fmt: skip
    assert auth.code == 0, auth.stderr
    sim.fail("status", status=500, method="POST")  # a failed write, logged and resolved
    pushed = cli("--verbose", "--config", str(config), "push")
    assert pushed.code == 0, pushed.stderr
    status = cli("--config", str(config), "status", "--format", "json")
    text = "\n".join(
        [logged.getvalue(), auth.stdout, auth.stderr, pushed.stdout, pushed.stderr, status.stdout]
    )
    assert "urllib3.connectionpool DEBUG" in text
    assert sim.athlete_id in status.stdout
    assert sim.api_key not in text
    assert sim.api_key.encode() not in (tmp_path / "state" / "tokens.json").read_bytes()
