"""What a process needs to run generators: settings, database, vector store and an LLM."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from generators.llm.offline import OfflineComposer
from generators.llm.openai_compatible import OpenAICompatibleLLM
from generators.llm.port import LLM
from generators.platforms import RULES, rules_for
from retrieval.embeddings import Embedder, make_embedder
from retrieval.store import VectorStore
from storage.db import make_engine, make_sessionmaker
from storage.enums import Platform
from storage.settings import ConfigurationError, Settings


@dataclass
class Runtime:
    """The process-wide dependencies, built once and passed in."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: VectorStore
    llm: LLM


def make_llm(settings: Settings) -> LLM:
    """The configured OpenAI-compatible endpoint, or the offline composer when there is none."""
    if settings.llm_configured:
        return OpenAICompatibleLLM(settings)
    return OfflineComposer()


_REGISTRY = dict(RULES)  # the figures as shipped, before any setting


def configure_platforms(settings: Settings) -> None:
    """Apply POSTCRAFT_PLATFORM_LIMITS to the registry (unverified figures only), at start."""
    RULES.update(_REGISTRY)
    try:
        configured = {p: rules_for(p, settings.platform_limits) for p in Platform}
    except ValueError as exc:
        raise ConfigurationError(f"Postcraft cannot start:\n- PLATFORM_LIMITS: {exc}") from None
    RULES.update(configured)


def build_runtime(
    settings: Settings, llm: LLM | None = None, embedder: Embedder | None = None
) -> Runtime:
    """Connect everything the settings describe (lazily: nothing is opened until used)."""
    configure_platforms(settings)
    engine = make_engine(settings)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        store=VectorStore(settings, embedder or make_embedder(settings)),
        llm=llm or make_llm(settings),
    )
