"""The CLI skeleton: version, init round trip, status, reset, exit codes, JSON-only stdout."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer

from ampt_sync.cli import app
from ampt_sync.config import load_config, parse_settings
from ampt_sync.errors import AuthError, RateLimited, RemoteUnavailable
from ampt_sync.secrets import STRAVA_TOKENS, open_token_store, user_key_path
from ampt_sync.store.db import open_store

GOAL_DATE = (date.today() + timedelta(weeks=30)).isoformat()  # a goal ahead, whenever this runs

INIT_FLAGS = [
    "--no-input",
    "--name", "Sam",
    "--timezone", "America/New_York",
    "--units", "mi",
    "--hr-max", "188",
    "--hr-rest", "52",
    "--weight-kg", "61",
    "--recent-race", "10k 50:00",
    "--weekly-distance", "30",
    "--birth-year", "1968",
    "--race", "AMPT Half",
    "--distance", "half",
    "--goal-date", GOAL_DATE,
    "--target-time", "1:45:00",
    "--hot",
    "--run-days", "mon,tue,thu,sat,sun",
    "--long-run-day", "sun",
    "--strength-days", "tue,fri",
    "--hills", "garage",
    "--push-at", "04:15",
    "--adapt-at", "21:00",
    "--horizon-days", "10",
    "--poll-minutes", "30",
    "--strava-client-id", "12345",
    "--backfill-days", "90",
    "--database-url", "sqlite:////tmp/ampt-test.db",
    "--secrets-backend", "file",
    "--ntfy-url", "https://ntfy.example/topic",
    "--webhook-url", "http://localhost:9/hook",
]  # fmt: skip


def test_version_flag(cli) -> None:
    result = cli("--version")
    assert (result.code, result.stdout) == (0, "ampt-sync 0.1.0\n")


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ampt_sync", "--version"],
        [str(Path(sys.executable).with_name("ampt-sync")), "--version"],
    ],
)
def test_console_script_and_module_both_run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    assert (done.returncode, done.stdout) == (0, "ampt-sync 0.1.0\n")


def test_init_non_interactive_writes_every_key_and_loads_back_equal(cli, tmp_path: Path) -> None:
    target = tmp_path / "etc" / "config.toml"
    result = cli("--config", str(target), "init", *INIT_FLAGS, "--state-dir", str(tmp_path / "s"))
    assert result.code == 0, result.stderr
    assert f"wrote {target}" in result.stderr
    settings = load_config(target).settings
    expected = parse_settings(
        f"""
        [athlete]
        name = "Sam"
        timezone = "America/New_York"
        units = "mi"
        hr_max = 188
        hr_rest = 52
        weight_kg = 61
        recent_race = "10k 50:00"
        weekly_distance = 30
        birth_year = 1968
        [goal]
        race = "AMPT Half"
        distance = "half"
        date = {GOAL_DATE}
        target_time = "1:45:00"
        hot = true
        [schedule]
        run_days = ["mon", "tue", "thu", "sat", "sun"]
        long_run_day = "sun"
        strength_days = ["tue", "fri"]
        hills = "garage"
        [sync]
        push_at = "04:15"
        adapt_at = "21:00"
        horizon_days = 10
        poll_minutes = 30
        [strava]
        client_id = 12345
        backfill_days = 90
        [storage]
        state_dir = "{tmp_path / "s"}"
        database_url = "sqlite:////tmp/ampt-test.db"
        [secrets]
        backend = "file"
        [alerts]
        ntfy_url = "https://ntfy.example/topic"
        webhook_url = "http://localhost:9/hook"
        """,
        source="expected",
    )
    assert settings == expected


@pytest.mark.parametrize(
    ("flags", "hot", "line"),
    [([], None, None), (["--hot"], True, "hot = true"), (["--not-hot"], False, "hot = false")],
)
def test_init_writes_goal_hot_only_when_a_flag_says(
    cli, tmp_path: Path, flags: list[str], hot: bool | None, line: str | None
) -> None:
    target = tmp_path / "config.toml"
    result = cli("--config", str(target), "init", "--no-input", "--distance", "10k",
                 "--goal-date", GOAL_DATE, *flags)  # fmt: skip
    assert result.code == 0, result.stderr
    text = target.read_text()
    assert ("hot =" in text) is (line is not None)
    assert line is None or line in text
    settings = load_config(target).settings
    assert settings.goal.hot is hot
    assert settings.athlete.birth_year is None


def test_init_reports_an_implausible_birth_year_by_its_key(cli, tmp_path: Path) -> None:
    result = cli("--config", str(tmp_path / "c.toml"), "init", "--no-input", "--distance", "half",
                 "--goal-date", GOAL_DATE, "--birth-year", "1850")  # fmt: skip
    assert result.code == 78
    assert result.stderr.startswith("ampt-sync: init: athlete.birth_year: found 1850, expected")
    assert not (tmp_path / "c.toml").exists()


def test_init_refuses_to_overwrite_without_force(cli, tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    target.write_text("# mine\n")
    result = cli("--config", str(target), "init", "--no-input", "--distance", "5k",
                 "--goal-date", GOAL_DATE)  # fmt: skip
    assert result.code == 78
    assert (
        result.stderr.strip() == f"ampt-sync: {target} already exists; add --force to overwrite it"
    )
    assert target.read_text() == "# mine\n"
    forced = cli("--config", str(target), "init", "--no-input", "--force", "--distance", "5k",
                 "--goal-date", GOAL_DATE)  # fmt: skip
    assert forced.code == 0
    assert load_config(target).settings.goal.distance == "5k"


def test_init_rejects_a_goal_in_the_past(cli, tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    result = cli("--config", str(target), "init", "--no-input", "--distance", "10k",
                 "--goal-date", "2020-01-01")  # fmt: skip
    assert result.code == 78
    assert (
        "init: goal.date: found 2020-01-01, expected a race day on or after today" in result.stderr
    )
    assert not target.exists()


def test_init_without_a_terminal_needs_the_goal_flags(cli, tmp_path: Path) -> None:
    result = cli("--config", str(tmp_path / "c.toml"), "init", "--no-input")
    assert result.code == 78
    assert "goal.distance is required; pass --distance" in result.stderr


def test_init_reports_an_invalid_flag_value_by_its_key(cli, tmp_path: Path) -> None:
    result = cli("--config", str(tmp_path / "c.toml"), "init", "--no-input", "--distance", "half",
                 "--goal-date", GOAL_DATE, "--run-days", "mon,sun")  # fmt: skip
    assert result.code == 78
    assert result.stderr.startswith("ampt-sync: init: schedule.run_days: found 2 run days")


def test_status_json_is_one_document_on_stdout_and_exits_zero(cli, write_config) -> None:
    path = write_config()
    result = cli("--config", str(path), "status", "--format", "json")
    assert result.code == 0
    document = json.loads(result.stdout)
    assert document["config"]["path"] == str(path)
    assert document["database"]["exists"] is False
    assert set(document) >= {"config", "state_dir", "database", "activities", "cycles"}


def test_status_reads_only_and_does_not_create_the_database(cli, write_config) -> None:
    path = write_config()
    settings = load_config(path).settings
    cli("--config", str(path), "status")
    assert not settings.state_dir().exists()


def test_status_reports_stored_data_and_a_broken_config_still_exits_zero(
    cli, write_config, tmp_path: Path
) -> None:
    path = write_config()
    settings = load_config(path).settings
    open_store(settings.database_url()).close()
    result = cli("--config", str(path), "status", "--format", "json")
    document = json.loads(result.stdout)
    assert document["database"]["exists"] is True
    assert document["database"]["revision"] == document["database"]["head"]
    assert document["stored"]["activities"] == 0

    broken = write_config("[goal]\n", name="broken.toml")
    result = cli("--config", str(broken), "status", "--format", "json")
    assert result.code == 0
    assert json.loads(result.stdout)["config"]["error"].startswith(f"{broken}: goal.distance")


def test_reset_says_what_it_deletes_then_deletes_it(cli, write_config) -> None:
    path = write_config()
    settings = load_config(path).settings
    db_file = settings.state_dir() / "ampt-sync.db"
    token_file = settings.state_dir() / "tokens.json"
    open_store(settings.database_url()).close()
    open_token_store("file", settings.state_dir()).set(STRAVA_TOKENS, "refresh-me-0123456789")
    assert db_file.exists()
    assert token_file.exists()

    refused = cli("--config", str(path), "reset")
    assert refused.code == 78
    assert f"database file {db_file}" in refused.stderr
    assert "add --yes" in refused.stderr
    assert db_file.exists()

    done = cli("--config", str(path), "reset", "--yes")
    assert done.code == 0
    assert f"deleted database file {db_file}" in done.stderr
    assert f"deleted stored tokens {token_file}" in done.stderr
    assert not db_file.exists()
    assert not token_file.exists()
    assert cli("--config", str(path), "reset", "--yes").stderr.startswith("nothing to delete")


def test_a_config_error_exits_78_with_one_line_and_no_traceback(cli, write_config) -> None:
    path = write_config("[athlete]\nnmae = 1\n")
    result = cli("--config", str(path), "reset", "--yes")
    assert result.code == 78
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_usage_error_exits_2(cli) -> None:
    assert cli("no-such-command").code == 2


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path under a Click group (typer vendors its own Click)."""
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


