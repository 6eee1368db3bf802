"""New run days from a later day (`ampt-sync days --from`), through the real cycle against the
simulators: pending until their day, then written to the config file (comments kept) by the
first cycle that day, which plans and pushes on them; once only; a read-only config gets an
alert naming the lines to edit and the instruction stays pending."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from ampt_sync import alerts
from ampt_sync.config import parse_settings
from ampt_sync.domain import Instruction, InstructionKind
from ampt_sync.service import CycleDeps, run_cycle
from ampt_sync.sim.accounts import SimulatedAccounts, config_for, simulated_accounts
from ampt_sync.steering import change_settings, undo_last
from ampt_sync.store import state
from ampt_sync.store.db import open_store
from ampt_sync.store.instructions import active_instructions
from ampt_sync.store.models import InstructionRow
from ampt_sync.store.plans import load_plan

GOAL_DAY = date.today() + timedelta(weeks=20)
RUNNER = f"""
# my own notes, which ampt-sync keeps
[athlete]
name = "Sam"
timezone = "America/New_York"
hr_max = 188
[goal]
race = "Spring Half"
distance = "half"
date = {GOAL_DAY.isoformat()}
[schedule]
run_days = ["tue", "thu", "sat", "sun"]  # after work on weekdays
long_run_day = "sun"
[sync]
horizon_days = 7
"""
NEW_DAYS = ["mon", "wed", "fri", "sun"]
NEW_WEEKDAYS = {0, 2, 4, 6}
#: the new days start this many days after the day they are given
LATER = 3


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[SimulatedAccounts]:
    with simulated_accounts(tmp_path / "run", RUNNER, history_days=56) as running:
        yield running


@pytest.fixture
def config(accounts: SimulatedAccounts, tmp_path: Path) -> Path:
    """The config file the accounts' settings come from, as `ampt-sync init` would leave it."""
    path = tmp_path / "config.toml"
    path.write_text(config_for(tmp_path / "run", RUNNER))
    assert parse_settings(path.read_text(), source=str(path)) == accounts.settings
    return path


def deps(accounts: SimulatedAccounts, config_path: Path | None) -> CycleDeps:
    """A cycle's deps as the daemon makes them: the settings read from the file as it is now
    (the daemon reads a changed file again within a second)."""
    settings = accounts.settings
    if config_path is not None:
        settings = parse_settings(config_path.read_text(), source=str(config_path))
    return CycleDeps(
        settings=settings,
        environ=accounts.environ,
        now=accounts.now,
        epoch=accounts.strava.now,
        token_store=accounts.token_store,
        config_path=config_path,
    )


def give_pending(accounts: SimulatedAccounts, config: Path) -> tuple[date, Instruction]:
    """`ampt-sync days --run mon,wed,fri,sun --from <today + LATER>`, as its service call."""
    today = accounts.local_today()
    start = today + timedelta(days=LATER)
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            steered = change_settings(
                session, InstructionKind.DAYS, {"run_days": NEW_DAYS}, config_path=config,
                settings=accounts.settings, today=today, now=accounts.now(), start=start,
            )  # fmt: skip
    finally:
        store.close()
    return start, steered.instruction


def stored(accounts: SimulatedAccounts) -> tuple[list[Instruction], dict, dict]:
    """The instructions not taken back, the first one's params, and the active alerts."""
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            found = active_instructions(session)
            row = session.get(InstructionRow, found[0].id) if found else None
            params = dict(row.params) if row is not None else {}
            active = state.get(session, state.ACTIVE_ALERTS) or {}
    finally:
        store.close()
    return found, params, active


def run_weekdays_from(accounts: SimulatedAccounts, first: date, days: int = 14) -> set[int]:
    """The weekdays of the plan's runs in ``days`` days from ``first`` (races aside)."""
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            plan = load_plan(session)
    finally:
        store.close()
    assert plan is not None
    return {
        day.weekday()
        for day, workout in plan.workouts_between(first, first + timedelta(days=days))
        if workout.is_run and workout.kind != "race"
    }


