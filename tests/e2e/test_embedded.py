"""The draft job end to end on the embedded default: real server, real worker, SQLite, Chroma."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import Process, environment, free_port, setup_brand, wait_job, wait_ready
from tests.fakes.openai_server import FakeOpenAI

pytestmark = pytest.mark.slow
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """`postcraft serve` on the embedded default (it starts its own worker); a brand and a key."""
    env = environment(tmp_path / "var")
    brand_id, key = setup_brand(env, "zerno.json")
    port = free_port()
    server = Process(
        env, tmp_path / "serve.log", "serve", "--port", str(port), "--concurrency", "1"
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, server)
        yield url, key, brand_id
    finally:
        server.stop()


def test_draft_job_end_to_end_on_the_embedded_default(served: tuple[str, str, str]) -> None:
    url, key, brand_id = served
    headers = {"Authorization": f"Bearer {key}"}
    request = {
        "topic": "Новый лот из Кении и как его заварить в воронке",
        "platforms": ["vk", "telegram"],
    }
    job = httpx.post(f"{url}/v1/brands/{brand_id}/drafts", json=request, headers=headers).json()
    done = wait_job(url, key, str(job["id"]))
    assert done["status"] == "succeeded", done
    drafts = done["drafts"]
    assert isinstance(drafts, list)
    assert sorted(d["platform"] for d in drafts) == ["telegram", "vk"]
    texts = [d["text"] for d in drafts]
    assert texts[0] != texts[1], "variants for different platforms must differ"
    for draft in drafts:
        assert draft["generator"] == "offline-composer"
        assert len(CYRILLIC.findall(draft["text"])) > 100, "the Russian brand gets Russian text"
        assert "#зерноипламя" in draft["text"]
        kinds = {s["kind"] for s in draft["sources"]}
        assert {"voice_guide", "post"} <= kinds
    usage = done["usage"]
    assert isinstance(usage, dict)
    assert usage["prompt_tokens"] > 0
    assert usage["counted_by"] == "tiktoken"


def test_the_real_llm_path_through_the_worker(tmp_path: Path) -> None:
    """Same job with LLM_MODEL set: the worker calls the fake OpenAI server through the SDK."""
    with FakeOpenAI() as fake:
        env = environment(
            tmp_path / "var",
            OPENAI_BASE_URL=fake.url,
            OPENAI_API_KEY="test",
            LLM_MODEL="fake-model",
        )
        brand_id, key = setup_brand(env, "northwind.json")
        port = free_port()
        server = Process(
            env, tmp_path / "serve.log", "serve", "--port", str(port), "--concurrency", "1"
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, server)
            job = httpx.post(
                f"{url}/v1/brands/{brand_id}/drafts",
                json={"topic": "Month-end close in three days", "platforms": ["linkedin"]},
                headers={"Authorization": f"Bearer {key}"},
            ).json()
            done = wait_job(url, key, str(job["id"]))
        finally:
            server.stop()
        assert done["status"] == "succeeded", done
        assert done["generator"] == "openai-compatible"
        assert done["model"] == "fake-model"
        chat = [r for r in fake.requests if r.path.endswith("/chat/completions")]
        assert len(chat) == 1
        user = chat[0].body["messages"][1]["content"]
        assert "Month-end close in three days" in user
        assert "<example" in user, "the brand's past posts are in the prompt"
        usage = done["usage"]
        assert isinstance(usage, dict)
        assert usage["counted_by"] == "provider"
