"""What ampt-sync keeps on this machine, and how `ampt-sync reset` removes it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ampt_sync.config import Settings


@dataclass(frozen=True)
class StateItem:
    """One thing `reset` deletes, described exactly, with how to delete it."""

    description: str
    delete: Callable[[], None]


def _remove(path: Path) -> Callable[[], None]:
    def remove() -> None:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)

    return remove


def describe_local_state(settings: Settings) -> list[StateItem]:
    """Everything that exists now and `reset` would delete, in the order it is deleted."""
    from ampt_sync.store.db import redacted, sqlite_path

    url = settings.database_url()
    items: list[StateItem] = []
    db_path = sqlite_path(url)
    if db_path is None:
        items.append(
            StateItem(f"every ampt-sync table in the database {redacted(url)}", _drop_tables(url))
        )
    else:
        for suffix in ("", "-wal", "-shm"):
            path = db_path.with_name(db_path.name + suffix)
            if path.exists():
                items.append(StateItem(f"database file {path}", _remove(path)))
        backups = db_path.parent / "backups"
        if backups.exists():
            items.append(StateItem(f"database backups {backups}/", _remove(backups)))
    items.extend(_token_items(settings))
    return items


def _token_items(settings: Settings) -> list[StateItem]:
    from ampt_sync.secrets import SERVICE, TOKEN_FILE, EncryptedFileKeyring, open_token_store

    state_dir = settings.state_dir()
    store = open_token_store(settings.secrets.backend, state_dir)
    if isinstance(store.backend, EncryptedFileKeyring):
        # The whole file goes, without decrypting it: reset must work even with a lost key.
        return [
            StateItem(f"stored tokens {path}", _remove(path))
            for path in (
                state_dir / TOKEN_FILE,
                state_dir / f"{TOKEN_FILE}.lock",
                state_dir / "tokens.lock",
            )
            if path.exists()
        ]
    items = []
    for name in store.stored_names():
        items.append(
            StateItem(
                f"{name} in {store.description} (service {SERVICE!r})",
                lambda name=name: store.delete(name),
            )
        )
    return items


def delete_local_state(items: list[StateItem]) -> list[str]:
    """Delete ``items`` (from :func:`describe_local_state`); returns what was deleted."""
    deleted = []
    for item in items:
        item.delete()
        deleted.append(item.description)
    return deleted


def _drop_tables(url: str) -> Callable[[], None]:
    def drop() -> None:
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

    return drop
