"""Every request works with a pool of one connection: none takes a second while holding one
(that is what ran the pool dry under load), and a wait past the pool timeout is a 503."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from generators.jobs import run_job
from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.db import migrate
from storage.settings import Settings
from tests.conftest import World, auth

POSTS = [
    {"text": "Our autumn blend is here: cherry, cocoa and a long sweet finish.", "platform": "x"},
    {"text": "How we roast on Mondays, and why the beans rest for three days.", "platform": "x"},
]


@pytest.fixture
def runtime(tmp_path: Path, embedder: E5Embedder) -> Runtime:
    """One connection in the pool, no overflow, and a short wait for it."""
    settings = Settings(
        data_dir=tmp_path / "var", db_pool_size=1, db_max_overflow=0, db_pool_timeout_s=2
    )
    rt = build_runtime(settings, embedder=embedder)
    migrate(rt.engine)
    return rt


@pytest.fixture
def api(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime.settings, runtime)) as client:
        yield client


def test_every_route_needs_one_connection_at_a_time(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    admin = auth(world.admin_key)
    brand = f"/v1/brands/{world.brand_b}"

    def ok(answer: object) -> dict:  # type: ignore[type-arg]
        assert getattr(answer, "status_code", 0) < 300, getattr(answer, "text", answer)
        return answer.json()  # type: ignore[attr-defined, no-any-return]

    ingest = ok(
        api.post(f"{brand}/sources/json", json={"kind": "post", "posts": POSTS}, headers=admin)
    )
    run_job(runtime, ingest["id"])
    request = {"topic": "The autumn blend", "platforms": ["x"]}
    keyed = {**admin, "Idempotency-Key": "one-connection"}
    job = ok(api.post(f"{brand}/drafts", json=request, headers=keyed))
    assert ok(api.post(f"{brand}/drafts", json=request, headers=keyed))["id"] == job["id"]
    run_job(runtime, job["id"])
    done = ok(api.get(f"/v1/jobs/{job['id']}", headers=admin))
    assert done["status"] == "succeeded", done
    draft = done["drafts"][0]["id"]
    ok(api.patch(f"/v1/drafts/{draft}", json={"headline": "Autumn"}, headers=admin))
    ok(api.get(f"/v1/drafts/{draft}/versions", headers=admin))
    ok(api.get(f"{brand}/drafts", headers=admin))
    profile = ok(api.get(f"{brand}/profile", headers=admin))
    ok(api.put(f"{brand}/profile", json=profile["profile"], headers=admin))
    ok(api.get(f"{brand}/sources", headers=admin))
    ok(api.post("/v1/brands", json={"name": "Second", "slug": "second"}, headers=admin))
    ok(api.get("/v1/brands", headers=admin))
    ok(api.get("/readyz"))


def test_a_request_that_cannot_get_a_connection_gets_503(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    held = threading.Event()
    release = threading.Event()

    def hold_the_only_connection() -> None:
        with runtime.engine.connect():
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_only_connection)
    holder.start()
    try:
        assert held.wait(5)
        answer = api.get("/v1/brands", headers=auth(world.admin_key))
    finally:
        release.set()
        holder.join()
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"] == "database_busy"
    assert answer.headers["Retry-After"].isdigit()
    assert api.get("/v1/brands", headers=auth(world.admin_key)).status_code == 200
