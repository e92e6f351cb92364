"""Tests for the fake OpenAI server, driven through the real openai SDK."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import Any

import openai
import pytest
from pydantic import BaseModel, Field

from tests.fakes.openai_server import (
    EMBEDDING_DIM,
    Delay,
    FakeOpenAI,
    Malformed,
    Reply,
    SchemaShaped,
    Status,
    fake_instance,
)

USER_MESSAGE = "Write a launch post about our lighthouse espresso roast for autumn mornings"
MESSAGES: Any = [
    {"role": "system", "content": "You are a brand copywriter."},
    {"role": "user", "content": "ignored earlier turn"},
    {"role": "assistant", "content": "ok"},
    {"role": "user", "content": USER_MESSAGE},
]


class Tone(StrEnum):
    """Post tone."""

    PLAYFUL = "playful"
    FORMAL = "formal"


class Author(BaseModel):
    """Nested object."""

    name: str
    handle: str = Field(min_length=12, max_length=20)


class Post(BaseModel):
    """A schema with nesting, enums, arrays, bounds and optionals."""

    text: str
    hashtags: list[str] = Field(min_length=3, max_length=5)
    author: Author
    tone: Tone
    score: int = Field(ge=5)
    confidence: float = Field(gt=0, lt=1)
    draft: bool
    subtitle: str | None = None
    related: list[Author] = Field(max_length=1)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A started fake server."""
    with FakeOpenAI() as server:
        yield server


def client(fake: FakeOpenAI, *, max_retries: int = 0, timeout: float = 5.0) -> openai.OpenAI:
    """A real SDK client pointed at the fake."""
    return openai.OpenAI(
        base_url=fake.url, api_key="test", max_retries=max_retries, timeout=timeout
    )


def chat(sdk: openai.OpenAI, **kwargs: Any) -> Any:
    """One chat completion with the standard messages."""
    return sdk.chat.completions.create(model="gpt-test", messages=MESSAGES, **kwargs)


def json_schema_format(model: type[BaseModel]) -> Any:
    """A json_schema response_format for a Pydantic model."""
    schema = model.model_json_schema()
    return {"type": "json_schema", "json_schema": {"name": model.__name__, "schema": schema}}


def test_schema_shaped_output_validates_against_pydantic_model(fake: FakeOpenAI) -> None:
    completion = chat(client(fake), response_format=json_schema_format(Post))
    content = completion.choices[0].message.content
    post = Post.model_validate_json(content)
    assert "lighthouse" in post.text
    assert "espresso" in post.text
    assert "ignored" not in post.text  # words come from the LAST user message
    assert post.hashtags == ["tag1", "tag2", "tag3"]
    assert post.tone is Tone.PLAYFUL
    assert post.score == 5
    assert 0 < post.confidence < 1
    assert 12 <= len(post.author.handle) <= 20
    assert len(post.related) == 1
    assert completion.model == "gpt-test"
    assert completion.id.startswith("chatcmpl-")
    assert completion.usage is not None
    assert completion.usage.completion_tokens == len(content.split())
    assert completion.usage.prompt_tokens == sum(len(m["content"].split()) for m in MESSAGES)