def morning_of(accounts: SimulatedAccounts, day: date) -> datetime:
    return datetime.combine(day, time(6), accounts.settings.zone())


def test_pending_run_days_are_written_and_planned_by_the_first_cycle_on_their_day(
    accounts: SimulatedAccounts, config: Path
) -> None:
    assert run_cycle(deps(accounts, config), "push").result == "ok"
    before_text = config.read_text()
    start, given = give_pending(accounts, config)
    assert given.pending
    assert given.day == start
    assert config.read_text() == before_text

    # before the day: nothing happens, the old days stay
    report = run_cycle(deps(accounts, config), "adapt")
    assert report.result == "ok", report.errors
    assert report.settings is None
    assert config.read_text() == before_text
    assert stored(accounts)[0][0].pending

    # the first cycle on the day (a poll with nothing new: it still runs in full)
    accounts.advance_to(morning_of(accounts, start))
    garmin_writes_before = sum(1 for r in accounts.garmin.requests if r.is_write)
    report = run_cycle(deps(accounts, config), "poll")
    assert report.result == "ok", report.errors
    assert report.settings is not None
    assert report.settings["applied"] is True
    assert f"instruction #{given.id}" in report.settings["message"]
    text = config.read_text()
    assert 'run_days = ["mon", "wed", "fri", "sun"]' in text
    assert "# my own notes, which ampt-sync keeps" in text  # comments kept
    assert text.replace('["mon", "wed", "fri", "sun"]', '["tue", "thu", "sat", "sun"]') == (
        before_text
    )
    assert report.plan is not None
    assert report.plan["saved"] is True
    assert any("Your run days changed" in c["reason"] for c in report.plan["changes"])
    assert run_weekdays_from(accounts, start) <= NEW_WEEKDAYS
    # and the watch got the plan on the new days
    assert report.pushed is not None
    assert sum(1 for r in accounts.garmin.requests if r.is_write) > garmin_writes_before
    on_garmin = accounts.garmin.calendar(start, start + timedelta(days=7))
    assert on_garmin
    assert {day.weekday() for day, _id, title, _d in on_garmin if "Strength" not in title} <= (
        NEW_WEEKDAYS
    )
    found, params, _alerts = stored(accounts)
    assert [(i.id, i.pending) for i in found] == [(given.id, False)]
    assert params["applied_on"] == start.isoformat()
    assert params["config"] == [["run_days", ["tue", "thu", "sat", "sun"], NEW_DAYS]]

    # once only: the next cycle writes nothing more and plans nothing new
    mtime = config.stat().st_mtime_ns
    again = run_cycle(deps(accounts, config), "push")
    assert again.result == "ok", again.errors
    assert again.settings is None
    assert config.stat().st_mtime_ns == mtime
    assert again.plan is not None
    assert again.plan["saved"] is False

    # undo gives the file back exactly
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            new = parse_settings(text, source=str(config))
            undo_last(
                session, athlete=new.athlete_domain(), goal=new.goal_domain(), today=start,
                now=accounts.now(), config_path=config,
            )  # fmt: skip
    finally:
        store.close()
    assert config.read_text() == before_text


