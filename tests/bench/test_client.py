"""The suite's client adapts to the API it finds: `?wait=` or polling, a drafts list or a page,
and reads refusals (429 with Retry-After) without crashing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bench.suite.client import Api, drafts_of, server_seconds, wait_parameter

JOB_ID = "8c1f3a52-1b9c-4e0e-8f6a-2c4d5e6f7a8b"


def _spec(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"paths": {"/v1/jobs/{job_id}": {"get": {"parameters": parameters}}}}


def test_wait_parameter_is_read_from_the_spec() -> None:
    path = {"name": "job_id", "in": "path", "schema": {"type": "string"}}
    assert wait_parameter({}) is None
    assert wait_parameter(_spec([path])) is None
    assert wait_parameter(_spec([{"name": "wait", "in": "header", "schema": {}}])) is None
    integer = {"name": "wait", "in": "query", "schema": {"type": "integer", "maximum": 25}}
    found = wait_parameter(_spec([path, integer]))
    assert found is not None
    assert (found.max_s, found.integer) == (25.0, True)
    optional = {
        "name": "wait",
        "in": "query",
        "schema": {"anyOf": [{"type": "number", "exclusiveMaximum": 60}, {"type": "null"}]},
    }
    found = wait_parameter(_spec([optional]))
    assert found is not None
    assert (found.max_s, found.integer) == (60.0, False)
    unbounded = wait_parameter(_spec([{"name": "wait", "in": "query", "schema": {}}]))
    assert unbounded is not None
    assert unbounded.max_s == 30.0


def test_drafts_of_takes_both_shapes() -> None:
    assert drafts_of([{"id": 1}]) == [{"id": 1}]
    assert drafts_of({"items": [{"id": 2}], "next_cursor": None}) == [{"id": 2}]
    bad_answers: list[object] = [{"items": None}, {"drafts": []}, "text", None]
    for bad in bad_answers:
        with pytest.raises(ValueError):
            drafts_of(bad)


def test_server_seconds() -> None:
    job = {"created_at": "2026-01-01T10:00:00Z", "finished_at": "2026-01-01T10:00:01.250000Z"}
    assert server_seconds(job) == pytest.approx(1.25)
    assert server_seconds({"created_at": "2026-01-01T10:00:00+00:00", "finished_at": None}) is None
    assert server_seconds({}) is None


class _FakeApi:
    """A job that is queued, then running, then succeeded; `wait` in the spec or not."""

    def __init__(self, with_wait: bool) -> None:
        self.with_wait = with_wait
        self.reads: list[dict[str, str]] = []
        self.submissions = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/openapi.json":
            params = [{"name": "wait", "in": "query", "schema": {"type": "integer", "maximum": 5}}]
            return httpx.Response(200, json=_spec(params if self.with_wait else []))
        if request.method == "POST":
            self.submissions += 1
            if self.submissions == 1:
                return httpx.Response(429, json={"error": "quota"}, headers={"Retry-After": "7"})
            if self.submissions == 2:
                return httpx.Response(503, json={"error": "busy"}, headers={"Retry-After": "x"})
            assert json.loads(request.content)["platforms"] == ["vk"]
            return httpx.Response(202, json={"id": JOB_ID, "status": "queued"})
        if request.url.path == f"/v1/jobs/{JOB_ID}":
            self.reads.append(dict(request.url.params))
            status = ("queued", "running", "succeeded")[min(len(self.reads) - 1, 2)]
            return httpx.Response(200, json=self._job(status))
        if request.url.path.endswith("/drafts"):
            return httpx.Response(200, json={"items": [{"id": "d"}], "next_cursor": None})
        return httpx.Response(404)

    @staticmethod
    def _job(status: str) -> dict[str, Any]:
        done = status == "succeeded"
        return {
            "id": JOB_ID,
            "status": status,
            "created_at": "2026-01-01T10:00:00Z",
            "finished_at": "2026-01-01T10:00:00.5Z" if done else None,
            "usage": {"llm_seconds": 0.01, "shared_prefix_share": 0.9},
            "drafts": [{"id": "d"}] if done else [],
        }


@pytest.mark.parametrize("with_wait", [True, False])
def test_submit_and_wait(with_wait: bool) -> None:
    fake = _FakeApi(with_wait)
    api = Api("http://api.test", "key", transport=httpx.MockTransport(fake))
    try:
        assert (api.wait is not None) == with_wait
        refused = api.submit("brand", {"topic": "t", "platforms": ["vk"]})
        assert (refused.status, refused.job_id, refused.retry_after) == (429, None, 7.0)
        busy = api.submit("brand", {"topic": "t", "platforms": ["vk"]})
        assert (busy.status, busy.job_id, busy.retry_after) == (503, None, None)
        run = api.run("brand", {"topic": "t", "platforms": ["vk"]}, timeout=10)
        assert api.drafts("brand") == [{"id": "d"}]
    finally:
        api.close()
    assert (run.status, run.drafts, run.job_id) == ("succeeded", 1, JOB_ID)
    assert run.server_s == pytest.approx(0.5)
    assert run.llm_s == pytest.approx(0.01)
    assert run.usage["shared_prefix_share"] == 0.9
    assert len(fake.reads) == 3
    if with_wait:
        assert all(r == {"wait": "5"} for r in fake.reads), fake.reads  # capped at the maximum
    else:
        assert all(r == {} for r in fake.reads)


def test_a_job_that_never_ends_times_out() -> None:
    def stuck(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/openapi.json":
            return httpx.Response(404)
        return httpx.Response(200, json={"id": JOB_ID, "status": "running"})

    api = Api("http://api.test", "key", transport=httpx.MockTransport(stuck))
    with pytest.raises(TimeoutError, match="not finished"):
        api.wait_job(JOB_ID, timeout=0.1)


def test_a_refused_job_run_raises_with_the_answer() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/openapi.json":
            return httpx.Response(200, json={})
        return httpx.Response(422, json={"error": "invalid_request", "detail": "topic"})

    api = Api("http://api.test", "key", transport=httpx.MockTransport(refuse))
    with pytest.raises(RuntimeError, match="422"):
        api.run("brand", {"topic": ""})
