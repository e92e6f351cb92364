"""One-time login links to the review page, for the CLI and the demo to print."""

from __future__ import annotations

from datetime import timedelta

from generators.runtime import Runtime
from storage.db import transaction
from storage.settings import Settings
from storage.web import issue_login


def base_url(settings: Settings) -> str:
    """Where people open the service: POSTCRAFT_PUBLIC_URL, else the host and port it binds."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # noqa: S104
    return f"http://{host}:{settings.port}"


def login_link(rt: Runtime, api_key_id: str, url: str | None = None) -> str:
    """A link that signs a browser in once as the key's person, good for
    POSTCRAFT_LOGIN_LINK_MINUTES; `url` is the service's address (default: `base_url`)."""
    ttl = timedelta(minutes=rt.settings.login_link_minutes)
    with transaction(rt.sessions) as session:
        secret = issue_login(session, api_key_id, ttl)
    return f"{(url or base_url(rt.settings)).rstrip('/')}/app/login/{secret}"
