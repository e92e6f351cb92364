"""draft versions and validation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:26:33.784110
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_versions",
        sa.Column("draft_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("call_to_action", sa.Text(), nullable=False),
        sa.Column("hashtags", sa.JSON(), nullable=False),
        sa.Column("validation", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author"],
            ["users.id"],
            name=op.f("fk_draft_versions_author_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_draft_versions_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("draft_id", "version", name=op.f("pk_draft_versions")),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("validation", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("repairs", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column(
                "updated_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.text("CURRENT_TIMESTAMP"),
            )
        )
        batch_op.add_column(sa.Column("updated_by", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_drafts_updated_by_users"),
            "users",
            ["updated_by"],
            ["id"],
            ondelete="SET NULL",
        )
    # Drafts written before versioning become their own version 1.
    op.execute("UPDATE drafts SET updated_at = created_at")
    op.execute(
        "INSERT INTO draft_versions (draft_id, version, headline, body, call_to_action, hashtags, "
        "validation, created_at) SELECT id, version, headline, body, call_to_action, hashtags, "
        "validation, created_at FROM drafts"
    )


def downgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_drafts_updated_by_users"), type_="foreignkey")
        batch_op.drop_column("updated_by")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("repairs")
        batch_op.drop_column("validation")

    op.drop_table("draft_versions")
