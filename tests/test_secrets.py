"""The token store: encrypted at rest, private files, atomic writes, a key that never sits
beside the tokens, no unsafe keyring fallback, and no lost update between processes."""

from __future__ import annotations

import base64
import io
import json
import logging
import multiprocessing
import os
from pathlib import Path

import keyring.backends.fail
import pytest

from ampt_sync import secrets
from ampt_sync.errors import AuthError, ConfigError
from ampt_sync.logs import setup_logging

REFRESH = "7c2f1e9a0b3d4c5e6f7a8b9c0d1e2f3a4b5c6d7e"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def store(state: Path) -> secrets.TokenStore:
    return secrets.open_token_store("file", state, environ={})


def test_values_round_trip_and_are_encrypted_at_rest(store, state: Path) -> None:
    store.set_json(secrets.STRAVA_TOKENS, {"refresh_token": REFRESH, "expires_at": 1})
    store.set(secrets.STRAVA_CLIENT_SECRET, "s3cr3t-client-secret")
    assert store.get_json(secrets.STRAVA_TOKENS) == {"refresh_token": REFRESH, "expires_at": 1}
    assert store.get(secrets.STRAVA_CLIENT_SECRET) == "s3cr3t-client-secret"
    raw = (state / "tokens.json").read_text()
    assert REFRESH not in raw
    assert "s3cr3t-client-secret" not in raw
    assert base64.b64encode(REFRESH.encode()).decode()[:20] not in raw  # not merely encoded
    entries = json.loads(raw)["entries"]
    assert all(value.startswith("gAAAAA") for value in entries.values())


def test_files_are_private_even_under_a_permissive_umask(store, state: Path) -> None:
    old = os.umask(0o000)
    try:
        store.set(secrets.GARMIN_TOKENS, "{}")
    finally:
        os.umask(old)
    assert (state / "tokens.json").stat().st_mode & 0o777 == 0o600
    assert state.stat().st_mode & 0o777 == 0o700
    key = secrets.user_key_path()
    assert key.stat().st_mode & 0o777 == 0o600


def test_the_key_lives_in_the_config_dir_never_beside_the_tokens(state: Path) -> None:
    key = secrets.user_key_path()
    store = secrets.open_token_store("file", state, environ={})
    store.set(secrets.GARMIN_TOKENS, "{}")
    assert key.exists()
    assert key.parent != state
    beside = secrets.open_token_store("file", key.parent, environ={})
    with pytest.raises(ConfigError, match="would sit beside the tokens"):
        beside.set(secrets.GARMIN_TOKENS, "{}")


def test_the_systemd_credential_is_the_key_when_present(tmp_path: Path, state: Path) -> None:
    credentials = tmp_path / "creds"
    credentials.mkdir()
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    (credentials / "token-key").write_text(key + "\n")
    environ = {"CREDENTIALS_DIRECTORY": str(credentials)}
    store = secrets.open_token_store("file", state, environ=environ)
    store.set(secrets.STRAVA_TOKENS, "value-under-credential")
    assert not secrets.user_key_path().exists()  # no key file was made
    assert store.backend.key_source == str(credentials / "token-key")  # type: ignore[attr-defined]
    again = secrets.open_token_store("file", state, environ=environ)
    assert again.get(secrets.STRAVA_TOKENS) == "value-under-credential"


def test_a_changed_key_is_one_clear_error(tmp_path: Path, state: Path, store) -> None:
    store.set(secrets.STRAVA_TOKENS, "value")
    credentials = tmp_path / "creds"
    credentials.mkdir()
    (credentials / "token-key").write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
    other = secrets.open_token_store(
        "file", state, environ={"CREDENTIALS_DIRECTORY": str(credentials)}
    )
    with pytest.raises(AuthError, match=r"cannot be decrypted with the key from .*sign in again"):
        other.get(secrets.STRAVA_TOKENS)


