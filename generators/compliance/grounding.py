"""Grounding: what a post states must come from the request, the profile or the brand's material.

- Contacts (links, bare domains, @handles, phone numbers, e-mail addresses) that appear in none
  of them are errors: a model that invents a contact sends readers somewhere nobody checked.
  Links compare by host, so a page of the brand's own site is its own; phones by their last ten
  digits, so "+7 (343) 123-45-67" and "8 343 1234567" are one number.
- Prices, percentages and promises that no material supports are warnings: the person approving
  knows whether the offer is real.
- Competitors: text copied from a competitor example (a run of `COPIED_RUN` or more consecutive
  words that the brand's own material does not also have) is an error, and so is a competitor's
  name or hashtag that the request did not ask for.

`COPIED_RUN` is 6 words. Independent texts on one topic share set phrases of two to four words
("in the heart of", «в самом центре города»), seldom five, and almost never six consecutive
words outside quotation; plagiarism detectors use windows of five to eight words for the same
reason. A planted claim ("our clinic is closing, move to …") is longer than six words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from generators.compliance.counting import LINKED_TLDS, url_spans
from generators.compliance.hashtags import hashtags_in, tag_key
from generators.compliance.terms import TermMatcher, words

COPIED_RUN = 6
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}")
_HANDLE = re.compile(r"(?<![\w@./])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,30}[A-Za-z0-9_])?)")
# Digits in groups with spaces, dashes or brackets (dots make dates, not phones), 10-13 digits.
_PHONE = re.compile(r"(?<![\w+.])\+?\(?\d[\d \u00a0()-]{7,}\d(?![\w.]\d)")
# A bare domain (no scheme) ends in a TLD that posts use: the generic ones X links, country
# codes of the markets served, and .example (RFC 2606), which tests and demos use.
_COUNTRIES = {"su", "by", "kz", "ua", "uk", "de", "fi", "il", "us", "eu", "fr", "es", "it", "nl"}
_COUNTRIES |= {"pl", "se", "no", "ee", "lv", "lt", "fm", "ly", "to", "cc"}
_DOMAIN_TLDS = "|".join(sorted(LINKED_TLDS | _COUNTRIES | {"example"}, key=len, reverse=True))
_DOMAIN = re.compile(
    rf"(?<![\w@./-])((?:[a-z0-9а-я](?:[a-z0-9а-я-]*[a-z0-9а-я])?\.)+(?:{_DOMAIN_TLDS}))"
    r"(?![\w-])(/[^\s]*)?"
)
_SOCIAL_HOSTS = {"t.me", "vk.com", "ok.ru", "instagram.com", "x.com", "twitter.com"}
_SOCIAL_HOSTS |= {"facebook.com", "linkedin.com", "tiktok.com", "threads.net", "youtube.com"}
_CLAIM = re.compile(
    r"\d[\d\s.,]*\s?(?:₽|руб\w*|р\.|\$|€|£|%|usd|eur|rub)|(?:\$|€|£)\s?\d[\d.,]*",
    re.IGNORECASE,
)
_PROMISES = ("гарантир", "бесплатн", "навсегда", "100%", "guarantee", "free of charge", "forever")


@dataclass(frozen=True)
class Contact:
    """A contact found in a text: what kind, as written, and the key it compares by."""

    kind: str  # "link", "handle", "phone", "e-mail"
    written: str
    key: str


@dataclass(frozen=True)
class Competitor:
    """One competitor example the generator was shown."""

    name: str
    text: str

    def names(self) -> list[str]:
        """How a post may name it: the whole name, and a quoted brand inside it («Бодрость» of
        Кофейня «Бодрость»)."""
        quoted = re.findall(r"[«\"“„]([^»\"”“]+)[»\"”“]", self.name)
        plain = re.sub(r"[«»\"“”„]", "", self.name).strip()
        return list(dict.fromkeys(n.strip() for n in [plain, *quoted] if len(n.strip()) >= 3))


@dataclass(frozen=True)
class Grounding:
    """What a post may draw on: the brand's own text (request, profile, guide, its posts) and
    the competitor examples it was shown as contrast."""

    own_text: str
    competitors: tuple[Competitor, ...] = ()
    extra_contacts: tuple[str, ...] = ()  # account handles from the profile
    asked: str = ""  # the request's own words: a competitor named there may be named
    language: str = "en"
    rival_names_known: tuple[str, ...] = ()  # every competitor of the brand, by name

    # Derived once per grounding (a job's posts are checked sentence by sentence against them).
    @cached_property
    def known_contacts(self) -> frozenset[str]:
        """The keys of every contact in the brand's own text and profile handles."""
        known = {c.key for c in contacts(self.own_text)}
        for handle in self.extra_contacts:
            known |= {c.key for c in contacts(handle)} | {_handle_key(handle)}
        return frozenset(known)

    @cached_property
    def rival_runs(self) -> tuple[tuple[str, frozenset[tuple[str, ...]]], ...]:
        """Per competitor example, its `COPIED_RUN`-word runs that the brand's text lacks."""
        own = _ngrams([w.text.casefold() for w in words(self.own_text)], COPIED_RUN)
        return tuple(
            (
                c.name,
                frozenset(_ngrams([w.text.casefold() for w in words(c.text)], COPIED_RUN) - own),
            )
            for c in self.competitors
        )

    @cached_property
    def rival_names(self) -> TermMatcher:
        """The competitors' names (those shown and all the brand has), as the matcher finds them."""
        named = [*self.competitors, *(Competitor(name, "") for name in self.rival_names_known)]
        return TermMatcher([n for c in named for n in c.names()], self.language)

    @cached_property
    def own_tags(self) -> frozenset[str]:
        """The hashtags the brand's material and the request use (tag keys)."""
        return frozenset(tag_key(t) for t in hashtags_in(self.own_text + "\n" + self.asked))

    def unknown_contacts(self, text: str) -> list[Contact]:
        """The contacts in the text that the brand's material does not have, once each."""
        found = {c.key: c for c in contacts(text) if c.key not in self.known_contacts}
        return list(found.values())


