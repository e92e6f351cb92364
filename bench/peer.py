"""The peer of the benchmark suite: a plain LangChain RAG chain over the same brand material.

A `langchain_chroma.Chroma` store per brand (a persistent directory, LangChain's defaults)
holds the brand's voice guide, split with `RecursiveCharacterTextSplitter(chunk_size=1000,
chunk_overlap=200)` (the LangChain tutorial's settings), and its past posts, one document each,
read from the same demo folder Postcraft imports (competitor posts left out). The embeddings are
Postcraft's own (`retrieval.embeddings.make_embedder`, the bundled e5: no download) wrapped in a
LangChain `Embeddings`. The chain is LangChain's RAG pattern with a system message holding the
retrieved context:

    {"context": topic | retriever (k=4) | join, ...} | ChatPromptTemplate | ChatOpenAI | str

against the same fake OpenAI-compatible server (same latency). One call per platform: a job of
N platforms is `chain.batch(N inputs)`, what a plain user does (LangChain runs a batch on a
thread pool of its default size), or, for reference, N `chain.invoke` calls in a row. No queue,
no structured output, no validation: the peer's end to end is the chain call.

    .venv/bin/python -m bench.peer --rss-probe URL   (a fresh process: builds the peer, runs a
                                                      few calls, prints {"rss_mb": ...})
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

from langchain_chroma import Chroma  # type: ignore[import-not-found, unused-ignore]
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_openai import ChatOpenAI  # type: ignore[import-not-found, unused-ignore]
from langchain_text_splitters import RecursiveCharacterTextSplitter

from brand_voice.folders import read_brand_folder
from brand_voice.sources import parse_upload
from retrieval.embeddings import Embedder, make_embedder
from storage.enums import DocumentKind
from storage.settings import Settings

K = 4
CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200
MODEL = "fake-model"
LANGUAGES = {"ru": "Russian", "en": "English"}
SYSTEM = (
    "You are a social media copywriter for the brand {brand}. Write in {language}. Use the "
    "following pieces of retrieved context from the brand's voice guide and past posts to match "
    "its voice and facts; do not invent facts that are not in them.\n\n{context}"
)
HUMAN = "Write a {platform} post about: {topic}"
Mode = Literal["batch", "sequential"]


class PostcraftEmbeddings(Embeddings):
    """Postcraft's embedder as a LangChain `Embeddings` (e5 passage and query prefixes)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors of stored documents."""
        return self._embedder.embed_passages(texts)

    def embed_query(self, text: str) -> list[float]:
        """The vector of a search query."""
        return self._embedder.embed_query(text)


@dataclass(frozen=True)
class PeerBrand:
    """One brand's store and chain."""

    name: str
    language: str
    documents: int
    chain: Runnable[dict[str, str], str]


def brand_documents(folder: Path) -> tuple[str, str, list[Document]]:
    """The brand's name, language and documents: its guide split into chunks, its posts."""
    read = read_brand_folder(folder)
    guide: list[str] = []
    documents: list[Document] = []
    for upload in read.uploads:
        if upload.kind is DocumentKind.COMPETITOR:
            continue
        payload = parse_upload(upload)
        if upload.kind is DocumentKind.VOICE_GUIDE:
            guide.extend(d.text for d in payload.documents)
        else:
            documents.extend(
                Document(page_content=d.text, metadata={"source": d.source})
                for d in payload.documents
            )
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks = splitter.create_documents(["\n\n".join(guide)], metadatas=[{"source": "guide"}])
    return read.brand.name, read.brand.language, chunks + documents


def _join(documents: list[Document]) -> str:
    return "\n\n".join(d.page_content for d in documents)


class Peer:
    """The plain LangChain RAG chain, one store per brand, against `base_url`."""

    def __init__(
        self,
        base_url: str,
        folders: Sequence[Path],
        persist_dir: Path,
        max_retries: int = 2,
        embedder: Embedder | None = None,
    ) -> None:
        embedder = embedder or make_embedder(Settings(data_dir=persist_dir))
        self.embeddings = PostcraftEmbeddings(embedder)
        options: dict[str, Any] = {"model": MODEL, "base_url": base_url, "api_key": "bench"}
        self.llm: Any = ChatOpenAI(**options, temperature=0.7, max_retries=max_retries)
        prompt = ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", HUMAN)])
        self.brands: dict[str, PeerBrand] = {}
        for folder in folders:
            name, language, documents = brand_documents(folder)
            store: Any = Chroma(
                collection_name=f"peer-{folder.name}",
                embedding_function=self.embeddings,
                persist_directory=str(persist_dir / folder.name),
            )
            store.add_documents(documents)
            retriever = store.as_retriever(search_kwargs={"k": K})
            context: Runnable[Any, Any] = itemgetter("topic") | retriever | RunnableLambda(_join)
            chain: Runnable[dict[str, str], str] = (
                {
                    "context": context,
                    "brand": itemgetter("brand"),
                    "language": itemgetter("language"),
                    "platform": itemgetter("platform"),
                    "topic": itemgetter("topic"),
                }
                | prompt
                | self.llm
                | StrOutputParser()
            )
            self.brands[folder.name] = PeerBrand(
                name, LANGUAGES.get(language, language), len(documents), chain
            )

    def write(
        self, slug: str, topic: str, platforms: Sequence[str], mode: Mode = "batch"
    ) -> list[str]:
        """One post per platform: `chain.batch` over the platforms, or one `invoke` after
        another."""
        brand = self.brands[slug]
        inputs = [
            {"brand": brand.name, "language": brand.language, "platform": p, "topic": topic}
            for p in platforms
        ]
        if mode == "sequential":
            return [brand.chain.invoke(one) for one in inputs]
        return brand.chain.batch(inputs)

    def bare_call(self, text: str) -> str:
        """One model call with nothing around it (what "one model call" costs)."""
        return str(self.llm.invoke(text).content)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: Sequence[str] | None = None) -> None:
    """The RSS probe: build the peer in a fresh process, run a few chain calls, print its RSS."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rss-probe", metavar="BASE_URL", required=True)
    parser.add_argument("--calls", type=int, default=8)
    args = parser.parse_args(argv)
    demo = Path(__file__).resolve().parent.parent / "demo" / "brands"
    folders = sorted(p for p in demo.iterdir() if (p / "brand.json").is_file())
    with tempfile.TemporaryDirectory(prefix="peer-rss-") as tmp:
        before = _rss_mb()
        peer = Peer(args.rss_probe, folders, Path(tmp))
        for n in range(args.calls):
            slug = folders[n % len(folders)].name
            peer.write(slug, f"Topic number {n}", ["telegram"])
        json.dump({"rss_mb": _rss_mb(), "rss_mb_at_start": before}, sys.stdout)
        print()


if __name__ == "__main__":
    main()
