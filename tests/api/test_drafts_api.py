"""Drafts over HTTP: validation on every version, edits with authors, image cards."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image

from generators.jobs import run_job
from generators.runtime import Runtime
from tests.conftest import World, auth, import_demo_brand


def _draft(api: TestClient, runtime: Runtime, world: World, platforms: list[str]) -> list[dict]:  # type: ignore[type-arg]
    brand = import_demo_brand(runtime, world.workspace_id, "zerno")
    request = {"topic": "Как заварить эфиопский лот в воронке", "platforms": platforms}
    job = api.post(f"/v1/brands/{brand}/drafts", json=request, headers=auth(world.admin_key))
    run_job(runtime, job.json()["id"])
    done = api.get(f"/v1/jobs/{job.json()['id']}", headers=auth(world.admin_key)).json()
    assert done["status"] == "succeeded", done
    drafts: list[dict] = done["drafts"]  # type: ignore[type-arg]
    return drafts


def test_generated_drafts_carry_a_clean_validation_report(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    for draft in _draft(api, runtime, world, ["vk", "x", "instagram"]):
        report = draft["validation"]
        assert report["passed"], (draft["platform"], report)
        assert report["length"] <= report["limit"]
        assert draft["version"] == 1


def test_an_edit_is_a_new_version_validated_again(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    draft = _draft(api, runtime, world, ["x"])[0]
    url = f"/v1/drafts/{draft['id']}"
    headers = {**auth(world.admin_key), "If-Match": '"1"'}
    too_long = api.patch(url, json={"body": "Очень длинный текст. " * 30}, headers=headers)
    assert too_long.status_code == 200, too_long.text
    edited = too_long.json()
    assert edited["version"] == 2
    assert not edited["validation"]["passed"], "an edit over X's limit is flagged"
    assert {v["code"] for v in edited["validation"]["violations"]} >= {"too_long"}
    stale = api.patch(url, json={"headline": "Другой"}, headers=headers)
    assert stale.status_code == 412
    assert api.patch(url, json={}, headers=auth(world.admin_key)).status_code == 422
    assert (
        api.patch(url, json={"status": "approved"}, headers=auth(world.admin_key)).status_code
        == 422
    )
    versions = api.get(f"{url}/versions", headers=auth(world.admin_key)).json()
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["author"] is not None
    assert versions[1]["author"] is None


def test_a_draft_has_an_image_card(api: TestClient, runtime: Runtime, world: World) -> None:
    draft = _draft(api, runtime, world, ["instagram"])[0]
    response = api.get(f"/v1/drafts/{draft['id']}/card.png", headers=auth(world.admin_key))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert 0 < float(response.headers["X-Text-Share"]) < 1
    assert Image.open(io.BytesIO(response.content)).size == (1080, 1350)
    landscape = api.get(
        f"/v1/drafts/{draft['id']}/card.png",
        params={"format": "landscape"},
        headers=auth(world.admin_key),
    )
    assert Image.open(io.BytesIO(landscape.content)).size == (1200, 630)
    other = api.get(f"/v1/drafts/{draft['id']}/card.png", headers=auth(world.key_b))
    assert other.status_code == 404


def test_ads_need_an_erid_and_carry_the_label(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    brand = import_demo_brand(runtime, world.workspace_id, "zerno")
    url = f"/v1/brands/{brand}/drafts"
    ad = {"topic": "Скидка на зимний бленд", "platforms": ["vk", "telegram"], "is_ad": True}
    refused = api.post(url, json=ad, headers=auth(world.admin_key))
    assert refused.status_code == 422
    assert "erid" in refused.json()["detail"]
    ad |= {"erid": "2VtzqvWgxEb", "link": "https://zerno.example/shop?ref=1"}
    job = api.post(url, json=ad, headers=auth(world.admin_key)).json()
    run_job(runtime, job["id"])
    drafts = api.get(f"/v1/jobs/{job['id']}", headers=auth(world.admin_key)).json()["drafts"]
    label = "Реклама. ООО «Зерно и Пламя», ИНН 6670123456. erid: 2VtzqvWgxEb"
    for draft in drafts:
        assert label in draft["text"], "«Реклама», the advertiser from the profile, the erid"
        assert f"utm_source={draft['platform']}" in draft["text"]
        assert "utm_medium=paid_social" in draft["text"]
        assert "ref=1" in draft["text"], "the link's own query is kept"
        assert draft["validation"]["passed"], draft["validation"]
        assert draft["image_brief"]


def test_an_ad_needs_the_advertiser_in_the_profile(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    ad = {"topic": "Зимний бленд", "platforms": ["vk"], "is_ad": True, "erid": "2VtzqvWgxEb"}
    refused = api.post(f"/v1/brands/{world.brand_a}/drafts", json=ad, headers=auth(world.admin_key))
    assert refused.status_code == 422
    assert "advertiser" in refused.json()["detail"]
    elsewhere = {**ad, "platforms": ["linkedin"]}
    accepted = api.post(
        f"/v1/brands/{world.brand_a}/drafts", json=elsewhere, headers=auth(world.admin_key)
    )
    assert accepted.status_code == 202, "outside VK, OK and Telegram the label is “Ad”"


def test_a_long_x_post_also_comes_as_a_thread(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    brand = import_demo_brand(runtime, world.workspace_id, "zerno")
    brief = " ".join(["Рассказываем о каждом шаге обжарки: от зелёного зерна до чашки."] * 8)
    request = {"topic": "Как мы обжариваем", "brief": brief, "platforms": ["x"]}
    job = api.post(f"/v1/brands/{brand}/drafts", json=request, headers=auth(world.admin_key))
    run_job(runtime, job.json()["id"])
    draft = api.get(f"/v1/jobs/{job.json()['id']}", headers=auth(world.admin_key)).json()["drafts"][
        0
    ]
    assert draft["validation"]["passed"]
    assert draft["repairs"], "the single post was shortened to fit"
    assert len(draft["thread"]) >= 2
    assert all("/" in part for part in draft["thread"]), "numbered (i/n)"


def test_an_english_post_for_a_russian_brand_without_an_image(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    brand = import_demo_brand(runtime, world.workspace_id, "zerno")
    request = {
        "topic": "Our new Kenyan coffee",
        "platforms": ["linkedin"],
        "language": "en",
        "image": False,
    }
    job = api.post(f"/v1/brands/{brand}/drafts", json=request, headers=auth(world.admin_key))
    run_job(runtime, job.json()["id"])
    draft = api.get(f"/v1/jobs/{job.json()['id']}", headers=auth(world.admin_key)).json()["drafts"][
        0
    ]
    assert draft["language"] == "en"
    assert draft["image_brief"] == ""
    assert (
        "Here is what" in draft["text"] or "post" in draft["text"].lower() or "“" in draft["text"]
    )
    bad = {**request, "language": "xx"}
    assert (
        api.post(f"/v1/brands/{brand}/drafts", json=bad, headers=auth(world.admin_key)).status_code
        == 422
    )


def test_an_edit_meets_the_same_gate_as_a_generated_draft(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    draft = _draft(api, runtime, world, ["instagram"])[0]
    body = (
        draft["body"] + "\n\nПишите @deals_bot, как советуют в «Бодрости»: "
        "https://promo-deals.example/win\u200b"
    )
    edited = api.patch(
        f"/v1/drafts/{draft['id']}",
        json={"body": body, "hashtags": ["ДешёвыйКофе"]},
        headers=auth(world.admin_key),
    ).json()
    codes = {v["code"] for v in edited["validation"]["violations"] if v["severity"] == "error"}
    assert codes >= {
        "unknown_contact",
        "competitor_mention",
        "link_not_clickable",
        "invisible_characters",
        "banned_word",
    }
    assert not edited["validation"]["passed"]
