"""One delivery attempt: claim the row, POST the signed body, record what happened.

Three steps, each in its own short transaction and none held across the HTTP call: the claim
(a compare-and-set, so two workers never send one delivery at once), the request, and the
record of the attempt (fenced by the attempt number). 2xx delivers; 408, 429, 5xx, timeouts
and connection errors retry after the back-off; any other answer fails the delivery at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import httpx
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.models import DeliveryStatus, utcnow
from webhooks.repository import AttemptRecord, Claim, claim_delivery, record_attempt
from webhooks.signing import delivery_headers

log = logging.getLogger(__name__)

BACKOFF_S: tuple[float, ...] = (10, 30, 120, 600, 3600, 3600, 3600)
"""The wait after each failed attempt: the 1st waits 10 s, the 2nd 30 s, ... the 7th 1 h."""
MAX_ATTEMPTS = len(BACKOFF_S) + 1
"""Attempts before a delivery fails for good (8: about 3 h 13 min in all)."""
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
"""One attempt's limits: 5 s to connect, 10 s for each read or write."""
LEASE = timedelta(seconds=120)
"""How long a claim keeps other workers off (well past the request's own limits): a worker
that dies mid-attempt leaves the delivery to the reconciler after this."""
EARLY = timedelta(seconds=2)
"""A message may arrive this much before its attempt is due (clocks of machines differ)."""
RETRY_AFTER_MAX_S = 3600
ERROR_MAX = 1000  # characters of an error (with the start of the receiver's answer) kept
_ANSWER_BYTES = 512  # bytes of a refusing receiver's answer read and kept in the error
USER_AGENT = "Postcraft-Webhooks/1"


class Outcome(StrEnum):
    """What one call of `deliver` did."""

    DELIVERED = "delivered"
    RETRY = "retry"
    """The attempt failed and another one is scheduled: send the delivery again then."""
    FAILED = "failed"
    SKIPPED = "skipped"
    """Nothing sent: already delivered or failed, not due yet, or held by another worker."""


@dataclass(frozen=True)
class DeliveryResult:
    """One call of `deliver`: its outcome, the attempt, what the receiver said, and when to
    send the delivery again (`retry_in_s`, only for RETRY)."""

    delivery_id: str
    outcome: Outcome
    attempt: int | None = None
    status_code: int | None = None
    error: str | None = None
    retry_in_s: float | None = None


@dataclass(frozen=True)
class _Answer:
    status_code: int | None
    error: str | None
    retryable: bool
    retry_after_s: float | None = None


def deliver(
    sessions: sessionmaker[Session],
    delivery_id: str,
    http: httpx.Client,
    now: datetime | None = None,
    backoff: Sequence[float] = BACKOFF_S,
    timeout: httpx.Timeout = TIMEOUT,
) -> DeliveryResult:
    """Make one attempt of the delivery if it is pending, due and free, and record it.

    `now` is the attempt's time (default: the clock); `backoff` the waits after each failed
    attempt, whose length + 1 is the number of attempts before the delivery fails for good.
    Safe to call twice for one delivery at once, or for one already done: the second is
    SKIPPED and sends nothing."""
    start = now or utcnow()
    with transaction(sessions) as session:
        claim = claim_delivery(session, delivery_id, start, LEASE, EARLY)
    if claim is None:
        log.info("webhook delivery skipped: done, not due or held", extra={"delivery": delivery_id})
        return DeliveryResult(delivery_id, Outcome.SKIPPED)
    if not claim.endpoint_active:
        answer = _Answer(None, "The endpoint was deactivated", retryable=False)
        elapsed = 0.0
    else:
        began = time.monotonic()
        answer = _post(http, claim, start, timeout)
        elapsed = time.monotonic() - began
    finished = start + timedelta(seconds=elapsed)
    result, record = _decide(claim, answer, finished, int(elapsed * 1000), backoff)
    with transaction(sessions) as session:
        owned = record_attempt(session, claim, record)
    log.info(
        "webhook attempt",
        extra={
            "delivery": delivery_id,
            "attempt": claim.attempt,
            "outcome": result.outcome.value,
            "status_code": answer.status_code,
            "error": answer.error,
            "owned": owned,
        },
    )
    if not owned:  # another attempt took over after this one's lease: it decides
        return DeliveryResult(delivery_id, Outcome.SKIPPED, claim.attempt, answer.status_code)
    return result


