"""``[activities] source = "intervals"``: the cycle, `pull`, `status` and the demo read runs from
intervals.icu with the key `auth intervals` stored, never need Strava, and a switch of source
keeps the history without counting a run twice. End to end through the real clients (our
IntervalsClient, stravalib) against the simulators."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from ampt_sync.config import parse_settings
from ampt_sync.demo import simulate
from ampt_sync.domain import Activity
from ampt_sync.intervals.activity_json import our_id
from ampt_sync.service import CycleDeps, run_cycle
from ampt_sync.sim.accounts import SimulatedAccounts, config_for, simulated_accounts
from ampt_sync.sim.runner import Segment, build_activity, intervals_view
from ampt_sync.store.activities import load_activities
from ampt_sync.store.db import open_store
from ampt_sync.store.models import ActivityRow
from ampt_sync.training.duplicates import drop_duplicates
from ampt_sync.training.load import week_start

GOAL_DAY = datetime.now(UTC).date() + timedelta(weeks=20)
RUNNER = f"""
[athlete]
name = "Sam"
timezone = "America/New_York"
units = "mi"
hr_max = 188
[goal]
race = "Spring Half"
distance = "half"
date = {GOAL_DAY.isoformat()}
[schedule]
run_days = ["tue", "thu", "sat", "sun"]
long_run_day = "sun"
[sync]
horizon_days = 7
"""


def deps(accounts: SimulatedAccounts, source: str) -> CycleDeps:
    settings = parse_settings(
        config_for(accounts.settings.state_dir(accounts.environ).parent, RUNNER, source=source),
        source="test config",
    )
    return CycleDeps(
        settings=settings,
        environ=accounts.environ,
        now=accounts.now,
        epoch=accounts.strava.now,
        token_store=accounts.token_store,
    )


def stored_activities(accounts: SimulatedAccounts) -> tuple[list[Activity], int]:
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            rows = session.scalar(select(func.count()).select_from(ActivityRow)) or 0
            return load_activities(session), rows
    finally:
        store.close()


def weekly_run_m(activities: list[Activity]) -> dict[str, float]:
    weeks: dict[str, float] = defaultdict(float)
    for a in activities:
        if a.is_run:
            weeks[week_start(a.day).isoformat()] += a.distance_m
    return dict(weeks)


@pytest.fixture
def icu_accounts(tmp_path: Path) -> Iterator[SimulatedAccounts]:
    with simulated_accounts(
        tmp_path / "run", RUNNER, history_days=56, source="intervals"
    ) as running:
        yield running


# ------------------------------------------------------------------------------------------------
# A cycle reading from intervals.icu


def test_an_intervals_cycle_never_calls_strava_and_costs_one_read_when_nothing_is_new(
    icu_accounts: SimulatedAccounts, caplog: pytest.LogCaptureFixture
) -> None:
    accounts = icu_accounts
    caplog.set_level(logging.DEBUG)
    cycle = deps(accounts, "intervals")
    first = run_cycle(cycle, "manual")
    assert first.result == "ok", first.errors
    assert first.pulled is not None
    assert first.pulled["backfill"]
    assert first.pulled["created"] > 20
    assert first.api_calls["strava"] == 0
    assert accounts.strava.requests == []  # Strava is never asked anything
    assert first.api_calls["intervals"] == first.pulled["api_calls"] > 0
    activities, _rows = stored_activities(accounts)
    assert {a.source for a in activities} == {"intervals"}

    accounts.advance_to(accounts.now() + timedelta(hours=2))
    accounts.intervals.clear_log()
    poll = run_cycle(cycle, "poll")
    assert poll.result == "ok", poll.errors
    assert poll.pulled is not None
    assert poll.pulled["api_calls"] == 1 == accounts.intervals.counts()["total"]
    assert poll.api_calls["intervals"] == 1
    assert poll.new_activities == 0
    assert accounts.intervals.api_key not in caplog.text


def test_an_intervals_cycle_with_a_refused_key_asks_for_auth_intervals_not_strava(
    icu_accounts: SimulatedAccounts,
) -> None:
    icu_accounts.intervals.api_key = "a-key-the-runner-regenerated"  # the stored one is refused
    report = run_cycle(deps(icu_accounts, "intervals"), "manual")
    assert report.result == "auth"
    assert report.errors
    assert all(e.startswith("intervals.icu: ") for e in report.errors)
    assert any("ampt-sync auth intervals" in e for e in report.errors)
    assert not any("strava" in e.lower() for e in report.errors)


def test_a_refused_key_raises_the_intervals_alert_saying_runs_are_not_seen_and_clears(
    icu_accounts: SimulatedAccounts,
) -> None:
    from test_alerts import Receiver  # type: ignore[import-not-found]

    from ampt_sync.alerts import Alerter, active_alerts

    receiver = Receiver()
    try:
        cycle = dataclasses.replace(
            deps(icu_accounts, "intervals"), alerter=Alerter(webhook_url=f"{receiver.url}/hook")
        )
        key = icu_accounts.intervals.api_key
        icu_accounts.intervals.api_key = "a-key-the-runner-regenerated"
        assert run_cycle(cycle, "adapt").result == "auth"
        (sent,) = [json.loads(r["body"]) for r in receiver.requests]
        assert sent["problem"] == "intervals-reauth"
        # Workouts still go to Garmin: only the runs are not seen.
        assert "so new runs are not seen. Run `ampt-sync auth intervals`" in sent["message"]
        assert "watch" not in sent["message"]
        icu_accounts.intervals.api_key = key  # the runner ran `auth intervals` again
        assert run_cycle(cycle, "adapt").result == "ok"
    finally:
        receiver.server.shutdown()
    store = open_store(icu_accounts.settings.database_url(icu_accounts.environ))
    try:
        with store.transaction() as session:
            assert "intervals-reauth" not in active_alerts(session)
    finally:
        store.close()


def test_an_intervals_429_during_the_pull_is_rate_limited_with_a_retry_time(
    icu_accounts: SimulatedAccounts,
) -> None:
    icu_accounts.intervals.fail("status", status=429, path="/activities$", retry_after_s=600)
    report = run_cycle(deps(icu_accounts, "intervals"), "manual")
    assert report.result == "rate_limited"
    assert report.retry_at is not None
    assert report.errors[0].startswith("intervals.icu: intervals.icu's rate limit was reached")


def test_a_stop_ends_the_intervals_pull_before_any_request_and_the_cycle_is_interrupted(
    icu_accounts: SimulatedAccounts,
) -> None:
    stop = threading.Event()
    stop.set()
    report = run_cycle(deps(icu_accounts, "intervals"), "manual", stop)
    assert report.result == "interrupted"
    assert icu_accounts.intervals.counts()["total"] == 0


# ------------------------------------------------------------------------------------------------
# Switching source


def _todays_run(accounts: SimulatedAccounts, activity_id: int) -> dict:
    zone = ZoneInfo("America/New_York")
    return build_activity(
        activity_id=activity_id,
        name="Morning Run",
        sport_type="Run",
        start_local=datetime.combine(accounts.local_today(), time(6, 30), zone),
        segments=[Segment(9000, 330, 142)],
        workout_type=0,
    )


@pytest.mark.parametrize("old_source", ["strava", "garmin"])
def test_switching_to_intervals_keeps_the_history_and_counts_no_run_twice(
    tmp_path: Path, old_source: str
) -> None:
    with simulated_accounts(
        tmp_path / "run",
        RUNNER,
        history_days=56,
        source=old_source,
        history_on=(old_source, "intervals"),
    ) as accounts:
        before = run_cycle(deps(accounts, old_source), "manual")
        assert before.result == "ok", before.errors
        history, rows_before = stored_activities(accounts)
        assert {a.source for a in history} == {old_source}

        # Today's run is on intervals.icu only: the runner has switched.
        accounts.intervals.add_activity(*intervals_view(_todays_run(accounts, 77_000_000_001)))
        zone = ZoneInfo("America/New_York")
        today = accounts.local_today()
        accounts.advance_to(datetime.combine(today, time(20), zone))

        after = run_cycle(deps(accounts, "intervals"), "manual")
        assert after.result == "ok", after.errors
        assert after.api_calls["strava"] == 0
        activities, rows_after = stored_activities(accounts)

    # intervals.icu's backfill stored its copy of every run, yet each run counts once.
    assert rows_after > rows_before + len(history) // 2
    assert len(activities) == len(history) + 1
    # The old source's copies win: the history is unchanged, and the new run is intervals.icu's.
    assert [a for a in activities if a.source == old_source] == history
    (new,) = [a for a in activities if a.source == "intervals"]
    assert new.id == our_id(77_000_000_001)
    weeks_before, weeks_after = weekly_run_m(history), weekly_run_m(activities)
    this_week = week_start(today).isoformat()
    assert {w: m for w, m in weeks_after.items() if w != this_week} == {
        w: m for w, m in weeks_before.items() if w != this_week
    }
    assert weeks_after[this_week] == pytest.approx(weeks_before.get(this_week, 0.0) + 9000, abs=1)


def test_the_strava_and_garmin_copies_win_over_intervals_icus() -> None:
    start = datetime(2026, 11, 3, 11, 30, tzinfo=UTC)

    def run(source: str, activity_id: int, minutes: float) -> Activity:
        return Activity(
            id=activity_id, sport="Run", name="Run", start=start + timedelta(minutes=minutes),
            day=start.date(), distance_m=10_000, moving_time_s=3000, elapsed_time_s=3050,
            source=source,
        )  # fmt: skip

    icu, garmin, strava = (
        run("intervals", our_id(5), 0.5),
        run("garmin", -5, 1),
        run("strava", 5, 0),
    )
    assert drop_duplicates([icu, garmin, strava]) == [strava]
    assert drop_duplicates([icu, garmin]) == [garmin]
    assert drop_duplicates([icu, strava]) == [strava]


# ------------------------------------------------------------------------------------------------
# The demo on intervals.icu


def test_the_demo_on_intervals_gives_the_same_days_and_plan_as_on_strava_without_strava() -> None:
    on_strava = simulate(4)
    on_icu = simulate(4, source="intervals")
    both = simulate(4, source="intervals", delivery="intervals")
    assert on_icu.api_calls["strava"] == both.api_calls["strava"] == 0
    assert on_icu.api_calls["intervals"] > 0
    # One simulator serves both roads: the pull's reads and the push's requests add up.
    assert both.api_calls["intervals"] > on_icu.api_calls["intervals"]
    assert both.api_calls["garmin"] == 0
    icu_json, strava_json = on_icu.to_json(), on_strava.to_json()
    assert icu_json["days"] == strava_json["days"]
    assert icu_json["plan"] == strava_json["plan"]
    assert both.to_json()["plan"] == strava_json["plan"]


def test_demo_source_intervals_from_the_cli(cli) -> None:
    result = cli(
        "demo",
        "--days",
        "2",
        "--source",
        "intervals",
        "--delivery",
        "intervals",
        "--format",
        "json",
    )
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["api_calls"]["strava"] == 0
    assert document["api_calls"]["intervals"] > 0
    assert document["days"][0]["watch"]  # intervals.icu's calendar


# ------------------------------------------------------------------------------------------------
# The CLI on intervals.icu: `pull` and `status` never send the runner to Strava


@pytest.fixture
def icu_config(write_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from ampt_sync.secrets import INTERVALS_KEY, open_token_store
    from ampt_sync.sim.intervals import IntervalsSim

    with IntervalsSim() as sim:
        monkeypatch.setenv("AMPT_SYNC_INTERVALS_URL", sim.base_url)
        path = write_config(
            RUNNER
            + f"""
