"""API keys: remembered by each API process for POSTCRAFT_AUTH_CACHE_S, never when unknown;
revoked with `postcraft keys revoke`; read sessions that cannot write; pooled PostgreSQL
connections pinged only after an idle spell."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli_app
from api.principals import KeyCache
from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.access import revoke_key
from storage.db import PING_IDLE_S, migrate, transaction
from storage.errors import PostcraftError
from storage.models import Workspace
from storage.settings import Settings
from tests.api.live import BOTH_DATABASES, queued_job, runtime_either, serving  # noqa: F401 - the module's `runtime`
from tests.conftest import World, auth, make_world


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _queries(runtime: Runtime) -> list[str]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", record)
    return seen


def _revoke(runtime: Runtime, world: World, secret: str) -> None:
    with transaction(runtime.sessions) as session:
        revoke_key(session, world.workspace_id, secret[:10])


def test_a_checked_key_is_remembered_for_its_ttl_then_looked_up(
    runtime: Runtime, world: World
) -> None:
    clock = _Clock()
    keys = KeyCache(ttl_s=5, clock=clock)
    first = keys.principal(runtime.reads, world.key_a)
    queries = _queries(runtime)
    assert keys.principal(runtime.reads, world.key_a) == first
    assert queries == [], "a remembered key costs no query"

    _revoke(runtime, world, world.key_a)
    clock.now += 4.9
    assert keys.principal(runtime.reads, world.key_a) == first, "within the ttl"
    clock.now += 0.2
    with pytest.raises(PostcraftError) as refused:
        keys.principal(runtime.reads, world.key_a)
    assert refused.value.code.value == "unauthorized"


def test_unknown_keys_are_never_remembered(runtime: Runtime, world: World) -> None:
    keys = KeyCache(ttl_s=60)
    for _ in range(2):
        with pytest.raises(PostcraftError):
            keys.principal(runtime.reads, "pc_not-a-key")
    queries = _queries(runtime)
    with pytest.raises(PostcraftError):
        keys.principal(runtime.reads, "pc_not-a-key")
    assert len(queries) == 1, "each unknown key is looked up again"


def test_ttl_zero_checks_every_request_and_the_cache_is_bounded(
    runtime: Runtime, world: World
) -> None:
    uncached = KeyCache(ttl_s=0)
    uncached.principal(runtime.reads, world.key_b)
    _revoke(runtime, world, world.key_b)
    with pytest.raises(PostcraftError):
        uncached.principal(runtime.reads, world.key_b)

    small = KeyCache(ttl_s=60, max_keys=1)
    small.principal(runtime.reads, world.key_a)
    small.principal(runtime.reads, world.admin_key)  # the least recent one is forgotten
    queries = _queries(runtime)
    small.principal(runtime.reads, world.key_a)
    assert queries, "a forgotten key is looked up again"


def test_a_revoked_key_gets_401_from_the_api(runtime: Runtime, world: World) -> None:
    settings = runtime.settings.model_copy(update={"auth_cache_s": 0.0})
    drafts_list = f"/v1/brands/{world.brand_a}/drafts"
    with TestClient(create_app(settings, replace(runtime, settings=settings))) as api:
        assert api.get(drafts_list, headers=auth(world.key_a)).status_code == 200
        _revoke(runtime, world, world.key_a)
        answer = api.get(drafts_list, headers=auth(world.key_a))
        assert answer.status_code == 401
        assert "revoked" in answer.json()["detail"]
        assert api.get(drafts_list, headers=auth(world.admin_key)).status_code == 200


def test_revoking_needs_exactly_one_matching_key(runtime: Runtime, world: World) -> None:
    with transaction(runtime.sessions) as session:
        with pytest.raises(PostcraftError, match="no key"):
            revoke_key(session, world.workspace_id, "pc_zzzzzzz")
        with pytest.raises(PostcraftError, match="3 keys"):
            revoke_key(session, world.workspace_id, "pc_")
        with pytest.raises(PostcraftError, match="no key"):
            revoke_key(session, world.workspace_id, "%")  # a LIKE wildcard matches nothing


def test_keys_list_and_revoke_on_the_cli(
    runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTCRAFT_DATA_DIR", str(runtime.settings.data_dir))
    monkeypatch.setenv("POSTCRAFT_LOG_LEVEL", "WARNING")
    cli = CliRunner()
    listed = cli.invoke(cli_app, ["keys", "list"])
    assert listed.exit_code == 0, listed.output
    assert world.key_a[:10] in listed.output
    assert "a@x.test" in listed.output
    assert "revoked" not in listed.output

    revoked = cli.invoke(cli_app, ["keys", "revoke", world.key_a[:10]])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in revoked.output
    assert "5 s" in revoked.output
    listed = cli.invoke(cli_app, ["keys", "list"])
    line = next(row for row in listed.output.splitlines() if world.key_a[:10] in row)
    assert "revoked" in line

    missing = cli.invoke(cli_app, ["keys", "revoke", "pc_nothing"])
    assert missing.exit_code == 1
    assert "keys list" in missing.output


def test_a_read_session_cannot_write(runtime: Runtime) -> None:
    with runtime.reads() as session:
        session.add(Workspace(name="never"))
        with pytest.raises(RuntimeError, match="cannot write"):
            session.flush()
    with runtime.sessions() as session:
        assert session.query(Workspace).filter_by(name="never").count() == 0


def _autocommit(session: Session) -> bool:
    raw: Any = session.connection().connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection):
        return raw.isolation_level is None
    return bool(raw.autocommit)


@BOTH_DATABASES
def test_reads_run_outside_a_transaction(runtime: Runtime) -> None:
    with runtime.reads() as session:
        assert _autocommit(session), "no BEGIN, no ROLLBACK"
    with runtime.sessions() as session:  # the connection went back to the pool as it was
        assert not _autocommit(session)


@pytest.mark.services
@pytest.mark.parametrize("runtime", ["postgresql"], indirect=True)
def test_an_idle_connection_the_server_closed_is_replaced_unseen(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with runtime.sessions() as session:  # the same pooled connection, busy: no ping
        assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid
    assert runtime.settings.database_url
    with psycopg.connect(runtime.settings.database_url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    time.sleep(PING_IDLE_S + 0.2)
    with runtime.sessions() as session:  # pinged, found closed, replaced
        assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid


def test_a_burst_of_reads_with_good_bad_and_empty_keys(
    tmp_path: Path, embedder: E5Embedder
) -> None:
    # Two connections, no overflow: the reads' own limiter must keep a burst off the pool's
    # timeout, and no key, however wrong, may cost a 5xx.
    settings = Settings(
        data_dir=tmp_path / "var", db_pool_size=2, db_max_overflow=0, db_pool_timeout_s=5
    )
    rt = build_runtime(settings, embedder=embedder)
    migrate(rt.engine)
    world = make_world(rt)
    job_id = queued_job(rt, world.workspace_id, world.brand_a)
    paths = [f"/v1/jobs/{job_id}", f"/v1/brands/{world.brand_a}/drafts"]
    headers = [
        auth(world.key_a),  # 200
        auth(world.key_b),  # 404: another brand's
        auth("pc_unknown"),  # 401
        {"Authorization": ""},  # 401: an empty header is no key
        {"Authorization": "Basic dXNlcjpwYXNz"},  # 401: not a bearer key
        {"X-API-Key": world.admin_key},  # 200
    ]
    expected = {0: 200, 1: 404, 2: 401, 3: 401, 4: 401, 5: 200}

    async def burst() -> list[tuple[int, int]]:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:

            async def one(i: int) -> tuple[int, int]:
                answer = await client.get(paths[i % 2], headers=headers[i % 6])
                return i % 6, answer.status_code

            return await asyncio.gather(*(one(i) for i in range(120)))

    with serving(create_app(settings, rt)) as url:
        answers = asyncio.run(burst())
    assert all(status == expected[kind] for kind, status in answers), sorted(set(answers))