def test_a_read_only_config_gets_an_alert_naming_the_lines_and_the_days_stay_pending(
    accounts: SimulatedAccounts, config: Path
) -> None:
    assert run_cycle(deps(accounts, config), "push").result == "ok"
    before_text = config.read_text()
    start, given = give_pending(accounts, config)
    accounts.advance_to(morning_of(accounts, start))
    config.chmod(0o444)
    report = run_cycle(deps(accounts, config), "push")
    # the old days still reach the watch: not a failed cycle, but said, with what to edit
    assert report.result == "ok"
    assert report.pushed is not None
    assert report.settings is not None
    assert report.settings["applied"] is False
    (problem,) = report.errors
    assert "read-only" in problem
    assert '[schedule] run_days = ["mon", "wed", "fri", "sun"]' in problem
    assert config.read_text() == before_text
    assert run_weekdays_from(accounts, start) <= {1, 3, 5, 6}  # the old days
    found, params, active = stored(accounts)
    assert [(i.id, i.pending) for i in found] == [(given.id, True)]
    assert "applied_on" not in params
    assert active[alerts.RUN_DAYS_PENDING]["title"] == (
        "ampt-sync: your new run days are not in the config yet"
    )

    # the next cycle tries again (and raises no second alert); once the file can be written, it
    # applies and clears the alert
    config.chmod(0o644)
    report = run_cycle(deps(accounts, config), "adapt")
    assert report.result == "ok", report.errors
    assert report.settings is not None
    assert report.settings["applied"] is True
    assert 'run_days = ["mon", "wed", "fri", "sun"]' in config.read_text()
    found, _params, active = stored(accounts)
    assert [(i.id, i.pending) for i in found] == [(given.id, False)]
    assert alerts.RUN_DAYS_PENDING not in active
    assert run_weekdays_from(accounts, start) <= NEW_WEEKDAYS


def test_a_cycle_without_a_config_path_leaves_them_pending_and_says_so(
    accounts: SimulatedAccounts, config: Path
) -> None:
    assert run_cycle(deps(accounts, config), "push").result == "ok"
    before_text = config.read_text()
    start, _given = give_pending(accounts, config)
    accounts.advance_to(morning_of(accounts, start))
    report = run_cycle(deps(accounts, None), "push")
    assert report.result == "ok", report.errors
    assert report.settings is not None
    assert report.settings["applied"] is False
    assert "no config file" in report.settings["message"]
    assert config.read_text() == before_text
    assert stored(accounts)[0][0].pending


def test_days_the_runner_put_in_the_file_by_hand_are_marked_applied_without_a_write(
    accounts: SimulatedAccounts, config: Path
) -> None:
    assert run_cycle(deps(accounts, config), "push").result == "ok"
    start, given = give_pending(accounts, config)
    accounts.advance_to(morning_of(accounts, start))
    config.chmod(0o444)
    assert run_cycle(deps(accounts, config), "push").settings["applied"] is False  # type: ignore[index]
    # as the alert says: the runner edits the file as root
    config.chmod(0o644)
    config.write_text(
        config.read_text().replace('"tue", "thu", "sat", "sun"', '"mon", "wed", "fri", "sun"')
    )
    config.chmod(0o444)
    edited = config.read_text()
    report = run_cycle(deps(accounts, config), "push")
    assert report.result == "ok", report.errors
    assert report.settings is not None
    assert report.settings["applied"] is True
    assert config.read_text() == edited
    found, _params, active = stored(accounts)
    assert [(i.id, i.pending) for i in found] == [(given.id, False)]
    assert alerts.RUN_DAYS_PENDING not in active
    assert run_weekdays_from(accounts, start) <= NEW_WEEKDAYS


def test_taking_back_days_that_could_not_be_written_clears_their_alert(
    accounts: SimulatedAccounts, config: Path
) -> None:
    assert run_cycle(deps(accounts, config), "push").result == "ok"
    start, _given = give_pending(accounts, config)
    accounts.advance_to(morning_of(accounts, start))
    config.chmod(0o444)
    run_cycle(deps(accounts, config), "push")
    assert alerts.RUN_DAYS_PENDING in stored(accounts)[2]
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            undo_last(
                session, athlete=accounts.settings.athlete_domain(),
                goal=accounts.settings.goal_domain(), today=start, now=accounts.now(),
                config_path=config,
            )  # fmt: skip
    finally:
        store.close()
    report = run_cycle(deps(accounts, config), "push")
    assert report.settings is None
    assert report.errors == []
    found, _params, active = stored(accounts)
    assert found == []
    assert alerts.RUN_DAYS_PENDING not in active
