"""Uploads parsed into documents: competitors named per item, warnings kept in the report."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from brand_voice.sources import SourcePayload, Upload, parse_upload, store_source
from generators.runtime import Runtime
from storage.db import transaction
from storage.enums import DocumentKind, Platform
from storage.errors import ErrorCode, PostcraftError
from storage.models import Document, Source
from tests.conftest import World

RIVALS = [
    {"competitor": "Бодрость", "date": "2024-03-01", "text": "Скидка 50% на всё!"},
    {"brand": "Зёрна и точка", "date": "2024-03-02", "text": "Новый лот: Кения АА"},
    {"competitor": "Бодрость", "date": "2024-03-03", "text": "Кофе с собой за 99"},
]


def competitors(name: str, data: bytes, competitor: str | None = None) -> SourcePayload:
    return parse_upload(Upload(DocumentKind.COMPETITOR, name, data, competitor, Platform.VK))


def refusal(name: str, data: bytes, competitor: str | None = None) -> str:
    """The detail of the error that parsing the competitor upload raises."""
    with pytest.raises(PostcraftError) as caught:
        competitors(name, data, competitor)
    assert caught.value.code is ErrorCode.INVALID_INPUT_FILE
    return caught.value.detail


def test_a_file_of_several_competitors_tags_each_item_with_its_own() -> None:
    payload = competitors("rivals.json", json.dumps(RIVALS).encode())
    assert payload.competitor is None
    assert [d.meta["competitor"] for d in payload.documents] == [
        "Бодрость",
        "Зёрна и точка",
        "Бодрость",
    ]
    assert [d.source for d in payload.documents] == [
        "rivals.json: Бодрость",
        "rivals.json: Зёрна и точка",
        "rivals.json: Бодрость",
    ]
    assert {d.meta["untrusted"] for d in payload.documents} == {True}
    assert payload.documents[1].meta["published_at"] == "2024-03-02T00:00:00+00:00"


def test_an_items_own_name_wins_over_the_uploads() -> None:
    data = "text,competitor\nfirst,Бодрость\nsecond,\n".encode()
    payload = competitors("rivals.csv", data, competitor="Кофемания")
    assert payload.competitor == "Кофемания"
    assert [d.meta["competitor"] for d in payload.documents] == ["Бодрость", "Кофемания"]


def test_an_item_without_a_name_and_no_upload_name_is_refused_naming_it() -> None:
    unnamed = [*RIVALS[:2], {"text": "Без имени", "platform": "vk"}]
    detail = refusal("rivals.json", json.dumps(unnamed).encode())
    assert detail.startswith("rivals.json: [2]: no competitor name;")
    assert "'competitor'" in detail
    assert "or name the competitor for the whole upload" in detail
    rows = "text,author\nfirst,Бодрость\nsecond,\nthird,\n".encode()
    assert refusal("rivals.csv", rows).startswith("rivals.csv: line 3, line 4: no competitor name")


def test_past_posts_need_no_competitor_name() -> None:
    upload = Upload(DocumentKind.POST, "posts.json", b'[{"text": "a"}]', None, Platform.VK)
    assert "competitor" not in parse_upload(upload).documents[0].meta


def test_warnings_travel_with_the_payload() -> None:
    data = b"text,lkes,shares,reposts\na,1,2,3\n"
    payload = parse_upload(Upload(DocumentKind.POST, "p.csv", data, None, Platform.VK))
    assert payload.warnings == [
        "unknown column 'lkes' ignored",
        "column 'shares' ignored: 'reposts' is read as reposts",
    ]
    assert SourcePayload.model_validate_json(payload.model_dump_json()) == payload
    old = payload.model_dump(mode="json", exclude={"warnings"})
    assert SourcePayload.model_validate(old).warnings == [], "jobs queued before still read"


def test_an_analytics_export_is_stored_with_its_figures_and_warnings(
    runtime: Runtime, world: World
) -> None:
    data = (
        "shares,impressions,date,message,Campaign\n"
        "12,3400,01.03.2024 14:05,Рассказываем как обжаривать зерно для эспрессо дома,spring\n"
    ).encode()
    payload = parse_upload(Upload(DocumentKind.POST, "export.csv", data, None, Platform.VK))
    with transaction(runtime.sessions) as session:
        report = store_source(session, runtime.store, world.brand_a, payload)
    assert (report.added, report.warnings) == (1, ["unknown column 'Campaign' ignored"])
    assert report.as_dict()["warnings"] == ["unknown column 'Campaign' ignored"]
    with runtime.sessions() as session:
        doc = session.scalars(select(Document).where(Document.brand_id == world.brand_a)).one()
        source = session.scalars(select(Source).where(Source.id == report.source_id)).one()
    assert doc.text == "Рассказываем как обжаривать зерно для эспрессо дома"
    assert (doc.meta["reposts"], doc.meta["views"]) == (12, 3400)
    assert doc.meta["published_at"] == "2024-03-01T14:05:00+00:00"
    assert (source.items, source.added) == (1, 1)
    with transaction(runtime.sessions) as session:
        again = store_source(session, runtime.store, world.brand_a, payload)
    assert again.already_ingested
    assert again.warnings == ["unknown column 'Campaign' ignored"]
