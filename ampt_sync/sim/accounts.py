"""A runner's whole set-up, simulated: Strava, Garmin and intervals.icu on loopback, connected,
configured (the history on whichever services ``history_on`` names).

:func:`simulated_accounts` starts both simulators, seeds Strava with months of the synthetic
runner's history, writes a config (state dir, secrets and token key all inside a folder you give
it), stores both services' tokens as `auth strava` and `auth garmin` would, and returns the
environment that points the real clients at the simulators. The offline demo, the end-to-end
tests and the benchmarks all stand on it, so they exercise exactly the code a runner's server
runs. Nothing outside ``folder`` is read or written: no user config dir, no keyring.

The Strava simulator keeps its own clock; :meth:`SimulatedAccounts.advance_to` moves it (and the
local time the cycle sees) to a simulated moment, so days can pass in a second.
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ampt_sync.config import Settings, parse_settings
from ampt_sync.secrets import GARMIN_TOKENS, INTERVALS_KEY, TokenStore, open_token_store
from ampt_sync.sim.garmin import GarminSim
from ampt_sync.sim.intervals import IntervalsSim
from ampt_sync.sim.runner import garmin_view, intervals_view, synthetic_history
from ampt_sync.sim.strava import SIM_CLIENT_ID, SIM_CLIENT_SECRET, StravaSim
from ampt_sync.strava.client import StravaTokens, save_tokens


@dataclass
class SimulatedAccounts:
    strava: StravaSim
    garmin: GarminSim
    settings: Settings
    environ: dict[str, str]
    token_store: TokenStore
    #: intervals.icu, connected too (its key stored as `auth intervals` stores it)
    intervals: IntervalsSim

    def now(self) -> datetime:
        """The simulated moment (aware, UTC): the Strava simulator's clock."""
        return datetime.fromtimestamp(self.strava.now(), UTC)

    def advance_to(self, moment: datetime) -> None:
        """Move the simulated clock forward to ``moment`` (aware)."""
        delta = (moment - self.now()).total_seconds()
        if delta < 0:
            raise ValueError("the simulated clock only moves forward")
        self.strava.advance(delta)

    def local_today(self) -> date:
        return self.now().astimezone(self.settings.zone()).date()


def config_for(folder: Path, athlete_and_goal: str, *, source: str = "strava") -> str:
    """``athlete_and_goal`` (TOML: [athlete], [goal], [schedule], [sync]) plus the sections that
    keep everything inside ``folder`` and on the simulators, reading runs from ``source``."""
    return (
        athlete_and_goal
        + f"""
[strava]
client_id = {SIM_CLIENT_ID}

[activities]
source = "{source}"

[storage]
state_dir = "{folder / "state"}"

[secrets]
backend = "file"
"""
    )


@contextlib.contextmanager
def simulated_accounts(
    folder: Path,
    athlete_and_goal: str,
    *,
    history_days: int = 120,
    seed: int = 7,
    source: str = "strava",
    history_on: tuple[str, ...] | None = None,
) -> Iterator[SimulatedAccounts]:
    """Both simulators running, seeded and connected; the config's zone sets the runner's days.

    ``history_days`` of synthetic history end yesterday (local), so today is still to run. The
    config reads runs from ``source``; the history is on the services in ``history_on`` (default:
    ``source`` only; several for a watch that uploads to several), the same runs on each
    (Garmin's copies made by :func:`ampt_sync.sim.runner.garmin_view`, intervals.icu's by
    :func:`ampt_sync.sim.runner.intervals_view`).
    """
    history_on = (source,) if history_on is None else history_on
    settings = parse_settings(
        config_for(folder, athlete_and_goal, source=source), source="simulated config"
    )
    credentials = folder / "credentials"
    credentials.mkdir(parents=True, exist_ok=True, mode=0o700)
    (credentials / "token-key").write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
    with StravaSim() as strava, GarminSim() as garmin, IntervalsSim() as intervals:
        environ = {
            "AMPT_SYNC_STRAVA_URL": strava.base_url,
            "AMPT_SYNC_STRAVA_CLIENT_SECRET": SIM_CLIENT_SECRET,
            "AMPT_SYNC_GARMIN_URL": garmin.base_url,
            "AMPT_SYNC_INTERVALS_URL": intervals.base_url,
            "CREDENTIALS_DIRECTORY": str(credentials),
        }
        token_store = open_token_store("file", settings.state_dir(environ), environ=environ)
        zone = settings.athlete.timezone
        today = datetime.fromtimestamp(strava.now(), UTC).astimezone(settings.zone()).date()
        history = synthetic_history(
            today - timedelta(days=1), days=history_days, seed=seed, zone=zone
        )
        if "strava" in history_on:
            strava.add_activities(history)
        if "garmin" in history_on:
            for activity in history:
                garmin.add_recorded_activity(*garmin_view(activity))
        if "intervals" in history_on:
            for activity in history:
                intervals.add_activity(*intervals_view(activity))
        granted = strava.issue_tokens()
        save_tokens(
            token_store,
            StravaTokens(
                access_token=granted["access_token"],
                refresh_token=granted["refresh_token"],
                expires_at=int(granted["expires_at"]),
                athlete_id=strava.athlete_id,
                scope="read,activity:read_all",
                client_id=SIM_CLIENT_ID,
            ),
        )
        token_store.set(GARMIN_TOKENS, garmin.token_json())
        token_store.set_json(
            INTERVALS_KEY, {"athlete_id": intervals.athlete_id, "api_key": intervals.api_key}
        )
        yield SimulatedAccounts(strava, garmin, settings, environ, token_store, intervals)
