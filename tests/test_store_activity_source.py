"""Migration 0004: activities know their source; the rows from before are Strava's, and a
Garmin activity with the same number as a Strava one is another row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError

from ampt_sync.sim.runner import build_activity
from ampt_sync.store import db
from ampt_sync.store.activities import delete_all_activities, load_activities, upsert_activity
from ampt_sync.store.models import ActivityRow

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def strava_run(activity_id: int) -> dict:
    return build_activity(
        activity_id=activity_id,
        name="Run",
        sport_type="Run",
        start_local=NOW.astimezone(ZoneInfo("Europe/Berlin")),
        distance_m=5000.0,
        duration_s=1500.0,
    )


def _upgrade(engine: sa.Engine, revision: str) -> None:
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_rows_from_before_0004_become_strava_rows_keyed_by_their_strava_id(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = sa.create_engine(url)
    _upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO activities (id, sport_type, name, start_utc, day, distance_m, "
                "moving_time_s, elapsed_time_s, elevation_gain_m, manual, trainer, summary_json, "
                "summary_hash, fetched_at) VALUES (14000000001, 'Run', 'Old run', "
                "'2026-11-01 11:00:00', '2026-11-01', 8000, 2700, 2750, 30, 0, 0, '{}', 'h', "
                "'2026-11-01 12:00:00')"
            )
        )
    engine.dispose()
    store = db.open_store(url)
    try:
        with store.transaction() as session:
            row = session.get(ActivityRow, 14000000001)
            assert row is not None
            assert (row.source, row.source_id) == ("strava", 14000000001)
            (activity,) = load_activities(session)
            assert activity.source == "strava"
    finally:
        store.close()


def test_a_source_and_its_id_are_unique_and_disconnecting_strava_keeps_garmins_rows(
    tmp_path: Path,
) -> None:
    store = db.open_store(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        with store.transaction() as session:
            upsert_activity(session, strava_run(555), fetched_at=NOW)
            garmin = ActivityRow(
                id=-555, source="garmin", source_id=555, sport_type="Run", name="Run",
                start_utc=NOW, day=NOW.date(), distance_m=1.0, moving_time_s=1.0,
                elapsed_time_s=1.0, summary_json={}, summary_hash="g", fetched_at=NOW,
            )  # fmt: skip
            session.add(garmin)
        with pytest.raises(IntegrityError), store.transaction() as session:
            session.add(
                ActivityRow(
                    id=-556,
                    source="garmin",
                    source_id=555,
                    sport_type="Run",
                    name="Run",
                    start_utc=NOW,
                    day=NOW.date(),
                    distance_m=1.0,
                    moving_time_s=1.0,
                    elapsed_time_s=1.0,
                    summary_json={},
                    summary_hash="g",
                    fetched_at=NOW,
                )
            )
        with store.transaction() as session:
            assert delete_all_activities(session, source="strava") == 1
            assert [row.id for row in session.scalars(sa.select(ActivityRow))] == [-555]
    finally:
        store.close()


def test_0004_downgrades_keeping_stravas_rows_and_dropping_the_others(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = db.open_store(url)
    with store.transaction() as session:
        upsert_activity(session, strava_run(777), fetched_at=NOW)
        session.add(
            ActivityRow(
                id=-777,
                source="garmin",
                source_id=777,
                sport_type="Run",
                name="Run",
                start_utc=NOW,
                day=NOW.date(),
                distance_m=1.0,
                moving_time_s=1.0,
                elapsed_time_s=1.0,
                summary_json={},
                summary_hash="g",
                fetched_at=NOW,
            )
        )
    store.close()
    engine = sa.create_engine(url)
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT id FROM activities")).scalars().all() == [777]
        columns = {c["name"] for c in sa.inspect(connection).get_columns("activities")}
    assert "source" not in columns
    engine.dispose()
