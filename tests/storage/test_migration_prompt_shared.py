"""The jobs' shared-prefix columns: the migration adds them, nullable, and its downgrade removes
them; upgrading again restores them."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect

from storage.db import MIGRATIONS, migrate
from storage.settings import Settings

REVISION = "job_prompt_shared_prefix"
COLUMNS = {"prompt_shared_tokens", "prompt_shared_share"}


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _run(engine: Engine, action: str, revision: str) -> None:
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _job_columns(engine: Engine) -> dict[str, bool]:
    """The jobs table's columns, each with whether it is nullable."""
    return {c["name"]: bool(c["nullable"]) for c in inspect(engine).get_columns("jobs")}


def test_the_migration_adds_and_removes_the_shared_prefix_columns(settings: Settings) -> None:
    before = ScriptDirectory.from_config(_config()).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    settings.data_dir.mkdir(parents=True)
    engine = create_engine(settings.sqlalchemy_url)
    migrate(engine)
    columns = _job_columns(engine)
    assert {name: columns.get(name) for name in COLUMNS} == dict.fromkeys(COLUMNS, True)

    _run(engine, "downgrade", before)
    assert not set(_job_columns(engine)) & COLUMNS
    assert "cost_usd" in _job_columns(engine), "only this revision's columns go"
    _run(engine, "upgrade", REVISION)
    assert set(_job_columns(engine)) >= COLUMNS
    _run(engine, "downgrade", before)
    migrate(engine)  # back to head, as every start does
    assert set(_job_columns(engine)) >= COLUMNS
