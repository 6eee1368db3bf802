"""Fixtures for the Strava contract tests: the simulated Strava on loopback, settings pointing at
it, a file token store in the test's temporary dir, and the real stravalib client on top."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from strava_helpers import ZONE, config_text, today_local

from ampt_sync.config import Settings, parse_settings
from ampt_sync.secrets import TokenStore, open_token_store
from ampt_sync.sim.runner import synthetic_history
from ampt_sync.sim.strava import SIM_CLIENT_ID, SIM_CLIENT_SECRET, StravaSim
from ampt_sync.store.db import Store, open_store
from ampt_sync.strava.client import StravaClient, StravaTokens, build_client, save_tokens


@pytest.fixture
def sim() -> Iterator[StravaSim]:
    with StravaSim() as running:
        yield running


@pytest.fixture
def history(sim: StravaSim) -> list[dict[str, Any]]:
    """Eight weeks of the synthetic runner ending today, loaded into the sim."""
    activities = _history(today_local(sim), 56)
    sim.add_activities(activities)
    return copy.deepcopy(activities)


@pytest.fixture
def long_history(sim: StravaSim) -> list[dict[str, Any]]:
    """130 days, reaching past the 112-day backfill, with two races; loaded into the sim."""
    activities = _history(today_local(sim), 130)
    sim.add_activities(activities)
    return copy.deepcopy(activities)


@functools.cache
def _history(end: date, days: int) -> list[dict[str, Any]]:
    return synthetic_history(end, days=days, seed=7, zone=ZONE)


@pytest.fixture
def strava_env(sim: StravaSim, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "AMPT_SYNC_STRAVA_URL": sim.base_url,
        "AMPT_SYNC_STRAVA_CLIENT_SECRET": SIM_CLIENT_SECRET,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return parse_settings(config_text(tmp_path / "state"), source="test config")


@pytest.fixture
def token_store(settings: Settings) -> TokenStore:
    return open_token_store(settings.secrets.backend, settings.state_dir())


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings.database_url())
    yield opened
    opened.close()


@pytest.fixture
def connect(sim: StravaSim, token_store: TokenStore) -> Callable[..., StravaTokens]:
    """Store tokens issued by the sim, as `auth strava` would; ``expires_in_s`` shortens them."""

    def run(
        scope: str = "read,activity:read_all", expires_in_s: float | None = None
    ) -> StravaTokens:
        issued = sim.issue_tokens(scope)
        expires_at = issued["expires_at"]
        if expires_in_s is not None:
            expires_at = int(sim.now() + expires_in_s)
        tokens = StravaTokens(
            access_token=issued["access_token"],
            refresh_token=issued["refresh_token"],
            expires_at=expires_at,
            athlete_id=sim.athlete_id,
            scope=scope,
            client_id=SIM_CLIENT_ID,
        )
        save_tokens(token_store, tokens)
        return tokens

    return run


@pytest.fixture
def make_client(
    sim: StravaSim, settings: Settings, token_store: TokenStore, strava_env: dict[str, str]
) -> Iterator[Callable[..., StravaClient]]:
    """The real client, on the sim's clock, with short timeouts and no backoff."""
    made: list[StravaClient] = []

    def make(**options: Any) -> StravaClient:
        defaults: dict[str, Any] = {"clock": sim.now, "timeout_s": 2.0, "backoff_s": 0.0}
        client = build_client(settings, token_store, environ=strava_env, **{**defaults, **options})
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
