"""Validation: each rule on posts written to break it, and posts a person would publish."""

from __future__ import annotations

from brand_voice.profile import Advertiser, BrandProfile
from generators.compliance.checks import validate
from generators.compliance.grounding import Competitor
from generators.compliance.labels import ad_label
from generators.compliance.platforms import RULES
from generators.compliance.report import Severity, ValidationReport
from generators.drafts.schemas import PostDraft
from storage.enums import Platform
from tests.generators.compliance.helpers import context

PROFILE = BrandProfile(
    language="ru",
    banned_words=["дешёвый", "кофе"],
    required_terms=["спешелти"],
    disclaimers=["Не является публичной офертой."],
)
MATERIAL = "Лот Кения Киамбу стоит 1 200 ₽ за 250 г. Спешелти свежей обжарки. zerno.example"
OK_BODY = (
    "Спешелти из Кении: 1 200 ₽ за 250 г. Обжариваем каждую неделю, чтобы зерно "
    "раскрывалось в чашке.\n\nНе является публичной офертой."
)
RIVAL = Competitor(
    "Кофейня «Бодрость»",
    "Друзья, мы закрываемся навсегда, переходите в нашу новую кофейню на Ленина прямо "
    "сейчас #бодростьекб",
)


def _check(
    body: str,
    headline: str = "Кения Киамбу",
    cta: str = "Заходите на zerno.example",
    tags: tuple[str, ...] = (),
    platform: Platform = Platform.VK,
    **options: object,
) -> ValidationReport:
    post = PostDraft(headline=headline, body=body, call_to_action=cta, hashtags=list(tags))
    ctx = context(platform, PROFILE, own_text=MATERIAL, competitors=(RIVAL,), **options)  # type: ignore[arg-type]
    return validate(post, ctx)


def _codes(report: ValidationReport) -> set[str]:
    return {v.code for v in report.violations}


def test_a_post_a_person_would_publish_passes() -> None:
    report = _check(OK_BODY, tags=("зерноипламя",))
    assert report.passed, report.violations
    assert report.violations == []


def test_hard_limits_are_errors() -> None:
    body = "Спешелти свежей обжарки каждую неделю. " * 80 + "Не является публичной офертой."
    report = _check(body, tags=tuple(f"тег{i}" for i in range(7)), platform=Platform.INSTAGRAM)
    assert {"too_long", "too_many_hashtags"} <= _codes(report)
    assert report.length > report.limit


def test_telegram_with_a_picture_is_a_caption_of_1024() -> None:
    body = ("Спешелти свежей обжарки каждую неделю. " * 30)[:1100] + "\n\n" + PROFILE.disclaimers[0]
    with_image = _check(body, platform=Platform.TELEGRAM)
    assert "too_long" in _codes(with_image)
    assert with_image.limit == 1024
    assert "caption" in next(v.message for v in with_image.violations if v.code == "too_long")
    assert _check(body, platform=Platform.TELEGRAM, with_media=False).passed


def test_instagram_captions_cannot_link() -> None:
    report = _check(OK_BODY, platform=Platform.INSTAGRAM)
    hit = next(v for v in report.violations if v.code == "link_not_clickable")
    assert hit.found == "zerno.example"
    assert hit.part == "call_to_action"


def test_media_is_required_where_the_platform_says() -> None:
    report = _check(OK_BODY, cta="Пишите нам", platform=Platform.TIKTOK, with_media=False)
    assert "media_required" in _codes(report)


def test_banned_words_are_found_as_words_in_any_form() -> None:
    report = _check(OK_BODY, headline="Дешёвые лоты", cta="Заходите за кофе")
    found = {(v.part, v.found) for v in report.violations if v.code == "banned_word"}
    assert found == {("headline", "Дешёвые"), ("call_to_action", "кофе")}
    spared = _check(OK_BODY + "\n\nНедешёвый лот для кофейни.", tags=("лучшийкофе",))
    assert "banned_word" not in _codes(spared), "«кофейня» and #лучшийкофе are other words"
    tagged = _check(OK_BODY, tags=("КофеДня",))
    assert "banned_word" in _codes(tagged), "camelCase parts of a tag are words"


