"""``ampt-sync plan`` through the real entry point: one JSON document on stdout in the plan's
documented shape, weeks to race day by default, the runner's units in the table, and no new
plan version when nothing changed."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ampt_sync.store.activities import upsert_activity
from ampt_sync.store.db import open_store
from ampt_sync.store.models import PlannedWorkoutRow, PlanRow

ZONE = "America/New_York"


def today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


def config(tmp_path: Path, *, units: str = "km", weeks_out: int = 10, extra: str = "") -> str:
    goal_day = today() + timedelta(weeks=weeks_out)
    return f"""
[athlete]
name = "Sam"
timezone = "{ZONE}"
units = "{units}"
weekly_distance = 30
{extra}

[goal]
race = "AMPT Half"
distance = "half"
date = {goal_day.isoformat()}

[schedule]
run_days = ["tue", "thu", "sat", "sun"]
long_run_day = "sun"

[storage]
state_dir = "{tmp_path / "state"}"
"""


def versions(tmp_path: Path) -> int:
    store = open_store(f"sqlite:///{tmp_path / 'state' / 'ampt-sync.db'}")
    try:
        with store.transaction() as session:
            return session.scalar(select(func.count()).select_from(PlanRow))
    finally:
        store.close()


def test_plan_json_is_one_document_in_the_documented_shape_through_race_day(
    cli, write_config, tmp_path: Path
) -> None:
    path = write_config(config(tmp_path))
    result = cli("-c", str(path), "plan", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)  # exactly one document: this would fail on two
    assert set(document) == {"generated_on", "athlete", "goal", "weeks", "changes", "warnings"}
    assert document["generated_on"] == today().isoformat()
    assert document["goal"]["distance_m"] == 21097.5
    assert set(document["athlete"]["paces_s_per_km"]) == {
        "easy", "marathon", "threshold", "interval", "repetition"
    }  # fmt: skip
    weeks = document["weeks"]
    assert weeks[0]["days"][0]["date"] <= today().isoformat()
    assert weeks[-1]["phase"] == "race"
    races = [
        (d["date"], x["title"])
        for w in weeks
        for d in w["days"]
        for x in d["workouts"]
        if x["kind"] == "race"
    ]
    # the goal race on its date; the stated volume alone is a guess, so a time trial comes first
    assert races[-1] == (document["goal"]["date"], "Race: AMPT Half")
    assert len(races) == 2
    assert races[0][1].endswith("time trial")
    workout = next(x for w in weeks for d in w["days"] for x in d["workouts"])
    assert set(workout) == {"key", "kind", "title", "distance_m", "duration_s", "notes", "steps"}
    assert len(workout["key"]) <= 40
    # No timestamps anywhere: dates only.
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", result.stdout)


def test_plan_twice_on_the_same_day_stores_one_version_and_prints_the_same(
    cli, write_config, tmp_path: Path
) -> None:
    path = write_config(config(tmp_path))
    first = cli("-c", str(path), "plan", "--format", "json")
    again = cli("-c", str(path), "plan", "--format", "json")
    assert first.code == again.code == 0
    assert first.stdout == again.stdout
    assert versions(tmp_path) == 1
    store = open_store(f"sqlite:///{tmp_path / 'state' / 'ampt-sync.db'}")
    try:
        with store.transaction() as session:
            keys = session.scalars(select(PlannedWorkoutRow.key)).all()
    finally:
        store.close()
    shown = {
        x["key"]
        for w in json.loads(first.stdout)["weeks"]
        for d in w["days"]
        for x in d["workouts"]
    }
    assert shown <= set(keys)


def test_plan_weeks_shows_that_many_and_more_than_the_plan_is_not_an_error(
    cli, write_config, tmp_path: Path
) -> None:
    path = write_config(config(tmp_path))
    two = json.loads(cli("-c", str(path), "plan", "--weeks", "2", "--format", "json").stdout)
    assert len(two["weeks"]) == 2
    many = cli("-c", str(path), "plan", "--weeks", "500", "--format", "json")
    assert many.code == 0
    weeks = json.loads(many.stdout)["weeks"]
    assert len(weeks) > 11  # race week and the recovery and maintenance after it
    assert weeks[-1]["phase"] == "maintenance"
    assert cli("-c", str(path), "plan", "--weeks", "0").code == 2  # a usage error


def test_plan_table_is_in_the_runners_units_with_local_dates(
    cli, write_config, tmp_path: Path
) -> None:
    path = write_config(config(tmp_path, units="mi"))
    result = cli("-c", str(path), "plan", "--weeks", "3")
    assert result.code == 0, result.stderr
    text = result.stdout
    assert "AMPT Half" in text
    assert "Week of" in text
    assert " mi" in text
    assert "/mi" in text
    assert "/km" not in text
    day = today()
    assert f"{day.day} {day.strftime('%b')}" in text
    assert "stated 30.0 mi a week" in text
    assert "weekly distance in the config (30.0 mi)" in text


def _summary(activity_id: int, day: date, distance_m: float) -> dict:
    start = datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)
    seconds = distance_m / 1000 * 330
    return {
        "id": activity_id,
        "name": "Morning Run",
        "sport_type": "Run",
        "type": "Run",
        "start_date": start.isoformat().replace("+00:00", "Z"),
        "start_date_local": f"{day.isoformat()}T07:00:00Z",
        "distance": distance_m,
        "moving_time": seconds,
        "elapsed_time": seconds,
        "average_speed": distance_m / seconds,
        "total_elevation_gain": 5.0,
        "workout_type": None,
        "manual": False,
        "trainer": False,
    }


def test_plan_starts_from_the_stored_runs_not_the_stated_volume(
    cli, write_config, tmp_path: Path
) -> None:
    path = write_config(config(tmp_path))  # states 30 km a week
    store = open_store(f"sqlite:///{tmp_path / 'state' / 'ampt-sync.db'}")
    sizes = {1: 10000, 3: 10000, 5: 10000, 6: 15000}  # Tue, Thu, Sat, Sun: 45 km a week
    day = today() - timedelta(weeks=8)
    try:
        with store.transaction() as session:
            while day < today():
                if day.weekday() in sizes:
                    upsert_activity(
                        session,
                        _summary(day.toordinal(), day, sizes[day.weekday()]),
                        fetched_at=datetime.now(UTC),
                    )
                day += timedelta(days=1)
    finally:
        store.close()
    document = json.loads(cli("-c", str(path), "plan", "--weeks", "3", "--format", "json").stdout)
    # 45 km a week in the history: the next full week builds from that, not from 30
    full = next(w for w in document["weeks"] if len(w["days"]) == 7 and not w["cutback"])
    assert full["planned_distance_m"] > 40000
    assert not any("stated" in w for w in document["warnings"])


def test_plan_without_a_config_says_how_to_make_one(cli, tmp_path: Path) -> None:
    result = cli("-c", str(tmp_path / "missing.toml"), "plan")
    assert result.code == 78
    assert result.stdout == ""
    assert "ampt-sync init" in result.stderr
