"""Brands: list, read and create (admins) within the caller's workspace and scope."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import PrincipalDep, RuntimeDep, SessionDep
from api.schemas import BrandCreate, BrandRead
from brand_voice.brands import create_brand
from storage.access import brands_in_scope, get_brand
from storage.db import transaction
from storage.enums import Role

router = APIRouter(prefix="/v1/brands", tags=["brands"])


@router.get("")
def list_brands(principal: PrincipalDep, session: SessionDep) -> list[BrandRead]:
    """The brands your key may act on."""
    return [BrandRead.of(b) for b in session.scalars(brands_in_scope(principal))]


@router.get("/{brand_id}")
def read_brand(brand_id: str, principal: PrincipalDep, session: SessionDep) -> BrandRead:
    """One brand (404 when it is not among yours)."""
    return BrandRead.of(get_brand(session, principal, brand_id))


@router.post("", status_code=status.HTTP_201_CREATED)
def add_brand(body: BrandCreate, principal: PrincipalDep, runtime: RuntimeDep) -> BrandRead:
    """Create a brand in your workspace (admins only)."""
    principal.require_role(Role.ADMIN)
    with transaction(runtime.sessions) as session:
        brand = create_brand(session, principal.workspace_id, body.name, body.slug, body.profile)
    return BrandRead.of(brand)
