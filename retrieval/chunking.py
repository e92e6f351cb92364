"""Splitting a voice guide into sections and token-sized chunks (tiktoken-based)."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from retrieval.tokens import DEFAULT_ENCODING, encoding

CHUNK_TOKENS = 220
OVERLAP_TOKENS = 30


@dataclass(frozen=True)
class Chunk:
    """A piece of a guide with the heading path it sits under."""

    section: str
    text: str


def split_guide(markdown: str) -> list[Chunk]:
    """Chunks of a Markdown (or plain-text) guide, each at most ~CHUNK_TOKENS tokens."""
    encoding()  # points tiktoken at the shipped vocabulary before the splitter loads it
    headers = [("#", "h1"), ("##", "h2"), ("###", "h3")]
    sections = MarkdownHeaderTextSplitter(headers, strip_headers=True).split_text(markdown)
    splitter = RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=DEFAULT_ENCODING, chunk_size=CHUNK_TOKENS, chunk_overlap=OVERLAP_TOKENS
    )
    chunks: list[Chunk] = []
    for section in sections:
        title = " / ".join(str(section.metadata[h]) for _, h in headers if h in section.metadata)
        for piece in splitter.split_text(section.page_content):
            if piece.strip():
                chunks.append(Chunk(section=title, text=piece.strip()))
    return chunks