def test_a_malformed_key_says_how_to_make_one(tmp_path: Path, state: Path) -> None:
    credentials = tmp_path / "creds"
    credentials.mkdir()
    (credentials / "token-key").write_text("not-a-key")
    store = secrets.open_token_store(
        "file", state, environ={"CREDENTIALS_DIRECTORY": str(credentials)}
    )
    with pytest.raises(ConfigError, match="is not a token key"):
        store.set(secrets.STRAVA_TOKENS, "x")


def test_a_damaged_token_file_is_reported_not_crashed_on(store, state: Path) -> None:
    store.set(secrets.STRAVA_TOKENS, "x")
    (state / "tokens.json").write_text("{not json")
    with pytest.raises(AuthError, match="is damaged"):
        store.get(secrets.STRAVA_TOKENS)


def test_a_failed_write_raises_and_keeps_the_previous_file(store, state, monkeypatch) -> None:
    store.set(secrets.STRAVA_TOKENS, "first")
    before = (state / "tokens.json").read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(secrets.os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        store.set(secrets.STRAVA_TOKENS, "second")
    assert (state / "tokens.json").read_bytes() == before
    assert [p.name for p in state.iterdir() if p.name.endswith(".tmp")] == []


def test_forget_all_deletes_exactly_what_we_keep(store) -> None:
    store.set(secrets.STRAVA_TOKENS, "a")
    store.set(secrets.GARMIN_TOKENS, "b")
    assert store.stored_names() == [secrets.STRAVA_TOKENS, secrets.GARMIN_TOKENS]
    assert store.forget_all() == [secrets.STRAVA_TOKENS, secrets.GARMIN_TOKENS]
    assert store.stored_names() == []
    assert store.delete(secrets.STRAVA_TOKENS) is False


def test_auto_uses_the_file_where_keyring_has_no_real_backend(state, monkeypatch) -> None:
    monkeypatch.setattr(secrets.keyring, "get_keyring", keyring.backends.fail.Keyring)
    store = secrets.open_token_store("auto", state, environ={})
    assert isinstance(store.backend, secrets.EncryptedFileKeyring)
    with pytest.raises(ConfigError, match="cannot keep tokens safely"):
        secrets.open_token_store("keyring", state, environ={})


def test_keyring_never_picks_our_backend_by_itself() -> None:
    import keyring.core

    chosen = keyring.core._detect_backend()
    assert not isinstance(chosen, secrets.EncryptedFileKeyring)


def test_stored_values_are_masked_in_logs(store) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        setup_logging(stream=stream, environ={}, verbose=True)
        store.set_json(secrets.GARMIN_TOKENS, {"di_refresh_token": "garmin-refresh-0123456789"})
        logging.getLogger("ampt_sync.test").debug("oops %s", "garmin-refresh-0123456789")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    assert "garmin-refresh-0123456789" not in stream.getvalue()


def _writer(state: str, prefix: str, count: int, key_path: str) -> None:
    store = secrets.open_token_store("file", Path(state), environ={}, key_path=Path(key_path))
    backend = store.backend
    for i in range(count):
        backend.set_password("ampt-sync-test", f"{prefix}-{i}", f"value-{prefix}-{i}")


def test_two_processes_writing_at_once_lose_no_update(state: Path, tmp_path: Path) -> None:
    key_path = tmp_path / "keys" / "token.key"
    secrets.open_token_store("file", state, environ={}, key_path=key_path).set("warm", "up")
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_writer, args=(str(state), name, 25, str(key_path)))
        for name in ("cli", "daemon")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    entries = json.loads((state / "tokens.json").read_text())["entries"]
    assert len([k for k in entries if k.startswith("ampt-sync-test")]) == 50


def test_a_reader_that_must_not_create_a_key_says_so_instead(state: Path) -> None:
    writer = secrets.open_token_store("file", state, environ={}, key_path=state.parent / "k")
    writer.set(secrets.STRAVA_TOKENS, "value")
    reader = secrets.open_token_store("file", state, environ={}, create_key=False)
    with pytest.raises(AuthError, match="no token key here"):
        reader.get(secrets.STRAVA_TOKENS)
    assert not secrets.user_key_path().exists()
