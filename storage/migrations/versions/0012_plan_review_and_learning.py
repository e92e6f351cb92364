"""plan review and learning: plans and items carry what a review move needs, an approved item
names the draft job it queued, an approved draft keeps its edit distance

Revision ID: plan_review_and_learning
Revises: content_plans
Create Date: 2026-12-11 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "plan_review_and_learning"
down_revision = "content_plans"
branch_labels = None
depends_on = None

_EPOCH = sa.text("'2026-01-01 00:00:00+00:00'")  # rows older than the column


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("sent_back_version", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_EPOCH
            )
        )
    with op.batch_alter_table("plan_items") as batch:
        batch.add_column(
            sa.Column(
                "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_EPOCH
            )
        )
        batch.add_column(sa.Column("draft_job_id", sa.String(length=36), nullable=True))
        batch.create_foreign_key(
            "fk_plan_items_draft_job_id", "jobs", ["draft_job_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_plan_items_draft_job_id", ["draft_job_id"])
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("edit_distance", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("edit_ratio", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("edit_ratio")
        batch.drop_column("edit_distance")
    with op.batch_alter_table("plan_items") as batch:
        batch.drop_index("ix_plan_items_draft_job_id")
        batch.drop_constraint("fk_plan_items_draft_job_id", type_="foreignkey")
        batch.drop_column("draft_job_id")
        batch.drop_column("updated_at")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("sent_back_version")
