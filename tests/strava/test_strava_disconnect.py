"""Disconnecting: revoke at Strava, then delete the tokens and every Strava activity and cursor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from ampt_sync.config import Settings
from ampt_sync.errors import RemoteUnavailable
from ampt_sync.secrets import STRAVA_CLIENT_SECRET, STRAVA_TOKENS, TokenStore
from ampt_sync.sim.strava import StravaSim
from ampt_sync.store.db import Store
from ampt_sync.store.models import ActivityRow, SyncCursorRow
from ampt_sync.strava.client import StravaClient, StravaTokens
from ampt_sync.strava.disconnect import disconnect
from ampt_sync.strava.sync import pull


def counts(store: Store) -> tuple[int, int]:
    with store.transaction() as session:
        activities = session.scalar(select(func.count()).select_from(ActivityRow))
        cursors = session.scalar(select(func.count()).select_from(SyncCursorRow))
    return activities or 0, cursors or 0


@pytest.fixture
def pulled(
    sim: StravaSim,
    history: list[dict[str, Any]],
    connect: Callable[..., StravaTokens],
    make_client: Callable[..., StravaClient],
    store: Store,
    settings: Settings,
    token_store: TokenStore,
) -> int:
    connect()
    token_store.set(STRAVA_CLIENT_SECRET, "a-stored-client-secret")
    report = pull(make_client(), store, settings)
    return report.created


def test_disconnect_revokes_then_deletes_tokens_and_all_strava_data(
    sim: StravaSim,
    pulled: int,
    store: Store,
    settings: Settings,
    token_store: TokenStore,
    strava_env: dict[str, str],
) -> None:
    assert counts(store)[0] == pulled > 0
    report = disconnect(settings, store, token_store, environ=strava_env, clock=sim.now)
    assert report.revocation == "revoked"
    assert sim.count("/oauth/deauthorize") == 1
    assert sim.live_refresh_tokens == []
    assert report.deleted_secrets == [STRAVA_TOKENS, STRAVA_CLIENT_SECRET]
    assert (report.activities_deleted, report.cursors_deleted) == (pulled, 1)
    assert counts(store) == (0, 0)
    assert token_store.get(STRAVA_TOKENS) is None
    lines = report.lines()
    assert lines[0] == "revoked ampt-sync's access at Strava"
    assert f"deleted {pulled} activities from the database" in lines


def test_when_strava_already_revoked_access_the_local_data_still_goes(
    sim: StravaSim,
    pulled: int,
    store: Store,
    settings: Settings,
    token_store: TokenStore,
    strava_env: dict[str, str],
) -> None:
    sim.revoke_all()
    sim.expire_access_tokens()
    report = disconnect(settings, store, token_store, environ=strava_env, clock=sim.now)
    assert report.revocation == "already revoked"
    assert counts(store) == (0, 0)
    assert token_store.get(STRAVA_TOKENS) is None


def test_when_strava_cannot_be_reached_nothing_is_deleted(
    sim: StravaSim,
    pulled: int,
    store: Store,
    settings: Settings,
    token_store: TokenStore,
    strava_env: dict[str, str],
) -> None:
    sim.fail("status", status=503, path="/oauth/deauthorize")
    with pytest.raises(RemoteUnavailable, match=r"nothing was deleted.*--local-only"):
        disconnect(settings, store, token_store, environ=strava_env, clock=sim.now)
    assert counts(store)[0] == pulled
    assert token_store.get(STRAVA_TOKENS) is not None


def test_local_only_does_not_contact_strava(
    sim: StravaSim,
    pulled: int,
    store: Store,
    settings: Settings,
    token_store: TokenStore,
    strava_env: dict[str, str],
) -> None:
    sim.clear_log()
    report = disconnect(settings, store, token_store, local_only=True, environ=strava_env)
    assert report.revocation == "skipped"
    assert sim.requests == []
    assert counts(store) == (0, 0)


def test_disconnect_without_a_connection_deletes_what_there_is(
    store: Store, settings: Settings, token_store: TokenStore
) -> None:
    report = disconnect(settings, store, token_store, environ={})
    assert report.revocation == "not connected"
    assert report.deleted_secrets == []
    assert (report.activities_deleted, report.cursors_deleted) == (0, 0)
