"""Who is looking at the review page: the browser session behind its cookie (HttpOnly,
SameSite=Lax; Secure over HTTPS), with the same person, role and brands as the API key it was
opened with, and the CSRF check every form goes through (the session's token, sent back in a
hidden field or the `X-CSRF-Token` header)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Response

from api.deps import RuntimeDep
from api.web.i18n import translator
from api.web.render import CsrfRefusedError, SignInRequiredError, language
from storage.access import Principal
from storage.enums import Role
from storage.web import signed_in

SESSION_COOKIE = "postcraft_session"
LOGIN_CSRF_COOKIE = "postcraft_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Viewer:
    """A signed-in browser: its principal, its CSRF token, its language and words."""

    principal: Principal
    csrf_token: str
    lang: str
    t: Callable[..., str]


def get_viewer(request: Request, runtime: RuntimeDep) -> Viewer:
    """The signed-in viewer, or SignInRequiredError (the route answers with the sign-in form)."""
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not secret or len(secret) > 200:
        raise SignInRequiredError
    with runtime.reads() as session:
        found = signed_in(session, secret)
    if found is None or found.principal.role is Role.RESPONDER:
        raise SignInRequiredError
    lang = language(request)
    return Viewer(found.principal, found.csrf_token, lang, translator(lang))


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def check_csrf(expected: str, sent: str | None) -> None:
    """CsrfRefusedError unless `sent` is the expected token (compared in constant time)."""
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfRefusedError


def form_token(request: Request, field: str | None) -> str | None:
    """The CSRF token a request sent: the form field, else the header (htmx)."""
    return field or request.headers.get(CSRF_HEADER)


def set_session_cookie(
    response: Response, request: Request, secret: str, expires_at: datetime
) -> None:
    """The session's cookie: HttpOnly, SameSite=Lax, Secure when the page came over HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        expires=expires_at,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def login_csrf(request: Request) -> str:
    """The sign-in form's token (no session yet): the browser's cookie, or a new one."""
    current = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return current if 20 <= len(current) <= 100 else secrets.token_urlsafe(32)


def set_login_csrf(response: Response, request: Request, token: str) -> None:
    """Keep the sign-in form's token in a cookie too (checked against the field)."""
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/app",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