def test_every_command_answers_h_and_no_flag_shows_a_value_placeholder(cli) -> None:
    paths = [(), *_commands(typer.main.get_command(app))]
    assert len(paths) > 15
    for path in paths:
        short, long = cli(*path, "-h"), cli(*path, "--help")
        assert (short.code, long.code) == (0, 0), path
        assert short.stdout == long.stdout, path
        assert "<bool>" not in long.stdout, path


def test_the_top_level_help_lists_every_command_once_under_its_panel(cli) -> None:
    shown = cli("--help").stdout
    panels = ["Set-up:", "Strava and Garmin:", "Training:", "Running unattended:"]
    positions = [shown.index(f"\n{panel}\n") for panel in panels]
    assert positions == sorted(positions), "the panels in the order a runner meets them"
    group = typer.main.get_command(app)
    for name in group.commands:
        assert len(re.findall(rf"^  {re.escape(name)} ", shown, flags=re.MULTILINE)) == 1, name
    setup = shown[positions[0] : positions[1]]
    assert re.search(r"^  init +Write a config file", setup, flags=re.MULTILINE)
    # descriptions are wrapped, not cut short with "..."
    assert "..." not in shown[positions[0] :]


def test_the_config_option_is_accepted_after_the_subcommand(cli, write_config) -> None:
    path = write_config()
    for args in (
        ("--config", str(path), "status", "--format", "json"),
        ("status", "--config", str(path), "--format", "json"),
        ("status", "--format", "json", "-c", str(path)),
        ("status", f"--config={path}", "--format", "json"),
    ):
        result = cli(*args)
        assert result.code == 0, (args, result.stderr)
        assert json.loads(result.stdout)["config"]["path"] == str(path), args


