"""A store with a real plan and real runs for the page's tests: eight weeks of history, a
half-marathon plan made on a Monday by the training core, and the first week run as planned."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ampt_sync.config import Settings, settings_from_dict
from ampt_sync.store.activities import upsert_activity
from ampt_sync.store.db import Store
from ampt_sync.store.plans import bring_plan_up_to_date

MONDAY = date(2026, 3, 2)
GOAL_DAY = MONDAY + timedelta(weeks=12, days=6)
FETCHED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def settings(
    units: str = "km", *, target: str | None = "1:45:00", race: str = "Spring Half"
) -> Settings:
    goal: dict[str, Any] = {"distance": "half", "date": GOAL_DAY, "race": race}
    if target is not None:
        goal["target_time"] = target
    return settings_from_dict(
        {
            "athlete": {"timezone": "UTC", "units": units},
            "goal": goal,
            "schedule": {"run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun"},
        },
        source="test.toml",
    )


def summary(day: date, distance_m: float, *, pace_s_per_km: float = 330.0) -> dict[str, Any]:
    """A Strava summary of an easy run at 7:00 local time (UTC)."""
    seconds = round(distance_m / 1000 * pace_s_per_km)
    start = datetime.combine(day, time(7), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": day.toordinal() * 10 + int(distance_m) % 7,
        "name": "Morning Run",
        "distance": distance_m,
        "moving_time": seconds,
        "elapsed_time": seconds,
        "total_elevation_gain": 10.0,
        "type": "Run",
        "sport_type": "Run",
        "start_date": start,
        "start_date_local": start,
        "timezone": "(GMT+00:00) UTC",
        "average_speed": 1000 / pace_s_per_km,
        "max_speed": 1000 / pace_s_per_km + 0.5,
        "has_heartrate": False,
        "manual": False,
        "trainer": False,
    }


def history() -> list[dict[str, Any]]:
    """Eight weeks of 40 km before MONDAY: 9.3 km Tuesday, Thursday, Saturday, 12 km Sunday."""
    runs = []
    for week in range(8, 0, -1):
        monday = MONDAY - timedelta(weeks=week)
        for offset, distance_m in ((1, 9300.0), (3, 9300.0), (5, 9300.0), (6, 12000.0)):
            runs.append(summary(monday + timedelta(days=offset), distance_m))
    return runs


def add_runs(store: Store, runs: list[dict[str, Any]]) -> None:
    with store.transaction() as session:
        for run in runs:
            upsert_activity(session, run, fetched_at=FETCHED)


def plan_on(store: Store, cfg: Settings, today: date) -> int:
    """Bring the stored plan up to date on ``today`` (the daily cycle's step); its version."""
    with store.transaction() as session:
        update = bring_plan_up_to_date(
            session,
            athlete=cfg.athlete_domain(),
            goal=cfg.goal_domain(),
            today=today,
            now=datetime.combine(today, time(4, 30), tzinfo=UTC),
        )
    return update.version
