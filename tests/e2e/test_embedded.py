"""The draft job end to end on the embedded default: real server, real worker, SQLite, Chroma."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.processes import environment, served, setup_brand, wait_job
from tests.fakes.openai_server import FakeOpenAI

pytestmark = pytest.mark.slow
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def _draft_job(url: str, key: str, brand_id: str, request: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    job = httpx.post(f"{url}/v1/brands/{brand_id}/drafts", json=request, headers=headers)
    assert job.status_code == 202, job.text
    return wait_job(url, key, job.json()["id"])


def test_draft_job_end_to_end_on_the_embedded_default(tmp_path: Path) -> None:
    """`postcraft serve` on the embedded default starts its own worker process."""
    env = environment(tmp_path / "var")
    brand_id, key = setup_brand(env, "zerno")
    request = {
        "topic": "Новый лот из Кении и как его заварить в воронке",
        "platforms": ["vk", "telegram"],
    }
    with served(env, tmp_path, "--concurrency", "1") as url:
        done = _draft_job(url, key, brand_id, request)
    assert done["status"] == "succeeded", done
    drafts = done["drafts"]
    assert sorted(d["platform"] for d in drafts) == ["telegram", "vk"]
    texts = [d["text"] for d in drafts]
    assert texts[0] != texts[1], "variants for different platforms must differ"
    for draft in drafts:
        assert draft["generator"] == "offline-composer"
        assert len(CYRILLIC.findall(draft["text"])) > 100, "the Russian brand gets Russian text"
        assert "#зерноипламя" in draft["text"]
        assert {"voice_guide", "post"} <= {s["kind"] for s in draft["sources"]}
    assert done["usage"]["prompt_tokens"] > 0
    assert done["usage"]["counted_by"] == "tiktoken"


def test_the_real_llm_path_through_the_worker(tmp_path: Path) -> None:
    """Same job with LLM_MODEL set: the worker calls the fake OpenAI server through the SDK."""
    with FakeOpenAI() as fake:
        env = environment(
            tmp_path / "var",
            OPENAI_BASE_URL=fake.url,
            OPENAI_API_KEY="test",
            LLM_MODEL="fake-model",
        )
        brand_id, key = setup_brand(env, "northwind")
        request = {"topic": "Month-end close in three days", "platforms": ["linkedin"]}
        with served(env, tmp_path, "--concurrency", "1") as url:
            done = _draft_job(url, key, brand_id, request)
    assert done["status"] == "succeeded", done
    assert (done["generator"], done["model"]) == ("openai-compatible", "fake-model")
    chat = [r for r in fake.requests if r.path.endswith("/chat/completions")]
    # The schema-shaped answer lacks the brand's disclaimer: repair appends it, and that costs
    # no second model call (tests/generators/test_second_try.py has the errors that do).
    assert len(chat) == 1
    assert done["drafts"][0]["validation"]["passed"], "repair added the disclaimer"
    assert any("disclaimer" in change for change in done["drafts"][0]["repairs"])
    user = chat[0].body["messages"][1]["content"]
    assert "Month-end close in three days" in user
    assert "<example" in user, "the brand's past posts are in the prompt"
    assert done["usage"]["counted_by"] == "provider"
