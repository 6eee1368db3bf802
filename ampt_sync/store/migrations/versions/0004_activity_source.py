"""Activities know their source (Strava or Garmin Connect), so two services' ids never collide.

Every row so far came from Strava: ``source`` becomes ``"strava"`` and ``source_id`` the Strava id
(equal to ``id``). Rows from Garmin Connect get ``id = -source_id`` (see
:class:`ampt_sync.store.models.ActivityRow`); ``(source, source_id)`` is unique.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=10), server_default="strava", nullable=False)
        )
        batch.add_column(sa.Column("source_id", sa.BigInteger(), nullable=True))
    op.execute("UPDATE activities SET source_id = id")
    with op.batch_alter_table("activities") as batch:
        batch.alter_column("source_id", existing_type=sa.BigInteger(), nullable=False)
        batch.create_index(
            batch.f("ix_activities_source_source_id"), ["source", "source_id"], unique=True
        )


def downgrade() -> None:
    # Rows from another source than Strava have no place in the older schema.
    op.execute("DELETE FROM activities WHERE source <> 'strava'")
    with op.batch_alter_table("activities") as batch:
        batch.drop_index(batch.f("ix_activities_source_source_id"))
        batch.drop_column("source_id")
        batch.drop_column("source")
