"""``ampt-sync paces`` and ``ampt-sync inventory`` end to end: config, store, rendering."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ampt_sync.config import load_config
from ampt_sync.store.activities import upsert_activity
from ampt_sync.store.db import open_store
from ampt_sync.training.fitness import race_time, training_paces, vdot_from_performance

GOAL_DATE = (date.today() + timedelta(weeks=30)).isoformat()  # a goal ahead, whenever this runs

CONFIG = """
[athlete]
timezone = "UTC"
units = "{units}"
{extra}

[goal]
distance = "half"
date = {GOAL_DATE}
"""


@pytest.fixture
def config(write_config: Callable[[str], Path]) -> Callable[..., Path]:
    def make(units: str = "km", extra: str = "") -> Path:
        return write_config(CONFIG.format(units=units, extra=extra, GOAL_DATE=GOAL_DATE))

    return make


def _today() -> date:
    return datetime.now(UTC).date()


def _summary(
    activity_id: int, day: date, distance_m: float, seconds: float, **extra: Any
) -> dict[str, Any]:
    return {
        "id": activity_id,
        "name": "Morning Run",
        "type": "Run",
        "sport_type": "Run",
        "distance": distance_m,
        "moving_time": seconds,
        "elapsed_time": seconds,
        "total_elevation_gain": 0.0,
        "start_date": f"{day.isoformat()}T07:00:00Z",
        "start_date_local": f"{day.isoformat()}T07:00:00Z",
        "average_speed": distance_m / seconds,
        "max_speed": distance_m / seconds * 1.2,
        "has_heartrate": False,
        "manual": False,
        "trainer": False,
        **extra,
    }


def _store(path: Path, summaries: list[dict[str, Any]]) -> None:
    settings = load_config(path).settings
    store = open_store(settings.database_url())
    try:
        with store.transaction() as session:
            for summary in summaries:
                upsert_activity(session, summary, fetched_at=datetime.now(UTC))
    finally:
        store.close()


def _same_5k(days: int = 56) -> list[dict[str, Any]]:
    today = _today()
    return [
        _summary(i, today - timedelta(days=d), 5000, 1650)
        for i, d in enumerate(range(0, days, 2), 1)
    ]


# ------------------------------------------------------------------------------------------------
# paces


def test_paces_for_a_vdot_needs_no_config(cli) -> None:
    result = cli("paces", "--vdot", "50", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    paces = training_paces(50)
    assert document["paces_s_per_km"] == {
        "easy": [paces.easy[0], paces.easy[1]],
        "marathon": paces.marathon,
        "threshold": paces.threshold,
        "interval": paces.interval,
        "repetition": paces.repetition,
    }
    assert document["units"] == "km"
    assert document["paces"]["threshold"] == "4:15/km"
    assert document["race_predictions"][0] == {
        "race": "5K", "distance_m": 5000, "time_s": round(race_time(50, 5000)), "time": "19:56",
    }  # fmt: skip
    assert "as_of" not in document


def test_paces_from_a_race_in_miles(cli) -> None:
    result = cli("paces", "--race", "10k 50:00", "--units", "mi")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("VDOT 40.0  (race 10K in 50:00; confidence high)")
    assert "8:11/mi" in result.stdout  # threshold
    assert "Race predictions: 5K 24:" in result.stdout


def test_paces_refuses_a_bad_race_and_both_options(cli) -> None:
    bad = cli("paces", "--race", "10k fast")
    assert bad.code == 2
    assert "H:MM:SS" in bad.stderr
    both = cli("paces", "--vdot", "50", "--race", "5k 20:00")
    assert both.code == 2
    assert "not both" in both.stderr
    assert cli("paces", "--vdot", "120").code == 2


def test_paces_take_the_configured_units(cli, config) -> None:
    path = config(units="mi")
    result = cli("--config", str(path), "paces", "--vdot", "50", "--format", "json")
    assert json.loads(result.stdout)["paces"]["threshold"] == "6:50/mi"


def test_current_paces_without_history_come_from_the_config(cli, config) -> None:
    path = config(extra='recent_race = "5k 20:00"')
    result = cli("--config", str(path), "paces", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["source"] == "recent race in the config: 5K in 20:00"
    assert document["vdot"] == pytest.approx(49.8, abs=0.05)
    assert document["confidence"] == "medium"
    # Reading paces never creates a database.
    assert not Path(load_config(path).settings.database_url().removeprefix("sqlite:///")).exists()


def test_current_paces_from_a_stored_race(cli, config) -> None:
    path = config()
    race_day = _today() - timedelta(days=10)
    summaries = [
        _summary(1, race_day, 10000, 2700, workout_type=1, name="Turkey Trot"),
        *[_summary(10 + d, _today() - timedelta(days=d), 8000, 2900) for d in range(0, 30, 3)],
    ]
    _store(path, summaries)
    result = cli("--config", str(path), "paces", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["source"] == f"race {race_day.isoformat()} 10K"
    assert document["vdot"] == round(vdot_from_performance(10000, 2700), 1)


def test_a_guess_asks_for_a_time_trial_in_the_table(cli, config) -> None:
    result = cli("--config", str(config()), "paces")
    assert result.code == 0, result.stderr
    assert "cautious guess: run a 5K time trial" in result.stdout


def test_current_paces_need_a_config(cli) -> None:
    result = cli("paces")
    assert result.code == 78
    assert "no config file found" in result.stderr


# ------------------------------------------------------------------------------------------------
# inventory


def test_inventory_flags_the_same_run_at_the_same_pace(cli, config) -> None:
    path = config()
    _store(path, _same_5k())
    result = cli("--config", str(path), "inventory", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["runs"] == 28
    assert document["plateau"] is True
    assert document["flags"][0].startswith("Most of your runs (28 of 28) are about 5.0 km")
    assert [d["day"] for d in document["weekdays"]] == [
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
    assert sum(d["runs"] for d in document["weekdays"]) == 28
    assert document["kinds"] == {"easy": 28}


def test_inventory_table_in_miles_over_two_weeks(cli, config) -> None:
    path = config(units="mi")
    _store(path, _same_5k())
    result = cli("--config", str(path), "inventory", "--weeks", "2")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("Training inventory, last 2 weeks")
    assert "7 runs" in result.stdout
    assert "8:51/mi" in result.stdout
    assert "! Most of your runs (7 of 7) are about 3.1 mi" in result.stdout


def test_inventory_with_an_empty_store(cli, config) -> None:
    result = cli("--config", str(config()), "inventory", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["runs"] == 0
    assert document["flags"] == []
    text = cli("--config", str(config()), "inventory").stdout
    assert text.startswith("No runs stored for the last 8 weeks")
    assert "ampt-sync pull" in text
    assert "rest days" not in text


def test_inventory_refuses_zero_weeks_and_needs_a_config(cli, config) -> None:
    assert cli("--config", str(config()), "inventory", "--weeks", "0").code == 2
    assert cli("inventory").code == 78
