"""content plans: plans (a plan job's result) and their items, each in the approval step

Revision ID: content_plans
Revises: review_states_and_audit
Create Date: 2026-12-10 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "content_plans"
down_revision = "review_states_and_audit"
branch_labels = None
depends_on = None

_STATES = ("draft", "in_review", "approved", "rejected", "changes_requested")
_PLATFORMS = (
    "vk", "telegram", "ok", "instagram", "facebook", "x", "linkedin", "tiktok", "threads",
    "youtube", "pinterest",
)  # fmt: skip
_RUBRICS = ("educational", "entertaining", "commercial", "ugc", "news")


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("generator", sa.String(length=64), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column(
            "review_state", _enum("reviewstate", _STATES), server_default="draft", nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_plans_brand_id_brands"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_plans_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("job_id", name=op.f("uq_plans_job_id")),
    )
    op.create_index("ix_plans_brand_created", "plans", ["brand_id", "created_at", "id"])
    op.create_table(
        "plan_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("platform", _enum("platform", _PLATFORMS), nullable=False),
        sa.Column("rubric", sa.String(length=120), nullable=False),
        sa.Column("category", _enum("rubric", _RUBRICS), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("goal", sa.String(length=300), nullable=False),
        sa.Column("copy_brief", sa.Text(), nullable=False),
        sa.Column("design_brief", sa.Text(), nullable=False),
        sa.Column("event", sa.String(length=200), nullable=True),
        sa.Column(
            "review_state", _enum("reviewstate", _STATES), server_default="draft", nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sent_back_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_plan_items_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_items_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_items")),
    )
    op.create_index("ix_plan_items_plan_at", "plan_items", ["plan_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_plan_items_plan_at", table_name="plan_items")
    op.drop_table("plan_items")
    op.drop_index("ix_plans_brand_created", table_name="plans")
    op.drop_table("plans")
