"""OpenAICompatibleLLM against the fake OpenAI server, through the real openai SDK."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from generators.drafts.schemas import PostDraft
from generators.llm.facts import HashtagFacts
from generators.llm.openai_compatible import OpenAICompatibleLLM
from generators.llm.port import Completion, Prompt
from storage.errors import ErrorCode, PostcraftError
from storage.settings import Settings
from tests.fakes.openai_server import Delay, FakeOpenAI, Malformed, Reply, Status

SYSTEM = "You are the brand copywriter of a small coffee roastery."
USER = "Write a launch post about our lighthouse espresso roast for autumn mornings"
FACTS = HashtagFacts(topic="lighthouse espresso", brief="", language="en", banned_words=())
PROMPT = Prompt(system=SYSTEM, user=USER, facts=FACTS)
DRAFT = PostDraft(
    headline="Lighthouse espresso is back",
    body="Dark, sweet and ready for autumn.",
    call_to_action="Order a bag today.",
    hashtags=["lighthouse", "espresso"],
)
DRAFT_JSON = DRAFT.model_dump_json()

MakeLLM = Callable[..., OpenAICompatibleLLM]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(autouse=True)
def _clean(fake: FakeOpenAI) -> None:
    fake.reset()


@pytest.fixture
def make_llm(fake: FakeOpenAI, tmp_path: Path) -> MakeLLM:
    def make(**overrides: Any) -> OpenAICompatibleLLM:
        fields: dict[str, Any] = {
            "openai_base_url": fake.url,
            "openai_api_key": "test",
            "llm_model": "fake-model",
            "llm_max_retries": 2,
            "llm_timeout_s": 1.0,
            "data_dir": tmp_path,
        }
        return OpenAICompatibleLLM(Settings(**(fields | overrides)))

    return make


def complete(llm: OpenAICompatibleLLM) -> Completion[PostDraft]:
    return llm.complete(PROMPT, PostDraft)


def fails(llm: OpenAICompatibleLLM, code: ErrorCode) -> PostcraftError:
    with pytest.raises(PostcraftError) as info:
        complete(llm)
    assert info.value.code is code, info.value.detail
    return info.value


def test_schema_shaped_answer_is_parsed_with_provider_usage(
    fake: FakeOpenAI, make_llm: MakeLLM
) -> None:
    result = complete(make_llm())

    assert isinstance(result.output, PostDraft)
    assert result.output.hashtags == ["tag1", "tag2"]  # what the fake builds from the schema
    assert result.output.headline.startswith("Fake text about Write a launch post")
    assert (result.generator, result.model) == ("openai-compatible", "fake-model")
    content = json.dumps(result.output.model_dump(), ensure_ascii=False)
    assert result.usage.source == "provider"
    assert result.usage.prompt_tokens == len(f"{SYSTEM} {USER}".split())
    assert result.usage.completion_tokens == len(content.split())
    assert result.seconds > 0

    [request] = fake.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer test"
    body = request.body
    assert body["model"] == "fake-model"
    assert body["messages"] == [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": USER},
    ]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "PostDraft"
    assert fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert sorted(schema["required"]) == sorted(PostDraft.model_fields)


def test_missing_usage_is_counted_with_tiktoken(fake: FakeOpenAI, make_llm: MakeLLM) -> None:
    fake.script(Reply(content=DRAFT_JSON))

    result = complete(make_llm())

    assert result.output == DRAFT
    assert result.usage.source == "tiktoken"
    assert result.usage.prompt_tokens > 0
    assert result.usage.completion_tokens > 0


def test_rate_limit_honours_retry_after_then_succeeds(fake: FakeOpenAI, make_llm: MakeLLM) -> None:
    # 1.0 s rather than 0.5 s: the SDK's own first backoff is 0.375-0.5 s, so a 0.5 s
    # Retry-After could not tell "honoured" from "ignored".
    fake.script(Status(429, retry_after=1.0), Reply(DRAFT_JSON, 10, 5))

    result = complete(make_llm())

    assert result.output == DRAFT
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (10, 5)
    first, second = fake.requests
    assert 1.0 <= second.at - first.at < 2.0


def test_server_errors_exhaust_retries(fake: FakeOpenAI, make_llm: MakeLLM) -> None:
    fake.script(*[Status(500)] * 3)  # max_retries + 1; a 4th request would succeed

    error = fails(make_llm(llm_max_retries=2), ErrorCode.LLM_UNAVAILABLE)

    assert len(fake.requests) == 3
    assert error.retry_later is True
    assert isinstance(error.__cause__, openai.InternalServerError)
    assert "try again later" in error.detail


def test_timeouts_are_bounded_and_unavailable(fake: FakeOpenAI, make_llm: MakeLLM) -> None:
    fake.script(Delay(3), Delay(3))
    llm = make_llm(llm_timeout_s=0.5, llm_max_retries=1)

    started = time.monotonic()
    error = fails(llm, ErrorCode.LLM_UNAVAILABLE)
    elapsed = time.monotonic() - started

    assert elapsed < 3.0
    assert len(fake.requests) == 2
    assert isinstance(error.__cause__, openai.APITimeoutError)
    assert error.retry_later is True


def test_malformed_body_is_invalid_output_and_not_retried(
    fake: FakeOpenAI, make_llm: MakeLLM
) -> None:
    fake.script(Malformed())  # a retry would get a valid schema-shaped answer

    error = fails(make_llm(), ErrorCode.LLM_INVALID_OUTPUT)

    assert len(fake.requests) == 1
    assert error.retry_later is False
    assert "not JSON" in error.detail


def test_json_not_matching_the_schema_is_invalid_output(
    fake: FakeOpenAI, make_llm: MakeLLM
) -> None:
    fake.script(Reply('{"headline": 1}'))

    error = fails(make_llm(), ErrorCode.LLM_INVALID_OUTPUT)

    assert "PostDraft" in error.detail
    assert "headline" in error.detail
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    "content",
    [f"```json\n{DRAFT_JSON}\n```", f"```\n{DRAFT_JSON}\n```", f"  ```json\n{DRAFT_JSON}```\n"],
)
def test_fenced_json_is_parsed(fake: FakeOpenAI, make_llm: MakeLLM, content: str) -> None:
    fake.script(Reply(content))

    assert complete(make_llm()).output == DRAFT


def test_json_object_mode_puts_the_schema_in_the_prompt(
    fake: FakeOpenAI, make_llm: MakeLLM
) -> None:
    fake.script(Reply(DRAFT_JSON))

    result = complete(make_llm(llm_json_schema=False))

    assert result.output == DRAFT
    [request] = fake.requests
    assert request.body["response_format"] == {"type": "json_object"}
    system, user = request.body["messages"]
    assert system == {"role": "system", "content": SYSTEM}
    assert user["content"].startswith(USER)
    schema = json.dumps(PostDraft.model_json_schema(), ensure_ascii=False)
    assert user["content"].endswith(schema)


def test_bad_request_is_not_retried_and_names_the_settings(
    fake: FakeOpenAI, make_llm: MakeLLM
) -> None:
    fake.script(Status(400))  # a retry would succeed

    error = fails(make_llm(), ErrorCode.LLM_UNAVAILABLE)

    assert len(fake.requests) == 1
    assert isinstance(error.__cause__, openai.BadRequestError)
    assert "HTTP 400" in error.detail
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "LLM_MODEL"):
        assert name in error.detail
