"""The offline composer's phrasing, per language (English is the fallback)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phrasebook:
    """Sentence frames with {topic} slots; the topic is quoted so no grammar case is needed."""

    headlines: tuple[str, ...]
    openers: tuple[str, ...]
    rubric_lines: dict[str, str]
    default_cta: str
    link_cta: str
    quote: tuple[str, str]
    image_brief: str


RU = Phrasebook(
    headlines=(
        "{topic}",
        "{topic}: коротко о главном",
        "{topic} — рассказываем",
        "{topic}: что важно знать",
    ),
    openers=(
        "Сегодня — о том, что у нас часто спрашивают: {q}.",
        "Давно хотели рассказать подробнее — тема {q}.",
        "Короткий пост на важную для нас тему: {q}.",
        "Делимся тем, что знаем сами, — про {q}.",
        "Собрали главное по теме {q}.",
    ),
    rubric_lines={
        "educational": "Сохраните пост, чтобы вернуться к нему позже.",
        "entertaining": "А как у вас? Расскажите в комментариях.",
        "commercial": "",
        "ugc": "Делитесь своими историями и фото — лучшие покажем в следующем посте.",
        "news": "Следите за новостями — продолжение скоро.",
    },
    default_cta="Остались вопросы? Напишите нам — ответим.",
    link_cta="Подробности по ссылке: {link}",
    quote=("«", "»"),
    image_brief="Карточка в фирменном стиле бренда с заголовком «{headline}»",
)

EN = Phrasebook(
    headlines=(
        "{topic}",
        "{topic}: what matters",
        "{topic}, explained",
        "{topic}: the short version",
    ),
    openers=(
        "Today's topic is one you ask us about often: {q}.",
        "We have wanted to write about this for a while: {q}.",
        "A short post on something that matters to us: {q}.",
        "Here is what we have learned about {q}.",
        "The essentials of {q}, in one post.",
    ),
    rubric_lines={
        "educational": "Save this post for later.",
        "entertaining": "How is it for you? Tell us in the comments.",
        "commercial": "",
        "ugc": "Share your stories and photos: we will feature the best ones.",
        "news": "Stay tuned: more soon.",
    },
    default_cta="Questions? Send us a message and we will answer.",
    link_cta="Details: {link}",
    quote=("“", "”"),
    image_brief="A card in the brand's template with the headline “{headline}”",
)

PHRASEBOOKS = {"ru": RU, "en": EN}


def phrasebook(language: str) -> Phrasebook:
    """The phrasing for a language, English when the composer has none for it."""
    return PHRASEBOOKS.get(language, EN)
