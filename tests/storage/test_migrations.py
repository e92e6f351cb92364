"""Migrations run on SQLite and PostgreSQL and match the models exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect

from storage.db import migrate
from storage.models import Base
from storage.settings import Settings
from storage.web_models import WebLogin  # noqa: F401  (its tables are part of the schema)
from tests.e2e.services import postgres_database


def _assert_schema_matches_models(engine: Engine) -> None:
    migrate(engine)
    migrate(engine)  # running again on start changes nothing
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    tables = set(inspect(engine).get_table_names())
    assert {"workspaces", "brands", "users", "api_keys", "jobs", "drafts", "documents"} <= tables


def test_migrations_on_sqlite(settings: Settings) -> None:
    engine = create_engine(settings.sqlalchemy_url)
    settings.data_dir.mkdir(parents=True)
    _assert_schema_matches_models(engine)


@pytest.mark.services
def test_migrations_on_postgresql() -> None:
    with postgres_database() as url:
        engine = create_engine(Settings(DATABASE_URL=url).sqlalchemy_url)
        try:
            _assert_schema_matches_models(engine)
        finally:
            engine.dispose()