def contacts(text: str) -> list[Contact]:
    """Every link, bare domain, @handle, phone number and e-mail address in the text."""
    found: list[Contact] = []
    taken: list[tuple[int, int]] = []
    for match in _EMAIL.finditer(text):
        found.append(Contact("e-mail", match.group(), "mail:" + match.group().casefold()))
        taken.append(match.span())
    for start, end in link_spans(text):
        found.extend(_link_contacts(text[start:end]))
        taken.append((start, end))
    for match in _HANDLE.finditer(text):
        if not _overlaps(*match.span(), taken):
            found.append(Contact("handle", match.group(), _handle_key(match.group(1))))
    for match in _PHONE.finditer(text):
        written, digits = match.group(), re.sub(r"\D", "", match.group())
        plain = written.isdigit()  # 10 or 12 bare digits are an INN more often than a phone
        if 10 <= len(digits) <= 13 and not plain and not _overlaps(*match.span(), taken):
            found.append(Contact("phone", written.strip(), "tel:" + digits[-10:]))
    return found


def address_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each e-mail address, link and domain in the text, left to right."""
    return sorted([m.span() for m in _EMAIL.finditer(text)] + link_spans(text))


def link_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each link or bare domain (not inside an e-mail address), in order."""
    emails = [m.span() for m in _EMAIL.finditer(text)]
    spans: list[tuple[int, int]] = []
    for start, end in sorted([*url_spans(text), *_domain_spans(text)]):
        taken = [*emails, *spans]
        if not _overlaps(start, end, taken) and _an_address(text[start:end]):
            spans.append((start, end))
    return spans


def _domain_spans(text: str) -> list[tuple[int, int]]:
    # Lower case only: "ASP.NET" and "Node.JS" are names, "shop.example" is an address.
    return [m.span() for m in _DOMAIN.finditer(text)]


def _an_address(written: str) -> bool:
    """A link with a scheme, or a domain written in lower case ("ASP.NET" is a name)."""
    host = written.split("/", 1)[0]
    return "://" in written or host == host.lower()


