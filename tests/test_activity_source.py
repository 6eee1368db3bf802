"""``[activities] source``: the cycle reads runs from Strava or from Garmin Connect, never needs
Strava when it is Garmin, and a switch of source keeps the history without counting a run twice.
End to end through the real stravalib and garminconnect clients against both simulators."""

from __future__ import annotations

import json
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
from ampt_sync.errors import ConfigError
from ampt_sync.service import CycleDeps, run_cycle
from ampt_sync.sim.accounts import SimulatedAccounts, config_for, simulated_accounts
from ampt_sync.sim.runner import Segment, build_activity, garmin_view
from ampt_sync.store.activities import load_activities
from ampt_sync.store.db import open_store
from ampt_sync.store.models import ActivityRow
from ampt_sync.training.duplicates import drop_duplicates, same_run
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


# ------------------------------------------------------------------------------------------------
# The config key


def test_an_unknown_source_is_one_clear_line() -> None:
    text = config_for(Path("/tmp/x"), RUNNER).replace('source = "strava"', 'source = "garmn"')
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, source="c.toml")
    assert str(caught.value) == (
        'c.toml: activities.source: found \'garmn\', expected "strava", "garmin" or "intervals"'
    )


@pytest.mark.parametrize("value", ["strava", "garmin", "intervals"])
def test_every_built_source_is_accepted(value: str) -> None:
    text = config_for(Path("/tmp/x"), RUNNER, source=value)
    assert parse_settings(text, source="c.toml").activities.source == value


def test_the_source_defaults_to_strava() -> None:
    text = config_for(Path("/tmp/x"), RUNNER).replace('[activities]\nsource = "strava"\n', "")
    assert "[activities]" not in text
    assert parse_settings(text, source="c.toml").activities.source == "strava"


# ------------------------------------------------------------------------------------------------
# A cycle reading from Garmin


@pytest.fixture
def garmin_accounts(tmp_path: Path) -> Iterator[SimulatedAccounts]:
    with simulated_accounts(tmp_path / "run", RUNNER, history_days=56, source="garmin") as running:
        yield running


def test_a_garmin_cycle_never_calls_strava_and_costs_one_read_when_nothing_is_new(
    garmin_accounts: SimulatedAccounts,
) -> None:
    accounts = garmin_accounts
    cycle = deps(accounts, "garmin")
    first = run_cycle(cycle, "manual")
    assert first.result == "ok", first.errors
    assert first.pulled["backfill"]
    assert first.pulled["created"] > 20
    assert first.api_calls["strava"] == 0
    assert accounts.strava.requests == []  # Strava is never asked anything
    activities, _rows = stored_activities(accounts)
    assert {a.source for a in activities} == {"garmin"}

    accounts.advance_to(accounts.now() + timedelta(hours=2))
    accounts.garmin.clear_log()
    poll = run_cycle(cycle, "poll")
    assert poll.result == "ok", poll.errors
    assert poll.pulled["api_calls"] == 1 == accounts.garmin.counts()["total"]
    assert poll.new_activities == 0


def test_a_garmin_cycle_with_revoked_tokens_asks_for_auth_garmin_not_strava(
    garmin_accounts: SimulatedAccounts,
) -> None:
    garmin_accounts.garmin.revoke_tokens()
    report = run_cycle(deps(garmin_accounts, "garmin"), "manual")
    assert report.result == "auth"
    assert report.errors
    assert all(e.startswith("Garmin: ") for e in report.errors)
    assert any("ampt-sync auth garmin" in e for e in report.errors)
    assert not any("strava" in e.lower() for e in report.errors)


def test_a_garmin_429_during_the_pull_is_rate_limited_with_a_retry_time(
    garmin_accounts: SimulatedAccounts,
) -> None:
    garmin_accounts.garmin.fail(
        "status", status=429, path="/activitylist-service/", retry_after_s=600
    )
    report = run_cycle(deps(garmin_accounts, "garmin"), "manual")
    assert report.result == "rate_limited"
    assert report.retry_at is not None
    assert report.errors[0].startswith("Garmin: Garmin is rate limiting ampt-sync")


# ------------------------------------------------------------------------------------------------
# Switching source


def test_switching_from_strava_to_garmin_keeps_the_history_and_counts_no_run_twice(
    tmp_path: Path,
) -> None:
    with simulated_accounts(
        tmp_path / "run", RUNNER, history_days=56, history_on=("strava", "garmin")
    ) as accounts:
        before = run_cycle(deps(accounts, "strava"), "manual")
        assert before.result == "ok", before.errors
        history, rows_before = stored_activities(accounts)
        assert {a.source for a in history} == {"strava"}

        # Today's run is on Garmin only: the runner has switched.
        zone = ZoneInfo("America/New_York")
        today = accounts.local_today()
        new_run = build_activity(
            activity_id=77_000_000_001,
            name="Morning Run",
            sport_type="Run",
            start_local=datetime.combine(today, time(6, 30), zone),
            segments=[Segment(9000, 330, 142)],
            workout_type=0,
        )
        accounts.garmin.add_recorded_activity(*garmin_view(new_run))
        accounts.advance_to(datetime.combine(today, time(20), zone))

        after = run_cycle(deps(accounts, "garmin"), "manual")
        assert after.result == "ok", after.errors
        assert after.api_calls["strava"] == 0
        activities, rows_after = stored_activities(accounts)

    # Garmin's backfill stored its copy of every run, yet each run counts once.
    assert rows_after > rows_before + len(history) // 2
    assert len(activities) == len(history) + 1
    # The Strava copies win: the history is unchanged, and the new run is Garmin's.
    assert [a for a in activities if a.source == "strava"] == history
    (mine,) = [a for a in activities if a.source == "garmin"]
    assert mine.id == -77_000_000_001
    weeks_before, weeks_after = weekly_run_m(history), weekly_run_m(activities)
    this_week = week_start(today).isoformat()
    assert {w: m for w, m in weeks_after.items() if w != this_week} == {
        w: m for w, m in weeks_before.items() if w != this_week
    }
    assert weeks_after[this_week] == pytest.approx(weeks_before.get(this_week, 0.0) + 9000, abs=1)


