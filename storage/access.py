"""Workspaces, people and API keys; the scope a key grants; brand lookups that honour it."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.enums import Role
from storage.errors import ErrorCode, PostcraftError
from storage.models import ApiKey, ApiKeyBrand, Brand, User, Workspace, utcnow

KEY_PREFIX = "pc_"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")


def hash_key(secret: str) -> str:
    """SHA-256 of a key: keys are 256-bit random, so a fast hash is enough and lookups stay O(1)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling and which brands they may touch (None: every brand of the workspace)."""

    workspace_id: str
    user_id: str
    api_key_id: str
    role: Role
    brand_ids: frozenset[str] | None

    def can_see(self, brand_id: str) -> bool:
        """True when this caller's scope includes the brand."""
        return self.brand_ids is None or brand_id in self.brand_ids

    def require_role(self, *roles: Role) -> None:
        """Raise FORBIDDEN unless the caller has one of these roles."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise PostcraftError(
                ErrorCode.FORBIDDEN,
                f"This needs the role {allowed}; your key's role is {self.role}",
            )


def authenticate(session: Session, secret: str) -> Principal:
    """The principal of an API key, or UNAUTHORIZED: the key and its person in one query, its
    brands in a second only when the key is scoped to some."""
    principal = _principal(session, ApiKey.key_hash == hash_key(secret))
    if principal is None:
        raise PostcraftError(
            ErrorCode.UNAUTHORIZED,
            "Unknown or revoked API key: send `Authorization: Bearer pc_...` with a key from "
            "`postcraft keys create`",
        )
    return principal


def key_principal(session: Session, api_key_id: str) -> Principal | None:
    """The principal of the key with this id (a browser session's), None once it is revoked."""
    return _principal(session, ApiKey.id == api_key_id)


def _principal(session: Session, which: ColumnElement[bool]) -> Principal | None:
    row = session.execute(
        select(ApiKey.id, ApiKey.workspace_id, ApiKey.all_brands, User.id, User.role)
        .join(User, User.id == ApiKey.user_id)
        .where(which, ApiKey.revoked_at.is_(None))
    ).one_or_none()
    if row is None:
        return None
    key_id, workspace_id, all_brands, user_id, role = row
    scope: frozenset[str] | None = None
    if not all_brands:
        scope = frozenset(
            session.scalars(select(ApiKeyBrand.brand_id).where(ApiKeyBrand.api_key_id == key_id))
        )
    return Principal(workspace_id, user_id, key_id, role, scope)


def visible_brands(principal: Principal) -> list[ColumnElement[bool]]:
    """The one rule of a caller's scope, as conditions on `brands`: the key's workspace and,
    for a scoped key, its brands."""
    conditions = [Brand.workspace_id == principal.workspace_id]
    if principal.brand_ids is not None:
        conditions.append(Brand.id.in_(principal.brand_ids))
    return conditions


def in_scope(principal: Principal, brand_id: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """A condition on another table: its `brand_id` is a brand this caller may see."""
    return brand_id.in_(select(Brand.id).where(*visible_brands(principal)).scalar_subquery())


def brands_in_scope(principal: Principal) -> Select[Brand]:
    """A query over the brands this caller may see."""
    return select(Brand).where(*visible_brands(principal)).order_by(Brand.name)


def find_brand(session: Session, principal: Principal, brand_id: str) -> Brand | None:
    """The brand if this caller may see it, else None."""
    return session.scalars(brands_in_scope(principal).where(Brand.id == brand_id)).one_or_none()


def check_brand(session: Session, principal: Principal, brand_id: str) -> None:
    """BRAND_NOT_FOUND unless this caller may see the brand (reads its id alone)."""
    visible = session.scalar(
        select(Brand.id).where(Brand.id == brand_id, *visible_brands(principal))
    )
    if visible is None:
        raise PostcraftError(ErrorCode.BRAND_NOT_FOUND, f"No brand {brand_id} among your brands")


def get_brand(session: Session, principal: Principal, brand_id: str) -> Brand:
    """The brand if this caller may see it; otherwise BRAND_NOT_FOUND (never 'forbidden')."""
    brand = find_brand(session, principal, brand_id)
    if brand is None:
        raise PostcraftError(ErrorCode.BRAND_NOT_FOUND, f"No brand {brand_id} among your brands")
    return brand


def create_workspace(session: Session, name: str) -> Workspace:
    """A new workspace (an agency or a company)."""
    workspace = Workspace(name=name)
    session.add(workspace)
    session.flush()
    return workspace


def get_or_create_user(
    session: Session, workspace_id: str, email: str, name: str, role: Role
) -> User:
    """The user with this email in the workspace, created with the role if missing."""
    user = session.scalars(
        select(User).where(User.workspace_id == workspace_id, User.email == email)
    ).one_or_none()
    if user is None:
        user = User(workspace_id=workspace_id, email=email, name=name, role=role)
        session.add(user)
        session.flush()
    return user


@dataclass(frozen=True)
class IssuedKey:
    """A new key: the secret is shown once and never stored."""

    key: ApiKey
    secret: str


def issue_key(session: Session, user: User, name: str, brand_ids: list[str] | None) -> IssuedKey:
    """Create an API key for a user, for all brands (None) or for the listed ones."""
    if brand_ids is not None:
        known = set(
            session.scalars(
                select(Brand.id).where(
                    Brand.workspace_id == user.workspace_id, Brand.id.in_(brand_ids)
                )
            )
        )
        missing = sorted(set(brand_ids) - known)
        if missing:
            raise PostcraftError(
                ErrorCode.BRAND_NOT_FOUND, f"No brand {', '.join(missing)} in this workspace"
            )
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        workspace_id=user.workspace_id,
        user_id=user.id,
        name=name,
        prefix=secret[:10],
        key_hash=hash_key(secret),
        all_brands=brand_ids is None,
        created_at=utcnow(),
    )
    session.add(key)
    session.flush()
    for brand_id in brand_ids or []:
        session.add(ApiKeyBrand(api_key_id=key.id, brand_id=brand_id))
    session.flush()
    return IssuedKey(key, secret)


def workspace_keys(session: Session, workspace_id: str) -> list[tuple[ApiKey, User]]:
    """The workspace's API keys, revoked ones too, with their people, newest first."""
    rows = session.execute(
        select(ApiKey, User)
        .join(User, User.id == ApiKey.user_id)
        .where(ApiKey.workspace_id == workspace_id)
        .order_by(ApiKey.created_at.desc())
    )
    return [(key, user) for key, user in rows]


def revoke_key(session: Session, workspace_id: str, prefix: str) -> ApiKey:
    """Revoke the workspace's key that starts with `prefix` (as `postcraft keys list` shows it).
    API processes that checked it lately accept it for up to POSTCRAFT_AUTH_CACHE_S more."""
    key = key_by_prefix(session, workspace_id, prefix)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    return key


def key_by_prefix(session: Session, workspace_id: str, prefix: str) -> ApiKey:
    """The workspace's one key that starts with `prefix` (as `postcraft keys list` shows it);
    INVALID_REQUEST when none or several do."""
    keys = list(
        session.scalars(
            select(ApiKey).where(
                ApiKey.workspace_id == workspace_id,
                ApiKey.prefix.startswith(prefix, autoescape=True),
            )
        )
    )
    if len(keys) != 1:
        found = "no key" if not keys else f"{len(keys)} keys"
        raise PostcraftError(
            ErrorCode.INVALID_REQUEST,
            f"{found} of this workspace start with {prefix!r}: "
            "give the prefix `postcraft keys list` shows",
        )
    return keys[0]
