"""Any OpenAI-compatible chat endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp, gateways)."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any, cast

import openai
from openai.lib._pydantic import to_strict_json_schema  # the SDK's own strict-schema builder
from pydantic import BaseModel, ValidationError

from generators.llm.port import Completion, Prompt, T, Usage
from retrieval.tokens import count_tokens
from storage.errors import ErrorCode, PostcraftError
from storage.settings import Settings

log = logging.getLogger(__name__)

_FENCED = re.compile(r"```[A-Za-z0-9_-]*\s*(.*?)\s*```", re.DOTALL)
TRANSIENT = (
    openai.RateLimitError,
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.InternalServerError,
)


def make_client(settings: Settings) -> openai.OpenAI:
    """An SDK client with explicit timeouts; its retries (honouring Retry-After) are the one
    retry layer of LLM calls."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return openai.OpenAI(
        base_url=settings.openai_base_url,
        api_key=key,
        timeout=openai.Timeout(settings.llm_timeout_s, connect=settings.llm_connect_timeout_s),
        max_retries=settings.llm_max_retries,
    )


class OpenAICompatibleLLM:
    """Structured output through chat completions with a JSON schema."""

    generator = "openai-compatible"
    can_revise = True
    billed = True

    def __init__(self, settings: Settings, client: openai.OpenAI | None = None) -> None:
        assert settings.llm_model, "OpenAICompatibleLLM needs LLM_MODEL"
        self._settings = settings
        self._client = client or make_client(settings)
        self.model = settings.llm_model

    def complete(self, prompt: Prompt, output: type[T]) -> Completion[T]:
        """One chat completion parsed into `output`."""
        started = time.perf_counter()
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": prompt.system},
                    {"role": "user", "content": self._user_text(prompt, output)},
                ],
                response_format=cast(Any, self._response_format(output)),
                temperature=self._settings.llm_temperature,
            )
        except TRANSIENT as exc:
            raise PostcraftError(
                ErrorCode.LLM_UNAVAILABLE,
                f"The LLM endpoint did not answer ({type(exc).__name__}, up to "
                f"{self._settings.llm_max_retries} retries); try again later",
            ) from exc
        except openai.APIStatusError as exc:
            raise PostcraftError(
                ErrorCode.LLM_UNAVAILABLE,
                f"The LLM endpoint refused the request (HTTP {exc.status_code}): check "
                "OPENAI_BASE_URL, OPENAI_API_KEY and LLM_MODEL",
            ) from exc
        except (openai.APIResponseValidationError, json.JSONDecodeError) as exc:
            raise PostcraftError(
                ErrorCode.LLM_INVALID_OUTPUT, "The LLM endpoint sent a response that is not JSON"
            ) from exc
        seconds = time.perf_counter() - started
        choice = response.choices[0]
        content = choice.message.content or ""
        parsed = _parse(content, output, choice.finish_reason)
        usage = self._usage(response.usage, prompt, content)
        log.info(
            "llm call",
            extra={"model": self.model, "seconds": round(seconds, 3), "tokens": usage.__dict__},
        )
        return Completion(parsed, usage, self.generator, self.model, seconds)

    def _response_format(self, output: type[BaseModel]) -> dict[str, Any]:
        if not self._settings.llm_json_schema:
            return {"type": "json_object"}
        return {
            "type": "json_schema",
            "json_schema": {
                "name": output.__name__,
                "schema": to_strict_json_schema(output),
                "strict": True,
            },
        }

    def _user_text(self, prompt: Prompt, output: type[BaseModel]) -> str:
        if self._settings.llm_json_schema:
            return prompt.user
        schema = json.dumps(output.model_json_schema(), ensure_ascii=False)
        return f"{prompt.user}\n\nReply with one JSON object matching this JSON schema:\n{schema}"

    def _usage(self, reported: Any, prompt: Prompt, content: str) -> Usage:
        if reported is not None and reported.prompt_tokens is not None:
            return Usage(reported.prompt_tokens, reported.completion_tokens or 0, "provider")
        return Usage(
            count_tokens(prompt.system + "\n" + prompt.user, self.model),
            count_tokens(content, self.model),
            "tiktoken",
        )


def _parse(content: str, output: type[T], finish_reason: str | None) -> T:
    if finish_reason == "length":
        raise PostcraftError(
            ErrorCode.LLM_INVALID_OUTPUT, "The LLM stopped at its token limit before finishing"
        )
    try:
        return output.model_validate_json(_strip_fences(content))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise PostcraftError(
            ErrorCode.LLM_INVALID_OUTPUT,
            f"The LLM's answer does not match {output.__name__}: {where}: {first['msg']}",
        ) from exc


def _strip_fences(content: str) -> str:
    # Models without structured output often wrap JSON in ``` fences, sometimes after a preamble.
    text = content.strip()
    fenced = _FENCED.search(text)
    return fenced.group(1).strip() if fenced else text