def _post(http: httpx.Client, claim: Claim, at: datetime, timeout: httpx.Timeout) -> _Answer:
    """POST the body; what the receiver answered, or the error that stopped it."""
    body = claim.body.encode("utf-8")
    headers = delivery_headers(
        claim.secret,
        body,
        event_id=claim.event_id,
        event_type=claim.event_type,
        delivery_id=claim.delivery_id,
        timestamp=int(at.timestamp()),
    )
    headers["User-Agent"] = USER_AGENT
    try:
        with http.stream(
            "POST", claim.url, content=body, headers=headers, timeout=timeout
        ) as response:
            code = response.status_code
            if 200 <= code < 300:
                return _Answer(code, None, retryable=False)
            answer = _start_of(response)
            retry_after = _retry_after(response.headers.get("Retry-After"))
    except httpx.TimeoutException as exc:
        return _Answer(None, f"Timed out ({type(exc).__name__}): {exc}"[:ERROR_MAX], True)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return _Answer(None, f"The endpoint's URL cannot be used: {exc}"[:ERROR_MAX], False)
    except httpx.HTTPError as exc:  # connection refused, reset, a broken answer...
        return _Answer(None, f"{type(exc).__name__}: {exc}"[:ERROR_MAX], True)
    except Exception as exc:  # anything else the request raised: tried again, and kept
        log.exception("webhook request crashed", extra={"delivery": claim.delivery_id})
        return _Answer(None, f"{type(exc).__name__}: {exc}"[:ERROR_MAX], True)
    if code in (408, 429) or code >= 500:
        error = f"HTTP {code}: {answer}"[:ERROR_MAX]
        return _Answer(code, error, retryable=True, retry_after_s=retry_after)
    if 300 <= code < 400:
        reason = "redirects are not followed: register the final URL"
    elif code < 200:
        reason = "not a final answer"
    else:
        reason = "a client error is not retried: fix the receiver (408 and 429 are retried)"
    return _Answer(code, f"HTTP {code} ({reason}): {answer}"[:ERROR_MAX], retryable=False)


def _start_of(response: httpx.Response) -> str:
    """The start of the receiver's answer, as text (never the whole of a huge one)."""
    read = b""
    try:
        for chunk in response.iter_bytes():
            read += chunk
            if len(read) >= _ANSWER_BYTES:
                break
    except httpx.HTTPError:
        pass
    return read[:_ANSWER_BYTES].decode("utf-8", "replace").replace("\x00", "")


def _retry_after(value: str | None) -> float | None:
    """A `Retry-After` in seconds (the date form is ignored), capped at an hour."""
    if value is None or not value.strip().isdigit():
        return None
    return float(min(int(value.strip()), RETRY_AFTER_MAX_S))


def _decide(
    claim: Claim,
    answer: _Answer,
    at: datetime,
    duration_ms: int,
    backoff: Sequence[float],
) -> tuple[DeliveryResult, AttemptRecord]:
    """The delivery's next status after this attempt, and the record that says so."""

    def record(status: DeliveryStatus, error: str | None, due: datetime | None) -> AttemptRecord:
        return AttemptRecord(at, answer.status_code, error, duration_ms, status, due)

    code = answer.status_code
    if answer.error is None:
        delivered = DeliveryResult(claim.delivery_id, Outcome.DELIVERED, claim.attempt, code)
        return delivered, record(DeliveryStatus.DELIVERED, None, None)
    if answer.retryable and claim.attempt <= len(backoff):
        wait = float(backoff[claim.attempt - 1])
        if answer.retry_after_s is not None:
            wait = max(wait, answer.retry_after_s)
        due = at + timedelta(seconds=wait)
        retry = DeliveryResult(
            claim.delivery_id, Outcome.RETRY, claim.attempt, code, answer.error, wait
        )
        return retry, record(DeliveryStatus.PENDING, answer.error, due)
    error = answer.error
    if answer.retryable:
        error = f"Gave up after {claim.attempt} attempts; the last: {error}"[:ERROR_MAX]
    failed = DeliveryResult(claim.delivery_id, Outcome.FAILED, claim.attempt, code, error)
    return failed, record(DeliveryStatus.FAILED, error, None)
