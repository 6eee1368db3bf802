"""The client over the real stravalib against the sim: refresh before expiry, rotated tokens
persisted before use (and what a crash on either side of that write leaves), retries of reads
only, timeouts, and the translation of Strava's answers into our errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ampt_sync.config import Settings
from ampt_sync.errors import AuthError, ConfigError, RemoteError, RemoteUnavailable
from ampt_sync.secrets import STRAVA_CLIENT_SECRET, TokenStore
from ampt_sync.sim.strava import StravaSim
from ampt_sync.strava.client import (
    DEFAULT_BASE_URL,
    READ_TIMEOUT_S,
    StravaClient,
    StravaSession,
    StravaTokens,
    base_url_from_env,
    build_client,
    load_tokens,
    read_client_secret,
)


class Killed(BaseException):
    """The process dies here (SIGKILL): nothing after this line runs, no cleanup either."""


class DyingTokenStore(TokenStore):
    """A token store whose process is killed just before, or just after, it saves tokens."""

    def __init__(self, inner: TokenStore, when: str) -> None:
        super().__init__(inner.backend, inner.lock_path, inner.description)
        self.when = when

    def set_json(self, name: str, value: object) -> None:  # type: ignore[override]
        if self.when == "before":
            raise Killed
        super().set_json(name, value)  # type: ignore[arg-type]
        raise Killed


def test_a_token_with_more_than_ten_minutes_left_is_used_as_is(
    sim: StravaSim, connect: Callable[..., StravaTokens], make_client: Callable[..., StravaClient]
) -> None:
    connect(expires_in_s=11 * 60)
    client = make_client()
    assert client.athlete()["id"] == sim.athlete_id
    assert sim.count("/oauth/") == 0
    assert (client.api_calls, client.oauth_calls, client.refreshes) == (1, 0, 0)


def test_a_token_expiring_within_ten_minutes_is_refreshed_rotated_and_saved_before_use(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
    token_store: TokenStore,
) -> None:
    old = connect(expires_in_s=9 * 60)
    sim.expire_access_tokens()  # so the sim hands out a new access token too
    client = make_client()
    client.athlete()
    new = load_tokens(token_store)
    assert new is not None
    assert new.refresh_token != old.refresh_token
    assert new.access_token != old.access_token
    assert new.expires_at > sim.now() + 5 * 3600
    assert new.athlete_id == old.athlete_id
    assert sim.live_refresh_tokens == [new.refresh_token]  # the old one died at once
    assert client.tokens == new
    assert [r.path for r in sim.requests] == ["/oauth/token", "/api/v3/athlete"]
    assert (client.api_calls, client.oauth_calls, client.refreshes) == (1, 1, 1)


def test_killed_after_the_rotated_tokens_were_saved_the_next_run_works(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    settings: Settings,
    token_store: TokenStore,
    strava_env: dict[str, str],
) -> None:
    connect(expires_in_s=60)
    dying = build_client(
        settings, DyingTokenStore(token_store, "after"), environ=strava_env, clock=sim.now
    )
    with pytest.raises(Killed):
        dying.athlete()
    assert sim.count("/api/") == 0  # died before using the new token

    next_run = build_client(settings, token_store, environ=strava_env, clock=sim.now)
    assert next_run.athlete()["id"] == sim.athlete_id
    assert next_run.refreshes == 0  # the saved tokens were fresh


def test_killed_before_the_rotated_tokens_were_saved_the_next_run_asks_to_reauthorise(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    settings: Settings,
    token_store: TokenStore,
    strava_env: dict[str, str],
) -> None:
    connect(expires_in_s=60)
    dying = build_client(
        settings, DyingTokenStore(token_store, "before"), environ=strava_env, clock=sim.now
    )
    with pytest.raises(Killed):
        dying.athlete()

    next_run = build_client(settings, token_store, environ=strava_env, clock=sim.now)
    with pytest.raises(AuthError, match=r"re-authorise with `ampt-sync auth strava`"):
        next_run.athlete()


def test_a_401_forces_one_refresh_and_the_read_is_repeated(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
) -> None:
    connect()
    client = make_client()
    sim.expire_access_tokens()  # Strava's clock disagrees with ours
    assert client.athlete()["id"] == sim.athlete_id
    assert [(r.path, r.status) for r in sim.requests] == [
        ("/api/v3/athlete", 401),
        ("/oauth/token", 200),
        ("/api/v3/athlete", 200),
    ]


def test_revoked_access_says_reauthorise_and_is_not_retried_forever(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
) -> None:
    connect()
    sim.revoke_all()
    client = make_client()
    with pytest.raises(AuthError, match=r"re-authorise with `ampt-sync auth strava`") as raised:
        client.athlete()
    assert "refresh token" in str(raised.value)
    assert len(sim.requests) == 2  # one read, one refresh attempt


def test_another_process_that_refreshed_first_is_followed_not_repeated(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
) -> None:
    connect(expires_in_s=60)
    daemon, cli = make_client(), make_client()
    daemon.athlete()
    cli.athlete()
    assert sim.count("/oauth/token") == 1
    assert cli.tokens == daemon.tokens
    assert (cli.refreshes, daemon.refreshes) == (0, 1)


def test_a_missing_activity_scope_names_the_permission(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
) -> None:
    connect(scope="read")
    with pytest.raises(AuthError, match="activity:read_all"):
        make_client().activities_page(after_epoch=0, page=1)
    assert sim.count("/oauth/") == 0  # a refresh would not add a scope


def test_an_inactive_app_is_an_auth_error_naming_the_subscription(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
) -> None:
    connect()
    sim.app_inactive = True
    with pytest.raises(AuthError, match="subscription"):
        make_client().athlete()


def test_reads_are_retried_after_5xx_and_truncated_answers(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
) -> None:
    connect()
    sim.fail("status", status=502)
    sim.fail("truncated")
    client = make_client(read_attempts=3)
    assert client.athlete()["id"] == sim.athlete_id
    assert [r.status for r in sim.requests] == [502, 200, 200]
    assert client.api_calls == 3


def test_a_persistent_5xx_is_temporary_after_the_attempts(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
) -> None:
    connect()
    sim.fail("status", status=503, times=5)
    with pytest.raises(RemoteUnavailable, match="503"):
        make_client(read_attempts=2).athlete()
    assert sim.count() == 2


def test_a_non_json_answer_is_a_remote_error_after_the_attempts(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
) -> None:
    connect()
    sim.fail("not_json", times=5)
    with pytest.raises(RemoteError, match="not the JSON"):
        make_client(read_attempts=2).athlete()


def test_a_slow_strava_times_out_as_temporary(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
) -> None:
    connect()
    sim.fail("timeout", delay_s=1.0, times=2)
    with pytest.raises(RemoteUnavailable, match="did not answer"):
        make_client(timeout_s=0.2, read_attempts=2).athlete()


def test_token_calls_are_never_retried(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
) -> None:
    connect(expires_in_s=60)
    sim.fail("status", status=503, path="/oauth/token")
    with pytest.raises(RemoteUnavailable):
        make_client(read_attempts=3).athlete()
    assert sim.count("/oauth/token") == 1


def test_timeouts_are_at_most_eight_seconds() -> None:
    session = StravaSession()
    assert max(session.timeout_s) <= 8.0
    assert READ_TIMEOUT_S <= 8.0
    assert max(StravaSession(timeout_s=60).timeout_s) <= 8.0


def test_every_call_is_redirected_to_the_configured_base(sim: StravaSim) -> None:
    session = StravaSession(sim.base_url)
    response = session.get("https://www.strava.com/api/v3/athlete")
    assert response.status_code == 401
    assert sim.requests[-1].path == "/api/v3/athlete"
    assert (session.api_calls, session.oauth_calls) == (1, 0)


def test_the_base_url_comes_from_the_environment() -> None:
    assert base_url_from_env({}) == DEFAULT_BASE_URL
    assert base_url_from_env({"AMPT_SYNC_STRAVA_URL": "http://127.0.0.1:8099/"}) == (
        "http://127.0.0.1:8099"
    )
    with pytest.raises(ConfigError, match="AMPT_SYNC_STRAVA_URL"):
        base_url_from_env({"AMPT_SYNC_STRAVA_URL": "ftp://example.org"})


def test_the_client_secret_comes_from_credentials_then_environment_then_token_store(
    tmp_path: Path, token_store: TokenStore
) -> None:
    assert read_client_secret(token_store, {}) is None
    token_store.set(STRAVA_CLIENT_SECRET, "from-store-secret")
    assert read_client_secret(token_store, {})[0] == "from-store-secret"  # type: ignore[index]
    env = {"AMPT_SYNC_STRAVA_CLIENT_SECRET": "from-env-secret"}
    assert read_client_secret(token_store, env)[0] == "from-env-secret"  # type: ignore[index]
    (tmp_path / "creds").mkdir()
    (tmp_path / "creds" / "strava-client-secret").write_text("from-systemd-secret\n")
    env["CREDENTIALS_DIRECTORY"] = str(tmp_path / "creds")
    secret, where = read_client_secret(token_store, env)  # type: ignore[misc]
    assert secret == "from-systemd-secret"
    assert "systemd" in where


def test_without_a_secret_a_due_refresh_says_where_to_put_it(
    sim: StravaSim,
    connect: Callable[..., StravaTokens],
    settings: Settings,
    token_store: TokenStore,
) -> None:
    connect(expires_in_s=60)
    client = build_client(
        settings, token_store, environ={"AMPT_SYNC_STRAVA_URL": sim.base_url}, clock=sim.now
    )
    with pytest.raises(AuthError, match="CREDENTIALS_DIRECTORY"):
        client.athlete()


def test_building_a_client_before_auth_or_without_client_id_is_a_clear_error(
    settings: Settings, token_store: TokenStore, tmp_path: Path
) -> None:
    with pytest.raises(AuthError, match="auth strava"):
        build_client(settings, token_store, environ={})
    bare = settings.model_copy(
        update={"strava": settings.strava.model_copy(update={"client_id": None})}
    )
    with pytest.raises(ConfigError, match=r"strava\.client_id"):
        build_client(bare, token_store, environ={})
