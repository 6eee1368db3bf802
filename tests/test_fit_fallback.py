"""The morning guarantee's fallback, through the real cycle: garminconnect against the Garmin
simulator refusing the sign-in (or the request), FIT files of the next days in
``state_dir/fit/``, and the morning alert (to a real local webhook) saying so and where."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from garmin_fit_sdk import Decoder, Stream
from test_alerts import Receiver
from test_service import RUNNER

from ampt_sync.alerts import Alerter
from ampt_sync.errors import (
    AuthError,
    ConfigError,
    RateLimited,
    ReloginNeeded,
    RemoteError,
    RemoteUnavailable,
)
from ampt_sync.fit.fallback import needs_fallback
from ampt_sync.service import CycleDeps, run_cycle
from ampt_sync.sim.accounts import SimulatedAccounts, simulated_accounts
from ampt_sync.store.db import open_store
from ampt_sync.store.plans import load_plan


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[SimulatedAccounts]:
    with simulated_accounts(tmp_path / "run", RUNNER, history_days=56) as running:
        yield running


@pytest.fixture
def hook() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


def deps(accounts: SimulatedAccounts, hook: Receiver) -> CycleDeps:
    return CycleDeps(
        settings=accounts.settings,
        environ=accounts.environ,
        now=accounts.now,
        epoch=accounts.strava.now,
        token_store=accounts.token_store,
        alerter=Alerter(webhook_url=f"{hook.url}/hook"),
    )


def folder(accounts: SimulatedAccounts) -> Path:
    return accounts.settings.state_dir(accounts.environ) / "fit"


def planned(accounts: SimulatedAccounts) -> list[tuple[str, str]]:
    """(file-name prefix ``day_kind_key``, title) of the plan's next seven days."""
    store = open_store(accounts.settings.database_url(accounts.environ))
    try:
        with store.transaction() as session:
            plan = load_plan(session)
    finally:
        store.close()
    today = accounts.local_today()
    return sorted(
        (f"{day.isoformat()}_{w.kind.value}_{w.key}", w.title)
        for day, w in plan.workouts_between(today, today + timedelta(days=7))
        if w.kind != "rest"
    )


def wkt_name(path: Path) -> str:
    decoder = Decoder(Stream.from_byte_array(bytearray(path.read_bytes())))
    assert decoder.check_integrity()
    decoder = Decoder(Stream.from_byte_array(bytearray(path.read_bytes())))
    messages, errors = decoder.read()
    assert errors == []
    return messages["workout_mesgs"][0]["wkt_name"]


def alert_messages(hook: Receiver) -> dict[str, str]:
    sent = [json.loads(r["body"]) for r in hook.requests]
    return {a["problem"]: a["message"] for a in sent}


def test_a_refused_sign_in_leaves_the_next_days_as_fit_files_and_the_alert_says_where(
    accounts, hook
) -> None:
    accounts.garmin.revoke_tokens()
    report = run_cycle(deps(accounts, hook), "push")
    assert report.result == "auth"
    wanted = planned(accounts)
    assert len(wanted) >= 4
    files = sorted(folder(accounts).iterdir())
    assert [f.stem for f in files] == [prefix for prefix, _ in wanted]
    for file, (_, title) in zip(files, wanted, strict=True):
        assert wkt_name(file) == title.replace("×", "x")
        assert file.stat().st_mode & 0o077 == 0  # private, like the rest of the state dir
    assert sorted(report.fit_fallback["files"]) == [f.name for f in files]
    message = alert_messages(hook)["cycle-failed"]
    assert str(folder(accounts)) in message
    assert "GARMIN/NewFiles" in message
    today = accounts.local_today().isoformat()
    todays = [f.name for f in files if f.name.startswith(today)]
    assert (f"today's is {todays[0]}" if todays else "no workout today") in message
    assert "auth garmin" in alert_messages(hook)["garmin-relogin"]


def test_a_refused_request_also_falls_back(accounts, hook) -> None:
    run_cycle(deps(accounts, hook), "push")  # the workouts are on Garmin
    accounts.garmin.revoke_tokens(access=False, refresh=False)
    # Garmin now refuses every request outright, as for a blocked account.
    accounts.garmin.fail("status", status=403, times=1000)
    stale = folder(accounts) / "2020-01-01_easy_w-old.fit"
    own = folder(accounts) / "my-notes.txt"
    folder(accounts).mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"an older fallback")
    own.write_text("the runner's own file")
    report = run_cycle(deps(accounts, hook), "catch-up")
    assert report.result == "error", report.errors
    assert any("HTTP 403" in e for e in report.errors)
    names = sorted(p.name for p in folder(accounts).iterdir())
    assert names == sorted([f"{prefix}.fit" for prefix, _ in planned(accounts)] + [own.name])
    assert str(folder(accounts)) in alert_messages(hook)["cycle-failed"]


def test_the_fallback_files_go_once_the_push_works_again(accounts, hook) -> None:
    run_cycle(deps(accounts, hook), "push")
    accounts.garmin.fail("status", status=403, times=1000)  # refused, as for a blocked account
    run_cycle(deps(accounts, hook), "catch-up")
    assert [p for p in folder(accounts).iterdir() if p.suffix == ".fit"]
    own = folder(accounts) / "my-notes.txt"
    own.write_text("the runner's own file")
    accounts.garmin.clear_faults()
    report = run_cycle(deps(accounts, hook), "push")
    assert report.result == "ok", report.errors
    # no stale workout waits to be copied days later; the runner's own file stays
    assert sorted(p.name for p in folder(accounts).iterdir()) == [own.name]


def test_a_temporary_failure_writes_no_files(accounts, hook) -> None:
    accounts.garmin.fail("status", status=503, times=1000)
    report = run_cycle(deps(accounts, hook), "push")
    assert report.result == "temporary", report.errors
    assert report.fit_fallback is None
    assert not folder(accounts).exists()
    message = alert_messages(hook)["cycle-failed"]
    assert "FIT" not in message


def test_only_the_morning_push_falls_back(accounts, hook) -> None:
    accounts.garmin.revoke_tokens()
    report = run_cycle(deps(accounts, hook), "manual")
    assert report.result == "auth"
    assert not folder(accounts).exists()


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ReloginNeeded("x"), True),
        (AuthError("x"), True),
        (RemoteError("Garmin refused x (HTTP 403)"), True),
        (RemoteUnavailable("x"), False),
        (RateLimited("x", retry_at=datetime(2026, 12, 8, tzinfo=UTC)), False),
        (ConfigError("x"), False),
    ],
)
def test_only_failures_that_will_not_clear_by_themselves_fall_back(exc, expected) -> None:
    assert needs_fallback(exc) is expected
