"""The one small interface every LLM call goes through; it returns a Pydantic model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel

from generators.llm.facts import Facts

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class Prompt:
    """A rendered prompt and the variables it was rendered from (the offline composer writes
    from the variables, a real model from the text)."""

    system: str
    user: str
    facts: Facts


@dataclass(frozen=True)
class Usage:
    """Tokens of one call; `source` says whether the provider reported them or tiktoken counted."""

    prompt_tokens: int
    completion_tokens: int
    source: Literal["provider", "tiktoken"]


@dataclass(frozen=True)
class Completion(Generic[T]):
    """A typed LLM result and what it cost."""

    output: T
    usage: Usage
    generator: str
    model: str
    seconds: float


class LLM(Protocol):
    """Anything that turns a prompt into an instance of `output`."""

    @property
    def generator(self) -> str:
        """Which writer this is, shown on every result."""
        ...

    @property
    def model(self) -> str:
        """The model name, as the provider knows it."""
        ...

    @property
    def can_revise(self) -> bool:
        """Whether asking again with the problems found can give a better answer (a model can;
        a deterministic writer would answer the same)."""
        ...

    @property
    def billed(self) -> bool:
        """Whether a provider bills the calls (then the configured token prices apply)."""
        ...

    def complete(self, prompt: Prompt, output: type[T]) -> Completion[T]:
        """Answer the prompt with an instance of `output`, or raise PostcraftError
        (LLM_UNAVAILABLE: retry later; LLM_INVALID_OUTPUT: the answer did not fit)."""
        ...
