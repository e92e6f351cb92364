"""Signing a test client in to the review page as a person does: the form's CSRF token from
the sign-in page, then the API key."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The first CSRF token a page's forms carry."""
    found = CSRF.search(html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Sign `client` in with the key; the session's CSRF token (from the home page)."""
    form = client.get("/app/login")
    assert form.status_code == 200, form.text
    answer = client.post(
        "/app/login",
        data={"api_key": key, "csrf_token": csrf_of(form.text), "next": "/app"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    home = client.get("/app")
    assert home.status_code == 200, home.text
    return csrf_of(home.text)
