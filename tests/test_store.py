"""The store: migrations from empty and again, the backup before migrating, models that match
the migrations, aware datetimes, and the same behaviour on PostgreSQL when one is provided."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from ampt_sync.store import db
from ampt_sync.store.models import Base, ServiceStateRow, SyncCursorRow, strip_location

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
TABLES = {
    "activities",
    "plans",
    "planned_workouts",
    "garmin_ledger",
    "sync_cursors",
    "run_reports",
    "plan_changes",
    "service_state",
    "instructions",
}


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state' / 'ampt-sync.db'}"


def test_migrations_create_every_table_on_an_empty_database(tmp_path: Path) -> None:
    store = db.open_store(sqlite_url(tmp_path))
    try:
        names = set(inspect(store.engine).get_table_names())
        assert names == TABLES | {"alembic_version"}
        assert db.current_revision(store.engine) == db.head_revision()
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        store.close()


def test_running_migrations_again_changes_nothing_and_makes_no_backup(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    db.open_store(url).close()
    store = db.open_store(url)
    try:
        assert db.migrate(store.engine) is None
        assert not (tmp_path / "state" / "backups").exists()
    finally:
        store.close()


def test_models_match_the_migrations(tmp_path: Path) -> None:
    store = db.open_store(sqlite_url(tmp_path))
    try:
        with store.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        store.close()


def test_state_directory_is_private(tmp_path: Path) -> None:
    db.open_store(sqlite_url(tmp_path)).close()
    assert (tmp_path / "state").stat().st_mode & 0o777 == 0o700


def _migrations_with_a_second_revision(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "9999_test.py").write_text(
        '"""test revision"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f'revision = "9999"\ndown_revision = "{db.head_revision()}"\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n"
        '    op.create_table("extra", sa.Column("id", sa.Integer, primary_key=True))\n\n\n'
        "def downgrade():\n"
        '    op.drop_table("extra")\n'
    )
    return folder


def test_a_migration_is_preceded_by_an_online_backup_holding_uncheckpointed_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_url(tmp_path)
    store = db.open_store(url)
    # Keep a connection open so the WAL is not checkpointed into the main file on close.
    holder = store.engine.connect()
    with store.transaction() as session:
        session.add(SyncCursorRow(name="strava", value="2026-11-20T00:00:00Z", updated_at=NOW))
    assert Path(str(tmp_path / "state" / "ampt-sync.db-wal")).stat().st_size > 0

    head = db.head_revision()  # whichever revision the package's migrations end at
    monkeypatch.setattr(db, "MIGRATIONS_DIR", _migrations_with_a_second_revision(tmp_path))
    backup = db.migrate(store.engine, now=NOW)
    holder.close()
    store.close()

    assert backup is not None
    assert Path(backup).name == f"ampt-sync-20261122T100000Z-rev{head}.db"
    assert Path(backup).stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT value FROM sync_cursors").fetchall() == [
            ("2026-11-20T00:00:00Z",)
        ]
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
    migrated = db.open_store(url, migrate_schema=False)
    try:
        assert db.current_revision(migrated.engine) == "9999"
        assert "extra" in inspect(migrated.engine).get_table_names()
    finally:
        migrated.close()


def test_the_head_read_without_alembic_is_alembics_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def alembics_head() -> str | None:
        return ScriptDirectory.from_config(db._alembic_config()).get_current_head()

    assert db._read_head() == alembics_head() is not None
    monkeypatch.setattr(db, "MIGRATIONS_DIR", _migrations_with_a_second_revision(tmp_path))
    assert db._read_head() == alembics_head() == "9999"


def test_two_heads_are_left_to_alembic_which_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _migrations_with_a_second_revision(tmp_path)
    second = (folder / "versions" / "9999_test.py").read_text()
    (folder / "versions" / "9998_test.py").write_text(second.replace('"9999"', '"9998"'))
    monkeypatch.setattr(db, "MIGRATIONS_DIR", folder)
    assert db._read_head() is None
    with pytest.raises(Exception, match="multiple heads"):
        db.head_revision()


