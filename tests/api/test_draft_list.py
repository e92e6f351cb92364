"""`GET /v1/brands/{id}/drafts`: light summaries a page at a time, newest first, by an opaque
cursor that walks every draft once while new ones arrive; bounds, bad cursors, filters, scope."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from generators.runtime import Runtime
from storage.enums import JobKind, JobStatus, Platform, Queue
from storage.models import Draft, Job
from tests.api.live import BOTH_DATABASES, runtime_either  # noqa: F401 - the module's `runtime`
from tests.conftest import World, auth

PLATFORMS = list(Platform)


LONG_BODY = "Слово за словом " * 200  # 3,200 characters
VALIDATION = {
    "passed": False,
    "length": 3200,
    "limit": 4096,
    "violations": [
        {"code": "banned_word", "severity": "error", "message": "m", "part": "body"},
        {"code": "missing_disclaimer", "severity": "error", "message": "m", "part": "post"},
        {"code": "required_term", "severity": "warning", "message": "m", "part": "post"},
    ],
}


def _add_drafts(
    runtime: Runtime,
    world: World,
    n: int,
    brand_id: str | None = None,
    at: datetime | None = None,
    **fields: Any,
) -> list[str]:
    """`n` drafts of one new job (up to 11: one per platform), all created at `at` (a tie) or
    a millisecond apart; their ids."""
    brand_id = brand_id or world.brand_a
    base = at or datetime.now(UTC)
    with runtime.sessions() as session:
        job = Job(
            workspace_id=world.workspace_id,
            brand_id=brand_id,
            kind=JobKind.DRAFT,
            queue=Queue.BATCH,
            status=JobStatus.SUCCEEDED,
            request={},
            request_hash="h",
        )
        session.add(job)
        session.flush()
        drafts = [
            Draft(
                job_id=job.id,
                brand_id=brand_id,
                platform=PLATFORMS[i],
                language="ru",
                headline=f"Заголовок {i}",
                body=fields.get("body", f"Текст {i}"),
                hashtags=fields.get("hashtags", ["#кофе", "#зерно"]),
                sources=fields.get("sources", []),
                generator="offline-composer",
                model="offline",
                validation=fields.get("validation", {"passed": True, "violations": []}),
                created_at=base if at else base + timedelta(milliseconds=i),
            )
            for i in range(n)
        ]
        session.add_all(drafts)
        session.commit()
        return [d.id for d in drafts]


def _walk(api: TestClient, world: World, limit: int, **params: Any) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        query = {"limit": limit, **params} | ({"cursor": cursor} if cursor else {})
        answer = api.get(
            f"/v1/brands/{world.brand_a}/drafts", params=query, headers=auth(world.key_a)
        )
        assert answer.status_code == 200, answer.text
        page = answer.json()
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
        assert len(page["items"]) == limit, "only the last page is short"


@BOTH_DATABASES
def test_a_walk_sees_every_draft_once_while_new_ones_arrive(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    tie = datetime.now(UTC) - timedelta(minutes=5)
    existing = set(_add_drafts(runtime, world, 11, at=tie))  # eleven at the same instant
    for _ in range(3):
        existing |= set(_add_drafts(runtime, world, 11))
    _add_drafts(runtime, world, 5, brand_id=world.brand_b)  # another brand's: never listed

    seen: list[dict[str, Any]] = []
    added: set[str] = set()
    cursor: str | None = None
    while True:
        query = {"limit": 7} | ({"cursor": cursor} if cursor else {})
        page = api.get(
            f"/v1/brands/{world.brand_a}/drafts", params=query, headers=auth(world.key_a)
        ).json()
        seen += page["items"]
        added |= set(_add_drafts(runtime, world, 2))  # new drafts between the pages
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [item["id"] for item in seen]
    assert len(ids) == len(set(ids)), "no draft twice"
    assert set(ids) >= existing, "none skipped"
    assert set(ids) - existing <= added
    keys = [(item["created_at"], item["id"]) for item in seen]
    assert keys == sorted(keys, reverse=True), "newest first, ties by id"


def test_a_summary_is_light_and_points_to_the_draft(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    source = {"id": "s", "kind": "post", "text": "x" * 5000}
    for _ in range(10):
        _add_drafts(
            runtime,
            world,
            10,
            body=LONG_BODY,
            sources=[source],
            validation=VALIDATION,
            hashtags=["#a", "#b", "#c"],
        )
    answer = api.get(
        f"/v1/brands/{world.brand_a}/drafts", params={"limit": 100}, headers=auth(world.key_a)
    )
    assert answer.status_code == 200
    page = answer.json()
    assert len(page["items"]) == 100
    assert page["next_cursor"] is None
    # About 640 bytes a summary (a Cyrillic excerpt is 2 bytes a letter); the full drafts
    # would be over 1 MB (3,200-letter bodies and 5,000-character sources each).
    assert len(answer.content) < 80_000, "100 summaries, not 100 drafts with their sources"
    item = page["items"][0]
    assert set(item) == {
        "id",
        "job_id",
        "platform",
        "language",
        "headline",
        "excerpt",
        "hashtag_count",
        "version",
        "review_state",
        "validation",
        "created_at",
        "url",
    }
    assert item["excerpt"].endswith("…")
    assert 100 <= len(item["excerpt"]) <= 160
    assert LONG_BODY.startswith(item["excerpt"].removesuffix("…").rstrip())
    assert item["hashtag_count"] == 3
    assert item["validation"] == {"passed": False, "errors": 2, "warnings": 1}
    assert item["url"] == f"/v1/drafts/{item['id']}"
    full = api.get(item["url"], headers=auth(world.key_a))
    assert full.status_code == 200
    assert full.json()["body"] == LONG_BODY


def test_short_bodies_stay_whole_and_the_default_page_is_20(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    for _ in range(3):
        _add_drafts(runtime, world, 11, body="Короткий  текст\nв две строки")
    page = api.get(f"/v1/brands/{world.brand_a}/drafts", headers=auth(world.key_a)).json()
    assert len(page["items"]) == 20
    assert page["next_cursor"]
    assert page["items"][0]["excerpt"] == "Короткий текст в две строки"
    assert page["items"][0]["validation"] == {"passed": True, "errors": 0, "warnings": 0}
    empty = api.get(f"/v1/brands/{world.brand_b}/drafts", headers=auth(world.key_b)).json()
    assert empty == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "", "1.5", "\x00", "9" * 40])
def test_page_size_bounds(api: TestClient, world: World, limit: str) -> None:
    answer = api.get(
        f"/v1/brands/{world.brand_a}/drafts", params={"limit": limit}, headers=auth(world.key_a)
    )
    assert answer.status_code == 422, answer.text
    assert "limit" in answer.json()["detail"]


def test_the_smallest_and_largest_pages(api: TestClient, runtime: Runtime, world: World) -> None:
    _add_drafts(runtime, world, 3)
    assert [len(p) for p in _walk(api, world, 1)] == [1, 1, 1]
    assert [len(p) for p in _walk(api, world, 100)] == [3]
    assert [len(p) for p in _walk(api, world, 3)] == [3], "a full last page has no next cursor"


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        " ",
        "123",
        "eyJ0IjogMX0",  # base64 of something else
        "1.00000000-0000-4000-8000-00000000000G",
        "1.00000000-0000-4000-8000-00000000000A",  # upper case: not an id this API writes
        "1" * 17 + ".00000000-0000-4000-8000-000000000000",  # past the year 2286
        "-1.00000000-0000-4000-8000-000000000000",
        "1.00000000-0000-4000-8000-000000000000\n",
        "1\x00.00000000-0000-4000-8000-000000000000",
        "x" * 10_000,
    ],
)
def test_a_bad_cursor_is_422_saying_to_start_over(
    api: TestClient, world: World, cursor: str
) -> None:
    answer = api.get(
        f"/v1/brands/{world.brand_a}/drafts", params={"cursor": cursor}, headers=auth(world.key_a)
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "invalid_request"
    assert body["fields"][0]["field"] == "query.cursor"
    if "\x00" not in cursor:  # control characters are refused at the edge, before parsing
        assert "drop it and start again from the first page" in body["detail"]


@BOTH_DATABASES
def test_any_cursor_of_the_pattern_is_a_place_in_the_list(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    _add_drafts(runtime, world, 3)
    url, key = f"/v1/brands/{world.brand_a}/drafts", auth(world.key_a)
    future = "9" * 16 + ".ffffffff-ffff-4fff-bfff-ffffffffffff"
    past = "0.00000000-0000-4000-8000-000000000000"
    assert len(api.get(url, params={"cursor": future}, headers=key).json()["items"]) == 3
    assert api.get(url, params={"cursor": past}, headers=key).json()["items"] == []


@BOTH_DATABASES
def test_filters_by_platform_and_job(api: TestClient, runtime: Runtime, world: World) -> None:
    first = _add_drafts(runtime, world, 11)
    _add_drafts(runtime, world, 11)
    vk = [item for page in _walk(api, world, 1, platform="vk") for item in page]
    assert len(vk) == 2
    assert {item["platform"] for item in vk} == {"vk"}
    job_id = api.get(f"/v1/drafts/{first[0]}", headers=auth(world.key_a)).json()["job_id"]
    of_job = [item for page in _walk(api, world, 4, job_id=job_id) for item in page]
    assert {item["id"] for item in of_job} == set(first)
    both = _walk(api, world, 5, job_id=job_id, platform="x")
    assert [item["id"] for page in both for item in page] == [first[PLATFORMS.index(Platform.X)]]
    url, key = f"/v1/brands/{world.brand_a}/drafts", auth(world.key_a)
    for params in (
        {"platform": "myspace"},
        {"platform": ""},
        {"platform": "v\x00k"},
        {"job_id": "not-a-uuid"},
        {"job_id": ""},
        {"job_id": "\x00"},
    ):
        answer = api.get(url, params=params, headers=key)
        assert answer.status_code == 422, (params, answer.text)


def test_another_brands_key_sees_404(api: TestClient, runtime: Runtime, world: World) -> None:
    _add_drafts(runtime, world, 3)
    page = api.get(
        f"/v1/brands/{world.brand_a}/drafts", params={"limit": 1}, headers=auth(world.key_a)
    ).json()
    for params in ({}, {"cursor": page["next_cursor"]}):
        answer = api.get(
            f"/v1/brands/{world.brand_a}/drafts", params=params, headers=auth(world.key_b)
        )
        assert answer.status_code == 404
        assert answer.json()["error"] == "brand_not_found"
    unknown = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/v1/brands/{unknown}/drafts", headers=auth(world.key_a)).status_code == 404
    assert api.get(f"/v1/brands/{world.brand_a}/drafts").status_code == 401
    admin = api.get(f"/v1/brands/{world.brand_a}/drafts", headers=auth(world.admin_key))
    assert len(admin.json()["items"]) == 3


def test_concurrent_walks_while_drafts_are_written(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    existing = set()
    for _ in range(4):
        existing |= set(_add_drafts(runtime, world, 11))
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            _add_drafts(runtime, world, 1)

    walks: list[list[str]] = []

    def walker() -> None:
        walks.append([item["id"] for page in _walk(api, world, 5) for item in page])

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=walker) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads[1:]:
        thread.join(60)
    stop.set()
    threads[0].join(10)
    assert len(walks) == 6
    for ids in walks:
        assert len(ids) == len(set(ids))
        assert set(ids) >= existing


def test_a_page_reads_off_the_index(runtime: Runtime, world: World, api: TestClient) -> None:
    """SQLite's plan for the page query: the (brand_id, created_at, id) index, no sort."""
    _add_drafts(runtime, world, 11)
    page = api.get(
        f"/v1/brands/{world.brand_a}/drafts", params={"limit": 2}, headers=auth(world.key_a)
    ).json()
    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM drafts" in statement:
            captured.append((statement, parameters))

    event.listen(runtime.engine, "before_cursor_execute", capture)
    try:
        api.get(
            f"/v1/brands/{world.brand_a}/drafts",
            params={"limit": 2, "cursor": page["next_cursor"]},
            headers=auth(world.key_a),
        )
    finally:
        event.remove(runtime.engine, "before_cursor_execute", capture)
    (statement, parameters) = captured[-1]
    assert "sources" not in statement, "only the listed columns"
    assert "thread" not in statement
    with runtime.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        plan = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
        connection.execute(text("SELECT 1"))
    details = json.dumps([row[-1] for row in plan])
    assert "ix_drafts_brand_created" in details, details
    assert "TEMP B-TREE" not in details, details


def test_the_review_queue_is_a_filter_by_state(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    ids = _add_drafts(runtime, world, 4)
    with runtime.sessions() as session:
        for draft_id, state in zip(ids, ["in_review", "in_review", "approved"], strict=False):
            session.execute(
                text("UPDATE drafts SET review_state = :s WHERE id = :i"),
                {"s": state, "i": draft_id},
            )
        session.commit()
    queue = [item for page in _walk(api, world, 1, state="in_review") for item in page]
    assert sorted(item["id"] for item in queue) == sorted(ids[:2])
    assert {item["review_state"] for item in queue} == {"in_review"}
    drafts = [item for page in _walk(api, world, 10, state="draft") for item in page]
    assert [item["id"] for item in drafts] == [ids[3]]
    url, key = f"/v1/brands/{world.brand_a}/drafts", auth(world.key_a)
    assert api.get(url, params={"state": "published"}, headers=key).status_code == 422
