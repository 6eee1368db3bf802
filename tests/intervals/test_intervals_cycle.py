"""The whole cycle with ``[delivery] target = "intervals"`` or ``"none"``: real stravalib against
the Strava simulator, the real intervals.icu client against its simulator, the morning FIT
fallback and alert, and what `status` says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from test_alerts import Receiver  # type: ignore[import-not-found]

from ampt_sync.alerts import Alerter
from ampt_sync.domain import WorkoutKind
from ampt_sync.intervals.events import EXTERNAL_ID_PREFIX
from ampt_sync.secrets import INTERVALS_KEY
from ampt_sync.service import CycleDeps, run_cycle
from ampt_sync.sim.accounts import SimulatedAccounts, config_for, simulated_accounts
from ampt_sync.status import collect_status, horizon_rows, status_rows
from ampt_sync.store.db import open_store
from ampt_sync.store.plans import load_plan

RUNNER = """
[athlete]
name = "Sam"
timezone = "America/New_York"
units = "mi"
hr_max = 188
[goal]
race = "Spring Half"
distance = "half"
date = {goal}
[schedule]
run_days = ["tue", "thu", "sat", "sun"]
long_run_day = "sun"
[sync]
horizon_days = 7
[delivery]
target = "{target}"
"""


def runner(target: str) -> str:
    from datetime import date

    return RUNNER.format(goal=date.today() + timedelta(weeks=20), target=target)


@pytest.fixture
def hook() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture
def intervals(tmp_path: Path) -> Iterator[SimulatedAccounts]:
    with simulated_accounts(tmp_path / "run", runner("intervals"), history_days=56) as running:
        yield running


@pytest.fixture
def nowhere(tmp_path: Path) -> Iterator[SimulatedAccounts]:
    with simulated_accounts(tmp_path / "run", runner("none"), history_days=56) as running:
        yield running


def deps(accounts: SimulatedAccounts, hook: Receiver | None = None) -> CycleDeps:
    return CycleDeps(
        settings=accounts.settings,
        environ=accounts.environ,
        now=accounts.now,
        epoch=accounts.strava.now,
        token_store=accounts.token_store,
        alerter=Alerter(webhook_url=f"{hook.url}/hook") if hook else Alerter(),
    )


def planned(accounts: SimulatedAccounts) -> dict[str, str]:
    """key → ISO day of the plan's workouts in the next seven days."""
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            plan = load_plan(session)
    finally:
        store.close()
    assert plan is not None
    today = accounts.local_today()
    return {
        w.key: day.isoformat()
        for day, w in plan.workouts_between(today, today + timedelta(days=7))
        if w.kind is not WorkoutKind.REST
    }


def on_intervals(accounts: SimulatedAccounts) -> dict[str, str]:
    found = {}
    for event in accounts.intervals.events():
        external = event.get("external_id") or ""
        if external.startswith(EXTERNAL_ID_PREFIX):
            found[external[len(EXTERNAL_ID_PREFIX) :]] = event["start_date_local"][:10]
    return found


def status_of(accounts: SimulatedAccounts, tmp_path: Path, target: str) -> dict:
    config = tmp_path / "config.toml"
    config.write_text(config_for(tmp_path / "run", runner(target)), encoding="utf-8")
    return collect_status(config, now=accounts.now(), environ=accounts.environ)


def test_the_morning_cycle_puts_the_plan_on_intervals_icu_and_checks_it(
    intervals: SimulatedAccounts, tmp_path: Path
) -> None:
    own = intervals.intervals.add_own_event(intervals.local_today() + timedelta(days=2), "Club")
    report = run_cycle(deps(intervals), "push")
    assert report.result == "ok", report.errors
    assert report.delivery == "intervals"
    assert report.pushed is not None
    assert report.pushed["target"] == "intervals"
    assert on_intervals(intervals) == planned(intervals)
    assert report.verified is not None
    assert report.verified["ok"]
    assert report.api_calls["intervals"] == 3  # read, one bulk upsert, final read
    assert report.api_calls["garmin"] == 0
    assert intervals.garmin.counts()["total"] == 0
    assert own in {e["id"] for e in intervals.intervals.events()}

    again = run_cycle(deps(intervals), "manual")
    assert again.result == "ok", again.errors
    assert again.api_calls["intervals"] == 1  # nothing changed: one read, no write
    assert intervals.intervals.counts()["writes"] == 1

    rows = dict(status_rows(status_of(intervals, tmp_path, "intervals")))
    assert rows["delivery"].startswith(
        f"intervals.icu (athlete {intervals.intervals.athlete_id}): "
        f"{len(planned(intervals))} workout(s) put there"
    )
    assert "intervals.icu 1 calls" in next(v for k, v in status_rows(
        status_of(intervals, tmp_path, "intervals")) if k == "cycle")  # fmt: skip
    marks = [mark for _, plan, mark in horizon_rows(status_of(intervals, tmp_path, "intervals"))]
    assert all("…" not in m and "?" not in m for m in marks)
    assert any("✓" in m for m in marks)


