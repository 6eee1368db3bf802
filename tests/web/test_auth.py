"""The page's sign-in pieces: password hashing, one-time links, sessions, CSRF, the throttle,
the calendar key. Against a real (SQLite) store; no web server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ampt_sync.store import state
from ampt_sync.store.db import Store, open_store
from ampt_sync.web import auth

NOW = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def test_password_hash_is_salted_scrypt_and_verifies_only_the_same_password() -> None:
    one = auth.hash_password("correct horse battery")
    two = auth.hash_password("correct horse battery")
    assert one["scheme"] == "scrypt"
    assert one["n"] == 2**14
    assert one["salt"] != two["salt"]
    assert one["hash"] != two["hash"]
    assert "correct horse" not in str(one)
    assert auth.verify_password("correct horse battery", one)
    assert not auth.verify_password("correct horse batterY", one)
    assert not auth.verify_password("correct horse battery", {**one, "scheme": "md5"})


def test_stored_password_is_checked_and_short_ones_are_refused(store: Store) -> None:
    with store.transaction() as session:
        assert not auth.password_is_set(session)
        with pytest.raises(ValueError, match="at least 8 characters"):
            auth.set_password(session, "short", now=NOW)
        auth.set_password(session, "long enough", now=NOW)
    with store.transaction() as session:
        assert auth.password_is_set(session)
        assert auth.check_password(session, "long enough")
        assert not auth.check_password(session, "long enougH")
        assert "long enough" not in str(state.get(session, auth.PASSWORD))


def test_sign_in_token_works_once(store: Store) -> None:
    with store.transaction() as session:
        token = auth.new_sign_in_token(session, now=NOW)
    with store.transaction() as session:
        assert token not in str(state.get(session, auth.SIGN_IN_TOKENS))  # only its hash
        assert auth.redeem_sign_in_token(session, token, now=NOW + timedelta(minutes=1))
    with store.transaction() as session:
        assert not auth.redeem_sign_in_token(session, token, now=NOW + timedelta(minutes=2))


def test_sign_in_token_expires_after_ten_minutes_and_is_spent_by_a_late_try(store: Store) -> None:
    with store.transaction() as session:
        late = auth.new_sign_in_token(session, now=NOW)
        in_time = auth.new_sign_in_token(session, now=NOW)
    with store.transaction() as session:
        assert not auth.redeem_sign_in_token(session, late, now=NOW + timedelta(minutes=10))
        assert auth.redeem_sign_in_token(
            session, in_time, now=NOW + timedelta(minutes=9, seconds=59)
        )
        assert not auth.redeem_sign_in_token(session, "made-up", now=NOW)
    with store.transaction() as session:
        assert state.get(session, auth.SIGN_IN_TOKENS) == {}


def test_expired_tokens_are_dropped_when_a_new_one_is_made(store: Store) -> None:
    with store.transaction() as session:
        auth.new_sign_in_token(session, now=NOW)
        auth.new_sign_in_token(session, now=NOW + timedelta(hours=1))
        assert len(state.get(session, auth.SIGN_IN_TOKENS) or {}) == 1


def test_session_secret_is_made_once_and_kept(store: Store) -> None:
    with store.transaction() as session:
        first = auth.session_secret(session, now=NOW)
    with store.transaction() as session:
        assert auth.session_secret(session, now=NOW) == first
    assert len(first) >= 48


def test_sessions_last_thirty_days() -> None:
    signed = NOW.isoformat()
    assert auth.session_valid(signed, NOW + timedelta(days=29, hours=23))
    assert not auth.session_valid(signed, NOW + timedelta(days=30, seconds=1))
    assert not auth.session_valid(signed, NOW - timedelta(minutes=1))  # from the future
    assert not auth.session_valid(None, NOW)
    assert not auth.session_valid("yesterday", NOW)
    assert not auth.session_valid("2026-12-07T18:00:00", NOW)  # naive: not ours


def test_csrf_needs_both_tokens_equal() -> None:
    assert auth.csrf_ok("abc", "abc")
    assert not auth.csrf_ok("abc", "abd")
    assert not auth.csrf_ok("abc", "")
    assert not auth.csrf_ok(None, None)
    assert not auth.csrf_ok("", "")


def test_throttle_blocks_a_client_after_five_failures_for_fifteen_minutes() -> None:
    throttle = auth.Throttle()
    for i in range(5):
        assert throttle.retry_after_s("10.0.0.2", NOW + timedelta(seconds=i)) is None
        throttle.failed("10.0.0.2", NOW + timedelta(seconds=i))
    wait = throttle.retry_after_s("10.0.0.2", NOW + timedelta(seconds=5))
    assert wait == pytest.approx(15 * 60 - 5)
    assert throttle.retry_after_s("10.0.0.3", NOW) is None  # another client may still try
    assert throttle.retry_after_s("10.0.0.2", NOW + timedelta(minutes=15)) is None


def test_throttle_limits_all_clients_together() -> None:
    throttle = auth.Throttle(per_client=5, overall=20)
    for i in range(20):
        throttle.failed(f"10.0.1.{i}", NOW)
    assert throttle.retry_after_s("10.0.2.1", NOW) is not None


def test_success_clears_a_clients_failures() -> None:
    throttle = auth.Throttle()
    for _ in range(4):
        throttle.failed("a", NOW)
    throttle.succeeded("a")
    throttle.failed("a", NOW)
    assert throttle.retry_after_s("a", NOW) is None


def test_calendar_key_is_made_once_checked_and_replaceable(store: Store) -> None:
    with store.transaction() as session:
        assert not auth.calendar_key_matches(session, "anything")
        key = auth.calendar_key(session, now=NOW)
        assert auth.calendar_key(session, now=NOW) == key
        assert auth.calendar_key_matches(session, key)
        assert not auth.calendar_key_matches(session, key[:-1])
        assert not auth.calendar_key_matches(session, None)
        new = auth.new_calendar_key(session, now=NOW)
        assert new != key
        assert not auth.calendar_key_matches(session, key)
        assert auth.calendar_key_matches(session, new)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),  # noqa: S104 (a value under test, not a bind)
        ("192.168.1.20", False),
        ("::", False),
        ("pi.local", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert auth.is_loopback(host) is loopback
