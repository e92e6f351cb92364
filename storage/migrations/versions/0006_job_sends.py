"""job sends: how many times a job's message was sent; the reconciler's per-queue index

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        # Existing jobs were sent once (or their send failed, which counts the same).
        batch_op.add_column(
            sa.Column("sends", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.create_index("ix_jobs_queue_started", ["queue", "started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_queue_started")
        batch_op.drop_column("sends")
