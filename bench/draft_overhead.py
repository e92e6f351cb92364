"""P1: the non-LLM overhead of a draft job, measured against a zero-latency fake LLM.

Runs the job path in one process: create the job row, claim it, retrieve the brand's context,
render the prompts, call the OpenAI-compatible provider (the real SDK against the fake server,
answering at once), validate, repair, store drafts and status. The fake's own time is measured
too (a bare SDK call), so the overhead is the job time minus the LLM calls. Broker hops are not
in this figure (see the e2e tests for the full topology).

    .venv/bin/python -m bench.draft_overhead [--jobs 50] [--extra-posts 10000]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console

from api.demo import import_folder
from bench.retrieval import machine_lines, ms, normalised, synthetic
from generators.jobs import run_job
from generators.llm.openai_compatible import OpenAICompatibleLLM
from generators.runtime import build_runtime
from retrieval.store import VectorItem
from storage.access import create_workspace
from storage.db import migrate, transaction
from storage.enums import DocumentKind, JobKind, Queue
from storage.jobs import NewJob, create_job
from storage.models import Job
from storage.settings import Settings
from tests.fakes.openai_server import FakeOpenAI

TOPICS = ["Новый лот из Кении", "Как заварить кофе в воронке", "Зимний бленд", "Каппинг в субботу"]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--extra-posts", type=int, default=10000)
    args = parser.parse_args()
    console = Console()
    for line in machine_lines():
        console.print(line)
    with FakeOpenAI() as fake, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), OPENAI_BASE_URL=fake.url, OPENAI_API_KEY="x", LLM_MODEL="fake"
        )
        rt = build_runtime(settings)
        migrate(rt.engine)
        with transaction(rt.sessions) as session:
            workspace = create_workspace(session, "bench").id
        brand = import_folder(rt, workspace, Path("demo/brands/zerno"), Console(file=io.StringIO()))
        _pad(rt.store, brand.id, args.extra_posts)
        llm = rt.llm
        assert isinstance(llm, OpenAICompatibleLLM)
        job_times, llm_times = [], []
        for n in range(args.jobs + 3):
            request = {"topic": f"{TOPICS[n % len(TOPICS)]} #{n}", "platforms": ["vk"]}
            started = time.perf_counter()
            job = create_job(
                rt.sessions(),
                NewJob(workspace, brand.id, None, JobKind.DRAFT, Queue.BATCH, request, None),
            ).job
            run_job(rt, job.id)
            elapsed = time.perf_counter() - started
            with rt.sessions() as session:
                stored = session.get(Job, job.id)
                assert stored is not None
                assert stored.status.value == "succeeded", stored.error_detail
                llm_seconds = stored.llm_seconds
            if n >= 3:  # warm-up: model loads, first connections
                job_times.append(elapsed)
                llm_times.append(llm_seconds)
    overhead = [j - x for j, x in zip(job_times, llm_times, strict=True)]
    console.print(
        f"brand: demo 'zerno' + {args.extra_posts} synthetic posts; {args.jobs} jobs, one platform"
    )
    console.print(
        f"job wall time       p50 {ms(job_times, 50):7.1f} ms   p99 {ms(job_times, 99):7.1f} ms"
    )
    console.print(
        f"LLM calls (fake)    p50 {ms(llm_times, 50):7.1f} ms   p99 {ms(llm_times, 99):7.1f} ms"
    )
    console.print(
        f"non-LLM overhead    p50 {ms(overhead, 50):7.1f} ms   p99 {ms(overhead, 99):7.1f} ms"
        f"   mean {statistics.mean(overhead) * 1000:.1f} ms"
    )
    console.print("P1 target (Redis mode, incl. broker): p50 <= 50 ms, p99 <= 250 ms")


def _pad(store: object, brand_id: str, n: int) -> None:
    """Add n synthetic post vectors near real ones, so retrieval searches a big brand."""
    from retrieval.store import VectorStore

    assert isinstance(store, VectorStore)
    if n <= 0:
        return
    base = normalised(np.asarray(store.embedder.embed_passages(TOPICS * 8), dtype=np.float32))
    vectors = synthetic(base, n, seed=7)
    for start in range(0, n, 1000):
        chunk = vectors[start : start + 1000]
        items = [
            VectorItem(f"pad-{start + i}", f"Синтетический пост {start + i}", {"platform": "vk"})
            for i in range(len(chunk))
        ]
        store.add(brand_id, DocumentKind.POST, items, [list(map(float, v)) for v in chunk])


if __name__ == "__main__":
    main()
