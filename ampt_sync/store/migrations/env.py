"""Alembic environment: migrations run on the connection that ``ampt_sync.store.db`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from ampt_sync.store.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        # `alembic` run by hand (e.g. `alembic revision --autogenerate`) with -x url=...
        url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///:memory:")
        with create_engine(url).connect() as own:
            _configure_and_run(own)
        return
    _configure_and_run(connection)


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
