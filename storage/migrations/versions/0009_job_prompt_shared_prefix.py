"""job prompt shared prefix: how much of a draft job's first-try prompts the platforms share

Revision ID: job_prompt_shared_prefix
Revises: brand_quota_indexes
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "job_prompt_shared_prefix"
down_revision = "brand_quota_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        # Jobs run before this revision were not measured: they stay NULL.
        batch_op.add_column(sa.Column("prompt_shared_tokens", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prompt_shared_share", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("prompt_shared_share")
        batch_op.drop_column("prompt_shared_tokens")
