"""Signing webhook bodies: HMAC-SHA256 over `<unix time>.<body>`, Stripe-style, and the
verification a receiver runs.

    Postcraft-Signature: t=1765540800,v1=<64 hex digits>

The timestamp is signed with the body, so a captured request cannot be replayed after the
tolerance; each attempt signs again at its own time, over the same body."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime

SIGNATURE_HEADER = "Postcraft-Signature"
EVENT_ID_HEADER = "Postcraft-Event-Id"
EVENT_TYPE_HEADER = "Postcraft-Event-Type"
DELIVERY_ID_HEADER = "Postcraft-Delivery-Id"
SCHEME = "v1"
TOLERANCE_S = 300


def _bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def sign(secret: str, timestamp: int, body: bytes | str) -> str:
    """The hex HMAC-SHA256, keyed by the endpoint's secret, of `<timestamp>.<body>`."""
    message = str(timestamp).encode("ascii") + b"." + _bytes(body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes | str, timestamp: int) -> str:
    """The `Postcraft-Signature` value: `t=<timestamp>,v1=<signature>`."""
    return f"t={timestamp},{SCHEME}={sign(secret, timestamp, body)}"


def delivery_headers(
    secret: str,
    body: bytes | str,
    *,
    event_id: str,
    event_type: str,
    delivery_id: str,
    timestamp: int,
) -> dict[str, str]:
    """Every header of one attempt: the signature, the event and the delivery."""
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(secret, body, timestamp),
        EVENT_ID_HEADER: event_id,
        EVENT_TYPE_HEADER: event_type,
        DELIVERY_ID_HEADER: delivery_id,
    }


def _parse(header: str) -> tuple[int | None, list[str]]:
    """The timestamp and every `v1` signature of a header (several: a rotated secret)."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value)
    return timestamp, signatures


def verify(
    secret: str,
    header: str | None,
    body: bytes | str,
    tolerance_s: float = TOLERANCE_S,
    now: datetime | float | None = None,
) -> bool:
    """True when `header` (the `Postcraft-Signature` value) signs `body` (the raw bytes as
    received) with `secret`, at a time within `tolerance_s` of `now` (unix seconds or a
    datetime; default: the clock). Signatures are compared in constant time."""
    if not header:
        return False
    timestamp, signatures = _parse(header)
    if timestamp is None or not signatures:
        return False
    at = time.time() if now is None else now.timestamp() if isinstance(now, datetime) else now
    if abs(at - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).encode("ascii")
    # Every candidate is compared (no early exit), each in constant time; as bytes, since
    # compare_digest refuses non-ASCII text.
    matches = [hmac.compare_digest(expected, s.encode("utf-8", "replace")) for s in signatures]
    return any(matches)
