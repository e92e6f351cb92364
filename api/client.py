"""A small HTTP client of the Postcraft API, used by the CLI (drafts, plans, reviews, the demo)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import httpx

from storage.errors import ErrorCode, PostcraftError

WAIT_PER_CALL_S = 20
"""How long one request asks the server to hold it: short enough for proxies' idle limits."""


class ApiClient:
    """Calls the API with one key; errors come back as PostcraftError with the server's words."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 30.0) -> None:
        self._timeout = timeout
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._request(method, path, **kwargs).json()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise PostcraftError(
                ErrorCode.INTERNAL,
                f"Cannot reach the API at {self._http.base_url} ({exc}): "
                "is `postcraft serve` running?",
            ) from exc
        if response.status_code >= 400:
            data = (
                response.json()
                if response.headers.get("content-type", "").startswith("application/json")
                else {}
            )
            code = data.get("error", "internal")
            known = code if code in ErrorCode._value2member_map_ else ErrorCode.INTERNAL.value
            raise PostcraftError(
                ErrorCode(known),
                f"HTTP {response.status_code}: {data.get('detail', response.text)}",
            )
        return response

    def brands(self) -> list[dict[str, Any]]:
        """The brands this key may act on."""
        result: list[dict[str, Any]] = self._call("GET", "/v1/brands")
        return result

    def submit_draft(
        self, brand_id: str, request: dict[str, Any], idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Queue a draft job and return it."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        job: dict[str, Any] = self._call(
            "POST", f"/v1/brands/{brand_id}/drafts", json=request, headers=headers
        )
        return job

    def submit_plan(self, brand_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """Queue a plan job and return it."""
        job: dict[str, Any] = self._call("POST", f"/v1/brands/{brand_id}/plans", json=request)
        return job

    def plan(self, plan_id: str) -> dict[str, Any]:
        """A plan with its items."""
        plan: dict[str, Any] = self._call("GET", f"/v1/plans/{plan_id}")
        return plan

    def draft(self, draft_id: str) -> dict[str, Any]:
        """A draft as it is now."""
        draft: dict[str, Any] = self._call("GET", f"/v1/drafts/{draft_id}")
        return draft

    def review(self, path: str, version: int, action: str, comment: str = "") -> dict[str, Any]:
        """A review move at `path` (e.g. /v1/plans/ID/review), as `version` (If-Match)."""
        moved: dict[str, Any] = self._call(
            "POST",
            path,
            json={"action": action, "comment": comment},
            headers={"If-Match": f'"{version}"'},
        )
        return moved

    def review_many(
        self, path: str, items: list[tuple[str, int]], action: str, comment: str = ""
    ) -> dict[str, Any]:
        """A bulk review move at `path`: each (id, version) moves or not on its own."""
        body = {
            "action": action,
            "comment": comment,
            "items": [{"id": i, "version": v} for i, v in items],
        }
        result: dict[str, Any] = self._call("POST", path, json=body)
        return result

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Any JSON resource."""
        found: dict[str, Any] = self._call("GET", path, params=params)
        return found

    def post_json(self, path: str, body: dict[str, Any], version: int | None = None) -> Any:
        """POST a JSON body, with If-Match when `version` is given."""
        headers = {"If-Match": f'"{version}"'} if version is not None else {}
        return self._call("POST", path, json=body, headers=headers)

    def text(self, path: str) -> str:
        """A text resource (an export)."""
        return self._request("GET", path).text

    def job(self, job_id: str) -> dict[str, Any]:
        """A job as stored now."""
        job: dict[str, Any] = self._call("GET", f"/v1/jobs/{job_id}")
        return job

    def wait(
        self,
        job_id: str,
        timeout: float = 300.0,
        on_status: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Wait until the job succeeds or fails (or `timeout` seconds pass), the server holding
        each request until then (`?wait=`, at most WAIT_PER_CALL_S a call). `on_status` gets
        the job after each answer."""
        deadline = time.monotonic() + timeout
        pause = 0.1
        while True:
            left = deadline - time.monotonic()
            hold = max(1, min(WAIT_PER_CALL_S, math.ceil(left)))
            asked = time.monotonic()
            job: dict[str, Any] = self._call(
                "GET",
                f"/v1/jobs/{job_id}",
                params={"wait": hold},
                timeout=self._timeout + hold,
            )
            if on_status:
                on_status(job)
            if job["status"] in ("succeeded", "failed"):
                return job
            if time.monotonic() >= deadline:
                raise PostcraftError(
                    ErrorCode.JOB_TIMED_OUT,
                    f"Job {job_id} is still {job['status']} after {timeout:.0f} s: "
                    "is a worker running?",
                )
            if time.monotonic() - asked < hold / 2:
                # Answered early without being finished: the server had no room for another
                # waiter (or predates `?wait=`). Ask again after a pause, as a poll would.
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
                pause = min(pause * 1.5, 1.0)
            else:
                pause = 0.1
