"""`POST /v1/brands/{id}/replies` for the extension's responder key: an answer within the
wait while a worker thread runs the interactive queue, 202 and polling past it, the cache of
identical requests, the key's narrow scope, CORS for the configured extension origin only, and
bad input and bursts answered with 4xx or 2xx, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from storage.db import transaction
from storage.enums import JobKind, JobStatus, Queue
from storage.errors import ErrorCode, PostcraftError
from storage.jobs import NewJob, create_job
from storage.models import Brand, Job
from storage.quotas import QuotaLimits, admit_submission
from tests.approval.desk import Desk, job_runner
from tests.conftest import auth

EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
QUESTION = {
    "platform": "vk",
    "comment": "Подскажите, как заваривать этот лот в воронке?",
    "author": "Ирина",
    "post": "Новый лот из Эфиопии уже в кофейне.",
    "thread": [],
}


@pytest.fixture(scope="module")
def client(desk: Desk) -> Iterator[TestClient]:
    settings = desk.runtime.settings.model_copy(update={"extension_origins": EXTENSION})
    runtime = replace(desk.runtime, settings=settings)
    with job_runner(desk, every_s=0.02), TestClient(create_app(settings, runtime)) as api:
        yield api


def _ask(client: TestClient, desk: Desk, body: dict[str, Any], key: str | None = None) -> Any:
    return client.post(
        f"/v1/brands/{desk.brand}/replies", json=body, headers=auth(key or desk.responder)
    )


def test_the_extensions_key_gets_replies_within_the_wait(client: TestClient, desk: Desk) -> None:
    answer = _ask(client, desk, {**QUESTION, "comment": "Сколько стоит пачка зерна?"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "succeeded"
    assert body["outcome"] == "replies"
    assert body["classification"]["label"] == "question"
    assert 2 <= len(body["replies"]) <= 3
    assert body["cached"] is False
    again = _ask(client, desk, {**QUESTION, "comment": "Сколько стоит пачка зерна?"})
    assert again.json()["cached"] is True
    assert again.json()["job_id"] == body["job_id"]


def test_a_crisis_answers_with_an_escalation(client: TestClient, desk: Desk) -> None:
    body = _ask(client, desk, {**QUESTION, "comment": "Мой юрист готовит иск, увидимся в суде"})
    assert body.status_code == 200, body.text
    assert body.json()["outcome"] == "escalate"
    assert body.json()["replies"] == []
    assert "legal@" in body.json()["escalation"]["to"]


def test_the_responder_key_may_do_nothing_else(client: TestClient, desk: Desk) -> None:
    for method, path in [
        ("GET", "/v1/brands"),
        ("GET", f"/v1/brands/{desk.brand}/drafts"),
        ("POST", f"/v1/brands/{desk.brand}/drafts"),
    ]:
        answer = client.request(method, path, headers=auth(desk.responder), json={})
        assert answer.status_code == 403, (path, answer.text)
        assert "reply suggestions" in answer.json()["detail"]
    other = _ask(client, desk, QUESTION | {"comment": "x?"}, desk.responder)
    assert other.status_code == 200
    foreign = client.post(
        f"/v1/brands/{desk.other_brand}/replies", json=QUESTION, headers=auth(desk.responder)
    )
    assert foreign.status_code == 404


def test_past_the_wait_it_is_202_and_the_job_can_be_polled(desk: Desk) -> None:
    settings = desk.runtime.settings.model_copy(update={"reply_wait_s": 0.0})
    with TestClient(create_app(settings, replace(desk.runtime, settings=settings))) as api:
        answer = api.post(
            f"/v1/brands/{desk.brand}/replies",
            json={**QUESTION, "comment": "А есть ли у вас декаф?"},
            headers=auth(desk.manager),
        )
        assert answer.status_code == 202, answer.text
        assert answer.headers["Location"] == f"/v1/replies/{answer.json()['job_id']}"
        polled = api.get(answer.headers["Location"], headers=auth(desk.responder))
        assert polled.status_code == 200
        assert polled.json()["status"] in ("queued", "running", "succeeded")
        assert api.get(answer.headers["Location"], headers=auth(desk.outsider)).status_code == 404


def test_cors_admits_only_the_configured_extension(client: TestClient, desk: Desk) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    path = f"/v1/brands/{desk.brand}/replies"
    ok = client.options(path, headers={"Origin": EXTENSION, **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == EXTENSION
    other = client.options(path, headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in other.headers
    elsewhere = client.options("/v1/brands", headers={"Origin": EXTENSION, **preflight})
    assert "access-control-allow-origin" not in elsewhere.headers


@pytest.mark.parametrize(
    "body",
    [
        {**QUESTION, "comment": ""},
        {**QUESTION, "comment": "a\x00b"},
        {**QUESTION, "comment": None},
        {**QUESTION, "platform": "myspace"},
        {**QUESTION, "comment": "x" * 6000},
        {**QUESTION, "thread": ["x"] * 50},
        {**QUESTION, "extra": 1},
        [],
    ],
)
def test_bad_input_is_422(client: TestClient, desk: Desk, body: Any) -> None:
    answer = client.post(
        f"/v1/brands/{desk.brand}/replies", json=body, headers=auth(desk.responder)
    )
    assert answer.status_code == 422, answer.text


def test_missing_keys_empty_headers_and_huge_bodies_are_4xx(client: TestClient, desk: Desk) -> None:
    path = f"/v1/brands/{desk.brand}/replies"
    for headers in ({}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"X-API-Key": ""}):
        assert client.post(path, json=QUESTION, headers=headers).status_code == 401, headers
    huge = client.post(
        path,
        content=b'{"platform": "vk", "comment": "' + b"x" * (64 * 1024 * 1024) + b'"}',
        headers={**auth(desk.responder), "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert client.get("/v1/replies/not-a-uuid", headers=auth(desk.responder)).status_code == 422


def test_a_burst_of_requests_is_never_a_5xx(client: TestClient, desk: Desk) -> None:
    def one(n: int) -> int:
        body = {**QUESTION, "comment": f"Вопрос номер {n}: есть ли у вас овсяное молоко?"}
        return int(_ask(client, desk, body).status_code)

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(one, range(20)))
    assert all(code in (200, 202, 429) for code in codes), codes
    # The brand's quota of active jobs (POSTCRAFT_BRAND_MAX_ACTIVE_JOBS, 6) counts per queue:
    # ten at once may meet it, and the rest get 429 with Retry-After.
    assert codes.count(200) + codes.count(202) >= 6


def test_a_brands_busy_batch_never_refuses_a_reply(desk: Desk) -> None:
    """Quotas count per queue: six running drafts fill the batch queue's place, not the
    interactive one's."""
    limits = QuotaLimits(active_jobs=6, jobs_per_minute=60, tokens_per_day=0)
    with desk.runtime.sessions() as session:
        brand = session.get(Brand, desk.brand)
        assert brand is not None
        ids = [
            create_job(
                session,
                NewJob(brand.workspace_id, brand.id, None, JobKind.DRAFT, Queue.BATCH,
                       {"topic": f"t{n}", "platforms": ["vk"]}, None),
            ).job.id
            for n in range(6)
        ]  # fmt: skip
    with transaction(desk.runtime.sessions) as session:
        session.execute(update(Job).where(Job.id.in_(ids)).values(status=JobStatus.RUNNING))
    with transaction(desk.runtime.sessions) as session:
        with pytest.raises(PostcraftError) as refused:
            admit_submission(session, desk.brand, limits, ("w", None), queue=Queue.BATCH)
        assert refused.value.code is ErrorCode.QUOTA_EXCEEDED
    with transaction(desk.runtime.sessions) as session:
        admit_submission(session, desk.brand, limits, ("w", None), queue=Queue.INTERACTIVE)
    with transaction(desk.runtime.sessions) as session:
        session.execute(update(Job).where(Job.id.in_(ids)).values(status=JobStatus.FAILED))
