"""P6: prompt tokens per call, uncached tokens per job and the shared prefix share, counted with
tiktoken (o200k_base, the vocabulary Postcraft ships) on the chat requests the fake server
received.

A call's prompt is its messages in order, each as `<|im_start|>role\\ncontent<|im_end|>\\n`
(the chat markup providers tokenise; the JSON schema of `response_format`, the same for every
call of a job, is left out). A call's shared prefix is the longest run of leading tokens it has
in common with any earlier call of the same job (earlier = received before it): what a
provider's prefix cache could serve. Uncached tokens per job = all its calls' tokens minus their
shared prefixes. The shared share is over the calls after the first (the first has nothing to
share with): the sum of their shared prefixes over the sum of their tokens, and its minimum over
single calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from retrieval.tokens import encoding
from tests.fakes.openai_server import RecordedRequest

CACHE_MIN_TOKENS = 1024  # OpenAI and vLLM cache a shared prefix from this length on


def prompt_text(body: dict[str, Any]) -> str:
    """A chat request's messages as the provider's markup."""
    parts = []
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, list):
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        parts.append(f"<|im_start|>{message.get('role', '')}\n{content or ''}<|im_end|>\n")
    return "".join(parts)


def prompt_tokens(body: dict[str, Any]) -> list[int]:
    """The tokens of a chat request's prompt."""
    return encoding().encode(prompt_text(body), disallowed_special=())


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens `a` and `b` share."""
    n = min(len(a), len(b))
    if n == 0:
        return 0
    diff = np.nonzero(np.asarray(a[:n]) != np.asarray(b[:n]))[0]
    return int(diff[0]) if len(diff) else n


@dataclass(frozen=True)
class JobTokens:
    """The prompts of one job's calls, counted."""

    calls: int
    tokens: list[int]  # per call, in arrival order
    shared: list[int]  # per call: its prefix shared with an earlier call of the job

    @property
    def total(self) -> int:
        """Prompt tokens of all calls."""
        return sum(self.tokens)

    @property
    def uncached(self) -> int:
        """Prompt tokens no earlier call of the job shares."""
        return self.total - sum(self.shared)

    @property
    def later_share(self) -> float | None:
        """Shared prefix over the prompt of the calls after the first (None: one call)."""
        later = sum(self.tokens[1:])
        return sum(self.shared[1:]) / later if later else None

    @property
    def min_share(self) -> float | None:
        """The smallest shared share of a single call after the first."""
        shares = [s / t for s, t in zip(self.shared[1:], self.tokens[1:], strict=True) if t]
        return min(shares) if shares else None

    @property
    def cacheable_calls(self) -> int:
        """Calls after the first whose shared prefix is long enough for a provider's cache."""
        return sum(1 for s in self.shared[1:] if s >= CACHE_MIN_TOKENS)


def job_tokens(requests: Sequence[RecordedRequest]) -> JobTokens:
    """Count a job's chat requests (other paths are ignored), in the order they arrived."""
    chats = sorted(
        (r for r in requests if r.path.endswith("/chat/completions")), key=lambda r: r.at
    )
    prompts = [prompt_tokens(r.body) for r in chats]
    shared = [
        max((common_prefix(p, earlier) for earlier in prompts[:i]), default=0)
        for i, p in enumerate(prompts)
    ]
    return JobTokens(len(prompts), [len(p) for p in prompts], shared)
