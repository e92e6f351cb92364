"""Submitting and reading draft jobs over HTTP: idempotency, scoping, validation, errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from generators.jobs import run_job
from generators.runtime import Runtime
from tests.conftest import World, auth

REQUEST = {"topic": "Как заварить кофе в аэропрессе", "platforms": ["vk", "telegram"]}


def test_submit_returns_a_queued_job_row(api: TestClient, world: World) -> None:
    response = api.post(
        f"/v1/brands/{world.brand_a}/drafts", json=REQUEST, headers=auth(world.key_a)
    )
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "queued"
    assert job["queue"] == "batch"
    assert response.headers["Location"] == f"/v1/jobs/{job['id']}"
    polled = api.get(f"/v1/jobs/{job['id']}", headers=auth(world.key_a)).json()
    assert polled["id"] == job["id"]
    assert polled["status"] == "queued"


def test_same_idempotency_key_and_body_returns_the_same_job(api: TestClient, world: World) -> None:
    headers = {**auth(world.key_a), "Idempotency-Key": "retry-1"}
    first = api.post(f"/v1/brands/{world.brand_a}/drafts", json=REQUEST, headers=headers)
    second = api.post(f"/v1/brands/{world.brand_a}/drafts", json=REQUEST, headers=headers)
    assert first.status_code == 202
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]


def test_same_idempotency_key_with_another_body_is_a_conflict(
    api: TestClient, world: World
) -> None:
    headers = {**auth(world.key_a), "Idempotency-Key": "retry-2"}
    api.post(f"/v1/brands/{world.brand_a}/drafts", json=REQUEST, headers=headers)
    other = {**REQUEST, "topic": "Совсем другая тема"}
    response = api.post(f"/v1/brands/{world.brand_a}/drafts", json=other, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_conflict"


def test_another_brands_objects_are_not_found(
    api: TestClient, world: World, runtime: Runtime
) -> None:
    job = api.post(f"/v1/brands/{world.brand_a}/drafts", json=REQUEST, headers=auth(world.key_a))
    job_id = job.json()["id"]
    run_job(runtime, job_id)
    draft_id = api.get(f"/v1/jobs/{job_id}", headers=auth(world.key_a)).json()["drafts"][0]["id"]

    b = auth(world.key_b)
    for path, code in [
        (f"/v1/brands/{world.brand_a}", "brand_not_found"),
        (f"/v1/brands/{world.brand_a}/drafts", "brand_not_found"),
        (f"/v1/jobs/{job_id}", "job_not_found"),
        (f"/v1/drafts/{draft_id}", "draft_not_found"),
    ]:
        response = api.get(path, headers=b)
        assert response.status_code == 404, path
        assert response.json()["error"] == code
    response = api.post(f"/v1/brands/{world.brand_a}/drafts", json=REQUEST, headers=b)
    assert response.status_code == 404
    assert [x["id"] for x in api.get("/v1/brands", headers=b).json()] == [world.brand_b]
    # The owner still sees everything, and an all-brands admin key sees both brands.
    assert api.get(f"/v1/drafts/{draft_id}", headers=auth(world.key_a)).status_code == 200
    assert len(api.get("/v1/brands", headers=auth(world.admin_key)).json()) == 2


def test_unknown_and_server_set_fields_are_rejected(api: TestClient, world: World) -> None:
    for extra in ({"status": "succeeded"}, {"id": "x"}, {"version": 3}, {"surprise": 1}):
        response = api.post(
            f"/v1/brands/{world.brand_a}/drafts",
            json={**REQUEST, **extra},
            headers=auth(world.key_a),
        )
        assert response.status_code == 422, extra
        body = response.json()
        assert body["error"] == "invalid_request"
        assert next(iter(extra)) in body["detail"]


def test_bad_input_gets_a_clear_4xx(api: TestClient, world: World) -> None:
    url = f"/v1/brands/{world.brand_a}/drafts"
    cases = [
        {"topic": "x", "platforms": ["vk"]},
        {"topic": "Тема", "platforms": []},
        {"topic": "Тема", "platforms": ["myspace"]},
        {"topic": "Тема", "platforms": ["vk", "vk"]},
        {"topic": "Тема", "platforms": ["vk"], "link": "not a url"},
    ]
    for case in cases:
        response = api.post(url, json=case, headers=auth(world.key_a))
        assert response.status_code == 422, case
        assert set(response.json()) >= {"error", "detail"}
    broken = api.post(
        url, content=b"{not json", headers={**auth(world.key_a), "Content-Type": "application/json"}
    )
    assert broken.status_code == 422


def test_requests_without_a_valid_key_are_unauthorized(api: TestClient, world: World) -> None:
    assert api.get("/v1/brands").status_code == 401
    response = api.get("/v1/brands", headers=auth("pc_wrong"))
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert api.get("/v1/brands", headers={"X-API-Key": world.key_a}).status_code == 200


def test_only_admins_create_brands(api: TestClient, world: World) -> None:
    body = {"name": "Brand C", "slug": "brand-c", "profile": {"language": "en"}}
    assert api.post("/v1/brands", json=body, headers=auth(world.key_a)).status_code == 403
    created = api.post("/v1/brands", json=body, headers=auth(world.admin_key))
    assert created.status_code == 201
    assert created.json()["slug"] == "brand-c"
    again = api.post("/v1/brands", json=body, headers=auth(world.admin_key))
    assert again.status_code == 409
