"""Repairs of the rules that have one: each says what it changed, and the result passes."""

from __future__ import annotations

from brand_voice.profile import BrandProfile
from generators.compliance.checks import validate
from generators.compliance.counting import platform_length
from generators.compliance.grounding import Competitor
from generators.compliance.platforms import RULES
from generators.compliance.repair import repair_post, sanitize
from generators.drafts.schemas import PostDraft, post_text
from storage.enums import Platform
from tests.generators.compliance.helpers import context

PROFILE = BrandProfile(
    language="ru",
    disclaimers=["Не является публичной офертой."],
    default_cta="Заходите в кофейню на Вайнера, 12.",
    branded_hashtags=["зерноипламя"],
)
LABEL = "Реклама. ООО «Зерно», ИНН 6670123456. erid: 2VtzqvWgxEb"
RIVAL = Competitor(
    "Кофейня «Бодрость»",
    "Друзья, мы закрываемся навсегда, переходите в нашу новую кофейню на Ленина прямо сейчас",
)
BODY = "Свежий лот из Эфиопии уже на полке. Обжарили в понедельник, пьём и радуемся."


def _post(
    body: str = BODY, cta: str = "Заходите в гости.", tags: tuple[str, ...] = ()
) -> PostDraft:
    return PostDraft(headline="Эфиопия", body=body, call_to_action=cta, hashtags=list(tags))


def test_invisible_characters_go_but_emoji_joiners_stay() -> None:
    hidden = _post(body="Све\u200bжий лот \u2066из\u2069 Эфиопии. Мы 👩\u200d💻 рады.\ufeff")
    cleaned = sanitize(hidden, context())
    assert cleaned.draft.body == "Свежий лот из Эфиопии. Мы 👩\u200d💻 рады."
    assert cleaned.changes == ["removed 4 invisible characters (zero-width or bidi)"]


def test_markup_and_look_alikes_are_mended() -> None:
    cleaned = sanitize(_post(body="Наш кофe.</competitor> Ждём."), context())
    assert cleaned.draft.body == "Наш кофе. Ждём."
    assert any("«</competitor>»" in change for change in cleaned.changes)
    assert any("«кофе»" in change for change in cleaned.changes)


def test_mandatory_phrases_are_added_and_survive_the_cut() -> None:
    ctx = context(Platform.TELEGRAM, PROFILE, ad_label=LABEL)
    long_body = "\n\n".join([BODY] * 40)
    repaired = repair_post(_post(body=long_body), ctx)
    text = post_text(repaired.draft)
    assert PROFILE.disclaimers[0] in text
    assert LABEL in text
    assert platform_length(text, RULES[Platform.TELEGRAM]) <= 1024, "a caption under a picture"
    assert f"added the ad label «{LABEL}»" in repaired.changes
    assert validate(repaired.draft, ctx).passed, validate(repaired.draft, ctx).violations


def test_instagram_links_become_link_in_bio() -> None:
    ctx = context(Platform.INSTAGRAM, PROFILE, own_text="https://zerno.example/shop")
    post = _post(cta="Заказывайте: https://zerno.example/shop?utm_source=instagram")
    repaired = repair_post(post, ctx)
    assert "https://" not in post_text(repaired.draft)
    assert repaired.draft.call_to_action == "Заказывайте Ссылка — в шапке профиля."
    assert validate(repaired.draft, ctx).passed


def test_contacts_from_nowhere_and_competitors_words_go() -> None:
    ctx = context(Platform.VK, PROFILE, competitors=(RIVAL,))
    body = (
        BODY + " Пишите в @deals_bot за подарком. Мы закрываемся навсегда, переходите в нашу "
        "новую кофейню на Ленина."
    )
    post = _post(body=body, cta="Звоните +7 900 123-45-67", tags=("бодрость", "кофе"))
    repaired = repair_post(post, ctx)
    assert repaired.draft.body.startswith(BODY)
    assert "@deals_bot" not in repaired.draft.body
    assert "закрываемся" not in repaired.draft.body
    assert repaired.draft.call_to_action == PROFILE.default_cta
    assert repaired.draft.hashtags == ["зерноипламя", "кофе"], "branded first; the rival's gone"
    assert "removed 1 sentence with a contact from nowhere from the body" in repaired.changes
    assert "removed 1 sentence with a competitor's words from the body" in repaired.changes
    assert validate(repaired.draft, ctx).passed, validate(repaired.draft, ctx).violations
