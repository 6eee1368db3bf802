"""One cycle, end to end through the real stravalib and garminconnect against both simulators:
what it pulls, plans, pushes and verifies, what it costs, and what it does when a service is
unwell, paused, or busy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ampt_sync.files import exclusive_lock
from ampt_sync.service import CycleDeps, run_cycle
from ampt_sync.sim.accounts import SimulatedAccounts, simulated_accounts
from ampt_sync.store import reports, state
from ampt_sync.store.db import open_store
from ampt_sync.store.models import PlanRow
from ampt_sync.store.plans import load_plan

# A goal about 20 weeks out, as a runner would set it (a far-off date means a plan of years).
GOAL_DAY = date.today() + timedelta(weeks=20)
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


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[SimulatedAccounts]:
    with simulated_accounts(tmp_path / "run", RUNNER, history_days=56) as running:
        yield running


def deps(accounts: SimulatedAccounts) -> CycleDeps:
    return CycleDeps(
        settings=accounts.settings,
        environ=accounts.environ,
        now=accounts.now,
        epoch=accounts.strava.now,
        token_store=accounts.token_store,
    )


def garmin_days(accounts: SimulatedAccounts) -> list[tuple[str, str]]:
    today = accounts.local_today()
    return [
        (str(day), title)
        for day, _id, title, _desc in accounts.garmin.calendar(today, today + timedelta(days=7))
    ]


def planned_days(accounts: SimulatedAccounts) -> list[tuple[str, str]]:
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            plan = load_plan(session)
    finally:
        store.close()
    today = accounts.local_today()
    return [
        (str(day), workout.title)
        for day, workout in plan.workouts_between(today, today + timedelta(days=7))
        if workout.kind != "rest"
    ]


def test_a_first_cycle_pulls_plans_pushes_and_verifies(accounts: SimulatedAccounts) -> None:
    report = run_cycle(deps(accounts), "push")
    assert report.result == "ok", report.errors
    assert report.pulled["created"] > 20
    assert report.plan["version"] == 1
    assert report.verified == {"ok": True, "missing": [], "unexpected": [], "duplicates": 0}
    # The watch shows exactly the plan's next seven days (titles may be shortened for a watch).
    shown = garmin_days(accounts)
    planned = planned_days(accounts)
    assert [day for day, _ in shown] == [day for day, _ in planned]
    assert len(shown) >= 4
    assert report.api_calls["strava"] >= 2
    assert report.api_calls["garmin"] >= len(shown)


def test_a_second_cycle_with_nothing_new_costs_one_read_per_side(accounts) -> None:
    run_cycle(deps(accounts), "push")
    accounts.garmin.clear_log()
    accounts.strava.clear_log()
    report = run_cycle(deps(accounts), "push")
    assert report.result == "ok", report.errors
    assert report.plan["saved"] is False
    assert report.pushed["applied"] == []
    assert accounts.strava.count("/api/") == 1
    assert accounts.garmin.counts() == {"reads": 1, "writes": 0, "total": 1}


def test_a_poll_with_nothing_new_only_pulls(accounts) -> None:
    run_cycle(deps(accounts), "push")
    accounts.garmin.clear_log()
    report = run_cycle(deps(accounts), "poll")
    assert report.result == "ok"
    assert report.plan is None
    assert report.pushed is None
    assert accounts.garmin.counts()["reads"] == 0


def test_reports_are_stored_and_the_last_good_cycle_remembered(accounts) -> None:
    run_cycle(deps(accounts), "push")
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            [row] = reports.recent(session)
            assert (row.kind, row.result) == ("push", "ok")
            assert row.report_json["verified"]["ok"] is True
            assert state.get(session, state.LAST_CYCLE_OK) is not None
    finally:
        store.close()


def test_a_pause_takes_its_days_off_the_watch_and_adapts_nothing(accounts) -> None:
    run_cycle(deps(accounts), "push")
    today = accounts.local_today()
    until = today + timedelta(days=4)
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            state.put(session, state.PAUSE, {"until": str(until)}, now=accounts.now())
            versions = session.scalar(select(func.count()).select_from(PlanRow))
    finally:
        store.close()
    report = run_cycle(deps(accounts), "push")
    assert report.result == "ok", report.errors
    assert report.paused_until == until
    shown = garmin_days(accounts)
    assert shown
    assert all(day >= str(until) for day, _ in shown)
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            assert session.scalar(select(func.count()).select_from(PlanRow)) == versions
    finally:
        store.close()


def test_garmin_refusing_the_tokens_alerts_and_still_stores_the_pull(accounts) -> None:
    accounts.garmin.revoke_tokens()
    report = run_cycle(deps(accounts), "push")
    assert report.result == "auth"
    assert any("auth garmin" in e for e in report.errors)
    assert report.pulled["created"] > 20
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            active = state.get(session, state.ACTIVE_ALERTS)
    finally:
        store.close()
    assert set(active) >= {"garmin-relogin", "cycle-failed"}


def test_strava_down_still_puts_the_stored_plan_on_the_watch(accounts) -> None:
    run_cycle(deps(accounts), "push")
    accounts.strava.fail("status", status=503, times=10)
    report = run_cycle(deps(accounts), "push")
    assert report.result == "temporary"
    assert report.pushed is not None
    assert report.pushed["errors"] == []


def test_a_dry_run_writes_nothing(accounts) -> None:
    report = run_cycle(deps(accounts), "manual", dry_run=True)
    assert report.result == "ok", report.errors
    assert report.pulled is None
    assert accounts.garmin.counts()["writes"] == 0
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            assert session.scalar(select(func.count()).select_from(PlanRow)) == 0
            assert reports.recent(session) == []
    finally:
        store.close()


def test_a_stop_before_a_request_interrupts_the_cycle(accounts) -> None:
    stop = threading.Event()
    stop.set()
    report = run_cycle(deps(accounts), "push", stop)
    assert report.result == "interrupted"
    assert accounts.strava.count("/api/") == 0
    assert accounts.garmin.counts()["writes"] == 0


def test_a_second_cycle_waits_for_the_first_then_says_busy(accounts, monkeypatch) -> None:
    monkeypatch.setattr("ampt_sync.service.LOCK_WAIT_S", 0.2)
    lock = accounts.settings.state_dir(accounts.environ) / "cycle.lock"
    with exclusive_lock(lock):
        report = run_cycle(deps(accounts), "push")
    assert report.result == "busy"
    assert "another cycle is running" in report.errors[0]
