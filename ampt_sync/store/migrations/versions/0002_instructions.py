"""The runner's instructions (move, swap, skip, unwell), apart from the plan's versions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instructions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("plan_version_before", sa.Integer(), nullable=True),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instructions")),
    )
    op.create_index(op.f("ix_instructions_given_at"), "instructions", ["given_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_instructions_given_at"), table_name="instructions")
    op.drop_table("instructions")