def test_shell_completion_completes_subcommands(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("ampt-sync")
    env = {
        "PATH": str(script.parent),
        "HOME": str(tmp_path),
        "_AMPT_SYNC_COMPLETE": "complete_bash",
        "COMP_WORDS": "ampt-sync pu",
        "COMP_CWORD": "1",
    }
    result = subprocess.run([str(script)], env=env, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.split()) == (0, ["pull", "push"])


@pytest.fixture
def failing_command():
    """A throwaway command that raises what the test gives it, to pin the exit-code mapping."""
    raised: list[BaseException] = []

    def boom() -> None:
        raise raised[0]

    app.command(name="test-boom", hidden=True)(boom)
    yield raised
    app.registered_commands[:] = [c for c in app.registered_commands if c.name != "test-boom"]


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (
            AuthError("Strava refused the token; run `ampt-sync auth strava`"),
            78,
            "ampt-sync: Strava",
        ),
        (RemoteUnavailable("Strava did not answer in 8 s; the next cycle retries"), 75, None),
        (
            RateLimited("Strava rate limit reached", retry_at=datetime(2026, 1, 1, tzinfo=UTC)),
            75,
            None,
        ),
        (ValueError("access_token=abc123secret in a bug"), 1, "unexpected ValueError"),
        (typer.Exit(3), 3, None),
    ],
)
def test_errors_map_to_exit_codes_with_one_line(cli, failing_command, error, code, line) -> None:
    failing_command.append(error)
    result = cli("test-boom")
    assert result.code == code
    assert "Traceback" not in result.stderr
    assert "abc123secret" not in result.stderr
    if line:
        assert line in result.stderr
        assert result.stderr.count("\n") == 1


