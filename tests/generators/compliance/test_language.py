"""The offline language judge on real text in each supported language, and look-alike words."""

from __future__ import annotations

from pathlib import Path

import pytest

from generators.compliance.language import mixed_script_words, prose_of, unmix
from tests.generators.compliance.helpers import JUDGE

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
SAMPLES = {
    "ru": "Сегодня расскажем, как заварить эфиопский лот в воронке: помол, вода и время.",
    "en": "Today we explain how to close the month in three days without late nights.",
    "fi": "Tänään kerromme, miten kuukauden kirjanpito suljetaan kolmessa päivässä.",
    "he": "היום נסביר איך לסגור את החודש בשלושה ימים בלי לילות לבנים במשרד.",
    "uk": "Сьогодні розповімо, як заварити ефіопський лот у лійці: помел, вода і час.",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_each_language_is_itself_and_no_other(language: str) -> None:
    assert JUDGE.wrong_language(SAMPLES[language], language) is None
    for other in SAMPLES:
        if other != language and {other, language} != {"ru", "uk"}:
            assert JUDGE.wrong_language(SAMPLES[language], other) == language, other


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seeds are beside the repository")
def test_no_paragraph_of_the_seed_articles_is_misjudged() -> None:
    languages = {"000": "ru", "001": "en", "002": "ru", "003": "fi", "004": "he"}
    judged = 0
    for path in sorted(SEEDS.glob("*.txt")):
        language = languages[path.name[:3]]
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            if len(paragraph.strip()) > 80:
                judged += 1
                assert JUDGE.wrong_language(prose_of(paragraph), language) is None, paragraph
    assert judged > 300


def test_short_text_and_addresses_are_not_judged() -> None:
    assert JUDGE.wrong_language("Kenya AA", "ru") is None
    assert (
        JUDGE.wrong_language(prose_of("Заходите на https://zerno.example/shop, @zerno"), "ru")
        is None
    )
    assert prose_of("Пишите hello@zerno.example #кофе").split() == ["Пишите"]


def test_look_alike_letters() -> None:
    assert mixed_script_words("Наш кофe и Pythоn, iPhone-чехол") == ["кофe", "Pythоn"]
    assert unmix("кофe") == "кофе"
    assert unmix("Pythоn") == "Python"
    assert unmix("сЫr") is None, "a Latin r has no Cyrillic look-alike here: left to a person"
