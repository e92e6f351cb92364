"""What a plan is written from, read from the brand's stored material: its dated past posts
(the history slots are chosen from, and the recent topics a plan may not repeat) and ideas per
rubric (its older posts nearest to the rubric, then the rubric's description). The plan job
and the regeneration of one item draw on it alike."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from generators.compliance.terms import TermMatcher
from generators.plans.composer import Hole, compose_plan, fill_holes
from generators.plans.rules import PlanFrame, Similar
from generators.plans.schemas import PlanItem
from generators.plans.slots import PastPost
from generators.plans.topics import opening
from retrieval.store import VectorStore
from storage.enums import DocumentKind, Platform
from storage.models import Document

RECENT_DAYS = 60  # posts this recent count as "recent": a plan may not repeat their topics
IDEAS_PER_RUBRIC = 40
GUIDE_CHUNKS = 3  # voice-guide passages nearest a rubric, mined for subjects
_MARKUP = re.compile(r"^\s*(?:#+|[-*•]|\d+[.)])\s*|\*\*|__|`")
_LIST_SPLIT = re.compile(r"[,;]\s+|\.\s+|\s+—\s+")
_HEADING = re.compile(r"^\s*#")
# Guide sections about how to write (tone, words, formatting), not what to write about.
_HOW_TO_WRITE = re.compile(
    r"тон|слов|оформлен|хэштег|хештег|эмодзи|стиль|tone|word|format|hashtag|emoji|style",
    re.IGNORECASE,
)
# A fragment starting with one of these is the tail of a clause, not a subject.
_TAIL_WORDS = frozenset(
    [
        "которые",
        "который",
        "которая",
        "которое",
        "которых",
        "но",
        "а",
        "и",
        "или",
        "поэтому",
        "по",
        "до",
        "над",
        "не",
        "без",
        "с",
        "со",
        "в",
        "во",
        "на",
        "из",
        "за",
        "что",
        "чтобы",
        "как",
        "где",
        "когда",
        "если",
        "плюс",
        "также",
        "which",
        "who",
        "whom",
        "that",
        "but",
        "and",
        "or",
        "so",
        "to",
        "by",
        "not",
        "with",
        "without",
        "for",
        "from",
        "if",
        "when",
        "as",
        "also",
    ]
)
_PLATFORMS = frozenset(p.value for p in Platform)


def brand_history(session: Session, brand_id: str) -> list[tuple[PastPost, str]]:
    """The brand's past posts with a date: when, where, how they did, and their text."""
    rows = session.execute(
        select(Document.meta, Document.text).where(
            Document.brand_id == brand_id, Document.kind == DocumentKind.POST
        )
    )
    out = []
    for meta, text in rows:
        stamp, platform = meta.get("published_ts"), meta.get("platform")
        if not isinstance(stamp, int) or platform not in _PLATFORMS:
            continue
        rate = meta.get("engagement_rate")
        post = PastPost(
            Platform(platform),
            datetime.fromtimestamp(stamp, UTC),
            int(meta.get("interactions") or 0),
            float(rate) if isinstance(rate, int | float) and meta.get("views") else None,
        )
        out.append((post, text))
    return out


@dataclass(frozen=True)
class Openings:
    """The opening lines of the brand's posts: the recent ones (topics not to repeat) and the
    older ones (topics that may come back as ideas)."""

    recent: tuple[str, ...]
    older: frozenset[str]


def openings(history: Sequence[tuple[PastPost, str]], now: datetime) -> Openings:
    """Split the history at RECENT_DAYS before `now`."""
    since = now - timedelta(days=RECENT_DAYS)
    recent = tuple(opening(text) for post, text in history if post.published_at >= since)
    older = frozenset(opening(text) for post, text in history if post.published_at < since)
    return Openings(recent, older)


def rubric_ideas(
    store: VectorStore,
    brand_id: str,
    rubric: str,
    description: str,
    older: AbstractSet[str],
    banned: TermMatcher | None = None,
) -> list[str]:
    """Topics for a rubric from the brand's own older posts nearest to it, then its
    description's parts, then the subjects its voice guide lists near the rubric (what it
    offers, the problems it solves, what each rubric covers): at most IDEAS_PER_RUBRIC, none
    twice, none using a word the brand never uses (`banned`). A month of daily posts needs
    more subjects than a small brand has posts."""
    query = f"{rubric}. {description}".strip()
    hits = store.search(brand_id, DocumentKind.POST, query, IDEAS_PER_RUBRIC * 2)
    ideas = [line for line in (opening(h.text) for h in hits) if line in older]
    ideas += [s for part in description.split(",") if (s := _subject(part.strip()))]
    for chunk in store.search(brand_id, DocumentKind.VOICE_GUIDE, query, GUIDE_CHUNKS):
        section = str(chunk.metadata.get("section", "")).rsplit(" / ", 1)[-1]
        if not _HOW_TO_WRITE.search(section):
            ideas += guide_subjects(chunk.text)
    kept = (i for i in ideas if len(i) >= 3 and not (banned and banned.find(i)))
    return list(dict.fromkeys(kept))[:IDEAS_PER_RUBRIC]


def guide_subjects(text: str) -> list[str]:
    """The subjects a guide passage lists (bullets, comma-separated items), as topics: phrases
    of two to twelve words that read as a subject (not a heading, a figure, a clause's tail or
    a fragment with an unclosed bracket or quote)."""
    subjects = []
    for raw in text.splitlines():
        if _HEADING.match(raw):
            continue
        line = _MARKUP.sub("", raw).strip()
        line = line.split(":", 1)[1] if ":" in line[:60] else line
        for part in _LIST_SPLIT.split(line):
            subject = _subject(part.strip(" .;!?"))
            if subject:
                subjects.append(subject)
    return subjects


def _subject(part: str) -> str | None:
    """The phrase as a topic, or None when it does not read as a subject."""
    words = part.split()
    if not (2 <= len(words) <= 12 and 8 <= len(part) <= 120):
        return None
    if part[0].isdigit() or part[0] in '«"“' or words[0].casefold() in _TAIL_WORDS:
        return None
    if not _balanced(part) or sum(c.isalpha() for c in part) < len(part) * 0.7:
        return None
    return part[0].upper() + part[1:]


def _balanced(text: str) -> bool:
    return all(text.count(a) == text.count(b) for a, b in ("()", "«»", "“”")) and (
        text.count('"') % 2 == 0
    )


@dataclass(frozen=True)
class PlanMaterial:
    """Everything a plan is written from besides a model: the frame, ideas per rubric, how
    topics compare, and the brand's name, language, goals and rubric descriptions."""

    frame: PlanFrame
    ideas: Mapping[str, Sequence[str]]
    similar: Similar
    brand_name: str
    language: str
    goals: tuple[str, ...]
    descriptions: Mapping[str, str]

    def compose(self) -> list[PlanItem]:
        """The offline composer's plan."""
        return compose_plan(
            self.frame, self.ideas, self.similar, self.language, self.goals, self.descriptions
        )

    def fill(self, holes: Sequence[Hole], existing: Sequence[PlanItem]) -> list[PlanItem]:
        """The offline composer's items for `holes`, none repeating `existing`."""
        return fill_holes(
            self.frame,
            holes,
            existing,
            self.ideas,
            self.similar,
            self.language,
            self.goals,
            self.descriptions,
        )
