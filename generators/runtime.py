"""What a process needs to run generators: settings, database, vector store and an LLM."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from generators.compliance.rulebook import Rulebook
from generators.llm.offline import OfflineComposer
from generators.llm.openai_compatible import OpenAICompatibleLLM
from generators.llm.port import LLM
from retrieval.embeddings import Embedder, make_embedder
from retrieval.store import VectorStore
from storage.db import make_engine, make_read_sessionmaker, make_sessionmaker
from storage.settings import Settings


@dataclass
class Runtime:
    """The process-wide dependencies, built once and passed in."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    reads: sessionmaker[Session]  # for reading alone: no transaction, cannot flush
    store: VectorStore
    llm: LLM
    rulebook: Rulebook  # the platform registry as configured, and the language judge


def make_llm(settings: Settings) -> LLM:
    """The configured OpenAI-compatible endpoint, or the offline composer when there is none."""
    if settings.llm_configured:
        return OpenAICompatibleLLM(settings)
    return OfflineComposer()


def build_runtime(
    settings: Settings, llm: LLM | None = None, embedder: Embedder | None = None
) -> Runtime:
    """Connect everything the settings describe (lazily: nothing is opened until used)."""
    rulebook = Rulebook.from_settings(settings)
    engine = make_engine(settings)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        reads=make_read_sessionmaker(engine),
        store=VectorStore(settings, embedder or make_embedder(settings)),
        llm=llm or make_llm(settings),
        rulebook=rulebook,
    )
