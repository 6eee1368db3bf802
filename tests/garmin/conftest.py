"""Fixtures for the Garmin tests: a simulated Garmin Connect on loopback, a migrated store, a
token store holding the sim's tokens, and a ``push`` that drives the real garminconnect client."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from garmin_helpers import FAST_TIMEOUT_S

from ampt_sync.garmin.calendar import GarminCalendar
from ampt_sync.garmin.client import open_garmin
from ampt_sync.garmin.push import push_workouts
from ampt_sync.garmin.push_report import PushReport
from ampt_sync.garmin.reconcile import Desired
from ampt_sync.secrets import GARMIN_TOKENS, TokenStore, open_token_store
from ampt_sync.sim.garmin import GarminSim
from ampt_sync.store.db import Store, open_store
from ampt_sync.store.ledger import GarminLedger

#: Fast settings for loopback: short timeouts and near-zero waits between read retries.
FAST = {"timeout_s": FAST_TIMEOUT_S, "read_retries": 1, "retry_wait_s": (0.001, 0.002)}


@pytest.fixture
def sim() -> Iterator[GarminSim]:
    with GarminSim() as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'ampt-sync.db'}")
    yield opened
    opened.close()


@pytest.fixture
def token_store(tmp_path: Path) -> TokenStore:
    return open_token_store(
        "file", tmp_path / "state", environ={}, key_path=tmp_path / "config" / "token.key"
    )


@pytest.fixture
def connected(sim: GarminSim, token_store: TokenStore) -> TokenStore:
    """The token store holding tokens the sim accepts."""
    token_store.set(GARMIN_TOKENS, sim.token_json())
    return token_store


@pytest.fixture
def session(sim: GarminSim, connected: TokenStore, store: Store) -> Callable[..., Any]:
    """``with session(**options) as s:`` an open Garmin session against the sim."""

    def open_session(**options: Any) -> Any:
        return open_garmin(
            connected, store=store, base_url_override=sim.base_url, **{**FAST, **options}
        )

    return open_session


@pytest.fixture
def push(session: Callable[..., Any], store: Store) -> Callable[..., PushReport]:
    """``push(desired, today, horizon_days=7, **options)``: one push through the real client."""

    def run(
        want: Sequence[Desired],
        today: date,
        horizon_days: int = 7,
        *,
        on_request: Any = None,
        **options: Any,
    ) -> PushReport:
        with session(on_request=on_request) as s:
            return push_workouts(
                want, today, horizon_days, GarminCalendar(s), GarminLedger(store), **options
            )

    return run
