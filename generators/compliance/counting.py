"""Text length as each platform counts it, and splitting a long text into a thread.

X counts with the twitter-text v3 algorithm (docs.x.com, "counting characters"): the text is
NFC-normalised; every URL counts 23 (its t.co length); an emoji, with its modifiers and ZWJ
joins, counts 2; other code points weigh 1 in the ranges U+0000-U+10FF, U+2000-U+200D,
U+2010-U+201F and U+2032-U+2037 (Latin, Cyrillic, Greek, Hebrew, Arabic, common punctuation)
and 2 elsewhere (CJK, "…", "№", currency signs). Everything is counted by code point.

Simplifications, chosen so that the count does not fall below X's own:
- URLs are found by a regex, not with twitter-text's full IANA TLD list. An `http(s)://` URL
  counts 23 when its host has a valid punycode form (no label over 63 characters) and ends in a
  two-letter country code, рф, or a common generic TLD; any other http(s) URL (an unusual TLD,
  an overlong label) counts the larger of 23 and its literal weight, since X may not link it.
  (A two-letter TLD that is not delegated, "https://example.zz", still counts 23 where X would
  count it literally.)
- A bare domain (no scheme) is a URL only with one of the TLDs com net org ru рф io co info me
  app dev ai. X does not link a bare single-label country-code domain without a path ("shop.ru")
  nor a bare non-ASCII domain, so those count the larger of 23 and their literal weight.
- A DNS label over 63 characters makes no URL, as in twitter-text.
- Emoji are recognised by code-point ranges that approximate Unicode's Extended_Pictographic
  property (the standard library has no emoji data); © and ® are emoji only with U+FE0F.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from generators.compliance.platforms import Counting, PlatformRules

URL_WEIGHT = 23
# Code points outside the ranges twitter-text weighs 1: 0-4351, 8192-8205, 8208-8223, 8242-8247.
_HEAVY = re.compile(r"[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")

_GENERIC_TLDS = frozenset({"com", "net", "org", "info", "app", "dev"})
_COUNTRY_TLDS = frozenset({"ru", "рф", "io", "co", "me", "ai"})
_KNOWN_TLDS = _GENERIC_TLDS | _COUNTRY_TLDS
# Generic TLDs common enough in posts to count as certainly linked after a scheme.
_SCHEME_TLDS = _KNOWN_TLDS | {"biz", "edu", "gov", "int", "mil", "pro", "tv", "xyz", "top"}
_SCHEME_TLDS |= {"shop", "store", "online", "site", "blog", "tech", "news", "club", "media"}
_SCHEME_TLDS |= {"studio", "agency", "digital", "live", "moscow", "рус"}
LINKED_TLDS = frozenset(_SCHEME_TLDS)  # the generic TLDs common in posts, for other readers

_ALNUM = r"0-9a-z\u00c0-\u024f\u0400-\u04ff"
_URL = re.compile(
    rf"(?<![{_ALNUM}@$#＠＃_])"  # not glued to a word, a mention, a cashtag or a hashtag
    r"(?P<scheme>https?://)?"
    rf"(?P<host>(?:[{_ALNUM}](?:[{_ALNUM}_-]*[{_ALNUM}])?\.)+"
    rf"(?P<tld>xn--[0-9a-z-]+|[a-z\u0400-\u04ff]{{2,}}))"
    rf"(?![{_ALNUM}_-])"
    r"(?P<port>:\d{1,5})?"
    rf"(?P<path>[/?#][{_ALNUM}\-._~:/?#\[\]@!$&'()*+,;=%|]*)?",
    re.IGNORECASE,
)
# Up to whitespace, or an invisible format mark (bidi isolates, zero-width spaces).
_LOOSE_URL = re.compile(
    # The host runs to whitespace or an invisible format mark (bidi isolates, zero-width spaces).
    r"(?<![0-9a-z@$#＠＃_])https?://"
    r"(?P<host>[^\s/?#:<>\"\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]+)"
    r"(?P<port>:\d{1,5})?"
    rf"(?P<path>[/?#][{_ALNUM}\-._~:/?#\[\]@!$&'()*+,;=%|]*)?",
    re.IGNORECASE,
)
# Punctuation that ends a sentence rather than the URL before it.
_URL_TRAILING = ".,:;!?'\"*"

_PICTOGRAPHIC = (
    r"\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf"
    r"\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf"
    r"\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
    r"\U0001f000-\U0001faff"
)
_ELEMENT = (
    r"(?:[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
    r"|[0-9#*]\ufe0f?\u20e3"  # a keycap
    r"|[\u00a9\u00ae]\ufe0f"  # © and ® are plain text unless asked to be emoji
    rf"|[{_PICTOGRAPHIC}]\ufe0f?[\U0001f3fb-\U0001f3ff]?\ufe0f?"  # base, skin tone
    r"(?:[\U000e0020-\U000e007e]+\U000e007f)?)"  # subdivision flags (tag sequences)
)
_EMOJI = re.compile(rf"{_ELEMENT}(?:\u200d{_ELEMENT})*")

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'»”’)\]]*$")


def x_weighted_length(text: str) -> int:
    """The length X counts for this text (twitter-text v3, see the module docstring)."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for start, end, weight in _url_spans(text):
        total += _plain_weight(text[position:start]) + weight
        position = end
    return total + _plain_weight(text[position:])


