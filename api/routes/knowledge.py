"""A brand's knowledge: its versioned profile, ingested sources, and search by meaning."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status

from api.deps import BrandId, ExpectedVersion, PrincipalDep, RuntimeDep, SessionDep
from api.edge import CheckedRoute
from api.errors import error_responses
from api.knowledge_schemas import (
    GuideJson,
    ProfileRead,
    SearchHit,
    SourceJson,
    SourceRead,
    SourcesRead,
)
from api.schemas import JobRead
from api.submit import SUBMIT_RESPONSES, SubmitDep
from brand_voice.brands import profile_versions, update_profile
from brand_voice.profile import BrandProfile
from brand_voice.sources import Upload, brand_sources, document_counts, parse_upload
from retrieval.context import ContextRequest, rank
from storage.access import get_brand
from storage.enums import DocumentKind, JobKind, Platform, Role
from storage.errors import ErrorCode, PostcraftError

router = APIRouter(
    prefix="/v1/brands/{brand_id}",
    tags=["brand knowledge"],
    route_class=CheckedRoute,
    responses=error_responses(401, 404, 422, 503),
)


@router.get("/profile")
def read_profile(brand_id: BrandId, principal: PrincipalDep, session: SessionDep) -> ProfileRead:
    """The brand's current profile and its version (send it back in If-Match when editing)."""
    brand = get_brand(session, principal, brand_id)
    return ProfileRead.of(profile_versions(session, brand.id)[0])


@router.put("/profile", responses=error_responses(403, 412, 413))
def edit_profile(
    brand_id: BrandId,
    body: BrandProfile,
    principal: PrincipalDep,
    session: SessionDep,
    response: Response,
    expected: ExpectedVersion,
) -> ProfileRead:
    """Save the profile as a new version (admins and managers)."""
    principal.require_role(Role.ADMIN, Role.MANAGER)
    brand = get_brand(session, principal, brand_id)
    update_profile(session, brand, body, expected, principal.user_id)
    latest = profile_versions(session, brand.id)[0]
    session.commit()
    response.headers["ETag"] = f'"{latest.version}"'
    return ProfileRead.of(latest)


@router.get("/profile/versions")
def list_profile_versions(
    brand_id: BrandId, principal: PrincipalDep, session: SessionDep
) -> list[ProfileRead]:
    """Every version of the profile, newest first."""
    brand = get_brand(session, principal, brand_id)
    return [ProfileRead.of(v) for v in profile_versions(session, brand.id)]


@router.get("/sources")
def list_sources(brand_id: BrandId, principal: PrincipalDep, session: SessionDep) -> SourcesRead:
    """The brand's ingested sources, newest first, and its document counts by kind."""
    brand = get_brand(session, principal, brand_id)
    return SourcesRead(
        documents=document_counts(session, brand.id),
        sources=[SourceRead.of(s) for s in brand_sources(session, brand.id)],
    )


@router.post(
    "/sources",
    status_code=status.HTTP_202_ACCEPTED,
    responses=SUBMIT_RESPONSES,
)
def upload_source(
    brand_id: BrandId,
    file: Annotated[UploadFile, File(description="Guide: .md .txt .docx .pdf; posts: .csv .json")],
    kind: Annotated[DocumentKind, Form(description="voice_guide, post or competitor")],
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    submit: SubmitDep,
    platform: Annotated[Platform | None, Form(description="For files that do not say")] = None,
    competitor: Annotated[str | None, Form(max_length=200)] = None,
) -> JobRead:
    """Upload a file; it is checked now (4xx naming the line or field) and ingested by a job."""
    brand = get_brand(session, principal, brand_id)
    limit = runtime.settings.max_upload_mb * 1024 * 1024
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PostcraftError(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"{file.filename} is larger than {runtime.settings.max_upload_mb} MB: split it",
        )
    upload = Upload(kind, file.filename or "upload", data, competitor, platform)
    payload = parse_upload(upload)
    return submit(brand, JobKind.INGEST, {"source": payload.model_dump(mode="json")})


@router.post("/sources/json", status_code=status.HTTP_202_ACCEPTED, responses=SUBMIT_RESPONSES)
def upload_source_json(
    brand_id: BrandId,
    body: SourceJson,
    principal: PrincipalDep,
    session: SessionDep,
    submit: SubmitDep,
) -> JobRead:
    """The same as a file upload, as JSON: posts in the documented fields, or a guide's text."""
    brand = get_brand(session, principal, brand_id)
    if isinstance(body, GuideJson):
        upload = Upload(body.kind, body.name, body.text.encode())
    else:
        data = json.dumps({"posts": body.posts}, ensure_ascii=False).encode()
        name = body.name if body.name.endswith(".json") else f"{body.name}.json"
        upload = Upload(body.kind, name, data, body.competitor, body.platform)
    return submit(brand, JobKind.INGEST, {"source": parse_upload(upload).model_dump(mode="json")})


@router.get("/search")
def search(
    brand_id: BrandId,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    q: Annotated[str, Query(min_length=2, max_length=500, description="What to look for")],
    kind: DocumentKind = DocumentKind.POST,
    platform: Platform | None = None,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[SearchHit]:
    """The brand's knowledge closest in meaning to `q`, any language (engagement breaks ties)."""
    brand = get_brand(session, principal, brand_id)
    request = ContextRequest(q, platform=platform.value if platform else None)
    hits = runtime.store.search(brand.id, kind, q, max(k * 2, 10))
    return [SearchHit.of(item) for item in rank(kind, hits, request)[:k]]
