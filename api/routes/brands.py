"""Brands: list, read and create (admins) within the caller's workspace and scope."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import BrandId, PrincipalDep, RuntimeDep, SessionDep
from api.edge import CheckedRoute
from api.errors import error_responses
from api.schemas import BrandCreate, BrandRead, BrandUsageRead, QuotaRead
from brand_voice.brands import create_brand
from storage.access import brands_in_scope, get_brand
from storage.enums import Role
from storage.quotas import QuotaLimits, brand_usage, standings

router = APIRouter(
    prefix="/v1/brands",
    tags=["brands"],
    route_class=CheckedRoute,
    responses=error_responses(401, 422, 503),
)


@router.get("")
def list_brands(principal: PrincipalDep, session: SessionDep) -> list[BrandRead]:
    """The brands your key may act on."""
    return [BrandRead.of(b) for b in session.scalars(brands_in_scope(principal))]


@router.get("/{brand_id}", responses=error_responses(404))
def read_brand(brand_id: BrandId, principal: PrincipalDep, session: SessionDep) -> BrandRead:
    """One brand (404 when it is not among yours)."""
    return BrandRead.of(get_brand(session, principal, brand_id))


@router.get("/{brand_id}/usage", responses=error_responses(404))
def read_brand_usage(
    brand_id: BrandId, principal: PrincipalDep, session: SessionDep, runtime: RuntimeDep
) -> BrandUsageRead:
    """The brand's figures against its quotas (open jobs, jobs a minute, tokens a day): why a
    submission got 429, and when one would pass."""
    brand = get_brand(session, principal, brand_id)
    limits = QuotaLimits.of(runtime.settings)
    usage = brand_usage(session, brand.id, limits)
    active, minute, day = (QuotaRead.of(s) for s in standings(usage, limits))
    return BrandUsageRead(
        brand_id=brand.id,
        at=usage.at,
        active_jobs=active,
        jobs_per_minute=minute,
        tokens_per_day=day,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409, 413))
def add_brand(body: BrandCreate, principal: PrincipalDep, session: SessionDep) -> BrandRead:
    """Create a brand in your workspace (admins only)."""
    principal.require_role(Role.ADMIN)
    brand = create_brand(session, principal.workspace_id, body.name, body.slug, body.profile)
    session.commit()
    return BrandRead.of(brand)
