"""Webhook endpoints of a brand over HTTP: register one (its secret shown once), list them,
deactivate one, and read what was delivered to it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from sqlalchemy.orm import Session

from api.deps import BrandId, PrincipalDep, SessionDep
from api.edge import CheckedRoute
from api.errors import error_responses
from api.webhook_schemas import DeliveryRead, WebhookCreate, WebhookCreated, WebhookRead
from storage.access import check_brand
from storage.enums import Role
from storage.errors import ErrorCode, PostcraftError
from storage.models import WebhookEndpoint, utcnow
from webhooks.repository import (
    brand_endpoints,
    create_endpoint,
    deactivate_endpoint,
    endpoint_deliveries,
    find_endpoint,
)

router = APIRouter(
    prefix="/v1/brands/{brand_id}/webhooks",
    tags=["webhooks"],
    route_class=CheckedRoute,
    responses=error_responses(401, 404, 422, 503),
)

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
WebhookId = Annotated[str, Path(pattern=_UUID, description="The webhook endpoint's id (a UUID)")]
WRITERS = (Role.ADMIN, Role.MANAGER)


def _endpoint(session: Session, brand_id: str, webhook_id: str) -> WebhookEndpoint:
    endpoint = find_endpoint(session, brand_id, webhook_id)
    if endpoint is None:
        raise PostcraftError(
            ErrorCode.WEBHOOK_NOT_FOUND, f"No webhook {webhook_id} in brand {brand_id}"
        )
    return endpoint


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 413))
def add_webhook(
    brand_id: BrandId, body: WebhookCreate, principal: PrincipalDep, session: SessionDep
) -> WebhookCreated:
    """Register a URL that receives the brand's review events (admins and managers). The
    answer holds the signing `secret`, shown this once: keep it to verify
    `Postcraft-Signature` (docs/webhooks.md)."""
    check_brand(session, principal, brand_id)
    principal.require_role(*WRITERS)
    endpoint = create_endpoint(
        session, principal.workspace_id, brand_id, body.url, body.description, principal.user_id
    )
    session.commit()
    return WebhookCreated.created(endpoint)


@router.get("")
def list_webhooks(
    brand_id: BrandId, principal: PrincipalDep, session: SessionDep
) -> list[WebhookRead]:
    """The brand's endpoints, deactivated ones too, newest first (never their secrets)."""
    check_brand(session, principal, brand_id)
    return [WebhookRead.of(e) for e in brand_endpoints(session, brand_id)]


@router.delete("/{webhook_id}", responses=error_responses(403))
def delete_webhook(
    brand_id: BrandId, webhook_id: WebhookId, principal: PrincipalDep, session: SessionDep
) -> WebhookRead:
    """Deactivate the endpoint (admins and managers): it receives no more events, and its
    pending deliveries fail. Its delivery records stay readable."""
    check_brand(session, principal, brand_id)
    principal.require_role(*WRITERS)
    endpoint = _endpoint(session, brand_id, webhook_id)
    deactivate_endpoint(session, endpoint, utcnow())
    session.commit()
    return WebhookRead.of(endpoint)


@router.get("/{webhook_id}/deliveries")
def list_deliveries(
    brand_id: BrandId,
    webhook_id: WebhookId,
    principal: PrincipalDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Deliveries to list")] = 50,
) -> list[DeliveryRead]:
    """The endpoint's deliveries, newest first: status, attempts, the receiver's last status
    code or the last error, the next attempt of a pending one."""
    check_brand(session, principal, brand_id)
    endpoint = _endpoint(session, brand_id, webhook_id)
    return [DeliveryRead.of(d) for d in endpoint_deliveries(session, endpoint.id, limit)]
