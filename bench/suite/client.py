"""The suite's HTTP client: submit a draft job and wait for it, with `GET /v1/jobs/{id}?wait=N`
where the API has it (read from its OpenAPI spec) or by polling; read a brand's drafts in
either shape (a list, or a page `{"items": [...], "next_cursor": ...}`)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

TERMINAL = ("succeeded", "failed")
POLL_S = 0.01  # without ?wait=: poll every 10 ms (adds 5 ms on average to a client figure)


@dataclass(frozen=True)
class WaitParameter:
    """`?wait=` as the API declares it: the longest wait and whether it takes whole seconds."""

    max_s: float
    integer: bool


def wait_parameter(spec: dict[str, Any]) -> WaitParameter | None:
    """The `wait` query parameter of `GET /v1/jobs/{job_id}` in an OpenAPI spec, if any."""
    operation = spec.get("paths", {}).get("/v1/jobs/{job_id}", {}).get("get", {})
    for parameter in operation.get("parameters", []):
        if parameter.get("name") == "wait" and parameter.get("in") == "query":
            schema = parameter.get("schema", {})
            options = [schema, *schema.get("anyOf", [])]
            highest = [o.get("maximum", o.get("exclusiveMaximum")) for o in options]
            limits = [float(h) for h in highest if isinstance(h, int | float)]
            integer = any(o.get("type") == "integer" for o in options)
            return WaitParameter(min(limits) if limits else 30.0, integer)
    return None


def drafts_of(body: Any) -> list[dict[str, Any]]:
    """The drafts of a drafts-list answer: a bare list or a page with `items`."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return list(body["items"])
    raise ValueError(f"unexpected drafts list answer: {str(body)[:200]}")


def server_seconds(job: dict[str, Any]) -> float | None:
    """created_at to finished_at of a job, as its row says."""
    if not job.get("finished_at") or not job.get("created_at"):
        return None
    created = datetime.fromisoformat(str(job["created_at"]).replace("Z", "+00:00"))
    finished = datetime.fromisoformat(str(job["finished_at"]).replace("Z", "+00:00"))
    return (finished - created).total_seconds()


@dataclass(frozen=True)
class Submitted:
    """A submission's answer: the job (when accepted), status, latency and Retry-After."""

    status: int
    seconds: float
    job_id: str | None
    retry_after: float | None
    body: str


@dataclass(frozen=True)
class JobRun:
    """One job submitted and waited for."""

    e2e_s: float  # from sending the POST to seeing the job terminal
    submit_s: float  # the POST alone
    server_s: float | None  # created_at to finished_at
    llm_s: float  # the job's model time (usage.llm_seconds)
    status: str
    usage: dict[str, Any]
    drafts: int
    job_id: str


class Api:
    """One API key's client for one Postcraft API."""

    def __init__(
        self,
        url: str,
        key: str,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {key}"}
        self.http = httpx.Client(
            base_url=url, headers=self.headers, timeout=timeout, transport=transport
        )
        spec = self.http.get("/openapi.json")
        self.wait = wait_parameter(spec.json()) if spec.status_code == 200 else None

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def submit(self, brand_id: str, request: dict[str, Any]) -> Submitted:
        """POST a draft job."""
        started = time.perf_counter()
        answer = self.http.post(f"/v1/brands/{brand_id}/drafts", json=request)
        seconds = time.perf_counter() - started
        job_id = answer.json().get("id") if answer.status_code == 202 else None
        retry = answer.headers.get("Retry-After")
        retry_after = float(retry) if retry and retry.replace(".", "", 1).isdigit() else None
        return Submitted(answer.status_code, seconds, job_id, retry_after, answer.text[:300])

    def job(self, job_id: str, wait_s: float = 0.0) -> dict[str, Any]:
        """GET the job, waiting up to `wait_s` for it to end where the API can."""
        params: dict[str, float | int] = {}
        if self.wait is not None and wait_s > 0:
            wait = min(wait_s, self.wait.max_s)
            params["wait"] = max(1, math.floor(wait)) if self.wait.integer else wait
        answer = self.http.get(f"/v1/jobs/{job_id}", params=params, timeout=wait_s + 30)
        answer.raise_for_status()
        job: dict[str, Any] = answer.json()
        return job

    def wait_job(self, job_id: str, timeout: float = 120.0) -> dict[str, Any]:
        """The job once terminal (TimeoutError after `timeout` s)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            job = self.job(job_id, wait_s=max(0.0, remaining))
            if job["status"] in TERMINAL:
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} not finished after {timeout} s: {job['status']}")
            if self.wait is None:
                time.sleep(POLL_S)

    def run(self, brand_id: str, request: dict[str, Any], timeout: float = 120.0) -> JobRun:
        """Submit one job and wait for it."""
        started = time.perf_counter()
        submitted = self.submit(brand_id, request)
        if submitted.job_id is None:
            raise RuntimeError(f"submission answered {submitted.status}: {submitted.body}")
        job = self.wait_job(submitted.job_id, timeout)
        e2e = time.perf_counter() - started
        usage = dict(job.get("usage") or {})
        return JobRun(
            e2e_s=e2e,
            submit_s=submitted.seconds,
            server_s=server_seconds(job),
            llm_s=float(usage.get("llm_seconds") or 0.0),
            status=str(job["status"]),
            usage=usage,
            drafts=len(job.get("drafts") or []),
            job_id=submitted.job_id,
        )

    def drafts(self, brand_id: str) -> list[dict[str, Any]]:
        """The brand's latest drafts (the first page)."""
        answer = self.http.get(f"/v1/brands/{brand_id}/drafts")
        answer.raise_for_status()
        return drafts_of(answer.json())
