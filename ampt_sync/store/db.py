"""Opening the database: the engine, SQLite settings, and migrations with a backup first.

``open_store(url)`` is the one entry point. For SQLite it turns on WAL (readers never block the
daemon's writer), foreign keys and a busy timeout, and before it applies a migration to a database
that already holds data it copies the database with SQLite's online backup API (a plain file copy
can miss what still sits in the WAL). Any URL SQLAlchemy supports works; PostgreSQL needs the
``postgres`` extra.

Alembic is imported only when a migration is pending: whether the database is at head is read
from the ``alembic_version`` table and from the ``revision``/``down_revision`` lines of the
scripts in ``migrations/versions``, which is what Alembic itself compares. Importing Alembic
(and Mako, and Pygments through it) costs about 10 MiB that a daemon would hold for good, and
140 ms on every command that opens the store.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ampt_sync.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: Alembic's table of applied revisions (its default name; migrations/env.py keeps it).
VERSION_TABLE = "alembic_version"
#: How many pre-migration backups are kept per database.
BACKUPS_KEPT = 3


def redacted(url: str | URL) -> str:
    """The URL with any password replaced by ``***``, safe to print."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_path(url: str | URL) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


#: The database holds the runner's history and sign-in state: owner only.
PRIVATE_MODE = 0o600


def make_private(path: Path) -> None:
    """Create the SQLite file at ``path`` 0600 if it does not exist, and make it and any
    ``-wal``/``-shm``/``-journal`` beside it 0600. SQLite creates those files with the mode of the
    database file, so a database made private before its first connection never has a moment
    of being readable by others (whatever the umask).

    An existing database is never opened here: closing any descriptor of a file drops every
    POSIX lock this process holds on it, so opening and closing the file beside a live SQLite
    connection (the daemon's, when its page or a command opens a second engine) would let
    another process take the database for unused and delete the WAL under that connection,
    splitting what the two processes see."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        pass
    else:
        os.close(fd)
    for suffix in ("", "-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(companion.stat().st_mode) != PRIVATE_MODE:
                companion.chmod(PRIVATE_MODE)


def make_engine(url: str | URL) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            make_private(path)
        engine = create_engine(parsed, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _script_revisions(script: Path) -> tuple[str, tuple[str, ...]] | None:
    """``(revision, down_revisions)`` as a migration script assigns them at module level, or
    None when the script does not assign ``revision`` a string literal."""
    found: dict[str, object] = {}
    for node in ast.parse(script.read_bytes(), str(script)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    return None
    revision, down = found.get("revision"), found.get("down_revision")
    if not isinstance(revision, str):
        return None
    if down is None:
        return revision, ()
    if isinstance(down, str):
        return revision, (down,)
    if isinstance(down, tuple | list) and all(isinstance(item, str) for item in down):
        return revision, tuple(down)
    return None


def _read_head() -> str | None:
    """The one head of the scripts in ``MIGRATIONS_DIR/versions`` read without Alembic, or
    None when that is not certain (no scripts, several heads, a script not written as
    literals): then Alembic reads them, and reports what is wrong."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for script in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        read = _script_revisions(script)
        if read is None:
            return None
        revisions.add(read[0])
        downs.update(read[1])
    heads = revisions - downs
    return next(iter(heads)) if len(heads) == 1 else None


def head_revision() -> str:
    head = _read_head()
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:
        raise StoreError("the package ships no migrations; reinstall ampt-sync")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for a new database), as Alembic records it."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()  # noqa: S608  (a constant)
        if len(rows) <= 1:
            return rows[0][0] if rows else None
        # Several rows: branches merged by hand; Alembic says what is wrong.
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()


def backup_sqlite(path: Path, revision: str, *, now: datetime) -> Path:
    """Copy the database at ``path`` with SQLite's online backup API; keep the newest few."""
    backups = path.parent / "backups"
    backups.mkdir(exist_ok=True, mode=0o700)
    # The timestamp leads so that names sort by age.
    target = backups / f"{path.stem}-{now.strftime('%Y%m%dT%H%M%SZ')}-rev{revision}.db"
    with (
        contextlib.closing(sqlite3.connect(path)) as source,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
    target.chmod(0o600)
    for stale in sorted(backups.glob(f"{path.stem}-*-rev*.db"))[:-BACKUPS_KEPT]:
        stale.unlink()
    return target


def migrate(engine: Engine, *, now: datetime | None = None) -> str | None:
    """Bring the schema to the newest revision. Returns the backup path, if one was made."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    backup = None
    path = sqlite_path(engine.url)
    if current is not None and path is not None and path.exists():
        backup = backup_sqlite(path, current, now=now or datetime.now(UTC))
        log.info(
            "backed up the database to %s before migrating from %s to %s", backup, current, head
        )
    from alembic import command

    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    log.info("database schema now at revision %s", head)
    if current is not None and path is not None:
        # A migration may rewrite most of the file (0003 turns full plan versions into deltas);
        # SQLite keeps the freed pages until a VACUUM gives them back.
        try:
            compact(engine)
        except SQLAlchemyError as exc:  # another process holds the file: compact next time
            log.warning(
                "could not compact the database after migrating: %s", exc.__class__.__name__
            )
    return None if backup is None else str(backup)


@dataclass(frozen=True)
class FileSize:
    """A SQLite file's size and how much of it is free pages, in bytes."""

    total_bytes: int
    free_bytes: int


def sqlite_size(engine: Engine) -> FileSize | None:
    """The size of a SQLite database and of its free pages; ``None`` for other backends."""
    if engine.url.get_backend_name() != "sqlite":
        return None
    with engine.connect() as connection:
        page_size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
        free = connection.exec_driver_sql("PRAGMA freelist_count").scalar_one()
    return FileSize(total_bytes=page_size * pages, free_bytes=page_size * free)


def compact(engine: Engine) -> FileSize | None:
    """``VACUUM`` a SQLite database (rewrites the file without its free pages) and checkpoint
    the WAL into it; returns the size after. Nothing to do on other backends (``None``).

    Needed only after a large deletion such as a migration: day to day, SQLite reuses the pages
    an old plan version frees for the next one, so the file does not grow from them.
    """
    if engine.url.get_backend_name() != "sqlite":
        return None
    # VACUUM cannot run inside a transaction.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sqlite_size(engine)
    if size is not None:
        log.info("compacted the database to %d bytes", size.total_bytes)
    return size


@dataclass
class Store:
    """The database: an engine and a session factory. Use :meth:`transaction` for every unit
    of work; it commits when the block ends normally and rolls back when it raises."""

    engine: Engine

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @contextlib.contextmanager
    def scratch(self) -> Iterator[Session]:
        """A session whose changes are always rolled back: for dry runs."""
        with self._sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str | URL, *, migrate_schema: bool = True) -> Store:
    """Open (and by default migrate) the database at ``url``."""
    try:
        engine = make_engine(url)
        if migrate_schema:
            migrate(engine)
        return Store(engine)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot open the database {redacted(url)}: {exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}; check storage.database_url and that the state dir "
            "is writable"
        ) from None
    except OSError as exc:
        raise StoreError(
            f"cannot open the database {redacted(url)}: {exc.strerror or exc}; "
            "check that the state dir exists and is writable by this user"
        ) from None
