"""Validation of drafts: platform limits and the brand's compliance rules."""

from __future__ import annotations

from brand_voice.profile import BrandProfile
from generators.drafts.schemas import PostDraft
from generators.validation import Severity, ValidationReport, validate_post

PROFILE = BrandProfile(
    language="ru",
    banned_words=["дешёвый"],
    required_terms=["спешелти"],
    disclaimers=["Реклама. ООО «Зерно»"],
)
MATERIAL = "Лот Кения Киамбу стоит 1 200 ₽ за 250 г. Спешелти-кофе свежей обжарки."


def _check(draft: PostDraft, **overrides: object) -> ValidationReport:
    args: dict[str, object] = {
        "limit": 280,
        "length": len,
        "hashtag_cap": 5,
        "max_links": None,
        "profile": PROFILE,
        "material": MATERIAL,
    }
    args.update(overrides)
    return validate_post(draft, **args)  # type: ignore[arg-type]


def _draft(body: str, hashtags: list[str] | None = None) -> PostDraft:
    return PostDraft(headline="Кения", body=body, call_to_action="", hashtags=hashtags or [])


def _codes(report: ValidationReport) -> set[str]:
    return {v.code for v in report.violations}


def test_a_clean_draft_passes() -> None:
    body = "Спешелти из Кении: 1 200 ₽ за 250 г. Реклама. ООО «Зерно»"
    report = _check(_draft(body))
    assert report.passed, report.violations
    assert report.violations == []


def test_hard_limits_are_errors() -> None:
    report = _check(_draft("спешелти " * 40 + "Реклама. ООО «Зерно»", [f"t{i}" for i in range(7)]))
    assert not report.passed
    assert {"too_long", "too_many_hashtags"} <= _codes(report)
    assert report.length > report.limit


def test_compliance_rules() -> None:
    report = _check(_draft("Дешёвый кофе без лишних слов."))
    codes = _codes(report)
    assert {"banned_word", "missing_required_term", "missing_disclaimer"} <= codes
    assert not report.passed
    whole_word = _check(_draft("Недешёвый спешелти. Реклама. ООО «Зерно»"))
    assert "banned_word" not in _codes(whole_word)


def test_ads_need_their_label() -> None:
    body = "Спешелти. Реклама. ООО «Зерно»"
    assert "missing_ad_label" in _codes(_check(_draft(body), ad_label="erid: 2VtzqvWgxEb"))
    labelled = _check(_draft(body + " erid: 2VtzqvWgxEb"), ad_label="erid: 2VtzqvWgxEb")
    assert "missing_ad_label" not in _codes(labelled)


def test_invented_prices_and_promises_are_flagged_not_blocked() -> None:
    body = "Спешелти всего за 990 ₽ со скидкой 30%, гарантируем вкус! Реклама. ООО «Зерно»"
    report = _check(_draft(body))
    flagged = [v for v in report.violations if v.code.startswith("unsupported")]
    assert len(flagged) == 3
    assert all(v.severity is Severity.WARNING for v in flagged)
    assert report.passed, "warnings are shown, not blocking"
