"""The draft job end to end on PostgreSQL, Redis and a Chroma server, with a separate worker."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import Process, environment, free_port, setup_brand, wait_job, wait_ready
from tests.e2e.services import chroma_server, postgres_database, redis_database

pytestmark = [pytest.mark.slow, pytest.mark.services]


def test_draft_job_end_to_end_on_postgres_and_redis(tmp_path: Path) -> None:
    with (
        postgres_database() as database_url,
        redis_database() as broker_url,
        chroma_server(tmp_path / "chroma") as chroma_url,
    ):
        env = environment(
            tmp_path / "var",
            DATABASE_URL=database_url,
            BROKER_URL=broker_url,
            CHROMA_URL=chroma_url,
        )
        brand_id, key = setup_brand(env, "northwind")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        api = Process(env, tmp_path / "api.log", "serve", "--port", str(port))
        worker = Process(env, tmp_path / "worker.log", "worker", "--concurrency", "1")
        try:
            wait_ready(url, api)
            headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "scaled-1"}
            request = {
                "topic": "Why reconciliations break at month end",
                "platforms": ["linkedin", "x"],
            }
            job = httpx.post(f"{url}/v1/brands/{brand_id}/drafts", json=request, headers=headers)
            assert job.status_code == 202
            done = wait_job(url, key, job.json()["id"])
            replay = httpx.post(f"{url}/v1/brands/{brand_id}/drafts", json=request, headers=headers)
        finally:
            api.stop()
            worker.stop()
        assert done["status"] == "succeeded", (done, worker.output()[-2000:])
        assert replay.json()["id"] == job.json()["id"]
        drafts = done["drafts"]
        assert isinstance(drafts, list)
        assert sorted(d["platform"] for d in drafts) == ["linkedin", "x"]
        x_post = next(d for d in drafts if d["platform"] == "x")
        assert len(x_post["text"]) <= 280
        assert '"job_id"' in worker.output(), "worker logs are JSON lines with the job id"
