"""The review page's reads: sign-in, the brands and their plans, a plan's calendar, an item, a
draft, a job's live status and a brand's edit-distance trend. Every query goes through the
same lookups and repositories as the API, with the viewer's principal (its role and brands)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from api.deps import BrandId, DraftId, JobId, PlanId, PlanItemId, RuntimeDep
from api.lookups import (
    item_read,
    plan_read,
    plan_summaries,
    visible_draft,
    visible_item,
    visible_plan,
)
from api.review_schemas import AuditRead
from api.routes.drafts import draft_card
from api.schemas import DraftRead, JobRead
from api.web.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    ViewerDep,
    check_csrf,
    login_csrf,
    set_login_csrf,
    set_session_cookie,
)
from api.web.i18n import LANGUAGES, translator
from api.web.render import LANG_COOKIE, WebRoute, language, page
from api.web.views import differences, highlighted, rubric_colours, shares, trend, weeks
from approval.repository import edit_figures, edit_trend, subject_trail
from storage.access import authenticate, brands_in_scope, get_brand
from storage.drafts import brand_drafts, draft_versions
from storage.enums import ReviewState, Role, Subject
from storage.errors import ErrorCode, PostcraftError
from storage.jobs import find_visible_job
from storage.models import Brand
from storage.web import close_session, open_session, redeem_login

router = APIRouter(prefix="/app", route_class=WebRoute, include_in_schema=False)
View = Literal["week", "month"]


def _local(next_path: str) -> str:
    """A redirect target on this site only (no other host, no scheme)."""
    if next_path.startswith("/app") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return "/app"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/app") -> Response:
    """The sign-in form: an API key, or the hint to use a login link."""
    token = login_csrf(request)
    response = page(request, "login.html", viewer=None, csrf=token, next=_local(next), error="")
    set_login_csrf(response, request, token)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    runtime: RuntimeDep,
    api_key: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/app",
) -> Response:
    """Sign in with an API key: a session with that key's person, role and brands."""
    check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token)
    try:
        with runtime.reads() as session:
            principal = authenticate(session, api_key.strip())
        if principal.role is Role.RESPONDER:  # the extension's key: reply suggestions only
            raise PostcraftError(ErrorCode.FORBIDDEN, "a responder's key")
    except PostcraftError:
        t = translator(language(request))
        return page(
            request, "login.html", 401, viewer=None, csrf=csrf_token, next=_local(next),
            error=t("bad_key"),
        )  # fmt: skip
    return _signed_in(request, runtime, principal.api_key_id, _local(next))


@router.get("/login/{secret}", response_class=HTMLResponse)
def login_link(request: Request, runtime: RuntimeDep, secret: str) -> Response:
    """Sign in with a one-time link from `postcraft login-link` (it works once)."""
    with runtime.sessions() as session:
        key_id = redeem_login(session, secret) if len(secret) <= 200 else None
        session.commit()
    if key_id is None:
        token = login_csrf(request)
        t = translator(language(request))
        response = page(
            request, "login.html", 401, viewer=None, csrf=token, next="/app", error=t("bad_link")
        )
        set_login_csrf(response, request, token)
        return response
    return _signed_in(request, runtime, key_id, "/app")


def _signed_in(request: Request, runtime: RuntimeDep, key_id: str, target: str) -> Response:
    hours = runtime.settings.web_session_hours
    with runtime.sessions() as session:
        opened = open_session(session, key_id, timedelta(hours=hours))
        session.commit()
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, opened.secret, opened.expires_at)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/app")
    return response


@router.post("/logout")
def logout(
    request: Request,
    runtime: RuntimeDep,
    viewer: ViewerDep,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
) -> Response:
    """Sign out: the session ends on the server too."""
    check_csrf(viewer.csrf_token, csrf_token)
    with runtime.sessions() as session:
        close_session(session, request.cookies.get(SESSION_COOKIE, ""))
        session.commit()
    response = RedirectResponse("/app/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/app") -> Response:
    """Show the page in another language from now on (a cookie)."""
    response = RedirectResponse(_local(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, path="/", samesite="lax")
    return response


@router.get("", response_class=HTMLResponse)
def home(request: Request, runtime: RuntimeDep, viewer: ViewerDep) -> Response:
    """The viewer's brands, each with its latest plans and the drafts waiting for review."""
    principal = viewer.principal
    with runtime.reads() as session:
        brands = list(session.scalars(brands_in_scope(principal).order_by(Brand.name)))
        rows = [
            (
                brand,
                plan_summaries(session, principal, brand.id, 10, None),
                brand_drafts(session, principal, brand.id, 20, state=ReviewState.IN_REVIEW),
            )
            for brand in brands
        ]
    return page(request, "home.html", viewer=viewer, rows=rows)


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    runtime: RuntimeDep,
    viewer: ViewerDep,
    plan_id: PlanId,
    view: Annotated[View, Query()] = "week",
) -> Response:
    """A plan as a week or month calendar, rubric colours, shares against targets, checks."""
    with runtime.reads() as session:
        plan = plan_read(session, visible_plan(session, viewer.principal, plan_id))
        trail = [AuditRead.of(e) for e in subject_trail(session, Subject.PLAN, plan.id)]
    return page(
        request, "plan.html", viewer=viewer, plan=plan, view=view, weeks=weeks(plan, view),
        shares=shares(plan), colours=rubric_colours(plan), trail=trail,
    )  # fmt: skip


