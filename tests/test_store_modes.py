"""Issue 13, finding 7: the database and its WAL files are private from the moment they exist."""

from __future__ import annotations

import os
import stat
from pathlib import Path

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
