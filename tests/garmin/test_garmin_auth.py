"""Signing in once, importing tokens, never logging a secret, never signing in unattended."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from garmin_helpers import desired, easy
from garminconnect.client import Client

from ampt_sync.errors import AuthError, RateLimited, ReloginNeeded
from ampt_sync.garmin import auth
from ampt_sync.garmin.client import record_relogin_needed, relogin_needed
from ampt_sync.secrets import GARMIN_TOKENS
from ampt_sync.sim.garmin import GarminSim

TODAY = date(2026, 11, 10)


@pytest.fixture
def mfa_sim() -> GarminSim:
    with GarminSim(mfa_code="424242") as running:
        yield running


def test_sign_in_with_mfa_keeps_the_tokens_and_never_the_password(
    mfa_sim, token_store, store, tmp_path
) -> None:
    asked = []
    auth.sign_in(
        token_store,
        mfa_sim.account.email,
        mfa_sim.account.password,
        lambda: asked.append("mfa") or "424242",
        strategy=mfa_sim.login_strategy(),
        store=store,
    )
    assert asked == ["mfa"]
    stored = json.loads(token_store.get(GARMIN_TOKENS))
    assert set(stored) == {"di_token", "di_refresh_token", "di_client_id"}
    assert stored["di_token"] in mfa_sim.issued_secrets()
    for name in token_store.stored_names():
        assert mfa_sim.account.password not in token_store.get(name)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert mfa_sim.account.password.encode() not in path.read_bytes()


def test_a_429_at_sign_in_says_to_wait_hours_not_to_retry(sim, token_store) -> None:
    sim.login_rate_limited = True
    before = datetime.now(UTC)
    with pytest.raises(RateLimited, match=r"Wait a few hours.*do not retry") as caught:
        auth.sign_in(
            token_store,
            sim.account.email,
            sim.account.password,
            lambda: "",
            strategy=sim.login_strategy(),
        )
    assert caught.value.retry_at >= before + timedelta(hours=6)
    assert token_store.get(GARMIN_TOKENS) is None


def test_a_wrong_password_or_mfa_code_is_refused_plainly(mfa_sim, token_store) -> None:
    login = mfa_sim.login_strategy()
    with pytest.raises(AuthError, match="refused the sign-in"):
        auth.sign_in(token_store, mfa_sim.account.email, "wrong", lambda: "", strategy=login)
    with pytest.raises(AuthError, match="refused the sign-in"):
        auth.sign_in(
            token_store,
            mfa_sim.account.email,
            mfa_sim.account.password,
            lambda: "1",
            strategy=login,
        )
    assert token_store.get(GARMIN_TOKENS) is None


def test_signing_in_again_clears_relogin_needed(sim, token_store, store) -> None:
    record_relogin_needed(store, "Garmin refused the stored sign-in")
    auth.sign_in(
        token_store,
        sim.account.email,
        sim.account.password,
        lambda: "",
        strategy=sim.login_strategy(),
        store=store,
    )
    assert relogin_needed(store) is None


def test_the_cli_signs_in_through_garminconnects_strategy_chain() -> None:
    assert auth.default_strategy() is auth.garminconnect_login


# ------------------------------------------------------------------------------------------------
# importing a token file


def test_importing_a_garminconnect_token_file_or_its_folder(sim, token_store, tmp_path) -> None:
    folder = tmp_path / ".garminconnect"
    folder.mkdir()
    (folder / "garmin_tokens.json").write_text(sim.token_json())
    assert auth.import_tokens(token_store, folder) == folder / "garmin_tokens.json"
    assert json.loads(token_store.get(GARMIN_TOKENS))["di_client_id"]
    single = tmp_path / "tokens.json"
    single.write_text(sim.token_json())
    assert auth.import_tokens(token_store, single) == single


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('{"di_token": null}', "not garminconnect tokens"),
        ('{"di_token": "a.b.c", "di_client_id": "X"}', "lack a refresh token"),
    ],
)
def test_importing_something_else_is_refused(token_store, tmp_path, content, message) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(content)
    with pytest.raises(AuthError, match=message):
        auth.import_tokens(token_store, path)


def test_importing_old_garth_tokens_says_to_sign_in(token_store, tmp_path: Path) -> None:
    (tmp_path / "oauth1_token.json").write_text("{}")
    with pytest.raises(AuthError, match="garth"):
        auth.import_tokens(token_store, tmp_path)


# ------------------------------------------------------------------------------------------------
# never unattended, never in a log


def test_a_push_never_signs_in_with_credentials_even_when_refused(sim, push, monkeypatch) -> None:
    def no_login(*args: object, **kwargs: object) -> None:
        raise AssertionError("a credential login was attempted")

    monkeypatch.setattr(Client, "login", no_login)
    assert push(desired([(TODAY, easy("w-a", 5))]), TODAY).ok
    sim.revoke_tokens()
    with pytest.raises(ReloginNeeded):
        push(desired([(TODAY, easy("w-a", 6))]), TODAY)


def test_no_token_password_or_code_reaches_the_log(mfa_sim, token_store, store, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "requests", "garminconnect", "ampt_sync", "curl_cffi"):
        caplog.set_level(logging.DEBUG, logger=name)
    sim = mfa_sim
    # Sign in (with MFA), then make the access token nearly expired so the push refreshes it.
    auth.sign_in(
        token_store,
        sim.account.email,
        sim.account.password,
        lambda: "424242",
        strategy=sim.login_strategy(),
        store=store,
    )
    tokens = json.loads(token_store.get(GARMIN_TOKENS))
    short = json.loads(sim.token_json(ttl_s=60))
    token_store.set(GARMIN_TOKENS, json.dumps({**tokens, "di_token": short["di_token"]}))

    from ampt_sync.garmin.calendar import GarminCalendar
    from ampt_sync.garmin.client import open_garmin
    from ampt_sync.garmin.push import push_workouts
    from ampt_sync.store.ledger import GarminLedger

    def one_push(want):
        with open_garmin(
            token_store, store=store, base_url_override=sim.base_url, timeout_s=0.5
        ) as s:
            return push_workouts(want, TODAY, 7, GarminCalendar(s), GarminLedger(store))

    sim.fail("status", status=500, method="POST", path="/schedule/")  # an error path, logged
    assert one_push(desired([(TODAY, easy("w-a", 5))])).ok
    sim.revoke_tokens()  # refused: the refresh fails, then the request
    with pytest.raises(ReloginNeeded):
        one_push(desired([(TODAY, easy("w-a", 7))]))

    text = caplog.text + "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    # The log did see the traffic: requests, the refresh, the retried error, the refusal.
    assert '"POST /workout-service/workout HTTP/1.1" 200' in text
    assert "status=500" in text
    assert "DI token refresh failed" in text
    secrets = {sim.account.password, "424242", *sim.issued_secrets()}
    assert len(secrets) >= 6  # password, code, two sign-in tokens, refreshed and short ones
    leaked = [s for s in secrets if s in text]
    assert leaked == []