def test_missing_required_terms_warn() -> None:
    report = _check(OK_BODY.replace("Спешелти", "Лот"))
    hit = next(v for v in report.violations if v.code == "missing_required_term")
    assert hit.severity is Severity.WARNING


def test_missing_disclaimer_is_an_error() -> None:
    assert "missing_disclaimer" in _codes(_check(OK_BODY.replace("Не является", "Является")))


def test_the_ad_label_is_an_exact_phrase_never_a_substring() -> None:
    advertiser = Advertiser(name="ООО «Зерно»", inn="6671234567")
    label = ad_label(RULES[Platform.VK], True, "2VtzqvWgxEb", advertiser)
    assert label == "Реклама. ООО «Зерно», ИНН 6671234567. erid: 2VtzqvWgxEb"
    assert "missing_ad_label" in _codes(_check(OK_BODY, ad_label=label))
    assert "missing_ad_label" not in _codes(_check(OK_BODY + "\n" + label, ad_label=label))
    english = ad_label(RULES[Platform.LINKEDIN], True, "", None)
    tricky = OK_BODY + " Instead of a preload, Adventure."
    assert "missing_ad_label" in _codes(_check(tricky, ad_label=english))
    assert "missing_ad_label" not in _codes(_check(OK_BODY + "\nAd", ad_label=english))


def test_the_wrong_language_is_an_error() -> None:
    english = "Fresh Kenyan lot, roasted every week so that each cup opens up.\n\n"
    report = _check(english + PROFILE.disclaimers[0])
    hit = next(v for v in report.violations if v.code == "wrong_language")
    assert "English" in hit.message
    assert "Russian" in hit.message


def test_look_alike_letters_are_caught() -> None:
    report = _check(OK_BODY.replace("Обжариваем", "Обжaриваем"))  # a Latin "a"
    assert any(v.code == "mixed_script" and v.found == "Обжaриваем" for v in report.violations)


def test_invisible_characters_and_prompt_markup_are_errors() -> None:
    report = _check(OK_BODY.replace("Кении", "Ке\u200bнии") + "\n</competitor>")
    assert {"invisible_characters", "prompt_markup"} <= _codes(report)
    emoji = _check(OK_BODY + " 👩\u200d💻")
    assert "invisible_characters" not in _codes(emoji), "a joiner inside an emoji stays"


def test_contacts_from_nowhere_are_errors() -> None:
    body = OK_BODY + "\n\nПишите @deals_bot, win@prize.example или звоните +7 900 123-45-67."
    report = _check(body, cta="Подробнее: https://promo-deals.example/win")
    found = {v.found for v in report.violations if v.code == "unknown_contact"}
    assert found == {
        "@deals_bot",
        "win@prize.example",
        "+7 900 123-45-67",
        "https://promo-deals.example/win",
    }
    assert _check(OK_BODY, cta="Заходите: https://zerno.example/shop?utm_source=vk").passed


def test_copying_or_naming_a_competitor_is_an_error() -> None:
    body = OK_BODY + "\n\nМы закрываемся навсегда, переходите в нашу новую кофейню на Ленина."
    report = _check(body, tags=("бодростьекб",))
    codes = [v.code for v in report.violations]
    assert "copied_competitor_text" in codes
    assert "competitor_mention" in codes
    named = _check(OK_BODY + "\n\nВкуснее, чем в «Бодрости».")
    assert "competitor_mention" in _codes(named)
    asked = _check(OK_BODY + "\n\nВкуснее, чем в «Бодрости».", asked="сравнение с Бодростью")
    assert "competitor_mention" not in _codes(asked)


def test_invented_prices_and_promises_are_flagged_not_blocked() -> None:
    body = OK_BODY + "\n\nТеперь всего за 990 ₽ со скидкой 30%, гарантируем вкус!"
    report = _check(body)
    flagged = [v for v in report.violations if v.code == "unsupported_claim"]
    assert {v.found for v in flagged} == {"990 ₽", "30%", "гарантир…"}
    assert all(v.severity is Severity.WARNING for v in flagged)
    assert report.passed, "warnings are shown, not blocking"
