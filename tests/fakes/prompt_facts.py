"""What a draft prompt asks for, read back from the templates' markers (for the fake model).

Only the instructions are read, never the data between them: the system markers before any data
fence, the request's markers before the user message's first fence (`<guide`, `<example`,
`<competitor`), and the platform's markers only in the section under `PLATFORM_HEADER` that
starts after the last fence closes. Data cannot close its fence (the `fenced` filter defuses
fence tags and the header's words), so it can fake neither a request marker nor that section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prompts.render import PLATFORM_HEADER

_RETRY = "# Your previous draft broke these rules"
_DATA = re.compile(r"^<(?:guide|example|competitor)\b", re.M)
_DATA_END = re.compile(r"^</(?:guide|example|competitor)>$", re.M)
_HEADER = re.compile(rf"^{re.escape(PLATFORM_HEADER)}$", re.M)
_LANGUAGE = re.compile(
    r"You write social media posts in the brand's voice, in "
    r"(Russian|English|Finnish|Hebrew|Ukrainian)"
)
_BANNED = re.compile(r"Never use these words or phrases, in any form: (.*)\.")
_DISCLAIMERS = re.compile(r"Every post ends with these disclaimers, word for word: (.*)")
_TERMS = re.compile(r"Use these terms exactly as written where they fit: (.*)\.")
_PLATFORM = re.compile(r"Write one post for (.+?) \(at most (\d+) characters")
_TOPIC = re.compile(r"^Topic: (.*)", re.M)
_BRIEF = re.compile(r"^Brief: (.*)", re.M)
_ASKED_CTA = re.compile(r"^Call to action: (.*)", re.M)
_LINK = re.compile(r"^Link to mention: (\S+)", re.M)
_AD_LABEL = re.compile(r'This is an ad: the post must contain the label "(.*)" exactly\.')
_BRANDED = re.compile(r"^Branded hashtags \(always include\): (.*)", re.M)
_HASHTAG_HINT = re.compile(r"^Hashtags: at most (\d+) hashtags?\b", re.M)
_COMPETITOR = re.compile(r'<competitor id="[^"]*" name="([^\n]*?)">\n(.*?)\n</competitor>', re.S)
_EXAMPLE = re.compile(r"<example\b[^>]*>\n(.*?)\n</example>", re.S)
_ANY_CTA = "choose one that fits the brand"


@dataclass(frozen=True)
class Competitor:
    """One ``<competitor>`` block of the prompt: its name attribute and its text, as sent."""

    name: str
    text: str


@dataclass(frozen=True)
class PromptFacts:
    """What a draft prompt asks for (draft_system.j2 + draft_user.j2, or draft_retry.j2); a
    missing marker leaves None or an empty tuple."""

    language: str | None = None  # the language name, e.g. "Russian"
    banned_words: tuple[str, ...] = ()
    disclaimers: tuple[str, ...] = ()
    required_terms: tuple[str, ...] = ()
    platform: str | None = None  # the platform's display name, e.g. "Instagram"
    max_chars: int | None = None
    topic: str | None = None
    brief: str | None = None
    call_to_action: str | None = None  # None when the prompt leaves the choice to the model
    link: str | None = None
    ad_label: str | None = None
    branded_hashtags: tuple[str, ...] = ()  # without the '#'
    hashtag_limit: int | None = None  # "Hashtags: at most N" in the platform section
    competitors: tuple[Competitor, ...] = ()
    examples: tuple[str, ...] = ()
    retry: bool = False


def _head(text: str) -> str:
    """The text before its first data block, so that data cannot fake a marker."""
    found = _DATA.search(text)
    return text[: found.start()] if found else text


def _sections(user: str) -> tuple[str, str, bool]:
    """(the user message up to its platform section, the platform section, whether a retry
    follows): the section is the first header after the last closing fence; a retry's own text
    (the problems, the previous draft) comes after it and is not part of it."""
    closes = list(_DATA_END.finditer(user))
    header = _HEADER.search(user, closes[-1].end() if closes else 0)
    if header is None:
        original, retry, _ = user.partition(_RETRY)
        return original, "", bool(retry)
    tail, retry, _ = user[header.start() :].partition(_RETRY)
    return user[: header.start()], tail, bool(retry)


def _group(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    value = found.group(1).strip() if found else ""
    return value or None


def _split(value: str | None, sep: str, none: str = "") -> tuple[str, ...]:
    if value is None or value == none:
        return ()
    return tuple(part.strip() for part in value.split(sep) if part.strip())


def _int(pattern: re.Pattern[str], text: str) -> int | None:
    value = _group(pattern, text)
    return int(value) if value else None


def parse_prompt(system: str, user: str) -> PromptFacts:
    """Read the draft templates' markers; a retry prompt is read as its original request."""
    data, section, retry = _sections(user)
    rules, request = _head(system), _head(data)
    platform = _PLATFORM.search(section)
    asked_cta = _group(_ASKED_CTA, request)
    return PromptFacts(
        language=_group(_LANGUAGE, rules),
        banned_words=_split(_group(_BANNED, rules), ", ", none="(none listed)"),
        disclaimers=_split(_group(_DISCLAIMERS, rules), " | "),
        required_terms=_split(_group(_TERMS, rules), ", "),
        platform=platform.group(1) if platform else None,
        max_chars=int(platform.group(2)) if platform else None,
        topic=_group(_TOPIC, request),
        brief=_group(_BRIEF, request),
        call_to_action=None if asked_cta == _ANY_CTA else asked_cta,
        link=_group(_LINK, section),
        ad_label=_group(_AD_LABEL, section),
        branded_hashtags=tuple(
            t.lstrip("#") for t in _split(_group(_BRANDED, request), " ", "(none)")
        ),
        hashtag_limit=_int(_HASHTAG_HINT, section),
        competitors=tuple(Competitor(*m.groups()) for m in _COMPETITOR.finditer(data)),
        examples=tuple(m.group(1) for m in _EXAMPLE.finditer(data)),
        retry=retry,
    )
