"""Exports for publishing tools: a plan as an iCalendar file, a brand's approved drafts as CSV
(see docs/exports.md)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BeforeValidator

from api.deps import BrandId, PlanId, PrincipalDep, SessionDep
from api.edge import CheckedRoute
from api.errors import error_responses
from approval.export_repository import approved_drafts, find_plan, plan_export
from approval.exports import day_bounds, drafts_csv, plan_calendar
from brand_voice.profile import BrandProfile
from storage.access import get_brand
from storage.enums import ReviewState
from storage.errors import ErrorCode, PostcraftError

router = APIRouter(
    prefix="/v1",
    tags=["exports"],
    route_class=CheckedRoute,
    responses=error_responses(401, 404, 422, 503),
)

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    """Only `YYYY-MM-DD` (pydantic alone would also take `0` or a date-time)."""
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("give a date as YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]


def _attachment(body: str, media_type: str, filename: str) -> Response:
    return Response(
        body.encode("utf-8", "replace"),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-cache",
        },
    )


@router.get(
    "/plans/{plan_id}/calendar.ics",
    response_class=Response,
    responses={
        200: {
            "content": {"text/calendar": {"schema": {"type": "string"}}},
            "description": "The plan as an iCalendar (RFC 5545) file, one event per item",
        }
    },
)
def plan_ics(
    plan_id: PlanId,
    principal: PrincipalDep,
    session: SessionDep,
    state: Annotated[
        ReviewState | None,
        Query(description="Only items in this review state (default: all but rejected ones)"),
    ] = None,
) -> Response:
    """The plan as a calendar to import: one 30-minute event per item at its time (UTC), its
    rubric and topic as the title, its briefs and, once approved, the post's text. Approved
    items are CONFIRMED, the others TENTATIVE (rejected ones, asked for, CANCELLED)."""
    export = plan_export(session, principal, plan_id, state)
    if export is None:
        raise PostcraftError(ErrorCode.PLAN_NOT_FOUND, f"No plan {plan_id} among your brands")
    plan = export.plan
    text = plan_calendar(plan, export.items, export.drafts_by_item, plan.brand_name)
    filename = f"{plan.brand_slug}-plan-{plan.starts_on.isoformat()}.ics"
    return _attachment(text, "text/calendar; charset=utf-8", filename)


@router.get(
    "/brands/{brand_id}/exports/drafts.csv",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "The approved drafts as CSV (UTF-8, a header row, CRLF)",
        }
    },
)
def drafts_export(
    brand_id: BrandId,
    principal: PrincipalDep,
    session: SessionDep,
    plan_id: Annotated[
        str | None, Query(pattern=_UUID, description="Only the drafts of this plan's items")
    ] = None,
    since: Annotated[
        Day | None,
        Query(description="From this day on (YYYY-MM-DD, the brand's time zone, included)"),
    ] = None,
    until: Annotated[Day | None, Query(description="Up to this day (YYYY-MM-DD, included)")] = None,
    encoding: Annotated[
        Literal["utf-8", "utf-8-sig"],
        Query(description="utf-8-sig starts the file with a byte order mark, for Excel"),
    ] = "utf-8",
) -> Response:
    """The brand's approved drafts, one row each: when it is scheduled (if a plan item queued
    it), its parts, the text as it will be published, its rubric and topic. A day range bounds
    the scheduled day, or for a draft from no plan the day it was approved."""
    brand = get_brand(session, principal, brand_id)
    if plan_id is not None:
        plan = find_plan(session, principal, plan_id)
        if plan is None or plan.brand_id != brand.id:
            raise PostcraftError(ErrorCode.PLAN_NOT_FOUND, f"No plan {plan_id} in this brand")
    zone = BrandProfile.model_validate(brand.profile).zone()
    start, end = day_bounds(since, until, zone)
    rows = approved_drafts(session, principal, brand.id, plan_id, start, end)
    text = drafts_csv(rows, bom=encoding == "utf-8-sig")
    return _attachment(text, "text/csv; charset=utf-8", f"{brand.slug}-approved-drafts.csv")
