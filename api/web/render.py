"""Rendering the review page: one Jinja environment (autoescaped: every text from a draft, a
model or a person is shown as text, never as HTML), the words of the viewer's language, and
the route class that turns any error into a page instead of JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from api.edge import CheckedRoute
from api.errors import STATUS
from api.web.i18n import pick_language, translator
from storage.errors import PostcraftError

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
LANG_COOKIE = "lang"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": POLICY,  # no script but the page's own files, no framing
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class SignInRequiredError(Exception):
    """The page needs a signed-in browser: answered with a redirect to the sign-in form."""


class CsrfRefusedError(Exception):
    """A form without the session's CSRF token: answered 403 with a page saying what to do."""


def language(request: Request) -> str:
    """The viewer's language: the `lang` cookie, else the browser's, else English."""
    return pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A template rendered in the viewer's language (`t`, `lang` and `path` in its context)."""
    lang = language(request)
    return templates.TemplateResponse(
        request,
        template,
        {"t": translator(lang), "lang": lang, "path": request.url.path, **context},
        status_code=status_code,
        headers=PAGE_HEADERS,
    )


def problem_page(request: Request, status_code: int, detail: str) -> HTMLResponse:
    """What went wrong, in words, with a way back."""
    return page(request, "problem.html", status_code, detail=detail, viewer=None)


class WebRoute(CheckedRoute):
    """A page's route: control characters refused as in the API, and every refusal an HTML
    page (a sign-in redirect, 403 for a missing CSRF token, the error's own status)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def rendered(request: Request) -> Response:
            try:
                return await handle(request)
            except SignInRequiredError:
                target = request.url.path
                return RedirectResponse(f"/app/login?next={target}", status_code=303)
            except CsrfRefusedError:
                return problem_page(request, 403, translator(language(request))("csrf"))
            except PostcraftError as error:
                return problem_page(request, STATUS[error.code], error.detail)
            except RequestValidationError as error:
                fields = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:5]
                )
                return problem_page(request, 422, fields)

        return rendered
