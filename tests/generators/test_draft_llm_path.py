"""The draft job against the fake LLM: one that ignores the limits, one that sends broken JSON."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from generators.jobs import run_job
from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.access import create_workspace
from storage.db import migrate, transaction
from storage.enums import JobKind, JobStatus, Queue
from storage.jobs import NewJob, create_job
from storage.models import Draft, Job
from storage.settings import Settings
from tests.conftest import import_demo_brand
from tests.fakes.openai_server import FakeOpenAI, Malformed, Reply

LONG = {
    "headline": "Кения Киамбу",
    "body": "Рассказываем о новом лоте подробно. " * 40,
    "call_to_action": "Заходите в кофейню",
    "hashtags": [f"тег{i}" for i in range(12)],
    "image_brief": "Пачка кофе на столе",
}


def _setup(tmp_path: Path, fake: FakeOpenAI, embedder: E5Embedder) -> tuple[Runtime, str, str]:
    settings = Settings(
        data_dir=tmp_path, OPENAI_BASE_URL=fake.url, OPENAI_API_KEY="t", LLM_MODEL="fake-model"
    )
    rt = build_runtime(settings, embedder=embedder)
    migrate(rt.engine)
    with transaction(rt.sessions) as session:
        workspace = create_workspace(session, "w").id
    return rt, workspace, import_demo_brand(rt, workspace, "zerno")


def _job(rt: Runtime, workspace: str, brand: str, platforms: list[str]) -> str:
    request = {"topic": "Новый лот из Кении", "platforms": platforms}
    new = NewJob(workspace, brand, None, JobKind.DRAFT, Queue.BATCH, request, None)
    job_id = create_job(rt.sessions(), new).job.id
    run_job(rt, job_id)
    return job_id


def test_an_llm_that_ignores_the_limits_is_asked_again_then_repaired(
    tmp_path: Path, embedder: E5Embedder
) -> None:
    with FakeOpenAI() as fake:
        rt, workspace, brand = _setup(tmp_path, fake, embedder)
        fake.script(
            Reply(json.dumps(LONG, ensure_ascii=False)), Reply(json.dumps(LONG, ensure_ascii=False))
        )
        job_id = _job(rt, workspace, brand, ["x"])
        chats = [r for r in fake.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == 2, "one more try with the violations"
    retry = chats[1].body["messages"][1]["content"]
    assert "broke these rules" in retry
    assert "the limit is 280" in retry
    with rt.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.status is JobStatus.SUCCEEDED
        assert job.llm_calls == 2
        draft = session.scalars(select(Draft).where(Draft.job_id == job_id)).one()
    assert draft.validation["passed"], draft.validation
    assert draft.validation["length"] <= 280
    assert draft.repairs, "deterministic repair said what it changed"
    assert draft.thread, "the long text is offered as a thread too"


def test_an_llm_that_sends_broken_json_fails_the_job_with_a_clear_code(
    tmp_path: Path, embedder: E5Embedder
) -> None:
    with FakeOpenAI() as fake:
        rt, workspace, brand = _setup(tmp_path, fake, embedder)
        fake.script(Malformed())
        job_id = _job(rt, workspace, brand, ["vk"])
    with rt.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.status is JobStatus.FAILED
        assert job.error_code == "llm_invalid_output"
        assert session.scalars(select(Draft).where(Draft.job_id == job_id)).all() == []


def test_job_cost_at_the_configured_prices(tmp_path: Path, embedder: E5Embedder) -> None:
    with FakeOpenAI() as fake:
        settings = Settings(
            data_dir=tmp_path,
            OPENAI_BASE_URL=fake.url,
            OPENAI_API_KEY="t",
            LLM_MODEL="fake-model",
            llm_prompt_usd_per_mtok=2.5,
            llm_completion_usd_per_mtok=10.0,
        )
        rt = build_runtime(settings, embedder=embedder)
        migrate(rt.engine)
        with transaction(rt.sessions) as session:
            workspace = create_workspace(session, "w").id
        brand = import_demo_brand(rt, workspace, "zerno")
        job_id = _job(rt, workspace, brand, ["vk"])
    with rt.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        expected = (job.prompt_tokens * 2.5 + job.completion_tokens * 10.0) / 1_000_000
        assert job.cost_usd == round(expected, 6)
        assert job.cost_usd > 0