[storage]
state_dir = "{tmp_path / "state"}"

[secrets]
backend = "file"

[activities]
source = "intervals"
"""
        )
        open_token_store("file", tmp_path / "state").set_json(
            INTERVALS_KEY, {"athlete_id": sim.athlete_id, "api_key": sim.api_key}
        )
        yield path, sim


def test_pull_reads_from_intervals_icu_when_it_is_the_source(cli, icu_config) -> None:
    path, sim = icu_config
    zone = ZoneInfo("America/New_York")
    today = datetime.now(zone).date()
    activity = build_activity(
        activity_id=4242,
        name="Morning Run",
        sport_type="Run",
        start_local=datetime.combine(today - timedelta(days=1), time(7), zone),
        segments=[Segment(6000, 330, 140)],
        workout_type=0,
    )
    sim.add_activity(*intervals_view(activity))
    sim.add_strava_stub(16_358_453_283, datetime.combine(today - timedelta(days=1), time(18)))
    result = cli("--config", str(path), "pull", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    # The first pull is a backfill of 112 days to tomorrow: two date spans, nothing else.
    assert (document["created"], document["api_calls"], document["error"]) == (1, 2, None)
    assert document["pages"] == 2
    assert "came from Strava" in document["skipped"][0]["reason"]
    text = cli("--config", str(path), "pull")
    assert text.code == 0, text.stderr
    assert text.stdout.startswith("intervals.icu: 2 activities")
    assert "connect your watch" in text.stdout
    for output in (result.stdout, result.stderr, text.stdout, text.stderr):
        assert sim.api_key not in output


def test_pull_with_a_refused_key_exits_78_naming_auth_intervals(cli, icu_config) -> None:
    path, sim = icu_config
    sim.api_key = "a-key-the-runner-regenerated"
    result = cli("--config", str(path), "pull")
    assert result.code == 78
    assert "ampt-sync auth intervals" in result.stderr
    assert "strava" not in result.stderr.lower()


def test_status_says_strava_is_not_used_when_runs_come_from_intervals(cli, icu_config) -> None:
    path, sim = icu_config
    result = cli("--config", str(path), "status")
    assert result.code == 0, result.stderr
    assert "not used: runs are read from intervals.icu" in result.stdout
    assert f"intervals.icu (athlete {sim.athlete_id})" in result.stdout
    assert "auth strava" not in result.stdout
    assert sim.api_key not in result.stdout


@pytest.mark.parametrize(
    ("target", "next_lines"),
    [
        ("garmin", ["Next: `ampt-sync pull` reads your runs from intervals.icu"]),
        (
            "intervals",
            ["Next: `ampt-sync pull` reads your runs from intervals.icu", "Next: `ampt-sync push`"],
        ),
    ],
)
def test_auth_intervals_says_what_comes_next_when_runs_come_from_there(
    cli, write_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, next_lines
) -> None:
    import io
    import sys

    from ampt_sync.sim.intervals import IntervalsSim

    with IntervalsSim() as sim:
        monkeypatch.setenv("AMPT_SYNC_INTERVALS_URL", sim.base_url)
        path = write_config(
            RUNNER
            + f"""
[storage]
state_dir = "{tmp_path / "state"}"
[secrets]
backend = "file"
[activities]
source = "intervals"
[delivery]
target = "{target}"
"""
        )
        monkeypatch.setattr(sys, "stdin", io.StringIO(f"{sim.api_key}\n"))
        result = cli(
            "--config", str(path), "auth", "intervals", "--stdin", "--athlete-id", sim.athlete_id
        )
    assert result.code == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("Next:")] == next_lines
    assert sim.api_key not in result.stderr + result.stdout
