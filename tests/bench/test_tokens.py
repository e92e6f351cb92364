"""P6's counting: shared prefixes between the calls of one job, in the order they arrived."""

from __future__ import annotations

from typing import Any

import pytest

from bench.suite.tokens import (
    CACHE_MIN_TOKENS,
    common_prefix,
    job_tokens,
    prompt_text,
    prompt_tokens,
)
from tests.fakes.openai_server import RecordedRequest

SYSTEM = "You are the copywriter of the brand. " * 40


def _chat(at: float, system: str, user: str, path: str = "/v1/chat/completions") -> RecordedRequest:
    body = {"messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
    return RecordedRequest(path, body, {}, at)


@pytest.mark.parametrize(
    ("a", "b", "shared"),
    [([], [], 0), ([1, 2], [], 0), ([1, 2, 3], [1, 2, 3], 3), ([1, 2, 3], [1, 9, 3], 1),
     ([1, 2], [1, 2, 3, 4], 2), ([5], [6], 0)],
)  # fmt: skip
def test_common_prefix(a: list[int], b: list[int], shared: int) -> None:
    assert common_prefix(a, b) == shared == common_prefix(b, a)


def test_prompt_text_is_the_chat_markup_and_survives_odd_messages() -> None:
    body: dict[str, Any] = {
        "messages": [
            {"role": "system", "content": "S"},
            {"role": "user", "content": [{"type": "text", "text": "a"}, {"text": "b"}, "junk"]},
            "not a message",
            {"role": "assistant", "content": None},
        ]
    }
    assert prompt_text(body) == (
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\na b<|im_end|>\n"
        "<|im_start|>assistant\n<|im_end|>\n"
    )
    assert prompt_text({}) == prompt_text({"messages": None}) == ""
    assert prompt_tokens({"messages": [{"role": "user", "content": "<|endoftext|>\x00"}]})


def test_a_job_shares_its_system_prompt_and_counts_uncached_tokens() -> None:
    calls = [
        _chat(2.0, SYSTEM, "Write the post for vk about coffee."),
        _chat(1.0, SYSTEM, "Write the post for telegram about coffee."),
        _chat(3.0, "A different system prompt entirely. " * 40, "Write the post for x."),
        RecordedRequest("/v1/embeddings", {"input": "x"}, {}, 0.5),  # not a chat call
    ]
    counted = job_tokens(calls)
    assert counted.calls == 3
    telegram, vk, other = (prompt_tokens(c.body) for c in (calls[1], calls[0], calls[2]))
    assert counted.tokens == [len(telegram), len(vk), len(other)]  # in arrival order
    assert counted.shared[0] == 0
    assert counted.shared[1] == common_prefix(vk, telegram) > len(vk) * 0.8
    assert counted.shared[2] == max(common_prefix(other, telegram), common_prefix(other, vk))
    assert counted.total == sum(counted.tokens)
    assert counted.uncached == counted.total - sum(counted.shared)
    later = sum(counted.tokens[1:])
    assert counted.later_share == pytest.approx(sum(counted.shared[1:]) / later)
    assert counted.min_share == pytest.approx(counted.shared[2] / counted.tokens[2])
    assert counted.cacheable_calls == sum(1 for s in counted.shared[1:] if s >= CACHE_MIN_TOKENS)


def test_one_call_and_no_call() -> None:
    one = job_tokens([_chat(1.0, "S", "U")])
    assert (one.calls, one.shared, one.uncached) == (1, [0], one.total)
    assert one.later_share is None
    assert one.min_share is None
    assert one.cacheable_calls == 0
    none = job_tokens([])
    assert (none.calls, none.total, none.uncached, none.later_share) == (0, 0, 0, None)
