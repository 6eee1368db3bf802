"""What ampt-sync keeps on this machine, and how `ampt-sync reset` removes it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ampt_sync.config import Settings


@dataclass(frozen=True)
class StateItem:
    """One thing `reset` deletes: a file or folder (``path``), or the tables of a database
    that is not a file (``path`` is None)."""

    description: str
    path: Path | None = None


def describe_local_state(settings: Settings) -> list[StateItem]:
    """Everything that exists now and `reset` would delete, in the order it is deleted."""
    from ampt_sync.store.db import redacted, sqlite_path

    url = settings.database_url()
    items: list[StateItem] = []
    db_path = sqlite_path(url)
    if db_path is None:
        items.append(StateItem(f"every ampt-sync table in the database {redacted(url)}"))
    else:
        for suffix in ("", "-wal", "-shm"):
            path = db_path.with_name(db_path.name + suffix)
            if path.exists():
                items.append(StateItem(f"database file {path}", path))
        backups = db_path.parent / "backups"
        if backups.exists():
            items.append(StateItem(f"database backups {backups}/", backups))
    return items


def delete_local_state(settings: Settings, items: list[StateItem]) -> list[str]:
    """Delete ``items`` (from :func:`describe_local_state`); returns what was deleted."""
    deleted = []
    for item in items:
        if item.path is None:
            _drop_tables(settings.database_url())
        elif item.path.is_dir():
            shutil.rmtree(item.path)
        else:
            item.path.unlink(missing_ok=True)
        deleted.append(item.description)
    return deleted


def _drop_tables(url: str) -> None:
    from sqlalchemy import MetaData, Table

    from ampt_sync.store.db import make_engine
    from ampt_sync.store.models import Base

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            Table("alembic_version", MetaData()).drop(connection, checkfirst=True)
    finally:
        engine.dispose()
