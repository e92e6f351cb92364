"""The offline composer: a deterministic writer that builds drafts from the brand's own material.

Used when no LLM is configured. It never invents facts: it frames the request with stock
phrasing and borrows the most relevant sentences of the brand's past posts. Every result is
labelled `offline-composer`.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from generators.drafts.schemas import PostDraft, post_text
from generators.llm.phrasebook import Phrasebook, phrasebook
from generators.llm.port import Completion, Prompt, T, Usage
from generators.tags import clean_tags
from retrieval.tokens import count_tokens
from storage.errors import ErrorCode, PostcraftError

_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_HASHTAG = re.compile(r"#([^\W_][\w]*)", re.UNICODE)
_STEM = 5  # crude stemming: Russian and English words sharing 5 letters usually share a root


class OfflineComposer:
    """Writes PostDraft outputs from the prompt's facts, without any model."""

    generator = "offline-composer"
    model = "offline-composer-v1"

    def complete(self, prompt: Prompt, output: type[T]) -> Completion[T]:
        """Compose an instance of `output` from the prompt's facts."""
        started = time.perf_counter()
        if output is not PostDraft:
            raise PostcraftError(
                ErrorCode.LLM_UNAVAILABLE,
                f"The offline composer cannot write {output.__name__}: configure LLM_MODEL",
            )
        draft = compose_post(prompt.facts)
        usage = Usage(
            count_tokens(prompt.system + "\n" + prompt.user),
            count_tokens(post_text(draft)),
            "tiktoken",
        )
        result: BaseModel = draft
        return Completion(
            result,  # type: ignore[arg-type]
            usage,
            self.generator,
            self.model,
            time.perf_counter() - started,
        )


def compose_post(facts: Mapping[str, Any]) -> PostDraft:
    """A post from the request and retrieved posts; the job id seeds the choice of phrasing."""
    book = phrasebook(str(facts["language"]))
    seed = "|".join(str(facts.get(k, "")) for k in ("variant_seed", "platform", "topic", "brief"))
    rng = random.Random(  # noqa: S311 (variety, not secrecy)
        hashlib.sha256(seed.encode()).digest()
    )
    topic = str(facts["topic"]).strip().rstrip(".")
    quoted = f"{book.quote[0]}{topic}{book.quote[1]}"
    headline = rng.choice(book.headlines).format(topic=topic[:1].upper() + topic[1:])
    blocks = [rng.choice(book.openers).format(q=quoted)]
    if facts.get("brief"):
        blocks.append(str(facts["brief"]).strip())
    blocks.extend(_borrowed_sentences(facts, rng))
    rubric_line = book.rubric_lines.get(str(facts.get("rubric") or ""), "")
    if rubric_line:
        blocks.append(rubric_line)
    # Not fitted here: the draft pipeline validates and repairs every generator's output alike
    # (and offers a thread on X when the text runs long).
    return PostDraft(
        headline=headline,
        body="\n\n".join(blocks),
        call_to_action=_call_to_action(facts, book),
        hashtags=_hashtags(facts),
        image_brief=book.image_brief.format(headline=headline),
    )


def _call_to_action(facts: Mapping[str, Any], book: Phrasebook) -> str:
    cta = str(facts.get("call_to_action") or facts.get("default_cta") or book.default_cta)
    if facts.get("link"):
        cta = f"{cta} {book.link_cta.format(link=facts['link'])}"
    return cta


def _stems(text: str) -> set[str]:
    return {w.casefold()[:_STEM] for w in _WORD.findall(text)}


def _borrowed_sentences(facts: Mapping[str, Any], rng: random.Random) -> list[str]:
    """Up to two sentences of the brand's past posts that share the most roots with the request."""
    wanted = _stems(f"{facts['topic']} {facts.get('brief', '')}")
    banned = [w.casefold() for w in facts.get("banned_words", [])]
    scored: list[tuple[float, str]] = []
    for post in facts.get("past_posts", []):
        for sentence in _SENTENCE.split(str(post["text"])):
            sentence = sentence.strip()
            if not _usable(sentence, banned):
                continue
            overlap = len(wanted & _stems(sentence))
            scored.append((overlap + float(post.get("engagement", 0)) * 0.5, sentence))
    scored.sort(reverse=True)
    # Two of the best five, drawn by the seed: sibling variants borrow different sentences.
    best = list(dict.fromkeys(sentence for _, sentence in scored))[:5]
    return rng.sample(best, k=min(2, len(best)))


def _usable(sentence: str, banned: list[str]) -> bool:
    # Digits usually carry prices, dates and offers that may be stale: never reuse them.
    if not 40 <= len(sentence) <= 240 or any(ch.isdigit() for ch in sentence):
        return False
    # Only whole declarative sentences: headline lines and questions read oddly out of context.
    if "#" in sentence or "http" in sentence or not sentence.endswith((".", "!", "…")):
        return False
    folded = sentence.casefold()
    return not any(word in folded for word in banned)


def _hashtags(facts: Mapping[str, Any]) -> list[str]:
    """Branded tags first, then the tags of the most relevant past posts, engagement-weighted."""
    budget = int(facts["hashtag_budget"])
    branded = [str(t) for t in facts.get("branded_hashtags", [])]
    weights: dict[str, float] = {}
    for post in facts.get("past_posts", []):
        weight = float(post.get("similarity", 0)) + 0.5 * float(post.get("engagement", 0))
        for tag in _HASHTAG.findall(str(post["text"])):
            weights[tag] = weights.get(tag, 0.0) + weight
    ranked = sorted(weights, key=lambda t: (-weights[t], t))
    return clean_tags([*branded, *ranked], facts.get("banned_words", []))[:budget]
