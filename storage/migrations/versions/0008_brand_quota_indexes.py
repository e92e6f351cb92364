"""brand quota indexes: a brand's jobs by creation time, and by status and finish time

Revision ID: brand_quota_indexes
Revises: drafts_keyset_index
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

from alembic import op

revision = "brand_quota_indexes"
down_revision = "drafts_keyset_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every submission counts, for its brand (storage/quotas.py): the jobs created in the last
    # 60 s (brand_id, created_at); the jobs queued or running, and the tokens of those finished
    # in the last 24 h (brand_id, status, finished_at). Each reads an index range of the brand,
    # not every job it ever had (ix_jobs_brand_id alone).
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_brand_created", ["brand_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_jobs_brand_status_finished", ["brand_id", "status", "finished_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_brand_status_finished")
        batch_op.drop_index("ix_jobs_brand_created")