def _overlaps(start: int, end: int, taken: Iterable[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in taken)


def _link_contacts(written: str) -> list[Contact]:
    """A link compares by its host; a profile link on a social network also names a handle."""
    url = written if "://" in written else "https://" + written
    parts = urlsplit(url)
    host = (parts.hostname or "").casefold().removeprefix("www.")
    found = [Contact("link", written, "host:" + host)]
    segment = parts.path.strip("/").split("/")[0]
    if host in _SOCIAL_HOSTS and segment:
        found.append(Contact("link", written, _handle_key(segment)))
    return found


def _handle_key(handle: str) -> str:
    return "at:" + handle.strip().lstrip("@").casefold()


def without_addresses(text: str) -> str:
    """The text with each e-mail address, link and domain replaced by a space."""
    for start, end in reversed(address_spans(text)):
        text = text[:start] + " " + text[end:]
    return text


def unsupported_claims(text: str, own_text: str) -> list[str]:
    """Prices, percentages and promises in the text that the brand's material does not state
    (links are not read: "%D0%BB" in a URL is no percentage)."""
    text = without_addresses(text)
    known = _squeezed(own_text)
    found = [
        m.group(0).strip() for m in _CLAIM.finditer(text) if _squeezed(m.group(0)) not in known
    ]
    folded, material = text.casefold(), own_text.casefold()
    found += [f"{p}…" for p in _PROMISES if p in folded and p not in material]
    return list(dict.fromkeys(found))


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text.casefold())


@dataclass(frozen=True)
class Copied:
    """A run of words the post shares with a competitor example."""

    competitor: str
    words: str


def copied_runs(text: str, grounding: Grounding) -> list[Copied]:
    """Runs of `COPIED_RUN`+ consecutive words shared with a competitor and not with the brand
    (the longest per competitor)."""
    found = []
    for name, spans in _shared_spans(text, grounding):
        start, end = max(spans, key=lambda span: span[1] - span[0])
        found.append(Copied(name, text[start:end]))  # as written, so it can be highlighted
    return found


def copied_spans(text: str, grounding: Grounding) -> list[tuple[int, int]]:
    """(start, end) in the text of every run `copied_runs` would report, for the repair."""
    return sorted(span for _, spans in _shared_spans(text, grounding) for span in spans)


def _shared_spans(text: str, grounding: Grounding) -> list[tuple[str, list[tuple[int, int]]]]:
    """Per competitor with shared runs, the character spans of those runs in the text."""
    post = words(text)
    tokens = [w.text.casefold() for w in post]
    found = []
    for name, grams in grounding.rival_runs:
        runs = _shared_runs(tokens, grams)
        if runs:
            found.append((name, [(post[a].start, post[b - 1].end) for a, b in runs]))
    return found


def _ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def _shared_runs(post: Sequence[str], grams: frozenset[tuple[str, ...]]) -> list[tuple[int, int]]:
    """(first, past-last) word indexes of each stretch covered by consecutive shared n-grams."""
    runs: list[tuple[int, int]] = []
    index = 0
    while index <= len(post) - COPIED_RUN:
        if tuple(post[index : index + COPIED_RUN]) not in grams:
            index += 1
            continue
        end = index + COPIED_RUN
        while end < len(post) and tuple(post[end - COPIED_RUN + 1 : end + 1]) in grams:
            end += 1
        runs.append((index, end))
        index = end
    return runs


def competitor_mentions(text: str, tags: Sequence[str], grounding: Grounding) -> list[str]:
    """Competitors' names (as proper nouns) and branded hashtags the request did not ask for."""
    names = grounding.rival_names
    asked = {m.term for m in names.find(grounding.asked)}
    found = [
        f"«{m.found}»"
        for m in names.find(text)
        if m.found[:1].isupper() and m.term not in asked  # «бодрость утра» is not «Бодрость»
    ]
    found += [f"#{t}" for t in [*tags, *hashtags_in(text)] if is_competitor_tag(t, grounding)]
    return list(dict.fromkeys(found))


def is_competitor_tag(tag: str, grounding: Grounding) -> bool:
    """A hashtag carrying a competitor's name (#бодрость, #BodrostCoffee), unless the brand's own
    material or the request uses it. Other tags of competitors' posts are the topic's words."""
    key = tag_key(tag)
    if key in grounding.own_tags:
        return False
    return any(_squeezed(name) in key for name in grounding.rival_names.terms)