def test_sdk_parse_helper_with_strict_schema(fake: FakeOpenAI) -> None:
    completion = client(fake).chat.completions.parse(
        model="gpt-test", messages=MESSAGES, response_format=Post
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Post)
    assert "lighthouse" in parsed.text
    sent = fake.requests[-1].body["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["strict"] is True


def test_fake_instance_handles_refs_and_recursion() -> None:
    schema: dict[str, Any] = {
        "$defs": {"Node": {"type": "object", "properties": {"kids": {"$ref": "#/$defs/List"}}}},
        "$ref": "#/$defs/Node",
    }
    schema["$defs"]["List"] = {"type": "array", "items": {"$ref": "#/$defs/Node"}}
    value = fake_instance(schema, schema, "s")
    assert isinstance(value, dict)
    assert len(value["kids"]) == 2
    assert fake_instance({"type": ["null", "integer"], "exclusiveMinimum": 3}, {}, "s") == 4
    assert fake_instance({"anyOf": [{"type": "null"}, {"const": "x"}]}, {}, "s") == "x"


def test_plain_and_json_object_output(fake: FakeOpenAI) -> None:
    sdk = client(fake)
    assert chat(sdk).choices[0].message.content.startswith("Fake text about Write a launch")
    content = chat(sdk, response_format={"type": "json_object"}).choices[0].message.content
    assert "espresso" in json.loads(content)["text"]


def test_reply_is_verbatim_with_usage(fake: FakeOpenAI) -> None:
    fake.script(Reply('{"not": "the schema"} trailing garbage', 11, 7))
    completion = chat(client(fake), response_format=json_schema_format(Post))
    assert completion.choices[0].message.content == '{"not": "the schema"} trailing garbage'
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (11, 7)
    assert completion.usage.total_tokens == 18


def test_usage_omitted_when_requested(fake: FakeOpenAI) -> None:
    fake.script(Reply("x"), SchemaShaped(with_usage=False))
    sdk = client(fake)
    assert chat(sdk).usage is None
    assert chat(sdk).usage is None
    assert chat(sdk).usage is not None  # script exhausted: back to the default


def test_rate_limit_then_success_honours_float_retry_after(fake: FakeOpenAI) -> None:
    fake.script(Status(429, retry_after=0.3), Reply("ok"))
    completion = chat(client(fake, max_retries=1))
    assert completion.choices[0].message.content == "ok"
    first, second = fake.requests
    assert second.at - first.at >= 0.3
    assert second.headers["x-stainless-retry-count"] == "1"


def test_rate_limit_exhausted_raises_rate_limit_error(fake: FakeOpenAI) -> None:
    fake.script(Status(429, retry_after=0.01), Status(429, retry_after=0.01))
    with pytest.raises(openai.RateLimitError) as info:
        chat(client(fake, max_retries=1))
    assert info.value.status_code == 429
    assert info.value.body == {"message": "fake 429", "type": "rate_limit_error", "code": None}
    assert len(fake.requests) == 2


def test_server_error_without_retries(fake: FakeOpenAI) -> None:
    fake.script(Status(500), Status(500))
    with pytest.raises(openai.InternalServerError) as info:
        chat(client(fake, max_retries=0))
    assert info.value.status_code == 500
    assert len(fake.requests) == 1


def test_delay_triggers_client_timeout_and_server_keeps_serving(fake: FakeOpenAI) -> None:
    fake.script(Delay(2))
    sdk = client(fake, max_retries=0, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        chat(sdk)
    assert time.monotonic() - started < 1.5
    fake.script(Delay(0.05, then=Reply("late")))
    assert chat(sdk).choices[0].message.content == "late"


def test_stop_wakes_sleeping_handlers() -> None:
    server = FakeOpenAI(default=Delay(30)).start()
    sdk = openai.OpenAI(base_url=server.url, api_key="test", max_retries=0, timeout=0.2)
    with pytest.raises(openai.APITimeoutError):
        chat(sdk)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1


def test_malformed_body_raises_json_decode_error(fake: FakeOpenAI) -> None:
    fake.script(Malformed())
    with pytest.raises(json.JSONDecodeError):  # the SDK does not wrap it in an OpenAIError
        chat(client(fake, max_retries=2))
    assert len(fake.requests) == 1  # and does not retry it


def test_embeddings_are_deterministic_unit_vectors(fake: FakeOpenAI) -> None:
    sdk = client(fake)
    first = sdk.embeddings.create(model="emb", input=["alpha", "beta"])  # SDK default: base64
    again = sdk.embeddings.create(model="emb", input="alpha", encoding_format="float")
    assert [d.index for d in first.data] == [0, 1]
    alpha, beta = (d.embedding for d in first.data)
    assert len(alpha) == EMBEDDING_DIM
    assert alpha == again.data[0].embedding
    assert alpha != beta
    assert math.isclose(math.sqrt(sum(v * v for v in alpha)), 1.0, abs_tol=1e-6)
    assert first.usage.prompt_tokens == 2
    assert first.model == "emb"
    short = sdk.embeddings.create(model="emb", input="alpha", dimensions=64)
    assert len(short.data[0].embedding) == 64


def test_requests_are_recorded_and_reset(fake: FakeOpenAI) -> None:
    sdk = client(fake)
    chat(sdk, temperature=0.2)
    assert [m.id for m in sdk.models.list()] == ["fake-model"]
    chat_request, models_request = fake.requests
    assert chat_request.path == "/v1/chat/completions"
    assert chat_request.body["messages"] == MESSAGES
    assert chat_request.body["temperature"] == 0.2
    assert chat_request.headers["authorization"] == "Bearer test"
    assert models_request.path == "/v1/models"
    assert models_request.body == {}
    assert chat_request.at <= models_request.at
    fake.script(Status(500))
    fake.reset()
    assert fake.requests == []
    assert chat(sdk).choices[0].message.content  # the scripted 500 was cleared


def test_unknown_path_is_openai_style_404(fake: FakeOpenAI) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{fake.url}/nope", timeout=5)
    assert info.value.code == 404
    error = json.loads(info.value.read())["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] is None
    with pytest.raises(openai.NotFoundError):
        client(fake).completions.create(model="m", prompt="p")


def test_concurrent_requests_with_latency() -> None:
    with FakeOpenAI(latency=0.2) as server:
        sdk = openai.OpenAI(base_url=server.url, api_key="test", max_retries=0, timeout=5)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda _: chat(sdk), range(8)))
        elapsed = time.monotonic() - started
    assert len({r.id for r in results}) == 8
    assert 0.2 <= elapsed < 1.5, "concurrent: one after another would take 1.6 s"


def _ctrl_c_as_in_a_terminal() -> None:
    """In the child: SIGINT at its default, unblocked. A child inherits an ignored or blocked
    SIGINT from this process, and some libraries earlier in a full run leave it that way."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _signal_state() -> str:
    status = Path("/proc/self/status")
    lines = status.read_text().splitlines() if status.exists() else []
    return "; ".join(line for line in lines if line.startswith(("SigBlk", "SigIgn")))


def test_module_entry_point_serves_until_interrupted() -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openai_server", "--port", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[-1]
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/v1")
        with urllib.request.urlopen(f"{url}/models", timeout=5) as response:
            assert json.loads(response.read())["data"][0]["id"] == "fake-model"
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=20)  # generous: a loaded 2-core CI machine is slow
        except subprocess.TimeoutExpired:
            raise AssertionError(f"no exit on Ctrl-C; pytest's {_signal_state()}") from None
        assert code == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
