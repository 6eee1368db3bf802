"""Fixtures for the intervals.icu tests: the simulator on loopback, a migrated store, a token
store holding the sim's key, and ``push`` driving the real client over HTTP."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

# The Garmin tests' plan builders (plan_of, library workouts), the FIT tests' decoder and the
# alert tests' webhook receiver serve these tests too (as tests/fit/conftest.py does).
_TESTS = Path(__file__).resolve().parents[1]
for _folder in (str(_TESTS), str(_TESTS / "garmin"), str(_TESTS / "fit")):
    if _folder not in sys.path:
        sys.path.append(_folder)

from ampt_sync.domain import Plan  # noqa: E402
from ampt_sync.intervals.calendar import IntervalsCalendar  # noqa: E402
from ampt_sync.intervals.client import IntervalsClient  # noqa: E402
from ampt_sync.intervals.events import desired_events  # noqa: E402
from ampt_sync.intervals.ledger import IntervalsLedger  # noqa: E402
from ampt_sync.intervals.push import IntervalsPushReport, push_events  # noqa: E402
from ampt_sync.secrets import INTERVALS_KEY, TokenStore, open_token_store  # noqa: E402
from ampt_sync.sim.intervals import IntervalsSim  # noqa: E402
from ampt_sync.store.db import Store, open_store  # noqa: E402

#: A short client timeout for loopback, so that timeout faults cost little.
FAST_TIMEOUT_S = 0.3


@pytest.fixture
def sim() -> Iterator[IntervalsSim]:
    with IntervalsSim() as running:
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
def connected(sim: IntervalsSim, token_store: TokenStore) -> TokenStore:
    token_store.set_json(INTERVALS_KEY, {"athlete_id": sim.athlete_id, "api_key": sim.api_key})
    return token_store


@pytest.fixture
def client(sim: IntervalsSim) -> Callable[..., IntervalsClient]:
    """``client(**options)``: a real client pointed at the sim with its key."""

    def make(**options: Any) -> IntervalsClient:
        settings: dict[str, Any] = {"base_url": sim.base_url, "timeout_s": FAST_TIMEOUT_S}
        settings.update(options)
        athlete = settings.pop("athlete_id", sim.athlete_id)
        key = settings.pop("api_key", sim.api_key)
        return IntervalsClient(athlete, key, **settings)

    return make


@pytest.fixture
def push(client: Callable[..., IntervalsClient], store: Store) -> Callable[..., Any]:
    """``push(plan, today, horizon_days=7, **options)``: one push through the real client."""

    def run(plan: Plan, today: date, horizon_days: int = 7, **options: Any) -> IntervalsPushReport:
        want = desired_events(plan, today, horizon_days, "km")
        with client() as c:
            return push_events(
                want, today, horizon_days, IntervalsCalendar(c), IntervalsLedger(store), **options
            )

    return run
