"""Alembic environment: runs on the connection storage.db.migrate() hands it."""

from __future__ import annotations

from alembic import context

from storage import web_models  # noqa: F401  (registers the review page's tables)
from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations with `postcraft migrate` (storage.db.migrate), not alembic")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
