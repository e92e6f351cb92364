"""Topics by meaning with the bundled e5 model: paraphrases (Russian and English) reach
TOPIC_SIMILARITY, a brand's different topics stay under it. This is the calibration of the
threshold: if the model changes, this test says whether the threshold still separates."""

from __future__ import annotations

import pytest

from generators.plans.rules import TOPIC_SIMILARITY
from generators.plans.topics import opening, topic_similarity
from retrieval.embeddings import E5Embedder

SAME = [
    ("Как выбрать помол для воронки", "Какой помол нужен для воронки"),
    ("Скидка на кенийский лот в выходные", "Выходные со скидкой на лот из Кении"),
    ("Почему эспрессо горчит", "Отчего эспрессо получается горьким"),
    ("How to close the month in three days", "Closing the month in 3 days"),
    ("Customer story: how Acme cut its close time", "How Acme cut its month-end close time"),
]
DIFFERENT = [
    ("Как выбрать помол для воронки", "Как заварить кофе в аэропрессе"),
    ("Скидка на кенийский лот в выходные", "Два капучино по цене одного"),
    ("Почему эспрессо горчит", "Почему мы обжариваем светлее"),
    ("Осенний лот из Кении", "Зимний лот из Эфиопии"),
    ("How to close the month in three days", "Reconciling bank feeds automatically"),
    ("Customer story: how Acme cut its close time", "Our new API for accountants"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_paraphrases_reach_the_threshold(embedder: E5Embedder, a: str, b: str) -> None:
    assert topic_similarity(embedder)([a], [b])[0][0] >= TOPIC_SIMILARITY


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_topics_stay_under_it(embedder: E5Embedder, a: str, b: str) -> None:
    assert topic_similarity(embedder)([a], [b])[0][0] < TOPIC_SIMILARITY


def test_a_post_is_compared_by_its_opening_line() -> None:
    post = "Почему эспрессо горчит? Рассказываем.\nДальше длинный текст про экстракцию…"
    assert opening(post) == "Почему эспрессо горчит?"
    assert len(opening("слово " * 100)) == 120
    assert topic_similarity(E5Embedder())([], ["x"]) == []
