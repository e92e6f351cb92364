"""web sessions: one-time login links and browser sessions of the review page

Revision ID: web_sessions
Revises: webhooks
Create Date: 2026-12-14 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "web_sessions"
down_revision = "webhooks"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("api_key_id", sa.String(length=36), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f(f"fk_{name}_api_key_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("token_hash", name=op.f(f"uq_{name}_token_hash")),
    )


def upgrade() -> None:
    _table(
        "web_logins",
        _when("created_at", nullable=False),
        _when("expires_at", nullable=False),
        _when("used_at"),
    )
    _table(
        "web_sessions",
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        _when("created_at", nullable=False),
        _when("expires_at", nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("web_logins")