# ------------------------------------------------------------------------------------------------
# Which copy wins (pure)

START = datetime(2026, 11, 3, 11, 30, tzinfo=UTC)


def run(source: str, activity_id: int, *, minutes: float = 0.0, km: float = 10.0) -> Activity:
    return Activity(
        id=activity_id,
        sport="Run",
        name="Run",
        start=START + timedelta(minutes=minutes),
        day=START.date(),
        distance_m=km * 1000,
        moving_time_s=3000,
        elapsed_time_s=3050,
        source=source,
    )


@pytest.mark.parametrize(
    ("minutes", "km", "same"),
    [
        (0.0, 10.0, True),
        (1.9, 10.29, True),  # watch and phone clocks, GPS smoothing
        (-2.0, 9.71, True),
        (2.5, 10.0, False),  # another run
        (0.0, 10.4, False),  # 4 % longer: another run
    ],
)
def test_the_same_run_is_within_two_minutes_and_three_percent(
    minutes: float, km: float, same: bool
) -> None:
    assert same_run(run("strava", 1), run("garmin", -1, minutes=minutes, km=km)) is same


def test_the_strava_copy_wins_whatever_the_order_and_other_runs_stay() -> None:
    strava, garmin = run("strava", 5), run("garmin", -5, minutes=1)
    other = run("garmin", -6, minutes=90)
    assert drop_duplicates([garmin, other, strava]) == [other, strava]
    assert drop_duplicates([strava, garmin, other]) == [strava, other]


def test_two_runs_of_one_source_are_never_merged() -> None:
    first, second = run("garmin", -1), run("garmin", -2, minutes=1)
    assert drop_duplicates([first, second]) == [first, second]


def test_a_run_and_a_ride_at_the_same_time_are_two_activities() -> None:
    ride = Activity(
        id=-9, sport="Ride", name="Ride", start=START, day=START.date(), distance_m=10000,
        moving_time_s=1200, elapsed_time_s=1200, source="garmin",
    )  # fmt: skip
    strava = run("strava", 9)
    assert drop_duplicates([strava, ride]) == [strava, ride]


# ------------------------------------------------------------------------------------------------
# The demo on Garmin


def test_the_demo_on_garmin_gives_the_same_days_and_plan_as_on_strava_without_strava() -> None:
    on_strava = simulate(4)
    on_garmin = simulate(4, source="garmin")
    assert on_garmin.api_calls["strava"] == 0
    assert on_garmin.api_calls["garmin"] > 0
    garmin_json, strava_json = on_garmin.to_json(), on_strava.to_json()
    assert garmin_json["days"] == strava_json["days"]
    assert garmin_json["plan"] == strava_json["plan"]


def test_demo_source_garmin_from_the_cli(cli) -> None:
    result = cli("demo", "--days", "2", "--source", "garmin", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["api_calls"]["strava"] == 0
    assert document["days"][0]["watch"]
    refused = cli("demo", "--source", "icu")
    assert refused.code == 78
    assert (
        '--source: found \'icu\', expected "strava", "garmin" or "intervals"' in refused.stderr
    )


# ------------------------------------------------------------------------------------------------
# The CLI on Garmin: `pull` and `status` never send the runner to Strava


@pytest.fixture
def garmin_config(write_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from ampt_sync.secrets import GARMIN_TOKENS, open_token_store
    from ampt_sync.sim.garmin import GarminSim

    with GarminSim() as sim:
        monkeypatch.setenv("AMPT_SYNC_GARMIN_URL", sim.base_url)
        path = write_config(
            RUNNER
            + f"""
[storage]
state_dir = "{tmp_path / "state"}"

[secrets]
backend = "file"

[activities]
source = "garmin"
"""
        )
        open_token_store("file", tmp_path / "state").set(GARMIN_TOKENS, sim.token_json())
        yield path, sim


def test_pull_reads_from_garmin_connect_when_it_is_the_source(cli, garmin_config) -> None:
    path, sim = garmin_config
    today = datetime.now(ZoneInfo("America/New_York")).date()
    activity = build_activity(
        activity_id=4242,
        name="Morning Run",
        sport_type="Run",
        start_local=datetime.combine(
            today - timedelta(days=1), time(7), ZoneInfo("America/New_York")
        ),
        segments=[Segment(6000, 330, 140)],
        workout_type=0,
    )
    sim.add_recorded_activity(*garmin_view(activity))
    result = cli("--config", str(path), "pull", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["created"], document["api_calls"], document["error"]) == (1, 1, None)
    text = cli("--config", str(path), "pull")
    assert text.code == 0, text.stderr
    assert text.stdout.startswith("Garmin Connect: 1 activities")


def test_status_says_strava_is_not_used_when_runs_come_from_garmin(cli, garmin_config) -> None:
    path, _sim = garmin_config
    result = cli("--config", str(path), "status")
    assert result.code == 0, result.stderr
    assert "not used: runs are read from Garmin Connect" in result.stdout
    assert "auth strava" not in result.stdout


def test_a_stop_ends_the_garmin_pull_before_any_request_and_the_cycle_is_interrupted(
    garmin_accounts: SimulatedAccounts,
) -> None:
    stop = threading.Event()
    stop.set()
    report = run_cycle(deps(garmin_accounts, "garmin"), "manual", stop)
    assert report.result == "interrupted"
    assert garmin_accounts.garmin.counts()["total"] == 0