def _url_spans(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, weight) of each URL in NFC text, left to right, never overlapping."""
    strict = list(_strict_spans(text))
    starts = {start for start, _, _ in strict}
    loose = [span for span in _loose_spans(text) if span[0] not in starts]
    end = 0
    for span in sorted(strict + loose):
        if span[0] >= end:
            yield span
            end = span[1]


def _strict_spans(text: str) -> Iterator[tuple[int, int, int]]:
    """URLs with a host of Latin or Cyrillic labels and a TLD."""
    for match in _URL.finditer(text):
        url = _trim_url(match.group())
        if not _valid_host(match.group("host")):
            continue
        if not match.group("scheme") and not _bare_url_allowed(text, match):
            continue
        weight = URL_WEIGHT if _surely_linked(match, url) else max(URL_WEIGHT, _plain_weight(url))
        yield match.start(), match.start() + len(url), weight


def _loose_spans(text: str) -> Iterator[tuple[int, int, int]]:
    """Other http(s) URLs: symbols, CJK or Arabic in the host."""
    for match in _LOOSE_URL.finditer(text):
        if "." not in match.group("host"):
            continue  # X links no host without a TLD ("http://localhost")
        url = _trim_url(match.group())
        linked = _linkable_host(match.group("host"))
        weight = URL_WEIGHT if linked else max(URL_WEIGHT, _plain_weight(url))
        yield match.start(), match.start() + len(url), weight


def _trim_url(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from the end of a URL."""
    while url and (
        url[-1] in _URL_TRAILING
        or (url[-1] == ")" and url.count(")") > url.count("("))
        or (url[-1] == "]" and url.count("]") > url.count("["))
    ):
        url = url[:-1]
    return url


def _valid_host(host: str) -> bool:
    # DNS labels are at most 63 characters; X leaves longer ones as plain text.
    return all(len(label) <= 63 for label in host.split("."))


def _bare_url_allowed(text: str, match: re.Match[str]) -> bool:
    """A bare domain needs a known TLD and may not follow '-', '.', '/' or '_'."""
    if match.group("tld").casefold() not in _KNOWN_TLDS:
        return False
    return match.start() == 0 or text[match.start() - 1] not in "-./_"


def _surely_linked(match: re.Match[str], url: str) -> bool:
    """Whether X certainly shortens this URL to t.co (then it counts exactly 23)."""
    host = match.group("host")
    if match.group("scheme"):
        return _linkable_host(host)
    if not host.isascii():
        return False  # twitter-text links bare domains only in ASCII
    tld = match.group("tld").casefold()
    has_path = len(url) > len(host)
    return tld in _GENERIC_TLDS or has_path or host.count(".") > 1


def _linkable_host(host: str) -> bool:
    """Whether X links this host after a scheme: a recognised TLD and a valid punycode form."""
    tld = host.rsplit(".", 1)[-1].casefold()
    recognised = tld in _SCHEME_TLDS or tld.startswith("xn--") or (len(tld) == 2 and tld.isascii())
    if not recognised:
        return False
    try:
        host.encode("idna")  # fails when a label's punycode is over 63 characters
    except UnicodeError:
        return False
    return True


def _plain_weight(text: str) -> int:
    """Weight of text without URLs: each emoji sequence 2, other code points by range."""
    total, position = 0, 0
    for match in _EMOJI.finditer(text):
        total += _chars_weight(text[position : match.start()]) + 2
        position = match.end()
    return total + _chars_weight(text[position:])