def test_a_refused_key_leaves_fit_files_and_the_alert_says_so(
    intervals: SimulatedAccounts, hook: Receiver
) -> None:
    intervals.token_store.set_json(
        INTERVALS_KEY, {"athlete_id": intervals.intervals.athlete_id, "api_key": "revoked-key-1"}
    )
    report = run_cycle(deps(intervals, hook), "push")
    assert report.result == "auth"
    assert any(e.startswith("intervals.icu: ") and "auth intervals" in e for e in report.errors)
    folder = intervals.settings.state_dir(intervals.environ) / "fit"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(report.fit_fallback["files"])
    assert len(names) == len(planned(intervals))
    alerts = {json.loads(r["body"])["problem"]: json.loads(r["body"])["message"]
              for r in hook.requests}  # fmt: skip
    message = alerts["cycle-failed"]
    assert "intervals.icu" in message
    assert str(folder) in message
    assert "GARMIN/NewFiles" in message
    assert "ampt-sync auth intervals" in alerts["intervals-reauth"]
    assert "garmin-relogin" not in alerts


def test_a_429_is_retried_later_without_fallback(intervals: SimulatedAccounts) -> None:
    intervals.intervals.fail("status", status=429, retry_after_s=600, times=5)
    report = run_cycle(deps(intervals), "push")
    assert report.result == "rate_limited", report.errors
    assert report.retry_at is not None
    assert report.fit_fallback is None
    assert intervals.intervals.events() == []


def test_delivery_none_plans_without_pushing_and_status_says_so(
    nowhere: SimulatedAccounts, tmp_path: Path
) -> None:
    report = run_cycle(deps(nowhere), "push")
    assert report.result == "ok", report.errors
    assert report.delivery == "none"
    assert report.pushed is None
    assert report.plan is not None
    assert nowhere.garmin.counts()["total"] == 0
    assert nowhere.intervals.counts()["total"] == 0
    rows = dict(status_rows(status_of(nowhere, tmp_path, "none")))
    assert rows["delivery"].startswith("none: nothing is pushed")


def test_status_says_when_intervals_icu_is_the_target_but_not_connected(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(config_for(tmp_path / "run", runner("intervals")), encoding="utf-8")
    report = collect_status(config, environ={})
    rows = dict(status_rows(report))
    assert rows["delivery"] == "intervals.icu, not connected: run `ampt-sync auth intervals`"
    assert report["tokens"]["intervals"] == {"connected": False}
    assert report["config"]["delivery"] == "intervals"


def test_a_stop_during_the_push_ends_the_cycle_before_its_next_request(
    intervals: SimulatedAccounts,
) -> None:
    import threading

    stop = threading.Event()
    intervals.intervals.on_request = lambda method, path: stop.set()  # after the first read
    report = run_cycle(deps(intervals), "push", stop)
    assert report.result == "interrupted", report.errors
    assert intervals.intervals.counts() == {"reads": 1, "writes": 0, "total": 1}
    assert report.api_calls["intervals"] == 1
    assert report.fit_fallback is None
    intervals.intervals.on_request = None
    assert run_cycle(deps(intervals), "push").result == "ok"
    assert on_intervals(intervals) == planned(intervals)


def test_sync_names_the_road_it_pushed_to(
    intervals: SimulatedAccounts,
    tmp_path: Path,
    cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in intervals.environ.items():
        monkeypatch.setenv(name, value)
    config = tmp_path / "config.toml"
    config.write_text(config_for(tmp_path / "run", runner("intervals")), encoding="utf-8")
    result = cli("--config", str(config), "sync")
    assert result.code == 0, result.stderr
    assert f"intervals.icu: did {len(planned(intervals))} change(s)" in result.stdout
    assert "verified on intervals.icu: yes" in result.stdout
    assert "intervals.icu 3" in result.stdout
