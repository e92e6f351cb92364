"""Issue 7: how many messages the reconciler re-sends while a backlog of jobs drains.

Scaled mode on one machine: a fresh PostgreSQL database, a redis-server of its own on a free
port, the API (`postcraft serve --no-worker`) and one supervised worker with concurrency 2. Jobs
are slowed by the fake OpenAI-compatible server, which answers each chat call after --latency
seconds. One warm-up job first (a worker process builds its runtime on its first job), then
--jobs draft jobs are submitted over HTTP at once, and among them --lost jobs whose message is
lost (their rows are committed, as the API does, but nothing is sent). The reconciler runs in
this process with POSTCRAFT_JOB_QUEUED_GRACE_S=5 and POSTCRAFT_RECONCILE_EVERY_S=1, with the
rule it had before (`old`: every queued job past its grace, on every pass) or the current one
(`new`), or both in turn (the default), each on fresh services. Every re-send of a job whose
message was not lost is a useless copy; a lost job needs exactly one.

    .venv/bin/python -m bench.reconciler_backlog [--jobs 200] [--lost 10] [--latency 0.4]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bench.retrieval import machine_lines
from storage.db import make_engine, make_sessionmaker, transaction
from storage.enums import JobStatus
from storage.jobs import NewJob, create_job, mark_enqueued
from storage.models import Draft, Job, utcnow
from storage.settings import Settings
from tests.e2e.processes import (
    api_and_worker,
    environment,
    setup_brand,
    wait_job,
)
from tests.e2e.services import postgres_database
from tests.e2e.test_broker_outage import redis_server
from tests.fakes.openai_server import FakeOpenAI
from worker.app import make_celery
from worker.queue import JobQueue
from worker.reconciler import reconcile_once

GRACE_S = 5
EVERY_S = 1.0

Reconcile = Callable[[Settings, sessionmaker[Session], JobQueue], int]


def reconcile_once_old(settings: Settings, sessions: sessionmaker[Session], queue: JobQueue) -> int:
    """The rule before issue 7: every queued job past its grace, and every running job past its
    lease, is sent again on every pass, however many copies already wait."""
    now = utcnow()
    with sessions() as session:
        jobs = list(
            session.scalars(
                select(Job)
                .where(
                    or_(
                        and_(
                            Job.status == JobStatus.QUEUED,
                            Job.enqueued_at < now - timedelta(seconds=settings.job_queued_grace_s),
                        ),
                        and_(Job.status == JobStatus.RUNNING, Job.lease_until < now),
                    )
                )
                .order_by(Job.created_at)
                .limit(500)
            )
        )
    sent = 0
    for job in jobs:
        if queue.send(job):
            with transaction(sessions) as session:
                mark_enqueued(session, job.id, utcnow())
            sent += 1
    return sent


@dataclass
class Outcome:
    """What one run measured."""

    rule: str
    jobs: int
    lost: int
    resent: int
    resent_lost: int
    lost_wait_s: float
    job_wait_s: float
    passes: int
    drain_s: float
    succeeded: int
    failed: int
    attempts: Counter[int]
    drafts_per_job: Counter[int]
    finished_logs: Counter[int]
    skipped_deliveries: int


def run(rule: str, jobs: int, lost: int, latency: float, folder: Path) -> Outcome:
    """One backlog on fresh services with the given rule."""
    reconcile: Reconcile = reconcile_once if rule == "new" else reconcile_once_old
    with ExitStack() as stack:
        fake = stack.enter_context(FakeOpenAI(latency=latency))
        database_url = stack.enter_context(postgres_database())
        broker = stack.enter_context(redis_server(folder / "redis"))
        settings = {
            "DATABASE_URL": database_url,
            "BROKER_URL": broker.url,
            "OPENAI_BASE_URL": fake.url,
            "OPENAI_API_KEY": "bench",
            "LLM_MODEL": "fake-model",
            "POSTCRAFT_JOB_QUEUED_GRACE_S": str(GRACE_S),
            "POSTCRAFT_RECONCILE_EVERY_S": str(EVERY_S),
            "POSTCRAFT_LOG_LEVEL": "INFO",
        }
        env = environment(folder / "var", **settings)
        brand_id, key = setup_brand(env, "zerno")
        url, worker = api_and_worker(env, folder, stack)
        headers = {"Authorization": f"Bearer {key}"}
        client = stack.enter_context(httpx.Client(headers=headers, timeout=30))

        def submit(topic: str) -> str:
            request = {"topic": topic, "platforms": ["vk"]}
            answer = client.post(f"{url}/v1/brands/{brand_id}/drafts", json=request)
            answer.raise_for_status()
            return str(answer.json()["id"])

        warm_up = submit("Разогрев: первый лот сезона")
        wait_job(url, key, warm_up, timeout=120)

        own = Settings(
            data_dir=folder / "var",
            DATABASE_URL=database_url,
            BROKER_URL=broker.url,
            job_queued_grace_s=GRACE_S,
            reconcile_every_s=EVERY_S,
        )
        engine = make_engine(own)
        stack.callback(engine.dispose)
        sessions = make_sessionmaker(engine)
        queue = JobQueue(make_celery(own), own)
        stop = threading.Event()
        tally = {"resent": 0, "passes": 0}

        def reconciler() -> None:
            while not stop.wait(EVERY_S):
                tally["resent"] += reconcile(own, sessions, queue)
                tally["passes"] += 1

        thread = threading.Thread(target=reconciler, daemon=True)
        thread.start()
        started = time.monotonic()
        ids: list[str] = []
        lost_ids: list[str] = []
        every = jobs // lost if lost else jobs + 1
        for n in range(jobs):
            ids.append(submit(f"Выпуск {n}: как заварить кофе в воронке"))
            if n % every == every // 2 and len(lost_ids) < lost:
                lost_ids.append(_unsent_copy(sessions, warm_up, f"Потерянный выпуск {n}"))
        ids += lost_ids
        while _open_jobs(sessions) > 0:
            if time.monotonic() - started > 900:
                raise SystemExit(f"the backlog did not drain in 900 s:\n{worker.output()[-3000:]}")
            time.sleep(0.2)
        drain_s = time.monotonic() - started
        stop.set()
        thread.join()
        time.sleep(3)  # let the copies still queued reach the worker and be skipped
        with sessions() as session:
            rows = session.execute(select(Job).where(Job.id.in_(ids))).scalars().all()
            statuses = {job.id: (job.status, job.attempts) for job in rows}
            sends = {job.id: job.sends for job in rows}
            waits = {
                job.id: (job.finished_at - job.created_at).total_seconds()
                for job in rows
                if job.finished_at is not None
            }
            drafts = dict(
                session.execute(
                    select(Draft.job_id, func.count())
                    .where(Draft.job_id.in_(ids))
                    .group_by(Draft.job_id)
                ).all()
            )
        log = worker.output()
        finished_logs = Counter(
            log.count(f'"job succeeded", "job_id": "{job_id}"') for job_id in ids
        )
        return Outcome(
            rule=rule,
            jobs=len(ids),
            lost=len(lost_ids),
            resent=tally["resent"],
            resent_lost=sum(sends[job_id] - 1 for job_id in lost_ids),
            lost_wait_s=statistics.median([waits[j] for j in lost_ids]) if lost_ids else 0.0,
            job_wait_s=statistics.median(waits.values()),
            passes=tally["passes"],
            drain_s=drain_s,
            succeeded=sum(1 for s, _ in statuses.values() if s == JobStatus.SUCCEEDED),
            failed=sum(1 for s, _ in statuses.values() if s == JobStatus.FAILED),
            attempts=Counter(a for _, a in statuses.values()),
            drafts_per_job=Counter(drafts.get(job_id, 0) for job_id in ids),
            finished_logs=finished_logs,
            skipped_deliveries=log.count('"job skipped: finished or held by another worker"'),
        )


def _unsent_copy(sessions: sessionmaker[Session], model_id: str, topic: str) -> str:
    """A job committed like the API's, whose message never reaches the broker."""
    with sessions() as session:
        model = session.get(Job, model_id)
        assert model is not None
        new = NewJob(
            model.workspace_id,
            model.brand_id,
            model.api_key_id,
            model.kind,
            model.queue,
            {**model.request, "topic": topic},
            None,
        )
        return create_job(session, new).job.id


