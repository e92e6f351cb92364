"""The offline composer: a deterministic writer that builds drafts from the brand's own material.

Used when no LLM is configured. It never invents facts: it frames the request with stock
phrasing and borrows the most relevant sentences of the brand's past posts. Every result is
labelled `offline-composer`. It leaves the mandatory phrases (disclaimers, the ad label) and the
length to the draft pipeline, which repairs every generator's output alike.
"""

from __future__ import annotations

import hashlib
import random
import re
import time

from pydantic import BaseModel

from generators.compliance.hashtags import clean_tags, hashtags_in
from generators.compliance.labels import link_in_profile
from generators.compliance.terms import TermMatcher
from generators.drafts.schemas import PostDraft, post_text
from generators.hashtags.schemas import HashtagSuggestions
from generators.llm.facts import DraftFacts, HashtagFacts
from generators.llm.phrasebook import Phrasebook, phrasebook
from generators.llm.port import Completion, Prompt, T, Usage
from retrieval.tokens import count_tokens
from storage.errors import ErrorCode, PostcraftError

_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_TOPIC_WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)
_STEM = 5  # crude stemming: Russian and English words sharing 5 letters usually share a root


class OfflineComposer:
    """Writes PostDraft and HashtagSuggestions outputs from the prompt's facts, without a model."""

    generator = "offline-composer"
    model = "offline-composer-v1"
    can_revise = False  # the same facts give the same draft: a second try would be a copy
    billed = False

    def complete(self, prompt: Prompt, output: type[T]) -> Completion[T]:
        """Compose an instance of `output` from the prompt's facts."""
        started = time.perf_counter()
        result: BaseModel
        facts = prompt.facts
        if output is PostDraft and isinstance(facts, DraftFacts):
            result = compose_post(facts)
            written = post_text(result)
        elif output is HashtagSuggestions and isinstance(facts, HashtagFacts):
            result = suggest_hashtags(facts)
            written = " ".join(result.hashtags)
        else:
            raise PostcraftError(
                ErrorCode.LLM_UNAVAILABLE,
                f"The offline composer cannot write {output.__name__}: configure LLM_MODEL",
            )
        usage = Usage(
            count_tokens(prompt.system + "\n" + prompt.user), count_tokens(written), "tiktoken"
        )
        return Completion(
            result,  # type: ignore[arg-type]
            usage,
            self.generator,
            self.model,
            time.perf_counter() - started,
        )


def compose_post(facts: DraftFacts) -> PostDraft:
    """A post from the request and retrieved posts; the job id seeds the choice of phrasing."""
    book = phrasebook(facts.language)
    seed = "|".join((facts.variant_seed, facts.platform.value, facts.topic, facts.brief))
    rng = random.Random(  # noqa: S311 (variety, not secrecy)
        hashlib.sha256(seed.encode()).digest()
    )
    banned = TermMatcher(facts.banned_words, facts.language)
    topic = facts.topic.strip().rstrip(".")
    quoted = f"{book.quote[0]}{topic}{book.quote[1]}"
    headline = rng.choice(book.headlines).format(topic=topic[:1].upper() + topic[1:])
    blocks = [rng.choice(book.openers).format(q=quoted)]
    if facts.brief:
        blocks.append(facts.brief.strip())
    blocks.extend(_borrowed_sentences(facts, banned, rng))
    rubric_line = book.rubric_lines.get(facts.rubric, "")
    if rubric_line:
        blocks.append(rubric_line)
    return PostDraft(
        headline=headline,
        body="\n\n".join(blocks),
        call_to_action=_call_to_action(facts, book),
        hashtags=_hashtags(facts, banned),
        image_brief=book.image_brief.format(headline=headline),
    )


def suggest_hashtags(facts: HashtagFacts) -> HashtagSuggestions:
    """Offline suggestions: the topic's own longer words, the most specific tags there are."""
    banned = TermMatcher(facts.banned_words, facts.language)
    words = [w.casefold() for w in _TOPIC_WORD.findall(facts.topic)]
    return HashtagSuggestions(hashtags=clean_tags(words, banned))


def _call_to_action(facts: DraftFacts, book: Phrasebook) -> str:
    cta = facts.call_to_action or facts.default_cta or book.default_cta
    if facts.link and facts.links_clickable:
        return f"{cta} {book.link_cta.format(link=facts.link)}"
    if facts.link:
        return f"{cta} {link_in_profile(facts.language)}"
    return cta


def _stems(text: str) -> set[str]:
    return {w.casefold()[:_STEM] for w in _WORD.findall(text)}


def _borrowed_sentences(facts: DraftFacts, banned: TermMatcher, rng: random.Random) -> list[str]:
    """Up to two sentences of the brand's past posts that share the most roots with the request."""
    wanted = _stems(f"{facts.topic} {facts.brief}")
    scored: list[tuple[float, str]] = []
    for post in facts.past_posts:
        for sentence in _SENTENCE.split(post.text):
            sentence = sentence.strip()
            if not _usable(sentence, banned):
                continue
            overlap = len(wanted & _stems(sentence))
            scored.append((overlap + post.engagement * 0.5, sentence))
    scored.sort(reverse=True)
    # Two of the best five, drawn by the seed: sibling variants borrow different sentences.
    best = list(dict.fromkeys(sentence for _, sentence in scored))[:5]
    return rng.sample(best, k=min(2, len(best)))


def _usable(sentence: str, banned: TermMatcher) -> bool:
    # Digits usually carry prices, dates and offers that may be stale: never reuse them.
    if not 40 <= len(sentence) <= 240 or any(ch.isdigit() for ch in sentence):
        return False
    # Only whole declarative sentences: headline lines and questions read oddly out of context.
    if "#" in sentence or "http" in sentence or "@" in sentence:
        return False
    return sentence.endswith((".", "!", "…")) and banned.first(sentence) is None


def _hashtags(facts: DraftFacts, banned: TermMatcher) -> list[str]:
    """Branded tags first, then the tags of the most relevant past posts, engagement-weighted."""
    weights: dict[str, float] = {}
    for post in facts.past_posts:
        weight = post.similarity + 0.5 * post.engagement
        for tag in hashtags_in(post.text):
            weights[tag] = weights.get(tag, 0.0) + weight
    ranked = sorted(weights, key=lambda t: (-weights[t], t))
    return clean_tags([*facts.branded_hashtags, *ranked], banned)[: facts.hashtag_budget]
