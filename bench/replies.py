"""P2: the end-to-end latency of one reply suggestion while a batch of draft jobs runs.

A real `postcraft serve` on the embedded default (its batch worker and its own interactive
worker), the real OpenAI client against a fake model of fixed latency (300 ms by default). It
submits a batch of draft jobs (50 by default) and keeps submitting more (20 a second) while it
asks for reply suggestions one after another, each a different comment (no cache hit), timing
each request from send to the answer with the replies. Prints p50 and p99, and how many draft
jobs were still unfinished after the last reply (the batch never drained meanwhile).

    .venv/bin/python -m bench.replies [--drafts 50] [--replies 40] [--latency 0.3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
from rich.console import Console

from bench.retrieval import machine_lines
from tests.e2e.processes import cli, environment, served, setup_brand
from tests.fakes.openai_server import FakeOpenAI


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drafts", type=int, default=50)
    parser.add_argument("--replies", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--feed", type=float, default=20, help="draft jobs a second meanwhile")
    args = parser.parse_args()
    console = Console()
    for line in machine_lines():
        console.print(line)
    with FakeOpenAI(latency=args.latency) as fake, tempfile.TemporaryDirectory() as tmp:
        env = environment(
            Path(tmp) / "var", OPENAI_BASE_URL=fake.url, OPENAI_API_KEY="x", LLM_MODEL="fake"
        )
        brand_id, admin = setup_brand(env, "zerno")
        responder = cli(
            env, "keys", "create", "cm@bench.test", "--role", "responder", "--brand", brand_id
        ).splitlines()[-1]
        with served(env, Path(tmp)) as url, httpx.Client(base_url=url, timeout=30) as http:
            _warm(http, brand_id, responder)
            jobs = [_draft(http, brand_id, admin, n) for n in range(args.drafts)]
            stop = threading.Event()
            feeder = threading.Thread(
                target=_keep_busy, args=(url, brand_id, admin, jobs, stop, args.feed), daemon=True
            )
            feeder.start()  # more drafts all along, so the batch never drains meanwhile
            timings, statuses = [], []
            for n in range(args.replies):
                began = time.perf_counter()
                answer = http.post(
                    f"/v1/brands/{brand_id}/replies",
                    json=_comment(n),
                    headers={"Authorization": f"Bearer {responder}"},
                )
                timings.append(time.perf_counter() - began)
                statuses.append(answer.status_code)
            stop.set()
            feeder.join(10)
            running = _still_running(http, admin, jobs)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    console.print(
        f"reply suggestion, end to end (fake model {args.latency * 1000:.0f} ms, "
        f"{args.drafts} draft jobs first, then {args.feed:g} a second): "
        f"p50 {statistics.median(timings) * 1000:.0f} ms"
        f", p99 {cuts[98] * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms over {len(timings)}"
        f" requests; answers {dict((s, statuses.count(s)) for s in set(statuses))}; "
        f"{running} of {len(jobs)} draft jobs still unfinished after the last reply"
    )


def _comment(n: int) -> dict[str, object]:
    return {
        "platform": "vk",
        "comment": f"Подскажите, пожалуйста, есть ли у вас декаф? Вопрос {n}",
        "author": "Ирина",
        "post": "Новый лот из Эфиопии уже в кофейне на Вайнера, 12.",
    }


def _warm(http: httpx.Client, brand_id: str, key: str) -> None:
    """One request first: the interactive worker loads its models on its first job."""
    http.post(
        f"/v1/brands/{brand_id}/replies",
        json={**_comment(-1), "comment": "Разогрев: есть ли у вас овсяное молоко?"},
        headers={"Authorization": f"Bearer {key}"},
    )


def _draft(http: httpx.Client, brand_id: str, key: str, n: int) -> str:
    answer = http.post(
        f"/v1/brands/{brand_id}/drafts",
        json={"topic": f"Кофейный ликбез, выпуск {n}", "platforms": ["vk", "telegram"]},
        headers={"Authorization": f"Bearer {key}"},
    )
    answer.raise_for_status()
    return str(answer.json()["id"])


def _keep_busy(
    url: str, brand_id: str, key: str, jobs: list[str], stop: threading.Event, rate: float
) -> None:
    """Submit `rate` draft jobs a second until `stop` (their ids join `jobs`)."""
    with httpx.Client(base_url=url, timeout=30) as http:
        n = len(jobs)
        while not stop.wait(1 / rate):
            jobs.append(_draft(http, brand_id, key, n))
            n += 1


def _still_running(http: httpx.Client, key: str, jobs: list[str]) -> int:
    headers = {"Authorization": f"Bearer {key}"}
    states = [http.get(f"/v1/jobs/{j}", headers=headers).json()["status"] for j in jobs]
    return sum(1 for s in states if s not in ("succeeded", "failed"))


if __name__ == "__main__":
    main()
