"""drafts keyset index: a brand's drafts newest first, by (created_at, id), read off the index

Revision ID: drafts_keyset_index
Revises: 0006
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from alembic import op

revision = "drafts_keyset_index"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # GET /v1/brands/{id}/drafts pages with `WHERE brand_id = ? AND (created_at, id) < (?, ?)
    # ORDER BY created_at DESC, id DESC LIMIT n`: with this index a page reads n index entries
    # instead of sorting every draft of the brand (ix_drafts_brand_id alone cannot order them).
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_drafts_brand_created", ["brand_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_drafts_brand_created")
