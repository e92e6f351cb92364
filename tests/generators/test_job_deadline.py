"""A job past POSTCRAFT_JOB_SOFT_TIME_LIMIT_S fails with job_timed_out at its deadline, whatever
it waits on, and the abandoned work never stores an outcome."""

from __future__ import annotations

import time
from pathlib import Path

from generators.jobs import run_job
from generators.runtime import build_runtime
from retrieval.embeddings import E5Embedder
from storage.access import create_workspace
from storage.db import migrate, transaction
from storage.drafts import job_drafts
from storage.enums import JobKind, JobStatus, Queue
from storage.jobs import NewJob, create_job, find_job
from storage.settings import Settings
from tests.conftest import import_demo_brand
from tests.fakes.openai_server import Delay, FakeOpenAI

MODEL_S = 2.5


def test_a_slow_model_times_the_job_out_at_its_deadline(
    tmp_path: Path, embedder: E5Embedder
) -> None:
    with FakeOpenAI(default=Delay(MODEL_S)) as fake:
        settings = Settings(
            data_dir=tmp_path,
            OPENAI_BASE_URL=fake.url,
            OPENAI_API_KEY="t",
            LLM_MODEL="fake-model",
            job_soft_time_limit_s=1,
            job_time_limit_s=2,
            llm_timeout_s=30,
            llm_max_retries=0,
        )
        runtime = build_runtime(settings, embedder=embedder)
        migrate(runtime.engine)
        with transaction(runtime.sessions) as session:
            workspace = create_workspace(session, "w").id
        brand = import_demo_brand(runtime, workspace, "northwind")
        request = {"topic": "Winter blend", "platforms": ["linkedin", "x"]}
        new = NewJob(workspace, brand, None, JobKind.DRAFT, Queue.BATCH, request, None)
        with runtime.sessions() as session:
            job_id = create_job(session, new).job.id
        started = time.monotonic()
        run_job(runtime, job_id)
        took = time.monotonic() - started
        assert 1.0 <= took < MODEL_S, f"the deadline holds ({took:.2f} s)"
        time.sleep(MODEL_S + 0.5)  # the abandoned calls answer meanwhile
        with runtime.sessions() as session:
            job = find_job(session, job_id)
            assert job is not None
            assert job.status is JobStatus.FAILED
            assert job.error_code == "job_timed_out"
            assert "POSTCRAFT_JOB_SOFT_TIME_LIMIT_S" in (job.error_detail or "")
            assert job_drafts(session, find_job(session, job_id)) == []  # type: ignore[arg-type]
        assert any(r.path.endswith("/chat/completions") for r in fake.requests)
