"""Replies without a model: templates in the brand's voice, Russian or English, three that differ
for each kind of answerable comment. A question gets the brand's own sentence that best matches
it (from the retrieved guide and posts), never an invented fact; a problem goes to support.

The rules of docs/replies.md hold in every template: thank praise, answer questions, de-escalate
and offer a way to solve a problem, never suggest deleting or hiding a comment, speak as the
brand ("we"), never as a private person."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generators.replies.classify import CommentClass

_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)
_STEM = 5
MIN_SHARED = 2
# Words a question shares with any sentence: they say nothing about what it asks.
_COMMON = frozenset(
    [
        "подск",
        "скажи",
        "здрав",
        "добры",
        "спаси",
        "пожал",
        "можно",
        "какой",
        "какая",
        "какие",
        "какое",
        "сколь",
        "когда",
        "почем",
        "котор",
        "очень",
        "вообщ",
        "просто",
        "тольк",
        "потом",
        "сейча",
        "всего",
        "этого",
        "будет",
        "будут",
        "нужно",
        "есть",
        "вашем",
        "ваших",
        "ваше",
        "hello",
        "thank",
        "there",
        "their",
        "which",
        "would",
        "could",
        "about",
        "where",
        "what",
        "when",
        "please",
        "really",
        "other",
        "these",
        "those",
        "think",
        "should",
    ]
)

TEMPLATES: dict[str, dict[CommentClass, tuple[str, ...]]] = {
    "ru": {
        CommentClass.PRAISE: (
            "{name}спасибо за тёплые слова! Нам очень приятно, ждём вас снова.",
            "Спасибо{comma_name}! Такие отзывы — лучшая награда для нашей команды.",
            "{name}благодарим! Расскажите, что понравилось больше всего: нам важно это знать.",
        ),
        CommentClass.QUESTION: (
            "{name}спасибо за вопрос! {fact}",
            "Спасибо, что спросили{comma_name}! {fact} Если остались вопросы, пишите: ответим.",
            "{name}хороший вопрос. {fact} Если нужно подробнее, напишите {support}.",
        ),
        CommentClass.COMPLAINT: (
            "{name}нам очень жаль, что так вышло. Пожалуйста, напишите {support}: разберёмся и "
            "всё исправим.",
            "{name}простите за неудобство. Мы уже передали ваш комментарий команде; чтобы решить "
            "вопрос быстрее, напишите {support}.",
            "{name}спасибо, что сообщили. Это не тот опыт, который мы хотим дарить. Напишите "
            "{support}, и мы поможем.",
        ),
        CommentClass.NEGATIVE: (
            "{name}жаль, что у вас сложилось такое впечатление. Расскажите, пожалуйста, что "
            "пошло не так: мы хотим разобраться.",
            "{name}спасибо за честный отзыв. Нам важно каждое мнение; напишите {support}, "
            "обсудим, что мы можем сделать.",
            "{name}понимаем ваше недовольство. Давайте обсудим спокойно: {support}.",
        ),
        CommentClass.OFF_TOPIC: (
            "{name}спасибо за комментарий! Если появятся вопросы о {brand}, мы рядом.",
            "{name}спасибо, что заглянули! Будем рады видеть вас в обсуждениях.",
            "{name}спасибо! Если захотите что-то спросить о {brand}, пишите.",
        ),
    },
    "en": {
        CommentClass.PRAISE: (
            "{name}thank you for the kind words! It means a lot to our team.",
            "Thank you{comma_name}! Feedback like this is why we do what we do.",
            "{name}thanks so much! Tell us what you liked most: we'd love to know.",
        ),
        CommentClass.QUESTION: (
            "{name}thanks for asking! {fact}",
            "Thanks for the question{comma_name}! {fact} Anything else, just ask.",
            "{name}good question. {fact} If you need more detail, contact {support}.",
        ),
        CommentClass.COMPLAINT: (
            "{name}we're sorry this happened. Please reach out to {support} and we'll put it "
            "right.",
            "{name}sorry for the trouble. We've passed this to the team; to solve it faster, "
            "please contact {support}.",
            "{name}thanks for letting us know. That's not the experience we want for you. "
            "Contact {support} and we'll help.",
        ),
        CommentClass.NEGATIVE: (
            "{name}we're sorry you feel this way. Could you tell us what went wrong? We want to "
            "understand.",
            "{name}thanks for your honest feedback. Every opinion matters to us; contact "
            "{support} and let's see what we can do.",
            "{name}we hear you. Let's talk it through: {support}.",
        ),
        CommentClass.OFF_TOPIC: (
            "{name}thanks for stopping by! If you have questions about {brand}, we're here.",
            "{name}thanks for the comment! Happy to see you in the discussion.",
            "{name}thank you! Anything about {brand} you'd like to know, just ask.",
        ),
    },
}
NO_FACT = {
    "ru": "Уточним и ответим здесь в ближайшее время.",
    "en": "We'll check and answer here shortly.",
}
SUPPORT = {"ru": "нам в личные сообщения", "en": "us in direct messages"}
SUPPORT_VIA = {"ru": "нам ({contact})", "en": "us ({contact})"}


@dataclass(frozen=True)
class Fact:
    """A sentence of the brand's own material a reply may repeat, and where it is from."""

    text: str
    kind: str
    source: str


def template_language(language: str, brand_language: str) -> str:
    """The templates' language: the commenter's if we have it, else the brand's, else English."""
    for choice in (language, brand_language):
        if choice in TEMPLATES:
            return choice
    return "en"


def compose_replies(
    label: CommentClass,
    language: str,
    author: str,
    comment: str,
    brand_name: str,
    support: str,
    facts: Sequence[Fact],
) -> list[tuple[str, list[Fact]]]:
    """Three replies for an answerable comment, each with the facts it repeats."""
    templates = TEMPLATES[language].get(label) or TEMPLATES[language][CommentClass.OFF_TOPIC]
    first = author.strip().split()[0] if author.strip() else ""
    fact = best_fact(comment, facts) if label is CommentClass.QUESTION else None
    contact = SUPPORT_VIA[language].format(contact=support) if support else SUPPORT[language]
    replies: list[tuple[str, list[Fact]]] = []
    for template in templates:
        text = template.format(
            name=f"{first}, " if first else "",
            comma_name=f", {first}" if first else "",
            fact=fact.text if fact else NO_FACT[language],
            support=contact,
            brand=brand_name,
        )
        replies.append((_capitalised(text), [fact] if fact and fact.text in text else []))
    return replies


def best_fact(comment: str, facts: Sequence[Fact]) -> Fact | None:
    """The sentence of the brand's material that shares the most word stems with the comment
    (at least MIN_SHARED: one shared word is too often a coincidence), or None."""
    wanted = _stems(comment)
    best: tuple[int, int, Fact] | None = None
    for n, fact in enumerate(facts):
        for sentence in _SENTENCE.split(fact.text):
            sentence = sentence.strip()
            if not 20 <= len(sentence) <= 280 or sentence.endswith("?"):
                continue
            overlap = len(wanted & _stems(sentence))
            if overlap >= MIN_SHARED and (best is None or overlap > best[0]):
                best = (overlap, -n, Fact(_sentence_end(sentence), fact.kind, fact.source))
    return best[2] if best else None


def _stems(text: str) -> set[str]:
    stems = {w.casefold().replace("ё", "е")[:_STEM] for w in _WORD.findall(text)}
    return stems - _COMMON


def _sentence_end(sentence: str) -> str:
    return sentence if sentence[-1] in ".!…" else sentence + "."


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