@router.get("/plan-items/{item_id}", response_class=HTMLResponse)
def item_page(
    request: Request, runtime: RuntimeDep, viewer: ViewerDep, item_id: PlanItemId
) -> Response:
    """One item: its slot, topic and briefs, its drafts, the moves it allows, its trail."""
    with runtime.reads() as session:
        item = item_read(session, visible_item(session, viewer.principal, item_id))
        trail = [AuditRead.of(e) for e in subject_trail(session, Subject.PLAN_ITEM, item.id)]
        job = _job(session, viewer, item.draft_job_id) if item.draft_job_id else None
    return page(request, "item.html", viewer=viewer, item=item, trail=trail, job=job)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(
    request: Request,
    runtime: RuntimeDep,
    viewer: ViewerDep,
    draft_id: DraftId,
    job: Annotated[str | None, Query(pattern=r"^[0-9a-f-]{36}$")] = None,
) -> Response:
    """One draft as it will be published, its checks, sources, versions and trail."""
    return draft_view(request, runtime, viewer, draft_id, job)


def draft_view(
    request: Request,
    runtime: RuntimeDep,
    viewer: ViewerDep,
    draft_id: str,
    job_id: str | None,
    status_code: int = 200,
    **extra: object,
) -> HTMLResponse:
    """The draft page (also after a refused action: `extra` says what happened)."""
    with runtime.reads() as session:
        draft = DraftRead.of(visible_draft(session, viewer.principal, draft_id))
        versions = draft_versions(session, draft.id)
        trail = [AuditRead.of(e) for e in subject_trail(session, Subject.DRAFT, draft.id)]
        job = _job(session, viewer, job_id) if job_id else None
    texts = [
        (v, "\n\n".join(p for p in (v.headline, v.body, v.call_to_action) if p)) for v in versions
    ]
    history = [
        (version, differences(texts[n + 1][1], text) if n + 1 < len(texts) else [])
        for n, (version, text) in enumerate(texts)
    ]
    report = draft.validation
    return page(
        request, "draft.html", status_code, viewer=viewer, draft=draft, report=report,
        segments=highlighted(draft.text, list(report.get("violations", []))),
        history=history, trail=trail, job=job, **extra,
    )  # fmt: skip


def _job(session: Session, viewer: ViewerDep, job_id: str) -> JobRead | None:
    found = find_visible_job(session, viewer.principal, job_id)
    return JobRead.of(*found) if found is not None else None


@router.get("/jobs/{job_id}/status", response_class=HTMLResponse)
def job_status(request: Request, runtime: RuntimeDep, viewer: ViewerDep, job_id: JobId) -> Response:
    """A job's status line, polled by the page until the job ends (htmx)."""
    with runtime.reads() as session:
        job = _job(session, viewer, job_id)
    if job is None:
        return page(request, "job_status.html", 404, viewer=viewer, job=None)
    return page(request, "job_status.html", viewer=viewer, job=job)


@router.get("/drafts/{draft_id}/card.png")
def card(runtime: RuntimeDep, viewer: ViewerDep, draft_id: DraftId) -> Response:
    """The draft's image card (as the API's `card.png`, for the signed-in browser)."""
    with runtime.reads() as session:
        draft = visible_draft(session, viewer.principal, draft_id)
        brand = get_brand(session, viewer.principal, draft.brand_id)
    rendered = draft_card(draft, brand)
    return Response(rendered.png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/brands/{brand_id}/learning", response_class=HTMLResponse)
def learning_page(
    request: Request, runtime: RuntimeDep, viewer: ViewerDep, brand_id: BrandId
) -> Response:
    """The brand's edit-distance trend by week, and per platform."""
    with runtime.reads() as session:
        brand = get_brand(session, viewer.principal, brand_id)
        approvals = edit_trend(session, brand.id)
        figures = edit_figures(session, brand.id)
    per_platform: dict[str, list[float]] = {}
    for platform, _, ratio in figures:
        per_platform.setdefault(platform.value, []).append(ratio)
    return page(
        request, "learning.html", viewer=viewer, brand=brand, trend=trend(approvals),
        platforms=sorted(per_platform.items()),
    )  # fmt: skip
