"""review states and audit: a draft's place in the approval step, every move recorded

Revision ID: review_states_and_audit
Revises: job_prompt_shared_prefix
Create Date: 2026-12-09 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "review_states_and_audit"
down_revision = "job_prompt_shared_prefix"
branch_labels = None
depends_on = None

_STATES = ("draft", "in_review", "approved", "rejected", "changes_requested")


def _state(name: str = "reviewstate") -> sa.Enum:
    return sa.Enum(*_STATES, name=name, native_enum=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        # Drafts written before the approval step start in `draft`, as new ones do.
        batch_op.add_column(
            sa.Column("review_state", _state(), server_default="draft", nullable=False)
        )
        batch_op.add_column(sa.Column("sent_back_version", sa.Integer(), nullable=True))
    op.create_table(
        "audit_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("brand_id", sa.String(length=36), nullable=False),
        sa.Column("subject_kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", _state(), nullable=False),
        sa.Column("to_state", _state(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_audit_events_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_subject", "audit_events", ["subject_kind", "subject_id", "at"])
    op.create_index("ix_audit_events_brand_at", "audit_events", ["brand_id", "at", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_brand_at", table_name="audit_events")
    op.drop_index("ix_audit_events_subject", table_name="audit_events")
    op.drop_table("audit_events")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_column("sent_back_version")
        batch_op.drop_column("review_state")
