"""Prometheus metrics read from the job table, so every worker process is counted."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.enums import JobStatus
from storage.models import Job


class JobMetrics(Collector):
    """Jobs by status and queue; LLM calls, seconds and tokens by generator and model."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        jobs = GaugeMetricFamily(
            "postcraft_jobs", "Jobs by status and queue", labels=["status", "queue"]
        )
        labels = ["generator", "model"]
        calls = CounterMetricFamily(
            "postcraft_llm_calls", "LLM calls of finished jobs", labels=labels
        )
        seconds = CounterMetricFamily(
            "postcraft_llm_seconds", "Time spent waiting for the LLM", labels=labels
        )
        tokens = CounterMetricFamily(
            "postcraft_llm_tokens", "Tokens of finished jobs", labels=[*labels, "type"]
        )
        with self._sessions() as session:
            for status, queue, count in session.execute(
                select(Job.status, Job.queue, func.count()).group_by(Job.status, Job.queue)
            ):
                jobs.add_metric([status.value, queue.value], count)
            for generator, model, n, secs, prompt, completion in session.execute(
                select(
                    Job.generator,
                    Job.model,
                    func.sum(Job.llm_calls),
                    func.sum(Job.llm_seconds),
                    func.sum(Job.prompt_tokens),
                    func.sum(Job.completion_tokens),
                )
                .where(Job.status == JobStatus.SUCCEEDED)
                .group_by(Job.generator, Job.model)
            ):
                key = [generator or "", model or ""]
                calls.add_metric(key, n or 0)
                seconds.add_metric(key, secs or 0.0)
                tokens.add_metric([*key, "prompt"], prompt or 0)
                tokens.add_metric([*key, "completion"], completion or 0)
        yield from (jobs, calls, seconds, tokens)


def make_registry(sessions: sessionmaker[Session]) -> CollectorRegistry:
    """A registry with the job metrics (and no process-global state)."""
    registry = CollectorRegistry()
    registry.register(JobMetrics(sessions))
    return registry
