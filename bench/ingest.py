"""Ingestion benchmark (quality.md P5): e5 embeddings/s alone and documents/s end to end.

Run: .venv/bin/python -m bench.ingest [--docs 2000] [--batch 200]

End to end is the real path: `brand_voice.ingest.ingest` on a migrated SQLite runtime in a
temporary data dir (clean, hash, skip what the database knows, embed with e5, skip near
duplicates: one Chroma query per new post, upsert into the brand's collection, insert the rows,
commit), one transaction per batch of posts, as an upload of a posts export would do. The
embedder is wrapped to time its own share, so the figures also give the rate excluding
embedding (P5: >= 300 vectors/s stored; that time includes the near-duplicate queries). A second
pass re-sends the same posts, which are all skipped as known. Figures only: nothing here asserts
a time.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich import box
from rich.table import Table

from bench.retrieval import err, machine_lines, ms, out, progress, rss_mb, sentences
from brand_voice.brands import create_brand
from brand_voice.ingest import NewDocument, ingest
from brand_voice.profile import BrandProfile
from generators.runtime import build_runtime
from retrieval.embeddings import BATCH, E5Embedder, Embedder
from retrieval.store import Hit, VectorStore
from storage.access import create_workspace
from storage.db import migrate, transaction
from storage.enums import DocumentKind, Platform
from storage.settings import Settings

P5_VECTORS_PER_S = 300


def posts(n: int, seed: int = 11) -> list[str]:
    """n distinct posts of three sentences from one brand's world and one language.

    No two posts share more than one sentence (no pair of sentences is used twice), so none is a
    near-duplicate of another and ingestion's near-duplicate check keeps them all.
    """
    pool = sentences()  # English and Russian alternate; 64 per brand and language, in order
    groups = [
        [pool[2 * (64 * brand + i) + lang] for i in range(64)]
        for brand in range(4)
        for lang in (0, 1)
    ]
    rng = np.random.default_rng(seed)
    used: set[frozenset[str]] = set()
    texts: list[str] = []
    attempts = 0
    while len(texts) < n:
        attempts += 1
        if attempts > 200 * n:
            raise RuntimeError(f"only {len(texts)} posts without shared sentence pairs")
        group = groups[len(texts) % len(groups)]
        picked = [group[i] for i in rng.choice(len(group), size=3, replace=False)]
        pairs = {frozenset(pair) for pair in itertools.combinations(picked, 2)}
        if pairs & used:
            continue
        used |= pairs
        texts.append(" ".join(picked))
    return texts


class TimedEmbedder:
    """The real e5 embedder, counting the time and the texts it spends on passages."""

    def __init__(self, inner: E5Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.seconds = 0.0
        self.texts = 0

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        started = time.perf_counter()
        vectors = self.inner.embed_passages(texts)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


class TimedStore(VectorStore):
    """The real vector store, counting the time ingestion spends in its calls."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        super().__init__(settings, embedder)
        self.seconds: dict[str, float] = {"add": 0.0, "nearest": 0.0}
        self.calls: dict[str, int] = {"add": 0, "nearest": 0}
        self.vectors_added = 0

    def add(self, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        super().add(*args, **kwargs)
        self.seconds["add"] += time.perf_counter() - started
        self.calls["add"] += 1
        items = kwargs["items"] if "items" in kwargs else args[2]
        self.vectors_added += len(items)

    def nearest_many(self, *args: Any, **kwargs: Any) -> list[list[Hit]]:
        started = time.perf_counter()
        hits = super().nearest_many(*args, **kwargs)
        self.seconds["nearest"] += time.perf_counter() - started
        self.calls["nearest"] += len(hits)  # one lookup per new document, batched in one call
        return hits


def embed_rate(e5: E5Embedder, texts: list[str], batches: int) -> list[float]:
    """Seconds per batch of 32 passages, e5 alone."""
    e5.embed_passages(texts[:BATCH])  # warm-up (loads the model)
    times: list[float] = []
    for b in range(batches):
        chunk = texts[(b * BATCH) % len(texts) :][:BATCH]
        chunk = chunk if len(chunk) == BATCH else texts[:BATCH]
        started = time.perf_counter()
        e5.embed_passages(chunk)
        times.append(time.perf_counter() - started)
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=2000, help="posts to ingest")
    parser.add_argument("--batch", type=int, default=200, help="posts per ingest() transaction")
    parser.add_argument("--embed-batches", type=int, default=20, help="e5-alone batches of 32")
    args = parser.parse_args(argv)

    for line in machine_lines():
        out.print(line)
    texts = posts(args.docs)
    e5 = E5Embedder()
    with err.status("e5 alone..."):
        batch_times = embed_rate(e5, texts, args.embed_batches)
    per_s = [BATCH / t for t in batch_times]
    out.print(
        f"posts: {len(texts)} distinct, three sentences each (avg "
        f"{np.mean([len(t) for t in texts]):.0f} characters), Russian and English, four brands' "
        f"worlds; ingested into one brand, {args.batch} per transaction"
    )

    timed = TimedEmbedder(e5)
    with tempfile.TemporaryDirectory(prefix="postcraft-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "var")
        rt = build_runtime(settings, embedder=timed)
        store = TimedStore(settings, timed)
        migrate(rt.engine)
        with transaction(rt.sessions) as session:
            workspace = create_workspace(session, "Bench agency")
            brand = create_brand(
                session,
                workspace.id,
                "Bench brand",
                "bench-brand",
                BrandProfile(language="ru", platforms=[Platform.VK, Platform.TELEGRAM]),
            )
            brand_id = brand.id
        rss_before = rss_mb()
        docs = [
            NewDocument(DocumentKind.POST, "bench-export.csv", text, {"n": i})
            for i, text in enumerate(texts)
        ]
        batch_wall: list[float] = []
        added = 0
        with progress() as bar:
            task = bar.add_task(f"ingest {len(docs):,} posts", total=len(docs))
            started = time.perf_counter()
            for start in range(0, len(docs), args.batch):
                t0 = time.perf_counter()
                with transaction(rt.sessions) as session:
                    report = ingest(session, store, brand_id, docs[start : start + args.batch])
                batch_wall.append(time.perf_counter() - t0)
                added += report.added
                bar.update(task, completed=min(start + args.batch, len(docs)))
            wall = time.perf_counter() - started
        embed_s, embedded = timed.seconds, timed.texts
        stored = store.count(brand_id, DocumentKind.POST)
        add_s, near_s = store.seconds["add"], store.seconds["nearest"]
        upserted, near_calls = store.vectors_added, store.calls["nearest"]

        started = time.perf_counter()
        skipped = 0
        for start in range(0, len(docs), args.batch):
            with transaction(rt.sessions) as session:
                skipped += ingest(
                    session, store, brand_id, docs[start : start + args.batch]
                ).skipped
        again = time.perf_counter() - started
        rss_after = rss_mb()

    rest = wall - embed_s
    other = wall - embed_s - add_s - near_s
    table = Table(
        title="Ingestion of posts, real path (SQLite + embedded Chroma)",
        title_justify="left",
        box=box.MARKDOWN,
    )
    for header in ("step", "count", "seconds", "per second", "note"):
        table.add_column(header, justify="right")
    rows = [
        (
            "e5 alone, batches of 32",
            BATCH * len(batch_times),
            sum(batch_times),
            float(np.median(per_s)),
            f"median of {len(batch_times)} batches (embeddings/s)",
        ),
        (
            "end to end",
            added,
            wall,
            added / wall,
            f"documents/s; {len(batch_wall)} transactions; {len(docs) - added} skipped",
        ),
        (
            "- embedding (e5)",
            embedded,
            embed_s,
            embedded / embed_s,
            f"embeddings/s; {embed_s / wall:.0%} of the time",
        ),
        (
            "- near-duplicate queries",
            near_calls,
            near_s,
            near_calls / near_s,
            f"near-duplicate lookups/s (batched); {near_s / wall:.0%}",
        ),
        (
            "- vector upserts",
            upserted,
            add_s,
            upserted / add_s,
            f"vectors/s in {store.calls['add']} VectorStore.add calls; {add_s / wall:.0%}",
        ),
        (
            "- the rest",
            added,
            other,
            added / other,
            f"clean, hash, database reads and inserts, commit; {other / wall:.0%}",
        ),
        (
            "end to end minus embedding",
            stored,
            rest,
            stored / rest,
            f"vectors stored/s; P5 >= {P5_VECTORS_PER_S}: "
            f"{'ok' if stored / rest >= P5_VECTORS_PER_S else 'MISS'}",
        ),
        (
            "re-ingest, all known",
            skipped,
            again,
            skipped / again,
            "documents/s, skipped by content hash",
        ),
    ]
    for step, count, seconds, rate, note in rows:
        table.add_row(step, f"{count:,}", f"{seconds:.2f}", f"{rate:,.1f}", note)
    out.print(table)
    out.print(
        f"per transaction of {args.batch}: p50 {ms(batch_wall, 50):,.0f} ms, p99 "
        f"{ms(batch_wall, 99):,.0f} ms; vectors in the store {stored:,}; process RSS "
        f"{rss_before:.0f} -> {rss_after:.0f} MB"
    )
    out.print(
        "Targets (quality.md P5): embeddings/s and chunks/s reported; >= 300 vectors/s stored "
        "excluding embedding time."
    )


if __name__ == "__main__":
    main()
