"""`ampt-sync demo`: the main job on an embedded default, offline.

It uses its own embedded config and a temporary state dir, and never touches the runner's config,
state or keyring.

Today it exercises what exists: the embedded config goes through the same validation as a
runner's file, and a store is created and migrated in a temporary directory. The simulated Strava
and Garmin accounts and the daily cycles arrive with the "Always on" issue; until then the demo
says so instead of printing anything it did not compute.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from ampt_sync.cli.base import emit_json
from ampt_sync.config import parse_settings

DEMO_CONFIG = """
[athlete]
name = "Sam (simulated)"
timezone = "America/New_York"
units = "mi"
hr_max = 188
hr_rest = 52
weight_kg = 61

[goal]
race = "AMPT Half"
distance = "half"
date = 2027-04-18
target_time = "1:45:00"

[schedule]
run_days = ["mon", "tue", "thu", "sat", "sun"]
long_run_day = "sun"
strength_days = ["tue", "fri"]
hills = "outdoor"

[sync]
horizon_days = 7
"""


def run_demo(*, output: str, stdout: Console, stderr: Console) -> None:
    from sqlalchemy import inspect

    from ampt_sync.store.db import open_store, redacted

    with tempfile.TemporaryDirectory(prefix="ampt-sync-demo-") as tmp:
        text = DEMO_CONFIG + f'\n[storage]\nstate_dir = "{Path(tmp)}"\n'
        settings = parse_settings(text, source="embedded demo config")
        store = open_store(settings.database_url())
        try:
            tables = sorted(
                t for t in inspect(store.engine).get_table_names() if t != "alembic_version"
            )
        finally:
            store.close()
        goal = settings.goal_domain()
        result: dict[str, Any] = {
            "athlete": settings.athlete.name,
            "goal": {"race": goal.race, "distance_m": goal.distance_m, "date": str(goal.day)},
            "store": {"url": redacted(settings.database_url()), "tables": tables},
            "not_yet_built": ["simulated Strava", "simulated Garmin", "planner", "daily cycles"],
        }
    if output == "json":
        emit_json(result)
        return
    stdout.print(f"ampt-sync demo for {result['athlete']}: {goal.race} on {goal.day}")
    stdout.print(f"store created and migrated in a temporary directory: {', '.join(tables)}")
    stderr.print("not built yet: " + ", ".join(result["not_yet_built"]) + " (see the open issues)")