def test_the_revision_read_without_alembic_is_alembics(tmp_path: Path) -> None:
    store = db.open_store(sqlite_url(tmp_path), migrate_schema=False)
    try:
        assert db.current_revision(store.engine) is None
        db.migrate(store.engine)
        with store.engine.connect() as connection:
            alembics = MigrationContext.configure(connection).get_current_revision()
        assert db.current_revision(store.engine) == alembics == db.head_revision()
    finally:
        store.close()


def test_opening_a_store_at_head_does_not_import_alembic(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    db.open_store(url).close()  # migrated here, so the child finds it at head
    probe = (
        "import sys\n"
        "from ampt_sync.store.db import open_store\n"
        f"open_store({url!r}).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert child.stdout.strip() == "[]"


def test_only_the_newest_backups_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    sqlite3.connect(path).close()
    made = [
        db.backup_sqlite(path, "0001", now=NOW + timedelta(days=i))
        for i in range(db.BACKUPS_KEPT + 2)
    ]
    kept = sorted((tmp_path / "backups").glob("a-*.db"))
    assert kept == made[-db.BACKUPS_KEPT :]


def test_datetimes_come_back_aware_in_utc_and_naive_ones_are_refused(tmp_path: Path) -> None:
    store = db.open_store(sqlite_url(tmp_path))
    try:
        local = datetime(2026, 3, 8, 3, 30, tzinfo=timezone(timedelta(hours=-4)))
        with store.transaction() as session:
            session.add(ServiceStateRow(name="paused", value={"until": "x"}, updated_at=local))
        with store.transaction() as session:
            row = session.scalars(select(ServiceStateRow)).one()
            assert row.updated_at == local
            assert row.updated_at.tzinfo is UTC
        with pytest.raises(Exception, match="naive datetime"), store.transaction() as session:
            session.add(ServiceStateRow(name="x", value={}, updated_at=datetime(2026, 1, 1)))
    finally:
        store.close()


def test_a_transaction_rolls_back_when_it_raises(tmp_path: Path) -> None:
    store = db.open_store(sqlite_url(tmp_path))
    try:

        def add_then_fail() -> None:
            with store.transaction() as session:
                session.add(SyncCursorRow(name="strava", value="x", updated_at=NOW))
                session.flush()
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            add_then_fail()
        with store.transaction() as session:
            assert session.scalars(select(SyncCursorRow)).all() == []
    finally:
        store.close()


def test_an_unwritable_state_dir_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(db.StoreError, match=r"cannot open the database .* writable"):
        db.open_store(f"sqlite:///{blocker / 'sub' / 'x.db'}")


def test_passwords_in_database_urls_are_redacted() -> None:
    assert (
        db.redacted("postgresql+psycopg://ampt:hunter22@db.local/ampt")
        == "postgresql+psycopg://ampt:***@db.local/ampt"
    )


def test_location_data_is_stripped_recursively() -> None:
    raw = {
        "id": 1,
        "map": {"summary_polyline": "abc"},
        "start_latlng": [1.0, 2.0],
        "end_latlng": [1.0, 2.0],
        "laps": [{"distance": 1000, "start_latlng": [1, 2]}],
        "segment_efforts": [{"segment": {"name": "hill", "end_latlng": [1, 2]}}],
    }
    assert strip_location(raw) == {
        "id": 1,
        "laps": [{"distance": 1000}],
        "segment_efforts": [{"segment": {"name": "hill"}}],
    }


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("AMPT_SYNC_TEST_DATABASE_URL"),
    reason="set AMPT_SYNC_TEST_DATABASE_URL to a PostgreSQL database to run",
)
def test_postgresql_migrates_from_empty_and_again() -> None:
    url = os.environ["AMPT_SYNC_TEST_DATABASE_URL"]
    store = db.open_store(url)
    try:
        assert set(inspect(store.engine).get_table_names()) >= TABLES
        assert db.migrate(store.engine) is None
        with store.transaction() as session:
            session.merge(SyncCursorRow(name="pg-test", value=str(date.today()), updated_at=NOW))
    finally:
        Base.metadata.drop_all(store.engine)
        with store.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        store.close()
