"""Plan versions as deltas: only the newest plan in full, older ones as what changed.

Adds ``plans.delta_json`` (the RFC 6902 patch from the next newer version back to this one) and
``plans.vdot`` (the fitness each version was made with, for the page's fitness chart), and lets
``plans.plan_json`` be empty. Every existing version but the newest is converted to its delta,
one pair of versions in memory at a time (a store with a hundred full versions is ~17 MB of JSON:
a 1 GB Pi must not parse it all at once). Nothing is lost: each version rebuilds exactly, and
the changes history (``plan_changes``) is not touched. ``open_store`` compacts the SQLite file
(``VACUUM``) after this migration, since it frees most of the file.

The downgrade rebuilds every version in full and drops the new columns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 18:40:00
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The table as this migration sees it (not the models: they move on, this must not).
plans = sa.table(
    "plans",
    sa.column("version", sa.Integer()),
    sa.column("plan_json", sa.JSON()),
    sa.column("delta_json", sa.JSON()),
    sa.column("vdot", sa.Float()),
)


def _versions(connection: sa.Connection) -> list[int]:
    return list(connection.scalars(sa.select(plans.c.version).order_by(plans.c.version.desc())))


def _json(connection: sa.Connection, column: sa.ColumnClause[Any], version: int) -> Any:
    return connection.scalar(sa.select(column).where(plans.c.version == version))


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("delta_json", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("vdot", sa.Float(), nullable=True))
        batch.alter_column("plan_json", existing_type=sa.JSON(), nullable=True)

    connection = op.get_bind()
    newer: dict[str, Any] | None = None
    for version in _versions(connection):  # newest first
        content = _json(connection, plans.c.plan_json, version)
        values: dict[str, Any] = {"vdot": float(content["athlete"]["vdot"])}
        if newer is not None:
            patch = jsonpatch.make_patch(newer, content).patch
            values.update(plan_json=sa.null(), delta_json=patch)
        connection.execute(sa.update(plans).where(plans.c.version == version).values(**values))
        newer = content

    with op.batch_alter_table("plans") as batch:
        batch.alter_column("vdot", existing_type=sa.Float(), nullable=False)


def downgrade() -> None:
    connection = op.get_bind()
    newer: dict[str, Any] | None = None
    for version in _versions(connection):  # newest first
        if newer is None:
            newer = _json(connection, plans.c.plan_json, version)
            continue
        delta = _json(connection, plans.c.delta_json, version) or []
        content = jsonpatch.apply_patch(copy.deepcopy(newer), delta)
        connection.execute(
            sa.update(plans).where(plans.c.version == version).values(plan_json=content)
        )
        newer = content
    with op.batch_alter_table("plans") as batch:
        batch.alter_column("plan_json", existing_type=sa.JSON(), nullable=False)
        batch.drop_column("vdot")
        batch.drop_column("delta_json")