def _chars_weight(text: str) -> int:
    # One regex pass rather than a Python loop: posts for Facebook run to 63,206 characters.
    return len(text) + len(_HEAVY.findall(text))


def platform_length(text: str, rules: PlatformRules) -> int:
    """The length of `text` as the platform counts it."""
    if rules.counting is Counting.X_WEIGHTED:
        return x_weighted_length(text)
    return len(unicodedata.normalize("NFC", text))


def fits(text: str, rules: PlatformRules) -> bool:
    """Whether `text` is within the platform's hard text limit."""
    return platform_length(text, rules) <= rules.max_chars


def split_thread(text: str, rules: PlatformRules) -> list[str]:
    """Split a long text into a thread whose posts each fit with their " (i/n)" suffix.

    Cuts fall at whitespace: the last paragraph break that fits, else the last sentence end,
    else the last space, so no URL, word or emoji sequence is split. Only a single token too
    long for a whole post is cut inside, between grapheme clusters, as there is no other way.
    """
    text = text.strip()
    if fits(text, rules):
        return [text]
    if not rules.threads:
        raise ValueError(f"{rules.name} has no threads: shorten the text instead")
    digits = 1
    while True:
        widest = f" ({'9' * digits}/{'9' * digits})"
        chunks = _chunks(text, rules, widest)
        if len(str(len(chunks))) <= digits:
            total = len(chunks)
            return [f"{chunk} ({i}/{total})" for i, chunk in enumerate(chunks, start=1)]
        digits += 1


def _chunks(text: str, rules: PlatformRules, suffix: str) -> list[str]:
    """Greedy chunks of `text` that each fit with `suffix` appended."""
    chunks: list[str] = []
    rest = text
    while rest:
        if fits(rest + suffix, rules):
            chunks.append(rest)
            break
        chunk, rest = _cut(rest, rules, suffix)
        chunks.append(chunk)
    return chunks


def _cut(text: str, rules: PlatformRules, suffix: str) -> tuple[str, str]:
    """The first chunk of `text` (which does not fit whole) and the rest."""
    gaps = list(_SPACE.finditer(text))
    fitting = _last_fitting(text, gaps, rules, suffix)
    if fitting < 0:
        return _cut_token(text, rules, suffix)
    best = max(range(fitting + 1), key=lambda i: (_gap_rank(text, gaps[i]), i))
    return text[: gaps[best].start()], text[gaps[best].end() :]


def _last_fitting(text: str, gaps: list[re.Match[str]], rules: PlatformRules, suffix: str) -> int:
    """Index of the last gap whose prefix fits (binary search: prefixes only grow), or -1."""
    low, high = 0, len(gaps) - 1
    best = -1
    while low <= high:
        middle = (low + high) // 2
        if fits(text[: gaps[middle].start()] + suffix, rules):
            best, low = middle, middle + 1
        else:
            high = middle - 1
    return best


def _gap_rank(text: str, gap: re.Match[str]) -> int:
    """3 for a paragraph break, 2 for a line break or a sentence end, 1 for a plain space."""
    if gap.group().count("\n") >= 2:
        return 3
    # Look only at the few characters before the gap: a sentence end with closing quotes.
    if "\n" in gap.group() or _SENTENCE_END.search(text, max(0, gap.start() - 8), gap.start()):
        return 2
    return 1


def _cut_token(text: str, rules: PlatformRules, suffix: str) -> tuple[str, str]:
    """Cut a token longer than a whole post between grapheme clusters (the last resort)."""
    end = 0
    for cluster_end in _cluster_ends(text):
        if not fits(text[:cluster_end] + suffix, rules):
            break
        end = cluster_end
    if end == 0:
        raise ValueError(f"{rules.max_chars} characters cannot hold one character and the suffix")
    return text[:end], text[end:].lstrip()


def _cluster_ends(text: str) -> Iterator[int]:
    """End offsets of approximate grapheme clusters: emoji sequences, base plus marks."""
    position = 0
    while position < len(text):
        emoji = _EMOJI.match(text, position)
        position = emoji.end() if emoji else position + 1
        while position < len(text) and unicodedata.category(text[position]).startswith("M"):
            position += 1
        yield position


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each emoji sequence, with its joiners, modifiers and tag characters."""
    return [match.span() for match in _EMOJI.finditer(text)]


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL or bare domain that X would link, left to right."""
    return [(start, end) for start, end, _ in _url_spans(text)]
