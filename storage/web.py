"""The review page's sign-in, in one place: one-time login links, browser sessions and their
CSRF tokens (rows in storage/web_models.py; only digests of the secrets are kept)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.access import Principal, hash_key, key_principal
from storage.models import utcnow
from storage.web_models import WebLogin, WebSession

LOGIN_PREFIX = "pl_"
SESSION_PREFIX = "ps_"


def issue_login(session: Session, api_key_id: str, ttl: timedelta) -> str:
    """A one-time login secret for the key, good for `ttl` (its digest stored)."""
    secret = LOGIN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        WebLogin(token_hash=hash_key(secret), api_key_id=api_key_id, expires_at=utcnow() + ttl)
    )
    session.flush()
    return secret


def redeem_login(session: Session, secret: str) -> str | None:
    """The key id of an unused, unexpired login secret, marking it used (a compare-and-set:
    of two browsers opening one link at once, one signs in); None otherwise."""
    now = utcnow()
    digest = hash_key(secret)
    used = session.execute(
        update(WebLogin)
        .where(WebLogin.token_hash == digest, WebLogin.used_at.is_(None), WebLogin.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.scalar(select(WebLogin.api_key_id).where(WebLogin.token_hash == digest))


@dataclass(frozen=True)
class OpenedSession:
    """A new browser session: the cookie's secret, its CSRF token, when it ends."""

    secret: str
    csrf_token: str
    expires_at: datetime


def open_session(session: Session, api_key_id: str, ttl: timedelta) -> OpenedSession:
    """A browser session for the key, good for `ttl`; expired sessions are cleared meanwhile."""
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    opened = OpenedSession(
        SESSION_PREFIX + secrets.token_urlsafe(32), secrets.token_urlsafe(32), now + ttl
    )
    session.add(
        WebSession(
            token_hash=hash_key(opened.secret),
            api_key_id=api_key_id,
            csrf_token=opened.csrf_token,
            expires_at=opened.expires_at,
        )
    )
    session.flush()
    return opened


@dataclass(frozen=True)
class SignedIn:
    """A live browser session's person (as its key's principal) and CSRF token."""

    principal: Principal
    csrf_token: str


def signed_in(session: Session, secret: str) -> SignedIn | None:
    """The session of a cookie's secret while it holds and its key is not revoked, else None."""
    row = session.scalar(
        select(WebSession).where(
            WebSession.token_hash == hash_key(secret), WebSession.expires_at > utcnow()
        )
    )
    if row is None:
        return None
    principal = key_principal(session, row.api_key_id)
    return SignedIn(principal, row.csrf_token) if principal is not None else None


def close_session(session: Session, secret: str) -> None:
    """End the browser session of a cookie's secret (nothing if there is none)."""
    session.execute(delete(WebSession).where(WebSession.token_hash == hash_key(secret)))
