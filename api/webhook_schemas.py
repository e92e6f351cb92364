"""Request and response bodies of the webhook endpoints and their deliveries."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from storage.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
_PATH_CHARS = r"A-Za-z0-9._~!$&'()*+,;=:@%/-"
URL_PATTERN = (
    rf"^https?://(?:{_LABEL}\.)*{_LABEL}(?::{_PORT})?"
    rf"(?:/[{_PATH_CHARS}]*)?(?:\?[{_PATH_CHARS}?]*)?$"
)
"""An http(s) URL of printable ASCII: a host name or IPv4 address (no user, no IPv6, no
fragment), an optional port, path and query (non-ASCII percent-encoded)."""
URL_MAX = 2000


class WebhookCreate(BaseModel):
    """A new endpoint: the URL that receives the brand's review events."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        max_length=URL_MAX,
        pattern=URL_PATTERN,
        description="http:// or https:// (lowercase scheme); redirects are not followed",
        examples=["https://hooks.example.com/postcraft"],
    )
    description: str = Field(default="", max_length=500, description="What it is for")


class WebhookRead(BaseModel):
    """An endpoint as listed: never its secret."""

    id: str
    brand_id: str
    url: str
    description: str
    active: bool = Field(description="False once deleted: it receives nothing more")
    created_at: datetime
    deactivated_at: datetime | None

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookRead:
        """From the row."""
        return cls(
            id=endpoint.id,
            brand_id=endpoint.brand_id,
            url=endpoint.url,
            description=endpoint.description,
            active=endpoint.active,
            created_at=endpoint.created_at,
            deactivated_at=endpoint.deactivated_at,
        )


class WebhookCreated(WebhookRead):
    """A new endpoint with its signing secret: shown this once, keep it now."""

    secret: str = Field(description="Verifies the Postcraft-Signature header; shown only once")

    @classmethod
    def created(cls, endpoint: WebhookEndpoint) -> WebhookCreated:
        """From the new row, secret included."""
        return cls(**WebhookRead.of(endpoint).model_dump(), secret=endpoint.secret)


class DeliveryRead(BaseModel):
    """One event sent (or being sent) to an endpoint."""

    id: str = Field(description="Sent as Postcraft-Delivery-Id")
    event_id: str = Field(description="The audit event's id, sent as Postcraft-Event-Id")
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None = Field(description="The receiver's last HTTP status")
    last_error: str | None = Field(description="Why the last attempt did not deliver")
    next_attempt_at: datetime | None = Field(description="When pending: the next attempt")
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryRead:
        """From the row."""
        return cls(
            id=delivery.id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status=delivery.status,
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
        )
