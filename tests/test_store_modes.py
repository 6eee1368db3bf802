"""Issue 13, finding 7: the database and its WAL files are private from the moment they exist."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from ampt_sync.store import db
from ampt_sync.store.db import open_store
from ampt_sync.store.ledger import GarminLedger, LedgerEntry


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_its_wal_and_shm_files_are_created_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a default umask: files would be 0644 unless we say otherwise
    try:
        path = tmp_path / "state" / "ampt-sync.db"
        store = open_store(f"sqlite:///{path}")
        try:
            GarminLedger(store).put(LedgerEntry(key="w-1", garmin_workout_id=1))
            files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: oct(_mode(f)) for f in files} == {f.name: "0o600" for f in files}
        finally:
            store.close()
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_made_private_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "ampt-sync.db"
    open_store(f"sqlite:///{path}").close()
    path.chmod(0o644)
    open_store(f"sqlite:///{path}").close()
    assert oct(_mode(path)) == "0o600"


def test_a_second_engine_in_a_process_keeps_another_process_from_taking_the_wal(
    tmp_path: Path,
) -> None:
    """The daemon holds the database open; its page (or a command) opens a second engine; a
    command in another process then writes and exits. The daemon must see that write: if the
    second engine's set-up dropped the daemon's SQLite locks, the exiting process deletes the
    WAL under the daemon and the two see different databases (a calendar key the page refused).
    """
    url = f"sqlite:///{tmp_path / 'state' / 'ampt-sync.db'}"
    daemon = db.open_store(url)
    holder = daemon.engine.connect()
    holder.exec_driver_sql("SELECT count(*) FROM service_state").all()
    second = db.open_store(url)  # the page's engine, in the same process
    script = (
        "from datetime import UTC, datetime\n"
        "from ampt_sync.store import state\n"
        "from ampt_sync.store.db import open_store\n"
        f"store = open_store({url!r})\n"
        "with store.transaction() as session:\n"
        "    state.put(session, 'written_elsewhere', {'v': 1}, now=datetime.now(UTC))\n"
        "store.close()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    try:
        # the connection that was open all along (a new one would open the files afresh)
        seen = holder.exec_driver_sql(
            "SELECT count(*) FROM service_state WHERE name = 'written_elsewhere'"
        ).scalar()
        assert seen == 1
        assert (tmp_path / "state" / "ampt-sync.db-wal").exists()
    finally:
        holder.close()
        second.close()
        daemon.close()