def test_verbose_shows_the_traceback(cli, failing_command) -> None:
    failing_command.append(ValueError("bug"))
    result = cli("--verbose", "test-boom")
    assert result.code == 1
    assert "Traceback" in result.stderr


def test_demo_runs_offline_without_touching_the_runner_state(cli, isolated_env: Path) -> None:
    result = cli("demo", "--days", "3", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"delivery", "plan", "days", "watch_now", "api_calls"}
    assert document["delivery"] == "garmin"
    assert all(set(day) >= {"date", "activities", "changes", "watch"} for day in document["days"])
    assert len(document["days"]) == 3
    first = document["days"][0]
    assert first["watch"], "the watch shows workouts on the first morning"
    assert document["plan"]["goal"]["distance_m"] == 21097.5
    assert document["api_calls"]["cycles"] == 6
    assert document["watch_now"], "the week ahead is on the watch when the demo ends"
    assert all(w["date"] > document["days"][-1]["date"] for w in document["watch_now"])
    assert list(isolated_env.rglob("*")) == []


def test_demo_text_shows_the_plan_the_days_and_the_watch(cli) -> None:
    result = cli("demo", "--days", "8")
    assert result.code == 0, result.stderr
    text = result.stdout
    assert "The plan, week by week" in text
    assert "on the watch at" in text
    assert "the runner missed: Long run" in text  # the scripted miss of the first long run
    assert re.search(r"plan change \((Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}\): ", text)
    # Each kind of session in full (summary, steps, notes) the first time it comes, and only then
    # (the first easy run and the first long run come in the first 8 days; both come again).
    assert text.count("Easy run · ") == 1
    assert text.count("Long run · ") == 1
    assert text.count("the runner ran: Easy") >= 2
    assert "      - Run " in text  # a step, in the page's words
    assert "Dumbbell squat 10 reps" in text  # the strength circuit's steps
    assert "Before: " in text  # the long run's fuelling note
    # the next days by name, not a count
    assert "workouts for the next days" not in text
    assert re.search(r"next days: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w", text)
    # a summary a runner reads, and no API calls
    assert re.search(
        r"In 8 days the runner ran \d+\.\d mi of the \d+\.\d mi on the watch those mornings; "
        r"of \d+ sessions, \d+ done, \d+ cut short, [1-9]\d* missed\.",
        text,
    )
    assert "The plan changed " in text
    assert re.search(r"^On the watch now: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) ", text, re.MULTILINE)
    assert "API calls" not in text


def test_demo_verbose_adds_the_api_calls(cli) -> None:
    result = cli("--verbose", "demo", "--days", "1")
    assert result.code == 0, result.stderr
    assert re.search(r"^API calls over 2 cycles: Strava \d+, Garmin \d+\.$", result.stdout, re.M)


def test_demo_refuses_an_absurd_number_of_days(cli) -> None:
    result = cli("demo", "--days", "0")
    assert result.code == 78
    assert "--days: found 0, expected 1 to 60" in result.stderr


def test_init_rejects_a_goal_years_away(cli, tmp_path: Path) -> None:
    result = cli("--config", str(tmp_path / "c.toml"), "init", "--no-input", "--distance", "5k",
                 "--goal-date", "2207-01-01")  # fmt: skip
    assert result.code == 78
    assert "expected a race within two years" in result.stderr


def test_status_without_the_token_key_reports_it_and_creates_no_key(cli, write_config) -> None:
    path = write_config()
    settings = load_config(path).settings
    key = settings.state_dir().parent / "elsewhere.key"
    open_token_store("file", settings.state_dir(), key_path=key).set(STRAVA_TOKENS, "{}")
    document = json.loads(cli("--config", str(path), "status", "--format", "json").stdout)
    assert "no token key here" in document["tokens"]["error"]
    assert not user_key_path().exists()