def _open_jobs(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        )
    return int(count or 0)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=200, help="jobs sent through the API")
    parser.add_argument("--lost", type=int, default=10, help="jobs among them never sent")
    parser.add_argument("--latency", type=float, default=0.4, help="seconds per LLM call")
    parser.add_argument("--rule", choices=["old", "new", "both"], default="both")
    args = parser.parse_args()
    for line in machine_lines():
        print(line)
    print(
        f"backlog: {args.jobs} draft jobs + {args.lost} whose message is lost (1 platform, "
        f"1 LLM call of {args.latency} s each), "
        f"1 worker, concurrency 2; grace {GRACE_S} s, a reconciler pass every {EVERY_S} s"
    )
    rules = ["old", "new"] if args.rule == "both" else [args.rule]
    outcomes = []
    for rule in rules:
        with TemporaryDirectory(prefix=f"reconciler-{rule}-") as tmp:
            outcome = run(rule, args.jobs, args.lost, args.latency, Path(tmp))
        outcomes.append(outcome)
        print(
            f"rule {rule}: {outcome.resent} messages re-sent in {outcome.passes} passes "
            f"({outcome.resent / outcome.jobs:.2f} per job), {outcome.resent_lost} of them for the "
            f"{outcome.lost} lost jobs; median wait to the end: {outcome.job_wait_s:.1f} s, "
            f"{outcome.lost_wait_s:.1f} s for a lost job; {outcome.skipped_deliveries} "
            f"deliveries skipped by the worker; drained in {outcome.drain_s:.1f} s; "
            f"{outcome.succeeded} succeeded, {outcome.failed} failed; "
            f"attempts {dict(sorted(outcome.attempts.items()))}; "
            f"drafts per job {dict(outcome.drafts_per_job)}; "
            f"'job succeeded' logged per job {dict(outcome.finished_logs)}"
        )
    if len(outcomes) == 2:
        old, new = outcomes
        print(f"messages re-sent: before {old.resent}, after {new.resent}")


if __name__ == "__main__":
    main()
