"""Bad input at the front door: a clear 4xx in the one error shape, never a 5xx."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from generators.runtime import Runtime
from storage.jobs import find_job
from tests.conftest import World, auth

TOPIC = {"topic": "Autumn menu", "platforms": ["x"]}


def _fields(answer: Any) -> list[str]:
    """The offending fields of a 422, checked against the documented shape as it goes."""
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert set(body) == {"error", "detail", "fields"}, body
    assert body["error"] == "invalid_request"
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return [f["field"] for f in body["fields"]]


def test_an_empty_idempotency_key_counts_as_none(api: TestClient, world: World) -> None:
    headers = {**auth(world.key_b), "Idempotency-Key": ""}
    first = api.post(f"/v1/brands/{world.brand_b}/drafts", json=TOPIC, headers=headers)
    second = api.post(f"/v1/brands/{world.brand_b}/drafts", json=TOPIC, headers=headers)
    assert (first.status_code, second.status_code) == (202, 202), second.text
    assert first.json()["id"] != second.json()["id"], "no key: two requests, two jobs"
    spaced = api.post(
        f"/v1/brands/{world.brand_b}/drafts",
        json=TOPIC,
        headers={**auth(world.key_b), "Idempotency-Key": "has space"},
    )
    assert _fields(spaced) == ["header.Idempotency-Key"]


def test_empty_auth_headers_are_unauthorized_not_errors(api: TestClient, world: World) -> None:
    for headers in ({"Authorization": ""}, {"X-API-Key": ""}, {"Authorization": "Bearer "}):
        answer = api.get("/v1/brands", headers=headers)
        assert answer.status_code == 401, (headers, answer.text)
        assert answer.json()["error"] == "unauthorized"


def test_an_empty_if_match_is_no_condition(api: TestClient, world: World) -> None:
    url = f"/v1/brands/{world.brand_a}/profile"
    profile = api.get(url, headers=auth(world.admin_key)).json()["profile"]
    profile["usp"] = "Roasted on Mondays"
    saved = api.put(url, json=profile, headers={**auth(world.admin_key), "If-Match": ""})
    assert saved.status_code == 200, saved.text


@pytest.mark.parametrize("field", ["headline", "body", "call_to_action", "hashtags", "image_brief"])
def test_null_in_an_edit_is_refused_by_name(api: TestClient, world: World, field: str) -> None:
    answer = api.patch(
        f"/v1/drafts/{uuid.uuid4()}", json={field: None}, headers=auth(world.admin_key)
    )
    assert _fields(answer) == [f"body.{field}"]
    assert "null" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/brands/not-an-id", "path.brand_id"),
        ("/v1/brands/%00", "path.brand_id"),
        (f"/v1/jobs/{str(uuid.uuid4()).upper()}", "path.job_id"),
        ("/v1/drafts/1%20OR%201=1", "path.draft_id"),
    ],
)
def test_malformed_ids_are_refused_before_any_query(
    api: TestClient, world: World, path: str, field: str
) -> None:
    assert _fields(api.get(path, headers=auth(world.admin_key))) == [field]


def test_a_well_formed_unknown_id_is_not_found(api: TestClient, world: World) -> None:
    answer = api.get(f"/v1/jobs/{uuid.uuid4()}", headers=auth(world.admin_key))
    assert answer.status_code == 404
    assert answer.json()["error"] == "job_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**TOPIC, "topic": "Autumn\x00menu"}, "body.topic"),
        ({**TOPIC, "brief": "line\x07bell"}, "body.brief"),
        ({**TOPIC, "topic": "Autumn \ud800 menu"}, "body.topic"),
        ({**TOPIC, "platforms": ["x\x00"]}, "body.platforms.0"),
        ({**TOPIC, "\x00": 1}, "body"),
    ],
)
def test_control_characters_in_a_body_are_refused_by_field(
    api: TestClient, world: World, body: dict[str, Any], field: str
) -> None:
    raw = json.dumps(body)  # escapes everything, as a client would: "\u0000", "\ud800"
    headers = {**auth(world.key_b), "Content-Type": "application/json"}
    answer = api.post(f"/v1/brands/{world.brand_b}/drafts", content=raw, headers=headers)
    assert _fields(answer) == [field]
    assert "U+" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("text", "field"),
    [("Autumn\x85menu", "body.topic"), ("Autumn\x7fmenu", "body.brief")],
)
def test_raw_c1_and_del_characters_are_refused_too(
    api: TestClient, world: World, text: str, field: str
) -> None:
    """Unescaped in UTF-8 JSON (valid JSON, unlike raw C0): no escape gives them away."""
    body = {**TOPIC, field.removeprefix("body."): text}
    raw = json.dumps(body, ensure_ascii=False).encode()
    assert b"\\u" not in raw
    headers = {**auth(world.key_b), "Content-Type": "application/json"}
    answer = api.post(f"/v1/brands/{world.brand_b}/drafts", content=raw, headers=headers)
    assert _fields(answer) == [field]


def test_tabs_and_line_breaks_are_text_not_control(api: TestClient, world: World) -> None:
    body = {**TOPIC, "brief": "Two lines:\n\tindented\r\nand Windows ones"}
    answer = api.post(f"/v1/brands/{world.brand_b}/drafts", json=body, headers=auth(world.key_b))
    assert answer.status_code == 202, answer.text


def test_control_characters_elsewhere_are_refused(api: TestClient, world: World) -> None:
    admin = auth(world.admin_key)
    brand = {"name": "Nul\x00Co", "slug": "nulco"}
    assert _fields(api.post("/v1/brands", json=brand, headers=admin)) == ["body.name"]
    search = api.get(f"/v1/brands/{world.brand_a}/search?q=ab%00c", headers=admin)
    assert _fields(search) == ["query.q"]
    upload = api.post(
        f"/v1/brands/{world.brand_a}/sources",
        headers=admin,
        data={"kind": "competitor", "competitor": "Rival\x00"},
        files={"file": ("posts.csv", b"text\nhello there\n", "text/csv")},
    )
    assert _fields(upload) == ["body.competitor"]


def test_a_broken_multipart_body_is_bad_input(api: TestClient, world: World) -> None:
    answer = api.post(
        f"/v1/brands/{world.brand_a}/sources",
        headers={**auth(world.admin_key), "Content-Type": "multipart/form-data; boundary=x"},
        content=b"--x\r\nnot a part",
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_request"


def test_a_declared_oversize_body_is_refused_unread(api: TestClient, world: World) -> None:
    answer = api.post(
        f"/v1/brands/{world.brand_b}/drafts",
        headers={**auth(world.key_b), "Content-Length": str(500 * 1024 * 1024)},
        content=b"{}",
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "payload_too_large"


def test_the_spec_documents_the_one_error_shape(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and path != "/readyz":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)
            statuses = set(operation["responses"])
            if path.startswith("/v1/"):
                assert {"401", "422", "503"} <= statuses, (method, path, statuses)
            if "{" in path:
                assert "404" in statuses, (method, path)
            if method in ("post", "put", "patch"):
                assert "413" in statuses, (method, path)


def test_control_characters_inside_an_uploaded_file_never_reach_the_database(
    api: TestClient, world: World, runtime: Runtime
) -> None:
    admin = auth(world.admin_key)
    url = f"/v1/brands/{world.brand_a}/sources"
    csv = b"text,url,platform\nA long enough post,https://a.test/\x00x,vk\n"
    bad_link = api.post(url, headers=admin, data={"kind": "post"}, files={"file": ("p.csv", csv)})
    assert bad_link.status_code == 422, bad_link.text
    assert "url" in bad_link.json()["detail"]
    csv = b"text,id,author,platform\nA long enough\x00 post,7\x00,Ann\x07a,vk\n"
    cleaned = api.post(url, headers=admin, data={"kind": "post"}, files={"file": ("p.csv", csv)})
    assert cleaned.status_code == 202, cleaned.text
    with runtime.sessions() as session:  # the job's request holds the parsed, cleaned posts
        job = find_job(session, cleaned.json()["id"])
        assert job is not None
        stored = json.dumps(job.request, ensure_ascii=False)
    assert "A long enough post" in stored
    assert "\x00" not in stored
    assert "\x07" not in stored
