"""Health, readiness and metrics."""

from __future__ import annotations

from fastapi.testclient import TestClient

from generators.jobs import run_job
from generators.runtime import Runtime
from tests.conftest import World, auth


def test_health_and_readiness(api: TestClient) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "vector_store": "ok"}


def test_readiness_fails_when_the_broker_is_gone(api: TestClient, runtime: Runtime) -> None:
    import shutil

    shutil.rmtree(runtime.settings.broker_folder)
    ready = api.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["broker"].startswith("failed")


def test_metrics_count_jobs_and_tokens(api: TestClient, world: World, runtime: Runtime) -> None:
    request = {"topic": "Зимние напитки с кофе", "platforms": ["vk"]}
    job = api.post(f"/v1/brands/{world.brand_a}/drafts", json=request, headers=auth(world.key_a))
    api.post(f"/v1/brands/{world.brand_a}/drafts", json=request, headers=auth(world.key_a))
    run_job(runtime, job.json()["id"])
    text = api.get("/metrics").text
    assert 'postcraft_jobs{queue="batch",status="succeeded"} 1.0' in text
    assert 'postcraft_jobs{queue="batch",status="queued"} 1.0' in text
    assert 'postcraft_llm_calls_total{generator="offline-composer"' in text
    assert 'type="prompt"' in text
